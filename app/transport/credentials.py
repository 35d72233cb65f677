"""Router passwords in the OS keyring, or in memory for this session only — never a file.

One keyring entry per router profile: service ``ne8000monitor``, username = profile name.
Many systems have no usable keyring (a headless box without a Secret Service, a container);
keyring then picks a backend that fails every call, stores nothing, or — with keyrings.alt
installed — writes a plaintext file. :func:`check_backend` refuses all of those with a
message that says what to do, and the app offers :class:`MemorySecretStore` instead.

keyring loads only when a store is opened, and then only the platform's own backend (see
:func:`default_backend`): letting keyring import and probe every backend it knows cost
``snapshot`` and ``change`` about a tenth of a second at every start.
"""

from __future__ import annotations

import logging
import sys
from types import ModuleType
from typing import TYPE_CHECKING

from app.domain.errors import CredentialsUnavailable

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

_log = logging.getLogger("ne8000monitor.transport.credentials")

SERVICE = "ne8000monitor"
# keyring's scale: 1 and above is a recommended backend; below is a last resort.
MIN_PRIORITY = 1.0
_HELP = (
    "passwords can be kept for this session only. To keep them, run the app where an OS "
    "keyring is available (GNOME Keyring or KWallet via the Secret Service on Linux, "
    "the macOS Keychain, Windows Credential Manager)"
)
# The OS keyrings keyring itself would choose from on each platform, by class name.
NATIVE_BACKENDS: dict[str, tuple[str, ...]] = {
    "linux": ("keyring.backends.SecretService.Keyring", "keyring.backends.kwallet.DBusKeyring"),
    "win32": ("keyring.backends.Windows.WinVaultKeyring",),
    "darwin": ("keyring.backends.macOS.Keyring",),
}


def default_backend(platform: str = sys.platform) -> KeyringBackend:
    """The backend keyring would choose, found without importing every backend it knows.

    keyring's own configuration wins (``PYTHON_KEYRING_BACKEND``, ``keyringrc.cfg``: the way
    to name a third-party backend). Otherwise only the platform's OS keyrings are loaded, by
    name, and the usable one keyring ranks highest is taken; when none is usable this says
    why each is not. On a platform without a known OS keyring, keyring's full detection runs.
    """
    import keyring  # noqa: PLC0415
    import keyring.core  # noqa: PLC0415

    configured = keyring.core.load_env() or keyring.core.load_config()
    if configured is not None:
        return configured
    natives = NATIVE_BACKENDS.get(platform)
    if natives is None:
        return keyring.get_keyring()
    usable: list[KeyringBackend] = []
    reasons: list[str] = []
    for name in natives:
        try:
            backend = keyring.core.load_keyring(name)  # raises when it cannot work here
        except Exception as error:  # ImportError, RuntimeError: not on this system
            reasons.append(f"{name}: {error}")
            continue
        reason = unusable_reason(backend)
        if reason is None:
            usable.append(backend)
        else:
            reasons.append(reason)
    if not usable:
        raise CredentialsUnavailable(
            f"cannot store router passwords: no OS keyring was found ({'; '.join(reasons)}); "
            f"{_HELP}"
        )
    return max(usable, key=lambda backend: float(backend.priority))


def backend_name(backend: KeyringBackend) -> str:
    """A readable name for messages: ``keyring.backends.SecretService.Keyring``."""
    kind = type(backend)
    return f"{kind.__module__}.{kind.__qualname__}"


def unusable_reason(backend: KeyringBackend) -> str | None:
    """Why `backend` must not hold router passwords, or None when it is a real OS keyring.

    A chainer (several backends at once) is usable when one of its members is; the store
    then talks to that member only, so a plaintext member is never read or written.
    """
    from keyring.backends import chainer, fail, null  # noqa: PLC0415

    name = backend_name(backend)
    if isinstance(backend, fail.Keyring | null.Keyring):
        return f"no OS keyring was found ({name})"
    if isinstance(backend, chainer.ChainerBackend):
        children = list(backend.backends)
        if not children:
            return f"no OS keyring was found ({name} has nothing to chain)"
        reasons = [unusable_reason(child) for child in children]
        if any(reason is None for reason in reasons):
            return None
        return "; ".join(reason for reason in reasons if reason)
    modules = [kind.__module__ for kind in type(backend).__mro__]
    if any(module.startswith("keyrings.alt") for module in modules) or "plaintext" in name.lower():
        return f"the keyring backend {name} stores passwords in a file, not in an OS keyring"
    try:
        priority = float(backend.priority)
    except Exception as error:  # keyring backends signal "not available" by raising here
        return f"the keyring backend {name} is not available ({error})"
    if priority < MIN_PRIORITY:
        return f"the keyring backend {name} is not a recommended store (priority {priority:g})"
    return None


