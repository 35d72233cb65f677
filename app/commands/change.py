"""`ne8000monitor change`: shut down / re-enable an interface or cut a subscriber, safely.

The terminal caller of :class:`app.engine.changes.ChangeWorkflow`, the same workflow the
GUI uses::

    ne8000monitor change bras-sp1 shutdown GigabitEthernet0/5/0
    ne8000monitor change bras-sp1 undo-shutdown GE0/5/0
    ne8000monitor change --host 10.0.0.1 --username noc cut-user cliente123@isp --yes

Flow: check the typed value's shape (injection characters never get a login), log in
through the engine pool, read ``display interface brief`` so the interface is checked
against the router's own list, plan, print the exact lines, ask the operator to type the
router name (or take ``--yes``), apply, report. The workflow writes the audit log entry.

Exit status: 0 committed (or, for cut-user, applied); 1 the router refused the change and
it was abandoned, nothing pending; 2 nothing was changed (bad arguments, validation,
connection, login, not confirmed); 3 the outcome is unknown (no answer to ``commit`` or to
the cut), check the router.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from app.commands.router_target import (
    RouterTarget,
    UsageError,
    add_router_arguments,
    build_cli_engine,
    login_failure_message,
    quiet_logging,
    resolve_target,
)
from app.domain.errors import (
    NE8000MonitorError,
    RouterError,
)

# The engine, the parsers and the settings load when a change runs, not when the command
# line is parsed (`ne8000monitor --version` and the other commands stay fast).
if TYPE_CHECKING:
    import asyncio

    from app.bootstrap import Engine
    from app.domain.interfaces import BriefInterface
    from app.engine.changes import ChangePlan, ChangeRequest, ChangeResult
    from app.engine.snapshot import CommandRunner

EXIT_ABANDONED = 1
EXIT_FAILED = 2
EXIT_UNKNOWN = 3
BRIEF_COMMAND = "display interface brief"

# Action words on the command line; `_request_types` names the request each one builds.
ACTIONS: tuple[str, ...] = ("shutdown", "undo-shutdown", "cut-user")


def _request_types() -> dict[str, Callable[[str, str], ChangeRequest]]:
    """Action word -> the workflow request it builds."""
    from app.engine.changes import (  # noqa: PLC0415
        CutAccessUser,
        InterfaceShutdown,
        InterfaceUndoShutdown,
    )

    return {
        "shutdown": InterfaceShutdown,
        "undo-shutdown": InterfaceUndoShutdown,
        "cut-user": CutAccessUser,
    }


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `change` subcommand."""
    parser = subparsers.add_parser(
        "change",
        help="shut down / re-enable an interface or cut a subscriber, after a preview",
        description=(
            "Change one thing on a router (a profile from settings.toml, or --host): "
            "'shutdown IFACE', 'undo-shutdown IFACE' or 'cut-user USERNAME'. The exact lines "
            "are shown first and sent only after you type the router name (or with --yes). "
            "Every attempt is written to the audit log. Exit 0 done, 1 refused by the router "
            "(nothing pending), 2 nothing changed, 3 outcome unknown (check the router). "
            "Options go before ROUTER or after the target."
        ),
    )
    add_router_arguments(parser)
    parser.add_argument("action", choices=list(ACTIONS), metavar="ACTION", help=", ".join(ACTIONS))
    parser.add_argument("target", metavar="TARGET", help="interface name, or subscriber account")
    parser.add_argument(
        "--yes",
        action="store_true",
        help="apply without asking (for scripts); the preview is still printed and audited",
    )
    parser.set_defaults(handler=run)


