"""Support ("dukung", issue 14) through HTTP against moto: anonymous and verified supports, their
idempotence and limits, followers told of status changes (at moto's SES and SNS) with a working
opt-out link, statistics counting supporters."""
from __future__ import annotations

import re

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from chalicelib import config
from tests.integration.proof_support import tick

REGION = "ap-southeast-3"
CENTRAL, MEDAN, DISHUB = "admin.pusat", "admin.medan", "penghubung.dishub.medan"


def mails() -> list[tuple[str, str, str]]:
    """(recipient, subject, body) of every e-mail moto's SES accepted."""
    return [(m.destinations["ToAddresses"][0], m.subject, m.body)
            for m in ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages]


def texts() -> list[tuple[str, str]]:
    return list(sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values())


def published(api, **overrides) -> str:
    tid = api.submit(**overrides)["tracking_id"]
    tick()
    api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")
    tick()
    return tid


def code_in(recipient: str) -> str:
    found = [body for to, _subject, body in mails() if to.lower() == recipient] + \
            [text for phone, text in texts() if phone == recipient]
    assert found, f"no message to {recipient}"
    return re.search(r"\b(\d{6})\b", found[-1]).group(1)


def test_an_anonymous_support_counts_once_and_shows_on_the_public_and_staff_views(api):
    tid = published(api)
    status, body = api.post(f"/reports/{tid}/supports", {})
    assert status == 201 and body == {"tracking_id": tid, "status": "counted", "supporter_count": 1}
    status, again = api.post(f"/reports/{tid}/supports", {})
    assert status == 200 and again["supporter_count"] == 1  # the same client: idempotent
    assert api.get(f"/reports/{tid}")[1]["supporter_count"] == 1
    assert api.get(f"/staff/reports/{tid}", user=CENTRAL)[1]["supporter_count"] == 1
    items = api.get("/staff/reports", user=MEDAN)[1]["items"]
    assert [i["supporter_count"] for i in items if i["tracking_id"] == tid] == [1]


def test_a_support_by_e_mail_counts_only_once_its_code_is_entered(api):
    tid = published(api)
    status, body = api.post(f"/reports/{tid}/supports", {"email": "Warga@Example.com"})
    assert status == 202 and body["status"] == "pending" and body["supporter_count"] == 0
    code = code_in("warga@example.com")
    wrong = "000000" if code != "000000" else "111111"
    status, err = api.post(f"/reports/{tid}/supports/verify", {"email": "warga@example.com", "code": wrong})
    assert status == 422 and err["error"]["fields"] == {"code": "salah / wrong"}
    status, ok = api.post(f"/reports/{tid}/supports/verify", {"email": "warga@example.com", "code": code})
    assert status == 201 and ok["supporter_count"] == 1
    # twice, by any door: counted once, and no new code is sent
    sent = len(mails())
    assert api.post(f"/reports/{tid}/supports/verify", {"email": "warga@example.com", "code": code})[0] == 200
    assert api.post(f"/reports/{tid}/supports", {"email": "WARGA@example.com"}) == (
        200, {"tracking_id": tid, "status": "counted", "supporter_count": 1})
    assert len(mails()) == sent


def test_a_code_expires_and_wrong_codes_are_limited(api):
    tid = published(api)
    api.post(f"/reports/{tid}/supports", {"phone": "0812-7777-0001"})
    code = code_in("+6281277770001")
    wrong = "000000" if code != "000000" else "111111"
    answers = [api.post(f"/reports/{tid}/supports/verify", {"phone": "081277770001", "code": wrong})[0]
               for _ in range(5)]
    assert answers == [422, 422, 422, 422, 429]
    assert api.post(f"/reports/{tid}/supports/verify", {"phone": "081277770001", "code": code})[0] == 429
    tick(60)
    api.post(f"/reports/{tid}/supports", {"phone": "0812-7777-0001"})  # a new code, fresh tries
    fresh = code_in("+6281277770001")
    api.platform.clock.advance(minutes=31)
    status, err = api.post(f"/reports/{tid}/supports/verify", {"phone": "081277770001", "code": fresh})
    assert status == 422 and err["error"]["fields"]["code"].startswith("kedaluwarsa")
    assert api.get(f"/reports/{tid}")[1]["supporter_count"] == 0


