"""Stage limits in working days. Policy, not code: defaults from DOMAIN.md, overridable per
agency and per category (a category override is more specific than an agency one)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Mapping

from .calendar import WorkingCalendar
from .errors import Forbidden, InvalidInput, Unprocessable

# Stages whose deadlines appear on a report, in the order their clocks may start.
STAGES = (
    "verification",
    "agency_review",
    "first_response",
    "completion",
    "reporter_reply",
    "clarification",
    "ombudsman_referral",
)

DEFAULT_LIMITS: dict[str, int] = {
    "verification": 3,
    "agency_review": 3,
    "first_response": 5,
    "completion_information_request": 5,
    "completion_complaint": 14,
    "completion_complaint_field_inspection": 60,
    "completion_aspiration": 14,
    "reporter_reply": 10,
    "clarification": 10,
    "ombudsman_referral": 60,
}
LIMIT_KEYS = tuple(DEFAULT_LIMITS)
MAX_LIMIT = 365
# The stages an agency's own staff work: its admin may tighten these for the agency.
AGENCY_STAGE_LIMITS = frozenset({
    "agency_review", "first_response", "completion_information_request", "completion_complaint",
    "completion_complaint_field_inspection", "completion_aspiration",
})
# Clocks that stop before a report reaches an agency: an agency override of them would never apply.
PRE_AGENCY_LIMITS = frozenset({"verification", "clarification"})


def validate_limits(limits: Mapping[str, object]) -> dict[str, int]:
    """Checks an override document as an admin sends it."""
    errors: dict[str, str] = {}
    clean: dict[str, int] = {}
    for key, value in limits.items():
        if key not in DEFAULT_LIMITS:
            errors[key] = "Tahap tidak dikenal / unknown stage limit"
        elif not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_LIMIT:
            errors[key] = f"Harus bilangan bulat 1–{MAX_LIMIT} / must be an integer 1–{MAX_LIMIT}"
        else:
            clean[key] = value
    if errors:
        raise InvalidInput("Batas waktu tidak valid", "Invalid stage limits", errors)
    return clean


def check_agency_override(limits: Mapping[str, int], set_by_central: bool) -> None:
    """An agency override widens no one's rights: an agency admin may only tighten its own stages
    within the national limits. The Ombudsman referral and the reporter's reply window stay the
    central admin's (shortening the latter would close reports on the reporter)."""
    never = {k: "tidak berlaku per instansi, atur per kategori / not applied per agency, set it per category"
             for k in limits if k in PRE_AGENCY_LIMITS}
    if never:
        raise Unprocessable("Batas waktu ini berakhir sebelum laporan sampai ke instansi",
                            "This limit ends before a report reaches an agency", never)
    if set_by_central:
        return
    central = {k: "hanya admin pusat / central admin only" for k in limits if k not in AGENCY_STAGE_LIMITS}
    if central:
        raise Forbidden("Batas waktu ini hanya dapat diubah admin pusat", "Only the central admin may change this limit",
                        central)
    looser = {k: f"paling lama {DEFAULT_LIMITS[k]} hari kerja (batas nasional) / "
                 f"at most {DEFAULT_LIMITS[k]} working days (the national limit)"
              for k, v in limits.items() if v > DEFAULT_LIMITS[k]}
    if looser:
        raise Unprocessable("Instansi hanya dapat memperketat batas waktu nasional",
                            "An agency may only tighten the national limits", looser)


def completion_key(kind: str, field_inspection: bool) -> str:
    if kind == "complaint" and field_inspection:
        return "completion_complaint_field_inspection"
    return f"completion_{kind}"


@dataclass(frozen=True)
class SlaPolicy:
    """Effective limits for one report: defaults, then the agency's, then the category's."""

    agency_overrides: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    category_overrides: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    def limit(self, key: str, agency_id: str | None, category_id: str | None) -> int:
        for scope, source in ((category_id, self.category_overrides), (agency_id, self.agency_overrides)):
            if scope and key in source.get(scope, {}):
                return int(source[scope][key])
        return DEFAULT_LIMITS[key]


@dataclass(frozen=True)
class DeadlineCalculator:
    """Turns a clock start and a limit into a due date, with the calendar's version."""

    calendar: WorkingCalendar
    policy: SlaPolicy

    def due(self, start: dt.date, key: str, agency_id: str | None, category_id: str | None) -> dt.date:
        return self.calendar.add_working_days(start, self.policy.limit(key, agency_id, category_id))
