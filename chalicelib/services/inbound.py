"""Inbound messages (SMS, e-mail and WhatsApp): one intake use case for every door.

A provider's parser (adapters/) turns its payload into an `Inbound`; `receive` reads the text's
command and files a report, adds the reporter's reply, or answers a status query — through the
same use cases and checks as `POST /reports` — and always answers on the message's channel,
through the outbox. Each message counts once however often the provider delivers it: its marker
(`inbound#<channel>#<message id>`) commits with the report change it causes, and every answer's
dedup key is the message id, so a repeated delivery neither files nor sends anything twice.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from aws_lambda_powertools import Logger

from ..config import settings
from ..domain.errors import Conflict, DomainError, InvalidTransition, NotFound, TooManyAttempts, Unprocessable
from ..domain.ids import normalise_tracking_id
from ..domain.lifecycle import STATUS_LABELS, Status
from ..domain.messages import Message
from . import limits
from .calendar import current_calculator
from .notifications import TEMPLATES, render, track_url
from .reports import Deps, NewReport, ReporterReply, answer_as_reporter, submit_report

logger = Logger(child=True)

HOUR = dt.timedelta(hours=1)
# Every message from one number in an hour, answered or not: bounds the SMS we send back. New
# reports also count against the public per-client limit (SUBMISSIONS_PER_CLIENT_PER_HOUR).
MESSAGES_PER_NUMBER_PER_HOUR = settings().inbound_messages_per_number_per_hour
SMS_REPORTER_NAME = "Pelapor SMS"
REPORTER_NAMES = {"sms": SMS_REPORTER_NAME, "whatsapp": "Pelapor WhatsApp", "email": "Pelapor e-mail"}
# The report field that holds a channel's contact: the proof a later message is the reporter's.
CONTACT_FIELDS = {"sms": "phone", "whatsapp": "phone", "email": "email"}
TITLE_LENGTH = 80
TITLE_MAX, DESCRIPTION_MAX = 150, 5000  # what POST /reports accepts


@dataclass(frozen=True)
class Inbound:
    """One message as a provider delivered it, already parsed. `sender` is the contact the
    answer goes back to (E.164 for SMS and WhatsApp, an address for e-mail)."""

    channel: str
    sender: str
    message_id: str
    received_at: dt.datetime
    text: str
    attachments: tuple = ()
    subject: str = ""  # e-mail only: the title of a new report, the tracking number of a reply
    name: str = ""  # the sender's display name, when the channel carries one


def contact_field(channel: str) -> str:
    return CONTACT_FIELDS.get(channel, "phone")


class Markers(Protocol):
    def seen(self, channel: str, message_id: str) -> str | None: ...
    def hook(self, channel: str, message_id: str, now: dt.datetime): ...
    def put(self, channel: str, message_id: str, now: dt.datetime, outcome: str) -> bool: ...


# ---- the grammar ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class File:
    text: str
    regency_code: str | None  # None: no region word, or one naming several places
    title: str = ""  # e-mail: the subject (after its region); SMS: the text's first words
    kind: str = "complaint"  # a command files a complaint; WhatsApp's dialogue asks


@dataclass(frozen=True)
class Reply:
    tracking_id: str
    text: str


@dataclass(frozen=True)
class StatusQuery:
    tracking_id: str


@dataclass(frozen=True)
class NotUnderstood:
    pass


FILE_WORDS = {"LAPOR", "LAPORAN", "ADUAN", "ADUKAN"}
STATUS_WORDS = {"STATUS", "CEK", "CEKSTATUS"}
REGION_PREFIXES = {"KOTA": "Kota", "KAB": "Kabupaten", "KAB.": "Kabupaten", "KABUPATEN": "Kabupaten"}
MAX_REGION_WORDS = 5


def region_words(regions: dict) -> dict[str, tuple[str, ...]]:
    """Upper-case spellings of each regency → its codes: "KOTA MEDAN", "MEDAN", "KAB PASAMAN",
    "PASAMAN". A bare name shared by a city and a regency (BLITAR) maps to both."""
    words: dict[str, set[str]] = {}
    for province in regions["provinces"]:
        for regency in province.get("regencies", []):
            name = " ".join(regency["name"].upper().split())
            kind, _, bare = name.partition(" ")
            spellings = {name, bare} | {f"{p} {bare}" for p, full in REGION_PREFIXES.items() if full.upper() == kind}
            for spelling in spellings:
                words.setdefault(spelling, set()).add(regency["code"])
    return {k: tuple(sorted(v)) for k, v in words.items()}


def _region(words: list[str], known: dict[str, tuple[str, ...]]) -> tuple[str | None, int]:
    """The regency the leading words name (longest match) and how many words it took."""
    for size in range(min(MAX_REGION_WORDS, len(words)), 0, -1):
        codes = known.get(" ".join(words[:size]).upper())
        if codes:
            return (codes[0] if len(codes) == 1 else None), size
    return None, 0


def _tracking_id_at_start(words: list[str]) -> tuple[str | None, int]:
    """A tracking number as people type it: C0P7-RX82, c0p7rx82 or C0P7 RX82."""
    for size in (1, 2):
        if len(words) >= size and len("".join(words[:size])) <= 9:
            tid = normalise_tracking_id("".join(words[:size]))
            if tid:
                return tid, size
    return None, 0


def parse_command(text: str, known_regions: dict[str, tuple[str, ...]]) -> File | Reply | StatusQuery | NotUnderstood:
    """`LAPOR [region] <text>` · `STATUS <tracking number>` · `<tracking number> <text>`, in any
    case and spacing. Keywords are Indonesian; the answers explain them in both languages."""
    words = (text or "").split()
    if not words:
        return NotUnderstood()
    head = words[0].upper().rstrip(":")
    if head in FILE_WORDS:
        code, used = _region(words[1:], known_regions)
        rest = words[1 + used:] if used else words[1:]
        return File(" ".join(rest), code if used else None)
    if head in STATUS_WORDS:
        tid, used = _tracking_id_at_start(words[1:])
        return StatusQuery(tid) if tid and used == len(words) - 1 else NotUnderstood()
    tid, used = _tracking_id_at_start(words)
    if tid:
        return Reply(tid, " ".join(words[used:]))
    return NotUnderstood()


SUBJECT_TRACKING_ID = re.compile(r"\[\s*LAPOR\s+([A-Za-z0-9]{4}[\s-]?[A-Za-z0-9]{4})\s*\]", re.IGNORECASE)
SUBJECT_REGION_END = ":-\u2013\u2014,."
LOCATION_LABELS = ("LOKASI", "KOTA", "KABUPATEN", "KAB", "WILAYAH", "LOCATION", "CITY")


def parse_mail(subject: str, text: str, known_regions: dict[str, tuple[str, ...]]) -> File | Reply | StatusQuery:
    """An e-mail's command, read from its subject: `Re: [LAPOR C0P7-RX82] ...` (our answers carry
    it) replies, `STATUS C0P7-RX82` asks, anything else files a report whose region leads the
    subject (`Medan: Lampu jalan mati`, `LAPOR KAB BLITAR - ...`) or a body line names it
    (`Lokasi: Kota Medan`)."""
    subject = " ".join((subject or "").split())
    tagged = SUBJECT_TRACKING_ID.search(subject)
    tid = normalise_tracking_id(tagged.group(1)) if tagged else None
    if tid:
        return Reply(tid, text)
    command = parse_command(subject, known_regions)
    if isinstance(command, StatusQuery):
        return command
    words = subject.split()
    if words and words[0].upper().rstrip(":") in FILE_WORDS:
        words = words[1:]
    cleaned = [w.strip(SUBJECT_REGION_END) for w in words[:MAX_REGION_WORDS]]
    code, used = _region([w for w in cleaned if w], known_regions)
    title = " ".join(words[used:]).lstrip(SUBJECT_REGION_END + " ") if used else " ".join(words)
    if not used:
        code, used = _labelled_region(text, known_regions)
    return File(text, code if used else None, title)


def _labelled_region(text: str, known_regions: dict[str, tuple[str, ...]]) -> tuple[str | None, int]:
    for line in (text or "").splitlines():
        label, colon, rest = line.partition(":")
        if colon and label.strip().upper().rstrip(".") in LOCATION_LABELS:
            words = [w.strip(SUBJECT_REGION_END) for w in rest.split()]
            return _region([w for w in words if w], known_regions)
    return None, 0


@lru_cache(maxsize=1)
def _known_regions(regions_module: Any) -> dict[str, tuple[str, ...]]:
    return region_words(regions_module.regions())


# ---- the use case -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    kind: str  # filed | replied | status | answered (a format or refusal answer) | duplicate | limited
    answer: str | None = None  # the template answered with
    tracking_id: str | None = None


def number_key(contact: str) -> str:
    """The rate limits' subject for a contact: keyed, so the limits table holds no phone number."""
    return hmac.new(settings().access_code_key, contact.encode(), hashlib.sha256).hexdigest()[:24]


