"""Duplicate finding, measured (issue 15 item 2): on every photo of ../shared/photos (where present) and of
scikit-image's data photos, make the copies tests/dupgen.py makes (re-tagged, re-encoded q60-95, resized
0.25-1x, cropped up to 3% a side, combined), and report:

* recall per kind of copy: the copy shares a lookup key with its original (the index finds it) AND the rule of
  domain.duplicates.match calls it the expected kind;
* precision over distinct photos: every pair of different photos, both ways; any pair grouped is a false
  positive (pairs the corpus holds twice on purpose are listed in SAME_PICTURE and counted apart);
* the closest distinct pairs and the farthest copies, in pHash and dHash bits: the margin the thresholds keep.

    python bench/duplicates_accuracy.py            # prints the tables docs/duplicates.md quotes
"""

from __future__ import annotations

import itertools
import os
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

import dupgen  # noqa: I001

from cloudalbum.domain import duplicates as D
from cloudalbum.domain.model import Photo

CORPUS = Path(os.environ.get("CLOUDALBUM_PHOTOS", ROOT.parent / "shared" / "photos"))
# Files the corpus holds twice on purpose (one picture in two formats) and scikit-image's own copies of its photos
# that the corpus includes: not distinct photos; they must group (and do).
SAME_PICTURE = [("gps/HTC Desire.jpg", "bad/HTC Desire.webp"), ("objects/astronaut.png", "skimage:astronaut"),
                ("objects/chelsea.png", "skimage:chelsea"), ("objects/coffee.png", "skimage:coffee")]


def photo(name: str, data: bytes) -> Photo | None:
    fp = dupgen.fingerprint_of(data)
    if fp is None:
        return None
    w = 1000
    h = round(w / fp.aspect) if fp.aspect else 0
    return Photo(id=name, owner_id="o", filename=name, content_type="", bytes=len(data), original_key="",
                 uploaded_at="2020-01-01T00:00:00+00:00", width=w, height=h, fingerprint=fp)


def found(a: Photo, b: Photo) -> D.Match | None:
    """What processing would do with b arriving after a: the index lookup, then the rule."""
    assert a.fingerprint and b.fingerprint
    if not D.indexed_together(a.fingerprint, b.fingerprint):
        return None
    return D.match(b, a)


def sources() -> dict[str, bytes]:
    out = dupgen.corpus_photos(CORPUS) if (CORPUS / "MANIFEST.csv").exists() else {}
    if not out:
        print(f"(no corpus at {CORPUS}: scikit-image's photos only)")
    return {**out, **dupgen.skimage_photos()}


def main() -> None:
    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    srcs = sources()
    photos = {n: p for n, p in ((n, photo(n, d)) for n, d in srcs.items()) if p is not None}
    comparable = {n: p for n, p in photos.items() if p.fingerprint and p.fingerprint.comparable}
    print(f"{len(srcs)} files, {len(photos)} decode, {len(comparable)} comparable "
          f"(not comparable: {', '.join(sorted(set(photos) - set(comparable)))})")
    same = {frozenset(p) for p in SAME_PICTURE}
    false_pairs, distinct = [], []
    offered = prefiltered = 0  # distinct comparable pairs sharing a lookup key; of those, passing the prefilter
    for a, b in itertools.combinations(photos.values(), 2):
        m = found(a, b) or found(b, a)
        if frozenset((a.id, b.id)) in same:
            print(f"same picture twice in the sources: {a.id} + {b.id}: {m.kind if m else 'NOT FOUND'}")
            continue
        if a.id in comparable and b.id in comparable:
            like = D.likeness(a.fingerprint, b.fingerprint)  # type: ignore[arg-type]
            assert like is not None and a.fingerprint and b.fingerprint
            distinct.append((like.phash, like.dhash, a.id, b.id))
            offered += bool(set(D.lookup_keys(a.fingerprint)) & set(D.lookup_keys(b.fingerprint)))
            prefiltered += D.indexed_together(a.fingerprint, b.fingerprint) or \
                D.indexed_together(b.fingerprint, a.fingerprint)
        if m is not None:
            false_pairs.append((a.id, b.id, m))
    per: dict[str, list[tuple[str, str | None, int, int]]] = defaultdict(list)
    for name, original in comparable.items():
        for kind, _expected, data in dupgen.copies(srcs[name]):
            copy = photo(f"{name} ({kind})", data)
            assert copy is not None and copy.fingerprint is not None
            m = found(original, copy)
            like = D.likeness(original.fingerprint, copy.fingerprint)  # type: ignore[arg-type]
            per[kind].append((name, m.kind if m else None, like.phash if like else -1, like.dhash if like else -1))
    print("\n| copy | found / made | as expected | farthest pHash, dHash bits |\n|---|---|---|---|")
    total = ok = 0
    misses = []
    for kind, rows in per.items():
        expected = "identical_pixels" if kind == "retagged" else "near"
        hit = sum(1 for _, k, _, _ in rows if k is not None)
        right = sum(1 for _, k, _, _ in rows if k == expected)
        total, ok = total + len(rows), ok + right
        misses += [(kind, n) for n, k, _, _ in rows if k != expected]
        print(f"| {kind} | {hit} / {len(rows)} | {right} | {max(r[2] for r in rows)}, {max(r[3] for r in rows)} |")
    print(f"\nrecall {ok}/{total} = {ok / total:.4f}; missed: {misses or 'none'}")
    pairs = len(distinct)
    print(f"precision over distinct photos: {len(false_pairs)} of {pairs} pairs grouped "
          f"({'precision 1.0' if not false_pairs else false_pairs[:5]})")
    print(f"distinct pairs the index offers the rules: {offered} of {pairs} share a lookup key, {prefiltered} of "
          "them pass the dHash prefilter")
    print("closest distinct pairs (pHash, dHash):", sorted(distinct, key=lambda t: max(t[0] / D.NEAR_PHASH,
                                                                                    t[1] / D.NEAR_DHASH))[:5])
    print(f"thresholds: near pHash <= {D.NEAR_PHASH}, dHash <= {D.NEAR_DHASH}, aspect within "
          f"{D.ASPECT_TOLERANCE:.0%}; burst pHash <= {D.BURST_PHASH}, dHash <= {D.BURST_DHASH}, "
          f"{D.BURST_SECONDS} s; {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
