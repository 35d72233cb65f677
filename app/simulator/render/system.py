"""`display cpu-usage`, `memory-usage`, `health`, `version` and `device`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.simulator.errors import WRONG_PARAMETER, CommandError
from app.simulator.render._text import duration, join, plain, with_millis

if TYPE_CHECKING:
    from datetime import datetime

    from app.simulator.device import DeviceState
    from app.simulator.system import Board

# CPU share of each service on a BRAS main board (the rest print 0%).
_SERVICES: tuple[tuple[str, float], ...] = (
    ("SYSTEM", 0.30), ("BRAS", 0.18), ("AAA", 0.14), ("SVRO", 0.12), ("BGP", 0.07),
    ("DHCP", 0.04), ("IP STACK", 0.03), ("RM", 0.02), ("PPP", 0.04), ("DEVICE", 0.02),
    ("ARP", 0.01), ("IFM", 0.01), ("ISIS", 0.01), ("CMF", 0.0), ("CSP", 0.0), ("ETRUNK", 0.0),
    ("EUM", 0.0), ("FEA", 0.0), ("FEC", 0.0), ("FIBRESM", 0.0), ("LDT", 0.0), ("LINK", 0.0),
    ("LLDP", 0.0), ("LOCAL PKT", 0.0), ("ND", 0.0), ("NETSTREAM", 0.0), ("OAM", 0.0),
    ("PKI", 0.0), ("RBS", 0.0), ("RGM", 0.0), ("SLA", 0.0), ("SOC", 0.0), ("TNLM", 0.0),
    ("TUNNEL", 0.0), ("VLAN", 0.0),
)  # fmt: skip

# Process memory split on a main board (share of the used memory).
_PROCESSES: tuple[tuple[int, str, float], ...] = (
    (4, "LM", 0.126), (1008, "PROTO4", 0.023), (1019, "VFPNSE", 0.030), (1018, "VFPFWD", 0.025),
    (1002, "RESP", 0.017), (1004, "PROTO5", 0.012), (2, "SM", 0.008), (3, "CFG", 0.113),
    (1013, "FESMB", 0.023), (1012, "PSM1", 0.030), (10001, "PROTO1", 0.008),
    (1020, "BGP", 0.021), (1030, "BRAS", 0.120), (1031, "AAA", 0.064), (1015, "OPS", 0.008),
    (1014, "SSH", 0.005), (1007, "DHCP", 0.012), (1001, "SYSMNT", 0.003), (10002, "FES", 0.036),
)  # fmt: skip


def _board(state: DeviceState, slot: str | int | None) -> Board:
    """The board a `slot N` argument names (main MPU by default)."""
    if slot is None:
        return next(b for b in state.boards.values() if b.kind == "MPU" and b.primary == "Master")
    try:
        board = state.boards[int(str(slot))]
    except (ValueError, KeyError):
        raise CommandError(WRONG_PARAMETER) from None
    if board.cpu is None:
        raise CommandError(WRONG_PARAMETER)
    return board


def render_cpu_usage(state: DeviceState, slot: str | None = None,
                     cpu: str | int | None = None) -> str:
    """`display cpu-usage [slot N [cpu M]]` in the VRP8 router layout."""
    board = _board(state, slot)
    meter = board.cpu
    assert meter is not None
    if cpu is not None and str(cpu) not in {str(i) for i in range(len(meter.cores))}:
        raise CommandError(WRONG_PARAMETER)
    current = round(meter.current)
    lines = [
        f"Cpu utilization statistics at {with_millis(state.local())}",
        f"System cpu use rate is : {current}%",
        f"Cpu utilization for five seconds: {round(meter.five_seconds)}% ;  one minute: "
        f"{round(meter.one_minute)}% ;  five minutes: {round(meter.five_minutes)}%.",
        f"Max CPU Usage : {round(meter.maximum)}%",
        f"Max CPU Usage Stat. Time : {with_millis(state.local(meter.maximum_at))}",
        "-" * 27,
        "ServiceName  UseRate",
        "-" * 27,
    ]
    shares = [(name, round(current * share)) for name, share in _SERVICES]
    for name, value in sorted(shares, key=lambda item: (-item[1], item[0])):
        lines.append(f"{name:<12}{value:>7}%")
    lines += ["-" * 27, "CPU Usage Details", "-" * 64,
              "CPU     Current  FiveSec   OneMin  FiveMin  Max MaxTime", "-" * 64]
    indexes = range(len(meter.cores)) if cpu is None else [int(cpu)]
    for index in indexes:
        core = meter.cores[index]
        five_sec = (core + meter.five_seconds - meter.current)
        one_min = (core + meter.one_minute - meter.current)
        five_min = (core + meter.five_minutes - meter.current)
        values = [f"{round(max(0.0, min(100.0, v)))}%" for v in (core, five_sec, one_min,
                                                                 five_min)]
        maximum = f"{round(meter.core_max[index])}%"
        lines.append(f"{'cpu' + str(index):<8}{values[0]:>7}{values[1]:>9}{values[2]:>9}"
                     f"{values[3]:>9}{maximum:>5} {plain(state.local(meter.core_max_at[index]))}")
    lines.append("-" * 64)
    return join(lines)


def render_memory_usage(state: DeviceState, slot: str | int | None = None) -> str:
    """`display memory-usage [slot N]`: Kbytes, as VRP8 prints it."""
    board = _board(state, slot)
    used = round(board.memory_used_kb)
    lines = [
        f"Memory utilization statistics at {with_millis(state.local())}",
        f"System Total Memory Is: {board.memory_total_kb} Kbytes",
        f"Total Memory Used Is: {used} Kbytes",
        f"Memory Using Percentage Is: {board.memory_percent}%",
        "-" * 40,
        "Process memory information in the slot:",
        "-" * 40,
        "ProcessId  ProcessName      Used(Kbytes)",
        "-" * 40,
    ]
    accounted = 0
    for pid, name, share in _PROCESSES:
        amount = round(used * share)
        accounted += amount
        lines.append(f"{pid:<11}{name:<17}{amount:>12}")
    lines.append(f"{0:<11}{'system':<17}{used - accounted:>12}")
    lines.append("-" * 40)
    return join(lines)


def render_health(state: DeviceState) -> str:
    """`display health`: one row per board with CPU and memory."""
    rule = "-" * 64
    lines = [rule, "Slot                       CPU Usage  Memory Usage(Used/Total)", rule]
    boards = [b for b in state.boards.values() if b.cpu is not None]
    order = sorted(boards, key=lambda b: (b.kind != "MPU" or b.primary != "Master",
                                          b.kind == "MPU", b.slot))
    for board in order:
        assert board.cpu is not None
        used_mb = round(board.memory_used_kb / 1024)
        total_mb = round(board.memory_total_kb / 1024)
        cpu = f"{round(board.cpu.current)}%"
        memory = f"{board.memory_percent}%"
        lines.append(f"{board.slot:<8}{board.health_type:<12}{cpu:>14}{memory:>13}"
                     f"   {used_mb}MB/{total_mb}MB")
    lines.append(rule)
    return join(lines)


def _mpu_lines(board: Board, uptime: str, boot: datetime) -> list[str]:
    """A main board's part of `display version` (the whole box's and `slot N`'s alike)."""
    return [
        f"MPU ({board.primary}) {board.slot} : uptime is {uptime}",
        f"  StartupTime {boot:%Y/%m/%d   %H:%M:%S}",
        "  SDRAM Memory Size   : 16384 M bytes",
        "  FLASH Memory Size   : 64 M bytes",
        "  NVRAM Memory Size   : 512 K bytes",
        "  CFCARD Memory Size  : 8192 M bytes",
        "  MPU CR8DMPUC0 version information:",
        "  PCB         Version : CR8MPUC REV B",
        "  EPLD        Version : 102",
        "  FPGA        Version : 106",
        "  BootROM     Version : 08.21",
        "  BootLoad    Version : 08.21",
    ]


