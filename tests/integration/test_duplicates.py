"""Merging duplicates (issue 14) through HTTP against moto: mark_duplicate links both reports in one
transaction, the duplicate's reporter and supporters follow the original (their messages checked at
moto's SES and SNS), the original's count grows without counting anyone twice, and the undo."""
from __future__ import annotations

from tests.integration.test_support import CENTRAL, DISHUB, MEDAN, code_in, mails, published, texts
from tests.integration.proof_support import tick


def _verified(api, tid: str, email: str) -> None:
    assert api.post(f"/reports/{tid}/supports", {"email": email})[0] == 202
    status, body = api.post(f"/reports/{tid}/supports/verify", {"email": email, "code": code_in(email)})
    assert status == 201, body


def _status_mails(to: str) -> list[str]:
    return [subject for recipient, subject, _body in mails() if recipient.lower() == to and "Status" in subject]


def _status_texts(to: str) -> list[str]:
    return [text for phone, text in texts() if phone == to and "Stop:" in text]


def test_a_merge_walk_moves_followers_and_counts_and_its_undo_gives_them_back(api):
    original = published(api, title="Lampu jalan padam di Jalan Sisingamangaraja",
                         reporter={"name": "Ani", "email": "ani@example.com"})
    duplicate = published(api, title="Lampu PJU mati di Jl. Sisingamangaraja",
                          reporter={"name": "Budi", "email": "budi@example.com", "phone": "0812-7000-0001"})
    _verified(api, original, "sama@example.com")          # supports both: counted once on the original
    _verified(api, duplicate, "sama@example.com")
    _verified(api, duplicate, "dukung@example.com")
    assert api.post(f"/reports/{duplicate}/supports", {})[0] == 201  # an anonymous one
    assert api.get(f"/reports/{duplicate}")[1]["supporter_count"] == 3

    tick(60)
    view = api.act(duplicate, MEDAN, "mark_duplicate", of=original.lower().replace("-", " "))  # as people type it
    assert (view["status"], view["archive_reason"], view["duplicate_of"]) == ("archived", "duplicate", original)
    assert view["allowed_actions"] == ["unmark_duplicate"]
    assert not any(c["open"] for c in view["stage_clocks"])  # its deadlines stopped
    merged = api.get(f"/reports/{original}")[1]
    assert merged["duplicates"] == [duplicate]
    assert merged["supporter_count"] == 1 + 3  # Budi, dukung@ and the anonymous one; sama@ already supported
    assert merged["timeline"][-1]["action"] == "mark_duplicate"
    assert api.get(f"/reports/{duplicate}")[1]["duplicate_of"] == original
    # the duplicate's side, at moto: its reporter is told where it went, its followers of the archive
    assert [s for r, s, _b in mails() if r == "budi@example.com" and "digabung" in s]
    assert [t for p, t in texts() if p == "+6281270000001" and original in t]
    assert len(_status_mails("dukung@example.com")) == 1 and "Diarsipkan" in _status_mails("dukung@example.com")[0]
    # support now goes to the original
    assert api.post(f"/reports/{duplicate}/supports", {})[0] == 409

    tick(60)
    api.act(original, MEDAN, "assign", unit_id="pemkot-medan.dishub")
    for person in ("sama@example.com", "dukung@example.com"):
        assert len([s for s in _status_mails(person) if "Terdisposisi ke unit" in s]) == 1, person  # once each
    budi = [s for r, s, _b in mails() if r == "budi@example.com" and "Terdisposisi ke unit" in s]
    assert len(budi) == 1 and len(_status_texts("+6281270000001")) == 1
    assert not [s for r, s, _b in mails() if r == "ani@example.com" and "Status" in s]  # the reporter hears as reporter

    tick(60)
    view = api.act(duplicate, CENTRAL, "unmark_duplicate")
    assert (view["status"], view["archive_reason"], view["duplicate_of"]) == ("dispatched", None, None)
    assert any(c["open"] for c in view["stage_clocks"])
    back = api.get(f"/reports/{original}")[1]
    assert (back["duplicates"], back["supporter_count"]) == ([], 1)
    tick(60)
    api.act(original, DISHUB, "respond", message="Petugas mengganti lampu besok.")
    assert len([s for s in _status_mails("sama@example.com") if "Ditindaklanjuti" in s]) == 1
    assert not [s for s in _status_mails("dukung@example.com") if "Ditindaklanjuti" in s]
    assert not [s for r, s, _b in mails() if r == "budi@example.com" and "Ditindaklanjuti" in s]
    # the duplicate is a report again: its own supporters count there, and it can be merged again
    assert api.get(f"/reports/{duplicate}")[1]["supporter_count"] == 3
    # its reporter's rows follow nothing now: supporting it asks for a code like anyone's
    assert api.post(f"/reports/{duplicate}/supports", {"email": "budi@example.com"})[0] == 202
    api.act(duplicate, CENTRAL, "mark_duplicate", of=original)
    assert api.get(f"/reports/{original}")[1]["supporter_count"] == 4


