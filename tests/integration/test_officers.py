"""Liaison officers' assignment periods decide who answers for a unit on a given day."""
from __future__ import annotations

import pytest

from tests.integration.test_deadline_engine import at, mails, sweep, to

CENTRAL, MEDAN, DISHUB = "admin.pusat", "admin.medan", "penghubung.dishub.medan"
UNIT = "pemkot-medan.dishub"


def test_agency_admin_lists_the_demo_assignment(api):
    status, body = api.get(f"/staff/units/{UNIT}/assignments", user=MEDAN)
    assert status == 200
    assert [(a["username"], a["on_duty"]) for a in body["assignments"]] == [(DISHUB, True)]


def test_rotation_hands_reminders_to_the_new_officer_from_the_first_day(api, platform):
    status, _ = api.put("/staff/officers/penghubung2.dishub.medan", {
        "name": "Rina, Penghubung Dishub", "role": "liaison_officer", "email": "rina@lapor.example.go.id",
        "phone": "0812 0000 0009", "agency_id": "pemkot-medan", "unit_id": UNIT}, MEDAN)
    assert status == 200
    current = api.get(f"/staff/units/{UNIT}/assignments", user=MEDAN)[1]["assignments"][0]
    status, created = api.post(f"/staff/units/{UNIT}/assignments", {
        "username": "penghubung2.dishub.medan", "start": "2024-12-30", "decree": "SK 2025/01",
        "replaces": current["id"]}, user=MEDAN)
    assert status == 201, created
    periods = {a["username"]: (a["start"], a["end"]) for a in api.get(f"/staff/units/{UNIT}/assignments", user=MEDAN)[1]["assignments"]}
    assert periods == {DISHUB: ("2024-01-01", "2024-12-29"), "penghubung2.dishub.medan": ("2024-12-30", None)}

    tid = api.submit(kind="information_request")["tracking_id"]
    api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")
    api.act(tid, MEDAN, "assign", unit_id=UNIT)
    count = len(mails())
    sweep(platform, at("2024-12-27"))  # first response due 31 Dec: reminder on the 27th, old officer on duty
    assert {r for r, s in mails()[count:] if "tanggapan pertama" in s} == {to(DISHUB)}
    count = len(mails())
    sweep(platform, at("2024-12-30"))
    assert {r for r, s in mails()[count:] if "tanggapan pertama" in s} == {"rina@lapor.example.go.id"}


def test_ending_the_only_assignment_sends_reminders_to_the_agency_admin(api, platform):
    current = api.get(f"/staff/units/{UNIT}/assignments", user=MEDAN)[1]["assignments"][0]
    status, ended = api.post(f"/staff/units/{UNIT}/assignments/{current['id']}/end", {"end": "2024-12-20"}, user=MEDAN)
    assert status == 200 and ended["end"] == "2024-12-20"
    tid = api.submit(kind="information_request")["tracking_id"]
    api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")
    api.act(tid, MEDAN, "assign", unit_id=UNIT)
    count = len(mails())
    sweep(platform, at("2024-12-27"))
    assert {r for r, s in mails()[count:] if "tanggapan pertama" in s} == {to(MEDAN)}


@pytest.mark.parametrize("user,path,body,status", [
    (DISHUB, f"/staff/units/{UNIT}/assignments", {"username": DISHUB, "start": "2025-01-01"}, 403),
    ("admin.sumut", f"/staff/units/{UNIT}/assignments", {"username": DISHUB, "start": "2025-01-01"}, 403),
    (MEDAN, "/staff/units/pemkot-batam.dishub/assignments", {"username": DISHUB, "start": "2025-01-01"}, 403),
    (MEDAN, "/staff/units/pemkot-medan.nowhere/assignments", {"username": DISHUB, "start": "2025-01-01"}, 404),
    (MEDAN, f"/staff/units/{UNIT}/assignments", {"username": "penghubung.dlh.medan", "start": "2025-01-01"}, 422),
    (MEDAN, f"/staff/units/{UNIT}/assignments", {"username": DISHUB, "start": "2025-01-05", "end": "2025-01-01"}, 422),
    (MEDAN, f"/staff/units/{UNIT}/assignments", {"username": DISHUB, "start": "soon"}, 400),
    (MEDAN, f"/staff/units/{UNIT}/assignments", {"username": DISHUB, "start": "2025-01-01", "replaces": "nope"}, 422),
    (MEDAN, f"/staff/units/{UNIT}/assignments", {"username": DISHUB, "start": 0}, 400),  # a date is text
    (MEDAN, f"/staff/units/{UNIT}/assignments/nope/end", {"end": "2025-01-01"}, 404),
])
def test_assignment_changes_are_checked(api, user, path, body, status):
    assert api.post(path, body, user=user)[0] == status


