"""Parsers for `display version` (platform, release, uptime) and `display version slot N`.

The first lines are what identify a box:

    VRP (R) software, Version 8.211 (NE40E V800R021C10SPC600)
    HUAWEI NE40E-X8A uptime is 405 days, 12 hours, 9 minutes

Release header: `VRP (R) software, Version ...` (VRP5 and VRP8, sometimes without the
space after the comma) or, on YunShan OS, a `Huawei YunShan OS` line followed by `Version
1.22.0.1 (S5735 V600R022C00)`. The version may have four parts (`1.25.0.1`).

The parenthesised product string varies: `NE40E V800R021C10SPC600`, without a space
(`NE40EV800R023C00SPC500`), with spaces in the product (`ATN 910C-B V300R003C10SPC500`,
`NetEngine 8000 V800R011C00SPC200`).

Chassis line: a brand word (`HUAWEI`, `Huawei`, `Quidway`) or none, the model, and
`uptime is`; descriptive words after the model are not part of it (`Huawei AR6280 Router`,
`Quidway S7706 Terabit Routing Switch`, `HUAWEI S5720 Routing Switch`). Product family
names are (`NetEngine 8000 M8`, `CloudEngine S5735-S-V2`). Board lines (`MPU(Master) 0 :
uptime is ...`) carry a colon and are not the chassis. VRP5 counts weeks too, and units are
singular for 0 and 1 (`0 day`, `1 hour`). Per-board sections after the chassis line are
read only by `display version slot N`.

`display version slot N` gives the board line (`LPU 1 : uptime is ...`, `MPU(Master) 4`,
`VSU 3`), its startup time, memory sizes and every `X Version : Y` of the board itself;
the sub-cards (PIC, NSE) and the monitor bus after it are not the board's. A damaged
line there (a character VRP does not print) is a warning, never a version.
"""

from __future__ import annotations

import re

from app.domain.errors import ParseError
from app.domain.parsing import ParseWarning
from app.domain.system import BoardVersion, Version
from app.vrp.grammar import CommandSpec
from app.vrp.keyvalue import read_record
from app.vrp.text import clean_lines, unexpected_output
from app.vrp.values import BadValue, has_junk, size_bytes

_SOFTWARE = re.compile(
    r"^\s*VRP\s*\(R\)\s*software\s*,\s*Version\s+(?P<vrp>\S+?)\s*(?:\((?P<software>[^()]*)\))?\s*$",
    re.IGNORECASE,
)
_OS_HEADER = re.compile(r"^\s*(?:Huawei\s+)?(?P<os>YunShan\s+OS)\s*$", re.IGNORECASE)
_BARE_RELEASE = re.compile(
    r"^\s*Version\s+(?P<vrp>\S+?)\s*(?:\((?P<software>[^()]*)\))?\s*$", re.IGNORECASE
)
_VRP_VERSION = re.compile(r"\d{1,3}(?:\.\d{1,4}){1,3}")
_RELEASE = re.compile(
    r"^(?P<product>.*?)\s*(?P<release>V\d{3}R\d{3}(?:C\d{2})?)(?P<pack>SPC\d{3})?\S*$",
    re.IGNORECASE,
)
_UPTIME = re.compile(r"^\s*(?P<lead>[^:]*?)\s+uptime is\s+(?P<duration>\S.*?)\s*$", re.IGNORECASE)
_BRANDS = frozenset({"huawei", "quidway"})
# Words after a model that describe it rather than name it.
_DESCRIPTIVE = frozenset(
    {
        "router",
        "routing",
        "switch",
        "switching",
        "terabit",
        "series",
        "universal",
        "service",
        "multiservice",
        "multi-service",
        "access",
        "gateway",
        "ethernet",
    }
)
_MODEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._/+()-]{0,63}", re.ASCII)
_SOFTWARE_STRING = re.compile(r"[A-Za-z0-9 ._/+-]{1,80}", re.ASCII)
_PART = re.compile(r"^(?P<count>\d{1,6})\s+(?P<unit>week|day|hour|minute|second)s?$", re.I)
_UNIT_SECONDS = {"week": 604800, "day": 86400, "hour": 3600, "minute": 60, "second": 1}
_PATCH = re.compile(r"[A-Za-z0-9._-]{1,48}", re.ASCII)


