"""Boards of the simulated chassis and their CPU/memory meters.

CPU values are a bounded random walk pulled toward a load-dependent target, smoothed the
way VRP reports them (five-second, one-minute and five-minute averages) and tracking the
maximum with its time, so successive `display cpu-usage` outputs move plausibly.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field


@dataclass(slots=True)
class CpuMeter:
    """Smoothed CPU usage of one board, with per-core values."""

    current: float
    cores: list[float]
    five_seconds: float = 0.0
    one_minute: float = 0.0
    five_minutes: float = 0.0
    maximum: float = 0.0
    maximum_at: float = 0.0
    core_max: list[float] = field(default_factory=list)
    core_max_at: list[float] = field(default_factory=list)
    core_offsets: list[float] = field(default_factory=list)
    walk: float = 0.0

    def start(self, now: float, history_max: float, history_at: float) -> None:
        """Set every average to the current value and seed the historical maximum."""
        self.five_seconds = self.one_minute = self.five_minutes = self.current
        self.maximum, self.maximum_at = max(history_max, self.current), history_at
        self.core_max = [max(history_max - 2 * i, c) for i, c in enumerate(self.cores)]
        self.core_max_at = [history_at - 17 * i for i in range(len(self.cores))]

    def update(self, target: float, dt: float, now: float, rng: random.Random) -> None:
        """Move toward `target` plus a bounded walk; refresh averages and maxima."""
        self.walk = max(-6.0, min(6.0, self.walk + rng.gauss(0.0, 1.2) - 0.05 * self.walk))
        value = target + self.walk + rng.gauss(0.0, 1.0)
        self.current = max(1.0, min(99.0, value))
        for attr, tau in (("five_seconds", 5.0), ("one_minute", 60.0), ("five_minutes", 300.0)):
            old = getattr(self, attr)
            setattr(self, attr, old + (self.current - old) * (1.0 - math.exp(-dt / tau)))
        if self.current > self.maximum:
            self.maximum, self.maximum_at = self.current, now
        for index, offset in enumerate(self.core_offsets):
            core = max(1.0, min(99.0, self.current + offset + rng.gauss(0.0, 2.0)))
            self.cores[index] = core
            if core > self.core_max[index]:
                self.core_max[index], self.core_max_at[index] = core, now


@dataclass(slots=True)
class Board:
    """A board in `display device` / `display health`."""

    slot: int
    kind: str  # MPU, LPU, PWR, FAN
    primary: str  # Master, Slave or NA
    cpu: CpuMeter | None = None
    memory_total_kb: int = 0
    memory_used_kb: float = 0.0
    memory_walk: float = 0.0
    status: str = "Normal"

    @property
    def health_type(self) -> str:
        """`MPU(Master)`, `MPU(Slave)` or `LPU` as `display health` prints it."""
        return f"{self.kind}({self.primary})" if self.kind == "MPU" else self.kind

    @property
    def role(self) -> str:
        """The Role column of `display device`."""
        return {"MPU": "MMB", "LPU": "LC"}.get(self.kind, "OTHER")

    @property
    def memory_percent(self) -> int:
        """Integer memory usage percentage, as printed."""
        return round(100.0 * self.memory_used_kb / self.memory_total_kb)


def build_boards(cards: list[int], rng: random.Random, now: float) -> dict[int, Board]:
    """The chassis: populated line cards, two MPUs (9 master, 10 slave), power and fans."""
    boards: dict[int, Board] = {}
    for card in cards:
        boards[card] = _with_cpu(Board(card, "LPU", "NA", memory_total_kb=4 * 1024 * 1024),
                                 4, 12.0, rng, now)
    boards[9] = _with_cpu(Board(9, "MPU", "Master", memory_total_kb=15766020), 4, 18.0, rng, now)
    boards[10] = _with_cpu(Board(10, "MPU", "Slave", memory_total_kb=15766020), 4, 4.0, rng, now)
    for slot in (13, 14, 15, 16):
        boards[slot] = Board(slot, "PWR", "NA")
    for slot in (17, 18):
        boards[slot] = Board(slot, "FAN", "NA")
    return boards


def _with_cpu(board: Board, cores: int, level: float, rng: random.Random, now: float) -> Board:
    offsets = [rng.uniform(-6.0, 8.0) for _ in range(cores)]
    board.cpu = CpuMeter(level, [level + o for o in offsets], core_offsets=offsets)
    board.cpu.start(now, rng.uniform(70.0, 96.0), now - rng.uniform(3 * 86400, 20 * 86400))
    base = 0.18 if board.kind == "MPU" else 0.35
    board.memory_used_kb = board.memory_total_kb * (base + rng.uniform(0.0, 0.05))
    return board
