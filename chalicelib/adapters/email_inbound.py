"""Inbound e-mail: an SES receipt rule stores the raw message in the inbound-mail bucket (S3
action, key `<prefix><SES messageId>`), then invokes this function (Lambda action, Event). The
SES event names the message but does not carry it; the handler reads the object and turns the
MIME message (standard library `email`, policy=default) into the intake use case's `Inbound`.

Why an SES Lambda action and not `@app.on_s3_event`: `chalice package` refuses S3 events (it
cannot attach a notification to a bucket in the template), while a plain `@app.lambda_function`
packages as any function and the receipt rule names it. Whatever a message holds, it ends in an
answer e-mail or a log line, never an unhandled exception; nothing logged names the address or
quotes the subject or text."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser
from typing import Any

from aws_lambda_powertools import Logger

from ..config import settings
from ..services.inbound import DESCRIPTION_MAX, Inbound, ReceivedFile
from .sms_inbound import MESSAGE_ID, Unusable, received_at

logger = Logger(child=True)

CHANNEL = "email"
MAX_MAIL_BYTES = 10 * 1024 * 1024  # SES takes up to 40 MB; the text and a few photos fit in this
NAME_LENGTH = 120
MAX_FILES = 10  # parts read as files; the report keeps at most five (domain/attachments.py)
MAX_FILE_BYTES = 10 * 1024 * 1024  # larger parts are refused by size without keeping their bytes
FILENAME_READ = 300
# Mail that answers mail automatically: answering it back would start a loop (RFC 3834).
AUTOMATIC_SENDERS = re.compile(r"^(mailer-daemon|postmaster|no-?reply|bounces?)([+@]|$)", re.IGNORECASE)
WROTE = re.compile(r"^\s*(on|pada)\b.*\b(wrote|menulis)\s*:\s*$", re.IGNORECASE)
WROTE_START = re.compile(r"^\s*(on|pada)\s", re.IGNORECASE)
FORWARDED = re.compile(r"^\s*-{2,}\s*(original message|pesan asli|forwarded message|pesan terusan)\s*-{2,}\s*$",
                       re.IGNORECASE)


def bucket() -> str:
    return settings().inbound_mail_bucket


def key_prefix() -> str:
    return settings().inbound_mail_prefix


# ---- the text ---------------------------------------------------------------------------------------
def strip_quoted(text: str) -> str:
    """The sender's own words: quoted history (`>` lines, from an "On … wrote:" / "Pada …
    menulis:" line, which mail programs may wrap over two lines, or an "Original Message"
    divider) and the signature (from a `-- ` line) cut away."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        joined = line + " " + (lines[i + 1] if i + 1 < len(lines) else "")
        if line.rstrip() == "--" or FORWARDED.match(line) or WROTE.match(line) \
                or (WROTE_START.match(line) and WROTE.match(joined)):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


class _Text(HTMLParser):
    """The visible text of an HTML part, for mail that has no plain-text one."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "blockquote"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("script", "style", "head")
        if tag in self.BLOCKS:
            self.parts.append("\n")
        if tag == "blockquote":
            self.parts.append("> ")

    def handle_endtag(self, tag):
        self.hidden -= tag in ("script", "style", "head") and self.hidden > 0

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def html_text(markup: str) -> str:
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


def _content(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, ValueError, AssertionError):  # an unknown or lying charset
        content = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
    return content if isinstance(content, str) else ""


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = _content(part)
    return html_text(content) if part.get_content_type() == "text/html" else content


# ---- the message ------------------------------------------------------------------------------------
def _header(message: EmailMessage, name: str) -> Any:
    """A header as the default policy parses it; None when it is absent or too broken to read."""
    try:
        return message[name]
    except Exception:  # the policy's header parsers raise assorted errors on hostile input
        return None


def _sender(message: EmailMessage) -> tuple[str, str]:
    header = _header(message, "From")
    addresses = getattr(header, "addresses", ()) if header is not None else ()
    if len(addresses) != 1 or not addresses[0].username or not addresses[0].domain:
        raise Unusable("no single From address")
    from ..schemas import normalise_email

    try:
        address = normalise_email(addresses[0].addr_spec)
    except Exception:
        raise Unusable("From is not a usable address") from None
    if not address or AUTOMATIC_SENDERS.match(address):
        raise Unusable("automatic sender")
    name = " ".join("".join(c for c in addresses[0].display_name if c.isprintable()).split())[:NAME_LENGTH]
    return address, name


def _message_id(message: EmailMessage, fallback: str) -> str:
    """The Message-ID names a message however often it is delivered; a long or odd one is hashed,
    and a message without one is named by its SES delivery."""
    value = str(_header(message, "Message-ID") or "").strip().strip("<>").strip()
    if not value:
        return fallback
    return value if MESSAGE_ID.match(value) else hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


def _automatic(message: EmailMessage) -> bool:
    auto = str(_header(message, "Auto-Submitted") or "no").strip().lower()
    precedence = str(_header(message, "Precedence") or "").strip().lower()
    return auto != "no" or precedence in ("bulk", "junk", "list", "auto_reply")


def attachments(message: EmailMessage) -> tuple[ReceivedFile, ...]:
    """Every part that is not the text we read: attachments, and inline images a mail program
    put in the body. Judging them is the attachment rules' job (services/attachments.py)."""
    body = message.get_body(preferencelist=("plain", "html"))
    found: list[ReceivedFile] = []
    for part in message.walk():
        if part.is_multipart() or part is body or len(found) >= MAX_FILES:
            continue
        filename = part.get_filename()
        if not filename and (part.get_content_maintype() in ("text", "message")
                             or part.get_content_disposition() != "attachment" and part.get_content_maintype() != "image"):
            continue  # an alternative text part or a nested message header, not a file
        try:
            data = part.get_payload(decode=True) or b""
        except Exception:  # a transfer encoding too broken to decode
            data = b""
        found.append(ReceivedFile(_printable(filename or "")[:FILENAME_READ], part.get_content_type(),
                                  data if len(data) <= MAX_FILE_BYTES else b"", len(data)))
    return tuple(found)


