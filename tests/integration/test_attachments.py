"""Attachments against moto: presigned uploads, type from the bytes, size and count limits,
private storage, and the same visibility rules as the report itself."""
from __future__ import annotations

import base64
import json
import struct
import zlib
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from moto import mock_aws

from chalicelib.config import settings
from chalicelib.domain.attachments import MAX_BYTES
from tests.integration.conftest import START
from tests.support import start_platform
from tests.unit.test_image_metadata import GPS_IFD, SERIAL, TELLTALES, jpeg, opened, png, webp


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real, tiny PNG (red pixels)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture(scope="module")
def _shared_platform():
    """One moto world for the module (each test files its own report), so the file runs in
    seconds; the clock is reset before every test."""
    with mock_aws():
        platform = start_platform(START)
        client = boto3.client("s3", region_name=settings().region)
        client.create_bucket(Bucket=settings().attachments_bucket,
                             CreateBucketConfiguration={"LocationConstraint": settings().region})
        yield platform, client


@pytest.fixture
def platform(_shared_platform):
    shared, _ = _shared_platform
    shared.clock.set(START)
    return shared


@pytest.fixture
def s3(_shared_platform, platform):
    return _shared_platform[1]


@pytest.fixture
def report(api, s3):
    return api.submit()


def reserve(api, tid, code, filename="foto.png", content_type="image/png", size=None, expect=201, data=None):
    body = {"filename": filename, "content_type": content_type, "size": size if size is not None else len(data or b"x")}
    status, answer = api.post(f"/reports/{tid}/attachments", body, headers={"X-Access-Code": code} if code else {})
    assert status == expect, answer
    return answer


def upload(slot, data: bytes, content_type: str = "image/png"):
    """What the browser does: a multipart POST of the presigned fields plus the file."""
    response = requests.post(slot["upload"]["url"], data=slot["upload"]["fields"],
                             files={"file": ("upload", data, content_type)}, timeout=10)
    assert response.status_code in (200, 201, 204), response.text


def complete(api, tid, code, slot, expect=200):
    status, answer = api.post(f"/reports/{tid}/attachments/{slot['attachment_id']}/complete", None,
                              headers={"X-Access-Code": code}, raw="")
    assert status == expect, answer
    return answer


def attach(api, tid, code, data=None, **kwargs):
    data = data if data is not None else png_bytes()
    slot = reserve(api, tid, code, data=data, **kwargs)
    upload(slot, data, kwargs.get("content_type", "image/png"))
    return complete(api, tid, code, slot)


def policy_of(slot) -> dict:
    return json.loads(base64.b64decode(slot["upload"]["fields"]["policy"]))


def object_exists(s3, key: str) -> bool:
    return s3.list_objects_v2(Bucket=settings().attachments_bucket, Prefix=key)["KeyCount"] > 0


def test_a_png_uploaded_through_the_presigned_post_is_kept_and_listed_with_a_short_lived_link(api, s3, report):
    tid, code = report["tracking_id"], report["access_code"]
    data = png_bytes()
    slot = reserve(api, tid, code, data=data)

    conditions = policy_of(slot)["conditions"]
    assert ["content-length-range", 1, MAX_BYTES] in conditions
    assert {"Content-Type": "image/png"} in conditions
    assert {"key": f"reports/{tid}/{slot['attachment_id']}"} in conditions

    upload(slot, data)
    kept = complete(api, tid, code, slot)
    assert kept["content_type"] == "image/png" and kept["size"] == len(data) and kept["filename"] == "foto.png"

    status, listed = api.get(f"/reports/{tid}/attachments", headers={"X-Access-Code": code})
    assert status == 200 and [a["id"] for a in listed["attachments"]] == [slot["attachment_id"]]
    link = urlsplit(listed["attachments"][0]["url"])
    assert parse_qs(link.query)["X-Amz-Expires"] == ["300"]
    assert requests.get(listed["attachments"][0]["url"], timeout=10).content == data


def test_a_file_whose_bytes_are_not_an_accepted_type_is_deleted_whatever_its_name(api, s3, report):
    tid, code = report["tracking_id"], report["access_code"]
    slot = reserve(api, tid, code, filename="holiday.png", data=EXE)
    upload(slot, EXE)

    status, answer = api.post(f"/reports/{tid}/attachments/{slot['attachment_id']}/complete", None,
                              headers={"X-Access-Code": code}, raw="")

    assert status == 400 and "file" in answer["error"]["fields"]
    assert "JPEG, PNG" in answer["error"]["message_en"]
    assert not object_exists(s3, f"reports/{tid}/{slot['attachment_id']}")
    assert api.get(f"/reports/{tid}/attachments", headers={"X-Access-Code": code})[1]["attachments"] == []
    complete(api, tid, code, slot, expect=404)  # nothing half-saved to complete later


