"""People: faces found in photos, grouped by embedding similarity into people, named once.

Pure rules, no storage: which person a new face joins, which people turn out to be one, and how a group is
described. Embeddings are L2-normalised vectors (SFace: 128 floats), so cosine similarity is a dot product.

Grouping is centroid linkage: a face joins the person whose centroid (the normalised mean of its faces'
embeddings) is most similar, if that similarity reaches SAME_PERSON (SFace's published threshold for "same
person", 0.363). Centroids are steadier than single faces, so chains of look-alikes (A~B, B~C, A!~C) do not
pull different people together the way single linkage would. Two people merge when their centroids reach the
threshold, unless the owner said they are different people, or each already has a different name.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from .model import Box
from .text import name_key

SAME_PERSON = 0.363  # SFace, cosine similarity (OpenCV model zoo: face_recognition_sface)
MIN_FACE_SCORE = 0.8  # YuNet: below this, headlights and patterns come back as faces
MIN_FACE_PX = 24  # a face smaller than this (short side, upright pixels) gives no usable embedding
MAX_NAME = 100
QUESTION_TEXT = "Who is this?"
NOT_SAME = "not the same person"
DONT_ASK = "don't ask again"
PERSON_SUBJECT = "person:"


@dataclass
class Face:
    """One face in one photo. box: pixels of the upright image; embedding: L2-normalised."""

    id: str
    owner_id: str
    photo_id: str
    box: Box
    embedding: list[float]
    created_at: str
    model: str  # "<detector>@<version>+<embedder>@<version>"
    person_id: str | None = None
    # People the owner said this face is not: it never joins them again.
    not_person_ids: list[str] = field(default_factory=list)
    # The photo is in the trash (issue 15): the face stays in its person, for a restore, but is not counted.
    in_trash: bool = False


@dataclass
class Person:
    """A group of one owner's faces. `centroid_sum` is the sum of the member embeddings (the centroid is its
    direction), so a face joins or leaves without reading the others."""

    id: str
    owner_id: str
    created_at: str
    updated_at: str
    name: str | None = None
    cover_face_id: str | None = None
    cover_photo_id: str | None = None
    face_count: int = 0
    photo_count: int = 0
    centroid_sum: list[float] = field(default_factory=list)
    not_same_as: list[str] = field(default_factory=list)  # people the owner said are someone else
    dont_ask: bool = False  # the owner answered "don't ask again" about this person
    question_id: str | None = None  # the open "Who is this?" question, if any
    version: int = 0


# --- vectors ----------------------------------------------------------------------------------------------


def normalise(vector: Sequence[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in vector))
    return [v / norm for v in vector] if norm > 0 else list(vector)


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity of two vectors (any length; 0 for a zero vector)."""
    dot = sum(x * y for x, y in zip(a, b, strict=False))  # "any length": the shorter one counts
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return dot / (na * nb) if na > 0 and nb > 0 else 0.0


def add_vectors(a: Sequence[float], b: Sequence[float], sign: float = 1.0) -> list[float]:
    if not a:
        return [sign * y for y in b]
    return [x + sign * y for x, y in zip(a, b, strict=False)]


# --- grouping ---------------------------------------------------------------------------------------------


