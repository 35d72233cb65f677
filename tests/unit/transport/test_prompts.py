"""Prompt, question and pager recognition on the open last line of router output."""

from __future__ import annotations

import pytest

from app.domain.router import PromptKind
from app.transport.prompts import (
    PromptMatcher,
    is_pager,
    learn_hostname,
    may_hold_pager_marks,
    question,
    remove_pager_marks,
    strip_escapes,
)

HOSTNAMES = ["NE8000", "BHE-VTA-F1A-BGP-01", "core.router_01", "Core Router 01", "R1-2.a_b c"]


@pytest.mark.parametrize("host", HOSTNAMES)
@pytest.mark.parametrize(
    ("shape", "kind", "view"),
    [
        ("<{h}>", PromptKind.USER, None),
        ("[~{h}]", PromptKind.SYSTEM, None),
        ("[*{h}]", PromptKind.PENDING, None),
        ("[~{h}-GigabitEthernet0/3/0]", PromptKind.SYSTEM, "GigabitEthernet0/3/0"),
        ("[*{h}-GigabitEthernet0/3/0.100]", PromptKind.PENDING, "GigabitEthernet0/3/0.100"),
        ("[~{h}-aaa]", PromptKind.SYSTEM, "aaa"),
        ("[{h}]", PromptKind.SYSTEM, None),  # VRP5
        ("[{h}-Eth-Trunk1]", PromptKind.SYSTEM, "Eth-Trunk1"),  # VRP5 sub-view
    ],
)
def test_every_prompt_shape_of_the_learned_hostname(
    host: str, shape: str, kind: PromptKind, view: str | None
) -> None:
    text = shape.format(h=host)
    prompt = PromptMatcher(host).match(text)
    assert prompt is not None
    assert (prompt.text, prompt.kind, prompt.view, prompt.hostname) == (text, kind, view, host)


@pytest.mark.parametrize(
    "line",
    [
        "<OTHER>",  # another router's prompt (a log line, a pasted capture)
        "<NE8000> display version",  # prompt followed by text: an echo or a log excerpt
        " <NE8000>",  # not at the line start
        "x <NE8000>",
        "[~NE8000] 1 > 0",
        "  ---- More ----",
        "PHY: Physical  ^down: standby  (l): loopback",
        "Interface      PHY   Protocol  InUti OutUti   inErrors  outErrors",
        "  Last 300 seconds input rate: 1 bits/sec > threshold]",
        "<NE8000",
        "NE8000>",
        "[NE8000",
        "[~NE80001]",
        "<NE8000X>",
        "",
    ],
)
def test_output_lines_with_angle_brackets_or_brackets_are_not_prompts(line: str) -> None:
    assert PromptMatcher("NE8000").match(line) is None


def test_trailing_spaces_after_a_prompt_are_tolerated() -> None:
    prompt = PromptMatcher("NE8000").match("<NE8000>  ")
    assert prompt is not None
    assert prompt.text == "<NE8000>"


def test_alternative_names_after_sysname() -> None:
    matcher = PromptMatcher("OLD", "NEW")
    new = matcher.match("[~NEW]")
    old = matcher.match("[*OLD]")
    assert new is not None
    assert old is not None
    assert (new.hostname, old.hostname, old.kind) == ("NEW", "OLD", PromptKind.PENDING)


@pytest.mark.parametrize("bad", ["", " R1", "R1 ", "a\nb"])
def test_matcher_rejects_unusable_hostnames(bad: str) -> None:
    with pytest.raises(ValueError, match="hostname"):
        PromptMatcher(bad)


@pytest.mark.parametrize(
    ("line", "host"),
    [
        ("<NE8000>", "NE8000"),
        ("<Core Router 01>", "Core Router 01"),
        ("[~core.r_1]", "core.r_1"),
        ("[R5]", "R5"),
        ("Info: The max number of VTY users is 21", None),
        ("Username:", None),
        ("<<< Authorised access only >>>", None),
    ],
)
def test_learn_hostname_from_the_first_prompt(line: str, host: str | None) -> None:
    assert learn_hostname(line) == host


@pytest.mark.parametrize(
    "line",
    [
        "The password needs to be changed. Change now? [Y/N]:",
        "Warning: Uncommitted configurations found, commit them before exiting? "
        "[Y(yes)/N(no)/C(cancel)]:",
        "Are you sure to continue?[Y/N]:",
        "Continue? [y/n]: ",
        "Info: The system will reboot. Continue? (y/n)[n]:",
    ],
)
def test_questions_end_a_read(line: str) -> None:
    found = question(line)
    assert found is not None
    assert (found.kind, found.text) == (PromptKind.QUESTION, line.strip())


@pytest.mark.parametrize(
    "line",
    ["Type [Y/N] to answer a question.", "Result: Y/N", "<NE8000>", "Change now?"],
)
def test_text_mentioning_y_n_is_not_a_question(line: str) -> None:
    assert question(line) is None


@pytest.mark.parametrize(
    ("line", "pager"),
    [("  ---- More ----", True), ("---- More ----  ", True), ("--More--", True), ("More", False)],
)
def test_pager_marker(line: str, pager: bool) -> None:
    assert is_pager(line) is pager


def test_strip_escapes_removes_pager_erase_cursor_codes_and_carriage_returns() -> None:
    raw = (
        "\x1b[16D                \x1b[16DGE0/1/0 up\r\n\x1b[42D"
        + " " * 42
        + "\x1b[42Dnext\x1b[0m\r"
    )
    assert strip_escapes(raw) == "GE0/1/0 up\nnext"


def test_strip_escapes_keeps_brackets_and_angle_brackets_of_real_text() -> None:
    assert strip_escapes("a > b ] [c] <d>\r\n") == "a > b ] [c] <d>\n"


def test_strip_escapes_applies_backspace_erasure() -> None:
    assert strip_escapes("dis\b \bsplay") == "display"


def test_remove_pager_marks_inline() -> None:
    assert remove_pager_marks("  ---- More ----GE0/1/0 up") == "GE0/1/0 up"
    assert remove_pager_marks("more text") == "more text"


def test_only_text_with_a_pager_mark_goes_through_the_pager_pattern() -> None:
    rule = "-" * 120
    assert not may_hold_pager_marks(rule)  # tables' rules skip the (backtracking) pattern
    assert remove_pager_marks(rule) == rule
    assert may_hold_pager_marks("  ---- More ----")
    assert may_hold_pager_marks("x\n  ---- MORE ----\ny")
    assert remove_pager_marks("  ---- MORE ----Eth-Trunk1 up") == "Eth-Trunk1 up"
