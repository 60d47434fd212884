"""The local stack over real HTTP, as a new user meets it after `make run`: submit, track, a token
for each demo account, one report walked to completion, deadlines and history, the messages it
sent at moto's data endpoint, and the sweep run against the stack by its command line."""
from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

import pytest

from devtools.demo_accounts import DEMO_ACCOUNTS
from devtools.stack import REPO_ROOT, child_env

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda a: a.username)
def test_every_demo_account_signs_in_with_its_role_and_scope(api, account):
    status, me, _ = api.call("GET", "/staff/me", user=account.username)
    assert status == 200
    assert (me["role"], me["agency_id"], me["unit_id"], me["province_code"]) == (
        account.role.value, account.agency_id, account.unit_id, account.province_code)


def test_token_command_prints_the_token_on_its_last_line(stack, tmp_path):
    state = tmp_path / "state.json"
    state.write_text(json.dumps(stack.state))
    done = subprocess.run([sys.executable, "-m", "devtools.token", "admin.medan", "--state", str(state)],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip().splitlines()[-1]
    request = urllib.request.Request(stack.api_url + "/staff/me", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (local stack)
        assert json.loads(answer.read())["username"] == "admin.medan"


def test_a_report_walks_from_submission_to_completion_over_http(api, stack):
    created = api.submit(agency_id=None, reporter={"name": "Budi Santoso", "email": "budi.walk@example.com",
                                                    "phone": "0812 6000 4321"})
    tid, code = created["tracking_id"], created["access_code"]
    assert created["status"] == "submitted" and "verification" in created["deadlines"]
    assert api.call("GET", f"/reports/{tid}")[0] == 404  # not published before dispatch
    status, own, _ = api.call("GET", f"/reports/{tid}", headers={"X-Access-Code": code})
    assert status == 200 and own["status"] == "submitted"

    api.act(tid, "admin.pusat", "dispatch", agency_id="pemkot-medan")
    api.act(tid, "admin.medan", "assign", unit_id="pemkot-medan.dishub")
    api.act(tid, "penghubung.dishub.medan", "respond", message="Tim akan memeriksa lokasi besok.")
    answered = api.act(tid, "penghubung.dishub.medan", "final_answer", message="Lampu sudah diganti.")
    assert set(answered["deadlines"]) >= {"verification", "agency_review", "first_response", "completion",
                                          "ombudsman_referral", "reporter_reply"}
    status, done, _ = api.call("POST", f"/reports/{tid}/replies", {"accept": True, "rating": 4},
                               headers={"X-Access-Code": code})
    assert status == 200 and done["status"] == "completed"

    status, public, _ = api.call("GET", f"/reports/{tid}")
    assert status == 200 and "Budi" not in json.dumps(public)
    assert [t["status"] for t in public["timeline"]][-1] == "completed"
    status, full, _ = api.call("GET", f"/staff/reports/{tid}", user="admin.pusat")
    changes = [h["action"] for h in full["history"] if h["action"] != "identity_read"]  # the audit's reads aside
    assert changes == ["submit", "dispatch", "assign", "respond", "final_answer", "accept"]
    assert any(h["action"] == "identity_read" and h["actor"] == "admin.pusat" for h in full["history"])

    with urllib.request.urlopen(stack.moto_url + "/moto-api/data.json", timeout=10) as answer:  # noqa: S310
        sent = json.loads(answer.read())
    to_reporter = [m for m in sent["ses"]["Message"] if "budi.walk@example.com" in json.dumps(m)]
    assert len(to_reporter) == 4  # dispatched, follow-up, final answer, completed
    assert len([m for m in sent["sns"]["SMS"] if "+6281260004321" in json.dumps(m)]) == 4


def test_the_sweep_command_runs_against_the_stack(api, stack):
    tid = api.submit(agency_id=None)["tracking_id"]
    done = subprocess.run([sys.executable, "-m", "scheduled.sweep", "--at", "2030-01-02T08:00:00+07:00"],
                          cwd=REPO_ROOT, env=child_env(stack.env), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout[done.stdout.index("{"):])
    assert result["due"] >= 1 and result["conflicts"] == 0
    status, full, _ = api.call("GET", f"/staff/reports/{tid}", user="admin.pusat")
    assert full["overdue"] is True and "mark_overdue" in [h["action"] for h in full["history"]]
