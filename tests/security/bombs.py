"""Memory bombs for the bad-input tests: images that are small on disk and large in memory, made here.

Every file is written the way an attacker would make it: the big-pixel ones without ever holding their pixels
(PNG and TIFF are written chunk by chunk through zlib, a many-frame GIF is one real frame plus thousands of
1x1 frames appended by hand), so a test makes a 120 MP, 240 MB-in-memory PNG of ~230 KB in about a second.
JPEG, MPO and HEIC go through their real encoders (Pillow, pillow-heif) from a plain image; those sizes are
chosen to stay cheap to encode on a shared machine.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator

from PIL import Image

ISSUE_SIDE = 10950  # issue 12: a 232,846-byte 16-bit greyscale PNG of 10950x10950 peaked at 3.2 GB


def _rows(width: int, height: int, bytes_per_pixel: int) -> Iterator[bytes]:
    """Row payloads of a soft gradient (not all zeros: a decoder must really work), repeated per band."""
    row_len = width * bytes_per_pixel
    base = bytes((i // 97) & 0xFF for i in range(row_len))
    for y in range(height):
        yield base if (y // 512) % 2 == 0 else bytes(row_len)


def _deflate(chunks: Iterator[bytes]) -> bytes:
    z = zlib.compressobj(9)
    out = [z.compress(c) for c in chunks]
    out.append(z.flush())
    return b"".join(out)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width: int = ISSUE_SIDE, height: int = ISSUE_SIDE, *, bit_depth: int = 16, colour_type: int = 0) -> bytes:
    """A PNG written row by row (filter 0). colour_type 0 grey, 2 RGB, 4 grey+alpha, 6 RGBA."""
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour_type]
    bpp = channels * bit_depth // 8
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    idat = _deflate(b"\x00" + row for row in _rows(width, height, bpp))
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def tiff16(width: int = ISSUE_SIDE, height: int = ISSUE_SIDE, *, samples: int = 1, rows_per_strip: int = 64) -> bytes:
    """A little-endian 16-bit TIFF (grey: samples=1; RGB: samples=3), Adobe-deflate strips of rows_per_strip."""
    row_len = width * samples * 2
    rows = _rows(width, height, samples * 2)
    strips: list[bytes] = []
    for top in range(0, height, rows_per_strip):
        n = min(rows_per_strip, height - top)
        strips.append(zlib.compress(b"".join(next(rows) for _ in range(n)), 9))
    assert all(len(s) for s in strips) and row_len
    header_len = 8
    data = b"".join(strips)
    offsets, pos = [], header_len
    for s in strips:
        offsets.append(pos)
        pos += len(s)
    extra = b""
    extra_at = header_len + len(data)

    def array(values: list[int], typ: int) -> tuple[int, int, int]:
        """(type, count, value-or-offset), spilling arrays that do not fit in 4 bytes after the strips."""
        nonlocal extra
        fmt = {3: "<H", 4: "<I"}[typ]
        packed = b"".join(struct.pack(fmt, v) for v in values)
        if len(packed) <= 4:
            return typ, len(values), int.from_bytes(packed.ljust(4, b"\0"), "little")
        offset = extra_at + len(extra)
        extra += packed
        return typ, len(values), offset

    entries = {
        256: (4, 1, width), 257: (4, 1, height), 258: array([16] * samples, 3), 259: (3, 1, 8),
        262: (3, 1, 1 if samples == 1 else 2), 273: array(offsets, 4), 277: (3, 1, samples),
        278: (4, 1, rows_per_strip), 279: array([len(s) for s in strips], 4), 284: (3, 1, 1),
    }
    ifd_at = extra_at + len(extra)
    ifd = struct.pack("<H", len(entries))
    for tag in sorted(entries):
        typ, count, value = entries[tag]
        ifd += struct.pack("<HHII", tag, typ, count, value)
    ifd += struct.pack("<I", 0)
    return b"II*\x00" + struct.pack("<I", ifd_at) + data + extra + ifd


def jpeg(width: int, height: int, *, mode: str = "RGB", progressive: bool = False, frames: int = 1) -> bytes:
    """A real JPEG (or an MPO of `frames` frames: the big one first, then small ones) from Pillow's encoder."""
    colour = {"RGB": (90, 140, 200), "CMYK": (40, 10, 0, 30), "L": 128}[mode]
    big = Image.new(mode, (width, height), colour)
    buf = io.BytesIO()
    if frames > 1:
        small = [Image.new(mode, (16, 16), colour) for _ in range(frames - 1)]
        big.save(buf, "MPO", save_all=True, append_images=small, quality=50)
    else:
        big.save(buf, "JPEG", quality=50, progressive=progressive, subsampling=0)
    return buf.getvalue()


def gif(width: int = ISSUE_SIDE, height: int = ISSUE_SIDE, *, extra_frames: int = 0) -> bytes:
    """A GIF with a full 256-colour palette and a transparent index (decoded RGBA, then composited), the first
    frame covering the whole screen; `extra_frames` 1x1 frames appended by hand (a many-frame GIF whose frame
    count alone costs nothing to write, and everything to count by decoding)."""
    im = Image.new("P", (width, height), 7)
    im.putpalette(bytes(range(256)) * 3)
    buf = io.BytesIO()
    im.save(buf, "GIF", transparency=0)
    data = buf.getvalue()
    assert data.endswith(b"\x3b")
    frame = (b"\x21\xf9\x04\x04\x01\x00\x00\x00"  # graphic control: do not dispose, 10 ms, no transparency
             + b"\x2c" + struct.pack("<HHHH", 0, 0, 1, 1) + b"\x00"  # image descriptor: 1x1 at (0, 0)
             + b"\x02\x02\x44\x01\x00")  # LZW min code 2: clear, pixel 0, end of information
    return data[:-1] + frame * extra_frames + b"\x3b"


def webp(width: int, height: int) -> bytes:
    """A lossless WebP of one colour: a few dozen bytes whatever its size (libwebp's limit is 16383 a side)."""
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (10, 200, 30)).save(buf, "WEBP", lossless=True, quality=0, method=0)
    return buf.getvalue()


def heic_deep(width: int, height: int, *, bits: int = 10) -> bytes | None:
    """A 10- or 12-bit HEIC from pillow-heif's x265 encoder, or None where it cannot write one."""
    try:
        import pillow_heif
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    row = b"".join(((x * 65535 // max(1, width - 1)) & 0xFFC0).to_bytes(2, "little") * 3 for x in range(width))
    pixels = row * height  # a smooth 16-bit ramp: x265 encodes it quickly, the decoder still works in 10/12 bits
    try:
        heif = pillow_heif.from_bytes(mode="RGB;16", size=(width, height), data=pixels)
        buf = io.BytesIO()
        option = "SAVE_HDR_TO_12_BIT"
        old = getattr(pillow_heif.options, option)
        setattr(pillow_heif.options, option, bits == 12)
        try:
            heif.save(buf, quality=30)
        finally:
            setattr(pillow_heif.options, option, old)
    except Exception:
        return None
    return buf.getvalue()

