"""Face crops: a small square JPEG around one face (the "Who is this?" card, the People view)."""

from __future__ import annotations

import math

from PIL import Image

from .thumbnails import encode_jpeg

CROP_SIZE = 160
MARGIN = 0.3  # of the face's long side, on each side: hair, chin and ears make a face recognisable


def crop_square(box: tuple[float, float, float, float], width: int, height: int) -> tuple[int, int, int, int]:
    """The square (left, top, right, bottom) around box with MARGIN on each side, moved inside the image when
    it fits there (a face at the edge is then off-centre rather than padded); when the square is larger than
    the image's short side it stays centred on the face and what falls outside the image is padding. Never
    empty: a degenerate box (zero, negative or not a number) gives a square of at least one pixel, and never
    larger than the image's long side (an absurd box cannot make a huge crop)."""
    x, y, w, h = (v if math.isfinite(v) else 0.0 for v in box)
    w, h = max(0.0, w), max(0.0, h)
    side = max(1, min(round(max(w, h) * (1 + 2 * MARGIN)), max(width, height)))  # never beyond the image's size
    cx, cy = x + w / 2, y + h / 2
    left, top = round(cx - side / 2), round(cy - side / 2)
    if side <= width:
        left = min(max(left, 0), width - side)
    if side <= height:
        top = min(max(top, 0), height - side)
    return left, top, left + side, top + side


def face_crop(image: Image.Image, box: tuple[float, float, float, float], *, size: int = CROP_SIZE) -> bytes:
    """A square JPEG of side `size` around box (x, y, w, h in image pixels), with no metadata (encode_jpeg).
    Regions outside the image are black; a box anywhere (at a corner, outside, of zero size) gives a crop."""
    square = image.crop(crop_square(box, image.width, image.height))  # Pillow pads outside the image
    return encode_jpeg(square.resize((size, size), Image.Resampling.BICUBIC, reducing_gap=2.0))
