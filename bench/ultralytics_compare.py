"""Ultralytics yardstick: `YOLO(<our .onnx>).predict()` detection alone vs our embedded service end to end.

    CLOUDALBUM_BENCH_ULTRALYTICS=1 bash scripts/install-tools.sh   (once: torch + ultralytics, several GB; py-spy)
    .venv/bin/python bench/ultralytics_compare.py [--runs 3] [--min-kb 20] [--profile] [--write-docs]

Both sides get the same photos in this one run: the files of ../shared/photos (gps/, objects/, bad/) over
--min-kb KB (20: real photos, not the 8x8 EXIF samples) that our decoder and Ultralytics' own loader both read
(it cannot open HEIC or truncated JPEGs); the count is printed (39 on the corpus of 2026-12).

* ultralytics: `YOLO(model.onnx, task="detect").predict(path, conf=0.25, iou=0.7)` photo after photo, in its own
  venv (.venvs/ultralytics, YOLO_OFFLINE=1: nothing is downloaded), after one warm-up prediction. Detection
  only: no EXIF, places, thumbnails or storage. Median of --runs passes.
* cloudalbum: `cloudalbum serve` with its default workers (one process per core) on a fresh data dir; the clock
  runs from the first upload (HTTP, multipart) to the moment the last photo reaches a final status — upload,
  storage, queue, EXIF, places, detection, faces (on: the default, checked), thumbnails, questions, search
  index. One list request per POLL_S (0.5 s), so the measurement itself costs the API almost nothing; the
  end is therefore known to within 0.5 s. Median of --runs fresh servers. The workers' own log gives the
  seconds per stage (summed over the photos, wall time inside each worker).
* --profile: one more service run (not timed) under py-spy (.venvs/pyspy, installed by the tools script),
  sampling the API process and every worker process; prints the CPU milliseconds per stage and per process
  (samples x interval; idle threads are not sampled) and keeps the raw stacks under bench/out/.

Both detect with the same weights on the same CPU; the ratio says what the whole service costs over the
model's reference implementation alone.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from cloudalbum.adapters.ml.detector import packaged_model_path
from cloudalbum.media.decode import UndecodableImage, decode

PHOTOS = Path(os.environ.get("CLOUDALBUM_PHOTOS", ROOT.parent / "shared" / "photos"))
ULTRA_PY = ROOT / ".venvs" / "ultralytics" / "bin" / "python"
PYSPY = ROOT / ".venvs" / "pyspy" / "bin" / "py-spy"
SECTION = "## Ultralytics yardstick"
POLL_S = 0.5  # how often the service is asked whether every photo is final (issue 14: one list per half second)
PROFILE_RATE = 200  # py-spy samples per second per thread: 5 ms a sample

ULTRA_SCRIPT = r"""
import json, statistics, sys, time
import cv2
from ultralytics import YOLO
model_path, runs, paths = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
paths = [p for p in paths if cv2.imread(p) is not None]  # what Ultralytics' own loader can read (no HEIC...)
model = YOLO(model_path, task="detect")
# warm-up pass (session, first-call costs) that also drops what predict() cannot load (truncated JPEGs)
paths = [p for p in paths if model.predict(p, conf=0.25, iou=0.7, verbose=False)]
passes, labels = [], {}
for _ in range(runs):
    t = time.perf_counter()
    for p in paths:
        r = model.predict(p, conf=0.25, iou=0.7, verbose=False)[0]
        labels[p] = sorted({r.names[int(c)] for c in r.boxes.cls.tolist()})
    passes.append(time.perf_counter() - t)
