"""Public browsing (issue 14): the list of public reports, its feed, and what each row shows.

A row shows only what the tracking page shows anyone (services.views.public_view), shortened: never
a reporter's name, e-mail or phone, whatever the flags; names of agencies and categories are left
to the reader (GET /agencies, GET /categories), so a page costs one Query and nothing more."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Callable

from ..domain.browse import PublicQuery
from ..domain.calendar import utc_iso, wib_days_as_utc
from ..domain.errors import Unprocessable
from ..domain.lifecycle import CLOSED
from ..domain.report import Report
from .views import _label, location_view

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
        raise Unprocessable("received_to sebelum received_from", "received_to is before received_from",
                           {"received_to": "setelah received_from / after received_from"})
    received_from, received_to = wib_days_as_utc(f.received_from, f.received_to)
    return PublicQuery(
        province_code=f.province_code, regency_code=f.regency_code, category_id=f.category_id,
        agency_id=f.agency_id, status=f.status, kind=f.kind, sort=f.sort,
        received_from=received_from, received_to=received_to,
    )


def excerpt(text: str, size: int = EXCERPT) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def public_summary(report: Report, regions, now: dt.datetime) -> dict[str, Any]:
    """A public list row. Report.is_public is the store's rule for what reaches here; this adds
    no field the tracking page does not already show to anyone."""
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
        **location_view(report.location, regions),
        "received_at": report.received_at.isoformat(),
        "overdue": report.is_overdue(now),
        "supporter_count": report.supporter_count,
    }


def list_public(read_page: Callable, regions, f: PublicFilters, limit: int, cursor: str | None,
                now: dt.datetime) -> dict[str, Any]:
    page = read_page(public_query(f), limit, cursor)
    return {"items": [public_summary(r, regions, now) for r in page.items], "next_cursor": page.next_cursor}


# ---- the Atom feed (FixMyStreet's alerts: an area, a category) -----------------------------------------
FEED_ENTRIES = 50
ATOM = "http://www.w3.org/2005/Atom"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # not allowed in XML 1.0


def _xml_text(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def feed_title(f: PublicFilters, regions, category: dict | None, agency_name: str | None) -> str:
    place = (regions.regency_name(f.regency_code) if f.regency_code
             else regions.province_name(f.province_code) if f.province_code else "Indonesia")
    parts = [p for p in (place, category["name"] if category else None, agency_name) if p]
    return "LAPOR! — laporan terbaru: " + " · ".join(parts)


def atom_feed(read_page: Callable, regions, f: PublicFilters, title: str, site: str, query: str,
              now: dt.datetime) -> str:
    """The newest public reports of the filters, as Atom (RFC 4287), built with ElementTree so
    every text is escaped; characters XML 1.0 cannot carry are dropped. `site`: the absolute
    URL of the API root ("https://lapor.example.go.id/"), `query`: the filters' query string."""
    from xml.etree import ElementTree as ET

    page = read_page(public_query(dataclasses.replace(f, sort="newest")), FEED_ENTRIES, None)
    ET.register_namespace("", ATOM)

    def sub(parent, tag, text=None, **attrs):
        node = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: _xml_text(v) for k, v in attrs.items()})
        if text is not None:
            node.text = _xml_text(text)
        return node

    suffix = f"?{query}" if query else ""
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "id"})
    sub(feed, "title", title)
    sub(feed, "id", f"{site}reports/feed.xml{suffix}")
    newest = max((r.public_updated_at or r.received_at for r in page.items), default=now)
    sub(feed, "updated", newest.astimezone(dt.timezone.utc).isoformat(timespec="seconds"))
    sub(feed, "link", rel="self", type="application/atom+xml", href=f"{site}reports/feed.xml{suffix}")
    sub(feed, "link", rel="alternate", type="text/html", href=f"{site}reports{suffix}")
    sub(sub(feed, "author"), "name", "LAPOR! (SP4N-LAPOR!)")
    for report in page.items:
        row = public_summary(report, regions, now)
        entry = sub(feed, "entry")
        sub(entry, "title", report.title)
        sub(entry, "id", f"{site}track?id={report.tracking_id}")
        sub(entry, "link", rel="alternate", type="text/html", href=f"{site}track?id={report.tracking_id}")
        sub(entry, "published", report.received_at.astimezone(dt.timezone.utc).isoformat(timespec="seconds"))
        sub(entry, "updated", (report.public_updated_at or report.received_at)
            .astimezone(dt.timezone.utc).isoformat(timespec="seconds"))
        if report.category_id:
            sub(entry, "category", term=report.category_id)
        where = row["regency_name"] or row["province_name"] or ""
        summary = f"{row['status_label']['id']} / {row['status_label']['en']} · {where} · {report.tracking_id}\n" \
                  f"{row['description']}"
        sub(entry, "summary", summary, type="text")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode")


# ---- duplicate suggestions while filing ------------------------------------------------------------------
SIMILAR_WINDOW = dt.timedelta(days=90)
SIMILAR_CANDIDATES = 100  # the newest open reports of the regency and category that are compared


@dataclass(frozen=True)
class SimilarAsk:
    regency_code: str
    category_id: str
    text: str
    agency_id: str | None = None
    point: tuple[float, float] | None = None


def similar_reports(read_candidates: Callable, regions, ask: SimilarAsk, now: dt.datetime) -> dict[str, Any]:
    """Up to five open public reports probably about the same problem: the newest
    SIMILAR_CANDIDATES of the same regency and category received in the last 90 days (one Query),
    ranked by the text's similarity (domain.similarity), boosted when close by."""
    from ..domain.similarity import Candidate, rank

    candidates, _read = read_candidates(ask.regency_code, ask.category_id, utc_iso(now - SIMILAR_WINDOW),
                                        SIMILAR_CANDIDATES)
    by_id = {r.tracking_id: r for r in candidates}
    matches = rank(ask.text, [
        Candidate(r.tracking_id, f"{r.title}\n{r.description}",
                  (r.location.lat, r.location.lon) if r.location.lat is not None and r.location.lon is not None else None,
                  r.agency_id)
        for r in candidates], ask.point, ask.agency_id)
    return {"items": [{**public_summary(by_id[m.key], regions, now), "similarity": m.score, "distance_m": m.distance_m}
                      for m in matches]}
