"""Open311 client API keys and which client filed which request, in one small table.

Rows (hash `pk`, range `sk`):
- `key` / <key_id>: one issued key: its SHA-256 hash (never the key), client name, who issued
  and revoked it. All keys share one partition: a handful of clients, listed with one Query.
- `request#<tracking_id>` / `client`: the key that filed a report through Open311, written in
  the same transaction as the report, so the filing client may read it before it is published.

Every access is a GetItem, a Query on `pk` or a conditional write; nothing scans.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError
from pynamodb.models import Model

from .dynamo import condition_failed, iso, meta

KEY_PARTITION = "key"


class ApiKeyModel(Model):
    Meta = meta("open311_keys")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    key_hash = UnicodeAttribute(null=True)
    client_name = UnicodeAttribute(null=True)
    contact = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute(null=True)
    revoked_at = UnicodeAttribute(null=True)
    revoked_by = UnicodeAttribute(null=True)


class SubmissionModel(Model):
    """Same table, other rows: the client that filed a request."""

    Meta = meta("open311_keys")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    key_id = UnicodeAttribute()
    client_name = UnicodeAttribute()
    created_at = UnicodeAttribute()


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    key_hash: str
    client_name: str
    created_at: str
    created_by: str
    contact: str | None = None
    revoked_at: str | None = None
    revoked_by: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _key(m: ApiKeyModel) -> ApiKey:
    return ApiKey(key_id=m.sk, key_hash=m.key_hash, client_name=m.client_name, created_at=m.created_at,
                  created_by=m.created_by, contact=m.contact, revoked_at=m.revoked_at, revoked_by=m.revoked_by)


class DynamoOpen311Keys:
    def add(self, key: ApiKey) -> bool:
        """False when the key id is already taken (the caller draws another)."""
        try:
            ApiKeyModel(KEY_PARTITION, key.key_id, key_hash=key.key_hash, client_name=key.client_name,
                        contact=key.contact, created_at=key.created_at,
                        created_by=key.created_by).save(condition=ApiKeyModel.sk.does_not_exist())
            return True
        except PutError as exc:
            if condition_failed(exc):
                return False
            raise

    def get(self, key_id: str) -> ApiKey | None:
        try:
            return _key(ApiKeyModel.get(KEY_PARTITION, key_id))
        except DoesNotExist:
            return None

    def all(self) -> list[ApiKey]:
        return [_key(m) for m in ApiKeyModel.query(KEY_PARTITION)]

    def revoke(self, key_id: str, by: str, at: dt.datetime) -> ApiKey | None:
        """Marks the key revoked (kept for the audit trail); None if there is no such key."""
        try:
            ApiKeyModel(KEY_PARTITION, key_id).update(
                actions=[ApiKeyModel.revoked_at.set(iso(at, "seconds")), ApiKeyModel.revoked_by.set(by)],
                condition=ApiKeyModel.sk.exists(),
            )
        except UpdateError as exc:
            if condition_failed(exc):
                return None
            raise
        return self.get(key_id)

    def filed_by(self, tracking_id: str) -> str | None:
        """The key id that filed this report through Open311, if one did."""
        try:
            return SubmissionModel.get(f"request#{tracking_id}", "client").key_id
        except DoesNotExist:
            return None

    @staticmethod
    def submission_hook(key: ApiKey, at: dt.datetime) -> Callable:
        """A report-transaction hook that records the filing client with the new report."""

        def hook(write) -> None:
            if write.before is None:
                write.save(SubmissionModel(f"request#{write.after.tracking_id}", "client", key_id=key.key_id,
                                           client_name=key.client_name, created_at=iso(at, "seconds")),
                           condition=SubmissionModel.pk.does_not_exist())

        return hook
