"""Public browsing's reads (issue 14): one Query of one sparse index per page.

Access patterns (README, "Public browsing"): only public reports carry the hash keys of these
indexes (store.to_model sets them from Report.is_public), so no read ever meets an unpublished or
confidential report.

| asked for                          | index (hash → range)                          | key condition        |
|------------------------------------|-----------------------------------------------|----------------------|
| newest, a regency                  | by_public_regency (public_regency → received_key)   | place, period  |
| newest, a province                 | by_public_province (public_province → received_key) | place, period  |
| newest, the country                | by_public_received (public_bucket → received_key)   | period         |
| most supported                     | by_public_supported (public_bucket → supporter_count) | —            |

Every other filter (category, agency, status, kind; place and period when sorting by support) is
a filter on a Query whose read is capped at PAGE_READ items: the page's cost is bounded whatever
the table holds. The cursor is the position where the read stopped, handed back to DynamoDB as the
exclusive start key.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..domain.browse import PAGE_READ, SUPPORTED_CURSOR_PATTERN, PublicQuery
from ..domain.errors import InvalidInput
from ..domain.report import Report
from .store import PUBLIC_BUCKET, ReportModel, _and, decode_cursor, encode_cursor, from_model


@dataclass
class BrowsePage:
    items: list[Report]
    next_cursor: str | None
    read: int  # items the Query evaluated (DynamoDB's ScannedCount): what the page cost


def _source(q: PublicQuery):
    """(index, hash attribute, hash value, range key condition, filter) for the query."""
    equals = q.equals()
    if q.sort == "supported":
        index, hash_attr, hash_value, rk = ReportModel.by_public_supported, "public_bucket", PUBLIC_BUCKET, None
        cond = None
        if q.received_from or q.received_to:
            low, high = q.received_from or "", q.received_to or "~"
            cond = ReportModel.received_key.between(low, high)
    else:
        place = q.place_key()
        if place is None:
            index, hash_attr, hash_value = ReportModel.by_public_received, "public_bucket", PUBLIC_BUCKET
        else:
            hash_attr, hash_value = place
            index = ReportModel.by_public_regency if hash_attr == "public_regency" else ReportModel.by_public_province
            equals.pop("regency_code" if hash_attr == "public_regency" else "province_code")
            if hash_attr == "public_regency":
                equals.pop("province_code", None)  # implied by the regency (contradictions never read)
        key = ReportModel.received_key
        if q.received_from and q.received_to:
            rk = key.between(q.received_from, q.received_to)  # keys are "<time>#<id>": never equal to a bound
        elif q.received_from:
            rk = key >= q.received_from
        elif q.received_to:
            rk = key < q.received_to
        else:
            rk = None
        cond = None
    for attr, value in sorted(equals.items()):
        cond = _and(cond, getattr(ReportModel, attr) == value)
    return index, hash_attr, hash_value, rk, cond


def _start_key(q: PublicQuery, hash_attr: str, hash_value: str, cursor: str | None) -> dict[str, Any] | None | bool:
    """The exclusive start key of a cursor; False when the cursor lies past the period's end."""
    if cursor is None:
        return None
    if q.sort == "supported":
        if not re.fullmatch(SUPPORTED_CURSOR_PATTERN, cursor):
            raise InvalidInput("Kursor tidak valid", "Invalid cursor", {"cursor": "tidak dikenal / not recognised"})
        count, tid = cursor.split("_", 1)
        return {"tracking_id": {"S": tid}, "public_bucket": {"S": PUBLIC_BUCKET}, "supporter_count": {"N": str(int(count))}}
    key = decode_cursor(cursor)
    if q.received_from and key < q.received_from:
        return False  # older than the period: nothing follows
    if q.received_to and key > q.received_to:
        return None  # newer than the period: the whole period follows
    return {"tracking_id": {"S": key.split("#", 1)[1]}, "received_key": {"S": key}, hash_attr: {"S": hash_value}}


def _position(q: PublicQuery, m: ReportModel) -> str:
    if q.sort == "supported":
        return f"{int(m.supporter_count or 0)}_{m.tracking_id}"
    return encode_cursor(m.received_key)


def _position_of_key(q: PublicQuery, last: dict[str, Any]) -> str:
    if q.sort == "supported":
        return f"{int(last['supporter_count']['N'])}_{last['tracking_id']['S']}"
    return encode_cursor(last["received_key"]["S"])


def public_page(q: PublicQuery, limit: int, cursor: str | None) -> BrowsePage:
    """One page of public reports in the query's order: exactly one Query (none for a query that
    cannot match), reading limit+1 items, or PAGE_READ when filters sit on top of the key."""
    index, hash_attr, hash_value, rk, cond = _source(q)
    start = _start_key(q, hash_attr, hash_value, cursor)
    if start is False or q.contradictory():
        return BrowsePage([], None, 0)
    read = limit + 1 if cond is None else max(limit + 1, PAGE_READ)
    results = index.query(hash_value, range_key_condition=rk, filter_condition=cond, scan_index_forward=False,
                          page_size=read, last_evaluated_key=start)
    page = next(results.page_iter)  # one Query, whatever follows
    found = [ReportModel.from_raw_data(item) for item in page.get("Items", [])]
    last = page.get("LastEvaluatedKey")
    if len(found) > limit:
        found, next_cursor = found[:limit], _position(q, found[limit - 1])
    else:
        next_cursor = _position_of_key(q, last) if last else None
    return BrowsePage([from_model(m) for m in found], next_cursor, int(page.get("ScannedCount", 0)))


def open_topic_candidates(regency_code: str, category_id: str, since: str, limit: int) -> tuple[list[Report], int]:
    """The newest `limit` open public reports of a regency and category received since `since`
    (UTC ISO): one Query of the sparse `by_open_topic` index, so every item read is a candidate
    and the read is at most `limit` items whatever the region holds. (reports, items read)"""
    results = ReportModel.by_open_topic.query(f"{regency_code}#{category_id}", ReportModel.received_key >= since,
                                              scan_index_forward=False, page_size=limit)
    page = next(results.page_iter)
    found = [from_model(ReportModel.from_raw_data(item)) for item in page.get("Items", [])]
    return found, int(page.get("ScannedCount", 0))
