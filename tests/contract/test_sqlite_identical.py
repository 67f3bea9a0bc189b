"""SqliteMetadataStore against the identical-files contract (a unique index on (owner_id, sha256))."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cloudalbum.adapters.embedded.store import SqliteMetadataStore
from contract.identical_contract import IdenticalFilesContract


class TestSqliteIdenticalFiles(IdenticalFilesContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[SqliteMetadataStore]:
        s = SqliteMetadataStore(tmp_path / "meta.sqlite3")
        yield s
        s.close()
