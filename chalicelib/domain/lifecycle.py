"""The lifecycle as one table: (status, action) -> (next status, who may do it).
One guard reads it; nothing else decides whether a move is allowed."""
from __future__ import annotations

import enum
from dataclasses import dataclass

from .errors import Forbidden, InvalidTransition
from .roles import Role


class Status(str, enum.Enum):
    SUBMITTED = "submitted"
    POSTPONED = "postponed"
    DISPATCHED = "dispatched"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    AWAITING_REPORTER = "awaiting_reporter"
    COMPLETED = "completed"
    ARCHIVED = "archived"


STATUS_LABELS = {
    Status.SUBMITTED: ("Belum terverifikasi", "Not yet verified"),
    Status.POSTPONED: ("Ditunda", "Postponed"),
    Status.DISPATCHED: ("Terdisposisi ke instansi", "Dispatched to agency"),
    Status.ASSIGNED: ("Terdisposisi ke unit", "Assigned to unit"),
    Status.IN_PROGRESS: ("Ditindaklanjuti", "In progress"),
    Status.AWAITING_REPORTER: ("Menunggu tanggapan pelapor", "Awaiting reporter"),
    Status.COMPLETED: ("Selesai", "Completed"),
    Status.ARCHIVED: ("Diarsipkan", "Archived"),
}

CLOSED = frozenset({Status.COMPLETED, Status.ARCHIVED})


class Action(str, enum.Enum):
    SUBMIT = "submit"
    DISPATCH = "dispatch"
    POSTPONE = "postpone"
    ARCHIVE = "archive"
    CORRECT = "correct"
    CLARIFY = "clarify"
    AUTO_ARCHIVE = "auto_archive"
    ASSIGN = "assign"
    REROUTE = "reroute"
    RESPOND = "respond"
    REPLY = "reply"
    FINAL_ANSWER = "final_answer"
    ACCEPT = "accept"
    REJECT = "reject"
    AUTO_COMPLETE = "auto_complete"
    SET_FIELD_INSPECTION = "set_field_inspection"
    REFER_OMBUDSMAN = "refer_ombudsman"
    MARK_OVERDUE = "mark_overdue"
    MARK_DUPLICATE = "mark_duplicate"
    UNMARK_DUPLICATE = "unmark_duplicate"


# Actions staff send to POST /staff/reports/{id}/actions.
STAFF_ACTIONS = frozenset(
    {
        Action.DISPATCH,
        Action.POSTPONE,
        Action.ARCHIVE,
        Action.ASSIGN,
        Action.REROUTE,
        Action.RESPOND,
        Action.FINAL_ANSWER,
        Action.SET_FIELD_INSPECTION,
        Action.CORRECT,
        Action.MARK_DUPLICATE,
        Action.UNMARK_DUPLICATE,
    }
)

S, R, A = Status, Role, Action
CENTRAL, AGENCY, LIAISON = R.CENTRAL_ADMIN, R.AGENCY_ADMIN, R.LIAISON_OFFICER
HANDLING = (S.DISPATCHED, S.ASSIGNED, S.IN_PROGRESS)


@dataclass(frozen=True)
class Transition:
    to: Status
    roles: frozenset[Role]


def _row(to: Status, *roles: Role) -> Transition:
    return Transition(to, frozenset(roles))


