"""The Runtime of a seat in collector mode: the same object the window holds for a local
engine, with the collector's monitor, console and audit log inside.

What makes no sense for a seat -- adding, editing or removing routers, host keys, router
passwords, monitored uplinks -- is the collector's business: those calls raise
:class:`~app.remote.errors.ManagedByCollector` (the window disables them beforehand and
says why). The settings the views read are the collector's where they decide what is
shown (alert thresholds, operator mode); saving writes only what belongs to this seat (the
`[collector]` section) into the local file, never the collector's values.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from pathlib import Path

from app.domain.router import RouterProfile
from app.engine.ports import SecretStore
from app.engine.runtime import Runtime, collector_token_entry
from app.engine.settings import Settings, Thresholds, load_settings, save_settings
from app.feed.wire.collector import CollectorInfoAnswer
from app.remote.console import RemoteAudit, RemoteConsole
from app.remote.errors import ManagedByCollector
from app.remote.monitor import RemoteMonitor

token_entry = collector_token_entry


def shown_settings(local: Settings, rules: CollectorInfoAnswer | None) -> Settings:
    """The settings the window reads: this seat's own, with the collector's thresholds and
    operator mode (what the collector alerts on and allows), and no local feed."""
    feed = replace(local.feed, enabled=False)
    if rules is None:
        return replace(local, feed=replace(feed, remote_commands=False, operator_mode=False))
    limits = rules.thresholds
    thresholds = Thresholds(
        mass_drop_percent=limits.mass_drop_percent,
        mass_drop_window=limits.mass_drop_window,
        cpu_percent=limits.cpu_percent,
        cpu_polls=limits.cpu_polls,
        memory_percent=limits.memory_percent,
        memory_polls=limits.memory_polls,
        pool_percent=limits.pool_percent,
    )
    feed = replace(feed, remote_commands=rules.remote_commands, operator_mode=rules.operator_mode)
    return replace(local, thresholds=thresholds, feed=feed)


async def _managed(*_args: object) -> object:
    raise ManagedByCollector(
        "routers, their passwords and host keys are the collector's: change them there"
    )


@dataclass
class CollectorRuntime(Runtime):
    """A Runtime whose monitor is a collector's feed (see the module docstring)."""

    @classmethod
    def build(
        cls,
        monitor: RemoteMonitor,
        *,
        secrets: SecretStore,
        settings: Settings,
        settings_path: Path,
        data_dir: Path,
        log_dir: Path,
        version: str,
    ) -> CollectorRuntime:
        audit = RemoteAudit(monitor.client, monitor)
        audit.bind(asyncio.get_running_loop())  # the audit log is read from worker threads
        runtime = cls(
            monitor=monitor,  # type: ignore[arg-type]
            console=RemoteConsole(monitor.client),  # type: ignore[arg-type]
            audit=audit,  # type: ignore[arg-type]
            secrets=secrets,
            settings=shown_settings(settings, monitor.rules),
            settings_path=settings_path,
            data_dir=data_dir,
            log_dir=log_dir,
            version=version,
            accept_host_key=_managed,  # type: ignore[arg-type]
            probe_host_key=_managed,  # type: ignore[arg-type]
            trust_host_key=_managed,  # type: ignore[arg-type]
            reset_router=_managed,  # type: ignore[arg-type]
            collector=monitor,
        )
        runtime._local = settings
        monitor.on_rules(runtime._follow_rules)
        return runtime

    _local: Settings | None = None

    @property
    def remote(self) -> RemoteMonitor:
        assert isinstance(self.monitor, RemoteMonitor)
        return self.monitor

    def _follow_rules(self, rules: CollectorInfoAnswer) -> None:
        self.settings = shown_settings(self._local or self.settings, rules)

    def save_settings(self, settings: Settings) -> None:
        """Write only this seat's own part (`[collector]`) into the local settings file;
        the thresholds and operator mode shown are the collector's and stay there."""
        # A file that no longer reads raises SettingsError: nothing is written then.
        on_disk = load_settings(self.settings_path) if self.settings_path.exists() else Settings()
        local = replace(on_disk, collector=settings.collector)
        save_settings(local, self.settings_path)
        self._local = local
        self.settings = shown_settings(local, self.remote.rules)

    async def add_router(self, profile: RouterProfile, password: str | None) -> None:
        await _managed()

    async def update_router(self, profile: RouterProfile, password: str | None) -> None:
        await _managed()

    async def remove_router(self, name: str, *, forget_password: bool = True) -> None:
        await _managed()

    def set_monitored(self, router: str, names: object) -> None:
        raise ManagedByCollector(
            "the monitored interfaces are the collector's: change them in its settings"
        )

    async def update_password(self, router: str, password: str) -> None:
        await _managed()
