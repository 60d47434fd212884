"""The WhatsApp Business Cloud API, outward: send a text or a template message, fetch a media
file. Plain urllib over HTTPS (no SDK in the package); the base URL is a setting, so tests and
`make run` talk to a local recorder (devtools/whatsapp_recorder.py) instead of graph.facebook.com.

Graph API answers sort into two kinds of failure: `Refused` (a ValueError: the outbox ends the
message at once and the notifier sends the SMS fallback) for a 4xx that no retry changes, and any
other exception (a 5xx, 429, a timeout) for a delay the outbox retries."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from aws_lambda_powertools import Logger

from ..config import settings
from .whatsapp import credentials

logger = Logger(child=True)

TIMEOUT = 10  # seconds; the outbox retries what does not answer in time
RETRYABLE = {429, 500, 502, 503, 504}


class Refused(ValueError):
    """WhatsApp cannot carry this message: not configured, or refused for good by the API."""


def configured() -> bool:
    return bool(settings().whatsapp_phone_number_id and settings().whatsapp_secret_name)


def _token() -> str:
    creds = credentials() if configured() else None
    if creds is None or not creds.access_token:
        raise Refused("whatsapp not configured")
    return creds.access_token


def _call(url: str, body: dict | None = None, at_most: int = 1024 * 1024) -> tuple[bytes, str]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if body is not None else "GET",
                                     headers={"Authorization": f"Bearer {_token()}",
                                              **({"Content-Type": "application/json"} if body is not None else {})})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310 - the base URL is a setting
            return answer.read(at_most + 1), answer.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        code = _graph_code(exc)
        if exc.code in RETRYABLE:
            raise RuntimeError(f"graph api {exc.code} ({code})") from None
        raise Refused(f"graph api {exc.code} ({code})") from None


def _graph_code(exc: urllib.error.HTTPError) -> Any:
    """Graph's numeric error code (131026: not a WhatsApp number...), never its message text."""
    try:
        return json.loads(exc.read(65536) or b"{}").get("error", {}).get("code")
    except (ValueError, AttributeError):
        return None


def _messages_url() -> str:
    return f"{settings().whatsapp_api_base}/{settings().whatsapp_phone_number_id}/messages"


def _wamid(raw: bytes) -> str | None:
    try:
        return (json.loads(raw).get("messages") or [{}])[0].get("id")
    except (ValueError, AttributeError, IndexError):
        return None


def send_text(to: str, text: str) -> str | None:
    """A free-form text: only inside the 24-hour window the sender's last message opened."""
    raw, _ = _call(_messages_url(), {"messaging_product": "whatsapp", "recipient_type": "individual",
                                     "to": to.lstrip("+"), "type": "text",
                                     "text": {"preview_url": False, "body": text}})
    return _wamid(raw)


def send_template(to: str, name: str, language: str, parameters: list[str]) -> str | None:
    """A template registered with Meta (README, "WhatsApp"): any time, window or not."""
    body: dict[str, Any] = {"name": name, "language": {"code": language}}
    if parameters:
        body["components"] = [{"type": "body", "parameters": [{"type": "text", "text": p} for p in parameters]}]
    raw, _ = _call(_messages_url(), {"messaging_product": "whatsapp", "to": to.lstrip("+"),
                                     "type": "template", "template": body})
    return _wamid(raw)


def send(item) -> str | None:
    """An outbox row of channel whatsapp: its template when it has one, else its text."""
    if getattr(item, "template", None):
        spec = json.loads(item.template)
        wamid = send_template(item.recipient, spec["name"], spec.get("language") or settings().whatsapp_template_language,
                              [str(p) for p in spec.get("parameters", [])])
        _keep_fallback(wamid, item)
        return wamid
    return send_text(item.recipient, item.text)


def _keep_fallback(wamid: str | None, item) -> None:
    """Meta accepts a template before it knows it can deliver it: the SMS words wait for its
    delivery receipt (adapters/whatsapp_fallbacks.py). Losing them loses only the fallback."""
    if not wamid:
        return
    from .. import wiring
    from .whatsapp_fallbacks import DynamoFallbacks

    try:
        DynamoFallbacks().remember(wamid, item.recipient, item.text, item.dedup_key, item.tracking_id, wiring.now())
    except Exception as exc:  # noqa: BLE001 - the template is sent; retrying it would send it twice
        logger.warning("whatsapp fallback not kept", extra={"tracking_id": item.tracking_id,
                                                            "error": type(exc).__name__})


def media(media_id: str, at_most: int) -> bytes:
    """A received file's bytes: the media id names a short-lived URL, fetched with the same token.
    At most `at_most` + 1 bytes are read, so a caller sees when a file is too large."""
    raw, _ = _call(f"{settings().whatsapp_api_base}/{media_id}")
    try:
        url = json.loads(raw).get("url")
    except (ValueError, AttributeError):
        url = None
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise Refused("media without a url")
    data, _ = _call(url, at_most=at_most)
    return data
