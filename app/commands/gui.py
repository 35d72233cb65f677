"""`ne8000monitor gui` (also what a bare `ne8000monitor` runs): the desktop application.

This module is the GUI's composition edge: it picks the runtime options and hands
`app.ui` an async factory around `app.bootstrap.start_runtime`, so the UI package never
imports the composition root, the transport or the simulator. Qt is imported only when
the command runs, so the other subcommands start without it.
"""

from __future__ import annotations

import argparse
import sys
from functools import partial

from app.commands.runtime_options import add_runtime_arguments, runtime_argument_error
from app.domain.errors import NE8000MonitorError

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


def run(args: argparse.Namespace) -> int:
    """Start the window; 0 on a clean close, 1 when the runtime could not start."""
    demo_routers = getattr(args, "demo_routers", 1)
    poll_scale = getattr(args, "poll_scale", None)
    if problem := runtime_argument_error(args):
        return _fail(problem)
    from app.ui.platform_libs import xcb_problem  # noqa: PLC0415 -- stdlib only, no Qt

    if problem := xcb_problem():  # Qt would abort the process on a missing library
        return _fail(problem)
    try:
        from app.ui.application import GuiOptions  # noqa: PLC0415 -- Qt only when used
        from app.ui.application import run as run_gui  # noqa: PLC0415
    except ImportError as error:  # PySide6 missing or no usable Qt platform library
        return _fail(f"the desktop application needs PySide6, pyqtgraph and qasync: {error}")
    from app.bootstrap import start_runtime  # noqa: PLC0415

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
