"""The shape of a report list query, shared by the use case (which builds it from scope and
filters) and the store (which picks an index for it)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ListQuery:
    """Equality constraints plus a received range (UTC ISO, from inclusive, to exclusive)."""

    equals: tuple[tuple[str, str], ...] = ()
    province: str | None = None  # location or handling agency in this province
    received_from: str | None = None
    received_to: str | None = None
    overdue: bool | None = None
    published_only: bool = False
