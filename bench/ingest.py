#!/usr/bin/env python3
"""Ingest benchmark: the real embedded service under concurrent uploads while its workers process.

Starts `cloudalbum serve` (a free loopback port, a temporary data dir, the default number of worker processes
unless --workers), signs up one user, and uploads N real photos (cycling through the JPEG/PNG files of
../shared/photos/gps and objects, with a generated ~3 MB JPEG every tenth upload) from C concurrent clients
(threads, one requests.Session each) while the workers process. Then it waits until every photo is final and
reports:

* upload latency p50/p90/p99/max, overall and for the 3 MB JPEG (client-side, request sent -> 202 read);
* processing throughput in photos per minute (first upload -> last photo final), and the same against the
  service's own compute: the per-photo stage times the workers log ("photo ... analysed: exif .. ms, ..."),
  i.e. what a pure processing loop (bench/detect.py, bench/workers.py) achieves with the same workers;
* queue depth over time (the queue database read through SqliteJobQueue.depth());
* worker memory (VmRSS / VmHWM of the serve process's worker children, from /proc/<pid>/status);
* lost and duplicated photos: every 202'd id must be listed exactly once and end done/needs_input/failed,
  and no photo may carry a duplicate label. Any loss or duplicate makes the exit status 1.

`--aws` runs the AWS shape against emulators instead: a moto server (S3, SQS, DynamoDB) started here,
`cloudalbum aws-init`, `cloudalbum serve --workers 0` and W `cloudalbum worker` processes with
CLOUDALBUM_BACKEND=aws and AWS_ENDPOINT_URL pointing at moto.

    .venv/bin/python bench/ingest.py [--photos 500] [--clients 8] [--workers N] [--json out.json] [--aws]
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
PHOTOS = Path(os.environ.get("CLOUDALBUM_PHOTOS", ROOT.parent / "shared" / "photos"))
CLI = [sys.executable, "-m", "cloudalbum.entrypoints.cli"]
FINAL = ("done", "needs_input", "failed")
BIG_EVERY = 10
STAGE_LINE = re.compile(r"photo (\S+) analysed: (.*)$")


# --- inputs ---------------------------------------------------------------------------------------------


def corpus_files() -> list[Path]:
    files = [p for d in ("gps", "objects") for p in sorted((PHOTOS / d).iterdir())
             if p.suffix.lower() in (".jpg", ".jpeg", ".png")]
    if not files:
        sys.exit(f"no photos under {PHOTOS}/gps or objects (set CLOUDALBUM_PHOTOS)")
    return files


def big_jpeg(target: int = 3 * 1024 * 1024) -> bytes:
    """A ~3 MB camera-like JPEG: smooth colour fields plus fine noise (so it does not compress away),
    3000x2000."""
    from PIL import Image, ImageFilter

    rng = random.Random(8)
    w, h = 3000, 2000
    coarse = Image.frombytes("RGB", (w // 4, h // 4), rng.randbytes(w // 4 * h // 4 * 3))
    img = coarse.resize((w, h), Image.BILINEAR).filter(ImageFilter.SMOOTH)
    fine = Image.frombytes("L", (w, h), rng.randbytes(w * h)).convert("RGB")
    best = b""
    for alpha in (0.10, 0.18, 0.26, 0.35, 0.45):
        for q in (85, 90, 94):
            buf = io.BytesIO()
            Image.blend(img, fine, alpha).save(buf, "JPEG", quality=q)
            data = buf.getvalue()
            if abs(len(data) - target) < abs(len(best) - target):
                best = data
            if len(data) >= target:
                return best
    return best


# --- the service ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Service:
    """The service under test, its processes, its log."""

    def __init__(self, args: argparse.Namespace, data_dir: Path) -> None:
        self.args, self.data_dir = args, data_dir
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.log_path = data_dir.parent / "service.log"
        self.log = open(self.log_path, "w")
        self.procs: list[subprocess.Popen] = []
        self.worker_pids: list[int] = []
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDALBUM_")}
        self.env.update({"CLOUDALBUM_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1",
                         "CLOUDALBUM_ACCESS_TTL_S": "86400"})
        self.moto: Any = None
        self.base = ""

    @property
    def workers(self) -> int:
        return self.args.workers if self.args.workers is not None else (os.cpu_count() or 1)

    def start(self) -> None:
        if self.args.aws:
            self._start_moto()
            subprocess.run([*CLI, "aws-init"], env=self.env, check=True, stdout=self.log, stderr=self.log,
                           timeout=120)
            serve_workers: str | None = "0"
        else:
            serve_workers = None if self.args.workers is None else str(self.args.workers)
        cmd = [*CLI, "serve", "--host", "127.0.0.1", "--port", "0"]
        if serve_workers is not None:
            cmd += ["--workers", serve_workers]
        serve = subprocess.Popen(cmd, env=self.env, stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.procs.append(serve)
        out = serve.stdout
        assert out is not None  # stdout=PIPE
        line = out.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            raise SystemExit(f"serve did not start: {line!r}; see {self.log_path}")
        threading.Thread(target=out.read, daemon=True).start()
        self.base = f"http://127.0.0.1:{m.group(1)}"
        if self.args.aws:
            for _ in range(self.workers):
                self.procs.append(subprocess.Popen([*CLI, "worker"], env=self.env, stdout=self.log,
                                                   stderr=self.log))
            self.worker_pids = [p.pid for p in self.procs[1:]]

    def _start_moto(self) -> None:
        port = free_port()
        # Its own process (not a thread of this one): the emulator must not share a GIL with the clients.
        self.moto = subprocess.Popen([str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1",
                                      "-p", str(port)], stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(f"http://127.0.0.1:{port}/moto-api/", timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.2)
        self.env.update({"CLOUDALBUM_BACKEND": "aws", "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
                         "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                         "AWS_DEFAULT_REGION": "us-east-1", "CLOUDALBUM_AWS_REGION": "us-east-1",
                         "CLOUDALBUM_S3_BUCKET": "bench-photos", "CLOUDALBUM_DYNAMODB_TABLE": "bench",
                         "CLOUDALBUM_SQS_QUEUE": "bench-jobs", "CLOUDALBUM_SQS_DLQ": "bench-jobs-dlq"})

    def worker_processes(self) -> list[int]:
        """The worker processes: the serve process's spawned children (not multiprocessing's resource
        tracker), or the `cloudalbum worker` processes in the AWS shape."""
        if self.args.aws:
            return [p for p in self.worker_pids if Path(f"/proc/{p}").exists()]
        serve = self.procs[0].pid
        out = []
        for d in Path("/proc").iterdir():
            if not d.name.isdigit():
                continue
            try:
                stat = (d / "stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                if ppid != serve:
                    continue
                cmdline = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except (OSError, ValueError, IndexError):
                continue
            if "resource_tracker" not in cmdline:
                out.append(int(d.name))
        return out

    def depth(self) -> dict[str, int] | None:
        try:
            if self.args.aws:
                import boto3

                sqs = boto3.client("sqs", endpoint_url=self.env["AWS_ENDPOINT_URL"], region_name="us-east-1",
                                   aws_access_key_id="testing", aws_secret_access_key="testing")
                out = {}
                for name, key in (("bench-jobs", "visible"), ("bench-jobs-dlq", "dead")):
                    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
                    a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
                    out[key] = int(a.get("ApproximateNumberOfMessages", 0))
                    if key == "visible":
                        out["in_flight"] = int(a.get("ApproximateNumberOfMessagesNotVisible", 0))
                return out
            from cloudalbum.adapters.embedded.queue import SqliteJobQueue
            from cloudalbum.config import Settings

            if not hasattr(self, "_queue"):
                s = Settings()  # the serve process's queue settings (depth() redrives by max_receives)
                self._queue = SqliteJobQueue(self.data_dir / "queue.sqlite3",
                                             visibility_timeout_s=s.visibility_timeout_s,
                                             max_receives=s.max_receives)
            d = self._queue.depth()
            return {"visible": d.visible, "in_flight": d.in_flight, "dead": d.dead}
        except Exception:  # a sample missed is not a failure
            return None

    def stop(self) -> None:
        for p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in reversed(self.procs):
            try:
                p.wait(60)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(10)
        if hasattr(self, "_queue"):
            self._queue.close()
        if self.moto is not None:
            self.moto.terminate()
            self.moto.wait(30)
        self.log.close()


def mem_kib(pid: int) -> tuple[int, int] | None:
    """(VmRSS, VmHWM) in KiB."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    vals = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", text, re.M))
    if "VmRSS" not in vals:
        return None
    return int(vals["VmRSS"]), int(vals.get("VmHWM", vals["VmRSS"]))


