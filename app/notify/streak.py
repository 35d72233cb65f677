"""A channel's delivery record: its status for the UI, and a log line per failure streak.

A collector that cannot reach Alertmanager retries every few seconds; logging each attempt
would bury the log. The first failure of a streak is logged (with the reason), repeats are
not, and the recovery is logged once with how many attempts failed in between.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from app.domain.notifications import Channel, DeliveryStatus


def _utc_now() -> datetime:
    return datetime.now(UTC)


class DeliveryRecord:
    """Keeps one channel's :class:`DeliveryStatus` up to date as attempts succeed or fail."""

    def __init__(
        self,
        channel: Channel,
        log: logging.Logger,
        *,
        enabled: bool,
        targets: tuple[str, ...] = (),
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._log = log
        self._clock = clock
        self.status = DeliveryStatus(channel, enabled, targets=targets)

    def succeeded(self, *, waiting: int = 0) -> None:
        status = self.status
        if status.failed_attempts:
            self._log.info(
                "%s: delivering again after %d failed attempt(s)",
                status.channel,
                status.failed_attempts,
            )
        self.status = replace(
            status,
            healthy=True,
            last_success=self._clock(),
            error=None,
            failed_attempts=0,
            waiting=waiting,
        )

    def failed(self, error: str, *, waiting: int = 0) -> None:
        status = self.status
        if status.failed_attempts == 0:
            self._log.warning("%s: delivery failed: %s (retrying; logged once)", status.channel,
                              error)
        else:
            self._log.debug("%s: delivery failed again: %s", status.channel, error)
        self.status = replace(
            status,
            healthy=False,
            last_failure=self._clock(),
            error=error,
            failed_attempts=status.failed_attempts + 1,
            waiting=waiting,
        )

    def waiting(self, count: int) -> None:
        self.status = replace(self.status, waiting=count)

    def unusable(self, error: str) -> None:
        """The channel cannot run at all (a bad URL): shown until the settings change."""
        self._log.error("%s: %s", self.status.channel, error)
        self.status = replace(self.status, healthy=False, error=error)
