"""Building blocks of the wire types and the feed's one JSON encoder.

Rules every client can rely on (HTTP and WebSocket share them):

* integers that can grow beyond 2**53-1 (64-bit interface counters) are typed
  :data:`SafeInt` and sent as decimal *strings* past that point (:func:`safe_int`):
  JavaScript numbers are doubles and would silently round them;
* missing data is ``null``, never 0; floats that are not finite are ``null`` too
  (msgspec writes NaN and infinities as null);
* times are ISO 8601 in UTC with a ``Z`` (:func:`iso_z`), beside epoch seconds where a
  client measures delays; enums are sent as their value.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec

MAX_SAFE_INTEGER = 2**53 - 1

Time = Annotated[
    str,
    msgspec.Meta(description="ISO 8601, UTC, with `Z`", extra_json_schema={"format": "date-time"}),
]
Epoch = Annotated[float, msgspec.Meta(description="The same moment in epoch seconds.")]
SafeInt = Annotated[
    int | str,
    msgspec.Meta(
        description="An integer; beyond 2**53-1 a decimal string (a JavaScript number "
        "would round it)."
    ),
]


class Wire(msgspec.Struct, kw_only=True):
    """Base of the feed's wire types (keyword-only: field order never matters)."""


_ENCODER = msgspec.json.Encoder()


def encode(value: Any) -> bytes:
    """Compact UTF-8 JSON of a wire value: the only encoder the feed uses."""
    return _ENCODER.encode(value)


def safe_int(value: int | None) -> int | str | None:
    """`value`, as a decimal string when a JavaScript client could not hold it exactly."""
    if value is None or -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        return value
    return str(value)


def finite(value: float | None) -> float | None:
    """`value`, or None when it is not a finite number (JSON has no NaN)."""
    return value if value is None or math.isfinite(value) else None


def iso_z(when: float | datetime) -> str:
    """ISO 8601 in UTC with millisecond precision and a ``Z`` (epoch seconds or datetime)."""
    if isinstance(when, datetime):
        moment = when.astimezone(UTC) if when.tzinfo is not None else when.replace(tzinfo=UTC)
    else:
        moment = datetime.fromtimestamp(when, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_or_none(when: float | datetime | None) -> str | None:
    return None if when is None else iso_z(when)
