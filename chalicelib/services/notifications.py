"""Who is told what, and in which words. Turns a report's recorded events and the clock's
notices into outbox messages, written in the same transaction as the change."""
from __future__ import annotations

import datetime as dt
import html
import json
import string
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from ..config import settings
from ..domain.calendar import to_wib_date
from ..domain.lifecycle import Status
from ..domain.messages import Message
from ..domain.report import Event, Notice, Report
from ..domain.staff import StaffMember, on_duty

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SMS_LIMIT = 160
STAGE_LABELS = {
    "verification": ("verifikasi", "verification"),
    "agency_review": ("telaah instansi", "agency review"),
    "first_response": ("tanggapan pertama", "first response"),
    "completion": ("penyelesaian", "completion"),
}
# GSM 03.38 basic character set: what one SMS segment of 160 characters may hold.
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
SIMPEL_SCHEMA = "lapor.ombudsman_referral.v1"


@lru_cache(maxsize=None)
def template(name: str) -> dict[str, string.Template]:
    sections: dict[str, list[str]] = {}
    current = None
    for line in (TEMPLATES / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("[") and line.endswith("]") and line[1:-1] in ("subject", "text", "html", "sms"):
            current = line[1:-1]
            sections[current] = []
        elif current:
            sections[current].append(line)
    return {k: string.Template("\n".join(v).strip()) for k, v in sections.items()}


def is_gsm7(text: str) -> bool:
    return all(c in GSM7 for c in text)


def _sms_safe(value: str) -> str:
    """Replaces what GSM-7 cannot carry, so an SMS stays one 160-character segment."""
    return "".join(c if c in GSM7 else "?" for c in value)


def render(name: str, values: dict[str, Any]) -> dict[str, str]:
    t = template(name)
    plain = {k: str(v) for k, v in values.items()}
    escaped = {k: html.escape(v) for k, v in plain.items()}
    sms = t["sms"].substitute({k: _sms_safe(v) for k, v in plain.items()})
    return {
        "subject": t["subject"].substitute(plain).replace("\n", " ")[:200],
        "text": t["text"].substitute(plain),
        "html": t["html"].substitute(escaped),
        "sms": sms[:SMS_LIMIT],  # templates are tested to fit; this only guards odd values
    }


def _date(day: dt.date | str | None) -> str:
    if day is None:
        return "-"
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return day.strftime("%d-%m-%Y")


def _origin() -> str:
    return settings().public_origin or "https://lapor.example.go.id"


def track_url(report: Report) -> str:
    return f"{_origin()}/track?id={report.tracking_id}"


def console_url(tracking_id: str) -> str:
    """The report's page in the staff console (the page keeps it through sign-in)."""
    return f"{_origin()}/console#/reports/{tracking_id}"


def console_short_url(tracking_id: str) -> str:
    """The same page in fewer characters, for SMS: the console turns ?r= into its report route."""
    return f"{_origin()}/console?r={tracking_id}"


def console_queue_url(within_working_days: int | None = None) -> str:
    """The caller's queue; `within` keeps what is due within that many working days or late."""
    return f"{_origin()}/console#/queue" + (f"?within={within_working_days}" if within_working_days is not None else "")


def _base_values(report: Report, directory) -> dict[str, Any]:
    agency = directory.agency(report.agency_id) if report.agency_id else None
    return {"tracking_id": report.tracking_id, "title": report.title, "agency": agency.name if agency else "-",
            "track_url": track_url(report), "message": "", "due": "-", "name": "", "unit": "-",
            "stage_id": "", "stage_en": "", "days_left": "",
            "console_url": console_url(report.tracking_id), "console_short": console_short_url(report.tracking_id)}


def _to_person(person: StaffMember, key: str, name: str, values: dict, tracking_id: str | None) -> list[Message]:
    rendered = render(name, {**values, "name": person.name})
    out = []
    if person.email:
        out.append(Message(f"{key}|{person.username}|email", "email", person.email, rendered["text"],
                                  tracking_id, rendered["subject"], rendered["html"], reply_as=person.username))
    if person.phone:
        out.append(Message(f"{key}|{person.username}|sms", "sms", person.phone, rendered["sms"], tracking_id))
    return out


# The WhatsApp template (registered with Meta in both languages; README, "WhatsApp") each reporter
# message goes as, and the template values its {{1}}, {{2}}... take, in order.
WHATSAPP_TEMPLATES: dict[str, tuple[str, tuple[str, ...]]] = {
    "reporter_dispatched": ("lapor_dispatched", ("tracking_id", "agency", "due", "track_url")),
    "reporter_follow_up": ("lapor_follow_up", ("tracking_id", "message", "track_url")),
    "reporter_final_answer": ("lapor_final_answer", ("tracking_id", "message", "due", "track_url")),
    "reporter_completed": ("lapor_completed", ("tracking_id", "track_url")),
    "reporter_postponed": ("lapor_postponed", ("tracking_id", "message", "due", "track_url")),
    "reporter_ombudsman": ("lapor_ombudsman", ("tracking_id", "agency")),
}
WHATSAPP_PARAMETER_MAX = 1000  # Meta refuses a parameter with a line break, a tab or over 1,024 characters


def whatsapp_template(name: str, values: dict[str, Any]) -> str | None:
    if name not in WHATSAPP_TEMPLATES:
        return None
    template, keys = WHATSAPP_TEMPLATES[name]
    parameters = [" ".join(str(values.get(k) or "-").split())[:WHATSAPP_PARAMETER_MAX] or "-" for k in keys]
    return json.dumps({"name": template, "language": settings().whatsapp_template_language,
                       "parameters": parameters}, ensure_ascii=False)


def _to_reporter(report: Report, key: str, name: str, values: dict) -> list[Message]:
    """Told on the channel they used: SMS → SMS, e-mail → e-mail, WhatsApp → a WhatsApp template
    (the notifier falls back to the same words by SMS); any other channel → every contact on file."""
    rendered = render(name, {**values, "name": report.reporter.name})
    channel, phone, email = report.channel, report.reporter.phone, report.reporter.email
    if channel == "whatsapp" and phone:
        return [Message(f"{key}|reporter|whatsapp", "whatsapp", phone, rendered["sms"], report.tracking_id,
                        template=whatsapp_template(name, values))]
    out = []
    if email and channel != "sms":
        out.append(Message(f"{key}|reporter|email", "email", email, rendered["text"],
                                  report.tracking_id, rendered["subject"], rendered["html"]))
    if phone and channel != "email":
        out.append(Message(f"{key}|reporter|sms", "sms", phone, rendered["sms"],
                                  report.tracking_id))
    return out


# ---- who ------------------------------------------------------------------------------------------
def central_admins(directory) -> list[StaffMember]:
    return directory.staff_with_role("central_admin", "all")


def agency_admins(directory, agency_id: str | None) -> list[StaffMember]:
    return directory.staff_with_role("agency_admin", agency_id) if agency_id else []


def liaison_on_duty(directory, unit_id: str, day: dt.date) -> list[StaffMember]:
    people = [directory.staff(a.username) for a in on_duty(directory.assignments(unit_id), day)]
    return [p for p in people if p is not None]


def stage_holders(directory, report: Report, day: dt.date) -> list[StaffMember]:
    """The person responsible for the report's current stage on that day. A unit with nobody
    on duty falls to its agency admin, so rotation never orphans a report."""
    if report.status == Status.SUBMITTED:
        return central_admins(directory)
    if report.status in (Status.ASSIGNED, Status.IN_PROGRESS) and report.unit_id:
        return liaison_on_duty(directory, report.unit_id, day) or agency_admins(directory, report.agency_id)
    return agency_admins(directory, report.agency_id)


def provincial_admins(directory, report: Report) -> list[StaffMember]:
    provinces = {report.location.province_code, report.agency_province_code} - {None}
    return [p for code in sorted(provinces) for p in directory.staff_with_role("provincial_admin", code)]


def _unique(people: Iterable[StaffMember]) -> list[StaffMember]:
    seen, out = set(), []
    for p in people:
        if p.username not in seen:
            seen.add(p.username)
            out.append(p)
    return out


# ---- what ------------------------------------------------------------------------------------------
REPORTER_EVENTS = {
    "dispatch": ("reporter_dispatched", "completion"),
    "respond": ("reporter_follow_up", None),
    "final_answer": ("reporter_final_answer", "reporter_reply"),
    "accept": ("reporter_completed", None),
    "auto_complete": ("reporter_completed", None),
    "postpone": ("reporter_postponed", "clarification"),
    "refer_ombudsman": ("reporter_ombudsman", None),
}


def messages_for_event(directory, report: Report, event: Event) -> list[Message]:
    key = f"{report.tracking_id}|{event.action}@{event.at.isoformat()}"
    built: dict[str, Any] = {}

    def values(**changes) -> dict[str, Any]:
        """The template values, built (an agency read) only once a message is due."""
        if not built:
            built.update(_base_values(report, directory))
        built.update(changes)
        return built

    out: list[Message] = []
    if event.action in REPORTER_EVENTS and not (event.action == "dispatch" and event.from_status is None):
        name, due_stage = REPORTER_EVENTS[event.action]
        out += _to_reporter(report, key, name, values(
            message=event.message or "", due=_date(report.deadlines.get(due_stage)) if due_stage else "-"))
    if event.action == "submit" and report.status == Status.DISPATCHED:
        out += _to_reporter(report, key, "reporter_dispatched", values(due=_date(report.deadlines.get("completion"))))
    if event.action == "refer_ombudsman" and settings().ombudsman_topic_arn:
        out.append(Message(f"{key}|simpel", "topic", settings().ombudsman_topic_arn,
                                  json.dumps(simpel_payload(report, directory, event.at)),
                                  report.tracking_id, f"LAPOR referral {report.tracking_id}"))
    if event.action == "assign" and report.unit_id:
        day = to_wib_date(event.at)
        if not on_duty(directory.assignments(report.unit_id), day):  # who is on duty does not matter here
            agency = directory.agency(report.agency_id)
            unit = agency.unit(report.unit_id) if agency else None
            for person in agency_admins(directory, report.agency_id):
                out += _to_person(person, key, "officer_unassigned", values(unit=unit.name if unit else report.unit_id),
                                  report.tracking_id)
    return out


def simpel_payload(report: Report, directory, at: dt.datetime) -> dict[str, Any]:
    """The SIMPeL connector's message (README, "Ombudsman referral"). No reporter identity."""
    agency = directory.agency(report.agency_id) if report.agency_id else None
    return {
        "schema": SIMPEL_SCHEMA,
        "tracking_id": report.tracking_id,
        "referred_at": at.isoformat(),
        "received_at": report.received_at.isoformat(),
        "dispatched_at": report.dispatched_at.isoformat() if report.dispatched_at else None,
        "kind": report.kind,
        "category_id": report.category_id,
        "title": report.title,
        "status": report.status.value,
        "agency": {"id": agency.id, "name": agency.name} if agency else None,
        "location": {"province_code": report.location.province_code, "regency_code": report.location.regency_code},
        "deadlines": dict(report.deadlines),
        "confidential": report.confidential,
        "public_url": None if report.confidential else track_url(report),
    }


def messages_for_notice(directory, report: Report, notice: Notice, now: dt.datetime) -> list[Message]:
    day = to_wib_date(now)
    key = f"{report.tracking_id}|{notice.key}"
    stage_id, stage_en = STAGE_LABELS.get(notice.stage or "", (notice.stage or "", notice.stage or ""))
    values = {**_base_values(report, directory), "stage_id": stage_id, "stage_en": stage_en,
              "due": _date(notice.due)}
    if notice.kind == "remind":
        left = (notice.due - day).days if notice.due else 0
        values["days_left"] = "hari ini / today" if left <= 0 else f"{left} hari lagi / in {left} days"
        people, name = stage_holders(directory, report, day), "officer_reminder"
    elif notice.kind == "breach":
        people = central_admins(directory) if notice.stage == "verification" else agency_admins(directory, report.agency_id)
        name = "officer_breach"
    elif notice.kind == "escalate":
        people, name = central_admins(directory) + provincial_admins(directory, report), "officer_escalation"
    else:
        return []
    return [m for p in _unique(people) for m in _to_person(p, key, name, values, report.tracking_id)]


def messages_for_change(directory, report: Report, events: list[Event], now: dt.datetime) -> list[Message]:
    out = [m for e in events for m in messages_for_event(directory, report, e)]
    out += [m for n in report.new_notices for m in messages_for_notice(directory, report, n, now)]
    return [_replied_as_reporter(report, m) for m in out]


def _replied_as_reporter(report: Report, message: Message) -> Message:
    """The reporter's e-mail answers to the reporter's signed reply address."""
    email = (report.reporter.email or "").casefold()
    if message.channel == "email" and message.reply_as is None and email and message.recipient.casefold() == email:
        return replace(message, reply_as="reporter")
    return message


class NotificationHook:
    """Per request: puts the messages a report change owes into its outbox row (sent right
    after the commit by the outbox)."""

    def __init__(self, directory, now_fn):
        self.directory, self.now_fn = directory, now_fn

    def __call__(self, write) -> None:
        write.change.messages += messages_for_change(self.directory, write.after, write.events, self.now_fn())


# ---- followers (issue 14: supporters, and a merged duplicate's reporter) ----------------------------
def follower_event(event: Event) -> bool:
    """What followers are told: every change of status a citizen sees on the public page."""
    return event.from_status is not None and event.from_status != event.to_status


def messages_for_followers(directory, report: Report, events: Iterable[Event], rows: Iterable[Any],
                           opt_out_url) -> list[Message]:
    """Each follower row (channel, contact, key) gets each status change once, with its own opt-out
    link (`opt_out_url(tracking_id, key)`); a person following through several rows (a report
    and its duplicate) gets one message, as the dedup key names the person, not the row."""
    from ..domain.lifecycle import STATUS_LABELS

    people: dict[str, Any] = {}
    for row in rows:  # one person may follow through two rows (the report's and a duplicate's)
        people.setdefault(row.key, row)
    rows = list(people.values())
    out: list[Message] = []
    for event in events:
        status_id, status_en = STATUS_LABELS[Status(event.to_status)]
        note = ""
        if event.action == "mark_duplicate" and event.data.get("of"):
            note = f"Digabung ke laporan {event.data['of']} / Merged into report {event.data['of']}"
        values = {**_base_values(report, directory), "status_id": status_id, "status_en": status_en, "message": note}
        key = f"{report.tracking_id}|{event.action}@{event.at.isoformat()}|follower"
        for row in rows:
            rendered = render("follower_update", {**values, "opt_out_url": opt_out_url(row.tracking_id, row.key)})
            dedup = f"{key}|{row.key}"
            if row.channel == "email":
                out.append(Message(dedup, "email", row.contact, rendered["text"], report.tracking_id,
                                   rendered["subject"], rendered["html"]))
            elif row.channel == "sms":
                out.append(Message(dedup, "sms", row.contact, rendered["sms"], report.tracking_id))
    return out


def messages_for_merge(directory, duplicate: Report, original_id: str, event: Event) -> list[Message]:
    """The duplicate's reporter hears where their report went (they follow the original from now)."""
    key = f"{duplicate.tracking_id}|{event.action}@{event.at.isoformat()}"
    values = {**_base_values(duplicate, directory), "original_id": original_id,
              "original_url": f"{_origin()}/track?id={original_id}"}
    return _to_reporter(duplicate, key, "reporter_merged", values)


def support_code_message(report: Report, channel: str, contact: str, row_key: str, code: str,
                         now: dt.datetime) -> Message:
    rendered = render("support_code", {"tracking_id": report.tracking_id, "title": report.title, "code": code,
                                       "track_url": track_url(report)})
    key = f"{report.tracking_id}|support-code|{row_key}@{now.isoformat()}"
    if channel == "email":
        return Message(key, "email", contact, rendered["text"], report.tracking_id, rendered["subject"],
                       rendered["html"])
    return Message(key, "sms", contact, rendered["sms"], report.tracking_id)
