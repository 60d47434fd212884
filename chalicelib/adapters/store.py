"""DynamoDB storage through PynamoDB: reports, their append-only history, the directory
(agencies, units, categories) and settings (non-working days, SLA overrides).

Access patterns (README, "Storage") — every one a GetItem, a Query on a key or index, or a
TransactWriteItems; nothing on a request path scans.
"""
from __future__ import annotations

import re
import datetime as dt
import json
import copy
import random
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from aws_lambda_powertools import Logger
from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import DeleteError, DoesNotExist, TransactWriteError
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from ..domain.errors import Conflict, InvalidInput, NotFound
from ..domain.lifecycle import CLOSED, Status
from ..domain.messages import Change, Message
from ..domain.query import CURSOR_PATTERN, SUPPORT_CURSOR_PATTERN, ListQuery
from ..domain.staff import Assignment, StaffMember
from .dynamo import condition_failed, from_iso, index, iso, meta, transaction_conflict
from .outbox import ChangeModel, change_row
from ..domain.report import AgencyRef, Event, Location, Report, Reporter, UnitRef, Visibility


logger = Logger(child=True)


def received_key(received_at: dt.datetime, tracking_id: str) -> str:
    """Sort key of every list index: UTC time then id, so newest-first is one descending Query."""
    return f"{iso(received_at)}#{tracking_id}"


class ReportModel(Model):
    Meta = meta("reports")

    tracking_id = UnicodeAttribute(hash_key=True)
    received_key = UnicodeAttribute()
    status = UnicodeAttribute()
    agency_id = UnicodeAttribute(null=True)
    unit_id = UnicodeAttribute(null=True)
    province_code = UnicodeAttribute()
    agency_province_code = UnicodeAttribute(null=True)
    regency_code = UnicodeAttribute(null=True)
    kind = UnicodeAttribute()
    category_id = UnicodeAttribute(null=True)
    channel = UnicodeAttribute()
    overdue = BooleanAttribute(default=False)
    published = BooleanAttribute(default=False)
    confidential = BooleanAttribute(default=False)
    received_at = UnicodeAttribute()
    # The sweep's sparse index (issue 3): only open reports with a pending action carry these.
    due_bucket = UnicodeAttribute(null=True)
    next_action_at = UnicodeAttribute(null=True)
    # Open311's updated_after: only public (published, not confidential) reports carry these.
    public_bucket = UnicodeAttribute(null=True)
    public_updated_key = UnicodeAttribute(null=True)
    # The digest's (and queues') sparse index: only reports with an open officer stage carry
    # these, sorted by the nearest of those deadlines.
    open_bucket = UnicodeAttribute(null=True)
    open_due_key = UnicodeAttribute(null=True)
    # The handling agency's province, only on a report located in another one: a province's queue
    # reads those from their own index instead of filtering out the ones located at home.
    agency_province_elsewhere = UnicodeAttribute(null=True)
    # Retention's sparse index: only closed reports whose reporter is still to be erased carry
    # these (the day it is due + id), set at closing, removed once erased (domain/reporter_data.py).
    erase_bucket = UnicodeAttribute(null=True)
    erase_due_key = UnicodeAttribute(null=True)
    # Public browsing (issue 14; adapters/browse.py): only public reports carry these, so each
    # index below holds the public reports of its scope only, newest first.
    public_province = UnicodeAttribute(null=True)
    public_regency = UnicodeAttribute(null=True)
    # Duplicate suggestions: "<regency>#<category>" on public reports still open, nothing else.
    open_topic = UnicodeAttribute(null=True)
    # Support (issue 14): the number of supporters, the range of by_public_supported (the public
    # list's and the staff list's "most supported" order: only a published report can be supported).
    supporter_count = NumberAttribute(default=0)
    body = MapAttribute()  # everything else, as plain JSON types
    version = VersionAttribute()

    by_status = index("by_status", "status")
    by_agency = index("by_agency", "agency_id")
    by_unit = index("by_unit", "unit_id")
    by_province = index("by_province", "province_code")
    by_agency_province = index("by_agency_province", "agency_province_code")
    by_regency = index("by_regency", "regency_code")
    by_next_action = index("by_next_action", "due_bucket", "next_action_at")
    by_public_update = index("by_public_update", "public_bucket", "public_updated_key")
    by_open_due = index("by_open_due", "open_bucket", "open_due_key")
    # The queues' per-scope copies of it: sparse too, since only open reports carry open_due_key
    # (a GSI holds an item only when it has both key attributes); a scope's queue reads its own work.
    by_agency_open_due = index("by_agency_open_due", "agency_id", "open_due_key")
    by_unit_open_due = index("by_unit_open_due", "unit_id", "open_due_key")
    by_province_open_due = index("by_province_open_due", "province_code", "open_due_key")
    by_agency_province_open_due = index("by_agency_province_open_due", "agency_province_elsewhere", "open_due_key")
    by_erase_due = index("by_erase_due", "erase_bucket", "erase_due_key")
    # Public browsing, sparse (only public reports carry the hash keys): the whole country, a
    # province, a regency, newest first; and the whole country by supporters (GET /reports).
    by_public_received = index("by_public_received", "public_bucket", "received_key")
    by_public_province = index("by_public_province", "public_province", "received_key")
    by_public_regency = index("by_public_regency", "public_regency", "received_key")
    by_public_supported = index("by_public_supported", "public_bucket", "supporter_count", numeric_range=True)
    # The form's duplicate suggestions: open public reports of one regency and category, newest first.
    by_open_topic = index("by_open_topic", "open_topic", "received_key")


