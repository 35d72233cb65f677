"""What the router's last line is: a prompt of this router, a question, the pager, or text.

The session reads until the *last* line of what arrived (the part after the final line
break, which the router leaves open while it waits for input) is exactly a prompt of the
router it logged into. Matching the whole line against the learned hostname — never
searching for ``>`` or ``]`` somewhere in a chunk — is what keeps output such as
``<NE8000> ...`` in a log, ``[~R]`` in a config diff, or ``a > b`` from ending a read early.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.domain.router import PromptKind

# ESC [ n D written by the pager to erase its marker: cursor back, blanks, cursor back.
PAGER_ERASE = re.compile(r"\x1b\[(\d{1,3})D *\x1b\[\1D")
_CSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_OTHER_ESC = re.compile(r"\x1b[()][A-Za-z0-9]|\x1b[=>78DEHMNOZc]")
# "  ---- More ----" (VRP), also "--More--" shapes from relatives of VRP.
MORE = re.compile(r"^\s*-{2,}\s*More\s*-{2,}\s*$", re.IGNORECASE)
_MORE_INLINE = re.compile(r"\s*-{2,}\s*More\s*-{2,}\s*", re.IGNORECASE)

# [Y/N]:  [Y(yes)/N(no)/C(cancel)]:  (y/n)[n]:  — at the end of the open line.
QUESTION = re.compile(
    r"(?:\[\s*Y(?:\(yes\))?\s*/\s*N(?:\(no\))?(?:\s*/\s*C(?:\(cancel\))?)?\s*\]"
    r"|\(\s*y(?:es)?\s*/\s*n(?:o)?\s*\)(?:\s*\[\s*[yn]\s*\])?)\s*:?\s*$",
    re.IGNORECASE,
)
USERNAME_PROMPT = re.compile(r"(?:user\s?name|login)\s*:\s*$", re.IGNORECASE)
PASSWORD_PROMPT = re.compile(r"password\s*:\s*$", re.IGNORECASE)

# Any VRP prompt shape, used only before the hostname is known (right after login).
_ANY_PROMPT = re.compile(
    r"^(?:<(?P<user>[^<>\r\n]{1,128})>|\[(?P<mark>[~*]?)(?P<body>[^\[\]\r\n]{1,128})\])$"
)
# A prompt is never longer than this; longer open lines are output, not prompts.
MAX_PROMPT_LENGTH = 300


@dataclass(frozen=True, slots=True)
class Prompt:
    """A recognised end of output: the prompt text, its kind, and the view it shows."""

    text: str
    kind: PromptKind
    view: str | None = None  # "GigabitEthernet0/3/0" for [~HOST-GigabitEthernet0/3/0]
    hostname: str | None = None  # the hostname the prompt shows; None for a question


def strip_escapes(text: str) -> str:
    """Drop the pager's erase sequence, other ESC sequences, CRs and backspace erasures."""
    if "\x1b" in text:
        text = PAGER_ERASE.sub("", text)
        text = _CSI.sub("", text)
        text = _OTHER_ESC.sub("", text)
        text = text.replace("\x1b", "")
    if "\b" in text:
        text = _apply_backspaces(text)
    return text.replace("\r", "").replace("\x00", "")


def _apply_backspaces(text: str) -> str:
    """Apply backspaces as a terminal does: each one takes back the character before it."""
    shown: list[str] = []
    for char in text:
        if char != "\b":
            shown.append(char)
        elif shown and shown[-1] != "\n":
            shown.pop()
    return "".join(shown)


def may_hold_pager_marks(text: str) -> bool:
    """False when `text` surely holds no ``---- More ----`` (a cheap test for whole answers)."""
    return "--" in text and "more" in text.lower()


def remove_pager_marks(line: str) -> str:
    """A line without any ``---- More ----`` left in it."""
    # The test first: on a rule of dashes (`-----...`) the pattern backtracks for every dash.
    return _MORE_INLINE.sub("", line) if may_hold_pager_marks(line) else line


def is_pager(line: str) -> bool:
    """True when the open line is the pager waiting for a key."""
    return bool(MORE.match(line))


def question(line: str) -> Prompt | None:
    """The open line as a question waiting for Y/N(/C), or None."""
    if len(line) <= 2 * MAX_PROMPT_LENGTH and QUESTION.search(line):
        return Prompt(line.strip(), PromptKind.QUESTION)
    return None


def learn_hostname(line: str) -> str | None:
    """The hostname shown by a prompt line (``<R1>`` -> ``R1``, ``[~R1]`` -> ``R1``), or None.

    Used once, on the first prompt after login, which is the user view on every VRP box;
    a bracket prompt is accepted too (VRP5 boxes configured to start in system view).
    """
    found = _ANY_PROMPT.match(line.rstrip())
    if not found:
        return None
    name = found.group("user") if found.group("user") is not None else found.group("body")
    return name if name and name.strip() == name else None


class PromptMatcher:
    """Prompts of one router, anchored to the whole open line and to its hostname.

    ``<HOST>`` is the user view; ``[~HOST]`` / ``[~HOST-view]`` (VRP8) and ``[HOST]`` /
    ``[HOST-view]`` (VRP5) the system views; ``[*HOST...]`` shows uncommitted changes.
    Extra names are accepted too: after ``sysname NEW`` the prompt shows the old name until
    the change is committed, and the new one afterwards.
    """

    def __init__(self, hostname: str, *other_names: str) -> None:
        names = (hostname, *other_names)
        for name in names:
            if not name or name != name.strip() or "\n" in name or "\r" in name:
                raise ValueError(f"not a usable router hostname: {name!r}")
        self.names = tuple(dict.fromkeys(names))
        host = "(?P<host>" + "|".join(re.escape(name) for name in self.names) + ")"
        self._user = re.compile(rf"^<{host}>$")
        self._system = re.compile(
            rf"^\[(?P<mark>[~*]?){host}(?:-(?P<view>[^\[\]\r\n]{{1,160}}))?\]$"
        )

    def match(self, line: str) -> Prompt | None:
        """The prompt the open line shows, or None when it is anything else."""
        line = line.rstrip(" ")
        if len(line) > MAX_PROMPT_LENGTH or not line or line[0] not in "<[":
            return None
        found = self._user.match(line)
        if found is not None:
            return Prompt(line, PromptKind.USER, hostname=found.group("host"))
        found = self._system.match(line)
        if found is None:
            return None
        kind = PromptKind.PENDING if found.group("mark") == "*" else PromptKind.SYSTEM
        return Prompt(line, kind, found.group("view"), found.group("host"))
