"""The command catalog: which parser reads the output of a command as typed on the router.

Each parser family module declares a ``COMMANDS`` tuple of :class:`CommandSpec`; this module
gathers them and resolves typed commands, abbreviations and arguments included
(`dis int br`, `display interface GigabitEthernet 0/1/1`, `d access-user domain isp`).
"""

from __future__ import annotations

import importlib
from functools import cache, lru_cache
from typing import Any

from app.domain.errors import ParseError, UnknownCommandError
from app.vrp.grammar import CommandSpec, Match, match_alternative

# Parser families, one module per command family.
FAMILY_MODULES: tuple[str, ...] = (
    "app.vrp.cpu",
    "app.vrp.memory",
    "app.vrp.health",
    "app.vrp.version",
    "app.vrp.device",
    "app.vrp.alarms",
    "app.vrp.interface_brief",
    "app.vrp.interface_detail",
    "app.vrp.interface_description",
    "app.vrp.access_users",
    "app.vrp.domains",
    "app.vrp.ip_pools",
    "app.vrp.pppoe",
)


@cache
def all_commands() -> tuple[CommandSpec, ...]:
    """Every command spec from every family module, in catalog order."""
    specs: list[CommandSpec] = []
    for module_name in FAMILY_MODULES:
        specs.extend(importlib.import_module(module_name).COMMANDS)
    return tuple(specs)


def _words(command: str) -> list[str]:
    """Typed words of the command, without a trailing `| no-more` / `| include` filter."""
    return command.split("|", 1)[0].split()


@lru_cache(maxsize=1024)
def resolve(command: str) -> Match:
    """The catalog entry for a typed command, or :class:`UnknownCommandError`.

    Pollers resolve the same few commands over and over, so results are cached; the
    returned Match is shared and must be treated as read-only.
    """
    words = _words(command)
    command = command.strip()
    if not words:
        raise UnknownCommandError("empty command")
    matches = [
        found
        for spec in all_commands()
        for alternative in spec.alternatives
        if (found := match_alternative(spec, alternative, words))
    ]
    if not matches:
        raise UnknownCommandError(f"unknown or unsupported command: {command!r}")
    best = max(found.exact_keywords for found in matches)
    finalists = {found.canonical: found for found in matches if found.exact_keywords == best}
    if len({found.spec.pattern for found in finalists.values()}) > 1:
        options = ", ".join(sorted(finalists))
        raise UnknownCommandError(f"ambiguous command {command!r}: could be {options}")
    return next(iter(finalists.values()))


def parse_output(command: str, text: str) -> Any:
    """Parse `text` as the output of `command`; errors name the command."""
    match = resolve(command)
    try:
        return match.spec.parser(text)
    except ParseError as error:
        raise error.with_command(match.canonical) from None
