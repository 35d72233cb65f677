"""Subscriber lookup by user name, IP address or MAC address, with the session's details.

What the operator types says what to ask the router: an IPv4 address runs `display
access-user ip-address X`, a MAC address (`00e0-fc12-3456`, `00:e0:fc:12:34:56`,
`00e0.fc12.3456`) `display access-user mac-address X` in VRP's own form, anything else is
a user name: `display access-user username X verbose`. Looking an IP address up as a user
name answered "not online" for a subscriber who was online; now each kind asks its own
question. Every value is checked before it goes into the command (a user name by the same
rule as `cut access-user`), and the command is a read-only console line.

The per-user detail commands are read by the `access_users` parser family (the models of
`display access-user ... verbose`: interface, VLAN, MAC, IP, domain, online time, access
type). A catalog without that parser (an older build) still looks user names up with the
plain `display access-user username X` table, which lacks the domain and online time.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from app.domain.errors import ValidationError
from app.domain.messages import Message, MessageId, message
from app.domain.parsing import ParseWarning, warnings_of
from app.vrp.catalog import parse_output
from app.vrp.validation import validate_username

# MAC addresses as operators paste them: 00e0-fc12-3456, 00:e0:fc:12:34:56, 00-e0-fc-..,
# 00e0.fc12.3456, 00e0fc123456.
_MAC = re.compile(
    r"^(?:[0-9a-f]{4}([-.])[0-9a-f]{4}\1[0-9a-f]{4}"
    r"|[0-9a-f]{2}([:-])[0-9a-f]{2}(?:\2[0-9a-f]{2}){4}"
    r"|[0-9a-f]{12})$",
    re.IGNORECASE,
)


class LookupKind(StrEnum):
    USERNAME = "username"
    IP = "ip"
    MAC = "mac"


@dataclass(frozen=True, slots=True)
class LookupQuery:
    """What to look for, checked and in the router's own notation."""

    kind: LookupKind
    value: str  # `user@isp`, `10.1.2.3`, `00e0-fc12-3456`

    @property
    def command(self) -> str:
        if self.kind is LookupKind.IP:
            return f"display access-user ip-address {self.value}"
        if self.kind is LookupKind.MAC:
            return f"display access-user mac-address {self.value}"
        return f"display access-user username {self.value} verbose"


@dataclass(frozen=True, slots=True)
class SubscriberSession:
    """One online session as the lookup shows it (None: the router did not print it)."""

    user_id: int | None
    username: str | None
    domain: str | None
    interface: str | None
    vlan: str | None
    mac: str | None
    ipv4: str | None
    ipv6: str | None
    access_type: str | None
    online_seconds: int | None
    state: str | None = None


@dataclass(frozen=True, slots=True)
class LookupResult:
    """The sessions the router reported for a query (empty: not online)."""

    query: LookupQuery
    sessions: tuple[SubscriberSession, ...]
    warnings: tuple[ParseWarning, ...] = ()  # users left out (lines not understood)

    @property
    def usernames(self) -> tuple[str, ...]:
        """The distinct accounts found (what `cut access-user username` can act on)."""
        return tuple(dict.fromkeys(s.username for s in self.sessions if s.username))


class ConsoleLike(Protocol):
    """The engine's console (read-only lines run as the console runs them)."""

    async def run(self, router: str, line: str) -> Any: ...


def parse_query(text: str) -> LookupQuery:
    """An IPv4 address, a MAC address or a user name; ValidationError for anything else."""
    text = text.strip()
    if not text:
        raise _refused(message(MessageId.LOOKUP_EMPTY))
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        address = None
    if isinstance(address, ipaddress.IPv4Address):
        return LookupQuery(LookupKind.IP, str(address))
    if address is not None:
        raise _refused(message(MessageId.LOOKUP_IPV6, address=text))
    if _MAC.match(text):
        return LookupQuery(LookupKind.MAC, vrp_mac(text))
    return LookupQuery(LookupKind.USERNAME, validate_username(text))


def _refused(said: Message) -> ValidationError:
    error = ValidationError(said.english)
    error.operator_message = said
    return error


def vrp_mac(text: str) -> str:
    """`00e0-fc12-3456`: how VRP writes (and wants) a MAC address."""
    digits = re.sub(r"[^0-9a-f]", "", text.lower())
    return f"{digits[0:4]}-{digits[4:8]}-{digits[8:12]}"


def sessions_of(parsed: object) -> tuple[SubscriberSession, ...]:
    """The sessions of a parsed lookup answer: the per-user detail models (every field),
    or the rows of the plain user table (no domain, no online time)."""
    return tuple(_session(user) for user in getattr(parsed, "users", ()))


def _session(user: object) -> SubscriberSession:
    return SubscriberSession(
        user_id=_attr(user, "user_id"),
        username=_attr(user, "username"),
        domain=_attr(user, "domain"),
        interface=_attr(user, "interface_name") or _attr(user, "interface"),
        vlan=_attr(user, "vlan"),
        mac=_attr(user, "mac"),
        ipv4=_attr(user, "ipv4"),
        ipv6=_attr(user, "ipv6"),
        access_type=_attr(user, "access_type"),
        online_seconds=_attr(user, "online_seconds"),
        state=_attr(user, "state"),
    )


def _attr(user: object, name: str) -> Any:
    return getattr(user, name, None)


async def look_up(console: ConsoleLike, router: str, text: str) -> LookupResult:
    """Ask `router` about `text` (checked first: nothing is sent for a bad value)."""
    query = parse_query(text)
    answer = await console.run(router, query.command)
    parsed = parse_output(query.command, answer.result.output)
    return LookupResult(query, sessions_of(parsed), tuple(warnings_of(parsed)))
