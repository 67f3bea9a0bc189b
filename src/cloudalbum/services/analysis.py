"""What processing computes from one original's bytes, before anything is saved: EXIF, the place of its GPS
position, one decode, thumbnails, fingerprint, detections and faces (services/processing.py applies it).

`analyze` raises nothing for bad bytes (Analysis.error is set); it raises for a failing detector, face analyzer
or geocoder only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from ..domain.categories import labels_from_detections
from ..domain.duplicates import Fingerprint
from ..domain.model import Label, Place
from ..media.decode import UndecodableImage, decode
from ..media.exif import ExifData, read_metadata
from ..media.face_crops import face_crop
from ..media.fingerprint import fingerprint_of
from ..media.thumbnails import make_thumbnails
from ..ports import Detection, Detector, FaceAnalyzer, FoundFace, Geocoder


@dataclass
class Analysis:
    """Everything computed from one original's bytes; applied to the photo record afterwards."""

    exif: ExifData
    place: Place | None = None
    width: int | None = None
    height: int | None = None
    labels: list[Label] = field(default_factory=list)
    faces: list[FoundFace] = field(default_factory=list)  # upright pixels of the decoded image
    face_crops: list[bytes] = field(default_factory=list)  # a JPEG per face, same order
    faces_model: str | None = None  # the face models with their versions, when faces were looked for
    thumbnails: dict[str, bytes] = field(default_factory=dict)
    fingerprint: Fingerprint | None = None  # duplicates: hashes of the upright pixels (media/fingerprint.py)
    error: str | None = None  # a deterministic failure: the image could not be decoded
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage (benchmarks, logs)
    taken_at: str | None = None  # the camera time with the offset found for it (None: as EXIF gave it)
    taken_offset_source: str | None = None  # where that offset came from (domain.times.local_time)

    def __post_init__(self) -> None:
        self.taken_at = self.taken_at or self.exif.taken_at


def model_key(detector: Detector) -> str:
    return f"{detector.name}@{detector.version}"


def analyze(data: bytes, detector: Detector, geocoder: Geocoder | None, *, threshold: float = 0.25,
            max_pixels: int = 120_000_000, faces: FaceAnalyzer | None = None,
            max_decode_bytes: int | None = None, face_gate: float = 0.0) -> Analysis:
    """EXIF, place, one decode, detection, faces (when an analyzer is given) and thumbnails. Raises nothing
    for bad bytes (error is set); raises for a failing detector, face analyzer or geocoder bug only.

    face_gate > 0: the face analyzer runs only when the detector sees a person scoring at least face_gate
    (see may_show_a_face); the photo is still recorded as looked at for faces, with none found."""
    t0 = time.perf_counter()
    meta = read_metadata(data)
    result = Analysis(exif=meta)
    t1 = time.perf_counter()
    result.place = _place(geocoder, meta)
    t2 = time.perf_counter()
    try:
        decoded = decode(data, orientation=meta.orientation, min_long_side=1280, max_pixels=max_pixels,
                         max_decode_bytes=max_decode_bytes)
    except UndecodableImage as exc:
        result.error = str(exc)
        result.timings = {"exif": t1 - t0, "place": t2 - t1, "decode": time.perf_counter() - t2}
        return result
    t3 = time.perf_counter()
    result.width, result.height = decoded.width, decoded.height
    thumbs = make_thumbnails(decoded.image)
    large_image = thumbs["large"][0]
    result.fingerprint = fingerprint_of(thumbs["small"][0], decoded, meta)
    t4 = time.perf_counter()
    gated = faces is not None and face_gate > 0 and "person" in detector.names.values()
    detections = (detector.detect(large_image, threshold=min(face_gate, threshold)) if gated
                  else detector.detect(large_image))
    t5 = time.perf_counter()
    scale_x = decoded.width / large_image.width
    scale_y = decoded.height / large_image.height
    result.labels = labels_from_detections(detections, model=model_key(detector), threshold=threshold,
                                           scale_x=scale_x, scale_y=scale_y, width=decoded.width,
                                           height=decoded.height)
    result.thumbnails = {size: jpeg for size, (_, jpeg) in thumbs.items()}
    t6 = time.perf_counter()
    if faces is not None:
        if gated and not may_show_a_face(detections, face_gate):
            result.faces_model = faces.models  # looked for (by the gate): none
        else:
            _find_faces(result, faces, large_image, scale_x, scale_y)
    result.timings = {"exif": t1 - t0, "place": t2 - t1, "decode": t3 - t2, "thumbnails": t4 - t3,
                      "detect": t5 - t4, "labels": t6 - t5}
    if faces is not None:
        result.timings["faces"] = time.perf_counter() - t6
    return result


def may_show_a_face(detections: list[Detection], gate: float) -> bool:
    """Whether a face can be in the photo: the detector saw a person scoring at least gate. Over the corpus and
    scikit-image's astronaut (also cropped to the face alone, mirrored, darkened, halved) every photo with a
    face has a person at 0.52 or more (docs/performance.md, "Faces only where they can be")."""
    return any(d.name == "person" and d.confidence >= gate for d in detections)


def _find_faces(result: Analysis, analyzer: FaceAnalyzer, image: Any, scale_x: float, scale_y: float) -> None:
    """Faces on the large thumbnail (the detector's input too), boxes and landmarks mapped to upright pixels of
    the whole image; a crop per face for the "Who is this?" card and the People view."""
    found = analyzer.faces(image)
    result.faces_model = analyzer.models
    result.face_crops = [face_crop(image, (f.x, f.y, f.w, f.h)) for f in found]
    result.faces = [FoundFace(x=f.x * scale_x, y=f.y * scale_y, w=f.w * scale_x, h=f.h * scale_y,
                              confidence=f.confidence, landmarks=[(x * scale_x, y * scale_y) for x, y in f.landmarks],
                              embedding=f.embedding) for f in found]


def _place(geocoder: Geocoder | None, meta: ExifData) -> Place | None:
    if geocoder is None or meta.lat is None or meta.lon is None:
        return None
    return geocoder.reverse(meta.lat, meta.lon)