def test_who_may_merge_and_what_is_refused(api):
    original = published(api, reporter={"name": "Ani", "email": "ani@example.com"})
    duplicate = published(api, reporter={"name": "Budi", "email": "budi@example.com"})
    batam = api.submit(location={"province_code": "21", "regency_code": "21.71"})["tracking_id"]
    tick()
    api.act(batam, CENTRAL, "dispatch", agency_id="pemkot-batam")
    # an agency admin within its own agency only; the other report is as unknown as a wrong id
    status, body = api.post(f"/staff/reports/{duplicate}/actions", {"action": "mark_duplicate", "of": batam}, user=MEDAN)
    assert status == 422 and body["error"]["fields"] == {"of": "tidak ditemukan / not found"}
    assert api.post(f"/staff/reports/{duplicate}/actions", {"action": "mark_duplicate", "of": "ZZZZ-ZZZZ"},
                    user=MEDAN)[0] == 422
    assert api.post(f"/staff/reports/{duplicate}/actions", {"action": "mark_duplicate", "of": duplicate},
                    user=CENTRAL)[0] == 422
    assert api.post(f"/staff/reports/{duplicate}/actions", {"action": "mark_duplicate"}, user=CENTRAL)[0] == 400
    assert api.post(f"/staff/reports/{duplicate}/actions", {"action": "mark_duplicate", "of": original},
                    user=DISHUB)[0] == 404  # not the unit's report (scope first)
    assert api.post(f"/staff/reports/{duplicate}/actions", {"action": "unmark_duplicate"}, user=CENTRAL)[0] == 409
    unpublished = api.submit()["tracking_id"]
    assert api.post(f"/staff/reports/{duplicate}/actions", {"action": "mark_duplicate", "of": unpublished},
                    user=CENTRAL)[0] == 422
    # a report merged into the original: the original itself cannot become a duplicate now
    api.act(duplicate, CENTRAL, "mark_duplicate", of=original)
    third = published(api)
    assert api.post(f"/staff/reports/{original}/actions", {"action": "mark_duplicate", "of": third},
                    user=CENTRAL)[0] == 409
    # once the original is closed, the merge stands
    from tests.integration.proof_support import bare_deps

    deps = bare_deps()
    report = deps.reports.get(original)
    from chalicelib.domain.lifecycle import Status

    report.status = Status.COMPLETED
    deps.reports.save(report)
    assert api.post(f"/staff/reports/{duplicate}/actions", {"action": "unmark_duplicate"}, user=CENTRAL)[0] == 409


def test_statistics_follow_the_merge(api):
    original = published(api, reporter={"name": "Ani", "email": "ani@example.com"})
    duplicate = published(api, reporter={"name": "Budi", "email": "budi@example.com"})
    api.act(duplicate, CENTRAL, "mark_duplicate", of=original)
    status, stats = api.get("/staff/statistics?from=2024-12&to=2024-12", user=CENTRAL)
    assert status == 200
    import json

    text = json.dumps(stats)
    assert '"supporters": 1' in text and '"archived": 1' in text
