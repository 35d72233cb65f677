"""Password stores: real OS keyrings only, clear refusals otherwise, memory as the fallback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any, ClassVar

import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.compat import properties

from app.domain.errors import CredentialsUnavailable
from app.transport.credentials import (
    SERVICE,
    KeyringSecretStore,
    MemorySecretStore,
    check_backend,
    unusable_reason,
)


class DictKeyring(KeyringBackend):
    """A well-behaved OS keyring stand-in (priority like Secret Service / macOS)."""

    priority: ClassVar[float] = 5  # type: ignore[misc]
    test_fake: ClassVar[bool] = True

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.entries:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.entries[(service, username)]


class LockedKeyring(DictKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("collection is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("prompt dismissed")


class RankedKeyring(DictKeyring):
    """A second OS keyring that keyring ranks above DictKeyring (as KWallet on KDE)."""

    priority: ClassVar[float] = 5.1  # type: ignore[misc]


class UnavailableKeyring(DictKeyring):
    """Installed, but no daemon answers (keyring signals that by raising from `priority`)."""

    @properties.classproperty
    def priority(cls) -> float:  # type: ignore[override]  # noqa: N805
        raise RuntimeError("no daemon on the session bus")


def _plaintext_backend() -> KeyringBackend:
    """A class shaped like keyrings.alt's PlaintextKeyring (that package is not installed)."""
    namespace: dict[str, Any] = {"priority": 0.5, "__module__": "keyrings.alt.file"}
    kind = type("PlaintextKeyring", (DictKeyring,), namespace)
    return kind()


class EmptyChainer(chainer.ChainerBackend):
    test_fake: ClassVar[bool] = True
    backends: ClassVar[list[KeyringBackend]] = []  # type: ignore[misc]


class InsecureChainer(chainer.ChainerBackend):
    test_fake: ClassVar[bool] = True
    backends: ClassVar[list[KeyringBackend]] = [_plaintext_backend(), null.Keyring()]  # type: ignore[misc]


class MixedChainer(chainer.ChainerBackend):
    test_fake: ClassVar[bool] = True
    backends: ClassVar[list[KeyringBackend]] = [_plaintext_backend(), DictKeyring()]  # type: ignore[misc]


class SecureChainer(chainer.ChainerBackend):
    test_fake: ClassVar[bool] = True
    backends: ClassVar[list[KeyringBackend]] = [DictKeyring()]  # type: ignore[misc]


def _unregister_fakes() -> None:
    """keyring registers every backend class it sees; keep the fakes out of its choice."""
    registry = KeyringBackend._classes  # type: ignore[attr-defined]
    registry.difference_update({kind for kind in registry if getattr(kind, "test_fake", False)})


_unregister_fakes()


@pytest.fixture(autouse=True)
def _no_fake_backends_afterwards() -> Iterator[None]:
    yield
    _unregister_fakes()


@pytest.mark.parametrize(
    ("backend", "reason"),
    [
        (fail.Keyring(), "no OS keyring was found (keyring.backends.fail.Keyring)"),
        (null.Keyring(), "no OS keyring was found (keyring.backends.null.Keyring)"),
        (EmptyChainer(), "has nothing to chain"),
        (_plaintext_backend(), "keyrings.alt.file.PlaintextKeyring stores passwords in a file"),
        (InsecureChainer(), "stores passwords in a file"),
    ],
)
def test_unusable_backends_are_refused_with_a_clear_reason(
    backend: KeyringBackend, reason: str
) -> None:
    found = unusable_reason(backend)
    assert found is not None
    assert reason in found
    with pytest.raises(CredentialsUnavailable, match="for this session only"):
        check_backend(backend)
    with pytest.raises(CredentialsUnavailable, match="cannot store router passwords"):
        KeyringSecretStore(backend)


def test_a_backend_that_reports_itself_unavailable_is_refused() -> None:
    class Unavailable(DictKeyring):
        @property
        def priority(self) -> float:  # type: ignore[override]
            raise RuntimeError("no D-Bus session bus")

    found = unusable_reason(Unavailable())
    assert found is not None
    assert "not available (no D-Bus session bus)" in found


@pytest.mark.parametrize("backend", [DictKeyring(), SecureChainer(), MixedChainer()])
def test_real_keyrings_are_accepted(backend: KeyringBackend) -> None:
    assert unusable_reason(backend) is None


def test_a_chainer_is_used_through_its_real_keyring_member_only() -> None:
    store = KeyringSecretStore(MixedChainer())
    assert store.backend is MixedChainer.backends[1]
    store.set_password("r1", "pw")
    assert MixedChainer.backends[0].entries == {}  # the plaintext member never saw it
    assert MixedChainer.backends[1].entries == {(SERVICE, "r1"): "pw"}


