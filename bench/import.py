"""Import rate of a Takeout-style zip of N photos (default 2,000) and the importer's memory over the run.

Builds a zip of small, distinct JPEGs (each with a Takeout JSON sidecar; every tenth folder an album with a
metadata.json), then runs the real `cloudalbum import` in a subprocess against a fresh embedded data dir
(no workers: the import's own cost, not processing's) while sampling its RSS every 0.1 s. Reports photos per
minute (median of --runs) and the RSS samples at 10%, 50% and 90% of each run, and the peak: flat memory means
the importer holds one entry at a time whatever the archive's size. A second, smaller import (N/4) in the same
run gives the baseline the N-photo figures are read against (rate and peak should match).

    PYTHONPATH=$PWD/src .venv/bin/python bench/import.py            # 2,000 photos, 3 runs
    PYTHONPATH=$PWD/src .venv/bin/python bench/import.py --photos 500 --runs 1

Wall-clock figures need an idle machine: take the final ones there.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"


def jpeg(i: int) -> bytes:
    img = Image.new("RGB", (320, 240), ((i * 37) % 256, (i * 91) % 256, (i * 13) % 256))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85, comment=f"bench {i}")
    return buf.getvalue()


def build_zip(path: Path, photos: int) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for i in range(photos):
            folder = f"Takeout/Google Photos/Album {i // 100}" if (i // 100) % 10 == 0 else \
                f"Takeout/Google Photos/Photos from {2000 + i // 100}"
            if i % 100 == 0 and folder.endswith(f"Album {i // 100}"):
                zf.writestr(f"{folder}/metadata.json", json.dumps({"title": f"Album {i // 100}"}))
            name = f"IMG_{i:05d}.jpg"
            zf.writestr(f"{folder}/{name}", jpeg(i))
            zf.writestr(f"{folder}/{name}.supplemental-metadata.json", json.dumps({
                "title": name, "description": f"photo {i}",
                "photoTakenTime": {"timestamp": str(1_500_000_000 + i * 3600)},
                "geoData": {"latitude": 48.0 + i / 10_000, "longitude": 2.0, "altitude": 0.0}}))


def rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS"))
    except (OSError, StopIteration):
        return 0


def run_import(archive: Path, photos: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("CLOUDALBUM_")},
               "CLOUDALBUM_DATA_DIR": str(Path(tmp) / "data"), "CLOUDALBUM_WORKERS": "0"}
        cli = [sys.executable, "-m", "cloudalbum.entrypoints.cli"]
        subprocess.run([*cli, "users", "create", "--email", "bench@example.com", "--password", PASSWORD],
                       env=env, check=True, capture_output=True)
        start = time.perf_counter()
        proc = subprocess.Popen([*cli, "import", str(archive), "--email", "bench@example.com", "--no-progress"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        samples = []
        while proc.poll() is None:
            samples.append(rss(proc.pid))
            time.sleep(0.1)
        elapsed = time.perf_counter() - start
        out, err = proc.communicate()
        if proc.returncode != 0 or f"imported {photos}," not in out:
            raise SystemExit(f"import failed ({proc.returncode}): {out[-2000:]} {err[-2000:]}")
    samples = [s for s in samples if s] or [0]

    def pick(q: float) -> float:
        """The q-quantile of the RSS samples, in MiB."""
        return samples[min(len(samples) - 1, int(q * len(samples)))] / 2**20

    return {"photos_per_min": photos / elapsed * 60, "seconds": elapsed, "rss_10": pick(0.1),
            "rss_50": pick(0.5), "rss_90": pick(0.9), "rss_peak": max(samples) / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for n in (max(1, args.photos // 4), args.photos):
            archive = Path(tmp) / f"takeout-{n}.zip"
            build_zip(archive, n)
            runs = [run_import(archive, n) for _ in range(args.runs)]
            results[n] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            results[n]["zip_mib"] = archive.stat().st_size / 2**20
        print(f"{'photos':>7} {'zip MiB':>8} {'photos/min':>11} {'s':>7} {'RSS 10%':>8} {'50%':>7} {'90%':>7} "
              f"{'peak':>7}")
        for n, r in results.items():
            print(f"{n:>7} {r['zip_mib']:>8.1f} {r['photos_per_min']:>11.0f} {r['seconds']:>7.1f} "
                  f"{r['rss_10']:>8.1f} {r['rss_50']:>7.1f} {r['rss_90']:>7.1f} {r['rss_peak']:>7.1f}")
        small, big = results[max(1, args.photos // 4)], results[args.photos]
        print(f"rate ratio {args.photos} vs {max(1, args.photos // 4)}: "
              f"{big['photos_per_min'] / small['photos_per_min']:.2f}; "
              f"peak RSS ratio: {big['rss_peak'] / max(small['rss_peak'], 1e-9):.2f} (flat memory: about 1)")


if __name__ == "__main__":
    main()
