"""Suite-wide settings: Qt draws offscreen unless a test asks for a real display.

Set before anything imports Qt, and inherited by the subprocesses tests start (a GUI
launched by a CLI test, the bundle smoke test), so the suite runs the same on a desktop,
over SSH and in CI. The one real-window test sets `QT_QPA_PLATFORM=xcb` itself.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
