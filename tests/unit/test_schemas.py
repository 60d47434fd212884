"""Request bodies: every wrong field comes back as InvalidInput naming its path, in Indonesian and
English; contacts are normalised (E.164 phones, checked e-mail); unknown fields are refused."""
from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from chalicelib import schemas
from chalicelib.domain.errors import InvalidInput

DELETE = object()

REPORT = {
    "kind": "complaint",
    "title": "Lampu jalan mati",
    "description": "Lampu jalan di Jl. Gatot Subroto mati sejak seminggu.",
    "occurred_on": "2024-12-01",
    "location": {"province_code": "12", "regency_code": "12.71", "address": "Jl. Gatot Subroto",
                 "lat": 3.5952, "lon": 98.6722},
    "reporter": {"name": "Siti", "email": "siti@contoh.id", "phone": "0812-3456-7890"},
    "category_id": "lampu-jalan",
    "agency_id": "pemko-medan",
}
STAFF_REPORT = {**REPORT, "channel": "walk_in", "received_at": "2024-12-20T08:00:00+07:00"}


def changed(body: dict, path: str, value: Any) -> dict:
    """A copy of `body` with the dotted `path` set to `value` (or removed with DELETE)."""
    out = copy.deepcopy(body)
    *parents, leaf = path.split(".")
    node = out
    for key in parents:
        node = node[key]
    if value is DELETE:
        node.pop(leaf, None)
    else:
        node[leaf] = value
    return out


def refused(model, body, envelope: bool = False) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        schemas.parse(model, body, envelope=envelope)
    error = caught.value
    assert error.message_id and error.message_en and error.message_id != error.message_en
    return error.fields


def assert_bilingual(message: str) -> None:
    indonesian, _, english = message.partition(" / ")
    assert indonesian.strip() and english.strip(), message


# ---- the valid bodies ---------------------------------------------------------------------------
def test_a_valid_public_report_parses_with_its_defaults():
    body = schemas.parse(schemas.ReportIn, REPORT)
    assert body.channel == "api" and body.anonymous is False and body.confidential is False
    assert body.occurred_on == dt.date(2024, 12, 1)
    assert body.reporter.phone == "+6281234567890" and body.reporter.email == "siti@contoh.id"


def test_a_valid_staff_report_carries_an_aware_received_at():
    body = schemas.parse(schemas.StaffReportIn, STAFF_REPORT)
    assert body.channel == "walk_in"
    assert body.received_at == dt.datetime(2024, 12, 20, 1, 0, tzinfo=dt.timezone.utc)


def test_text_is_trimmed():
    body = schemas.parse(schemas.ReportIn, changed(REPORT, "title", "   Lampu jalan mati  "))
    assert body.title == "Lampu jalan mati"


# ---- every field of a report --------------------------------------------------------------------
REPORT_CASES = [
    ("kind", "praise", "kind"),
    ("kind", DELETE, "kind"),
    ("title", "abcd", "title"),
    ("title", "x" * 151, "title"),
    ("title", 12345, "title"),
    ("title", "      ", "title"),
    ("title", None, "title"),
    ("description", "pendek", "description"),
    ("description", "x" * 5001, "description"),
    ("description", DELETE, "description"),
    ("occurred_on", "2024-13-01", "occurred_on"),
    ("occurred_on", "kemarin", "occurred_on"),
    ("location", "Medan", "location"),
    ("location", DELETE, "location"),
    ("location.province_code", "Sumut", "location.province_code"),
    ("location.province_code", "1", "location.province_code"),
    ("location.province_code", DELETE, "location.province_code"),
    ("location.regency_code", "12.7", "location.regency_code"),
    ("location.regency_code", "1271", "location.regency_code"),
    ("location.address", "x" * 501, "location.address"),
    ("location.lat", 50.0, "location.lat"),
    ("location.lat", -12.0, "location.lat"),
    ("location.lat", "utara", "location.lat"),
    ("location.lon", 200.0, "location.lon"),
    ("location.lon", 90.0, "location.lon"),
    ("location.lon", DELETE, "location"),          # lat without lon
    ("location.lat", DELETE, "location"),          # lon without lat
    ("location.rt_rw", "001/002", "location.rt_rw"),
    ("agency_id", "Pemko Medan", "agency_id"),
    ("agency_id", "", "agency_id"),
    ("agency_id", "x" * 65, "agency_id"),
    ("category_id", "-lampu", "category_id"),
    ("category_id", "LAMPU", "category_id"),
    ("anonymous", "yes", "anonymous"),
    ("anonymous", 1, "anonymous"),
    ("confidential", "true", "confidential"),
    ("reporter", DELETE, "reporter"),
    ("reporter", "Siti", "reporter"),
    ("reporter.name", "", "reporter.name"),
    ("reporter.name", "   ", "reporter.name"),
    ("reporter.name", "x" * 121, "reporter.name"),
    ("reporter.name", DELETE, "reporter.name"),
    ("reporter.email", "siti@", "reporter.email"),
    ("reporter.email", "Siti <siti@contoh.id>", "reporter.email"),
    ("reporter.email", "siti@localhost", "reporter.email"),
    ("reporter.email", "x" * 250 + "@a.id", "reporter.email"),
    ("reporter.phone", "12", "reporter.phone"),
    ("reporter.phone", "0812-3456", "reporter.phone"),
    ("reporter.phone", "x" * 33, "reporter.phone"),
    ("reporter.phone", 81234567890, "reporter.phone"),
    ("reporter.nik", "1271010101010001", "reporter.nik"),
    ("channel", "sms", "channel"),                  # the public form cannot claim a staff channel
    ("received_at", "2024-12-01T10:00:00+07:00", "received_at"),  # nor backdate itself
    ("status", "completed", "status"),
]


