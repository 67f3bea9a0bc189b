"""Duplicates (issue 15 item 2): what makes two photos copies of one another, which one to keep, and why.

Pure rules over fingerprints (media/fingerprint.py computes them from the upright image processing holds) and
groups. The stores find candidates through indexes (`lookup_keys`: the pixel hash and bands of the perceptual
hashes; the owner's taken-time order for bursts) and services/duplicates.py applies these rules to what they
find. Every threshold here was chosen from measurements: docs/duplicates.md.

The three kinds, strongest first:
* `identical_pixels`: the same decoded, upright pixels (the same photo re-tagged);
* `near`: the same picture re-encoded, resized or lightly cropped (up to 3% off each side): pHash AND dHash
  within their thresholds for the closest pair of the two photos' framings (each photo's hashes are also taken
  of three crops of it, so a cropped copy meets its original's crop), and the aspect ratio within ASPECT_TOLERANCE;
* `burst`: the same camera (make and model) within BURST_SECONDS, looking alike (looser thresholds). A near
  match one or more seconds apart on the same camera is a burst too, and two photos whose times are known and
  more than BURST_SECONDS apart are never near: a copy carries its original's time (or none), so they are two
  moments (a tripod's time-lapse, not duplicates).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from .keeper import file_format, keeper, why_keep
from .times import taken_seconds

if TYPE_CHECKING:  # pragma: no cover - model imports Fingerprint from here
    from .model import Photo

KINDS = ("identical_pixels", "near", "burst")  # strongest first
NEAR_PHASH, NEAR_DHASH = 20, 11  # bits of 64 (docs/duplicates.md: copies reach 20 and 11, distinct photos 24 and 13)
BURST_PHASH, BURST_DHASH = 28, 20
BURST_SECONDS = 2
ASPECT_TOLERANCE = 0.07  # a 3% crop of two opposite sides changes the aspect ratio by up to 6.4%
BANDS = 4  # each 64-bit pHash is cut into 4 bands of 16 bits: a pair within 3 bits shares one band exactly
# A 16-bit band is shared by chance by 1 photo in 1,000 (64 band pairs of 2^-16): the index drops those unless the
# dHashes of the framings that share the band are within the burst rule's bound too (2^-9 by chance; no copy lost)
PREFILTER_DHASH = BURST_DHASH
MAX_GROUP = 40  # photos in one group (a DynamoDB transaction writes a group with its members' claims)
CROPS = ((0.03, 0.03, 0.03, 0.03), (0.03, 0.03, 0.0, 0.0), (0.0, 0.0, 0.03, 0.03))  # left, top, right, bottom


@dataclass(frozen=True)
class Fingerprint:
    pixels: str  # 32 hex digits: the upright pixels at a fixed reduced size, with the full size
    phash: str  # 16 hex digits: imagehash.phash of the whole image
    dhash: str  # 16 hex digits: imagehash.dhash of the whole image
    aspect: float  # upright width / height
    exif_tags: int = 0  # how many EXIF tags the file carries (the keeper rule's "most metadata")
    comparable: bool = True  # False: too small or flat to compare (never grouped)
    crops: tuple[tuple[str, str], ...] = ()  # (phash, dhash) of each of CROPS, in that order
    file_format: str = ""  # the decoder's format name (JPEG, PNG, WEBP, HEIF, RAW ...); "" before it was kept
    quality: int = 0  # a JPEG's quality estimated from its quantisation tables (0: not a JPEG, or unknown)
    software: str = ""  # the EXIF Software tag: the firmware, editor or app that wrote the file

    def framings(self) -> list[tuple[str, str]]:
        """(phash, dhash) of the whole image, then of each crop."""
        return [(self.phash, self.dhash), *self.crops]

    def to_text(self) -> str:
        """One line (the stores keep it on each lookup row, so candidates are checked without reading photos).
        The origin fields come last (a text of before has none); the Software tag loses any "|"."""
        crops = ",".join(f"{p}:{d}" for p, d in self.crops)
        software = self.software.replace("|", "/")
        return (f"{self.pixels}|{self.phash}:{self.dhash}|{crops}|{self.aspect}|{self.exif_tags}|"
                f"{int(self.comparable)}|{self.file_format}|{self.quality}|{software}")

    @classmethod
    def from_text(cls, text: str) -> Fingerprint:
        pixels, whole, crops, aspect, tags, comparable, *origin = text.split("|", 8)
        phash, dhash = whole.split(":")
        pairs = tuple((p, d) for p, d in (c.split(":") for c in crops.split(",") if c))
        fmt, quality, software = (origin + ["", "0", ""])[:3] if origin else ("", "0", "")
        return cls(pixels, phash, dhash, float(aspect), int(tags), comparable == "1", pairs, fmt,
                   int(quality or 0), software)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Fingerprint:
        """From dataclasses.asdict of one, read back from JSON (the crops' tuples come back as lists)."""
        return cls(pixels=str(d["pixels"]), phash=str(d["phash"]), dhash=str(d["dhash"]), aspect=float(d["aspect"]),
                   exif_tags=int(d.get("exif_tags") or 0), comparable=bool(d.get("comparable", True)),
                   crops=tuple((str(p), str(q)) for p, q in d.get("crops") or ()),
                   file_format=str(d.get("file_format") or ""), quality=int(d.get("quality") or 0),
                   software=str(d.get("software") or ""))


def hamming(a: str, b: str) -> int:
    """Bits that differ between two hashes of the same length in hex."""
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def bands(phash: str) -> list[str]:
    """The BANDS bands of a 64-bit hash, each named by its place: "0a3f1" is band 0 with value a3f1."""
    width = 16 // BANDS
    return [f"{i}{phash[i * width:(i + 1) * width]}" for i in range(BANDS)]


@dataclass(frozen=True)
class Probe:
    """One lookup key with its prefilter: `near` is the dHash (16 hex digits) of the framing whose pHash band
    the key is ("" for the pixel key, which needs none). A stored row and a probe of the same key meet only when
    their `near`s are within PREFILTER_DHASH bits (or either is ""): the index itself drops the random band
    collisions, so what reaches the rules stays flat as the library grows (docs/duplicates.md)."""

    key: str
    near: str = ""


def _probes(fp: Fingerprint) -> list[Probe]:
    """Every (key, near) of the photo: its pixel key, then each framing's bands with that framing's dHash."""
    if not fp.comparable:
        return []
    out = [Probe(f"px{fp.pixels}")]
    for phash, dhash in fp.framings():
        out += [Probe(f"b{band}", dhash) for band in bands(phash)]
    return out


def key_rows(fp: Fingerprint) -> list[Probe]:
    """The rows a photo is stored under: each lookup key once, with the dHash of the first framing that gives it
    (measured: keeping one framing's dHash per key finds the same copies as keeping every one)."""
    rows: dict[str, Probe] = {}
    for probe in _probes(fp):
        rows.setdefault(probe.key, probe)
    return list(rows.values())


def probes(fp: Fingerprint) -> list[Probe]:
    """What a new photo looks up: every distinct (key, near) of its framings."""
    return list(dict.fromkeys(_probes(fp)))


def lookup_keys(fp: Fingerprint) -> list[str]:
    """The index keys a photo is stored under and looked up by: its pixel hash ("px…") and the pHash bands of
    each of its framings ("b…"). A copy shares the pixel key (identical pixels) or, when its pHash is within
    BANDS - 1 bits of one of the original's framings, a band; both photos are stored and looked up under
    every framing, so the order in which they arrive does not matter. (Crops are compared with crops too: a
    texture's whole-image pHash can move 4 bits a band on a re-encode while its crops' stay put, measured.)"""
    return [p.key for p in key_rows(fp)]


def as_probe(key: str | Probe) -> Probe:
    """A plain key is a probe without prefilter."""
    return key if isinstance(key, Probe) else Probe(key)


def near_enough(stored: str | None, probe: str | None) -> bool:
    """The index prefilter: a stored row meets a probe of its key unless both carry a dHash and those are more
    than PREFILTER_DHASH bits apart. Rows written before the prefilter existed carry none and always meet."""
    if not stored or not probe:
        return True
    return ((int(stored, 16) ^ int(probe, 16)) & 0xFFFF_FFFF_FFFF_FFFF).bit_count() <= PREFILTER_DHASH


def indexed_together(stored: Fingerprint, new: Fingerprint) -> bool:
    """Whether a lookup by `new`'s probes meets `stored`'s rows: what the stores' index does (their contract
    tests hold them to it), for measuring recall without a store."""
    rows = {r.key: r.near for r in key_rows(stored)}
    return any(p.key in rows and near_enough(rows[p.key], p.near) for p in probes(new))


@dataclass(frozen=True)
class Likeness:
    """How two fingerprints compare: the closest pair of framings (pHash, dHash bits apart)."""

    identical: bool
    phash: int
    dhash: int
    aspect_ok: bool


def likeness(a: Fingerprint, b: Fingerprint) -> Likeness | None:
    """None when either cannot be compared."""
    if not (a.comparable and b.comparable):
        return None
    best = min(((hamming(pa, pb), hamming(da, db)) for pa, da in a.framings() for pb, db in b.framings()),
               key=lambda t: (max(t[0] / NEAR_PHASH, t[1] / NEAR_DHASH), t))
    aspect_ok = a.aspect > 0 and b.aspect > 0 and abs(a.aspect / b.aspect - 1) <= ASPECT_TOLERANCE
    return Likeness(identical=a.pixels == b.pixels, phash=best[0], dhash=best[1], aspect_ok=aspect_ok)


def same_camera(a: Photo, b: Photo) -> bool:
    ca, cb = a.camera, b.camera
    return bool(ca and cb and ca.make and ca.model and (ca.make.strip().lower(), ca.model.strip().lower())
                == ((cb.make or "").strip().lower(), (cb.model or "").strip().lower()))


def seconds_apart(a: Photo, b: Photo) -> float | None:
    """Seconds between the two photos' times (their camera clocks), None when either has none."""
    ta, tb = _wall_seconds(a.taken_at), _wall_seconds(b.taken_at)
    return None if ta is None or tb is None else abs(ta - tb)


def _wall_seconds(taken_at: str | None) -> float | None:
    """The camera clock's reading in seconds (an offset is ignored: one camera's frames share its clock)."""
    return taken_seconds(taken_at[:19]) if taken_at else None


@dataclass(frozen=True)
class Match:
    photo_id: str
    kind: str
    phash: int
    seconds: float | None = None


def match(photo: Photo, other: Photo) -> Match | None:
    """The kind of duplicate `other` is of `photo`, or None (either without a comparable fingerprint too)."""
    if photo.fingerprint is None or other.fingerprint is None or photo.id == other.id:
        return None
    like = likeness(photo.fingerprint, other.fingerprint)
    if like is None:
        return None
    apart = seconds_apart(photo, other)
    burst_time = same_camera(photo, other) and apart is not None and apart <= BURST_SECONDS
    if like.identical:
        return Match(other.id, "identical_pixels", 0, apart)
    other_moment = apart is not None and apart > BURST_SECONDS  # a copy carries its original's time (or none)
    near = like.aspect_ok and like.phash <= NEAR_PHASH and like.dhash <= NEAR_DHASH and not other_moment
    if near and not (burst_time and apart):
        return Match(other.id, "near", like.phash, apart)
    if burst_time and like.phash <= BURST_PHASH and like.dhash <= BURST_DHASH:
        return Match(other.id, "burst", like.phash, apart)
    return None


def loosest(*kinds: str) -> str:
    """The kind of a group whose pairs are of these kinds: the weakest link names it."""
    return max(kinds, key=KINDS.index)


@dataclass
class DuplicateGroup:
    """Photos that look like duplicates of one another (a photo is in at most one open group). `phash`: the most
    pHash bits any member was from the photo it matched (the reason quotes it). Dismissed groups are not kept
    as groups: their photos are remembered as dismissed together (never grouped together again)."""

    id: str
    owner_id: str
    kind: str
    photo_ids: list[str]
    created_at: str
    phash: int = 0
    version: int = 0
    seconds: float | None = None  # bursts: the longest time between two matched frames

    def without(self, photo_id: str) -> DuplicateGroup:
        return replace(self, photo_ids=[p for p in self.photo_ids if p != photo_id])


def joined(group: DuplicateGroup, photo_id: str, m: Match) -> DuplicateGroup:
    """The group with the photo added through match m."""
    seconds = max((s for s in (group.seconds, m.seconds) if s is not None), default=None) \
        if loosest(group.kind, m.kind) == "burst" else group.seconds
    return replace(group, kind=loosest(group.kind, m.kind), photo_ids=[*group.photo_ids, photo_id],
                   phash=max(group.phash, m.phash), seconds=seconds)


def dismissed_together(dismissals: dict[str, set[str]], a: str, b: str) -> bool:
    """Whether the user said that a and b are not duplicates (they were in one group they dismissed).
    dismissals: photo id -> ids of dismissed groups it was in."""
    return bool(dismissals.get(a, set()) & dismissals.get(b, set()))


@dataclass
class Explained:
    keep: Photo
    reason: str
    kind: str
    photos: list[Photo] = field(default_factory=list)


def explain(group: DuplicateGroup, photos: Sequence[Photo]) -> Explained:
    """The proposed keeper and the reason a person reads: why the photos look like duplicates, and why that one."""
    keep = keeper(photos)
    n = len(photos)
    if group.kind == "identical_pixels":
        formats = sorted({file_format(p) for p in photos} - {""})
        how = f"in {' and '.join(formats)}" if len(formats) > 1 else "with different metadata"
        why = f"These {n} photos have the same pixels once decoded and turned upright: one picture saved {how}."
    elif group.kind == "near":
        bits = f"at most {group.phash} of 64 bits apart" if group.phash else "the same"
        why = (f"These {n} photos show the same picture, re-encoded, resized or lightly cropped (their "
               f"perceptual hashes are {bits}, allowing for the crop).")
    else:
        camera = next((p.camera for p in photos if p.camera and (p.camera.make or p.camera.model)), None)
        name = " ".join(v for v in ((camera.make, camera.model) if camera else ()) if v) or "camera"
        span = f"{group.seconds:g} s" if group.seconds else f"{BURST_SECONDS} s"
        why = (f"These {n} photos were taken by the same {name} within {span} of each other and look alike: a "
               "burst.")
    return Explained(keep=keep, reason=f"{why} {why_keep(keep, photos)}", kind=group.kind, photos=list(photos))


def strongest_first(matches: Iterable[Match]) -> list[Match]:
    return sorted(matches, key=lambda m: (KINDS.index(m.kind), m.phash, m.photo_id))
