"""The prompt reader against real session transcripts (tests/fixtures/vrp/session-*).

The session decides where a command's output ends by recognising the router's prompt
(:class:`PromptMatcher`), a Y/N question or the pager on the open line. These captures are
real sessions and documentation examples: user view, VRP8's two-stage system views
(``[~HOST-view]`` committed, ``[*HOST-view]`` with uncommitted changes), VRP5's plain
``[HOST]``, a ``sysname`` change, login banners and the uncommitted-changes question. Every
prompt in them must be read with the right kind and view, and no other line may pass for
a prompt (a banner line ending a read early would cut the output short).
"""

from __future__ import annotations

import re

import pytest

from app.domain.router import PromptKind
from app.transport.prompts import PromptMatcher, is_pager, learn_hostname, question
from tests.support.fixtures import FIXTURES_DIR, fixture_text

# The routers each transcript shows (a file may hold blocks from several boxes; the
# `sysname SSH Server` example renames its router mid-session).
HOSTNAMES: dict[str, tuple[str, ...]] = {
    "session-commit-bras-pppoe__huawei-doc-ne40e-v800r012c10-cfg__1.txt": ("HUAWEI",),
    "session-commit-shutdown__huawei-doc-ne40e-v800r012c10-cfg__1.txt": ("PE1", "CE2"),
    "session-commit-uncommitted-warning__it-bras-notes__1.txt": ("c1-huawei", "c2-huawei"),
    "session-commit-undo-shutdown__huawei-doc-ne40e-v800r012c10-cfg__1.txt": (
        "HUAWEI",
        "SSH Server",
    ),
    "session-cut-access-user__it-bras-notes__1.txt": ("c2-huawei",),
    "session-login-banner__huawei-doc-ne-stelnet__1.txt": ("DeviceA",),
    "session-login-banner__ne40e-isp-check-scripts__1.txt": (
        "APGDVRJMAGR02HNE40",
        "APHYDUPPSAR02HNE40",
    ),
    "session-login-banner__ne40e-isp-check-scripts__2.txt": (
        "APGNTKPDACR01HA910",
        "APHYDUPLSAR02HNE90",
    ),
    "session-login-banner__ne8000-f1a-routepolicy-test__1.txt": ("BHE-VTA-F1A-BGP-01",),
    "session-prompt-twostage__ce-vrp8-lab-notes__1.txt": ("SW1",),
    "session-system-view__netmiko-issue-517__1.txt": ("eTN_BU_03316_AC_09",),
}

# A prompt at the start of a line, then what was typed after it (the doc examples put a
# space between; real captures do not). Markdown code fences indent the doc examples.
_PROMPT_AT_START = re.compile(
    r"^\s*(?P<prompt><[^<>\s][^<>]*>|\[[~*]?[^\[\]\s][^\[\]]*\])(?P<typed>.*)$"
)
# A question the router asked, followed by the answer the operator typed.
_ANSWERED_QUESTION = re.compile(r"^(?P<question>.*\]:?)\s*[yYnNcC]?\s*$")


def _transcripts() -> list[str]:
    return sorted(path.name for path in FIXTURES_DIR.glob("session-*__*.txt"))


def _body(name: str) -> list[str]:
    return fixture_text(name).splitlines()[1:]  # line 1 is the `# source:` header


def test_every_session_capture_has_its_routers_named() -> None:
    assert set(_transcripts()) == set(HOSTNAMES)


def _expected(prompt: str, hostnames: tuple[str, ...]) -> tuple[PromptKind, str | None]:
    if prompt.startswith("<"):
        return PromptKind.USER, None
    body = prompt[1:-1]
    kind = PromptKind.PENDING if body.startswith("*") else PromptKind.SYSTEM
    body = body.lstrip("~*")
    host = max((name for name in hostnames if body.startswith(name)), key=len)
    return kind, body[len(host) + 1 :] or None


@pytest.mark.parametrize("name", sorted(HOSTNAMES))
def test_every_prompt_is_read_with_its_kind_and_view(name: str) -> None:
    hostnames = HOSTNAMES[name]
    matcher = PromptMatcher(*hostnames)
    prompts = 0
    for line in _body(name):
        found = _PROMPT_AT_START.match(line)
        if found is None:
            continue
        prompt = found.group("prompt")
        read = matcher.match(prompt)
        assert read is not None, (name, line)
        kind, view = _expected(prompt, hostnames)
        assert (read.kind, read.view) == (kind, view), (name, line)
        assert read.hostname in hostnames
        prompts += 1
    assert prompts, f"{name}: no prompt found"


@pytest.mark.parametrize("name", sorted(HOSTNAMES))
def test_no_other_line_passes_for_a_prompt(name: str) -> None:
    """Banners, `Info:` lines, command output and questions never end a read as a prompt;
    only the pager line is the pager."""
    matcher = PromptMatcher(*HOSTNAMES[name])
    for line in _body(name):
        bare = _PROMPT_AT_START.match(line)
        if bare is not None and bare.group("typed") == "":
            continue  # a bare prompt line: read above
        assert matcher.match(line) is None, (name, line)
        assert is_pager(line) == ("---- More ----" in line), (name, line)


@pytest.mark.parametrize("name", sorted(HOSTNAMES))
def test_every_question_is_recognised(name: str) -> None:
    """`Change now? [Y/N]:n`, `commit them before exiting? [Y(yes)/N(no)/C(cancel)]:y`:
    the line as the router left it open (before the answer) is a question."""
    asked = [line for line in _body(name) if re.search(r"\[Y(\(yes\))?/N", line)]
    for line in asked:
        found = _ANSWERED_QUESTION.match(line)
        assert found is not None, line
        read = question(found.group("question"))
        assert read is not None, line
        assert read.kind is PromptKind.QUESTION, line


def test_the_captures_hold_questions() -> None:
    """The check above is not vacuous: the banner and the uncommitted-changes warning ask."""
    asked = sum(
        1 for name in HOSTNAMES for line in _body(name) if re.search(r"\[Y(\(yes\))?/N", line)
    )
    assert asked >= 3


@pytest.mark.parametrize(
    "name", sorted(name for name in HOSTNAMES if name.startswith("session-login-banner"))
)
def test_the_hostname_is_learned_from_the_first_prompt_after_the_banner(name: str) -> None:
    first = next(
        found.group("prompt")
        for line in _body(name)
        if (found := _PROMPT_AT_START.match(line)) is not None
    )
    assert learn_hostname(first) == HOSTNAMES[name][0]