def test_a_reporter_without_any_contact_is_refused():
    body = changed(changed(REPORT, "reporter.email", DELETE), "reporter.phone", DELETE)
    fields = refused(schemas.ReportIn, body)
    assert list(fields) == ["reporter"]
    assert_bilingual(fields["reporter"])


def test_empty_contacts_count_as_none():
    body = changed(changed(REPORT, "reporter.email", ""), "reporter.phone", "")
    assert "reporter" in refused(schemas.ReportIn, body)
    only_phone = schemas.parse(schemas.ReportIn, changed(REPORT, "reporter.email", ""))
    assert only_phone.reporter.email is None


def test_every_wrong_field_is_reported_at_once():
    body = changed(changed(changed(REPORT, "kind", "x"), "location.province_code", "x"), "reporter.phone", "1")
    assert {"kind", "location.province_code", "reporter.phone"} <= set(refused(schemas.ReportIn, body))


def test_a_boolean_is_not_a_coordinate():
    fields = refused(schemas.ReportIn, changed(REPORT, "location.lat", True))
    assert "location.lat" in fields


# ---- staff entries ------------------------------------------------------------------------------
STAFF_CASES = [
    ("received_at", DELETE, "received_at"),
    ("received_at", "2024-12-20T08:00:00", "received_at"),   # naive: which zone?
    ("received_at", "kemarin", "received_at"),
    ("channel", "pigeon", "channel"),
    ("channel", DELETE, "channel"),
    ("title", "abc", "title"),
]


FIELD_CASES = [(schemas.ReportIn, REPORT, *case) for case in REPORT_CASES] + [
    (schemas.StaffReportIn, STAFF_REPORT, *case) for case in STAFF_CASES]


@pytest.mark.parametrize("model,base,path,value,field", FIELD_CASES, ids=[
    f"{m.__name__}:{p}=" + (f"{v!r:.20}" if v is not DELETE else "missing") for m, _, p, v, _ in FIELD_CASES])
def test_a_bad_report_field_is_named_in_the_error(model, base, path, value, field):
    fields = refused(model, changed(base, path, value))
    assert field in fields, fields
    assert_bilingual(fields[field])


@pytest.mark.parametrize("channel", ["web", "api", "sms", "whatsapp", "email", "call_centre", "social_media",
                                     "suggestion_box", "walk_in", "mobile_app"])
def test_staff_may_record_every_channel(channel):
    assert schemas.parse(schemas.StaffReportIn, {**STAFF_REPORT, "channel": channel}).channel == channel


# ---- contacts -----------------------------------------------------------------------------------
@pytest.mark.parametrize("typed", [
    "081234567890", "0812-3456-7890", "(0812) 3456-7890", "+62 812 3456 7890", "6281234567890",
    "+6281234567890", "81234567890", " 0812 3456 7890 ",
])
def test_indonesian_phone_numbers_are_normalised_to_e164(typed):
    body = schemas.parse(schemas.ReportIn, changed(REPORT, "reporter.phone", typed))
    assert body.reporter.phone == "+6281234567890"


def test_a_jakarta_landline_is_normalised_too():
    body = schemas.parse(schemas.ReportIn, changed(REPORT, "reporter.phone", "021-1234567"))
    assert body.reporter.phone == "+62211234567"


