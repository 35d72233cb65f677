"""Environment variables of the earlier service override the settings file; ``.env`` parsing.

The FastAPI + Redis service this app replaced was configured by environment variables, often
from a ``.env`` file. The same names keep working, so a deployment script or container can
switch without edits:

===========================  ==================================================================
Variable                     Effect
===========================  ==================================================================
HOST, PORT                   ``feed.host`` / ``feed.port`` (the feed's bind address)
DEBUG                        true: ``logging.level = "DEBUG"`` (unless LOG_LEVEL is set)
LOG_LEVEL                    ``logging.level`` (DEBUG, INFO, WARNING/WARN, ERROR, CRITICAL)
LOG_FILE                     a path: log there (``logging.file_path``, file on); a boolean
                             word (true/false, on/off, 1/0, yes/no): file on/off only
ROUTER_HOST                  defines a router profile named ROUTER_NAME, by default after
                             its address (``10.0.0.1``, or ``10.0.0.1:2222`` when the port
                             is not 22); an existing profile of that name is the base
ROUTER_PORT, ROUTER_USERNAME port and username of that profile
ROUTER_PROTOCOL              ``ssh`` or ``telnet`` (a new telnet profile defaults to port 23)
ROUTER_PASSWORD              never stored: returned as :attr:`EnvOverrides.router_password`
RATE_LIMIT_COMMANDS          ``rate_limits.commands`` per minute (also ``..._PER_MINUTE``)
RATE_LIMIT_DATA              ``rate_limits.data``
RATE_LIMIT_DIAGNOSTICS       ``rate_limits.diagnostics``
CACHE_TTL_<KIND>             ``cache_ttl.<kind>``, KIND = INTERFACES, PPPOE, SYSTEM, TRAFFIC
BG_UPDATE_INTERVAL_<KIND>    ``intervals.<kind>`` (the earlier service's background updates),
                             the same KINDs and TRAFFIC_OTHERS
REDIS_*                      accepted and ignored, with a note: nothing needs Redis any more
===========================  ==================================================================

Empty values count as unset (``.env`` templates leave ``REDIS_PASSWORD=`` blank). A bad
value is an :class:`EnvError` naming the variable; an unknown member of a family
(``CACHE_TTL_FOO``) is ignored with a note. Pure: the caller passes the environment.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from app.domain.router import HOSTNAME, PROFILE_NAME, TransportKind, name_for_address
from app.engine.settings import (
    Settings,
    SettingsError,
    check_of,
    checked,
    load_settings,
    make_profile,
    parse_bool,
    transport_kind,
)

DEFAULT_ROUTER_NAME = "router"  # only when no ROUTER_HOST says which box is meant
TELNET_PORT = 23
KINDS = {"INTERFACES": "interfaces", "PPPOE": "pppoe", "SYSTEM": "system", "TRAFFIC": "traffic"}
# The intervals have one member the cache lifetimes do not: the other up ports' traffic.
INTERVAL_KINDS = {**KINDS, "TRAFFIC_OTHERS": "traffic_others"}
RATE_LIMITS = {"COMMANDS": "commands", "DATA": "data", "DIAGNOSTICS": "diagnostics"}
# Prefix -> (settings section, members); the member is what follows the prefix.
FAMILIES: Mapping[str, tuple[str, Mapping[str, str]]] = {
    "CACHE_TTL_": ("cache_ttl", KINDS),
    "BG_UPDATE_INTERVAL_": ("intervals", INTERVAL_KINDS),
    "RATE_LIMIT_": ("rate_limits", RATE_LIMITS),
}
_LEVEL_ALIASES = {"WARN": "WARNING", "FATAL": "CRITICAL"}


class EnvError(SettingsError):
    """An environment (or ``.env``) value is wrong; the message names the variable."""


@dataclass(frozen=True, slots=True)
class EnvOverrides:
    """The settings with the environment applied, and what happened, for the operator.

    `router_password` belongs to the router `router_name` for this session only: keep it in
    memory (or a keyring), never in the settings file. `applied` lists ``(variable,
    "setting = value")`` pairs; `notes` are things ignored, with the reason.
    """

    settings: Settings
    router_name: str | None = None
    router_password: str | None = None
    applied: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()


def _from_text(section: str, key: str, variable: str, text: str) -> Any:
    check = check_of(section, key)
    try:
        value = check.from_text(text)
    except ValueError:
        raise EnvError(f"{variable}: expected {check.expected}, got {text!r}") from None
    try:
        return checked(check, value, variable)
    except SettingsError as error:
        raise EnvError(str(error)) from None


class _Builder:
    """Collects section changes and messages while the variables are read."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.applied: list[tuple[str, str]] = []
        self.notes: list[str] = []

    def set(self, section: str, key: str, variable: str, text: str) -> None:
        value = _from_text(section, key, variable, text)
        self.set_value(section, key, variable, value)

    def set_value(self, section: str, key: str, variable: str, value: Any) -> None:
        current = getattr(self.settings, section)
        self.settings = replace(self.settings, **{section: replace(current, **{key: value})})
        self.applied.append((variable, f"{section}.{key} = {value!r}"))


