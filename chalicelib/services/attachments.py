"""Attachment use cases: reserve an upload, check what arrived, list with short-lived links.

The reporter proves themselves with the access code, as for replies; reading follows the rules
of the report itself (public when published and not confidential, otherwise reporter or staff).
Completion reads the whole object, strips photo metadata (GPS, camera serial) and stores the result
under a key of its own; every download is called `lampiran-N.<ext>`, and the public never sees the
original file name.
"""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, replace
from typing import Any, Protocol

from ..domain.access import require_scope, sees_reporter_identity
from ..domain.attachments import (
    EXTENSIONS,
    MAX_BYTES,
    MAX_PER_REPORT,
    STORED,
    Attachment,
    check_stored,
    check_upload,
    clean_filename,
    neutral_name,
    too_many,
)
from ..domain.errors import Conflict, Forbidden, InvalidInput, InvalidTransition, NotFound
from ..domain.image_metadata import strip_metadata
from ..domain.lifecycle import CLOSED
from ..domain.roles import Principal
from .reports import Deps, load_for_reporter

UPLOAD_SECONDS = 10 * 60
# A pending upload holds its slot a little longer than its presigned POST lives.
RESERVATION = dt.timedelta(seconds=UPLOAD_SECONDS + 5 * 60)
LINK_SECONDS = {"public": 5 * 60, "reporter": 5 * 60, "staff": 15 * 60}


class Records(Protocol):
    def list(self, tracking_id: str) -> list[Attachment]: ...
    def get(self, tracking_id: str, attachment_id: str) -> Attachment | None: ...
    def add_pending(self, a: Attachment, expires_at: dt.datetime) -> None: ...
    def keep(self, a: Attachment, limit: int) -> None: ...
    def delete(self, tracking_id: str, attachment_id: str) -> None: ...


