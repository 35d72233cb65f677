"""The engine's messages in the operator's language.

The engine says *which* message and with *what* (:class:`app.domain.messages.Message`);
here each id has its source text as a literal ``QCoreApplication.translate`` call (the
only form pyside6-lupdate finds), and the parameters are filled in formatted for the
interface language: counts grouped (25.948 in Portuguese), decimals with the local mark,
a nested message (the reason inside an alert) translated the same way. A message with a
count uses Qt's numerus forms; where no translation is installed (English), the engine's
own English singular or plural is used, so English never reads "1 polls".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from PySide6.QtCore import QCoreApplication

from app.domain.messages import ENGLISH, Message, MessageId
from app.engine.messages import error_message
from app.ui.formatting import format_count, format_decimal

CONTEXT = "EngineMessage"

Template = Callable[[int], str]


@cache
def _templates() -> Mapping[MessageId, Template]:
    """Id -> a function of the count giving the translated template (literal calls)."""
    return {
        MessageId.ERROR_TIMEOUT: lambda n: QCoreApplication.translate(
            "EngineMessage", "the router did not answer in time"
        ),
        MessageId.ERROR_UNREACHABLE: lambda n: QCoreApplication.translate(
            "EngineMessage", "the router is unreachable"
        ),
        MessageId.ERROR_AUTH_FAILED: lambda n: QCoreApplication.translate(
            "EngineMessage", "the login failed"
        ),
        MessageId.ERROR_HOST_KEY_CHANGED: lambda n: QCoreApplication.translate(
            "EngineMessage", "the router's host key changed"
        ),
        MessageId.ERROR_KEY_EXCHANGE: lambda n: QCoreApplication.translate(
            "EngineMessage", "no SSH algorithm in common"
        ),
        MessageId.ERROR_NO_CREDENTIALS: lambda n: QCoreApplication.translate(
            "EngineMessage", "no password stored"
        ),
        MessageId.ERROR_VTY_FULL: lambda n: QCoreApplication.translate(
            "EngineMessage", "every VTY line of the router is in use"
        ),
        MessageId.ERROR_SESSION_LOST: lambda n: QCoreApplication.translate(
            "EngineMessage", "the connection dropped"
        ),
        MessageId.ERROR_REJECTED: lambda n: QCoreApplication.translate(
            "EngineMessage", "the router rejected the command"
        ),
        MessageId.ERROR_PARSE_ERROR: lambda n: QCoreApplication.translate(
            "EngineMessage", "the router's answer could not be read"
        ),
        MessageId.ERROR_UNSUPPORTED: lambda n: QCoreApplication.translate(
            "EngineMessage", "this command is not supported"
        ),
        MessageId.ERROR_RATE_LIMITED: lambda n: QCoreApplication.translate(
            "EngineMessage", "too many commands: rate limited"
        ),
        MessageId.ERROR_ROUTER_ERROR: lambda n: QCoreApplication.translate(
            "EngineMessage", "router error"
        ),
        MessageId.ERROR_VALIDATION: lambda n: QCoreApplication.translate(
            "EngineMessage", "the value was refused"
        ),
        MessageId.ERROR_INTERNAL: lambda n: QCoreApplication.translate(
            "EngineMessage", "internal error (details in the log)"
        ),
        MessageId.ERROR_COLLECTOR_UNREACHABLE: lambda n: QCoreApplication.translate(
            "EngineMessage", "collector unreachable"
        ),
        MessageId.PASSWORD_NOT_STORED: lambda n: QCoreApplication.translate(
            "EngineMessage", "no password is stored for it"
        ),
        MessageId.PASSWORD_SESSION_ONLY: lambda n: QCoreApplication.translate(
            "EngineMessage",
            "there is no usable OS keyring, so passwords are kept for this session only, and "
            "its password was not entered since the app started",
        ),
        MessageId.PASSWORD_KEYRING_FAILED: lambda n: QCoreApplication.translate(
            "EngineMessage", "the OS keyring could not be read (is it locked?)"
        ),
        MessageId.ALERT_UNREACHABLE: lambda n: QCoreApplication.translate(
            "EngineMessage", "Router {router} is unreachable"
        ),
        MessageId.ALERT_UNREACHABLE_REASON: lambda n: QCoreApplication.translate(
            "EngineMessage", "Router {router} is unreachable: {reason}"
        ),
        MessageId.ALERT_AUTH_FAILED: lambda n: QCoreApplication.translate(
            "EngineMessage",
            "Router {router} refused the login: wrong username or password (fix it in Edit "
            "router; retrying could lock the account)",
        ),
        MessageId.ALERT_NO_PASSWORD: lambda n: QCoreApplication.translate(
            "EngineMessage", "Router {router} has no password: {reason}"
        ),
        MessageId.ALERT_SUBSCRIBER_DROP: lambda n: QCoreApplication.translate(
            "EngineMessage",
            "Mass subscriber drop on {router}: online total fell by {percent}% "
            "({before} -> {after}) within {seconds} s",
        ),
        MessageId.ALERT_SUBSCRIBER_DROP_RESTORED: lambda n: QCoreApplication.translate(
            "EngineMessage",
            "Mass subscriber drop on {router}: online total fell within {seconds} s",
        ),
        MessageId.ALERT_INTERFACE_DOWN: lambda n: QCoreApplication.translate(
            "EngineMessage", "Monitored interface {interface} on {router} is down"
        ),
        MessageId.ALERT_CPU_HIGH: lambda n: QCoreApplication.translate(
            "EngineMessage",
            "CPU usage on {router} is {percent}% (>= {threshold}% for %n polls)",
            "",
            n,
        ),
        MessageId.ALERT_MEMORY_HIGH: lambda n: QCoreApplication.translate(
            "EngineMessage",
            "Memory usage on {router} is {percent}% (>= {threshold}% for %n polls)",
            "",
            n,
        ),
        MessageId.ALERT_POOL_HIGH: lambda n: QCoreApplication.translate(
            "EngineMessage",
            "IP pool {pool} on {router} is {percent}% used (threshold {threshold}%)",
        ),
        MessageId.ALERT_ROUTER_ALARM: lambda n: QCoreApplication.translate(
            "EngineMessage", "{router} alarm {alarm}: {description}"
        ),
        MessageId.CHANGE_ABANDONED: lambda n: QCoreApplication.translate(
            "EngineMessage", "change abandoned, nothing committed: {reason}"
        ),
        MessageId.CHANGE_OUTCOME_UNKNOWN: lambda n: QCoreApplication.translate(
            "EngineMessage",
            "no answer to {line}: the change may or may not have taken effect; check the "
            "router ({reason})",
        ),
        MessageId.CHANGE_UNKNOWN_INTERFACE: lambda n: QCoreApplication.translate(
            "EngineMessage",
            "{interface} is not in the interface list of {router}; refresh the list and pick "
            "one of its interfaces",
        ),
        MessageId.CHANGE_NO_INTERFACE_LIST: lambda n: QCoreApplication.translate(
            "EngineMessage",
            "the interface list of {router} is not known yet; wait for the first poll",
        ),
        MessageId.HISTORY_NEWER: lambda n: QCoreApplication.translate(
            "EngineMessage",
            "{path} was written by a newer version of NE8000 Monitor (history schema {found}; "
            "this version reads up to {supported}): upgrade NE8000 Monitor, or move the file "
            "away to start a new history",
        ),
        MessageId.LOOKUP_EMPTY: lambda n: QCoreApplication.translate(
            "EngineMessage", "enter a user name, an IPv4 address or a MAC address"
        ),
        MessageId.LOOKUP_IPV6: lambda n: QCoreApplication.translate(
            "EngineMessage",
            "{address} is an IPv6 address: look the subscriber up by name or MAC",
        ),
        MessageId.LOGIN_TEST_PASSED: lambda n: QCoreApplication.translate(
            "EngineMessage", "logged in as {user} and read the version: {version}"
        ),
    }


def template(message_id: MessageId, count: int | None = None) -> str:
    """The translated template of an id (for a count: its numerus form)."""
    n = 1 if count is None else count
    translated = _templates()[message_id](n)
    english = ENGLISH[message_id]
    if isinstance(english, tuple) and translated == _qt_source(english[1]).replace("%n", str(n)):
        # Not translated (English): the engine's own singular or plural.
        return english[0] if n == 1 else english[1]
    return translated


def _qt_source(english: str) -> str:
    return english.replace("{n}", "%n")


def translate(text: Message) -> str:
    """`text` in the interface language, its parameters formatted for it."""
    values = {name: _value(value) for name, value in text.params.items()}
    values.setdefault("n", format_count(text.count) if text.count is not None else "")
    return template(text.id, text.count).format_map(_Missing(values))


def translate_error(error: BaseException) -> str:
    """Why `error` happened, in the interface language (its kind's phrase, or its own
    translatable message). A refused value without a message of its own keeps its
    English words after the phrase: they name the character or name refused."""
    said = error_message(error)
    text = translate(said)
    if said.id is MessageId.ERROR_VALIDATION and str(error):
        text = f"{text}: {error}"
    return text


def _value(value: Any) -> str:
    if isinstance(value, Message):
        return translate(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return format_count(value)
    if isinstance(value, float):
        return format_decimal(value)
    return str(value)


class _Missing(dict[str, str]):
    """An unknown placeholder stays visible instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