def check_backend(backend: KeyringBackend) -> KeyringBackend:
    """The real OS keyring to use for `backend`; raise CredentialsUnavailable if there is none.

    For a chainer this is its highest-priority usable member.
    """
    from keyring.backends import chainer  # noqa: PLC0415

    reason = unusable_reason(backend)
    if reason is not None:
        raise CredentialsUnavailable(f"cannot store router passwords: {reason}; {_HELP}")
    if isinstance(backend, chainer.ChainerBackend):
        return next(child for child in backend.backends if unusable_reason(child) is None)
    return backend


class KeyringSecretStore:
    """Router passwords in the OS keyring (service ``ne8000monitor``, one entry per router)."""

    def __init__(self, backend: KeyringBackend | None = None, *, service: str = SERVICE) -> None:
        self.backend = check_backend(backend if backend is not None else default_backend())
        self.service = service

    @property
    def description(self) -> str:
        """Where the passwords live, for the settings dialog and the CLI."""
        return f"OS keyring ({backend_name(self.backend)})"

    def get_password(self, router: str) -> str | None:
        """The stored password of `router`, or None when there is none."""
        try:
            return self.backend.get_password(self.service, router)
        except (_keyring_errors().KeyringError, RuntimeError, OSError) as error:
            raise self._failure("read", router, error) from None

    def set_password(self, router: str, password: str) -> None:
        """Store (or replace) the password of `router`."""
        if not password:
            raise ValueError("an empty password cannot be stored")
        try:
            self.backend.set_password(self.service, router, password)
        except (_keyring_errors().KeyringError, RuntimeError, OSError) as error:
            raise self._failure("store", router, error) from None
        _log.info("password for %s stored in the %s", router, self.description)

    def delete_password(self, router: str) -> None:
        """Remove the password of `router`; nothing happens when none is stored."""
        errors = _keyring_errors()
        try:
            self.backend.delete_password(self.service, router)
        except errors.PasswordDeleteError:
            _log.info("no stored password for %s to delete", router)
            return
        except (errors.KeyringError, RuntimeError, OSError) as error:
            raise self._failure("delete", router, error) from None
        _log.info("password for %s deleted from the %s", router, self.description)

    def _failure(self, action: str, router: str, error: Exception) -> CredentialsUnavailable:
        # The error text comes from the keyring, never from the password itself.
        kind = type(error).__name__
        return CredentialsUnavailable(
            f"cannot {action} the password of {router} in the {self.description}: "
            f"{kind}: {error} (is the keyring unlocked?)"
        )


def _keyring_errors() -> ModuleType:
    """keyring's exceptions; loaded already, since a backend exists when they are needed."""
    import keyring.errors  # noqa: PLC0415

    return keyring.errors


class MemorySecretStore:
    """Passwords for this session only: kept in memory, gone when the app exits."""

    description = "memory (this session only)"

    def __init__(self) -> None:
        self._passwords: dict[str, str] = {}

    def get_password(self, router: str) -> str | None:
        return self._passwords.get(router)

    def set_password(self, router: str, password: str) -> None:
        if not password:
            raise ValueError("an empty password cannot be stored")
        self._passwords[router] = password

    def delete_password(self, router: str) -> None:
        self._passwords.pop(router, None)


def open_secret_store() -> KeyringSecretStore:
    """The OS keyring store; raises CredentialsUnavailable (with advice) when there is none.

    The caller decides whether to fall back to :class:`MemorySecretStore` and must tell the
    operator, as the message says; this module never falls back silently.
    """
    return KeyringSecretStore()
