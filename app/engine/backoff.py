"""Reconnect delays: exponential growth with jitter, so many monitors do not retry in step.

A BRAS that rebooted is hit by every NMS at once when it comes back; jitter spreads those
logins out, and the cap keeps a long outage from pushing retries out for hours.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delay before reconnect attempt number `failures` (1 = after the first failure)."""

    initial: float = 1.0
    maximum: float = 120.0
    factor: float = 2.0
    jitter: float = 0.5  # fraction of the delay that is random: 0.5 -> between 50% and 100%

    def __post_init__(self) -> None:
        if self.initial <= 0 or self.maximum < self.initial:
            raise ValueError("backoff needs 0 < initial <= maximum")
        if self.factor < 1:
            raise ValueError("backoff factor must be >= 1")
        if not 0 <= self.jitter <= 1:
            raise ValueError("backoff jitter must be within 0..1")

    def ceiling(self, failures: int) -> float:
        """The delay without jitter: initial * factor^(failures-1), capped at maximum."""
        if failures <= 0:
            return 0.0
        # Cap the exponent first: factor ** 1000 overflows a float.
        exponent = min(failures - 1, 64)
        return min(self.maximum, self.initial * self.factor**exponent)

    def delay(self, failures: int, rng: random.Random) -> float:
        """A jittered delay in [ceiling * (1 - jitter), ceiling]."""
        ceiling = self.ceiling(failures)
        return ceiling * (1.0 - self.jitter * rng.random())
