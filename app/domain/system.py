"""System health models: CPU, memory, board health, software version and board inventory.

Every value comes from the router's own output. What the router did not print is ``None``
(a missing five-minute average is unknown, not zero). Percentages are integers because
VRP prints them as integers; sizes are normalised to bytes or kept in the unit the router
uses when the field name says so (``memory_used_mb``).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.parsing import ParseWarning


@dataclass(frozen=True, slots=True)
class CpuCore:
    """One row of the `CPU Usage Details` table (`cpu0  40%  38% ...`)."""

    name: str
    current: int | None
    five_seconds: int | None = None
    one_minute: int | None = None
    five_minutes: int | None = None
    max_percent: int | None = None
    max_at: str | None = None


@dataclass(frozen=True, slots=True)
class CpuService:
    """One row of the service table (`SYSTEM  23%`); names may hold spaces (`IP STACK`)."""

    name: str
    percent: int


@dataclass(frozen=True, slots=True)
class CpuUsage:
    """`display cpu-usage`: overall CPU load, its averages, the peak and per-core rows.

    ``cpu_percent`` is the current system-wide figure (`System cpu use rate is`, CE
    `System CPU Using Percentage`, VRP5 `CPU Usage`). ``measured_at`` and ``max_at`` are
    the router's own timestamps as printed.
    """

    cpu_percent: float  # whole numbers stay ints; `CPU Usage: 4.7%` gives 4.7
    five_seconds: float | None
    one_minute: float | None
    five_minutes: float | None
    max_percent: float | None
    cores: tuple[CpuCore, ...] = ()
    services: tuple[CpuService, ...] = ()
    measured_at: str | None = None
    max_at: str | None = None
    warnings: tuple[ParseWarning, ...] = ()  # rows and figures left out (damaged lines)


@dataclass(frozen=True, slots=True)
class ProcessMemory:
    """One row of the per-process table under `display memory-usage`."""

    process_id: int
    name: str
    used_bytes: int


@dataclass(frozen=True, slots=True)
class MemoryUsage:
    """`display memory-usage` (and the CE-style `display memory`), sizes in bytes.

    VRP8 prints Kbytes and VRP5 bytes; both are normalised to bytes (1 Kbyte = 1024 bytes).
    """

    total_bytes: int
    used_bytes: int
    memory_percent: float  # whole numbers stay ints
    measured_at: str | None = None
    slot: str | None = None
    cpu: str | None = None
    processes: tuple[ProcessMemory, ...] = ()
    warnings: tuple[ParseWarning, ...] = ()  # process rows left out (damaged lines)


@dataclass(frozen=True, slots=True)
class CoreLoad:
    """A per-CPU figure from `display health verbose` (`cpu0  4%`)."""

    name: str
    percent: int


@dataclass(frozen=True, slots=True)
class BoardHealth:
    """One board of `display health`.

    ``memory_used_mb``/``memory_total_mb`` are None when the router (or a published
    example) masks the digits, e.g. `**06MB/**724MB`; any figure is None where the board
    reports none (`-`).
    """

    slot: str
    type: str
    cpu_percent: int | None
    memory_percent: int | None
    memory_used_mb: int | None
    memory_total_mb: int | None
    physical_memory_percent: int | None = None
    cores: tuple[CoreLoad, ...] = ()
    dataplane_cpu_percent: int | None = None  # `DataPlane CPU Usage`, where printed


@dataclass(frozen=True, slots=True)
class Health:
    """`display health [verbose]`: one row per board; ``warnings`` names skipped rows."""

    boards: tuple[BoardHealth, ...]
    warnings: tuple[ParseWarning, ...] = ()


@dataclass(frozen=True, slots=True)
class Version:
    """`display version`: platform identity and uptime.

    ``software_version`` is the full text in the parentheses of the `VRP (R) software`
    line (`NE40E V800R021C10SPC600`). ``product_version`` is its `VxxxRxxxCxx` part only:
    the SPC (service pack) is split into ``service_pack`` so that boxes on the same release
    compare equal. ``product_name`` is the product family written before the version
    (`NE40E`, `ATN 910C-B`); ``model`` the chassis from the uptime line (`NE40E-X8A`).
    """

    model: str
    vrp_version: str
    product_version: str | None
    uptime_seconds: int
    software_version: str | None
    product_name: str | None = None
    service_pack: str | None = None
    patch_version: str | None = None
    os_name: str | None = None  # `YunShan OS` for its release header; None for VRP
    warnings: tuple[ParseWarning, ...] = ()  # optional lines that were damaged


@dataclass(frozen=True, slots=True)
class BoardVersion:
    """`display version slot N`: one board's uptime, memory and hardware versions.

    ``board`` is the kind as printed (`LPU`, `MPU`, `VSU`, a stack member's type) and
    ``role`` its `Master`/`Slave` mark when printed. ``versions`` keeps every `X Version :
    Y` line of the board itself (PCB, EPLD, FPGA, BootROM, ...) as printed.
    """

    slot: str
    board: str
    role: str | None
    uptime_seconds: int
    startup_time: str | None  # `2020/04/29 09:54:16`, the board's own clock
    memory_bytes: int | None
    flash_bytes: int | None
    board_type: str | None
    pcb_version: str | None
    versions: dict[str, str]
    warnings: tuple[ParseWarning, ...] = ()


@dataclass(frozen=True, slots=True)
class Board:
    """One row of `display device`.

    Field values are as printed (`Present`, `Normal`, `Master`); a `-` cell is None.
    ``role`` is the `Role` column of the NE40E/NE8000 layout (`LC`, `MMB`, `OTHER`) and
    None where the layout has no such column; ``primary`` is the `Primary` column
    (`Master`, `Slave`, `NA`) that says which of a redundant pair is active. ``status`` is
    the `Status` column (`Alarm` on CloudEngine switches).
    """

    slot: str
    type: str
    online: str
    status: str | None
    role: str | None
    primary: str | None = None
    register: str | None = None
    card: str | None = None
    power: str | None = None
    configured_only: bool = False


@dataclass(frozen=True, slots=True)
class Device:
    """`display device`: the board inventory; ``chassis`` from `NE40E-X16's Device status:`."""

    boards: tuple[Board, ...]
    chassis: str | None = None
    warnings: tuple[ParseWarning, ...] = ()  # board rows left out
