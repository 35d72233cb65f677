"""`ne8000monitor capture`: save a sample of a router's own output for the parser developers.

Runs every command the app polls once, and writes the raw answers, the app version and what
the parsers made of each into one zip (mode 0600)::

    ne8000monitor capture bras-sp1                       # capture-bras-sp1-<time>.zip
    ne8000monitor capture bras-sp1 -o bras-sp1.zip
    ne8000monitor capture --host 10.0.0.1 --username noc --no-redact

ROUTER and the connection options are those of `snapshot`. Subscriber usernames, IP and MAC
addresses are replaced by stable placeholders unless ``--no-redact``. Exit status: 0 the
capture was written and every command answered; 1 it was written but some commands got no
answer; 2 nothing was written (login, host key, bad arguments, the file exists).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.commands.router_target import (
    RouterTarget,
    UsageError,
    add_router_arguments,
    login_failure_message,
    quiet_logging,
    resolve_target,
)
from app.domain.errors import NE8000MonitorError

if TYPE_CHECKING:
    from app.engine.capture import Capture

EXIT_INCOMPLETE = 1
EXIT_FAILED = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `capture` subcommand."""
    parser = subparsers.add_parser(
        "capture",
        help="save every polled command's raw output from a router into a zip (for support)",
        description=(
            "Log in to a router (a profile from settings.toml, or --host), run every command "
            "the app polls once, and save the raw answers, the app version and the parse "
            "outcome of each into a zip. Subscriber usernames, IP and MAC addresses are "
            "replaced by stable placeholders unless --no-redact. Exit 0 written, 1 written "
            "but some commands got no answer, 2 nothing written."
        ),
    )
    add_router_arguments(parser)
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE.zip",
        help="where to write (default: capture-ROUTER-TIME.zip here); never overwritten",
    )
    parser.add_argument(
        "--no-redact",
        action="store_true",
        help="keep usernames, IP and MAC addresses as printed (check before sharing)",
    )
    parser.add_argument(
        "--details",
        type=int,
        default=None,
        metavar="N",
        help="capture at most N `display interface` details (default: every port polled)",
    )
    parser.set_defaults(handler=run)


def _fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"ne8000monitor capture: {' '.join(message.split())}", file=sys.stderr)
    return code


async def _collect(target: RouterTarget, details: int | None) -> Capture | str:
    """The capture, or the one-line reason nothing could be collected."""
    from app import __version__  # noqa: PLC0415
    from app.commands.router_target import build_cli_engine  # noqa: PLC0415
    from app.engine.capture import collect_capture  # noqa: PLC0415

    profile = target.profile
    engine = build_cli_engine(profile)
    try:
        pool = engine.pools.get(profile.name)
        try:
            async with pool.session():
                pass  # log in once: a router we cannot reach gets one clear error
        except NE8000MonitorError as error:
            return login_failure_message(error, target)
        return await collect_capture(
            pool, target.label, __version__, detail_limit=details, timeout=profile.command_timeout
        )
    finally:
        await engine.close()


def run(args: argparse.Namespace) -> int:
    """Collect and write; 0 complete, 1 some commands unanswered, 2 nothing written."""
    # The engine and the parsers load here, not when the command line is parsed.
    import asyncio  # noqa: PLC0415

    from app.engine.capture import (  # noqa: PLC0415
        capture_documents,
        default_capture_name,
        summary_line,
        write_capture,
    )
    from app.engine.profiles import ProfileError, load_profiles  # noqa: PLC0415

    quiet_logging("capture")
    if args.details is not None and args.details < 0:
        return _fail("--details must be 0 or more")
    try:
        profiles = load_profiles() if args.router else {}
        target = resolve_target(args, profiles)
    except (UsageError, ProfileError, ValueError) as error:
        return _fail(str(error))
    path: Path = args.output or Path(default_capture_name(target.label))
    if path.exists():  # checked before logging in: nothing is lost, no command is run
        return _fail(f"{path} exists; choose another file with -o")
    try:
        result = asyncio.run(_collect(target, args.details))
    except NE8000MonitorError as error:
        return _fail(str(error))
    except KeyboardInterrupt:
        return _fail("interrupted")
    if isinstance(result, str):
        return _fail(result)
    try:
        write_capture(path, capture_documents(result, redact=not args.no_redact))
    except FileExistsError:
        return _fail(f"{path} exists; choose another file with -o")
    except OSError as error:
        return _fail(f"cannot write {path}: {error.strerror or error}")
    print(summary_line(result, path))
    if not result.complete:
        return _fail("some commands got no answer (see manifest.json)", EXIT_INCOMPLETE)
    return 0
