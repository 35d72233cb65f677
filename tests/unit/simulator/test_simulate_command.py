"""The `simulate` subcommand's flags: documented defaults and the fault switches."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from app.commands import simulate
from app.platform.dirs import user_data_dir
from app.simulator.hostkey import fingerprint, load_host_key


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    simulate.register(parser.add_subparsers())
    return parser.parse_args(["simulate", *argv])


def test_defaults_are_the_documented_ones() -> None:
    args = _parse()
    assert (args.host, args.port) == ("127.0.0.1", 2222)
    assert (args.username, args.password) == ("admin", "Admin@123")
    assert (args.hostname, args.users, args.interfaces) == ("NE8000", 25000, 48)
    assert args.max_vty == 5
    assert args.idle_timeout == 10
    assert args.telnet_port is None
    assert args.host_key is None
    assert args.handler is simulate.run


def test_no_fault_flags_mean_a_healthy_router() -> None:
    plan = simulate.fault_plan_from_args(_parse(), now=100.0)
    assert plan.latency_ms == 0
    assert plan.hang_commands == set()
    assert not plan.drop_mid_output
    assert not plan.refuse_auth
    assert not plan.change_host_key
    assert not plan.ask_password_change
    assert plan.garble_rate == 0
    assert plan.take_mass_drop(10**12) is None


def test_fault_flags_build_the_plan() -> None:
    args = _parse(
        "--latency-ms", "40", "--fault-hang", "display version", "--fault-hang", "display health",
        "--fault-drop-mid-output", "--fault-garble", "0.1", "--fault-refuse-auth",
        "--fault-host-key-change", "--fault-password-change-prompt",
        "--fault-mass-drop-after", "60", "--fault-mass-drop-fraction", "0.5",
    )  # fmt: skip
    plan = simulate.fault_plan_from_args(args, now=1000.0)
    assert plan.latency_ms == 40
    assert plan.hang_commands == {"display version", "display health"}
    assert plan.drop_mid_output
    assert plan.garble_rate == pytest.approx(0.1)
    assert plan.refuse_auth
    assert plan.change_host_key
    assert plan.ask_password_change
    assert plan.take_mass_drop(1059.0) is None
    assert plan.take_mass_drop(1060.0) == pytest.approx(0.5)
    assert plan.take_mass_drop(1061.0) is None


def test_host_key_is_stored_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "host_key"
    first = load_host_key(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert fingerprint(load_host_key(path)) == fingerprint(first)
    assert fingerprint(load_host_key(path, regenerate=True)) != fingerprint(first)
    assert fingerprint(load_host_key(None)) != fingerprint(load_host_key(None))


def test_user_data_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert user_data_dir() == tmp_path / "ne8000monitor"
