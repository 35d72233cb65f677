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
import asyncio
import dataclasses
import getpass
import json
import logging
import os
import sys
from typing import Any

from app.commands.parse import to_jsonable
from app.domain.errors import CredentialsUnavailable, HostKeyChanged, NE8000MonitorError
from app.domain.router import PROFILE_NAME, RouterProfile, TransportKind
from app.engine.ports import SecretStore
from app.engine.profiles import ProfileError, load_profiles
from app.engine.snapshot import collect_snapshot

EXIT_PARTIAL = 1
EXIT_FAILED = 2
PASSWORD_VARIABLE = "ROUTER_PASSWORD"


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
    parser.add_argument("router", nargs="?", metavar="ROUTER", help="router profile name")
    parser.add_argument("--host", help="router address (instead of a profile)")
    parser.add_argument("--port", type=int, help="SSH/telnet port (default 22, telnet 23)")
    parser.add_argument("--username", help="login name (default: the profile's, or admin)")
    parser.add_argument(
        "--protocol", choices=[kind.value for kind in TransportKind], help="default ssh"
    )
    parser.add_argument(
        "--legacy-algorithms",
        action="store_true",
        help="allow old SSH key exchange and ciphers (only for routers that need them)",
    )
    parser.add_argument("--timeout", type=float, help="per-command timeout in seconds")
    parser.add_argument(
        "--details",
        type=int,
        default=None,
        metavar="N",
        help="fetch at most N interface details (default: every up port and Eth-Trunk)",
    )
    parser.set_defaults(handler=run)


class _UsageError(Exception):
    """Bad arguments: reported as one line, exit 2."""


def _profile(args: argparse.Namespace, profiles: dict[str, RouterProfile]) -> RouterProfile:
    overrides: dict[str, Any] = {}
    if args.port is not None:
        overrides["port"] = args.port
    if args.username:
        overrides["username"] = args.username
    if args.protocol:
        overrides["transport"] = TransportKind(args.protocol)
        if args.protocol == "telnet" and args.port is None and args.router is None:
            overrides["port"] = 23
    if args.legacy_algorithms:
        overrides["legacy_algorithms"] = True
    if args.timeout is not None:
        overrides["command_timeout"] = args.timeout
    if args.router and args.host:
        raise _UsageError("give a router profile name or --host, not both")
    if args.router:
        if args.router not in profiles:
            known = ", ".join(sorted(profiles)) or "none defined"
            raise _UsageError(f"no router profile {args.router!r} (profiles: {known})")
        return dataclasses.replace(profiles[args.router], **overrides)
    if not args.host:
        raise _UsageError("give a router profile name or --host")
    name = args.host if PROFILE_NAME.match(args.host) else "cli"
    return RouterProfile(name=name, host=args.host, **overrides)


def _password_fallback(profile: RouterProfile) -> str | None:
    password = os.environ.get(PASSWORD_VARIABLE)
    if password:
        return password
    if sys.stdin.isatty():
        return getpass.getpass(f"Password for {profile.username}@{profile.host}: ")
    return None


def _fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"ne8000monitor snapshot: {' '.join(message.split())}", file=sys.stderr)
    return code


async def _collect(
    profile: RouterProfile, details: int | None, router_ref: str
) -> dict[str, Any] | str:
    """The snapshot as JSON data, or the one-line reason nothing could be collected."""
    # asyncssh and keyring load only when a snapshot is really taken (`--help` stays fast).
    from app.bootstrap import AppPaths, build_engine  # noqa: PLC0415
    from app.transport.credentials import MemorySecretStore, open_secret_store  # noqa: PLC0415

    try:
        secrets: SecretStore = open_secret_store()
    except CredentialsUnavailable:
        secrets = MemorySecretStore()  # no keyring: ROUTER_PASSWORD or the prompt it is
    engine = build_engine(
        AppPaths.default(),
        profiles={profile.name: profile},
        secrets=secrets,
        password_fallback=_password_fallback,
    )
    try:
        pool = engine.pools.get(profile.name)
        try:
            async with pool.session():
                pass  # log in once: a router we cannot reach gets one clear error
        except CredentialsUnavailable as error:
            return f"{error} (or set {PASSWORD_VARIABLE})"
        except HostKeyChanged as error:
            return (
                f"{error} Once checked, trust it with: ne8000monitor hostkey accept "
                f"{router_ref} {error.offered_fingerprint}"
            )
        except NE8000MonitorError as error:
            return str(error)
        snapshot = await collect_snapshot(pool, profile.name, detail_limit=details)
    finally:
        await engine.close()
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


def run(args: argparse.Namespace) -> int:
    """Collect and print; 0 ok, 1 partial, 2 nothing collected."""
    # stderr carries one line on failure; besides it only what the operator must see:
    # a host key trusted on first contact, and that telnet is cleartext.
    logging.basicConfig(level=logging.ERROR, format="ne8000monitor snapshot: %(message)s")
    for name in ("ne8000monitor.transport.ssh", "ne8000monitor.transport.telnet"):
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        profiles = load_profiles() if args.router else {}
        profile = _profile(args, profiles)
    except (_UsageError, ProfileError, ValueError) as error:
        return _fail(str(error))
    try:
        router_ref = args.router or f"--host {profile.host} --port {profile.port}"
        result = asyncio.run(_collect(profile, args.details, router_ref))
    except NE8000MonitorError as error:
        return _fail(str(error))
    except KeyboardInterrupt:
        return _fail("interrupted")
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
