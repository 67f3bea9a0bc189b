"""Copies of a photo as people's libraries hold them (issue 15 item 2), made from its bytes, and the fingerprint
processing computes for any file: for the duplicate tests and bench/duplicates_accuracy.py.

* re-encoded: the upright pixels saved as a JPEG of quality 60-95 without metadata (a messenger, an export);
* resized: scaled by 0.25-1x, then saved as a JPEG;
* re-tagged: the same compressed pixels with other EXIF (a JPEG's APP1 segment replaced byte for byte; other
  formats saved again losslessly with new EXIF): the decoded pixels stay identical;
* cropped: up to 3% cut off each side, then saved as a JPEG;
* burst: frames of one camera a second apart, each a little further along (the framing moves 1.5% a frame,
  the light changes a little), with the camera and the time in EXIF.
"""

from __future__ import annotations

import io
import struct
from datetime import datetime, timedelta
from pathlib import Path

from PIL import Image, ImageEnhance, ImageFile, ImageOps

from cloudalbum.domain.duplicates import Fingerprint
from cloudalbum.media import fingerprint as media_fingerprint

MAKE, MODEL, ORIENTATION, SOFTWARE, ARTIST, DATETIME = 0x010F, 0x0110, 0x0112, 0x0131, 0x013B, 0x0132
EXIF_IFD, GPS_IFD, DATETIME_ORIGINAL = 0x8769, 0x8825, 0x9003
SKIMAGE_PHOTOS = ("astronaut", "camera", "chelsea", "coffee", "coins", "moon", "page", "rocket", "retina",
                  "hubble_deep_field", "immunohistochemistry", "motorcycle_right", "brick", "grass", "gravel",
                  "clock", "text", "cell", "microaneurysms")


def fingerprint_of(data: bytes) -> Fingerprint | None:
    """What processing computes for these bytes (media.fingerprint.fingerprint_of_file)."""
    return media_fingerprint.fingerprint_of_file(data)


def upright(data: bytes) -> Image.Image:
    """The upright RGB pixels, as far as the bytes go (a truncated file's tail is grey, as decode() does)."""
    previous, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, True
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.seek(0)
            return ImageOps.exif_transpose(im.convert("RGB") if im.mode not in ("RGB", "L") else im).convert("RGB")
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def jpeg(image: Image.Image, quality: int = 85, exif: Image.Exif | None = None) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality, **({"exif": exif} if exif is not None else {}))
    return buf.getvalue()


def reencoded(data: bytes, quality: int) -> bytes:
    return jpeg(upright(data), quality)


def resized(data: bytes, factor: float, quality: int = 85) -> bytes:
    im = upright(data)
    size = (max(1, round(im.width * factor)), max(1, round(im.height * factor)))
    return jpeg(im.resize(size, Image.Resampling.LANCZOS), quality)


def cropped(data: bytes, left: float, top: float, right: float, bottom: float, quality: int = 90) -> bytes:
    """Fractions of the width or height cut off each side (0.03: 3%)."""
    im = upright(data)
    box = (round(im.width * left), round(im.height * top), im.width - round(im.width * right),
           im.height - round(im.height * bottom))
    return jpeg(im.crop(box), quality)


def retagged(data: bytes) -> bytes:
    """The same pixels with other EXIF: another program's name, an artist, another date, no GPS, and the same
    orientation (so the upright pixels are the same)."""
    with Image.open(io.BytesIO(data)) as im:
        fmt, exif = im.format, im.getexif()
        orientation = exif.get(ORIENTATION)
    new = Image.Exif()
    for tag in (MAKE, MODEL):
        if exif.get(tag):
            new[tag] = exif[tag]
    if orientation:
        new[ORIENTATION] = orientation
    new[SOFTWARE], new[ARTIST], new[DATETIME] = "cloudalbum re-tagger", "Someone else", "2021:01:02 03:04:05"
    if fmt in ("JPEG", "MPO"):
        return _replace_app1(data, new.tobytes())
    im = Image.open(io.BytesIO(data))
    buf = io.BytesIO()
    im.save(buf, "PNG", exif=new)  # lossless: the same decoded pixels
    return buf.getvalue()


