"""Command-line entry point: `ne8000monitor [SUBCOMMAND] ...`."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import warnings
from collections.abc import Sequence

from app import __version__

# Subcommand modules, in the order `--help` lists them.
SUBCOMMAND_MODULES: tuple[str, ...] = (
    "app.commands.gui",
    "app.commands.serve",
    "app.commands.simulate",
    "app.commands.parse",
    "app.commands.snapshot",
    "app.commands.capture",
    "app.commands.credentials",
    "app.commands.hostkey",
    "app.commands.token",
    "app.commands.change",
    "app.commands.import_env",
)


# Options of the top-level parser itself; any other leading option belongs to `gui`.
TOP_LEVEL_OPTIONS = frozenset({"-h", "--help", "--version"})


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="ne8000monitor",
        description="NOC monitor for Huawei NE8000 BRAS routers, with an NE8000 simulator.",
        epilog=(
            "Without a subcommand the desktop window opens, and the window's options work "
            "there too (ne8000monitor --lang pt_BR --demo-routers 3); see "
            "`ne8000monitor gui --help`."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND")
    for module_name in SUBCOMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def _give_windowed_builds_streams() -> None:
    """A windowed Windows executable starts with sys.stdout/stderr None; printing (argparse's
    --help and --version, a command's output) must not crash it, so point them at devnull."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115


def _quiet_library_deprecations() -> None:
    """asyncssh's crypto layer still loads DSA support, and newer `cryptography` releases warn
    about it on import. That is a note for asyncssh's developers, not for an operator, and it
    would land in the middle of a command's output."""
    warnings.filterwarnings("ignore", module=r"asyncssh\.crypto(\.|$)")


def default_to_gui(argv: Sequence[str]) -> list[str]:
    """The window is the default command, so its options work without `gui`:
    `ne8000monitor --lang pt_BR` means `ne8000monitor gui --lang pt_BR`."""
    args = list(argv)
    if args and args[0].startswith("-") and args[0] not in TOP_LEVEL_OPTIONS:
        return ["gui", *args]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen subcommand and return its exit status."""
    _give_windowed_builds_streams()
    _quiet_library_deprecations()
    parser = build_parser()
    args = parser.parse_args(default_to_gui(sys.argv[1:] if argv is None else argv))
    if not getattr(args, "handler", None):  # no subcommand: the desktop application
        from app.commands.gui import run as run_gui  # noqa: PLC0415

        return int(run_gui(args) or 0)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
