"""Parser for `display version`: platform, software release and uptime.

The first lines are what identify a box:
    VRP (R) software, Version 8.211 (NE40E V800R021C10SPC600)
    HUAWEI NE40E-X8A uptime is 405 days, 12 hours, 9 minutes
The parenthesised product string varies: `NE40E V800R021C10SPC600`, without a space
(`NE40EV800R023C00SPC500`), with spaces in the product (`ATN 910C-B V300R003C10SPC500`).
The uptime line names the chassis (`NE40E-X8A`, `ATN 910C-B`) and on AR routers ends the
model with `Router` (`Huawei AR6280 Router uptime is`); VRP5 counts weeks too, and the
units are singular for 0 and 1 (`0 day`, `1 hour`). Per-board sections that follow are
not needed by the monitor and are skipped.
"""

from __future__ import annotations

import re

from app.domain.errors import ParseError
from app.domain.system import Version
from app.vrp.grammar import CommandSpec
from app.vrp.text import clean_lines, unexpected_output

_SOFTWARE = re.compile(
    r"^\s*VRP \(R\) software,\s*Version\s+(?P<vrp>\d+\.\d+)\s*(?:\((?P<software>[^()]+)\))?",
    re.IGNORECASE,
)
_RELEASE = re.compile(
    r"^(?P<product>.*?)\s*(?P<release>V\d{3}R\d{3}(?:C\d{2})?)(?P<pack>SPC\d{3})?\S*$",
    re.IGNORECASE,
)
_UPTIME = re.compile(
    r"^\s*HUAWEI\s+(?P<model>\S.*?)(?:\s+Router)?\s+uptime is\s+(?P<duration>\S.*?)\s*$",
    re.IGNORECASE,
)
_PATCH = re.compile(r"^\s*Patch Version\s*:\s*(?P<patch>\S+)\s*$", re.IGNORECASE)
_PART = re.compile(r"^(?P<count>\d{1,6})\s+(?P<unit>week|day|hour|minute|second)s?$", re.I)
_UNIT_SECONDS = {"week": 604800, "day": 86400, "hour": 3600, "minute": 60, "second": 1}


def uptime_seconds(duration: str) -> int | None:
    """`60 weeks, 4 days, 11 hours, 20 minutes` -> seconds; None when a part is unknown."""
    total = 0
    for part in duration.split(","):
        match = _PART.match(part.strip())
        if not match:
            return None
        total += int(match["count"]) * _UNIT_SECONDS[match["unit"].lower()]
    return total


def parse_version(text: str) -> Version:
    """Parse `display version`; the software line and the chassis uptime line are required."""
    lines = clean_lines(text)
    software = uptime = None
    patch = None
    for index, line in enumerate(lines):
        if software is None and (match := _SOFTWARE.match(line)):
            software = (index, match)
        elif uptime is None and (match := _UPTIME.match(line)):
            uptime = (index, match)
        elif patch is None and (match := _PATCH.match(line)):
            patch = match["patch"]
    if software is None:
        raise unexpected_output("expected the `VRP (R) software, Version N.NNN (...)` line", lines)
    if uptime is None:
        raise ParseError(
            "expected the `HUAWEI <model> uptime is ...` line",
            line=lines[software[0]],
            line_number=software[0] + 1,
        )
    seconds = uptime_seconds(uptime[1]["duration"])
    if seconds is None:
        raise ParseError(
            "expected an uptime like `405 days, 12 hours, 9 minutes`",
            line=lines[uptime[0]],
            line_number=uptime[0] + 1,
        )
    full = " ".join((software[1]["software"] or "").split())
    release = _RELEASE.match(full)
    return Version(
        model=uptime[1]["model"],
        vrp_version=software[1]["vrp"],
        product_version=release["release"].upper() if release else None,
        uptime_seconds=seconds,
        software_version=full or None,
        product_name=(release["product"] or None) if release else None,
        service_pack=release["pack"].upper() if release and release["pack"] else None,
        patch_version=patch,
    )


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "display version",
        parse_version,
        "chassis model, VRP and product version, uptime",
    ),
)