TRANSITIONS: dict[tuple[Status, Action], Transition] = {
    (S.SUBMITTED, A.DISPATCH): _row(S.DISPATCHED, CENTRAL),
    (S.SUBMITTED, A.POSTPONE): _row(S.POSTPONED, CENTRAL),
    (S.SUBMITTED, A.ARCHIVE): _row(S.ARCHIVED, CENTRAL),
    (S.SUBMITTED, A.CORRECT): _row(S.SUBMITTED, CENTRAL),
    (S.POSTPONED, A.CLARIFY): _row(S.SUBMITTED, R.REPORTER),
    (S.POSTPONED, A.AUTO_ARCHIVE): _row(S.ARCHIVED, R.SYSTEM),
    # Forwarding between agencies is a second dispatch by the central admin.
    (S.DISPATCHED, A.DISPATCH): _row(S.DISPATCHED, CENTRAL),
    (S.DISPATCHED, A.ASSIGN): _row(S.ASSIGNED, AGENCY),
    (S.DISPATCHED, A.REROUTE): _row(S.SUBMITTED, AGENCY, CENTRAL),
    # Only a report addressed to the agency and not yet verified (the report checks which).
    (S.DISPATCHED, A.ARCHIVE): _row(S.ARCHIVED, AGENCY),
    (S.DISPATCHED, A.CORRECT): _row(S.DISPATCHED, CENTRAL, AGENCY),
    (S.ASSIGNED, A.ASSIGN): _row(S.ASSIGNED, AGENCY),
    (S.ASSIGNED, A.RESPOND): _row(S.IN_PROGRESS, LIAISON),
    (S.ASSIGNED, A.REROUTE): _row(S.DISPATCHED, LIAISON),
    (S.IN_PROGRESS, A.RESPOND): _row(S.IN_PROGRESS, LIAISON),
    (S.IN_PROGRESS, A.REPLY): _row(S.IN_PROGRESS, R.REPORTER),
    (S.IN_PROGRESS, A.FINAL_ANSWER): _row(S.AWAITING_REPORTER, LIAISON),
    (S.AWAITING_REPORTER, A.ACCEPT): _row(S.COMPLETED, R.REPORTER),
    (S.AWAITING_REPORTER, A.REJECT): _row(S.IN_PROGRESS, R.REPORTER),
    (S.AWAITING_REPORTER, A.AUTO_COMPLETE): _row(S.COMPLETED, R.SYSTEM),
    **{(s, A.SET_FIELD_INSPECTION): _row(s, AGENCY, LIAISON) for s in HANDLING},
    # The clock's own moves: flags plus a history event, never a status change.
    **{(s, A.REFER_OMBUDSMAN): _row(s, R.SYSTEM) for s in Status if s not in CLOSED},
    **{(s, A.MARK_OVERDUE): _row(s, R.SYSTEM) for s in (S.SUBMITTED, *HANDLING)},
    # Merging (issue 14): a duplicate is archived with reason `duplicate` and linked to its original;
    # the agency admin only from the statuses its own reports have (the report checks both scopes).
    (S.SUBMITTED, A.MARK_DUPLICATE): _row(S.ARCHIVED, CENTRAL),
    (S.POSTPONED, A.MARK_DUPLICATE): _row(S.ARCHIVED, CENTRAL),
    **{(s, A.MARK_DUPLICATE): _row(S.ARCHIVED, CENTRAL, AGENCY) for s in HANDLING},
    # Undo: back to the status the duplicate had when marked (the report restores it from its record).
    (S.ARCHIVED, A.UNMARK_DUPLICATE): _row(S.ARCHIVED, CENTRAL, AGENCY),
}

_ROLES_BY_ACTION: dict[Action, frozenset[Role]] = {}
for (_status, _action), _t in TRANSITIONS.items():
    _ROLES_BY_ACTION[_action] = _ROLES_BY_ACTION.get(_action, frozenset()) | _t.roles


def guard(status: Status, action: Action, role: Role) -> Status:
    """The next status, or why not: a role that never does this action is refused (403);
    a role that may, but not from this status, meets a conflict (409)."""
    if role not in _ROLES_BY_ACTION.get(action, frozenset()):
        raise Forbidden(
            f"Peran {role.value} tidak boleh melakukan '{action.value}'",
            f"Role {role.value} may not perform '{action.value}'",
        )
    transition = TRANSITIONS.get((status, action))
    if transition is None or role not in transition.roles:
        raise InvalidTransition(
            f"Tindakan '{action.value}' tidak dapat dilakukan pada status '{status.value}'",
            f"Action '{action.value}' is not possible in status '{status.value}'",
        )
    return transition.to
