"""Remote commands: the request bodies clients send and the results they get back."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from app.domain.router import PromptKind
from app.feed.wire.base import Time, Wire

MAX_FIELD_CHARS = 512  # longer than any sane VRP line; the console validates the content

Line = Annotated[str, msgspec.Meta(max_length=MAX_FIELD_CHARS)]
InterfaceAction = Literal["shutdown", "undo_shutdown"]


class ExecuteCommandRequest(Wire, kw_only=True):
    """Run one console line."""

    router: Line | None = None
    command: Annotated[Line, msgspec.Meta(examples=["display version", "display interface brief"])]
    confirm: Annotated[
        Line | None,
        msgspec.Meta(description="Operator mode only: repeats a non-read-only line exactly."),
    ] = None


class InterfaceCommandRequest(Wire, kw_only=True):
    """Shut an interface down or bring it back (operator mode)."""

    router: Line | None = None
    interface: Annotated[Line, msgspec.Meta(examples=["GigabitEthernet0/5/0"])]
    action: InterfaceAction
    confirm: Annotated[
        Line | None,
        msgspec.Meta(
            description="Repeats the interface name: the operator's confirmation. Without "
            "it the answer is 400 with the `preview` of the lines."
        ),
    ] = None


class ExecuteCommandResult(Wire, kw_only=True):
    success: Literal[True] = True
    router: str
    command: str
    class_: Annotated[
        Literal["read-only", "diagnostic", "privileged-display", "configuration"],
        msgspec.Meta(title="class"),
    ] = msgspec.field(name="class")
    output: str
    prompt: str
    cleanup: Annotated[
        list[str],
        msgspec.Meta(description="Lines sent afterwards to return the session to user view."),
    ]
    timestamp: Time


class TranscriptStep(Wire, kw_only=True):
    command: str
    output: str
    prompt: str
    prompt_kind: Annotated[
        PromptKind | None,
        msgspec.Meta(description="What the prompt after the line was: user, system, ..."),
    ] = None


class InterfaceCommandResult(Wire, kw_only=True):
    success: Literal[True] = True
    router: str
    interface: str
    action: InterfaceAction
    outcome: str
    commands: list[str]
    transcript: list[TranscriptStep]
    timestamp: Time


RequestId = Annotated[
    str | int | float | None,
    msgspec.Meta(description="Any id the client chose; echoed in the answer."),
]
