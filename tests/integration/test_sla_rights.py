"""SLA overrides widen no one's rights: an agency admin may only tighten its own agency's stages
within the national limits; the Ombudsman referral, the reporter's own time and categories are
the central admin's (issue 11, item 13)."""
from __future__ import annotations

import pytest

from chalicelib.domain.sla import DEFAULT_LIMITS

CENTRAL, MEDAN = "admin.pusat", "admin.medan"
MEDAN_SLA = "/staff/sla/agency/pemkot-medan"


def _refused(answer, status, fields):
    got, body = answer
    assert got == status, body
    assert body["error"]["code"] == {400: "invalid_input", 403: "forbidden", 422: "unprocessable"}[status]
    assert set(body["error"]["fields"]) == set(fields), body
    for text in body["error"]["fields"].values():
        assert " / " in text  # Indonesian / English


def _medan_overrides(api):
    return api.get("/staff/sla", user=CENTRAL)[1]["agency"].get("pemkot-medan")


@pytest.mark.parametrize("key", ["agency_review", "first_response", "completion_information_request",
                                 "completion_complaint", "completion_complaint_field_inspection", "completion_aspiration"])
def test_an_agency_admin_may_tighten_its_own_stages_down_to_one_day_but_not_loosen_them(api, key):
    national = DEFAULT_LIMITS[key]
    assert api.put(MEDAN_SLA, {"limits": {key: national}}, MEDAN)[0] == 200
    assert api.put(MEDAN_SLA, {"limits": {key: 1}}, MEDAN)[0] == 200
    _refused(api.put(MEDAN_SLA, {"limits": {key: national + 1}}, MEDAN), 422, {key})
    _refused(api.put(MEDAN_SLA, {"limits": {key: 365}}, MEDAN), 422, {key})
    assert _medan_overrides(api) == {key: 1}


@pytest.mark.parametrize("key", ["ombudsman_referral", "reporter_reply"])
def test_the_ombudsman_referral_and_the_reporters_time_are_central_only_even_when_tighter(api, key):
    _refused(api.put(MEDAN_SLA, {"limits": {key: 365}}, MEDAN), 403, {key})
    _refused(api.put(MEDAN_SLA, {"limits": {key: 1, "first_response": 2}}, MEDAN), 403, {key})
    assert _medan_overrides(api) is None
    assert api.put(MEDAN_SLA, {"limits": {key: 90}}, CENTRAL)[0] == 200
    assert _medan_overrides(api) == {key: 90}


def test_a_raised_ombudsman_limit_by_an_agency_admin_never_reaches_a_deadline(api):
    assert api.put(MEDAN_SLA, {"limits": {"ombudsman_referral": 365}}, MEDAN)[0] == 403
    tid = api.submit()["tracking_id"]
    deadlines = api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")["deadlines"]
    assert deadlines["ombudsman_referral"] == "2025-03-24"  # 60 working days after 20 Dec 2024, not 365


@pytest.mark.parametrize("key", ["verification", "clarification"])
def test_a_clock_that_stops_before_the_agency_is_not_an_agency_override(api, key):
    """These stages end before a report reaches an agency, so an agency override would never apply."""
    _refused(api.put(MEDAN_SLA, {"limits": {key: 2}}, CENTRAL), 422, {key})
    assert api.put(f"/staff/sla/category/illegal-parking", {"limits": {key: 2}}, CENTRAL)[0] == 200


def test_category_overrides_are_the_central_admins(api):
    _refused(api.put("/staff/sla/category/illegal-parking", {"limits": {"first_response": 2}}, MEDAN), 403, set())
    assert api.delete("/staff/sla/category/illegal-parking", MEDAN)[0] == 403


def test_the_central_admin_may_grant_an_agency_more_time(api):
    assert api.put(MEDAN_SLA, {"limits": {"completion_complaint": 30}}, CENTRAL)[0] == 200
    tid = api.submit()["tracking_id"]
    assert api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")["deadlines"]["completion"] == "2025-02-10"
