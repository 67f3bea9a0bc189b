"""Search by the text read in photos on DynamoDB (issue 17): the same assertions as SQLite
(tests/findability/test_text_search.py), on moto and on DynamoDB Local; the photo's save writes its text's
index items (T: word prefixes for q, TW: whole words for text=), and a text= search reads one partition of
them, never a Scan."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aws.conftest import unique_settings
from aws.test_dynamodb_findability import queried_partitions
from cloudalbum.adapters.aws import keys as K
from cloudalbum.adapters.aws.init import init_aws
from cloudalbum.adapters.aws.store import DynamoMetadataStore
from cloudalbum.domain.search import SearchQuery
from findability.conftest import make_photo
from findability.test_text_search import assert_text_search, read

pytestmark = pytest.mark.emulator


@pytest.fixture
def store(moto_env: str, tmp_path: Path) -> Iterator[DynamoMetadataStore]:
    settings = unique_settings(tmp_path)
    init_aws(settings, ("dynamodb",))
    s = DynamoMetadataStore.from_settings(settings)
    yield s
    s.close()


def partition(store: DynamoMetadataStore, pk: str) -> list[str]:
    return [it["SK"]["S"] for it in store.table.query(pk=pk, consistent=True)]


def test_dynamodb_searches_the_text_read_in_photos(store: DynamoMetadataStore) -> None:
    seen = queried_partitions(store)  # fails on any Scan
    assert_text_search(store)
    assert K.ix_pk("alice", "TW", "notruf") in seen, seen


def test_dynamodb_local_searches_the_text_read_in_photos(ddb_local_store: Any) -> None:
    assert_text_search(ddb_local_store)


def test_dynamodb_writes_the_texts_index_items_on_save(store: DynamoMetadataStore) -> None:
    photo = make_photo("sign", text=read("Notruf 112", "Café Zürich"))
    store.photos.add_photo(photo)
    pos = K.position(photo)
    for kind, value in (("TW", "notruf"), ("TW", "112"), ("TW", "cafe"), ("TW", "zurich"), ("T", "not"),
                        ("T", "zur"), ("T", "caf")):
        assert partition(store, K.ix_pk("alice", kind, value)) == [pos], (kind, value)
    assert [h.photo.id for h in store.index.search("alice", SearchQuery(text="Zürich café")).items] == ["sign"]
    store.photos.delete_photo("sign")
    assert partition(store, K.ix_pk("alice", "TW", "notruf")) == []
