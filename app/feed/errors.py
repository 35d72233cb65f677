"""Errors of the feed that the operator must see (bad bind/token configuration)."""

from __future__ import annotations

from app.domain.errors import NE8000MonitorError


class FeedConfigError(NE8000MonitorError):
    """The feed settings cannot be served safely or at all (e.g. a public bind, no token)."""