def test_the_type_is_taken_from_the_bytes_when_the_browser_declared_another_one(api, s3, report):
    tid, code = report["tracking_id"], report["access_code"]
    kept = attach(api, tid, code, data=PDF, filename="surat.png", content_type="image/png")
    assert kept["content_type"] == "application/pdf"


@pytest.mark.parametrize("content_type,size,field", [
    ("text/html", 100, "content_type"),
    ("image/svg+xml", 100, "content_type"),
    ("image/png", MAX_BYTES + 1, "size"),
    ("image/png", 0, "size"),
])
def test_a_declared_type_or_size_outside_the_rules_is_refused_before_any_upload(api, s3, report, content_type, size, field):
    answer = reserve(api, report["tracking_id"], report["access_code"], content_type=content_type, size=size,
                     expect=400)
    assert field in answer["error"]["fields"]
    assert " / " in answer["error"]["fields"][field]  # bilingual for the page


def test_an_object_over_10_mb_is_deleted_at_completion_even_if_the_storage_accepted_it(api, s3, report):
    tid, code = report["tracking_id"], report["access_code"]
    slot = reserve(api, tid, code, size=1000)
    key = f"reports/{tid}/{slot['attachment_id']}"
    s3.put_object(Bucket=settings().attachments_bucket, Key=key, Body=png_bytes() + b"\x00" * MAX_BYTES)

    answer = complete(api, tid, code, slot, expect=400)

    assert "10 MB" in answer["error"]["message_en"]
    assert not object_exists(s3, key)


def test_completing_before_the_upload_arrived_says_so_and_keeps_the_slot(api, s3, report):
    tid, code = report["tracking_id"], report["access_code"]
    data = png_bytes()
    slot = reserve(api, tid, code, data=data)
    answer = complete(api, tid, code, slot, expect=400)
    assert answer["error"]["message_en"] == "The file has not been uploaded"
    upload(slot, data)
    assert complete(api, tid, code, slot)["content_type"] == "image/png"


def test_a_report_carries_at_most_five_attachments(api, s3, report):
    tid, code = report["tracking_id"], report["access_code"]
    for i in range(5):
        attach(api, tid, code, filename=f"foto-{i}.png")
    answer = reserve(api, tid, code, data=png_bytes(), expect=400)
    assert answer["error"]["message_en"] == "At most 5 attachments per report"


def test_the_limit_holds_when_expired_reservations_are_completed_late(api, s3, report, platform):
    tid, code = report["tracking_id"], report["access_code"]
    data = png_bytes()
    early = [reserve(api, tid, code, data=data) for _ in range(5)]
    platform.clock.advance(minutes=30)  # the five reservations lapse...
    late = reserve(api, tid, code, data=data)  # ...so a sixth slot is handed out
    for slot in [*early, late]:
        upload(slot, data)
    for slot in early:
        complete(api, tid, code, slot)

    answer = complete(api, tid, code, late, expect=400)

    assert answer["error"]["message_en"] == "At most 5 attachments per report"
    assert not object_exists(s3, f"reports/{tid}/{late['attachment_id']}")
    assert len(api.get(f"/reports/{tid}/attachments", headers={"X-Access-Code": code})[1]["attachments"]) == 5


def test_completing_twice_keeps_one_attachment_and_counts_it_once(api, s3, report):
    tid, code = report["tracking_id"], report["access_code"]
    data = png_bytes()
    slot = reserve(api, tid, code, data=data)
    upload(slot, data)
    first = complete(api, tid, code, slot)
    second = complete(api, tid, code, slot)
    assert first["id"] == second["id"]
    for i in range(4):
        attach(api, tid, code, filename=f"lain-{i}.png")  # 1 + 4 = 5: still within the limit


def test_only_the_reporter_with_the_access_code_may_upload(api, s3, report):
    tid = report["tracking_id"]
    assert reserve(api, tid, None, expect=403)["error"]["code"] == "forbidden"
    assert reserve(api, tid, "WRONGCODE1", expect=404)["error"]["code"] == "not_found"  # as an unknown id


