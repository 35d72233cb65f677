"""Refresh the translation sources from app/ui and compile them (Qt lupdate + lrelease).

    python scripts/update_translations.py          # update .ts from the code, build .qm
    python scripts/update_translations.py --check  # also fail if a string lacks a translation

lupdate keeps every existing translation whose source text is unchanged and adds new strings
as "unfinished"; translate those (Qt Linguist, or edit the XML), then run this again so the
shipped .qm matches. Source locations are left out of the .ts so that moving code around
does not churn the file.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "app" / "ui"
TRANSLATIONS = ROOT / "resources" / "translations"
CATALOG = "ne8000monitor"
LANGUAGES = ("pt_BR",)


def tool(name: str) -> str:
    """The Qt tool next to this Python (the venv's PySide6), else from PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: install PySide6 (pip install PySide6-Essentials)")
    return found


def ts_path(language: str) -> Path:
    return TRANSLATIONS / f"{CATALOG}_{language}.ts"


def untranslated(ts_file: Path) -> list[str]:
    """`context: source` of every message without a finished, non-empty translation."""
    missing = []
    for context in ET.parse(ts_file).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            if translation is None:
                continue
            kind = translation.get("type")
            if kind in ("obsolete", "vanished"):
                continue
            forms = [form.text or "" for form in translation.iter("numerusform")]
            # A plural message holds its text in numerus forms (each must be filled).
            text = "" if forms and not all(f.strip() for f in forms) else "".join(forms)
            text = text or translation.text or ""
            if kind == "unfinished" or not text.strip():
                missing.append(f"{name}: {message.findtext('source', '')}")
    return missing


def lupdate(target: Path, language: str) -> None:
    """Merge the strings of every app/ui module into `target` (created if missing)."""
    sources = sorted(str(path) for path in SOURCES.rglob("*.py"))
    subprocess.run(
        [
            tool("pyside6-lupdate"),
            "-silent",
            "-no-obsolete",
            "-locations",
            "none",
            "-disable-heuristic",
            "similartext",
            "-target-language",
            language,
            *sources,
            "-ts",
            str(target),
        ],
        check=True,
    )


def lrelease(source: Path, target: Path) -> None:
    subprocess.run(
        [tool("pyside6-lrelease"), "-silent", str(source), "-qm", str(target)], check=True
    )


def update(*, check: bool) -> int:
    TRANSLATIONS.mkdir(parents=True, exist_ok=True)
    status = 0
    for language in LANGUAGES:
        target = ts_path(language)
        lupdate(target, language)
        lrelease(target, target.with_suffix(".qm"))
        missing = untranslated(target)
        print(f"{target.name}: {len(missing)} strings to translate", file=sys.stderr)
        for entry in missing:
            print(f"  {entry}", file=sys.stderr)
        if missing and check:
            status = 1
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when any string is untranslated"
    )
    return update(check=parser.parse_args(argv).check)


if __name__ == "__main__":
    raise SystemExit(main())
