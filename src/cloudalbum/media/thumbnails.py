"""Thumbnails: upright 8-bit RGB JPEGs with no metadata at all (no EXIF, GPS, XMP or ICC from the original).

Sizes are long sides in pixels; an image is never upscaled. The large one is made from the decoded image,
the small one from the large one (cheaper, same result at these ratios).
"""

from __future__ import annotations

import io

from PIL import Image

SIZES: dict[str, int] = {"small": 256, "large": 1280}
QUALITY = 85


def fit(image: Image.Image, long_side: int, *, resample: Image.Resampling = Image.Resampling.BICUBIC) -> Image.Image:
    """The image scaled so that its long side is at most long_side (never upscaled; a copy when scaled)."""
    w, h = image.size
    if max(w, h) <= long_side:
        return image
    f = long_side / max(w, h)
    size = (max(1, round(w * f)), max(1, round(h * f)))
    return image.resize(size, resample, reducing_gap=2.0)


def encode_jpeg(image: Image.Image, *, quality: int = QUALITY) -> bytes:
    """A baseline JPEG carrying pixels only: no exif=, no icc_profile=, no info. (Progressive encoding costs
    5x the CPU of baseline at 1280 px for a 6% smaller file: not worth it on the worker's critical path.)"""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    clean = Image.frombytes("RGB", rgb.size, rgb.tobytes()) if rgb.info else rgb  # drop any carried metadata
    buf = io.BytesIO()
    clean.save(buf, "JPEG", quality=quality, optimize=False)
    return buf.getvalue()


def make_thumbnails(image: Image.Image) -> dict[str, tuple[Image.Image, bytes]]:
    """{"large": (image, jpeg), "small": (image, jpeg)} from an upright RGB image."""
    # Bilinear (antialiased in Pillow) for the big step: 40% less CPU than bicubic, no visible difference
    # at 1280 px; bicubic for the small one, where sharpness shows and the cost is tiny.
    large = fit(image, SIZES["large"], resample=Image.Resampling.BILINEAR)
    small = fit(large, SIZES["small"])
    return {"large": (large, encode_jpeg(large)), "small": (small, encode_jpeg(small))}
