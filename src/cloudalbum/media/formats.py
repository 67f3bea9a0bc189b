"""Upload checks on the bytes themselves, cheap enough for the request path.

1. `sniff(head)`: the media type from the magic bytes (never the file name or the client's Content-Type).
2. `inspect(stream, max_pixels, max_decode_bytes)`: the pixel size from the header only (Pillow opens lazily),
   refused before any decoding when it is over the limit, so is an image whose decoding would take more memory
   than the budget (width x height x bytes per pixel of the decoded mode, see decode.decode_bytes), then a
   cheap decodability check (JPEG decoded at 1/8 scale, PNG chunk CRCs verified, small images of other formats
   loaded) so truncated or corrupt files are answered at once.

Errors are domain errors: UnsupportedMedia (415) for bytes that are not a supported image, Invalid (422) for an
image that is too large in pixels (too_many_pixels) or in memory (too_large_to_decode), or cannot be decoded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, BinaryIO

from PIL import Image

from ..domain.errors import Invalid, UnsupportedMedia
from . import raw
from .decode import decode_bytes, over_budget_message

try:  # HEIC/HEIF support; without it HEIF bytes are sniffed but cannot be opened (422)
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - pillow-heif is a declared dependency
    pass

SNIFF_BYTES = 64
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
HEVC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"}
NOT_HEIF_MAJOR = {b"avif", b"avis"}  # AVIF lists mif1 too, but we do not promise to decode it
PIL_FORMATS = {
    "image/jpeg": ["JPEG", "MPO"],
    "image/png": ["PNG"],
    "image/gif": ["GIF"],
    "image/webp": ["WEBP"],
    "image/tiff": ["TIFF"],
    "image/heic": ["HEIF"],
    "image/heif": ["HEIF"],
}
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
              "image/tiff": ".tif", "image/heic": ".heic", "image/heif": ".heif", **raw.TYPES}
FULL_LOAD_MAX_PIXELS = 8_000_000  # non-JPEG formats are fully decoded for the check only up to this size
# A request-path check decodes only what takes at most this much memory (decode.decode_bytes): a progressive
# JPEG's decoder holds all its DCT coefficients (2 bytes a sample even at 1/8 scale: 3 bytes a pixel in 4:2:0,
# 8 in CMYK), WebP's 16 bytes a pixel; larger ones are accepted on their header and the worker decides.
CHECK_MAX_BYTES = 64 * 1024 * 1024
ORIENTATION_TAG = 0x0112
SUPPORTED = "JPEG, PNG, WebP, HEIC/HEIF, TIFF, GIF, MPO or camera RAW (DNG, CR2, CR3, NEF, ARW, ORF, RW2, RAF)"


@dataclass(frozen=True)
class ImageInfo:
    content_type: str
    format: str  # Pillow's name: JPEG, MPO, PNG, ...
    width: int  # upright (EXIF orientation applied) when the orientation is known
    height: int
    orientation: int | None


def _heif_type(head: bytes) -> str | None:
    """image/heic or image/heif for an ISO-BMFF `ftyp` box naming a HEIF brand; None otherwise."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return None
    size = int.from_bytes(head[0:4], "big")
    major = head[8:12]
    if major in NOT_HEIF_MAJOR:
        return None
    end = min(size if size >= 16 else len(head), len(head))
    brands = {major} | {head[i:i + 4] for i in range(16, end - 3, 4)}
    if not brands & HEIF_BRANDS:
        return None
    return "image/heic" if brands & HEVC_BRANDS else "image/heif"


def sniff(head: bytes) -> str | None:
    """The media type of a supported image from its first bytes (>= 32 recommended), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"  # MPO is a JPEG with more frames behind it: browsers show the first
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "image/tiff"
    return _heif_type(head)


def _orientation(im: Image.Image) -> int | None:
    """EXIF orientation readable without decoding pixels; None when absent or unreadable (corrupt EXIF)."""
    try:
        if im.format == "TIFF":
            exif = im.getexif()
        elif im.info.get("exif"):
            exif = Image.Exif()
            exif.load(im.info["exif"])
        else:
            return None
        value = exif.get(ORIENTATION_TAG)
    except Exception:  # malformed EXIF must never fail an upload
        return None
    return value if isinstance(value, int) and 1 <= value <= 8 else None


class _KeepOpen:
    """The caller's stream as Pillow sees it: Pillow may close what it reads (PNG verify does); we still need
    the stream afterwards to store the bytes."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def close(self) -> None:
        """Deliberately nothing."""


def _open(stream: BinaryIO, content_type: str) -> Image.Image:
    try:
        return Image.open(_KeepOpen(stream), formats=PIL_FORMATS[content_type])
    except Image.DecompressionBombError as exc:
        raise Invalid(f"The image is too large in pixels ({exc}).", code="too_many_pixels") from exc
    except Exception as exc:  # any parser failure on untrusted bytes is the client's problem
        raise Invalid("The image cannot be decoded: its header is damaged or incomplete.",
                      code="undecodable_image") from exc


