"""Errors the simulated CLI prints, raised by the renderers and the command layer."""

from __future__ import annotations

WRONG_PARAMETER = "Error: Wrong parameter found at '^' position."
UNRECOGNIZED_COMMAND = "Error: Unrecognized command found at '^' position."
INCOMPLETE_COMMAND = "Error: Incomplete command found at '^' position."


class CommandError(Exception):
    """A CLI error the router prints: a caret under word `word_index` (or none), then `Error:`.

    Renderers raise it with ``word_index=None`` because only the CLI layer knows which typed word
    the bad argument was; the CLI fills in the caret position.
    """

    def __init__(self, message: str, word_index: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.word_index = word_index
