"""Grouping benchmark: what putting one photo's face with its person costs as an owner's library of people grows.

    .venv/bin/python bench/people.py [--runs 5] [--sizes 100,1000,5000] [--write-docs]

For each library size N, an owner gets N people (random unit centroids, each with one face, on the real SQLite
store), then photos with one face each are grouped by `PeopleService.record_faces` (store the face and its crop,
compare it with every person's centroid, join or start a person, look for people to merge, keep the "Who is
this?" question): the median time per photo over --runs runs of 20 photos. Half the faces belong to an
existing person, half are new people (strangers), as in a real library.

Baseline, measured in the same run: the face analyzer itself (YuNet + SFace) on hopper.jpg at 1280 px (one
face), i.e. the face step that grouping follows. The ratio says how much grouping adds to it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import numpy as np
from PIL import Image

from cloudalbum.adapters.embedded.blobstore import FileBlobStore
from cloudalbum.adapters.embedded.store import SqliteMetadataStore
from cloudalbum.adapters.ml.faces import OpencvFaceAnalyzer
from cloudalbum.config import Settings
from cloudalbum.domain.model import Box, Photo, User, new_id
from cloudalbum.domain.people import Face, Person
from cloudalbum.ports import FoundFace
from cloudalbum.services.people import PeopleService

sys.path.insert(0, str(ROOT / "bench"))
from detect import write_docs  # one way to replace a section of docs/performance.md

PHOTOS = Path(os.environ.get("CLOUDALBUM_PHOTOS", ROOT.parent / "shared" / "photos"))
SECTION = "## People (grouping faces)"
NOW = "2026-01-01T00:00:00+00:00"


def unit(rng: np.random.Generator) -> list[float]:
    v = rng.normal(size=128)
    return list(v / np.linalg.norm(v))


def photo(owner: str) -> Photo:
    pid = new_id()
    return Photo(id=pid, owner_id=owner, filename="p.jpg", content_type="image/jpeg", bytes=1,
                 original_key=f"originals/{owner}/{pid}", uploaded_at=NOW, status="processing")


def library(store: SqliteMetadataStore, owner: str, n: int, rng: np.random.Generator) -> list[list[float]]:
    """n people of one face each; returns their centroids."""
    centroids = []
    for _ in range(n):
        p = photo(owner)
        store.photos.add_photo(p)
        c = unit(rng)
        person = Person(id=new_id(), owner_id=owner, created_at=NOW, updated_at=NOW, face_count=1, photo_count=1,
                        centroid_sum=c, dont_ask=True)
        face = Face(id=new_id(), owner_id=owner, photo_id=p.id, box=Box(0, 0, 50, 50, 0.9), embedding=c,
                    created_at=NOW, model="bench", person_id=person.id)
        store.faces.add_person(person)
        store.faces.add_faces([face])
        centroids.append(c)
    return centroids


def grouping_ms(n: int, runs: int, per_run: int = 20) -> float:
    rng = np.random.default_rng(n)
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteMetadataStore(Path(tmp) / "meta.sqlite3")
        user = User(id=new_id(), email="bench@example.com", password_hash="x", created_at=NOW)
        store.users.add_user(user)
        service = PeopleService(faces=store.faces, photos=store.photos, questions=store.questions, scans=store.limits,
                                index=store.index, blobs=FileBlobStore(Path(tmp) / "blobs"),
                                settings=Settings(data_dir=Path(tmp)))
        centroids = library(store, user.id, n, rng)
        times = []
        for _ in range(runs):
            batch = []
            for i in range(per_run):
                if i % 2 == 0:  # someone known: a face at cosine ~0.7 from a person's centroid
                    c = np.asarray(centroids[int(rng.integers(len(centroids)))])
                    noise = rng.normal(size=128)
                    noise -= noise.dot(c) * c
                    e = list(0.7 * c + 0.714 * noise / np.linalg.norm(noise))
                else:  # a stranger
                    e = unit(rng)
                p = photo(user.id)
                store.photos.add_photo(p)
                batch.append((p, [FoundFace(10, 10, 60, 60, 0.95, [], e)]))
            t = time.perf_counter()
            for p, found in batch:
                service.record_faces(p, found, [b"\xff\xd8crop"], "bench")
            times.append((time.perf_counter() - t) / per_run * 1000)
        store.close()
    return statistics.median(times)


def analyzer_ms(runs: int) -> float:
    analyzer = OpencvFaceAnalyzer.load()
    image = Image.open(PHOTOS / "objects" / "hopper.jpg").convert("RGB")
    image.thumbnail((1280, 1280))
    analyzer.faces(image)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        analyzer.faces(image)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sizes", default="100,1000,5000")
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    base = analyzer_ms(args.runs)
    rows = [(n, grouping_ms(n, args.runs)) for n in (int(s) for s in args.sizes.split(","))]
    load = os.getloadavg()[0]
    lines = [SECTION, "", f"`bench/people.py --runs {args.runs}` (median of {args.runs} runs of 20 photos; load "
             f"average {load:.1f}). Baseline in the same run: the face analyzer on hopper.jpg at 1280 px "
             f"(one face): {base:.1f} ms.", "",
             "| people in the library | grouping one photo's face | / face analyzer |", "|---|---|---|"]
    lines += [f"| {n:,} | {ms:.1f} ms | {ms / base:.2f}x |" for n, ms in rows]
    lines += ["", "Grouping reads the owner's people (one indexed query), compares the face with every centroid in "
              "one matrix product (domain.people.Centroids), writes the face, its person and the question; the "
              "cost grows with the number of people (the read and the matrix), not with the number of photos.", ""]
    text = "\n".join(lines)
    print(text)
    if args.write_docs:
        write_docs(text, SECTION)


if __name__ == "__main__":
    main()
