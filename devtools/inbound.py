"""Injects one inbound message into its deployed handler against the running local stack, as the
provider would deliver it (an AWS End User Messaging two-way SMS published to SNS; an e-mail that an
SES receipt rule stored in the inbound-mail bucket, then named in its Lambda action's event; a
WhatsApp Cloud API webhook delivery, signed with the local app secret and POSTed to the running
API), then prints the outcome and the answers the sender got (moto's sent SMS / e-mail, the local
WhatsApp recorder's messages).

    make inbound CHANNEL=sms FROM=+6281234567890 TEXT="LAPOR MEDAN Lampu jalan mati di Jl. Gatot Subroto"
    make inbound CHANNEL=email FILE=tests/fixtures/mail/new-report.eml
    make inbound CHANNEL=email FILE=tests/fixtures/mail/officer-reply.eml TO=r+...@lapor.example.go.id
    make reply-address TID=C0P7-RX82 FOR=penghubung.dishub.medan   (FOR=reporter: the reporter's)
    make inbound CHANNEL=whatsapp FROM=+6281234567890 TEXT="Halo"   (then 1, Medan, what happened)
    make inbound CHANNEL=whatsapp FROM=+6281234567890 IMAGE=photo.jpg TEXT="Jalan berlubang di depan pasar"
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import urllib.request
import uuid

TOLL_FREE = "+621708"
INBOX = "lapor@lapor.example.go.id"


def pinpoint_sns_event(sender: str, text: str, message_id: str, at: dt.datetime) -> dict:
    """An SNS delivery to Lambda whose message is Pinpoint's two-way payload (the documented shape)."""
    payload = {"originationNumber": sender, "destinationNumber": TOLL_FREE,
               "messageKeyword": (text.split() or [""])[0].upper(), "messageBody": text,
               "inboundMessageId": message_id, "previousPublishedMessageId": None}
    return {"Records": [{
        "EventSource": "aws:sns", "EventVersion": "1.0",
        "EventSubscriptionArn": "arn:aws:sns:ap-southeast-3:123456789012:lapor-inbound-sms:local",
        "Sns": {"Type": "Notification", "MessageId": str(uuid.uuid4()),
                "TopicArn": "arn:aws:sns:ap-southeast-3:123456789012:lapor-inbound-sms",
                "Subject": None, "Message": json.dumps(payload), "MessageAttributes": {},
                "Timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"},
    }]}


WABA_ID, PHONE_NUMBER_ID = "102290129340398", "106540352242922"


def whatsapp_webhook(sender: str, text: str, message_id: str, at: dt.datetime | None = None,
                     media_id: str | None = None, name: str = "Pelapor WhatsApp") -> dict:
    """A Cloud API webhook delivery of one text (or, with media_id, image) message: the documented
    shape, as tests/fixtures/whatsapp/ holds recorded ones."""
    wa_id = sender.lstrip("+")
    stamp = str(int((at or dt.datetime.now(dt.timezone.utc)).timestamp()))
    message: dict = {"from": wa_id, "id": message_id, "timestamp": stamp}
    if media_id:
        message.update(type="image", image={"id": media_id, "mime_type": "image/jpeg", "caption": text,
                                            "sha256": "local"})
    else:
        message.update(type="text", text={"body": text})
    return {"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": TOLL_FREE.lstrip("+"), "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": name}, "wa_id": wa_id}], "messages": [message]}}]}]}


def ses_receipt_event(ses_message_id: str, at: dt.datetime, recipient: str = INBOX,
                      verdicts: dict[str, str] | None = None) -> dict:
    """What an SES receipt rule's Lambda action (invocationType Event) delivers after its S3 action
    stored the message as <prefix><messageId> (the documented shape, headers left out)."""
    stamp = at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    verdict = {name: {"status": (verdicts or {}).get(name, "PASS")}
               for name in ("spamVerdict", "virusVerdict", "spfVerdict", "dkimVerdict", "dmarcVerdict")}
    return {"Records": [{"eventSource": "aws:ses", "eventVersion": "1.0", "ses": {
        "mail": {"timestamp": stamp, "source": "bounce@sender.invalid", "messageId": ses_message_id,
                 "destination": [recipient], "headersTruncated": False, "headers": [], "commonHeaders": {}},
        "receipt": {"timestamp": stamp, "processingTimeMillis": 412, "recipients": [recipient], **verdict,
                    "action": {"type": "Lambda", "invocationType": "Event",
                               "functionArn": "arn:aws:lambda:ap-southeast-3:123456789012:function:lapor-inbound_email"}},
    }}]}


