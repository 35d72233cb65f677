"""TOML files an operator edits by hand: read with a hint for every mistake, written back
changing only what changed.

Reading takes what Windows Notepad writes (a UTF-8 byte-order mark) and turns each syntax
error into one line naming the line and column, the line itself (a value that may be a
secret is not echoed) and a hint for the usual mistakes. Writing goes through tomlkit: the
file as it is on disk is parsed, only the keys whose meaning changed are set or removed,
and every comment, blank line and the order of tables and keys stay as the operator left
them.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from typing import Any

import tomlkit
from tomlkit.container import Container
from tomlkit.items import Table

BOM = "\ufeff"
_MISSING = object()
_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_AT_END = re.compile(r"\s*\(at end of document\)\s*$")
_SECRET_LOOKING = re.compile(r"pass|secret|token|key", re.IGNORECASE)

# First words of tomllib's messages -> what the operator most likely has to fix.
_HINTS: tuple[tuple[str, str], ...] = (
    ("Invalid value", 'text needs quotes (host = "10.0.0.1"); true/false are lowercase; '
     'lists look like ["a", "b"]'),
    ("Invalid statement", "each line is `key = value`, a `[table]` header or a `# comment`"),
    ("Expected '=' after a key", "write `key = value`, with '=' (not ':')"),
    ("Cannot declare", "this [table] appears twice: keep one and merge their keys"),
    ("Cannot overwrite a value", "this key is set twice in the same table: keep one"),
    ("Cannot mutate immutable", "this key is set twice in the same table: keep one"),
    ("Unterminated string", "close the quote on the same line"),
    ("Unclosed array", "close the list with ']'"),
    ("Unclosed inline table", "close the inline table with '}' on the same line"),
    ("Illegal character", "close the quote on the same line; use \\\\ for a backslash"),
    ("Unescaped '\\' in a string", "in \"...\" write a backslash as \\\\, or use '...'"),
    ("Expected newline or end of document",
     'one `key = value` per line, comments after #; text needs quotes (host = "10.0.0.1")'),
    ("Expected ']' at the end of a table declaration",
     'close the header with ]; names with spaces or dots need quotes: [routers."bras sp1"]'),
    ("Invalid initial character for a key part",
     'names with other characters need quotes: [routers."bras sp1"]'),
    ("Invalid character", 'names with other characters need quotes: [routers."bras sp1"]'),
    ("Invalid date or datetime", 'text needs quotes (host = "10.0.0.1")'),
)
_DEFAULT_HINT = "check the TOML syntax at that spot (strings quoted, one key per line)"


class TomlSyntaxError(ValueError):
    """The text is not TOML; the message names the place and gives a hint."""


def read_toml(text: str, *, source: str) -> dict[str, Any]:
    """Parse TOML text (a leading byte-order mark is fine); TomlSyntaxError otherwise."""
    text = text.removeprefix(BOM)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise TomlSyntaxError(describe_error(str(error), text, source=source)) from None


def describe_error(message: str, text: str, *, source: str) -> str:
    """One line: where (line, column, the line itself), what tomllib said, and a hint."""
    lines = text.splitlines()
    reason, line, column = message, None, None
    if match := _WHERE.search(message):
        reason = message[: match.start()]
        line, column = int(match.group(1)), int(match.group(2))
    elif match := _AT_END.search(message):
        reason = message[: match.start()]
        line = max(1, len(lines))
    hint = next((hint for start, hint in _HINTS if reason.startswith(start)), _DEFAULT_HINT)
    where = "" if line is None else f", line {line}"
    if column is not None:
        where += f", column {column}"
    shown = ""
    if line is not None and 0 < line <= len(lines) and lines[line - 1].strip():
        shown = f" (`{_safe_to_show(lines[line - 1].strip())}`)"
    return f"{source}{where}: not valid TOML: {reason}{shown}. Hint: {hint}"


def _safe_to_show(line: str) -> str:
    """The line, or only its key when the value could be a password or a token."""
    if _SECRET_LOOKING.search(line):
        key = line.split("=", 1)[0].strip()
        return f"{key} = …" if "=" in line else "…"
    return line[:120]


# ----- writing ---------------------------------------------------------------------------


def update_document(
    text: str | None,
    desired: Mapping[str, Any],
    current: Mapping[str, Any],
    *,
    header: Sequence[str] = (),
) -> str:
    """TOML text that means `desired`, made from the file's `text` (None: no file yet).

    `current` is what `text` means now, in the same nested shape as `desired` (tables are
    mappings; None means "absent"). A key is written only where its wanted value differs
    from its current one, removed where it is no longer wanted, and left alone otherwise,
    so what the operator wrote (comments, order, a key left at its default) survives. A new
    file starts with the `header` comment lines.
    """
    if text is None:
        document = tomlkit.document()
        for line in header:
            document.add(tomlkit.comment(line))
        if header:
            document.add(tomlkit.nl())
    else:
        document = tomlkit.parse(text.removeprefix(BOM))
    _reconcile(document, desired, current)
    return tomlkit.dumps(document)


def _reconcile(
    container: Container | Table, desired: Mapping[str, Any], current: Mapping[str, Any]
) -> None:
    for key in [key for key in current if key not in desired]:
        if key in container:
            del container[key]
    for key, value in desired.items():
        old = current.get(key, _MISSING)
        if isinstance(value, Mapping):
            old_table = old if isinstance(old, Mapping) else {}
            if key not in container:
                if not _differs(value, old_table):
                    continue  # nothing to say: no empty [table] for defaults
                container[key] = _new_table(value)
            _reconcile(container[key], value, old_table)
        elif value is None:
            if key in container:
                del container[key]
        elif old != value:
            container[key] = _toml_value(value)


def _differs(desired: Mapping[str, Any], current: Mapping[str, Any]) -> bool:
    if any(key not in desired for key in current):
        return True
    for key, value in desired.items():
        old = current.get(key, _MISSING)
        if isinstance(value, Mapping):
            if _differs(value, old if isinstance(old, Mapping) else {}):
                return True
        elif value is not None and old != value:
            return True
    return False


def _new_table(value: Mapping[str, Any]) -> Table:
    # A table of tables ([routers.NAME] ...) is written as a super table: no bare [routers].
    nested = bool(value) and all(isinstance(item, Mapping) for item in value.values())
    return tomlkit.table(is_super_table=nested)


def _toml_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"TOML settings cannot hold {value!r}")
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):  # StrEnum (TransportKind) included: written as its text
        return str(value)
    if isinstance(value, list | tuple):
        return [_toml_value(item) for item in value]
    raise TypeError(f"no TOML form for {type(value).__name__}")
