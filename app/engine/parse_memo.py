"""The last parse of each command's output, reused while the router's answer stays the same.

Much of what a poll reads is the text it read last time: the domain and pool tables between
logins, the alarm list, the interface brief of a quiet router, ``display version``. Parsing it
again costs CPU for nothing, 50 routers times every poll. A :class:`ParseMemo` keeps, per
command, the last raw answer and what it parsed to, and hands back that same result (parsed
data is immutable) when the new answer is the same text, character for character.

Only identical text is reused, so the memo never stands in for an answer it did not parse;
the caller still stamps the reading with the time of the new answer. A parse error is never
remembered: the same bad text is parsed (and fails) again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.vrp.catalog import parse_output


class ParseMemo:
    """Per command, the last output and its parse; one memo per router (commands repeat there)."""

    def __init__(self, parse: Callable[[str, str], Any] = parse_output) -> None:
        self._parse = parse
        self._last: dict[str, tuple[str, Any]] = {}
        self.reused = 0  # answers identical to the previous one: no parse
        self.parsed = 0

    def parse(self, command: str, output: str) -> Any:
        """What `output` parses to as the answer of `command` (ParseError as the parser raises)."""
        last = self._last.get(command)
        if last is not None and last[0] == output:
            self.reused += 1
            return last[1]
        data = self._parse(command, output)
        self.parsed += 1
        self._last[command] = (output, data)
        return data
