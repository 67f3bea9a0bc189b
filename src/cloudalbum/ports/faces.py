"""Faces (with embeddings) and the people they are grouped into."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from ..domain.model import Page
from ..domain.people import Face, Person

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np


class FaceStore(Protocol):
    """Faces (with embeddings) and the people they are grouped into; per owner, never shared.

    delete_photo (PhotoStore) deletes the photo's faces too; the people service then updates the people."""

    def add_faces(self, faces: list[Face]) -> None: ...

    def get_face(self, face_id: str, owner_id: str) -> Face | None:
        """Another owner's face is None, as a missing one."""

    def save_face(self, face: Face) -> None:
        """Overwrite (person_id, not_person_ids change); last writer wins."""

    def delete_faces(self, face_ids: list[str]) -> None:
        """Idempotent."""

    def faces_of_photo(self, photo_id: str) -> list[Face]:
        """The photo's faces, left to right (box x, then id)."""

    def faces_of_person(self, person_id: str, owner_id: str, *, limit: int = 50,
                        cursor: str | None = None) -> Page:
        """Page of Face, oldest first (created_at, id)."""

    def add_person(self, person: Person) -> None: ...

    def get_person(self, person_id: str, owner_id: str) -> Person | None: ...

    def save_person(self, person: Person) -> Person:
        """Optimistic write on person.version (returned bumped). ConcurrentUpdate when someone else wrote
        first, NotFound when the person is gone."""

    def delete_person(self, person_id: str) -> None:
        """Idempotent. The person's faces are not touched (the service moves them first)."""

    def list_people(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Page of Person, most photos first (photo_count descending, then id)."""

    def people_of_owner(self, owner_id: str) -> list[Person]:
        """Every person of the owner, with centroids."""

    def person_vectors(self, owner_id: str) -> tuple[list[str], np.ndarray]:
        """(ids, float32 matrix of their centroid sums, one row each) of every person of the owner: what
        grouping a new face compares it with, read without building Person objects."""

    def face_grouping_enabled(self, owner_id: str) -> bool:
        """The owner's setting; True until they turn it off."""

    def set_face_grouping(self, owner_id: str, enabled: bool) -> None: ...

    def delete_face_data(self, owner_id: str) -> None:
        """Every face and person of the owner (the photos' own face lists are the service's to clear)."""

