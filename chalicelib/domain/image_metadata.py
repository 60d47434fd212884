"""Removes what a photo says about its taker (EXIF GPS position, camera serial, XMP, IPTC, comments,
text chunks) from JPEG, PNG and WebP files by rewriting their container, never the pixels: the
image data and its colour profile are copied byte for byte, so nothing is re-encoded or degraded.

Each format is read as its own list of segments or chunks and rebuilt from an allow-list (what is
not known to be image data is dropped, so a vendor's private block cannot carry a serial through).
The one fact kept from EXIF is the orientation, written back as a minimal EXIF block of a single
tag, so a phone photo still shows the right way up. Bytes after the end of the image (thumbnails
or a second image some cameras append) are dropped.

Pure standard library: an imaging library would not fit the API's deployment package (see README).
"""
from __future__ import annotations

import struct
import zlib
from typing import Callable, Iterator

from .errors import InvalidInput

ORIENTATION_TAG = 0x0112
EXIF_HEADER = b"Exif\x00\x00"


def damaged() -> InvalidInput:
    return InvalidInput("Berkas ditolak: gambar rusak atau tidak lengkap",
                        "File rejected: the image is damaged or incomplete",
                        {"file": "gambar rusak / damaged image"})


# ---- EXIF: only the orientation survives ----------------------------------------------------------------
def exif_orientation(exif: bytes) -> int | None:
    """The Orientation tag (2..8) of an EXIF block (TIFF, with or without the 'Exif' header);
    None when it is absent, normal (1) or unreadable."""
    tiff = exif[len(EXIF_HEADER):] if exif.startswith(EXIF_HEADER) else exif
    order = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if order is None or len(tiff) < 8:
        return None
    (ifd,) = struct.unpack(order + "I", tiff[4:8])
    if ifd + 2 > len(tiff):
        return None
    (count,) = struct.unpack(order + "H", tiff[ifd:ifd + 2])
    for start in range(ifd + 2, min(ifd + 2 + 12 * count, len(tiff) - 11), 12):
        tag, kind, _, value = struct.unpack(order + "HHIH", tiff[start:start + 10])
        if tag == ORIENTATION_TAG and kind == 3:  # SHORT
            return value if 2 <= value <= 8 else None
    return None


def minimal_exif(orientation: int) -> bytes:
    """A TIFF block with IFD0 holding the orientation alone (big-endian, no 'Exif' header)."""
    entry = struct.pack(">HHIHH", ORIENTATION_TAG, 3, 1, orientation, 0)
    return b"MM\x00*" + struct.pack(">I", 8) + struct.pack(">H", 1) + entry + struct.pack(">I", 0)


# ---- JPEG ---------------------------------------------------------------------------------------------
SOI, EOI, SOS = 0xD8, 0xD9, 0xDA
APP0, APP1, APP2, APP14, COM = 0xE0, 0xE1, 0xE2, 0xEE, 0xFE
STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM, RST0..7: no length field


def _jpeg_segments(data: bytes) -> Iterator[tuple[int, bytes, bytes]]:
    """(marker, whole segment, the entropy-coded data that follows it when it is a scan)."""
    pos = 2
    while True:
        if pos >= len(data) or data[pos] != 0xFF:
            raise damaged()
        while pos + 1 < len(data) and data[pos + 1] == 0xFF:  # fill bytes before a marker
            pos += 1
        if pos + 1 >= len(data):
            raise damaged()
        marker = data[pos + 1]
        if marker == EOI:
            yield marker, b"\xff\xd9", b""
            return
        if marker in STANDALONE:
            yield marker, data[pos:pos + 2], b""
            pos += 2
            continue
        if pos + 4 > len(data):
            raise damaged()
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        end = pos + 2 + length
        if length < 2 or end > len(data):
            raise damaged()
        scan_end = _scan_end(data, end) if marker == SOS else end
        yield marker, data[pos:end], data[end:scan_end]
        if scan_end >= len(data):
            return  # the file stops inside the last scan: keep what is there, as viewers do
        pos = scan_end


def _scan_end(data: bytes, pos: int) -> int:
    """Where the entropy-coded data ends: the first 0xFF that is not a stuffed 0x00, a restart
    marker or fill."""
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            return len(data)
        follower = data[pos + 1]
        if follower == 0x00 or 0xD0 <= follower <= 0xD7:
            pos += 2
        elif follower == 0xFF:
            pos += 1
        else:
            return pos


