"""`ne8000monitor hostkey list|accept`: the routers' SSH host keys the app trusts.

A changed host key blocks every connection to that router (it may mean a replaced board,
or someone in the middle). After checking the new fingerprint with the router's
administrator, the operator accepts exactly that fingerprint here; a router that offers
any other key by then is refused again.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from app.domain.errors import NE8000MonitorError
from app.domain.router import RouterProfile

if TYPE_CHECKING:
    from app.transport.hostkeys import HostKeyStore

EXIT_FAILED = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `hostkey` subcommand."""
    parser = subparsers.add_parser(
        "hostkey",
        help="list trusted router SSH host keys, or accept a changed one",
        description=(
            "List the SSH host keys the app trusts, or accept the new key of a router whose "
            "key changed, after checking its SHA256 fingerprint out of band."
        ),
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="show every trusted host key").set_defaults(handler=run_list)
    accept = actions.add_parser("accept", help="trust a router's new host key")
    accept.add_argument("router", metavar="ROUTER", nargs="?", help="router profile name")
    accept.add_argument("fingerprint", metavar="FINGERPRINT", help="SHA256:... as shown")
    accept.add_argument("--host", help="router address (instead of a profile)")
    accept.add_argument("--port", type=int, default=22, help="SSH port (default 22)")
    accept.set_defaults(handler=run_accept)


def _fail(message: str) -> int:
    print(f"ne8000monitor hostkey: {' '.join(message.split())}", file=sys.stderr)
    return EXIT_FAILED


def _store() -> HostKeyStore:
    # asyncssh loads only when a key is really handled (`--help` stays fast).
    from app.bootstrap import AppPaths  # noqa: PLC0415
    from app.transport.hostkeys import HostKeyStore  # noqa: PLC0415

    return HostKeyStore(AppPaths.default().known_hosts)


def run_list(_args: argparse.Namespace) -> int:
    """One line per trusted key: host:port, key type, fingerprint."""
    hosts = _store().trusted_hosts()
    if not hosts:
        print("no trusted host keys yet (the first connection to a router records its key)")
    for host in hosts:
        print(f"{host.host_pattern}  {host.key_type}  {host.fingerprint}")
    return 0


def _profile(args: argparse.Namespace) -> RouterProfile:
    if args.host:
        if args.router:
            raise ValueError("give a router profile name or --host, not both")
        return RouterProfile(name="cli", host=args.host, port=args.port)
    if not args.router:
        raise ValueError("give a router profile name or --host")
    from app.engine.profiles import load_profiles  # noqa: PLC0415

    profiles = load_profiles()
    if args.router not in profiles:
        known = ", ".join(sorted(profiles)) or "none defined"
        raise ValueError(f"no router profile {args.router!r} (profiles: {known})")
    return profiles[args.router]


def run_accept(args: argparse.Namespace) -> int:
    """Pin the key the router offers now, only if it has the fingerprint the operator gave."""
    import asyncio  # noqa: PLC0415

    from app.engine.profiles import ProfileError  # noqa: PLC0415
    from app.transport.ssh import accept_host_key  # noqa: PLC0415

    if not args.fingerprint.startswith("SHA256:"):
        return _fail(f"{args.fingerprint!r} is not a SHA256:... fingerprint")
    try:
        profile = _profile(args)
        pinned = asyncio.run(accept_host_key(profile, _store(), args.fingerprint))
    except (ValueError, ProfileError, LookupError, NE8000MonitorError) as error:
        return _fail(str(error))
    print(f"now trusting {pinned} for {profile.host}:{profile.port}")
    return 0
