"""My queue: the caller's open work, nearest open deadline first (late first), with the counts
the console shows at the top, from the scope's own sparse index (adapters.store.open_work)."""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..domain.calendar import to_wib_date
from ..domain.roles import Principal
from ..domain.worklist import count_ranges, queue_counts, queue_cursor, queue_position, queue_range
from .calendar import current_calendar
from .reports import Deps, ListFilters, list_query


@dataclass
class QueuePage:
    items: list
    next_cursor: str | None
    counts: dict[str, Any] | None  # on the first page only: they do not change with the position


def my_queue(deps: Deps, principal: Principal, f: ListFilters, late: bool | None, within: int | None,
             limit: int, cursor: str | None, now: dt.datetime) -> QueuePage:
    """`f` are GET /staff/reports' filters; `late` (its `overdue`) and `within` (working days)
    narrow the due range with the calendar in force, and the counts ignore both."""
    query = list_query(principal, dataclasses.replace(f, overdue=None))
    calendar, today = current_calendar(deps.settings), to_wib_date(now)
    ranges = count_ranges(calendar, today)
    if query is None:  # filters outside the caller's scope: nothing, counted as nothing
        items, last, sizes = [], None, dict.fromkeys(ranges, 0)
    else:
        due = queue_range(calendar, today, late, within, queue_position(cursor) if cursor else None)
        items, last = deps.reports.open_work(query, due, limit)
        sizes = deps.reports.count_open_work(query, ranges) if cursor is None else None
    counts = {**queue_counts(sizes), "as_of": today.isoformat()} if cursor is None else None
    return QueuePage(items, queue_cursor(last) if last else None, counts)
