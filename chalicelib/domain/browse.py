"""Public browsing (issue 14): the shape of a public list query and its cursor rules, shared by
the use case (which builds it from the query string) and the store (which picks an index for it).

A public list shows only what the tracking page shows to anyone (Report.is_public), so it needs no
caller: there is no scope, only filters."""
from __future__ import annotations

from dataclasses import dataclass

from .query import CURSOR_PATTERN

SORTS = ("newest", "supported")
# A page's position in the most-supported-first order: the last report's supporter count and
# tracking id, `12_C0P7-RX82`. Like the newest-first cursor (domain.query.CURSOR_PATTERN), any
# value of that shape is a position, so none is refused for what it holds.
SUPPORTED_CURSOR_PATTERN = r"^\d{1,9}_[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$"
CURSOR_PATTERNS = {"newest": CURSOR_PATTERN, "supported": SUPPORTED_CURSOR_PATTERN}
# Either order's cursor, as /openapi.json states the parameter.
ANY_CURSOR_PATTERN = f"^(?:{CURSOR_PATTERN[1:-1]}|{SUPPORTED_CURSOR_PATTERN[1:-1]})$"

# The most reports one page's Query evaluates when filters sit on top of its key: the page's
# cost is bounded whatever the table holds. A page may then hold fewer than `limit` reports (even
# none) and still carry a next_cursor: the position where that read stopped.
PAGE_READ = 100


@dataclass(frozen=True)
class PublicQuery:
    """Filters of the public list. Received bounds are UTC ISO (from inclusive, to exclusive)."""

    province_code: str | None = None
    regency_code: str | None = None
    category_id: str | None = None
    agency_id: str | None = None
    status: str | None = None
    kind: str | None = None
    received_from: str | None = None
    received_to: str | None = None
    sort: str = "newest"

    def place_key(self) -> tuple[str, str] | None:
        """The index partition newest-first reads: the narrowest place asked for (None: the country)."""
        if self.regency_code:
            return "public_regency", self.regency_code
        if self.province_code:
            return "public_province", self.province_code
        return None

    def equals(self) -> dict[str, str]:
        """Every equality filter, by the stored attribute it compares."""
        pairs = (("province_code", self.province_code), ("regency_code", self.regency_code),
                 ("category_id", self.category_id), ("agency_id", self.agency_id),
                 ("status", self.status), ("kind", self.kind))
        return {k: v for k, v in pairs if v is not None}

    def contradictory(self) -> bool:
        """A regency outside the province asked for: nothing can match (no read needed)."""
        return bool(self.regency_code and self.province_code
                    and not self.regency_code.startswith(self.province_code + "."))
