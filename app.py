"""LAPOR API. Routes parse, call a use case, map the answer; nothing else lives here.

Request models (`chalicelib.schemas`, pydantic) load on first use (chalicelib.lazy): schedules and
reads never pay for them at cold start."""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import asdict

from aws_lambda_powertools import Logger
from chalice import Chalice, Cron, Rate

from chalicelib import wiring
from chalicelib.adapters import regions as regions_data
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.report import CHANNELS, KINDS, Location, Reporter
from chalicelib.http import Query, guarded, in_our_error_shape, json_body, json_response, staff_principal, tracking_id
from chalicelib.lazy import lazy_import
from chalicelib.services import admin, reports, views

schemas = lazy_import("chalicelib.schemas")

app = Chalice(app_name="lapor")
logger = Logger(service="lapor")


@app.middleware("http")
def correlation(event, get_response):
    """One correlation id per request in every log line; no bodies, no headers logged."""
    request_id = (event.context or {}).get("requestId")
    logger.set_correlation_id(request_id)
    response = in_our_error_shape(get_response(event))
    logger.info("request", extra={"method": event.method, "path": event.context.get("resourcePath"),
                                  "status": response.status_code})
    return response


def principal():
    return staff_principal(app.current_request)


def _new_report(body: schemas.ReportIn, **extra) -> reports.NewReport:
    return reports.NewReport(
        kind=body.kind, title=body.title, description=body.description,
        location=Location(**body.location.model_dump()), reporter=Reporter(**body.reporter.model_dump()),
        channel=body.channel, occurred_on=body.occurred_on, agency_id=body.agency_id,
        category_id=body.category_id, anonymous=body.anonymous, confidential=body.confidential, **extra,
    )


def _check_occurred_on(body: schemas.ReportIn, now: dt.datetime) -> None:
    from chalicelib.domain.calendar import to_wib_date

    if body.occurred_on and body.occurred_on > to_wib_date(now):
        raise InvalidInput("Tanggal kejadian di masa depan", "occurred_on is in the future",
                           {"occurred_on": "di masa depan / in the future"})


def _created(report, code: str, now) -> dict:
    return {
        "tracking_id": report.tracking_id, "access_code": code, "status": report.status.value,
        "deadlines": dict(report.deadlines), "received_at": report.received_at.isoformat(),
        "confidential": report.confidential, "anonymous": report.anonymous,
        "agency_id": report.agency_id,
    }


# ---- reference data -----------------------------------------------------------------------------
@app.route("/agencies", methods=["GET"])
@guarded
def list_agencies():
    return {"agencies": [
        {"id": a.id, "name": a.name, "province_code": a.province_code, "regency_code": a.regency_code,
         "units": [{"id": u.id, "name": u.name} for u in a.units]}
        for a in wiring.directory().agencies()
    ]}


@app.route("/categories", methods=["GET"])
@guarded
def list_categories():
    return {"categories": wiring.directory().categories()}


@app.route("/regions", methods=["GET"])
@guarded
def list_regions():
    return regions_data.regions()


# ---- public intake and tracking ----------------------------------------------------------------
@app.route("/reports", methods=["POST"])
@guarded
def submit_report():
    request = app.current_request
    data = json_body(request)
    body = schemas.parse(schemas.ReportIn, data)
    now = wiring.now()
    _check_occurred_on(body, now)
    from chalicelib.services import limits

    limits.count_submission(wiring.limiter(), _client_address(request), now)
    create = functools.partial(_create_public_report, body, now)
    key = (request.headers or {}).get("idempotency-key")
    if key is None:
        return json_response(create(), 201)
    from chalicelib.adapters.idempotency import once

    result, replayed = once(key, data, create, app.lambda_context)
    return json_response(result, 201, {"Idempotent-Replayed": "true"} if replayed else None)


def _client_address(request) -> str | None:
    return ((request.context or {}).get("identity") or {}).get("sourceIp")


def _create_public_report(body: schemas.ReportIn, now: dt.datetime) -> dict:
    report, code = reports.submit_report(wiring.deps(), _new_report(body), now)
    return _created(report, code, now)


@app.route("/reports/{tid}", methods=["GET"])
@guarded
def track_report(tid):
    deps = wiring.deps()
    report, as_reporter = reports.load_for_reporter(
        deps, tracking_id(tid), (app.current_request.headers or {}).get("x-access-code"), wiring.now())
    return views.public_view(report, deps.reports.events(report.tracking_id), deps.directory, deps.regions,
                             wiring.now(), as_reporter)


@app.route("/reports/{tid}/replies", methods=["POST"])
@guarded
def reply_to_report(tid):
    request = app.current_request
    body = schemas.parse(schemas.ReplyIn, json_body(request))
    deps = wiring.deps()
    now = wiring.now()
    report = reports.reporter_reply(deps, tracking_id(tid), (request.headers or {}).get("x-access-code"),
                                    reports.ReporterReply(**body.model_dump()), now)
    return views.public_view(report, deps.reports.events(report.tracking_id), deps.directory, deps.regions,
                             now, as_reporter=True)


# ---- staff ------------------------------------------------------------------------------------------
@app.route("/staff/me", methods=["GET"])
@guarded
def me():
    return {k: (v.value if hasattr(v, "value") else v) for k, v in asdict(principal()).items()}


@app.route("/staff/reports", methods=["POST"])
@guarded
def record_report():
    who = principal()
    body = schemas.parse(schemas.StaffReportIn, json_body(app.current_request))
    now = wiring.now()
    _check_occurred_on(body, now)
    report, code = reports.submit_report(wiring.deps(), _new_report(body, received_at=body.received_at), now, who)
    return json_response(_created(report, code, now), 201)


