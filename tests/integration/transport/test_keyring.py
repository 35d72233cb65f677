"""Router passwords in a real Secret Service keyring (gnome-keyring under dbus-run-session).

Runs wherever a Secret Service is reachable on the session bus; skipped otherwise, except
when NE8000_REQUIRE_ALL=1 (CI), where a missing keyring fails the run instead of hiding it.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend

from app.transport.credentials import (
    SERVICE,
    KeyringSecretStore,
    check_backend,
    default_backend,
    unusable_reason,
)
from tests.support.secret_service import require_secret_service


@pytest.fixture
def secret_service() -> KeyringBackend:
    return require_secret_service()


@pytest.fixture
def router_name(secret_service: KeyringBackend) -> Iterator[str]:
    """A profile name no real entry uses; its entry is removed afterwards."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    yield name
    with contextlib.suppress(keyring.errors.PasswordDeleteError):
        secret_service.delete_password(SERVICE, name)


def test_secret_service_is_a_usable_backend(secret_service: KeyringBackend) -> None:
    assert unusable_reason(secret_service) is None


def test_default_store_picks_the_secret_service(secret_service: KeyringBackend) -> None:
    store = KeyringSecretStore()
    assert "SecretService" in store.description


def test_password_round_trip_in_the_real_keyring(
    secret_service: KeyringBackend, router_name: str
) -> None:
    store = KeyringSecretStore(secret_service)
    assert store.get_password(router_name) is None
    store.set_password(router_name, "Hu@wei-123 ü")
    # Stored where any keyring client finds it: service ne8000monitor, user = profile name.
    assert keyring.get_password(SERVICE, router_name) == "Hu@wei-123 ü"
    store.set_password(router_name, "replaced")
    assert KeyringSecretStore(secret_service).get_password(router_name) == "replaced"
    store.delete_password(router_name)
    assert store.get_password(router_name) is None
    store.delete_password(router_name)  # deleting twice is harmless


def test_loading_only_the_platform_keyring_finds_what_keyring_itself_would(
    secret_service: KeyringBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    fast = default_backend()
    keyring.core.init_backend()  # keyring's own pick, among every backend it knows
    assert type(fast) is type(check_backend(keyring.get_keyring()))
    assert type(fast) is type(secret_service)