def test_a_closed_report_takes_no_more_attachments(api, s3, report):
    tid = report["tracking_id"]
    api.act(tid, "admin.pusat", "archive", reason="spam")
    answer = reserve(api, tid, report["access_code"], data=png_bytes(), expect=409)
    assert answer["error"]["code"] == "invalid_transition"


def test_attachments_of_a_published_report_are_public_links(api, s3, report):
    tid, code = report["tracking_id"], report["access_code"]
    attach(api, tid, code)
    assert api.get(f"/reports/{tid}/attachments")[0] == 404  # not published yet
    api.act(tid, "admin.pusat", "dispatch", agency_id="pemkot-medan")
    status, listed = api.get(f"/reports/{tid}/attachments")
    assert status == 200 and len(listed["attachments"]) == 1


def test_attachments_of_a_confidential_report_are_for_its_reporter_and_staff_only(api, s3):
    created = api.submit(confidential=True, agency_id="pemkot-medan")
    tid, code = created["tracking_id"], created["access_code"]
    attach(api, tid, code)

    assert api.get(f"/reports/{tid}/attachments")[0] == 404
    assert api.get(f"/reports/{tid}/attachments", headers={"X-Access-Code": "WRONGCODE1"})[0] == 404
    assert len(api.get(f"/reports/{tid}/attachments", headers={"X-Access-Code": code})[1]["attachments"]) == 1
    status, staff = api.get(f"/staff/reports/{tid}/attachments", user="admin.medan")
    assert status == 200 and len(staff["attachments"]) == 1
    assert parse_qs(urlsplit(staff["attachments"][0]["url"]).query)["X-Amz-Expires"] == ["900"]
    assert api.get(f"/staff/reports/{tid}/attachments", user="penghubung.dlh.medan")[0] == 404  # not their unit
    assert api.get(f"/staff/reports/{tid}/attachments")[0] == 401


def test_the_bucket_stays_private(api, s3, report):
    tid, code = report["tracking_id"], report["access_code"]
    slot = reserve(api, tid, code, data=png_bytes())
    assert not any(k.lower() == "acl" for k in slot["upload"]["fields"])
    assert not any(isinstance(c, dict) and "acl" in c for c in policy_of(slot)["conditions"])
    upload(slot, png_bytes())
    complete(api, tid, code, slot)
    key = f"reports/{tid}/kept/{slot['attachment_id']}"
    assert not object_exists(s3, f"reports/{tid}/{slot['attachment_id']}")  # the upload itself is gone
    grants = s3.get_object_acl(Bucket=settings().attachments_bucket, Key=key)["Grants"]
    assert all(g["Grantee"].get("URI") is None for g in grants)  # no AllUsers / AuthenticatedUsers
    assert s3.get_object_tagging(Bucket=settings().attachments_bucket, Key=key)["TagSet"] == [
        {"Key": "state", "Value": "kept"}]


def test_unknown_attachment_ids_are_not_found(api, s3, report):
    tid, code = report["tracking_id"], report["access_code"]
    status, _ = api.post(f"/reports/{tid}/attachments/../../x/complete", None, headers={"X-Access-Code": code}, raw="")
    assert status in (403, 404)
    status, answer = api.post(f"/reports/{tid}/attachments/{'0' * 32}/complete", None,
                              headers={"X-Access-Code": code}, raw="")
    assert status == 404 and answer["error"]["message_en"] == "Attachment not found"


def published(api, **overrides) -> tuple[str, str]:
    created = api.submit(**overrides)
    api.act(created["tracking_id"], "admin.pusat", "dispatch", agency_id="pemkot-medan")
    return created["tracking_id"], created["access_code"]


@pytest.mark.parametrize("content_type, make", [("image/jpeg", jpeg), ("image/png", png), ("image/webp", webp)])
def test_a_published_photo_is_served_without_its_gps_position_or_camera_serial(api, s3, content_type, make):
    tid, code = published(api)
    original = make()
    kept = attach(api, tid, code, data=original, filename="IMG_20241218.jpg", content_type=content_type)

    (public,) = api.get(f"/reports/{tid}/attachments")[1]["attachments"]
    served = requests.get(public["url"], timeout=10).content
    assert not [t for t in TELLTALES if t in served] and SERIAL.encode() in original
    image = opened(served)
    assert not image.getexif().get_ifd(GPS_IFD) and dict(image.getexif()) == {0x0112: 6}
    assert image.tobytes() == opened(original).tobytes()  # the same pixels: nothing re-encoded
    assert kept["size"] == public["size"] == len(served) < len(original)