def store_mail(raw: bytes, ses_message_id: str) -> None:
    """The receipt rule's S3 action: the raw message into the inbound-mail bucket."""
    import boto3

    from chalicelib.adapters.email_inbound import bucket, key_prefix

    s3 = boto3.client("s3", region_name=os.environ.get("AWS_DEFAULT_REGION", "ap-southeast-3"))
    try:
        s3.head_bucket(Bucket=bucket())
    except Exception:
        s3.create_bucket(Bucket=bucket(), CreateBucketConfiguration={"LocationConstraint": s3.meta.region_name})
    s3.put_object(Bucket=bucket(), Key=key_prefix() + ses_message_id, Body=raw)


def sent_mail(moto_url: str, address: str) -> list[str]:
    with urllib.request.urlopen(f"{moto_url.rstrip('/')}/moto-api/data.json", timeout=10) as answer:
        data = json.load(answer)
    return [f"{row.get('subject')}\n{row.get('body')}" for row in (data.get("ses", {}).get("Message") or [])
            if isinstance(row, dict) and address in json.dumps(row.get("destinations") or row.get("destination"))]


def sent_sms(moto_url: str, number: str) -> list[str]:
    with urllib.request.urlopen(f"{moto_url.rstrip('/')}/moto-api/data.json", timeout=10) as answer:
        data = json.load(answer)
    found = []
    for row in (data.get("sns", {}).get("SMS") or []):
        values = list(row.values()) if isinstance(row, dict) else list(row)
        if number in [str(v) for v in values]:
            found.append(next((str(v) for v in values if str(v) != number and " " in str(v)), str(row)))
    return found


def reply_address_for(tracking_id: str, reader: str) -> str | None:
    """The signed Reply-To the platform's mail about that report to that reader carries (the
    notifier's own function; moto's SES does not keep Reply-To, so this prints it)."""
    from chalicelib.config import settings
    from chalicelib.domain.ids import normalise_tracking_id
    from chalicelib.domain.reply_address import reply_address

    s = settings()
    tid = normalise_tracking_id(tracking_id)
    if not tid or not s.inbound_domain:
        return None
    return reply_address(s.reply_address_key, s.inbound_domain, tid, None if reader == "reporter" else reader)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.inbound", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--channel", default="sms", choices=["sms", "email", "whatsapp"])
    parser.add_argument("--from", dest="sender", help="sms, whatsapp: the sender's number, E.164 (+62...)")
    parser.add_argument("--text", help="sms, whatsapp: the message (whatsapp with --image: its caption)")
    parser.add_argument("--image", help="whatsapp: a photo sent with the message (JPEG/PNG/WebP)")
    parser.add_argument("--file", help="email: a raw MIME message (.eml)")
    parser.add_argument("--id", help="the provider's message id (default: a new one; repeat one to see a duplicate)")
    parser.add_argument("--to", default=INBOX, help="email: the address SES received it for (a signed reply address)")
    parser.add_argument("--reply-address", metavar="TID", help="print the signed reply address of mail about TID to --for")
    parser.add_argument("--for", dest="reader", default="reporter", help="a staff username, or reporter")
    args = parser.parse_args(argv)
    if args.reply_address:
        address = reply_address_for(args.reply_address, args.reader)
        if address is None:
            print("No signed address: unknown number, INBOUND_ADDRESS unset or an unusable username.", file=sys.stderr)
            return 2
        print(address)
        return 0
    if (args.channel == "sms" and not (args.sender and args.text)) or (args.channel == "email" and not args.file) \
            or (args.channel == "whatsapp" and not (args.sender and (args.text or args.image))):
        parser.error("sms needs --from and --text; email needs --file; whatsapp needs --from and --text or --image")
    if not os.environ.get("AWS_ENDPOINT_URL"):
        print("The local stack is not running (no .local/env.sh): start it with `make run`.", file=sys.stderr)
        return 2
    if args.channel == "whatsapp":
        return _whatsapp(args.sender, args.text or "", args.image, args.id or f"wamid.local-{uuid.uuid4().hex}")
    import app  # the deployed module: its handler is what Lambda calls

    if args.channel == "email":
        return _email(app, args.file, args.id or uuid.uuid4().hex, args.to)

    event = pinpoint_sns_event(args.sender, args.text, args.id or str(uuid.uuid4()), dt.datetime.now(dt.timezone.utc))
    outcome = app.inbound_sms(event, None)
    print(json.dumps({"outcome": outcome}))
    for text in sent_sms(os.environ["AWS_ENDPOINT_URL"], args.sender):
        print(f"SMS to {args.sender}: {text}")
    return 0


