"""The settings file: ``settings.toml`` in the user config directory (schema, load, save).

One TOML file holds everything the app needs that is not a secret::

    version = 1

    [intervals]          # seconds between polls, per data set; jitter spreads routers apart
    interfaces = 30.0
    pppoe = 15.0
    system = 45.0
    traffic = 20.0       # the monitored interfaces' counters (rates)
    traffic_others = 60.0  # every other up port's counters (rounded to a multiple of traffic)
    jitter = 0.1         # fraction of the interval, 0 <= jitter < 1

    [cache_ttl]          # seconds a cached answer stays fresh
    interfaces = 45.0
    pppoe = 20.0
    system = 60.0
    traffic = 30.0

    [thresholds]
    mass_drop_percent = 10.0   # subscriber total falling by this much ...
    mass_drop_window = 120.0   # ... within this many seconds raises an alert
    cpu_percent = 85.0
    cpu_polls = 3              # consecutive polls above the threshold
    memory_percent = 90.0
    memory_polls = 3
    pool_percent = 90.0

    [rate_limits]        # operator-initiated requests per router per minute
    commands = 10
    data = 30
    diagnostics = 5

    [feed]               # the local HTTP/WebSocket feed
    enabled = false
    host = "127.0.0.1"
    port = 8000
    # token = "..."      # absent means none (seat tokens: [seats.NAME] below)
    remote_commands = false
    operator_mode = false
    cors_origins = []
    # tls_cert = "/etc/ne8000monitor/feed.crt"   # both: serve https/wss instead of http/ws
    # tls_key = "/etc/ne8000monitor/feed.key"

    [alertmanager]       # post every alert to Prometheus Alertmanager's API v2
    # url = "http://alertmanager:9093"           # absent means off
    resend_interval = 60.0                       # seconds between re-sends of active alerts
    timeout = 10.0

    [notify]             # direct notifications (apprise URLs) for sites without Alertmanager
    urls = []            # e.g. ["tgram://BOT_TOKEN/CHAT_ID", "mailto://user:pass@smtp.example"]
    min_severity = "major"
    group_seconds = 10.0 # alerts raised within this window go out as one message
    max_per_hour = 20    # messages per hour at most; the rest are counted and summarised
    send_cleared = true  # also tell when an alert clears

    [collector]          # collector mode of the desktop app (absent url: monitor routers here)
    # url = "https://collector.noc.example:8000"  # a `serve` on the LAN; its seat token is
    # fingerprint = "AB:CD:..."                   # in the OS keyring; pin a self-signed cert

    [logging]
    level = "INFO"
    json_lines = false
    file = true
    # file_path = "..."  # absent means the user log directory

    [routers.bras-sp1]   # the fields of app.domain.router.RouterProfile
    host = "10.0.0.1"

    [seats.noc-1]        # a feed token per seat, written by `ne8000monitor token add`
    id = "3fa2c1d9"      # public half of the token
    hash = "scrypt$16384$8$1$..."   # salted hash of the secret half; the token is never kept
    created = "2025-06-01T12:00:00+00:00"

Every error names the file and the key (``intervals.pppoe: expected a positive number, got
"abc"``); unknown keys are errors, so a typo never silently falls back to a default. A key
that looks like a secret (``password`` ...) is refused anywhere: passwords live in the OS
keyring. Files are versioned: :data:`MIGRATIONS` lifts older layouts on load (v0 is the
``routers.toml``-only layout of earlier releases). Loading never writes; :func:`save_settings`
replaces the file atomically (temporary file + ``os.replace``, mode 0600), so a failed write
leaves the previous file intact and a file that does not parse is never reset.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tomlkit

from app.domain.alerts import Severity
from app.domain.errors import NE8000MonitorError
from app.domain.router import RouterProfile, TransportKind
from app.engine.alerts import AlertThresholds
from app.engine.cache import DEFAULT_TTLS
from app.engine.poller import PollIntervals
from app.engine.ratelimit import DEFAULT_LIMITS, LimitKind
from app.engine.seats import SeatToken, valid_hash, valid_seat_id, valid_seat_name, valid_timestamp
from app.engine.toml_text import TomlSyntaxError, read_toml, update_document
from app.platform.dirs import user_config_dir
from app.platform.files import write_private_atomic
from app.tls import normalise_fingerprint

SETTINGS_FILE = "settings.toml"
LEGACY_PROFILES_FILE = "routers.toml"
CURRENT_VERSION = 1
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(NE8000MonitorError):
    """The settings are unreadable or wrong; the message names the file and the key."""


# ----- checks ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Check:
    """What one setting accepts: a test on a TOML value and how to read it from text (env)."""

    expected: str
    accepts: Callable[[Any], bool]
    from_text: Callable[[str], Any]
    normalise: Callable[[Any], Any] = lambda value: value


def _is_number(value: Any) -> bool:
    # bool is an int in Python; `port = true` must not slip through as 1.
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_bool(text: str) -> bool:
    """``true/false``, ``1/0``, ``yes/no``, ``on/off`` (any case), as env files write them."""
    word = text.strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off"):
        return False
    raise ValueError(text)


def _text_number(text: str) -> float:
    value = float(text.strip())
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _text_int(text: str) -> int:
    return int(text.strip())


POSITIVE = Check(
    "a positive number",
    lambda v: _is_number(v) and v > 0,
    _text_number,
    float,
)
POSITIVE_INT = Check("a positive whole number", lambda v: _is_int(v) and v > 0, _text_int)
PERCENT = Check(
    "a percentage above 0 and at most 100",
    lambda v: _is_number(v) and 0 < v <= 100,
    _text_number,
    float,
)
FRACTION = Check(
    "a fraction from 0 up to (not including) 1",
    lambda v: _is_number(v) and 0 <= v < 1,
    _text_number,
    float,
)
PORT = Check("a port number 1-65535", lambda v: _is_int(v) and 1 <= v <= 65535, _text_int)
BOOL = Check("true or false", lambda v: isinstance(v, bool), parse_bool)
TEXT = Check("a non-empty string", lambda v: isinstance(v, str) and v.strip() != "", str)
TEXT_LIST = Check(
    "a list of strings",
    lambda v: isinstance(v, list | tuple) and all(isinstance(i, str) and i for i in v),
    lambda text: [part.strip() for part in text.split(",") if part.strip()],
    tuple,
)
LEVEL = Check(
    f"one of {', '.join(LOG_LEVELS)}",
    lambda v: isinstance(v, str) and v.upper() in LOG_LEVELS,
    str,
    str.upper,
)
_SEVERITIES = tuple(str(level) for level in Severity)
SEVERITY = Check(
    f"one of {', '.join(_SEVERITIES)}",
    lambda v: isinstance(v, str) and v.strip().lower() in _SEVERITIES,
    str,
    lambda v: v.strip().lower(),
)


def _is_http_url(value: Any) -> bool:
    if not isinstance(value, str) or any(char.isspace() for char in value.strip()):
        return False
    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _is_url_list(value: Any) -> bool:
    return isinstance(value, list | tuple) and all(
        isinstance(item, str) and "://" in item and not any(c.isspace() for c in item.strip())
        for item in value
    )


HTTP_URL = Check(
    "an http:// or https:// URL",
    _is_http_url,
    str,
    lambda v: v.strip().rstrip("/"),
)
URL_LIST = Check(
    "a list of notification URLs (scheme://...)",
    _is_url_list,
    lambda text: [part.strip() for part in text.split(",") if part.strip()],
    lambda v: tuple(i.strip() for i in v),
)


def _is_fingerprint(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        normalise_fingerprint(value)
    except ValueError:
        return False
    return True


FINGERPRINT = Check(
    "a SHA-256 certificate fingerprint (64 hex digits, AB:CD:... as `serve` prints it)",
    _is_fingerprint,
    str,
    normalise_fingerprint,
)


# Lower bounds on what makes the app talk to a router more often. A poll interval or cache
# lifetime of 0.001 s means about 100 commands a second to a box whose CPU and few VTY lines
# are shared with the network itself; a timeout of a few milliseconds makes every login or
# command fail and be retried. Documented in README ("Safe minimums").
MIN_POLL_INTERVAL = 5.0
MIN_CACHE_TTL = 5.0
MIN_CONNECT_TIMEOUT = 2.0
MIN_COMMAND_TIMEOUT = 5.0
MIN_KEEPALIVE_INTERVAL = 10.0


def seconds_at_least(minimum: float, why: str) -> Check:
    """A number of seconds no smaller than `minimum`; the message says why."""
    return Check(
        f"a number of seconds of at least {minimum:g} ({why})",
        lambda v: _is_number(v) and v >= minimum,
        _text_number,
        float,
    )


POLL_SECONDS = seconds_at_least(MIN_POLL_INTERVAL, "polling faster loads the router")
TTL_SECONDS = seconds_at_least(MIN_CACHE_TTL, "a shorter lifetime sends more commands")


def _setting(default: Any, check: Check) -> Any:
    return field(default=default, metadata={"check": check})


# ----- schema ------------------------------------------------------------------------------
# Defaults come from the modules that use them, so the file and the engine cannot disagree.
_POLL = PollIntervals()
_ALERT = AlertThresholds()


@dataclass(frozen=True, slots=True)
class Intervals:
    """Seconds between polls per data set (defaults of the earlier service) and jitter."""

    interfaces: float = _setting(_POLL.interfaces, POLL_SECONDS)
    pppoe: float = _setting(_POLL.subscribers, POLL_SECONDS)
    system: float = _setting(_POLL.system, POLL_SECONDS)
    traffic: float = _setting(_POLL.traffic, POLL_SECONDS)
    traffic_others: float = _setting(3 * _POLL.traffic, POLL_SECONDS)
    jitter: float = _setting(_POLL.jitter, FRACTION)


@dataclass(frozen=True, slots=True)
class CacheTTLs:
    """Seconds a cached answer stays fresh, per data set."""

    interfaces: float = _setting(DEFAULT_TTLS["interfaces"], TTL_SECONDS)
    pppoe: float = _setting(DEFAULT_TTLS["pppoe"], TTL_SECONDS)
    system: float = _setting(DEFAULT_TTLS["system"], TTL_SECONDS)
    traffic: float = _setting(DEFAULT_TTLS["traffic"], TTL_SECONDS)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When alerts fire: mass PPPoE drop, CPU/memory for N polls, IP pool usage."""

    mass_drop_percent: float = _setting(_ALERT.drop_percent, PERCENT)
    mass_drop_window: float = _setting(_ALERT.drop_window_seconds, POSITIVE)
    cpu_percent: float = _setting(_ALERT.cpu_percent, PERCENT)
    cpu_polls: int = _setting(_ALERT.load_polls, POSITIVE_INT)
    memory_percent: float = _setting(_ALERT.memory_percent, PERCENT)
    memory_polls: int = _setting(_ALERT.load_polls, POSITIVE_INT)
    pool_percent: float = _setting(_ALERT.pool_percent, PERCENT)


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Operator-initiated requests per router per minute (see app.engine.ratelimit)."""

    commands: int = _setting(DEFAULT_LIMITS[LimitKind.COMMAND], POSITIVE_INT)
    data: int = _setting(DEFAULT_LIMITS[LimitKind.DATA], POSITIVE_INT)
    diagnostics: int = _setting(DEFAULT_LIMITS[LimitKind.DIAGNOSTIC], POSITIVE_INT)


@dataclass(frozen=True, slots=True)
class FeedSettings:
    """The local HTTP/WebSocket feed; the bind/token rule is enforced when it starts."""

    enabled: bool = _setting(False, BOOL)
    host: str = _setting("127.0.0.1", TEXT)
    port: int = _setting(8000, PORT)
    token: str | None = _setting(None, TEXT)
    remote_commands: bool = _setting(False, BOOL)
    operator_mode: bool = _setting(False, BOOL)
    cors_origins: tuple[str, ...] = _setting((), TEXT_LIST)
    # Both set: the feed speaks TLS (https/wss); paths to PEM files. Checked at start.
    tls_cert: str | None = _setting(None, TEXT)
    tls_key: str | None = _setting(None, TEXT)

    @property
    def tls(self) -> bool:
        return self.tls_cert is not None or self.tls_key is not None


@dataclass(frozen=True, slots=True)
class AlertmanagerSettings:
    """Prometheus Alertmanager: where alerts are posted (None: not at all) and how often
    active ones are re-sent (Prometheus re-sends every minute)."""

    url: str | None = _setting(None, HTTP_URL)
    resend_interval: float = _setting(60.0, POSITIVE)
    timeout: float = _setting(10.0, POSITIVE)


@dataclass(frozen=True, slots=True)
class NotifySettings:
    """Direct notifications through apprise URLs (Telegram, e-mail, webhooks ...).

    The URLs usually hold secrets (bot tokens, SMTP passwords): the file is written 0600
    and the URLs are masked in every log line."""

    urls: tuple[str, ...] = _setting((), URL_LIST)
    min_severity: str = _setting(str(Severity.MAJOR), SEVERITY)
    group_seconds: float = _setting(10.0, POSITIVE)
    max_per_hour: int = _setting(20, POSITIVE_INT)
    send_cleared: bool = _setting(True, BOOL)


@dataclass(frozen=True, slots=True)
class LoggingSettings:
    """Log level, JSON lines or plain text, and the rotating file (None = user log dir)."""

    level: str = _setting("INFO", LEVEL)
    json_lines: bool = _setting(False, BOOL)
    file: bool = _setting(True, BOOL)
    file_path: str | None = _setting(None, TEXT)


@dataclass(frozen=True, slots=True)
class CollectorSettings:
    """Collector mode of the desktop app: show what a `serve` on the LAN collects instead
    of logging in to the routers (None: this app monitors its own routers). The seat's
    token lives in the OS keyring, never here; `fingerprint` pins a self-signed https
    certificate (None: the system's CAs check it)."""

    url: str | None = _setting(None, HTTP_URL)
    fingerprint: str | None = _setting(None, FINGERPRINT)


SECTIONS: Mapping[str, type] = {
    "intervals": Intervals,
    "cache_ttl": CacheTTLs,
    "thresholds": Thresholds,
    "rate_limits": RateLimits,
    "feed": FeedSettings,
    "logging": LoggingSettings,
    "alertmanager": AlertmanagerSettings,
    "notify": NotifySettings,
    "collector": CollectorSettings,
}


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything in the settings file; the defaults are what an absent file means."""

    intervals: Intervals = field(default_factory=Intervals)
    cache_ttl: CacheTTLs = field(default_factory=CacheTTLs)
    thresholds: Thresholds = field(default_factory=Thresholds)
    rate_limits: RateLimits = field(default_factory=RateLimits)
    feed: FeedSettings = field(default_factory=FeedSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    alertmanager: AlertmanagerSettings = field(default_factory=AlertmanagerSettings)
    notify: NotifySettings = field(default_factory=NotifySettings)
    collector: CollectorSettings = field(default_factory=CollectorSettings)
    # Router profiles by name, in file order. Treat as read-only: use with_router().
    routers: dict[str, RouterProfile] = field(default_factory=dict, hash=False)
    # Feed seat tokens by seat name (hashes only); managed by `ne8000monitor token`.
    seats: dict[str, SeatToken] = field(default_factory=dict, hash=False)

    def with_router(self, profile: RouterProfile) -> Settings:
        """A copy with `profile` added (or replacing the one with the same name)."""
        return replace(self, routers={**self.routers, profile.name: profile})


def check_of(section: str, key: str) -> Check:
    """The check of ``section.key`` (KeyError if there is no such setting)."""
    for item in fields(SECTIONS[section]):
        if item.name == key:
            return item.metadata["check"]
    raise KeyError(f"{section}.{key}")


# ----- secrets -----------------------------------------------------------------------------

_SECRET_WORDS = ("password", "passwd", "secret")
_SECRET_KEYS = frozenset({"key", "private_key", "pwd", "passphrase"})


def is_secret_key(key: str) -> bool:
    """True for keys that would put a secret in the file (`password`, `router_secret` ...)."""
    lowered = key.lower()
    return lowered in _SECRET_KEYS or any(word in lowered for word in _SECRET_WORDS)


def _refuse_secrets(table: Mapping[str, Any], where: str) -> None:
    for key, value in table.items():
        path = f"{where}{key}" if where.endswith(" ") else f"{where}.{key}"
        if is_secret_key(key):
            raise SettingsError(
                f"{path}: secrets do not belong in the settings file; remove it and store "
                "the password with `ne8000monitor credentials set ROUTER`"
            )
        if isinstance(value, dict):
            _refuse_secrets(value, path)


# ----- validation --------------------------------------------------------------------------


def show_value(value: Any) -> str:
    """A value as the user wrote it (TOML syntax where possible), for error messages."""
    try:
        return tomlkit.item(value).as_string()
    except (TypeError, ValueError):
        return repr(value)


def checked(check: Check, value: Any, where: str) -> Any:
    """`value` normalised, or SettingsError ``where: expected ..., got ...``."""
    if not check.accepts(value):
        raise SettingsError(f"{where}: expected {check.expected}, got {show_value(value)}")
    return check.normalise(value)


def _section(kind: type, table: Any, where: str) -> Any:
    if not isinstance(table, dict):
        raise SettingsError(f"{where}: must be a table ([{where.rsplit(' ', 1)[-1]}])")
    known = {item.name: item for item in fields(kind)}
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in known:
            names = ", ".join(known)
            raise SettingsError(f"{where}.{key}: unknown setting (known: {names})")
        values[key] = checked(known[key].metadata["check"], value, f"{where}.{key}")
    return kind(**values)


def _typed(
    kind: str, test: Callable[[Any], bool], normalise: Callable[[Any], Any] = lambda v: v
) -> Check:
    # Router fields check only the type here; ranges and cross-field rules (port 1-65535,
    # pool_size <= vty_budget) are RouterProfile's own, so its message is the one shown.
    return Check(kind, test, str, normalise)


_ROUTER_CHECKS: Mapping[str, Check] = {
    "host": _typed("str", lambda v: isinstance(v, str)),
    "port": _typed("int", _is_int),
    "username": _typed("str", lambda v: isinstance(v, str)),
    "transport": _typed("str", lambda v: isinstance(v, str)),
    "legacy_algorithms": _typed("bool", lambda v: isinstance(v, bool)),
    "pool_size": _typed("int", _is_int),
    "vty_budget": _typed("int", _is_int),
    "connect_timeout": seconds_at_least(
        MIN_CONNECT_TIMEOUT, "an SSH login to a busy router takes that long"
    ),
    "command_timeout": seconds_at_least(
        MIN_COMMAND_TIMEOUT, "big outputs take that long; a timed-out session is replaced"
    ),
    "keepalive_interval": seconds_at_least(
        MIN_KEEPALIVE_INTERVAL, "more often only adds traffic to the router"
    ),
    "monitored": TEXT_LIST,
}


def transport_kind(value: str, where: str) -> TransportKind:
    """``ssh`` or ``telnet`` (any case) as a TransportKind; SettingsError names `where`."""
    try:
        return TransportKind(value.strip().lower())
    except ValueError:
        raise SettingsError(f"{where}: {value!r} is not 'ssh' or 'telnet'") from None


def router_profile(name: str, table: Any, where: str) -> RouterProfile:
    """One ``[routers.NAME]`` table as a RouterProfile; SettingsError names the bad key."""
    if not isinstance(table, dict):
        raise SettingsError(f"{where}: must be a table ([routers.{name}])")
    _refuse_secrets(table, where)
    values: dict[str, Any] = {}
    for key, value in table.items():
        check = _ROUTER_CHECKS.get(key)
        if check is None:
            names = ", ".join(sorted(_ROUTER_CHECKS))
            raise SettingsError(f"{where}.{key}: unknown setting (known: {names})")
        values[key] = checked(check, value, f"{where}.{key}")
    if "host" not in values:
        raise SettingsError(f"{where}.host: missing (the router's address)")
    if "transport" in values:
        values["transport"] = transport_kind(values["transport"], f"{where}.transport")
    return make_profile(name, values, where)


def make_profile(name: str, values: Mapping[str, Any], where: str) -> RouterProfile:
    """RouterProfile(name, **values), its own ValueError turned into a SettingsError."""
    try:
        return RouterProfile(name=name, **values)
    except ValueError as error:
        raise SettingsError(f"{where}: {error}") from None


_SEAT_CHECKS: Mapping[str, Check] = {
    "id": Check(
        "8 lowercase hexadecimal digits (written by `ne8000monitor token add`)",
        lambda v: isinstance(v, str) and valid_seat_id(v),
        str,
    ),
    "hash": Check(
        "a scrypt$N$r$p$salt$digest hash (written by `ne8000monitor token add`)",
        lambda v: isinstance(v, str) and valid_hash(v),
        str,
    ),
    "created": Check(
        "an ISO 8601 time with its UTC offset",
        lambda v: isinstance(v, str) and valid_timestamp(v),
        str,
    ),
}


def seat_token(name: str, table: Any, where: str) -> SeatToken:
    """One ``[seats.NAME]`` table as a SeatToken; SettingsError names the bad key."""
    if not valid_seat_name(name):
        raise SettingsError(
            f"{where}: {name!r} is not a seat name (1-64 letters, digits, '.', '-', '_')"
        )
    if not isinstance(table, dict):
        raise SettingsError(f"{where}: must be a table ([seats.{name}])")
    values: dict[str, str] = {}
    for key, value in table.items():
        check = _SEAT_CHECKS.get(key)
        if check is None:
            names = ", ".join(_SEAT_CHECKS)
            raise SettingsError(f"{where}.{key}: unknown setting (known: {names})")
        values[key] = checked(check, value, f"{where}.{key}")
    for key in _SEAT_CHECKS:
        if key not in values:
            raise SettingsError(
                f"{where}.{key}: missing (seats are written by `ne8000monitor token add`)"
            )
    return SeatToken(name=name, **values)


def seat_tokens(value: Any, source: str) -> dict[str, SeatToken]:
    """The ``[seats]`` table: every seat valid, no two with the same id."""
    if not isinstance(value, dict):
        raise SettingsError(f"{source}: seats must be a table of [seats.NAME] tables")
    seats: dict[str, SeatToken] = {}
    owners: dict[str, str] = {}
    for name, table in value.items():
        seat = seat_token(name, table, f"{source}: seats.{name}")
        if seat.id in owners:
            raise SettingsError(
                f"{source}: seats.{name}.id: {seat.id!r} is already the id of "
                f"seats.{owners[seat.id]}; revoke one and add it again"
            )
        owners[seat.id] = name
        seats[name] = seat
    return seats


def from_document(document: Mapping[str, Any], *, source: str = SETTINGS_FILE) -> Settings:
    """Validate a parsed, current-version document; errors start with `source`."""
    _refuse_secrets(document, f"{source}: ")
    sections: dict[str, Any] = {}
    routers: dict[str, RouterProfile] = {}
    seats: dict[str, SeatToken] = {}
    for key, value in document.items():
        if key == "version":
            continue
        if key == "seats":
            seats = seat_tokens(value, source)
            continue
        if key == "routers":
            if not isinstance(value, dict):
                raise SettingsError(f"{source}: routers must be a table of [routers.NAME] tables")
            routers = {
                name: router_profile(name, table, f"{source}: routers.{name}")
                for name, table in value.items()
            }
        elif key in SECTIONS:
            sections[key] = _section(SECTIONS[key], value, f"{source}: {key}")
        else:
            known = ", ".join([*SECTIONS, "routers", "seats"])
            raise SettingsError(f"{source}: unknown top-level key {key!r} (known: {known})")
    return Settings(**sections, routers=routers, seats=seats)


# ----- versions and migrations -------------------------------------------------------------


def _v0_to_v1(document: dict[str, Any], source: str) -> dict[str, Any]:
    """v0 (``routers.toml``): only ``[routers.NAME]`` tables; everything else took defaults."""
    extra = sorted(set(document) - {"routers", "version"})
    if extra:
        hint = (
            "a settings file needs `version = 1` at the top"
            if extra[0] in SECTIONS
            else "expected [routers.NAME]"
        )
        raise SettingsError(f"{source}: unknown top-level key {extra[0]!r} ({hint})")
    return {"version": 1, "routers": document.get("routers", {})}


# MIGRATIONS[n] lifts a version-n document to version n + 1; applied in order on load.
MIGRATIONS: tuple[Callable[[dict[str, Any], str], dict[str, Any]], ...] = (_v0_to_v1,)


def document_version(document: Mapping[str, Any], source: str) -> int:
    """The document's ``version`` (absent = 0, the routers.toml layout)."""
    version = document.get("version", 0)
    if not _is_int(version) or version < 0:
        raise SettingsError(
            f"{source}: version: expected a whole number, got {show_value(version)}"
        )
    if version > CURRENT_VERSION:
        raise SettingsError(
            f"{source}: version: the file is version {version}, written by a newer release; "
            f"this one reads up to version {CURRENT_VERSION}"
        )
    return version


def migrate(document: dict[str, Any], *, source: str = SETTINGS_FILE) -> dict[str, Any]:
    """Apply the migrations from the document's version up to :data:`CURRENT_VERSION`."""
    version = document_version(document, source)
    for step in MIGRATIONS[version:]:
        document = step(document, source)
    return document


def parse_settings(text: str, *, source: str = SETTINGS_FILE) -> Settings:
    """Settings from TOML text of any known version; SettingsError names file, line or key.

    A leading UTF-8 byte-order mark (Windows Notepad) is accepted; a syntax error names the
    line and column and gives a hint.
    """
    return from_document(migrate(_read_document(text, source), source=source), source=source)


def _read_document(text: str, source: str) -> dict[str, Any]:
    try:
        return read_toml(text, source=source)
    except TomlSyntaxError as error:
        raise SettingsError(str(error)) from None


def default_settings_path() -> Path:
    """``settings.toml`` in the user config directory."""
    return user_config_dir() / SETTINGS_FILE


def locate_settings(config_dir: Path | None = None) -> Path | None:
    """The file the app reads: ``settings.toml``, else a legacy ``routers.toml``, else None.

    Once ``settings.toml`` exists (it is written by the first save, which carries the legacy
    routers over), ``routers.toml`` is no longer read.
    """
    directory = config_dir if config_dir is not None else user_config_dir()
    for name in (SETTINGS_FILE, LEGACY_PROFILES_FILE):
        candidate = directory / name
        if candidate.exists():
            return candidate
    return None


def load_settings(path: Path | None = None) -> Settings:
    """Settings from `path` (default: :func:`locate_settings`); no file means the defaults.

    Never writes: a file that fails to load is reported and left exactly as it is.
    """
    if path is None:
        path = locate_settings()
        if path is None:
            return Settings()
    text = _read_text(path)
    return Settings() if text is None else parse_settings(text, source=str(path))


def _read_text(path: Path) -> str | None:
    """The file's text (a byte-order mark dropped), None if there is none."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsError(f"{path}: cannot read: {error}") from None


# ----- writing -----------------------------------------------------------------------------

_HEADER = (
    "NE8000 Monitor settings. Edit freely: your comments and order are kept when the app",
    "saves. Passwords never go here: `ne8000monitor credentials set ROUTER` keeps them in",
    "the OS keyring.",
)


def _plain(settings: Settings, version: Any = CURRENT_VERSION) -> dict[str, Any]:
    """`settings` as nested plain data in the file's shape (None: the key is absent)."""
    document: dict[str, Any] = {"version": version}
    for name in SECTIONS:
        section = getattr(settings, name)
        document[name] = {item.name: getattr(section, item.name) for item in fields(section)}
    routers: dict[str, Any] = {}
    for name, profile in settings.routers.items():
        values = {item.name: getattr(profile, item.name) for item in fields(profile)}
        del values["name"]
        if not values["monitored"]:
            values["monitored"] = None  # most profiles watch nothing yet: keep them short
        routers[name] = values
    document["routers"] = routers
    document["seats"] = {
        name: {"id": seat.id, "hash": seat.hash, "created": seat.created}
        for name, seat in settings.seats.items()
    }
    return document


def dump_settings(settings: Settings) -> str:
    """The whole settings as a new TOML file; :func:`parse_settings` reads it back equal."""
    return update_document(None, _plain(settings), {}, header=_HEADER)


def render_settings(settings: Settings, existing: str | None, *, source: str) -> str:
    """TOML text for `settings`, made from the file's current text when there is one.

    Only what changed is rewritten, so the operator's comments, order and layout stay
    (tomlkit). A file that no longer reads (edited by hand since the app loaded it) is not
    overwritten: SettingsError says why.
    """
    if existing is None:
        return dump_settings(settings)
    try:
        document = _read_document(existing, source)
        now = from_document(migrate(dict(document), source=source), source=source)
    except SettingsError as error:
        raise SettingsError(
            f"cannot save: the file on disk no longer reads ({error}); fix it or move it "
            "away, nothing was written"
        ) from None
    return update_document(
        existing, _plain(settings), _plain(now, version=document.get("version", 0))
    )


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write `settings` atomically (private temporary file, fsync, rename), mode 0600.

    The file on disk is updated in place (comments and order kept). The text is parsed back
    before anything touches the disk, so a writer bug can never replace a good file with
    one the app cannot read. Written through a symlink (settings kept in a dotfiles repo).
    Returns the path written.
    """
    path = path or default_settings_path()
    text = render_settings(settings, _read_text(path), source=str(path))
    if parse_settings(text, source=str(path)) != settings:
        raise SettingsError(f"{path}: internal error: the settings do not survive a round trip")
    return write_private_atomic(path, text.encode("utf-8"))
