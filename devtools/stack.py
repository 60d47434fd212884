"""The whole platform on this machine: moto server + provisioning + ``chalice local``.

    with local_stack() as (api_url, moto_url, state):
        ...

``local_run`` is a thin CLI around this; the e2e tests (HTTP, browser) use it as a session
fixture. The context manager never changes ``os.environ`` of the calling process: every
setting is passed explicitly to the child processes (``state["env"]``), and the app's own
provisioning code (``create_tables``, ``load_demo_data``) runs in a child process, so PynamoDB
connections or ``settings()`` caches of the caller are not bound to the local stack.

Why moto runs in a child process by default: ``mock_aws()`` (used by in-process tests) resets
*all* moto backends of its process when it starts, which would wipe a ThreadedMotoServer living
in the same process. ``moto_mode="thread"`` (used by ``local_run``) is fine when nothing else in
the process uses moto.
"""
from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable, Iterator

import boto3
from botocore.config import Config

from chalicelib.adapters.cognito_setup import create_staff_user, create_user_pool
from devtools.demo_accounts import DEMO_ACCOUNTS, DEMO_PASSWORD

REPO_ROOT = Path(__file__).resolve().parent.parent
LOCAL_DIR = REPO_ROOT / ".local"
DEFAULT_STATE_PATH = LOCAL_DIR / "state.json"
DEFAULT_API_PORT = 8000

REGION = "ap-southeast-3"
HOST = "127.0.0.1"
TABLE_PREFIX = "lapor-local-"
STAGE = "local"
SES_DOMAIN = "lapor.example.go.id"
SES_SENDER = f"noreply@{SES_DOMAIN}"
ATTACHMENTS_BUCKET = "lapor-local-attachments"
# WhatsApp locally: what Meta's dashboard would hold, and a local recorder as the Graph API.
WHATSAPP_SECRET = "lapor-local-whatsapp"
WHATSAPP_APP_SECRET = "lapor-local-whatsapp-app-secret"
WHATSAPP_VERIFY_TOKEN = "lapor-local-verify-token"
WHATSAPP_PHONE_NUMBER_ID = "106540352242922"
USER_POOL_NAME = "lapor-local-staff"
READY_PATH = "/categories"

# Never let a child reach a real AWS account or pick up a developer's profile.
_SCRUBBED_ENV = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


class StackError(RuntimeError):
    """The local stack could not start."""


class PortInUse(StackError):
    pass


class StackInfo(tuple):
    """``(api_url, moto_url, state)``, plus ``.process`` (the ``chalice local`` Popen) and ``.env``."""

    def __new__(cls, api_url: str, moto_url: str, state: dict, process: subprocess.Popen):
        obj = super().__new__(cls, (api_url, moto_url, state))
        obj.process = process
        return obj

    api_url = property(lambda self: self[0])
    moto_url = property(lambda self: self[1])
    state = property(lambda self: self[2])
    env = property(lambda self: self[2]["env"])


# ------------------------------------------------------------------ helpers


def port_is_free(port: int, host: str = HOST) -> bool:
    """True if a server could listen there (like chalice local, ignoring TIME_WAIT leftovers)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def child_env(overrides: dict[str, str]) -> dict[str, str]:
    """The caller's environment without AWS identity/endpoint settings, plus ``overrides``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in _SCRUBBED_ENV and not k.startswith("AWS_ENDPOINT_URL")
    }
    env.update(overrides)
    return env


def aws_client(service: str, moto_url: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=moto_url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 2}, connect_timeout=3, read_timeout=30),
    )


def _http_status(url: str, timeout: float = 2.0) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (local URL)
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, ValueError):
        return None


def _tail(path: Path | None, lines: int = 40) -> str:
    if path is None or not path.exists():
        return ""
    text = path.read_text(errors="replace").splitlines()[-lines:]
    return "\n".join("    " + line for line in text)


def _stop_group(process: subprocess.Popen | None, timeout: float = 8.0) -> None:
    if process is None or process.poll() is not None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=timeout)
            return
        except subprocess.TimeoutExpired:
            continue


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Let teardown finish even if the user presses Ctrl+C again."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in previous:
        signal.signal(sig, signal.SIG_IGN)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _chalice_command() -> list[str]:
    candidate = Path(sys.executable).parent / "chalice"
    if candidate.exists():
        return [str(candidate)]
    found = shutil.which("chalice")
    if found:
        return [found]
    return [sys.executable, "-c", "import sys; from chalice.cli import main; sys.exit(main())"]


