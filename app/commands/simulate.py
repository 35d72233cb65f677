"""`ne8000monitor simulate`: run a simulated NE8000 (VRP8) until Ctrl+C.

Defaults: listens on 127.0.0.1:2222 (SSH), login ``admin`` / ``Admin@123``, hostname NE8000,
25000 subscribers, 48 interfaces, 5 VTY lines, host key kept in the user data directory.
asyncssh is imported only when the simulator actually starts, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

# Only the simulator's stdlib-only defaults (for --help): the simulator loads when it starts.
from app.simulator import defaults

if TYPE_CHECKING:
    from app.simulator.faults import FaultPlan


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `simulate` subcommand."""
    parser = subparsers.add_parser(
        "simulate",
        help="run a simulated NE8000 router (SSH, optional telnet)",
        description=(
            "Run a simulated Huawei NE8000 (VRP8) with live subscriber churn and traffic, "
            "reachable over SSH (and telnet if asked). Stops on Ctrl+C."
        ),
    )
    net = parser.add_argument_group("listening and login")
    net.add_argument("--host", default=defaults.HOST, help="address to bind (default %(default)s)")
    net.add_argument(
        "--port", type=int, default=defaults.PORT, help="SSH port (default %(default)s)"
    )
    net.add_argument("--telnet-port", type=int, default=None, help="also listen for telnet here")
    net.add_argument(
        "--username", default=defaults.USERNAME, help="login name (default %(default)s)"
    )
    net.add_argument(
        "--password", default=defaults.PASSWORD, help="login password (default %(default)s)"
    )
    net.add_argument(
        "--max-vty", type=int, default=defaults.MAX_VTY, help="VTY lines (default %(default)s)"
    )
    net.add_argument(
        "--idle-timeout",
        type=float,
        default=defaults.IDLE_TIMEOUT_MINUTES,
        metavar="MINUTES",
        help="close a VTY idle this long, 0 = never (default %(default)s, as on VRP)",
    )
    net.add_argument(
        "--host-key",
        type=Path,
        default=None,
        metavar="FILE",
        help="SSH host key file, created if missing (default: in the user data directory)",
    )
    device = parser.add_argument_group("device")
    device.add_argument(
        "--hostname", default=defaults.HOSTNAME, help="sysname (default %(default)s)"
    )
    device.add_argument(
        "--users", type=int, default=defaults.SUBSCRIBERS, help="subscribers (default %(default)s)"
    )
    device.add_argument(
        "--interfaces",
        type=int,
        default=defaults.INTERFACES,
        help="physical ports (default %(default)s)",
    )
    device.add_argument("--seed", type=int, default=None, help="seed for a repeatable device")
    device.add_argument(
        "--latency-ms", type=float, default=0.0, help="delay before each answer (default 0)"
    )
    faults = parser.add_argument_group("fault injection")
    faults.add_argument(
        "--fault-hang",
        action="append",
        default=[],
        metavar="COMMAND",
        help="this command never answers (full keywords, e.g. 'display version'); repeatable",
    )
    faults.add_argument(
        "--fault-drop-mid-output",
        action="store_true",
        help="cut the connection halfway through each multi-line answer",
    )
    faults.add_argument(
        "--fault-garble",
        type=float,
        default=0.0,
        metavar="RATE",
        help="garble this share of output",
    )
    faults.add_argument("--fault-refuse-auth", action="store_true", help="refuse every login")
    faults.add_argument(
        "--fault-host-key-change",
        action="store_true",
        help="generate a new host key at start instead of reusing the stored one",
    )
    faults.add_argument(
        "--fault-password-change-prompt",
        action="store_true",
        help="ask 'Change now? [Y/N]:' after each login, as for a fresh account",
    )
    faults.add_argument(
        "--fault-mass-drop-after",
        type=float,
        default=None,
        metavar="SECONDS",
        help="drop a share of the subscribers this many seconds after start",
    )
    faults.add_argument(
        "--fault-mass-drop-fraction",
        type=float,
        default=0.3,
        metavar="SHARE",
        help="share of subscribers the mass drop removes (default %(default)s)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Start the simulator and serve until Ctrl+C; a clean exit, never a traceback."""
    import asyncio  # noqa: PLC0415 (not loaded for --help or --version)

    try:
        return asyncio.run(_serve(args))
    except KeyboardInterrupt:
        print("\nSimulator stopped.", flush=True)
        return 0


def fault_plan_from_args(args: argparse.Namespace, *, now: float) -> FaultPlan:
    """The fault flags as a FaultPlan (the mass drop is scheduled relative to `now`)."""
    from app.simulator.faults import FaultPlan  # noqa: PLC0415

    plan = FaultPlan(
        latency_ms=args.latency_ms,
        hang_commands=set(args.fault_hang),
        drop_mid_output=args.fault_drop_mid_output,
        garble_rate=args.fault_garble,
        refuse_auth=args.fault_refuse_auth,
        change_host_key=args.fault_host_key_change,
        ask_password_change=args.fault_password_change_prompt,
    )
    if args.fault_mass_drop_after is not None:
        plan.schedule_mass_drop(args.fault_mass_drop_fraction, now + args.fault_mass_drop_after)
    return plan


async def _serve(args: argparse.Namespace) -> int:
    # Imported here, not at the top: they pull in asyncssh, and `--help` must stay fast.
    from app.simulator.hostkey import default_host_key_path  # noqa: PLC0415
    from app.simulator.server import start_simulator, wait_forever  # noqa: PLC0415

    plan = fault_plan_from_args(args, now=time.time())
    key_path = args.host_key or default_host_key_path()
    try:
        handle = await start_simulator(
            host=args.host,
            port=args.port,
            hostname=args.hostname,
            users=args.users,
            interfaces=args.interfaces,
            seed=args.seed,
            username=args.username,
            password=args.password,
            faults=plan,
            host_key_path=key_path,
            telnet_port=args.telnet_port,
            max_vty=args.max_vty,
            idle_timeout=args.idle_timeout * 60 if args.idle_timeout > 0 else None,
        )
    except (OSError, ValueError) as error:
        print(f"ne8000monitor simulate: cannot start: {error}", file=sys.stderr)
        return 1
    try:
        print(
            f"NE8000 simulator '{args.hostname}' running: {args.users} subscribers, "
            f"{args.interfaces} interfaces, {args.max_vty} VTY lines.\n"
            f"  SSH listening on {handle.host}:{handle.port}"
            f"  (host key {handle.host_key_fingerprint}, file {key_path})",
            flush=True,
        )
        if handle.telnet_port is not None:
            print(f"  Telnet listening on {handle.host}:{handle.telnet_port}", flush=True)
        print(
            f"  Login: username {handle.username}, password {handle.password}"
            f"  (ssh -p {handle.port} {handle.username}@{handle.host})\n"
            "Press Ctrl+C to stop.",
            flush=True,
        )
        await wait_forever()
    finally:
        await handle.close()
    return 0
