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
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Protocol

from aws_lambda_powertools import Logger

from ..config import settings
from ..domain.errors import Conflict, DomainError, InvalidTransition, NotFound, TooManyAttempts, Unprocessable
from ..domain.ids import normalise_tracking_id
from ..domain.attachments import MAX_PER_REPORT
from ..domain.lifecycle import CLOSED, STATUS_LABELS, Action, Status
from ..domain.messages import Message
from ..domain.reply_address import ReplyTo, read_reply_address
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
    attachments: tuple = ()  # ReceivedFile: files that came inside the message (e-mail)
    media: tuple = ()  # provider media ids, fetched once the report is filed (WhatsApp photos)
    subject: str = ""  # e-mail only: the title of a new report, the tracking number of a reply
    name: str = ""  # the sender's display name, when the channel carries one
    recipient: str = ""  # e-mail only: the address it was sent to (a signed reply address names a report)


@dataclass(frozen=True)
class ReceivedFile:
    """A file that came with a message (an e-mail attachment). `data` is empty when the file was
    too large to read; `size` is what it weighed."""

    filename: str
    content_type: str
    data: bytes
    size: int


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
    kind: str  # filed | replied | responded (an officer) | status | answered (a format or refusal) | duplicate | limited
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


def receive(deps: Deps, markers: Markers, message: Inbound, now: dt.datetime, files=None,
            conversation: Conversation | None = None) -> Outcome:
    """Exactly one effect per inbound message, and an answer for every message it acts on.
    `files`: where a message's attachments are kept (services/attachments.Files; the default
    store when a message carries any); `conversation`: a channel's dialogue (WhatsApp)."""
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
    signed = signed_reply(message)
    if signed is not None:  # whatever the subject says, the address names the report and the reader
        command = Reply(signed.tracking_id, message.text)
    if message.attachments and files is None:
        from .attachments import default_files

        files = default_files()
    try:
        if conversation is not None:
            taken = conversation.take(deps, markers, message, command, subject, now)
            if taken is not None:
                return taken
        if isinstance(command, File):
            return _file(deps, markers, message, command, subject, now, files, hits)
        if isinstance(command, Reply):
            return _reply(deps, markers, message, command, now, files, signed)
        if isinstance(command, StatusQuery):
            return _status(deps, markers, message, command, now)
    except TooManyAttempts:
        return _finish(deps, markers, message, now, Outcome("limited", "inbound_too_many"))
    return _finish(deps, markers, message, now, Outcome("answered", "inbound_help"))


def _file(deps: Deps, markers: Markers, message: Inbound, command: File, subject: str, now: dt.datetime,
          files=None, hits: int = 0) -> Outcome:
    if command.regency_code is None:
        return _finish(deps, markers, message, now, Outcome("answered", "inbound_no_region"))
    new = _new_report(message, command, now)
    if new is not None:  # what the spam score weighs besides the words
        new = replace(new, sender_messages=hits, attachments=len(message.attachments) + len(message.media))
    if new is None:
        return _finish(deps, markers, message, now, Outcome("answered", "inbound_too_short"))
    limits.count_submission(deps.limiter, f"{message.channel}:{subject}", now)
    keep, refused = checked_files(message)
    refused += [(f.filename, TOO_MANY) for _, f, *_ in keep[MAX_PER_REPORT:]]
    keep = keep[:MAX_PER_REPORT]
    deps.reports.hooks.append(markers.hook(message.channel, message.message_id, now))
    try:  # the answer carrying the access code is owed by the report's own first change
        report, code = submit_report(deps, new, now, owed=lambda r, c: [
            _answer_message(message, "inbound_filed", r, access_code=c, refused=refused_text(refused),
                            reply_as="reporter")])
    except Conflict:
        if markers.seen(message.channel, message.message_id) is not None:
            return Outcome("duplicate")  # delivered twice at once: the other delivery filed it
        raise
    _keep_files(files, report.tracking_id, keep, now)
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
    return report if _is_contact(report, message) else None


def _is_contact(report, message: Inbound) -> bool:
    contact = getattr(report.reporter, contact_field(message.channel)) or ""
    if message.channel == "email":  # mailboxes ignore the case of their addresses in practice
        contact, sender = contact.casefold(), message.sender.casefold()
    else:
        sender = message.sender
    return bool(contact) and hmac.compare_digest(contact.encode(), sender.encode())


