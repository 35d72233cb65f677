"""Where the app's shipped resources are (icons, translations, the wall page); stdlib only.

The per-user folders (settings, data, logs) are the operating system's business: see
:mod:`app.platform.dirs`.
"""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    """The shipped `resources/` folder (icons, translations, the wall page).

    Next to the `app` package in a checkout or an installed tree; PyInstaller bundles unpack
    it under ``sys._MEIPASS``.
    """
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent.parent / "resources"
