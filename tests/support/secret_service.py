"""Reaching a real Secret Service keyring (gnome-keyring on the session bus) in tests.

CI runs the suite inside `dbus-run-session` with an unlocked gnome-keyring, so keyring tests
use the real thing there. Elsewhere they skip, unless NE8000_REQUIRE_ALL=1 makes a missing
keyring a failure instead of a silent skip.
"""

from __future__ import annotations

import os

import pytest
from keyring.backend import KeyringBackend

SECRET_SERVICE_BACKEND = "keyring.backends.SecretService.Keyring"


def probe_secret_service() -> tuple[KeyringBackend | None, str]:
    """The Secret Service backend if one answers on D-Bus, else (None, why not)."""
    try:
        from keyring.backends import SecretService

        backend = SecretService.Keyring()
        backend.priority  # noqa: B018 - raises when no Secret Service answers on D-Bus
    except Exception as error:
        return None, f"{type(error).__name__}: {error}"
    return backend, ""


def require_secret_service() -> KeyringBackend:
    """The real backend, or skip (fail under NE8000_REQUIRE_ALL=1) when there is none."""
    backend, why = probe_secret_service()
    if backend is None:
        message = f"no Secret Service keyring on the session bus ({why})"
        if os.environ.get("NE8000_REQUIRE_ALL") == "1":
            pytest.fail(f"NE8000_REQUIRE_ALL=1 but {message}")
        pytest.skip(message)
    return backend