def uptime_seconds(duration: str) -> int | None:
    """`60 weeks, 4 days, 11 hours, 20 minutes` -> seconds; None when a part is unknown."""
    total = 0
    for part in duration.split(","):
        match = _PART.match(part.strip())
        if not match:
            return None
        total += int(match["count"]) * _UNIT_SECONDS[match["unit"].lower()]
    return total


def _model(lead: str) -> str | None:
    """The chassis model from the text before `uptime is` (brand and descriptions removed)."""
    words = lead.split()
    if words and words[0].lower() in _BRANDS:
        words = words[1:]
    while len(words) > 1 and words[-1].lower() in _DESCRIPTIVE:
        words.pop()
    model = " ".join(words)
    return model if _MODEL.fullmatch(model) else None


def _release(lines: list[str]) -> tuple[int, re.Match[str], str | None] | None:
    """(index, match, OS name) of the release line; the name is None for VRP itself."""
    os_name: str | None = None
    for index, line in enumerate(lines):
        if match := _SOFTWARE.match(line):
            return index, match, None
        if header := _OS_HEADER.match(line):
            os_name = " ".join(header["os"].split())
            continue
        if os_name and (match := _BARE_RELEASE.match(line)):
            return index, match, os_name
    return None


def parse_version(text: str) -> Version:
    """Parse `display version`; the release line and the chassis uptime line are required."""
    lines = clean_lines(text)
    found = _release(lines)
    if found is None:
        raise unexpected_output("expected the `VRP (R) software, Version N.NNN (...)` line", lines)
    release_at, release, os_name = found
    release_line = lines[release_at]
    if _VRP_VERSION.fullmatch(release["vrp"]) is None:
        raise ParseError(
            "expected a software version like `8.211`",
            line=release_line,
            line_number=release_at + 1,
        )
    full = " ".join((release["software"] or "").split())
    if full and _SOFTWARE_STRING.fullmatch(full) is None:
        raise ParseError("damaged product string", line=release_line, line_number=release_at + 1)
    uptime = next(
        (
            (index, match)
            for index, line in enumerate(lines)
            if index > release_at and (match := _UPTIME.match(line))
        ),
        None,
    )
    if uptime is None:
        raise ParseError(
            "expected the `HUAWEI <model> uptime is ...` line",
            line=release_line,
            line_number=release_at + 1,
        )
    uptime_at, chassis = uptime
    model = _model(chassis["lead"])
    if model is None:
        raise ParseError(
            "expected a chassis model before `uptime is`",
            line=lines[uptime_at],
            line_number=uptime_at + 1,
        )
    seconds = uptime_seconds(chassis["duration"])
    if seconds is None:
        raise ParseError(
            "expected an uptime like `405 days, 12 hours, 9 minutes`",
            line=lines[uptime_at],
            line_number=uptime_at + 1,
        )
    warnings: list[ParseWarning] = []
    record = read_record(lines, ("Patch Version",))
    patch_pair = record.block.get("patch version")
    patch = None
    if patch_pair is not None:
        if _PATCH.fullmatch(patch_pair.value):
            patch = patch_pair.value
        else:
            warnings.append(
                ParseWarning("damaged patch version", patch_pair.line, patch_pair.index + 1)
            )
    elif (lost := record.lost("Patch Version")) is not None:
        warnings.append(
            ParseWarning("damaged line (may have held the patch version)", lost[1], lost[0] + 1)
        )
    product = _RELEASE.match(full)
    return Version(
        model=model,
        vrp_version=release["vrp"],
        product_version=product["release"].upper() if product else None,
        uptime_seconds=seconds,
        software_version=full or None,
        product_name=(product["product"] or None) if product else None,
        service_pack=product["pack"].upper() if product and product["pack"] else None,
        patch_version=patch,
        os_name=os_name,
        warnings=tuple(warnings),
    )


# ------------------------------------------------------------------ display version slot N