def _reply(deps: Deps, markers: Markers, message: Inbound, command: Reply, now: dt.datetime, files=None,
           signed: ReplyTo | None = None) -> Outcome:
    """The report's reporter adds to it (or accepts or rejects its answer); an officer writing
    from their registered address answers it (e-mail only)."""
    try:
        report = deps.reports.get(command.tracking_id)
    except NotFound:
        report = None
    member = _staff_sender(deps, message, report, signed)
    if member is not None:
        return _officer_reply(deps, markers, message, command, report, member, now)
    if report is None or not _is_contact(report, message) or (signed is not None and signed.username is not None):
        return _finish(deps, markers, message, now, Outcome("answered", "inbound_unknown_report"),
                       tracking_id=command.tracking_id)
    refused = _keep_reply_files(files, message, report, now)
    text = command.text.strip()
    if not text:
        outcome = Outcome("replied", "inbound_replied", report.tracking_id) if message.attachments and not refused \
            else Outcome("answered", "inbound_help")
        return _finish(deps, markers, message, now, outcome, report=report, refused=refused)
    reply = reporter_decision(text) if report.status == Status.AWAITING_REPORTER else ReporterReply(message=text)
    template = "inbound_accepted" if reply.accept else "inbound_replied"
    try:  # the report's status says what the words mean (answer_as_reporter)
        answer_as_reporter(report, reply, now, current_calculator(deps.settings))
    except (InvalidTransition, Unprocessable):
        waiting = report.status == Status.AWAITING_REPORTER
        return _finish(deps, markers, message, now,
                       Outcome("answered", "inbound_decide" if waiting else "inbound_not_waiting", report.tracking_id),
                       report=report, refused=refused)
    deps.reports.hooks.append(markers.hook(message.channel, message.message_id, now))
    try:
        deps.reports.save(report)
    except Conflict:
        if markers.seen(message.channel, message.message_id) is not None:
            return Outcome("duplicate")
        raise
    if reply.accept and not refused:  # the completion notice, owed by this change, is the answer
        return Outcome("replied", "reporter_completed", report.tracking_id)
    _answer(deps, message, now, template, report, refused=refused)
    return Outcome("replied", template, report.tracking_id)


# ---- attachments (e-mail) -----------------------------------------------------------------------------
TOO_MANY = (f"maksimal {MAX_PER_REPORT} lampiran per laporan", f"at most {MAX_PER_REPORT} attachments per report")
CLOSED_REPORT = ("laporan sudah ditutup", "the report is closed")


def _file_id(message: Inbound, index: int) -> str:
    """An attachment's id from the message and its place in it: a repeated delivery keeps it once."""
    return hashlib.sha256(f"inbound#{message.channel}#{message.message_id}#{index}".encode()).hexdigest()[:32]


def checked_files(message: Inbound) -> tuple[list[tuple], list[tuple[str, tuple[str, str]]]]:
    """The message's files judged by the upload rules before anything is written: those to keep
    (id, file, name, type, clean bytes) and those refused (name, (why in Indonesian, in English))."""
    from ..domain.errors import InvalidInput
    from .attachments import check_received

    keep, refused = [], []
    for index, received in enumerate(message.attachments):
        try:
            name, kind, cleaned = check_received(received.filename, received.data, received.size)
        except InvalidInput as exc:
            why = exc.fields.get("file") or exc.message
            refused.append((received.filename, tuple(why.split(" / ", 1)) if " / " in why else (why, why)))
            continue
        keep.append((_file_id(message, index), received, name, kind, cleaned))
    return keep, refused


def refused_text(refused: list[tuple[str, tuple[str, str]]]) -> str:
    """The answer's line naming what was not kept, in both languages ("" when all was kept)."""
    if not refused:
        return ""
    names = [(name or f"lampiran-{n}") for n, (name, _) in enumerate(refused, 1)]
    return ("Lampiran tidak disimpan: " + "; ".join(f"{n} ({why[0]})" for n, (_, why) in zip(names, refused))
            + ". / Attachments not kept: " + "; ".join(f"{n} ({why[1]})" for n, (_, why) in zip(names, refused)) + ".")


def _keep_files(files, tracking_id: str, keep: list[tuple], now: dt.datetime) -> list[tuple[str, tuple[str, str]]]:
    from ..domain.errors import InvalidInput
    from .attachments import keep_received

    refused = []
    for attachment_id, received, name, kind, cleaned in keep:
        try:
            keep_received(files, tracking_id, attachment_id, name, kind, cleaned, now)
        except InvalidInput:  # the report already holds the maximum
            refused.append((received.filename, TOO_MANY))
    return refused


