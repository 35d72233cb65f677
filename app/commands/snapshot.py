"""`ne8000monitor snapshot`: connect, collect one full dashboard snapshot, print JSON, exit.

For Zabbix/Nagios external checks, cron jobs and debugging a router by hand::

    ne8000monitor snapshot bras-sp1                      # a profile from settings.toml
    ne8000monitor snapshot --host 10.0.0.1 --username noc

The password comes from the OS keyring (entry of the profile name, or of the host), else
from the ROUTER_PASSWORD environment variable, else it is prompted for without echo.
Exit status: 0 with every section collected; 1 when some sections failed (the JSON is still
printed, their ``error`` says why, and stderr names them); 2 when no snapshot could be
taken at all (connection, login, host key, bad arguments), with a one-line reason.
"""

from __future__ import annotations

import argparse
import gc
import sys
from typing import TYPE_CHECKING, Any

from app.commands.parse import to_jsonable
from app.commands.router_target import (
    RouterTarget,
    UsageError,
    add_router_arguments,
    build_cli_pools,
    login_failure_message,
    quiet_logging,
    resolve_target,
)
from app.domain.errors import NE8000MonitorError
from app.domain.router import RouterProfile

if TYPE_CHECKING:
    from app.engine.pool import SessionPool

EXIT_PARTIAL = 1
EXIT_FAILED = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `snapshot` subcommand."""
    parser = subparsers.add_parser(
        "snapshot",
        help="collect one dashboard snapshot from a router and print it as JSON",
        description=(
            "Log in to a router (a profile from settings.toml, or --host), collect online "
            "users, subscriber counters, CPU, memory, health, version, interfaces, domains, "
            "IP pools and alarms concurrently, print JSON and exit (0 ok, 1 partial, 2 failed)."
        ),
    )
    add_router_arguments(parser)
    parser.add_argument(
        "--details",
        type=int,
        default=None,
        metavar="N",
        help="fetch at most N interface details (default: every up port and Eth-Trunk)",
    )
    parser.set_defaults(handler=run)


def _fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"ne8000monitor snapshot: {' '.join(message.split())}", file=sys.stderr)
    return code


async def _log_in(pool: SessionPool) -> None:
    """Open the pool's sessions together, so the logins overlap instead of queueing behind
    the first commands. Raises the first error when no session could be opened at all (a
    router we cannot reach gets one clear error); fewer sessions than asked for will do."""
    import asyncio  # noqa: PLC0415 (loaded by now: this runs on its loop)

    async def one() -> None:
        async with pool.session():
            pass

    outcomes = await asyncio.gather(*(one() for _ in range(pool.size)), return_exceptions=True)
    errors = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    for error in errors:
        if not isinstance(error, NE8000MonitorError):
            raise error  # a bug or a cancellation, not a router that said no
    if len(errors) == len(outcomes):
        raise errors[0]


async def _collect(target: RouterTarget, details: int | None) -> dict[str, Any] | str:
    """The snapshot as JSON data, or the one-line reason nothing could be collected."""
    import asyncio  # noqa: PLC0415

    from app.engine.snapshot import collect_snapshot  # noqa: PLC0415
    from app.vrp.catalog import all_commands  # noqa: PLC0415

    profile = target.profile
    pools = build_cli_pools(profile)
    try:
        pool = pools.get(profile.name)
        # The parsers load (tens of milliseconds of imports and regex compiling) in a thread
        # while the logins wait on the router; loaded at the first answer instead, they would
        # hold the event loop while the other session's answer waits.
        parsers = asyncio.create_task(asyncio.to_thread(all_commands))
        try:
            await _log_in(pool)
        except NE8000MonitorError as error:
            return login_failure_message(error, target)
        finally:
            await parsers
        snapshot = await collect_snapshot(pool, profile.name, detail_limit=details)
    finally:
        await pools.close()
    return {
        "router": snapshot.router,
        "host": profile.host,
        "taken_at": snapshot.taken_at,
        "seconds": round(snapshot.seconds, 3),
        "ok": snapshot.ok,
        "sections": {
            name: {"command": s.command, "data": to_jsonable(s.data), "error": s.error}
            for name, s in snapshot.sections.items()
        },
        "interfaces": {
            name: {"command": s.command, "data": to_jsonable(s.data), "error": s.error}
            for name, s in snapshot.interfaces.items()
        },
    }


def _profiles() -> dict[str, RouterProfile]:
    """The settings file's routers (the settings machinery loads only for a named router)."""
    from app.engine.profiles import ProfileError, load_profiles  # noqa: PLC0415

    try:
        return load_profiles()
    except ProfileError as error:
        raise UsageError(str(error)) from error


def run(args: argparse.Namespace) -> int:
    """Collect and print; 0 ok, 1 partial, 2 nothing collected."""
    # asyncio and json load here, not when the command line is parsed (`--version`).
    import asyncio  # noqa: PLC0415
    import json  # noqa: PLC0415

    quiet_logging("snapshot")
    try:
        profiles = _profiles() if args.router else {}
        target = resolve_target(args, profiles)
    except (UsageError, ValueError) as error:
        return _fail(str(error))
    try:
        result = asyncio.run(_collect(target, args.details))
    except NE8000MonitorError as error:
        return _fail(str(error))
    except KeyboardInterrupt:
        return _fail("interrupted")
    finally:
        # Sessions are closed and nothing is left to clean up: the interpreter's last garbage
        # collection over everything asyncssh and the parsers loaded would only delay the
        # exit (by 0.05-0.2 s); the OS frees the memory either way.
        gc.freeze()
    if isinstance(result, str):
        return _fail(result)
    json.dump(result, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    sys.stdout.flush()
    failed = [name for name, s in result["sections"].items() if s["error"]]
    failed += [name for name, s in result["interfaces"].items() if s["error"]]
    if failed:
        return _fail(f"{len(failed)} section(s) failed: {', '.join(failed)}", EXIT_PARTIAL)
    return 0
