"""The WhatsApp Business Cloud API webhook: its secret, its signature, its payload.

Meta calls the webhook with `GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…` once
(the verification handshake) and then `POST`s every event as JSON signed with the app secret
(`X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body>`). A message event is
  {"object": "whatsapp_business_account", "entry": [{"id": "<WABA id>", "changes": [{"field":
   "messages", "value": {"messaging_product": "whatsapp", "metadata": {...}, "contacts":
   [{"profile": {"name": "…"}, "wa_id": "6281…"}], "messages": [{"from": "6281…", "id": "wamid.…",
   "timestamp": "1734663600", "type": "text", "text": {"body": "…"}}]}}]}]}
(an image: `"type": "image", "image": {"id": "<media id>", "mime_type": …, "caption": …}`);
delivery receipts come as `value.statuses` and are ignored. Nothing here logs a number or a word
of a body: a refused request is logged by its reason alone.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger

from ..config import settings
from ..services.inbound import DESCRIPTION_MAX, Inbound
from .sms_inbound import MESSAGE_ID, received_at

logger = Logger(child=True)

CHANNEL = "whatsapp"
SIGNATURE_HEADER = "x-hub-signature-256"
WA_ID = re.compile(r"^[1-9]\d{6,14}$")
MEDIA_ID = re.compile(r"^[0-9A-Za-z_.-]{1,128}$")
NAME_LENGTH = 120
MAX_MEDIA_PER_MESSAGE = 1  # the Cloud API delivers one image per message
SECRET_TTL = 300.0  # seconds: a rotated secret is picked up within five minutes, without a cold start


# ---- the secret -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Credentials:
    app_secret: str
    verify_token: str
    access_token: str


_cache: dict[str, tuple[float, Credentials | None]] = {}
_lock = threading.Lock()


def credentials() -> Credentials | None:
    """The app secret, verify token and access token, from the secret the setting names (a JSON
    object); None when WhatsApp is not configured. Read on first use and kept SECRET_TTL."""
    name = settings().whatsapp_secret_name
    if not name:
        return None
    with _lock:
        hit = _cache.get(name)
        if hit and hit[0] > time.monotonic():
            return hit[1]
    import boto3

    raw = boto3.client("secretsmanager", region_name=settings().region).get_secret_value(SecretId=name)
    try:
        data = json.loads(raw.get("SecretString") or "{}")
    except ValueError:
        data = {}
    data = data if isinstance(data, dict) else {}
    found = Credentials(*(str(data.get(k) or "") for k in ("app_secret", "verify_token", "access_token")))
    found = found if found.app_secret and found.verify_token else None
    if found is None:
        logger.error("whatsapp secret incomplete", extra={"secret": name})
    with _lock:
        _cache[name] = (time.monotonic() + SECRET_TTL, found)
    return found


def forget_credentials() -> None:
    with _lock:
        _cache.clear()


# ---- the handshake and the signature ------------------------------------------------------------------
def challenge(params: dict[str, str] | None) -> str | None:
    """The challenge to echo when Meta's verification request carries our verify token, else None."""
    params = params or {}
    creds = credentials()
    token, answer = params.get("hub.verify_token") or "", params.get("hub.challenge")
    if creds is None or params.get("hub.mode") != "subscribe" or not answer:
        return None
    return answer if hmac.compare_digest(token.encode(), creds.verify_token.encode()) else None


def signature(body: bytes, app_secret: str) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def signed(body: bytes, header: str | None) -> bool:
    """True when the header is the body's HMAC with our app secret (compared in constant time)."""
    creds = credentials()
    if creds is None or not header:
        return False
    return hmac.compare_digest(header.strip().encode(), signature(body, creds.app_secret).encode())


# ---- the payload ------------------------------------------------------------------------------------
def _dicts(value: Any) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _text(message: dict) -> tuple[str, tuple[str, ...]]:
    """The words and the media ids of one message; other kinds (audio, location, stickers...)
    carry neither and are answered like a message not understood."""
    kind = message.get("type")
    part = message.get(kind) if isinstance(kind, str) and isinstance(message.get(kind), dict) else {}
    if kind == "text":
        return str(part.get("body") or ""), ()
    if kind == "image":
        media = str(part.get("id") or "")
        return str(part.get("caption") or ""), ((media,) if MEDIA_ID.match(media) else ())
    if kind == "button":
        return str(part.get("text") or ""), ()
    if kind == "interactive":
        reply = part.get("button_reply") or part.get("list_reply") or {}
        return str(reply.get("title") or "") if isinstance(reply, dict) else "", ()
    return "", ()


