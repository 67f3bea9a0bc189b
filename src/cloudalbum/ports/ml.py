"""What looks at photos and places them: the object detector, the face analyzer, the geocoder and the time zone
finder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ..domain.model import Place

if TYPE_CHECKING:  # pragma: no cover
    from PIL.Image import Image


@dataclass
class Detection:
    """One object, in pixels of the image given to detect()."""

    name: str
    confidence: float
    x: float
    y: float
    w: float
    h: float


class Detector(Protocol):
    name: str  # "yolov8n"
    version: str  # a stable digest of the weights: labels record it; idempotency keys on it
    threshold: float  # the confidence a label needs (detect() may be asked for lower boxes, e.g. the face gate's)
    names: dict[int, str]  # class index -> label; a model without "person" is never face-gated

    def detect(self, image: Image, *, threshold: float | None = None) -> list[Detection]:
        """Objects in an RGB PIL image (already upright), at the detector's own threshold or the one given."""


@dataclass
class FoundFace:
    """One face, in pixels of the image given to faces(): the box, the detector's score, five landmarks
    (eyes, nose tip, mouth corners) and the L2-normalised embedding of the aligned face."""

    x: float
    y: float
    w: float
    h: float
    confidence: float
    landmarks: list[tuple[float, float]]
    embedding: list[float]


class FaceAnalyzer(Protocol):
    name: str  # "yunet+sface"
    version: str  # a digest of both models' weights
    models: str  # each model with its version, as every face records it: "yunet_2023mar@<sha>+sface_2021dec@<sha>"

    def faces(self, image: Image) -> list[FoundFace]:
        """The faces in an RGB PIL image (already upright) scoring at least the analyzer's threshold, each
        with its embedding."""


class Geocoder(Protocol):
    def reverse(self, lat: float, lon: float) -> Place | None:
        """Nearest populated place, offline."""

    def forward(self, name: str) -> tuple[float, float, Place] | None:
        """A place name ("Dublin", "Paris, France") to coordinates, offline."""



class TimeZoneFinder(Protocol):
    def zone_at(self, lat: float, lon: float) -> str | None:
        """The IANA time zone in force at a position ("Europe/Rome"), offline; None where the data has none or
        the position is invalid. Never raises for a position."""
