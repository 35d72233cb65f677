"""The commands each CLI view knows, and what they do.

A view's command set is a :class:`~app.simulator.cmdtree.Node` tree; its actions take the
session and the matched arguments and return the output text (or None). Display commands
render live state through :mod:`app.simulator.render`; configuration commands change the
session's candidate configuration, which only ``commit`` applies (VRP8 two-stage commit).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from app.simulator import render
from app.simulator.cmdtree import Node, add_command
from app.simulator.errors import WRONG_PARAMETER, CommandError

if TYPE_CHECKING:
    from app.simulator.cli import CliSession

Action = Callable[["CliSession", dict[str, str]], Awaitable[str | None]]

# `screen-length` accepts 0 (no paging) to 512 lines.
MAX_SCREEN_LENGTH = 512
SCREEN_LENGTH_INFO = (
    "Info: The configuration takes effect on the current user terminal interface only."
)


def _display(render_call: Callable[..., str], **fixed: object) -> Action:
    """An action that renders live state; arguments pass through by name."""

    async def action(session: CliSession, arguments: dict[str, str]) -> str | None:
        return render_call(session.state, **fixed, **arguments)

    return action


async def _display_this(session: CliSession, arguments: dict[str, str]) -> str | None:
    name = session.view.interface
    if name is None:
        return "#\nreturn"
    return _interface_configuration(session, name)


async def _current_configuration_interface(
    session: CliSession, arguments: dict[str, str]
) -> str | None:
    return _interface_configuration(session, arguments["name"])


def _interface_configuration(session: CliSession, name: str) -> str:
    """The running configuration of one interface, as ``display this`` shows it."""
    admin = " shutdown" if session.state.is_admin_down(name) else " undo shutdown"
    return f"#\ninterface {name}\n{admin}\n#\nreturn"


async def _screen_length(session: CliSession, arguments: dict[str, str]) -> str | None:
    length = int(arguments["length"])
    if length > MAX_SCREEN_LENGTH:
        raise CommandError(WRONG_PARAMETER)
    session.page_lines = length
    return SCREEN_LENGTH_INFO


async def _system_view(session: CliSession, arguments: dict[str, str]) -> str | None:
    session.enter_system_view()
    return "Enter system view, return user view with return command."


async def _quit(session: CliSession, arguments: dict[str, str]) -> str | None:
    await session.quit()
    return None


async def _return(session: CliSession, arguments: dict[str, str]) -> str | None:
    await session.return_to_user_view()
    return None


async def _commit(session: CliSession, arguments: dict[str, str]) -> str | None:
    session.commit()
    return None


async def _interface(session: CliSession, arguments: dict[str, str]) -> str | None:
    session.enter_interface_view(arguments["name"])
    return None


async def _aaa(session: CliSession, arguments: dict[str, str]) -> str | None:
    session.enter_aaa_view()
    return None


async def _shutdown(session: CliSession, arguments: dict[str, str]) -> str | None:
    session.stage_admin_state(down=True)
    return None


async def _undo_shutdown(session: CliSession, arguments: dict[str, str]) -> str | None:
    session.stage_admin_state(down=False)
    return None


async def _cut_access_user(session: CliSession, arguments: dict[str, str]) -> str | None:
    removed = session.state.cut_user(arguments["username"])
    if removed > 1:
        return f"Info:Totally,{removed} users have been cut off."
    return f"Info:Totally,{removed} user has been cut off."


_DISPLAY_COMMANDS: tuple[tuple[str, Action], ...] = (
    ("display cpu-usage [slot <slot> [cpu <cpu:int>]]", _display(render.render_cpu_usage)),
    ("display memory-usage [slot <slot>]", _display(render.render_memory_usage)),
    ("display health", _display(render.render_health)),
    ("display version", _display(render.render_version)),
    ("display version slot <slot>", _display(render.render_version_slot)),
    ("display device", _display(render.render_device)),
    ("display interface [<name:ifname>]", _display(render.render_interface)),
    ("display interface brief", _display(render.render_interface_brief)),
    (
        "display interface description [<name:ifname>]",
        _display(render.render_interface_description),
    ),
    (
        "display access-user online-total",
        _display(render.render_access_user_online_total, number=False),
    ),
    (
        "display access-user online-total-number",
        _display(render.render_access_user_online_total, number=True),
    ),
    ("display access-user summary", _display(render.render_access_user_summary)),
    ("display access-user", _display(render.render_access_user_overview)),
    ("display access-user domain <domain:word>", _display(render.render_access_users)),
    (
        "display access-user domain <domain:word> verbose",
        _display(render.render_access_user_detail),
    ),
    (
        "display access-user username <username:word> verbose",
        _display(render.render_access_user_detail),
    ),
    ("display access-user ip-address <ip:word>", _display(render.render_access_user_detail)),
    ("display access-user mac-address <mac:word>", _display(render.render_access_user_detail)),
    ("display access-user interface <interface:ifname>", _display(render.render_access_users)),
    ("display access-user username <username:word>", _display(render.render_access_users)),
    ("display access-user slot [<slot>]", _display(render.render_access_user_slot)),
    ("display domain", _display(render.render_domain)),
    ("display ip pool [name <name:word>]", _display(render.render_ip_pool)),
    ("display ip-pool pool-usage", _display(render.render_ip_pool_usage)),
    ("display pppoe statistics [slot <slot>]", _display(render.render_pppoe_statistics)),
    ("display alarm active", _display(render.render_alarm_active, verbose=False)),
    ("display alarm active verbose", _display(render.render_alarm_active, verbose=True)),
    ("display this", _display_this),
    (
        "display current-configuration interface <name:ifname>",
        _current_configuration_interface,
    ),
)

_USER_COMMANDS: tuple[tuple[str, Action], ...] = (
    ("screen-length <length:int> temporary", _screen_length),
    ("system-view", _system_view),
    ("quit", _quit),
)

_SYSTEM_COMMANDS: tuple[tuple[str, Action], ...] = (
    ("interface <name:ifname>", _interface),
    ("aaa", _aaa),
    ("commit", _commit),
    ("quit", _quit),
    ("return", _return),
)

_INTERFACE_COMMANDS: tuple[tuple[str, Action], ...] = (
    ("shutdown", _shutdown),
    ("undo shutdown", _undo_shutdown),
)

_AAA_COMMANDS: tuple[tuple[str, Action], ...] = (
    ("cut access-user username <username:word> [all]", _cut_access_user),
)


def _tree(*groups: tuple[tuple[str, Action], ...]) -> Node:
    root = Node()
    for group in groups:
        for pattern, action in group:
            add_command(root, pattern, action)
    return root


# One tree per view. Sub-views also accept the system view's commands, as VRP8 does
# (`interface GE0/1/1` straight from another interface's view).
VIEW_TREES: dict[str, Node] = {
    "user": _tree(_DISPLAY_COMMANDS, _USER_COMMANDS),
    "system": _tree(_DISPLAY_COMMANDS, _SYSTEM_COMMANDS),
    "interface": _tree(_DISPLAY_COMMANDS, _SYSTEM_COMMANDS, _INTERFACE_COMMANDS),
    "aaa": _tree(_DISPLAY_COMMANDS, _SYSTEM_COMMANDS, _AAA_COMMANDS),
}
