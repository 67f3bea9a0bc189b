"""What the owner sees and corrects of their people: list and read them, name them, merge them, and take a face
out of a person ("this is someone else")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ...config import Settings
from ...domain import people as rules
from ...domain.blob_keys import face_crop_key
from ...domain.errors import Invalid, NotFound
from ...domain.model import Page
from ...domain.people import Person
from ...domain.search import SearchQuery
from ...ports import BlobStore, FaceStore, SearchIndex
from ..changes import PersonChanges
from ..search import check_limit
from .asking import PersonQuestions
from .face_records import photo_ids_of
from .grouping import Grouping
from .photo_sync import PhotoFaces

MAX_MERGE_IDS = 50


class Curation:
    def __init__(self, settings: Settings, face_store: FaceStore, index: SearchIndex, blobs: BlobStore,
                 persons: PersonChanges, grouping: Grouping, asking: PersonQuestions, sync: PhotoFaces) -> None:
        self.settings = settings
        self.face_store = face_store
        self.index = index
        self.blobs = blobs
        self.persons = persons
        self.grouping = grouping
        self.asking = asking
        self.sync = sync

    # --- reading --------------------------------------------------------------------------------------------

    def list(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        return self.face_store.list_people(owner_id, limit=check_limit(limit), cursor=cursor)

    def get(self, owner_id: str, person_id: str) -> Person:
        person = self.face_store.get_person(person_id, owner_id)
        if person is None:
            raise NotFound("No such person.", code="person_not_found")
        return person

    def faces(self, owner_id: str, person_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        self.get(owner_id, person_id)
        return self.face_store.faces_of_person(person_id, owner_id, limit=check_limit(limit), cursor=cursor)

    def photos(self, owner_id: str, person_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Page of SearchHit: the photos the person is in, newest taken first."""
        self.get(owner_id, person_id)
        return self.index.search(owner_id, SearchQuery(person_id=person_id), limit=check_limit(limit), cursor=cursor)

    def face_crop(self, owner_id: str, face_id: str) -> tuple[str, str | None]:
        """(blob key, signed URL or None) of a face's crop."""
        face = self.face_store.get_face(face_id, owner_id)
        if face is None:
            raise NotFound("No such face.", code="face_not_found")
        key = face_crop_key(owner_id, face.photo_id, face.id)
        if not self.blobs.exists(key):
            raise NotFound("This face has no crop yet.", code="face_not_found")
        url = self.blobs.signed_url(key, expires_s=self.settings.signed_url_expiry_s, content_type="image/jpeg")
        return key, url

    # --- changes by the owner -------------------------------------------------------------------------------

    def rename(self, owner_id: str, person_id: str, raw_name: object) -> Person:
        """Name (or unname, with null) a person. A name another person already has means the same person:
        the two are merged (unless the owner said they are different people)."""
        try:
            name = rules.clean_name(raw_name)
        except ValueError as exc:
            raise Invalid(f"name: {exc}", code="validation_error") from exc
        person = self.get(owner_id, person_id)
        if name is not None:
            for other in self.face_store.people_of_owner(owner_id):
                if (other.id != person.id and other.name and rules.fold_name(other.name) == rules.fold_name(name)
                        and rules.may_merge(replace(person, name=None), other)):
                    kept, _ = self.grouping.merge(other, person)
                    return kept
        person = self.persons.change(person, lambda p: setattr(p, "name", name))
        self.asking.ask(person)
        self.sync.refresh(owner_id, photo_ids_of(self.face_store, person))
        return person

    def merge(self, owner_id: str, person_id: str, other_ids: Sequence[str]) -> Person:
        """The owner says these people are one: every other's faces join person_id (whose name is kept; an
        unnamed person takes the first other name)."""
        ids = [i for i in dict.fromkeys(other_ids) if i != person_id]
        if not ids or len(ids) > MAX_MERGE_IDS:
            raise Invalid(f"person_ids: give 1 to {MAX_MERGE_IDS} other people", code="validation_error")
        person = self.get(owner_id, person_id)
        others = [self.get(owner_id, i) for i in ids]
        for other in others:
            person, _ = self.grouping.merge(person, other, forced=True)
        return person

    def remove_face(self, owner_id: str, person_id: str, face_id: str) -> Person:
        """This face is not this person: it leaves the group for good and joins whoever it resembles (or starts
        a new person). Returns the face's new person."""
        person = self.get(owner_id, person_id)
        face = self.face_store.get_face(face_id, owner_id)
        if face is None or face.person_id != person.id:
            raise NotFound("No such face in this person.", code="face_not_found")
        face.not_person_ids = list(dict.fromkeys([*face.not_person_ids, person.id]))
        face.person_id = None
        self.face_store.save_face(face)
        self.grouping.rebuild(owner_id, person.id)
        taken = {f.person_id for f in self.face_store.faces_of_photo(face.photo_id) if f.person_id and f.id != face.id}
        new = self.grouping.assign(face, taken, self.grouping.centroids(owner_id))
        # Whoever the face is now is not the person it left: the two are never merged automatically.
        new = self.persons.change(new, lambda p: rules.keep_apart(p, {person.id}))
        self.asking.ask(new)
        rest = self.face_store.get_person(person.id, owner_id)
        if rest is not None:
            self.asking.ask(rest)
        self.sync.refresh(owner_id, [face.photo_id])
        return new
