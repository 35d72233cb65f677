"""JSON from clients (WebSocket messages, POST bodies), decoded with a nesting limit.

Python's decoder recurses once per nesting level, so a few kilobytes of ``[[[[...`` raise
RecursionError instead of ValueError: the WebSocket handler died with a traceback and the
HTTP API answered 500. The feed's messages nest three levels at most, so anything deeper
than :data:`MAX_DEPTH` is refused before decoding, with an error the client can read, and
the connection carries on. Both the WebSocket and the HTTP side decode through here.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 32

# A whole JSON string (escapes included) or one bracket: brackets inside strings don't count.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class ClientJsonError(ValueError):
    """The text is not acceptable JSON; `code` is the feed's error code for it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def decode_client_json(text: str) -> Any:
    """The decoded value, or ClientJsonError (``too_deep`` or ``bad_json``)."""
    if _deeper_than(text, MAX_DEPTH):
        raise ClientJsonError("too_deep", f"JSON nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(text)
    except RecursionError:  # cannot happen below MAX_DEPTH; never let it escape anyway
        raise ClientJsonError(
            "too_deep", f"JSON nested deeper than {MAX_DEPTH} levels"
        ) from None
    except ValueError:
        raise ClientJsonError("bad_json", "not valid JSON") from None


def _deeper_than(text: str, limit: int) -> bool:
    depth = 0
    for token in _TOKENS.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return True
        elif bracket in "]}":
            depth -= 1
    return False
