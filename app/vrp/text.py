"""Normalise raw CLI text before a parser reads it.

Router output arrives with terminal noise: CR/LF mixes, ESC cursor sequences from the pager,
`---- More ----` markers, the echoed command line and the next prompt. Parsers should only
ever see the command's own output, so every parser starts with :func:`clean_lines`.
"""

from __future__ import annotations

import re

from app.domain.errors import ParseError, RouterCommandError

# ESC [ n D (cursor back, written by the pager), colour codes and other CSI sequences.
_CSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_OTHER_ESC = re.compile(r"\x1b[()][A-Za-z0-9]|\x1b[=>78]")
_MORE = re.compile(r"\s*-{2,}\s*More\s*-{2,}\s*")
_MORE_WORD = re.compile("More")
# <HOST>, [HOST], [~HOST], [*HOST], [~HOST-GigabitEthernet0/1/0]; host may contain spaces.
PROMPT = re.compile(r"^(?:<[^<>\r\n]{1,128}>|\[[~*]?[^\[\]\r\n]{1,160}\])")
_PROMPT_ONLY = re.compile(PROMPT.pattern + r"\s*$")
_PROVENANCE = re.compile(r"^#\s*source:", re.IGNORECASE)
_ERROR_LINE = re.compile(r"^\s*Error\s*:", re.IGNORECASE)
_CARET_LINE = re.compile(r"^\s*\^\s*$")
# A prompt mangled by copy-paste (`HUAWEI-BNG-01>display ...`) still marks the echo line.
_MANGLED_PROMPT_ECHO = re.compile(
    r"^[^\s<>\[\]]{1,80}[>\]]\s*d(?:i(?:s(?:p(?:l(?:a(?:y)?)?)?)?)?)?\s+\S", re.IGNORECASE
)
# A question the router asks after a long output: `Are you sure to display some
# information?[Y/N]:` (the answer is not part of the output).
_CONFIRMATION = re.compile(
    r"^\s*Are you sure\b.*(?:\[Y/N\]|\(Y/N\)\[[YN]\])\s*:?\s*$", re.IGNORECASE
)
_COMMAND_START = re.compile(r"^\s*d(?:i(?:s(?:p(?:l(?:a(?:y)?)?)?)?)?)?\s+\S", re.IGNORECASE)


def strip_terminal_noise(text: str) -> str:
    """Remove ESC sequences, pager markers and carriage returns; keep every real line."""
    # Each step is skipped when its character is absent: on a 3 MB `display interface`
    # output the unconditional passes cost more than the parsing itself.
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x1b" in text:
        text = _CSI.sub("", text)
        text = _OTHER_ESC.sub("", text)
        text = text.replace("\x1b", "")
    if "\x08" in text:
        text = text.replace("\x08", "")
    if _MORE_WORD.search(text) is None:  # fast path: a per-line regex costs ~100 ms on 3 MB
        return text  # (the engine finds a literal in half the time `in` takes)
    return "\n".join(_MORE.sub("", line) if "More" in line else line for line in text.split("\n"))


def is_prompt_line(line: str) -> bool:
    """True for a line that is only a VRP prompt (``<NE8000>``, ``[~NE8000-GE0/1/0]``)."""
    return bool(_PROMPT_ONLY.match(line.strip()))


def _is_echo_line(line: str) -> bool:
    """A prompt followed by a command, or a bare ``display ...`` line at the top."""
    stripped = line.strip()
    match = PROMPT.match(stripped)
    if match:
        return bool(stripped[match.end() :].strip())
    return bool(_COMMAND_START.match(stripped) or _MANGLED_PROMPT_ECHO.match(stripped))


