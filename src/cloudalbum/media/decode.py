"""One decode per photo: an upright 8-bit RGB image, at reduced scale when the file is large.

A 12 MP JPEG decoded in full costs more than detection itself. JPEG can decode at 1/2, 1/4 or 1/8 scale for
a fraction of the time (`Image.draft`), so we ask for the smallest scale whose long side still reaches
`min_long_side` (1280: the large thumbnail) and feed that one image to both the detector and the thumbnails.
Boxes found on it are mapped back to the full-size upright pixel grid with `scale`.

Other formats decode at full size and are reduced as early as possible: by an integer factor (`Image.reduce`,
a box filter) while the long side stays at least twice `min_long_side`, as the thumbnail's resize would have
done anyway, and converted to 8-bit RGB band by band (`to_rgb_reduced`), so the only full-size image in memory
is the decoder's own, in the file's own mode. What that costs is known from the header (`decode_bytes`): the
upload refuses an image over the budget (CLOUDALBUM_MAX_DECODE_BYTES) and so does `decode`, for files stored
before the budget existed (issue 12: a 230 KB 16-bit PNG of 10950x10950 took 3.2 GB here, as float64).

Conversions: EXIF orientation applied (upright); CMYK -> RGB; RGBA/LA/PA/P with transparency composited on
white; 16- and 32-bit greyscale scaled to 8 bits (not clipped; integer arithmetic); first frame of
multi-frame files (MPO, GIF, HEIF sequences; never counted: counting a GIF's frames decodes every one). A
truncated file is decoded as far as its bytes go (the missing part is grey), as browsers do: a photo with a
damaged tail is still worth keeping. Anything else that cannot be decoded raises UndecodableImage, a
deterministic failure: retrying cannot help.
"""

from __future__ import annotations

import io
import math
import struct
import threading
import warnings
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageFile

from . import exif as _exif  # noqa: F401 - registers the HEIF opener
from . import heap, raw

_TRANSPOSE = {
    2: (Image.Transpose.FLIP_LEFT_RIGHT,),
    3: (Image.Transpose.ROTATE_180,),
    4: (Image.Transpose.FLIP_TOP_BOTTOM,),
    5: (Image.Transpose.TRANSPOSE,),
    6: (Image.Transpose.ROTATE_270,),
    7: (Image.Transpose.TRANSVERSE,),
    8: (Image.Transpose.ROTATE_90,),
}
_truncated_lock = threading.Lock()
BAND_PIXELS = 1 << 20  # pixels converted at a time: each intermediate of a band's conversion is <= 4 MiB
REDUCE_GAP = 2  # reduce while the long side stays >= REDUCE_GAP * min_long_side (Pillow's resize reducing_gap)
# Bytes per pixel of a decoded image in Pillow's memory: 1 for 1/L/P, 2 for 16-bit greyscale, 4 otherwise
# (Pillow stores RGB, LA and YCbCr in 4 bytes a pixel, like RGBA, I and F).
_ONE_BYTE = ("1", "L", "P")
# HEIF: libheif decodes the whole image into its own planes, converts them to interleaved RGB, and Pillow
# copies that: measured 7.6-7.9 bytes a pixel at 12 MP, 8- and 10-bit alike (bench/decode_memory.py).
HEIF_BYTES_PER_PIXEL = 8
# WebP: Pillow decodes every WebP through libwebp's animation decoder, which keeps its canvas, the previous
# canvas and the frame, and Pillow copies the result: 16 bytes a pixel measured (a 38-byte 6000x6000 lossless
# WebP took 549 MiB).
WEBP_BYTES_PER_PIXEL = 16
# A progressive (or multi-scan) JPEG: libjpeg keeps every DCT coefficient of the whole image, 2 bytes per
# sample, at any draft scale (64 MP CMYK: 505 MiB, 8 bytes a pixel).
COEFFICIENT_BYTES = 2


class UndecodableImage(ValueError):
    """The bytes are not an image we can decode (deterministic: retrying cannot help)."""


@dataclass
class Decoded:
    image: Image.Image  # RGB, upright, possibly reduced
    width: int  # upright full-size pixels
    height: int
    format: str | None
    truncated: bool = False
    quality: int | None = None  # a JPEG's quality estimated from its quantisation tables (jpeg_quality)

    @property
    def scale(self) -> float:
        """Full-size upright pixels per pixel of `image` (>= 1)."""
        return self.width / self.image.width


def swaps_axes(orientation: int | None) -> bool:
    return orientation in (5, 6, 7, 8)


