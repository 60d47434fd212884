"""Attachment rules: which files a report may carry, decided from the bytes, never the name, and
what a download is called (a neutral name: an original one may name the reporter or their phone)."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from .errors import InvalidInput, Unprocessable

MAX_BYTES = 10 * 1024 * 1024
MAX_PER_REPORT = 5
FILENAME_MAX = 150

ALLOWED_TYPES = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WebP",
    "application/pdf": "PDF",
}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}

PENDING = "pending"
STORED = "stored"


@dataclass
class Attachment:
    """One file of one report. `pending` until the server has checked the uploaded bytes."""

    tracking_id: str
    attachment_id: str
    filename: str
    content_type: str
    size: int
    state: str
    created_at: dt.datetime
    stored_at: dt.datetime | None = None

    @property
    def upload_key(self) -> str:
        """Where the browser's presigned POST puts the bytes (it stays writable for 10 minutes)."""
        return f"reports/{self.tracking_id}/{self.attachment_id}"

    @property
    def stored_key(self) -> str:
        """Where the checked, metadata-free bytes are served from: no presigned POST can reach it,
        so what readers get is exactly what the server checked."""
        return f"reports/{self.tracking_id}/kept/{self.attachment_id}"


def neutral_name(number: int, content_type: str) -> str:
    """What a download is called: `lampiran-2.jpg`, the report's second kept file."""
    return f"lampiran-{number}.{EXTENSIONS[content_type]}"


def detect_type(head: bytes) -> str | None:
    """The content type the leading bytes prove, or None for anything we do not accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def clean_filename(raw: str) -> str:
    """The name as shown to people: no directories, no control characters, bounded length."""
    name = re.split(r"[\\/]", raw or "")[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    name = name.strip().strip(".").strip()
    if len(name) > FILENAME_MAX:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: FILENAME_MAX - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:FILENAME_MAX]
    return name


def check_upload(filename: str, content_type: str, size: int) -> str:
    """Refuses a file before any byte is sent; answers the cleaned file name."""
    fields: dict[str, str] = {}
    name = clean_filename(filename)
    if content_type not in ALLOWED_TYPES:
        fields["content_type"] = "hanya JPEG, PNG, WebP atau PDF / JPEG, PNG, WebP or PDF only"
    if size < 1:
        fields["size"] = "berkas kosong / the file is empty"
    elif size > MAX_BYTES:
        fields["size"] = "maksimal 10 MB / at most 10 MB"
    if fields:
        first = next(iter(fields))
        message_id, message_en = {
            "content_type": ("Jenis berkas tidak didukung: hanya JPEG, PNG, WebP atau PDF",
                             "Unsupported file type: JPEG, PNG, WebP or PDF only"),
            "size": ("Ukuran berkas harus 1 byte sampai 10 MB", "A file must be between 1 byte and 10 MB"),
        }[first]
        raise InvalidInput(message_id, message_en, fields)
    if not name:  # the document's string, but nothing visible is left of it
        raise Unprocessable("Nama berkas tidak valid", "Invalid file name",
                            {"filename": "tanpa karakter yang terlihat / no visible character"})
    return name


def check_stored(size: int | None, head: bytes) -> str:
    """What the uploaded object really is (from its first bytes); raises when it must not be kept."""
    if size is None:
        raise InvalidInput("Berkas belum terunggah", "The file has not been uploaded",
                           {"file": "belum diterima / not received"})
    if size < 1 or size > MAX_BYTES:
        raise InvalidInput("Berkas ditolak: ukuran harus 1 byte sampai 10 MB",
                           "File rejected: a file must be between 1 byte and 10 MB",
                           {"file": "maksimal 10 MB / at most 10 MB"})
    kind = detect_type(head)
    if kind is None:
        raise InvalidInput("Berkas ditolak: isinya bukan gambar JPEG, PNG, WebP atau dokumen PDF",
                           "File rejected: its content is not a JPEG, PNG or WebP image or a PDF document",
                           {"file": "hanya JPEG, PNG, WebP atau PDF / JPEG, PNG, WebP or PDF only"})
    return kind


def too_many() -> InvalidInput:
    return InvalidInput(f"Maksimal {MAX_PER_REPORT} lampiran per laporan",
                        f"At most {MAX_PER_REPORT} attachments per report",
                        {"file": f"maksimal {MAX_PER_REPORT} / at most {MAX_PER_REPORT}"})