def test_keyring_store_uses_service_and_profile_name(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    backend = DictKeyring()
    store = KeyringSecretStore(backend)
    assert store.get_password("bras-1") is None
    store.set_password("bras-1", "Pw#1 with spaces")
    store.set_password("bras-2", "other")
    assert backend.entries == {
        (SERVICE, "bras-1"): "Pw#1 with spaces",
        (SERVICE, "bras-2"): "other",
    }
    assert store.get_password("bras-1") == "Pw#1 with spaces"
    store.delete_password("bras-1")
    store.delete_password("bras-1")  # already gone: nothing to do, no error
    assert store.get_password("bras-1") is None
    assert SERVICE == "ne8000monitor"
    assert "Pw#1" not in caplog.text
    assert "keyring" in store.description


def test_keyring_failures_become_credentials_unavailable() -> None:
    store = KeyringSecretStore(LockedKeyring())
    with pytest.raises(CredentialsUnavailable, match=r"cannot read the password of r1.*unlocked"):
        store.get_password("r1")
    with pytest.raises(CredentialsUnavailable, match="cannot store the password of r1") as caught:
        store.set_password("r1", "Secret-9")
    assert "Secret-9" not in str(caught.value)


def test_empty_password_is_not_stored() -> None:
    with pytest.raises(ValueError, match="empty"):
        KeyringSecretStore(DictKeyring()).set_password("r1", "")
    with pytest.raises(ValueError, match="empty"):
        MemorySecretStore().set_password("r1", "")


def test_memory_store_keeps_passwords_for_this_session_only() -> None:
    first = MemorySecretStore()
    first.set_password("r1", "pw1")
    assert first.get_password("r1") == "pw1"
    assert MemorySecretStore().get_password("r1") is None  # nothing persisted anywhere
    first.delete_password("r1")
    first.delete_password("r1")
    assert first.get_password("r1") is None
    assert "this session only" in first.description


def test_open_secret_store_without_an_os_keyring_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.transport import credentials

    monkeypatch.setattr(credentials, "default_backend", fail.Keyring)
    with pytest.raises(CredentialsUnavailable) as caught:
        credentials.open_secret_store()
    message = str(caught.value)
    assert "no OS keyring was found (keyring.backends.fail.Keyring)" in message
    assert "for this session only" in message
    assert "Secret Service" in message


HERE = __name__


@pytest.fixture
def unconfigured_keyring(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> pytest.MonkeyPatch:
    """No PYTHON_KEYRING_BACKEND, no keyringrc.cfg, and keyring's full detection forbidden."""
    import keyring.backend

    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))

    def every_backend() -> list[KeyringBackend]:
        raise AssertionError("keyring's full detection (every backend it knows) ran")

    monkeypatch.setattr(keyring.backend, "get_all_keyring", every_backend)
    return monkeypatch


def test_the_platform_keyring_is_loaded_by_name_and_the_highest_ranked_wins(
    unconfigured_keyring: pytest.MonkeyPatch,
) -> None:
    from app.transport import credentials

    natives = (f"{HERE}.DictKeyring", f"{HERE}.RankedKeyring", "no_such_module.Keyring")
    unconfigured_keyring.setitem(credentials.NATIVE_BACKENDS, "testos", natives)
    assert type(credentials.default_backend("testos")) is RankedKeyring


def test_without_a_usable_platform_keyring_the_error_says_why_for_each(
    unconfigured_keyring: pytest.MonkeyPatch,
) -> None:
    from app.transport import credentials

    natives = (f"{HERE}.UnavailableKeyring", "no_such_module.Keyring")
    unconfigured_keyring.setitem(credentials.NATIVE_BACKENDS, "testos", natives)
    with pytest.raises(CredentialsUnavailable) as caught:
        credentials.default_backend("testos")
    message = str(caught.value)
    assert "no OS keyring was found" in message
    assert "no daemon on the session bus" in message
    assert "no_such_module.Keyring" in message
    assert "for this session only" in message


def test_keyrings_own_configuration_wins(unconfigured_keyring: pytest.MonkeyPatch) -> None:
    from app.transport import credentials

    unconfigured_keyring.setenv("PYTHON_KEYRING_BACKEND", f"{HERE}.DictKeyring")
    unconfigured_keyring.setitem(credentials.NATIVE_BACKENDS, "testos", (f"{HERE}.RankedKeyring",))
    assert type(credentials.default_backend("testos")) is DictKeyring


def test_an_unknown_platform_gets_keyrings_own_detection(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    import keyring

    from app.transport import credentials

    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    chosen = DictKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: chosen)
    assert credentials.default_backend("plan9") is chosen