# ------------------------------------------------------------------ moto


class _MotoThread:
    def __init__(self, port: int):
        import logging

        from moto.server import ThreadedMotoServer

        from devtools.moto_speed import moto_copies_each_table_once

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
        self.speed = moto_copies_each_table_once()
        self.speed.__enter__()
        self.server = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
        self.server.start()

    def stop(self) -> None:
        self.server.stop()
        self.speed.__exit__(None, None, None)


class _MotoProcess:
    def __init__(self, port: int, log_path: Path | None, env: dict[str, str]):
        self.log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devtools.moto_speed", "-H", HOST, "-p", str(port)],
            cwd=REPO_ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        _stop_group(self.process)
        if self.log is not subprocess.DEVNULL:
            self.log.close()


def _wait_for_moto(moto_url: str, moto: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _http_status(f"{moto_url}/moto-api/data.json") == 200:
            return
        if isinstance(moto, _MotoProcess) and moto.process.poll() is not None:
            raise StackError(f"moto server exited with code {moto.process.returncode}")
        time.sleep(0.1)
    raise StackError(f"moto server at {moto_url} did not answer within {timeout:.0f} s")


# ------------------------------------------------------------------ provisioning

_APP_HOOK = """
import importlib, sys
module_name, func_name = sys.argv[1], sys.argv[2]
try:
    module = importlib.import_module(module_name)
except ModuleNotFoundError as exc:
    if exc.name and module_name.startswith(exc.name):
        print(f"{module_name} not found", file=sys.stderr)
        sys.exit(3)
    raise
getattr(module, func_name)()
"""


def _run_app_hook(module: str, func: str, env: dict[str, str], log: Callable[[str], None]) -> None:
    """Run ``module.func()`` of the app in a child process with the stack's environment."""
    result = subprocess.run(
        [sys.executable, "-c", _APP_HOOK, module, func],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode == 3:
        log(f"  ! skipped {module}.{func}(): module {module} does not exist yet")
        return
    if result.returncode != 0:
        raise StackError(
            f"{module}.{func}() failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
        )
    log(f"  - {module}.{func}() done")


def _provision_aws(moto_url: str, log: Callable[[str], None]) -> dict[str, Any]:
    ses = aws_client("ses", moto_url)
    ses.verify_domain_identity(Domain=SES_DOMAIN)
    with contextlib.suppress(Exception):  # v2 shares moto's SES backend; fine if it already exists
        aws_client("sesv2", moto_url).create_email_identity(EmailIdentity=SES_DOMAIN)
    log(f"  - SES identity {SES_DOMAIN} verified")

    aws_client("s3", moto_url).create_bucket(
        Bucket=ATTACHMENTS_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    log(f"  - S3 bucket {ATTACHMENTS_BUCKET}")

    aws_client("secretsmanager", moto_url).create_secret(Name=WHATSAPP_SECRET, SecretString=json.dumps(
        {"app_secret": WHATSAPP_APP_SECRET, "verify_token": WHATSAPP_VERIFY_TOKEN, "access_token": "local"}))
    log(f"  - Secrets Manager {WHATSAPP_SECRET} (WhatsApp app secret, verify token {WHATSAPP_VERIFY_TOKEN})")

    topic_arn = aws_client("sns", moto_url).create_topic(Name="lapor-local-ombudsman-referral")["TopicArn"]
    log(f"  - SNS topic {topic_arn} (SIMPeL connector)")

    cognito = aws_client("cognito-idp", moto_url)
    pool_id, client_id = create_user_pool(cognito, USER_POOL_NAME)
    for account in DEMO_ACCOUNTS:
        create_staff_user(
            cognito,
            pool_id,
            account.username,
            DEMO_PASSWORD,
            account.role,
            account.email,
            agency_id=account.agency_id,
            unit_id=account.unit_id,
            province_code=account.province_code,
            phone=account.phone,
        )
    log(f"  - Cognito pool {pool_id}, client {client_id}, {len(DEMO_ACCOUNTS)} demo staff users")
    return {"user_pool_id": pool_id, "client_id": client_id, "topic_arn": topic_arn}


# ------------------------------------------------------------------ state file


def _write_state(state_path: Path, state: dict) -> None:
    state_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = state_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n")
    tmp.replace(state_path)
    # For shells and `make sweep`: `. .local/env.sh` points AWS clients at the local stack.
    exports = "".join(f"export {k}={shlex.quote(v)}\n" for k, v in sorted(state["env"].items()))
    (state_path.parent / "env.sh").write_text(
        "# Written by devtools.stack while the local stack runs; removed when it stops.\n" + exports
    )


def _remove_state(state_path: Path, launcher_pid: int) -> None:
    try:
        current = json.loads(state_path.read_text())
    except (OSError, ValueError):
        return
    if current.get("pids", {}).get("launcher") != launcher_pid:
        return  # another stack has taken over the file
    for path in (state_path, state_path.parent / "env.sh"):
        with contextlib.suppress(OSError):
            path.unlink()


def read_state(state_path: Path | str = DEFAULT_STATE_PATH) -> dict:
    path = Path(state_path)
    if not path.exists():
        raise StackError(
            f"{path} not found: the local stack is not running (start it with `make run`)."
        )
    return json.loads(path.read_text())


# ------------------------------------------------------------------ the stack


@contextlib.contextmanager
def local_stack(
    port: int | None = None,
    *,
    moto_mode: str = "process",
    state_path: Path | str | None = None,
    log_dir: Path | str | None = None,
    inherit_output: bool = False,
    ready_path: str = READY_PATH,
    ready_timeout: float = 60.0,
    log: Callable[[str], None] | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[StackInfo]:
    """Start moto, provision everything, start ``chalice local``; yield ``(api_url, moto_url, state)``.

    port: API port (default: a free one). Raises PortInUse if it is taken.
    moto_mode: "process" (default, safe next to ``mock_aws`` tests) or "thread" (in-process
        ThreadedMotoServer).
    state_path: where to write the state JSON (and ``env.sh`` next to it); None: not written.
    log_dir: where ``chalice local`` / moto output goes (default ``.local/``), unless
        inherit_output is True (then chalice writes to this process's stdout/stderr).
    extra_env: more settings for the app (a test's MAP_TILE_URL, ...).
    """
    say = log or (lambda message: print(message, file=sys.stderr, flush=True))
    if moto_mode not in ("process", "thread"):
        raise ValueError("moto_mode must be 'process' or 'thread'")
    api_port = port if port is not None else free_port()
    if not port_is_free(api_port):
        raise PortInUse(
            f"Port {api_port} on {HOST} is already in use (another `make run`?). "
            f"Stop it, or choose another port: make run PORT={api_port + 1}"
        )
    log_root = Path(log_dir) if log_dir else LOCAL_DIR
    log_root.mkdir(parents=True, exist_ok=True)
    chalice_log = None if inherit_output else log_root / f"chalice-{api_port}.log"
    state_file = Path(state_path) if state_path else None

    moto_port = free_port()
    moto_url = f"http://{HOST}:{moto_port}"
    api_url = f"http://{HOST}:{api_port}"
    issuer = f"https://cognito-idp.{REGION}.amazonaws.com/"  # + pool id below
    env_overrides = {
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "TABLE_PREFIX": TABLE_PREFIX,
        "STAGE": STAGE,
        "SES_SENDER": SES_SENDER,
        # The platform's mail answers to signed r+<token>@ addresses of this domain (make reply-address).
        "INBOUND_ADDRESS": f"lapor@{SES_SENDER.rpartition('@')[2]}",
        "ATTACHMENTS_BUCKET": ATTACHMENTS_BUCKET,
        "POWERTOOLS_TRACE_DISABLED": "1",
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }

    # The Graph API's WhatsApp endpoints, locally: a recorder in this process (devtools/whatsapp_recorder.py).
    from devtools.whatsapp_recorder import Recorder

    whatsapp = Recorder().start()
    env_overrides.update(WHATSAPP_SECRET_NAME=WHATSAPP_SECRET, WHATSAPP_PHONE_NUMBER_ID=WHATSAPP_PHONE_NUMBER_ID,
                         WHATSAPP_API_BASE=whatsapp.url)
    moto: _MotoThread | _MotoProcess | None = None
    chalice: subprocess.Popen | None = None
    chalice_out = None
    launcher_pid = os.getpid()
    try:
        say(f"Starting moto ({moto_mode}) on {moto_url} ...")
        if moto_mode == "thread":
            moto = _MotoThread(moto_port)
        else:
            moto = _MotoProcess(moto_port, log_root / f"moto-{moto_port}.log", child_env(env_overrides))
        _wait_for_moto(moto_url, moto)

        say("Provisioning ...")
        env = dict(env_overrides)
        _run_app_hook("chalicelib.adapters.tables", "create_tables", child_env(env), say)
        cognito = _provision_aws(moto_url, say)
        env.update(
            COGNITO_USER_POOL_ID=cognito["user_pool_id"],
            COGNITO_CLIENT_ID=cognito["client_id"],
            COGNITO_ISSUER=issuer + cognito["user_pool_id"],
            COGNITO_JWKS_URL=f"{moto_url}/{cognito['user_pool_id']}/.well-known/jwks.json",
            OMBUDSMAN_TOPIC_ARN=cognito["topic_arn"],
            PUBLIC_ORIGIN=api_url,
        )
        _run_app_hook("devtools.seed", "seed", child_env(env), say)

        say(f"Starting chalice local on {api_url} ...")
        if chalice_log is not None:
            chalice_out = open(chalice_log, "ab")  # noqa: SIM115
        chalice = subprocess.Popen(
            [
                *_chalice_command(),
                "local",
                "--host",
                HOST,
                "--port",
                str(api_port),
                "--no-autoreload",
                "--stage",
                STAGE,
            ],
            cwd=REPO_ROOT,
            env=child_env(env),
            stdout=chalice_out,
            stderr=subprocess.STDOUT if chalice_out else None,
            start_new_session=True,
        )
        deadline = time.monotonic() + ready_timeout
        status = None
        while True:
            if chalice.poll() is not None:
                raise StackError(
                    f"chalice local exited with code {chalice.returncode}"
                    + (f"; its log ({chalice_log}):\n{_tail(chalice_log)}" if chalice_log else "")
                )
            status = _http_status(api_url + ready_path)
            if status == 200:
                break
            if time.monotonic() > deadline:
                raise StackError(
                    f"the API did not answer 200 on GET {ready_path} within {ready_timeout:.0f} s "
                    f"(last status: {status})"
                    + (f"; chalice log ({chalice_log}):\n{_tail(chalice_log)}" if chalice_log else "")
                )
            time.sleep(0.25)

        state = {
            "api_url": api_url,
            "web_url": api_url + "/",
            "moto_url": moto_url,
            "moto_data_url": f"{moto_url}/moto-api/data.json",
            "region": REGION,
            "user_pool_id": cognito["user_pool_id"],
            "client_id": cognito["client_id"],
            "cognito_issuer": env["COGNITO_ISSUER"],
            "cognito_jwks_url": env["COGNITO_JWKS_URL"],
            "table_prefix": TABLE_PREFIX,
            "ses_sender": SES_SENDER,
            "attachments_bucket": ATTACHMENTS_BUCKET,
            "whatsapp_recorder": whatsapp.url,
            "demo_password": DEMO_PASSWORD,
            "usernames": [a.username for a in DEMO_ACCOUNTS],
            "accounts": [
                {
                    "username": a.username,
                    "role": a.role.value,
                    "agency_id": a.agency_id,
                    "unit_id": a.unit_id,
                    "province_code": a.province_code,
                    "email": a.email,
                    "phone": a.phone,
                }
                for a in DEMO_ACCOUNTS
            ],
            "env": env,
            "chalice_log": str(chalice_log) if chalice_log else None,
            "pids": {"launcher": launcher_pid, "chalice": chalice.pid},
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        if state_file is not None:
            _write_state(state_file, state)
        yield StackInfo(api_url, moto_url, state, chalice)
    finally:
        with _signals_deferred():
            if state_file is not None:
                _remove_state(state_file, launcher_pid)
            _stop_group(chalice)
            if chalice_out is not None:
                chalice_out.close()
            if moto is not None:
                moto.stop()
            whatsapp.stop()