def test_only_open_public_reports_take_support_and_bad_input_is_a_clear_4xx(api):
    unpublished = api.submit()["tracking_id"]
    assert api.post(f"/reports/{unpublished}/supports", {})[0] == 404
    assert api.post("/reports/AAAA-BBBB/supports", {})[0] == 404
    tid = published(api)
    status, err = api.post(f"/reports/{tid}/supports", {"email": "a@example.com", "phone": "081277770001"})
    assert status == 400 and "bukan keduanya" in err["error"]["fields"]["body"]
    assert api.post(f"/reports/{tid}/supports", {"email": "not-an-address"})[0] == 400
    assert api.post(f"/reports/{tid}/supports/verify", {"code": "123456"})[0] == 400
    status, err = api.post(f"/reports/{tid}/supports/verify", {"email": "a@example.com", "code": "123456"})
    assert status == 422 and err["error"]["fields"] == {"code": "minta kode / ask for a code"}
    assert api.get("/supports/opt-out?token=bad")[0] == 400


def test_the_per_client_limit_answers_429(api):
    tid = published(api)
    limit = config.settings().supports_per_client_per_hour
    answers = [api.post(f"/reports/{tid}/supports", {})[0] for _ in range(limit + 1)]
    assert answers[0] == 201 and answers[1:limit] == [200] * (limit - 1) and answers[limit] == 429


def test_followers_get_each_status_change_with_an_opt_out_link_that_works(api):
    tid = published(api)
    api.post(f"/reports/{tid}/supports", {"email": "pengikut@example.com"})
    api.post(f"/reports/{tid}/supports/verify", {"email": "pengikut@example.com", "code": code_in("pengikut@example.com")})
    api.post(f"/reports/{tid}/supports", {"phone": "0812-7777-0002"})
    api.post(f"/reports/{tid}/supports/verify", {"phone": "081277770002", "code": code_in("+6281277770002")})
    assert api.get(f"/reports/{tid}")[1]["supporter_count"] == 2
    tick()
    api.act(tid, MEDAN, "assign", unit_id="pemkot-medan.dishub")
    to_follower = [m for m in mails() if m[0] == "pengikut@example.com" and "Status" in m[1]]
    assert len(to_follower) == 1 and "Terdisposisi ke unit" in to_follower[0][1]
    sms = [t for p, t in texts() if p == "+6281277770002" and "Stop:" in t]
    assert len(sms) == 1 and len(sms[0]) <= 160
    token = re.search(r"opt-out\?token=([\w.-]+)", to_follower[0][2]).group(1)
    response = api.client.http.get(f"/supports/opt-out?token={token}", headers={"Accept": "text/html"})
    assert response.status_code == 200 and "tidak akan menerima kabar" in response.body.decode()
    assert api.get(f"/supports/opt-out?token={token}") == (200, {"tracking_id": tid, "opted_out": True})
    tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert api.get(f"/supports/opt-out?token={tampered}")[0] == 404
    tick()
    api.act(tid, DISHUB, "respond", message="Petugas meninjau lokasi.")
    assert len([m for m in mails() if m[0] == "pengikut@example.com" and "Status" in m[1]]) == 1  # opted out
    assert len([t for p, t in texts() if p == "+6281277770002" and "Stop:" in t]) == 2
    assert api.get(f"/reports/{tid}")[1]["supporter_count"] == 2  # opting out is not withdrawing support


def test_statistics_count_supporters(api):
    tid = published(api)
    api.post(f"/reports/{tid}/supports", {})
    status, stats = api.get("/staff/statistics?from=2024-12&to=2024-12", user=CENTRAL)
    assert status == 200, stats
    assert stats["totals"]["supporters"] == 1
    exported = api.client.http.get("/staff/statistics/export?format=csv&from=2024-12&to=2024-12",
                                   headers=api.platform.headers(CENTRAL))
    assert exported.status_code == 200
    header, total = exported.body.decode("utf-8-sig").splitlines()[:2]
    assert dict(zip(header.split(","), total.split(",")))["supporters"] == "1"


