"""Public browsing (issue 14): GET /reports (JSON, or the list page for a browser asking for
HTML), its Atom feed and the similar reports the form suggests. Parse, call, map."""
from __future__ import annotations

from chalice import Blueprint

from .. import wiring
from ..adapters import regions as regions_module
from ..domain.browse import ANY_CURSOR_PATTERN, CURSOR_PATTERNS, SORTS
from ..domain.lifecycle import Status
from ..domain.report import KINDS
from ..http import Query, guarded, json_response

bp = Blueprint(__name__)

BROWSE_PARAMS = {"province_code", "regency_code", "category_id", "agency_id", "status", "kind",
                 "received_from", "received_to", "sort", "limit", "cursor"}
MAX_LIMIT = 100


def wants_html(accept: str | None) -> bool:
    """A browser's navigation names text/html; API clients and fetch() send */* or JSON. HTML only
    when text/html is named and ranked at least as high as JSON."""
    ranks: dict[str, float] = {}
    for part in (accept or "").split(","):
        media, *params = [x.strip() for x in part.split(";")]
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        ranks[media.lower()] = max(q, ranks.get(media.lower(), 0.0))
    html = max(ranks.get("text/html", 0.0), ranks.get("application/xhtml+xml", 0.0))
    return html > 0 and html >= ranks.get("application/json", 0.0)


def browse_filters(q: Query):
    from ..services.browse import PublicFilters

    return PublicFilters(
        province_code=q.region("province_code"), regency_code=q.region("regency_code"),
        category_id=q.str("category_id"), agency_id=q.str("agency_id"),
        status=q.str("status", tuple(s.value for s in Status)), kind=q.str("kind", KINDS),
        received_from=q.date("received_from"), received_to=q.date("received_to"),
        sort=q.str("sort", SORTS) or "newest",
    )


def browse_cursor(q: Query, sort: str) -> str | None:
    """A position of either order (the document's pattern); one of the other order does not fit
    this sort: 422."""
    import re

    from ..domain.errors import Unprocessable

    cursor = q.str("cursor", max_len=64, pattern=ANY_CURSOR_PATTERN)
    if cursor is not None and not re.fullmatch(CURSOR_PATTERNS[sort], cursor):
        raise Unprocessable("Kursor dari urutan lain", "A cursor of the other sort order",
                            {"cursor": f"bukan posisi dalam urutan {sort} / not a position in the {sort} order"})
    return cursor


@bp.route("/reports", methods=["GET"])
@guarded
def browse_reports():
    request = bp.current_request
    if wants_html((request.headers or {}).get("accept")):
        return _list_page()
    from ..adapters.browse import public_page
    from ..services import browse

    q = Query(request.query_params, BROWSE_PARAMS)
    f = browse_filters(q)
    answer = browse.list_public(public_page, regions_module, f, q.int("limit", 20, 1, MAX_LIMIT),
                                browse_cursor(q, f.sort), wiring.now())
    return json_response(answer, headers={"Vary": "Accept"})


def map_tiles() -> tuple[str, str, str | None]:
    """(tile URL, attribution, the origin the page's CSP must allow images from): all empty when no
    tile server is configured, and the page is a list without a map. `{s}` subdomains are a wildcard."""
    from urllib.parse import urlsplit

    from ..config import settings

    s = settings()
    if not s.map_tile_url:
        return "", "", None
    parts = urlsplit(s.map_tile_url)
    return s.map_tile_url, s.map_tile_attribution, f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


def _list_page():
    from .web import page_response

    url, attribution, origin = map_tiles()
    return page_response("reports", vary="Accept", img=origin,
                         fill={"map_tile_url": url, "map_tile_attribution": attribution})


FEED_PARAMS = BROWSE_PARAMS - {"sort", "limit", "cursor"}
ATOM_TYPE = "application/atom+xml; charset=utf-8"


def site_url(request) -> str:
    """The absolute URL of the API root, for a feed's links: PUBLIC_ORIGIN when set, else the
    host this request came to; the path as web.base_href finds it (behind a stage or not)."""
    from urllib.parse import urlsplit

    from ..config import settings
    from .web import base_href

    headers = request.headers or {}
    origin = settings().public_origin
    if not origin:
        host = headers.get("host", "localhost")
        proto = headers.get("x-forwarded-proto", "http" if host.startswith(("localhost", "127.")) else "https")
        origin = f"{proto}://{host}"
    parts = urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}{base_href(request.context)}"


@bp.route("/reports/feed.xml", methods=["GET"])
@guarded
def reports_feed():
    from urllib.parse import urlencode

    from chalice import Response

    from ..adapters.browse import public_page
    from ..services import browse

    request = bp.current_request
    f = browse_filters(Query(request.query_params, FEED_PARAMS))
    directory = wiring.deps().directory
    category = directory.category(f.category_id) if f.category_id else None
    agency = directory.agency(f.agency_id) if f.agency_id else None
    title = browse.feed_title(f, regions_module, category, agency.name if agency else None)
    body = browse.atom_feed(public_page, regions_module, f, title, site_url(request),
                            urlencode([(k, str(v)) for k, v in sorted(vars(f).items()) if v and k != "sort"]),
                            wiring.now())
    return Response(body=body, status_code=200, headers={"Content-Type": ATOM_TYPE, "Cache-Control": "public, max-age=300",
                                                         "X-Content-Type-Options": "nosniff"})


SIMILAR_PARAMS = {"regency_code", "category_id", "agency_id", "text", "lat", "lon"}
SIMILAR_TEXT = (3, 5200)  # a title and a description, as the form sends them


def _required(q: Query, name: str, value):
    if value is None:
        from ..domain.errors import InvalidInput

        raise InvalidInput("Parameter wajib diisi", "Required query parameter", {name: "wajib / required"})
    return value


def _coordinate(q: Query, name: str, bounds: tuple[float, float]) -> float | None:
    from ..domain.errors import InvalidInput

    value = q.str(name, max_len=32)
    try:
        number = float(value) if value is not None else None
    except ValueError:
        number = float("nan")
    if number is not None and not bounds[0] <= number <= bounds[1]:  # NaN fails too
        raise InvalidInput("Koordinat tidak valid", "Invalid coordinate",
                           {name: f"{bounds[0]}–{bounds[1]} (Indonesia)"})
    return number


@bp.route("/reports/similar", methods=["GET"])
@guarded
def similar_reports():
    from ..adapters.browse import open_topic_candidates
    from ..domain.errors import InvalidInput, Unprocessable
    from ..schemas import LAT_RANGE, LON_RANGE
    from ..services import browse

    q = Query(bp.current_request.query_params, SIMILAR_PARAMS)
    text = _required(q, "text", q.str("text", max_len=SIMILAR_TEXT[1]))
    if len(text) < SIMILAR_TEXT[0]:
        raise InvalidInput("Teks terlalu pendek", "Text too short", {"text": f"minimal / at least {SIMILAR_TEXT[0]}"})
    lat, lon = _coordinate(q, "lat", LAT_RANGE), _coordinate(q, "lon", LON_RANGE)
    if (lat is None) != (lon is None):
        raise Unprocessable("lat dan lon harus diisi bersama", "lat and lon go together",
                           {"lat": "bersama lon / with lon", "lon": "bersama lat / with lat"})
    ask = browse.SimilarAsk(regency_code=_required(q, "regency_code", q.region("regency_code")),
                            category_id=_required(q, "category_id", q.str("category_id")), text=text,
                            agency_id=q.str("agency_id"), point=(lat, lon) if lat is not None else None)
    return json_response(browse.similar_reports(open_topic_candidates, regions_module, ask, wiring.now()))
