"""`ne8000monitor gui` (also what a bare `ne8000monitor` runs): the desktop application.

This module is the GUI's composition edge: it picks the runtime options and hands
`app.ui` an async factory around `app.bootstrap.start_runtime`, so the UI package never
imports the composition root, the transport or the simulator. Qt is imported only when
the command runs, so the other subcommands start without it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from app.commands.runtime_options import add_runtime_arguments, runtime_argument_error
from app.domain.errors import NE8000MonitorError

if TYPE_CHECKING:
    from app.engine.runtime import Runtime

LANGUAGES = ("en", "pt_BR")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `gui` subcommand."""
    parser = subparsers.add_parser(
        "gui",
        help="open the desktop application (the default without a subcommand)",
        description=(
            "Open the NE8000 Monitor window. With no router configured it starts in demo "
            "mode against an embedded simulated NE8000. A second start brings the running "
            "window to the front."
        ),
    )
    add_gui_arguments(parser)
    parser.set_defaults(handler=run)


def add_gui_arguments(parser: argparse.ArgumentParser) -> None:
    add_runtime_arguments(parser)
    collector = parser.add_argument_group(
        "collector mode",
        "Show what a `ne8000monitor serve` on the LAN collects, through its feed, instead "
        "of logging in to the routers from this machine (Settings > Collector keeps the "
        "address, and the token in the OS keyring).",
    )
    collector.add_argument(
        "--collector",
        metavar="URL",
        default=None,
        help="the collector's address, e.g. https://collector.noc:8000",
    )
    token = collector.add_mutually_exclusive_group()
    token.add_argument(
        "--token",
        default=None,
        help="this seat's token (`ne8000monitor token add NAME` on the collector); "
        "default: the one kept in the keyring for that address",
    )
    token.add_argument(
        "--token-file",
        type=Path,
        default=None,
        metavar="FILE",
        help="read the token from FILE (keeps it out of the process list)",
    )
    collector.add_argument(
        "--fingerprint",
        default=None,
        metavar="SHA256",
        help="pin the collector's self-signed certificate (the fingerprint `serve` prints)",
    )
    collector.add_argument(
        "--local",
        action="store_true",
        help="monitor the routers from this machine even when Settings name a collector",
    )
    parser.add_argument(
        "--lang", choices=LANGUAGES, default=None, help="interface language (default: system)"
    )
    parser.add_argument(
        "--hidden", action="store_true", help="start minimised to the tray (where there is one)"
    )
    parser.add_argument(
        "--quit-after",
        type=float,
        default=None,
        metavar="SECONDS",
        help="close cleanly after SECONDS (smoke tests of a build, benchmarks)",
    )
    parser.add_argument(
        "--new-instance",
        action="store_true",
        help="do not hand over to an already running window",
    )


def _fail(message: str) -> int:
    print(f"ne8000monitor gui: {message}", file=sys.stderr)
    return 2


@dataclass(frozen=True, slots=True)
class CollectorChoice:
    """Where a seat in collector mode reads from, and with what."""

    url: str
    token: str | None  # None: the keyring's
    fingerprint: str | None


def collector_choice(args: argparse.Namespace) -> CollectorChoice | None:
    """The collector from the command line, else from the settings file (None: local
    mode); ValueError with a message for a bad address, token file or fingerprint."""
    from app.engine.settings import SettingsError, load_settings, locate_settings  # noqa: PLC0415
    from app.platform.dirs import user_config_dir  # noqa: PLC0415
    from app.remote.client import normalise_url  # noqa: PLC0415
    from app.tls import normalise_fingerprint  # noqa: PLC0415

    url = getattr(args, "collector", None)
    fingerprint = getattr(args, "fingerprint", None)
    token = getattr(args, "token", None)
    token_file = getattr(args, "token_file", None)
    if url is None and (token is not None or token_file is not None or fingerprint):
        raise ValueError("--token, --token-file and --fingerprint go with --collector URL")
    if url is None and not getattr(args, "local", False) and not getattr(args, "demo", False):
        source = locate_settings(user_config_dir())
        try:
            saved = load_settings(source).collector if source is not None else None
        except (SettingsError, OSError):
            saved = None  # the runtime reports a bad file when it reads it
        if saved is not None and saved.url is not None:
            url, fingerprint = saved.url, saved.fingerprint
    if url is None:
        return None
    if getattr(args, "demo", False):
        raise ValueError("--demo runs its own simulated routers; it does not go with --collector")
    url = normalise_url(url)
    if fingerprint is not None:
        fingerprint = normalise_fingerprint(fingerprint)
        if not url.startswith("https://"):
            raise ValueError("--fingerprint pins an https:// collector's certificate")
    if token_file is not None:
        try:
            token = token_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise ValueError(f"--token-file {token_file}: {error}") from None
        if not token:
            raise ValueError(f"--token-file {token_file}: the file is empty")
    return CollectorChoice(url, token, fingerprint)


def run(args: argparse.Namespace) -> int:
    """Start the window; 0 on a clean close, 1 when the runtime could not start."""
    demo_routers = getattr(args, "demo_routers", 1)
    poll_scale = getattr(args, "poll_scale", None)
    if problem := runtime_argument_error(args):
        return _fail(problem)
    try:
        collector = collector_choice(args)
    except ValueError as error:
        return _fail(str(error))
    from app.ui.platform_libs import xcb_problem  # noqa: PLC0415 -- stdlib only, no Qt

    if problem := xcb_problem():  # Qt would abort the process on a missing library
        return _fail(problem)
    try:
        from app.ui.application import GuiOptions  # noqa: PLC0415 -- Qt only when used
        from app.ui.application import run as run_gui  # noqa: PLC0415
    except ImportError as error:  # PySide6 missing or no usable Qt platform library
        return _fail(f"the desktop application needs PySide6, pyqtgraph and qasync: {error}")
    from app.bootstrap import start_collector_runtime, start_runtime  # noqa: PLC0415

    factory: Callable[[], Awaitable[Runtime]]
    if collector is not None:
        factory = partial(
            start_collector_runtime,
            url=collector.url,
            token=collector.token,
            fingerprint=collector.fingerprint,
            configure_logging=True,
        )
    else:
        factory = partial(
            start_runtime,
            demo=True if getattr(args, "demo", False) else None,
            demo_routers=demo_routers,
            poll_scale=poll_scale,
            configure_logging=True,
        )
    options = GuiOptions(
        language=getattr(args, "lang", None),
        single_instance=not getattr(args, "new_instance", False),
        hidden=getattr(args, "hidden", False),
        quit_after=getattr(args, "quit_after", None),
    )
    try:
        return run_gui(factory, options)
    except NE8000MonitorError as error:
        return _fail(str(error))