class EventModel(Model):
    Meta = meta("events")

    tracking_id = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True)
    at = UnicodeAttribute()
    actor = UnicodeAttribute()
    role = UnicodeAttribute()
    action = UnicodeAttribute()
    from_status = UnicodeAttribute(null=True)
    to_status = UnicodeAttribute()
    message = UnicodeAttribute(null=True)
    visibility = UnicodeAttribute()
    data = MapAttribute(default=dict)


class DirectoryModel(Model):
    """Reference rows by kind: "agency", "category", "staff" (by username), "staff#<role>#<scope>"
    (who holds a role where), "assignment#<unit_id>" (liaison officers' periods, by start date)."""

    Meta = meta("directory")

    kind = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    name_en = UnicodeAttribute(null=True)
    province_code = UnicodeAttribute(null=True)
    regency_code = UnicodeAttribute(null=True)
    units = ListAttribute(of=MapAttribute, default=list)
    username = UnicodeAttribute(null=True)
    role = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    agency_id = UnicodeAttribute(null=True)
    unit_id = UnicodeAttribute(null=True)
    start = UnicodeAttribute(null=True)
    end = UnicodeAttribute(null=True)
    decree = UnicodeAttribute(null=True)


class SettingModel(Model):
    Meta = meta("settings")

    scope = UnicodeAttribute(hash_key=True)  # "calendar" | "sla#agency" | "sla#category"
    key = UnicodeAttribute(range_key=True)   # a date, an agency id or a category id
    working = BooleanAttribute(null=True)
    note = UnicodeAttribute(null=True)
    limits = MapAttribute(null=True)
    updated_by = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)


# ---- mapping ------------------------------------------------------------------------------
_BODY_FIELDS = (
    "access_code_hash", "title", "description", "requested_agency_id", "anonymous",
    "field_inspection", "archive_reason", "rating", "ombudsman_referred", "deadlines",
    "deadline_calendars", "stage_done", "paused_remaining", "created_by", "done_tasks",
    "spam_score", "spam_flagged",
    "consent_version",
)
_BODY_TIMES = ("dispatched_at", "first_response_at", "final_answer_at", "completed_at", "public_updated_at",
               "closed_at", "identity_erased_at")


DUE_BUCKET = "due"  # one partition of the sparse index: only reports with a pending task are in it
PUBLIC_BUCKET = "public"  # likewise for public reports by the time their public timeline last moved
OPEN_BUCKET = "open"  # likewise for reports with an open officer stage, by its nearest deadline
ERASE_BUCKET = "erase"  # likewise for closed reports whose reporter retention has still to erase
_SUPPORT_FIELDS = ("followed", "duplicate_of", "duplicate_added", "duplicate_from_status", "duplicates")


def _support_fields(body: dict) -> dict[str, Any]:
    """Issue 14's body fields; a report written before them reads as never supported or merged."""
    return {"followed": bool(body.get("followed")), "duplicate_of": body.get("duplicate_of"),
            "duplicate_added": int(body.get("duplicate_added") or 0),
            "duplicate_from_status": body.get("duplicate_from_status"),
            "duplicates": list(body.get("duplicates") or [])}


