"""Two-way SMS from AWS End User Messaging (Pinpoint SMS), delivered to an SNS topic.

The SNS message is the provider's JSON (docs.aws.amazon.com/sms-voice, "two-way SMS payload"):
  {"originationNumber": "+6281...", "destinationNumber": "+62...", "messageKeyword": "LAPOR",
   "messageBody": "LAPOR MEDAN ...", "inboundMessageId": "...", "previousPublishedMessageId": "..."}
This module turns it into the intake use case's `Inbound` and is the Lambda's whole handler:
whatever a payload holds, it ends in an answer SMS or a log line, never an unhandled exception
(nothing logged names the number or quotes the text)."""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from aws_lambda_powertools import Logger

from ..services.inbound import Inbound

logger = Logger(child=True)

CHANNEL = "sms"
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
MESSAGE_ID = re.compile(r"^[\x21-\x7e]{1,128}$")
MAX_TEXT = 1600  # ten concatenated segments: more than any handset sends as one message
# The SNS timestamp is when the message arrived; one implausibly old or ahead is not trusted.
TRUSTED_DELAY = dt.timedelta(days=3)


class Unusable(ValueError):
    """A payload no answer can be sent for (no usable number or message id): logged and dropped."""


def received_at(timestamp: str | None, now: dt.datetime) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(str(timestamp or "").replace("Z", "+00:00"))
    except ValueError:
        return now
    if moment.tzinfo is None or not now - TRUSTED_DELAY <= moment <= now:
        return now
    return moment


def parse(message: str, timestamp: str | None, now: dt.datetime) -> Inbound:
    """The Pinpoint payload as an Inbound; Unusable when there is nobody to answer."""
    try:
        data = json.loads(message)
    except (TypeError, ValueError):
        raise Unusable("not JSON") from None
    if not isinstance(data, dict):
        raise Unusable("not an object")
    sender, message_id, body = data.get("originationNumber"), data.get("inboundMessageId"), data.get("messageBody")
    if not isinstance(sender, str) or not E164.match(sender):
        raise Unusable("no originationNumber")
    if not isinstance(message_id, str) or not MESSAGE_ID.match(message_id):
        raise Unusable("no inboundMessageId")
    text = body if isinstance(body, str) else ""
    return Inbound(CHANNEL, sender, message_id, received_at(timestamp, now), text[:MAX_TEXT])


def handle_sns(event: dict[str, Any], context: Any = None) -> dict[str, int]:
    """Every record of an SNS delivery (SNS sends one; more are taken as they come). A domain
    refusal is answered inside the use case; an outage raises, so Lambda retries the delivery and
    the message ids keep the retry from acting twice."""
    from .. import wiring
    from ..services.inbound import receive
    from .inbound_markers import DynamoInboundMarkers

    counts: dict[str, int] = {}
    records = event.get("Records") if isinstance(event, dict) else None
    for record in records if isinstance(records, list) else []:
        sns = record.get("Sns") if isinstance(record, dict) else None
        sns = sns if isinstance(sns, dict) else {}
        now = wiring.now()
        try:
            inbound = parse(sns.get("Message"), sns.get("Timestamp"), now)
        except Unusable as exc:
            logger.warning("inbound sms dropped", extra={"reason": str(exc), "sns_message_id": sns.get("MessageId")})
            counts["dropped"] = counts.get("dropped", 0) + 1
            continue
        try:
            outcome = receive(wiring.deps(), DynamoInboundMarkers(), inbound, now)
        except Exception as exc:
            logger.error("inbound sms failed", extra={"message_id": inbound.message_id, "error": type(exc).__name__})
            raise
        logger.info("inbound sms", extra={"message_id": inbound.message_id, "outcome": outcome.kind,
                                          "answer": outcome.answer, "tracking_id": outcome.tracking_id})
        counts[outcome.kind] = counts.get(outcome.kind, 0) + 1
    return counts
