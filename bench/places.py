"""Inferred places: how far they land (issue 16 item 2). Hides the GPS of located photos, infers their places
with the service's rule (domain.places.estimate, from the nearest located photos before and after), and
compares with where they were taken, over:

* the made-up journey of tests/places/journeys.py (10 days, 4 borders, on foot, by car and by train), three
  ways: each photo hidden alone (leave one out), a random 30 % hidden at once (a second camera without GPS),
  and runs of 1 to 4 hours hidden (about 30 %: the phone's GPS was off for an afternoon);
* the located photos of ../shared/photos (MANIFEST.csv), each hidden alone.

    .venv/bin/python bench/places.py [--windows 1,2,3,4] [--seed 16]

Reported per case and time window: how many photos got a place set (sure) or suggested, the median and 90th
percentile error in km, the share within 1 km and the share placed in another country than the true one
(both by the offline geocoder). docs/places.md has the figures.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from cloudalbum.adapters.ml.geocoder import OfflineGeocoder
from cloudalbum.domain.times import taken_seconds
from places.journeys import Report, Shot, hide_runs, hide_share, journey, measure

CORPUS = Path(os.environ.get("CLOUDALBUM_PHOTOS", ROOT.parent / "shared" / "photos"))


def corpus_shots() -> list[Shot]:
    """The corpus's located photos with a time, as shots (their EXIF times read as the service reads them)."""
    shots: list[Shot] = []
    manifest = CORPUS / "MANIFEST.csv"
    if not manifest.exists():
        return shots
    with open(manifest, newline="") as f:
        for row in csv.DictReader(f):
            lat, lon, when = row["expected_lat"], row["expected_lon"], row["expected_datetime_original"]
            if not (lat and lon and when) or (float(lat) == 0 and float(lon) == 0) or abs(float(lat)) > 90:
                continue
            ts = taken_seconds(datetime.strptime(when, "%Y:%m:%d %H:%M:%S").isoformat())
            if ts is not None:
                shots.append(Shot(len(shots), ts, float(lat), float(lon)))
    return sorted(shots, key=lambda s: s.ts)


def leave_one_out(shots: list[Shot], country, window_s: int) -> Report:  # type: ignore[no-untyped-def]
    total = Report(0, [], [])
    for s in shots:
        r = measure(shots, {s.n}, country=country, window_s=window_s)
        total.hidden += 1
        total.sure += r.sure
        total.suggested += r.suggested
    return total


def row(case: str, hours: float, report: Report) -> str:
    def part(errors: list[tuple[float, bool]]) -> str:
        d = report.line(errors)
        if not d["count"]:
            return "0 | – | – | – | –"
        return (f"{d['count']:.0f} ({d['share']:.0%}) | {d['median_km']:.2f} | {d['p90_km']:.2f} | "
                f"{d['within_1km']:.0%} | {d['wrong_country']:.1%}")
    both = report.sure + report.suggested
    med = report.line(both)["median_km"] if both else math.nan
    return f"| {case} | {hours:g} h | {report.hidden} | {part(report.sure)} | {part(report.suggested)} | {med:.2f} |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--windows", default="1,2,3,4", help="time windows to try, in hours")
    ap.add_argument("--seed", type=int, default=16)
    args = ap.parse_args()
    geocoder = OfflineGeocoder()
    cache: dict[tuple[float, float], str | None] = {}

    def country(lat: float, lon: float) -> str | None:
        key = (round(lat, 4), round(lon, 4))
        if key not in cache:
            place = geocoder.reverse(lat, lon)
            cache[key] = place.country_code if place else None
        return cache[key]

    shots = journey(args.seed)
    corpus = corpus_shots()
    print(f"journey: {len(shots)} photos over {(shots[-1].ts - shots[0].ts) / 86400:.1f} days; "
          f"corpus: {len(corpus)} located photos with a time\n")
    print("| case | window | hidden | set: n (share) | median km | p90 km | within 1 km | other country "
          "| suggested: n (share) | median km | p90 km | within 1 km | other country | median km, both |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for hours in (float(h) for h in args.windows.split(",")):
        w = int(hours * 3600)
        print(row("journey, each alone", hours, leave_one_out(shots, country, w)))
        print(row("journey, 30 % at random", hours, measure(shots, hide_share(shots, 0.3), country=country,
                                                               window_s=w)))
        print(row("journey, runs of 1-4 h", hours, measure(shots, hide_runs(shots, 0.3), country=country,
                                                              window_s=w)))
        if corpus:
            print(row("corpus, each alone", hours, leave_one_out(corpus, country, w)))


if __name__ == "__main__":
    main()
