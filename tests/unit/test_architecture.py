"""The layer rules of ARCHITECTURE.md, checked on every test run."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.fixtures import REPO_ROOT

APP = REPO_ROOT / "app"


def _imported_modules(package: Path) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update((str(path), alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add((str(path), node.module))
    return found


@pytest.mark.parametrize("package", ["domain", "vrp"])
def test_inner_layers_import_only_stdlib_and_domain(package: str) -> None:
    allowed_app = ("app.domain",) if package == "domain" else ("app.domain", "app.vrp")
    offenders = []
    for path, module in _imported_modules(APP / package):
        top = module.split(".")[0]
        if top == "app":
            if not module.startswith(allowed_app):
                offenders.append((path, module))
        elif top not in sys.stdlib_module_names and top != "__future__":
            offenders.append((path, module))
    assert offenders == []


def _tool(name: str) -> str:
    path = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert path, f"{name} is not installed (install the test extra)"
    return path


def test_import_linter_contracts_hold() -> None:
    result = subprocess.run(
        [_tool("lint-imports"), "--no-cache"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_is_clean() -> None:
    result = subprocess.run(
        [_tool("ruff"), "check", "app", "tests", "bench"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
