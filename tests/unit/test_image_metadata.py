"""Metadata stripping on real JPEG, PNG and WebP files made by Pillow (a test-only dependency):
GPS, camera serial, XMP, comments and text chunks are gone, the orientation and colour profile
stay, and the pixels decode exactly as before (nothing is re-encoded)."""
from __future__ import annotations

import io
import random
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms, ImageOps, PngImagePlugin

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.image_metadata import exif_orientation, minimal_exif, strip_metadata

SERIAL, MODEL, COMMENT = "SN-4C0FFEE123", "Pixel 7 Pro", "Difoto oleh Budi, Jl. Gatot Subroto 12"
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>3,35.2N</exif:GPSLatitude></x:xmpmeta>'
GPS_IFD, EXIF_IFD = 0x8825, 0x8769
ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
TELLTALES = (SERIAL.encode(), MODEL.encode(), COMMENT.encode(), b"xmpmeta", b"GPSLatitude", b"Google")


def camera_exif(orientation: int = 6) -> bytes:
    """What a phone writes: make, model, orientation, body serial and a GPS position (Medan)."""
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "Google", MODEL, orientation
    exif.get_ifd(EXIF_IFD)[0xA431] = SERIAL  # BodySerialNumber
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2], gps[3], gps[4] = "N", (3.0, 35.0, 12.5), "E", (98.0, 40.0, 1.0)
    return exif.tobytes()


def noise(mode: str = "RGB", size=(48, 32), seed: int = 7):
    """Random pixels, so JPEG scans hold stuffed 0xFF bytes and nothing compresses to a trivial file."""
    rng = random.Random(seed)
    return Image.frombytes(mode, size, bytes(rng.randrange(256) for _ in range(size[0] * size[1] * len(mode))))


def save(image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def jpeg(**options) -> bytes:
    options = {"exif": camera_exif(), "icc_profile": ICC, "comment": COMMENT.encode(), "xmp": XMP, **options}
    return save(noise(), "JPEG", quality=90, **options)


def png(**options) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", COMMENT)
    info.add_text("Author", MODEL, zip=True)  # zTXt
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    info.add(b"tIME", struct.pack(">HBBBBB", 2024, 12, 18, 16, 5, 0))
    info.add(b"prVt", SERIAL.encode())  # a vendor's private ancillary chunk
    return save(noise("RGBA"), "PNG", pnginfo=info, exif=camera_exif(), icc_profile=ICC, **options)


def webp(**options) -> bytes:
    options = {"exif": camera_exif(), "xmp": XMP, "icc_profile": ICC, **options}
    return save(noise("RGBA"), "WEBP", **options)


MEDIA = {"jpeg": ("image/jpeg", jpeg), "png": ("image/png", png), "webp": ("image/webp", webp),
         "webp-lossless": ("image/webp", lambda: webp(lossless=True))}


def opened(data: bytes):
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("name", MEDIA)
def test_gps_serial_xmp_and_comments_are_gone_and_the_pixels_are_untouched(name):
    content_type, make = MEDIA[name]
    original = make()
    assert all(t in original for t in (SERIAL.encode(), b"xmpmeta"))  # the fixture carries them

    cleaned = strip_metadata(content_type, original)

    assert not [t for t in TELLTALES if t in cleaned]
    image = opened(cleaned)
    exif = image.getexif()
    assert dict(exif) == {0x0112: 6} and not exif.get_ifd(GPS_IFD) and not exif.get_ifd(EXIF_IFD)
    assert not {"comment", "xmp", "XML:com.adobe.xmp", "Comment", "Author"} & set(image.info)
    assert image.info["icc_profile"] == ICC
    assert image.tobytes() == opened(original).tobytes() and image.size == (48, 32)


@pytest.mark.parametrize("name", MEDIA)
def test_the_orientation_survives_so_a_phone_photo_shows_the_right_way_up(name):
    content_type, make = MEDIA[name]
    upright = ImageOps.exif_transpose(opened(strip_metadata(content_type, make())))
    assert upright.size == (32, 48)  # orientation 6: turned a quarter


def test_a_png_loses_every_text_time_and_private_chunk_but_keeps_what_draws_it():
    cleaned = strip_metadata("image/png", png())
    kinds, pos = [], 8
    while pos < len(cleaned):
        (length,) = struct.unpack(">I", cleaned[pos:pos + 4])
        kinds.append(cleaned[pos + 4:pos + 8])
        pos += 12 + length
    assert not {b"tEXt", b"zTXt", b"iTXt", b"tIME", b"prVt"} & set(kinds)
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"iCCP" in kinds and b"IDAT" in kinds


def test_a_webp_without_exif_or_xmp_says_so_in_its_header_flags():
    cleaned = strip_metadata("image/webp", webp(exif=minimal_exif(1)))  # orientation 1: nothing to keep
    assert cleaned[12:16] == b"VP8X" and cleaned[20] & 0x0C == 0  # neither EXIF nor XMP flag
    assert b"EXIF" not in cleaned and b"XMP " not in cleaned
    assert struct.unpack("<I", cleaned[4:8])[0] == len(cleaned) - 8
    assert opened(cleaned).tobytes() == opened(webp()).tobytes()


def test_an_animated_webp_keeps_every_frame():
    frames = [noise("RGBA", seed=s) for s in (1, 2, 3)]
    out = io.BytesIO()
    frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:], duration=100, exif=camera_exif(), xmp=XMP)
    cleaned = strip_metadata("image/webp", out.getvalue())
    assert not [t for t in TELLTALES if t in cleaned]
    image = Image.open(io.BytesIO(cleaned))
    assert image.n_frames == 3