def _answer_key(message: Inbound) -> str:
    return f"inbound#{message.channel}#{message.message_id}|answer"


class Conversation(Protocol):
    """A channel's own way with what is not a command (WhatsApp's guided dialogue): the Outcome
    when it takes the message, None to leave it to the commands."""

    def take(self, deps: Deps, markers: Markers, message: Inbound, command, subject: str,
             now: dt.datetime) -> Outcome | None: ...


def receive(deps: Deps, markers: Markers, message: Inbound, now: dt.datetime,
            conversation: Conversation | None = None) -> Outcome:
    """Exactly one effect per inbound message, and an answer for every message it acts on."""
    if markers.seen(message.channel, message.message_id) is not None:
        _deliver_again(deps, message, now)
        return Outcome("duplicate")
    subject = number_key(message.sender)
    hits = deps.limiter.hit(f"inbound-{message.channel}", subject, HOUR, now)
    if hits > MESSAGES_PER_NUMBER_PER_HOUR:
        # Told once when the limit is reached; after that nothing more is sent to this number.
        answered = hits == MESSAGES_PER_NUMBER_PER_HOUR + 1
        return _finish(deps, markers, message, now, Outcome("limited", "inbound_too_many" if answered else None))
    known = _known_regions(deps.regions)
    command = (parse_mail(message.subject, message.text, known) if message.channel == "email"
               else parse_command(message.text, known))
    try:
        if conversation is not None:
            taken = conversation.take(deps, markers, message, command, subject, now)
            if taken is not None:
                return taken
        if isinstance(command, File):
            return _file(deps, markers, message, command, subject, now)
        if isinstance(command, Reply):
            return _reply(deps, markers, message, command, now)
        if isinstance(command, StatusQuery):
            return _status(deps, markers, message, command, now)
    except TooManyAttempts:
        return _finish(deps, markers, message, now, Outcome("limited", "inbound_too_many"))
    return _finish(deps, markers, message, now, Outcome("answered", "inbound_help"))