def _jpeg_app1(orientation: int) -> bytes:
    payload = EXIF_HEADER + minimal_exif(orientation)
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def strip_jpeg(data: bytes) -> bytes:
    """Keeps APP0 (JFIF), APP2 ICC profile, APP14 (Adobe colour transform) and every non-APP
    segment; drops other APPn (Exif, XMP, MPF, IPTC, vendors' blocks) and comments."""
    if not data.startswith(b"\xff\xd8"):
        raise damaged()
    out = [b"\xff\xd8"]
    orientation_written = False
    for marker, segment, scan in _jpeg_segments(data):
        payload = segment[4:]
        if marker == APP1 and payload.startswith(EXIF_HEADER) and not orientation_written:
            orientation = exif_orientation(payload)
            if orientation:
                out.append(_jpeg_app1(orientation))
                orientation_written = True
            continue
        if marker == COM or (APP0 < marker <= 0xEF and marker != APP14
                             and not (marker == APP2 and payload.startswith(b"ICC_PROFILE\x00"))):
            continue
        out.append(segment)
        out.append(scan)
    return b"".join(out)


# ---- PNG ----------------------------------------------------------------------------------------------
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Ancillary chunks that describe how to show the pixels (colour, transparency, animation) and
# carry nothing about the taker; any other ancillary chunk (tEXt, zTXt, iTXt, eXIf, tIME, private
# ones) is dropped. Critical chunks (upper-case first letter) are always kept: a decoder needs them.
PNG_KEPT = {b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"cICP", b"mDCV", b"cLLI", b"sBIT", b"bKGD",
            b"pHYs", b"hIST", b"sPLT", b"acTL", b"fcTL", b"fdAT"}


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def strip_png(data: bytes) -> bytes:
    if not data.startswith(PNG_SIGNATURE):
        raise damaged()
    out, pos = [PNG_SIGNATURE], len(PNG_SIGNATURE)
    while True:
        if pos + 12 > len(data):
            raise damaged()  # no IEND
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, end = data[pos + 4:pos + 8], pos + 12 + length
        if end > len(data):
            raise damaged()
        if kind == b"eXIf":
            orientation = exif_orientation(data[pos + 8:end - 4])
            if orientation:
                out.append(_png_chunk(b"eXIf", minimal_exif(orientation)))
        elif kind[:1].isupper() or kind in PNG_KEPT:
            out.append(data[pos:end])
        if kind == b"IEND":
            return b"".join(out)
        pos = end


# ---- WebP ---------------------------------------------------------------------------------------------
# Image data, alpha, animation and the colour profile; EXIF and XMP (and unknown chunks) go.
WEBP_KEPT = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"}
VP8X_EXIF, VP8X_XMP = 0x08, 0x04


def _riff_chunk(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) % 2 else b"")


def strip_webp(data: bytes) -> bytes:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise damaged()
    (riff_size,) = struct.unpack("<I", data[4:8])
    end = 8 + riff_size
    if end > len(data) or riff_size < 4:
        raise damaged()
    chunks: list[tuple[bytes, bytes]] = []
    orientation, pos = None, 12
    while pos + 8 <= end:
        kind, (size,) = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])
        if pos + 8 + size > end:
            raise damaged()
        body = data[pos + 8:pos + 8 + size]
        if kind == b"EXIF":
            orientation = orientation or exif_orientation(body)
        elif kind in WEBP_KEPT:
            chunks.append((kind, body))
        pos += 8 + size + size % 2
    if not any(kind in (b"VP8 ", b"VP8L", b"ANMF") for kind, _ in chunks):
        raise damaged()
    if chunks[0][0] == b"VP8X":
        flags = chunks[0][1][0] & ~(VP8X_EXIF | VP8X_XMP)
        if orientation:
            flags |= VP8X_EXIF
            chunks.append((b"EXIF", minimal_exif(orientation)))
        chunks[0] = (b"VP8X", bytes([flags]) + chunks[0][1][1:])
    body = b"WEBP" + b"".join(_riff_chunk(kind, chunk) for kind, chunk in chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


STRIPPERS: dict[str, Callable[[bytes], bytes]] = {
    "image/jpeg": strip_jpeg,
    "image/png": strip_png,
    "image/webp": strip_webp,
}


def strip_metadata(content_type: str, data: bytes) -> bytes:
    """The file without what identifies its taker; other types (PDF) unchanged."""
    strip = STRIPPERS.get(content_type)
    return strip(data) if strip else data
