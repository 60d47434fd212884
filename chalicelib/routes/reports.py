"""Reports: public intake, tracking and replies; staff entry, lists, the full record and actions.
Parse, call a use case, map the answer. Request models load on first use (chalicelib.lazy)."""
from __future__ import annotations

import datetime as dt
import functools
import re

from chalice import Blueprint

from .. import wiring
from ..domain.errors import Unprocessable
from ..domain.lifecycle import Status
from ..domain.query import CURSOR_PATTERN, SUPPORT_CURSOR_PATTERN
from ..domain.report import CHANNELS, KINDS, Location, Reporter
from ..http import Query, access_code, client_address, guarded, json_body, json_response, staff_only, tracking_id
from ..lazy import lazy_import
from ..services import reports, views
from ..services.notice import privacy_notice
from ..services.calendar import current_calendar

schemas = lazy_import("chalicelib.schemas")

bp = Blueprint(__name__)
staff = staff_only(bp)

LIST_PARAMS = {"status", "kind", "agency_id", "unit_id", "province_code", "regency_code", "category_id",
               "channel", "received_from", "received_to", "overdue", "limit", "cursor"}


CURSOR = CURSOR_PATTERN  # a page's position, as /openapi.json states it (domain.query)


def cursor_in(q: Query) -> str | None:
    return q.str("cursor", max_len=64, pattern=CURSOR)


def list_filters(q: Query) -> reports.ListFilters:
    """GET /staff/reports' filters (its export takes the same ones)."""
    return reports.ListFilters(
        status=q.str("status", tuple(s.value for s in Status)), kind=q.str("kind", KINDS),
        agency_id=q.str("agency_id"), unit_id=q.str("unit_id"), province_code=q.region("province_code"),
        regency_code=q.region("regency_code"), category_id=q.str("category_id"),
        channel=q.str("channel", CHANNELS), received_from=q.date("received_from"),
        received_to=q.date("received_to"), overdue=q.bool("overdue"),
    )


def _new_report(body: schemas.ReportIn, **extra) -> reports.NewReport:
    return reports.NewReport(
        kind=body.kind, title=body.title, description=body.description,
        location=Location(**body.location.model_dump()), reporter=Reporter(**body.reporter.model_dump()),
        channel=body.channel, occurred_on=body.occurred_on, agency_id=body.agency_id,
        category_id=body.category_id, anonymous=body.anonymous, confidential=body.confidential, **extra,
    )


def _check_occurred_on(body: schemas.ReportIn, now: dt.datetime) -> None:
    """A date the document allows but no report can have happened on: 422."""
    from ..domain.calendar import to_wib_date

    if body.occurred_on and body.occurred_on > to_wib_date(now):
        raise Unprocessable("Tanggal kejadian di masa depan", "occurred_on is in the future",
                            {"occurred_on": "di masa depan / in the future"})
    if body.occurred_on and body.occurred_on < schemas.EARLIEST_OCCURRED_ON:
        raise Unprocessable("Tanggal kejadian sebelum 17 Agustus 1945", "occurred_on is before 17 August 1945",
                            {"occurred_on": "terlalu lama / too early"})


def _created(report, code: str) -> dict:
    return {
        "tracking_id": report.tracking_id, "access_code": code, "status": report.status.value,
        "deadlines": dict(report.deadlines), "received_at": report.received_at.isoformat(),
        "confidential": report.confidential, "anonymous": report.anonymous,
        "agency_id": report.agency_id,
        "privacy_notice": privacy_notice(),
    }


def _public_view(deps, report, now: dt.datetime, as_reporter: bool) -> dict:
    return views.public_view(report, deps.reports.events(report.tracking_id), deps.directory, deps.regions,
                             now, as_reporter)


def _staff_view(deps, report, who, now: dt.datetime, route: str) -> dict:
    """The full record; an identity it shows is audited (services/audit.py), and the central
    admin's history carries the report's earlier identity reads, from the audit rows."""
    from ..services import audit

    log = wiring.audit_log()
    view = views.staff_view(report, deps.reports.events(report.tracking_id), who, deps.directory, deps.regions, now,
                            current_calendar(deps.settings))
    reads = audit.history_entries(log, who, report)  # the earlier reads: this one is recorded next
    if reads:
        view["history"] = sorted(view["history"] + reads, key=lambda h: dt.datetime.fromisoformat(h["at"]))
    audit.identity_read(log, who, report, route, now)
    return view


