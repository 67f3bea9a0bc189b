"""DynamoDB faces and people (the FaceStore port; design in docs/dynamodb.md).

A face item (`FACE#<id>`) and a person item (`PERSON#<id>`) each hold the object as JSON in `doc` (the same
document as the SQLite store's) and its vector as a Binary attribute of float32 values (`embedding`,
`centroid_sum`: 512 bytes for SFace's 128). The lists use the three overloaded GSIs (projection ALL, so a list
needs no second read): a photo's faces left to right (GSI1), a person's faces oldest first (GSI2, sparse: faces
with a person), an owner's faces (GSI3, for forgetting them), an owner's people most photos first (GSI1).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ...domain.errors import ConcurrentUpdate, Conflict, NotFound
from ...domain.model import Page
from ...domain.people import Face, Person
from ..face_documents import face_doc, face_from, pack, person_doc, person_from, vectors_of
from . import keys as K
from .table import N, S, Table, av_key, item_key, n, s


def face_item(face: Face) -> dict[str, Any]:
    item: dict[str, Any] = {
        **av_key(K.face_key(face.id)), "owner_id": S(face.owner_id), "photo_id": S(face.photo_id),
        "created_at": S(face.created_at), "doc": S(face_doc(face)), "embedding": {"B": pack(face.embedding)},
        "GSI1PK": S(K.photo_faces_pk(face.photo_id)), "GSI1SK": S(K.face_x_rank(face.box.x, face.id)),
        "GSI3PK": S(K.owner_faces_pk(face.owner_id)), "GSI3SK": S(f"{face.created_at}#{face.id}"),
    }
    if face.person_id:
        item["person_id"] = S(face.person_id)
        item["GSI2PK"] = S(K.person_faces_pk(face.owner_id, face.person_id))
        item["GSI2SK"] = S(f"{face.created_at}#{face.id}")
    return item


def face_of(item: dict[str, Any]) -> Face:
    return face_from(item["doc"]["S"], item["embedding"]["B"])


def person_item(person: Person) -> dict[str, Any]:
    return {
        **av_key(K.person_item_key(person.id)), "owner_id": S(person.owner_id), "version": N(person.version),
        "photo_count": N(int(person.photo_count)), "doc": S(person_doc(person)),
        "centroid_sum": {"B": pack(person.centroid_sum)},
        "GSI1PK": S(K.owner_people_pk(person.owner_id)), "GSI1SK": S(K.people_rank(person.photo_count, person.id)),
    }


def person_of(item: dict[str, Any]) -> Person:
    return person_from(item["doc"]["S"], int(n(item, "version")), item["centroid_sum"]["B"])


class DynamoFaces:
    """FaceStore on the single table. No Scan: every list is one GSI partition."""

    def __init__(self, table: Table) -> None:
        self.table, self.client = table, table.client

    # --- faces ----------------------------------------------------------------------------------------------

    def add_faces(self, faces: list[Face]) -> None:
        self.table.batch_write(puts=[face_item(f) for f in faces])

    def get_face(self, face_id: str, owner_id: str) -> Face | None:
        item = self.table.get(K.face_key(face_id))
        return face_of(item) if item is not None and s(item, "owner_id") == owner_id else None

    def save_face(self, face: Face) -> None:
        """The whole item replaced (last writer wins), unless the face is gone (deleted with its photo)."""
        try:
            self.client.put_item(TableName=self.table.name, Item=face_item(face),
                                 ConditionExpression="attribute_exists(PK)")
        except self.client.exceptions.ConditionalCheckFailedException:
            pass

    def delete_faces(self, face_ids: list[str]) -> None:
        self.table.batch_write(deletes=[K.face_key(i) for i in dict.fromkeys(face_ids)])

    def faces_of_photo(self, photo_id: str) -> list[Face]:
        return [face_of(it) for it in self.table.query(index="GSI1", pk_name="GSI1PK", pk=K.photo_faces_pk(photo_id),
                                                       sk_name="GSI1SK")]

    def delete_of_photo(self, photo_id: str) -> None:
        """delete_photo's part: the photo's faces (the people service then updates the people)."""
        self.table.batch_write(deletes=[item_key(it) for it in self.table.query(
            index="GSI1", pk_name="GSI1PK", pk=K.photo_faces_pk(photo_id), sk_name="GSI1SK")])

    def faces_of_person(self, person_id: str, owner_id: str, *, limit: int = 50,
                        cursor: str | None = None) -> Page:
        """Oldest first; the cursor is the last face's GSI2SK (`<created_at>#<id>`)."""
        return self._page(self._after("GSI2", K.person_faces_pk(owner_id, person_id), cursor, limit), limit,
                          "GSI2SK", face_of)

    # --- people ---------------------------------------------------------------------------------------------

    def add_person(self, person: Person) -> None:
        try:
            self.client.put_item(TableName=self.table.name, Item=person_item(person),
                                 ConditionExpression="attribute_not_exists(PK)")
        except self.client.exceptions.ConditionalCheckFailedException as exc:
            raise Conflict(f"person {person.id} already exists") from exc

    def get_person(self, person_id: str, owner_id: str) -> Person | None:
        item = self.table.get(K.person_item_key(person_id))
        return person_of(item) if item is not None and s(item, "owner_id") == owner_id else None

    def save_person(self, person: Person) -> Person:
        """One PutItem conditional on the stored version (its GSI1SK follows the new photo_count)."""
        saved = dataclasses.replace(person, version=person.version + 1)
        try:
            self.client.put_item(TableName=self.table.name, Item=person_item(saved),
                                 ConditionExpression="attribute_exists(PK) AND #ver = :old",
                                 ExpressionAttributeNames={"#ver": "version"},
                                 ExpressionAttributeValues={":old": N(person.version)})
        except self.client.exceptions.ConditionalCheckFailedException as exc:
            if self.table.get(K.person_item_key(person.id)) is None:
                raise NotFound(f"person {person.id} not found", code="person_not_found") from exc
            raise ConcurrentUpdate(f"person {person.id} was changed by someone else; reload and retry") from exc
        return saved

    def delete_person(self, person_id: str) -> None:
        self.client.delete_item(TableName=self.table.name, Key=av_key(K.person_item_key(person_id)))

    def list_people(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Most photos first, then id; the cursor is the last person's GSI1SK (people_rank)."""
        return self._page(self._after("GSI1", K.owner_people_pk(owner_id), cursor, limit), limit, "GSI1SK",
                          person_of)

    def people_of_owner(self, owner_id: str) -> list[Person]:
        return [person_of(it) for it in self.table.query(index="GSI1", pk_name="GSI1PK", pk=K.owner_people_pk(owner_id),
                                                         sk_name="GSI1SK", page=1000)]

    def person_vectors(self, owner_id: str) -> tuple[list[str], np.ndarray]:
        """The same GSI1 partition as people_of_owner, projected to the id and the centroid."""
        items = self.table.query(index="GSI1", pk_name="GSI1PK", pk=K.owner_people_pk(owner_id), sk_name="GSI1SK",
                                 page=1000, projection="PK, centroid_sum")
        return vectors_of([((s(it, "PK") or "")[len(K.person_item_key("")["PK"]):], it["centroid_sum"]["B"])
                           for it in items])

    # --- the owner's setting and forgetting -----------------------------------------------------------------

    def face_grouping_enabled(self, owner_id: str) -> bool:
        item = self.table.get(K.face_settings_key(owner_id))
        return True if item is None else bool(item.get("face_grouping", {}).get("BOOL", True))

    def set_face_grouping(self, owner_id: str, enabled: bool) -> None:
        self.client.put_item(TableName=self.table.name, Item={**av_key(K.face_settings_key(owner_id)),
                                                              "face_grouping": {"BOOL": bool(enabled)}})

    def delete_face_data(self, owner_id: str) -> None:
        """Every face (GSI3) and person (GSI1) of the owner, in BatchWriteItem deletes; the setting stays."""
        faces = self.table.query(index="GSI3", pk_name="GSI3PK", pk=K.owner_faces_pk(owner_id), sk_name="GSI3SK",
                                 page=1000)
        people = self.table.query(index="GSI1", pk_name="GSI1PK", pk=K.owner_people_pk(owner_id), sk_name="GSI1SK",
                                  page=1000)
        self.table.batch_write(deletes=[item_key(it) for it in (*faces, *people)])

    # --- paging ---------------------------------------------------------------------------------------------

    def _after(self, index: str, pk: str, cursor: str | None, limit: int) -> Iterator[dict[str, Any]]:
        """One GSI partition in ascending key order, after the cursor's sort key."""
        cond, values = ("#sk > :after", {":after": S(K.decode_position(cursor))}) if cursor else ("", {})
        return self.table.query(index=index, pk_name=f"{index}PK", pk=pk, sk_name=f"{index}SK", sk_cond=cond,
                                values=values, page=min(max(1, limit) + 1, 1000))

    @staticmethod
    def _page(items: Iterator[dict[str, Any]], limit: int, sk_name: str, convert: Callable[[dict[str, Any]], Any]
              ) -> Page:
        """A page of the first `limit` items; a cursor when there is one more."""
        limit = max(1, limit)
        page: list[dict[str, Any]] = []
        for item in items:
            if len(page) == limit:
                return Page([convert(it) for it in page], K.encode_cursor(s(page[-1], sk_name)))
            page.append(item)
        return Page([convert(it) for it in page], None)
