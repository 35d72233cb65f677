"""Changes from a seat: previewed here with the engine's own definition of the lines, sent
to the collector's change workflow pinned to exactly those lines.

The preview is built by :func:`app.engine.changes.change_steps` against the router's
interface list as the collector reported it, so the window shows the exact lines before
anything leaves the seat. `POST /api/change` carries them back: the collector plans the
change again and refuses it (409) unless its lines are the ones the operator saw, then
commits it on its own session and writes it to its audit log with the seat's name.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from app.domain.errors import NE8000MonitorError, RateLimited
from app.domain.router import CommandResult, PromptKind
from app.engine.changes import (
    ChangeAbandoned,
    ChangePlan,
    ChangeRequest,
    ChangeResult,
    ConfirmationError,
    CutAccessUser,
    InterfaceShutdown,
    change_steps,
)
from app.feed.wire.collector import ChangeRequestBody, ChangeResultAnswer
from app.remote.client import CollectorClient
from app.remote.errors import CollectorError


def prompt_kind_of(prompt: str, kind: PromptKind | None = None) -> PromptKind:
    """The prompt's kind as the collector said it, else as its shape says (`<H>`, `[~H]`)."""
    if kind is not None:
        return kind
    text = prompt.strip()
    if text.startswith("[*"):
        return PromptKind.PENDING
    if text.startswith("["):
        return PromptKind.SYSTEM
    if text.endswith(":"):
        return PromptKind.QUESTION
    return PromptKind.USER


def change_body(plan: ChangePlan) -> ChangeRequestBody:
    """The request for `plan`: its target, the confirmation, and the lines shown."""
    request = plan.request
    lines = list(plan.lines)
    if isinstance(request, CutAccessUser):
        name = request.username
        return ChangeRequestBody(
            router=plan.router, action="cut_user", username=name, confirm=name, lines=lines
        )
    name = plan.steps[1].view or request.interface
    action = "shutdown" if isinstance(request, InterfaceShutdown) else "undo_shutdown"
    return ChangeRequestBody(
        router=plan.router, action=action, interface=name, confirm=name, lines=lines
    )


class RemoteChanges:
    """The change workflow's interface (plan, cancel, apply) for a seat."""

    def __init__(self, client: CollectorClient, interfaces: Callable[[str], tuple[str, ...]]):
        """`interfaces(router)`: the router's interface names as the collector reported."""
        self._client = client
        self._interfaces = interfaces
        self._outstanding: set[str] = set()

    def plan(self, request: ChangeRequest) -> ChangePlan:
        """Validate and preview (nothing is sent); ValidationError for a bad request."""
        steps = change_steps(request, self._interfaces(request.router))
        token = secrets.token_hex(16)
        self._outstanding.add(token)
        return ChangePlan(request.router, request, steps, token, time.monotonic())

    def cancel(self, plan: ChangePlan) -> None:
        """The operator declined: the preview can no longer be sent."""
        self._outstanding.discard(plan.token)

    async def apply(self, plan: ChangePlan, *, confirmation: str) -> ChangeResult:
        """Send a previewed change (once) to the collector, pinned to its lines."""
        if confirmation != plan.token or plan.token not in self._outstanding:
            raise ConfirmationError("this change was already sent or cancelled; plan again")
        self._outstanding.discard(plan.token)
        try:
            answer = await self._client.post("/api/change", change_body(plan), ChangeResultAnswer)
        except CollectorError as error:
            raise change_error(plan, error) from None
        transcript = tuple(
            CommandResult(
                step.command, step.output, step.prompt,
                prompt_kind_of(step.prompt, step.prompt_kind),
            )
            for step in answer.transcript
        )
        return ChangeResult(plan, answer.outcome, transcript, answer.users_cut)


def change_error(plan: ChangePlan, error: CollectorError) -> NE8000MonitorError:
    """The collector's refusal as the error the change workflow itself would raise."""
    if error.status == 429:
        return RateLimited(str(error))
    if error.status == 504:
        return ChangeAbandoned(
            str(error), router=plan.router, router_message=None, sent=plan.lines,
            outcome_unknown=True,
        )
    if error.status == 502:
        return ChangeAbandoned(str(error), router=plan.router, router_message=str(error), sent=())
    return error
