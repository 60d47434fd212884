"""Test environment: fake AWS credentials and region set before anything imports boto3 or the
app, and no endpoint override, so every client stays inside moto."""
from __future__ import annotations

import os

for _name in list(os.environ):
    if _name.startswith("AWS_ENDPOINT_URL") or _name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        del os.environ[_name]
os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "ap-southeast-3",
    "TABLE_PREFIX": "lapor-test-",
    "STAGE": "test",
    "POWERTOOLS_SERVICE_NAME": "lapor",
    "POWERTOOLS_METRICS_NAMESPACE": "Lapor",
    "POWERTOOLS_TRACE_DISABLED": "1",
    "POWERTOOLS_DEV": "false",
})

import moto  # noqa: E402,F401  (before the app, per STACK-NOTES)

import pytest  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def _fast_moto_transactions():
    """Every report transaction carries its counter items: see moto_copies_each_table_once."""
    from devtools.moto_speed import moto_copies_each_table_once

    with moto_copies_each_table_once():
        yield