# ---- the staff list by support (slice 2) -------------------------------------------------------------
def _with_supporters(tid: str, count: int) -> None:
    """Sets a report's count directly (the list's order is under test here, not the support)."""
    from tests.integration.proof_support import bare_deps

    deps = bare_deps()
    report = deps.reports.get(tid)
    report.supporter_count = count
    deps.reports.save(report)


def test_the_staff_list_sorts_by_support_and_filters_by_a_minimum_within_the_callers_scope(api):
    counts = {published(api, title=f"Lampu jalan padam, laporan {n}"): n for n in (3, 0, 12, 7)}
    batam = api.submit(location={"province_code": "21", "regency_code": "21.71"})["tracking_id"]
    tick()
    api.act(batam, CENTRAL, "dispatch", agency_id="pemkot-batam")
    for tid, n in counts.items():
        _with_supporters(tid, n)
    _with_supporters(batam, 50)  # outside Medan's agency
    by_count = sorted((n, tid) for tid, n in counts.items() if n)[::-1]

    status, page = api.get("/staff/reports?sort=supported&limit=2", user=MEDAN)
    assert status == 200, page
    assert [(i["supporter_count"], i["tracking_id"]) for i in page["items"]] == by_count[:2]
    status, rest = api.get(f"/staff/reports?sort=supported&limit=2&cursor={page['next_cursor']}", user=MEDAN)
    assert [(i["supporter_count"], i["tracking_id"]) for i in rest["items"]] == by_count[2:]
    assert rest["next_cursor"] is None
    central = api.get("/staff/reports?sort=supported", user=CENTRAL)[1]["items"]
    assert [i["supporter_count"] for i in central] == [50, 12, 7, 3]  # nobody-supported reports are not in it

    status, body = api.get("/staff/reports?min_supporters=7", user=MEDAN)  # newest first, filtered
    assert sorted(i["supporter_count"] for i in body["items"]) == [7, 12]
    status, body = api.get("/staff/reports?sort=supported&min_supporters=7", user=CENTRAL)
    assert [i["supporter_count"] for i in body["items"]] == [50, 12, 7]


def test_the_support_order_refuses_what_it_does_not_know(api):
    for query in ("sort=popular", "min_supporters=-1", "min_supporters=x", "cursor=nope", "sort=supported&cursor=12_AB"):
        status, body = api.get(f"/staff/reports?{query}", user=CENTRAL)
        assert status == 400, (query, body)
    # a position of the other order: well formed, but not a position in this one
    for query in ("sort=supported&cursor=2024-12-20T03:00:00.000000Z_C0P7-RX82", "cursor=000000012_C0P7-RX82"):
        status, body = api.get(f"/staff/reports?{query}", user=CENTRAL)
        assert status == 422 and set(body["error"]["fields"]) == {"cursor"}, (query, body)


def test_followers_hear_of_what_the_clock_does_too(api):
    """The sweep's changes (here auto-complete) are report changes like any: followers are told."""
    import datetime as dt

    from scheduled.sweep import run_sweep

    tid = published(api)
    api.post(f"/reports/{tid}/supports", {"phone": "0812-7777-0003"})
    api.post(f"/reports/{tid}/supports/verify", {"phone": "081277770003", "code": code_in("+6281277770003")})
    for user, action, params in ((MEDAN, "assign", {"unit_id": "pemkot-medan.dishub"}),
                                 (DISHUB, "respond", {"message": "Kami tinjau."}),
                                 (DISHUB, "final_answer", {"message": "Sudah ditertibkan."})):
        tick(60)
        api.act(tid, user, action, **params)
    run_sweep(api.platform.clock() + dt.timedelta(days=30))
    assert api.get(f"/reports/{tid}")[1]["status"] == "completed"
    assert [t for p, t in texts() if p == "+6281277770003" and "Selesai" in t]
