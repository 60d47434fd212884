"""My queue: the caller's open work by nearest deadline, with its counts. Parse, call, map."""
from __future__ import annotations

from chalice import Blueprint

from .. import wiring
from ..domain.worklist import QUEUE_CURSOR_PATTERN, QUEUE_STATUSES
from ..http import Query, staff_only
from ..services import views
from ..services.calendar import current_calendar
from .reports import LIST_PARAMS, list_filters

bp = Blueprint(__name__)
staff = staff_only(bp)

QUEUE_PARAMS = LIST_PARAMS | {"within"}
MAX_WITHIN = 60  # working days: the longest limit a stage has


@bp.route("/staff/queue", methods=["GET"])
@staff
def my_queue(who):
    from ..services import queue

    q = Query(bp.current_request.query_params, QUEUE_PARAMS)
    q.str("status", QUEUE_STATUSES)  # a closed or reporter-side status is refused, not answered empty
    filters = list_filters(q)
    deps, now = wiring.deps(), wiring.now()
    page = queue.my_queue(deps, who, filters, filters.overdue, q.int("within", None, 0, MAX_WITHIN),
                          q.int("limit", 50, 1, 200), q.str("cursor", max_len=32, pattern=QUEUE_CURSOR_PATTERN), now)
    calendar = current_calendar(deps.settings)
    return {"items": [views.staff_summary(r, who, deps.directory, now, calendar) for r in page.items],
            "next_cursor": page.next_cursor, "counts": page.counts}
