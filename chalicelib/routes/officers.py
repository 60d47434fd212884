"""Staff contact rows and liaison officers' assignment periods."""
from __future__ import annotations

from dataclasses import asdict

from chalice import Blueprint

from .. import wiring
from ..domain.staff import StaffMember
from ..http import guarded, json_body, json_response, staff_principal
from ..lazy import lazy_import

officers = lazy_import("chalicelib.services.officers")
schemas = lazy_import("chalicelib.schemas")

bp = Blueprint(__name__)


def _assignment(a) -> dict:
    return {"id": a.id, "unit_id": a.unit_id, "username": a.username, "start": a.start.isoformat(),
            "end": a.end.isoformat() if a.end else None, "decree": a.decree}


@bp.route("/staff/units/{unit_id}/assignments", methods=["GET"])
@guarded
def list_assignments(unit_id):
    who = staff_principal(bp.current_request)
    today = wiring.now()
    from ..domain.calendar import to_wib_date

    day = to_wib_date(today)
    items = officers.list_assignments(wiring.directory(), who, unit_id)
    return {"unit_id": unit_id, "assignments": [{**_assignment(a), "on_duty": a.covers(day)} for a in items]}


@bp.route("/staff/units/{unit_id}/assignments", methods=["POST"])
@guarded
def create_assignment(unit_id):
    who = staff_principal(bp.current_request)
    body = schemas.parse(schemas.AssignmentIn, json_body(bp.current_request))
    created = officers.assign(wiring.directory(), who, unit_id, body.username, body.start, body.end,
                              body.decree, body.replaces)
    return json_response(_assignment(created), 201)


@bp.route("/staff/units/{unit_id}/assignments/{assignment_id}/end", methods=["POST"])
@guarded
def end_assignment(unit_id, assignment_id):
    who = staff_principal(bp.current_request)
    body = schemas.parse(schemas.AssignmentEndIn, json_body(bp.current_request))
    return _assignment(officers.end_assignment(wiring.directory(), who, unit_id, assignment_id, body.end))


@bp.route("/staff/officers/{username}", methods=["PUT"])
@guarded
def put_officer(username):
    who = staff_principal(bp.current_request)
    body = schemas.parse(schemas.StaffIn, json_body(bp.current_request))
    member = StaffMember(username=username, **body.model_dump())
    return asdict(officers.put_staff(wiring.directory(), who, member))
