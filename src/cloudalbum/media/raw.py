"""Camera RAW photos (DNG, CR2, CR3, NEF, ARW, ORF, RW2, RAF): sniffed by their bytes, read with LibRaw (rawpy).

* Sniffing (`sniff_raw`, on the first 64 KiB): RAF "FUJIFILMCCD-RAW"; CR3 an ISO-BMFF `ftyp` of brand "crx ";
  ORF "IIRO"/"IIRS"/"MMOR"; RW2 "IIU\\0"; CR2 a TIFF header followed by "CR\\x02"; DNG a TIFF whose first IFD
  has a DNGVersion tag; NEF and ARW a TIFF whose first IFD's Make is NIKON or SONY.
* Size: what LibRaw says of the developed image (`sizes.width/height`, turned by its `flip`): never the size of
  a preview inside the file.
* Developing (`develop`): the embedded preview when its long side reaches `min_long_side` (what the thumbnails
  and the detector need; most cameras embed a full-size JPEG), else LibRaw demosaics, at half size when that
  still reaches `min_long_side`.
* Memory (`develop_bytes`), counted honestly against the decode budget: the file as LibRaw holds it, its raw
  buffer (2 bytes a photosite), LibRaw's working image (4 channels x 16 bits = 8 bytes a pixel of the output
  grid) and the 8-bit output twice (LibRaw's and numpy's copy): 14 bytes an output pixel. The upload refuses a
  RAW over the budget by this count before LibRaw develops anything.
* EXIF: TIFF-based RAWs (and RW2/ORF, whose headers differ only in the magic) are read as TIFF IFDs; CR3's
  CMT1/CMT2/CMT4 boxes are TIFF IFDs too; RAF carries a JPEG with ordinary EXIF.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import Any, BinaryIO

from PIL import Image

SNIFF_RAW_BYTES = 64 * 1024
TYPES = {
    "image/x-adobe-dng": ".dng", "image/x-canon-cr2": ".cr2", "image/x-canon-cr3": ".cr3",
    "image/x-nikon-nef": ".nef", "image/x-sony-arw": ".arw", "image/x-olympus-orf": ".orf",
    "image/x-panasonic-rw2": ".rw2", "image/x-fuji-raf": ".raf",
}
NAMES = {t: ext[1:].upper() for t, ext in TYPES.items()}
RAW_BYTES_PER_SITE = 2
WORK_BYTES_PER_PIXEL = 8 + 3 + 3
DNG_VERSION, MAKE = 0xC612, 0x010F
FLIP_TO_ORIENTATION = {0: 1, 3: 3, 5: 8, 6: 6}
TIFF_HEADERS = (b"II*\x00", b"MM\x00*")


def _ifd0_tags(head: bytes) -> dict[int, Any]:
    """Tags of a TIFF's first IFD found within head: DNGVersion's presence and Make's text."""
    if head[:4] not in TIFF_HEADERS:
        return {}
    order = "<" if head[:2] == b"II" else ">"
    try:
        (offset,) = struct.unpack_from(order + "I", head, 4)
        (count,) = struct.unpack_from(order + "H", head, offset)
        tags: dict[int, Any] = {}
        for i in range(min(count, 1000)):
            tag, typ, n, value = struct.unpack_from(order + "HHI4s", head, offset + 2 + 12 * i)
            if tag == DNG_VERSION:
                tags[tag] = True
            elif tag == MAKE and typ == 2:
                start = struct.unpack(order + "I", value)[0] if n > 4 else None
                raw = value[:n] if start is None else head[start:start + n]
                tags[tag] = raw.split(b"\x00")[0].decode("latin-1").strip().upper()
        return tags
    except struct.error:
        return tags if "tags" in locals() else {}


