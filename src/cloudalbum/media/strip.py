"""What a shared file may carry: pixels, orientation, taken time, make and model. Nothing else leaves.

`strip(data, content_type)` is pure (bytes in, bytes out). It removes GPS, camera/lens/body serial numbers,
maker notes, owner fields (Artist, Copyright, CameraOwnerName, ImageUniqueID), XMP (location and owner
properties live there) and IPTC/Photoshop blocks.

* JPEG (and MPO, whose first frame is served): the segments are rewritten without re-encoding. APP1 EXIF is
  rebuilt from an allow-list of tags; APP1 XMP, APP13 IPTC/Photoshop, COM, MPF and every other vendor APPn are
  dropped; JFIF (APP0, without a thumbnail), ICC (APP2) and Adobe (APP14, needed to decode CMYK) stay. The
  bytes from the first SOS to EOI are copied unchanged, so the scan data is byte-identical to the original's;
  anything after EOI (MPO's other frames, vendor trailers) is dropped.
* PNG, WebP, TIFF, GIF, HEIC: the decoded frames are copied into fresh images (no `info`, no TIFF tags) and
  saved again losslessly where the format allows (PNG, TIFF, GIF, WebP lossless; HEIC at high quality), with
  the same allow-listed EXIF and the ICC profile. Orientation stays a tag, except where the decoder applies it
  to the pixels itself (TIFF in Pillow, HEIF in libheif): those files are served upright without the tag.
"""

from __future__ import annotations

import io
import struct
import threading
from typing import Any

from PIL import Image, ImageSequence

from ..domain.errors import Invalid
from . import formats  # noqa: F401 - registers the HEIF opener

EXIF_IFD, GPS_IFD, INTEROP_IFD = 0x8769, 0x8825, 0xA005
# IFD0: orientation, make/model, time, resolution. Everything else (Artist 0x013B, Copyright 0x8298, the GPS and
# interop pointers, DNG CameraSerialNumber 0xC62F, XMP 0x02BC, IPTC 0x83BB, Photoshop 0x8649) is dropped.
KEEP_IFD0 = {0x0112, 0x010F, 0x0110, 0x0132, 0x011A, 0x011B, 0x0128, 0x0213}
# Exif IFD: exposure and time fields. Dropped: MakerNote 0x927C, UserComment 0x9286, ImageUniqueID 0xA420,
# CameraOwnerName 0xA430, BodySerialNumber 0xA431, LensSerialNumber 0xA435, the interop pointer.
KEEP_EXIF = {0x829A, 0x829D, 0x8822, 0x8827, 0x8830, 0x9000, 0x9003, 0x9004, 0x9010, 0x9011, 0x9012, 0x9201,
             0x9202, 0x9204, 0x9207, 0x9209, 0x920A, 0x9290, 0x9291, 0x9292, 0xA001, 0xA002, 0xA003, 0xA402,
             0xA403, 0xA404, 0xA405, 0xA406, 0xA433, 0xA434}
STRING_TAGS = {0x010F, 0x0110, 0x0132, 0x9003, 0x9004, 0x9010, 0x9011, 0x9012, 0x9290, 0x9291, 0x9292, 0xA433,
               0xA434}

MAX_TEXT = 64  # the longest make, model or time text kept
MAX_ITEMS = 8  # the most numbers or bytes an allowed tag keeps (ExifVersion has 4)

SOI, SOS, EOI = 0xD8, 0xDA, 0xD9
APP0, APP1, APP2, APP13, APP14, COM = 0xE0, 0xE1, 0xE2, 0xED, 0xEE, 0xFE
STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RSTn have no length
ICC_ID = b"ICC_PROFILE\x00"
EXIF_ID = b"Exif\x00\x00"
# Re-saving decodes the whole image (up to the upload's decode budget, CLOUDALBUM_MAX_DECODE_BYTES): one at a
# time per process, so concurrent share requests for big PNGs or TIFFs cannot multiply that memory. A JPEG's
# segments are rewritten without decoding and take no slot. Each stripped copy is made once and kept.
_RESAVE_SLOTS = threading.BoundedSemaphore(1)


def strip(data: bytes, content_type: str) -> bytes:
    """The file without identifying metadata, in its own format. Invalid (422) for bytes that cannot be read."""
    try:
        if content_type == "image/jpeg":
            return strip_jpeg(data)
        with _RESAVE_SLOTS:
            return _resave(data)
    except Invalid:
        raise
    except Exception as exc:  # a broken file must not be served with its metadata
        raise Invalid("This photo cannot be prepared for sharing.", code="unreadable_image") from exc


def clean_exif(raw: bytes | Image.Exif | None) -> Image.Exif:
    """A new Exif with only the allow-listed tags of raw (raw may start with 'Exif\\0\\0' or be a loaded Exif)."""
    source = raw if isinstance(raw, Image.Exif) else Image.Exif()
    if raw and not isinstance(raw, Image.Exif):
        source.load(raw)
    out = Image.Exif()
    for tag in KEEP_IFD0:
        value = _plain(tag, source[tag]) if tag in source else None
        if value is not None:
            out[tag] = value
    try:
        sub = source.get_ifd(EXIF_IFD)
    except Exception:  # an unreadable Exif IFD is dropped whole
        sub = {}
    kept = {tag: value for tag, raw in sub.items() if tag in KEEP_EXIF and (value := _plain(tag, raw)) is not None}
    if kept:
        out[EXIF_IFD] = kept
    return out