def to_model(report: Report, model: ReportModel | None = None) -> ReportModel:
    m = model or ReportModel(report.tracking_id)
    m.received_key = received_key(report.received_at, report.tracking_id)
    m.status = report.status.value
    m.agency_id = report.agency_id
    m.unit_id = report.unit_id
    m.province_code = report.location.province_code
    m.agency_province_code = report.agency_province_code
    m.regency_code = report.location.regency_code
    m.kind = report.kind
    m.category_id = report.category_id
    m.channel = report.channel
    m.overdue = report.overdue
    m.published = report.published
    m.confidential = report.confidential
    m.received_at = iso(report.received_at)
    m.next_action_at = iso(report.next_action_at)
    m.due_bucket = DUE_BUCKET if report.next_action_at else None
    public = report.is_public and report.public_updated_at is not None
    m.public_bucket = PUBLIC_BUCKET if public else None
    m.public_updated_key = received_key(report.public_updated_at, report.tracking_id) if public else None
    m.public_province = report.location.province_code if public else None
    m.public_regency = report.location.regency_code if public else None
    topic = public and report.status not in CLOSED and report.location.regency_code and report.category_id
    m.open_topic = f"{report.location.regency_code}#{report.category_id}" if topic else None
    m.supporter_count = report.supporter_count
    nearest = min((report.deadlines[s] for s in report.open_officer_stages()), default=None)
    m.open_bucket = OPEN_BUCKET if nearest else None
    m.open_due_key = f"{nearest}#{report.tracking_id}" if nearest else None
    elsewhere = report.agency_province_code != report.location.province_code
    m.agency_province_elsewhere = report.agency_province_code if elsewhere else None
    erase_on = _erase_due_on(report)
    m.erase_bucket = ERASE_BUCKET if erase_on else None
    m.erase_due_key = f"{erase_on.isoformat()}#{report.tracking_id}" if erase_on else None
    body: dict[str, Any] = {k: getattr(report, k) for k in _BODY_FIELDS}
    body.update({k: getattr(report, k) for k in _SUPPORT_FIELDS})
    body.update({k: iso(getattr(report, k)) for k in _BODY_TIMES})
    body["occurred_on"] = report.occurred_on.isoformat() if report.occurred_on else None
    body["location"] = {k: v for k, v in vars(report.location).items()}
    body["reporter"] = {k: v for k, v in vars(report.reporter).items()}
    m.body = json.loads(json.dumps(body))  # plain JSON types only (floats stay floats)
    return m


def _erase_due_on(report: Report) -> dt.date | None:
    """With the retention periods in force when the report is written (closing fixes the day)."""
    from ..config import settings
    from ..domain.reporter_data import erase_due_on

    s = settings()
    return erase_due_on(report, s.retention_months_after_closing, s.spam_retention_days)


def from_model(m: ReportModel) -> Report:
    body = m.body.as_dict() if hasattr(m.body, "as_dict") else dict(m.body)
    return Report(
        tracking_id=m.tracking_id,
        kind=m.kind,
        location=Location(**body["location"]),
        reporter=Reporter(**body["reporter"]),
        channel=m.channel,
        received_at=from_iso(m.received_at),
        status=Status(m.status),
        occurred_on=dt.date.fromisoformat(body["occurred_on"]) if body.get("occurred_on") else None,
        category_id=m.category_id,
        agency_id=m.agency_id,
        agency_province_code=m.agency_province_code,
        unit_id=m.unit_id,
        published=m.published,
        confidential=m.confidential,
        overdue=m.overdue,
        version=m.version or 0,
        **{k: body.get(k) for k in _BODY_FIELDS
           if k not in ("deadlines", "stage_done", "done_tasks", "deadline_calendars", "spam_flagged")},
        spam_flagged=bool(body.get("spam_flagged")),
        deadlines=dict(body.get("deadlines") or {}),
        deadline_calendars=dict(body.get("deadline_calendars") or {}),
        stage_done=dict(body.get("stage_done") or {}),
        done_tasks=list(body.get("done_tasks") or []),
        next_action_at=from_iso(m.next_action_at),
        **{k: from_iso(body.get(k)) for k in _BODY_TIMES},
        supporter_count=int(m.supporter_count or 0),
        **_support_fields(body),
    )


def _event_model(tracking_id: str, seq: int, e: Event) -> EventModel:
    return EventModel(
        tracking_id, seq, at=iso(e.at), actor=e.actor, role=e.role, action=e.action,
        from_status=e.from_status, to_status=e.to_status, message=e.message,
        visibility=e.visibility.value, data=json.loads(json.dumps(e.data)),
    )


def _event(m: EventModel) -> Event:
    data = m.data.as_dict() if hasattr(m.data, "as_dict") else dict(m.data or {})
    return Event(
        at=from_iso(m.at), actor=m.actor, role=m.role, action=m.action,
        from_status=m.from_status, to_status=m.to_status, message=m.message,
        visibility=Visibility(m.visibility), data=data,
    )


# ---- repositories ---------------------------------------------------------------------------
@dataclass
class ReportWrite:
    """One report change about to be written. Hooks add what it owes to `change` (counters,
    messages: applied after the commit through the outbox) or, for a row that must exist
    atomically with the report, to `extra` (written in the report's own transaction)."""

    before: Report | None
    after: Report
    events: list[Event]
    change: Change
    extra: list[tuple[Model, Any]] = field(default_factory=list)

    def save(self, model: Model, condition: Any = None) -> None:
        self.extra.append((model, condition))


