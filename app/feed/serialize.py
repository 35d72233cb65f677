"""The one JSON serializer of the feed: domain dataclasses and engine values -> JSON text.

Rules every client can rely on (HTTP and WebSocket share them):

* integers beyond 2**53-1 (64-bit interface counters) are sent as decimal *strings*:
  JavaScript numbers are doubles and would silently round them;
* missing data stays ``null``, never 0; floats that are not finite become ``null`` too
  (JSON has no NaN);
* datetimes become ISO 8601 in UTC with a ``Z``; enums their value; dataclasses objects
  of their fields; tuples and sets lists; mapping keys strings.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from app.domain.alerts import Alert

MAX_SAFE_INTEGER = 2**53 - 1


def iso_z(when: float | datetime) -> str:
    """ISO 8601 in UTC with millisecond precision and a ``Z`` (epoch seconds or datetime)."""
    if isinstance(when, datetime):
        moment = when.astimezone(UTC) if when.tzinfo is not None else when.replace(tzinfo=UTC)
    else:
        moment = datetime.fromtimestamp(when, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def alert_dict(alert: Alert) -> dict[str, Any]:
    """The feed's `alert` object: :meth:`Alert.to_dict` with times in UTC ``Z`` form."""
    data = alert.to_dict()
    for key in ("raised_at", "cleared_at", "acknowledged_at"):
        value = getattr(alert, key)
        data[key] = None if value is None else iso_z(value)
    return data


def to_jsonable(value: Any) -> Any:
    """`value` as plain JSON types (dict, list, str, int, float, bool, None)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Enum):
        return to_jsonable(value.value)
    if isinstance(value, int):
        return str(value) if abs(value) > MAX_SAFE_INTEGER else value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime):
        return iso_z(value)
    if isinstance(value, Alert):
        return alert_dict(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(to_jsonable(k)): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(item) for item in value]
    raise TypeError(f"cannot serialize {type(value).__name__} for the feed")


def dumps(value: Any) -> str:
    """Compact JSON text of `value` under the feed's rules (UTF-8 kept as is)."""
    return json.dumps(
        to_jsonable(value), separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
