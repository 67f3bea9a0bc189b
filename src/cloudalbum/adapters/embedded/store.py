"""MetadataStore on SQLite (the embedded shape): one database file, one repository per aggregate.

The store opens the SqliteDatabase (connections, transactions, migrations) and hands it to each repository;
a repository that needs another (photos re-index through the search index) is given it here. Only account
deletion, which crosses every aggregate in one transaction, is the store's own.
"""

from __future__ import annotations

from pathlib import Path

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
from .albums import SqliteAlbumStore
from .batches import SqliteBatchStore
from .database import SqliteDatabase
from .duplicates import SqliteDuplicateStore
from .faces import SqliteFaceStore
from .limits import SqliteLimitStore
from .photos import SqlitePhotoStore
from .places import SqlitePlaceIndex
from .questions import SqliteQuestionStore
from .search import SqliteSearchIndex
from .shares import SqliteShareStore
from .trips import SqliteTripStore
from .users import SqliteUserStore

# Tables with an owner_id column, children first (account deletion). search_* rows go with unindex_photo.
OWNER_TABLES = ("dup_dismissed", "dup_members", "dup_groups", "dup_keys", "dup_prints", "trips", "trip_windows",
                "batch_photos", "batches", "album_photos", "albums", "questions", "faces", "people", "face_settings",
                "photos", "byte_reservations", "face_scans", "pending_blobs")


class SqliteMetadataStore:
    """The embedded MetadataStore: one SQLite file (WAL), safe for API threads and worker processes.

    Each repository is typed as its port, so the type checker holds every one to its protocol."""

    def __init__(self, path: Path) -> None:
        self.db = SqliteDatabase(path)
        self.db.migrate()
        self._index = SqliteSearchIndex(self.db)  # its unindex_photo serves account deletion
        self.index: SearchIndex = self._index
        self.users: UserStore = SqliteUserStore(self.db)
        self.photos: PhotoStore = SqlitePhotoStore(self.db, self._index)
        self.albums: AlbumStore = SqliteAlbumStore(self.db)
        self.questions: QuestionStore = SqliteQuestionStore(self.db)
        self.faces: FaceStore = SqliteFaceStore(self.db)
        self.limits: LimitStore = SqliteLimitStore(self.db)
        self.shares: ShareStore = SqliteShareStore(self.db)
        self.batches: BatchStore = SqliteBatchStore(self.db)
        self.duplicates: DuplicateStore = SqliteDuplicateStore(self.db)
        self.trips: TripStore = SqliteTripStore(self.db)
        self.places: PlaceIndex = SqlitePlaceIndex(self.db)

    def delete_owner_data(self, owner_id: str) -> None:
        """Every record of the owner's library (photos with their index rows, albums, questions, faces,
        people, face settings, quota reservations, the face scan, pending blob entries), in one transaction."""
        with self.db.tx() as conn:
            ids = [r[0] for r in conn.execute("SELECT id FROM photos WHERE owner_id = ?", (owner_id,))]
            for photo_id in ids:
                self._index.unindex_photo(conn, photo_id)
            for table in OWNER_TABLES:
                conn.execute(f"DELETE FROM {table} WHERE owner_id = ?", (owner_id,))

    def close(self) -> None:
        """Close every connection the repositories opened (they share the database's)."""
        self.db.close()
