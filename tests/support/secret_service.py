"""Reaching a real Secret Service keyring (gnome-keyring on a D-Bus session bus) in tests.

Where `dbus-daemon` and `gnome-keyring-daemon` are installed, the suite starts its own
private session bus with an unlocked gnome-keyring the first time a test asks for the
keyring, so the same test command runs the keyring tests on a developer's desktop and in CI
alike, and never touches the developer's own login keyring. The daemons live in a temporary
directory and end with the test process. Without those programs the tests fall back to a
Secret Service already on the session bus, and otherwise skip, unless NE8000_REQUIRE_ALL=1
makes a missing keyring a failure instead of a silent skip.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend

from tests.support.required import missing_tool

SECRET_SERVICE_BACKEND = "keyring.backends.SecretService.Keyring"
_TOOLS = ("dbus-daemon", "gnome-keyring-daemon")
_KEYRING_PASSWORD = b"ne8000monitor-tests"



def probe_secret_service() -> tuple[KeyringBackend | None, str]:
    """The Secret Service backend if one answers on D-Bus, else (None, why not)."""
    try:
        from keyring.backends import SecretService

        backend = SecretService.Keyring()
        backend.priority  # noqa: B018 - raises when no Secret Service answers on D-Bus
    except Exception as error:
        return None, f"{type(error).__name__}: {error}"
    return backend, ""


def _start_private_session() -> str:
    """Start a session bus and an unlocked gnome-keyring on it; return the bus address."""
    home = Path(tempfile.mkdtemp(prefix="ne8000-keyring-"))
    runtime = home / "run"
    runtime.mkdir(mode=0o700)
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    address = bus.stdout.readline().strip() if bus.stdout else ""
    if not address:
        bus.kill()
        raise RuntimeError("dbus-daemon printed no bus address")

    def stop() -> None:
        bus.terminate()  # gnome-keyring-daemon leaves when its bus goes away
        with contextlib.suppress(subprocess.TimeoutExpired):
            bus.wait(5)
        shutil.rmtree(home, ignore_errors=True)

    atexit.register(stop)
    env = {
        **os.environ,
        "DBUS_SESSION_BUS_ADDRESS": address,
        "XDG_DATA_HOME": str(home / "data"),  # a fresh keyring, never the user's own
        "XDG_RUNTIME_DIR": str(runtime),
    }
    started = subprocess.run(
        ["gnome-keyring-daemon", "--unlock", "--components=secrets"],
        input=_KEYRING_PASSWORD,
        env=env,
        capture_output=True,
        timeout=30,
        check=False,
    )
    if started.returncode != 0:
        raise RuntimeError(f"gnome-keyring-daemon failed: {started.stderr.decode().strip()}")
    _session_env.update(env)
    return address


# The private session's environment (its bus, runtime and data folders), to reach its
# keyring daemon again (unlocking it after a test locked it).
_session_env: dict[str, str] = {}


@functools.cache
def _private_session() -> tuple[str | None, str | None]:
    """(bus address, None) once the private session runs, else (None, why not). Once per
    test process."""
    missing = [tool for tool in _TOOLS if shutil.which(tool) is None]
    if missing:
        return None, f"{', '.join(missing)} not installed"
    try:
        return _start_private_session(), None
    except (OSError, RuntimeError, subprocess.SubprocessError) as error:
        return None, f"private keyring session failed: {error}"


def use_private_session() -> str | None:
    """Point this process (and the subprocesses it starts) at the private keyring session.

    Returns why it could not, or None.
    """
    address, failure = _private_session()
    if address is not None:
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = address
    return failure


def require_secret_service() -> KeyringBackend:
    """The real backend, or skip (fail under NE8000_REQUIRE_ALL=1) when there is none."""
    private_failure = use_private_session()
    backend, why = probe_secret_service()
    if backend is None:
        if private_failure:
            why = f"{why}; {private_failure}"
        missing_tool(f"no Secret Service keyring on the session bus ({why})")
    return backend


@contextlib.contextmanager
def locked_keyring() -> Iterator[None]:
    """The private session's keyring locked for the body, as on a desktop whose screen lock
    locked it; unlocked again afterwards with its password, for the tests that follow.

    Only the suite's own private session (whose password it knows) is locked: elsewhere
    this skips, or fails under NE8000_REQUIRE_ALL=1, rather than lock a developer's keyring.
    """
    import secretstorage
    from secretstorage.util import DBusAddressWrapper, format_secret, open_session

    require_secret_service()
    if not _session_env:
        message = "no private keyring session to lock and unlock again"
        if os.environ.get("NE8000_REQUIRE_ALL") == "1":
            pytest.fail(f"NE8000_REQUIRE_ALL=1 but {message}")
        pytest.skip(message)
    connection = secretstorage.dbus_init()
    collection = secretstorage.get_default_collection(connection)
    try:
        collection.lock()
        yield
    finally:
        # gnome-keyring's own way to unlock without a prompt (no display here).
        secret = format_secret(open_session(connection), _KEYRING_PASSWORD, "text/plain")
        DBusAddressWrapper(
            "/org/freedesktop/secrets",
            "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
            connection,
        ).call("UnlockWithMasterPassword", "o(oayays)", collection.collection_path, secret)
        unlocked = not collection.is_locked()
        connection.close()
        if not unlocked:
            raise RuntimeError("the private keyring could not be unlocked again")
