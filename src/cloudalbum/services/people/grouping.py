"""Grouping faces into people: a face joins the most similar person (domain.people.Centroids) or starts one,
people whose centroids meet are merged, and a person is rebuilt from its faces when faces leave it.

Every change to a person goes through PersonChanges (load, change, save on the version, retry on a lost race);
the rules of what a change does are domain.people's (with_face, recount, absorb, keep_apart).
"""

from __future__ import annotations

import logging
from functools import partial

from ...domain import people as rules
from ...domain.errors import NotFound
from ...domain.model import QuestionStatus, iso, new_id, utcnow
from ...domain.people import Face, Person
from ...ports import FaceStore
from ..changes import PersonChanges, retry_lost_races
from .asking import PersonQuestions
from .face_records import all_faces, photo_ids_of
from .photo_sync import PhotoFaces

log = logging.getLogger("cloudalbum.people")
MAX_MERGE_STEPS = 8  # people merged into one after a face joined it, at most (each merge may enable another)


class Grouping:
    def __init__(self, face_store: FaceStore, persons: PersonChanges, asking: PersonQuestions,
                 sync: PhotoFaces) -> None:
        self.face_store = face_store
        self.persons = persons
        self.asking = asking
        self.sync = sync

    def centroids(self, owner_id: str) -> rules.Centroids:
        ids, sums = self.face_store.person_vectors(owner_id)
        return rules.Centroids(ids, sums)

    def assign(self, face: Face, taken: set[str], centroids: rules.Centroids) -> Person:
        """Join the most similar person (never one already in this photo), or start a new one. When another
        worker changed the people meanwhile, the owner's people are read again and the face placed again.

        The face is written before its person: a worker killed in between leaves a face pointing at a person
        whose counts miss it (or who does not exist yet), and the redelivery's rebuild (record_faces) repairs
        exactly that. The other order would count the face twice after a redelivery."""
        current = [centroids]

        def place() -> Person:
            person_id, _sim = current[0].best(face.embedding, exclude=[*face.not_person_ids, *taken])
            person = self.face_store.get_person(person_id, face.owner_id) if person_id else None
            if person is None:
                person = self._new_person(face)
                self.move_face(face, person.id)
                self.face_store.add_person(person)
                current[0].put(person.id, person.centroid_sum)
                return person
            self.move_face(face, person.id)
            joined = self.face_store.save_person(rules.with_face(person, face, new_photo=True, now=iso(utcnow())))
            current[0].put(joined.id, joined.centroid_sum)
            return joined

        def read_again() -> None:
            current[0] = self.centroids(face.owner_id)

        return retry_lost_races(place, also=(NotFound,), before_retry=read_again,
                                gave_up="the owner's people kept changing while a face was being grouped")

    @staticmethod
    def _new_person(face: Face) -> Person:
        now = iso(utcnow())
        return Person(id=new_id(), owner_id=face.owner_id, created_at=now, updated_at=now,
                      cover_face_id=face.id, cover_photo_id=face.photo_id, face_count=1, photo_count=1,
                      centroid_sum=list(face.embedding))

    def move_face(self, face: Face, person_id: str) -> None:
        face.person_id = person_id
        self.face_store.save_face(face)

    def keep_apart(self, owner_id: str, person_ids: set[str]) -> None:
        """People seen side by side in one photo are different people: each records the others, so no later
        merge by likeness joins them (a lookalike sibling, a reflection, a face on a poster)."""
        if len(person_ids) < 2:
            return
        for person_id in person_ids:
            others = person_ids - {person_id}
            person = self.face_store.get_person(person_id, owner_id)
            if person is None or others <= set(person.not_same_as):
                continue
            try:
                self.persons.change(person, partial(rules.keep_apart, others=others))
            except NotFound:
                continue

    def merge_lookalikes(self, owner_id: str, person_id: str, centroids: rules.Centroids) -> str:
        """Merge the people whose centroid now meets person's; returns the id that survives."""
        current = person_id
        for _ in range(MAX_MERGE_STEPS):
            person = self.face_store.get_person(current, owner_id)
            if person is None:
                return current
            near = (self.face_store.get_person(i, owner_id) for i in centroids.near(current))
            other = next((p for p in near if p is not None and rules.may_merge(person, p)), None)
            if other is None:
                return current
            kept, absorbed = rules.survivor(person, other)
            kept, _ = self.merge(kept, absorbed)
            centroids.remove(absorbed.id)
            centroids.put(kept.id, kept.centroid_sum)
            current = kept.id
        return current

    def merge(self, kept: Person, absorbed: Person, *, forced: bool = False) -> tuple[Person, list[str]]:
        """Move absorbed's faces to kept, delete absorbed, fix names, questions and photos. forced: the owner
        merged them, so a face's earlier "not this person" about kept no longer holds."""
        moved_photos: dict[str, None] = {}
        for face in all_faces(self.face_store, absorbed):
            face.not_person_ids = [i for i in face.not_person_ids if i != kept.id] if forced else face.not_person_ids
            self.move_face(face, kept.id)
            moved_photos[face.photo_id] = None
        self.asking.close(absorbed, QuestionStatus.DISMISSED.value)
        self.face_store.delete_person(absorbed.id)
        kept = self.persons.change(kept, lambda p: rules.absorb(p, absorbed))
        kept = self.rebuild(kept.owner_id, kept.id) or kept
        self.asking.ask(kept)
        photo_ids = photo_ids_of(self.face_store, kept) if kept.name != absorbed.name else list(moved_photos)
        self.sync.refresh(kept.owner_id, photo_ids)
        log.info("person %s merged into %s", absorbed.id, kept.id)
        return kept, list(moved_photos)

    def rebuild(self, owner_id: str, person_id: str) -> Person | None:
        """Counts, centroid and cover from the person's faces; deletes a person with no face left."""
        person = self.face_store.get_person(person_id, owner_id)
        if person is None:
            return None
        faces = list(all_faces(self.face_store, person))
        if not faces:
            self.asking.close(person, QuestionStatus.DISMISSED.value)
            self.face_store.delete_person(person.id)
            return None
        try:
            return self.persons.change(person, lambda p: rules.recount(p, faces))
        except NotFound:
            return None
