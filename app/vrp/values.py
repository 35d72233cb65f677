"""Values as VRP prints them, read strictly: a damaged value is refused, never guessed.

Every parser reads its numbers, percentages, sizes and names through these functions, so
"tolerant of layout, strict about damage" means the same thing everywhere:

* a number is ASCII digits only (``int()`` would also take ``+5``, ``1_0`` or ``٥``);
* a percentage is a number with a ``%`` and lies in 0..100;
* a name is made of the characters VRP allows in that kind of name;
* ``-``, ``--`` and ``NA`` are VRP's way of printing "no value" and read as None.

The functions raise :class:`BadValue` (a ValueError) for text that is neither a value nor
VRP's "no value" mark; callers turn it into a ParseWarning or ParseError naming the line.

Line damage (the simulator's garble fault, a noisy console) replaces characters one for
one, so it never changes a line's length. :func:`fuzzy_contains` uses that: a damaged
line "could have been" a key line when every character matches the key or is one that
cannot occur in it.
"""

from __future__ import annotations

import re
from functools import lru_cache

# What VRP prints where a value is absent.
NO_VALUE = frozenset({"-", "--", "---", "NA", "N/A", "n/a"})

# Characters VRP uses in the labels of `Key : value` lines and in table headers. Anything
# else inside a label can only be damage.
LABEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ()/._,'-+:")
# Characters of names VRP lets an operator choose (pools, domains, boards, VPN instances).
NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
# Interface names: `GigabitEthernet0/1/0.100`, `Virtual-Ethernet0/3/1:1`, `Eth-Trunk1`.
INTERFACE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/.:-")
# Subscriber accounts as `display access-user` prints them: `cliente00012@isp`,
# `trunk 0/2/1:4096.2801 RC-OLT-01/48575443AXXXYYY@ret10m` (IPoE option-82 names) and
# names cut with `...`. VRP refuses more than one `@` in a user name.
USERNAME_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@:/=+- "
)

_SIZE = re.compile(
    r"(\d{1,20}(?:\.\d{1,6})?) ?(bytes?|[KMGT]B?(?:ytes)?|[KMGT] ?bytes)", re.IGNORECASE
)
_UNIT_BYTES = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


class BadValue(ValueError):
    """Text where a value was expected that is not one (damaged or unexpected)."""


def is_clean(text: str) -> bool:
    """True for printable ASCII: what every VRP output line is made of (descriptions aside)."""
    return text.isascii() and text.isprintable()


def is_no_value(text: str) -> bool:
    """VRP's mark for an absent value: `-`, `--`, `NA`."""
    return text in NO_VALUE


def integer(text: str) -> int:
    """A non-negative integer of ASCII digits (exact, even beyond 2**53)."""
    if text.isdigit() and text.isascii():
        return int(text)
    raise BadValue(f"expected a number, got {text!r}")


def optional_integer(text: str) -> int | None:
    """An integer, or None for VRP's "no value" marks."""
    return None if text in NO_VALUE else integer(text)


def decimal(text: str) -> float:
    """`4.7`, `12`, `0.01`: ASCII digits with at most one decimal point."""
    whole, dot, fraction = text.partition(".")
    if (
        whole.isdigit()
        and whole.isascii()
        and (not dot or (fraction.isdigit() and fraction.isascii()))
    ):
        return float(text)
    raise BadValue(f"expected a number, got {text!r}")


def percent(text: str) -> float:
    """`54%`, `4.7%` or `0.01%` as a float in 0..100; anything else is refused."""
    if not text.endswith("%"):
        raise BadValue(f"expected a percentage, got {text!r}")
    value = decimal(text[:-1])
    if value > 100.0:
        raise BadValue(f"percentage above 100: {text!r}")
    return value


def int_percent(text: str) -> int:
    """`54%` as an int (CPU, memory and health figures are printed whole)."""
    value = percent(text)
    if value != int(value):
        return round(value)
    return int(value)


def optional_percent(text: str) -> float | None:
    """A percentage, or None for `-`, `--`, `NA`."""
    return None if text in NO_VALUE else percent(text)


def size_bytes(text: str) -> int:
    """`15766020 Kbytes`, `1976072 KB`, `1024 M bytes`, `706MB`, `2048M` -> bytes (1K = 1024)."""
    match = _SIZE.fullmatch(" ".join(text.split()))
    if match is None:
        raise BadValue(f"expected a size, got {text!r}")
    number, unit = match.groups()
    scale = _UNIT_BYTES[unit[0].lower() if unit[0].lower() in "kmgt" else ""]
    value = float(number) * scale if "." in number else int(number) * scale
    return int(value)


def vrp_name(text: str, allowed: frozenset[str] = NAME_CHARS) -> str:
    """A name VRP lets an operator choose; refuses any character outside its set."""
    if text and all(char in allowed for char in text):
        return text
    raise BadValue(f"not a valid name: {text!r}")


def username(text: str) -> str:
    """A subscriber account as printed (VRP's character set; at most one `@`, with a user
    before it and a domain after it)."""
    if (
        text
        and text.count("@") <= 1
        and text[0] != "@"
        and text[-1] != "@"
        and all(char in USERNAME_CHARS for char in text)
    ):
        return text
    raise BadValue(f"not a valid user name: {text!r}")


