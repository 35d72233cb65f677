"""What the app knows about one router it talks to, and what one command returns.

Shared by the transport (which fills a :class:`CommandResult`) and the engine (which
consumes it) without either importing the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# Profile names key the keyring and settings; keep them simple and printable. `:` and `[]`
# let a router configured by its address alone be named `10.0.0.1:2222` or `[2001:db8::1]`.
PROFILE_NAME = re.compile(r"^[A-Za-z0-9\[][A-Za-z0-9_.:\[\]\-]{0,63}$")
HOSTNAME = re.compile(r"^[A-Za-z0-9_.:\-\[\]%]{1,253}$")


class TransportKind(StrEnum):
    """How to reach the router's CLI. Telnet is cleartext and strictly opt-in."""

    SSH = "ssh"
    TELNET = "telnet"


class PromptKind(StrEnum):
    """Which prompt ended a command's output; the change workflow checks each one."""

    USER = "user"  # <HOST>
    SYSTEM = "system"  # [~HOST] or [~HOST-view] (VRP8), [HOST] (VRP5)
    PENDING = "pending"  # [*HOST...]: uncommitted configuration exists
    QUESTION = "question"  # [Y/N]: or [Y(yes)/N(no)/C(cancel)]: waiting for an answer


@dataclass(frozen=True, slots=True)
class RouterProfile:
    """Connection settings for one router; never holds a secret (those live in the keyring)."""

    name: str
    host: str
    port: int = 22
    username: str = "admin"
    transport: TransportKind = TransportKind.SSH
    legacy_algorithms: bool = False
    pool_size: int = 2
    vty_budget: int = 3
    connect_timeout: float = 10.0
    command_timeout: float = 30.0
    keepalive_interval: float = 30.0
    # Interfaces the operator watches (uplinks): down alerts, traffic plots, the wall page.
    monitored: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not PROFILE_NAME.match(self.name):
            raise ValueError(f"router name {self.name!r}: use letters, digits, '.', '_', '-', ':'")
        if not HOSTNAME.match(self.host):
            raise ValueError(f"router {self.name}: invalid host {self.host!r}")
        if not 1 <= self.port <= 65535:
            raise ValueError(f"router {self.name}: port {self.port} is not in 1-65535")
        if not self.username or any(ch.isspace() for ch in self.username):
            raise ValueError(f"router {self.name}: username must be non-empty, without spaces")
        if not 1 <= self.pool_size <= self.vty_budget:
            raise ValueError(
                f"router {self.name}: pool_size {self.pool_size} must be between 1 and the "
                f"VTY budget ({self.vty_budget})"
            )
        for field_name in ("connect_timeout", "command_timeout", "keepalive_interval"):
            if getattr(self, field_name) <= 0:
                raise ValueError(f"router {self.name}: {field_name} must be positive")

    @property
    def identity(self) -> RouterIdentity:
        return RouterIdentity(self.name, self.host, self.port)


@dataclass(frozen=True, slots=True)
class RouterIdentity:
    """Which box a name means: stored history and alerts belong to name, host and port.

    A router renamed, or a name pointed at another address, is another identity, so data
    recorded against one box never shows up against another.
    """

    name: str
    host: str
    port: int

    @property
    def address(self) -> str:
        """`10.0.0.1:22`, `[2001:db8::1]:22`."""
        host = f"[{self.host}]" if ":" in self.host and not self.host.startswith("[") else self.host
        return f"{host}:{self.port}"

    def __str__(self) -> str:
        return f"{self.name} ({self.address})"


def name_for_address(host: str, port: int, default_port: int = 22) -> str:
    """The name of a router known only by its address: `10.0.0.1`, or `10.0.0.1:2222`
    when the port is not the default (an IPv6 address in brackets then)."""
    if port == default_port:
        return host
    return RouterIdentity(host, host, port).address


@dataclass(frozen=True, slots=True)
class CommandResult:
    """The router's answer to one line: its output (echo and prompt removed) and the prompt."""

    command: str
    output: str
    prompt: str
    prompt_kind: PromptKind
