"""Structured, redacted logging for the GUI, ``serve`` and the commands.

:func:`configure` installs on the root logger (so asyncssh and aiohttp records get the same
treatment):

* a console handler on stderr, when there is one: windowed builds start with
  ``sys.stderr = None`` and must not crash;
* optionally a rotating file (5 MB x 5 by default), normally ``user_log_dir()/<app>.log``,
  private to the user (0600, rotated files too);
* on every handler a :class:`RedactingFilter` that masks registered secrets (router
  passwords, feed tokens) and ``password=...``-style pairs in the message, the string
  extras and the traceback, via :mod:`app.domain.redaction`;
* plain text or JSON lines (:class:`JsonLinesFormatter`: one object per line with ``time``
  (ISO 8601, UTC), ``level``, ``logger``, ``message``, the record's extra fields and
  ``exception``).

Calling it again replaces what the previous call installed, and nothing else.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.domain.redaction import redact
from app.engine.settings import LoggingSettings
from app.platform.dirs import APP_NAME, user_log_dir
from app.platform.files import narrow, open_private, private_dir

LOG_FILE_NAME = f"{APP_NAME}.log"
MAX_BYTES = 5 * 1024 * 1024
BACKUP_COUNT = 5
TEXT_FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"

# Attributes every LogRecord has; anything else was passed with `extra=`.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}
_MARK = "_ne8000monitor_handler"


class SecretRegistry:
    """Literal secret values to mask in every log line (thread-safe; values never logged)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: frozenset[str] = frozenset()

    def add(self, value: str | None) -> None:
        """Mask `value` from now on (empty values and None are ignored)."""
        if value:
            with self._lock:
                self._values = self._values | {value}

    def discard(self, value: str) -> None:
        """Stop masking `value` (a password was changed)."""
        with self._lock:
            self._values = self._values - {value}

    def values(self) -> frozenset[str]:
        """The current secrets (an immutable snapshot)."""
        return self._values


SECRETS = SecretRegistry()


def register_secret(value: str | None) -> None:
    """Mask `value` in all log output (the router password read from env or keyring...)."""
    SECRETS.add(value)


class RedactingFilter(logging.Filter):
    """Masks secrets in the message, string extras and traceback of each record it passes.

    It rewrites the record (message merged with its args), so it belongs on handlers: a
    filter on a logger does not see records propagated from child loggers.
    """

    def __init__(self, registry: SecretRegistry = SECRETS) -> None:
        super().__init__()
        self._registry = registry

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = self._registry.values()
        record.msg = redact(_message(record), secrets)
        record.args = None
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, redact(value, secrets))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, secrets)
        return True


def _message(record: logging.LogRecord) -> str:
    # A filter is not protected by the handler's error handling: a bad `log.info("%s", 1, 2)`
    # must still log something rather than raise into the caller.
    try:
        return record.getMessage()
    except Exception:  # any __str__ or %-formatting failure
        return f"{record.msg!s} (unformattable arguments: {record.args!r})"


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per record, on one line (newlines in values are escaped by JSON)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry.setdefault(key, value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files only the user can read (0600), the rotated ones too.

    Log lines name routers, addresses and users; a file created with the umask's 0644
    would show them to every account on the machine. Files an earlier release left
    readable are narrowed when the handler is made.
    """

    def __init__(self, filename: Path, *args: Any, **kwargs: Any) -> None:
        super().__init__(filename, *args, **kwargs)
        narrow(Path(self.baseFilename))
        for index in range(1, self.backupCount + 1):
            narrow(Path(self.rotation_filename(f"{self.baseFilename}.{index}")))

    def _open(self) -> Any:
        flags = os.O_WRONLY | (os.O_APPEND if "a" in self.mode else os.O_TRUNC)
        return os.fdopen(
            open_private(Path(self.baseFilename), flags),
            self.mode,
            encoding=self.encoding,
            errors=self.errors,
        )


def default_log_file() -> Path:
    """``<user log dir>/ne8000monitor.log``."""
    return user_log_dir() / LOG_FILE_NAME


def parse_level(level: str | int) -> int:
    """A logging level from a name (any case) or number; ValueError names a bad one."""
    if isinstance(level, int):
        return level
    value = logging.getLevelNamesMapping().get(level.strip().upper())
    if value is None:
        raise ValueError(
            f"log level {level!r}: expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL"
        )
    return value


def configure(
    level: str | int = "INFO",
    json_lines: bool = False,
    log_file: Path | None = None,
    console: bool = True,
    *,
    max_bytes: int = MAX_BYTES,
    backup_count: int = BACKUP_COUNT,
    registry: SecretRegistry = SECRETS,
) -> list[logging.Handler]:
    """Install the app's handlers on the root logger; returns them (for tests and shutdown).

    `log_file` None means no file; the caller picks :func:`default_log_file` or the settings'
    path. Without a usable stderr the console handler is skipped; with no handler at all a
    NullHandler keeps logging's last-resort writer (which needs stderr) out of the way.
    """
    numeric = parse_level(level)
    formatter: logging.Formatter = (
        JsonLinesFormatter() if json_lines else logging.Formatter(TEXT_FORMAT)
    )
    handlers: list[logging.Handler] = []
    if console and _usable(sys.stderr):
        handlers.append(logging.StreamHandler(sys.stderr))
    if log_file is not None:
        private_dir(log_file.parent)
        handlers.append(
            PrivateRotatingFileHandler(
                log_file,
                maxBytes=max_bytes,
                backupCount=backup_count,
                encoding="utf-8",
                delay=True,
            )
        )
    if not handlers:
        handlers.append(logging.NullHandler())
    root = logging.getLogger()
    shutdown()
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(RedactingFilter(registry))
        setattr(handler, _MARK, True)
        root.addHandler(handler)
    root.setLevel(numeric)
    _quiet_chatty_libraries(numeric)
    return handlers


# Libraries that log every connection step at INFO (asyncssh: each channel open/close, each
# auth attempt). Below DEBUG only their warnings reach the operator's console and log file;
# the app logs what matters about a session itself.
CHATTY_LIBRARIES: tuple[str, ...] = ("asyncssh", "telnetlib3")


def _quiet_chatty_libraries(level: int) -> None:
    library_level = logging.NOTSET if level <= logging.DEBUG else max(level, logging.WARNING)
    for name in CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(library_level)


def configure_from_settings(
    settings: LoggingSettings, *, console: bool = True
) -> list[logging.Handler]:
    """:func:`configure` from the ``[logging]`` settings (file on: its path or the default)."""
    log_file = None
    if settings.file:
        log_file = (
            Path(settings.file_path).expanduser() if settings.file_path else default_log_file()
        )
    return configure(settings.level, settings.json_lines, log_file, console)


def shutdown() -> None:
    """Remove and close the handlers :func:`configure` installed (others are left alone)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _MARK, False):
            root.removeHandler(handler)
            handler.close()


def _usable(stream: Any) -> bool:
    # Windowed (pythonw/PyInstaller --windowed) builds have sys.stderr None; some embedders
    # set a stream whose fileno() fails but write() works, which is fine for logging.
    return stream is not None and callable(getattr(stream, "write", None))
