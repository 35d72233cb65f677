"""`ne8000monitor token add|list|revoke`: a feed token per NOC seat or wall screen.

``add NAME`` prints a new token once (on stdout alone, so ``TOKEN=$(ne8000monitor token add
wall-1)`` works) and writes only its salted hash to the settings file. ``list`` shows the
seats, when each was created and last seen by a feed, never a token. ``revoke NAME``
deletes the seat; a running feed notices within seconds and closes that seat's
connections. The shared ``[feed] token`` keeps working beside the seats.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from app.domain.errors import NE8000MonitorError

EXIT_FAILED = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `token` subcommand."""
    parser = subparsers.add_parser(
        "token",
        help="add, list or revoke the feed tokens of NOC seats and wall screens",
        description=(
            "Give each NOC seat or wall screen its own feed token. The token is printed "
            "once; the settings file keeps only its salted hash. The audit log records the "
            "seat behind every remote command."
        ),
    )
    parser.add_argument(
        "--settings", type=Path, default=None, metavar="FILE", help="settings file to use"
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="create a seat and print its token once")
    add.add_argument("name", metavar="NAME", help="seat name: letters, digits, '.', '-', '_'")
    add.set_defaults(handler=run_add)
    listing = actions.add_parser("list", help="show the seats (never their tokens)")
    listing.set_defaults(handler=run_list)
    revoke = actions.add_parser("revoke", help="delete a seat; its token stops working")
    revoke.add_argument("name", metavar="NAME", help="seat name")
    revoke.set_defaults(handler=run_revoke)


def _fail(message: str) -> int:
    print(f"ne8000monitor token: {' '.join(message.split())}", file=sys.stderr)
    return EXIT_FAILED


def _paths(args: argparse.Namespace) -> tuple[Path | None, Path]:
    """(file to read, file to write): the chosen file, or the user's settings."""
    from app.engine.settings import default_settings_path, locate_settings  # noqa: PLC0415

    if args.settings is not None:
        return args.settings, args.settings
    return locate_settings(), default_settings_path()


def _usage_file() -> Path:
    from app.engine.seats import USAGE_FILE  # noqa: PLC0415
    from app.platform.dirs import user_data_dir  # noqa: PLC0415

    return user_data_dir() / USAGE_FILE


def run_add(args: argparse.Namespace) -> int:
    """Create the seat, save the settings, print the token (stdout) and how to use it."""
    from app.engine.seats import issue_seat  # noqa: PLC0415
    from app.engine.settings import Settings, load_settings, save_settings  # noqa: PLC0415

    source, target = _paths(args)
    try:
        settings = load_settings(source) if source is not None else Settings()
        if args.name in settings.seats:
            return _fail(
                f"seat {args.name!r} already exists; revoke it first to give it a new token"
            )
        seat, token = issue_seat(args.name, taken_ids={s.id for s in settings.seats.values()})
        written = save_settings(
            replace(settings, seats={**settings.seats, seat.name: seat}), target
        )
    except (NE8000MonitorError, OSError, ValueError) as error:
        return _fail(str(error))
    print(token, flush=True)
    print(
        f"seat {seat.name} added to {written}. The token above is shown only this once "
        "(the file keeps a hash): give it to that seat as ?token=..., "
        "`Authorization: Bearer ...` or `X-API-Token`. A running feed accepts it within "
        "seconds.",
        file=sys.stderr,
    )
    return 0


def _local_time(epoch: float | None) -> str:
    if epoch is None:
        return "never"
    return datetime.fromtimestamp(epoch).astimezone().strftime("%Y-%m-%d %H:%M:%S %z")


def run_list(args: argparse.Namespace) -> int:
    """One line per seat: name, public id, created, last used (by a feed on this machine)."""
    from app.engine.seats import read_usage  # noqa: PLC0415
    from app.engine.settings import load_settings  # noqa: PLC0415

    source, _ = _paths(args)
    try:
        seats = load_settings(source).seats if source is not None else {}
    except (NE8000MonitorError, OSError) as error:
        return _fail(str(error))
    if not seats:
        print("no seat tokens yet (add one with `ne8000monitor token add NAME`)")
        return 0
    usage = read_usage(_usage_file())
    rows = [("SEAT", "ID", "CREATED", "LAST USED")]
    for seat in seats.values():
        created = _local_time(seat.created_at().timestamp())
        rows.append((seat.name, seat.id, created, _local_time(usage.get(seat.id))))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
              + "  " + row[3])
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    """Delete the seat from the settings file (its token stops working)."""
    from app.engine.settings import load_settings, save_settings  # noqa: PLC0415

    source, target = _paths(args)
    try:
        settings = load_settings(source) if source is not None else None
        if settings is None or args.name not in settings.seats:
            known = ", ".join(settings.seats) if settings is not None and settings.seats else "none"
            return _fail(f"no seat named {args.name!r} (seats: {known})")
        seats = {name: seat for name, seat in settings.seats.items() if name != args.name}
        written = save_settings(replace(settings, seats=seats), target)
    except (NE8000MonitorError, OSError) as error:
        return _fail(str(error))
    print(
        f"seat {args.name} revoked in {written}; a running feed refuses its token and closes "
        "its connections within seconds"
    )
    return 0