def render_version(state: DeviceState) -> str:
    """`display version`: software, model, uptime, then per-board versions."""
    uptime = duration(state.uptime_seconds())
    separator = "- " * 32 + "-"
    lines = [
        "Huawei Versatile Routing Platform Software",
        f"VRP (R) software, Version {state.vrp_version} "
        f"({state.model.split()[0]} {state.product_version})",
        "Copyright (C) 2012-2022 Huawei Technologies Co., Ltd.",
        f"HUAWEI {state.model} uptime is {uptime}",
        "",
        f"{state.model} version information:",
        separator,
        "BKP  version information:",
        "  PCB         Version : CR8BKP08A REV B",
        "  MPU  Slot  Quantity : 2",
        "  CARD Slot  Quantity : 8",
        separator,
        "MPU version information:",
    ]
    boot = state.local(state.boot_time)
    for board in sorted(state.boards.values(), key=lambda b: b.slot):
        if board.kind != "MPU":
            continue
        lines += ["", *_mpu_lines(board, uptime, boot)]
    lines += [separator, "LPU version information:"]
    for board in sorted(state.boards.values(), key=lambda b: b.slot):
        if board.kind != "LPU":
            continue
        lines += [
            "",
            f"LPU {board.slot} : uptime is {uptime}",
            f"  StartupTime {boot:%Y/%m/%d   %H:%M:%S}",
            "  SDRAM Memory Size   : 4096 M bytes",
            "  Flash Memory Size   : 128 M bytes",
            "  PCB Version         : CR8D00EKBF REV A",
            "  EPLD Version        : 101",
            "  FPGA Version        : 103",
        ]
    return join(lines)