Hook = Callable[[ReportWrite], None]
CONFLICT_RETRIES = 4
MAX_TRANSACTION_ITEMS = 100  # DynamoDB's limit for one TransactWriteItems


@dataclass
class Page:
    items: list[Report]
    next_cursor: str | None


class DynamoReports:
    """Reports and their history. A change is one TransactWriteItems of a few items: the report
    (guarded by its version), its new events (each put only if absent: history is append-only),
    the rows hooks must write with it, and the change's outbox row; what the change owes (counters,
    messages) is applied right after the commit by the outbox, or later by the sweep."""

    def __init__(self, hooks: Iterable[Hook] = (), outbox: Any = None,
                 clock: Callable[[], dt.datetime] | None = None):
        self.hooks = list(hooks)
        self.outbox = outbox
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self._loaded: dict[str, tuple[ReportModel, Report]] = {}

    def get(self, tracking_id: str) -> Report:
        try:
            model = ReportModel.get(tracking_id)
        except DoesNotExist:
            raise NotFound("Laporan tidak ditemukan", "Report not found") from None
        report = from_model(model)
        self._loaded[tracking_id] = (model, from_model(model))
        return report

    def adopt(self, report: Report) -> None:
        """Takes a report read through an index (the sweep) as loaded: its version still guards
        the write, so a stale index copy simply loses with a Conflict."""
        self._loaded[report.tracking_id] = (to_model(report), copy.deepcopy(report))

    def events(self, tracking_id: str) -> list[Event]:
        return [_event(m) for m in EventModel.query(tracking_id, scan_index_forward=True)]

    def add(self, report: Report, messages: Iterable[Message] = ()) -> None:
        """A new report, with any messages its creation owes beyond the hooks' (an inbound
        channel's answer carrying the access code) in the same change."""
        self._write(report, None, messages)

    def save(self, report: Report, messages: Iterable[Message] = (), extra: Iterable[tuple[Model, Any]] = ()) -> None:
        """`messages`: what this change owes beyond the hooks' (a new access code), in its outbox row;
        `extra`: rows that must be written atomically with this change (model, condition)."""
        self._write_all([(report, self._before(report))], messages, extra=extra)
    def save_together(self, reports: list[Report], extra: Iterable[tuple[Model, Any]] = ()) -> None:
        """One action that changes several reports (a merge: the duplicate and its original): one
        transaction with each report (each guarded by its version), their events, `extra` and one
        change row per report (so counters and messages stay each report's own, applied after)."""
        self._write_all([(r, self._before(r)) for r in reports], extra=extra)

    def _before(self, report: Report) -> Report:
        if report.tracking_id not in self._loaded:
            raise RuntimeError("save() of a report that was not loaded by this repository")
        return self._loaded[report.tracking_id][1]

    def _write(self, report: Report, before: Report | None, messages: Iterable[Message] = ()) -> None:
        self._write_all([(report, before)], messages)

    def _write_all(self, changed: list[tuple[Report, Report | None]], messages: Iterable[Message] = (),
                   extra: Iterable[tuple[Model, Any]] = ()) -> None:
        now = self.clock()
        writes = []
        for report, before in changed:
            write = ReportWrite(before, report, report.new_events,
                                Change(report.tracking_id, (before.version if before else 0) + 1))
            for hook in self.hooks:
                hook(write)
            writes.append(write)
        writes[0].change.messages += messages
        writes[0].extra += list(extra)
        models = self._commit(writes, now)
        for write, model in zip(writes, models):
            report = write.after
            report.version = model.version
            report.new_events = []
            report.new_notices = []
            self._loaded[report.tracking_id] = (model, from_model(model))
        for write in writes:
            if write.change and self.outbox is not None:
                try:
                    self.outbox.apply(write.change, now)
                except Exception as exc:  # noqa: BLE001 - the change is committed; the sweep applies the rest
                    logger.warning("change left for the sweep", extra={"tracking_id": write.after.tracking_id,
                                                                        "error": type(exc).__name__})

    def _commit(self, writes: list[ReportWrite], now: dt.datetime) -> list[ReportModel]:
        """One transaction, retried with jitter while DynamoDB cancels it only for a transaction
        conflict (another writer on one of its items at that instant); a failed condition means
        a report itself changed first: 409."""
        items = sum(1 + len(w.events) + len(w.extra) + bool(w.change) for w in writes)
        if items > MAX_TRANSACTION_ITEMS:
            raise RuntimeError(f"a report transaction of {items} items exceeds DynamoDB's {MAX_TRANSACTION_ITEMS}")
        for attempt in range(CONFLICT_RETRIES):
            models = []
            try:
                with TransactWrite(connection=ReportModel._get_connection().connection) as txn:
                    for write in writes:
                        report, before = write.after, write.before
                        model = to_model(report)
                        if report.version:
                            model.version = report.version
                        models.append(model)
                        txn.save(model, condition=ReportModel.tracking_id.does_not_exist() if before is None else None)
                        first_seq = _first_seq(before)
                        for i, event in enumerate(write.events):
                            txn.save(_event_model(report.tracking_id, first_seq + i, event),
                                     condition=EventModel.seq.does_not_exist())
                        for extra, condition in write.extra:
                            txn.save(extra, condition=condition)
                        if write.change:
                            txn.save(change_row(write.change, now), condition=ChangeModel.id.does_not_exist())
                return models
            except TransactWriteError as exc:
                if condition_failed(exc) or (transaction_conflict(exc) and attempt + 1 == CONFLICT_RETRIES):
                    raise Conflict(
                        "Laporan baru saja diubah oleh pengguna lain; muat ulang lalu coba lagi",
                        "The report was changed by someone else; reload and try again",
                    ) from None
                if not transaction_conflict(exc):
                    raise
                time.sleep(random.uniform(0.02, 0.1) * 2 ** attempt)
        raise AssertionError("unreachable")

    def due(self, now: dt.datetime) -> Iterator[Report]:
        """The sweep's read: reports whose next task is due, oldest first, from the sparse index.
        Reads only what is due (plus one index page boundary), whatever the number of open reports."""
        for m in ReportModel.by_next_action.query(DUE_BUCKET, ReportModel.next_action_at <= iso(now), page_size=100):
            yield from_model(m)

    def due_by(self, day: dt.date) -> Iterator[Report]:
        """Reports with an open officer stage due on or before `day` (late ones included), nearest
        first: the digest's read, from a sparse index that closed reports leave."""
        for m in ReportModel.by_open_due.query(OPEN_BUCKET, ReportModel.open_due_key < f"{day.isoformat()}$",
                                               page_size=200):
            yield from_model(m)

    def list(self, query: "ListQuery", limit: int, cursor: str | None) -> Page:
        return _run_list(query, limit, cursor)

    def erase_due_by(self, day: dt.date) -> Iterator[Report]:
        """Retention's read: closed reports whose reporter is due to be erased on or before `day`,
        oldest first, from a sparse index that holds nothing else."""
        for m in ReportModel.by_erase_due.query(ERASE_BUCKET, ReportModel.erase_due_key < f"{day.isoformat()}$",
                                                page_size=100):
            yield from_model(m)
    def list_supported(self, query: "ListQuery", limit: int, cursor: str | None) -> Page:
        return _run_supported(query, limit, cursor)

    def open_work(self, query: "ListQuery", due: tuple[str | None, str | None], limit: int) -> tuple[list[Report], str | None]:
        """Open reports of a scope, nearest open deadline first, with keys strictly inside `due`
        (after, before) on `open_due_key`; and the last key returned when more follow. Each source
        (one index, or a province's two) reads at most limit+1 matches from its own open work."""
        merged: list[ReportModel] = []
        for index, hash_value, cond in _open_sources(query):
            rk = _open_due_condition(*due)
            if rk is False:
                return [], None
            taken = 0
            for m in index.query(hash_value, range_key_condition=rk, filter_condition=cond,
                                 page_size=max(limit + 1, 25)):
                if m.open_due_key in due:
                    continue  # between is inclusive; the bounds are not
                merged.append(m)
                taken += 1
                if taken > limit:
                    break
        merged.sort(key=lambda m: m.open_due_key)
        page = merged[:limit]
        return [from_model(m) for m in page], page[-1].open_due_key if len(merged) > limit else None

    def count_open_work(self, query: "ListQuery", ranges: dict[str, tuple[str | None, str | None]]) -> dict[str, int]:
        """How many open reports of a scope fall in each due range: Select=COUNT Queries that
        read only the scope's open work in those ranges."""
        sizes = dict.fromkeys(ranges, 0)
        for index, hash_value, cond in _open_sources(query):
            for name, due in ranges.items():
                rk = _open_due_condition(*due)
                if rk is not False:
                    sizes[name] += index.count(hash_value, range_key_condition=rk, filter_condition=cond)
        return sizes

    def public_updates(self, after: dt.datetime, before: dt.datetime, any_of: dict[str, tuple[str, ...]],
                       received: tuple[dt.datetime, dt.datetime] | None, limit: int) -> list[Report]:
        """Public reports whose public timeline last moved in [after, before], most recent first:
        one Query of the sparse `by_public_update` index; `any_of` (attribute → allowed values)
        and the received window are filters on top."""
        cond = None
        for attr, values in sorted(any_of.items()):
            cond = _and(cond, getattr(ReportModel, attr).is_in(*values))
        if received:
            cond = _and(cond, ReportModel.received_key.between(iso(received[0]), iso(received[1]) + "~"))
        found: list[Report] = []
        rk = ReportModel.public_updated_key.between(iso(after), iso(before) + "~")
        for m in ReportModel.by_public_update.query(PUBLIC_BUCKET, range_key_condition=rk, filter_condition=cond,
                                                    scan_index_forward=False, page_size=min(limit + 1, 200)):
            found.append(from_model(m))
            if len(found) >= limit:
                break
        return found


