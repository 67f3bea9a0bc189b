"""Which lookup keys keep duplicate finding's recall while the candidates stay flat (issue 15 item 2): the key
schemes docs/duplicates.md compares, on the copies bench/duplicates_accuracy.py makes.

For each scheme: the copies found (a key shared with the original, both ways, and the rule's expected kind), the
keys a photo is stored under, and the random candidates a lookup meets in a library of --library photos with
random fingerprints (what grows with the library). The last rows are today's layout (domain.duplicates: 16-bit
pHash bands, the dHash prefilter in the index) at several prefilter bounds.

    python bench/duplicate_keys.py [--library 20000]
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests"), str(ROOT / "bench")]

import duplicates_accuracy as A  # noqa: I001
import dupgen

from cloudalbum.domain import duplicates as D

Keys = Callable[[D.Fingerprint], set[str]]


def bands(h: str, widths: tuple[int, ...]) -> list[int]:
    """The hash cut into bands of these widths (bits), from the top."""
    value, shift, out = int(h, 16), 64, []
    for w in widths:
        shift -= w
        out.append((value >> shift) & ((1 << w) - 1))
    return out


def pairs_of(widths: tuple[int, ...]) -> Keys:
    return lambda fp: {f"q{i}{j}:{b[i]}:{b[j]}" for p, _ in fp.framings() for b in [bands(p, widths)]
                       for i, j in itertools.combinations(range(len(widths)), 2)}


SCHEMES: dict[str, Keys] = {
    "4 pHash bands of 16 bits (before)": lambda fp: {f"b{i}{b}" for p, _ in fp.framings()
                                                     for i, b in enumerate(bands(p, (16,) * 4))},
    "pHash band + the dHash band of the same place (32 bits)": lambda fp: {
        f"c{i}{a}:{b}" for p, d in fp.framings() for i, (a, b) in enumerate(zip(bands(p, (16,) * 4),
                                                                                  bands(d, (16,) * 4), strict=True))},
    "pairs of pHash bands (32 bits)": pairs_of((16,) * 4),
    "pHash band + half a dHash band (24 bits)": lambda fp: {
        f"e{i}{a}:{b}" for p, d in fp.framings()
        for i, (a, b) in enumerate(zip(bands(p, (16,) * 4), bands(d, (8,) * 8)[::2], strict=True))},
    "pairs of five 13-bit pHash bands (26 bits)": pairs_of((13, 13, 13, 13, 12)),
}


def with_pixels(keys: Keys) -> Keys:
    return lambda fp: (keys(fp) | {f"px{fp.pixels}"}) if fp.comparable else set()


def shared_key(keys: Keys) -> Callable[[D.Fingerprint, D.Fingerprint], bool]:
    return lambda a, b: bool(keys(a) & keys(b))


def random_fp(rng: random.Random) -> D.Fingerprint:
    def h() -> str:
        return f"{rng.getrandbits(64):016x}"
    return D.Fingerprint(f"{rng.getrandbits(128):032x}", h(), h(), 1.33, 0, True, tuple((h(), h()) for _ in range(3)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--library", type=int, default=20_000)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    srcs = A.sources()
    originals = {n: p for n, p in ((n, A.photo(n, d)) for n, d in srcs.items())
                 if p is not None and p.fingerprint and p.fingerprint.comparable}
    copies = [(originals[n], kind, A.photo(f"{n} ({kind})", data)) for n in originals
              for kind, _e, data in dupgen.copies(srcs[n])]
    rng = random.Random(15)
    library, probes = [random_fp(rng) for _ in range(args.library)], [random_fp(rng) for _ in range(200)]

    def found(together: Callable[[D.Fingerprint, D.Fingerprint], bool]) -> int:
        ok = 0
        for original, kind, copy in copies:
            assert original.fingerprint and copy and copy.fingerprint
            if together(original.fingerprint, copy.fingerprint) and together(copy.fingerprint, original.fingerprint):
                m = D.match(copy, original)
                ok += m is not None and m.kind == ("identical_pixels" if kind == "retagged" else "near")
        return ok

    print(f"| keys per framing | keys a photo | copies found of {len(copies)} | random candidates a lookup at "
          f"{args.library:,} photos |\n|---|---|---|---|")
    for name, scheme in SCHEMES.items():
        keys = with_pixels(scheme)
        index: dict[str, set[int]] = {}
        for i, fp in enumerate(library):
            for k in keys(fp):
                index.setdefault(k, set()).add(i)
        met = sum(len(set().union(*(index.get(k, set()) for k in keys(q)))) for q in probes) / len(probes)
        print(f"| {name} | {len(keys(library[0]))} | {found(shared_key(keys))} | {met:.3f} |")
    for bound in (11, 14, 16, 18, 20):
        D.PREFILTER_DHASH = bound  # what near_enough reads
        rows: dict[str, list[tuple[int, str]]] = {}
        for i, fp in enumerate(library):
            for r in D.key_rows(fp):
                rows.setdefault(r.key, []).append((i, r.near))
        met = sum(len({i for p in D.probes(q) for i, near in rows.get(p.key, []) if D.near_enough(near, p.near)})
                  for q in probes) / len(probes)
        print(f"| 4 pHash bands, dHash within {bound} bits in the index | {len(D.key_rows(library[0]))} | "
              f"{found(D.indexed_together)} | {met:.3f} |")


if __name__ == "__main__":
    main()