class Centroids:
    """One owner's people as a matrix of unit rows: a new face is compared with all of them in one product (a
    library can hold thousands of people, most of them strangers seen once). Rows are keyed by person id;
    stores hand the raw centroid sums over without building Person objects (FaceStore.person_vectors)."""

    def __init__(self, ids: Sequence[str], sums: np.ndarray) -> None:
        sums = np.asarray(sums, dtype=np.float32).reshape(len(ids), -1) if len(ids) else np.zeros((0, 1), np.float32)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        self.ids = list(ids)
        self.matrix = sums / np.where(norms > 0, norms, 1.0)
        self.index = {pid: i for i, pid in enumerate(self.ids)}

    @classmethod
    def of_people(cls, people: Iterable[Person]) -> Centroids:
        with_vectors = [p for p in people if p.centroid_sum]
        dim = len(with_vectors[0].centroid_sum) if with_vectors else 0
        same = [p for p in with_vectors if len(p.centroid_sum) == dim]
        return cls([p.id for p in same], np.asarray([p.centroid_sum for p in same], dtype=np.float32))

    def put(self, person_id: str, centroid_sum: Sequence[float]) -> None:
        """Add a person or move one's row (its centroid changed)."""
        row = _unit_row(centroid_sum)
        if self.matrix.shape[0] and row.shape[0] != self.matrix.shape[1]:
            return  # another model's vector: not comparable
        if person_id in self.index:
            self.matrix[self.index[person_id]] = row
            return
        self.index[person_id] = len(self.ids)
        self.ids.append(person_id)
        self.matrix = row[None, :] if self.matrix.shape[0] == 0 else np.vstack([self.matrix, row])

    def remove(self, person_id: str) -> None:
        i = self.index.pop(person_id, None)
        if i is None:
            return
        del self.ids[i]
        self.matrix = np.delete(self.matrix, i, axis=0)
        self.index = {pid: j for j, pid in enumerate(self.ids)}

    def similarities(self, vector: Sequence[float]) -> np.ndarray:
        v = _unit_row(vector)
        if not self.ids or v.shape[0] != self.matrix.shape[1]:
            return np.full(len(self.ids), -1.0, dtype=np.float32)
        scores: np.ndarray = self.matrix @ v
        return scores

    def best(self, embedding: Sequence[float], *, exclude: Iterable[str] = (),
             threshold: float = SAME_PERSON) -> tuple[str | None, float]:
        """The id of the most similar person if the similarity reaches threshold, else None; and the similarity.
        People in exclude are never chosen."""
        sims = self.similarities(embedding)
        for person_id in exclude:
            if person_id in self.index:
                sims[self.index[person_id]] = -2.0
        if not len(sims):
            return None, -1.0
        i = int(np.argmax(sims))
        sim = float(sims[i])
        return (self.ids[i], sim) if sim >= threshold else (None, sim)

    def near(self, person_id: str, *, threshold: float = SAME_PERSON) -> list[str]:
        """The other people whose centroid is as similar to this person's as one face of the same person would
        be, most similar first (may_merge decides whether they may be merged)."""
        i = self.index.get(person_id)
        if i is None:
            return []
        sims = self.matrix @ self.matrix[i]
        order = np.argsort(-sims)
        return [self.ids[j] for j in order if j != i and sims[j] >= threshold]


def _unit_row(vector: Sequence[float]) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 else v


def best_person(embedding: Sequence[float], people: Iterable[Person], *, exclude: Iterable[str] = (),
                threshold: float = SAME_PERSON) -> tuple[Person | None, float]:
    """The person a face with this embedding belongs to (highest centroid similarity >= threshold), or None;
    with the similarity. People in `exclude` (the face's not_person_ids) are never chosen."""
    people = list(people)
    person_id, sim = Centroids.of_people(people).best(embedding, exclude=exclude, threshold=threshold)
    return next((p for p in people if p.id == person_id), None), sim


def merge_candidates(person: Person, people: Iterable[Person], *, threshold: float = SAME_PERSON) -> list[Person]:
    """The other people whose centroid is as similar to person's as one face of the same person would be and who
    may be merged with it, most similar first."""
    by_id = {p.id: p for p in people}
    by_id[person.id] = person
    near = Centroids.of_people(by_id.values()).near(person.id, threshold=threshold)
    return [by_id[i] for i in near if may_merge(person, by_id[i])]


def may_merge(a: Person, b: Person) -> bool:
    """Whether two people may be merged automatically: not the same record, not told apart by the owner, and
    not named differently (a name is the owner's word; two names mean two people)."""
    if a.id == b.id or b.id in a.not_same_as or a.id in b.not_same_as:
        return False
    return not (a.name and b.name and fold_name(a.name) != fold_name(b.name))


