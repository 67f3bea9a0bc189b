"""Duplicate lookup per photo at 1k, 10k and 100k photos in one SQLite library (issue 15 item 2: "cost per photo
independent of the library size").

Each library is loaded in bulk (photo rows and their dup_keys rows, as the photo write makes them) with random
fingerprints, one in fifty of them a photo with two copies (a re-encode: a few pHash bits flipped; a crop: one
of its crop hashes becomes the copy's whole-image hash). Then, for new photos (half of them copies of library
photos, half unrelated), DuplicateService.matches runs as processing runs it: the index probes (17 keys, each
row kept only when its dHash prefilter passes), the candidates' fingerprints checked in memory, the photos
read for the likely ones, the burst neighbours read from the owner's time order. Reported: milliseconds per
photo (median and 95th percentile), candidates per photo (rows that pass the prefilter, joined to their
fingerprints), the index rows that share a key before it, and that every copy was found.

    python bench/duplicates.py [--sizes 1000,10000,100000] [--probes 200]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from cloudalbum.adapters.embedded.photo_rows import photo_doc, sort_key
from cloudalbum.adapters.embedded.store import SqliteMetadataStore
from cloudalbum.domain import duplicates as D
from cloudalbum.domain.duplicates import Fingerprint, key_rows, lookup_keys
from cloudalbum.domain.model import Camera, Photo, User, iso, new_id
from cloudalbum.services.duplicates import DuplicateService


def random_hash(rng: random.Random) -> str:
    return f"{rng.getrandbits(64):016x}"


def flip(h: str, bits: int, rng: random.Random) -> str:
    value = int(h, 16)
    for b in rng.sample(range(64), bits):
        value ^= 1 << b
    return f"{value:016x}"


def fingerprint(rng: random.Random) -> Fingerprint:
    return Fingerprint(pixels=f"{rng.getrandbits(128):032x}", phash=random_hash(rng), dhash=random_hash(rng),
                       aspect=1.3333, exif_tags=rng.randrange(60),
                       crops=tuple((random_hash(rng), random_hash(rng)) for _ in range(3)))


def copy_of(fp: Fingerprint, rng: random.Random) -> Fingerprint:
    """A re-encoded copy (a few bits of each hash flip) or a crop (its whole-image hashes are near one of the
    original's crops)."""
    if rng.random() < 0.5:
        return Fingerprint(f"{rng.getrandbits(128):032x}", flip(fp.phash, 2, rng), flip(fp.dhash, 3, rng), fp.aspect,
                           0, True, tuple((flip(p, 4, rng), flip(d, 4, rng)) for p, d in fp.crops))
    p, d = fp.crops[rng.randrange(3)]
    return Fingerprint(f"{rng.getrandbits(128):032x}", flip(p, 2, rng), flip(d, 2, rng), fp.aspect, 0, True,
                       tuple((random_hash(rng), random_hash(rng)) for _ in range(3)))


def photo(owner: str, fp: Fingerprint, i: int) -> Photo:
    pid = new_id()
    return Photo(id=pid, owner_id=owner, filename=f"{i}.jpg", content_type="image/jpeg", bytes=1000,
                 original_key=f"originals/{owner}/{pid}", uploaded_at="2024-01-01T00:00:00+00:00", status="done",
                 width=4000, height=3000, taken_at=iso(datetime(2010, 1, 1) + timedelta(seconds=37 * i))[:19],
                 camera=Camera("Canon", "EOS"), fingerprint=fp)


def load(store: SqliteMetadataStore, owner: str, photos: list[Photo]) -> None:
    with store.db.tx() as conn:
        conn.executemany("INSERT INTO photos (id, owner_id, status, sort_key, taken_at, uploaded_at, bytes, version,"
                         " doc) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)",
                         [(p.id, owner, p.status, sort_key(p), p.taken_at, p.uploaded_at, p.bytes, photo_doc(p))
                          for p in photos])
        conn.executemany("INSERT OR IGNORE INTO dup_keys (owner_id, key, photo_id, near) VALUES (?, ?, ?, ?)",
                         [(owner, r.key, p.id, r.near or None) for p in photos if p.fingerprint
                          for r in key_rows(p.fingerprint)])
        conn.executemany("INSERT INTO dup_prints (photo_id, owner_id, fp) VALUES (?, ?, ?)",
                         [(p.id, owner, p.fingerprint.to_text()) for p in photos if p.fingerprint])


def run(size: int, probes: int, rng: random.Random) -> dict[str, float | int]:
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteMetadataStore(Path(tmp) / "bench.sqlite3")
        owner = User(id=new_id(), email="bench@example.com", password_hash="x", created_at="2024-01-01T00:00:00Z")
        store.users.add_user(owner)
        library = [photo(owner.id, fingerprint(rng), i) for i in range(size)]
        for start in range(0, size, 20_000):
            load(store, owner.id, library[start:start + 20_000])
        service = DuplicateService(store.duplicates, store.photos, store.albums, trash=lambda o, p: None)
        times, candidates, rows, found = [], [], [], 0
        for i in range(probes):
            is_copy = i % 2 == 0
            base = rng.choice(library)
            assert base.fingerprint is not None
            new = photo(owner.id, copy_of(base.fingerprint, rng) if is_copy else fingerprint(rng), size + i)
            new.camera = Camera("Nikon", "D70")  # not a burst of the library's camera
            new.taken_at = base.taken_at if is_copy else None  # a copy carries its original's time
            t0 = time.perf_counter()
            matches = service.matches(new)
            times.append(time.perf_counter() - t0)
            assert new.fingerprint is not None
            candidates.append(len(store.duplicates.candidates(owner.id, D.probes(new.fingerprint))))
            rows.append(len(store.duplicates.candidates(owner.id, lookup_keys(new.fingerprint))))  # no prefilter
            if is_copy:
                found += base.id in {m.photo_id for m in matches}
        store.close()
    times.sort()
    return {"photos": size, "median_ms": round(statistics.median(times) * 1000, 2),
            "p95_ms": round(times[int(len(times) * 0.95)] * 1000, 2),
            "candidates_per_photo": round(statistics.mean(candidates), 2),
            "band_rows_per_photo": round(statistics.mean(rows), 2), "copies_found": found,
            "copies": (probes + 1) // 2}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--probes", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(15)
    rows = [run(int(s), args.probes, rng) for s in args.sizes.split(",")]
    print("| photos | lookup per photo, median | 95th percentile | candidates per photo (after the prefilter) |"
          " index rows sharing a key | copies found |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['photos']:,} | {r['median_ms']} ms | {r['p95_ms']} ms | {r['candidates_per_photo']} | "
              f"{r['band_rows_per_photo']} | {r['copies_found']} / {r['copies']} |")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
