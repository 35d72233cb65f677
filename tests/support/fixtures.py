"""Access to the real VRP output collection in tests/fixtures/vrp.

The collection is part of the repository, so a fresh clone tests on its own (see the
collection's README for where each capture came from). Set NE8000_FIXTURES to use another
copy. A missing collection is an error, never a skip: the parser tests are meaningless
without it.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES_DIR = Path(
    os.environ.get("NE8000_FIXTURES", REPO_ROOT / "tests" / "fixtures" / "vrp")
)


def _require_dir() -> Path:
    if not FIXTURES_DIR.is_dir():
        raise FileNotFoundError(
            f"VRP fixture collection not found at {FIXTURES_DIR}; "
            "it ships with the repository (tests/fixtures/vrp); "
            "set NE8000_FIXTURES to use another copy"
        )
    return FIXTURES_DIR


def fixture_path(name: str) -> Path:
    """Path of one fixture file by file name."""
    path = _require_dir() / name
    if not path.is_file():
        raise FileNotFoundError(f"fixture {name} not found in {FIXTURES_DIR}")
    return path


def fixture_text(name: str) -> str:
    """The fixture as stored: provenance line first, then the output as captured."""
    return fixture_path(name).read_text(encoding="utf-8")


def fixtures_for(command_slug: str) -> list[str]:
    """File names whose command slug is exactly `command_slug` (e.g. `display-health`)."""
    return sorted(p.name for p in _require_dir().glob(f"{command_slug}__*.txt"))
