"""`ne8000monitor import-env FILE`: an old service's ``.env`` becomes settings and a keyring entry.

The earlier FastAPI + Redis service was configured by a ``.env`` file. This command reads
one (never changes it), turns ROUTER_* into a router profile in ``settings.toml``, carries
the other known variables (HOST, PORT, LOG_LEVEL, CACHE_TTL_* ...) over as settings, and
moves ROUTER_PASSWORD into the OS keyring. Without a usable keyring it stores nothing and
says so (``--no-password`` imports the rest). It ends by telling the operator to delete the
password from the ``.env`` file, since a copy on disk defeats the keyring.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain.errors import CredentialsUnavailable

if TYPE_CHECKING:
    from app.domain.router import RouterProfile
    from app.transport.credentials import KeyringSecretStore

EXIT_FAILED = 2
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_NOT_NAME = re.compile(r"[^A-Za-z0-9_.\-]+")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `import-env` subcommand."""
    parser = subparsers.add_parser(
        "import-env",
        help="import an old service's .env file into the settings and the OS keyring",
        description=(
            "Read a .env file of the earlier FastAPI service: ROUTER_HOST/PORT/USERNAME/"
            "PROTOCOL become a router profile in settings.toml, HOST, PORT, LOG_LEVEL, "
            "CACHE_TTL_*, BG_UPDATE_INTERVAL_* and RATE_LIMIT_* become settings, and "
            "ROUTER_PASSWORD goes into the OS keyring. REDIS_* are ignored. The .env file "
            "is never modified: delete the password from it afterwards."
        ),
    )
    parser.add_argument("file", metavar="FILE", type=Path, help="the .env file to read")
    parser.add_argument(
        "--name",
        help="router profile name (default: ROUTER_NAME, else derived from ROUTER_HOST)",
    )
    parser.add_argument(
        "--no-password",
        action="store_true",
        help="do not import ROUTER_PASSWORD (store it later with `credentials set`)",
    )
    parser.add_argument(
        "--replace",
        action="store_true",
        help="replace an existing router profile of the same name",
    )
    parser.set_defaults(handler=run)


def name_from_host(host: str) -> str:
    """A profile name from a host: ``10.0.0.1`` and ``bras1.example.net`` stay as they are."""
    name = _NOT_NAME.sub("-", host).strip("-._")[:64].rstrip("-._")
    return name or "router"


def _fail(message: str) -> int:
    print(f"ne8000monitor import-env: {message}", file=sys.stderr)
    return EXIT_FAILED


def run(args: argparse.Namespace) -> int:
    """Import; every expected failure is a message on stderr and exit 2, with nothing stored."""
    # The settings machinery loads here, not when the command line is parsed.
    from app.engine.settings import (  # noqa: PLC0415
        LEGACY_PROFILES_FILE,
        SETTINGS_FILE,
        SettingsError,
        load_settings,
        locate_settings,
        save_settings,
    )
    from app.engine.settings_env import apply_environment, parse_dotenv  # noqa: PLC0415
    from app.platform.dirs import user_config_dir  # noqa: PLC0415

    source: Path = args.file
    try:
        values = parse_dotenv(source.read_text(encoding="utf-8-sig"), source=str(source))
    except (OSError, UnicodeDecodeError) as error:
        return _fail(f"{source}: cannot read: {error}")
    except SettingsError as error:
        return _fail(str(error))
    host = values.get("ROUTER_HOST", "").strip()
    if not host:
        return _fail(f"{source}: no ROUTER_HOST, so there is no router to import")
    name = args.name or values.get("ROUTER_NAME", "").strip() or name_from_host(host)

    target = user_config_dir() / SETTINGS_FILE
    read_from = locate_settings()
    try:
        current = load_settings(read_from) if read_from else load_settings(target)
        result = apply_environment(current, values, router_name=name)
    except SettingsError as error:
        return _fail(f"{error}; nothing was changed")
    existing = current.routers.get(name)
    profile = result.settings.routers[name]
    if existing is not None and existing != profile and not args.replace:
        return _fail(
            f"a router profile {name!r} already exists with other values; choose another "
            "name with --name or use --replace; nothing was changed"
        )

    password = result.router_password
    store: KeyringSecretStore | None = None
    if password and not args.no_password:
        # keyring loads only when a password is really handled (`--help` stays fast).
        from app.transport.credentials import open_secret_store  # noqa: PLC0415

        try:
            store = open_secret_store()
        except CredentialsUnavailable as error:
            return _fail(
                f"{error}. Nothing was stored. Run again with --no-password to import the "
                f"router without its password, and store the password with `ne8000monitor "
                f"credentials set {name}` where a keyring is available."
            )

    try:
        written = save_settings(result.settings, target)
    except (OSError, SettingsError) as error:
        return _fail(f"cannot write {target}: {error}; nothing was stored")
    print(f"router {name!r} ({_describe(profile)}) saved in {written}")
    if read_from is not None and read_from.name == LEGACY_PROFILES_FILE:
        print(
            f"routers from {read_from} were copied into {written}; {LEGACY_PROFILES_FILE} "
            "is no longer read and can be deleted"
        )
    for variable, change in result.applied:
        if variable != "ROUTER_*":
            print(f"  {variable}: {change}")
    for note in result.notes:
        print(f"note: {note}")
    feed = result.settings.feed
    if feed.host not in _LOOPBACK and feed.token is None:
        print(
            f"note: the feed is set to listen on {feed.host}, which needs a token: add "
            f'`token = "..."` under [feed] in {written} or it will refuse to start'
        )
    return _password_outcome(store, name, password, source, no_password=args.no_password)


def _describe(profile: RouterProfile) -> str:
    return f"{profile.username}@{profile.host}:{profile.port} over {profile.transport}"


def _password_outcome(
    store: KeyringSecretStore | None,
    name: str,
    password: str | None,
    source: Path,
    *,
    no_password: bool,
) -> int:
    if not password:
        print(
            f"no ROUTER_PASSWORD in {source}: store the password with "
            f"`ne8000monitor credentials set {name}`"
        )
        return 0
    if no_password or store is None:
        print(
            f"ROUTER_PASSWORD was not imported (--no-password): store it with "
            f"`ne8000monitor credentials set {name}`, then DELETE the ROUTER_PASSWORD line "
            f"from {source}"
        )
        return 0
    try:
        store.set_password(name, password)
    except CredentialsUnavailable as error:
        return _fail(
            f"the profile was saved but the password was not stored: {error}. Run "
            f"`ne8000monitor credentials set {name}`"
        )
    print(f"password for {name!r} stored in the {store.description}")
    print(
        f"IMPORTANT: delete the ROUTER_PASSWORD line from {source} now. This command never "
        "changes that file, and a password left on disk defeats the keyring."
    )
    return 0
