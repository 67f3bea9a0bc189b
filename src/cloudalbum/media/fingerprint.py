"""A photo's fingerprint for finding its duplicates (issue 15 item 2): computed from the upright image that
processing already holds in memory, never from a second decode.

* `pixels`: SHA-256 (first 128 bits, hex) of the upright full size and the RGB pixels of the image reduced to a
  fixed long side (the small thumbnail's image, 256 px): two files whose decoded, upright pixels are the same
  (the same photo re-tagged, a PNG and its lossless WebP) have the same value; any re-encoding changes it.
* `phash`, `dhash`: the 64-bit perceptual hashes of the `imagehash` package (DCT and gradient), as 16 hex
  digits, from the same reduced image (they resize it again to 32x32 and 9x8 grey, so the input size hardly
  matters: docs/duplicates.md measures copies from 0.25x to 1x); `crops`: the same two hashes of three crops
  of it (domain.duplicates.CROPS: 3% off every side, off the left and top, off the right and bottom), because a
  crop moves the hashes of the whole image more than anything else does (up to 40 bits measured) and a
  cropped copy's hashes are close to those of its original's nearest crop.
* `comparable`: False for an image with nothing to compare: smaller than MIN_SIDE on a side (a 1x1 or 8x8
  placeholder) or flat (a lens-cap frame, a blank placeholder: grey spread under FLAT_STD). Such images are
  never grouped: every black frame has the same hashes, and nothing says two of them are one photo.
"""

from __future__ import annotations

import hashlib

import imagehash
import numpy as np
from PIL import Image

from ..domain.duplicates import CROPS, Fingerprint
from .decode import Decoded, UndecodableImage, decode
from .exif import ExifData, read_metadata
from .thumbnails import make_thumbnails

MIN_SIDE = 16  # upright pixels on the short side below which an image is not compared
FLAT_STD = 2.0  # grey levels (0-255) of spread on the 32x32 grey image below which an image is flat
SOFTWARE_CHARS = 60  # of the EXIF Software tag kept
REDUCED_LONG_SIDE = 256  # the fixed reduced size of the pixel hash: media.thumbnails.SIZES["small"]


def fingerprint_of_file(data: bytes, *, max_decode_bytes: int | None = None) -> Fingerprint | None:
    """What processing computes for a file's bytes (services.processing.analyze): one reduced-scale upright
    decode, the small thumbnail's image, its fingerprint; None when the bytes do not decode (or would take more
    than max_decode_bytes, as processing refuses them). For photos processed before fingerprints existed
    (services.duplicate_backfill)."""
    meta = read_metadata(data)
    try:
        decoded = decode(data, orientation=meta.orientation, min_long_side=1280, max_decode_bytes=max_decode_bytes)
    except UndecodableImage:
        return None
    return fingerprint_of(make_thumbnails(decoded.image)["small"][0], decoded, meta)


def fingerprint_of(reduced: Image.Image, decoded: Decoded, meta: ExifData) -> Fingerprint:
    """What processing keeps: the fingerprint of the reduced image of `decoded`, with the file's origin (its
    format, JPEG quality and Software tag: the keeper rule's "original format over re-encoded")."""
    return fingerprint(reduced, width=decoded.width, height=decoded.height, exif_tags=meta.tags,
                       file_format=decoded.format or "", quality=decoded.quality or 0,
                       software=(meta.software or "")[:SOFTWARE_CHARS])


def fingerprint(reduced: Image.Image, *, width: int, height: int, exif_tags: int = 0, file_format: str = "",
                quality: int = 0, software: str = "") -> Fingerprint:
    """The fingerprint of an upright RGB image already reduced to REDUCED_LONG_SIDE (or smaller: an image is never
    upscaled), whose upright full size is width x height; exif_tags: how many EXIF tags the file carries."""
    rgb = reduced if reduced.mode == "RGB" else reduced.convert("RGB")
    digest = hashlib.sha256(f"{width}x{height}:{rgb.width}x{rgb.height}:".encode())
    digest.update(rgb.tobytes())
    grey = np.asarray(rgb.convert("L").resize((32, 32), Image.Resampling.BOX), dtype=np.float32)
    comparable = min(width, height) >= MIN_SIDE and float(grey.std()) >= FLAT_STD
    crops = tuple(_hashes(_crop(rgb, *sides)) for sides in CROPS) if comparable else ()
    phash, dhash = _hashes(rgb)
    return Fingerprint(pixels=digest.hexdigest()[:32], phash=phash, dhash=dhash,
                       aspect=round(width / height, 4) if height else 0.0, exif_tags=int(exif_tags),
                       comparable=comparable, crops=crops, file_format=file_format, quality=quality,
                       software=software)


def _hashes(image: Image.Image) -> tuple[str, str]:
    return str(imagehash.phash(image)), str(imagehash.dhash(image))


def _crop(image: Image.Image, left: float, top: float, right: float, bottom: float) -> Image.Image:
    w, h = image.size
    return image.crop((round(w * left), round(h * top), w - round(w * right), h - round(h * bottom)))