class _Stop(Exception):
    """The change goes no further: one line for stderr and the exit status."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


def _request(args: argparse.Namespace, router: str) -> ChangeRequest:
    """The workflow request, its value checked here already, before any login.

    A user name needs no router to be checked. Whether an interface exists can only be
    told from the router's list, read after logging in; but its characters and form need
    no router, so `Gi0/5/0;reboot` or a name with a newline is refused without even
    connecting. (The name is checked against a list holding only itself: only the shape
    can fail.) The workflow checks both again when it plans.
    """
    from app.engine.changes import CutAccessUser  # noqa: PLC0415
    from app.vrp.validation import validate_interface_name, validate_username  # noqa: PLC0415

    request = _request_types()[args.action](router, args.target)
    if isinstance(request, CutAccessUser):
        validate_username(request.username)
    else:
        validate_interface_name(request.interface, [request.interface])
    return request


def _fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"ne8000monitor change: {' '.join(message.split())}", file=sys.stderr)
    return code


def _connection_failure(error: NE8000MonitorError, target: RouterTarget) -> _Stop:
    """One actionable line for a router we could not log in to or read from."""
    return _Stop(login_failure_message(error, target))


class _ChangeRun:
    """One change from login to outcome, on one engine (its pool keeps the session)."""

    def __init__(self, engine: Engine, target: RouterTarget, request: ChangeRequest) -> None:
        self.engine = engine
        self.target = target
        self.request = request
        self.current: BriefInterface | None = None  # the interface's row in the brief

    async def prepare(self) -> ChangePlan:
        """Log in, read the interface list when needed, plan. Sends nothing but the read."""
        from app.engine.changes import CutAccessUser  # noqa: PLC0415

        pool = self.engine.pools.get(self.target.profile.name)
        request = self.request
        try:
            if isinstance(request, CutAccessUser):
                async with pool.session():
                    pass  # log in now: an unreachable router fails before the preview
            else:
                self.current = await self._read_interfaces(pool, request.interface)
        except NE8000MonitorError as error:
            raise _connection_failure(error, self.target) from error
        # ValidationError (unknown interface, bad user name) propagates: nothing was sent.
        return self.engine.workflow.plan(request)

    async def _read_interfaces(self, pool: CommandRunner, typed: str) -> BriefInterface | None:
        """Remember the router's interface list; the row of the typed interface, if listed."""
        from app.domain.interfaces import InterfaceBrief  # noqa: PLC0415
        from app.vrp.catalog import parse_output  # noqa: PLC0415
        from app.vrp.names import normalise_interface_name  # noqa: PLC0415

        result = await pool.run(BRIEF_COMMAND)
        brief = parse_output(BRIEF_COMMAND, result.output)
        if not isinstance(brief, InterfaceBrief):
            raise _Stop(f"{BRIEF_COMMAND!r} did not parse as an interface list")
        self.engine.interfaces.remember(self.request.router, [row.name for row in brief.interfaces])
        wanted = normalise_interface_name(typed)
        return next(
            (row for row in brief.interfaces if normalise_interface_name(row.name) == wanted), None
        )

    def preview(self, plan: ChangePlan) -> str:
        profile = self.target.profile
        lines = [
            f"router:  {self.target.label}",
            f"host:    {profile.host}:{profile.port} ({profile.transport.value}, "
            f"user {profile.username})",
        ]
        if self.current is not None:
            state = "shut down" if self.current.admin_down else self.current.phy
            lines.append(
                f"now:     {self.current.name} physical {state}, protocol {self.current.protocol}"
            )
        lines.append(f"lines to send ({len(plan.lines)}):")
        lines.extend(f"  {line}" for line in plan.lines)
        return "\n".join(lines)

    def confirm(self, plan: ChangePlan) -> bool:
        """Ask on the terminal; only the exact router name confirms (blocking, loop idle)."""
        sys.stdout.write(
            f"Apply these {len(plan.lines)} lines to {self.target.label}? "
            "Type the router name to confirm: "
        )
        sys.stdout.flush()
        answer = ""
        try:
            answer = sys.stdin.readline()
        finally:
            if not answer.endswith("\n"):  # Ctrl+C or Ctrl+D: end the prompt's line
                print(flush=True)
        return answer.strip() == self.target.label

    async def apply(self, plan: ChangePlan) -> ChangeResult:
        return await self.engine.workflow.apply(plan, confirmation=plan.token)

    def report(self, result: ChangeResult) -> str:
        from app.engine.changes import CutAccessUser, InterfaceShutdown  # noqa: PLC0415

        request = self.request
        where = self.target.label
        if isinstance(request, CutAccessUser):
            if result.users_cut is None:
                return (
                    f"applied on {where}: cut access-user {request.username} was accepted; "
                    "the router did not say how many sessions ended"
                )
            if result.users_cut == 0:
                return f"applied on {where}: no session of {request.username} was online"
            return f"applied on {where}: {result.users_cut} session(s) of {request.username} cut"
        name = _plan_interface(result.plan)
        done = "shut down" if isinstance(request, InterfaceShutdown) else "enabled (undo shutdown)"
        return f"{result.outcome} on {where}: {name} {done}"


def _plan_interface(plan: ChangePlan) -> str:
    """The canonical interface name an interface plan works on (its `interface X` line)."""
    return next(line for line in plan.lines if line.startswith("interface ")).split(" ", 1)[1]


def _execute(runner: asyncio.Runner, change: _ChangeRun, *, assume_yes: bool) -> int:
    """Plan, preview, confirm, apply; 0 when done, else _Stop with the reason and status."""
    from app.engine.changes import ChangeAbandoned  # noqa: PLC0415

    try:
        plan = runner.run(change.prepare())
    except NE8000MonitorError as error:  # validation: only the read was sent
        raise _Stop(str(error)) from error
    print(change.preview(plan), flush=True)
    if not assume_yes and not change.confirm(plan):
        change.engine.workflow.cancel(plan)
        raise _Stop(f"not confirmed (the router name is {change.target.label!r}); nothing sent")
    try:
        result = runner.run(change.apply(plan))
    except KeyboardInterrupt:
        raise _Stop(
            "interrupted while the change was being sent: outcome unknown, check the router",
            EXIT_UNKNOWN,
        ) from None
    except ChangeAbandoned as error:
        if error.outcome_unknown:
            raise _Stop(str(error), EXIT_UNKNOWN) from error
        raise _Stop(str(error), EXIT_ABANDONED) from error
    except RouterError as error:  # no session could be leased: nothing was sent
        raise _connection_failure(error, change.target) from error
    except NE8000MonitorError as error:  # expired preview, rate limit: nothing was sent
        raise _Stop(str(error)) from error
    print(change.report(result), flush=True)
    return 0


def run(args: argparse.Namespace) -> int:
    """Make one change; 0 done, 1 abandoned by the router, 2 nothing changed, 3 unknown."""
    import asyncio  # noqa: PLC0415

    from app.engine.profiles import ProfileError, load_profiles  # noqa: PLC0415

    quiet_logging("change")
    try:
        profiles = load_profiles() if args.router else {}
        target = resolve_target(args, profiles)
        request = _request(args, target.profile.name)
    except (UsageError, ProfileError, NE8000MonitorError, ValueError) as error:
        return _fail(str(error))
    if not args.yes and not sys.stdin.isatty():
        return _fail("confirmation needs a terminal or --yes")
    engine = build_cli_engine(target.profile)
    change = _ChangeRun(engine, target, request)
    with asyncio.Runner() as runner:
        try:
            return _execute(runner, change, assume_yes=args.yes)
        except _Stop as stop:
            return _fail(str(stop), stop.code)
        except KeyboardInterrupt:
            return _fail("interrupted; nothing was changed")
        finally:
            with contextlib.suppress(KeyboardInterrupt):
                runner.run(engine.close())
