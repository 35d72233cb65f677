"""README's quick start is what CI runs: the test command must be the same line."""

from __future__ import annotations

import re

from tests.support.fixtures import REPO_ROOT


def _shell_blocks(text: str) -> list[str]:
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", text, re.DOTALL)]


def test_quick_start_has_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = _shell_blocks(quick_start)
    assert len(commands) == 2
    assert all("\n" not in command for command in commands)
    start_command, test_command = commands
    assert "ne8000monitor" in start_command
    assert "pytest" in test_command
    ci_script = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    ci_lines = [line.strip() for line in ci_script.splitlines()]
    assert test_command in ci_lines


def test_settings_example_in_readme_is_valid() -> None:
    from app.engine.settings import parse_settings

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"```toml\n(.*?)```", readme, re.DOTALL)
    settings = parse_settings(example, source="README.md")
    assert list(settings.routers) == ["bras-sp1"]
    assert settings.routers["bras-sp1"].username == "noc"
