"""How old a section's data is, and whether it may still be shown as current: one rule.

Every section the poller collects (``cpu``, ``online_total``, ``traffic``, ...) is kept as a
:class:`SectionRecord`: the newest good value with the time the router answered it, and the
book-keeping of its polls (the last outcome, consecutive failures, the last error, the
router's own text when an answer could not be read or was read only in part). Its state is

* ``never``  -- no answer has been read yet;
* ``stale``  -- the last poll failed, or the newest answer is older than the section's
  ``max_age`` (about twice its poll interval plus the command timeout);
* ``fresh``  -- otherwise.

The desktop views, the feed's answers and messages, ``/metrics`` and ``/health`` all call
:func:`freshness_of` (through :meth:`SectionRecord.state`), so they can never disagree about
what is stale. Derived values (the subscriber summary built from several commands) take the
*oldest* time of their inputs (:func:`derive`), never "now".

Errors are kept as a stable :class:`ErrorCode` plus an English ``detail``: the UI translates
the code and shows the detail (technical text, often the router's own) beside it, so no
English sentence built here ever reaches an operator who reads Portuguese.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from app.domain.errors import (
    AuthenticationFailed,
    CommandRejected,
    CredentialsUnavailable,
    HostKeyChanged,
    KeyExchangeFailed,
    NE8000MonitorError,
    ParseError,
    RateLimited,
    RouterCommandError,
    RouterError,
    RouterTimeout,
    RouterUnreachable,
    SessionLost,
    UnknownCommandError,
    VtyLinesFull,
)
from app.domain.parsing import ParseWarning, warnings_of

DEFAULT_COMMAND_TIMEOUT = 30.0  # seconds, the profile default, when a poller was given none


class Freshness(StrEnum):
    """Whether a section's data may be shown as current."""

    FRESH = "fresh"
    STALE = "stale"
    NEVER = "never"


class Outcome(StrEnum):
    """What the last poll of a section brought."""

    OK = "ok"
    PARTIAL = "partial"  # answered and read, but some lines were skipped
    FAILED = "failed"


class ErrorCode(StrEnum):
    """Why a poll failed, as a stable code the UI and API clients can translate."""

    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"
    AUTH_FAILED = "auth_failed"
    HOST_KEY_CHANGED = "host_key_changed"
    KEY_EXCHANGE = "key_exchange"
    NO_CREDENTIALS = "no_credentials"
    VTY_FULL = "vty_full"
    SESSION_LOST = "session_lost"
    REJECTED = "rejected"  # the router answered `Error: ...`
    PARSE_ERROR = "parse_error"  # the router answered; the text could not be read
    UNSUPPORTED = "unsupported"  # a command the catalog does not know (a bug or old build)
    RATE_LIMITED = "rate_limited"
    ROUTER_ERROR = "router_error"  # another router-side failure
    INTERNAL = "internal"  # a bug in the app (the traceback is in the log)
    # A desktop seat in collector mode lost its collector: what it shows can no longer be
    # vouched for, whatever the router is doing.
    COLLECTOR_UNREACHABLE = "collector_unreachable"


class StaleReason(StrEnum):
    """Why a section is stale: its last poll failed, or no new answer came in time."""

    FAILED = "failed"
    OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class SectionError:
    """One failed poll of a section: a code to translate, English detail, where it broke."""

    code: ErrorCode
    detail: str  # English one-liner for logs, API clients and tooltips
    at: float  # epoch seconds when the poll failed
    command: str | None = None
    line: str | None = None  # the first line that could not be read (parse errors)
    line_number: int | None = None


@dataclass(frozen=True, slots=True)
class SectionValue:
    """The newest good data of one section and when the router answered it.

    ``timestamp`` is the router's answer time (for a derived value: the oldest of its
    inputs). ``warnings`` lists the lines a partial parse skipped; ``raw`` keeps the router's
    text of a partial answer so the operator can read what was not understood.
    """

    data: Any
    timestamp: float
    warnings: tuple[ParseWarning, ...] = ()
    raw: str | None = None

    @property
    def partial(self) -> bool:
        return bool(self.warnings)


@dataclass(frozen=True, slots=True)
class SectionRecord:
    """Everything the engine knows about one section of one router."""

    section: str
    max_age: float  # seconds an answer stays current (2 x interval + command timeout)
    value: SectionValue | None = None
    outcome: Outcome | None = None  # of the last poll; None before the first
    attempted_at: float | None = None  # when the last poll ended
    failures: int = 0  # consecutive failed polls (0 after a success)
    last_error: SectionError | None = None  # the newest failure, kept after a success
    raw: str | None = None  # router's text of the last unreadable or partial answer

    @property
    def collected_at(self) -> float | None:
        """When the router gave the data shown (None: never)."""
        return None if self.value is None else self.value.timestamp

    @property
    def error(self) -> SectionError | None:
        """The error that makes this section fail now (None while its polls succeed)."""
        return self.last_error if self.failures else None

    @property
    def partial(self) -> bool:
        return self.value is not None and self.value.partial

    def state(self, now: float) -> Freshness:
        return freshness_of(self, now)

    def age(self, now: float) -> float | None:
        """Seconds since the router gave the data shown (None: never); never negative."""
        if self.value is None:
            return None
        return max(0.0, now - self.value.timestamp)

    def stale_reason(self, now: float) -> StaleReason | None:
        if self.state(now) is not Freshness.STALE:
            return None
        return StaleReason.FAILED if self.failures else StaleReason.OVERDUE