def survivor(a: Person, b: Person) -> tuple[Person, Person]:
    """(kept, absorbed) when a and b merge: a named person is kept over an unnamed one, then the bigger,
    then the older, so ids people already know (and links to them) stay valid as long as possible."""
    def rank(p: Person) -> tuple[int, int, str, str]:
        return (0 if p.name else 1, -p.face_count, p.created_at, p.id)
    kept, absorbed = sorted((a, b), key=rank)
    return kept, absorbed


# --- what a change does to a person ---------------------------------------------------------------------------


def with_face(person: Person, face: Face, *, new_photo: bool, now: str) -> Person:
    """A copy of person with face added (centroid sum, counts); the cover stays unless there is none."""
    p = replace(person, centroid_sum=add_vectors(person.centroid_sum, face.embedding),
                face_count=person.face_count + 1, photo_count=person.photo_count + (1 if new_photo else 0),
                updated_at=now)
    if not p.cover_face_id:
        p.cover_face_id, p.cover_photo_id = face.id, face.photo_id
    return p


def recount(person: Person, faces: Sequence[Face]) -> None:
    """Counts and centroid from all the person's faces (at least one); a new cover, the largest most confident
    face, only when the old cover is not among them. Faces of photos in the trash shape the centroid (they
    come back with a restore) but are not counted, nor the cover while another face can be."""
    total: list[float] = []
    for f in faces:
        total = add_vectors(total, f.embedding)
    live = [f for f in faces if not f.in_trash]
    person.centroid_sum, person.face_count = total, len(live)
    person.photo_count = len({f.photo_id for f in live})
    if person.cover_face_id not in {f.id for f in live or faces}:
        cover = max(live or faces, key=lambda f: (f.box.confidence * f.box.w * f.box.h, f.id))
        person.cover_face_id, person.cover_photo_id = cover.id, cover.photo_id


def absorb(kept: Person, absorbed: Person) -> None:
    """kept takes over what the owner said about absorbed (its faces move separately): an unnamed kept takes its
    name, the people it is not stay apart from kept, and "don't ask" holds only if both had it."""
    kept.name = kept.name or absorbed.name
    kept.not_same_as = [i for i in dict.fromkeys([*kept.not_same_as, *absorbed.not_same_as])
                        if i not in (kept.id, absorbed.id)]
    kept.dont_ask = kept.dont_ask and absorbed.dont_ask


def keep_apart(person: Person, others: set[str]) -> None:
    """Record people seen beside this one in a photo as someone else (sorted, each once)."""
    person.not_same_as = [*person.not_same_as, *sorted(others - set(person.not_same_as))]


def fold_name(name: str) -> str:
    return name_key(name)


def clean_name(raw: object) -> str | None:
    """A person's name as given (whitespace collapsed), None for "no name"; raises ValueError when bad."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise ValueError("a name is a string")
    name = " ".join(raw.split())
    if not name:
        return None
    if len(name) > MAX_NAME or any(ord(ch) < 32 for ch in name):
        raise ValueError(f"a name has at most {MAX_NAME} printable characters")
    return name


def question_reason(person: Person) -> str:
    photos = "1 photo" if person.photo_count == 1 else f"{person.photo_count} photos"
    return (f"This person is in {photos}. One name makes all of them findable by searching for it, and names "
            "this person in photos you add later.")


def question_score(person: Person) -> float:
    """Rank: how many photos one answer improves (the questions module's scale)."""
    return round(person.photo_count + 0.15, 3)


def person_subject(person_id: str) -> str:
    return PERSON_SUBJECT + person_id


def person_of_subject(subject: str | None) -> str | None:
    if subject and subject.startswith(PERSON_SUBJECT):
        return subject[len(PERSON_SUBJECT):]
    return None


def boxes_overlap(a: Box, b: Box) -> float:
    """Intersection over union of two boxes (0..1): a re-detected face is the same face when this is high."""
    x1, y1 = max(a.x, b.x), max(a.y, b.y)
    x2, y2 = min(a.x + a.w, b.x + b.w), min(a.y + a.h, b.y + b.h)
    inter = max(0, x2 - x1) * max(0, y2 - y1)
    union = a.w * a.h + b.w * b.h - inter
    return inter / union if union > 0 else 0.0
