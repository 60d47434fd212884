"""Public browsing (issue 14): the list of public reports, its feed, and what each row shows.

A row shows only what the tracking page shows anyone (services.views.public_view), shortened: never
a reporter's name, e-mail or phone, whatever the flags; names of agencies and categories are left
to the reader (GET /agencies, GET /categories), so a page costs one Query and nothing more."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

from ..domain.browse import PublicQuery
from ..domain.calendar import start_of_day_wib, utc_iso
from ..domain.errors import InvalidInput
from ..domain.lifecycle import CLOSED
from ..domain.report import Report
from .views import _label

EXCERPT = 280  # characters of the description a row shows; the tracking page has it all


@dataclass(frozen=True)
class PublicFilters:
    province_code: str | None = None
    regency_code: str | None = None
    category_id: str | None = None
    agency_id: str | None = None
    status: str | None = None
    kind: str | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    sort: str = "newest"


def public_query(f: PublicFilters) -> PublicQuery:
    """Dates are days in WIB, both included (as in the staff list)."""
    if f.received_from and f.received_to and f.received_to < f.received_from:
        raise InvalidInput("received_to sebelum received_from", "received_to is before received_from",
                           {"received_to": "setelah received_from / after received_from"})
    return PublicQuery(
        province_code=f.province_code, regency_code=f.regency_code, category_id=f.category_id,
        agency_id=f.agency_id, status=f.status, kind=f.kind, sort=f.sort,
        received_from=utc_iso(start_of_day_wib(f.received_from)) if f.received_from else None,
        received_to=utc_iso(start_of_day_wib(f.received_to + dt.timedelta(days=1))) if f.received_to else None,
    )


def excerpt(text: str, size: int = EXCERPT) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def public_summary(report: Report, regions, now: dt.datetime) -> dict[str, Any]:
    """A public list row. Report.is_public is the store's rule for what reaches here; this adds
    no field the tracking page does not already show to anyone."""
    loc = report.location
    return {
        "tracking_id": report.tracking_id,
        "title": report.title,
        "description": excerpt(report.description),
        "status": report.status.value,
        "status_label": _label(report.status),
        "open": report.status not in CLOSED,
        "kind": report.kind,
        "category_id": report.category_id,
        "agency_id": report.agency_id,
        "province_code": loc.province_code,
        "province_name": regions.province_name(loc.province_code),
        "regency_code": loc.regency_code,
        "regency_name": regions.regency_name(loc.regency_code) if loc.regency_code else None,
        "address": loc.address,
        "lat": loc.lat,
        "lon": loc.lon,
        "received_at": report.received_at.isoformat(),
        "overdue": report.is_overdue(now),
        "supporter_count": report.supporter_count,
    }


def list_public(read_page: Callable, regions, f: PublicFilters, limit: int, cursor: str | None,
                now: dt.datetime) -> dict[str, Any]:
    page = read_page(public_query(f), limit, cursor)
    return {"items": [public_summary(r, regions, now) for r in page.items], "next_cursor": page.next_cursor}