def _progressive(im: Image.Image) -> bool:
    return bool(im.info.get("progressive") or im.info.get("progression"))


def _check_decodable(im: Image.Image, pixels: int) -> None:
    """Decode cheaply enough for the request path; raise Invalid for truncated or corrupt data."""
    try:
        if im.format in ("JPEG", "MPO"):
            if _progressive(im) and decode_bytes(im) > CHECK_MAX_BYTES:
                return  # libjpeg buffers every coefficient of a progressive file: too much memory for a check
            im.draft("RGB", (max(1, im.width // 8), max(1, im.height // 8)))
            im.load()
        elif im.format == "PNG":
            im.verify()  # every chunk's CRC, up to IEND, without inflating the pixels
        elif pixels <= FULL_LOAD_MAX_PIXELS and decode_bytes(im) <= CHECK_MAX_BYTES:
            im.load()
        # larger GIF/WebP/TIFF/HEIF: accepted on their header; the worker reports a failure if decoding fails
    except Exception as exc:  # whatever the decoder raises on untrusted bytes, the upload is refused
        raise Invalid("The image cannot be decoded: the file is truncated or corrupt.",
                      code="undecodable_image") from exc


def _check_budget(im: Image.Image, max_decode_bytes: int | None) -> None:
    """422 too_large_to_decode when decoding the image would take more memory than a worker may give it."""
    needed = decode_bytes(im)
    if max_decode_bytes is not None and needed > max_decode_bytes:
        raise Invalid(f"The image is too large to decode: {over_budget_message(im, needed, max_decode_bytes)}. "
                      "Save it with fewer pixels, in 8 bits, or as a (baseline) JPEG.", code="too_large_to_decode")


def inspect(stream: BinaryIO, *, max_pixels: int, max_decode_bytes: int | None = None) -> ImageInfo:
    """Sniff, size-check, memory-check (`max_decode_bytes`, from the header: see decode.decode_bytes) and
    decode-check the image in a seekable stream (left at an arbitrary position)."""
    stream.seek(0)
    head = stream.read(raw.SNIFF_RAW_BYTES)
    if not head:
        raise UnsupportedMedia(f"The file is empty. Upload a {SUPPORTED} image.")
    raw_type = raw.sniff_raw(head)
    if raw_type is not None:
        try:
            return _inspect_raw(stream, raw_type, max_pixels=max_pixels, max_decode_bytes=max_decode_bytes)
        except Invalid as exc:
            if raw_type not in raw.BY_MAKE or exc.code != "undecodable_image":
                raise  # a NIKON or SONY TIFF that LibRaw cannot read is checked as a TIFF below
    content_type = sniff(head[:SNIFF_BYTES])
    if content_type is None:
        raise UnsupportedMedia(f"The file is not a supported image. Upload a {SUPPORTED} image.")
    stream.seek(0)
    im = _open(stream, content_type)
    try:
        width, height = im.size
        pixels = width * height
        if width <= 0 or height <= 0:
            raise Invalid("The image has no pixels.", code="undecodable_image")
        if pixels > max_pixels:
            raise Invalid(f"The image is too large in pixels: {width}x{height} = {pixels:,} pixels, the limit is "
                          f"{max_pixels:,}.", code="too_many_pixels")
        _check_budget(im, max_decode_bytes)
        orientation = _orientation(im)
        fmt = im.format or PIL_FORMATS[content_type][0]
        _check_decodable(im, pixels)
    finally:
        im.close()
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return ImageInfo(content_type=content_type, format=fmt, width=width, height=height, orientation=orientation)


def _inspect_raw(stream: BinaryIO, content_type: str, *, max_pixels: int, max_decode_bytes: int | None
                 ) -> ImageInfo:
    """A camera RAW: LibRaw reads its headers (no developing); the size is the developed image's; refused when
    developing it would take more memory than the budget (media/raw.py counts it)."""
    try:
        info = raw.inspect(stream)
    except raw.RawError as exc:
        raise Invalid(f"The RAW photo cannot be read: {exc}", code="undecodable_image") from exc
    pixels = info.width * info.height
    if pixels > max_pixels:
        raise Invalid(f"The image is too large in pixels: {info.width}x{info.height} = {pixels:,} pixels, the "
                      f"limit is {max_pixels:,}.", code="too_many_pixels")
    needed = info.develop_bytes()
    if max_decode_bytes is not None and needed > max_decode_bytes:
        raise Invalid(f"The RAW photo is too large to develop: {info.width}x{info.height} takes about "
                      f"{needed // 2**20} MiB, the budget is {max_decode_bytes // 2**20} MiB.",
                      code="too_large_to_decode")
    return ImageInfo(content_type=content_type, format=raw.NAMES[content_type], width=info.width,
                     height=info.height, orientation=info.orientation)
