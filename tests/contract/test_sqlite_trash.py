"""SqliteMetadataStore against the trash contract (partial list indexes, search rows removed, album memberships
flagged)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cloudalbum.adapters.embedded.store import SqliteMetadataStore
from contract.trash_contract import TrashContract


class TestSqliteTrash(TrashContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[SqliteMetadataStore]:
        s = SqliteMetadataStore(tmp_path / "meta.sqlite3")
        yield s
        s.close()


def test_the_live_lists_read_partial_indexes_that_hold_no_trashed_photo(tmp_path: Path) -> None:
    """The plans: a library list, an album page and the trash each read an index of their own rows only."""
    store = SqliteMetadataStore(tmp_path / "meta.sqlite3")
    try:
        conn = store.photos._db.read()

        def plan(sql: str, *args: object) -> str:
            return " ".join(str(r[3]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql, args))

        assert "photos_owner_sort" in plan("SELECT id FROM photos WHERE owner_id = ? AND trashed_at IS NULL"
                                           " ORDER BY sort_key DESC, id DESC LIMIT 5", "o")
        assert "photos_owner_trash" in plan("SELECT id FROM photos WHERE owner_id = ? AND trashed_at IS NOT NULL"
                                            " ORDER BY trashed_at DESC, id DESC LIMIT 5", "o")
        assert "photos_trashed_at" in plan("SELECT id FROM photos WHERE trashed_at IS NOT NULL AND trashed_at < ?"
                                           " ORDER BY trashed_at, id LIMIT 5", "x")
        assert "album_photos_live" in plan("SELECT photo_id FROM album_photos WHERE album_id = ? AND trashed = 0"
                                           " ORDER BY sort_key DESC, photo_id DESC LIMIT 5", "a")
    finally:
        store.close()
