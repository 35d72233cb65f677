"""The composition root: secret-store fallback, password lookup, engine wiring."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import pytest

from app import bootstrap
from app.bootstrap import AppPaths, build_engine, build_secret_store, password_source
from app.domain.errors import CredentialsUnavailable, PasswordProblem
from app.domain.router import RouterProfile
from app.engine.pool import PoolState
from app.transport.credentials import KeyringSecretStore, MemorySecretStore
from tests.support.secret_service import require_secret_service
from tests.unit.engine.fakes import FakeOpener

PROFILE = RouterProfile(name="r1", host="127.0.0.1")


class BrokenStore(MemorySecretStore):
    def get_password(self, router: str) -> str | None:
        raise CredentialsUnavailable("keyring is locked")


def test_password_source_prefers_the_store_then_the_fallback() -> None:
    store = MemorySecretStore()
    store.set_password("r1", "from-store")
    assert password_source(store, lambda p: "from-env")(PROFILE) == "from-store"
    assert password_source(MemorySecretStore(), lambda p: "from-env")(PROFILE) == "from-env"
    assert password_source(BrokenStore(), lambda p: "from-env")(PROFILE) == "from-env"
    with pytest.raises(CredentialsUnavailable, match="keyring is locked") as locked:
        password_source(BrokenStore())(PROFILE)
    assert locked.value.problem is PasswordProblem.KEYRING_FAILED
    # Memory holds passwords for this session only: that is why there is none.
    with pytest.raises(CredentialsUnavailable, match="kept for the session only") as missing:
        password_source(MemorySecretStore(), lambda p: None)(PROFILE)
    assert missing.value.problem is PasswordProblem.SESSION_ONLY


def test_a_keyring_without_an_entry_says_nothing_is_stored() -> None:
    backend = require_secret_service()
    profile = RouterProfile(name=f"nothing-{uuid.uuid4().hex[:8]}", host="127.0.0.1")
    with pytest.raises(CredentialsUnavailable, match="credentials set nothing-") as missing:
        password_source(KeyringSecretStore(backend))(profile)
    assert missing.value.problem is PasswordProblem.NOT_STORED


def test_without_a_keyring_memory_is_used_and_said(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def no_keyring() -> None:
        raise CredentialsUnavailable("cannot store router passwords: no OS keyring was found")

    monkeypatch.setattr(bootstrap, "open_secret_store", no_keyring)
    caplog.set_level(logging.WARNING)
    store = build_secret_store()
    assert isinstance(store, MemorySecretStore)
    assert "kept in memory for this session only" in caplog.text
    with pytest.raises(CredentialsUnavailable, match="no OS keyring"):
        build_secret_store(allow_memory=False)


async def test_engine_wiring_paths_and_password_update(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "routers.toml").write_text('[routers.r1]\nhost = "127.0.0.1"\n')
    paths = AppPaths(config, tmp_path / "data")
    opener = FakeOpener()
    engine = build_engine(paths, secrets=MemorySecretStore(), opener=opener)
    assert list(engine.profiles) == ["r1"]
    assert engine.audit.path == tmp_path / "data" / "audit.jsonl"
    assert engine.host_keys.path == tmp_path / "data" / "known_hosts"
    pool = engine.pools.get("r1")
    with pytest.raises(CredentialsUnavailable):
        await pool.run("display version")
    assert pool.state is PoolState.NO_CREDENTIALS
    await engine.update_password("r1", "new-password")
    assert (await pool.run("display version")).output == "output of display version"
    assert opener.passwords == ["new-password"]
    await engine.close()


def test_engine_reads_routers_from_settings_toml(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.toml").write_text(
        'version = 1\n\n[routers.bras-a]\nhost = "192.0.2.10"\nusername = "noc"\n'
    )
    engine = build_engine(AppPaths(config, tmp_path / "data"), secrets=MemorySecretStore())
    assert list(engine.profiles) == ["bras-a"]
    assert engine.profiles["bras-a"].host == "192.0.2.10"


def test_engine_without_a_settings_file_has_no_routers(tmp_path: Path) -> None:
    engine = build_engine(
        AppPaths(tmp_path / "config", tmp_path / "data"), secrets=MemorySecretStore()
    )
    assert engine.profiles == {}
