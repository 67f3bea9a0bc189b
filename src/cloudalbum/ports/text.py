"""What reads the text in photos (signs, receipts, book covers, whiteboards): the text reader."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # pragma: no cover
    from PIL.Image import Image


@dataclass
class TextLine:
    """One line of text as read, in pixels of the image given to read() (the axis-aligned box around the
    line, which may be slanted in the photo). `confidence` is the recognizer's mean character score, 0..1."""

    text: str
    confidence: float
    x: float
    y: float
    w: float
    h: float


class TextReader(Protocol):
    name: str  # "rapidocr"
    version: str  # a stable digest of the detection and recognition weights: idempotency keys on it
    models: str  # each model with its version, as a photo's text records it: "PP-OCRv6_det_small@<sha>+..."

    def read(self, image: Image) -> list[TextLine]:
        """The lines of text in an RGB PIL image (already upright), top to bottom then left to right; [] when
        the image cannot hold text (too small, flat) or none is found."""