@pytest.mark.parametrize("typed", ["0812345", "08123456789012345", "+62", "telepon saya", "0062 812 3456 7890"])
def test_impossible_phone_numbers_are_refused(typed):
    assert "reporter.phone" in refused(schemas.ReportIn, changed(REPORT, "reporter.phone", typed))


def test_a_phone_number_with_letters_is_refused():
    assert "reporter.phone" in refused(schemas.ReportIn, changed(REPORT, "reporter.phone", "0812-CALL-ME-NOW"))


def test_an_email_is_normalised():
    body = schemas.parse(schemas.ReportIn, changed(REPORT, "reporter.email", "Siti@Contoh.ID"))
    assert body.reporter.email == "Siti@contoh.id"


def test_lengths_count_what_was_sent_and_what_is_kept_is_trimmed():
    """The document's minLength counts the characters sent (a fuzz found 400s for valid titles)."""
    body = schemas.parse(schemas.ReportIn, changed(REPORT, "title", "\u00a0Abcd "))
    assert body.title == "Abcd"
    with pytest.raises(InvalidInput):  # but white space alone is no title
        schemas.parse(schemas.ReportIn, changed(REPORT, "title", "      "))


# ---- staff actions ------------------------------------------------------------------------------
VALID_ACTIONS = [
    ({"action": "dispatch", "agency_id": "pemko-medan"}, schemas.DispatchIn),
    ({"action": "dispatch", "agency_id": "pemko-medan", "message": "Segera"}, schemas.DispatchIn),
    ({"action": "postpone", "message": "Lokasi kurang jelas"}, schemas.PostponeIn),
    ({"action": "archive", "reason": "duplicate"}, schemas.ArchiveIn),
    ({"action": "assign", "unit_id": "dishub-medan"}, schemas.AssignIn),
    ({"action": "reroute", "message": "Bukan wewenang kami"}, schemas.RerouteIn),
    ({"action": "respond", "message": "Sedang ditangani"}, schemas.RespondIn),
    ({"action": "final_answer", "message": "Sudah diperbaiki"}, schemas.FinalAnswerIn),
    ({"action": "set_field_inspection", "required": False}, schemas.FieldInspectionIn),
    ({"action": "correct", "kind": "aspiration", "anonymous": True}, schemas.CorrectIn),
]


@pytest.mark.parametrize("body,model", VALID_ACTIONS, ids=[b["action"] for b, _ in VALID_ACTIONS])
def test_each_action_body_parses_into_its_own_model(body, model):
    assert isinstance(schemas.parse(None, body, envelope=True), model)


@pytest.mark.parametrize("reason", ["incomplete", "out_of_scope", "duplicate", "spam", "not_public_service"])
def test_every_archive_reason_is_accepted(reason):
    assert schemas.parse(None, {"action": "archive", "reason": reason}, envelope=True).reason == reason


ACTION_CASES = [
    ({}, "action"),
    ({"message": "x"}, "action"),
    ({"action": "approve"}, "action"),
    ({"action": "submit"}, "action"),
    ({"action": 5}, "action"),
    ({"action": ["dispatch"]}, "action"),
    ({"action": {"name": "dispatch"}}, "action"),
    ({"action": "dispatch"}, "agency_id"),
    ({"action": "dispatch", "agency_id": "Pemko Medan"}, "agency_id"),
    ({"action": "dispatch", "agency_id": "pemko-medan", "message": "x" * 5001}, "message"),
    ({"action": "dispatch", "agency_id": "pemko-medan", "unit_id": "dishub-medan"}, "unit_id"),
    ({"action": "postpone"}, "message"),
    ({"action": "postpone", "message": "   "}, "message"),
    ({"action": "postpone", "message": "x" * 5001}, "message"),
    ({"action": "archive"}, "reason"),
    ({"action": "archive", "reason": "boring"}, "reason"),
    ({"action": "assign"}, "unit_id"),
    ({"action": "assign", "unit_id": "Dinas Perhubungan"}, "unit_id"),
    ({"action": "reroute", "message": ""}, "message"),
    ({"action": "respond"}, "message"),
    ({"action": "respond", "message": 42}, "message"),
    ({"action": "final_answer", "message": None}, "message"),
    ({"action": "set_field_inspection"}, "required"),
    ({"action": "set_field_inspection", "required": "true"}, "required"),
    ({"action": "set_field_inspection", "required": 1}, "required"),
    ({"action": "correct", "title": "abc"}, "title"),
    ({"action": "correct", "kind": "praise"}, "kind"),
    ({"action": "correct", "category_id": "Lampu Jalan"}, "category_id"),
    ({"action": "correct", "anonymous": "yes"}, "anonymous"),
    ({"action": "correct", "status": "completed"}, "status"),    # nothing else of the report is settable
    ({"action": "correct", "agency_id": "pemko-batam"}, "agency_id"),
]


