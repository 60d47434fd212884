"""The report core through the real HTTP handlers, against moto."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.support import WIB, report_body

CENTRAL, MEDAN, DISHUB, DLH, SUMUT, KEPRI = (
    "admin.pusat", "admin.medan", "penghubung.dishub.medan", "penghubung.dlh.medan", "admin.sumut", "admin.kepri",
)


def test_submission_answers_tracking_number_access_code_and_verification_deadline(api):
    created = api.submit()
    assert created["status"] == "submitted"
    assert len(created["tracking_id"]) == 9 and created["tracking_id"][4] == "-"
    assert len(created["access_code"]) == 10
    # Friday 20 Dec 2024: 23, 24 Dec are working days 1–2, 25 (Christmas) and 26 (cuti bersama) are not.
    assert created["deadlines"] == {"verification": "2024-12-27"}


def test_a_report_walks_from_submission_to_completion(api, platform):
    created = api.submit(kind="information_request")
    tid, code = created["tracking_id"], created["access_code"]
    dispatched = api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")
    assert dispatched["status"] == "dispatched"
    assert dispatched["deadlines"]["completion"] == "2024-12-31"  # DOMAIN.md's example
    assert dispatched["deadlines"]["agency_review"] == "2024-12-27"
    assert dispatched["deadlines"]["ombudsman_referral"]
    platform.clock.advance(days=3)
    assert api.act(tid, MEDAN, "assign", unit_id="pemkot-medan.dishub")["status"] == "assigned"
    assert api.act(tid, DISHUB, "respond", message="Petugas akan meninjau lokasi.")["status"] == "in_progress"
    assert api.reply(tid, code, message="Terima kasih, lokasinya di depan pasar.")["status"] == "in_progress"
    answered = api.act(tid, DISHUB, "final_answer", message="Juru parkir liar sudah ditertibkan.")
    assert answered["status"] == "awaiting_reporter"
    assert answered["deadlines"]["reporter_reply"]
    done = api.reply(tid, code, accept=True, rating=5, message="Sudah beres.")
    assert done["status"] == "completed" and done["rating"] == 5
    status, full = api.get(f"/staff/reports/{tid}", user=CENTRAL)
    assert status == 200
    assert [h["action"] for h in full["history"] if h["action"] != "identity_read"] == [
        "submit", "dispatch", "assign", "respond", "reply", "final_answer", "accept"]
    assert full["stage_done"].keys() >= {"verification", "agency_review", "first_response", "completion"}
    assert set(full["deadline_calendars"]) == set(full["deadlines"])
    assert all(v.startswith("holidays-") for v in full["deadline_calendars"].values())


def test_public_view_never_carries_reporter_identity(api):
    created = api.submit()
    tid = created["tracking_id"]
    api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")
    for headers in ({}, {"X-Access-Code": created["access_code"]}):
        status, view = api.get(f"/reports/{tid}", headers=headers)
        assert status == 200
        text = json.dumps(view)
        for secret in ("Siti", "siti@example.com", "6000"):
            assert secret not in text


def test_unpublished_report_is_visible_only_with_its_access_code(api):
    created = api.submit()
    tid = created["tracking_id"]
    assert api.get(f"/reports/{tid}")[0] == 404
    assert api.get(f"/reports/{tid}", headers={"X-Access-Code": created["access_code"]})[0] == 200
    assert api.get(f"/reports/{tid}", headers={"X-Access-Code": "WRONG12345"})[0] == 404  # as if it did not exist


def test_confidential_report_answers_404_without_its_code_even_when_dispatched(api):
    created = api.submit(confidential=True)
    tid = created["tracking_id"]
    api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")
    assert api.get(f"/reports/{tid}")[0] == 404
    status, view = api.get(f"/reports/{tid}", headers={"X-Access-Code": created["access_code"]})
    assert status == 200 and view["confidential"] is True


def test_tracking_number_is_accepted_as_people_type_it(api):
    created = api.submit()
    typed = created["tracking_id"].replace("-", "").lower()
    assert api.get(f"/reports/{typed}", headers={"X-Access-Code": created["access_code"]})[0] == 200


def test_anonymous_reporter_is_hidden_from_agency_but_not_from_central_admin(api):
    tid = api.submit(anonymous=True)["tracking_id"]
    api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")
    assert api.get(f"/staff/reports/{tid}", user=CENTRAL)[1]["reporter"]["name"] == "Siti Rahmawati"
    agency_view = api.get(f"/staff/reports/{tid}", user=MEDAN)[1]
    assert agency_view["reporter"] == {"name": "Anonim", "email": None, "phone": None}
    assert "Siti" not in json.dumps(agency_view)


def test_naming_an_agency_skips_the_central_queue(api):
    created = api.submit(agency_id="pemkot-medan")
    assert created["status"] == "dispatched"
    assert "verification" not in created["deadlines"]
    assert created["deadlines"]["agency_review"] == "2024-12-27"
    status, page = api.get("/staff/reports", user=MEDAN)
    assert [i["tracking_id"] for i in page["items"]] == [created["tracking_id"]]


# ---- scope -------------------------------------------------------------------------------------
def _dispatched_to_dishub(api):
    tid = api.submit()["tracking_id"]
    api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")
    api.act(tid, MEDAN, "assign", unit_id="pemkot-medan.dishub")
    return tid


@pytest.mark.parametrize("user,visible", [
    (CENTRAL, True), (MEDAN, True), (DISHUB, True), (DLH, False), (SUMUT, True), (KEPRI, False),
])
def test_each_role_sees_only_reports_in_its_scope(api, user, visible):
    tid = _dispatched_to_dishub(api)
    status, _ = api.get(f"/staff/reports/{tid}", user=user)
    assert status == (200 if visible else 404)
    listed = [i["tracking_id"] for i in api.get("/staff/reports", user=user)[1]["items"]]
    assert (tid in listed) == visible


def test_out_of_scope_action_is_404_and_wrong_role_is_403(api):
    tid = _dispatched_to_dishub(api)
    assert api.post(f"/staff/reports/{tid}/actions", {"action": "respond", "message": "x"}, user=DLH)[0] == 404
    assert api.post(f"/staff/reports/{tid}/actions", {"action": "respond", "message": "x"}, user=MEDAN)[0] == 403
    assert api.post(f"/staff/reports/{tid}/actions", {"action": "respond", "message": "x"}, user=SUMUT)[0] == 403


def test_province_scope_covers_location_and_handling_agency(api):
    # Located in Kepri (21) but dispatched to a Medan agency (12): both provinces see it.
    tid = api.submit(location={"province_code": "21", "regency_code": "21.71"})["tracking_id"]
    api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")
    for user in (SUMUT, KEPRI):
        listed = [i["tracking_id"] for i in api.get("/staff/reports", user=user)[1]["items"]]
        assert listed == [tid]
    assert [i["tracking_id"] for i in api.get("/staff/reports?province_code=12", user=CENTRAL)[1]["items"]] == [tid]
    assert api.get("/staff/reports?province_code=21", user=SUMUT)[1]["items"] == []


# ---- wrong status, bad input -------------------------------------------------------------------------
def test_wrong_status_is_409(api):
    tid = api.submit()["tracking_id"]
    status, body = api.post(f"/staff/reports/{tid}/actions", {"action": "assign", "unit_id": "pemkot-medan.dishub"}, user=MEDAN)
    assert status == 404  # not yet at the agency: outside its scope
    api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")
    status, body = api.post(f"/staff/reports/{tid}/actions", {"action": "postpone", "message": "x"}, user=CENTRAL)
    assert status == 409 and body["error"]["code"] == "invalid_transition"


@pytest.mark.parametrize("action,params,field", [
    ("dispatch", {}, "agency_id"),
    ("postpone", {}, "message"),
    ("postpone", {"message": ""}, "message"),
    ("archive", {"reason": "boring"}, "reason"),
    ("reroute", {"message": "x" * 5001}, "message"),
    ("correct", {"kind": "rant"}, "kind"),
    ("correct", {"title": None}, "body"),  # nothing to correct
    ("nonsense", {}, "action"),
])
def test_bad_action_input_names_the_field(api, action, params, field):
    tid = api.submit()["tracking_id"]
    status, body = api.post(f"/staff/reports/{tid}/actions", {"action": action, **params}, user=CENTRAL)
    assert status == 400, body
    assert field in body["error"]["fields"] or field == "body"
    assert " / " in body["error"]["message"]


@pytest.mark.parametrize("action,params,field", [
    ("dispatch", {"agency_id": "no-such-agency"}, "agency_id"),
    ("correct", {"category_id": "no-such-category"}, "category_id"),
])
def test_actions_naming_what_does_not_exist_are_422(api, action, params, field):
    tid = api.submit()["tracking_id"]
    status, body = api.post(f"/staff/reports/{tid}/actions", {"action": action, **params}, user=CENTRAL)
    assert status == 422 and body["error"]["code"] == "unprocessable", body
    assert field in body["error"]["fields"]


@pytest.mark.parametrize("action,params,field,status_expected", [
    ("assign", {"unit_id": "pemkot-batam.dishub"}, "unit_id", 422),
    ("assign", {}, "unit_id", 400),
])
def test_assign_refuses_units_of_other_agencies(api, action, params, field, status_expected):
    tid = api.submit()["tracking_id"]
    api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")
    status, body = api.post(f"/staff/reports/{tid}/actions", {"action": action, **params}, user=MEDAN)
    assert status == status_expected and field in body["error"]["fields"]


@pytest.mark.parametrize("mutate,field", [
    (lambda b: b.pop("kind"), "kind"),
    (lambda b: b.update(title="abc"), "title"),
    (lambda b: b.update(description="x" * 5001), "description"),
    (lambda b: b.update(occurred_on=0), "occurred_on"),  # a date is text, not epoch seconds
    (lambda b: b["location"].update(lat=None, lon=98.6), "location"),
    (lambda b: b["location"].update(lat=3.5), "location"),
    (lambda b: b.update(reporter={"name": "A"}), "reporter"),
    (lambda b: b.update(reporter={"name": "A", "phone": "12"}), "reporter.phone"),
    (lambda b: b.update(reporter={"name": "A", "email": "not-an-email"}), "reporter.email"),
    (lambda b: b.update(anonymous="yes"), "anonymous"),
    (lambda b: b.update(surprise=1), "surprise"),
])
def test_bad_submission_names_the_field_in_both_languages(api, mutate, field):
    body = report_body()
    mutate(body)
    status, answer = api.post("/reports", body)
    assert status == 400, answer
    assert field in answer["error"]["fields"], answer
    assert answer["error"]["message_id"] and answer["error"]["message_en"]


@pytest.mark.parametrize("mutate,field", [
    (lambda b: b["location"].update(province_code="99"), "location.province_code"),
    (lambda b: b["location"].update(province_code="00"), "location.province_code"),
    (lambda b: b["location"].update(regency_code="13.08"), "location.regency_code"),
    (lambda b: b.update(agency_id="no-such-agency"), "agency_id"),
    (lambda b: b.update(category_id="no-such-category"), "category_id"),
    (lambda b: b.update(occurred_on="2030-01-01"), "occurred_on"),  # a valid date, but in the future
    (lambda b: b.update(occurred_on="0020-10-06"), "occurred_on"),  # ... or before 17 August 1945
])
def test_a_submission_naming_what_does_not_exist_is_422_naming_the_field(api, mutate, field):
    """The document allows the value (a two-digit code, an id); the stored data has no such thing."""
    body = report_body()
    mutate(body)
    status, answer = api.post("/reports", body)
    assert status == 422 and answer["error"]["code"] == "unprocessable", answer
    assert field in answer["error"]["fields"], answer
    assert answer["error"]["message_id"] and answer["error"]["message_en"]


@pytest.mark.parametrize("raw", ["", "{", "[]", "null", "\"text\"", "{\"kind\": 1}"])
def test_malformed_bodies_are_400(api, raw):
    status, body = api.post("/reports", raw=raw)
    assert status == 400 and body["error"]["code"] == "invalid_input"


def test_staff_routes_need_a_valid_token(api, platform):
    assert api.get("/staff/reports")[0] == 401
    assert api.get("/staff/reports", headers={"Authorization": "Bearer nonsense"})[0] == 401
    token = platform.tokens[CENTRAL]
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert api.get("/staff/reports", headers={"Authorization": f"Bearer {tampered}"})[0] == 401


# ---- manual entry -------------------------------------------------------------------------------------
def test_agency_admin_manual_entry_is_dispatched_to_their_agency_with_clocks_from_received_at(api):
    body = report_body(channel="whatsapp", received_at="2024-12-16T09:00:00+07:00")
    status, created = api.post("/staff/reports", body, user=MEDAN)
    assert status == 201, created
    assert created["status"] == "dispatched" and created["agency_id"] == "pemkot-medan"
    # Monday 16 Dec + 3 working days = Thursday 19 Dec.
    assert created["deadlines"]["agency_review"] == "2024-12-19"


def test_central_admin_manual_entry_waits_for_verification_unless_it_names_an_agency(api):
    status, created = api.post("/staff/reports", report_body(channel="call_centre", received_at="2024-12-19T16:00:00+07:00"), user=CENTRAL)
    assert status == 201 and created["status"] == "submitted"
    assert created["deadlines"]["verification"] == "2024-12-24"


@pytest.mark.parametrize("override,field", [
    ({"received_at": "2024-12-19T09:00:00"}, "received_at"),
    ({"received_at": 1734573600}, "received_at"),  # a date-time is text, not epoch seconds
    ({"received_at": "1999-12-31T23:59:59-05:00"}, "received_at"),  # before 2000 as written
    ({"channel": "pigeon"}, "channel"),
    ({"channel": None}, "channel"),
])
def test_manual_entry_bad_input(api, override, field):
    body = report_body(channel="email", received_at="2024-12-19T09:00:00+07:00")
    body.update(override)
    status, answer = api.post("/staff/reports", body, user=CENTRAL)
    assert status == 400 and field in answer["error"]["fields"], answer


def test_a_coordinate_too_small_for_dynamodb_is_kept_to_a_centimetre(api, platform):
    """Regression (fuzz): lat 4e-307 is valid JSON within the range, and DynamoDB refused it (500)."""
    body = report_body()
    body["location"].update(lat=4.4e-307, lon=98.6722)
    status, created = api.post("/reports", body)
    assert status == 201, created
    status, record = api.get(f"/staff/reports/{created['tracking_id']}", user=CENTRAL)
    assert status == 200 and record["location"]["lat"] == 0.0 and record["location"]["lon"] == 98.6722


def test_manual_entry_received_in_the_future_is_422(api):
    body = report_body(channel="email", received_at="2024-12-30T09:00:00+07:00")
    status, answer = api.post("/staff/reports", body, user=CENTRAL)
    assert status == 422 and "received_at" in answer["error"]["fields"], answer


def test_liaison_officers_and_provincial_admins_cannot_enter_reports(api):
    body = report_body(channel="email", received_at="2024-12-19T09:00:00+07:00")
    assert api.post("/staff/reports", body, user=DISHUB)[0] == 403
    assert api.post("/staff/reports", body, user=SUMUT)[0] == 403


# ---- idempotency and concurrency -------------------------------------------------------------------------
def test_same_idempotency_key_returns_the_first_report(api):
    body = report_body()
    first = api.post("/reports", body, headers={"Idempotency-Key": "form-123"})
    again = api.post("/reports", body, headers={"Idempotency-Key": "form-123"})
    assert first[0] == again[0] == 201
    assert first[1]["tracking_id"] == again[1]["tracking_id"]
    assert len(api.get("/staff/reports", user="admin.pusat")[1]["items"]) == 1
    other = api.post("/reports", report_body(title="Lampu jalan mati"), headers={"Idempotency-Key": "form-123"})
    assert other[0] == 422 and "Idempotency-Key" in other[1]["error"]["fields"]


def test_two_officers_acting_on_one_loaded_version_one_gets_409(platform):
    from chalicelib import wiring
    from chalicelib.services import reports
    from chalicelib.domain.roles import Principal, Role
    from chalicelib.domain.errors import Conflict

    central = Principal("admin.pusat", Role.CENTRAL_ADMIN)
    deps_a, deps_b = wiring.deps(), wiring.deps()
    report, _ = reports.submit_report(deps_a, _new(), platform.clock())
    a = deps_a.reports.get(report.tracking_id)
    b = deps_b.reports.get(report.tracking_id)
    from chalicelib.services.calendar import current_calculator
    calc = current_calculator(deps_a.settings)
    from chalicelib.domain.lifecycle import Action
    agency = deps_a.directory.agency("pemkot-medan")
    a.apply(central, Action.DISPATCH, platform.clock(), calc, agency=agency)
    b.apply(central, Action.POSTPONE, platform.clock(), calc, message="Mohon lengkapi alamat")
    deps_a.reports.save(a)
    with pytest.raises(Conflict):
        deps_b.reports.save(b)
    assert deps_a.reports.get(report.tracking_id).status.value == "dispatched"
    assert [e.action for e in deps_a.reports.events(report.tracking_id)] == ["submit", "dispatch"]


def _new():
    from chalicelib.domain.report import Location, Reporter
    from chalicelib.services.reports import NewReport

    return NewReport(kind="complaint", title="Lampu jalan mati", description="Lampu jalan mati sejak seminggu.",
                     location=Location("12", "12.71"), reporter=Reporter("Budi", phone="+6281260001234"),
                     channel="api")


# ---- reporter replies ------------------------------------------------------------------------------------
def test_postponed_report_resumes_after_the_reporter_clarifies(api, platform):
    created = api.submit()
    tid, code = created["tracking_id"], created["access_code"]
    postponed = api.act(tid, CENTRAL, "postpone", message="Mohon sebutkan nama jalan yang tepat.")
    assert postponed["status"] == "postponed" and postponed["deadlines"]["clarification"]
    platform.clock.set(dt.datetime(2025, 1, 6, 9, 0, tzinfo=WIB))  # Monday
    clarified = api.reply(tid, code, message="Jl. Gatot Subroto no. 12.")
    assert clarified["status"] == "submitted"
    # Postponed on Friday 20 Dec with 3 working days left: resumes 6 Jan → due 9 Jan.
    assert clarified["deadlines"]["verification"] == "2025-01-09"


def test_reporter_reply_needs_the_code_and_a_waiting_status(api):
    created = api.submit()
    tid = created["tracking_id"]
    assert api.post(f"/reports/{tid}/replies", {"message": "halo"})[0] == 403
    assert api.post(f"/reports/{tid}/replies", {"message": "halo"}, headers={"X-Access-Code": "X"})[0] == 404
    status, body = api.post(f"/reports/{tid}/replies", {"message": "halo"}, headers={"X-Access-Code": created["access_code"]})
    assert status == 409


def test_reporter_rejecting_the_answer_reopens_the_case(api):
    tid = _dispatched_to_dishub(api)
    code = None
    # a fresh report so we hold its code
    created = api.submit()
    tid, code = created["tracking_id"], created["access_code"]
    api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")
    api.act(tid, MEDAN, "assign", unit_id="pemkot-medan.dishub")
    api.act(tid, DISHUB, "respond", message="Ditinjau.")
    api.act(tid, DISHUB, "final_answer", message="Selesai.")
    # a rating is what accepting needs now (422); a rating of 6 is never one (400)
    assert api.post(f"/reports/{tid}/replies", {"accept": True}, headers={"X-Access-Code": code})[0] == 422
    assert api.post(f"/reports/{tid}/replies", {"accept": True, "rating": 6}, headers={"X-Access-Code": code})[0] == 400
    reopened = api.reply(tid, code, accept=False, message="Belum, parkir liar masih ada.")
    assert reopened["status"] == "in_progress"


# ---- listing -------------------------------------------------------------------------------------------
def test_list_is_newest_first_with_a_cursor_and_filters(api, platform):
    ids = []
    for i in range(5):
        platform.clock.advance(hours=1)
        ids.append(api.submit(kind="aspiration" if i % 2 else "complaint")["tracking_id"])
    status, first = api.get("/staff/reports?limit=2", user=CENTRAL)
    assert status == 200 and [i["tracking_id"] for i in first["items"]] == ids[::-1][:2]
    second = api.get(f"/staff/reports?limit=2&cursor={first['next_cursor']}", user=CENTRAL)[1]
    third = api.get(f"/staff/reports?limit=2&cursor={second['next_cursor']}", user=CENTRAL)[1]
    assert [i["tracking_id"] for i in second["items"] + third["items"]] == ids[::-1][2:]
    assert third["next_cursor"] is None
    aspirations = api.get("/staff/reports?kind=aspiration", user=CENTRAL)[1]["items"]
    assert [i["tracking_id"] for i in aspirations] == [ids[3], ids[1]]
    assert api.get("/staff/reports?received_from=2024-12-21", user=CENTRAL)[1]["items"] == []
    assert len(api.get("/staff/reports?received_to=2024-12-20&status=submitted", user=CENTRAL)[1]["items"]) == 5


@pytest.mark.parametrize("query,field", [
    ("status=bogus", "status"), ("limit=0", "limit"), ("limit=1000", "limit"), ("received_from=yesterday", "received_from"),
    ("overdue=maybe", "overdue"), ("cursor=%25%25%25", "cursor"), ("colour=red", "colour"),
])
def test_list_bad_parameters_are_400(api, query, field):
    status, body = api.get(f"/staff/reports?{query}", user=CENTRAL)
    assert status == 400 and field in body["error"]["fields"], body


# ---- calendar and SLA administration ---------------------------------------------------------------------
def test_central_admin_adds_a_non_working_day_and_new_deadlines_skip_it(api):
    status, body = api.put("/staff/calendar/2024-12-23", {"working": False, "note": "Cuti bersama tambahan"}, CENTRAL)
    assert status == 200, body
    created = api.submit()
    assert created["deadlines"]["verification"] == "2024-12-30"
    year = api.get("/staff/calendar?year=2024", user=CENTRAL)[1]
    assert "2024-12-23" in year["non_working_days"] and "2024-12-26" in year["official_non_working_days"]
    assert api.delete("/staff/calendar/2024-12-23", CENTRAL)[0] == 200
    assert api.submit()["deadlines"]["verification"] == "2024-12-27"
    assert api.put("/staff/calendar/2024-12-23", {"working": False}, MEDAN)[0] == 403
    assert api.put("/staff/calendar/not-a-date", {"working": False}, CENTRAL)[0] == 400


def test_sla_overrides_per_agency_and_category(api):
    assert api.put("/staff/sla/agency/pemkot-medan", {"limits": {"completion_complaint": 10}}, MEDAN)[0] == 200
    tid = api.submit()["tracking_id"]
    assert api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")["deadlines"]["completion"] == "2025-01-08"
    assert api.put("/staff/sla/agency/pemkot-batam", {"limits": {"completion_complaint": 10}}, MEDAN)[0] == 403
    assert api.put("/staff/sla/category/illegal-parking", {"limits": {"completion_complaint": 20}}, CENTRAL)[0] == 200
    tid = api.submit()["tracking_id"]
    assert api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")["deadlines"]["completion"] == "2025-01-22"
    status, body = api.put("/staff/sla/category/illegal-parking", {"limits": {"completion_complaint": 0, "nap": 3}}, CENTRAL)
    assert status == 400 and set(body["error"]["fields"]) == {"completion_complaint", "nap"}
    assert api.get("/staff/sla", user=MEDAN)[1]["agency"] == {"pemkot-medan": {"completion_complaint": 10}}


def test_reference_data_is_public(api):
    assert {a["id"] for a in api.get("/agencies")[1]["agencies"]} >= {"pemkot-medan", "perumda-tirtanadi", "pemkot-batam"}
    assert len(api.get("/categories")[1]["categories"]) == 11
    assert len(api.get("/regions")[1]["provinces"]) == 38


# ---- abuse limits --------------------------------------------------------------------------------
def test_one_client_cannot_flood_public_intake(api, monkeypatch):
    from chalicelib.services import limits

    monkeypatch.setattr(limits, "SUBMISSIONS", 3)
    statuses = [api.post("/reports", report_body())[0] for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