def max_age_for(interval: float, timeout: float | None) -> float:
    """How long an answer polled every `interval` seconds stays current.

    Twice the interval (jitter and a reused cache entry stretch one period) plus the
    command timeout (a slow answer arrives that much after its poll began).
    """
    return 2 * interval + (DEFAULT_COMMAND_TIMEOUT if timeout is None else timeout)


def freshness_of(record: SectionRecord, now: float) -> Freshness:
    """The one rule: never answered, stale (failed or too old), or fresh."""
    if record.value is None:
        return Freshness.NEVER
    if record.failures or now - record.value.timestamp > record.max_age:
        return Freshness.STALE
    return Freshness.FRESH


def is_fresh(record: SectionRecord | None, now: float) -> bool:
    return record is not None and freshness_of(record, now) is Freshness.FRESH


def succeeded(
    record: SectionRecord,
    data: Any,
    taken_at: float,
    now: float,
    *,
    raw: str | None = None,
    warnings: Sequence[ParseWarning] | None = None,
) -> SectionRecord:
    """`record` after a poll that read `data`, answered at `taken_at`.

    A partial result (parse warnings on `data`, or `warnings` given) keeps `raw`, the
    router's own text, beside it; a complete one drops any raw text kept before.
    """
    found = tuple(warnings) if warnings is not None else warnings_of(data)
    kept_raw = raw if found else None
    return replace(
        record,
        value=SectionValue(data, taken_at, found, kept_raw),
        outcome=Outcome.PARTIAL if found else Outcome.OK,
        attempted_at=now,
        failures=0,
        raw=kept_raw,
    )


def failed(record: SectionRecord, error: SectionError, *, raw: str | None = None) -> SectionRecord:
    """`record` after a failed poll; its data stays as it was (and is now stale)."""
    return replace(
        record,
        outcome=Outcome.FAILED,
        attempted_at=error.at,
        failures=record.failures + 1,
        last_error=error,
        raw=raw,
    )


def derive(
    record: SectionRecord, data: Any, inputs: Iterable[SectionRecord], now: float
) -> SectionRecord:
    """`record` holding `data` built from `inputs` (records of other sections).

    Its time is the *oldest* answer among the inputs that hold data, never now; it fails
    (with the newest input error) while an input whose data it shows fails, and is partial
    when such an input is. An input that never answered (a command this router rejects)
    adds nothing, so it cannot make the rest stale: its own record reports it. With no
    input holding data there is nothing to show and `record` keeps no value.
    """
    inputs = list(inputs)
    with_data = [r for r in inputs if r.value is not None]
    failing = [r for r in with_data if r.failures]
    error = max((r.last_error for r in failing if r.last_error), key=lambda e: e.at, default=None)
    warnings = tuple(w for r in with_data for w in r.value.warnings)  # type: ignore[union-attr]
    value = (
        SectionValue(data, min(r.value.timestamp for r in with_data), warnings)  # type: ignore[union-attr]
        if with_data
        else None
    )
    if failing:
        outcome = Outcome.FAILED
    elif warnings:
        outcome = Outcome.PARTIAL
    elif with_data:
        outcome = Outcome.OK
    else:
        outcome = record.outcome
    return replace(
        record,
        value=value,
        outcome=outcome,
        attempted_at=max((r.attempted_at for r in inputs if r.attempted_at), default=now),
        failures=max((r.failures for r in with_data), default=0),
        last_error=error or record.last_error,
        raw=None,
    )


def classify(error: BaseException) -> ErrorCode:
    """The stable code of an error raised while polling."""
    cause = getattr(error, "cause", error)  # an engine wrapper keeps the parser's error
    ordered: tuple[tuple[type[BaseException], ErrorCode], ...] = (
        (RouterTimeout, ErrorCode.TIMEOUT),
        (VtyLinesFull, ErrorCode.VTY_FULL),
        (RouterUnreachable, ErrorCode.UNREACHABLE),
        (AuthenticationFailed, ErrorCode.AUTH_FAILED),
        (HostKeyChanged, ErrorCode.HOST_KEY_CHANGED),
        (KeyExchangeFailed, ErrorCode.KEY_EXCHANGE),
        (CredentialsUnavailable, ErrorCode.NO_CREDENTIALS),
        (SessionLost, ErrorCode.SESSION_LOST),
        (CommandRejected, ErrorCode.REJECTED),
        (RouterCommandError, ErrorCode.REJECTED),
        (ParseError, ErrorCode.PARSE_ERROR),
        (UnknownCommandError, ErrorCode.UNSUPPORTED),
        (RateLimited, ErrorCode.RATE_LIMITED),
        (RouterError, ErrorCode.ROUTER_ERROR),
    )
    for kind, code in ordered:
        if isinstance(cause, kind):
            return code
    return ErrorCode.INTERNAL


def section_error(
    error: NE8000MonitorError, at: float, *, command: str | None = None
) -> SectionError:
    """A :class:`SectionError` for `error` raised while polling `command` at `at`."""
    detail = " ".join(str(error).split()) or type(error).__name__
    line = line_number = None
    if isinstance(error, ParseError):
        line = error.line
        line_number = error.line_number
        command = error.command or command
    return SectionError(classify(error), detail, at, command, line, line_number)
