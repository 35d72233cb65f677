"""`router_up`: 1 connected, 0 down (retrying after a failure included), absent while unknown."""

from __future__ import annotations

import pytest

from app.engine.monitor import RouterStatus
from app.engine.poller import PollerStatus
from app.engine.pool import PoolState, PoolStatus
from app.feed.metrics import _router_metrics


def _status(state: PoolState, last_error: str | None) -> RouterStatus:
    pool = PoolStatus("r1", state, 2, 0, 0, 1 if last_error else 0, last_error, None)
    polling = PollerStatus("r1", None, None, {}, 0, 0)
    return RouterStatus("r1", pool, polling)


def _up(status: RouterStatus) -> list[float]:
    (family,) = [f for f in _router_metrics([status]) if f.name == "ne8000_router_up"]
    return [sample.value for sample in family.samples]


@pytest.mark.parametrize(
    ("state", "last_error", "expected"),
    [
        (PoolState.CONNECTED, None, [1]),
        (PoolState.UNREACHABLE, "no route to host", [0]),
        (PoolState.CONNECTING, "no route to host", [0]),  # a retry after a failure
        (PoolState.AUTH_FAILED, "authentication failed", [0]),
        (PoolState.CONNECTING, None, []),  # the first attempt: not known yet
        (PoolState.IDLE, None, []),
    ],
)
def test_router_up_says_down_while_retrying(
    state: PoolState, last_error: str | None, expected: list[float]
) -> None:
    assert _up(_status(state, last_error)) == expected
