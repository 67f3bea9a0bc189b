"""A static INT8 text detector (issue 17's cost): is it cheaper, and does it read the same? Measured, not kept.

    .venv/bin/python bench/ocr_int8.py [--runs 3]
    .venv/bin/python bench/ocr_accuracy.py --long-sides 800 --model-dir bench/out/ocr-int8   # its accuracy

Makes bench/out/ocr-int8/ from the rapidocr wheel's files, nothing downloaded: PP-OCRv6_det_small quantised with
onnxruntime.quantization.quantize_static (QDQ, uint8 activations, int8 weights per tensor — the model's opset
has no per-channel DequantizeLinear; MinMax calibration on scikit-image's astronaut, coffee, chelsea and
motorcycle at the detection size, unpainted) beside the unchanged recognizer. Then the CPU per `session.run` of
the float and the INT8 detector on the same tensors (1 intra-op thread, interleaved, median). Needs the `onnx`
package (dev extras).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from cloudalbum.adapters.ml.detector import _session_options
from cloudalbum.adapters.ml.text_reader import (
    DETECT_LONG_SIDE,
    DETECTOR_FILE,
    RECOGNIZER_FILE,
    detector_input,
    packaged_model_dir,
    scaled_copy,
)
from ocr.painted import BASES, base_photo

OUT = ROOT / "bench" / "out" / "ocr-int8"


def main() -> None:
    import onnxruntime as ort
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    source = packaged_model_dir() / DETECTOR_FILE
    tensors = [detector_input(scaled_copy(base_photo(name), DETECT_LONG_SIDE)[0]) for name in BASES]
    float_session = ort.InferenceSession(str(source), _session_options(1), providers=["CPUExecutionProvider"])
    input_name = float_session.get_inputs()[0].name

    class Calibration(CalibrationDataReader):
        def __init__(self) -> None:
            self.feeds = iter([{input_name: t} for t in tensors])

        def get_next(self) -> dict[str, Any] | None:
            return next(self.feeds, None)

    prepared = OUT / "prepared.onnx"
    quant_pre_process(str(source), str(prepared), skip_symbolic_shape=True)
    quantize_static(str(prepared), str(OUT / DETECTOR_FILE), Calibration(), quant_format=QuantFormat.QDQ,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, per_channel=False)
    prepared.unlink()
    shutil.copy(packaged_model_dir() / RECOGNIZER_FILE, OUT / RECOGNIZER_FILE)
    int8_session = ort.InferenceSession(str(OUT / DETECTOR_FILE), _session_options(1),
                                        providers=["CPUExecutionProvider"])
    cpu: dict[str, list[float]] = {"float": [], "int8": []}
    for _ in range(args.runs):
        for tensor in tensors:
            for label, session in (("float", float_session), ("int8", int8_session)):
                started = time.process_time()
                session.run(None, {input_name: tensor})
                cpu[label].append(time.process_time() - started)
    f, q = statistics.median(cpu["float"]), statistics.median(cpu["int8"])
    print(f"text detection at {DETECT_LONG_SIDE} px, CPU per session.run (median of {len(cpu['float'])}): float "
          f"{f * 1000:.1f} ms, INT8 {q * 1000:.1f} ms, INT8 / float {q / f:.2f}; model in {OUT}")


if __name__ == "__main__":
    main()