@pytest.mark.parametrize("body,field", ACTION_CASES, ids=[f"{b}"[:60] for b, _ in ACTION_CASES])
def test_a_bad_action_field_is_named_without_the_union_tag(body, field):
    fields = refused(None, body, envelope=True)
    assert field in fields, fields
    assert not any(key.split(".")[0] in schemas._ACTION_TAGS for key in fields), fields
    assert_bilingual(fields[field])


# ---- the reporter's reply -----------------------------------------------------------------------
def test_a_reply_may_carry_a_message_an_acceptance_and_a_rating():
    body = schemas.parse(schemas.ReplyIn, {"message": "Terima kasih", "accept": True, "rating": 5})
    assert (body.message, body.accept, body.rating) == ("Terima kasih", True, 5)
    assert schemas.parse(schemas.ReplyIn, {}).model_dump() == {"message": None, "accept": None, "rating": None}


REPLY_CASES = [
    ({"accept": "yes"}, "accept"),
    ({"accept": 1}, "accept"),
    ({"rating": 0}, "rating"),
    ({"rating": 6}, "rating"),
    ({"rating": "5"}, "rating"),
    ({"rating": 4.5}, "rating"),
    ({"rating": True}, "rating"),
    ({"message": "x" * 5001}, "message"),
    ({"message": ["a"]}, "message"),
    ({"access_code": "ABCDEFGH12"}, "access_code"),
]


@pytest.mark.parametrize("body,field", REPLY_CASES, ids=[f"{b}"[:40] for b, _ in REPLY_CASES])
def test_a_bad_reply_field_is_named_in_the_error(body, field):
    fields = refused(schemas.ReplyIn, body)
    assert field in fields, fields
    assert_bilingual(fields[field])


# ---- the body itself ----------------------------------------------------------------------------
@pytest.mark.parametrize("body", [None, [], ["kind"], "laporan", 42, True], ids=repr)
@pytest.mark.parametrize("model,envelope", [(schemas.ReportIn, False), (schemas.ReplyIn, False), (None, True)],
                         ids=["report", "reply", "action"])
def test_a_body_that_is_not_a_json_object_is_refused(body, model, envelope):
    assert refused(model, body, envelope=envelope) == {}


def test_an_error_names_fields_with_dots_and_never_the_envelope():
    fields = refused(None, {"action": "dispatch", "agency_id": "X"}, envelope=True)
    assert list(fields) == ["agency_id"]
    fields = refused(schemas.ReportIn, changed(REPORT, "location.lat", 99.0))
    assert list(fields) == ["location.lat"]


def test_a_received_at_outside_any_plausible_range_is_refused():
    fields = refused(schemas.StaffReportIn, changed(STAFF_REPORT, "received_at", "0001-01-01T00:00:00+08:00"))
    assert "received_at" in fields


# ---- admin settings -----------------------------------------------------------------------------
def test_a_calendar_override_is_a_date_and_a_strict_working_flag():
    body = schemas.parse(schemas.CalendarOverrideIn, {"date": "2025-04-08", "working": False, "note": "SKB baru"})
    assert (body.date, body.working) == (dt.date(2025, 4, 8), False)
    fields = refused(schemas.CalendarOverrideIn, {"date": "8 April", "working": "no", "note": "x" * 201, "x": 1})
    assert set(fields) == {"date", "working", "note", "x"}


def test_a_whole_number_written_with_a_decimal_point_is_that_integer():
    """JSON has one number type; the document's `integer` admits 5.0, so the API does too."""
    assert schemas.parse(schemas.ReplyIn, {"rating": 5.0}).rating == 5
    assert schemas.parse(schemas.SlaOverrideIn, {"limits": {"verification": 2.0}}).limits == {"verification": 2}


def test_sla_override_limits_are_strict_integers():
    assert schemas.parse(schemas.SlaOverrideIn, {"limits": {"verification": 2}}).limits == {"verification": 2}
    assert "limits.verification" in refused(schemas.SlaOverrideIn, {"limits": {"verification": "2"}})
    assert "limits" in refused(schemas.SlaOverrideIn, {"limits": [2]})
    assert "limits" in refused(schemas.SlaOverrideIn, {"limits": {f"k{i}": 1 for i in range(21)}})