# `LPU 1 : uptime is`, `MPU (Master) 17 : uptime is`, `MPU(Master) 0 : uptime is`,
# `MPU 7(Master) : uptime is`, `VSU 3  : uptime is`, `S5755-H24T4Y2CZ(Master) 1 : uptime is`.
_BOARD = re.compile(
    r"^\s*(?P<board>[A-Za-z][A-Za-z0-9-]{1,31})\s*(?:\((?P<role1>[A-Za-z ]{1,20})\))?\s*"
    r"(?P<slot>\d{1,3}(?:/\d{1,3})?)\s*(?:\((?P<role2>[A-Za-z ]{1,20})\))?\s*:\s*uptime is\s+"
    r"(?P<duration>\S.*?)\s*$",
    re.ASCII,
)
_STARTUP = re.compile(
    r"^\s*StartupTime\s*:?\s*(?P<at>\d{4}/\d{2}/\d{2}\s+\d{2}:\d{2}:\d{2})\s*$", re.IGNORECASE
)
_BOARD_TYPE = re.compile(
    r"^\s*(?:\d\.)?\s*(?:[A-Z]{2,4}\s+)?(?P<type>[A-Z0-9]{6,20})\s+version information\s*:?\s*$"
)
_ENUMERATED = re.compile(r"^\d{1,2}\.\s*")
_SUBSECTION = re.compile(
    r"^\s*(?:NSE|PIC\d{1,2}|MonitorBUS|Configure license items)\b",
    re.IGNORECASE,
)


def parse_version_slot(text: str) -> BoardVersion:
    """Parse `display version slot N`: the board's uptime, memory and hardware versions.

    ``versions`` keeps each `X Version : Y` of the board itself (PCB, EPLD, FPGA, BootROM,
    ...); sub-cards (PIC, NSE) and the monitor bus that follow are not the board's.
    """
    lines = clean_lines(text)
    board_at = next(
        ((index, match) for index, line in enumerate(lines) if (match := _BOARD.match(line))),
        None,
    )
    if board_at is None:
        raise unexpected_output("expected a board line like `LPU 1 : uptime is ...`", lines)
    start, board = board_at
    seconds = uptime_seconds(board["duration"])
    if seconds is None:
        raise ParseError(
            "expected an uptime like `2 days, 5 hours, 9 minutes`",
            line=lines[start],
            line_number=start + 1,
        )
    end = len(lines)
    for index in range(start + 1, len(lines)):
        if _BOARD.match(lines[index]) or _SUBSECTION.match(lines[index]):
            end = index
            break
    own = lines[start + 1 : end]
    record = read_record(own, ("Memory Size", "Version", "Board Type"))
    warnings: list[ParseWarning] = []
    versions: dict[str, str] = {}
    memory = flash = None
    board_type = None
    startup = None
    for line in own:
        if match := _STARTUP.match(line):
            startup = " ".join(match["at"].split())
        elif match := _BOARD_TYPE.match(line):
            board_type = board_type or match["type"]
    for pair in record.block.pairs.values():
        label = _ENUMERATED.sub("", pair.label)
        key = " ".join(label.lower().split())
        try:
            if key in {"sdram memory size", "memory size"}:
                memory = size_bytes(pair.value)
            elif key in {"flash memory size", "flash size"}:
                flash = size_bytes(pair.value)
            elif key == "board type":
                board_type = board_type or pair.value
            elif key.endswith(" version") and pair.value:
                if has_junk(pair.value):
                    raise BadValue(f"damaged version {pair.value!r}")
                versions.setdefault(" ".join(label.split()), pair.value)
        except BadValue as problem:
            warnings.append(ParseWarning(str(problem), pair.line, start + 2 + pair.index))
    for label, index, line in record.suspects:
        warnings.append(
            ParseWarning(f"damaged line (may have held {label!r})", line, start + 2 + index)
        )
    # Any other damaged line may have held a version, the board type or the startup time.
    reported = {warning.line_number for warning in warnings}
    warnings.extend(
        ParseWarning("damaged line", line, start + 2 + index)
        for index, line in enumerate(own)
        if start + 2 + index not in reported and has_junk(line)
    )
    pcb = next((value for label, value in versions.items() if label.startswith("PCB")), None)
    return BoardVersion(
        slot=board["slot"],
        board=board["board"],
        role=board["role1"] or board["role2"],
        uptime_seconds=seconds,
        startup_time=startup,
        memory_bytes=memory,
        flash_bytes=flash,
        board_type=board_type,
        pcb_version=pcb,
        versions=versions,
        warnings=tuple(warnings),
    )


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "display version",
        parse_version,
        "chassis model, VRP and product version, uptime",
    ),
    CommandSpec(
        "display version slot <slot>",
        parse_version_slot,
        "one board: uptime, memory, hardware versions",
    ),
)
