"""Policy: the working-day calendar and the SLA limits (national defaults and overrides)."""
from __future__ import annotations

from chalice import Blueprint

from .. import wiring
from ..http import Query, json_body, parse_date, staff_only
from ..lazy import lazy_import
from ..services import admin

schemas = lazy_import("chalicelib.schemas")

bp = Blueprint(__name__)
staff = staff_only(bp)


@bp.route("/staff/calendar", methods=["GET"])
@staff
def get_calendar(who):
    q = Query(bp.current_request.query_params, {"year"})
    year = q.int("year", wiring.now().year, admin.MIN_YEAR, admin.MAX_YEAR)
    return admin.calendar_year(wiring.settings_repo(), year)


@bp.route("/staff/calendar/{day}", methods=["PUT"])
@staff
def put_calendar_day(who, day):
    data = json_body(bp.current_request)
    body = schemas.parse(schemas.CalendarOverrideIn, {**data, "date": day} if isinstance(data, dict) else data)
    return admin.set_calendar_day(wiring.settings_repo(), who, body.date, body.working, body.note, wiring.now())


@bp.route("/staff/calendar/{day}", methods=["DELETE"])
@staff
def delete_calendar_day(who, day):
    return admin.remove_calendar_day(wiring.settings_repo(), who, parse_date("day", day))


@bp.route("/staff/sla", methods=["GET"])
@staff
def get_sla(who):
    return admin.sla_overview(wiring.settings_repo())


@bp.route("/staff/sla/{scope}/{key}", methods=["PUT"])
@staff
def put_sla(who, scope, key):
    body = schemas.parse(schemas.SlaOverrideIn, json_body(bp.current_request))
    return admin.set_sla(wiring.settings_repo(), wiring.directory(), who, scope, key, body.limits, wiring.now())


@bp.route("/staff/sla/{scope}/{key}", methods=["DELETE"])
@staff
def delete_sla(who, scope, key):
    return admin.remove_sla(wiring.settings_repo(), who, scope, key)