def clean_lines(text: str) -> list[str]:
    """Return the command's output lines without echo, trailing prompt or terminal noise.

    Also drops a leading provenance comment (``# source: ...``, as in the fixture
    collection), which never occurs in real router output. Raises
    :class:`RouterCommandError` when the router answered with an ``Error:`` message instead
    of output, so no caller mistakes a rejected command for an empty result.
    """
    body = output_text(text)
    return [line.rstrip() for line in body.split("\n")] if body else []


def output_text(text: str) -> str:
    """The lines :func:`clean_lines` returns, as one string ("" for none).

    The lines keep any trailing blanks (a reader of the whole text allows for them), so
    a parser that scans the output with one pattern pays for no per-line split: only the
    first and last lines are looked at here. Raises :class:`RouterCommandError` as
    :func:`clean_lines` does.
    """
    text = strip_terminal_noise(text)
    size = len(text)
    begin = 0  # offset of the first line still in the output
    index = 0  # its line number - 1
    while True:  # blank lines and a provenance comment before the output
        stop = text.find("\n", begin)
        stop = size if stop < 0 else stop
        line = text[begin:stop]
        if line.strip() and not _PROVENANCE.match(line):
            break
        if stop == size:
            return ""
        begin, index = stop + 1, index + 1
    mangled_prompt = None
    if _is_echo_line(line):
        if _MANGLED_PROMPT_ECHO.match(line.strip()):
            # `HUAWEI-BNG-01>display ...`: the closing prompt lost its `<` the same way.
            mangled_prompt = re.split(r"(?<=[>\]])", line.strip(), maxsplit=1)[0]
        if stop == size:
            return ""
        begin, index = stop + 1, index + 1
    end = size  # the output ends here (exclusive)
    while True:  # blank lines, the next prompt or a closing question after it
        newline = text.rfind("\n", begin, end)
        last = text[newline + 1 if newline >= 0 else begin : end]
        if not (
            not last.strip()
            or is_prompt_line(last)
            or _CONFIRMATION.match(last)
            or last.strip() == mangled_prompt
        ):
            break
        if newline < 0:
            return ""
        end = newline
    body = text[begin:end]
    cut = -1  # the end of the fourth line: the output below it is not copied
    for _ in range(4):
        cut = body.find("\n", cut + 1)
        if cut < 0:
            break
    head = [line.rstrip() for line in (body if cut < 0 else body[:cut]).split("\n")]
    _raise_on_router_error(head, first_line_number=index + 1)
    return body


def _raise_on_router_error(body: list[str], first_line_number: int) -> None:
    """A router error shows as an optional caret line then ``Error: ...`` at the top."""
    for index, line in enumerate(body[:4]):
        if not line.strip() or _CARET_LINE.match(line):
            continue
        if _ERROR_LINE.match(line):
            raise RouterCommandError(
                "the router rejected the command",
                line=line,
                line_number=first_line_number + index,
            )
        return


# Rules between sections: `-----`, `=====`, `- - - - -`.
SEPARATOR = re.compile(r"^\s*(?:[-=]\s?){5,}\s*$")


def unexpected_output(
    expected: str, lines: list[str], *, skip: re.Pattern[str] | None = None
) -> ParseError:
    """The error for text that lacks what a parser needs, naming its first meaningful line.

    Blank lines, separator rules and lines matching ``skip`` (a legend, say) are passed
    over, so the message points at the line that really differs from the expected output.
    """
    fallback: tuple[int, str] | None = None
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        fallback = fallback or (index, line)
        if SEPARATOR.match(line) or (skip is not None and skip.match(line)):
            continue
        return ParseError(expected, line=line, line_number=index + 1)
    if fallback is not None:
        return ParseError(expected, line=fallback[1], line_number=fallback[0] + 1)
    return ParseError(f"{expected}, got no output")


def first_unrecognised(lines: list[str], recognised: set[int]) -> tuple[int, str] | None:
    """The first non-blank line whose index is not in ``recognised`` (1-based number, text)."""
    for index, line in enumerate(lines):
        if line.strip() and index not in recognised:
            return index + 1, line
    return None