def sniff_raw(head: bytes) -> str | None:
    """The media type of a supported RAW from its first bytes (SNIFF_RAW_BYTES recommended), or None."""
    if head.startswith(b"FUJIFILMCCD-RAW"):
        return "image/x-fuji-raf"
    if head[4:8] == b"ftyp" and head[8:12] == b"crx ":
        return "image/x-canon-cr3"
    if head[:4] in (b"IIRO", b"IIRS", b"MMOR"):
        return "image/x-olympus-orf"
    if head[:4] == b"IIU\x00":
        return "image/x-panasonic-rw2"
    if head[:4] == b"II*\x00" and head[8:11] == b"CR\x02":
        return "image/x-canon-cr2"
    tags = _ifd0_tags(head)
    if tags.get(DNG_VERSION):
        return "image/x-adobe-dng"
    make = tags.get(MAKE) or ""
    if make.startswith("NIKON"):
        return "image/x-nikon-nef"
    if make.startswith("SONY"):
        return "image/x-sony-arw"
    return None


# Told apart from other TIFFs only by their Make: a scanner's or an editor's TIFF may carry one of these makes
# too, so they are RAW only when LibRaw can open them (the others stay TIFFs for Pillow).
BY_MAKE = ("image/x-nikon-nef", "image/x-sony-arw")


def is_raw(data: bytes) -> bool:
    kind = sniff_raw(data[:SNIFF_RAW_BYTES])
    if kind is None:
        return False
    if kind in BY_MAKE:
        try:
            info(data)
        except RawError:
            return False
    return True


# --- LibRaw ---------------------------------------------------------------------------------------------


class RawError(ValueError):
    """LibRaw cannot read the file (corrupt, truncated, or a camera it does not know)."""


@dataclass(frozen=True)
class RawInfo:
    width: int  # upright, developed
    height: int
    raw_sites: int  # photosites in the raw buffer
    orientation: int
    file_bytes: int

    def develop_bytes(self, min_long_side: int = 1280) -> int:
        """What demosaicing costs (the worst path): see the module docstring."""
        half = max(self.width, self.height) // 2 >= min_long_side
        pixels = self.width * self.height // (4 if half else 1)
        return self.file_bytes + self.raw_sites * RAW_BYTES_PER_SITE + pixels * WORK_BYTES_PER_PIXEL


def _open(data: bytes) -> Any:
    import rawpy

    raw = rawpy.RawPy()
    try:
        raw.open_buffer(io.BytesIO(data))
    except (rawpy.LibRawError, ValueError, OSError) as exc:
        raw.close()
        raise RawError(f"the RAW file cannot be read: {_message(exc)}") from exc
    return raw


def _message(exc: Exception) -> str:
    text = exc.args[0] if exc.args else str(exc)
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def info(data: bytes) -> RawInfo:
    raw = _open(data)
    try:
        s = raw.sizes
        flip = int(s.flip)
        width, height = (s.height, s.width) if flip in (5, 6) else (s.width, s.height)
        if width <= 0 or height <= 0:
            raise RawError("the RAW file has no pixels")
        return RawInfo(width=int(width), height=int(height), raw_sites=int(s.raw_width) * int(s.raw_height),
                       orientation=FLIP_TO_ORIENTATION.get(flip, 1), file_bytes=len(data))
    finally:
        raw.close()


def inspect(stream: BinaryIO) -> RawInfo:
    stream.seek(0)
    return info(stream.read())


def develop(data: bytes, *, min_long_side: int = 1280, max_decode_bytes: int | None = None
            ) -> tuple[Image.Image, RawInfo, str]:
    """(upright 8-bit RGB image, info, how: "preview" or "demosaic")."""
    import rawpy

    meta = info(data)
    raw = _open(data)
    try:
        preview = _preview(raw, meta, min_long_side, max_decode_bytes)
        if preview is not None:
            return preview, meta, "preview"
        if max_decode_bytes is not None and meta.develop_bytes(min_long_side) > max_decode_bytes:
            raise RawError(f"the RAW image is too large to develop: {meta.width}x{meta.height} takes about "
                           f"{meta.develop_bytes(min_long_side) // 2**20} MiB, the budget is "
                           f"{max_decode_bytes // 2**20} MiB")
        half = max(meta.width, meta.height) // 2 >= min_long_side
        try:
            rgb = raw.postprocess(half_size=half, use_camera_wb=True, output_bps=8, no_auto_bright=False)
        except (rawpy.LibRawError, ValueError) as exc:
            raise RawError(f"the RAW file cannot be developed: {_message(exc)}") from exc
        return Image.fromarray(rgb, "RGB"), meta, "demosaic"
    finally:
        raw.close()


