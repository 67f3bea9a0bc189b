"""Batch edit of 1,000 photos (issue 15.5), embedded shape: a shift of time plus a label, by ids and by camera,
and its undo, in libraries of growing size (the other photos are of another camera). The selection by camera
goes through the search index, so its time should follow the 1,000 photos, not the library.

    .venv/bin/python bench/batch_edit.py [--sizes 2000,10000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from cloudalbum import bootstrap
from cloudalbum.config import Settings
from cloudalbum.domain.model import Camera, Photo, new_id

SELECTED = 1000


def library(c: bootstrap.Container, owner: str, size: int) -> list[str]:
    ids = []
    for i in range(size):
        pid = new_id()
        camera = Camera("Canon", "EOS 5D") if i < SELECTED else Camera("SONY", "ILCE-7")
        c.store.photos.add_photo(Photo(id=pid, owner_id=owner, filename=f"{i}.jpg", content_type="image/jpeg",
                                       bytes=1, original_key=f"originals/{owner}/{pid}",
                                       uploaded_at="2024-01-01T00:00:00+00:00", status="done",
                                       taken_at=f"2015-{1 + i % 12:02d}-10T10:00:00", camera=camera))
        ids.append(pid)
    return ids


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="2000,10000")
    args = parser.parse_args()
    print("library | selection | edit s | undo s | updated")
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            c = bootstrap.build(Settings(data_dir=Path(tmp)))
            ids = library(c, "owner", size)
            for name, selection in (("ids", {"photo_ids": ids[:SELECTED]}),
                                    ("camera", {"camera": {"make": "canon", "model": "eos 5d"}})):
                t0 = time.perf_counter()
                result = c.batches.edit("owner", {**selection, "shift_taken_at_s": 3600, "add_labels": ["trip"]})
                t1 = time.perf_counter()
                c.batches.undo("owner", result.batch_id)
                t2 = time.perf_counter()
                print(f"{size} | {name} | {t1 - t0:.2f} | {t2 - t1:.2f} | {result.updated}")
            c.close()


if __name__ == "__main__":
    main()
