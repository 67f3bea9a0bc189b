"""Timeline benchmark: GET /api/timeline past the HTTP layer on the synthetic library of bench/search.py
(100,000 photos of one owner over 20 years, 3% undated, + 10,000 of another owner, in the real schema).

    .venv/bin/python bench/timeline.py [--photos 100000] [--runs 5] [--calls 200] [--rebuild]

Reported per run: p50/p95 of --calls unfiltered timelines (search parameters parsed, the store's month
counters read, the buckets built as the route does), and for comparison the same answer computed by an
aggregate over the search index's date column (a covering index of the owner's rows), which is what the
counters save; a few filtered timelines (they count through the search path) are shown as information.
Each figure is the median over --runs runs. The library is shared with bench/search.py (same cache).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from cloudalbum.adapters.embedded.store import SqliteMetadataStore
from cloudalbum.entrypoints.api.search_params import parse_search_params
from cloudalbum.services.search import SearchService
from search import OWNER, TODAY, build, cache_path, pct, timed

FILTERED = [{"label": "dog"}, {"place": "Paris"}, {"from": "2015-01-01", "to": "2015-12-31"}, {"q": "dogs in paris"}]


def api_timeline(service: SearchService, params: dict[str, Any]) -> dict[str, Any]:
    """What GET /api/timeline does past the HTTP layer: parse, read q, ask the store, shape the JSON."""
    query, _reading = service.read(OWNER, parse_search_params(params))
    t = service.timeline(OWNER, query)
    return {"buckets": [{"month": b.month, "count": b.count} for b in t.buckets], "undated": t.undated}


def aggregate(store: SqliteMetadataStore) -> list[tuple[str | None, int]]:
    """The same counts by a GROUP BY over the owner's rows of the date index (grows with the library)."""
    return store.db.read().execute(
        "SELECT substr(taken_day, 1, 7), COUNT(*) FROM search_doc WHERE owner_id = ? GROUP BY 1 ORDER BY 1 DESC",
        (OWNER,)).fetchall()


def run_once(store: SqliteMetadataStore, service: SearchService, calls: int) -> dict[str, float]:
    plain = [timed(lambda: api_timeline(service, {})) for _ in range(calls)]
    agg = [timed(lambda: aggregate(store)) for _ in range(max(5, calls // 20))]
    filtered = [timed(lambda p=p: api_timeline(service, p)) for p in FILTERED]
    return {"p50": pct(plain, 50), "p95": pct(plain, 95), "max": max(plain), "agg_p50": pct(agg, 50),
            "filtered_p50": pct(filtered, 50), "filtered_max": max(filtered)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args()
    path = cache_path(args.photos)
    if args.rebuild or not path.exists():
        build(path, args.photos)
    store = SqliteMetadataStore(path)
    service = SearchService(store.index, store.faces, today=lambda: TODAY)
    answer = api_timeline(service, {})
    total = sum(b["count"] for b in answer["buckets"]) + answer["undated"]
    expected = {(m or None): c for m, c in aggregate(store)}
    assert {b["month"]: b["count"] for b in answer["buckets"]} == {m: c for m, c in expected.items() if m}
    assert answer["undated"] == expected.get(None, 0)
    run_once(store, service, args.calls)  # warm the page cache
    runs = [run_once(store, service, args.calls) for _ in range(args.runs)]
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(f"library: {total:,} photos of the owner in {len(answer['buckets'])} months ({answer['undated']:,} undated);"
          f" {args.calls} calls x {args.runs} runs (median of runs), wall time")
    print(f"unfiltered timeline (month counters)   p50 {med['p50']:.3f} ms  p95 {med['p95']:.3f} ms"
          f"  max {med['max']:.3f} ms")
    print(f"the same by GROUP BY over the date index  p50 {med['agg_p50']:.2f} ms")
    print(f"filtered timelines {FILTERED}: p50 {med['filtered_p50']:.1f} ms  max {med['filtered_max']:.1f} ms")
    print(f"goal: unfiltered p95 < 20 ms: {'met' if med['p95'] < 20 else 'NOT met'}")
    store.close()


if __name__ == "__main__":
    main()