class Blobs(Protocol):
    def presign_upload(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> dict: ...
    def size(self, key: str) -> int | None: ...
    def read(self, key: str, at_most: int) -> bytes: ...
    def store(self, key: str, data: bytes, content_type: str) -> None: ...
    def delete(self, key: str) -> None: ...
    def download_url(self, key: str, filename: str, content_type: str, expires_in: int) -> str: ...


@dataclass
class Files:
    records: Records
    blobs: Blobs


def _reporter_report(deps: Deps, tracking_id: str, access_code: str | None, client: str | None):
    if not access_code:
        raise Forbidden("Kode akses wajib diisi (header X-Access-Code)",
                        "The access code is required (X-Access-Code header)")
    report, _ = load_for_reporter(deps, tracking_id, access_code, client=client)
    if report.status in CLOSED:
        raise InvalidTransition("Laporan sudah ditutup; lampiran tidak dapat ditambahkan",
                                "The report is closed; attachments can no longer be added")
    return report


def request_upload(deps: Deps, files: Files, tracking_id: str, access_code: str | None, filename: str,
                   content_type: str, size: int, now: dt.datetime, client: str | None = None) -> dict[str, Any]:
    """Reserves a slot and answers a presigned POST for exactly this type and at most 10 MB."""
    report = _reporter_report(deps, tracking_id, access_code, client)
    name = check_upload(filename, content_type, size)
    taken = [a for a in files.records.list(report.tracking_id)
             if a.state == STORED or a.created_at + RESERVATION > now]
    if len(taken) >= MAX_PER_REPORT:
        raise too_many()
    attachment = Attachment(tracking_id=report.tracking_id, attachment_id=uuid.uuid4().hex, filename=name,
                            content_type=content_type, size=size, state="pending", created_at=now)
    files.records.add_pending(attachment, expires_at=now + RESERVATION + dt.timedelta(days=1))
    return {
        "attachment_id": attachment.attachment_id,
        "filename": name,
        "upload": files.blobs.presign_upload(attachment.upload_key, content_type, MAX_BYTES, UPLOAD_SECONDS),
        "max_bytes": MAX_BYTES,
        "expires_at": (now + dt.timedelta(seconds=UPLOAD_SECONDS)).isoformat(),
    }


def complete_upload(deps: Deps, files: Files, tracking_id: str, attachment_id: str, access_code: str | None,
                    now: dt.datetime, client: str | None = None) -> dict[str, Any]:
    """Keeps the uploaded object only if its bytes are an accepted type within the size limit, and
    keeps them without their metadata; otherwise deletes object and record, so nothing half-saved
    remains."""
    report = _reporter_report(deps, tracking_id, access_code, client)
    attachment = files.records.get(report.tracking_id, attachment_id)
    if attachment is None:
        raise NotFound("Lampiran tidak ditemukan", "Attachment not found")
    if attachment.state == STORED:
        return _describe_one(files, attachment)
    size = files.blobs.size(attachment.upload_key)
    # One byte past the limit, in case the object was replaced by a larger one since it was sized.
    data = files.blobs.read(attachment.upload_key, MAX_BYTES + 1) if size and size <= MAX_BYTES else b""
    try:
        kind = check_stored(len(data) if data else size, data)
        cleaned = strip_metadata(kind, data)
    except InvalidInput:
        if size is not None:
            _discard(files, attachment)
        raise
    kept = replace(attachment, content_type=kind, size=len(cleaned), state=STORED, stored_at=now)
    files.blobs.store(kept.stored_key, cleaned, kind)
    try:
        files.records.keep(kept, MAX_PER_REPORT)
    except InvalidInput:  # the report already holds the maximum
        files.blobs.delete(kept.stored_key)
        _discard(files, attachment)
        raise
    except Conflict:  # a parallel call kept it first
        again = files.records.get(report.tracking_id, attachment_id)
        if again is None or again.state != STORED:
            raise
        kept = again
    files.blobs.delete(attachment.upload_key)
    return _describe_one(files, kept)


def _discard(files: Files, attachment: Attachment) -> None:
    files.blobs.delete(attachment.upload_key)
    files.records.delete(attachment.tracking_id, attachment.attachment_id)


def describe(files: Files, a: Attachment, audience: str, number: int) -> dict[str, Any]:
    """`number`: the file's place among the report's kept files, which names the download. The
    public sees only that neutral name; the reporter and staff also see the name it was sent with."""
    seconds = LINK_SECONDS[audience]
    name = neutral_name(number, a.content_type)
    return {
        "id": a.attachment_id,
        "filename": name if audience == "public" else a.filename,
        "content_type": a.content_type,
        "size": a.size,
        "uploaded_at": a.stored_at.isoformat() if a.stored_at else None,
        "url": files.blobs.download_url(a.stored_key, name, a.content_type, seconds),
        "url_expires_in": seconds,
    }


def _kept(files: Files, tracking_id: str) -> list[Attachment]:
    return [a for a in files.records.list(tracking_id) if a.state == STORED]


def _describe_one(files: Files, a: Attachment) -> dict[str, Any]:
    """For the reporter who just completed `a`: numbered as the list will number it."""
    ids = [k.attachment_id for k in _kept(files, a.tracking_id)]
    return describe(files, a, "reporter", ids.index(a.attachment_id) + 1 if a.attachment_id in ids else len(ids) + 1)


def stored(files: Files, tracking_id: str, audience: str) -> list[dict[str, Any]]:
    return [describe(files, a, audience, n) for n, a in enumerate(_kept(files, tracking_id), 1)]


def public_list(deps: Deps, files: Files, tracking_id: str, access_code: str | None,
                client: str | None = None) -> list[dict[str, Any]]:
    """Same rule as the tracking page: published and not confidential, or the reporter's code."""
    report, as_reporter = load_for_reporter(deps, tracking_id, access_code, client=client)
    return stored(files, report.tracking_id, "reporter" if as_reporter else "public")


def staff_list(deps: Deps, files: Files, principal: Principal, tracking_id: str) -> list[dict[str, Any]]:
    """The names files were sent with may name their sender: shown only to those who may see the
    reporter (domain.access.sees_reporter_identity); everyone else gets the neutral names."""
    report = deps.reports.get(tracking_id)
    require_scope(principal, report)
    listed = stored(files, report.tracking_id, "staff")
    if not sees_reporter_identity(principal, report):
        listed = [{**a, "filename": neutral_name(n, a["content_type"])} for n, a in enumerate(listed, 1)]
    return listed


def default_files() -> Files:
    from ..adapters.attachments import DynamoAttachments, S3Files

    return Files(DynamoAttachments(), S3Files())



# ---- files that arrive inside a message (e-mail) -----------------------------------------------------
def check_received(filename: str, data: bytes, size: int | None = None) -> tuple[str, str, bytes]:
    """A file sent inside a message, judged as an upload is when completed (its bytes decide the
    type; 10 MB at most) and kept without its metadata: its shown name, its type, the clean bytes.
    Raises InvalidInput (fields["file"] says why, in both languages) when it must not be kept."""
    kind = check_stored(len(data) if size is None else size, data)
    cleaned = strip_metadata(kind, data)
    return clean_filename(filename) or "lampiran", kind, cleaned


def keep_received(files: Files, tracking_id: str, attachment_id: str, filename: str, kind: str, cleaned: bytes,
                  now: dt.datetime) -> Attachment:
    """Stores a checked file as a kept attachment of the report, within the per-report limit. The
    id is the caller's (derived from the message), so a repeated delivery keeps it once."""
    existing = files.records.get(tracking_id, attachment_id)
    if existing is not None and existing.state == STORED:
        return existing
    attachment = Attachment(tracking_id=tracking_id, attachment_id=attachment_id, filename=filename,
                            content_type=kind, size=len(cleaned), state="pending", created_at=now)
    if existing is None:
        files.records.add_pending(attachment, expires_at=now + RESERVATION + dt.timedelta(days=1))
    kept = replace(attachment, state=STORED, stored_at=now)
    files.blobs.store(kept.stored_key, cleaned, kind)
    try:
        files.records.keep(kept, MAX_PER_REPORT)
    except InvalidInput:  # the report already holds the maximum
        files.blobs.delete(kept.stored_key)
        files.records.delete(tracking_id, attachment_id)
        raise
    return kept