def _first_seq(before: Report | None) -> int:
    """Event numbers follow the report's version: version v's events start at v*100."""
    return (before.version if before else 0) * 100


# ---- listing ----------------------------------------------------------------------------------
_INDEX_PREFERENCE = ("unit_id", "agency_id", "regency_code")


def _sources(q: ListQuery) -> list[tuple[GlobalSecondaryIndex, str, str, Any]]:
    """(index, its hash attribute, hash value, extra filter) per source; a province is two."""
    eq = dict(q.equals)
    for attr in _INDEX_PREFERENCE:
        if attr in eq:
            return [(_INDEX_BY_ATTR[attr], attr, eq[attr], None)]
    if q.province:
        return [
            (ReportModel.by_province, "province_code", q.province, None),
            # reports located elsewhere but handled by an agency of this province
            (ReportModel.by_agency_province, "agency_province_code", q.province,
             ReportModel.province_code != q.province),
        ]
    if "status" in eq:
        return [(ReportModel.by_status, "status", eq["status"], None)]
    return [(ReportModel.by_status, "status", s.value, None) for s in Status]


_INDEX_BY_ATTR = {
    "unit_id": ReportModel.by_unit,
    "agency_id": ReportModel.by_agency,
    "regency_code": ReportModel.by_regency,
}


