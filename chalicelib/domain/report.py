"""The report aggregate: its state, its deadlines and the events each action records."""
from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any

from .calendar import to_wib_date
from .deadlines import Task, breach_key, due_tasks, next_action_at
from .errors import Forbidden, InvalidInput, InvalidTransition, Unprocessable
from .lifecycle import CLOSED, Action, Status, guard
from .roles import SYSTEM as SYSTEM_PRINCIPAL
from .roles import Principal, Role
from .sla import DeadlineCalculator, completion_key

KINDS = ("complaint", "aspiration", "information_request")
CHANNELS = (
    "web", "api", "sms", "whatsapp", "email", "call_centre",
    "social_media", "suggestion_box", "walk_in", "mobile_app",
)
ARCHIVE_REASONS = ("incomplete", "out_of_scope", "duplicate", "spam", "not_public_service")
# What an agency admin may close a report addressed to it for, before verifying it.
AGENCY_ARCHIVE_REASONS = ("spam", "out_of_scope")

# Which deadline an officer is late on, per status (reporter_reply and clarification are the
# reporter's clocks: they end in auto-complete / auto-archive, never in "overdue").
OFFICER_STAGES = {
    Status.SUBMITTED: ("verification",),
    Status.DISPATCHED: ("agency_review", "completion"),
    Status.ASSIGNED: ("first_response", "completion"),
    Status.IN_PROGRESS: ("completion",),
}


class Visibility(str, enum.Enum):
    PUBLIC = "public"      # anyone who may see the report
    REPORTER = "reporter"  # the reporter (with the access code) and staff
    STAFF = "staff"        # staff only


@dataclass(frozen=True)
class Reporter:
    name: str
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Location:
    province_code: str
    regency_code: str | None = None
    address: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class Event:
    at: dt.datetime
    actor: str
    role: str
    action: str
    from_status: str | None
    to_status: str
    message: str | None = None
    visibility: Visibility = Visibility.PUBLIC
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def on_public_timeline(self) -> bool:
        """What the public tracking page and Open311 show: public events and every change of status."""
        return self.visibility == Visibility.PUBLIC or self.from_status != self.to_status


@dataclass(frozen=True)
class Notice:
    """A message the clock owes someone about this report (reminder, breach, escalation),
    turned into outbox rows in the same transaction as the report's change."""

    kind: str
    stage: str | None
    due: dt.date | None
    key: str


