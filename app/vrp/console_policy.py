"""What a console line may do on a VRP router, decided from its text alone (stdlib only).

Every line is first checked character by character (one printable line, no chaining), then
put in one of four classes:

* **read-only**: a ``display`` command on :data:`SAFE_DISPLAYS`, the outputs known to carry
  no secrets (interfaces, subscribers, routing, alarms, hardware...).
* **diagnostic**: ``ping`` or ``tracert`` whose every option is known and within the bounds
  of :data:`PING_OPTIONS` / :data:`TRACERT_OPTIONS` (a few packets, normal sizes, short
  timeouts): read-only, but it loads the box, so it gets its own, smaller budget.
* **privileged display**: the configuration displays (``display current-configuration``,
  ``saved-configuration``, ``this``, ``configuration ...``, ``diagnostic-information``),
  which show password hashes, SNMP communities and RADIUS/TACACS keys on a real router, and
  any display not on the safe list (it might). Operator mode, a confirmation that warns what
  the output holds, and the audit log.
* **configuration**: anything else, which may change the router. Operator mode and a
  confirmation, audited.

VRP accepts any unambiguous prefix of a keyword (``dis cur``), so the lists are matched by
prefix. A typed word that could be the start of a configuration display is treated as one,
even where it could also start a safe keyword: the router would find it ambiguous anyway.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.domain.errors import ValidationError
from app.vrp.names import normalise_interface_name

# A console line: printable ASCII words, no chaining or redirection characters.
_CONSOLE_CHARS = re.compile(r"^[A-Za-z0-9 _./:@,()\-|\"*+=]{1,512}$")
# `| include x`, `| no-more` ... : read-only output filters VRP applies to display output.
_FILTERS = ("include", "exclude", "begin", "count", "no-more", "section")
# Characters named in the refusal, because they are the classic injection vectors.
_NAMED_CHARACTERS = {"\n": "a newline", "\r": "a carriage return", ";": "';'"}

_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.\-]{0,252})$")
_VPN_INSTANCE = re.compile(r"^[A-Za-z0-9_.\-]{1,31}$")
_PATTERN = re.compile(r"^[0-9A-Fa-f]{1,8}$")


class CommandClass(StrEnum):
    """What a console line may do to the router, which decides the policy applied to it."""

    READ_ONLY = "read-only"  # a display on the safe list
    DIAGNOSTIC = "diagnostic"  # ping, tracert within bounds: limited harder
    PRIVILEGED_DISPLAY = "privileged-display"  # may show secrets: operator mode, warning
    CONFIGURATION = "configuration"  # anything else: operator mode and confirmation

    @property
    def needs_operator_mode(self) -> bool:
        return self in (CommandClass.PRIVILEGED_DISPLAY, CommandClass.CONFIGURATION)


@dataclass(frozen=True, slots=True)
class ConsoleLine:
    """The verdict on one line: its class, why operator mode is needed (if it is), and
    for a diagnostic how long it can run at most (seconds, from its options)."""

    kind: CommandClass
    reason: str | None = None
    max_seconds: float | None = None


# ----- display commands ----------------------------------------------------------------------

# Displays whose output is the configuration: password hashes, keys, communities.
CONFIGURATION_DISPLAYS = (
    "current-configuration",
    "saved-configuration",
    "configuration",  # VRP8: display configuration candidate / commit changes ...
    "this",
    "diagnostic-information",  # embeds the whole configuration
)

# Displays that carry no secrets, as keyword sequences after `display`; anything may follow
# (names, `brief`, `verbose`, slots). Keep each entry as narrow as what it is known to show.
SAFE_DISPLAYS: tuple[tuple[str, ...], ...] = (
    ("version",),
    ("device",),
    ("health",),
    ("cpu-usage",),
    ("memory-usage",),
    ("clock",),
    ("users",),
    ("alarm",),
    ("interface",),
    ("ip", "interface"),
    ("ip", "routing-table"),
    ("ip", "pool"),
    ("ip-pool",),
    ("ipv6", "interface"),
    ("ipv6", "routing-table"),
    ("arp",),
    ("mac-address",),
    ("access-user",),
    ("domain",),
    ("pppoe",),
    ("bgp", "peer"),
    ("bgp", "routing-table"),
    ("ospf", "peer"),
    ("isis", "peer"),
    ("mpls", "lsp"),
    ("mpls", "ldp", "session"),
    ("bfd", "session"),
    ("vrrp",),
    ("lldp", "neighbor"),
    ("eth-trunk",),
    ("vlan",),
    ("transceiver",),
    ("power",),
    ("fan",),
    ("temperature",),
    ("elabel",),
    ("esn",),
    ("license",),
    ("startup",),
    ("patch-information",),
    ("ntp", "status"),
    ("ntp-service", "status"),
)

CONFIGURATION_REASON = (
    "shows the router's configuration, with password hashes, keys and SNMP communities"
)
UNLISTED_REASON = "is not on the list of displays known to carry no secrets"
CHANGE_REASON = "is not a read-only command"


def _is_prefix(word: str, keyword: str, minimum: int = 1) -> bool:
    """VRP-style abbreviation: `dis` for `display`, but not the ambiguous `d` or `di`."""
    return minimum <= len(word) <= len(keyword) and keyword.startswith(word)


def _classify_display(words: Sequence[str]) -> ConsoleLine:
    """`words` follow `display` (lower case)."""
    shown = " ".join(["display", *words])
    if not words:
        return ConsoleLine(CommandClass.PRIVILEGED_DISPLAY, f"{shown!r} {UNLISTED_REASON}")
    if any(_is_prefix(words[0], keyword) for keyword in CONFIGURATION_DISPLAYS):
        return ConsoleLine(CommandClass.PRIVILEGED_DISPLAY, f"{shown!r} {CONFIGURATION_REASON}")
    for keywords in SAFE_DISPLAYS:
        if len(words) >= len(keywords) and all(
            _is_prefix(typed, keyword) for typed, keyword in zip(words, keywords, strict=False)
        ):
            return ConsoleLine(CommandClass.READ_ONLY)
    return ConsoleLine(CommandClass.PRIVILEGED_DISPLAY, f"{shown!r} {UNLISTED_REASON}")


# ----- ping and tracert ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bounded:
    """A whole-number option and the range the console allows (the router allows more)."""

    low: int
    high: int
    unit: str = ""

    def read(self, command: str, option: str, text: str) -> int:
        if not re.fullmatch(r"\d{1,10}", text):
            raise ValidationError(f"{command} {option} needs a whole number, not {text!r}")
        value = int(text)
        if not self.low <= value <= self.high:
            unit = f" {self.unit}" if self.unit else ""
            raise ValidationError(
                f"{command} {option} {value}: the console allows {self.low} to "
                f"{self.high}{unit} (bigger values load the router; use your own SSH "
                "session for those)"
            )
        return value


def _ipv4(command: str, option: str, text: str) -> str:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        raise ValidationError(f"{command} {option} needs an IPv4 address, not {text!r}") from None
    return text


def _named(pattern: re.Pattern[str], what: str) -> Callable[[str, str, str], str]:
    def read(command: str, option: str, text: str) -> str:
        if not pattern.match(text):
            raise ValidationError(f"{command} {option} needs {what}, not {text!r}")
        return text

    return read


# Option -> how its value is read (None: a flag without a value; "interface": one or two
# words). Values that decide how much the router sends are bounded.
Reader = Bounded | Callable[[str, str, str], object] | str | None
PING_OPTIONS: dict[str, Reader] = {
    "-c": Bounded(1, 10, "packets"),
    "-s": Bounded(20, 1500, "bytes"),
    "-t": Bounded(1, 5000, "ms"),
    "-m": Bounded(100, 2000, "ms"),  # the wait between packets: small values flood
    "-h": Bounded(1, 255),
    "-tos": Bounded(0, 255),
    "-dscp": Bounded(0, 63),
    "-a": _ipv4,
    "-p": _named(_PATTERN, "a hexadecimal pattern (up to 8 digits)"),
    "-vpn-instance": _named(_VPN_INSTANCE, "a VPN instance name"),
    "-i": "interface",
    "-f": None,
    "-q": None,
    "-r": None,
    "-v": None,
    "-name": None,
    "-system-time": None,
    "-brief": None,
    "-detail": None,
}
TRACERT_OPTIONS: dict[str, Reader] = {
    "-f": Bounded(1, 30),
    "-m": Bounded(1, 30),
    "-q": Bounded(1, 3, "probes per hop"),
    "-w": Bounded(1, 5000, "ms"),
    "-p": Bounded(1, 65535),
    "-a": _ipv4,
    "-vpn-instance": _named(_VPN_INSTANCE, "a VPN instance name"),
    "-v": None,
    "-name": None,
}
PING_DEFAULTS = {"-c": 5, "-t": 2000, "-m": 500}  # VRP's own defaults
TRACERT_DEFAULTS = {"-f": 1, "-m": 30, "-q": 3, "-w": 5000}


def _read_options(
    command: str, words: Sequence[str], options: dict[str, Reader]
) -> tuple[dict[str, object], str]:
    """The options with their values and the destination host; ValidationError otherwise."""
    values: dict[str, object] = {}
    host: str | None = None
    index = 0
    while index < len(words):
        word = words[index]
        if word.startswith("-"):
            if word not in options:
                allowed = ", ".join(options)
                raise ValidationError(
                    f"{command} option {word} is not allowed from the console (allowed: "
                    f"{allowed})"
                )
            if word in values:
                raise ValidationError(f"{command} {word} is given twice")
            reader = options[word]
            if reader is None:
                values[word] = True
                index += 1
                continue
            if index + 1 >= len(words):
                raise ValidationError(f"{command} {word} needs a value")
            if reader == "interface":
                values[word], used = _interface(command, word, words, index + 1)
                index += 1 + used
                continue
            assert not isinstance(reader, str)
            read = reader.read if isinstance(reader, Bounded) else reader
            values[word] = read(command, word, words[index + 1])
            index += 2
            continue
        if host is not None:
            raise ValidationError(f"{command} takes one destination, not {host!r} and {word!r}")
        host = _destination(command, word)
        index += 1
    if host is None:
        raise ValidationError(f"{command} needs a destination address or host name")
    return values, host


def _interface(command: str, option: str, words: Sequence[str], at: int) -> tuple[str, int]:
    """`-i GE0/1/0` or `-i GigabitEthernet 0/1/0`: the name and how many words it used."""
    if at + 1 < len(words) and not words[at + 1].startswith("-"):
        two = normalise_interface_name(f"{words[at]} {words[at + 1]}")
        if two is not None:
            return two, 2
    one = normalise_interface_name(words[at])
    if one is None:
        raise ValidationError(f"{command} {option} needs an interface name, not {words[at]!r}")
    return one, 1


def _destination(command: str, text: str) -> str:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        if not _HOST.match(text):
            raise ValidationError(
                f"{command}: {text!r} is not an address or a host name"
            ) from None
    return text


def _numbers(
    values: dict[str, object], defaults: dict[str, int], keys: Sequence[str]
) -> list[int]:
    """The bounded options' values, VRP's defaults where they were not given."""
    chosen = []
    for key in keys:
        value = values.get(key, defaults[key])
        assert isinstance(value, int)
        chosen.append(value)
    return chosen


def _classify_ping(words: Sequence[str]) -> ConsoleLine:
    """`words` follow `ping` (original case): `[ip | ipv6] [options] host`."""
    if words and words[0].lower() in ("ip", "ipv6"):
        words = words[1:]
    values, _host = _read_options("ping", words, PING_OPTIONS)
    count, timeout, interval = _numbers(values, PING_DEFAULTS, ("-c", "-t", "-m"))
    return ConsoleLine(CommandClass.DIAGNOSTIC, max_seconds=count * (timeout + interval) / 1000)


def _classify_tracert(words: Sequence[str]) -> ConsoleLine:
    values, _host = _read_options("tracert", words, TRACERT_OPTIONS)
    first, last, probes, wait = _numbers(values, TRACERT_DEFAULTS, ("-f", "-m", "-q", "-w"))
    if first > last:
        raise ValidationError(f"tracert -f {first} is beyond -m {last} (the last hop)")
    return ConsoleLine(
        CommandClass.DIAGNOSTIC, max_seconds=(last - first + 1) * probes * wait / 1000
    )


# ----- the line as a whole -------------------------------------------------------------------


def _refuse_dangerous(value: str) -> None:
    """Name the injection character when there is one, for a message the operator can act on."""
    for char, name in _NAMED_CHARACTERS.items():
        if char in value:
            raise ValidationError(f"a console command must not contain {name}")


def classify_console_line(line: str) -> ConsoleLine:
    """Check a free-form console line and say what it is (ValidationError if it is refused).

    Refused outright: anything but one printable line of known characters, filters other
    than VRP's read-only output filters, and ping/tracert options that are unknown or out
    of bounds.
    """
    _refuse_dangerous(line)
    stripped = line.strip()
    if not stripped:
        raise ValidationError("empty command")
    if not _CONSOLE_CHARS.match(stripped):
        raise ValidationError(f"command {stripped!r} contains characters that are not allowed")
    command, *filters = stripped.split("|")
    words = command.split()
    if not words:
        raise ValidationError("a filter needs a command in front of it")
    first = words[0].lower()
    if _is_prefix(first, "display", 3):
        verdict = _classify_display([word.lower() for word in words[1:]])
    elif _is_prefix(first, "ping", 4):
        verdict = _classify_ping(words[1:])
    elif _is_prefix(first, "tracert", 5):
        verdict = _classify_tracert(words[1:])
    else:
        verdict = ConsoleLine(CommandClass.CONFIGURATION, f"{words[0]!r} {CHANGE_REASON}")
    for text in filters:
        filter_words = text.split()
        if verdict.kind not in (CommandClass.READ_ONLY, CommandClass.PRIVILEGED_DISPLAY):
            raise ValidationError("'|' output filters only follow display commands")
        if not filter_words or not any(
            _is_prefix(filter_words[0].lower(), name) for name in _FILTERS
        ):
            raise ValidationError(f"unknown output filter {text.strip()!r}")
    return verdict


def classify_console_command(line: str) -> CommandClass:
    """Just the class of :func:`classify_console_line`."""
    return classify_console_line(line).kind
