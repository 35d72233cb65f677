"""Cleaning raw CLI text: echo, prompts, pager noise and router errors."""

from __future__ import annotations

import pytest

from app.domain.errors import RouterCommandError
from app.vrp.text import clean_lines, is_prompt_line, strip_terminal_noise


@pytest.mark.parametrize(
    "prompt",
    [
        "<NE8000>",
        "<BHE-VTA-F1A-BGP-01>",
        "[~NE8000]",
        "[*NE8000-GigabitEthernet0/3/0]",
        "[HUAWEI]",
        "<core.router_01 sp>",
    ],
)
def test_prompt_lines_are_recognised(prompt: str) -> None:
    assert is_prompt_line(prompt)
    assert is_prompt_line(f"  {prompt}  ")


@pytest.mark.parametrize(
    "line",
    ["Info: value > 3", "  GigabitEthernet0/1/0 up up", "[~NE8000] display version", "a]b"],
)
def test_output_lines_are_not_prompts(line: str) -> None:
    assert not is_prompt_line(line)


def test_echo_and_trailing_prompt_are_dropped() -> None:
    text = "<NE8000>display version\nline one\n  line two\n<NE8000>\n"
    assert clean_lines(text) == ["line one", "  line two"]


def test_provenance_comment_and_bare_echo_are_dropped() -> None:
    text = "# source: somewhere\ndisplay version\nHuawei Versatile Routing Platform Software\n"
    assert clean_lines(text) == ["Huawei Versatile Routing Platform Software"]


def test_mangled_prompt_echo_is_dropped() -> None:
    assert clean_lines("HUAWEI-BNG-01>display ip-pool pool-usage\nrow\n") == ["row"]


def test_pager_sequences_are_removed_without_losing_lines() -> None:
    raw = "row 1\r\nrow 2\r\n  ---- More ----\x1b[16D                \x1b[16Drow 3\r\n"
    assert strip_terminal_noise(raw).split("\n")[:3] == ["row 1", "row 2", "row 3"]
    assert clean_lines(raw) == ["row 1", "row 2", "row 3"]


def test_output_lines_with_angle_brackets_are_kept() -> None:
    text = "<R1>display x\nvalue <5> and [3]\n  [~R1] is not at line start\n<R1>"
    assert clean_lines(text) == ["value <5> and [3]", "  [~R1] is not at line start"]


@pytest.mark.parametrize(
    "output",
    [
        "                ^\nError: Unrecognized command found at '^' position.",
        "Error:Incomplete command found at '^' position.",
        "Error: You do not have permission to run the command or the command is incomplete.",
    ],
)
def test_router_errors_raise_with_the_router_message(output: str) -> None:
    with pytest.raises(RouterCommandError) as caught:
        clean_lines(f"<NE8000>display foo\n{output}\n<NE8000>")
    assert caught.value.line is not None
    assert caught.value.line.strip().startswith("Error")
    assert "Error" in str(caught.value)


def test_empty_input_gives_no_lines() -> None:
    assert clean_lines("") == []
    assert clean_lines("<NE8000>\n\n") == []
