"""GET /staff/officers: the contact rows the caller may edit, listed so the console need not ask
for a username: an agency admin its agency's, the central admin everyone's, paged by the
directory's role/scope partitions."""
from __future__ import annotations

from tests.integration.proof_support import api, world  # noqa: F401 (fixtures)

C, M, H, S = "admin.pusat", "admin.medan", "penghubung.dishub.medan", "admin.sumut"


def _walk(api, user, limit):
    rows, cursor, pages = [], None, 0
    while True:
        status, body = api.get(f"/staff/officers?limit={limit}" + (f"&cursor={cursor}" if cursor else ""), user=user)
        assert status == 200, body
        rows += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return rows, pages


def test_an_agency_admin_lists_exactly_its_agencys_admins_and_liaison_officers(api):
    rows, _ = _walk(api, M, 200)
    names = {r["username"] for r in rows}
    assert {"admin.medan", "penghubung.dishub.medan", "penghubung.dlh.medan"} <= names
    assert all(r["agency_id"] == "pemkot-medan" and r["role"] in ("agency_admin", "liaison_officer") for r in rows)


def test_the_central_admin_pages_through_every_row_once(api):
    everyone, one_page = _walk(api, C, 200)
    assert one_page == 1
    usernames = [r["username"] for r in everyone]
    assert len(usernames) == len(set(usernames))
    assert {"admin.pusat", "admin.sumut", "admin.kepri", "admin.medan", "penghubung.dlh.medan"} <= set(usernames)
    paged, pages = _walk(api, C, 1)
    assert paged == everyone and pages > 3
    sumut = next(r for r in everyone if r["username"] == "admin.sumut")
    assert (sumut["role"], sumut["province_code"]) == ("provincial_admin", "12")


def test_others_may_not_list_and_a_cursor_must_name_a_partition_of_theirs(api):
    for user in (H, S):
        status, body = api.get("/staff/officers", user=user)
        assert (status, body["error"]["code"]) == (403, "forbidden")
    status, body = api.get("/staff/officers?cursor=liaison_officer~pemkot-batam.dishub", user=M)
    assert status == 422 and body["error"]["fields"] == {"cursor": "tidak dikenal / not recognised"}