@dataclass
class Report:
    tracking_id: str
    access_code_hash: str
    kind: str
    title: str
    description: str
    location: Location
    reporter: Reporter
    channel: str
    received_at: dt.datetime
    status: Status
    occurred_on: dt.date | None = None
    category_id: str | None = None
    requested_agency_id: str | None = None
    anonymous: bool = False
    confidential: bool = False
    agency_id: str | None = None
    agency_province_code: str | None = None
    unit_id: str | None = None
    field_inspection: bool = False
    published: bool = False
    dispatched_at: dt.datetime | None = None
    first_response_at: dt.datetime | None = None
    final_answer_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    archive_reason: str | None = None
    rating: int | None = None
    overdue: bool = False
    ombudsman_referred: bool = False
    deadlines: dict[str, str] = field(default_factory=dict)
    deadline_calendars: dict[str, str] = field(default_factory=dict)
    stage_done: dict[str, str] = field(default_factory=dict)
    paused_remaining: int | None = None
    created_by: str = "reporter"
    done_tasks: list[str] = field(default_factory=list)
    next_action_at: dt.datetime | None = None
    # When the public timeline last moved (Open311's updated_datetime; its updated_after index).
    public_updated_at: dt.datetime | None = None
    # The spam score at filing (domain/spam.py) and whether it crossed the threshold: a flagged
    # report waits for the central admin, whatever agency it names, until verified or archived.
    spam_score: int | None = None
    spam_flagged: bool = False
    # Data protection: when it closed (retention counts from there) and when its reporter's
    # identity was last erased (domain/reporter_data.py).
    closed_at: dt.datetime | None = None
    identity_erased_at: dt.datetime | None = None
    consent_version: str | None = None  # the privacy notice in force when it was received (config.notice)
    # Support and merging (issue 14, services/support.py): people who support it (verified contacts,
    # anonymous clients and, once merged, a duplicate's reporter and supporters), whether any of them
    # follows its updates, and the links between a duplicate and its original.
    supporter_count: int = 0
    followed: bool = False
    duplicate_of: str | None = None
    duplicate_added: int = 0
    duplicate_from_status: str | None = None
    duplicates: list[str] = field(default_factory=list)
    version: int = 0
    new_events: list[Event] = field(default_factory=list, repr=False)
    new_notices: list["Notice"] = field(default_factory=list, repr=False)

    # ---- reading -------------------------------------------------------------------------
    @property
    def is_public(self) -> bool:
        """Anyone may see it without its access code: published (verified: dispatched by the central
        admin, or assigned by the agency it was addressed to; unpublished again when archived as
        spam) and not confidential. The tracking page, Open311, public statistics and the store's
        public index all follow this one rule."""
        return self.published and not self.confidential

    def deadline(self, stage: str) -> dt.date | None:
        value = self.deadlines.get(stage)
        return dt.date.fromisoformat(value) if value else None

    def open_officer_stages(self) -> tuple[str, ...]:
        return tuple(s for s in OFFICER_STAGES.get(self.status, ()) if s in self.deadlines and s not in self.stage_done)

    def is_overdue(self, now: dt.datetime) -> bool:
        """Late on an officer's stage: the flag the sweep stores, or a deadline already past."""
        if self.status in CLOSED:
            return False
        today = to_wib_date(now)
        return self.overdue or any(self.deadline(s) < today for s in self.open_officer_stages())

    # ---- changing ------------------------------------------------------------------------
    def _record(self, principal: Principal, action: Action, to: Status, now: dt.datetime,
                message: str | None = None, visibility: Visibility = Visibility.PUBLIC, **data: Any) -> None:
        event = Event(
            at=now, actor=principal.actor, role=principal.role.value, action=action.value,
            from_status=self.status.value if self.version or self.new_events else None,
            to_status=to.value, message=message, visibility=visibility,
            data={k: v for k, v in data.items() if v is not None},
        )
        self.new_events.append(event)
        if (to in CLOSED) != (self.status in CLOSED):  # closing, or (one day) reopening
            self.closed_at = now if to in CLOSED else None
        if event.on_public_timeline:
            self.public_updated_at = max(now, self.public_updated_at or now)
        self.status = to

    def _set_deadline(self, stage: str, day: dt.date, calc: DeadlineCalculator) -> None:
        self.deadlines[stage] = day.isoformat()
        self.deadline_calendars[stage] = calc.calendar.version
        self.stage_done.pop(stage, None)

    def _done(self, stage: str, now: dt.datetime) -> None:
        if stage in self.deadlines and stage not in self.stage_done:
            self.stage_done[stage] = now.isoformat()

    def _completion_due(self, calc: DeadlineCalculator) -> dt.date:
        assert self.dispatched_at is not None
        key = completion_key(self.kind, self.field_inspection)
        return calc.due(to_wib_date(self.dispatched_at), key, self.agency_id, self.category_id)

    def _start_agency_clocks(self, now: dt.datetime, calc: DeadlineCalculator) -> None:
        """Agency review restarts at every dispatch; first response, completion and the
        Ombudsman clock start at the first dispatch only (rerouting never restarts them)."""
        today = to_wib_date(now)
        self._set_deadline("agency_review", calc.due(today, "agency_review", self.agency_id, self.category_id), calc)
        if self.dispatched_at is None:
            self.dispatched_at = now
            self._set_deadline("first_response", calc.due(today, "first_response", self.agency_id, self.category_id), calc)
            self._set_deadline("completion", self._completion_due(calc), calc)
            self._set_deadline("ombudsman_referral", calc.due(today, "ombudsman_referral", self.agency_id, self.category_id), calc)

    def start(self, principal: Principal, now: dt.datetime, calc: DeadlineCalculator,
              agency: "AgencyRef | None") -> None:
        """The report's first event. Clocks start at received_at, as if it had arrived online then."""
        clock = self.received_at
        if agency is not None:
            self.agency_id, self.agency_province_code = agency.id, agency.province_code
            self._record(principal, Action.SUBMIT, Status.DISPATCHED, now, channel=self.channel,
                         agency_id=agency.id)
            self._start_agency_clocks(clock, calc)
            # An admin typing in what arrived by phone, letter or WhatsApp has verified it.
            self.published = principal.role in (Role.CENTRAL_ADMIN, Role.AGENCY_ADMIN)
        else:
            self._record(principal, Action.SUBMIT, Status.SUBMITTED, now, channel=self.channel)
            self._set_deadline("verification", calc.due(to_wib_date(clock), "verification", None, self.category_id), calc)
        self._schedule(calc)

    def apply(self, principal: Principal, action: Action, now: dt.datetime,
              calc: DeadlineCalculator, **params: Any) -> None:
        """Every change goes through the lifecycle guard, then its own handler."""
        to = guard(self.status, action, principal.role)
        getattr(self, f"_on_{action.value}")(principal, to, now, calc, **params)
        self._schedule(calc)

    def _schedule(self, calc: DeadlineCalculator) -> None:
        """Keeps the sweep's index pointing at this report's next due task and `overdue` true to
        the open stages. A task stays done as long as its deadline stands, even while its stage
        is closed: a stage that reopens with the same due date (a new assign after a reroute,
        a rejected answer) must not owe its reminders, breach and escalation again."""
        self.done_tasks = [k for k in self.done_tasks if self._deadline_stands(k)]
        self.overdue = any(breach_key(s, self.deadline(s)) in self.done_tasks for s in self.open_officer_stages())
        self.next_action_at = next_action_at(self, calc.calendar)

    def _deadline_stands(self, task_key: str) -> bool:
        stage, _, due = task_key.partition(":")[0].partition("@")
        return self.deadlines.get(stage) == due

    def run_due_tasks(self, now: dt.datetime, calc: DeadlineCalculator) -> list[Task]:
        """The sweep's work on one report: each due task once, in time order. A task that
        closes the report ends the run (later tasks belonged to the old state)."""
        done: list[Task] = []
        for task in due_tasks(self, calc.calendar, now):
            if task.kind in ("remind", "escalate"):
                self.new_notices.append(Notice(task.kind, task.stage, task.due, task.key))
            elif task.kind == "breach":
                self.done_tasks.append(task.key)  # first: `overdue` follows the done breaches
                self.apply(SYSTEM_PRINCIPAL, Action.MARK_OVERDUE, now, calc, stage=task.stage)
                self.new_notices.append(Notice("breach", task.stage, task.due, task.key))
            elif task.kind == "refer_ombudsman":
                self.apply(SYSTEM_PRINCIPAL, Action.REFER_OMBUDSMAN, now, calc)
            elif task.kind == "auto_complete":
                self.apply(SYSTEM_PRINCIPAL, Action.AUTO_COMPLETE, now, calc)
            elif task.kind == "auto_archive":
                self.apply(SYSTEM_PRINCIPAL, Action.AUTO_ARCHIVE, now, calc)
            if task.key not in self.done_tasks:
                self.done_tasks.append(task.key)
            done.append(task)
            if self.status in CLOSED:
                break
        self._schedule(calc)
        return done

    # One handler per action. Each records exactly one event.
    def _on_dispatch(self, p, to, now, calc, agency: "AgencyRef", message: str | None = None):
        if agency.id == self.agency_id and self.status == Status.DISPATCHED:
            raise Unprocessable("Laporan sudah di instansi ini", "The report is already at this agency",
                                {"agency_id": "sama dengan instansi sekarang / same as current agency"})
        self._done("verification", now)
        self.published = True  # the central admin has verified it
        previous = self.agency_id
        self.agency_id, self.agency_province_code, self.unit_id = agency.id, agency.province_code, None
        self._record(p, Action.DISPATCH, to, now, message, Visibility.STAFF if message else Visibility.PUBLIC,
                     agency_id=agency.id, previous_agency_id=previous)
        self._start_agency_clocks(now, calc)

    def _on_postpone(self, p, to, now, calc, message: str):
        today = to_wib_date(now)
        due = self.deadline("verification")
        self.paused_remaining = max(1, calc.calendar.working_days_between(today, due)) if due else None
        self._set_deadline("clarification", calc.due(today, "clarification", None, self.category_id), calc)
        # The request for clarification is for the reporter; it may name them.
        self._record(p, Action.POSTPONE, to, now, message, Visibility.REPORTER)

    def _on_clarify(self, p, to, now, calc, message: str):
        """The verification clock stood still while postponed: it resumes with the days it had left."""
        today = to_wib_date(now)
        self._done("clarification", now)
        days = self.paused_remaining or calc.policy.limit("verification", None, self.category_id)
        self._set_deadline("verification", calc.calendar.add_working_days(today, days), calc)
        self.paused_remaining = None
        self._record(p, Action.CLARIFY, to, now, message, Visibility.REPORTER)

    def _on_archive(self, p, to, now, calc, reason: str, message: str | None = None):
        if p.role == Role.AGENCY_ADMIN:
            self._check_agency_may_archive(reason)
        self._done("verification", now)
        self.archive_reason = reason
        if reason == "spam":
            self.published = False
        self._record(p, Action.ARCHIVE, to, now, message, Visibility.PUBLIC, reason=reason)

    def _on_auto_archive(self, p, to, now, calc):
        self.archive_reason = "incomplete"
        self._record(p, Action.AUTO_ARCHIVE, to, now, None, Visibility.PUBLIC, reason="incomplete")

    def _check_agency_may_archive(self, reason: str) -> None:
        """An agency closes only what was addressed to it and nobody verified yet; anything
        verified is rerouted instead ("no wrong door")."""
        if self.published or self.requested_agency_id != self.agency_id:
            raise InvalidTransition(
                "Instansi hanya dapat mengarsipkan laporan yang ditujukan kepadanya dan belum diverifikasi; "
                "gunakan 'bukan wewenang' (reroute)",
                "An agency may archive only unverified reports addressed to it; reroute this one instead")
        if reason not in AGENCY_ARCHIVE_REASONS:
            raise Unprocessable("Alasan arsip tidak diizinkan untuk instansi", "Archive reason not allowed for an agency",
                                {"reason": f"{' / '.join(AGENCY_ARCHIVE_REASONS)}"})

    def _on_assign(self, p, to, now, calc, unit: "UnitRef"):
        self._done("agency_review", now)
        self.published = True  # assigning is the agency's verification of a report addressed to it
        previous = self.unit_id
        self.unit_id = unit.id
        self._record(p, Action.ASSIGN, to, now, None, Visibility.PUBLIC, unit_id=unit.id, previous_unit_id=previous)

    def _on_reroute(self, p, to, now, calc, message: str):
        """"Not ours": back up one level. The completion clock keeps running."""
        today = to_wib_date(now)
        if to == Status.SUBMITTED:
            previous = {"previous_agency_id": self.agency_id}
            self.agency_id = self.agency_province_code = self.unit_id = None
            self._set_deadline("verification", calc.due(today, "verification", None, self.category_id), calc)
        else:
            previous = {"previous_unit_id": self.unit_id}
            self.unit_id = None
            self._set_deadline("agency_review", calc.due(today, "agency_review", self.agency_id, self.category_id), calc)
        self._record(p, Action.REROUTE, to, now, message, Visibility.STAFF, **previous)

    def _on_respond(self, p, to, now, calc, message: str):
        if self.first_response_at is None:
            self.first_response_at = now
            self._done("first_response", now)
        self._record(p, Action.RESPOND, to, now, message, Visibility.PUBLIC)

    def _on_reply(self, p, to, now, calc, message: str):
        self._record(p, Action.REPLY, to, now, message, Visibility.REPORTER)

    def _on_final_answer(self, p, to, now, calc, message: str):
        self.final_answer_at = now
        self._done("completion", now)
        self._set_deadline("reporter_reply", calc.due(to_wib_date(now), "reporter_reply", self.agency_id, self.category_id), calc)
        self._record(p, Action.FINAL_ANSWER, to, now, message, Visibility.PUBLIC)

    def _on_accept(self, p, to, now, calc, rating: int, message: str | None = None):
        self._done("reporter_reply", now)
        self.rating, self.completed_at = rating, now
        self._record(p, Action.ACCEPT, to, now, message, Visibility.REPORTER, rating=rating)

    def _on_reject(self, p, to, now, calc, message: str):
        """The answer did not solve it: the officer's completion stage is open again."""
        self._done("reporter_reply", now)
        self.stage_done.pop("completion", None)
        self._record(p, Action.REJECT, to, now, message, Visibility.REPORTER)

    def _on_auto_complete(self, p, to, now, calc):
        self._done("reporter_reply", now)
        self.completed_at = now
        self._record(p, Action.AUTO_COMPLETE, to, now, None, Visibility.PUBLIC)

    def _on_set_field_inspection(self, p, to, now, calc, required: bool):
        if self.kind != "complaint":
            raise InvalidInput("Pemeriksaan lapangan hanya untuk pengaduan",
                               "Field inspection applies to complaints only",
                               {"required": "hanya untuk klasifikasi pengaduan / complaints only"})
        self.field_inspection = required
        if "completion" not in self.stage_done:
            self._set_deadline("completion", self._completion_due(calc), calc)
        self._record(p, Action.SET_FIELD_INSPECTION, to, now, None, Visibility.STAFF, required=required)

    def _on_correct(self, p, to, now, calc, **changes: Any):
        """Admins fix title, kind, category and flags while verifying; a change of kind or
        category re-derives the completion deadline from the original dispatch."""
        lowered = sorted(k for k in ("anonymous", "confidential") if changes.get(k) is False and getattr(self, k))
        if lowered and p.role != Role.CENTRAL_ADMIN:
            raise Forbidden("Hanya admin pusat yang dapat mencabut tanda anonim atau rahasia",
                            "Only the central admin may lift the anonymous or confidential flag",
                            {k: "hanya admin pusat / central admin only" for k in lowered})
        before = {k: getattr(self, k) for k in changes}
        for key, value in changes.items():
            setattr(self, key, value)
        if self.kind != "complaint":
            self.field_inspection = False
        if self.dispatched_at is not None and {"kind", "category_id"} & changes.keys():
            self._set_deadline("completion", self._completion_due(calc), calc)
        self._record(p, Action.CORRECT, to, now, None, Visibility.STAFF,
                     changes={k: [_plain(before[k]), _plain(v)] for k, v in changes.items()})

    def _on_refer_ombudsman(self, p, to, now, calc):
        self.ombudsman_referred = True
        self._record(p, Action.REFER_OMBUDSMAN, to, now, None, Visibility.PUBLIC)

    def _on_mark_overdue(self, p, to, now, calc, stage: str):
        """History keeps every breach; the `overdue` flag itself follows the open stages."""
        self._record(p, Action.MARK_OVERDUE, to, now, None, Visibility.STAFF, stage=stage)

    # ---- merging (domain/duplicates.py decides; these record it on each side) ----------------------
    def _on_mark_duplicate(self, p, to, now, calc, original: "Report", added: int, message: str | None = None):
        """Closed as a duplicate: its clocks stop with the archive; what it was is kept for the undo."""
        if self.duplicates:
            raise InvalidTransition("Laporan ini punya duplikat sendiri; lepaskan dulu",
                                    "This report has duplicates of its own; unmark them first")
        self.duplicate_of, self.duplicate_added = original.tracking_id, added
        self.duplicate_from_status = self.status.value
        self.archive_reason = "duplicate"
        self._record(p, Action.MARK_DUPLICATE, to, now, message, Visibility.PUBLIC, reason="duplicate",
                     of=original.tracking_id)

    def _on_unmark_duplicate(self, p, to, now, calc, original: "Report"):
        """Back to the status it had when marked, with the deadlines it had (late ones become overdue)."""
        if not self.duplicate_of or self.archive_reason != "duplicate":
            raise InvalidTransition("Laporan ini bukan duplikat", "This report is not marked as a duplicate")
        restored = Status(self.duplicate_from_status or Status.SUBMITTED.value)
        self.duplicate_of, self.duplicate_added, self.duplicate_from_status = None, 0, None
        self.archive_reason = None
        self._record(p, Action.UNMARK_DUPLICATE, restored, now, None, Visibility.PUBLIC, of=original.tracking_id)

    def link_duplicate(self, p: Principal, duplicate: "Report", added: int, now: dt.datetime) -> None:
        """The original's side of a merge: the link, the supporters it gained, an event in its history."""
        self.duplicates = [*self.duplicates, duplicate.tracking_id]
        self.supporter_count += added
        self.followed = True
        self._record(p, Action.MARK_DUPLICATE, self.status, now, None, Visibility.PUBLIC,
                     duplicate=duplicate.tracking_id, added=added)

    def unlink_duplicate(self, p: Principal, duplicate: "Report", now: dt.datetime) -> None:
        self.duplicates = [d for d in self.duplicates if d != duplicate.tracking_id]
        self.supporter_count = max(0, self.supporter_count - duplicate.duplicate_added)
        self._record(p, Action.UNMARK_DUPLICATE, self.status, now, None, Visibility.PUBLIC,
                     duplicate=duplicate.tracking_id, removed=duplicate.duplicate_added)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


@dataclass(frozen=True)
class UnitRef:
    id: str
    agency_id: str
    name: str = ""


@dataclass(frozen=True)
class AgencyRef:
    id: str
    province_code: str
    name: str = ""
    regency_code: str | None = None
    units: tuple[UnitRef, ...] = ()

    def unit(self, unit_id: str) -> UnitRef | None:
        return next((u for u in self.units if u.id == unit_id), None)