# --- the run ----------------------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, -(-len(s) * p // 100) - 1))
    return s[int(k)]


def lat_summary(values: list[float]) -> dict[str, Any]:
    ms = [v * 1000 for v in values]
    return {"n": len(ms), "p50_ms": round(pct(ms, 50), 1), "p90_ms": round(pct(ms, 90), 1),
            "p99_ms": round(pct(ms, 99), 1), "max_ms": round(max(ms), 1) if ms else None,
            "mean_ms": round(statistics.fmean(ms), 1) if ms else None}


def list_all(s: requests.Session, base: str, auth: dict[str, str]) -> list[dict[str, Any]]:
    items, cursor = [], None
    while True:
        q = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        r = s.get(base + "/api/photos", params=q, headers=auth, timeout=60)
        r.raise_for_status()
        page = r.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def can_be_unique(data: bytes) -> bool:
    return data[:2] == b"\xff\xd8" or data[:8] == PNG_SIGNATURE


def unique_bytes(data: bytes, i: int) -> bytes:
    """The same image in new bytes (a JPEG comment or a PNG text chunk naming the upload): identical bytes are
    one photo per owner (answered 200 "duplicate"), and every upload here must be a new photo."""
    text = f"cloudalbum bench upload {i}".encode()
    if data[:2] == b"\xff\xd8":
        return data[:2] + b"\xff\xfe" + struct.pack(">H", len(text) + 2) + text + data[2:]
    if data[:8] == PNG_SIGNATURE:
        chunk = b"tEXt" + b"Comment\x00" + text
        end = data.rindex(b"IEND") - 4
        crc = struct.pack(">I", zlib.crc32(chunk))
        return data[:end] + struct.pack(">I", len(chunk) - 4) + chunk + crc + data[end:]
    return data  # other formats go once only (see run)