def _file(deps: Deps, markers: Markers, message: Inbound, command: File, subject: str, now: dt.datetime) -> Outcome:
    if command.regency_code is None:
        return _finish(deps, markers, message, now, Outcome("answered", "inbound_no_region"))
    new = _new_report(message, command, now)
    if new is None:
        return _finish(deps, markers, message, now, Outcome("answered", "inbound_too_short"))
    limits.count_submission(deps.limiter, f"{message.channel}:{subject}", now)
    deps.reports.hooks.append(markers.hook(message.channel, message.message_id, now))
    try:  # the answer carrying the access code is owed by the report's own first change
        report, code = submit_report(deps, new, now, owed=lambda r, c: [
            _answer_message(message, "inbound_filed", r, access_code=c)])
    except Conflict:
        if markers.seen(message.channel, message.message_id) is not None:
            return Outcome("duplicate")  # delivered twice at once: the other delivery filed it
        raise
    return Outcome("filed", "inbound_filed", report.tracking_id)


def _new_report(message: Inbound, command: File, now: dt.datetime) -> NewReport | None:
    """The report as `POST /reports` would accept it (the same request model checks it), or None
    when the text is too short to be one."""
    from .. import schemas
    from ..domain.report import Location, Reporter

    text = command.text.strip()[:DESCRIPTION_MAX]
    title = command.title.strip() if len(command.title.strip()) >= 5 else _shortened(text, TITLE_LENGTH)
    body = {"kind": command.kind, "title": _shortened(title, TITLE_MAX - 3), "description": text,
            "channel": message.channel, "received_at": min(message.received_at, now).isoformat(),
            "location": {"province_code": command.regency_code.split(".")[0], "regency_code": command.regency_code},
            "reporter": {"name": message.name or REPORTER_NAMES.get(message.channel, SMS_REPORTER_NAME),
                         contact_field(message.channel): message.sender}}
    try:
        parsed = schemas.parse(schemas.StaffReportIn, body)
    except DomainError:
        return None
    return NewReport(kind=parsed.kind, title=parsed.title, description=parsed.description,
                     location=Location(**parsed.location.model_dump()), reporter=Reporter(**parsed.reporter.model_dump()),
                     channel=parsed.channel, received_at=parsed.received_at)


def _shortened(text: str, length: int) -> str:
    return text if len(text) <= length else text[:length].rsplit(" ", 1)[0] + "..."


def _own_report(deps: Deps, message: Inbound, tracking_id: str):
    """The report when the sender is its reporter (the number is the proof, as the access code is
    on the web), else None: a stranger learns nothing, not even whether the number exists."""
    try:
        report = deps.reports.get(tracking_id)
    except NotFound:
        return None
    contact = getattr(report.reporter, contact_field(message.channel)) or ""
    if message.channel == "email":  # mailboxes ignore the case of their addresses in practice
        contact, sender = contact.casefold(), message.sender.casefold()
    else:
        sender = message.sender
    return report if contact and hmac.compare_digest(contact.encode(), sender.encode()) else None