# ---- public intake and tracking ----------------------------------------------------------------
@bp.route("/reports", methods=["POST"])
@guarded
def submit_report():
    request = bp.current_request
    data = json_body(request)
    body = schemas.parse(schemas.ReportIn, data)
    now = wiring.now()
    _check_occurred_on(body, now)
    from ..services import limits

    limits.count_submission(wiring.limiter(), client_address(request), now)
    create = functools.partial(_create_public_report, body, now)
    key = (request.headers or {}).get("idempotency-key")
    if key is None:
        return json_response(create(), 201)
    from ..adapters.idempotency import once

    result, replayed = once(key, data, create, bp.current_app.lambda_context)
    return json_response(result, 201, {"Idempotent-Replayed": "true"} if replayed else None)


def _create_public_report(body: schemas.ReportIn, now: dt.datetime) -> dict:
    report, code = reports.submit_report(wiring.deps(), _new_report(body), now)
    return _created(report, code)


@bp.route("/reports/{tid}", methods=["GET"])
@guarded
def track_report(tid):
    deps, now = wiring.deps(), wiring.now()
    request = bp.current_request
    report, as_reporter = reports.load_for_reporter(deps, tracking_id(tid), access_code(request), now,
                                                    client_address(request))
    return _public_view(deps, report, now, as_reporter)


@bp.route("/reports/{tid}/replies", methods=["POST"])
@guarded
def reply_to_report(tid):
    request = bp.current_request
    body = schemas.parse(schemas.ReplyIn, json_body(request))
    deps, now = wiring.deps(), wiring.now()
    report = reports.reporter_reply(deps, tracking_id(tid), access_code(request),
                                    reports.ReporterReply(**body.model_dump()), now, client_address(request))
    return _public_view(deps, report, now, as_reporter=True)


# ---- staff ------------------------------------------------------------------------------------------
@bp.route("/staff/reports", methods=["POST"])
@staff
def record_report(who):
    body = schemas.parse(schemas.StaffReportIn, json_body(bp.current_request))
    now = wiring.now()
    _check_occurred_on(body, now)
    report, code = reports.submit_report(wiring.deps(), _new_report(body, received_at=body.received_at), now, who)
    return json_response(_created(report, code), 201)


# GET /staff/reports alone also sorts by support (issue 14); its export and the queue keep theirs.
STAFF_LIST_PARAMS = LIST_PARAMS | {"sort", "min_supporters"}
SORTS = ("newest", "supported")


def _either(*patterns: str) -> str:
    return "|".join(f"^(?:{p[1:-1]})$" for p in patterns)


EITHER_CURSOR = _either(CURSOR, SUPPORT_CURSOR_PATTERN)  # the shape of either order's position


@bp.route("/staff/reports", methods=["GET"])
@staff
def list_reports(who):
    from dataclasses import replace

    q = Query(bp.current_request.query_params, STAFF_LIST_PARAMS)
    deps, now = wiring.deps(), wiring.now()
    sort = q.str("sort", SORTS) or "newest"
    filters = replace(list_filters(q), sort=sort, min_supporters=q.int("min_supporters", 0, 0, 10**9 - 1) or None)
    cursor = q.str("cursor", max_len=64, pattern=EITHER_CURSOR)
    if cursor and not re.fullmatch(SUPPORT_CURSOR_PATTERN if sort == "supported" else CURSOR, cursor):
        raise Unprocessable("Kursor bukan posisi dalam urutan ini", "The cursor is not a position in this order",
                            {"cursor": "dari urutan lain / from the other order"})
    items, cursor = reports.list_reports(deps, who, filters, q.int("limit", 50, 1, 200), cursor)
    calendar = current_calendar(deps.settings)
    return {"items": [views.staff_summary(r, who, deps.directory, now, calendar) for r in items],
            "next_cursor": cursor}


@bp.route("/staff/reports/{tid}", methods=["GET"])
@staff
def staff_get_report(who, tid):
    from ..domain.access import require_scope

    deps = wiring.deps()
    report = deps.reports.get(tracking_id(tid))
    require_scope(who, report)
    return _staff_view(deps, report, who, wiring.now(), "GET /staff/reports/{tid}")


@bp.route("/staff/reports/{tid}/actions", methods=["POST"])
@staff
def staff_report_action(who, tid):
    body = schemas.parse(None, json_body(bp.current_request), envelope=True)
    params = body.model_dump(exclude={"action"}, exclude_none=body.action == "correct")
    deps, now = wiring.deps(), wiring.now()
    report = reports.staff_action(deps, who, tracking_id(tid), body.action, params, now)
    return _staff_view(deps, report, who, now, f"POST /staff/reports/{{tid}}/actions ({body.action})")