def _and(cond, part):
    return part if cond is None else cond & part


def _filter(q: ListQuery, index_attr: str, extra):
    cond = extra
    for attr, value in q.equals:
        if attr != index_attr:
            cond = _and(cond, getattr(ReportModel, attr) == value)
    if q.province and index_attr not in ("province_code", "agency_province_code"):
        cond = _and(cond, (ReportModel.province_code == q.province) | (ReportModel.agency_province_code == q.province))
    if q.overdue is not None:
        cond = _and(cond, ReportModel.overdue == q.overdue)
    if q.published_only:  # Report.is_public, as to_model stored it (the one rule, not written again here)
        cond = _and(cond, ReportModel.public_bucket == PUBLIC_BUCKET)
    if q.min_supporters and index_attr != "public_bucket":  # by_public_supported takes it as its key range
        cond = _and(cond, ReportModel.supporter_count >= q.min_supporters)
    return cond


def _open_sources(q: ListQuery) -> list[tuple[GlobalSecondaryIndex, str, Any]]:
    """(index, hash value, filter) of the open-work indexes a scope reads: a unit's or an
    agency's own partition, a province's two (by location; by the handling agency's province for
    reports located elsewhere), or the whole country's for the central admin."""
    eq = dict(q.equals)
    scoped = next(((attr, eq[attr]) for attr in ("unit_id", "agency_id") if attr in eq), None)
    if scoped:
        index = ReportModel.by_unit_open_due if scoped[0] == "unit_id" else ReportModel.by_agency_open_due
        return [(index, scoped[1], _filter(q, scoped[0], None))]
    if q.province:
        return [(ReportModel.by_province_open_due, q.province, _filter(q, "province_code", None)),
                (ReportModel.by_agency_province_open_due, q.province, _filter(q, "agency_province_code", None))]
    return [(ReportModel.by_open_due, OPEN_BUCKET, _filter(q, "open_bucket", None))]


def _open_due_condition(after: str | None, before: str | None):
    """The range-key condition for keys strictly between the bounds (the caller drops a key equal
    to one, as between is inclusive); None for no bound, False for an empty range."""
    key = ReportModel.open_due_key
    if after is not None and before is not None:
        return key.between(after, before) if after < before else False
    if after is not None:
        return key > after
    return key < before if before is not None else None


_KEY_SPELLING, _CURSOR_SPELLING = "+00:00#", "Z_"  # received_key's UTC offset and separator, URL-safe


def encode_cursor(key: str) -> str:
    """The published cursor (domain.query.CURSOR_PATTERN) of a `received_key`."""
    return key.replace(_KEY_SPELLING, _CURSOR_SPELLING)


def decode_cursor(cursor: str) -> str:
    if not re.fullmatch(CURSOR_PATTERN, cursor):
        raise InvalidInput("Kursor tidak valid", "Invalid cursor", {"cursor": "tidak dikenal / not recognised"})
    return cursor.replace(_CURSOR_SPELLING, _KEY_SPELLING)


