"""The README's walk "A report by SMS to completion, the officer answering by e-mail", read from
the README itself and performed line by line against moto: each `make inbound`, `make sweep`,
`make reply-address`, token and curl line is turned into the call it makes against the local
stack (the deployed handlers, the staff API, the sweep, the devtools' own address function). A
line this test does not know fails it, so the README cannot drift from what works."""
from __future__ import annotations

import datetime as dt
import json
import re
import shlex
import uuid
from pathlib import Path

import boto3
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from chalicelib import wiring
from chalicelib.adapters.email_inbound import bucket
from chalicelib.config import settings
from devtools.inbound import pinpoint_sns_event, reply_address_for, ses_receipt_event, store_mail
from scheduled.sweep import run_sweep
from tests.integration.test_inbound_email_conversations import reply_to  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parent.parent.parent
WALK = re.compile(r"<!-- walk:sms-to-completion -->\s*```sh\n(.*?)```\s*<!-- /walk:sms-to-completion -->", re.S)


def walk_lines() -> list[str]:
    (block,) = WALK.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    return [line.strip() for line in block.splitlines() if line.strip()]


def make_args(line: str, variables: dict[str, str]) -> dict[str, str]:
    expanded = re.sub(r"\$\{?(\w+)\}?", lambda m: variables.get(m.group(1), m.group(0)), line)
    words = shlex.split(expanded)
    assert words[:1] == ["make"], line
    return dict(w.split("=", 1) for w in words[2:] if "=" in w)


def sms_to(number: str) -> list[str]:
    return [text for phone, text in sns_backends[DEFAULT_ACCOUNT_ID]["ap-southeast-3"].sms_messages.values()
            if phone == number]


def mails_to(address: str) -> list:
    return [m for m in ses_backends[DEFAULT_ACCOUNT_ID]["ap-southeast-3"].sent_messages
            if m.destinations["ToAddresses"] == [address]]


def test_the_readme_walk_files_by_sms_reminds_the_officer_who_answers_by_email_and_the_reporter_accepts_by_sms(
        client, api, platform, reply_to):  # noqa: F811
    s3 = boto3.client("s3", region_name="ap-southeast-3")
    for name in (bucket(), settings().attachments_bucket):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-3"})
    variables: dict[str, str] = {}
    users: dict[str, str] = {}
    last: dict = {}
    sms_sender = None
    for line in walk_lines():
        if line.startswith("#"):
            expected = re.search(r"\{\"outcome\": (\{.*?\})\}", line)
            if expected:
                assert last == json.loads(expected.group(1)), (line, last)
            continue
        if line.startswith("A=") or line.startswith("act() {"):
            continue
        if line.startswith("make inbound CHANNEL=sms"):
            args = make_args(line, variables)
            sms_sender = args["FROM"]
            event = pinpoint_sns_event(sms_sender, args["TEXT"], str(uuid.uuid4()), wiring.now())
            last = client.lambda_.invoke("inbound_sms", event).payload
            assert set(last) <= {"filed", "replied"}, (line, last, sms_to(sms_sender)[-1:])
        elif line.startswith("make inbound CHANNEL=email"):
            args = make_args(line, variables)
            ses_id = uuid.uuid4().hex
            store_mail((ROOT / args["FILE"]).read_bytes(), ses_id)
            last = client.lambda_.invoke("inbound_email", ses_receipt_event(ses_id, wiring.now(), args["TO"])).payload
        elif re.match(r"^TID=\w{4}-\w{4}$", line):
            answer = sms_to(sms_sender)[-1]
            assert "Kode akses" in answer, answer
            variables["TID"] = answer.split()[1]  # "the tracking number is the 2nd word"
        elif m := re.match(r"^(\w+)=\$\(make -s token USER=([\w.]+) \| tail -n1\)$", line):
            users[m.group(1)] = m.group(2)
        elif m := re.match(r"^act \$(\w+) '(.*)'$", line):
            params = json.loads(m.group(2))
            api.act(variables["TID"], users[m.group(1)], params.pop("action"), **params)
        elif m := re.match(r"^DUE=\$\(curl .*\[\"deadlines\"\]\[\"(\w+)\"\].*\)$", line):
            view = api.get(f"/staff/reports/{variables['TID']}", user=users["ADMIN"])[1]
            variables["DUE"] = view["deadlines"][m.group(1)]
        elif line.startswith("make sweep"):
            moment = dt.datetime.fromisoformat(make_args(line, variables)["AT"])
            platform.clock.set(moment)
            run_sweep(moment)
        elif m := re.match(r"^REPLY=\$\(make -s reply-address (.*) \| tail -n1\)$", line):
            args = make_args(f"make reply-address {m.group(1)}", variables)
            officer = f"{args['FOR']}@lapor.example.go.id"
            assert any("Pengingat" in mail.subject for mail in mails_to(officer)), "no reminder e-mail"
            printed = reply_address_for(args["TID"], args["FOR"])
            assert printed in reply_to[officer]  # what the command prints is what the reminder carried
            variables["REPLY"] = printed
        elif m := re.match(r"^curl -s \$A/reports/\$TID$", line):
            status, public = api.get(f"/reports/{variables['TID']}")
            assert status == 200 and public["status"] == "completed", public
        else:
            raise AssertionError(f"the README walk has a line this test does not perform: {line}")
    history = api.get(f"/staff/reports/{variables['TID']}", user="admin.pusat")[1]["history"]
    actions = [(e["action"], e["actor"]) for e in history if e["action"] != "identity_read"]
    assert ("respond", "liaison_officer:penghubung.dishub.medan") in actions
    assert actions[-1] == ("accept", "reporter:reporter") or actions[-1][0] == "accept"
    (follow_up,) = [e for e in history if e["action"] == "respond"]
    assert follow_up["message"].startswith("Selamat pagi,\n\nTim PJU Dinas Perhubungan")
    assert "Seksi Penerangan" not in follow_up["message"] and "wrote:" not in follow_up["message"]