def _keep_reply_files(files, message: Inbound, report, now: dt.datetime) -> str:
    """A reporter's reply adds its files while the report is open, as an upload would."""
    if not message.attachments:
        return ""
    keep, refused = checked_files(message)
    if report.status in CLOSED:
        refused += [(received.filename, CLOSED_REPORT) for _, received, *_ in keep]
    else:
        refused += _keep_files(files, report.tracking_id, keep, now)
    return refused_text(refused)


# ---- signed reply addresses, officers answering, the reporter's decision ------------------------------
ACCEPT_WORDS = {"TERIMA", "SETUJU", "ACCEPT"}
REJECT_WORDS = {"TOLAK", "REJECT"}
RATING = re.compile(r"^\(?([1-5])(?:/5)?\)?[.,]?$")
NOT_YOURS = ("laporan ini bukan tanggung jawab Anda", "this report is not yours to answer")
NOT_NOW = ("tanggapan tidak dapat diberikan pada status ini", "a follow-up cannot be given in this status")
NOTHING_SAID = ("balasan Anda kosong (hanya kutipan)", "your reply was empty (only quoted text)")


def signed_reply(message: Inbound) -> ReplyTo | None:
    """The reader a signed reply address names; None for the plain address or a forged one (then
    the message is read as any other sent to the plain address)."""
    if message.channel != "email" or not message.recipient:
        return None
    return read_reply_address(settings().reply_address_key, message.recipient)


def reporter_decision(text: str) -> ReporterReply:
    """`TERIMA|SETUJU|ACCEPT <1-5> [comment]` accepts, `TOLAK|REJECT <reason>` rejects; anything
    else is a message (answer_as_reporter then asks for a decision)."""
    head, rest = (text.split(None, 1) + [""])[:2]
    word, rest = head.upper().strip(".,!:"), rest.strip()
    if word in ACCEPT_WORDS:
        rating_word, comment = (rest.split(None, 1) + [""])[:2] if rest else ("", "")
        match = RATING.match(rating_word)
        if match is None:
            return ReporterReply(accept=True, rating=None, message=rest or None)
        return ReporterReply(accept=True, rating=int(match.group(1)), message=comment.strip() or None)
    if word in REJECT_WORDS:
        return ReporterReply(accept=False, message=rest or None)
    return ReporterReply(message=text.strip())


def _same_address(a: str | None, b: str) -> bool:
    return bool(a) and hmac.compare_digest(a.casefold().encode(), b.casefold().encode())


def _staff_sender(deps: Deps, message: Inbound, report, signed: ReplyTo | None):
    """The staff member an e-mail comes from, when it answers a report: the one its signed reply
    address names (and whose registered address sent it), or, by the subject's tag, one of the
    people who handle that report. Never the reporter, never another channel."""
    if message.channel != "email" or report is None:
        return None
    if signed is not None:
        member = deps.directory.staff(signed.username) if signed.username else None
        return member if member is not None and _same_address(member.email, message.sender) else None
    if _is_contact(report, message):
        return None
    scopes = [("liaison_officer", report.unit_id), ("agency_admin", report.agency_id), ("central_admin", "all")]
    return next((m for role, scope in scopes if scope for m in deps.directory.staff_with_role(role, scope)
                 if _same_address(m.email, message.sender)), None)


def _officer_reply(deps: Deps, markers: Markers, message: Inbound, command: Reply, report, member,
                   now: dt.datetime) -> Outcome:
    """The officer's words become a `respond`, exactly as POST /staff/reports/{id}/actions would
    make it (staff_action: scope, lifecycle guard); what the rules refuse is answered with why."""
    from ..domain.access import in_scope
    from ..domain.roles import Principal, Role
    from ..domain.worklist import allowed_actions
    from .reports import staff_action

    principal = Principal(member.username, Role(member.role), member.agency_id, member.unit_id,
                          member.province_code, member.email, member.phone)
    text = command.text.strip()
    if not in_scope(principal, report):  # says nothing of a report outside their scope
        return _finish(deps, markers, message, now, Outcome("answered", "inbound_officer_refused"),
                       tracking_id=report.tracking_id, reason_id=NOT_YOURS[0], reason_en=NOT_YOURS[1])
    reason = NOT_NOW if Action.RESPOND.value not in allowed_actions(principal, report) else (
        NOTHING_SAID if not text else None)
    if reason is not None:
        return _finish(deps, markers, message, now, Outcome("answered", "inbound_officer_refused", report.tracking_id),
                       report=report, reply_as=member.username, reason_id=reason[0], reason_en=reason[1])
    deps.reports.hooks.append(markers.hook(message.channel, message.message_id, now))
    try:
        report = staff_action(deps, principal, report.tracking_id, Action.RESPOND.value, {"message": text}, now)
    except Conflict:
        if markers.seen(message.channel, message.message_id) is not None:
            return Outcome("duplicate")
        raise
    _answer(deps, message, now, "inbound_officer_responded", report, reply_as=member.username)
    return Outcome("responded", "inbound_officer_responded", report.tracking_id)


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
            report=None, tracking_id: str | None = None, refused: str = "", reply_as: str | None = None,
            **extra: str) -> Outcome:
    """An answer that changes no report: the answer first (once per message id), then the marker."""
    if outcome.answer:
        _answer(deps, message, now, outcome.answer, report, tracking_id=tracking_id, refused=refused,
                reply_as=reply_as, **extra)
    markers.put(message.channel, message.message_id, now, outcome.kind)
    return outcome