def test_a_jpeg_loses_its_appended_second_image_and_vendor_blocks():
    """Cameras append a second image (MPF) after the end marker, with its own EXIF."""
    base = jpeg(restart_marker_blocks=1, progressive=True)
    mpf = b"\xff\xe2" + struct.pack(">H", 2 + 4 + len(SERIAL)) + b"MPF\x00" + SERIAL.encode()
    vendor = b"\xff\xeb" + struct.pack(">H", 2 + len(MODEL)) + MODEL.encode()  # APP11
    crafted = base[:2] + mpf + vendor + base[2:] + save(noise(), "JPEG", exif=camera_exif())
    cleaned = strip_metadata("image/jpeg", crafted)
    assert not [t for t in TELLTALES if t in cleaned] and cleaned.endswith(b"\xff\xd9")
    assert cleaned.count(b"\xff\xd8") == 1
    assert opened(cleaned).tobytes() == opened(base).tobytes()


@pytest.mark.parametrize("content_type, data", [
    ("image/jpeg", save(noise(), "JPEG")),
    ("image/png", save(noise(), "PNG")),
    ("image/webp", save(noise(), "WEBP")),
    ("application/pdf", b"%PDF-1.4\n%%EOF\n"),
])
def test_a_file_with_nothing_to_remove_comes_back_byte_for_byte(content_type, data):
    assert strip_metadata(content_type, data) == data


@pytest.mark.parametrize("name", MEDIA)
def test_stripping_twice_changes_nothing_more(name):
    content_type, make = MEDIA[name]
    once = strip_metadata(content_type, make())
    assert strip_metadata(content_type, once) == once


@pytest.mark.parametrize("content_type, data", [
    ("image/jpeg", b"\xff\xd8\xff\xe1\x40\x00Exif\x00\x00MM"),  # a segment longer than the file
    ("image/jpeg", b"\xff\xd8\x00\x00"),  # no marker where one must be
    ("image/png", save(noise(), "PNG")[:200]),  # cut before IEND
    ("image/webp", save(noise(), "WEBP")[:40]),  # cut inside its RIFF
    ("image/webp", b"RIFF\x0c\x00\x00\x00WEBPXMP \x00\x00\x00\x00"),  # no image data at all
])
def test_a_damaged_image_is_refused_with_a_bilingual_reason(content_type, data):
    with pytest.raises(InvalidInput) as refused:
        strip_metadata(content_type, data)
    assert refused.value.message_en == "File rejected: the image is damaged or incomplete"
    assert " / " in refused.value.fields["file"]


def test_a_jpeg_cut_inside_its_last_scan_is_kept_as_viewers_show_it():
    data = jpeg()
    cut = data[: len(data) - 100]
    cleaned = strip_metadata("image/jpeg", cut)
    assert not [t for t in TELLTALES if t in cleaned] and cleaned.endswith(cut[-50:])


_CACHE: dict[str, bytes] = {}


def _cached(name, make) -> bytes:
    return _CACHE.setdefault(name, make())


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(MEDIA)), st.data())
def test_any_corruption_is_either_stripped_or_refused_never_a_crash(name, data):
    content_type, make = MEDIA[name]
    original = bytearray(_cached(name, make))
    for _ in range(data.draw(st.integers(1, 4))):
        original[data.draw(st.integers(0, len(original) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(1, len(original)))
    try:
        strip_metadata(content_type, bytes(original[:cut]))
    except InvalidInput:
        pass


@pytest.mark.parametrize("exif, expected", [
    (minimal_exif(6), 6), (b"Exif\x00\x00" + minimal_exif(8), 8), (minimal_exif(1), None),
    (b"", None), (b"II*\x00\xff\xff\x00\x00", None), (b"MM\x00*\x00\x00\x00\x08\x00\x05", None),
])
def test_the_orientation_is_read_from_either_byte_order_or_not_at_all(exif, expected):
    assert exif_orientation(exif) == expected


def test_the_orientation_is_found_among_other_tags_in_little_endian_order():
    entries = [struct.pack("<HHI4s", 0x010F, 2, 4, b"Goo\x00"), struct.pack("<HHIHH", 0x0112, 3, 1, 3, 0)]
    tiff = b"II*\x00" + struct.pack("<IH", 8, len(entries)) + b"".join(entries) + struct.pack("<I", 0)
    assert exif_orientation(b"Exif\x00\x00" + tiff) == 3
