"""Smoke-test a PyInstaller bundle built from ne8000monitor.spec (stdlib only).

    python scripts/smoke_bundle.py dist/ne8000monitor

Runs the bundled executable the way an operator would: `--version`, `parse` on a real VRP
capture, `serve --demo` answering `/health` (with a notification URL in its settings, so the
bundled apprise must find its plugins), and the GUI starting offscreen in demo mode for a
few seconds. Prints the bundle size. Exits non-zero on the first failure, with its output.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "vrp"
CPU_CAPTURE = "display-cpu-usage__ce-vrp8-lab-notes__1.txt"  # a real VRP8 capture (17 %)
READY = re.compile(r"feed listening on (http://\S+)")


def fail(message: str) -> None:
    print(f"SMOKE FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def isolated_env(home: Path) -> dict[str, str]:
    """The user's environment with every per-user directory pointed into `home`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ROUTER_", "XDG_"))}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
        QT_QPA_PLATFORM="offscreen",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    return env


def run(binary: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(binary), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def check_version(binary: Path, env: dict[str, str], version: str) -> None:
    done = run(binary, env, "--version")
    if done.returncode != 0 or version not in done.stdout:
        fail(f"--version: rc={done.returncode} {done.stdout!r} {done.stderr!r}")
    print(f"ok  --version -> {done.stdout.strip()}")


def check_parse(binary: Path, env: dict[str, str]) -> None:
    capture = FIXTURE / CPU_CAPTURE
    if not capture.exists():
        fail(f"no VRP capture {capture}")
    done = run(binary, env, "parse", "display cpu-usage", str(capture))
    if done.returncode != 0:
        fail(f"parse: rc={done.returncode} {done.stderr!r}")
    parsed = json.loads(done.stdout)
    if parsed.get("cpu_percent") is None:
        fail(f"parse gave no cpu_percent: {done.stdout[:300]}")
    print(f"ok  parse display cpu-usage {capture.name} -> usage {parsed['cpu_percent']}%")


def check_serve(binary: Path, env: dict[str, str], home: Path) -> None:
    # serve refuses to start when apprise cannot load a notification URL: a bundle without
    # apprise's plugins fails here. Nothing listens on port 9, and nothing is sent unless an
    # alert is raised.
    settings = home / "smoke-settings.toml"
    settings.write_text(
        'version = 1\n[notify]\nurls = ["json://127.0.0.1:9/smoke", '
        '"mailto://localhost:9?from=noc@example.com&to=ops@example.com"]\n',
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [
            str(binary), "serve", "--demo", "--port", "0", "--poll-scale", "0.05",
            "--settings", str(settings),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 90
        url = None
        while url is None and time.monotonic() < deadline:
            line = process.stderr.readline()
            if not line:
                break
            lines.append(line)
            if match := READY.search(line):
                url = match.group(1)
        if url is None:
            fail(f"serve --demo never listened: {''.join(lines)}")
        status = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
                    status = response.status
                    break
            except OSError:  # 503 until the demo router is reachable
                time.sleep(0.5)
        if status != 200:
            fail(f"/health never answered 200: {''.join(lines)}")
        print(f"ok  serve --demo (apprise URLs loaded) -> {url}/health 200")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            fail("serve ignored SIGTERM")
    if code != 0:
        fail(f"serve exited {code}: {''.join(lines)}{process.stderr.read()}")
    print("ok  serve stopped cleanly on SIGTERM")


def check_gui(binary: Path, env: dict[str, str], seconds: float) -> None:
    done = run(binary, env, "gui", "--demo", "--quit-after", str(seconds))
    if done.returncode != 0 or "Traceback" in done.stderr:
        fail(f"gui: rc={done.returncode} {done.stderr[-3000:]}")
    print(f"ok  gui --demo ran {seconds:g} s offscreen and quit cleanly")


def size_of(folder: Path) -> int:
    """Bytes on disk; symlinks (PyInstaller links Qt libraries on Linux) count once."""
    files = (path for path in folder.rglob("*") if not path.is_symlink() and path.is_file())
    return sum(path.stat().st_size for path in files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path, help="the one-folder bundle (dist/ne8000monitor)")
    parser.add_argument("--gui-seconds", type=float, default=6.0)
    args = parser.parse_args()
    binary = args.bundle / ("ne8000monitor.exe" if os.name == "nt" else "ne8000monitor")
    if not binary.exists():
        fail(f"{binary} does not exist (build with: pyinstaller ne8000monitor.spec)")
    sys.path.insert(0, str(ROOT))
    from app import __version__  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="ne8000-smoke-") as home:
        env = isolated_env(Path(home))
        check_version(binary, env, __version__)
        check_parse(binary, env)
        check_serve(binary, env, Path(home))
        check_gui(binary, env, args.gui_seconds)
    print(f"bundle size: {size_of(args.bundle) / 2**20:.1f} MiB ({args.bundle})")


if __name__ == "__main__":
    main()
