"""Attachment rules without I/O: the type comes from the leading bytes, names are cleaned."""
from __future__ import annotations

import pytest

from chalicelib.domain.attachments import MAX_BYTES, check_stored, check_upload, clean_filename, detect_type
from chalicelib.domain.errors import InvalidInput


@pytest.mark.parametrize("head,expected", [
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "application/pdf"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
    (b"GIF89a\x01\x00\x01\x00", None),
    (b"<svg xmlns='http://www.w3.org/2000/svg'>", None),
    (b"<html><script>alert(1)</script>", None),
    (b"MZ\x90\x00", None),
    (b"", None),
])
def test_the_type_is_recognised_from_the_leading_bytes_only(head, expected):
    assert detect_type(head) == expected


@pytest.mark.parametrize("raw,expected", [
    ("C:\\Users\\siti\\foto jalan.jpg", "foto jalan.jpg"),
    ("../../etc/passwd", "passwd"),
    ("surat\u0000\u202e.pdf", "surat.pdf"),
    ("  .hidden.png ", "hidden.png"),
    ("a" * 300 + ".jpeg", "a" * 145 + ".jpeg"),
])
def test_file_names_lose_directories_control_characters_and_excess_length(raw, expected):
    assert clean_filename(raw) == expected


def test_an_empty_or_oversized_object_is_refused():
    with pytest.raises(InvalidInput):
        check_stored(0, b"")
    with pytest.raises(InvalidInput):
        check_stored(MAX_BYTES + 1, b"\x89PNG\r\n\x1a\n")
    assert check_stored(MAX_BYTES, b"\x89PNG\r\n\x1a\n") == "image/png"


def test_an_upload_request_names_the_first_wrong_field_in_both_languages():
    with pytest.raises(InvalidInput) as caught:
        check_upload("x.gif", "image/gif", 10)
    assert caught.value.message_en.startswith("Unsupported file type")
    assert set(caught.value.fields) == {"content_type"}
