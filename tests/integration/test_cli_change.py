"""`ne8000monitor change` as a real subprocess against the simulator over SSH."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import pytest

from app.simulator.server import SimulatorHandle
from tests.support.cli import ROOT, cli, environment, read_until

pytestmark = pytest.mark.slow

PORT = "GigabitEthernet0/5/0"
PLAN_LINES = ["system-view", f"interface {PORT}", "shutdown", "commit", "return"]


def target(simulator: SimulatorHandle) -> list[str]:
    return ["--host", "127.0.0.1", "--port", str(simulator.port)]


def audit(tmp_path: Path) -> list[dict]:
    path = tmp_path / "data" / "ne8000monitor" / "audit.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def admin_down(simulator: SimulatorHandle) -> set[str]:
    state = simulator.state
    return {name for name in state.interface_names() if state.is_admin_down(name)}


def logged_in(tmp_path: Path) -> bool:
    """The first contact pins the host key: no known_hosts file means no connection."""
    return (tmp_path / "data" / "ne8000monitor" / "known_hosts").exists()


async def test_shutdown_then_undo_shutdown_with_yes(
    simulator: SimulatorHandle, tmp_path: Path
) -> None:
    env = environment(tmp_path, ROUTER_PASSWORD=simulator.password)
    before = admin_down(simulator)
    assert PORT not in before
    code, out, err = await cli(env, "change", *target(simulator), "shutdown", "GE0/5/0", "--yes")
    assert code == 0, err
    assert simulator.state.is_admin_down(PORT) is True
    assert admin_down(simulator) == before | {PORT}
    lines = out.splitlines()
    assert lines[0] == "router:  127.0.0.1"
    assert lines[1] == f"host:    127.0.0.1:{simulator.port} (ssh, user {simulator.username})"
    assert lines[2] == f"now:     {PORT} physical up, protocol up"
    assert lines[3] == "lines to send (5):"
    assert lines[4:9] == [f"  {line}" for line in PLAN_LINES]
    assert lines[9:] == [f"committed on 127.0.0.1: {PORT} shut down"]

    code, out, err = await cli(env, "change", *target(simulator), "undo-shutdown", PORT, "--yes")
    assert code == 0, err
    assert f"now:     {PORT} physical shut down, protocol down" in out.splitlines()
    assert "  undo shutdown" in out.splitlines()
    assert out.splitlines()[-1] == f"committed on 127.0.0.1: {PORT} enabled (undo shutdown)"
    assert admin_down(simulator) == before

    entries = audit(tmp_path)
    assert [(e["router"], e["outcome"]) for e in entries] == [
        ("127.0.0.1", "committed"),
        ("127.0.0.1", "committed"),
    ]
    assert entries[0]["commands"] == PLAN_LINES
    assert entries[1]["commands"][2] == "undo shutdown"
    audit_text = (tmp_path / "data" / "ne8000monitor" / "audit.jsonl").read_text()
    assert simulator.password not in out + err + audit_text


async def test_unknown_interface_is_refused_after_reading_the_list(
    simulator: SimulatorHandle, tmp_path: Path
) -> None:
    env = environment(tmp_path, ROUTER_PASSWORD=simulator.password)
    before = admin_down(simulator)
    code, out, err = await cli(
        env, "change", *target(simulator), "shutdown", "GigabitEthernet0/1/0", "--yes"
    )
    assert (code, out) == (2, "")
    # First contact: the pinned host key is reported, then the one reason.
    assert "trusting its host key" in err.splitlines()[0]
    assert err.splitlines()[1:] == [
        "ne8000monitor change: interface GigabitEthernet0/1/0 does not exist on this router"
    ]
    assert logged_in(tmp_path)  # it did read the router's list
    assert admin_down(simulator) == before
    assert audit(tmp_path) == []


@pytest.mark.parametrize(
    ("action", "value", "message"),
    [
        ("shutdown", "GigabitEthernet0/5/0;reboot", "an interface name must not contain ';'"),
        (
            "shutdown",
            "GigabitEthernet0/5/0\nreboot",
            "an interface name must not contain a newline",
        ),
        ("undo-shutdown", "a|b", "an interface name must not contain '|'"),
        ("cut-user", "a|b", "a user name must not contain '|'"),
        ("cut-user", "user\nreboot", "a user name must not contain a newline"),
        ("cut-user", "x y", "user name 'x y' is not accepted"),
    ],
)
async def test_injection_is_refused_before_logging_in(
    simulator: SimulatorHandle, tmp_path: Path, action: str, value: str, message: str
) -> None:
    env = environment(tmp_path, ROUTER_PASSWORD=simulator.password)
    code, out, err = await cli(env, "change", *target(simulator), action, value, "--yes")
    assert (code, out) == (2, "")
    assert err.startswith(f"ne8000monitor change: {message}")
    assert err.count("\n") == 1
    assert not logged_in(tmp_path)
    assert audit(tmp_path) == []


async def test_without_yes_a_terminal_is_required(
    simulator: SimulatorHandle, tmp_path: Path
) -> None:
    env = environment(tmp_path, ROUTER_PASSWORD=simulator.password)
    before = admin_down(simulator)
    code, out, err = await cli(env, "change", *target(simulator), "shutdown", PORT, stdin=PORT)
    assert (code, out) == (2, "")
    assert err == "ne8000monitor change: confirmation needs a terminal or --yes\n"
    assert not logged_in(tmp_path)
    assert admin_down(simulator) == before


async def _on_a_terminal(env: dict[str, str], args: list[str], answer: str) -> tuple[int, str]:
    """Run the command with a pseudo-terminal as its stdin/stdout, type `answer` at the prompt."""
    master, slave = os.openpty()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app", *args,
        stdin=slave, stdout=slave, stderr=slave, env=env, cwd=str(ROOT), start_new_session=True,
    )  # fmt: skip
    os.close(slave)
    seen: list[str] = []
    try:
        # The simulator runs on this event loop: wait for the terminal in a thread.
        prompt = "Type the router name to confirm: "
        await asyncio.to_thread(read_until, master, prompt, seen)
        os.write(master, (answer + "\n").encode())
        code = await asyncio.wait_for(process.wait(), 30)
        await asyncio.to_thread(_drain, master, seen)
    except BaseException:
        if process.returncode is None:
            os.kill(process.pid, signal.SIGKILL)  # never leave a child waiting at a prompt
            await process.wait()
        raise
    finally:
        os.close(master)
    return code, "".join(seen).replace("\r\n", "\n")


def _drain(fd: int, seen: list[str]) -> None:
    """Everything the finished child left on the terminal."""
    import select

    while select.select([fd], [], [], 1.0)[0]:
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # the terminal's other end is closed: all read
            return
        if not chunk:
            return
        seen.append(chunk.decode(errors="replace"))


async def test_confirmation_on_the_terminal_needs_the_router_name(
    simulator: SimulatorHandle, tmp_path: Path
) -> None:
    config = tmp_path / "config" / "ne8000monitor"
    config.mkdir(parents=True)
    (config / "routers.toml").write_text(
        f'[routers.lab]\nhost = "127.0.0.1"\nport = {simulator.port}\n'
        f'username = "{simulator.username}"\n'
    )
    env = environment(tmp_path, ROUTER_PASSWORD=simulator.password)
    args = ["change", "lab", "shutdown", "GE0/5/0"]
    before = admin_down(simulator)

    code, screen = await _on_a_terminal(env, args, "127.0.0.1")
    assert code == 2, screen
    assert "  interface GigabitEthernet0/5/0\n" in screen
    assert "Apply these 5 lines to lab? Type the router name to confirm: 127.0.0.1\n" in screen
    assert "not confirmed (the router name is 'lab'); nothing sent" in screen
    assert admin_down(simulator) == before
    assert audit(tmp_path) == []

    code, screen = await _on_a_terminal(env, args, "lab")
    assert code == 0, screen
    assert f"committed on lab: {PORT} shut down" in screen
    assert admin_down(simulator) == before | {PORT}
    assert simulator.password not in screen
    (entry,) = audit(tmp_path)
    assert (entry["router"], entry["outcome"], entry["commands"]) == (
        "lab",
        "committed",
        PLAN_LINES,
    )


async def test_cut_user_disconnects_the_subscriber(
    frozen_simulator: SimulatorHandle, tmp_path: Path
) -> None:
    simulator = frozen_simulator  # no churn: the chosen subscriber stays online until cut
    subscribers = simulator.state.subscribers
    username = subscribers.ordered()[0].username
    sessions = len(subscribers.by_username(username))
    env = environment(tmp_path, ROUTER_PASSWORD=simulator.password)
    code, out, err = await cli(env, "change", *target(simulator), "cut-user", username, "--yes")
    assert code == 0, err
    assert "now:" not in out
    assert "lines to send (4):" in out.splitlines()
    assert f"  cut access-user username {username} all" in out.splitlines()
    assert out.splitlines()[-1] == f"applied on 127.0.0.1: {sessions} session(s) of {username} cut"
    assert subscribers.by_username(username) == []
    (entry,) = audit(tmp_path)
    assert entry["outcome"] == "applied"
    assert entry["commands"][2] == f"cut access-user username {username} all"


async def test_commit_without_answer_exits_3(simulator: SimulatorHandle, tmp_path: Path) -> None:
    simulator.faults.hang_commands = {"commit"}
    env = environment(tmp_path, ROUTER_PASSWORD=simulator.password)
    code, out, err = await cli(
        env, "change", *target(simulator), "--timeout", "1", "shutdown", PORT, "--yes"
    )
    assert code == 3, err
    assert out.splitlines()[-1] == "  return"  # the preview, and no outcome on stdout
    last = err.splitlines()[-1]
    assert last.startswith("ne8000monitor change: 127.0.0.1: no answer to 'commit': the change")
    assert "may or may not have taken effect; check the router" in last
    assert simulator.state.is_admin_down(PORT) is False
    (entry,) = audit(tmp_path)
    assert entry["outcome"] == "unknown"


async def test_change_the_router_does_not_finish_is_abandoned_exit_1(
    simulator: SimulatorHandle, tmp_path: Path
) -> None:
    simulator.faults.hang_commands = {"shutdown"}
    env = environment(tmp_path, ROUTER_PASSWORD=simulator.password)
    code, _out, err = await cli(
        env, "change", *target(simulator), "--timeout", "1", "shutdown", PORT, "--yes"
    )
    assert code == 1, err
    assert err.splitlines()[-1] == (
        "ne8000monitor change: 127.0.0.1: change abandoned, nothing committed: "
        "no prompt within 1 s after 'shutdown'; the session was closed"
    )
    assert simulator.state.is_admin_down(PORT) is False
    (entry,) = audit(tmp_path)
    assert entry["outcome"] == "aborted"
    assert entry["commands"][:3] == ["system-view", f"interface {PORT}", "shutdown"]
