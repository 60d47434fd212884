"""The shape of a report list query, shared by the use case (which builds it from scope and
filters) and the store (which picks an index for it)."""
from __future__ import annotations

from dataclasses import dataclass

# A page's position in a newest-first list, as /openapi.json states it: the last report's received
# time (UTC) and tracking id, `2024-12-20T01:00:00.000000Z_C0P7-RX82`, URL-safe. Any value of that
# shape is a position, so none is refused for what it holds.
CURSOR_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z_[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$"


@dataclass(frozen=True)
class ListQuery:
    """Equality constraints plus a received range (UTC ISO, from inclusive, to exclusive)."""

    equals: tuple[tuple[str, str], ...] = ()
    province: str | None = None  # location or handling agency in this province
    received_from: str | None = None
    received_to: str | None = None
    overdue: bool | None = None
    published_only: bool = False
    min_supporters: int | None = None  # issue 14: at least this many supporters


# The "most supported" order's position (issue 14): the last report's supporter count, nine digits,
# and its tracking id, `000000012_C0P7-RX82`. Any value of that shape is a position.
SUPPORT_CURSOR_PATTERN = r"^\d{9}_[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$"
