"""Structured logs: JSON lines, rotation, redaction, and no crash without stdout/stderr."""

from __future__ import annotations

import json
import logging
import logging.handlers
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from app.engine import logging_setup
from app.engine.logging_setup import (
    SecretRegistry,
    configure,
    configure_from_settings,
    default_log_file,
    parse_level,
)
from app.engine.settings import LoggingSettings
from app.platform.dirs import user_log_dir
from tests.support.files import file_modes, usual_umask

ROOT = Path(__file__).resolve().parents[3]
LOG_NAME = "ne8000monitor.log"


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    logging_setup.shutdown()
    root.handlers[:] = handlers
    root.setLevel(level)


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_json_lines_are_one_valid_object_per_record(tmp_path: Path) -> None:
    log_file = tmp_path / "logs" / "app.log"
    configure("DEBUG", json_lines=True, log_file=log_file, console=False)
    log = logging.getLogger("ne8000monitor.test")
    log.info("poll of %s took %.1f s", "bras-1", 1.25, extra={"router": "bras-1", "n": 3})
    log.debug("two\nlines")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        log.exception("poll failed")
    first, second, third = _lines(log_file)
    assert {k: first[k] for k in ("level", "logger", "message", "router", "n")} == {
        "level": "INFO",
        "logger": "ne8000monitor.test",
        "message": "poll of bras-1 took 1.2 s",
        "router": "bras-1",
        "n": 3,
    }
    stamp = datetime.fromisoformat(str(first["time"]))
    assert stamp.utcoffset() is not None
    assert stamp.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert second["message"] == "two\nlines"
    assert third["level"] == "ERROR"
    assert "RuntimeError: boom" in str(third["exception"])
    assert len(log_file.read_text().splitlines()) == 3


def test_text_format_and_level(tmp_path: Path) -> None:
    log_file = tmp_path / "app.log"
    configure("warning", json_lines=False, log_file=log_file, console=False)
    log = logging.getLogger("ne8000monitor.x")
    log.info("hidden")
    log.warning("shown %d", 7)
    (line,) = log_file.read_text().splitlines()
    assert line.endswith(" WARNING  ne8000monitor.x: shown 7")


def test_rotation_is_configured(tmp_path: Path) -> None:
    handlers = configure("INFO", log_file=tmp_path / "a.log", console=False)
    (handler,) = handlers
    assert isinstance(handler, logging.handlers.RotatingFileHandler)
    assert (handler.maxBytes, handler.backupCount) == (5 * 1024 * 1024, 5)
    assert handler.baseFilename == str(tmp_path / "a.log")


def test_rotation_rolls_files_over(tmp_path: Path) -> None:
    log_file = tmp_path / "a.log"
    configure("INFO", log_file=log_file, console=False, max_bytes=200, backup_count=2)
    log = logging.getLogger("ne8000monitor.rot")
    for index in range(40):
        log.info("line %02d %s", index, "x" * 40)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["a.log", "a.log.1", "a.log.2"]
    assert "line 39" in log_file.read_text()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_log_files_are_private_rotated_ones_too(tmp_path: Path) -> None:
    folder = tmp_path / "log"
    folder.mkdir()
    log_file = folder / "a.log"
    (folder / "a.log.2").write_text("from an earlier release\n")  # created 0644 back then
    with usual_umask():
        (folder / "a.log.2").chmod(0o644)
        configure("INFO", log_file=log_file, console=False, max_bytes=200, backup_count=2)
        log = logging.getLogger("ne8000monitor.private")
        for index in range(40):
            log.info("router bras-%02d at 10.0.0.%d %s", index, index, "x" * 40)
    assert file_modes(folder) == {"a.log": 0o600, "a.log.1": 0o600, "a.log.2": 0o600}


def test_secrets_are_redacted_everywhere(tmp_path: Path) -> None:
    registry = SecretRegistry()
    registry.add("Hunter2!")
    registry.add("")  # ignored
    log_file = tmp_path / "a.log"
    configure("INFO", json_lines=True, log_file=log_file, console=False, registry=registry)
    log = logging.getLogger("ne8000monitor.sec")
    log.info("login with %s failed", "Hunter2!")
    log.info("url http://x/?token=abc123&x=1", extra={"detail": "password=letmein"})
    try:
        raise ValueError("bad password Hunter2!")
    except ValueError:
        log.exception("oops")
    text = log_file.read_text()
    for secret in ("Hunter2!", "abc123", "letmein"):
        assert secret not in text
    first, second, third = _lines(log_file)
    assert first["message"] == "login with ****** failed"
    assert second["message"] == "url http://x/?token=******&x=1"
    assert second["detail"] == "password=******"
    assert "ValueError: bad password ******" in str(third["exception"])


def test_global_registry(tmp_path: Path) -> None:
    log_file = tmp_path / "a.log"
    configure("INFO", log_file=log_file, console=False)
    logging_setup.register_secret("Zebra-77")
    try:
        logging.getLogger("ne8000monitor.g").warning("echo Zebra-77")
    finally:
        logging_setup.SECRETS.discard("Zebra-77")
    assert log_file.read_text().rstrip().endswith("echo ******")


