"""What reads the text in photos (signs, receipts, book covers, whiteboards): the text reader."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from ..domain.model import TextLine

if TYPE_CHECKING:  # pragma: no cover
    from PIL.Image import Image


class TextReader(Protocol):
    name: str  # "rapidocr"
    version: str  # a stable digest of the detection and recognition weights: idempotency keys on it
    models: str  # each model with its version, as a photo's text records it: "PP-OCRv6_det_small@<sha>+..."

    def read(self, image: Image) -> list[TextLine]:
        """The lines of text in an RGB PIL image (already upright), top to bottom then left to right; [] when
        the image cannot hold text (too small, flat) or none is found."""


__all__ = ["TextLine", "TextReader"]
