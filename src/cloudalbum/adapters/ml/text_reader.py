"""Text in photos with rapidocr's PP-OCR models on onnxruntime (CPU, one thread).

The weights ship inside the PyPI wheel rapidocr==3.10.0 (`rapidocr/models/PP-OCRv6_det_small.onnx`, DB text
detection; `rapidocr/models/PP-OCRv6_rec_small.onnx`, CTC recognition with its character list in the model's
metadata; Apache-2.0). We locate the files without importing the package and make the onnxruntime sessions
ourselves, from the files we digest, and hand them to rapidocr's detector and recognizer (their `session`
setting): rapidocr's own session maker resolves default models through its download helper, which must never
run here (tests/ocr/test_offline.py proves nothing is fetched). rapidocr's 0/180 degree line classifier is not
used: the image is already upright, and a flip it gets wrong costs a line.

Per photo (the upright 1280 px long-side image that also feeds the object detector):
  0. an image that cannot hold text is not looked at: short side under MIN_SIDE (7) px or long side under
     MIN_LONG_SIDE (16) px — a word on a plate filling an image 7 px high is still read, 6 px is not — or
     flat (grey levels spanning under MIN_CONTRAST: a blank frame, a lens cap);
  1. the detector on a copy scaled so its long side is DETECT_LONG_SIDE (up or down), quadrilaterals mapped
     back to the image. Measured on 144 painted photos (font sizes 12-64 px at 1280, 0/5/15 degrees):
     word recall 83% at 512 px, 92% at 640, 96% at 800, 97% at 960, 99% at 1280, for 135 / 185 / 262 /
     360 / 557 ms of CPU per photo. 800 is the knee: below it small text goes, above it the cost grows
     faster than what is read;
  2. recognition only on the regions found: each quadrilateral cut from the image given (not the detection
     copy: more pixels per character) and straightened, at most MAX_LINES of them (the tallest: the
     prominent text, what a person would search for), lines scoring under MIN_SCORE or empty dropped;
  3. each line's axis-aligned box in pixels of the image given, in reading order.

Figures: bench/ocr_accuracy.py and bench/ocr_cost.py, docs/ocr.md.

A session must not cross a fork: a worker process that inherits a loaded reader makes its own sessions.
The detector keeps onnxruntime's memory arena between photos (cheaper reads) and gives it back before a large
decode (release_memory, registered with media/heap.py): the worker's 1 GB with text reading on.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ...domain.errors import ModelUnavailable
from ...media import heap
from ...ports.text import TextLine
from .detector import _session_options
from .packaged_files import package_dirs

PACKAGE = "rapidocr"
REQUIREMENT = "rapidocr==3.10.0"
MODELS_DIR = "models"  # inside the package
DETECTOR_FILE, RECOGNIZER_FILE = "PP-OCRv6_det_small.onnx", "PP-OCRv6_rec_small.onnx"
DETECTOR_MODEL, RECOGNIZER_MODEL = "PP-OCRv6_det_small", "PP-OCRv6_rec_small"

DETECT_LONG_SIDE = 800
MIN_SIDE, MIN_LONG_SIDE = 7, 16
MIN_CONTRAST = 24
MAX_LINES = 40
MIN_SCORE = 0.5
MIN_LINE_PX = 6  # a region whose short side is under this, in the image given, holds no readable character

# The DB post-processing and recognition settings of rapidocr's own config.yaml (PP-OCR's defaults).
_DETECTOR_SETTINGS: dict[str, Any] = {
    "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5], "thresh": 0.3, "box_thresh": 0.5, "max_candidates": 1000,
    "unclip_ratio": 1.6, "use_dilation": True, "score_mode": "fast",
}
_RECOGNIZER_SETTINGS: dict[str, Any] = {
    "lang_type": "ch", "rec_batch_num": 6, "rec_img_shape": [3, 48, 320], "rec_keys_path": None, "font_path": None,
}


class _Settings(dict[str, Any]):
    """rapidocr reads its settings both as cfg["key"] / cfg.get("key") and as cfg.key (OmegaConf style)."""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError as exc:
            raise AttributeError(key) from exc


def packaged_model_dir() -> Path:
    """The folder holding both .onnx files in the rapidocr wheel, found without importing the package."""
    dirs = package_dirs(PACKAGE)
    if dirs is None:
        raise ModelUnavailable(
            f"the text models are not installed: the PyPI wheel rapidocr ships them. Install it with "
            f"`pip install {REQUIREMENT}` (make install does)"
        )
    for location in dirs:
        candidate = location / MODELS_DIR
        if (candidate / DETECTOR_FILE).is_file() and (candidate / RECOGNIZER_FILE).is_file():
            return candidate
    raise ModelUnavailable(f"the {PACKAGE!r} package is installed but lacks {MODELS_DIR}/{DETECTOR_FILE} or "
                           f"{MODELS_DIR}/{RECOGNIZER_FILE}: reinstall it (`pip install --force-reinstall "
                           f"{REQUIREMENT}`)")


def _read_weights(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ModelUnavailable(f"cannot read the text model file {path}: {exc.strerror or exc}") from exc


# --- pure helpers -----------------------------------------------------------------------------------------


def can_hold_text(image: Image.Image, *, min_side: int = MIN_SIDE, min_long_side: int = MIN_LONG_SIDE,
                  min_contrast: int = MIN_CONTRAST) -> bool:
    """False for an image too small for a line of two readable characters, or flat (no stroke stands out)."""
    if min(image.size) < min_side or max(image.size) < min_long_side:
        return False
    grey = np.asarray(image.convert("L"))
    return int(grey.max()) - int(grey.min()) >= min_contrast


def scaled_copy(image: Image.Image, long_side: int) -> tuple[Image.Image, float]:
    """(the image scaled so its long side is long_side, the factor applied); up or down."""
    w, h = image.size
    f = long_side / max(w, h)
    if abs(f - 1) < 1e-3:
        return image, 1.0
    size = (max(1, round(w * f)), max(1, round(h * f)))
    k = w // size[0]
    if f < 1 and k >= 2 and w == size[0] * k and h == size[1] * k:  # an exact reduction: a box filter
        return image.reduce(k), 1 / k
    return image.resize(size, Image.Resampling.BILINEAR), f


def bgr(image: Image.Image) -> np.ndarray:
    """PP-OCR's models read OpenCV's channel order."""
    rgb = np.asarray(image if image.mode == "RGB" else image.convert("RGB"), dtype=np.uint8)
    return np.ascontiguousarray(rgb[:, :, ::-1])


def detector_input(small: Image.Image) -> np.ndarray | None:
    """The detector's input for an image already at the detection size, as rapidocr's DetPreProcess makes it
    (each side rounded to a multiple of 32 by cv2.resize, (x / 255 - 0.5) / 0.5, BGR, NCHW), but in float32 in
    one OpenCV call instead of its float64 arithmetic and three copies: ~8 ms less per photo, the same lines
    (bench/ocr_cost.py). None when a side rounds to 0 (rapidocr reads nothing then)."""
    import cv2

    w, h = small.size
    rw, rh = int(round(w / 32) * 32), int(round(h / 32) * 32)
    if rw <= 0 or rh <= 0:
        return None
    rgb = np.asarray(small if small.mode == "RGB" else small.convert("RGB"), dtype=np.uint8)
    resized = cv2.resize(rgb, (rw, rh))
    blob: np.ndarray = cv2.dnn.blobFromImage(resized, 1 / 127.5, (rw, rh), (127.5, 127.5, 127.5), swapRB=True)
    return blob


@dataclass(frozen=True)
class Region:
    """A detected text region: its four corners (clockwise from top-left) in pixels of the image given."""

    quad: np.ndarray  # 4 x 2 float32

    @property
    def height(self) -> float:
        q = self.quad
        return float(max(np.linalg.norm(q[0] - q[3]), np.linalg.norm(q[1] - q[2])))

    @property
    def width(self) -> float:
        q = self.quad
        return float(max(np.linalg.norm(q[0] - q[1]), np.linalg.norm(q[2] - q[3])))

    def box(self, w: int, h: int) -> tuple[float, float, float, float]:
        """The axis-aligned box around the region, clipped to a w x h image: x, y, width, height."""
        x0, y0 = (float(np.clip(v, 0, lim)) for v, lim in zip(self.quad.min(axis=0), (w, h), strict=True))
        x1, y1 = (float(np.clip(v, 0, lim)) for v, lim in zip(self.quad.max(axis=0), (w, h), strict=True))
        return x0, y0, x1 - x0, y1 - y0


def keep_regions(regions: list[Region], *, max_lines: int = MAX_LINES,
                 min_line_px: float = MIN_LINE_PX) -> list[Region]:
    """Regions worth recognising, in the given (reading) order: a short side of min_line_px or more, and the
    max_lines tallest when there are more (recognition costs per line; the tallest text is the prominent)."""
    usable = [r for r in regions if min(r.height, r.width) >= min_line_px]
    if len(usable) <= max_lines:
        return usable
    tallest = set(sorted(range(len(usable)), key=lambda i: -usable[i].height)[:max_lines])
    return [r for i, r in enumerate(usable) if i in tallest]


# --- the adapter ------------------------------------------------------------------------------------------


class RapidTextReader:
    """ports.TextReader on rapidocr's PP-OCRv6 detector and recognizer, onnxruntime CPU, one thread.

    Both sessions are made (and run once on a blank image) by load(): a missing, corrupt or wrong model file
    fails the worker at start, not on its first photo."""

    name = "rapidocr"

    def __init__(self, detector_path: Path, recognizer_path: Path, *, detect_long_side: int = DETECT_LONG_SIDE,
                 max_lines: int = MAX_LINES, min_score: float = MIN_SCORE, min_side: int = MIN_SIDE,
                 threads: int = 1) -> None:
        self.detector_path, self.recognizer_path = detector_path, recognizer_path
        det_weights, rec_weights = _read_weights(detector_path), _read_weights(recognizer_path)
        det_digest, rec_digest = hashlib.sha256(det_weights).digest(), hashlib.sha256(rec_weights).digest()
        self.version = hashlib.sha256(det_digest + rec_digest).hexdigest()[:12]
        self.models = f"{DETECTOR_MODEL}@{det_digest.hex()[:12]}+{RECOGNIZER_MODEL}@{rec_digest.hex()[:12]}"
        self.detect_long_side = detect_long_side
        self.max_lines = max_lines
        self.min_score = min_score
        self.min_side = min_side
        self.threads = threads
        del det_weights, rec_weights  # digested: the sessions read the files themselves (below)
        self._det_session: Any = None
        self._parts: tuple[Any, Any] = self._make_parts()
        self._pid = os.getpid()
        heap.register_releaser(self.release_memory)  # before a large decode: the arena goes back (media/heap.py)

    @classmethod
    def load(cls, *, model_dir: Path | None = None, detect_long_side: int = DETECT_LONG_SIDE,
             threads: int | None = None) -> RapidTextReader:
        """The packaged PP-OCRv6 weights, or the two files of the same names in model_dir.
        Raises ModelUnavailable."""
        folder = Path(model_dir) if model_dir is not None else packaged_model_dir()
        return cls(folder / DETECTOR_FILE, folder / RECOGNIZER_FILE, detect_long_side=detect_long_side,
                   threads=threads or 1)

    def _make_parts(self) -> tuple[Any, Any]:
        """rapidocr's TextDetector and TextRecognizer on sessions made here from the two files.

        From the file's path, not from its bytes: onnxruntime keeps ~40 MiB less resident that way (measured:
        +62 MiB for both sessions against +102 MiB from bytes; the worker's 1 GB, docs/reliability.md)."""
        import onnxruntime as ort

        try:
            from rapidocr.ch_ppocr_det import TextDetector
            from rapidocr.ch_ppocr_rec import TextRecognizer
            from rapidocr.utils.typings import EngineType
        except ImportError as exc:
            raise ModelUnavailable(f"rapidocr cannot be imported ({exc}): `pip install {REQUIREMENT}`") from exc
        logging.getLogger("RapidOCR").setLevel(logging.WARNING)  # its INFO lines name the engine per session
        try:
            det_session, rec_session = (
                ort.InferenceSession(str(path), sess_options=options(self.threads),
                                     providers=["CPUExecutionProvider"])
                for path, options in ((self.detector_path, _arena_options), (self.recognizer_path, _lean_options)))
            if "character" not in rec_session.get_modelmeta().custom_metadata_map:
                raise ValueError("the recognizer has no character list in its metadata")
            engine = {"engine_type": EngineType.ONNXRUNTIME}
            detector = TextDetector(_Settings(engine, session=det_session, limit_type="max",
                                              limit_side_len=self.detect_long_side, **_DETECTOR_SETTINGS))
            recognizer = TextRecognizer(_Settings(engine, session=rec_session, **_RECOGNIZER_SETTINGS))
            # One run of each: a model that parses but is not a DB detector / CTC recognizer fails here.
            detector(np.zeros((64, 64, 3), np.uint8))
            self._recognize(recognizer, [np.full((48, 96, 3), 255, np.uint8)])
        except Exception as exc:
            raise ModelUnavailable(
                f"the text model files {self.detector_path.name} / {self.recognizer_path.name} in "
                f"{self.detector_path.parent} are not usable PP-OCR models ({str(exc).strip()[:200]}). "
                f"Reinstall the rapidocr wheel (`pip install --force-reinstall {REQUIREMENT}`)"
            ) from exc
        self._det_session = det_session
        return detector, recognizer

    @property
    def parts(self) -> tuple[Any, Any]:
        if self._pid != os.getpid():
            self._parts, self._pid = self._make_parts(), os.getpid()
        return self._parts

    def release_memory(self) -> None:
        """Give the detector's arena back to the C heap: one tiny run with onnxruntime's arena shrinkage, which
        frees every arena chunk not in use at the end of the run (all of them, between photos)."""
        if self._pid != os.getpid() or self._det_session is None:
            return  # a forked child's inherited session is not ours to run
        import onnxruntime as ort

        shrink = ort.RunOptions()
        shrink.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        name = self._det_session.get_inputs()[0].name
        self._det_session.run(None, {name: np.zeros((1, 3, 32, 32), np.float32)}, shrink)

    def detect(self, image: Image.Image) -> list[Region]:
        """Text regions in pixels of image, in reading order (rapidocr sorts them top to bottom, left to right)."""
        detector, _ = self.parts
        small, f = scaled_copy(image, self.detect_long_side)
        tensor = detector_input(small)
        if tensor is None:
            return []
        # What rapidocr's TextDetector.__call__ does after its own preprocessing: the DB post-processing on the
        # probability map, boxes in pixels of `small`, then its reading order.
        boxes, _ = detector.postprocess_op(detector.session(tensor), (small.height, small.width))
        if len(boxes) < 1:
            return []
        return [Region(np.asarray(quad, np.float32) / np.float32(f)) for quad in detector.sorted_boxes(boxes)]

    @staticmethod
    def _recognize(recognizer: Any, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        from rapidocr.ch_ppocr_rec import TextRecInput

        out = recognizer(TextRecInput(img=crops))
        return [(str(text), float(score)) for text, score in zip(out.txts, out.scores, strict=True)]

    def read(self, image: Image.Image) -> list[TextLine]:
        if not can_hold_text(image, min_side=self.min_side):
            return []
        regions = keep_regions(self.detect(image), max_lines=self.max_lines)
        if not regions:
            return []
        from rapidocr.utils.process_img import get_rotate_crop_image

        _, recognizer = self.parts
        pixels = bgr(image)
        crops = [get_rotate_crop_image(pixels, region.quad.copy()) for region in regions]
        lines = []
        for region, (text, score) in zip(regions, self._recognize(recognizer, crops), strict=True):
            text = text.strip()
            if text and score >= self.min_score:
                x, y, w, h = region.box(image.width, image.height)
                lines.append(TextLine(text=text, confidence=score, x=x, y=y, w=w, h=h))
        return lines


def _lean_options(threads: int) -> Any:
    """The recognizer's session options without onnxruntime's memory arena (its inputs are a few lines of 48 px:
    an arena would save nothing and keep its largest batch for the worker's life)."""
    opts = _session_options(threads)
    opts.enable_cpu_mem_arena = False
    opts.enable_mem_pattern = False
    return opts


def _arena_options(threads: int) -> Any:
    """The detector's session options: onnxruntime's memory arena on, memory patterns off (the input's shape
    changes with each photo's). Without the arena each run's feature maps (tens of MiB each at 800 px) were
    mapped and unmapped by malloc, and their pages faulted in again on every photo: the arena makes a detection
    ~11% cheaper (171 -> 152 ms of CPU at 800x608, docs/ocr.md) and its peak lower (+111 MiB against +227). The
    arena keeps its buffers between photos; release_memory gives them back before a large decode."""
    opts = _session_options(threads)
    opts.enable_mem_pattern = False
    return opts
