"""`ne8000monitor serve`: the engine and the HTTP/WebSocket feed, headless (no Qt import).

Routers come from the settings file, from the earlier service's ROUTER_* variables, or with
`--demo` from embedded simulators. The feed is always on here (it is the point of `serve`);
the bind/token rule still applies. With a certificate and key (``--tls-cert``/``--tls-key``
or ``[feed] tls_cert``/``tls_key``) it serves https/wss and prints the certificate's SHA-256
fingerprint, which clients of a self-signed certificate pin. SIGINT and SIGTERM stop it
cleanly: sessions logged out, history flushed, clients told the server is going away.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from app.commands.runtime_options import add_runtime_arguments, runtime_argument_error
from app.domain.errors import NE8000MonitorError

if TYPE_CHECKING:
    from app.engine.settings import Settings

_log = logging.getLogger("ne8000monitor.serve")

READY_LINE = "feed listening on {url}"
FINGERPRINT_LINE = "TLS certificate SHA-256 fingerprint {fingerprint}"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `serve` subcommand."""
    parser = subparsers.add_parser(
        "serve",
        help="monitor routers headless and serve the HTTP/WebSocket feed",
        description=(
            "Monitor the configured routers (settings file, ROUTER_* environment variables, "
            "or --demo) and serve the feed: HTTP API, /ws/monitor, /health, /metrics, /wall. "
            "Stops cleanly on Ctrl+C or SIGTERM."
        ),
    )
    add_runtime_arguments(parser)
    parser.add_argument("--host", default=None, help="feed bind address (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=None, help="feed port, 0 = any free port (default 8000)"
    )
    parser.add_argument(
        "--token", default=None, help="feed token (required for a non-loopback --host)"
    )
    parser.add_argument(
        "--tls-cert",
        default=None,
        metavar="FILE",
        help="PEM certificate (chain): serve https/wss instead of http/ws",
    )
    parser.add_argument(
        "--tls-key", default=None, metavar="FILE", help="the certificate's unencrypted PEM key"
    )
    parser.add_argument(
        "--settings", type=Path, default=None, metavar="FILE", help="settings file to use"
    )
    parser.set_defaults(handler=run)


def _fail(message: str) -> int:
    print(f"ne8000monitor serve: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    """Load settings, then run until a signal; exit 2 with one line on a setup error."""
    import asyncio  # noqa: PLC0415 (like the engine: not loaded for --help or --version)

    from app.engine.logging_setup import configure_from_settings  # noqa: PLC0415
    from app.engine.settings_env import effective_settings  # noqa: PLC0415

    if problem := runtime_argument_error(args):
        return _fail(problem)
    try:
        overrides = effective_settings(args.settings)
    except (NE8000MonitorError, OSError) as error:
        return _fail(str(error))
    settings = overrides.settings
    feed = settings.feed
    feed = replace(
        feed,
        enabled=True,
        host=args.host if args.host is not None else feed.host,
        port=args.port if args.port is not None else feed.port,
        token=args.token if args.token is not None else feed.token,
        tls_cert=args.tls_cert if args.tls_cert is not None else feed.tls_cert,
        tls_key=args.tls_key if args.tls_key is not None else feed.tls_key,
    )
    settings = replace(settings, feed=feed)
    if not settings.routers and not args.demo:
        return _fail(
            "no router configured: add one to the settings file, set ROUTER_HOST (and "
            "ROUTER_USERNAME/ROUTER_PASSWORD), or use --demo"
        )
    configure_from_settings(settings.logging)
    for note in overrides.notes:
        _log.info("%s", note)
    try:
        return asyncio.run(_serve(args, settings, overrides.router_password))
    except KeyboardInterrupt:  # a second Ctrl+C during shutdown
        return 130


async def _serve(
    args: argparse.Namespace, settings: Settings, env_password: str | None
) -> int:
    from app.bootstrap import start_runtime  # noqa: PLC0415

    try:
        runtime = await start_runtime(
            settings=settings,
            demo=True if args.demo else None,
            demo_routers=args.demo_routers,
            poll_scale=args.poll_scale,
            router_password=env_password,
            settings_path=args.settings,
        )
    except (NE8000MonitorError, OSError, ValueError) as error:
        return _fail(str(error))
    try:
        assert runtime.feed is not None  # start_runtime always attaches the feed control
        problem = runtime.notifications.problem if runtime.notifications is not None else None
        if problem is not None:  # a headless service must not run with alerts going nowhere
            return _fail(problem)
        try:
            await runtime.feed.start()
        except (NE8000MonitorError, OSError) as error:
            return _fail(str(error))
        print(READY_LINE.format(url=runtime.feed.url), file=sys.stderr, flush=True)
        if runtime.feed.fingerprint is not None:
            print(
                FINGERPRINT_LINE.format(fingerprint=runtime.feed.fingerprint),
                file=sys.stderr,
                flush=True,
            )
        await _until_signalled()
        _log.info("shutting down")
    finally:
        await runtime.close()
    return 0


async def _until_signalled() -> None:
    """Return on SIGINT or SIGTERM (on Windows, Ctrl+C arrives as KeyboardInterrupt)."""
    import asyncio  # noqa: PLC0415

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    try:
        await stop.wait()
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
