"""MetadataStore on DynamoDB (the AWS shape): one table, three overloaded GSIs, search index items.

The design and its every access pattern: docs/dynamodb.md. One repository per aggregate, each in its own module
and all on one Table (table.py; keys and attribute names in keys.py): users.py, photos.py, search.py,
albums.py, questions.py, faces.py, limits.py, shares.py. Where a write of one carries another's items (a photo's
index items and album counts, its questions and faces when it goes; an album's sharing items), the repository
is given the other in its constructor.
"""

from __future__ import annotations

from typing import Any

from ...config import Settings
from ...ports import (
    AlbumStore,
    BatchStore,
    DuplicateStore,
    FaceStore,
    LimitStore,
    PhotoStore,
    PlaceIndex,
    QuestionStore,
    SearchIndex,
    ShareStore,
    TripStore,
    UserStore,
)
from . import keys as K
from .albums import DynamoAlbums
from .batches import DynamoBatches
from .blobstore import aws_client
from .duplicates import DynamoDuplicates
from .faces import DynamoFaces
from .index_items import IndexItems
from .limits import DynamoLimits
from .photos import DynamoPhotos
from .places import DynamoPlaceIndex
from .questions import DynamoQuestions
from .search import DynamoSearchIndex
from .shares import DynamoShares
from .table import GuardedClient, S, Table, s
from .trips import DynamoTrips
from .users import DynamoUsers


class DynamoMetadataStore:
    """The AWS MetadataStore. Thread-safe: boto3 clients are, and no repository keeps other state.

    `client` is the guarded client every repository shares (tests count its requests through it)."""

    def __init__(self, client: Any, table: str) -> None:
        self.table = Table(GuardedClient(client), table)
        self.client = self.table.client
        items = IndexItems(self.table)
        shares, questions, faces = DynamoShares(self.table), DynamoQuestions(self.table), DynamoFaces(self.table)
        albums = DynamoAlbums(self.table, items, shares)
        self.users: UserStore = DynamoUsers(self.table)
        self.photos: PhotoStore = DynamoPhotos(self.table, items, albums, questions, faces)
        self.index: SearchIndex = DynamoSearchIndex(self.table, items, albums)
        self.albums: AlbumStore = albums
        self.questions: QuestionStore = questions
        self.faces: FaceStore = faces
        self.limits: LimitStore = DynamoLimits(self.table)
        self.shares: ShareStore = shares
        self.batches: BatchStore = DynamoBatches(self.table)
        self._duplicates = DynamoDuplicates(self.table)  # its delete_owner_groups serves account deletion
        self.duplicates: DuplicateStore = self._duplicates
        self.trips: TripStore = DynamoTrips(self.table)
        self.places: PlaceIndex = DynamoPlaceIndex(self.table)

    @classmethod
    def from_settings(cls, settings: Settings) -> DynamoMetadataStore:
        return cls(aws_client("dynamodb", settings), settings.dynamodb_table)

    def delete_owner_data(self, owner_id: str) -> None:
        """Every item of the owner's library: photos (with their index items, questions and faces), albums,
        faces and people, the usage counter and face settings."""
        photo_ids = [(s(it, "PK") or "")[len("PHOTO#"):] for pk in (K.owner_photos_pk(owner_id),
                                                                     K.owner_trash_pk(owner_id))  # the trash too
                     for it in self.table.query(index="GSI1", pk_name="GSI1PK", pk=pk, sk_name="GSI1SK", page=1000)]
        for photo_id in photo_ids:
            self.photos.delete_photo(photo_id)
        for item in list(self.table.query(index="GSI1", pk_name="GSI1PK", pk=K.owner_albums_pk(owner_id),
                                          sk_name="GSI1SK", page=1000)):
            self.albums.delete_album((s(item, "PK") or "")[len("ALBUM#"):])
        self.faces.delete_face_data(owner_id)
        self.batches.delete_owner_batches(owner_id)
        self._duplicates.delete_owner_groups(owner_id)
        self.trips.delete_owner_trips(owner_id)
        months = [{"PK": s(it, "PK") or "", "SK": s(it, "SK") or ""} for it in self.table.query(
            pk=K.owner_pk(owner_id), sk_cond="begins_with(#sk, :m)", values={":m": S(K.MONTH_PREFIX)}, page=1000)]
        self.table.batch_write(deletes=[K.usage_key(owner_id), K.face_settings_key(owner_id), *months])

    def close(self) -> None:
        self.client.close()
