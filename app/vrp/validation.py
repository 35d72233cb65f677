"""Strict checks for anything an operator types that will end up on a router's command line.

Every value is checked character by character *before* it is placed in a command, so a
newline (a second command), `;` or `|` (command chaining or filters) or any character we do
not expect is refused with :class:`ValidationError` and nothing is sent. Names must also be
real: an interface has to exist in the router's last interface list.

Free-form console lines are checked and classified in :mod:`app.vrp.console_policy`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from app.domain.errors import ValidationError
from app.vrp.names import normalise_interface_name, strip_bandwidth_suffix

# Characters an interface name may be typed with: `GigabitEthernet0/5/0`, `GE 0/5/0`,
# `Eth-Trunk1.100`, `Virtual-Ethernet0/3/1:1`.
_INTERFACE_CHARS = re.compile(r"^[A-Za-z0-9/.:\- ]{1,64}$")
# Subscriber accounts: letters, digits and the few separators PPPoE/IPoE accounts use.
# Deliberately narrow; VRP allows more, but a value outside this set is refused, not escaped.
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@\-]{0,252}$")

# Characters named in the refusal, because they are the classic injection vectors.
_NAMED_CHARACTERS = {"\n": "a newline", "\r": "a carriage return", ";": "';'", "|": "'|'"}


def _refuse_dangerous(value: str, what: str) -> None:
    """Name the injection character when there is one, for a message the operator can act on."""
    for char, name in _NAMED_CHARACTERS.items():
        if char in value:
            raise ValidationError(f"{what} must not contain {name}")


def validate_interface_name(text: str, known_interfaces: Iterable[str]) -> str:
    """The canonical name of an interface that exists on the router, or ValidationError.

    `known_interfaces` is the router's last interface list (names as `display interface
    brief` prints them; `(10G)` markers are ignored). An empty list means the list was never
    fetched, and then nothing can be checked, so nothing is accepted.
    """
    _refuse_dangerous(text, "an interface name")
    if not _INTERFACE_CHARS.match(text):
        raise ValidationError(f"interface name {text!r} contains characters VRP never uses")
    name = normalise_interface_name(text)
    if name is None:
        raise ValidationError(f"{text!r} is not an interface name")
    known = {
        normalised
        for raw in known_interfaces
        if (normalised := normalise_interface_name(strip_bandwidth_suffix(raw))) is not None
    }
    if not known:
        raise ValidationError("no interface list for this router yet; refresh it first")
    if name not in known:
        raise ValidationError(f"interface {name} does not exist on this router")
    return name


def validate_username(text: str) -> str:
    """A subscriber account name safe to put in `cut access-user username X`."""
    _refuse_dangerous(text, "a user name")
    if not _USERNAME.match(text):
        raise ValidationError(
            f"user name {text!r} is not accepted: use letters, digits, '.', '_', '@', '-' "
            "(starting with a letter or digit, at most 253 characters)"
        )
    return text
