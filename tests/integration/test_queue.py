"""GET /staff/queue: each role's open work, nearest open deadline first (late first), the counts
on the frozen clock with the working-day calendar, filters, paging, and what it reads: only the
scope's own open work, from that scope's sparse index."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.integration.proof_support import api, world  # noqa: F401 (fixtures)

C, M, H, L, S, K = ("admin.pusat", "admin.medan", "penghubung.dishub.medan", "penghubung.dlh.medan",
                    "admin.sumut", "admin.kepri")
MEDAN, BATAM = ("12", "12.71", "pemkot-medan"), ("21", "21.71", "pemkot-batam")

# Friday 2024-12-20 (the frozen START): 23 and 24 are working days, 25 a holiday, 26 cuti bersama.
# (tracking id, status, place of the location, handling agency's place, unit, nearest open deadline)
SCENE = [
    ("QA01-0001", "submitted", MEDAN, None, None, "2024-12-18"),
    ("QA02-0002", "dispatched", MEDAN, MEDAN, None, "2024-12-20"),
    ("QA03-0003", "assigned", MEDAN, MEDAN, "pemkot-medan.dishub", "2024-12-24"),
    ("QA04-0004", "assigned", MEDAN, MEDAN, "pemkot-medan.dlh", "2025-01-10"),
    ("QA05-0005", "assigned", BATAM, BATAM, "pemkot-batam.dishub", "2024-12-19"),
    ("QA06-0006", "dispatched", BATAM, MEDAN, None, "2024-12-23"),  # in Batam, handled by a Medan agency
    ("QA07-0007", "completed", MEDAN, MEDAN, "pemkot-medan.dishub", None),
    ("QA08-0008", "awaiting_reporter", MEDAN, MEDAN, "pemkot-medan.dishub", None),  # the reporter's turn
]
STAGE = {"submitted": "verification", "dispatched": "agency_review", "assigned": "first_response"}

EXPECTED = {
    C: (["QA01-0001", "QA05-0005", "QA02-0002", "QA06-0006", "QA03-0003", "QA04-0004"], (2, 1, 3)),
    M: (["QA02-0002", "QA06-0006", "QA03-0003", "QA04-0004"], (0, 1, 3)),
    H: (["QA03-0003"], (0, 0, 1)),
    L: (["QA04-0004"], (0, 0, 0)),
    S: (["QA01-0001", "QA02-0002", "QA06-0006", "QA03-0003", "QA04-0004"], (1, 1, 3)),
    K: (["QA05-0005", "QA06-0006"], (1, 0, 1)),
}


def _report(tid, status, place, agency_place, unit, due, n=0):
    from chalicelib.domain.ids import hash_access_code
    from chalicelib.domain.lifecycle import Status
    from chalicelib.domain.report import Location, Report, Reporter

    stage = STAGE.get(status, "completion")
    return Report(
        tracking_id=tid, access_code_hash=hash_access_code("X"), kind="complaint", title="Lampu jalan padam",
        description="Lampu jalan padam sejak dua minggu.", location=Location(place[0], place[1]),
        reporter=Reporter("Rina", phone="+6281200000000"), channel="web",
        received_at=dt.datetime(2024, 12, 2, 9, n % 60, tzinfo=dt.timezone.utc), status=Status(status),
        agency_id=agency_place[2] if agency_place else None,
        agency_province_code=agency_place[0] if agency_place else None, unit_id=unit,
        deadlines={stage: due or "2024-12-10"}, deadline_calendars={stage: "test"},
        stage_done={} if due else {stage: "2024-12-09T10:00:00+07:00"})


def seed(rows=SCENE):
    from chalicelib.adapters.store import ReportModel, to_model

    with ReportModel.batch_write() as batch:
        for n, row in enumerate(rows):
            batch.save(to_model(_report(*row, n=n)))


def queue(api, user, query="", expect=200):
    status, body = api.get(f"/staff/queue{query}", user=user)
    assert status == expect, body
    return body


def ids(body):
    return [item["tracking_id"] for item in body["items"]]


@pytest.mark.parametrize("user", [C, M, H, L, S, K])
def test_each_role_sees_exactly_its_open_work_nearest_deadline_first_with_its_counts(api, user):
    seed()
    body = queue(api, user)
    order, (late, today, soon) = EXPECTED[user]
    assert ids(body) == order
    assert body["counts"] == {"late": late, "due_today": today, "due_within_2_working_days": soon,
                              "as_of": "2024-12-20"}
    assert body["next_cursor"] is None
    first = body["items"][0] if body["items"] else None
    if first and first["tracking_id"] in ("QA01-0001", "QA05-0005"):
        assert first["next_due"]["late_working_days"] >= 1


def test_the_counts_follow_the_calendar_over_a_holiday_week(api):
    """On Monday the 23rd: the 20th is late, the 23rd due today, the 24th and (over the holiday
    and cuti bersama of the 25th and 26th) nothing else until the 27th is within 2 working days."""
    seed()
    api.platform.clock.set(dt.datetime(2024, 12, 23, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))))
    counts = queue(api, C)["counts"]
    assert counts == {"late": 3, "due_today": 1, "due_within_2_working_days": 2, "as_of": "2024-12-23"}


def test_filters_narrow_the_queue_the_late_and_within_views_use_the_calendar(api):
    seed()
    assert ids(queue(api, C, "?overdue=true")) == ["QA01-0001", "QA05-0005"]
    assert ids(queue(api, C, "?overdue=false")) == ["QA02-0002", "QA06-0006", "QA03-0003", "QA04-0004"]
    assert ids(queue(api, C, "?within=0")) == ["QA01-0001", "QA05-0005", "QA02-0002"]
    assert ids(queue(api, C, "?within=2")) == ["QA01-0001", "QA05-0005", "QA02-0002", "QA06-0006", "QA03-0003"]
    assert ids(queue(api, C, "?status=assigned")) == ["QA05-0005", "QA03-0003", "QA04-0004"]
    assert ids(queue(api, C, "?province_code=21")) == ["QA05-0005", "QA06-0006"]
    assert ids(queue(api, C, "?agency_id=pemkot-medan&status=dispatched")) == ["QA02-0002", "QA06-0006"]
    assert ids(queue(api, M, "?unit_id=pemkot-medan.dlh")) == ["QA04-0004"]
    outside = queue(api, M, "?agency_id=pemkot-batam")
    assert ids(outside) == [] and outside["counts"]["late"] == 0
    assert queue(api, C, "?within=61", expect=400)["error"]["fields"] == {"within": "bilangan 0–60 / integer 0–60"}
    for closed in ("completed", "archived", "postponed", "awaiting_reporter"):  # no officer's stage open there
        assert "status" in queue(api, C, f"?status={closed}", expect=400)["error"]["fields"]
    assert queue(api, C, "?cursor=2024-12-20T03:00:00.000000Z_QA01-0001", expect=400)["error"]["code"] == "invalid_input"


@pytest.mark.parametrize("user", [C, S])
def test_pages_follow_the_cursor_through_the_whole_order_counts_on_the_first(api, user):
    seed()
    seen, cursor, pages = [], None, 0
    while True:
        body = queue(api, user, "?limit=2" + (f"&cursor={cursor}" if cursor else ""))
        assert (body["counts"] is None) == (pages > 0)
        seen += ids(body)
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == EXPECTED[user][0]
    assert pages == -(-len(seen) // 2)


class Reads:
    """Items DynamoDB read (ScannedCount) for the Query calls made while it counts."""

    def __init__(self):
        from chalicelib.adapters.store import ReportModel

        self.events = ReportModel._get_connection().connection.client.meta.events
        self.items = self.scans = 0

    def __call__(self, parsed=None, **_):
        self.items += (parsed or {}).get("ScannedCount", 0)

    def scan(self, **_):
        self.scans += 1

    def __enter__(self):
        self.events.register("after-call.dynamodb.Query", self)
        self.events.register("after-call.dynamodb.Scan", self.scan)
        return self

    def __exit__(self, *exc):
        self.events.unregister("after-call.dynamodb.Query", self)
        self.events.unregister("after-call.dynamodb.Scan", self.scan)


def test_a_queue_reads_only_its_scopes_open_work_whatever_the_rest_of_the_country_holds(api):
    """200 closed reports and 60 open ones in Aceh: a unit's, an agency's and the provinces' queues
    read their own open work once for the page and, for the counts, what of it is late or due
    within 2 working days: nothing else."""
    rows = list(SCENE)
    rows += [(f"QB00-{n:04d}", "completed", MEDAN, MEDAN, "pemkot-medan.dishub", None) for n in range(200)]
    rows += [(f"QC00-{n:04d}", "submitted", ("11", "11.71", None), None, None, "2024-12-23") for n in range(60)]
    seed(rows)
    for user in (H, M, S, K):
        order, (late, _today, soon) = EXPECTED[user]
        with Reads() as reads:
            body = queue(api, user)
        assert ids(body) == order
        assert reads.scans == 0
        assert reads.items == len(order) + late + soon, user