def _email(app, path: str, ses_message_id: str, recipient: str = INBOX) -> int:
    from email import policy
    from email.parser import BytesParser

    with open(path, "rb") as f:
        raw = f.read()
    store_mail(raw, ses_message_id)
    outcome = app.inbound_email(ses_receipt_event(ses_message_id, dt.datetime.now(dt.timezone.utc), recipient), None)
    print(json.dumps({"outcome": outcome}))
    sender = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)["From"]
    address = sender.addresses[0].addr_spec if sender is not None and sender.addresses else ""
    for text in sent_mail(os.environ["AWS_ENDPOINT_URL"], address) if address else []:
        print(f"E-mail to {address}: {text}")
    return 0


def _whatsapp(sender: str, text: str, image: str | None, message_id: str) -> int:
    """Signed with the local app secret (read from the stack's Secrets Manager, as the API does)
    and POSTed to the running API: the route, not a handler call, is what Meta reaches."""
    from chalicelib.adapters.whatsapp import credentials, signature
    from devtools.stack import DEFAULT_STATE_PATH, read_state

    creds = credentials()
    recorder = os.environ.get("WHATSAPP_API_BASE", "")
    if creds is None or not recorder:
        print("WhatsApp is not configured in the local stack (WHATSAPP_SECRET_NAME): restart `make run`.",
              file=sys.stderr)
        return 2
    media_id = None
    if image:
        media_id = uuid.uuid4().hex[:16]
        with open(image, "rb") as f:
            put = urllib.request.Request(f"{recorder}/media-files/{media_id}", data=f.read(), method="PUT",
                                         headers={"Content-Type": "image/jpeg"})
        urllib.request.urlopen(put, timeout=10).close()
    before = len(_recorded(recorder))
    body = json.dumps(whatsapp_webhook(sender, text, message_id, media_id=media_id)).encode()
    request = urllib.request.Request(f"{read_state(DEFAULT_STATE_PATH)['api_url']}/inbound/whatsapp", data=body,
                                     method="POST", headers={"Content-Type": "application/json",
                                                             "X-Hub-Signature-256": signature(body, creds.app_secret)})
    with urllib.request.urlopen(request, timeout=30) as answer:
        print(json.dumps({"message_id": message_id, "status": answer.status, **json.load(answer)}))
    for message in _recorded(recorder)[before:]:
        if message.get("to") == sender.lstrip("+"):
            words = message["text"]["body"] if message.get("type") == "text" else json.dumps(message.get("template"))
            print(f"WhatsApp to {sender}: {words}")
    return 0


def _recorded(recorder: str) -> list[dict]:
    with urllib.request.urlopen(f"{recorder}/recorded", timeout=10) as answer:
        return json.load(answer)


if __name__ == "__main__":
    sys.exit(main())
