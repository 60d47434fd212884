"""End-to-end fixtures: the real local stack (moto server + chalice local) once per session, and
Debian's chromium driven by Playwright at phone size."""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from devtools.stack import REPO_ROOT, local_stack

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
ARTIFACTS = REPO_ROOT / "test-artifacts"
MEDAN = {"latitude": 3.5952, "longitude": 98.6722, "accuracy": 25}


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def stack():
    """moto + provisioning + chalice local, as `make run` starts them, on free ports."""
    with local_stack(log=lambda message: None) as info:
        yield info


class Api:
    """Plain HTTP against the running stack, for setting the scene the browser then meets."""

    def __init__(self, stack):
        self.stack = stack
        self._tokens: dict[str, str] = {}

    def call(self, method: str, path: str, body=None, headers=None, user: str | None = None):
        data = None if body is None else json.dumps(body).encode()
        h = {"Content-Type": "application/json", **(headers or {})}
        if user:
            h["Authorization"] = f"Bearer {self.token(user)}"
        request = urllib.request.Request(self.stack.api_url + path, data=data, headers=h, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (local)
                return response.status, json.loads(response.read() or b"null"), dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null"), dict(exc.headers)

    def token(self, user: str) -> str:
        if user not in self._tokens:
            from devtools.token import get_id_token

            self._tokens[user] = get_id_token(self.stack.state, user)
        return self._tokens[user]

    def submit(self, **overrides) -> dict:
        body = {
            "kind": "complaint",
            "title": "Lampu jalan padam di Jalan Sisingamangaraja",
            "description": "Sudah dua minggu lampu jalan padam sehingga rawan kecelakaan pada malam hari.",
            "occurred_on": "2024-12-18",
            "location": {"province_code": "12", "regency_code": "12.71", "address": "Jl. Sisingamangaraja"},
            "agency_id": "pemkot-medan",
            "category_id": "street-lighting",
            "reporter": {"name": "Budi Santoso", "email": "budi@example.com"},
            "channel": "web",
            **overrides,
        }
        status, answer, _ = self.call("POST", "/reports", body)
        assert status == 201, answer
        return answer

    def act(self, tid: str, user: str, action: str, **params) -> dict:
        status, answer, _ = self.call("POST", f"/staff/reports/{tid}/actions", {"action": action, **params}, user=user)
        assert status == 200, answer
        return answer


@pytest.fixture(scope="session")
def api(stack):
    return Api(stack)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        reason = (f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install -y chromium`; "
                  "`.ci/run` does it) to run the browser tests")
        if _in_ci():
            pytest.fail(f"CI is set and {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Screens:
    def __init__(self, page):
        self.page = page
        ARTIFACTS.mkdir(exist_ok=True)

    def shot(self, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def page(browser, stack):
    """A fresh phone-sized browser (no storage), located in Medan. Fails the test on any
    Content-Security-Policy violation or uncaught script error."""
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True,
        locale="id-ID", timezone_id="Asia/Jakarta", base_url=stack.api_url,
        geolocation=MEDAN, permissions=["geolocation", "clipboard-read", "clipboard-write"],
    )
    context.set_default_timeout(15000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"uncaught: {exc}"))
    page.on("console", lambda msg: problems.append(f"console: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text else None)
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.screens = Screens(page)
    yield page
    context.close()
    assert not problems, problems
