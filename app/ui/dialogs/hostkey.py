"""Host-key dialogs: first contact with a router, and a key that changed since it was pinned.

A changed key is what a man-in-the-middle looks like, so that dialog is loud, shows both
SHA256 fingerprints side by side, makes "Reject" the default button, and only enables
"Accept" once the operator ticks that they verified the new fingerprint out of band.
Accepting goes through the runtime, which re-checks that the router still offers exactly the
fingerprint shown before pinning it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import NE8000MonitorError
from app.domain.router import RouterProfile
from app.engine.runtime import HostKeyProbe, Runtime
from app.ui.dialogs.tasks import dialog_result
from app.ui.messages import translate_error


def _fingerprint_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class HostKeyDialog(QDialog):
    """Shows the key a router offers (and the pinned one if it changed); accept = trust it."""

    def __init__(
        self,
        router: str,
        host: str,
        port: int,
        offered: str,
        *,
        pinned: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.router = router
        self.offered = offered
        self.pinned = pinned
        self.changed = pinned is not None and pinned != offered
        self.setObjectName("hostKeyDialog")
        layout = QVBoxLayout(self)
        where = f"{host}:{port}"

        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        form = QFormLayout()
        self.offered_label = _fingerprint_label(offered)
        self.offered_label.setObjectName("offeredFingerprint")
        self.pinned_label: QLabel | None = None
        self.verified: QCheckBox | None = None
        buttons = QDialogButtonBox()
        self.reject_button = buttons.addButton(
            self.tr("Reject"), QDialogButtonBox.ButtonRole.RejectRole
        )

        if self.changed:
            self.setWindowTitle(
                self.tr("WARNING: host key of {router} changed").format(router=router)
            )
            self.headline.setText(
                self.tr("The SSH host key of {router} ({where}) has CHANGED.").format(
                    router=router, where=where
                )
            )
            self.headline.setStyleSheet(
                "QLabel { color: white; background: #b00020; font-size: 16pt;"
                " font-weight: bold; padding: 8px; }"
            )
            self.explanation.setText(
                self.tr(
                    "Someone could be intercepting the connection (man-in-the-middle), or the "
                    "router was replaced or reinstalled. Do not accept unless the router's "
                    "administrator confirms the new fingerprint. Until then the app will not "
                    "log in to this router."
                )
            )
            self.pinned_label = _fingerprint_label(pinned or "")
            self.pinned_label.setObjectName("pinnedFingerprint")
            form.addRow(self.tr("Trusted until now (SHA256):"), self.pinned_label)
            form.addRow(self.tr("Offered now (SHA256):"), self.offered_label)
            self.verified = QCheckBox(
                self.tr("I verified the new fingerprint with the router's administrator")
            )
            self.accept_button = buttons.addButton(
                self.tr("Accept new key"), QDialogButtonBox.ButtonRole.AcceptRole
            )
            self.accept_button.setEnabled(False)
            self.verified.toggled.connect(self.accept_button.setEnabled)
        else:
            self.setWindowTitle(self.tr("New router host key: {router}").format(router=router))
            self.headline.setText(
                self.tr("First connection to {router} ({where}).").format(
                    router=router, where=where
                )
            )
            self.headline.setStyleSheet("QLabel { font-size: 12pt; font-weight: bold; }")
            self.explanation.setText(
                self.tr(
                    "The router presents the SSH host key below. Compare its fingerprint with "
                    "the one shown on the router (display ssh server-info / the key you "
                    "generated) before trusting it. Once trusted, any change is reported."
                )
            )
            form.addRow(self.tr("Fingerprint (SHA256):"), self.offered_label)
            self.accept_button = buttons.addButton(
                self.tr("Trust and connect"), QDialogButtonBox.ButtonRole.AcceptRole
            )

        layout.addWidget(self.headline)
        layout.addWidget(self.explanation)
        layout.addLayout(form)
        if self.verified is not None:
            layout.addWidget(self.verified)
        layout.addWidget(buttons)
        # Enter must never trust a key by accident: the safe choice is the default.
        self.accept_button.setAutoDefault(False)
        self.accept_button.setDefault(False)
        self.reject_button.setDefault(True)
        self.reject_button.setFocus()
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)


async def _show_error(parent: QWidget | None, title: str, error: NE8000MonitorError) -> None:
    """The reason in the interface language; the technical text under Show Details."""
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        title,
        translate_error(error),
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setObjectName("hostKeyError")
    box.setDetailedText(str(error))
    try:
        await dialog_result(box)
    finally:
        box.deleteLater()


async def confirm_host_key(
    parent: QWidget | None, runtime: Runtime, profile: RouterProfile, probe: HostKeyProbe
) -> bool:
    """Ask about a probed key (first contact or changed) and pin it if the operator agrees.

    Returns True when the key is pinned (or already was), False when the operator declined
    or pinning failed (the failure is shown).
    """
    if not probe.first_contact and not probe.changed:
        return True
    return await _ask_then_trust(
        parent, profile, probe, lambda: runtime.trust_host_key(profile, probe.offered)
    )


async def _ask_then_trust(
    parent: QWidget | None,
    profile: RouterProfile,
    probe: HostKeyProbe,
    trust: Callable[[], Awaitable[str]],
) -> bool:
    """Show the key dialog; on Accept run `trust` (its failure is shown, never swallowed)."""
    dialog = HostKeyDialog(
        profile.name, profile.host, profile.port, probe.offered, pinned=probe.pinned, parent=parent
    )
    try:
        if await dialog_result(dialog) != QDialog.DialogCode.Accepted:
            return False
    finally:
        dialog.deleteLater()
    try:
        await trust()
    except NE8000MonitorError as error:
        title = QCoreApplication.translate("HostKeyDialog", "Host key not trusted")
        await _show_error(parent, title, error)
        return False
    return True


async def resolve_changed_host_key(parent: QWidget | None, runtime: Runtime, router: str) -> bool:
    """For a router stopped on HOST_KEY_CHANGED: fetch both keys, ask, accept and reconnect.

    Returns True when the new key was accepted (the router logs in again), False otherwise.
    Errors (router unreachable, key changed again while the dialog was open) are shown.
    """
    profile = runtime.settings.routers.get(router) or runtime.monitor.pools.get(router).profile
    try:
        probe = await runtime.probe_host_key(profile)
    except NE8000MonitorError as error:
        title = QCoreApplication.translate("HostKeyDialog", "Cannot read the host key")
        await _show_error(parent, title, error)
        return False
    if not probe.changed:
        # The router offers the pinned key again (or nothing was pinned): just retry.
        await runtime.reset_router(router)
        return True
    return await _ask_then_trust(
        parent, profile, probe, lambda: runtime.accept_host_key(router, probe.offered)
    )
