"""Small formatting helpers shared by the renderers (VRP number/time conventions)."""

from __future__ import annotations

from datetime import datetime

DASHES_80 = "-" * 80


def join(lines: list[str]) -> str:
    """Command output text: lines joined with newlines, no trailing newline."""
    return "\n".join(lines)


def stamp(moment: datetime) -> str:
    """`2023-11-22 16:57:42-03:00`: VRP8 times with their UTC offset."""
    offset = moment.strftime("%z")
    return f"{moment:%Y-%m-%d %H:%M:%S}{offset[:3]}:{offset[3:]}"


def plain(moment: datetime) -> str:
    """`2023-11-22 16:57:42`: times without the offset (CPU/memory statistics)."""
    return f"{moment:%Y-%m-%d %H:%M:%S}"


def with_millis(moment: datetime) -> str:
    """`2021-02-25 10:46:53 787 ms` as in the CPU/memory statistics headers."""
    return f"{moment:%Y-%m-%d %H:%M:%S} {moment.microsecond // 1000} ms"


def duration(seconds: float) -> str:
    """`161 days, 0 hour, 20 minutes`: VRP singular for 0 and 1."""
    total = int(seconds // 60)
    days, rest = divmod(total, 1440)
    hours, minutes = divmod(rest, 60)

    def unit(value: int, word: str) -> str:
        return f"{value} {word}" + ("s" if value > 1 else "")

    return f"{unit(days, 'day')}, {unit(hours, 'hour')}, {unit(minutes, 'minute')}"


def util(percent: float) -> str:
    """Utilisation as `display interface brief` prints it: `0%`, `0.01%`, `14.44%`."""
    if percent <= 0:
        return "0%"
    return f"{max(percent, 0.01):.2f}%"


def short_ifname(name: str) -> str:
    """`GE0/2/4.2001` for `GigabitEthernet0/2/4.2001` (access-user tables abbreviate)."""
    return "GE" + name[len("GigabitEthernet"):] if name.startswith("GigabitEthernet") else name