print(json.dumps({"seconds": statistics.median(passes), "passes": passes, "labels": labels, "paths": paths}))
"""


def photos(min_bytes: int = 0) -> list[Path]:
    out = []
    for folder in ("gps", "objects", "bad"):
        for path in sorted((PHOTOS / folder).glob("*")):
            if path.stat().st_size <= min_bytes:
                continue
            try:
                decode(path.read_bytes())
            except UndecodableImage:
                continue
            out.append(path)
    return out


def run_ultralytics(paths: list[Path], runs: int) -> dict:
    env = {**os.environ, "YOLO_OFFLINE": "1", "YOLO_VERBOSE": "False"}
    proc = subprocess.run([str(ULTRA_PY), "-c", ULTRA_SCRIPT, str(packaged_model_path("yolov8n")), str(runs),
                           *map(str, paths)], env=env, capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"ultralytics failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ServiceRun:
    seconds: float  # first upload to last photo final
    final: int
    labels: dict[str, list[str]]
    upload_s: float
    stages: dict[str, float]  # seconds per stage summed over the photos, from the workers' log
    profile: dict[str, float] | None = None  # CPU ms per (process, stage) under py-spy


def run_service(paths: list[Path], *, profile: Path | None = None, model: str = "yolov8n") -> ServiceRun:
    """Seconds from the first upload to the last photo final, on a fresh `cloudalbum serve` (faces on)."""
    import requests

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDALBUM_")}
        env.update({"CLOUDALBUM_DATA_DIR": tmp, "CLOUDALBUM_ENV": "development", "CLOUDALBUM_MODEL": model,
                    "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])])})
        log_path = Path(tmp) / "serve.log"
        with open(log_path, "wb") as log_file:
            server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "cloudalbum"), "serve", "--port", str(port)],
                                      env=env, stdout=log_file, stderr=subprocess.STDOUT)
        spy = None
        try:
            _wait_healthy(base, server)
            creds = {"email": "bench@example.com", "password": "correct horse battery"}
            requests.post(f"{base}/api/auth/register", json=creds, timeout=30).raise_for_status()
            token = requests.post(f"{base}/api/auth/login", json=creds, timeout=30).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            if not requests.get(f"{base}/api/me/settings", headers=headers, timeout=30).json()["face_grouping"]:
                raise RuntimeError("face grouping is off for the benchmark's account: the issue measures faces on")
            _wait_workers_ready(log_path, server)  # warm workers: model and place data loaded, as a running service
            if profile is not None:
                spy = subprocess.Popen([str(PYSPY), "record", "--pid", str(server.pid), "--subprocesses",
                                        "--rate", str(PROFILE_RATE), "--format", "raw", "-o", str(profile)],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(1)  # py-spy attaches to every process
            t0 = time.perf_counter()
            ids = {}
            for path in paths:
                with open(path, "rb") as f:
                    r = requests.post(f"{base}/api/photos", headers=headers, files={"file": (path.name, f)},
                                      timeout=60)
                if r.status_code == 202:
                    ids[r.json()["id"]] = path
            uploaded = time.perf_counter() - t0
            final: dict[str, dict] = {}
            deadline = time.monotonic() + 1200
            while len(final) < len(ids) and time.monotonic() < deadline:
                items = requests.get(f"{base}/api/photos?limit=200", headers=headers, timeout=30).json()["items"]
                final = {p["id"]: p for p in items
                         if p["id"] in ids and p["status"] in ("done", "needs_input", "failed")}
                if len(final) < len(ids):
                    # Poll gently: listing work competes with the workers for the same cores.
                    time.sleep(POLL_S)
            elapsed = time.perf_counter() - t0
            labels = {str(ids[i]): sorted({lbl["name"] for lbl in p.get("labels") or []}) for i, p in final.items()}
            if spy is not None:
                spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
                spy.wait(timeout=60)
            stages = stage_seconds(log_path.read_text("utf-8", "replace"))
            return ServiceRun(elapsed, len(final), labels, uploaded, stages,
                              summarize_profile(profile, server.pid) if profile is not None else None)
        finally:
            if spy is not None and spy.poll() is None:
                spy.kill()
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()


_STAGE = re.compile(r"analysed: (.*)$")


def stage_seconds(log: str) -> dict[str, float]:
    """Seconds per stage summed over the photos, from the workers' "photo X analysed: exif 3 ms, ..." lines."""
    out: dict[str, float] = {}
    for line in log.splitlines():
        m = _STAGE.search(line)
        if not m:
            continue
        for part in m.group(1).split(", "):
            name, _, rest = part.partition(" ")
            out[name] = out.get(name, 0.0) + float(rest.split()[0]) / 1000
    return out


