"""Static INT8 quantisation of yolov8n (issue 14): is it cheaper, and does it give the float model's labels?

    .venv/bin/python bench/quantize.py [--runs 12] [--variants head,tail,tail-rr,all] [--calibration skimage|corpus]
    .venv/bin/python bench/quantize.py --rect

--rect: the other way to a cheaper yolov8n, fewer pixels: the static 640x640 graph rewritten per input shape
(the four size-dependent constants: the anchor points, the strides and the DFL's two reshapes; checked to
reproduce the 640x640 originals exactly) so a 4:3 photo runs at 640x480, letterboxed only to a multiple of 32
as Ultralytics does for its own .pt models; agreement with the square float model and the input pixels saved.

Each variant is made here with onnxruntime.quantization.quantize_static (QDQ; activations uint8 asymmetric,
weights int8 symmetric per channel; MinMax calibration) into bench/out/, calibrated on scikit-image's bundled
data images (20 photos and textures, letterboxed as the detector's input; --calibration corpus uses the corpus
photos themselves: the most favourable case) — nothing downloaded, no weights from outside. Then, all in this
one run:

* CPU ms per `session.run` (1 intra-op thread, the thread's CPU clock, median of --runs interleaved with the
  float model, so other load inflates both alike) and the ratio to the float model;
* agreement with the float model over every decodable corpus photo, through the same pipeline (decode, 1280 px
  image, letterbox, NMS): the same label set, and the same label set with every float box matched by a box of
  its class at IoU >= 0.9. The issue's bar for keeping a quantised model: 98% of the photos.

Variants: `head` leaves the whole detection head (model.22) in float; `tail` only the head's last convolutions
(the raw box distributions and class logits), the DFL and the output; `tail-rr` the same with 7-bit weights
(reduce_range, for CPUs without VNNI such as this AVX2 one); `all` quantises everything (the output's boxes and
scores then share one scale). Needs the `onnx` package (dev extras).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import numpy as np
from PIL import Image

from cloudalbum.adapters.ml.detector import OnnxDetector, letterbox, packaged_model_path
from cloudalbum.media.decode import UndecodableImage, decode
from cloudalbum.media.thumbnails import make_thumbnails

PHOTOS = Path(os.environ.get("CLOUDALBUM_PHOTOS", ROOT.parent / "shared" / "photos"))
OUT = ROOT / "bench" / "out"
SKIMAGE_IMAGES = ["astronaut.png", "chelsea.png", "coffee.png", "motorcycle_left.png", "motorcycle_right.png",
                  "rocket.jpg", "hubble_deep_field.jpg", "retina.jpg", "color.png", "ihc.png", "camera.png",
                  "brick.png", "grass.png", "gravel.png", "moon.png", "page.png", "text.png", "coins.png",
                  "logo.png", "clock_motion.png"]
HEAD_TAIL = ["/model.22/cv2.0/cv2.0.2/", "/model.22/cv2.1/cv2.1.2/", "/model.22/cv2.2/cv2.2.2/",
             "/model.22/cv3.0/cv3.0.2/", "/model.22/cv3.1/cv3.1.2/", "/model.22/cv3.2/cv3.2.2/", "/model.22/dfl",
             "/model.22/Reshape", "/model.22/Concat", "/model.22/Sigmoid", "/model.22/Slice", "/model.22/Sub",
             "/model.22/Add", "/model.22/Div", "/model.22/Mul"]
VARIANTS: dict[str, dict[str, Any]] = {
    "head": {"exclude": ["/model.22"], "reduce_range": False},
    "tail": {"exclude": HEAD_TAIL, "reduce_range": False},
    "tail-rr": {"exclude": HEAD_TAIL, "reduce_range": True},
    "all": {"exclude": [], "reduce_range": False},
}
IOU_BAR = 0.9


def skimage_images() -> list[Image.Image]:
    import skimage.data

    folder = Path(skimage.data.__file__).parent
    return [Image.open(folder / name).convert("RGB") for name in SKIMAGE_IMAGES]


def corpus() -> list[tuple[str, Image.Image]]:
    """(name, the 1280 px image the pipeline gives the detector) for every decodable corpus photo."""
    out = []
    for folder in ("gps", "objects", "bad"):
        for path in sorted((PHOTOS / folder).glob("*")):
            try:
                decoded = decode(path.read_bytes())
            except UndecodableImage:
                continue
            out.append((f"{folder}/{path.name}", make_thumbnails(decoded.image)["large"][0]))
    return out


def quantize(out: Path, images: list[Image.Image], *, exclude: list[str], reduce_range: bool) -> None:
    import onnx
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.batches = iter([{"images": letterbox(im)[0]} for im in images])

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self.batches, None)

    source = packaged_model_path("yolov8n")
    nodes = [n.name for n in onnx.load(str(source)).graph.node if any(n.name.startswith(p) for p in exclude)]
    quantize_static(str(source), str(out), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                    reduce_range=reduce_range, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    nodes_to_exclude=nodes, calibrate_method=CalibrationMethod.MinMax,
                    extra_options={"ActivationSymmetric": False, "WeightSymmetric": True})


def iou(a: Any, b: Any) -> float:
    iw = max(0.0, min(a.x + a.w, b.x + b.w) - max(a.x, b.x))
    ih = max(0.0, min(a.y + a.h, b.y + b.h) - max(a.y, b.y))
    inter = iw * ih
    union = a.w * a.h + b.w * b.h - inter
    return inter / union if union > 0 else 0.0


def agreement(ref: OnnxDetector, cand: OnnxDetector,
              photos: list[tuple[str, Image.Image]]) -> tuple[int, int, list[str]]:
    """(photos with the same label set, photos with the same set and every float box matched at IoU >= 0.9,
    what differs on the others)."""
    same = boxes = 0
    notes = []
    for name, image in photos:
        r, c = ref.detect(image), cand.detect(image)
        labels_equal = {d.name for d in r} == {d.name for d in c}
        matched = all(max((iou(d, e) for e in c if e.name == d.name), default=0.0) >= IOU_BAR for d in r)
        same += labels_equal
        boxes += labels_equal and matched
        if not (labels_equal and matched):
            notes.append(f"{name}: float {sorted({d.name for d in r})} vs int8 {sorted({d.name for d in c})}")
    return same, boxes, notes


def cpu_ms(detectors: dict[str, OnnxDetector], runs: int) -> dict[str, float]:
    tensor = letterbox(Image.new("RGB", (1280, 960), (118, 120, 110)))[0]
    tensor = tensor + np.random.default_rng(0).random(tensor.shape, dtype=np.float32) * 0.3
    for d in detectors.values():
        d.run_raw(tensor)
    samples: dict[str, list[float]] = {k: [] for k in detectors}
    for _ in range(runs):
        for k, d in detectors.items():
            t = time.thread_time()
            d.run_raw(tensor)
            samples[k].append(time.thread_time() - t)
    return {k: statistics.median(v) * 1000 for k, v in samples.items()}


STRIDES = (8, 16, 32)


def anchors(h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """YOLOv8's anchor points (cell centres, x then y, row-major per stride) and strides for an h x w input."""
    points, strides = [], []
    for s in STRIDES:
        gy, gx = np.meshgrid(np.arange(h // s) + 0.5, np.arange(w // s) + 0.5, indexing="ij")
        points.append(np.stack([gx.ravel(), gy.ravel()]))
        strides.append(np.full(gx.size, s, np.float32))
    return np.concatenate(points, 1).astype(np.float32)[None], np.concatenate(strides)[None]


def rect_variant(base: Any, h: int, w: int) -> bytes:
    """The static yolov8n graph for an h x w input."""
    import onnx
    from onnx import numpy_helper

    m = onnx.ModelProto()
    m.CopyFrom(base)
    points, strides = anchors(h, w)
    n = points.shape[2]
    new = {"/model.22/dfl/Constant_output_0": np.array([1, 4, 16, n], np.int64),
           "/model.22/dfl/Constant_1_output_0": np.array([1, 4, n], np.int64),
           "/model.22/Constant_12_output_0": points, "/model.22/Constant_13_output_0": points,
           "/model.22/Constant_15_output_0": strides}
    for init in m.graph.initializer:
        if init.name in new:
            init.CopyFrom(numpy_helper.from_array(new[init.name], init.name))
    dims = m.graph.input[0].type.tensor_type.shape.dim
    dims[2].dim_value, dims[3].dim_value = h, w
    m.graph.output[0].type.tensor_type.shape.dim[2].dim_value = n
    del m.graph.value_info[:]
    return m.SerializeToString()


def rect_report(photos: list[tuple[str, Image.Image]]) -> None:
    import onnx
    import onnxruntime as ort
    from onnx import numpy_helper

    from cloudalbum.adapters.ml.detector import _session_options, decode_output

    base = onnx.load(str(packaged_model_path("yolov8n")))
    original = {i.name: numpy_helper.to_array(i) for i in base.graph.initializer}
    points, strides = anchors(640, 640)
    assert np.array_equal(points, original["/model.22/Constant_12_output_0"])
    assert np.array_equal(strides, original["/model.22/Constant_15_output_0"])
    square = OnnxDetector.load("yolov8n")
    sessions: dict[tuple[int, int], Any] = {}
    same = boxes = 0
    pixels = 0.0
    for name, image in photos:
        tensor, geo = letterbox(image, 640, square=False)
        key = tensor.shape[2], tensor.shape[3]
        if key not in sessions:
            sessions[key] = ort.InferenceSession(rect_variant(base, *key), _session_options(1),
                                                 providers=["CPUExecutionProvider"])
        rect = decode_output(sessions[key].run(None, {"images": tensor})[0], geo, image.size, square.names,
                             threshold=square.threshold)
        ref = square.detect(image)
        labels_equal = {d.name for d in ref} == {d.name for d in rect}
        same += labels_equal
        boxes += labels_equal and all(
            max((iou(d, e) for e in rect if e.name == d.name), default=0.0) >= IOU_BAR for d in ref)
        pixels += key[0] * key[1] / (640 * 640)
        if not labels_equal:
            print(f"    {name} at {key[1]}x{key[0]}: square {sorted({d.name for d in ref})} vs rect "
                  f"{sorted({d.name for d in rect})}")
    n = len(photos)
    print(f"yolov8n at the photo's own aspect: {same}/{n} ({same / n:.0%}) same label sets, {boxes}/{n} "
          f"({boxes / n:.0%}) with every box at IoU >= {IOU_BAR}; input pixels {pixels / n:.2f} of 640x640")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=12)
    ap.add_argument("--variants", default="head,tail,tail-rr,all")
    ap.add_argument("--calibration", choices=("skimage", "corpus"), default="skimage")
    ap.add_argument("--rect", action="store_true", help="yolov8n at rectangular inputs instead of INT8")
    args = ap.parse_args()
    photos = corpus()
    if not photos:
        print(f"the photo corpus is missing at {PHOTOS}")
        return 2
    if args.rect:
        rect_report(photos)
        return 0
    OUT.mkdir(exist_ok=True)
    calibration = skimage_images() if args.calibration == "skimage" else [im for _, im in photos]
    detectors = {"float": OnnxDetector.load("yolov8n")}
    for name in args.variants.split(","):
        path = OUT / f"yolov8n-int8-{name}-{args.calibration}.onnx"
        quantize(path, calibration, **VARIANTS[name])
        detectors[name] = OnnxDetector.load("yolov8n", model_path=path)
    load = os.getloadavg()[0]
    ms = cpu_ms(detectors, args.runs)
    print(f"{len(photos)} corpus photos; calibration: {args.calibration} ({len(calibration)} images); "
          f"load average {load:.1f}; CPU ms per session.run, median of {args.runs} interleaved runs")
    print("| model | CPU ms per run | / float | same labels | same labels and boxes (IoU >= 0.9) |")
    print("|---|---|---|---|---|")
    print(f"| float (yolov8n) | {ms['float']:.1f} | 1.00 | | |")
    for name in args.variants.split(","):
        same, boxes, notes = agreement(detectors["float"], detectors[name], photos)
        n = len(photos)
        print(f"| int8 `{name}` | {ms[name]:.1f} | {ms[name] / ms['float']:.2f} | {same}/{n} ({same / n:.0%}) | "
              f"{boxes}/{n} ({boxes / n:.0%}) |", flush=True)
        for note in notes[:6]:
            print(f"    {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
