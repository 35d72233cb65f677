"""Daily load curves of a residential BRAS, in the router's local time.

Subscribers follow a shallow curve (most CPEs stay online all night; the trough is the
early-morning reboot/power-save window); traffic per subscriber follows a much deeper one
(streaming evening peak, almost idle at 4-5 am). Both are hourly tables interpolated
linearly so the values move smoothly between polls.
"""

from __future__ import annotations

# Share of the nominal subscriber count online at each local hour (0..23).
_ONLINE_BY_HOUR: tuple[float, ...] = (
    0.97, 0.93, 0.89, 0.86, 0.84, 0.84, 0.86, 0.89, 0.92, 0.94, 0.95, 0.96,
    0.97, 0.97, 0.97, 0.97, 0.98, 0.99, 1.01, 1.03, 1.05, 1.06, 1.04, 1.01,
)  # fmt: skip

# Traffic per online subscriber relative to the 21h peak.
_TRAFFIC_BY_HOUR: tuple[float, ...] = (
    0.62, 0.42, 0.27, 0.18, 0.13, 0.12, 0.15, 0.24, 0.36, 0.45, 0.50, 0.54,
    0.58, 0.58, 0.57, 0.58, 0.62, 0.68, 0.76, 0.86, 0.95, 1.00, 0.96, 0.82,
)  # fmt: skip


def _interpolate(table: tuple[float, ...], local_seconds: float) -> float:
    """Linear interpolation of an hourly table at a second of the local day."""
    hour = (local_seconds % 86400.0) / 3600.0
    low = int(hour) % 24
    high = (low + 1) % 24
    frac = hour - int(hour)
    return table[low] + (table[high] - table[low]) * frac


def online_share(local_seconds: float) -> float:
    """Fraction of the nominal subscriber count that is online at this local time."""
    return _interpolate(_ONLINE_BY_HOUR, local_seconds)


def traffic_share(local_seconds: float) -> float:
    """Per-subscriber traffic relative to the evening peak at this local time."""
    return _interpolate(_TRAFFIC_BY_HOUR, local_seconds)