def render_version_slot(state: DeviceState, slot: str | int) -> str:
    """`display version slot N`: one main or line card's uptime, memory and versions."""
    try:
        board = state.boards[int(str(slot))]
    except (ValueError, KeyError):
        raise CommandError(WRONG_PARAMETER) from None
    if board.kind not in {"MPU", "LPU"}:
        raise CommandError(WRONG_PARAMETER)
    uptime = duration(state.uptime_seconds())
    boot = state.local(state.boot_time)
    lines = ["- " * 32 + "-", f"{board.kind} version information:", ""]
    if board.kind == "MPU":
        lines += _mpu_lines(board, uptime, boot)
    else:
        lines += [
            f"LPU {board.slot} : uptime is {uptime}",
            f"  StartupTime {boot:%Y/%m/%d   %H:%M:%S}",
            "  Host processor :",
            "  SDRAM Memory Size   : 4096 M bytes",
            "  Flash Memory Size   : 128 M bytes",
            "  LPU CR8D00EKBF version information:",
            "  PCB         Version : CR8D00EKBF REV A",
            "  EPLD        Version : 101",
            "  FPGA        Version : 103",
            "  BootROM     Version : 03.42",
            "  PIC0 version information",
            f"  StartupTime         : {boot:%Y/%m/%d    %H:%M:%S}",
            "  PCB         Version : CR8D0L2XFE70 REV A",
        ]
    return join(lines)


def render_device(state: DeviceState) -> str:
    """`display device`: every board with its online/register/status/role."""
    rule = "-" * 77
    lines = [
        f"{state.model}'s Device status:",
        rule,
        "Slot #   Type Online     Register     Status     Role   LsId   Primary",
        rule,
    ]
    for board in sorted(state.boards.values(), key=lambda b: b.slot):
        lines.append(f"  {board.slot:<7}{board.kind:<5}{'Present':<11}{'Registered':<13}"
                     f"{board.status:<11}{board.role:<7}{'0':<7}{board.primary} ")
    lines.append("-" * 79)
    return join(lines)