def _moment(timestamp: Any, now: dt.datetime) -> dt.datetime:
    try:
        stamp = dt.datetime.fromtimestamp(int(str(timestamp)), dt.timezone.utc).isoformat()
    except (TypeError, ValueError, OverflowError, OSError):
        stamp = None
    return received_at(stamp, now)


def parse(payload: Any, now: dt.datetime) -> tuple[list[Inbound], int]:
    """Every message the payload carries, as Inbounds, and how many entries were skipped
    (statuses, unusable messages). Never raises on odd input."""
    inbound: list[Inbound] = []
    skipped = 0
    entries = _dicts(payload.get("entry")) if isinstance(payload, dict) else []
    for change in (c for e in entries for c in _dicts(e.get("changes"))):
        value = change.get("value") if isinstance(change.get("value"), dict) else {}
        skipped += len(_dicts(value.get("statuses")))
        names = {str(c.get("wa_id")): (c.get("profile") or {}).get("name") for c in _dicts(value.get("contacts"))
                 if isinstance(c.get("profile") or {}, dict)}
        for message in _dicts(value.get("messages")):
            sender, message_id = str(message.get("from") or ""), message.get("id")
            if not WA_ID.match(sender) or not isinstance(message_id, str) or not MESSAGE_ID.match(message_id):
                skipped += 1
                continue
            text, media = _text(message)
            name = str(names.get(sender) or "")
            name = " ".join("".join(c for c in name if c.isprintable()).split())[:NAME_LENGTH]
            inbound.append(Inbound(CHANNEL, "+" + sender, message_id, _moment(message.get("timestamp"), now),
                                   text[:DESCRIPTION_MAX], media=media[:MAX_MEDIA_PER_MESSAGE], name=name))
    return inbound, skipped


SETTLED = ("delivered", "read")


def statuses(payload: Any) -> list[tuple[str, str]]:
    """(wamid, status) of every delivery receipt: `sent`, `delivered`, `read` or `failed`."""
    entries = _dicts(payload.get("entry")) if isinstance(payload, dict) else []
    found = []
    for change in (c for e in entries for c in _dicts(e.get("changes"))):
        value = change.get("value") if isinstance(change.get("value"), dict) else {}
        for status in _dicts(value.get("statuses")):
            wamid, state = status.get("id"), status.get("status")
            if isinstance(wamid, str) and MESSAGE_ID.match(wamid) and isinstance(state, str):
                found.append((wamid, state))
    return found


class Unsigned(Exception):
    """No signature, a wrong one, or WhatsApp not configured: nothing of the body is read."""


def handle(body: bytes, signature_header: str | None) -> dict[str, int]:
    """A signed delivery, every message of it through the intake; its counts by outcome. An outage
    raises (Meta retries, the message ids keep the retry from acting twice)."""
    from .. import wiring
    from ..services.attachments import default_files
    from ..services.whatsapp import fall_back, receive_whatsapp
    from .dialogues import DynamoDialogues
    from .whatsapp_fallbacks import DynamoFallbacks
    from .inbound_markers import DynamoInboundMarkers
    from .whatsapp_cloud import media

    if not signed(body, signature_header):
        raise Unsigned("missing or wrong X-Hub-Signature-256")
    now = wiring.now()
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        payload = None
    messages, skipped = parse(payload, now)
    counts: dict[str, int] = {"skipped": skipped} if skipped else {}
    receipts = statuses(payload)
    if any(state == "failed" or state in SETTLED for _wamid, state in receipts):
        fallbacks, outbox = DynamoFallbacks(), wiring.outbox()
        for wamid, state in receipts:
            if state == "failed" and fall_back(outbox, fallbacks, wamid, now):
                counts["fallback"] = counts.get("fallback", 0) + 1
            elif state in SETTLED:
                fallbacks.forget(wamid)
    for message in messages:
        try:
            outcome = receive_whatsapp(wiring.deps(), DynamoInboundMarkers(), DynamoDialogues(CHANNEL), default_files(),
                                       media, message, now, dt.timedelta(minutes=settings().whatsapp_dialogue_minutes))
        except Exception as exc:
            logger.error("inbound whatsapp failed", extra={"message_id": message.message_id,
                                                           "error": type(exc).__name__})
            raise
        logger.info("inbound whatsapp", extra={"message_id": message.message_id, "outcome": outcome.kind,
                                               "answer": outcome.answer, "tracking_id": outcome.tracking_id})
        counts[outcome.kind] = counts.get(outcome.kind, 0) + 1
    return counts
