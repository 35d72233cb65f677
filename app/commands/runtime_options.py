"""Command-line options shared by the commands that run the monitor (`gui`, `serve`)."""

from __future__ import annotations

import argparse


def add_runtime_arguments(parser: argparse.ArgumentParser) -> None:
    """--demo, --demo-routers and --poll-scale, with the same meaning everywhere."""
    parser.add_argument(
        "--demo", action="store_true", help="monitor embedded simulated routers (demo mode)"
    )
    parser.add_argument(
        "--demo-routers", type=int, default=1, metavar="N", help="simulated routers (default 1)"
    )
    parser.add_argument(
        "--poll-scale",
        type=float,
        default=None,
        metavar="X",
        help="multiply every poll interval by X (demo default 0.25)",
    )


def runtime_argument_error(args: argparse.Namespace) -> str | None:
    """What is wrong with those options, or None."""
    if getattr(args, "demo_routers", 1) < 1:
        return "--demo-routers must be at least 1"
    poll_scale = getattr(args, "poll_scale", None)
    if poll_scale is not None and poll_scale <= 0:
        return "--poll-scale must be positive"
    return None
