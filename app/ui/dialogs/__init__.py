"""Dialogs of the desktop app: routers, host keys, settings, about."""

from app.ui.dialogs.about import AboutDialog
from app.ui.dialogs.hostkey import HostKeyDialog, confirm_host_key, resolve_changed_host_key
from app.ui.dialogs.preferences import UiPreferences
from app.ui.dialogs.router_dialog import RouterDialog, remove_router
from app.ui.dialogs.settings_dialog import SettingsDialog
from app.ui.dialogs.tasks import TaskSet, dialog_result

__all__ = [
    "AboutDialog",
    "HostKeyDialog",
    "RouterDialog",
    "SettingsDialog",
    "TaskSet",
    "UiPreferences",
    "confirm_host_key",
    "dialog_result",
    "remove_router",
    "resolve_changed_host_key",
]
