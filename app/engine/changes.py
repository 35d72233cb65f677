"""The one change workflow every caller uses (GUI, CLI, later the feed).

plan -> preview -> confirm -> apply:

1. :meth:`ChangeWorkflow.plan` validates the request (interface names against the router's
   last interface list, user names against a strict pattern) and builds the exact lines.
   Nothing has been sent yet; invalid input never gets further than this.
2. The caller shows :attr:`ChangePlan.lines` to the operator.
3. :meth:`ChangeWorkflow.apply` takes the plan back with the confirmation token that came
   with it. The token is an HMAC over router and lines under a per-workflow key, single
   use and short-lived, so only a plan this workflow issued, unmodified, can be applied.
4. On one leased session: ``system-view`` -> view -> command -> ``commit`` -> ``return``,
   checking after every line that the prompt has the expected kind and view. Any error
   abandons the change: ``return``, answer N to the uncommitted-configuration question, and
   if the session is still not back in user view it is closed (VRP8 drops a session's
   uncommitted candidate configuration with it). The router's message is reported.

``cut access-user`` acts immediately in the AAA view on VRP (no commit), as the published
capture and the simulator show; its plan has no ``commit`` line.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Protocol

from app.domain.errors import (
    ChangeAborted,
    CommandRejected,
    RateLimited,
    RouterError,
    ValidationError,
)
from app.domain.messages import Message, MessageId, message
from app.domain.router import CommandResult, PromptKind
from app.engine.audit import AuditLog
from app.engine.ports import RouterSession
from app.engine.ratelimit import LimitKind, RateLimiter
from app.vrp.names import normalise_interface_name, strip_bandwidth_suffix
from app.vrp.validation import validate_interface_name, validate_username

_log = logging.getLogger("ne8000monitor.engine.changes")

PLAN_LIFETIME = 300.0  # seconds a preview stays confirmable
_CUT_COUNT = re.compile(r"Totally,\s*(\d+)\s+users?", re.IGNORECASE)


# ----- requests -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InterfaceShutdown:
    """Administratively shut an interface down (`shutdown` in its view)."""

    router: str
    interface: str


@dataclass(frozen=True, slots=True)
class InterfaceUndoShutdown:
    """Bring a shut interface back (`undo shutdown` in its view)."""

    router: str
    interface: str


@dataclass(frozen=True, slots=True)
class CutAccessUser:
    """Disconnect every session of one subscriber account (`cut access-user` in AAA view)."""

    router: str
    username: str


ChangeRequest = InterfaceShutdown | InterfaceUndoShutdown | CutAccessUser


# ----- plans and results ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    """One line of a change and the prompt that must follow it."""

    line: str
    expect: frozenset[PromptKind]
    view: str | None  # the prompt's view suffix (`GigabitEthernet0/5/0`, `aaa`), "" = system


@dataclass(frozen=True, slots=True)
class ChangePlan:
    """What will be sent, exactly; carries the token that confirms this very plan."""

    router: str
    request: ChangeRequest
    steps: tuple[Step, ...]
    token: str = field(repr=False)
    issued_at: float

    @property
    def lines(self) -> tuple[str, ...]:
        """The exact command lines, in order, for the preview."""
        return tuple(step.line for step in self.steps)

    @property
    def preview(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True, slots=True)
class ChangeResult:
    """A change that went through; `transcript` is every line sent and the answer to it.

    Each answer carries the prompt that *followed* it; `opening_prompt` is the one the
    first line was typed at, so :meth:`printed` can show every command at its own prompt.
    """

    plan: ChangePlan
    outcome: str  # "committed" (configuration) or "applied" (cut access-user)
    transcript: tuple[CommandResult, ...]
    users_cut: int | None = None
    opening_prompt: str = ""

    def printed(self) -> str:
        """The session as the router printed it (`[*NE8000-GE0/5/0]commit`)."""
        return render_transcript(self.opening_prompt, self.transcript)


def render_transcript(opening_prompt: str, transcript: Iterable[CommandResult]) -> str:
    """A change's lines as the router printed them: each command right after the prompt
    it was typed at (the prompt the previous answer ended with), then its output; the
    prompt the last answer ended with closes it. A rejected line (no prompt of its own)
    leaves the router at the prompt it was at."""
    lines: list[str] = []
    prompt = opening_prompt
    answered = True
    for result in transcript:
        lines.append(f"{prompt}{result.command}")
        if result.output.strip():
            lines.append(result.output.rstrip())
        if result.prompt:
            prompt = result.prompt
        # A line with neither output nor prompt got no answer (the router went silent).
        answered = bool(result.prompt or result.output.strip())
    if prompt and answered:
        lines.append(prompt)
    return "\n".join(lines)


class ChangeAbandoned(ChangeAborted):
    """The change was abandoned on the router; `router_message` is what the router said."""

    def __init__(
        self,
        message: str,
        *,
        router: str,
        router_message: str | None,
        sent: tuple[str, ...],
        outcome_unknown: bool = False,
        printed: str = "",
    ) -> None:
        super().__init__(message, router=router)
        self.router_message = router_message
        self.sent = sent
        self.printed = printed  # the session as the router printed it, up to the end
        # The line that takes effect (`commit`, or `cut access-user`) went out and no answer
        # came back: the router may or may not have applied it.
        self.outcome_unknown = outcome_unknown


class ConfirmationError(ValidationError):
    """The confirmation does not match a plan this workflow issued (or it expired)."""


class SessionSource(Protocol):
    """Where the workflow leases a session for a router (a :class:`SessionPool`)."""

    def session(self) -> AbstractAsyncContextManager[RouterSession]: ...


# ----- the known interfaces per router --------------------------------------------------


class InterfaceDirectory:
    """The last interface list seen per router; the only names a change may use."""

    def __init__(self) -> None:
        self._names: dict[str, tuple[str, ...]] = {}

    def remember(self, router: str, names: Iterable[str]) -> None:
        self._names[router] = tuple(names)

    def names(self, router: str) -> tuple[str, ...]:
        return self._names.get(router, ())


# ----- the lines of a change ------------------------------------------------------------


def change_steps(request: ChangeRequest, interfaces: Iterable[str]) -> tuple[Step, ...]:
    """The exact lines of `request`, validated (the interface must be one of `interfaces`,
    the router's own list); ValidationError otherwise. Nothing is sent.

    The one definition of what a change sends: the workflow applies these lines, and a
    collector-mode seat previews them before the collector checks them again.
    """
    system = frozenset({PromptKind.SYSTEM})
    user = frozenset({PromptKind.USER})
    if isinstance(request, (InterfaceShutdown, InterfaceUndoShutdown)):
        known = tuple(interfaces)
        try:
            name = validate_interface_name(request.interface, known)
        except ValidationError as error:
            error.operator_message = _refusal(request.router, request.interface, known)
            raise
        command = "shutdown" if isinstance(request, InterfaceShutdown) else "undo shutdown"
        return (
            Step("system-view", system, ""),
            Step(f"interface {name}", system, name),
            # `[*...]` normally; `[~...]` if the box already had that state.
            Step(command, frozenset({PromptKind.PENDING, PromptKind.SYSTEM}), name),
            Step("commit", system, name),
            Step("return", user, None),
        )
    if isinstance(request, CutAccessUser):
        username = validate_username(request.username)
        return (
            Step("system-view", system, ""),
            Step("aaa", system, "aaa"),
            Step(f"cut access-user username {username} all", system, "aaa"),
            Step("return", user, None),
        )
    raise ValidationError(f"unsupported change request {type(request).__name__}")


# ----- the workflow ---------------------------------------------------------------------


def _refusal(router: str, typed: str, known: tuple[str, ...]) -> Message | None:
    """The translatable form of an interface refusal the window can say better than
    "the value was refused": no list yet, or a name the router does not have."""
    if not known:
        return message(MessageId.CHANGE_NO_INTERFACE_LIST, router=router)
    name = normalise_interface_name(typed)
    listed = {normalise_interface_name(strip_bandwidth_suffix(raw)) for raw in known}
    if name is not None and name not in listed:
        return message(MessageId.CHANGE_UNKNOWN_INTERFACE, interface=name, router=router)
    return None  # a malformed name: its own words (it names the bad character)


def _opening_prompt(session: RouterSession) -> str:
    """A leased session waits in user view: `<HOSTNAME>`."""
    return f"<{session.hostname}>"


class ChangeWorkflow:
    """Plans, confirms and applies changes; every attempt lands in the audit log."""

    def __init__(
        self,
        sessions: Callable[[str], SessionSource],
        interfaces: InterfaceDirectory,
        audit: AuditLog,
        *,
        limiter: RateLimiter | None = None,
        clock: Callable[[], float] = time.monotonic,
        command_timeout: float | None = None,
    ) -> None:
        self._sessions = sessions
        self._interfaces = interfaces
        self._audit = audit
        self._limiter = limiter
        self._clock = clock
        self._timeout = command_timeout
        self._key = secrets.token_bytes(32)
        self._outstanding: dict[str, float] = {}

    # ----- plan ---------------------------------------------------------------------------

    def plan(self, request: ChangeRequest) -> ChangePlan:
        """Validate and build the exact lines; raises ValidationError, sends nothing."""
        steps = self._steps(request)
        issued = self._clock()
        # Previews nobody confirmed or cancelled expire; forget them.
        for token, at in list(self._outstanding.items()):
            if issued - at > PLAN_LIFETIME:
                del self._outstanding[token]
        token = self._sign(request.router, steps, issued)
        self._outstanding[token] = issued
        return ChangePlan(request.router, request, steps, token, issued)

    def _steps(self, request: ChangeRequest) -> tuple[Step, ...]:
        return change_steps(request, self._interfaces.names(request.router))

    def _sign(self, router: str, steps: tuple[Step, ...], issued: float) -> str:
        message = "\n".join([router, repr(issued), *(step.line for step in steps)])
        return hmac.new(self._key, message.encode(), hashlib.sha256).hexdigest()

    # ----- confirm and apply --------------------------------------------------------------

    def _check_confirmation(self, plan: ChangePlan, confirmation: str) -> None:
        expected = self._sign(plan.router, plan.steps, plan.issued_at)
        if not hmac.compare_digest(expected, confirmation) or plan.token != expected:
            raise ConfirmationError("the confirmation does not match the previewed change")
        issued = self._outstanding.pop(expected, None)
        if issued is None:
            raise ConfirmationError("this change was already applied or cancelled; plan again")
        if self._clock() - issued > PLAN_LIFETIME:
            raise ConfirmationError("the preview expired; plan the change again")

    def cancel(self, plan: ChangePlan) -> None:
        """The operator declined the preview: its token can no longer be used."""
        self._outstanding.pop(plan.token, None)

    async def apply(self, plan: ChangePlan, *, confirmation: str) -> ChangeResult:
        """Run a confirmed plan on the router; ChangeAbandoned if anything went wrong."""
        try:
            self._check_confirmation(plan, confirmation)
            # The interface list may have changed since the preview: check again.
            self._steps(plan.request)
            try:
                sessions = self._sessions(plan.router)
            except KeyError:
                raise ValidationError(f"no router named {plan.router!r}") from None
            if self._limiter is not None:
                self._limiter.acquire(plan.router, LimitKind.COMMAND)
        except (ValidationError, RateLimited) as error:
            # Nothing was sent; the attempt is still worth a line in the audit log.
            await self._audit.record(plan.router, (), "refused", detail=str(error))
            raise
        transcript: list[CommandResult] = []
        sent: list[str] = []  # every line written, even one that never got an answer
        opening = ""
        try:
            async with sessions.session() as session:
                opening = _opening_prompt(session)
                try:
                    await self._run_steps(session, plan, transcript, sent)
                except (RouterError, _UnexpectedPrompt) as error:
                    unknown = _effect_unanswered(plan, sent, transcript)
                    answered = len(transcript)
                    abandon = await self._abandon(session, transcript)
                    shown = transcript[:answered]
                    if len(sent) > answered:  # the last line sent got no answer: show it
                        shown.append(CommandResult(sent[answered], "", "", _NO_PROMPT))
                    shown += transcript[answered:]  # leaving the views
                    raise self._abandoned(
                        plan,
                        error,
                        [*sent, *abandon],
                        unknown,
                        render_transcript(opening, shown),
                    ) from error
        except ChangeAbandoned as error:
            outcome = "unknown" if error.outcome_unknown else "aborted"
            await self._audit.record(
                plan.router, error.sent, outcome, render_transcript(opening, transcript), str(error)
            )
            raise
        except RouterError as error:  # no session at all: nothing was sent
            await self._audit.record(plan.router, (), "failed", "", str(error))
            raise
        except asyncio.CancelledError:
            # Ctrl+C or shutdown mid-change: what reached the router must still be on record.
            if sent:
                await self._audit.record(
                    plan.router,
                    sent,
                    "unknown",
                    render_transcript(opening, transcript),
                    "cancelled while the change was being sent; check the router",
                )
            raise
        outcome = "committed" if "commit" in plan.lines else "applied"
        users_cut = None
        if isinstance(plan.request, CutAccessUser):
            found = _CUT_COUNT.search(transcript[2].output)
            users_cut = int(found.group(1)) if found else None
        printed = render_transcript(opening, transcript)
        await self._audit.record(plan.router, sent, outcome, printed)
        _log.info("router %s: change %s (%d lines)", plan.router, outcome, len(transcript))
        return ChangeResult(plan, outcome, tuple(transcript), users_cut, opening)

    async def _run_steps(
        self,
        session: RouterSession,
        plan: ChangePlan,
        transcript: list[CommandResult],
        sent: list[str],
    ) -> None:
        for step in plan.steps:
            sent.append(step.line)
            try:
                result = await session.run(step.line, timeout=self._timeout)
            except CommandRejected as error:
                transcript.append(CommandResult(step.line, error.router_message, "", _NO_PROMPT))
                raise
            transcript.append(result)
            _check_prompt(step, result, session.hostname)

    async def _abandon(self, session: RouterSession, transcript: list[CommandResult]) -> list[str]:
        """Leave configuration views without committing; close the session if that fails."""
        sent: list[str] = []
        if not session.is_open:
            return sent
        last = next((r for r in reversed(transcript) if r.prompt), None)
        if last is not None and last.prompt_kind is PromptKind.USER:
            return sent
        try:
            for _ in range(3):
                line = (
                    "n"
                    if last is not None and last.prompt_kind is PromptKind.QUESTION
                    else ("return")
                )
                sent.append(line)
                last = await session.run(line, timeout=self._timeout)
                transcript.append(last)
                if last.prompt_kind is PromptKind.USER:
                    return sent
        except RouterError as error:
            _log.warning("abandoning a change failed (%s); closing the session", error)
        # Still not back in user view: dropping the session drops its candidate config.
        await session.close()
        sent.append("(session closed)")
        return sent

    def _abandoned(
        self,
        plan: ChangePlan,
        error: Exception,
        sent: list[str],
        outcome_unknown: bool,
        printed: str = "",
    ) -> ChangeAbandoned:
        router_message = getattr(error, "router_message", None)
        reason = router_message or (error.message if isinstance(error, RouterError) else str(error))
        if outcome_unknown:
            said = message(
                MessageId.CHANGE_OUTCOME_UNKNOWN,
                line=repr(sent[_effect_index(plan)]),
                reason=reason,
            )
        else:
            said = message(MessageId.CHANGE_ABANDONED, reason=reason)
        abandoned = ChangeAbandoned(
            said.english,
            router=plan.router,
            router_message=router_message,
            sent=tuple(sent),
            outcome_unknown=outcome_unknown,
            printed=printed,
        )
        abandoned.operator_message = said
        return abandoned


def _effect_index(plan: ChangePlan) -> int:
    """Index of the line that makes the change real: `commit`, else the command itself."""
    lines = plan.lines
    return lines.index("commit") if "commit" in lines else 2


def _effect_unanswered(plan: ChangePlan, sent: list[str], transcript: list[CommandResult]) -> bool:
    """True when the effective line was sent but never answered (timeout, dropped session)."""
    index = _effect_index(plan)
    return len(sent) > index and len(transcript) <= index


# A rejected line has no prompt of its own in the transcript.
_NO_PROMPT = PromptKind.SYSTEM


class _UnexpectedPrompt(Exception):
    """The router answered with a prompt the step did not expect."""


def _check_prompt(step: Step, result: CommandResult, hostname: str) -> None:
    """The prompt after a step must have the expected kind and show the expected view."""
    if result.prompt_kind not in step.expect:
        raise _UnexpectedPrompt(
            f"after {step.line!r} the router showed {result.prompt!r} ({result.prompt_kind}), "
            f"expected {' or '.join(sorted(step.expect))}"
        )
    if step.view is None:
        return
    prompt = result.prompt.strip()
    suffix = f"-{step.view}]" if step.view else "]"
    shapes = (f"[~{hostname}{suffix}", f"[*{hostname}{suffix}", f"[{hostname}{suffix}")
    if prompt not in shapes:
        where = f"the {step.view} view" if step.view else "system view"
        raise _UnexpectedPrompt(
            f"after {step.line!r} the router is at {prompt!r}, expected {where}"
        )