def _printable(value: str) -> str:
    return " ".join("".join(c for c in str(value) if c.isprintable()).split())


def parse(raw: bytes, fallback_id: str, arrived: str | None, now: dt.datetime, recipient: str = "") -> Inbound:
    """The raw MIME message as an Inbound; Unusable when nobody should be answered. `recipient`:
    the address SES received it for (the receipt's recipients), which may be a signed reply address."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    if _automatic(message):
        raise Unusable("automatic message")
    sender, name = _sender(message)
    subject = _printable(_header(message, "Subject") or "")
    text = strip_quoted(body_text(message))[:DESCRIPTION_MAX]
    return Inbound(CHANNEL, sender, _message_id(message, fallback_id), received_at(arrived, now), text,
                   attachments=attachments(message), subject=subject, name=name, recipient=recipient)


def signed_recipient(receipt: dict, mail: dict) -> str:
    """The one recipient that is a reply address (`r+...@`), else the first: SES lists the
    addresses of this rule that the message was accepted for."""
    listed = receipt.get("recipients") if isinstance(receipt.get("recipients"), list) else mail.get("destination")
    addresses = [a for a in listed if isinstance(a, str)] if isinstance(listed, list) else []
    return next((a for a in addresses if a.lower().startswith("r+")), addresses[0] if addresses else "")


# ---- the handler ------------------------------------------------------------------------------------
def _failed(verdicts: dict, *names: str) -> bool:
    return any((verdicts.get(n) or {}).get("status") == "FAIL" for n in names if isinstance(verdicts.get(n), dict))


def _read(ses_message_id: str) -> bytes | None:
    from botocore.exceptions import ClientError

    from .attachments import S3Files

    try:
        return S3Files(bucket=bucket()).read(key_prefix() + ses_message_id, MAX_MAIL_BYTES)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "InvalidRange"):
            return None
        raise


def handle_ses(event: dict[str, Any], context: Any = None) -> dict[str, int]:
    """Every record of an SES receipt event. A virus or a forged From (DMARC FAIL) is dropped;
    a domain refusal is answered inside the use case; an outage raises, so Lambda's asynchronous
    retry delivers the event again and the Message-ID keeps it from acting twice."""
    from .. import wiring
    from ..services.inbound import receive
    from .inbound_markers import DynamoInboundMarkers

    counts: dict[str, int] = {}
    records = event.get("Records") if isinstance(event, dict) else None
    for record in records if isinstance(records, list) else []:
        ses = record.get("ses") if isinstance(record, dict) else None
        ses = ses if isinstance(ses, dict) else {}
        mail = ses.get("mail") if isinstance(ses.get("mail"), dict) else {}
        receipt = ses.get("receipt") if isinstance(ses.get("receipt"), dict) else {}
        ses_id = mail.get("messageId")
        now = wiring.now()
        try:
            if not isinstance(ses_id, str) or not MESSAGE_ID.match(ses_id) or "/" in ses_id:
                raise Unusable("no SES messageId")
            if _failed(receipt, "virusVerdict", "dmarcVerdict"):
                raise Unusable("virus or forged sender")
            raw = _read(ses_id)
            if raw is None:
                raise Unusable("no stored message")
            inbound = parse(raw, ses_id, mail.get("timestamp"), now, signed_recipient(receipt, mail))
        except Unusable as exc:
            logger.warning("inbound email dropped", extra={"reason": str(exc), "ses_message_id": ses_id})
            counts["dropped"] = counts.get("dropped", 0) + 1
            continue
        try:
            outcome = receive(wiring.deps(), DynamoInboundMarkers(), inbound, now)
        except Exception as exc:
            logger.error("inbound email failed", extra={"ses_message_id": ses_id, "error": type(exc).__name__})
            raise
        logger.info("inbound email", extra={"ses_message_id": ses_id, "outcome": outcome.kind,
                                            "answer": outcome.answer, "tracking_id": outcome.tracking_id})
        counts[outcome.kind] = counts.get(outcome.kind, 0) + 1
    return counts
