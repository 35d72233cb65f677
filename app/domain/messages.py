"""Operator-facing messages made outside the UI: a stable id, parameters, an English text.

The engine never builds a sentence for the screen: it says *which* message (``id``) and
with *what* (``params``), and the UI translates the id (Qt Linguist, in app/ui) and fills
in the parameters, formatted for the operator's language. Logs, the feed, notifications
and API clients read the English text (:attr:`Message.english`) made from the templates
below, which are the source texts of the translations too (a test keeps them equal).

Template rules: ``{name}`` is a parameter; a parameter may itself be a Message (a reason
inside an alert), rendered the same way. A message with a count has a ``n`` parameter and
two English templates (one, many); the UI uses Qt's numerus forms for it (``%n``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class MessageId(StrEnum):
    """Every message the engine can make. The value is stable: it is stored and sent."""

    # Why a poll or a connection failed (one per engine error code).
    ERROR_TIMEOUT = "error.timeout"
    ERROR_UNREACHABLE = "error.unreachable"
    ERROR_AUTH_FAILED = "error.auth_failed"
    ERROR_HOST_KEY_CHANGED = "error.host_key_changed"
    ERROR_KEY_EXCHANGE = "error.key_exchange"
    ERROR_NO_CREDENTIALS = "error.no_credentials"
    ERROR_VTY_FULL = "error.vty_full"
    ERROR_SESSION_LOST = "error.session_lost"
    ERROR_REJECTED = "error.rejected"
    ERROR_PARSE_ERROR = "error.parse_error"
    ERROR_UNSUPPORTED = "error.unsupported"
    ERROR_RATE_LIMITED = "error.rate_limited"
    ERROR_ROUTER_ERROR = "error.router_error"
    ERROR_VALIDATION = "error.validation"
    ERROR_INTERNAL = "error.internal"
    ERROR_COLLECTOR_UNREACHABLE = "error.collector_unreachable"
    # Why a router has no password.
    PASSWORD_NOT_STORED = "password.not_stored"
    PASSWORD_SESSION_ONLY = "password.session_only"
    PASSWORD_KEYRING_FAILED = "password.keyring_failed"
    # Alerts.
    ALERT_UNREACHABLE = "alert.router_unreachable"
    ALERT_UNREACHABLE_REASON = "alert.router_unreachable_reason"
    ALERT_AUTH_FAILED = "alert.auth_failed"
    ALERT_NO_PASSWORD = "alert.no_password"
    ALERT_SUBSCRIBER_DROP = "alert.subscriber_drop"
    ALERT_SUBSCRIBER_DROP_RESTORED = "alert.subscriber_drop_restored"
    ALERT_INTERFACE_DOWN = "alert.interface_down"
    ALERT_CPU_HIGH = "alert.cpu_high"
    ALERT_MEMORY_HIGH = "alert.memory_high"
    ALERT_POOL_HIGH = "alert.pool_high"
    ALERT_ROUTER_ALARM = "alert.router_alarm"
    # Changes.
    CHANGE_ABANDONED = "change.abandoned"
    CHANGE_OUTCOME_UNKNOWN = "change.outcome_unknown"
    CHANGE_UNKNOWN_INTERFACE = "change.unknown_interface"
    CHANGE_NO_INTERFACE_LIST = "change.no_interface_list"
    # Test login (add/edit router).
    LOGIN_TEST_PASSED = "login_test.passed"
    # Starting.
    HISTORY_NEWER = "history.newer"
    # Subscriber lookup.
    LOOKUP_EMPTY = "lookup.empty"
    LOOKUP_IPV6 = "lookup.ipv6"


# English templates: the fallback text, and the source text the UI translates.
# A tuple is (one, many) for a message with a count `n`.
ENGLISH: Mapping[MessageId, str | tuple[str, str]] = {
    MessageId.ERROR_TIMEOUT: "the router did not answer in time",
    MessageId.ERROR_UNREACHABLE: "the router is unreachable",
    MessageId.ERROR_AUTH_FAILED: "the login failed",
    MessageId.ERROR_HOST_KEY_CHANGED: "the router's host key changed",
    MessageId.ERROR_KEY_EXCHANGE: "no SSH algorithm in common",
    MessageId.ERROR_NO_CREDENTIALS: "no password stored",
    MessageId.ERROR_VTY_FULL: "every VTY line of the router is in use",
    MessageId.ERROR_SESSION_LOST: "the connection dropped",
    MessageId.ERROR_REJECTED: "the router rejected the command",
    MessageId.ERROR_PARSE_ERROR: "the router's answer could not be read",
    MessageId.ERROR_UNSUPPORTED: "this command is not supported",
    MessageId.ERROR_RATE_LIMITED: "too many commands: rate limited",
    MessageId.ERROR_ROUTER_ERROR: "router error",
    MessageId.ERROR_VALIDATION: "the value was refused",
    MessageId.ERROR_INTERNAL: "internal error (details in the log)",
    MessageId.ERROR_COLLECTOR_UNREACHABLE: "collector unreachable",
    MessageId.PASSWORD_NOT_STORED: "no password is stored for it",
    MessageId.PASSWORD_SESSION_ONLY: (
        "there is no usable OS keyring, so passwords are kept for this session only, and "
        "its password was not entered since the app started"
    ),
    MessageId.PASSWORD_KEYRING_FAILED: "the OS keyring could not be read (is it locked?)",
    MessageId.ALERT_UNREACHABLE: "Router {router} is unreachable",
    MessageId.ALERT_UNREACHABLE_REASON: "Router {router} is unreachable: {reason}",
    MessageId.ALERT_AUTH_FAILED: (
        "Router {router} refused the login: wrong username or password (fix it in Edit "
        "router; retrying could lock the account)"
    ),
    MessageId.ALERT_NO_PASSWORD: "Router {router} has no password: {reason}",
    MessageId.ALERT_SUBSCRIBER_DROP: (
        "Mass subscriber drop on {router}: online total fell by {percent}% "
        "({before} -> {after}) within {seconds} s"
    ),
    MessageId.ALERT_SUBSCRIBER_DROP_RESTORED: (
        "Mass subscriber drop on {router}: online total fell within {seconds} s"
    ),
    MessageId.ALERT_INTERFACE_DOWN: "Monitored interface {interface} on {router} is down",
    MessageId.ALERT_CPU_HIGH: (
        "CPU usage on {router} is {percent}% (>= {threshold}% for {n} poll)",
        "CPU usage on {router} is {percent}% (>= {threshold}% for {n} polls)",
    ),
    MessageId.ALERT_MEMORY_HIGH: (
        "Memory usage on {router} is {percent}% (>= {threshold}% for {n} poll)",
        "Memory usage on {router} is {percent}% (>= {threshold}% for {n} polls)",
    ),
    MessageId.ALERT_POOL_HIGH: (
        "IP pool {pool} on {router} is {percent}% used (threshold {threshold}%)"
    ),
    MessageId.ALERT_ROUTER_ALARM: "{router} alarm {alarm}: {description}",
    MessageId.CHANGE_ABANDONED: "change abandoned, nothing committed: {reason}",
    MessageId.CHANGE_OUTCOME_UNKNOWN: (
        "no answer to {line}: the change may or may not have taken effect; check the "
        "router ({reason})"
    ),
    MessageId.CHANGE_UNKNOWN_INTERFACE: (
        "{interface} is not in the interface list of {router}; refresh the list and pick "
        "one of its interfaces"
    ),
    MessageId.CHANGE_NO_INTERFACE_LIST: (
        "the interface list of {router} is not known yet; wait for the first poll"
    ),
    MessageId.LOGIN_TEST_PASSED: "logged in as {user} and read the version: {version}",
    MessageId.HISTORY_NEWER: (
        "{path} was written by a newer version of NE8000 Monitor (history schema {found}; "
        "this version reads up to {supported}): upgrade NE8000 Monitor, or move the file "
        "away to start a new history"
    ),
    MessageId.LOOKUP_EMPTY: "enter a user name, an IPv4 address or a MAC address",
    MessageId.LOOKUP_IPV6: "{address} is an IPv6 address: look the subscriber up by name or MAC",
}


@dataclass(frozen=True, slots=True)
class Message:
    """One message: what to say (``id``) and with which values (``params``)."""

    id: MessageId
    # Left out of the hash (a dict is not hashable), so an Alert holding it still is.
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @property
    def count(self) -> int | None:
        """The `n` of a message with a plural, else None."""
        value = self.params.get("n")
        return value if isinstance(value, int) else None

    @property
    def english(self) -> str:
        """The English text (logs, the feed, notifications, API clients)."""
        template = ENGLISH[self.id]
        if isinstance(template, tuple):
            template = template[0] if self.count == 1 else template[1]
        values = {
            name: value.english if isinstance(value, Message) else _english_value(value)
            for name, value in self.params.items()
        }
        return template.format_map(_Missing(values))

    def __str__(self) -> str:
        return self.english

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"id": ..., "params": {...}}`` (nested messages as dicts)."""
        return {
            "id": str(self.id),
            "params": {
                name: value.to_dict() if isinstance(value, Message) else value
                for name, value in self.params.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Message:
        """Inverse of :meth:`to_dict`; ValueError for an unknown id (a newer release's)."""
        params = {
            name: cls.from_dict(value) if isinstance(value, dict) and "id" in value else value
            for name, value in dict(data.get("params") or {}).items()
        }
        return cls(MessageId(data["id"]), params)


def message(message_id: MessageId, **params: Any) -> Message:
    """`Message(message_id, params)`, written the short way."""
    return Message(message_id, params)


def _english_value(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


class _Missing(dict[str, str]):
    """Leaves an unknown placeholder visible instead of failing (a stored older message)."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