def draft_size(width: int, height: int, min_long_side: int) -> tuple[int, int]:
    """The size to ask Image.draft for: JPEG scales by 1/2, 1/4, 1/8 while both sides stay >= this."""
    long_side = max(width, height)
    if long_side <= min_long_side:
        return width, height
    f = min_long_side / long_side
    return max(1, math.ceil(width * f)), max(1, math.ceil(height * f))


def bytes_per_pixel(mode: str) -> int:
    """Bytes a pixel of this mode takes in Pillow's memory (see _ONE_BYTE)."""
    if mode in _ONE_BYTE:
        return 1
    return 2 if mode.startswith("I;16") else 4


def reduce_factor(width: int, height: int, min_long_side: int) -> int:
    """The integer factor an image is reduced by right after decoding (1: not reduced)."""
    return max(1, max(width, height) // (REDUCE_GAP * min_long_side))


def decode_bytes(im: Image.Image, min_long_side: int = 1280) -> int:
    """The memory the decoder of this opened (not loaded) image will hold, from its header alone: the image in
    its own mode (at the draft scale for a JPEG), plus libjpeg's coefficients for a progressive JPEG (HEIF and
    WebP: what their decoders were measured to take), plus the reduced 8-bit RGB image that other formats are
    converted into (band by band: a band's conversion costs a few MiB, BAND_PIXELS)."""
    w, h = im.size
    if w <= 0 or h <= 0:
        return 0  # no pixels: the decoder refuses it
    if im.format in ("HEIF", "WEBP"):
        return w * h * (HEIF_BYTES_PER_PIXEL if im.format == "HEIF" else WEBP_BYTES_PER_PIXEL)
    if im.format in ("JPEG", "MPO"):
        dw, dh = draft_size(w, h, min_long_side)
        most = min(w // dw, h // dh)
        scale = next(s for s in (8, 4, 2, 1) if most >= s)  # as JpegImageFile.draft chooses it
        out = math.ceil(w / scale) * math.ceil(h / scale) * bytes_per_pixel(im.mode)
        if im.info.get("progressive") or im.info.get("progression"):
            out += _coefficient_bytes(im)
        return out
    factor = reduce_factor(w, h, min_long_side)
    reduced = math.ceil(w / factor) * math.ceil(h / factor) * 4
    return w * h * bytes_per_pixel(im.mode) + reduced + (_strip_bytes(im) if im.format == "TIFF" else 0)


def _strip_bytes(im: Image.Image) -> int:
    """libtiff's buffer for one strip (or tile) of a TIFF, decoded: a single-strip 16-bit TIFF doubles."""
    tags = getattr(im, "tag_v2", {})
    try:
        bits = tags.get(258, (8,))
        sample_bits = sum(bits) if isinstance(bits, tuple) else int(bits) * int(tags.get(277, 1))
        if 322 in tags and 323 in tags:  # tiled
            return int(tags[322]) * int(tags[323]) * sample_bits // 8
        rows = min(int(tags.get(278, im.height)), im.height)
        return rows * im.width * sample_bits // 8
    except (TypeError, ValueError):
        return im.width * im.height * 8  # an unreadable layout: assume the worst


def _coefficient_bytes(im: Image.Image) -> int:
    """libjpeg's whole-image coefficient buffer: per component, its (subsampled) samples times 2 bytes."""
    layers = getattr(im, "layer", None) or [(0, 1, 1, 0)] * len(im.getbands())
    h_max = max(layer[1] for layer in layers) or 1
    v_max = max(layer[2] for layer in layers) or 1
    mcu_w, mcu_h = 8 * h_max, 8 * v_max
    w = math.ceil(im.width / mcu_w) * mcu_w  # whole MCUs
    h = math.ceil(im.height / mcu_h) * mcu_h
    return sum(w * layer[1] // h_max * (h * layer[2] // v_max) for layer in layers) * COEFFICIENT_BYTES


def over_budget_message(im: Image.Image, needed: int, budget: int) -> str:
    """Why an image is refused: what decoding it would take, against the budget."""
    return (f"{im.width}x{im.height} {im.format or ''} {im.mode} would need {needed / 2**20:,.0f} MiB of memory "
            f"to decode, the limit is {budget / 2**20:,.0f} MiB").replace("  ", " ")


def _out_of_memory(exc: MemoryError) -> str:
    return f"could not decode the image: out of memory ({str(exc) or 'over the worker memory limit'})"


def decode(data: bytes, *, orientation: int | None = None, min_long_side: int = 1280,
           max_pixels: int = 120_000_000, max_decode_bytes: int | None = None) -> Decoded:
    """Decode once. `orientation` is the EXIF orientation read before (None: read it from the file).
    `max_decode_bytes`: refuse (UndecodableImage) an image whose decoding would take more (decode_bytes)."""
    limits = (max_pixels, max_decode_bytes)
    if raw.is_raw(data):
        return _decode_raw(data, min_long_side, limits)
    try:
        return _decode(data, orientation, min_long_side, limits, tolerate_truncation=False)
    except UndecodableImage:
        raise
    except MemoryError as exc:
        raise UndecodableImage(_out_of_memory(exc)) from exc
    except OSError as exc:
        if "truncated" not in str(exc):
            raise UndecodableImage(f"could not decode the image: {exc}") from exc
    try:
        return _decode(data, orientation, min_long_side, limits, tolerate_truncation=True)
    except UndecodableImage:
        raise
    except MemoryError as exc:
        raise UndecodableImage(_out_of_memory(exc)) from exc
    except Exception as exc:  # any decoder error on untrusted bytes is "undecodable"
        raise UndecodableImage(f"could not decode the image: {exc}") from exc


def _decode_raw(data: bytes, min_long_side: int, limits: tuple[int, int | None]) -> Decoded:
    """A camera RAW, developed by media/raw.py (its embedded preview or LibRaw's demosaic), already upright."""
    max_pixels, max_decode_bytes = limits
    try:
        info = raw.info(data)
        if info.width * info.height > max_pixels:
            raise UndecodableImage(f"the image is too large: {info.width}x{info.height} pixels (the limit is "
                                   f"{max_pixels})")
        image, info, _how = raw.develop(data, min_long_side=min_long_side, max_decode_bytes=max_decode_bytes)
    except raw.RawError as exc:
        raise UndecodableImage(f"could not decode the image: {exc}") from exc
    except MemoryError as exc:
        raise UndecodableImage(_out_of_memory(exc)) from exc
    small = to_rgb_reduced(image, reduce_factor(image.width, image.height, min_long_side))
    return Decoded(small, info.width, info.height, "RAW")


def _decode(data: bytes, orientation: int | None, min_long_side: int, limits: tuple[int, int | None], *,
            tolerate_truncation: bool) -> Decoded:
    max_pixels, max_decode_bytes = limits
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            im = Image.open(io.BytesIO(data))  # positioned on the first frame; never ask for n_frames
            fmt = im.format
            w, h = im.size
            if w * h > max_pixels:
                raise UndecodableImage(f"the image is too large: {w}x{h} pixels (the limit is {max_pixels})")
            needed = decode_bytes(im, min_long_side)
            if max_decode_bytes is not None and needed > max_decode_bytes:
                raise UndecodableImage(f"the image is too large to decode: "
                                       f"{over_budget_message(im, needed, max_decode_bytes)}")
            if needed >= heap.TRIM_BEFORE_DECODE_BYTES:
                heap.release_free_heap()  # the peak then sits on live memory, not on what earlier jobs freed
            quality = jpeg_quality(getattr(im, "quantization", None)) if fmt in ("JPEG", "MPO") else None
            if fmt in ("JPEG", "MPO"):
                im.draft("RGB", draft_size(w, h, min_long_side))
            if orientation is None:
                orientation = _orientation(im)
            _load(im, tolerate_truncation)
    except UndecodableImage:
        raise
    except Image.UnidentifiedImageError as exc:
        raise UndecodableImage("could not decode the image: the bytes are not an image format we can read") \
            from exc
    except Image.DecompressionBombError as exc:
        raise UndecodableImage(f"could not decode the image: it is too large in pixels ({exc})") from exc
    except (ValueError, SyntaxError, EOFError, struct.error) as exc:
        raise UndecodableImage(f"could not decode the image: {exc}") from exc
    rgb = to_rgb_reduced(im, reduce_factor(im.width, im.height, min_long_side))
    if rgb is not im:
        im.close()  # the full-size image goes now, before the transposes and the thumbnails
    for op in _TRANSPOSE.get(orientation or 1, ()):
        rgb = rgb.transpose(op)
    uw, uh = (h, w) if swaps_axes(orientation) else (w, h)
    return Decoded(rgb, uw, uh, fmt, truncated=tolerate_truncation, quality=quality)


# The JPEG standard's luminance table (Annex K), which libjpeg scales by the quality setting (IJG): its sum.
_IJG_LUMINANCE_SUM = sum((16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69,
                          56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81,
                          104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99))


def jpeg_quality(quantization: Any) -> int | None:
    """The IJG quality (1-100) whose scaling of the standard luminance table comes closest to the file's own
    (Pillow's `im.quantization`, table 0), from the tables' sums so that their order does not matter. Cameras
    and phones save at 90-98; a messenger or a "save for web" at 60-85. None when the file has no table."""
    try:
        table = [int(v) for v in quantization[0]]
    except (TypeError, KeyError, IndexError, ValueError):
        return None
    if len(table) != 64:
        return None
    scale = 100 * sum(table) / _IJG_LUMINANCE_SUM  # libjpeg: 5000 / q below 50, 200 - 2 q from 50
    quality = (200 - scale) / 2 if scale <= 100 else 5000 / scale
    return max(1, min(100, round(quality)))


def _orientation(im: Image.Image) -> int:
    try:
        o = int(im.getexif().get(0x0112, 1))
    except Exception:
        return 1
    return o if 1 <= o <= 8 else 1


def _load(im: Image.Image, tolerate_truncation: bool) -> None:
    if not tolerate_truncation:
        im.load()
        return
    with _truncated_lock:  # a process-wide Pillow switch: set it only around this one load
        old = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = True
        try:
            im.load()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = old


def to_rgb_reduced(im: Image.Image, factor: int) -> Image.Image:
    """to_rgb(im) reduced by factor, a band of rows at a time: never a second full-size image, in any mode."""
    if im.mode in ("RGB", "L"):  # Image.reduce works on these directly and converting commutes with it
        small = im.reduce(factor) if factor > 1 else im
        return small if small.mode == "RGB" else small.convert("RGB")
    depth = _depth(im)
    rows = max(factor, BAND_PIXELS // max(1, im.width) // factor * factor)
    if im.height <= rows:
        rgb = to_rgb(im, depth)
        return rgb.reduce(factor) if factor > 1 else rgb
    out = Image.new("RGB", (math.ceil(im.width / factor), math.ceil(im.height / factor)))
    for top in range(0, im.height, rows):
        band = to_rgb(im.crop((0, top, im.width, min(im.height, top + rows))), depth)
        out.paste(band.reduce(factor) if factor > 1 else band, (0, top // factor))
    return out


def to_rgb(im: Image.Image, depth: tuple[float, float] | None = None) -> Image.Image:
    """8-bit RGB: alpha on white, CMYK converted, high bit depths scaled (not clipped). `depth`: the range of a
    high-bit-depth image's values (_depth), when im is a band of it."""
    mode = im.mode
    if mode == "RGB":
        return im
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        return _scale_to_l(im, depth or _depth(im)).convert("RGB")
    if mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
        mode = im.mode
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = im.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return im.convert("RGB")


def _depth(im: Image.Image) -> tuple[float, float]:
    """(low, top) of a high-bit-depth image's values, mapped to 0 and 255 (Pillow's extrema: no copy).
    16-bit: 0..65535. Mode I also carries 8-bit data (some TIFFs): judged by the values."""
    if im.mode.startswith("I;16"):
        return 0.0, 65535.0
    if im.mode == "I":
        peak = int(_band_range(im)[1]) if im.width and im.height else 0
        return 0.0, 65535.0 if 255 < peak <= 65535 else float(max(peak, 255))
    if im.mode == "F":  # its range, widened to include 0..1
        lo, hi = _band_range(im) if im.width and im.height else (0.0, 1.0)
        return (min(lo, 0.0), max(hi, 1.0)) if math.isfinite(lo) and math.isfinite(hi) else (0.0, 1.0)
    return 0.0, 255.0


def _band_range(im: Image.Image) -> tuple[float, float]:
    """(min, max) of a one-band image: Pillow's getextrema is typed for any number of bands."""
    lo, hi = im.getextrema()
    if isinstance(lo, tuple) or isinstance(hi, tuple):
        raise ValueError(f"one band expected, not mode {im.mode}")
    return float(lo), float(hi)


def _scale_to_l(im: Image.Image, depth: tuple[float, float]) -> Image.Image:
    """8-bit greyscale of a 16/32-bit image (a band of one): round(v * 255 / top) in integers, clipped at 0."""
    import numpy as np

    lo, top = depth
    arr = np.asarray(im)
    if im.mode == "F":
        values = np.nan_to_num(arr.astype(np.float32), nan=lo, posinf=top, neginf=lo)
        scaled = (values - lo) * (255.0 / ((top - lo) or 1.0)) + 0.5
        return Image.fromarray(np.clip(scaled, 0, 255).astype(np.uint8), "L")
    t = int(top)
    # v * 255 fits either; in place from here
    wide = arr.astype(np.int64) if im.mode == "I" else arr.astype(np.uint32)
    np.clip(wide, 0, t, out=wide)
    wide *= 255
    wide += t // 2
    wide //= t
    return Image.fromarray(wide.astype(np.uint8), "L")
