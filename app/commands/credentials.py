"""`ne8000monitor credentials set|delete ROUTER`: router passwords in the OS keyring.

The password is typed without echo (getpass) and asked twice; ``--stdin`` reads one line
from standard input instead, for provisioning scripts. Without a usable OS keyring the
command says so and stores nothing: it never falls back to a file.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from app.domain.errors import CredentialsUnavailable
from app.domain.router import PROFILE_NAME

EXIT_FAILED = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `credentials` subcommand."""
    parser = subparsers.add_parser(
        "credentials",
        help="store or delete a router's password in the OS keyring",
        description=(
            "Store (set) or remove (delete) the login password of a router profile in the OS "
            "keyring (service 'ne8000monitor', one entry per profile name). The password is "
            "prompted for without echo."
        ),
    )
    parser.add_argument("action", choices=("set", "delete"), help="what to do")
    parser.add_argument("router", metavar="ROUTER", help="router profile name (settings.toml)")
    parser.add_argument(
        "--stdin", action="store_true", help="read the password from one line of stdin"
    )
    parser.set_defaults(handler=run)


def _fail(message: str) -> int:
    print(f"ne8000monitor credentials: {' '.join(message.split())}", file=sys.stderr)
    return EXIT_FAILED


def _read_password(router: str, *, from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"Password for {router}: ")
    second = getpass.getpass(f"Repeat the password for {router}: ")
    if first != second:
        raise ValueError("the two passwords differ; nothing was stored")
    return first


def run(args: argparse.Namespace) -> int:
    """Set or delete; every expected failure is one stderr line and exit 2."""
    # keyring loads only when a password is really handled (`--help` stays fast).
    from app.transport.credentials import open_secret_store  # noqa: PLC0415

    if not PROFILE_NAME.match(args.router):
        return _fail(f"{args.router!r} is not a router profile name")
    try:
        store = open_secret_store()
        if args.action == "delete":
            store.delete_password(args.router)
            print(f"password for {args.router} removed from the {store.description}")
            return 0
        password = _read_password(args.router, from_stdin=args.stdin)
        if not password:
            return _fail("an empty password cannot be stored")
        store.set_password(args.router, password)
    except CredentialsUnavailable as error:
        return _fail(str(error))
    except ValueError as error:
        return _fail(str(error))
    except (EOFError, KeyboardInterrupt):
        return _fail("cancelled; nothing was stored")
    print(f"password for {args.router} stored in the {store.description}")
    return 0