@pytest.mark.parametrize("user,body,status", [
    (MEDAN, {"name": "X", "role": "central_admin"}, 403),
    (MEDAN, {"name": "X", "role": "liaison_officer", "agency_id": "pemkot-batam", "unit_id": "pemkot-batam.dishub"}, 403),
    (CENTRAL, {"name": "X", "role": "liaison_officer", "agency_id": "pemkot-medan"}, 400),
    (CENTRAL, {"name": "X", "role": "liaison_officer", "agency_id": "pemkot-medan", "unit_id": "pemkot-batam.dishub"}, 422),
    (CENTRAL, {"name": "X", "role": "provincial_admin", "province_code": "12", "phone": "12"}, 400),
    (CENTRAL, {"name": "X", "role": "provincial_admin", "province_code": "12"}, 200),
    (DISHUB, {"name": "X", "role": "liaison_officer", "agency_id": "pemkot-medan", "unit_id": UNIT}, 403),
])
def test_staff_rows_are_checked(api, user, body, status):
    assert api.put("/staff/officers/someone", body, user)[0] == status



def _contact(role, agency="pemkot-medan", unit=None, email="medan@lapor.example.go.id"):
    return {"name": "Petugas", "role": role, "email": email, "agency_id": agency, "unit_id": unit}


BATAM_OFFICER = "penghubung.dishub.batam"


@pytest.mark.parametrize("victim", [CENTRAL, "admin.sumut", BATAM_OFFICER])
@pytest.mark.parametrize("body", [_contact("agency_admin"), _contact("liaison_officer", unit=UNIT)],
                         ids=["as agency admin", "as liaison officer"])
def test_an_agency_admin_cannot_take_over_another_persons_contact_row(api, victim, body):
    """The new row names Medan, which the old check accepted: Medan's admin got admin.pusat's mail."""
    from chalicelib.adapters.store import DynamoDirectory

    batam = _contact("liaison_officer", "pemkot-batam", "pemkot-batam.dishub", email="batam@lapor.example.go.id")
    assert api.put(f"/staff/officers/{BATAM_OFFICER}", batam, CENTRAL)[0] == 200
    before = DynamoDirectory().staff(victim)
    status, answer = api.put(f"/staff/officers/{victim}", body, MEDAN)
    assert status == 403 and answer["error"]["code"] == "forbidden", answer
    assert set(answer["error"]["fields"]) == {"username"}
    assert DynamoDirectory().staff(victim) == before


def test_an_agency_admin_keeps_editing_and_creating_its_own_agencys_rows(api):
    own = _contact("liaison_officer", unit=UNIT, email="dishub@lapor.example.go.id")
    assert api.put(f"/staff/officers/{DISHUB}", own, MEDAN)[0] == 200
    assert api.put(f"/staff/officers/{DISHUB}", {**own, "unit_id": "pemkot-medan.dlh"}, MEDAN)[0] == 200
    assert api.put("/staff/officers/penghubung.baru.medan", own, MEDAN)[0] == 200
    assert api.put(f"/staff/officers/{MEDAN}", _contact("agency_admin"), MEDAN)[0] == 200


def test_an_agency_admin_cannot_move_its_own_staff_out_of_its_agency(api):
    status, answer = api.put(f"/staff/officers/{DISHUB}",
                             _contact("liaison_officer", "pemkot-batam", "pemkot-batam.dishub"), MEDAN)
    assert status == 403 and set(answer["error"]["fields"]) == {"agency_id"}


def test_the_central_admin_may_edit_any_row(api):
    assert api.put(f"/staff/officers/{MEDAN}", _contact("agency_admin", "pemkot-batam"), CENTRAL)[0] == 200
    assert api.put("/staff/officers/admin.sumut", _contact("agency_admin"), CENTRAL)[0] == 200