def apply_environment(
    settings: Settings, environ: Mapping[str, str], *, router_name: str | None = None
) -> EnvOverrides:
    """`settings` with the earlier service's variables in `environ` applied (see module doc).

    `router_name` names the ROUTER_* profile (import-env's ``--name``); else ROUTER_NAME, else
    the router's address (so stored history and alerts of two boxes never share a name).
    """
    values = {key: value for key, value in environ.items() if value.strip() != ""}
    build = _Builder(settings)
    if "HOST" in values:
        build.set("feed", "host", "HOST", values["HOST"].strip())
    if "PORT" in values:
        build.set("feed", "port", "PORT", values["PORT"])
    _logging(build, values)
    for variable in sorted(values):
        _family(build, variable, values[variable])
    name, password = _router(build, values, router_name)
    return EnvOverrides(
        settings=build.settings,
        router_name=name,
        router_password=password,
        applied=tuple(build.applied),
        notes=tuple(build.notes),
    )


def effective_settings(
    path: Path | None = None, environ: Mapping[str, str] | None = None
) -> EnvOverrides:
    """What ``serve`` and the GUI run with: the settings file, then the environment on top.

    `path` None means the user's file (:func:`app.engine.settings.locate_settings`); `environ`
    None means ``os.environ``. Nothing is written back.
    """
    return apply_environment(load_settings(path), os.environ if environ is None else environ)


def _logging(build: _Builder, values: Mapping[str, str]) -> None:
    if "LOG_LEVEL" in values:
        level = values["LOG_LEVEL"].strip().upper()
        build.set("logging", "level", "LOG_LEVEL", _LEVEL_ALIASES.get(level, level))
    if "DEBUG" in values:
        try:
            debug = parse_bool(values["DEBUG"])
        except ValueError:
            raise EnvError(f"DEBUG: expected true or false, got {values['DEBUG']!r}") from None
        if debug and "LOG_LEVEL" not in values:
            build.set_value("logging", "level", "DEBUG", "DEBUG")
    if "LOG_FILE" in values:
        text = values["LOG_FILE"].strip()
        try:
            build.set_value("logging", "file", "LOG_FILE", parse_bool(text))
        except ValueError:
            build.set_value("logging", "file", "LOG_FILE", True)
            build.set("logging", "file_path", "LOG_FILE", text)


def _family(build: _Builder, variable: str, text: str) -> None:
    if variable.startswith("REDIS_"):
        build.notes.append(f"{variable} is ignored: this app keeps its cache in memory (no Redis)")
        return
    for prefix, (section, members) in FAMILIES.items():
        if not variable.startswith(prefix):
            continue
        member = variable.removeprefix(prefix).removesuffix("_PER_MINUTE")
        if member not in members:
            known = ", ".join(prefix + name for name in members)
            build.notes.append(f"{variable} is ignored: not a known setting (known: {known})")
            return
        build.set(section, members[member], variable, text)
        return


def _router(
    build: _Builder, values: Mapping[str, str], router_name: str | None
) -> tuple[str | None, str | None]:
    name = router_name or values.get("ROUTER_NAME", "").strip() or _address_name(values)
    if not PROFILE_NAME.match(name):
        variable = "--name" if router_name else "ROUTER_NAME"
        raise EnvError(f"{variable}: {name!r} is not a profile name (letters, digits, . _ -)")
    base = build.settings.routers.get(name)
    fields = ("ROUTER_HOST", "ROUTER_PORT", "ROUTER_USERNAME", "ROUTER_PROTOCOL")
    password = values.get("ROUTER_PASSWORD")
    if "ROUTER_HOST" not in values and base is None:
        build.notes.extend(
            f"{variable} is ignored: ROUTER_HOST is not set and there is no router {name!r}"
            for variable in fields
            if variable in values
        )
        return (name if password is not None else None), password
    if not any(variable in values for variable in fields):
        return (name if password is not None else None), password
    changes = _router_values(values)
    if base is None:
        if "port" not in changes and changes.get("transport") is TransportKind.TELNET:
            changes["port"] = TELNET_PORT
        try:
            profile = make_profile(name, changes, "ROUTER_*")
        except SettingsError as error:
            raise EnvError(str(error)) from None
    else:
        try:
            profile = replace(base, **changes)
        except ValueError as error:
            raise EnvError(f"ROUTER_*: {error}") from None
    build.settings = build.settings.with_router(profile)
    shown = ", ".join(f"{key} = {value!s}" for key, value in changes.items())
    build.applied.append(("ROUTER_*", f"routers.{name}: {shown}"))
    return name, password


