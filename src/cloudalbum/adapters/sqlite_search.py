"""SQLite search index (FTS5 text, R*Tree location, label index): a mixin of SqliteMetadataStore.

Placeholder until the findability work fills it in; the photo writes call the two hooks in their transaction.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..domain.model import Photo


class SqliteSearchMixin:
    def _index_photo(self, conn: sqlite3.Connection, photo: Photo) -> None:
        """(Re)write the search index rows of one photo, inside the caller's transaction."""

    def _unindex_photo(self, conn: sqlite3.Connection, photo_id: str) -> None:
        """Remove the search index rows of one photo, inside the caller's transaction."""

    def search(self, owner_id: str, query: Any, *, limit: int = 50, cursor: str | None = None) -> Any:
        raise NotImplementedError

    def map_points(self, owner_id: str, query: Any, *, limit: int = 10000) -> Any:
        raise NotImplementedError

    def photos_near_in_time(self, owner_id: str, **kw: Any) -> Any:
        raise NotImplementedError