def _values(report, tracking_id: str | None, access_code: str | None) -> dict[str, Any]:
    values: dict[str, Any] = {"tracking_id": tracking_id or "-", "access_code": access_code or "",
                              "status_id": "", "status_en": "", "due": "-", "track_url": "", "refused": "",
                              "reason_id": "", "reason_en": ""}
    if report is not None:
        status_id, status_en = STATUS_LABELS[report.status]
        due = next((report.deadlines[s] for s in ("completion", "reporter_reply", "clarification", "verification")
                    if report.deadlines.get(s) and report.status not in (Status.COMPLETED, Status.ARCHIVED)), None)
        values.update(tracking_id=report.tracking_id, status_id=status_id, status_en=status_en,
                      due=dt.date.fromisoformat(str(due)).strftime("%d-%m-%Y") if due else "-",
                      track_url=track_url(report))
    return values


def _answer_message(message: Inbound, template: str, report=None, tracking_id: str | None = None,
                    access_code: str | None = None, refused: str = "", reply_as: str | None = None,
                    **extra: str) -> Message:
    """`reply_as`: who the sender is on this report ("reporter" or a staff username), when the
    answer may carry their signed reply address; a stranger's answer never does."""
    values = {**_values(report, tracking_id, access_code), **extra, "refused": refused}
    rendered = render(_channel_template(template, message.channel), values)
    text = rendered["sms"] if message.channel in ("sms", "whatsapp") else rendered["text"]
    email = message.channel == "email"
    return Message(_answer_key(message), message.channel, message.sender, text,
                   report.tracking_id if report is not None else None,
                   rendered["subject"] if email else None, rendered["html"] if email else None,
                   reply_as=reply_as if email and report is not None else None)


@lru_cache(maxsize=None)
def _channel_template(template: str, channel: str) -> str:
    """`<template>_<channel>` when a channel words an answer its own way (e-mail's format is the
    subject, not a keyword), else the shared template."""
    return f"{template}_{channel}" if (TEMPLATES / f"{template}_{channel}.txt").exists() else template


def _answer(deps: Deps, message: Inbound, now: dt.datetime, template: str, report=None,
            tracking_id: str | None = None, refused: str = "", reply_as: str | None = None, **extra: str) -> None:
    if reply_as is None and report is not None and _is_contact(report, message):
        reply_as = "reporter"
    answer = _answer_message(message, template, report, tracking_id, refused=refused, reply_as=reply_as, **extra)
    deps.outbox.put_alone(answer, now)
    deps.outbox.deliver([answer.id], now)


def _deliver_again(deps: Deps, message: Inbound, now: dt.datetime) -> None:
    """A repeated delivery sends nothing new, but finishes an answer a crash left unsent."""
    deps.outbox.deliver([Message(_answer_key(message), message.channel, "", "").id], now)


# What a Conversation reads, files and answers with: the commands' own steps.
file_report, finish, own_report, known_regions, leading_region = _file, _finish, _own_report, _known_regions, _region

__all__ = ["Inbound", "ReceivedFile", "Outcome", "reporter_decision", "checked_files", "refused_text", "signed_reply",
           "receive", "parse_command", "region_words", "File", "Reply", "StatusQuery", "NotUnderstood", "number_key",
           "parse_mail", "contact_field", "Conversation", "file_report", "finish", "own_report", "known_regions",
           "leading_region"]
