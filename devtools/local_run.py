"""Run LAPOR on this machine: ``python -m devtools.local_run [--port 8000]`` (or ``make run``).

Everything AWS is emulated by a moto server (in this process); the API runs under
``chalice local``. Stop with Ctrl+C (or SIGTERM): both are shut down and the exit code is 0.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import subprocess
import sys
import time

from devtools.demo_accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from devtools.stack import (
    DEFAULT_API_PORT,
    DEFAULT_STATE_PATH,
    REPO_ROOT,
    WHATSAPP_VERIFY_TOKEN,
    PortInUse,
    StackError,
    child_env,
    local_stack,
)

SWEEP_INTERVAL_SECONDS = 60


def _tick(env: dict[str, str]) -> None:
    """Run the scheduled sweep once against the local stack, as EventBridge does in AWS:
    ``python -m scheduled.sweep`` ("now") in a child process with the stack's environment."""
    try:
        if importlib.util.find_spec("scheduled.sweep") is None:
            return
    except ImportError:
        return
    try:
        result = subprocess.run(
            [sys.executable, "-m", "scheduled.sweep"],
            cwd=REPO_ROOT,
            env=child_env(env),
            capture_output=True,
            text=True,
            timeout=SWEEP_INTERVAL_SECONDS - 5,
        )
    except subprocess.TimeoutExpired:
        print("[sweep] timed out", file=sys.stderr, flush=True)
        return
    if result.returncode != 0:
        print(f"[sweep] failed (exit {result.returncode}):\n{result.stderr[-2000:]}", file=sys.stderr, flush=True)


def _banner(api_url: str, moto_url: str, state: dict, port: int) -> str:
    width = max(len(a.username) for a in DEMO_ACCOUNTS)
    accounts = "\n".join(
        f"    {a.username:<{width}}  {a.role.value:<17} {a.scope}" for a in DEMO_ACCOUNTS
    )
    make_port = "" if port == DEFAULT_API_PORT else f"  (PORT={port})"
    return f"""
================================================================================
 LAPOR local stack is running{make_port}
   API:              {api_url}
   Web form:         {api_url}/
   Sent e-mail/SMS:  {moto_url}/moto-api/data.json   (ses.Message, sns.SMS)
   Sent WhatsApp:    {state.get("whatsapp_recorder", "-")}/recorded   (the local Graph API recorder)
   WhatsApp webhook: {api_url}/inbound/whatsapp   (verify token {WHATSAPP_VERIFY_TOKEN})
   Moto endpoint:    {moto_url}
   State file:       {DEFAULT_STATE_PATH.relative_to(REPO_ROOT)}   (`. .local/env.sh` for AWS CLI/boto3)

 Demo staff accounts (password for all: {DEMO_PASSWORD}):
{accounts}

 Try:
    TOKEN=$(make -s token USER=admin.pusat | tail -n 1)
    curl -s -H "Authorization: Bearer $TOKEN" {api_url}/staff/me
    make inbound CHANNEL=sms FROM=+6281234567890 TEXT="LAPOR MEDAN Lampu jalan mati di Jl. Gatot Subroto"
        (an SMS as AWS End User Messaging delivers it; then STATUS <tracking number>, or
         <tracking number> <reply>, from the same number)
    make inbound CHANNEL=email FILE=tests/fixtures/mail/new-report.eml
        (an e-mail as SES's receipt rule stores it; reply with "[LAPOR <tracking number>]" in the subject)
    make inbound CHANNEL=whatsapp FROM=+6281234567890 TEXT="Halo"
        (a signed WhatsApp webhook delivery: the guided dialogue asks kind, region, what happened;
         answer with TEXT=1, TEXT=Medan, TEXT="...", or add IMAGE=photo.jpg)

 Ctrl+C stops everything.
================================================================================
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.local_run", description=__doc__)
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("PORT") or DEFAULT_API_PORT),
        help="API port (default: $PORT or 8000)",
    )
    args = parser.parse_args(argv)

    def on_sigterm(signum, frame):  # noqa: ARG001
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with SIGINT ignored
    try:
        with local_stack(
            args.port, moto_mode="thread", state_path=DEFAULT_STATE_PATH, inherit_output=True
        ) as stack:
            api_url, moto_url, state = stack
            print(_banner(api_url, moto_url, state, args.port), flush=True)
            next_tick = time.monotonic() + SWEEP_INTERVAL_SECONDS
            while True:
                if stack.process.poll() is not None:
                    print(
                        f"chalice local stopped unexpectedly (exit {stack.process.returncode})",
                        file=sys.stderr,
                    )
                    return 1
                time.sleep(0.5)
                if time.monotonic() >= next_tick:
                    _tick(state["env"])
                    next_tick = time.monotonic() + SWEEP_INTERVAL_SECONDS
    except KeyboardInterrupt:
        print("\nLocal stack stopped.", file=sys.stderr)
        return 0
    except PortInUse as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 2
    except StackError as exc:
        print(f"ERROR: the local stack could not start: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