def test_downloads_carry_a_neutral_name_and_the_public_never_sees_the_original_one(api, s3, platform):
    tid, code = published(api)
    attach(api, tid, code, data=png(), filename="KTP Budi Santoso.png")
    platform.clock.advance(minutes=1)
    attach(api, tid, code, data=PDF, filename="surat-keluhan-budi.pdf", content_type="application/pdf")

    status, public = api.get(f"/reports/{tid}/attachments")
    staff = api.get(f"/staff/reports/{tid}/attachments", user="admin.medan")[1]["attachments"]

    assert status == 200 and [a["filename"] for a in public["attachments"]] == ["lampiran-1.png", "lampiran-2.pdf"]
    assert "Budi" not in json.dumps(public)
    assert [a["filename"] for a in staff] == ["KTP Budi Santoso.png", "surat-keluhan-budi.pdf"]
    for listed in (public["attachments"], staff):
        names = [requests.get(a["url"], timeout=10).headers["Content-Disposition"] for a in listed]
        assert [n.split(";")[1].strip() for n in names] == ['filename="lampiran-1.png"', 'filename="lampiran-2.pdf"']


def test_the_reporter_sees_the_name_the_list_will_give_when_completing(api, s3, report, platform):
    tid, code = report["tracking_id"], report["access_code"]
    attach(api, tid, code, filename="satu.png")
    platform.clock.advance(minutes=1)
    second = attach(api, tid, code, filename="dua.png")
    assert second["filename"] == "dua.png"
    disposition = parse_qs(urlsplit(second["url"]).query)["response-content-disposition"][0]
    assert disposition.startswith('inline; filename="lampiran-2.png"')


def test_an_upload_posted_again_after_completion_never_reaches_readers(api, s3):
    """The presigned POST stays valid for 10 minutes (a browser retry may resend it): readers get
    the bytes the server checked and cleaned, from a key no presigned POST can write."""
    tid, code = published(api)
    original = jpeg()
    slot = reserve(api, tid, code, data=original, content_type="image/jpeg")
    upload(slot, original, "image/jpeg")
    complete(api, tid, code, slot)
    upload(slot, original, "image/jpeg")  # again, with its EXIF
    assert complete(api, tid, code, slot)["id"] == slot["attachment_id"]

    (listed,) = api.get(f"/reports/{tid}/attachments")[1]["attachments"]
    assert SERIAL.encode() not in requests.get(listed["url"], timeout=10).content


def test_a_damaged_image_is_refused_in_both_languages_and_deleted(api, s3, report):
    tid, code = report["tracking_id"], report["access_code"]
    broken = png_bytes()[:-12]  # no IEND: a decoder cannot tell where the image ends
    slot = reserve(api, tid, code, data=broken)
    upload(slot, broken)

    answer = complete(api, tid, code, slot, expect=400)

    assert answer["error"]["message_en"] == "File rejected: the image is damaged or incomplete"
    assert answer["error"]["message"].startswith("Berkas ditolak")
    assert not object_exists(s3, f"reports/{tid}/{slot['attachment_id']}")
    complete(api, tid, code, slot, expect=404)


def test_once_a_report_is_completed_its_officers_see_only_neutral_file_names(api, s3):
    """A file's own name may name its sender (KTP-Siti.png): it follows the reporter's identity
    (domain.access.sees_reporter_identity), so after completion only the central admin sees it."""
    created = api.submit(agency_id="pemkot-medan")
    tid, code = created["tracking_id"], created["access_code"]
    attach(api, tid, code, filename="KTP-Siti.png")

    def names(user):
        status, listed = api.get(f"/staff/reports/{tid}/attachments", user=user)
        assert status == 200, listed
        return [a["filename"] for a in listed["attachments"]]

    assert names("admin.medan") == ["KTP-Siti.png"]
    api.act(tid, "admin.medan", "assign", unit_id="pemkot-medan.dishub")
    api.act(tid, "penghubung.dishub.medan", "respond", message="Kami tinjau.")
    api.act(tid, "penghubung.dishub.medan", "final_answer", message="Sudah beres.")
    assert names("penghubung.dishub.medan") == ["KTP-Siti.png"]
    api.reply(tid, code, accept=True, rating=5)
    assert names("admin.medan") == names("penghubung.dishub.medan") == ["lampiran-1.png"]
    assert names("admin.pusat") == ["KTP-Siti.png"]
