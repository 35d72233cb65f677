"""`ne8000monitor parse COMMAND FILE`: router output in, JSON out.

Exit 0 with JSON on stdout; exit 2 with one line on stderr that names the command and the
first line that could not be understood. Never a traceback, never a silent empty result.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path
from typing import Any

from app.domain.errors import ParseError, UnknownCommandError

EXIT_PARSE_FAILED = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `parse` subcommand."""
    parser = subparsers.add_parser(
        "parse",
        help="parse saved router output and print it as JSON",
        description=(
            "Parse FILE as the output of COMMAND (as typed on the router, abbreviations "
            "allowed) and print the result as JSON. FILE may include the echoed command "
            "line and the trailing prompt; '-' reads standard input."
        ),
    )
    parser.add_argument("command", metavar="COMMAND", help='e.g. "display interface brief"')
    parser.add_argument("file", metavar="FILE", help="saved output, or - for stdin")
    parser.set_defaults(handler=run)


def to_jsonable(value: Any) -> Any:
    """Dataclasses, tuples and mappings to plain JSON types (ints stay exact)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    return Path(path).read_text(encoding="utf-8", errors="replace")


def _fail(message: str) -> int:
    print(f"ne8000monitor parse: {' '.join(message.split())}", file=sys.stderr)
    return EXIT_PARSE_FAILED


def run(args: argparse.Namespace) -> int:
    """Parse and print; every expected failure becomes one stderr line and exit 2."""
    import json  # noqa: PLC0415 (not at --help time, like the parsers)

    from app.vrp.catalog import parse_output, resolve  # noqa: PLC0415

    try:
        canonical = resolve(args.command).canonical
        text = _read(args.file)
    except UnknownCommandError as error:
        return _fail(str(error))
    except OSError as error:
        return _fail(f"cannot read {args.file}: {error.strerror or error}")
    try:
        result = parse_output(args.command, text)
    except ParseError as error:
        if not error.command:
            error = error.with_command(canonical)
        return _fail(str(error))
    try:
        json.dump(to_jsonable(result), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # `parse ... | head` closed the pipe: not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
