"""Files that carry everything a share must not leak, and two independent readers that look for it.

`dirty_file(fmt)` makes a real image (Pillow) with GPS, body/lens/camera serial numbers, a maker note, an owner
name, XMP with a location, and an IPTC block where the format has a place for them. `leaks(data)` lists what
Pillow and exifread (a second, unrelated parser) still find in a file.
"""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from support import gps_exif

SERIAL_TAGS = {0xA431: "BodySerialNumber", 0xA435: "LensSerialNumber", 0xC62F: "CameraSerialNumber"}
SECRETS = (b"SN-4242-SECRET", b"LENS-777-SECRET", b"OWNER-ALICE-SECRET", b"MAKERNOTE-SECRET", b"XMP-CITY-SECRET")
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/"'
       b' xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"'
       b' exif:GPSLatitude="48,51.5N" exif:GPSLongitude="2,21.1E" photoshop:City="XMP-CITY-SECRET"'
       b' photoshop:AuthorsPosition="OWNER-ALICE-SECRET"/></rdf:RDF></x:xmpmeta>')
FORMATS = ("JPEG", "MPO", "PNG", "WEBP", "TIFF", "GIF", "HEIF")
CONTENT_TYPES = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp",
                 "TIFF": "image/tiff", "GIF": "image/gif", "HEIF": "image/heic"}


def dirty_exif(orientation: int = 6) -> Image.Exif:
    exif = gps_exif(48.8584, 2.2945, alt=35.0, taken="2024:05:01 10:11:12", make="Canon", model="EOS 5D",
                    orientation=orientation)
    exif[0x013B] = "OWNER-ALICE-SECRET"  # Artist
    exif[0xC62F] = "SN-4242-SECRET"  # CameraSerialNumber (DNG)
    sub = exif.get_ifd(0x8769)
    sub[0xA431] = "SN-4242-SECRET"
    sub[0xA435] = "LENS-777-SECRET"
    sub[0xA430] = "OWNER-ALICE-SECRET"
    sub[0x927C] = b"MAKERNOTE-SECRET" + bytes(32)
    return exif


def dirty_file(fmt: str, size: tuple[int, int] = (96, 64)) -> bytes:
    image = Image.new("RGB", size)
    image.putdata([((x * 7) % 256, (y * 5) % 256, (x * y) % 256) for y in range(size[1]) for x in range(size[0])])
    buf = io.BytesIO()
    exif = dirty_exif().tobytes()
    if fmt == "JPEG":
        image.save(buf, "JPEG", exif=exif, quality=90, comment=b"OWNER-ALICE-SECRET")
        return _with_app_segments(buf.getvalue())
    if fmt == "MPO":
        second = io.BytesIO()
        image.rotate(90).save(second, "JPEG", exif=exif)
        image.save(buf, "MPO", exif=exif, save_all=True, append_images=[Image.open(second)])
        return buf.getvalue()
    if fmt == "GIF":  # GIF has no EXIF: the XMP application extension and a comment carry the secrets
        image.convert("P").save(buf, "GIF", comment=b"OWNER-ALICE-SECRET", xmp=XMP)
        return buf.getvalue()
    if fmt == "HEIF":
        import pillow_heif  # noqa: F401 - registered by cloudalbum.media.formats

        image.save(buf, "HEIF", exif=exif, xmp=XMP, quality=90)
        return buf.getvalue()
    # TIFF: Pillow writes the EXIF (IFD0 tags such as Artist and CameraSerialNumber, the Exif and GPS IFDs) as
    # the file's own tags, and takes no XMP beside it
    options: dict[str, Any] = {"exif": exif} if fmt == "TIFF" else {"exif": exif, "xmp": XMP}
    image.save(buf, fmt, **options)
    return buf.getvalue()


def _with_app_segments(jpeg: bytes) -> bytes:
    """The JPEG with an XMP APP1, an IPTC APP13 and a vendor APP10 after SOI (what phones and editors add)."""
    def seg(marker: int, payload: bytes) -> bytes:
        return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload

    extra = (seg(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + XMP)
             + seg(0xED, b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x14\x1c\x02\x5a\x00\x0fXMP-CITY-SECRET")
             + seg(0xEA, b"VENDOR\x00SN-4242-SECRET"))
    return jpeg[:2] + extra + jpeg[2:]


def leaks(data: bytes) -> list[str]:
    """What identifying metadata Pillow or exifread still find in data (empty: nothing)."""
    found = [f"bytes {s.decode()}" for s in SECRETS if s in data]
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        if exif.get_ifd(0x8825):
            found.append("pillow GPS IFD")
        sub = exif.get_ifd(0x8769)
        found += [f"pillow {name}" for tag, name in SERIAL_TAGS.items() if tag in exif or tag in sub]
        if 0x927C in sub:
            found.append("pillow MakerNote")
        for key in ("xmp", "XML:com.adobe.xmp", "comment", "photoshop"):
            if image.info.get(key):
                found.append(f"pillow info {key}")
    found += [f"exifread {k}" for k in exifread_tags(data) if k.startswith("GPS") or "MakerNote" in k
              or "Serial" in k]
    return found


def exifread_tags(data: bytes) -> dict[str, Any]:
    """exifread's tags of the file; for HEIF (whose Exif item exifread cannot always locate) of the Exif block
    libheif extracts, read by exifread as the TIFF stream it is."""
    import exifread

    if data[4:8] != b"ftyp":
        return exifread.process_file(io.BytesIO(data), details=True, debug=False)
    import pillow_heif

    heif = pillow_heif.open_heif(io.BytesIO(data))
    raw = heif.info.get("exif") or b""
    raw = raw[6:] if raw.startswith(b"Exif\x00\x00") else raw
    return exifread.process_file(io.BytesIO(raw), details=True, debug=False) if raw else {}


def jpeg_scan(data: bytes) -> bytes:
    """The bytes from the first SOS marker to EOI: the compressed pixels."""
    pos = 2
    while data[pos + 1] != 0xDA:
        pos += 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
    return data[pos:data.index(b"\xff\xd9", pos) + 2]