def _run_list(q: ListQuery, limit: int, cursor: str | None) -> Page:
    """Newest first. Each source is read descending below the cursor until it yields limit+1
    matches; the merge keeps the newest `limit`, and the last one's key is the next cursor."""
    upper = decode_cursor(cursor) if cursor else None
    if q.received_to and (upper is None or q.received_to < upper):
        upper = q.received_to
    lower = q.received_from
    if upper is not None and lower is not None:
        rk = ReportModel.received_key.between(lower, upper)
    elif upper is not None:
        rk = ReportModel.received_key <= upper
    elif lower is not None:
        rk = ReportModel.received_key >= lower
    else:
        rk = None
    merged: list[ReportModel] = []
    for index, index_attr, hash_value, extra in _sources(q):
        taken = 0
        for m in index.query(hash_value, range_key_condition=rk, filter_condition=_filter(q, index_attr, extra),
                             scan_index_forward=False, page_size=max(limit + 1, 25)):
            if upper is not None and m.received_key >= upper:
                continue  # between/<= are inclusive; the cursor and received_to are not
            merged.append(m)
            taken += 1
            if taken > limit:
                break
    merged.sort(key=lambda m: m.received_key, reverse=True)
    page, more = merged[:limit], len(merged) > limit
    return Page([from_model(m) for m in page], encode_cursor(page[-1].received_key) if more and page else None)


# ---- most supported first (issue 14) -----------------------------------------------------------------
# A page reads at most this many supported reports of the index (filtered by the caller's scope): one
# Query, bounded whatever the scope. A scope with few supported reports among many may get a short
# (even empty) page with a next_cursor: the position reached, from which the next page goes on.
SUPPORT_READ = 400


def _support_start(cursor: str) -> dict[str, Any]:
    """The exclusive start key of a "most supported" cursor (`<count, 9 digits>_<tracking id>`)."""
    if not re.fullmatch(SUPPORT_CURSOR_PATTERN, cursor):
        raise InvalidInput("Kursor tidak valid", "Invalid cursor", {"cursor": "tidak dikenal / not recognised"})
    count, tid = cursor.split("_", 1)
    return {"tracking_id": {"S": tid}, "public_bucket": {"S": PUBLIC_BUCKET}, "supporter_count": {"N": str(int(count))}}


def _support_position(count: int, tracking_id: str) -> str:
    return f"{int(count):09d}_{tracking_id}"


def _run_supported(q: ListQuery, limit: int, cursor: str | None) -> Page:
    """Most supporters first, from `by_public_supported` (only a published report can be
    supported, so the public index by supporters holds every supported report; one unpublished
    later, archived as spam, leaves this order), reports with at least one supporter (or
    `min_supporters`) as the key range, the caller's scope and filters on top. One Query: limit+1
    items when nothing is filtered, else at most SUPPORT_READ."""
    rk = ReportModel.supporter_count >= max(1, q.min_supporters or 0)
    cond = _filter(q, "public_bucket", None)  # the caller's scope and filters, as in every list
    read = (limit + 1) if cond is None else max(limit + 1, SUPPORT_READ)
    results = ReportModel.by_public_supported.query(
        PUBLIC_BUCKET, range_key_condition=rk, filter_condition=cond, scan_index_forward=False, page_size=read,
        last_evaluated_key=_support_start(cursor) if cursor else None)
    answer = next(results.page_iter)  # one Query, whatever follows
    found = [ReportModel.from_raw_data(item) for item in answer.get("Items", [])]
    page = found[:limit]
    if len(found) > limit:
        return Page([from_model(m) for m in page], _support_position(page[-1].supporter_count, page[-1].tracking_id))
    last = answer.get("LastEvaluatedKey")
    return Page([from_model(m) for m in page],
                _support_position(last["supporter_count"]["N"], last["tracking_id"]["S"]) if last else None)


