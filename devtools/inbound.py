"""Injects one inbound message into its deployed handler against the running local stack, as the
provider would deliver it (today: an AWS End User Messaging two-way SMS published to SNS), then
prints the outcome and the answers the number got (moto's sent SMS).

    make inbound CHANNEL=sms FROM=+6281234567890 TEXT="LAPOR MEDAN Lampu jalan mati di Jl. Gatot Subroto"
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


def sent_sms(moto_url: str, number: str) -> list[str]:
    with urllib.request.urlopen(f"{moto_url.rstrip('/')}/moto-api/data.json", timeout=10) as answer:
        data = json.load(answer)
    found = []
    for row in (data.get("sns", {}).get("SMS") or []):
        values = list(row.values()) if isinstance(row, dict) else list(row)
        if number in [str(v) for v in values]:
            found.append(next((str(v) for v in values if str(v) != number and " " in str(v)), str(row)))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.inbound", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--channel", default="sms", choices=["sms"], help="only sms so far")
    parser.add_argument("--from", dest="sender", required=True, help="the sender's number, E.164 (+62...)")
    parser.add_argument("--text", required=True)
    parser.add_argument("--id", help="the provider's message id (default: a new one; repeat one to see a duplicate)")
    args = parser.parse_args(argv)
    if not os.environ.get("AWS_ENDPOINT_URL"):
        print("The local stack is not running (no .local/env.sh): start it with `make run`.", file=sys.stderr)
        return 2
    import app  # the deployed module: its handler is what Lambda calls

    event = pinpoint_sns_event(args.sender, args.text, args.id or str(uuid.uuid4()), dt.datetime.now(dt.timezone.utc))
    outcome = app.inbound_sms(event, None)
    print(json.dumps({"outcome": outcome}))
    for text in sent_sms(os.environ["AWS_ENDPOINT_URL"], args.sender):
        print(f"SMS to {args.sender}: {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
