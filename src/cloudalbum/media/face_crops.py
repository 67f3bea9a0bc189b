"""Face crops: a small square JPEG around one face (the "Who is this?" card, the People view)."""

from __future__ import annotations

from PIL import Image

CROP_SIZE = 160


def face_crop(image: Image.Image, box: tuple[float, float, float, float], *, size: int = CROP_SIZE) -> bytes:
    """A square JPEG of side `size` around box (x, y, w, h in image pixels), with no metadata.
    PLACEHOLDER: the face analyzer's engineer replaces this body (margin, clamping, encoding)."""
    raise NotImplementedError