LIST_PARAMS = {"status", "kind", "agency_id", "unit_id", "province_code", "regency_code", "category_id",
               "channel", "received_from", "received_to", "overdue", "limit", "cursor"}


def list_filters(q: Query) -> reports.ListFilters:
    return reports.ListFilters(
        status=q.str("status", tuple(s.value for s in Status)), kind=q.str("kind", KINDS),
        agency_id=q.str("agency_id"), unit_id=q.str("unit_id"), province_code=q.str("province_code"),
        regency_code=q.str("regency_code"), category_id=q.str("category_id"),
        channel=q.str("channel", CHANNELS), received_from=q.date("received_from"),
        received_to=q.date("received_to"), overdue=q.bool("overdue"),
    )


@app.route("/staff/reports", methods=["GET"])
@guarded
def list_reports():
    who = principal()
    q = Query(app.current_request.query_params, LIST_PARAMS)
    deps, now = wiring.deps(), wiring.now()
    items, cursor = reports.list_reports(deps, who, list_filters(q), q.int("limit", 50, 1, 200),
                                         q.str("cursor", max_len=200))
    return {"items": [views.staff_summary(r, who, deps.directory, now) for r in items], "next_cursor": cursor}


@app.route("/staff/reports/{tid}", methods=["GET"])
@guarded
def staff_get_report(tid):
    who = principal()
    deps = wiring.deps()
    report = deps.reports.get(tracking_id(tid))
    from chalicelib.domain.access import require_scope

    require_scope(who, report)
    return views.staff_view(report, deps.reports.events(report.tracking_id), who, deps.directory, deps.regions,
                            wiring.now())


@app.route("/staff/reports/{tid}/actions", methods=["POST"])
@guarded
def staff_report_action(tid):
    who = principal()
    body = schemas.parse(None, json_body(app.current_request), envelope=True)
    params = body.model_dump(exclude={"action"}, exclude_none=body.action == "correct")
    deps, now = wiring.deps(), wiring.now()
    report = reports.staff_action(deps, who, tracking_id(tid), body.action, params, now)
    return views.staff_view(report, deps.reports.events(report.tracking_id), who, deps.directory, deps.regions, now)


# ---- policy: calendar and SLA ---------------------------------------------------------------------
def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("Tanggal tidak valid", "Invalid date", {"date": "YYYY-MM-DD"}) from None


@app.route("/staff/calendar", methods=["GET"])
@guarded
def get_calendar():
    principal()
    q = Query(app.current_request.query_params, {"year"})
    return admin.calendar_year(wiring.settings_repo(), q.int("year", wiring.now().year, 1, 9999))


@app.route("/staff/calendar/{day}", methods=["PUT"])
@guarded
def put_calendar_day(day):
    who = principal()
    data = json_body(app.current_request)
    body = schemas.parse(schemas.CalendarOverrideIn, {**data, "date": day} if isinstance(data, dict) else data)
    return admin.set_calendar_day(wiring.settings_repo(), who, body.date, body.working, body.note, wiring.now())


@app.route("/staff/calendar/{day}", methods=["DELETE"])
@guarded
def delete_calendar_day(day):
    return admin.remove_calendar_day(wiring.settings_repo(), principal(), _date(day))


@app.route("/staff/sla", methods=["GET"])
@guarded
def get_sla():
    principal()
    return admin.sla_overview(wiring.settings_repo())


@app.route("/staff/sla/{scope}/{key}", methods=["PUT"])
@guarded
def put_sla(scope, key):
    who = principal()
    body = schemas.parse(schemas.SlaOverrideIn, json_body(app.current_request))
    return admin.set_sla(wiring.settings_repo(), wiring.directory(), who, scope, key, body.limits, wiring.now())


@app.route("/staff/sla/{scope}/{key}", methods=["DELETE"])
@guarded
def delete_sla(scope, key):
    return admin.remove_sla(wiring.settings_repo(), principal(), scope, key)


__all__ = ["app", "Conflict"]


# ---- the clock ------------------------------------------------------------------------------------
@app.schedule(Rate(15, unit=Rate.MINUTES), name="sweep")
def sweep(event):
    from scheduled.sweep import sweep_handler

    return sweep_handler(event.to_dict())


# 07:00 WIB is 00:00 UTC; the digest itself skips holidays and cuti bersama.
@app.schedule(Cron(0, 0, "?", "*", "MON-FRI", "*"), name="morning_digest")
def morning_digest(event):
    from scheduled.sweep import digest_handler

    return digest_handler(event.to_dict())


# ---- feature blueprints (each module owns its routes) -----------------------------------------
# register_blueprint lines go here, one per module under chalicelib/routes/.
from chalicelib.routes import open311  # noqa: E402
app.register_blueprint(open311.bp)
from chalicelib.routes import web as web_routes  # noqa: E402
app.register_blueprint(web_routes.bp)
from chalicelib.routes import attachments as attachment_routes  # noqa: E402
app.register_blueprint(attachment_routes.bp)
from chalicelib.routes import officers as officer_routes  # noqa: E402
app.register_blueprint(officer_routes.bp)
from chalicelib.routes import docs as docs_routes  # noqa: E402
app.register_blueprint(docs_routes.bp)
from chalicelib.routes import statistics as statistics_routes  # noqa: E402
app.register_blueprint(statistics_routes.bp)
