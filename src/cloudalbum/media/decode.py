"""One decode per photo: an upright 8-bit RGB image, at reduced scale when the file is large.

A 12 MP JPEG decoded in full costs more than detection itself. JPEG can decode at 1/2, 1/4 or 1/8 scale for
a fraction of the time (`Image.draft`), so we ask for the smallest scale whose long side still reaches
`min_long_side` (1280: the large thumbnail) and feed that one image to both the detector and the thumbnails.
Boxes found on it are mapped back to the full-size upright pixel grid with `scale`.

Conversions: EXIF orientation applied (upright); CMYK -> RGB; RGBA/LA/PA/P with transparency composited on
white; 16- and 32-bit greyscale scaled to 8 bits (not clipped); first frame of multi-frame files (MPO, GIF,
HEIF sequences). A truncated file is decoded as far as its bytes go (the missing part is grey), as browsers
do: a photo with a damaged tail is still worth keeping. Anything else that cannot be decoded raises
UndecodableImage, a deterministic failure: retrying cannot help.
"""

from __future__ import annotations

import io
import math
import struct
import threading
import warnings
from dataclasses import dataclass

from PIL import Image, ImageFile

from . import exif as _exif  # noqa: F401 - registers the HEIF opener

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


class UndecodableImage(ValueError):
    """The bytes are not an image we can decode (deterministic: retrying cannot help)."""


@dataclass
class Decoded:
    image: Image.Image  # RGB, upright, possibly reduced
    width: int  # upright full-size pixels
    height: int
    format: str | None
    truncated: bool = False

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


def decode(data: bytes, *, orientation: int | None = None, min_long_side: int = 1280,
           max_pixels: int = 120_000_000) -> Decoded:
    """Decode once. `orientation` is the EXIF orientation read before (None: read it from the file)."""
    try:
        return _decode(data, orientation, min_long_side, max_pixels, tolerate_truncation=False)
    except UndecodableImage:
        raise
    except OSError as exc:
        if "truncated" not in str(exc):
            raise UndecodableImage(f"could not decode the image: {exc}") from exc
    try:
        return _decode(data, orientation, min_long_side, max_pixels, tolerate_truncation=True)
    except UndecodableImage:
        raise
    except Exception as exc:  # noqa: BLE001 - any decoder error on untrusted bytes is "undecodable"
        raise UndecodableImage(f"could not decode the image: {exc}") from exc


def _decode(data: bytes, orientation: int | None, min_long_side: int, max_pixels: int, *,
            tolerate_truncation: bool) -> Decoded:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            im = Image.open(io.BytesIO(data))
            fmt = im.format
            w, h = im.size
            if w * h > max_pixels:
                raise UndecodableImage(f"the image is too large: {w}x{h} pixels (the limit is {max_pixels})")
            if getattr(im, "n_frames", 1) > 1:
                im.seek(0)
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
    except (ValueError, SyntaxError,
            EOFError, struct.error, MemoryError) as exc:
        raise UndecodableImage(f"could not decode the image: {exc}") from exc
    rgb = to_rgb(im)
    for op in _TRANSPOSE.get(orientation or 1, ()):
        rgb = rgb.transpose(op)
    uw, uh = (h, w) if swaps_axes(orientation) else (w, h)
    return Decoded(rgb, uw, uh, fmt, truncated=tolerate_truncation)


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


def to_rgb(im: Image.Image) -> Image.Image:
    """8-bit RGB: alpha on white, CMYK converted, high bit depths scaled (not clipped)."""
    mode = im.mode
    if mode == "RGB":
        return im
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        return _scale_to_l(im).convert("RGB")
    if mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
        mode = im.mode
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = im.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return im.convert("RGB")


def _scale_to_l(im: Image.Image) -> Image.Image:
    import numpy as np

    arr = np.asarray(im)
    if im.mode == "F":
        arr = np.nan_to_num(arr.astype(np.float64))
        lo, hi = float(arr.min(initial=0.0)), float(arr.max(initial=1.0))
        scaled = (arr - lo) / ((hi - lo) or 1.0) * 255.0
    else:
        peak = int(arr.max(initial=0))
        # I;16 is 16-bit by definition; mode I also carries 8-bit data (some TIFFs): judge by the values
        top = 65535.0 if im.mode.startswith("I;16") or 255 < peak <= 65535 else float(max(peak, 255))
        scaled = arr.astype(np.float64) * (255.0 / top)
    return Image.fromarray(np.clip(scaled + 0.5, 0, 255).astype(np.uint8), "L")