def test_reconfigure_replaces_only_its_own_handlers(tmp_path: Path) -> None:
    root = logging.getLogger()
    foreign = logging.NullHandler()
    root.addHandler(foreign)
    first = configure("INFO", log_file=tmp_path / "a.log", console=False)
    second = configure("INFO", log_file=tmp_path / "b.log", console=False)
    assert foreign in root.handlers
    assert second[0] in root.handlers
    assert first[0] not in root.handlers
    root.removeHandler(foreign)


def test_console_goes_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    configure("INFO", json_lines=True, console=True)
    logging.getLogger("ne8000monitor.c").info("hello", extra={"router": "r1"})
    captured = capsys.readouterr()
    assert captured.out == ""
    assert json.loads(captured.err)["router"] == "r1"


def test_no_stderr_does_not_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    handlers = configure("INFO", console=True)
    assert [type(h) for h in handlers] == [logging.NullHandler]
    logging.getLogger("ne8000monitor.w").error("nobody hears this")
    with_file = configure("INFO", console=True, log_file=tmp_path / "a.log")
    assert [type(h) for h in with_file] == [logging_setup.PrivateRotatingFileHandler]
    logging.getLogger("ne8000monitor.w").error("but the file does")
    assert "but the file does" in (tmp_path / "a.log").read_text()


def test_windowed_process_without_std_streams(tmp_path: Path) -> None:
    """As a pythonw/--windowed build starts: sys.stdout and sys.stderr are None."""
    script = (
        "import sys, logging\n"
        "sys.stdout = None\n"
        "sys.stderr = None\n"
        "from app.engine.logging_setup import configure\n"
        "configure('DEBUG', json_lines=True, log_file=None, console=True)\n"
        "logging.getLogger('x').error('no stream')\n"
        "logging.getLogger('x').warning('%s', 1, 2)\n"  # a bad call
        "configure('DEBUG', log_file=__import__('pathlib').Path(sys.argv[2]), console=True)\n"
        "logging.getLogger('x').warning('%s', 1, 2)\n"
        "logging.getLogger('x').warning('%d', 'text')\n"
        "open(sys.argv[1], 'w').write('done')\n"
    )
    marker = tmp_path / "done"
    result = subprocess.run(
        [sys.executable, "-c", script, str(marker), str(tmp_path / "w.log")],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert marker.read_text() == "done"
    assert (
        (tmp_path / "w.log")
        .read_text()
        .splitlines()[0]
        .endswith("WARNING  x: %s (unformattable arguments: (1, 2))")
    )


def test_levels_and_default_paths(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert parse_level("debug") == logging.DEBUG
    assert parse_level(" Error ") == logging.ERROR
    assert parse_level(15) == 15
    with pytest.raises(ValueError, match="log level 'loud': expected one of DEBUG"):
        parse_level("loud")
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert user_log_dir() == tmp_path / "ne8000monitor" / "log"
    assert default_log_file() == tmp_path / "ne8000monitor" / "log" / "ne8000monitor.log"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert user_log_dir() == tmp_path / ".local" / "state" / "ne8000monitor" / "log"


def test_configure_from_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (default,) = configure_from_settings(LoggingSettings(), console=False)
    assert isinstance(default, logging.handlers.RotatingFileHandler)
    assert default.baseFilename == str(tmp_path / "state" / "ne8000monitor" / "log" / LOG_NAME)
    assert logging.getLogger().level == logging.INFO
    chosen = LoggingSettings(level="DEBUG", json_lines=True, file_path=str(tmp_path / "x.log"))
    (handler,) = configure_from_settings(chosen, console=False)
    assert isinstance(handler, logging.handlers.RotatingFileHandler)
    assert handler.baseFilename == str(tmp_path / "x.log")
    assert isinstance(handler.formatter, logging_setup.JsonLinesFormatter)
    assert logging.getLogger().level == logging.DEBUG
    (null,) = configure_from_settings(LoggingSettings(file=False), console=False)
    assert type(null) is logging.NullHandler


def test_ssh_library_chatter_stays_out_below_debug(tmp_path: Path) -> None:
    """asyncssh logs every channel and auth step at INFO; `serve` must not fill the console."""
    log_file = tmp_path / "app.log"
    configure("INFO", log_file=log_file, console=False)
    logging.getLogger("asyncssh").info("[conn=0, chan=1] Command: display cpu-usage")
    logging.getLogger("asyncssh").warning("connection lost")
    logging.getLogger("ne8000monitor.engine").info("router up")
    logging_setup.shutdown()
    text = log_file.read_text(encoding="utf-8")
    assert "Command: display cpu-usage" not in text
    assert "connection lost" in text
    assert "router up" in text
    configure("DEBUG", log_file=log_file, console=False)
    logging.getLogger("asyncssh").info("[conn=0, chan=2] Command: display version")
    logging_setup.shutdown()
    assert "Command: display version" in log_file.read_text(encoding="utf-8")
