"""A keyring backend for CLI tests only: entries in a JSON file named by an env variable.

The `credentials` and `snapshot` commands run in subprocesses, which cannot share an
in-memory keyring, and CI machines without a Secret Service have no real one. The app's
own check refuses file-based backends; this double passes it on purpose, because the tests
exercise the command plumbing, not where the secret ends up. Never used outside tests.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import PasswordDeleteError

PATH_VARIABLE = "NE8000_TEST_KEYRING_FILE"


class JsonFileKeyring(KeyringBackend):
    """Test double: a JSON file as the keyring (see the module docstring)."""

    @properties.classproperty
    def priority(cls) -> float:  # type: ignore[override]  # noqa: N805 - a classproperty
        """Only viable where a test named its file; keyring skips a backend that raises here.

        keyring ranks every imported KeyringBackend subclass, so without this guard merely
        importing the double would make it outrank the real Secret Service in the same process.
        """
        if PATH_VARIABLE not in os.environ:
            raise RuntimeError(f"{PATH_VARIABLE} is not set: the test keyring double is off")
        return 10.0

    def _path(self) -> Path:
        return Path(os.environ[PATH_VARIABLE])

    def _load(self) -> dict[str, str]:
        try:
            return json.loads(self._path().read_text())
        except FileNotFoundError:
            return {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}/{username}"] = password
        self._path().write_text(json.dumps(data))

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError("no such password")
        self._path().write_text(json.dumps(data))