def _reply(deps: Deps, markers: Markers, message: Inbound, command: Reply, now: dt.datetime) -> Outcome:
    report = _own_report(deps, message, command.tracking_id)
    if report is None:
        return _finish(deps, markers, message, now, Outcome("answered", "inbound_unknown_report"),
                       tracking_id=command.tracking_id)
    if not command.text.strip():
        return _finish(deps, markers, message, now, Outcome("answered", "inbound_help"))
    try:  # a text alone clarifies or adds to a follow-up; accepting an answer is the web page's
        answer_as_reporter(report, ReporterReply(message=command.text.strip()), now, current_calculator(deps.settings))
    except (InvalidTransition, Unprocessable):
        return _finish(deps, markers, message, now, Outcome("answered", "inbound_not_waiting", report.tracking_id),
                       report=report)
    deps.reports.hooks.append(markers.hook(message.channel, message.message_id, now))
    try:
        deps.reports.save(report)
    except Conflict:
        if markers.seen(message.channel, message.message_id) is not None:
            return Outcome("duplicate")
        raise
    _answer(deps, message, now, "inbound_replied", report)
    return Outcome("replied", "inbound_replied", report.tracking_id)


def _status(deps: Deps, markers: Markers, message: Inbound, command: StatusQuery, now: dt.datetime) -> Outcome:
    """A published report's status is public; an unpublished or confidential one is told only to
    its reporter's number."""
    try:
        report = deps.reports.get(command.tracking_id)
    except NotFound:
        report = None
    if report is not None and not (report.is_public and not report.confidential):
        report = _own_report(deps, message, command.tracking_id)
    if report is None:
        return _finish(deps, markers, message, now, Outcome("answered", "inbound_unknown_report"),
                       tracking_id=command.tracking_id)
    return _finish(deps, markers, message, now, Outcome("status", "inbound_status", report.tracking_id), report=report)


def _finish(deps: Deps, markers: Markers, message: Inbound, now: dt.datetime, outcome: Outcome,
            report=None, tracking_id: str | None = None) -> Outcome:
    """An answer that changes no report: the answer first (once per message id), then the marker."""
    if outcome.answer:
        _answer(deps, message, now, outcome.answer, report, tracking_id=tracking_id)
    markers.put(message.channel, message.message_id, now, outcome.kind)
    return outcome


def _values(report, tracking_id: str | None, access_code: str | None) -> dict[str, Any]:
    values: dict[str, Any] = {"tracking_id": tracking_id or "-", "access_code": access_code or "",
                              "status_id": "", "status_en": "", "due": "-", "track_url": ""}
    if report is not None:
        status_id, status_en = STATUS_LABELS[report.status]
        due = next((report.deadlines[s] for s in ("completion", "reporter_reply", "clarification", "verification")
                    if report.deadlines.get(s) and report.status not in (Status.COMPLETED, Status.ARCHIVED)), None)
        values.update(tracking_id=report.tracking_id, status_id=status_id, status_en=status_en,
                      due=dt.date.fromisoformat(str(due)).strftime("%d-%m-%Y") if due else "-",
                      track_url=track_url(report))
    return values


def _answer_message(message: Inbound, template: str, report=None, tracking_id: str | None = None,
                    access_code: str | None = None) -> Message:
    rendered = render(_channel_template(template, message.channel), _values(report, tracking_id, access_code))
    text = rendered["sms"] if message.channel in ("sms", "whatsapp") else rendered["text"]
    return Message(_answer_key(message), message.channel, message.sender, text,
                   report.tracking_id if report is not None else None,
                   rendered["subject"] if message.channel == "email" else None,
                   rendered["html"] if message.channel == "email" else None)


@lru_cache(maxsize=None)
def _channel_template(template: str, channel: str) -> str:
    """`<template>_<channel>` when a channel words an answer its own way (e-mail's format is the
    subject, not a keyword), else the shared template."""
    return f"{template}_{channel}" if (TEMPLATES / f"{template}_{channel}.txt").exists() else template


def _answer(deps: Deps, message: Inbound, now: dt.datetime, template: str, report=None,
            tracking_id: str | None = None) -> None:
    answer = _answer_message(message, template, report, tracking_id)
    deps.outbox.put_alone(answer, now)
    deps.outbox.deliver([answer.id], now)


def _deliver_again(deps: Deps, message: Inbound, now: dt.datetime) -> None:
    """A repeated delivery sends nothing new, but finishes an answer a crash left unsent."""
    deps.outbox.deliver([Message(_answer_key(message), message.channel, "", "").id], now)


# What a Conversation reads, files and answers with: the commands' own steps.
file_report, finish, own_report, known_regions, leading_region = _file, _finish, _own_report, _known_regions, _region

__all__ = ["Inbound", "Outcome", "receive", "parse_command", "region_words", "File", "Reply", "StatusQuery",
           "NotUnderstood", "number_key", "parse_mail", "contact_field", "Conversation", "file_report", "finish",
           "own_report", "known_regions", "leading_region"]
