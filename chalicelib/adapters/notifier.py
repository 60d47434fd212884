"""Sends one outbox row through SES (e-mail), SNS (SMS), the WhatsApp Cloud API or an SNS topic
(the SIMPeL connector)."""
from __future__ import annotations

from functools import lru_cache

from ..config import settings


@lru_cache(maxsize=None)
def _client(service: str):
    import boto3

    return boto3.client(service, region_name=settings().region)


def clients_reset() -> None:
    _client.cache_clear()


def reply_to_address(item) -> str:
    """`r+<token>@<inbound domain>` for mail about a report to a known reader (domain/reply_address.py);
    the plain inbound address otherwise (a reply then names its report in the subject)."""
    from ..domain.reply_address import reply_address

    s = settings()
    who = getattr(item, "reply_as", None)
    signed = (reply_address(s.reply_address_key, s.inbound_domain, item.tracking_id,
                            None if who == "reporter" else who) if who and item.tracking_id else None)
    return signed or s.inbound_address


def send(item) -> str | None:
    if item.channel == "email":
        body = {"Text": {"Data": item.text, "Charset": "UTF-8"}}
        if item.html:
            body["Html"] = {"Data": item.html, "Charset": "UTF-8"}
        reply_to = {"ReplyToAddresses": [reply_to_address(item)]} if settings().inbound_address else {}
        answer = _client("ses").send_email(
            Source=settings().ses_sender,
            Destination={"ToAddresses": [item.recipient]},
            Message={"Subject": {"Data": item.subject or "LAPOR", "Charset": "UTF-8"}, "Body": body},
            **reply_to,  # a reply reaches the inbound address, signed for its report and reader, not noreply
        )
        return answer.get("MessageId")
    if item.channel == "sms":
        return _sms(item.recipient, item.text)
    if item.channel == "whatsapp":
        return _whatsapp(item)
    if item.channel == "topic":
        answer = _client("sns").publish(TopicArn=item.recipient, Message=item.text,
                                        Subject=(item.subject or "LAPOR")[:100])
        return answer.get("MessageId")
    raise ValueError(f"unknown channel {item.channel}")


def _whatsapp(item) -> str | None:
    """WhatsApp, or the same words by SMS when WhatsApp is not configured or refuses the message
    for good (not a WhatsApp number, a template not approved): once, as the row is then sent."""
    from . import whatsapp_cloud

    try:
        return whatsapp_cloud.send(item)
    except whatsapp_cloud.Refused:
        return _sms(item.recipient, item.text)


def _sms(phone: str, text: str) -> str | None:
    answer = _client("sns").publish(
        PhoneNumber=phone, Message=text,
        MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
    )
    return answer.get("MessageId")