def _replace_app1(data: bytes, exif: bytes) -> bytes:
    """The JPEG with its Exif APP1 segment(s) replaced by `exif` (b"Exif\\0\\0" + TIFF), the scans untouched."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    out, i = bytearray(b"\xff\xd8"), 2
    payload = exif if exif.startswith(b"Exif\x00\x00") else b"Exif\x00\x00" + exif
    out += b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    while i < len(data):
        marker = data[i:i + 2]
        if marker[1] in (0xDA, 0xD9):  # start of scan: the rest is image data
            out += data[i:]
            break
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        segment = data[i:i + 2 + length]
        if not (marker[1] == 0xE1 and segment[4:10] == b"Exif\x00\x00"):
            out += segment
        i += 2 + length
    return bytes(out)


def burst(data: bytes, frames: int = 3, *, make: str = "Canon", model: str = "Canon EOS 5D",
          start: str = "2019:07:14 10:00:00", step_s: int = 1) -> list[bytes]:
    """Frames a second apart: the framing moves 1.5% of the width a frame (the photographer pans), the light
    changes by 3% a frame; each carries the camera and its time in EXIF."""
    im = upright(data)
    w, h = im.size
    t0 = datetime.strptime(start, "%Y:%m:%d %H:%M:%S")
    out = []
    for i in range(frames):
        dx = round(w * 0.015 * i)
        frame = im.crop((dx, 0, w - round(w * 0.03) + dx, h))
        frame = ImageEnhance.Brightness(frame).enhance(1 + 0.03 * i)
        exif = Image.Exif()
        exif[MAKE], exif[MODEL] = make, model
        when = (t0 + timedelta(seconds=step_s * i)).strftime("%Y:%m:%d %H:%M:%S")
        exif.get_ifd(EXIF_IFD)[DATETIME_ORIGINAL] = when
        out.append(jpeg(frame, 92, exif))
    return out


def with_camera(data: bytes, *, make: str, model: str, taken: str, quality: int = 92, software: str = "") -> bytes:
    """The photo's upright pixels as a JPEG carrying this camera and time (and Software tag), at this quality."""
    exif = Image.Exif()
    exif[MAKE], exif[MODEL] = make, model
    if software:
        exif[SOFTWARE] = software
    exif.get_ifd(EXIF_IFD)[DATETIME_ORIGINAL] = taken
    return jpeg(upright(data), quality, exif)


def png(data: bytes) -> bytes:
    """The photo's upright pixels saved as a PNG (an export, a screenshot, a converted copy): no EXIF."""
    buf = io.BytesIO()
    upright(data).save(buf, "PNG")
    return buf.getvalue()


# The generated copies of one photo, by kind, each with the tier it must be found in.
def copies(data: bytes) -> list[tuple[str, str, bytes]]:
    """(kind of copy, expected group kind, bytes) of every copy the measurements and tests make."""
    out: list[tuple[str, str, bytes]] = [("retagged", "identical_pixels", retagged(data))]
    out += [(f"reencoded q{q}", "near", reencoded(data, q)) for q in (60, 75, 85, 95)]
    out += [(f"resized {f}x", "near", resized(data, f)) for f in (0.25, 0.5, 0.75, 1.0)]
    out += [(f"cropped {c:.0%} each side", "near", cropped(data, c, c, c, c)) for c in (0.01, 0.02, 0.03)]
    out += [("cropped 3% left and top", "near", cropped(data, 0.03, 0.03, 0, 0)),
            ("cropped 3% right and bottom", "near", cropped(data, 0, 0, 0.03, 0.03)),
            ("cropped 3% left and right", "near", cropped(data, 0.03, 0, 0.03, 0)),
            ("resized 0.5x, cropped 2%, q70", "near", cropped(resized(data, 0.5), 0.02, 0.02, 0.02, 0.02, 70))]
    return out


def skimage_photo(name: str) -> bytes | None:
    """One of scikit-image's data photos (public domain / CC0, shipped in its wheel) as PNG bytes, or None when
    the wheel does not ship it (those are fetched on demand: not ours to download)."""
    import numpy as np
    from skimage import data as skdata

    loader = getattr(skdata, name, None)
    try:
        arr = loader() if loader is not None else None
    except Exception:
        return None
    if arr is None:
        return None
    if arr.dtype != np.uint8:
        arr = (255 * (arr - arr.min()) / max(1e-9, float(arr.max() - arr.min()))).astype(np.uint8)
    if arr.ndim == 3 and arr.shape[2] == 4:
        arr = arr[:, :, :3]
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "PNG")
    return buf.getvalue()


def skimage_photos() -> dict[str, bytes]:
    """Every photo of SKIMAGE_PHOTOS the wheel ships, as PNG bytes, by "skimage:<name>"."""
    return {f"skimage:{n}": d for n, d in ((n, skimage_photo(n)) for n in SKIMAGE_PHOTOS) if d is not None}


def corpus_photos(root: Path) -> dict[str, bytes]:
    """Every file of the corpus's MANIFEST.csv (the bad ones too: the rule must hold for all), by name."""
    import csv

    with open(root / "MANIFEST.csv", newline="") as f:
        return {row["file"]: (root / row["file"]).read_bytes() for row in csv.DictReader(f)}