_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
_MAC = re.compile(
    r"[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}|[0-9a-fA-F]{2}(?:[-:][0-9a-fA-F]{2}){5}[0-9a-fA-F]?"
)
_IPV6 = re.compile(r"[0-9a-fA-F:]*:[0-9a-fA-F:.]*(?:/\d{1,3})?")
_TIMESTAMP = re.compile(
    r"\d{4}[-/]\d{2}[-/]\d{2}[ T]+\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?"
    r"(?: ?(?:UTC|DST)?[+-]\d{2}:\d{2}(?: DST)?| \d{1,3} ?ms| ?DST)?\.?"
)


def ipv4(text: str) -> str:
    """A dotted IPv4 address, each part 0..255."""
    if _IPV4.fullmatch(text):
        return text
    raise BadValue(f"expected an IPv4 address, got {text!r}")


def mac(text: str) -> str:
    """`00e0-fc12-3456` or `00-e0-fc-12-34-56` (one published example has a stray digit)."""
    if _MAC.fullmatch(text):
        return text
    raise BadValue(f"expected a MAC address, got {text!r}")


def ipv6(text: str) -> str:
    """An IPv6 address or prefix as printed."""
    if _IPV6.fullmatch(text):
        return text
    raise BadValue(f"expected an IPv6 address, got {text!r}")


def timestamp(text: str) -> str:
    """A router time as printed (`2023-08-27 06:12:59+03:00`, `... 787 ms`), checked."""
    text = text.strip()
    if _TIMESTAMP.fullmatch(" ".join(text.split())):
        return text
    raise BadValue(f"expected a date and time, got {text!r}")


@lru_cache(maxsize=512)
def _fuzzy_pattern(key: str, allowed: frozenset[str]) -> re.Pattern[str]:
    """A pattern matching `key` where any character may instead be one outside `allowed`."""
    outside = "".join(sorted({chr(c) for c in range(32, 127)} - set(allowed) - set(key)))
    junk = f"[^\\x20-\\x7e]|[{re.escape(outside)}]" if outside else r"[^\x20-\x7e]"
    return re.compile("".join(f"(?:{re.escape(char)}|{junk})" for char in key), re.IGNORECASE)


def fuzzy_contains(line: str, key: str, allowed: frozenset[str] = LABEL_CHARS) -> bool:
    """True when `line` holds `key` with some of its characters replaced by damage.

    A character "could be damage" when it cannot occur in a label (outside ``allowed``);
    a damaged `Input: ...` line still fuzzy-contains `Input:`, so the parser knows a
    value it needs may have been lost there.
    """
    return _fuzzy_pattern(key, allowed).search(line) is not None


def damaged_mention(line: str, key: str, allowed: frozenset[str] = LABEL_CHARS) -> bool:
    """True when `line` holds `key` with at least one character replaced by damage.

    A clean line that merely contains `key` is not a damaged mention; this tells which
    clean-looking value may have been lost on a damaged line.
    """
    if line.isascii() and line.isprintable() and not _has_junk(line):
        return False
    lowered = key.lower()
    limit = max(1, len(key) // 4)  # line noise replaces a few characters, not a whole label
    for match in _fuzzy_pattern(key, allowed).finditer(line):
        changed = sum(a != b for a, b in zip(match.group().lower(), lowered, strict=True))
        if 1 <= changed <= limit:
            return True
    # The label is intact but the colon after it was replaced: `Max CPU Usage % 99%`.
    return _separator_lost(key).search(line) is not None


# ASCII characters VRP does not print in labels or as separators; with non-ASCII and
# control characters they are what line damage leaves behind.
_JUNK = frozenset('#%&*@~^|\\?!$`{}<>"')


def _has_junk(line: str) -> bool:
    return not _JUNK.isdisjoint(line)


_JUNK_CHAR = re.compile(r'[^\x20-\x7e]|[#%&*@~^|\\?!$`{}<>"]')


def strip_junk(text: str) -> str:
    """`text` without the characters line damage leaves (see :func:`has_junk`)."""
    return _JUNK_CHAR.sub("", text)


def has_junk(line: str) -> bool:
    """True when `line` holds a character line damage leaves (non-ASCII, control, or an
    ASCII mark VRP does not print in labels and numbers)."""
    return not (line.isascii() and line.isprintable()) or _has_junk(line)


def is_stray(word: str) -> bool:
    """A word of damage alone (`¤`, `&`, `Æ`): no ASCII letter or digit, and a character
    VRP does not print on its own."""
    return not any(char.isascii() and char.isalnum() for char in word) and has_junk(word)


@lru_cache(maxsize=512)
def _separator_lost(key: str) -> re.Pattern[str]:
    junk = r"(?:[^\x20-\x7e]|[#%&*@~^|\\?!$`{}<>\"])"
    return re.compile(re.escape(key) + rf"\s*(?:is\s*)?{junk}", re.IGNORECASE)


def has_damage(text: str, allowed: frozenset[str]) -> bool:
    """True when `text` holds a character outside `allowed`."""
    return any(char not in allowed for char in text)
