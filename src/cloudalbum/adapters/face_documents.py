"""How both metadata stores keep a Face or a Person: the object as a JSON document without its vector, and the
vector (embedding, centroid sum) as float32 bytes beside it (512 bytes for SFace's 128 values). One format, so
SQLite rows and DynamoDB items read alike."""

from __future__ import annotations

import dataclasses
import json
from array import array
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..domain.model import Box
from ..domain.people import Face, Person


def pack(vector: Iterable[float]) -> bytes:
    return array("f", vector).tobytes()


def unpack(blob: bytes) -> list[float]:
    values = array("f")
    values.frombytes(blob)
    return values.tolist()


def vectors_of(rows: list[tuple[str, bytes]]) -> tuple[list[str], np.ndarray]:
    """(ids, matrix) from (id, float32 bytes) rows; rows of another length than the most common are left out
    (vectors of another model are not comparable)."""
    if not rows:
        return [], np.zeros((0, 0), dtype=np.float32)
    size = Counter(len(blob) for _, blob in rows).most_common(1)[0][0]
    kept = [(pid, blob) for pid, blob in rows if len(blob) == size]
    matrix = np.frombuffer(b"".join(blob for _, blob in kept), dtype="<f4").reshape(len(kept), size // 4)
    return [pid for pid, _ in kept], matrix


def _doc_without(obj: Any, vector_field: str) -> str:
    d = dataclasses.asdict(dataclasses.replace(obj, **{vector_field: []}))
    del d[vector_field]
    return json.dumps(d, separators=(",", ":"), ensure_ascii=False)


def face_doc(face: Face) -> str:
    return _doc_without(face, "embedding")


def face_from(doc: str, embedding: bytes) -> Face:
    d: dict[str, Any] = json.loads(doc)
    d["box"] = Box(**d["box"])
    return Face(**d, embedding=unpack(embedding))


def person_doc(person: Person) -> str:
    return _doc_without(person, "centroid_sum")


def person_from(doc: str, version: int, centroid_sum: bytes) -> Person:
    """The stored version column/attribute is authoritative over the document's."""
    d: dict[str, Any] = json.loads(doc)
    d["version"] = int(version)
    return Person(**d, centroid_sum=unpack(centroid_sum))
