"""SqlitePlaceIndex's SQLite-only promise: each of its reads is driven by the partial index of its role
(migration 0250), so its cost follows the photos around one instant, never the library."""

from __future__ import annotations

from pathlib import Path

from cloudalbum.adapters.embedded.places import SqlitePlaceIndex
from cloudalbum.adapters.embedded.store import SqliteMetadataStore


def test_each_read_uses_the_partial_index_of_its_role(tmp_path: Path) -> None:
    store = SqliteMetadataStore(tmp_path / "meta.sqlite3")
    try:
        assert isinstance(store.places, SqlitePlaceIndex)
        before, after, open_ = store.places.explain()
        assert "search_doc_owner_anchor" in before and "search_doc_owner_anchor" in after
        assert "search_doc_owner_open" in open_
        assert all("TEMP B-TREE" not in plan for plan in (before, after, open_))  # read in index order
    finally:
        store.close()
