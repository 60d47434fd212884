from __future__ import annotations

import datetime as dt
import json

import pytest
from chalice.test import Client
from moto import mock_aws

from tests.support import WIB, Platform, report_body, start_platform

# Friday 20 December 2024, 10:00 WIB: the DOMAIN.md example week (25 Dec holiday, 26 Dec cuti bersama).
START = dt.datetime(2024, 12, 20, 10, 0, tzinfo=WIB)


@pytest.fixture
def platform():
    with mock_aws():
        yield start_platform(START)


@pytest.fixture
def client(platform):
    from app import app

    with Client(app) as c:
        yield c


class Api:
    """Thin helpers over the real handlers, so tests read as the steps a person takes."""

    def __init__(self, client: Client, platform: Platform):
        self.client, self.platform = client, platform

    def post(self, path, body=None, user=None, headers=None, raw=None):
        h = {"Content-Type": "application/json", **(self.platform.headers(user) if user else {}), **(headers or {})}
        response = self.client.http.post(path, headers=h, body=raw if raw is not None else json.dumps(body))
        return response.status_code, _json(response)

    def get(self, path, user=None, headers=None):
        h = {**(self.platform.headers(user) if user else {}), **(headers or {})}
        response = self.client.http.get(path, headers=h)
        return response.status_code, _json(response)

    def put(self, path, body, user):
        response = self.client.http.put(path, headers=self.platform.headers(user), body=json.dumps(body))
        return response.status_code, _json(response)

    def delete(self, path, user):
        response = self.client.http.delete(path, headers=self.platform.headers(user))
        return response.status_code, _json(response)

    def submit(self, **overrides):
        status, body = self.post("/reports", report_body(**overrides))
        assert status == 201, body
        return body

    def act(self, tid, user, action, expect=200, **params):
        status, body = self.post(f"/staff/reports/{tid}/actions", {"action": action, **params}, user=user)
        assert status == expect, body
        return body

    def reply(self, tid, code, expect=200, **body):
        status, answer = self.post(f"/reports/{tid}/replies", body, headers={"X-Access-Code": code})
        assert status == expect, answer
        return answer


def _json(response):
    try:
        return json.loads(response.body) if response.body else None
    except ValueError:
        return response.body


@pytest.fixture
def api(client, platform):
    return Api(client, platform)
