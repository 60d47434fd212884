"""Attachments: records in DynamoDB (one partition per report) and bytes in a private S3 bucket.

The browser uploads straight to S3 with a presigned POST; a record turns `stored` only after the
server has read and checked the object (services/attachments.py) and written the cleaned bytes under
a key of their own. Uploads carry the tag state=pending and are deleted once accepted; kept objects
carry state=kept, so a bucket lifecycle rule on state=pending removes uploads never completed.
"""
from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlsplit

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from ..config import settings
from ..domain.attachments import PENDING, STORED, Attachment, too_many
from ..domain.errors import Conflict
from .dynamo import CONDITION_FAILED, cancellation_codes, condition_failed, iso, meta

# The per-report counter lives in the same partition; '#' sorts before every attachment id
# (uuid hex), so listing the attachments is a Query on sort keys >= "0".
COUNTER_KEY = "#count"
PENDING_TAG = "<Tagging><TagSet><Tag><Key>state</Key><Value>pending</Value></Tag></TagSet></Tagging>"
KEPT_TAGGING = "state=kept"


class AttachmentModel(Model):
    Meta = meta("attachments")

    tracking_id = UnicodeAttribute(hash_key=True)
    attachment_id = UnicodeAttribute(range_key=True)
    state = UnicodeAttribute()
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    created_at = UnicodeAttribute()
    stored_at = UnicodeAttribute(null=True)
    # DynamoDB TTL (enabled by infra/) drops pending records nobody completed.
    expires_at = TTLAttribute(null=True)


class AttachmentCounter(Model):
    """How many attachments a report has kept: raised in the same transaction that keeps one,
    under the condition that it stays within the limit, so two parallel uploads cannot make six."""

    Meta = meta("attachments")

    tracking_id = UnicodeAttribute(hash_key=True)
    attachment_id = UnicodeAttribute(range_key=True, default=COUNTER_KEY)
    stored = NumberAttribute(default=0)


def _attachment(m: AttachmentModel) -> Attachment:
    return Attachment(
        tracking_id=m.tracking_id, attachment_id=m.attachment_id, filename=m.filename,
        content_type=m.content_type, size=int(m.size), state=m.state,
        created_at=dt.datetime.fromisoformat(m.created_at),
        stored_at=dt.datetime.fromisoformat(m.stored_at) if m.stored_at else None,
    )


class DynamoAttachments:
    def list(self, tracking_id: str) -> list[Attachment]:
        query = AttachmentModel.query(tracking_id, AttachmentModel.attachment_id >= "0")
        return sorted((_attachment(m) for m in query), key=lambda a: a.created_at)

    def get(self, tracking_id: str, attachment_id: str) -> Attachment | None:
        try:
            return _attachment(AttachmentModel.get(tracking_id, attachment_id))
        except DoesNotExist:
            return None

    def add_pending(self, a: Attachment, expires_at: dt.datetime) -> None:
        AttachmentModel(
            a.tracking_id, a.attachment_id, state=PENDING, filename=a.filename, content_type=a.content_type,
            size=a.size, created_at=iso(a.created_at), expires_at=expires_at,
        ).save(condition=AttachmentModel.attachment_id.does_not_exist())

    def keep(self, a: Attachment, limit: int) -> None:
        """Pending -> stored and counter + 1 in one transaction; raises when the report already
        holds `limit` files or someone else completed this one first."""
        counter = AttachmentCounter(a.tracking_id, COUNTER_KEY)
        model = AttachmentModel(a.tracking_id, a.attachment_id)
        try:
            with TransactWrite(connection=AttachmentModel._get_connection().connection) as txn:
                txn.update(counter, actions=[AttachmentCounter.stored.add(1)],
                           condition=AttachmentCounter.stored.does_not_exist() | (AttachmentCounter.stored < limit))
                txn.update(model, actions=[
                    AttachmentModel.state.set(STORED),
                    AttachmentModel.content_type.set(a.content_type),
                    AttachmentModel.size.set(a.size),
                    AttachmentModel.stored_at.set(iso(a.stored_at)),
                    AttachmentModel.expires_at.remove(),
                ], condition=AttachmentModel.state == PENDING)
        except TransactWriteError as exc:
            if cancellation_codes(exc)[:1] == [CONDITION_FAILED]:
                raise too_many() from None
            if condition_failed(exc):
                raise Conflict("Lampiran ini sudah diproses", "This attachment was already processed") from None
            raise

    def delete(self, tracking_id: str, attachment_id: str) -> None:
        AttachmentModel(tracking_id, attachment_id).delete(condition=AttachmentModel.state == PENDING)

    def forget(self, tracking_id: str, attachment_id: str) -> None:
        """Erasure (kept or pending alike); the report's counter stays: it holds no identity."""
        AttachmentModel(tracking_id, attachment_id).delete()


def _s3_endpoint() -> str | None:
    """The regional endpoint in AWS (the global one redirects uploads for newer regions such as
    ap-southeast-3); whatever AWS_ENDPOINT_URL says locally (moto)."""
    if settings().s3_endpoint_from_env:
        return None
    return f"https://s3.{settings().region}.amazonaws.com"


@lru_cache(maxsize=1)
def _s3() -> Any:
    import boto3
    from botocore.config import Config

    endpoint = _s3_endpoint()
    style = {"addressing_style": "virtual"} if endpoint else {}
    return boto3.client("s3", region_name=settings().region, endpoint_url=endpoint,
                        config=Config(signature_version="s3v4", s3=style, retries={"max_attempts": 3}))


class S3Files:
    """The private bucket. Nothing here makes an object public: reads are presigned, short-lived."""

    def __init__(self, bucket: str | None = None, client: Any = None):
        self.bucket = bucket or settings().attachments_bucket
        self.client = client or _s3()

    def presign_upload(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> dict[str, Any]:
        post = self.client.generate_presigned_post(
            self.bucket, key,
            Fields={"Content-Type": content_type, "tagging": PENDING_TAG},
            Conditions=[{"Content-Type": content_type}, {"tagging": PENDING_TAG},
                        ["content-length-range", 1, max_bytes]],
            ExpiresIn=expires_in,
        )
        return {"url": post["url"], "fields": post["fields"]}

    def size(self, key: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            return int(self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"])
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def read(self, key: str, at_most: int) -> bytes:
        body = self.client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes=0-{at_most - 1}")["Body"]
        return body.read(at_most)

    def store(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type,
                               Tagging=KEPT_TAGGING)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def download_url(self, key: str, filename: str, content_type: str, expires_in: int) -> str:
        """`filename` is the neutral name the service chose, never the uploaded one."""
        ascii_name = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in filename)
        disposition = f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
        return self.client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": key, "ResponseContentType": content_type,
                    "ResponseContentDisposition": disposition},
            ExpiresIn=expires_in,
        )

    def origin(self) -> str:
        """Where browsers send uploads (for the pages' Content-Security-Policy connect-src)."""
        url = urlsplit(self.client.generate_presigned_post(self.bucket, "csp-probe", ExpiresIn=60)["url"])
        return f"{url.scheme}://{url.netloc}"