# (stage, substring of a py-spy frame): the first rule that matches anywhere in a stack names its stage, so the
# specific ones come first.
PROFILE_RULES = [
    ("model (session.run)", "onnxruntime_inference_collection"),
    ("detect: letterbox + boxes", "adapters/ml/detector.py"),
    ("faces (YuNet, SFace, crops)", "adapters/ml/faces.py"),
    ("faces (YuNet, SFace, crops)", "media/face_crops.py"),
    ("text in photos (read_text)", "adapters/ml/text_reader.py"),
    ("text in photos (read_text)", "services/text.py"),
    ("decode", "media/decode.py"),
    ("thumbnails (resize + JPEG)", "media/thumbnails.py"),
    ("fingerprint (duplicates)", "media/fingerprint.py"),
    ("EXIF", "media/exif.py"),
    ("time zone at the GPS position", "adapters/ml/timezones.py"),
    ("upload: format check", "media/formats.py"),
    ("place", "adapters/ml/geocoder.py"),
    ("people (grouping faces)", "services/people/"),
    ("questions", "services/questions.py"),
    ("trips and places (jobs)", "services/trips.py"),
    ("trips and places (jobs)", "services/places.py"),
    ("duplicates", "services/duplicates.py"),
    ("queue", "adapters/embedded/queue.py"),
    ("blobs (files)", "adapters/embedded/blobstore.py"),
    ("SQLite store", "adapters/embedded/"),
    ("start-up (imports, building the container)", "bootstrap.py"),
    ("upload: photo service", "services/uploads.py"),
    ("upload: photo service", "services/photos.py"),
    ("HTTP (waitress, Flask, JSON)", "waitress"),
    ("worker loop", "entrypoints/worker.py"),
    ("maintenance thread", "services/maintenance.py"),
]


WAITING = ("Condition.wait ", "Event.wait ", "wait (threading", "select (", "poll (selectors")


