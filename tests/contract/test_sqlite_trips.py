"""SqliteMetadataStore against the trips contract, and the plans that keep its reads on indexes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cloudalbum.adapters.embedded.store import SqliteMetadataStore
from contract.trips_contract import TripStoreContract


class TestSqliteTrips(TripStoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[SqliteMetadataStore]:
        s = SqliteMetadataStore(tmp_path / "meta.sqlite3")
        yield s
        s.close()


def test_trip_reads_use_indexes(tmp_path: Path) -> None:
    store = SqliteMetadataStore(tmp_path / "meta.sqlite3")
    try:
        conn = store.db.read()

        def plan(sql: str, *args: object) -> str:
            return " ".join(str(r[3]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql, args))

        assert "photos_owner_sort" in plan(
            "SELECT id FROM photos WHERE owner_id = ? AND trashed_at IS NULL AND sort_key >= ? AND sort_key <= ?"
            " ORDER BY sort_key, id LIMIT 5", "o", "a", "b")
        assert "trips_owner_start" in plan("SELECT id FROM trips WHERE owner_id = ? AND start_s <= ?"
                                           " ORDER BY start_s DESC, id DESC", "o", 1.0)
    finally:
        store.close()
