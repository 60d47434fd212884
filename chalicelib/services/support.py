"""Support ("dukung") and merging duplicates (issue 14): use cases, and the hook that tells a
report's followers of its public changes through the report's own outbox row.

A support is a report change like any other: the report (its `supporter_count`, so statistics
follow through the counters hook), the supporter row as the change's extra row, and the change
row, in one transaction. A merge changes two reports in one transaction (store.save_together)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..config import settings
from ..domain import duplicates as merging
from ..domain import support as rules
from ..domain.errors import Conflict, NotFound, TooManyAttempts, Unprocessable
from ..domain.lifecycle import Action, guard
from ..domain.report import Report
from ..domain.roles import Principal
from .calendar import current_calculator
from .reports import Deps
from . import notifications

HOUR = dt.timedelta(hours=1)
TRIES = 3  # a support racing another change of the report reloads it and counts again


def _key() -> bytes:
    """The access-code HMAC key, domain-separated per use in domain/support.py."""
    return settings().access_code_key


@dataclass(frozen=True)
class Contact:
    channel: str   # email | sms
    address: str   # normalised (schemas.normalise_email / normalise_phone)


def public_report(deps: Deps, tracking_id: str) -> Report:
    """Support is for what the public can see: anything else is the same 404 as an unknown id."""
    report = deps.reports.get(tracking_id)
    if not report.is_public:
        raise NotFound("Laporan tidak ditemukan", "Report not found")
    return report


def _limit(deps: Deps, purpose: str, subject: str, most: int, now: dt.datetime, message: tuple[str, str]) -> None:
    if deps.limiter.hit(purpose, subject, HOUR, now) > most:
        raise TooManyAttempts(*message)


def _answer(report: Report, status: str) -> dict:
    return {"tracking_id": report.tracking_id, "status": status, "supporter_count": report.supporter_count}


def support(deps: Deps, supporters, tracking_id: str, contact: Contact | None, client: str | None,
            now: dt.datetime) -> tuple[dict, int]:
    """Anonymous: counted at once, once per client address. With a contact: a one-time code is
    sent (202, pending) unless that contact already supports the report (200, idempotent)."""
    report = public_report(deps, tracking_id)
    rules.check_supportable(report)
    s = settings()
    _limit(deps, "support", client or "-", s.supports_per_client_per_hour, now,
           ("Terlalu banyak dukungan dari perangkat ini; coba lagi nanti",
            "Too many supports from this client; try again later"))
    if contact is None:
        key = rules.anonymous_key(_key(), client or "-")
        return _count(deps, supporters, report, key, None, now)
    key = rules.contact_key(_key(), contact.channel, contact.address)
    row = supporters.find(rules.follower_keys_for(report), key)
    if row is not None and row.status in rules.COUNTED:
        return _answer(report, "counted"), 200
    _limit(deps, "support-code", key, s.support_codes_per_contact_per_hour, now,
           ("Terlalu banyak kode dikirim ke kontak ini; coba lagi dalam satu jam",
            "Too many codes sent to this contact; try again within the hour"))
    code = rules.new_code()
    if not supporters.put_pending(report.tracking_id, key, contact.channel, contact.address,
                                  rules.seal_code(_key(), key, code), now):
        return _answer(report, "counted"), 200  # verified in between
    message = notifications.support_code_message(report, contact.channel, contact.address, key, code, now)
    deps.outbox.put_alone(message, now)
    deps.outbox.deliver([message.id], now)
    return {**_answer(report, "pending"), "channel": contact.channel}, 202


def verify(deps: Deps, supporters, tracking_id: str, contact: Contact, code: str, now: dt.datetime) -> tuple[dict, int]:
    """The code sent to the contact: right (and in time) counts the support, once."""
    report = public_report(deps, tracking_id)
    key = rules.contact_key(_key(), contact.channel, contact.address)
    row = supporters.get(report.tracking_id, key)
    if row is not None and row.status in rules.COUNTED:
        return _answer(report, "counted"), 200
    if row is None or row.status != rules.PENDING:
        raise Unprocessable("Belum ada kode untuk kontak ini; minta kode dulu",
                            "No code was sent to this contact; ask for one first", {"code": "minta kode / ask for a code"})
    if int(row.attempts or 0) >= rules.CODE_ATTEMPTS:
        raise TooManyAttempts("Terlalu banyak kode salah; minta kode baru", "Too many wrong codes; ask for a new one")
    if now > dt.datetime.fromisoformat(row.code_expires_at):
        raise Unprocessable("Kode sudah kedaluwarsa; minta kode baru", "The code has expired; ask for a new one",
                            {"code": "kedaluwarsa / expired"})
    if not rules.code_matches(_key(), key, code, row.code_hash):
        if supporters.count_wrong_code(row) >= rules.CODE_ATTEMPTS:
            raise TooManyAttempts("Terlalu banyak kode salah; minta kode baru", "Too many wrong codes; ask for a new one")
        raise Unprocessable("Kode salah", "Wrong code", {"code": "salah / wrong"})
    rules.check_supportable(report)
    return _count(deps, supporters, report, key, row, now)


def _count(deps: Deps, supporters, report: Report, key: str, pending, now: dt.datetime) -> tuple[dict, int]:
    """The support counted with its row, in the report's transaction; a lost race reloads and
    finds the row counted (a second click, a second verify) or counts again (another change)."""
    from ..adapters.supporters import SupporterModel, counted_row

    for attempt in range(TRIES):
        if attempt:
            report = public_report(deps, report.tracking_id)
            rules.check_supportable(report)
        if attempt or pending is None:  # a verify has just read its row
            existing = supporters.find(rules.follower_keys_for(report), key)
            if existing is not None and existing.status in rules.COUNTED:
                return _answer(report, "counted"), 200
        if pending is not None:
            row, condition = supporters.verified(pending, now)
        else:
            row, condition = counted_row(report.tracking_id, key, now), SupporterModel.key.does_not_exist()
        report.supporter_count += 1
        report.followed = report.followed or row.channel is not None
        try:
            deps.reports.save(report, extra=[(row, condition)])
            return _answer(report, "counted"), 201
        except Conflict:
            continue
    raise Conflict("Laporan sedang banyak diubah; coba lagi", "The report is busy; try again")


def opt_out(supporters, token: str) -> dict:
    """One click from a message: the row stops receiving updates (the support still counts)."""
    target = rules.read_opt_out_token(_key(), token)
    if not supporters.opt_out(target.tracking_id, target.key):
        raise NotFound("Tautan berhenti berlangganan tidak dikenal", "Unknown opt-out link")
    return {"tracking_id": target.tracking_id, "opted_out": True}


def opt_out_url(tracking_id: str, row_key: str) -> str:
    return f"{notifications._origin()}/supports/opt-out?token={rules.opt_out_token(_key(), tracking_id, row_key)}"


class FollowerHook:
    """Puts into a report change's outbox row the messages its followers are owed: a status
    change a citizen sees goes to every follower (the report's and its duplicates' contact rows:
    one Query each), and a report merged away tells its reporter where it went. Reads nothing for
    a report nobody follows (`followed`), so the usual change costs no extra call."""

    def __init__(self, supporters, directory):
        self.supporters, self.directory = supporters, directory

    def __call__(self, write) -> None:
        report = write.after
        merged = [e for e in write.events if e.action == Action.MARK_DUPLICATE.value and e.data.get("of")]
        for event in merged:
            write.change.messages += notifications.messages_for_merge(self.directory, report, event.data["of"], event)
        if not report.followed or not report.is_public:
            return
        events = [e for e in write.events if notifications.follower_event(e)]
        if events:
            rows = self.supporters.followers(rules.follower_keys_for(report))
            write.change.messages += notifications.messages_for_followers(self.directory, report, events, rows,
                                                                          opt_out_url)


# ---- merging ---------------------------------------------------------------------------------------
def _people(rows, reporter_keys: dict) -> list[set[str]]:
    """Each person a report brings to a merge: its reporter (their contact keys), then each supporter."""
    return [set(reporter_keys)] + [{r.key} for r in rows if r.via == rules.VIA_SUPPORT and r.status in rules.COUNTED]


def mark_duplicate(deps: Deps, supporters, principal: Principal, duplicate: Report, of: str,
                   now: dt.datetime, message: str | None = None) -> Report:
    """The duplicate joins the original in one transaction of both reports, plus its reporter's
    follower rows on its own partition (at most two: e-mail, phone), which the original's
    followers Query reads from now on (the original's `duplicates`): so the transaction stays a
    handful of items however many supporters the duplicate has."""
    from ..adapters.supporters import counted_row
    from ..http import tracking_id as parse_tracking_id

    guard(duplicate.status, Action.MARK_DUPLICATE, principal.role)  # 403/409 before anything about `of`
    try:
        original = deps.reports.get(parse_tracking_id(of))
    except NotFound:
        original = None
    original = merging.check_original(principal, duplicate, original)
    reporter = rules.reporter_keys(_key(), duplicate.reporter.email, duplicate.reporter.phone)
    original_reporter = rules.reporter_keys(_key(), original.reporter.email, original.reporter.phone)
    original_keys = {r.key for tid in rules.follower_keys_for(original) for r in supporters.rows(tid)
                     if r.status in rules.COUNTED}
    own = supporters.rows(duplicate.tracking_id)
    existing = {r.key: r.status for r in own}
    added = merging.people_added(original_keys | set(original_reporter), _people(own, reporter))
    merging.mark_duplicate(principal, duplicate, original, added, now, current_calculator(deps.settings), message)
    rows = [(counted_row(duplicate.tracking_id, key, now, channel, contact, rules.VIA_REPORTER), None)
            for key, (channel, contact) in reporter.items()
            if existing.get(key) in (None, rules.UNMERGED, rules.PENDING)]
    deps.reports.save_together([duplicate, original], extra=rows)
    return duplicate


def unmark_duplicate(deps: Deps, supporters, principal: Principal, duplicate: Report, now: dt.datetime) -> Report:
    """While the original is open: both reports in one transaction; the duplicate's reporter rows
    stop following (status `unmerged`, kept so a new merge finds them)."""
    from ..adapters.supporters import SupporterModel

    try:
        original = deps.reports.get(duplicate.duplicate_of) if duplicate.duplicate_of else None
    except NotFound:
        original = None
    original = merging.check_unmark(principal, duplicate, original)
    merging.unmark_duplicate(principal, duplicate, original, now, current_calculator(deps.settings))
    rows = []
    for row in supporters.rows(duplicate.tracking_id):
        if row.via == rules.VIA_REPORTER and row.status == rules.ACTIVE:
            rows.append((SupporterModel(row.tracking_id, row.key, status=rules.UNMERGED, via=row.via, channel=row.channel,
                                        contact=row.contact, attempts=0, created_at=row.created_at), None))
    deps.reports.save_together([duplicate, original], extra=rows)
    return duplicate
