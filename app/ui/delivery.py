"""How alert delivery is doing, in words (translated): for the status bar and Settings."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication

from app.domain.notifications import Channel, DeliveryStatus
from app.ui.formatting import format_datetime


def channel_name(channel: Channel) -> str:
    # Literal QCoreApplication.translate calls: pyside6-lupdate only finds those.
    if channel is Channel.ALERTMANAGER:
        return QCoreApplication.translate("Delivery", "Alertmanager")
    return QCoreApplication.translate("Delivery", "Notifications")


def delivery_line(status: DeliveryStatus) -> str:
    """One line about a channel: off, failing (and why), delivering, or not used yet."""
    name = channel_name(status.channel)
    if not status.enabled:
        return QCoreApplication.translate("Delivery", "%1: off").replace("%1", name)
    if status.failing:
        return (
            QCoreApplication.translate("Delivery", "%1: failing (last attempt %2): %3")
            .replace("%1", name)
            .replace("%2", format_datetime(status.last_failure))
            .replace("%3", status.error or "")
        )
    if status.healthy:
        return (
            QCoreApplication.translate("Delivery", "%1: delivering (last at %2)")
            .replace("%1", name)
            .replace("%2", format_datetime(status.last_success))
        )
    return QCoreApplication.translate("Delivery", "%1: ready, nothing sent yet").replace(
        "%1", name
    )


def failing_summary(statuses: Iterable[DeliveryStatus]) -> str | None:
    """A short warning for the status bar when alerts are not getting out, else None."""
    failing = [status for status in statuses if status.failing]
    if not failing:
        return None
    if len(failing) > 1:
        return QCoreApplication.translate("Delivery", "Alert delivery failing")
    return QCoreApplication.translate("Delivery", "%1 failing").replace(
        "%1", channel_name(failing[0].channel)
    )
