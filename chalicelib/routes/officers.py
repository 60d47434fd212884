"""The signed-in staff member, staff contact rows and liaison officers' assignment periods."""
from __future__ import annotations

from dataclasses import asdict

from chalice import Blueprint

from .. import wiring
from ..domain.staff import StaffMember
from ..http import Query, json_body, json_response, staff_only
from ..lazy import lazy_import

officers = lazy_import("chalicelib.services.officers")
schemas = lazy_import("chalicelib.schemas")

bp = Blueprint(__name__)
staff = staff_only(bp)


def _assignment(a) -> dict:
    return {"id": a.id, "unit_id": a.unit_id, "username": a.username, "start": a.start.isoformat(),
            "end": a.end.isoformat() if a.end else None, "decree": a.decree}


@bp.route("/staff/me", methods=["GET"])
@staff
def me(who):
    return {k: (v.value if hasattr(v, "value") else v) for k, v in asdict(who).items()}


@bp.route("/staff/units/{unit_id}/assignments", methods=["GET"])
@staff
def list_assignments(who, unit_id):
    today = wiring.now()
    from ..domain.calendar import to_wib_date

    day = to_wib_date(today)
    items = officers.list_assignments(wiring.directory(), who, unit_id)
    return {"unit_id": unit_id, "assignments": [{**_assignment(a), "on_duty": a.covers(day)} for a in items]}


@bp.route("/staff/units/{unit_id}/assignments", methods=["POST"])
@staff
def create_assignment(who, unit_id):
    body = schemas.parse(schemas.AssignmentIn, json_body(bp.current_request))
    created = officers.assign(wiring.directory(), who, unit_id, body.username, body.start, body.end,
                              body.decree, body.replaces)
    return json_response(_assignment(created), 201)


@bp.route("/staff/units/{unit_id}/assignments/{assignment_id}/end", methods=["POST"])
@staff
def end_assignment(who, unit_id, assignment_id):
    body = schemas.parse(schemas.AssignmentEndIn, json_body(bp.current_request))
    return _assignment(officers.end_assignment(wiring.directory(), who, unit_id, assignment_id, body.end))


@bp.route("/staff/officers/{username}", methods=["PUT"])
@staff
def put_officer(who, username):
    body = schemas.parse(schemas.StaffIn, json_body(bp.current_request))
    member = StaffMember(username=username, **body.model_dump())
    return asdict(officers.put_staff(wiring.directory(), who, member))


@bp.route("/staff/officers", methods=["GET"])
@staff
def list_officers(who):
    """The contact rows the caller may edit, so a console lists them instead of asking for a username."""
    from ..adapters.regions import regions

    q = Query(bp.current_request.query_params, {"limit", "cursor"})
    provinces = [p["code"] for p in regions()["provinces"]]
    rows, cursor = officers.list_staff(wiring.directory(), who, provinces, q.int("limit", 50, 1, 200),
                                       q.str("cursor", max_len=100, pattern=officers.STAFF_CURSOR_PATTERN))
    return {"items": [asdict(m) for m in rows], "next_cursor": cursor}
