"""Log what the parsers could not read once per command and shape, not at every poll.

A router whose `display health` prints a column the parser does not know fails that section
every 45 seconds; logging each time buries everything else in the log and tells the operator
nothing new. The shape of a failure is the first line that was not understood, with its
numbers blanked (a counter that moves is still the same shape), so a new kind of damage or
a new layout is logged at once while repeats are not.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict

MAX_SHAPES = 512  # remembered (router, command, shape) keys; the oldest are forgotten
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


def shape_of(line: str | None) -> str:
    """A line reduced to its layout: numbers as `#`, runs of spaces as one, at most 120."""
    if not line:
        return ""
    return _SPACES.sub(" ", _DIGITS.sub("#", line)).strip()[:120]


class FailureLog:
    """Remembers which failure shapes were logged already (per router and command)."""

    def __init__(self, logger: logging.Logger, *, max_shapes: int = MAX_SHAPES) -> None:
        self._log = logger
        self._seen: OrderedDict[tuple[str, str, str], None] = OrderedDict()
        self._max = max_shapes

    def first_time(self, router: str, command: str, line: str | None) -> bool:
        """True the first time this (router, command, shape) is seen (then it is noted)."""
        key = (router, command, shape_of(line))
        if key in self._seen:
            self._seen.move_to_end(key)
            return False
        self._seen[key] = None
        while len(self._seen) > self._max:
            self._seen.popitem(last=False)
        return True

    def unreadable(self, router: str, command: str, message: str, line: str | None) -> None:
        """A parse failure: a warning the first time its shape is seen, debug afterwards."""
        level = logging.WARNING if self.first_time(router, command, line) else logging.DEBUG
        self._log.log(level, "router %s: cannot read %r: %s", router, command, message)

    def partial(self, router: str, command: str, message: str, line: str | None) -> None:
        """A partial parse (lines skipped): info the first time its shape is seen."""
        level = logging.INFO if self.first_time(router, command, line) else logging.DEBUG
        self._log.log(level, "router %s: %r read in part: %s", router, command, message)