def run(args: argparse.Namespace) -> dict[str, Any]:
    files = corpus_files()
    big = big_jpeg()
    cache = {p: p.read_bytes() for p in files}
    payloads: list[tuple[str, bytes, bool]] = []
    fi = 0
    for i in range(args.photos):
        if i % BIG_EVERY == BIG_EVERY - 1:
            payloads.append((f"big_{i}.jpg", unique_bytes(big, i), True))
            continue
        p = files[fi % len(files)]
        fi += 1
        while fi > len(files) and not can_be_unique(cache[p]):  # a repeat must be new bytes: JPEG or PNG only
            p = files[fi % len(files)]
            fi += 1
        payloads.append((p.name, unique_bytes(cache[p], i), False))

    tmp = Path(tempfile.mkdtemp(prefix="cloudalbum-ingest-"))
    svc = Service(args, tmp / "data")
    result: dict[str, Any] = {"shape": "aws (moto)" if args.aws else "embedded", "photos": args.photos,
                              "clients": args.clients, "workers": svc.workers, "cpus": os.cpu_count(),
                              "big_jpeg_bytes": len(big), "corpus_files": len(files)}
    try:
        svc.start()
        s = requests.Session()
        creds = {"email": "bench@example.com", "password": "correct horse battery staple"}
        assert s.post(svc.base + "/api/auth/register", json=creds, timeout=60).status_code == 201
        tok = s.post(svc.base + "/api/auth/login", json=creds, timeout=60).json()["access_token"]
        auth = {"Authorization": f"Bearer {tok}"}
        time.sleep(args.warmup)  # the workers load the model first: startup is not what we measure
        if args.nice_workers is not None:  # A/B: serve runs its workers at nice 10; 0 (root only) undoes it
            for pid in svc.worker_processes():
                os.setpriority(os.PRIO_PROCESS, pid, args.nice_workers)
            result["workers_niced_to"] = args.nice_workers

        samples: list[dict[str, Any]] = []
        stop_sampling = threading.Event()
        t_start = time.monotonic()

        def sample() -> None:
            while not stop_sampling.is_set():
                row: dict[str, Any] = {"t": round(time.monotonic() - t_start, 2)}
                d = svc.depth()
                if d:
                    row.update(d)
                mem = {pid: mem_kib(pid) for pid in svc.worker_processes()}
                row["rss_mib"] = {pid: round(m[0] / 1024, 1) for pid, m in mem.items() if m}
                row["hwm_mib"] = {pid: round(m[1] / 1024, 1) for pid, m in mem.items() if m}
                samples.append(row)
                stop_sampling.wait(args.sample_every)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()

        lock = threading.Lock()
        nxt = iter(range(len(payloads)))
        results: list[dict[str, Any]] = []

        def client() -> None:
            sess = requests.Session()
            while True:
                with lock:
                    i = next(nxt, None)
                if i is None:
                    return
                name, data, is_big = payloads[i]
                t0 = time.monotonic()
                try:
                    r = sess.post(svc.base + "/api/photos", files={"file": (name, data)}, headers=auth,
                                  timeout=120)
                    status = r.status_code
                    body = r.json() if r.headers.get("content-type", "").startswith("application/json") else None
                except requests.RequestException as exc:
                    status, body = -1, {"exception": str(exc)}
                dt = time.monotonic() - t0
                with lock:
                    results.append({"i": i, "big": is_big, "status": status, "s": dt, "t0": t0 - t_start,
                                    "id": (body or {}).get("id") if status == 202 else None,
                                    "error": None if status == 202 else body})

        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        t_uploaded = time.monotonic() - t_start

        # Probe: one client, one 3 MB JPEG at a time, while the workers still work through the backlog. This is
        # the latency a user sees while processing runs, without the 8-client saturation of the API process
        # (with C clients always in flight, latency is C / upload throughput: Little's law).
        probe: list[float] = []
        probe_depth: list[int] = []
        for n in range(args.probe):
            d = svc.depth() or {}
            if n and not d.get("visible"):
                break  # the backlog is gone: no longer "while processing runs"
            t0 = time.monotonic()
            r = s.post(svc.base + "/api/photos", files={"file": (f"probe_{n}.jpg", unique_bytes(big, -1 - n))},
                       headers=auth, timeout=120)
            dt = time.monotonic() - t0
            results.append({"i": -1 - n, "big": True, "status": r.status_code, "s": dt, "t0": t0 - t_start,
                            "id": r.json().get("id") if r.status_code == 202 else None, "probe": True,
                            "error": None if r.status_code == 202 else r.text[:200]})
            if r.status_code == 202:
                probe.append(dt)
                probe_depth.append(int(d.get("visible") or 0))
            time.sleep(args.probe_pause)

        ok = [r for r in results if r["status"] == 202]
        ids = [r["id"] for r in ok]
        final_at: dict[str, float] = {}
        statuses: dict[str, str] = {}
        listed: list[str] = []
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            photos = list_all(s, svc.base, auth)
            listed = [p["id"] for p in photos]
            now = time.monotonic() - t_start
            for p in photos:
                statuses[p["id"]] = p["status"]
                if p["status"] in FINAL and p["id"] not in final_at:
                    final_at[p["id"]] = now
            if all(statuses.get(i) in FINAL for i in ids):
                break
            time.sleep(args.poll_every)
        t_done = max(final_at.values()) if final_at else float("nan")
        stop_sampling.set()
        sampler.join()

        # --- correctness ---
        counts = collections.Counter(listed)
        id_set = set(ids)
        lost = [i for i in ids if counts[i] == 0]
        dup_listed = [i for i, n in counts.items() if n > 1]
        stray = [i for i in counts if i not in id_set]
        not_final = [i for i in ids if statuses.get(i) not in FINAL]
        dup_labels = []
        for pid in ids:
            if counts[pid] == 0:
                continue
            p = s.get(svc.base + f"/api/photos/{pid}", headers=auth, timeout=60).json()
            names = [(lb["name"], lb.get("source")) for lb in p.get("labels") or []]
            if len(names) != len(set(names)):
                dup_labels.append(pid)
        by_status = collections.Counter(statuses.get(i) for i in ids)

        # --- figures ---
        first_upload = min(r["t0"] for r in results)
        span = t_done - first_upload
        stages = []
        for line in open(svc.log_path, errors="replace"):
            m = STAGE_LINE.search(line)
            if m:
                stages.append(sum(float(x) for x in re.findall(r" ([\d.]+) ms", " " + m.group(2))) / 1000)
        workers_busy = min(svc.workers, os.cpu_count() or 1)
        ideal = 60 / statistics.fmean(stages) * workers_busy if stages else float("nan")
        measured = len(ids) / span * 60 if span > 0 else float("nan")
        rss_peak: dict[str, float] = {}
        for row in samples:
            for pid, v in row.get("hwm_mib", {}).items():
                rss_peak[str(pid)] = max(rss_peak.get(str(pid), 0), v)
        depth_series = [(row["t"], row.get("visible"), row.get("in_flight"), row.get("dead")) for row in samples
                        if "visible" in row]
        result.update({
            "uploads": {"sent": len(results), "accepted_202": len(ok),
                        "refused": dict(collections.Counter(str(r["status"]) for r in results
                                                            if r["status"] != 202)),
                        "upload_phase_s": round(t_uploaded - first_upload, 1)},
            "latency_all": lat_summary([r["s"] for r in ok if not r.get("probe")]),
            "latency_big_jpeg": lat_summary([r["s"] for r in ok if r["big"] and not r.get("probe")]),
            "latency_corpus": lat_summary([r["s"] for r in ok if not r["big"]]),
            "latency_big_jpeg_probe_one_client_while_processing": {
                **lat_summary(probe), "queue_visible_min": min(probe_depth, default=None),
                "queue_visible_max": max(probe_depth, default=None)},
            "processing": {
                "first_upload_to_last_final_s": round(span, 1),
                "photos_per_minute": round(measured, 1),
                "worker_compute_s_per_photo_mean": round(statistics.fmean(stages), 3) if stages else None,
                "worker_compute_s_per_photo_p50": round(pct(stages, 50), 3) if stages else None,
                "analysed_log_lines": len(stages),
                "compute_bound_photos_per_minute": round(ideal, 1),
                "efficiency_vs_compute": round(measured / ideal, 3) if stages else None,
            },
            "queue_depth": {"max_visible": max((d[1] or 0 for d in depth_series), default=None),
                            "max_in_flight": max((d[2] or 0 for d in depth_series), default=None),
                            "final_dead": depth_series[-1][3] if depth_series else None,
                            "series_t_visible_inflight_dead": depth_series[::max(1, len(depth_series) // 30)]},
            "worker_memory_mib": {"peak_hwm_per_worker": rss_peak,
                                  "final_rss": samples[-1].get("rss_mib") if samples else None},
            "correctness": {"lost": len(lost), "listed_twice": len(dup_listed), "stray": len(stray),
                            "not_final": len(not_final), "photos_with_duplicate_labels": len(dup_labels),
                            "final_status": dict(by_status), "lost_ids": lost[:10],
                            "not_final_ids": not_final[:10]},
        })
        if args.detect_baseline:
            result["processing"]["detect_py_photos_per_minute"] = args.detect_baseline
            result["processing"]["ratio_vs_detect_py"] = round(measured / args.detect_baseline, 3)
        return result
    finally:
        svc.stop()
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--photos", type=int, default=500)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--workers", type=int, default=None, help="worker processes (default: serve's, one per core)")
    ap.add_argument("--aws", action="store_true", help="the AWS shape against a moto server")
    ap.add_argument("--timeout", type=float, default=3600, help="give up waiting for processing after this")
    ap.add_argument("--warmup", type=float, default=8.0, help="seconds for the workers to load the model")
    ap.add_argument("--sample-every", type=float, default=0.5)
    ap.add_argument("--poll-every", type=float, default=1.0)
    ap.add_argument("--detect-baseline", type=float, default=None,
                    help="photos/minute bench/detect.py reported for the same number of workers (for the ratio)")
    ap.add_argument("--probe", type=int, default=40,
                    help="then upload the 3 MB JPEG this many times from one client while the backlog lasts")
    ap.add_argument("--probe-pause", type=float, default=0.25)
    ap.add_argument("--nice-workers", type=int, default=None,
                    help="A/B: renice the worker processes to this niceness once started (serve uses 10; "
                         "0 undoes that, as root)")
    ap.add_argument("--json", type=Path, help="write the figures here too")
    ap.add_argument("--keep", action="store_true", help="keep the data dir and service.log")
    args = ap.parse_args()
    result = run(args)
    text = json.dumps(result, indent=2, default=str)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    c = result["correctness"]
    bad = c["lost"] or c["listed_twice"] or c["stray"] or c["not_final"] or c["photos_with_duplicate_labels"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
