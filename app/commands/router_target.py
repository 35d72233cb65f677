"""How one-shot CLI commands name and reach a router: a settings profile, or `--host`.

`snapshot` and `change` (and later ones) share the same arguments, the same rule for turning
them into a RouterProfile, the same password sources (keyring, then ROUTER_PASSWORD, then a
no-echo prompt on a terminal) and the same one-line advice for login failures.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import logging
import os
import re
import sys
from typing import TYPE_CHECKING, Any

from app.domain.errors import CredentialsUnavailable, HostKeyChanged, NE8000MonitorError
from app.domain.router import RouterProfile, TransportKind

if TYPE_CHECKING:
    from app.bootstrap import Engine
    from app.engine.pool import RouterPools
    from app.engine.ports import SecretStore

PASSWORD_VARIABLE = "ROUTER_PASSWORD"
TELNET_PORT = 23
# Characters a profile name may not hold; a bare host is turned into a name with them
# replaced, so audit entries and messages still say which box it was (`fe80::1` -> `fe80-1`).
_NOT_IN_NAMES = re.compile(r"[^A-Za-z0-9_.\-]+")


class UsageError(Exception):
    """Bad arguments: reported as one line, exit 2."""


@dataclasses.dataclass(frozen=True, slots=True)
class RouterTarget:
    """The router as the operator named it, and the profile that reaches it."""

    profile: RouterProfile
    label: str  # what the operator named: the profile name, or the host as typed
    ref: str  # how other commands name it (`hostkey accept REF ...`)


def add_router_arguments(parser: argparse.ArgumentParser) -> None:
    """ROUTER (optional profile name) and the connection options every such command takes."""
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


def resolve_target(args: argparse.Namespace, profiles: dict[str, RouterProfile]) -> RouterTarget:
    """The profile named by ROUTER (with command-line overrides), or one built from --host."""
    overrides: dict[str, Any] = {}
    if args.port is not None:
        overrides["port"] = args.port
    if args.username:
        overrides["username"] = args.username
    if args.protocol:
        overrides["transport"] = TransportKind(args.protocol)
        if args.protocol == TransportKind.TELNET and args.port is None and args.router is None:
            overrides["port"] = TELNET_PORT
    if args.legacy_algorithms:
        overrides["legacy_algorithms"] = True
    if args.timeout is not None:
        overrides["command_timeout"] = args.timeout
    if args.router and args.host:
        raise UsageError("give a router profile name or --host, not both")
    if args.router:
        if args.router not in profiles:
            known = ", ".join(sorted(profiles)) or "none defined"
            raise UsageError(f"no router profile {args.router!r} (profiles: {known})")
        profile = dataclasses.replace(profiles[args.router], **overrides)
        return RouterTarget(profile, args.router, args.router)
    if not args.host:
        raise UsageError("give a router profile name or --host")
    name = _NOT_IN_NAMES.sub("-", args.host).strip("-._")[:64] or "cli"
    profile = RouterProfile(name=name, host=args.host, **overrides)
    return RouterTarget(profile, args.host, f"--host {profile.host} --port {profile.port}")


def password_fallback(profile: RouterProfile) -> str | None:
    """When the keyring has none: ROUTER_PASSWORD, else a no-echo prompt on a terminal."""
    password = os.environ.get(PASSWORD_VARIABLE)
    if password:
        return password
    if sys.stdin.isatty():
        return getpass.getpass(f"Password for {profile.username}@{profile.host}: ")
    return None


def quiet_logging(command: str) -> None:
    """stderr carries one line on failure, plus only what the operator must see:
    a host key trusted on first contact, and that telnet is cleartext."""
    logging.basicConfig(level=logging.ERROR, format=f"ne8000monitor {command}: %(message)s")
    for name in ("ne8000monitor.transport.ssh", "ne8000monitor.transport.telnet"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _cli_secrets() -> SecretStore:
    """The OS keyring; without one, nothing stored (ROUTER_PASSWORD or the prompt it is)."""
    from app.transport.credentials import MemorySecretStore, open_secret_store  # noqa: PLC0415

    try:
        return open_secret_store()
    except CredentialsUnavailable:
        return MemorySecretStore()


def build_cli_engine(profile: RouterProfile) -> Engine:
    """An engine for this one router; without a keyring, passwords come from the fallback."""
    # asyncssh and keyring load only when a router is really reached (`--help` stays fast).
    from app.bootstrap import AppPaths, build_engine  # noqa: PLC0415

    return build_engine(
        AppPaths.default(),
        profiles={profile.name: profile},
        secrets=_cli_secrets(),
        password_fallback=password_fallback,
    )


def build_cli_pools(profile: RouterProfile) -> RouterPools:
    """Just this router's session pool, as :func:`build_cli_engine` would make it.

    For read-only commands (`snapshot`): no audit log, change workflow or settings, so the
    process starts without loading the rest of the engine.
    """
    from app.engine.pool import RouterPools  # noqa: PLC0415
    from app.platform.dirs import user_data_dir  # noqa: PLC0415
    from app.router_access import KNOWN_HOSTS_FILE, build_opener, password_source  # noqa: PLC0415
    from app.transport.hostkeys import HostKeyStore  # noqa: PLC0415

    host_keys = HostKeyStore(user_data_dir() / KNOWN_HOSTS_FILE)
    pools = RouterPools(
        build_opener(host_keys), password_source(_cli_secrets(), password_fallback)
    )
    pools.add(profile)
    return pools


def login_failure_message(error: NE8000MonitorError, target: RouterTarget) -> str:
    """One actionable line for a router we could not log in to."""
    if isinstance(error, CredentialsUnavailable):
        return f"{error} (or set {PASSWORD_VARIABLE})"
    if isinstance(error, HostKeyChanged):
        return (
            f"{error} Once checked, trust it with: ne8000monitor hostkey accept "
            f"{target.ref} {error.offered_fingerprint}"
        )
    return str(error)
