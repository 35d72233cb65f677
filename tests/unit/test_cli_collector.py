"""`ne8000monitor [gui] --collector URL ...`: the options, with or without the word `gui`,
the collector saved in the settings file, and clear one-line refusals of what does not fit
(run as a real subprocess, which stops before any window opens)."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from app.__main__ import build_parser, default_to_gui
from app.commands.gui import CollectorChoice, collector_choice
from app.engine.settings import CollectorSettings, Settings, save_settings
from tests.support.cli import ROOT, environment

PIN = "ab" * 32


def _args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(default_to_gui(list(argv)))


def test_the_options_work_without_the_word_gui(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    token_file = tmp_path / "token"
    token_file.write_text("abc.def\n", encoding="utf-8")
    for argv in (
        ["--collector", "https://collector.noc:8000/", "--token-file", str(token_file),
         "--fingerprint", PIN],
        ["gui", "--collector", "https://collector.noc:8000", "--token-file", str(token_file),
         "--fingerprint", PIN.upper()],
    ):
        choice = collector_choice(_args(*argv))
        assert choice == CollectorChoice(
            "https://collector.noc:8000", "abc.def", ":".join(["AB"] * 32)
        )


def test_the_collector_of_the_settings_file_is_used_unless_local(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    save_settings(
        Settings(collector=CollectorSettings(url="http://10.0.0.5:8000")),
        tmp_path / "ne8000monitor" / "settings.toml",
    )
    assert collector_choice(_args()) == CollectorChoice("http://10.0.0.5:8000", None, None)
    assert collector_choice(_args("--local")) is None
    assert collector_choice(_args("--demo")) is None  # demo mode runs its own routers
    assert collector_choice(_args("--collector", "http://other:8000", "--token", "t")) == (
        CollectorChoice("http://other:8000", "t", None)
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--token", "t"], "go with --collector URL"),
        (["--collector", "http://c:8000", "--fingerprint", PIN], "https://"),
        (["--collector", "ftp://c"], "not an http:// or https://"),
        (["--collector", "http://c:8000/?token=x"], "the token goes apart"),
        (["--collector", "http://c:8000", "--demo"], "does not go with --collector"),
        (["--collector", "https://c:8000", "--fingerprint", "12:34"], "64 hexadecimal"),
    ],
)
def test_what_does_not_fit_is_refused_in_one_line(
    argv: list[str], message: str, tmp_path: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", *argv],
        env=environment(tmp_path),
        cwd=str(ROOT),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ne8000monitor gui: ")
    assert message in lines[0]


def test_a_token_file_that_cannot_be_read_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"--token-file .*missing"):
        collector_choice(
            _args("--collector", "http://c:8000", "--token-file", str(tmp_path / "missing"))
        )
    empty = tmp_path / "empty"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(ValueError, match="the file is empty"):
        collector_choice(_args("--collector", "http://c:8000", "--token-file", str(empty)))