# ---- directory and settings ---------------------------------------------------------------------
class DynamoDirectory:
    """Agencies with their units, and categories. Read often, changed rarely."""

    def agencies(self) -> list[AgencyRef]:
        return [_agency(m) for m in DirectoryModel.query("agency")]

    def agency(self, agency_id: str) -> AgencyRef | None:
        try:
            return _agency(DirectoryModel.get("agency", agency_id))
        except DoesNotExist:
            return None

    def categories(self) -> list[dict[str, str]]:
        return [{"id": m.id, "name": m.name, "name_en": m.name_en} for m in DirectoryModel.query("category")]

    def category(self, category_id: str) -> dict[str, str] | None:
        try:
            m = DirectoryModel.get("category", category_id)
        except DoesNotExist:
            return None
        return {"id": m.id, "name": m.name, "name_en": m.name_en}

    def put_agency(self, agency: AgencyRef) -> None:
        DirectoryModel(
            "agency", agency.id, name=agency.name, province_code=agency.province_code,
            regency_code=agency.regency_code,
            units=[{"id": u.id, "name": u.name} for u in agency.units],
        ).save()

    def put_category(self, category_id: str, name: str, name_en: str) -> None:
        DirectoryModel("category", category_id, name=name, name_en=name_en).save()


    # ---- staff and assignments --------------------------------------------------------------
    def put_staff(self, member: StaffMember) -> None:
        """Two rows: by username, and under its role and scope so recipients are one Query."""
        fields = dict(name=member.name, username=member.username, role=member.role, email=member.email,
                      phone=member.phone, agency_id=member.agency_id, unit_id=member.unit_id,
                      province_code=member.province_code)
        previous = self.staff(member.username)
        with TransactWrite(connection=DirectoryModel._get_connection().connection) as txn:
            if previous is not None and (previous.role, previous.scope) != (member.role, member.scope):
                txn.delete(DirectoryModel(f"staff#{previous.role}#{previous.scope}", previous.username))
            txn.save(DirectoryModel("staff", member.username, **fields))
            txn.save(DirectoryModel(f"staff#{member.role}#{member.scope}", member.username, **fields))

    def staff(self, username: str) -> StaffMember | None:
        try:
            return _staff(DirectoryModel.get("staff", username))
        except DoesNotExist:
            return None

    def staff_with_role(self, role: str, scope: str) -> list[StaffMember]:
        return [_staff(m) for m in DirectoryModel.query(f"staff#{role}#{scope}")]

    def assignments(self, unit_id: str) -> list[Assignment]:
        return [
            Assignment(unit_id=unit_id, username=m.username, start=dt.date.fromisoformat(m.start),
                       end=dt.date.fromisoformat(m.end) if m.end else None, decree=m.decree)
            for m in DirectoryModel.query(f"assignment#{unit_id}")
        ]

    def put_assignment(self, a: Assignment) -> None:
        DirectoryModel(f"assignment#{a.unit_id}", a.id, name=a.username, username=a.username,
                       unit_id=a.unit_id, start=a.start.isoformat(),
                       end=a.end.isoformat() if a.end else None, decree=a.decree).save()


def _staff(m: DirectoryModel) -> StaffMember:
    return StaffMember(username=m.username, name=m.name, role=m.role, email=m.email, phone=m.phone,
                       agency_id=m.agency_id, unit_id=m.unit_id, province_code=m.province_code)


def _agency(m: DirectoryModel) -> AgencyRef:
    units = tuple(
        UnitRef(id=u["id"], agency_id=m.id, name=u["name"])
        for u in (x.as_dict() if hasattr(x, "as_dict") else x for x in m.units)
    )
    return AgencyRef(id=m.id, province_code=m.province_code, name=m.name,
                     regency_code=m.regency_code, units=units)


class DynamoSettings:
    """Calendar overrides and SLA overrides, each a small partition read with one Query."""

    def calendar_overrides(self) -> list[dict[str, Any]]:
        return [
            {"date": m.key, "working": bool(m.working), "note": m.note,
             "updated_by": m.updated_by, "updated_at": m.updated_at}
            for m in SettingModel.query("calendar")
        ]

    def put_calendar_override(self, day: dt.date, working: bool, note: str | None, by: str, at: dt.datetime) -> None:
        SettingModel("calendar", day.isoformat(), working=working, note=note, updated_by=by, updated_at=iso(at)).save()

    def delete_calendar_override(self, day: dt.date) -> bool:
        try:
            SettingModel("calendar", day.isoformat()).delete(condition=SettingModel.key.exists())
            return True
        except DeleteError as exc:
            if condition_failed(exc):
                return False
            raise

    def sla_overrides(self, scope: str) -> dict[str, dict[str, int]]:
        return {m.key: {k: int(v) for k, v in (m.limits.as_dict() if hasattr(m.limits, "as_dict") else m.limits).items()}
                for m in SettingModel.query(f"sla#{scope}")}

    def put_sla_override(self, scope: str, key: str, limits: dict[str, int], by: str, at: dt.datetime) -> None:
        SettingModel(f"sla#{scope}", key, limits=limits, updated_by=by, updated_at=iso(at)).save()

    def delete_sla_override(self, scope: str, key: str) -> bool:
        try:
            SettingModel(f"sla#{scope}", key).delete(condition=SettingModel.key.exists())
            return True
        except DeleteError as exc:
            if condition_failed(exc):
                return False
            raise


def iter_all_reports() -> Iterator[Report]:
    """For rebuild jobs only (never a request path): every report, by status partition."""
    for status in Status:
        for m in ReportModel.by_status.query(status.value):
            yield from_model(m)
