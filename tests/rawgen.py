"""Minimal, valid DNG files made here (no RAW sample ships in any package this project installs): a 16-bit
RGGB Bayer mosaic with black and white levels, DNG tags, an EXIF IFD (DateTimeOriginal) and a GPS IFD, and
optionally an 8-bit RGB preview in IFD0 with the mosaic in a SubIFD, as cameras write them. LibRaw opens and
develops them like a camera's."""

from __future__ import annotations

import io
import struct
from typing import Any

import numpy as np
import tifffile

ASCII, SHORT, LONG, RATIONAL, BYTE = 2, 3, 4, 5, 1
EXIF_IFD, GPS_IFD = 34665, 34853


def _mosaic(width: int, height: int) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width]
    r = (x * 3800 // max(1, width) + 100).astype(np.uint16)
    g = (y * 3800 // max(1, height) + 100).astype(np.uint16)
    b = np.full((height, width), 1500, np.uint16)
    cfa = np.empty((height, width), np.uint16)
    cfa[0::2, 0::2] = r[0::2, 0::2]
    cfa[0::2, 1::2] = g[0::2, 1::2]
    cfa[1::2, 0::2] = g[1::2, 0::2]
    cfa[1::2, 1::2] = b[1::2, 1::2]
    return cfa


def _ifd(entries: list[tuple[int, int, Any]], at: int) -> bytes:
    """A little-endian TIFF IFD placed at offset `at`, values that do not fit inline right after it."""
    entries = sorted(entries)
    sizes = {ASCII: 1, SHORT: 2, LONG: 4, RATIONAL: 8, BYTE: 1}
    head = struct.pack("<H", len(entries))
    data_at = at + 2 + 12 * len(entries) + 4
    body, extra = b"", b""
    for tag, typ, value in entries:
        if typ == ASCII:
            raw, count = value.encode() + b"\x00", len(value) + 1
        elif typ == RATIONAL:
            raw, count = b"".join(struct.pack("<II", n, d) for n, d in value), len(value)
        else:
            fmt = {SHORT: "H", LONG: "I", BYTE: "B"}[typ]
            raw, count = struct.pack("<" + fmt * len(value), *value), len(value)
        if count * sizes[typ] <= 4:
            body += struct.pack("<HHI", tag, typ, count) + raw.ljust(4, b"\x00")
        else:
            body += struct.pack("<HHII", tag, typ, count, data_at + len(extra))
            extra += raw + (b"\x00" if len(raw) % 2 else b"")
    return head + body + struct.pack("<I", 0) + extra


def _dms(value: float) -> list[tuple[int, int]]:
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    s = round(((value - d) * 60 - m) * 60 * 1000)
    return [(d, 1), (m, 1), (s, 1000)]


def make_dng(width: int = 256, height: int = 192, *, preview: tuple[int, int] | None = None,
             taken: str | None = "2021:08:09 10:11:12", gps: tuple[float, float] | None = (46.5197, 6.6323),
             make: str = "Cloudalbum", model: str = "Test DNG", orientation: int = 1) -> bytes:
    """A DNG of width x height photosites; `preview` (w, h) adds an RGB preview in IFD0."""
    common = [(271, "s", 0, make, True), (272, "s", 0, model, True), (274, "H", 1, orientation, True),
              (50706, "B", 4, (1, 4, 0, 0), True), (50707, "B", 4, (1, 1, 0, 0), True),
              (50708, "s", 0, f"{make} {model}", True),
              (50721, 10, 9, (1, 1, 0, 1, 0, 1, 0, 1, 1, 1, 0, 1, 0, 1, 0, 1, 1, 1), True),
              (50728, 5, 3, (1, 1, 1, 1, 1, 1), True), (50778, "H", 1, 21, True),
              (EXIF_IFD - 1, "I", 1, 0, True), (GPS_IFD - 1, "I", 1, 0, True)]  # tifffile refuses the real
    # pointer tags: placeholders one below them (same sort position) are renamed once the IFDs are appended
    cfa_tags = [(33421, "H", 2, (2, 2), True), (33422, "B", 4, (0, 1, 1, 2), True),
                (50714, "H", 1, 64, True), (50717, "H", 1, 4095, True)]
    buf = io.BytesIO()
    with tifffile.TiffWriter(buf) as tw:
        if preview is not None:
            pw, ph = preview
            rgb = np.zeros((ph, pw, 3), np.uint8)
            rgb[..., 0] = np.linspace(0, 255, pw, dtype=np.uint8)[None, :]
            rgb[..., 1] = 120
            tw.write(rgb, photometric="rgb", subfiletype=1, subifds=1, extratags=common, metadata=None)
            tw.write(_mosaic(width, height), photometric=32803, subfiletype=0, extratags=cfa_tags, metadata=None)
        else:
            tw.write(_mosaic(width, height), photometric=32803, subfiletype=0, extratags=common + cfa_tags,
                     metadata=None)
    data = bytearray(buf.getvalue())
    exif = [(0x9003, ASCII, taken)] if taken else []
    gps_entries = ([(1, ASCII, "N" if gps[0] >= 0 else "S"), (2, RATIONAL, _dms(gps[0])),
                    (3, ASCII, "E" if gps[1] >= 0 else "W"), (4, RATIONAL, _dms(gps[1]))] if gps else [])
    for tag, entries in ((EXIF_IFD, exif), (GPS_IFD, gps_entries)):
        at = len(data) + len(data) % 2
        data += b"\x00" * (at - len(data)) + _ifd(entries, at)
        _patch_ifd0(data, tag, at)
    return bytes(data)


def _patch_ifd0(data: bytearray, tag: int, value: int) -> None:
    (offset,) = struct.unpack_from("<I", data, 4)
    (count,) = struct.unpack_from("<H", data, offset)
    for i in range(count):
        at = offset + 2 + 12 * i
        if struct.unpack_from("<H", data, at)[0] == tag - 1:
            struct.pack_into("<H", data, at, tag)
            struct.pack_into("<I", data, at + 8, value)
            return
    raise AssertionError(f"tag {tag} not in IFD0")