def _plain(tag: int, value: Any) -> Any:
    """The value as a plain allowed tag may carry it, or None to drop it. A damaged file's counts can make an
    allowed tag's value run on over its neighbours (a Make of 200 bytes that holds the owner's name and a
    serial number): text is cut at its first NUL and kept only when short and printable; numbers and bytes
    only as short as the tags we keep ever are; a nested IFD or an odd blob is dropped."""
    if tag in STRING_TAGS:
        text = value.split("\x00", 1)[0].strip() if isinstance(value, str) else ""
        return text if text and len(text) <= MAX_TEXT and text.isprintable() else None
    if isinstance(value, dict) or (isinstance(value, bytes | tuple) and len(value) > MAX_ITEMS):
        return None
    return value


def exif_bytes(exif: Image.Exif) -> bytes:
    """Serialised Exif ('Exif\\0\\0' + TIFF), or b'' when nothing is left."""
    return exif.tobytes() if len(exif) else b""


# --- JPEG: segments, never the pixels --------------------------------------------------------------------


def strip_jpeg(data: bytes) -> bytes:
    if data[:2] != b"\xff\xd8":
        raise Invalid("Not a JPEG file.", code="unreadable_image")
    out = bytearray(b"\xff\xd8")
    pos = 2
    while pos < len(data):
        if data[pos] != 0xFF:
            raise Invalid("A JPEG segment is corrupt.", code="unreadable_image")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in STANDALONE:
            out += data[pos:pos + 2]
            pos += 2
            continue
        if marker == EOI:
            return bytes(out + b"\xff\xd9")
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        segment = data[pos:pos + 2 + length]
        if marker == SOS:
            return bytes(out) + scan_data(data, pos)
        out += _keep_segment(marker, segment)
        pos += 2 + length
    raise Invalid("The JPEG file ends before its image data.", code="unreadable_image")


def scan_data(data: bytes, sos: int) -> bytes:
    """The bytes from the first SOS to the end of the image (EOI included), unchanged. Inside entropy-coded
    data a 0xFF is followed by 0x00 (stuffing) or a restart marker, so the first FF D9 is the image's end."""
    end = data.find(b"\xff\xd9", sos)
    if end < 0:
        return data[sos:] + b"\xff\xd9"  # truncated: served as it is, the pixels untouched
    return data[sos:end + 2]


def _keep_segment(marker: int, segment: bytes) -> bytes:
    payload = segment[4:]
    if marker == APP1 and payload.startswith(EXIF_ID):
        exif = exif_bytes(clean_exif(payload))
        if not exif:
            return b""
        if len(exif) + 2 > 0xFFFF:
            return b""  # cannot happen with the allow-list; never keep the original instead
        return b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif
    if (marker == APP0 and payload.startswith(b"JFIF\x00") and len(payload) == 14) or (
            marker == APP14 and payload.startswith(b"Adobe") and len(payload) == 12):
        return segment  # exactly the standard header: a mangled length cannot carry other bytes through
    if marker == APP2 and payload.startswith(ICC_ID):
        return segment
    if 0xE0 <= marker <= 0xEF or marker == COM:
        return b""  # XMP, IPTC/Photoshop, MPF, FlashPix, vendor blocks, comments
    return segment  # tables, frame header, restart interval


# --- other formats: decoded frames into fresh images -------------------------------------------------------

SAVE_FORMAT = {"PNG": "PNG", "WEBP": "WEBP", "TIFF": "TIFF", "GIF": "GIF", "HEIF": "HEIF", "MPO": "JPEG",
               "JPEG": "JPEG"}


def _resave(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        fmt = image.format or ""
        if fmt in ("JPEG", "MPO"):
            return strip_jpeg(data)
        if fmt not in SAVE_FORMAT:
            raise Invalid(f"{fmt or 'This'} images cannot be shared.", code="unreadable_image")
        icc = image.info.get("icc_profile")
        frames, durations = [], []
        for frame in ImageSequence.Iterator(image):
            frames.append(_fresh(frame))
            durations.append(frame.info.get("duration", 100))
        # Read after loading: Pillow applies a TIFF's orientation while loading and drops the tag then.
        exif = exif_bytes(clean_exif(image.getexif()))
        options: dict[str, Any] = {}
        if exif and fmt != "GIF":
            options["exif"] = exif
        if icc and fmt != "GIF":
            options["icc_profile"] = icc
        if len(frames) > 1:
            options.update(save_all=True, append_images=frames[1:])
            if fmt in ("GIF", "WEBP"):
                options.update(duration=durations, loop=image.info.get("loop", 0))
        options.update(_format_options(fmt, image))
        buf = io.BytesIO()
        frames[0].save(buf, SAVE_FORMAT[fmt], **options)
        return buf.getvalue()


def _fresh(frame: Image.Image) -> Image.Image:
    """The frame's pixels (and palette) in a new image that carries no info and no tags."""
    pixels = frame.tobytes()  # loads first: the size may change (a TIFF's orientation is applied on load)
    fresh = Image.frombytes(frame.mode, frame.size, pixels)
    if frame.mode == "P":
        palette = frame.getpalette()
        if palette is not None:
            fresh.putpalette(palette)
        if "transparency" in frame.info:
            fresh.info["transparency"] = frame.info["transparency"]
    return fresh


def _format_options(fmt: str, image: Image.Image) -> dict[str, Any]:
    if fmt == "WEBP":
        return {"lossless": True, "quality": 100}
    if fmt == "HEIF":
        return {"quality": 95}
    if fmt == "GIF":
        return {"optimize": False}
    if fmt == "TIFF":
        return {"compression": image.info.get("compression") if image.info.get("compression") in (
            "raw", "tiff_lzw", "tiff_adobe_deflate", "packbits") else "tiff_lzw"}
    return {}
