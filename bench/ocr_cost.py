"""What reading text costs per photo (issue 17): the text reader alone vs the object detector alone, and the
served pipeline with and without it, on the corpus photos of the Ultralytics yardstick.

    .venv/bin/python bench/ocr_cost.py [--runs 3] [--min-kb 20] [--long-sides 640,960]

Photos: bench/ultralytics_compare.py's selection (the decodable files of ../shared/photos over --min-kb KB),
each decoded once, before any clock runs, to the image the pipeline gives its models (upright, 1280 px long
side: the large thumbnail). Per photo and per run, interleaved so that other load inflates every side alike:

* detector: OnnxDetector("yolov8n").detect(image), as the pipeline calls it;
* reader@N: RapidTextReader(detect_long_side=N).read(image) — the text detector on an N px copy, recognition
  of the regions found; also its text detection alone (reader.detect) and the lines it returns;
* pipeline: services.processing.analyze as a worker runs it (EXIF, place, decode, thumbnails, detection,
  faces behind the face gate), from the photo's bytes; pipeline + reader is what the pipeline would cost with
  the reader added after detection (the same large image, no second decode).

--baseline FILE: also time the reader of another version of adapters/ml/text_reader.py (e.g. main's, written
out with `git show main:src/cloudalbum/adapters/ml/text_reader.py > /tmp/old_text_reader.py`) at each size, in
the same interleaved runs ("baseline@N"), and count the photos where both read the same lines (text, confidence
to 3 decimals, box to the pixel): a change meant to be cheaper with the same answers is measured against its
before in one run, on the same load.

Each figure is the median over --runs of the per-photo CPU time (time.process_time: this process, one
onnxruntime / OpenCV thread), summed over the photos; wall time (perf_counter) beside it. The machine is shared
by other work: CPU time is the figure to compare, wall time says how loaded the machine was.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from PIL import Image

from cloudalbum.adapters.ml.detector import OnnxDetector
from cloudalbum.adapters.ml.faces import OpencvFaceAnalyzer
from cloudalbum.adapters.ml.geocoder import OfflineGeocoder
from cloudalbum.adapters.ml.text_reader import RapidTextReader
from cloudalbum.config import Settings
from cloudalbum.media.decode import decode
from cloudalbum.media.exif import read_metadata
from cloudalbum.media.thumbnails import make_thumbnails
from cloudalbum.services.processing import analyze
from ultralytics_compare import photos


def large_image(data: bytes) -> Image.Image:
    meta = read_metadata(data)
    return make_thumbnails(decode(data, orientation=meta.orientation, min_long_side=1280).image)["large"][0]


def baseline_reader_class(path: str) -> Any:
    """RapidTextReader from another copy of text_reader.py, imported inside cloudalbum.adapters.ml (its relative
    imports resolve against this tree)."""
    name = "cloudalbum.adapters.ml._baseline_text_reader"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module.RapidTextReader


def same_lines(a: list[Any], b: list[Any]) -> bool:
    def key(lines: list[Any]) -> list[tuple[Any, ...]]:
        return [(ln.text, round(ln.confidence, 3), round(ln.x), round(ln.y), round(ln.w), round(ln.h)) for ln in lines]
    return key(a) == key(b)


def clocked(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """(CPU seconds, wall seconds, result) of one call."""
    c, w = time.process_time(), time.perf_counter()
    result = fn()
    return time.process_time() - c, time.perf_counter() - w, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--min-kb", type=float, default=20)
    ap.add_argument("--long-sides", default="640,960")
    ap.add_argument("--baseline", help="another text_reader.py to time beside this one (e.g. main's)")
    args = ap.parse_args()
    paths = photos(int(args.min_kb * 1024))
    files = {f"{p.parent.name}/{p.name}": p.read_bytes() for p in paths}
    images = {name: large_image(data) for name, data in files.items()}
    detector = OnnxDetector.load("yolov8n")
    geocoder, faces, gate = OfflineGeocoder(), OpencvFaceAnalyzer.load(), Settings().face_gate
    readers = {int(n): RapidTextReader.load(detect_long_side=int(n)) for n in args.long_sides.split(",")}
    sides: dict[str, Callable[[str], Callable[[], Any]]] = {
        "detector": lambda name: lambda: detector.detect(images[name]),
        "pipeline": lambda name: lambda: analyze(files[name], detector, geocoder, faces=faces, face_gate=gate),
    }
    for n, reader in readers.items():
        sides[f"reader@{n}"] = lambda name, r=reader: lambda: r.read(images[name])
        sides[f"text detection@{n}"] = lambda name, r=reader: lambda: r.detect(images[name])
    baselines = {}
    if args.baseline:
        old_class = baseline_reader_class(args.baseline)
        baselines = {n: old_class.load(detect_long_side=n) for n in readers}
        for n, old in baselines.items():
            sides[f"baseline@{n}"] = lambda name, r=old: lambda: r.read(images[name])
    read: dict[str, dict[str, Any]] = {s: {} for s in sides}
    for name in files:  # warm-up: first-call costs out of the figures
        for side in sides.values():
            side(name)()
    cpu: dict[str, dict[str, list[float]]] = {s: {n: [] for n in files} for s in sides}
    wall: dict[str, dict[str, list[float]]] = {s: {n: [] for n in files} for s in sides}
    lines: dict[int, dict[str, int]] = {n: {} for n in readers}
    for _ in range(args.runs):
        for name in files:
            for side, make in sides.items():
                c, w, result = clocked(make(name))
                cpu[side][name].append(c)
                wall[side][name].append(w)
                read[side][name] = result
                if side.startswith("reader@"):
                    lines[int(side.split("@")[1])][name] = len(result)
    total = {s: sum(statistics.median(v) for v in cpu[s].values()) for s in sides}
    total_wall = {s: sum(statistics.median(v) for v in wall[s].values()) for s in sides}
    n = len(files)
    print(f"Measured by `bench/ocr_cost.py --runs {args.runs} --long-sides {args.long_sides}` on "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {n} corpus photos (over {args.min_kb:g} KB), "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores. CPU time of this process; medians "
          f"of {args.runs} runs per photo, summed.\n")
    print("| what | CPU ms, all photos | CPU ms per photo | / detector | wall ms per photo |")
    print("|---|---|---|---|---|")
    for side in sides:
        print(f"| {side} | {total[side] * 1000:.0f} | {total[side] * 1000 / n:.1f} | "
              f"{total[side] / total['detector']:.2f} | {total_wall[side] * 1000 / n:.0f} |")
    print()
    for reader_size in readers:
        with_text = total["pipeline"] + total[f"reader@{reader_size}"]
        found = sum(1 for v in lines[reader_size].values() if v)
        print(f"* reader@{reader_size}: pipeline + reader / pipeline = **{with_text / total['pipeline']:.2f}x**; "
              f"reader / detector = **{total[f'reader@{reader_size}'] / total['detector']:.2f}x**; text found in "
              f"{found}/{n} photos, {sum(lines[reader_size].values())} lines.")
    for reader_size in baselines:
        same = sum(same_lines(read[f"reader@{reader_size}"][k], read[f"baseline@{reader_size}"][k]) for k in files)
        with_old = total["pipeline"] + total[f"baseline@{reader_size}"]
        print(f"* baseline@{reader_size} ({args.baseline}): pipeline + reader / pipeline = "
              f"**{with_old / total['pipeline']:.2f}x**; this reader / the baseline = "
              f"**{total[f'reader@{reader_size}'] / total[f'baseline@{reader_size}']:.2f}x**; the same lines on "
              f"{same}/{n} photos.")
    top = sorted(files, key=lambda k: -statistics.median(cpu[f"reader@{max(readers)}"][k]))[:5]
    print("\nCostliest photos for the reader: " + ", ".join(
        f"{k} ({statistics.median(cpu[f'reader@{max(readers)}'][k]) * 1000:.0f} ms, "
        f"{lines[max(readers)][k]} lines)" for k in top))


if __name__ == "__main__":
    main()
