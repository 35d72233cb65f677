"""Replace subscriber usernames, IP and MAC addresses in router output with stable stand-ins.

An operator sends a capture of a router the parsers do not read yet; it must not carry
their subscribers' names or their addressing plan. Each distinct value gets one
placeholder for the whole capture (the same gateway is the same stand-in in every file), so
the sample still shows how values relate, and the placeholder keeps the original's shape
and, where it can, its length: a parser reading columns must read the redacted text as it
reads the original. Netmasks and wildcard masks (and 0.0.0.0, 255.255.255.255) are kept:
they are not addresses of anyone, and a pool's mask is part of its layout.

Placeholders come from ranges reserved for examples or private use: IPv4 in 10.0.0.0/8
(192.168.0.0/16 for the 15-character ones),
IPv6 in 2001:db8::/32 (RFC 3849), MACs with the locally administered bit and the 00-00-5E
documentation block (RFC 7042), usernames as ``u0001@<their own domain>``.
"""

from __future__ import annotations

import ipaddress
import itertools
import re

_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])")
_IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:.])")
_MAC_HUAWEI = re.compile(r"(?<![\w-])[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}(?![\w-])")
_MAC_PAIRS = re.compile(
    r"(?<![\w:-])[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}(?![\w:-])"
)
_USER_AT_DOMAIN = re.compile(r"(?<![\w.+-])([\w.+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)")
# `User name : x`, `Username: x`, `User-name   : x` in verbose access-user output.
_USER_FIELD = re.compile(r"(?im)^(\s*user[ -]?name\s*:\s*)(\S+)")
_KEPT_IPV4 = {"0.0.0.0", "255.255.255.255"}


def _is_netmask(text: str) -> bool:
    """A netmask (ones then zeros: 255.255.224.0) or an ACL wildcard (zeros then ones:
    0.0.31.255): layout, not anyone's address."""
    try:
        value = int(ipaddress.IPv4Address(text))
    except ValueError:
        return False
    inverted = ~value & 0xFFFFFFFF
    netmask = value != 0 and (inverted & (inverted + 1)) == 0
    wildcard = value != 0 and (value & (value + 1)) == 0
    return netmask or wildcard


class SampleRedactor:
    """Stable, shape-keeping placeholders for one capture (create one per capture)."""

    def __init__(self) -> None:
        self._ipv4: dict[str, str] = {}
        self._ipv6: dict[str, str] = {}
        self._mac: dict[str, str] = {}
        self._users: dict[str, str] = {}
        self._ipv4_seen: set[str] = set()
        self._counters = {kind: itertools.count(1) for kind in ("ipv4", "ipv6", "mac", "user")}

    @property
    def replaced(self) -> dict[str, int]:
        """How many distinct values of each kind were replaced."""
        return {
            "ipv4": len(self._ipv4),
            "ipv6": len(self._ipv6),
            "mac": len(self._mac),
            "username": len(self._users),
        }

    def stand_in(self, value: str) -> str:
        """The placeholder this capture already gave the username `value` (a bare name is
        only known as one from its `User name :` line), else `value` redacted as text."""
        return self._users.get(value) or self.redact(value)

    def redact(self, text: str) -> str:
        """`text` with every username, IP and MAC address replaced by its placeholder."""
        # One pass each, so a placeholder is never taken for a name and replaced again.
        text = _USER_AT_DOMAIN.sub(lambda m: self._user(m.group(1)) + "@" + m.group(2), text)
        text = _USER_FIELD.sub(
            lambda m: m.group(0) if "@" in m.group(2) else m.group(1) + self._user(m.group(2)),
            text,
        )
        text = _MAC_HUAWEI.sub(lambda m: self._mac_of(m.group(0)), text)
        text = _MAC_PAIRS.sub(lambda m: self._mac_of(m.group(0)), text)
        text = _IPV4.sub(lambda m: self._ipv4_of(m.group(0)), text)
        return _IPV6.sub(lambda m: self._ipv6_of(m.group(0)), text)

    # ---- placeholders ----

    def _user(self, name: str) -> str:
        known = self._users.get(name)
        if known is None:
            number = next(self._counters["user"])
            digits = max(len(str(number)), len(name) - 1)  # as long as the name when it can
            known = self._users[name] = f"u{number:0{digits}d}"
        return known

    def _mac_of(self, text: str) -> str:
        key = re.sub(r"[^0-9a-f]", "", text.lower())
        known = self._mac.get(key)
        if known is None:
            number = next(self._counters["mac"])
            known = self._mac[key] = f"02005e{number:06x}"  # locally administered, doc block
        digits = iter(known.upper() if text.isupper() else known)
        # The original's layout (separators, grouping, case) with the placeholder's digits.
        return "".join(next(digits) if ch.isalnum() else ch for ch in text)

    def _ipv4_of(self, text: str) -> str:
        try:
            address = ipaddress.IPv4Address(text)
        except ValueError:  # 999.1.2.3: not an address
            return text
        if text in _KEPT_IPV4 or _is_netmask(text):
            return text
        known = self._ipv4.get(str(address))
        if known is None:
            known = self._ipv4[str(address)] = self._new_ipv4(len(text))
        return known

    def _new_ipv4(self, length: int) -> str:
        """A 10.x.y.z address not used yet, as long as the original when one exists."""
        while True:
            number = next(self._counters["ipv4"])
            candidate = _ipv4_of_length(number, length) or str(
                ipaddress.IPv4Address(0x0A000000 + number)
            )
            if candidate not in self._ipv4_seen:
                self._ipv4_seen.add(candidate)
                return candidate

    def _ipv6_of(self, text: str) -> str:
        try:
            address = ipaddress.IPv6Address(text)
        except ValueError:  # a time (12:30:45), a label: not an address
            return text
        if address.is_unspecified or address.is_loopback:
            return text
        known = self._ipv6.get(address.compressed)
        if known is None:
            number = next(self._counters["ipv6"])
            known = self._ipv6[address.compressed] = f"2001:db8::{number:x}"
        return known


# Private prefixes and how many octets each leaves free: 10.x.y.z covers 8 to 14
# characters, 192.168.y.z the 15 of a dotted quad written out in full.
_PRIVATE_PREFIXES = (("10.", 3), ("192.168.", 2))
_OCTET_RANGES = {1: (0, 10), 2: (10, 90), 3: (100, 156)}  # width -> first value, how many


def _ipv4_of_length(number: int, length: int) -> str | None:
    """The `number`-th private address written with exactly `length` characters.

    The free octets share the digits left by the prefix (1 to 3 each); `number` is laid
    out over the values each width allows (0-9, 10-99, 100-255). None when no prefix fits
    `length` (`1.2.3.4` is shorter than any) or `number` runs past what it can hold.
    """
    for prefix, free in _PRIVATE_PREFIXES:
        digits = length - len(prefix) - (free - 1)
        if not free <= digits <= 3 * free:
            continue
        widths = []
        for remaining in range(free, 0, -1):
            width = min(3, digits - (remaining - 1))
            widths.append(width)
            digits -= width
        octets = []
        rest = number
        for width in reversed(widths):
            start, size = _OCTET_RANGES[width]
            rest, index = divmod(rest, size)
            octets.append(start + index)
        if not rest:
            return prefix + ".".join(str(octet) for octet in reversed(octets))
    return None