def _preview(raw: Any, meta: RawInfo, min_long_side: int, max_decode_bytes: int | None) -> Image.Image | None:
    """The embedded preview, upright, when it is large enough (and cheap enough) to stand for the photo."""
    import rawpy

    from .decode import decode_bytes

    try:
        thumb = raw.extract_thumb()
    except (rawpy.LibRawError, ValueError):
        return None
    try:
        if thumb.format == rawpy.ThumbFormat.JPEG:
            im: Image.Image = Image.open(io.BytesIO(thumb.data))
            if max(im.size) < min_long_side or (max_decode_bytes is not None
                                                and decode_bytes(im, min_long_side) > max_decode_bytes):
                return None
            im.draft("RGB", (min_long_side, min_long_side))
            im = im.convert("RGB")
        elif thumb.format == rawpy.ThumbFormat.BITMAP:
            if max(thumb.data.shape[:2]) < min_long_side:
                return None
            im = Image.fromarray(thumb.data, "RGB")
        else:
            return None
    except Exception:  # a broken preview: develop the RAW instead
        return None
    from .decode import _TRANSPOSE

    for op in _TRANSPOSE.get(meta.orientation, ()):
        im = im.transpose(op)
    return im


# --- EXIF -----------------------------------------------------------------------------------------------


def exif_of(data: bytes) -> Image.Exif | None:
    """The RAW's EXIF as a PIL Exif (IFD0 with its EXIF and GPS IFDs), or None."""
    head = data[:4]
    if head in (b"IIRO", b"IIRS", b"IIU\x00"):
        data = b"II*\x00" + data[4:]
    elif head == b"MMOR":
        data = b"MM\x00*" + data[4:]
    elif data.startswith(b"FUJIFILMCCD-RAW"):
        return _raf_exif(data)
    elif data[4:8] == b"ftyp":
        return _cr3_exif(data)
    exif = Image.Exif()
    try:
        exif.load(data)
    except Exception:  # unreadable metadata is no metadata
        return None
    return exif


def _raf_exif(data: bytes) -> Image.Exif | None:
    try:
        offset, length = struct.unpack_from(">II", data, 84)
        with Image.open(io.BytesIO(data[offset:offset + length])) as im:
            return im.getexif()
    except Exception:  # a damaged embedded JPEG: the RAF has no metadata we can read
        return None


def _cr3_exif(data: bytes) -> Image.Exif | None:
    """CR3 keeps IFD0 in a CMT1 box, the EXIF IFD in CMT2 and GPS in CMT4, each a whole TIFF structure."""
    exif = Image.Exif()
    boxes = {name: data.find(name) for name in (b"CMT1", b"CMT2", b"CMT4")}
    try:
        if boxes[b"CMT1"] < 4:
            return None
        exif.load(_box_body(data, boxes[b"CMT1"]))
        for name, ifd in ((b"CMT2", 0x8769), (b"CMT4", 0x8825)):
            if boxes[name] >= 4:
                sub = Image.Exif()
                sub.load(_box_body(data, boxes[name]))
                exif._ifds[ifd] = dict(sub)  # Pillow keeps sub-IFDs here; no public setter
    except Exception:  # damaged boxes: unreadable metadata is no metadata
        return None
    return exif


def _box_body(data: bytes, name_at: int) -> bytes:
    (size,) = struct.unpack_from(">I", data, name_at - 4)
    return data[name_at + 4:name_at - 4 + size]
