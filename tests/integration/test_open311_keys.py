"""Open311 client keys: issued per client by the central admin, shown once, kept hashed, revocable."""
from __future__ import annotations

import hashlib

import pytest

from chalicelib.adapters.open311_keys import ApiKeyModel, SubmissionModel
from tests.integration.open311_schemas.support import Open311


@pytest.fixture
def o311(api):
    return Open311(api)


def test_a_key_is_shown_once_and_stored_only_as_its_hash(o311, api):
    issued = o311.issue_key("Aplikasi Warga Medan")
    raw = issued["api_key"]
    assert raw.startswith(f"lapor311.{issued['key_id']}.")
    assert issued["client_name"] == "Aplikasi Warga Medan" and issued["active"] is True
    assert issued["created_by"] == "central_admin:admin.pusat"
    stored = ApiKeyModel.get("key", issued["key_id"])
    assert stored.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(stored.attribute_values)
    status, listing = api.get("/staff/open311/keys", user="admin.pusat")
    assert status == 200
    assert {k["client_name"] for k in listing["keys"]} == {"FixMyStreet Medan", "Aplikasi Warga Medan"}
    assert all("api_key" not in k and "key_hash" not in k for k in listing["keys"])


def test_a_revoked_key_can_no_longer_file(o311, api):
    issued = o311.issue_key("Aplikasi Lama")
    o311.key = issued["api_key"]
    o311.file()
    status, revoked = api.delete(f"/staff/open311/keys/{issued['key_id']}", user="admin.pusat")
    assert status == 200
    assert revoked["active"] is False and revoked["revoked_by"] == "central_admin:admin.pusat"
    status, errors = o311.post(o311.form())
    assert status == 403 and "revoked" in errors[0]["description"]
    assert api.delete("/staff/open311/keys/000000000000", user="admin.pusat")[0] == 404
    assert api.delete("/staff/open311/keys/not-a-key", user="admin.pusat")[0] == 404


def test_each_filing_records_its_client_in_the_same_transaction(o311):
    tid = o311.file()
    record = SubmissionModel.get(f"request#{tid}", "client")
    assert record.client_name == "FixMyStreet Medan"
    assert record.key_id == o311.key.split(".")[1]
