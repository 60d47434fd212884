"""The reporter's rights over their own data (UU PDP 27/2022), proven with the access code, and a
new access code for one who lost it. The rules are domain/reporter_data.py; this wires them to the
store, the outbox and the attachments. Retention (services/retention.py) erases through
`erase_reporter`, the same function as the reporter's own request."""
from __future__ import annotations

import datetime as dt
from typing import Any

from aws_lambda_powertools import Logger

from ..domain import reporter_data
from ..domain.errors import Conflict, Forbidden, InvalidTransition, NotFound
from ..domain.ids import new_access_code, normalise_tracking_id
from ..domain.messages import Message
from ..domain.report import Report
from . import limits
from .reports import Deps, load_for_reporter

logger = Logger(child=True)
SAVE_TRIES = 3  # a recovery that meets a concurrent change reads the report again


def _as_reporter(deps: Deps, tracking_id: str, access_code: str | None, client: str | None,
                 now: dt.datetime) -> Report:
    """The access code is the reporter's proof here as for replies: none → 403; a wrong one is
    the same 404 as an unknown id, and counts against the limits (services.limits)."""
    if not access_code:
        raise Forbidden("Kode akses wajib diisi (header X-Access-Code)",
                        "The access code is required (X-Access-Code header)")
    report, _ = load_for_reporter(deps, tracking_id, access_code, now, client)
    return report


# ---- a lost access code ---------------------------------------------------------------------------
def recover_access_code(deps: Deps, raw_tracking_id: str, client: str | None, now: dt.datetime) -> None:
    """A new code to the contact on file, the old one revoked in the same write. Answers nothing:
    the caller learns the same whether the report exists, has a contact or not (only its limits,
    counted for any id, may answer 429)."""
    tracking_id = normalise_tracking_id(raw_tracking_id)
    limits.count_recovery(deps.limiter, tracking_id or raw_tracking_id.strip().upper()[:64], client, now)
    for _attempt in range(SAVE_TRIES if tracking_id else 0):
        try:
            report = deps.reports.get(tracking_id)
        except NotFound:
            return
        if not reporter_data.has_contact(report):
            return
        code = new_access_code()
        reporter_data.reissue_access_code(report, limits.seal(code), now)
        try:
            deps.reports.save(report, access_code_messages(report, code, now))
            logger.info("access code reissued", extra={"tracking_id": report.tracking_id})
            return
        except Conflict:
            continue  # someone changed the report meanwhile: read it again
    logger.warning("access code not reissued: the report kept changing", extra={"tracking_id": tracking_id})


def access_code_messages(report: Report, code: str, now: dt.datetime) -> list[Message]:
    """The new code, by e-mail and/or SMS per the contact on file; the outbox drops the words
    once sent (a sent row keeps no code)."""
    from .notifications import _to_reporter, track_url

    values = {"tracking_id": report.tracking_id, "title": report.title, "access_code": code,
              "track_url": track_url(report), "message": "", "due": "-", "name": ""}
    return _to_reporter(report, f"{report.tracking_id}|access_code@{now.isoformat()}", "reporter_access_code", values)


# ---- the rights ----------------------------------------------------------------------------------
def my_data(deps: Deps, files, tracking_id: str, access_code: str | None, now: dt.datetime,
            client: str | None = None) -> dict[str, Any]:
    report = _as_reporter(deps, tracking_id, access_code, client, now)
    uploaded = [_attachment_data(a) for a in files.records.list(report.tracking_id)]
    return reporter_data.my_data(report, deps.reports.events(report.tracking_id), uploaded)


def _attachment_data(a) -> dict[str, Any]:
    """What is stored about a file they sent (metadata; the bytes through the attachments route)."""
    return {"id": a.attachment_id, "filename": a.filename, "content_type": a.content_type, "size": a.size,
            "state": a.state, "created_at": a.created_at.isoformat(),
            "stored_at": a.stored_at.isoformat() if a.stored_at else None}


def correct_contact(deps: Deps, tracking_id: str, access_code: str | None, email: str | None, phone: str | None,
                    now: dt.datetime, client: str | None = None) -> dict[str, Any]:
    report = _as_reporter(deps, tracking_id, access_code, client, now)
    if report.identity_erased_at is not None and report.reporter.name == reporter_data.ERASED_NAME:
        raise InvalidTransition("Identitas pelapor sudah dihapus; kontak tidak dapat diisi lagi",
                                "The reporter's identity was erased; a contact can no longer be added")
    changed = reporter_data.correct_contact(report, now, email=email, phone=phone)
    if changed:
        deps.reports.save(report)
    return {"tracking_id": report.tracking_id, "changed": changed,
            "contact": {"email": report.reporter.email, "phone": report.reporter.phone}}


def erase_my_data(deps: Deps, files, tracking_id: str, access_code: str | None, now: dt.datetime,
                  client: str | None = None) -> dict[str, Any]:
    """Consent withdrawn: the identity and the files go now, the report stays (anonymous) and the
    access code keeps working, so the reporter can still follow and answer it."""
    report = _as_reporter(deps, tracking_id, access_code, client, now)
    erased, deleted = erase_reporter(deps, files, report, now, "reporter_request")
    return {"tracking_id": report.tracking_id, "erased": erased, "attachments_deleted": deleted,
            "access_code_works": True}


def erase_reporter(deps: Deps, files, report: Report, now: dt.datetime, reason: str) -> tuple[bool, int]:
    """The one erasure: files first (objects, then records: a crash before the report's write
    leaves it in retention's index, so a rerun finishes), then the identity, in one version-guarded
    write. Statistics do not move: counters carry no identity (the change's delta is empty).
    Answers (identity erased now, files deleted)."""
    deleted = 0
    if files is not None:
        for a in files.records.list(report.tracking_id):
            for key in {a.stored_key, a.upload_key}:
                files.blobs.delete(key)
            files.records.forget(a.tracking_id, a.attachment_id)
            deleted += 1
    erased = reporter_data.erase_identity(report, now, reason)
    if erased:
        deps.reports.save(report)
    return erased, deleted


# How long a recovery request takes at least, whatever happened: writing and sending a new code
# takes longer than finding no report, and the answer must not tell the two apart by its time.
RECOVERY_ANSWER_SECONDS = 0.5
RECOVERY_ANSWER = {
    "status": "accepted",
    "message": "Jika laporan ini mencantumkan e-mail atau nomor telepon, kode akses baru telah dikirim ke sana "
               "dan kode lama tidak berlaku lagi / If this report has an e-mail address or phone number on file, "
               "a new access code was sent there and the old one no longer works",
}
