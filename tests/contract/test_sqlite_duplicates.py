"""SqliteMetadataStore against the duplicates contract, and the plans: every lookup is an index probe."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cloudalbum.adapters.embedded.store import SqliteMetadataStore
from contract.duplicates_contract import DuplicateStoreContract


class TestSqliteDuplicates(DuplicateStoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[SqliteMetadataStore]:
        s = SqliteMetadataStore(tmp_path / "meta.sqlite3")
        yield s
        s.close()


def test_lookups_and_groups_read_their_indexes(tmp_path: Path) -> None:
    store = SqliteMetadataStore(tmp_path / "meta.sqlite3")
    try:
        conn = store.db.read()

        def plan(sql: str, *args: object) -> str:
            return " ".join(str(r[3]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql, args))

        lookup = plan("SELECT p.photo_id, p.fp FROM (SELECT DISTINCT photo_id FROM dup_keys WHERE owner_id = ?"
                      " AND key IN (?, ?) LIMIT ?) k JOIN dup_prints p ON p.photo_id = k.photo_id", "o", "a", "b", 9)
        assert "SEARCH dup_keys USING PRIMARY KEY" in lookup and "SEARCH p USING PRIMARY KEY" in lookup, lookup
        assert "photos_owner_sort" in plan("SELECT id FROM photos WHERE owner_id = ? AND trashed_at IS NULL"
                                           " AND sort_key BETWEEN ? AND ? ORDER BY sort_key DESC, id DESC LIMIT 5",
                                           "o", "a", "b")
        assert "dup_groups_owner" in plan("SELECT id FROM dup_groups WHERE owner_id = ? AND id > ? ORDER BY id"
                                          " LIMIT 5", "o", "x")
    finally:
        store.close()
