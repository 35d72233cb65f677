"""Output filters (``| include`` ...) and the ``---- More ----`` pager of a VRP terminal.

VRP pages long output 24 lines at a time unless ``screen-length 0 temporary`` was given or
the command ends in ``| no-more``. At ``  ---- More ----`` a space shows the next page, Enter
one more line, any other key (q, Ctrl+C) stops; before the next lines the router erases the
marker with ESC[16D, sixteen spaces and ESC[16D, exactly as the published captures show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.simulator.cmdtree import TOO_MANY_PARAMETERS, split_words
from app.simulator.errors import INCOMPLETE_COMMAND, UNRECOGNIZED_COMMAND, CommandError
from app.simulator.terminal import ENTER, Terminal

PAGE_LINES = 24
MORE = "  ---- More ----"
ERASE_MORE = "\x1b[16D" + " " * 16 + "\x1b[16D"
FILTER_INFO = (
    "Info: It will take a long time if the content you search is too much or the string "
    "you input is too long, you can press CTRL_C to break."
)
# Lines written between two flow-control waits when nothing is paged (25k subscribers
# make ~50k lines; writing them in slices keeps memory flat and the loop responsive).
STREAM_SLICE = 512

_FILTER_KEYWORDS = ("begin", "count", "exclude", "include", "no-more")
_WITH_EXPRESSION = ("begin", "exclude", "include")
_PIPE = re.compile(r"(?<=\s)\|")
_TRAILING_PIPE = re.compile(r"\s\|\s*(\S+)\s*$")
_PIPE_HEAD = re.compile(r"\|\s*(\S*)")


@dataclass
class OutputFilters:
    """The pipe part of a command line."""

    steps: list[tuple[str, re.Pattern[str] | None]] = field(default_factory=list)
    no_more: bool = False

    @property
    def searches(self) -> bool:
        """True when a regular-expression filter runs (VRP then prints its Info line)."""
        return any(expression is not None for _, expression in self.steps)

    def apply(self, lines: list[str]) -> list[str]:
        """The output lines after every filter, in the order typed."""
        for name, expression in self.steps:
            if name == "include" and expression:
                lines = [line for line in lines if expression.search(line)]
            elif name == "exclude" and expression:
                lines = [line for line in lines if not expression.search(line)]
            elif name == "begin" and expression:
                start = next((i for i, line in enumerate(lines) if expression.search(line)), None)
                lines = [] if start is None else lines[start:]
            elif name == "count":
                lines = [f"Total lines: {len(lines)}."]
        return lines


def split_pipes(line: str) -> tuple[str, OutputFilters]:
    """Split `line` into the command and its filters; bad filters raise CommandError."""
    found = _PIPE.search(line)
    if not found:
        return line, OutputFilters()
    filters = OutputFilters()
    at: int | None = found.start()
    while at is not None:
        head = _PIPE_HEAD.match(line, at)
        if head is None or not head.group(1):
            raise CommandError(INCOMPLETE_COMMAND, len(split_words(line)))
        typed = head.group(1).lower()
        choices = [k for k in _FILTER_KEYWORDS if k.startswith(typed)]
        if len(choices) != 1:
            raise CommandError(UNRECOGNIZED_COMMAND, _word_at(line, head.start(1)))
        keyword, tail = choices[0], line[head.end() :]
        at = None
        if keyword in _WITH_EXPRESSION:
            trailing = _TRAILING_PIPE.search(tail)
            if trailing and any(
                k.startswith(trailing.group(1).lower()) for k in ("count", "no-more")
            ):
                at = head.end() + trailing.start() + 1
                tail = tail[: trailing.start()]
            if not tail.strip():
                raise CommandError(INCOMPLETE_COMMAND, len(split_words(line)))
            filters.steps.append((keyword, _compile(tail.strip())))
            continue
        if keyword == "no-more":
            filters.no_more = True
        else:
            filters.steps.append(("count", None))
        stripped = tail.lstrip()
        column = head.end() + len(tail) - len(stripped)
        if stripped.startswith("|"):
            at = column
        elif stripped:
            raise CommandError(TOO_MANY_PARAMETERS, _word_at(line, column))
    return line[: found.start()], filters


def _compile(expression: str) -> re.Pattern[str]:
    """VRP filters take a regular expression; a broken one is matched literally."""
    try:
        return re.compile(expression)
    except re.error:
        return re.compile(re.escape(expression))


def _word_at(line: str, column: int) -> int:
    """Index of the word starting at (or covering) `column` in `line`."""
    words = split_words(line)
    for index, word in enumerate(words):
        if word.column <= column < word.column + len(word.text):
            return index
    return len(words)


async def write_output(terminal: Terminal, lines: list[str], page_lines: int) -> bool:
    """Write `lines`, paging every `page_lines` (0 = no paging). False if the user stopped."""
    if page_lines <= 0 or len(lines) <= page_lines:
        await _stream(terminal, lines)
        return True
    await _stream(terminal, lines[:page_lines])
    shown = page_lines
    while shown < len(lines):
        terminal.write(MORE)
        await terminal.drain()
        key = await terminal.key()
        terminal.write(ERASE_MORE)
        if key == " ":
            step = page_lines
        elif key == ENTER:
            step = 1
        else:
            terminal.discard_typeahead()
            return False
        await _stream(terminal, lines[shown : shown + step])
        shown += step
    return True


async def _stream(terminal: Terminal, lines: list[str]) -> None:
    """Write `lines`, waiting for flow control between slices; the last slice stays
    buffered, so the prompt (or the pager's marker) that follows leaves with it."""
    for start in range(0, len(lines), STREAM_SLICE):
        if start:
            await terminal.drain()
        terminal.write("".join(line + "\n" for line in lines[start : start + STREAM_SLICE]))
