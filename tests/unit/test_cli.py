"""`ne8000monitor` as a user runs it: --version, --help, and `parse` exit codes and output."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app import __version__
from tests.support.fixtures import fixture_path


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_version_prints_the_package_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"ne8000monitor {__version__}"


def test_help_lists_the_subcommands() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    assert "simulate" in result.stdout
    assert "parse" in result.stdout


def test_parse_prints_json_for_a_real_fixture() -> None:
    path = fixture_path("display-version__napalm-huawei-vrp__1.txt")
    result = run_cli("parse", "display version", str(path))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["model"] == "NE40E-X8A"
    assert data["vrp_version"] == "8.211"
    assert data["uptime_seconds"] == ((405 * 24 + 12) * 60 + 9) * 60


def test_parse_accepts_abbreviations_and_stdin() -> None:
    text = fixture_path("display-interface-brief__it-bras-notes__1.txt").read_text()
    result = run_cli("parse", "d int bri", "-", stdin=text)
    assert result.returncode == 0, result.stderr
    names = [row["name"] for row in json.loads(result.stdout)["interfaces"]]
    assert "Eth-Trunk20" in names
    assert "GigabitEthernet0/3/6" in names


def test_counters_above_2_to_53_stay_exact_in_json(tmp_path: Path) -> None:
    big = 2**60 + 12345
    source = fixture_path("display-interface__huawei-doc-ne40e-v800r012c10__1.txt").read_text()
    # Replace the first byte counter of the physical layout (`Input: N bytes`) with 61 bits.
    patched, count = re.subn(r"Input:\s*\d+ bytes", f"Input: {big} bytes", source, count=1)
    assert count == 1
    target = tmp_path / "big.txt"
    target.write_text(patched)
    result = run_cli("parse", "display interface", str(target))
    assert result.returncode == 0, result.stderr
    values = [row["input_bytes"] for row in json.loads(result.stdout)["interfaces"]]
    assert big in values


@pytest.mark.parametrize(
    ("command", "text", "expected_in_message"),
    [
        ("display version", "nothing like a router here\nsecond line\n", "nothing like a router"),
        (
            "display cpu-usage",
            "<NE8000>display cpu-usage\n        ^\nError: Wrong parameter found at '^' position.\n",
            "Error: Wrong parameter",
        ),
        ("display interface brief", "", "display interface brief"),
    ],
)
def test_unparseable_output_exits_2_with_one_line(
    tmp_path: Path, command: str, text: str, expected_in_message: str
) -> None:
    target = tmp_path / "out.txt"
    target.write_text(text)
    result = run_cli("parse", command, str(target))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert command in lines[0]
    assert expected_in_message in lines[0]
    assert "Traceback" not in result.stderr


def test_unknown_command_exits_2(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("anything\n")
    result = run_cli("parse", "show running-config", str(target))
    assert result.returncode == 2
    assert "show running-config" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_missing_file_exits_2_without_traceback(tmp_path: Path) -> None:
    result = run_cli("parse", "display version", str(tmp_path / "absent.txt"))
    assert result.returncode == 2
    assert "absent.txt" in result.stderr
    assert "Traceback" not in result.stderr