def _address_name(values: Mapping[str, str]) -> str:
    """The ROUTER_* router's name when none is given: its host, with the port unless 22."""
    host = values.get("ROUTER_HOST", "").strip()
    if not host or not HOSTNAME.match(host):
        return DEFAULT_ROUTER_NAME  # a bad host is reported by _router_values
    changes = _router_values({k: v for k, v in values.items() if k != "ROUTER_HOST"})
    default = TELNET_PORT if changes.get("transport") is TransportKind.TELNET else 22
    name = name_for_address(host, changes.get("port", default))
    return name if PROFILE_NAME.match(name) else DEFAULT_ROUTER_NAME


def _router_values(values: Mapping[str, str]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if "ROUTER_HOST" in values:
        changes["host"] = values["ROUTER_HOST"].strip()
    if "ROUTER_PORT" in values:
        text = values["ROUTER_PORT"].strip()
        if not re.fullmatch(r"\d{1,5}", text) or not 1 <= int(text) <= 65535:
            raise EnvError(f"ROUTER_PORT: expected a port number 1-65535, got {text!r}")
        changes["port"] = int(text)
    if "ROUTER_USERNAME" in values:
        changes["username"] = values["ROUTER_USERNAME"].strip()
    if "ROUTER_PROTOCOL" in values:
        try:
            changes["transport"] = transport_kind(values["ROUTER_PROTOCOL"], "ROUTER_PROTOCOL")
        except SettingsError as error:
            raise EnvError(str(error)) from None
    if "host" in changes and not HOSTNAME.match(changes["host"]):
        raise EnvError(f"ROUTER_HOST: not a host name or address: {changes['host']!r}")
    if "username" in changes and any(char.isspace() for char in changes["username"]):
        raise EnvError("ROUTER_USERNAME: must not contain spaces")
    return changes


# ----- .env files --------------------------------------------------------------------------

_ASSIGNMENT = re.compile(r"^(?:export\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<value>.*)$")
_DOUBLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "$"}


def parse_dotenv(text: str, *, source: str = ".env") -> dict[str, str]:
    """``KEY=VALUE`` lines of a ``.env`` file, as python-dotenv and docker compose read them.

    Blank lines and ``#`` comments are skipped; an ``export`` prefix is allowed; values may be
    bare (a `` #`` starts a comment), 'single-quoted' (literal) or "double-quoted" (``\\n``,
    ``\\"``, ``\\\\`` escapes). No variable expansion. A line that is none of these is an
    EnvError naming the file and line (its value is not shown: it may be a password). A
    leading UTF-8 byte-order mark is ignored.
    """
    result: dict[str, str] = {}
    text = text.removeprefix("\ufeff")  # Windows Notepad's UTF-8 byte-order mark
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _ASSIGNMENT.match(line)
        if match is None:
            raise EnvError(f"{source}, line {number}: expected KEY=VALUE")
        key = match.group("key")
        try:
            result[key] = _dotenv_value(match.group("value"))
        except ValueError as error:
            raise EnvError(f"{source}, line {number} ({key}): {error}") from None
    return result


def _dotenv_value(text: str) -> str:
    if text[:1] == "'":
        end = text.find("'", 1)
        if end < 0:
            raise ValueError("unterminated single quote")
        _trailing(text[end + 1 :])
        return text[1:end]
    if text[:1] == '"':
        out: list[str] = []
        index = 1
        while index < len(text):
            char = text[index]
            if char == "\\" and index + 1 < len(text):
                following = text[index + 1]
                out.append(_DOUBLE_ESCAPES.get(following, "\\" + following))
                index += 2
                continue
            if char == '"':
                _trailing(text[index + 1 :])
                return "".join(out)
            out.append(char)
            index += 1
        raise ValueError("unterminated double quote")
    comment = re.search(r"\s#", text)
    return (text[: comment.start()] if comment else text).strip()


def _trailing(rest: str) -> None:
    rest = rest.strip()
    if rest and not rest.startswith("#"):
        raise ValueError("unexpected text after the closing quote")
