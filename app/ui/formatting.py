"""Text for numbers, rates and times as the operator reads them (missing data is a dash).

Kept Qt-free and pure so every view formats the same way and the rules are unit tested:
a value the router did not report is shown as an em dash, never as 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

DASH = "\u2014"


@dataclass(frozen=True, slots=True)
class NumberStyle:
    """Digit grouping and decimal mark of the interface language (25,000 vs 25.000)."""

    group: str = ","
    decimal: str = "."

    @classmethod
    def for_language(cls, language: str) -> NumberStyle:
        return cls(".", ",") if language.startswith("pt") else cls()


_style = NumberStyle()


def use_number_style(style: NumberStyle) -> None:
    """Set the grouping every view uses; i18n calls it with the chosen language."""
    global _style  # noqa: PLW0603 -- process-wide, like QLocale.setDefault
    _style = style


def _localise(text: str) -> str:
    """Swap the Python format's ',' and '.' for the current style's marks."""
    if _style == NumberStyle():
        return text
    return text.translate({ord(","): _style.group, ord("."): _style.decimal})

_RATE_UNITS = (("Gbps", 1e9), ("Mbps", 1e6), ("kbps", 1e3))


def is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_count(value: int | float | None) -> str:
    """`12,345`; a dash for no data."""
    if is_missing(value):
        return DASH
    return _localise(f"{round(value):,}")


def format_percent(value: float | None, digits: int = 0) -> str:
    if is_missing(value):
        return DASH
    return _localise(f"{value:.{digits}f}%")


def format_decimal(value: float | None, digits: int = 1) -> str:
    """`97.5`, `90` (no trailing zeros), grouped and with the local decimal mark."""
    if is_missing(value):
        return DASH
    text = f"{value:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return _localise(text)


def rate_unit(peak_bps: float | None) -> tuple[str, float]:
    """The unit (and its divisor) that keeps `peak_bps` readable: bps, kbps, Mbps or Gbps."""
    if is_missing(peak_bps):
        return "bps", 1.0
    for name, scale in _RATE_UNITS:
        if abs(peak_bps) >= scale:
            return name, scale
    return "bps", 1.0


def format_bps(value: float | None) -> str:
    """`1.25 Gbps`, `830 kbps`; a dash for a gap."""
    if is_missing(value):
        return DASH
    unit, scale = rate_unit(value)
    scaled = value / scale
    if unit == "bps":
        return f"{scaled:.0f} bps"
    return _localise(f"{scaled:.3g} {unit}" if scaled < 100 else f"{scaled:.0f} {unit}")


def format_delta(value: int | float | None) -> str:
    """A signed change (`+120`, `-3,400`, `±0`); a dash when it cannot be computed."""
    if is_missing(value):
        return DASH
    rounded = round(value)
    if rounded == 0:
        return "\u00b10"
    return _localise(f"{rounded:+,}")


def format_duration(seconds: float | None) -> str:
    """`12d 03h 14m` for uptimes; a dash when unknown."""
    if is_missing(seconds):
        return DASH
    total = int(seconds)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}d {hours:02d}h {minutes:02d}m"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {total % 60:02d}s"


def format_local_time(epoch: float | None, *, with_date: bool = False) -> str:
    """An epoch time in the local time zone (`14:03:09`, or with the date)."""
    if is_missing(epoch):
        return DASH
    moment = datetime.fromtimestamp(epoch).astimezone()
    return moment.strftime("%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S")


def format_datetime(moment: datetime | None) -> str:
    """A timezone-aware datetime shown in the local time zone."""
    if moment is None:
        return DASH
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def format_mb(used: int | None, total: int | None) -> str:
    if used is None and total is None:
        return DASH
    return f"{format_count(used)} / {format_count(total)} MB"