def summarize_profile(raw: Path, server_pid: int) -> dict[str, float]:
    """CPU ms per "api|worker: stage" from py-spy's raw (folded) output. py-spy samples running threads only,
    so samples x the interval is CPU time (to the sampling's precision)."""
    out: dict[str, float] = {}
    ms = 1000 / PROFILE_RATE
    for line in raw.read_text("utf-8", "replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        if stack.rsplit(";", 1)[-1].startswith(WAITING):
            continue  # a thread blocked in a lock or condition wait, which py-spy does not always see as idle
        procs = re.findall(r"process (\d+):", stack)
        who = "api" if procs and procs[-1] == str(server_pid) else "worker"
        stage = next((name for name, sub in PROFILE_RULES if sub in stack), "other")
        key = f"{who}: {stage}"
        out[key] = out.get(key, 0.0) + int(count) * ms
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def _wait_workers_ready(log_path: Path, server: subprocess.Popen) -> None:
    """Until every worker process (serve's default: one per core) has logged "worker ready" (after loading the
    model, the face models' check and the place data), then one more second for them to reach the queue."""
    want = os.cpu_count() or 1
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("cloudalbum serve exited at start")
        if log_path.read_text("utf-8", "replace").count("worker ready") >= want:
            time.sleep(1)
            return
        time.sleep(0.2)
    raise RuntimeError(f"the {want} workers did not get ready in 180 s")


def _wait_healthy(base: str, server: subprocess.Popen) -> None:
    import requests

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("cloudalbum serve exited at start")
        try:
            if requests.get(f"{base}/api/health", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError("cloudalbum serve did not become healthy in 120 s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--min-kb", type=float, default=20, help="only photos over this size (0: every file)")
    ap.add_argument("--profile", action="store_true", help="one more service run under py-spy (not timed)")
    ap.add_argument("--model", default="yolov8n", help="the service's model (yolo11n: the rectangular-input "
                    "option); Ultralytics keeps yolov8n.onnx, the yardstick")
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    if not ULTRA_PY.exists():
        print("needs .venvs/ultralytics: CLOUDALBUM_BENCH_ULTRALYTICS=1 bash scripts/install-tools.sh")
        return 2
    if args.profile and not PYSPY.exists():
        print("--profile needs .venvs/pyspy: CLOUDALBUM_BENCH_ULTRALYTICS=1 bash scripts/install-tools.sh")
        return 2
    paths = photos(int(args.min_kb * 1000))
    load_before = os.getloadavg()
    ultra = run_ultralytics(paths, args.runs)
    paths = [Path(p) for p in ultra["paths"]]  # the same photos on both sides
    passes = ", ".join(f"{x:.2f}" for x in ultra["passes"])
    print(f"{len(paths)} photos; Ultralytics: {ultra['seconds']:.2f} s (passes {passes})", flush=True)
    service_runs = []
    for i in range(args.runs):
        service_runs.append(run_service(paths, model=args.model))
        print(f"  service run {i + 1}: {service_runs[-1].seconds:.2f} s", flush=True)
    load_after = os.getloadavg()
    ours = statistics.median(r.seconds for r in service_runs)
    upload_s = statistics.median(r.upload_s for r in service_runs)
    processed = service_runs[0].final
    agree = sum(1 for p in paths if set(ultra["labels"].get(str(p), [])) == set(service_runs[0].labels.get(str(p), [])))
    stages = {k: statistics.median(r.stages.get(k, 0.0) for r in service_runs) for k in service_runs[0].stages}
    section = "\n".join([
        SECTION, "",
        f"Measured by `bench/ultralytics_compare.py --runs {args.runs}` on "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, load average "
        f"{load_before[0]:.1f} before / {load_after[0]:.1f} after, {len(paths)} photos (over {args.min_kb:g} KB, "
        f"read by both), medians of {args.runs} runs, same yolov8n.onnx weights, faces on, one list request per "
        f"{POLL_S} s.", "",
        "| | seconds | photos/s |", "|---|---|---|",
        f"| Ultralytics `YOLO(onnx).predict()`, detection only, one process | {ultra['seconds']:.2f} | "
        f"{len(paths) / ultra['seconds']:.1f} |",
        f"| cloudalbum `serve` ({args.model}, default workers, faces on), first upload to last photo final, "
        "everything | "
        f"{ours:.2f} | {processed / ours:.1f} |",
        f"| of which: the uploads themselves (sequential HTTP, one client) | {upload_s:.2f} | |",
        f"| **speed: Ultralytics seconds / cloudalbum seconds** (goal >= 1.5) | **{ultra['seconds'] / ours:.2f}x** | |",
        "", "Worker time per stage over the photos (the workers' log, wall time inside each worker, median run): "
        + ", ".join(f"{k} {v:.2f} s" for k, v in stages.items()) + ".", "",
        f"Label sets identical on {agree} of {len(paths)} photos (conf 0.25, NMS IoU 0.7 on both sides; the "
        "others differ by a low-confidence object where the resampling differs).", "",
    ])
    print(section)
    if args.profile:
        out = ROOT / "bench" / "out"
        out.mkdir(exist_ok=True)
        run = run_service(paths, profile=out / "ultralytics_compare.pyspy.txt", model=args.model)
        total = sum(run.profile.values())
        print(f"py-spy over one more run ({run.seconds:.2f} s, not timed: the profiler costs CPU too), CPU ms per "
              f"stage, {total:.0f} ms in all ({total / max(run.final, 1):.0f} ms per photo):")
        for key, value in run.profile.items():
            print(f"  {key:45s} {value:8.0f} ms  {value / total:6.1%}  {value / max(run.final, 1):6.1f} ms/photo")
    if args.write_docs:
        from detect import write_docs  # bench/ is on sys.path: the script's own folder

        write_docs(section, SECTION)
    return 0


if __name__ == "__main__":
    sys.exit(main())
