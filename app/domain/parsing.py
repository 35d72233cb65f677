"""How a parser says "I read this, but not all of it": warnings on a partial result.

A parser either returns a model or raises :class:`~app.domain.errors.ParseError`. Between the
two lies the partial result: a table where one row was malformed. The good rows are kept (a
malformed row never takes or shifts a neighbour's values) and the bad one is reported as a
:class:`ParseWarning` on the result, so the engine can mark the section *partial* and the
operator can see the router's own text. Result models that can be partial have a
``warnings: tuple[ParseWarning, ...]`` field; :func:`warnings_of` reads it from any value.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ParseWarning:
    """One line of the router's output that the parser skipped, and why."""

    message: str  # English, for logs and the raw-output view ("row has 3 fields, header 6")
    line: str  # the line as the router printed it
    line_number: int | None = None  # 1-based within the output, when known

    def __str__(self) -> str:
        where = f"line {self.line_number}" if self.line_number is not None else "line"
        return f"{self.message} ({where}: {self.line.strip()[:160]!r})"


def warnings_of(value: object) -> tuple[ParseWarning, ...]:
    """The parse warnings a result carries (empty for complete results and plain values)."""
    found = getattr(value, "warnings", ())
    return found if isinstance(found, tuple) else ()


def is_partial(value: object) -> bool:
    """True when the parser kept only part of the output (some lines were skipped)."""
    return bool(warnings_of(value))
