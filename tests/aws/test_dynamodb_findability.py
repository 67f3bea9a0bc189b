"""DynamoMetadataStore's search, map and time-window queries against the same cases as the SQLite index
(tests/findability), on moto; and DynamoDB against the pure rule on random libraries."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from aws.conftest import unique_settings
from cloudalbum.adapters import dynamodb_keys as K
from cloudalbum.adapters.aws_init import init_aws
from cloudalbum.adapters.dynamodb_store import DynamoMetadataStore
from cloudalbum.domain.search import SearchQuery, parse_search_params
from findability.test_sqlite_search import (  # noqa: F401 - collected here against DynamoDB
    all_ids, assert_agrees_with_the_pure_rule, ids, library, test_album_membership_follows_date_changes_and_deletes,
    test_map_points_are_located_matches,
    test_other_owners_photos_never_found, test_pagination_is_newest_first_and_complete,
    test_photos_near_in_time, test_reasons_say_why, test_rejected_label_is_never_matched,
    test_search_finds_exactly)

pytestmark = pytest.mark.emulator


@pytest.fixture
def store(moto_env: str, tmp_path: Path) -> Iterator[DynamoMetadataStore]:
    settings = unique_settings(tmp_path)
    init_aws(settings, ("dynamodb",))
    s = DynamoMetadataStore.from_settings(settings)
    yield s
    s.close()


def partition(store: DynamoMetadataStore, pk: str) -> list[dict[str, Any]]:
    return list(store._query(pk=pk, consistent=True))


def test_saving_reindexes_and_deleting_unindexes(library: DynamoMetadataStore) -> None:
    photo = library.get_photo("cat", "alice")
    photo.taken_at = "2030-01-01T00:00:00"
    photo.title = "Chelsea"
    library.save_photo(photo)
    assert ids(library.search("alice", parse_search_params({"q": "chelsea"}))) == ["cat"]
    assert all_ids(library, "alice", SearchQuery())[0] == "cat"
    assert [it["SK"]["S"] for it in partition(library, K.ix_pk("alice", "L", "cat"))] == [K.position(photo)]
    library.delete_photo("cat")
    assert ids(library.search("alice", parse_search_params({"label": "cat"}))) == []
    for kind, value in (("L", "cat"), ("T", "che"), ("T", "cat")):
        assert partition(library, K.ix_pk("alice", kind, value)) == []


def test_stale_index_items_are_ignored_and_cleaned(library: DynamoMetadataStore) -> None:
    """An index item left behind (a crash between the photo write and its index write) never shows."""
    ghost = {"PK": {"S": K.ix_pk("alice", "L", "dog")}, "SK": {"S": "2099-01-01T00:00:00#ghost"},
             "photo_id": {"S": "ghost"}, "conf": {"N": "0.99"}}
    library.client.put_item(TableName=library.table, Item=ghost)
    assert ids(library.search("alice", parse_search_params({"label": "dog"}))) == ["paris"]
    assert [it["photo_id"]["S"] for it in partition(library, K.ix_pk("alice", "L", "dog"))] == ["paris"]


def test_bad_cursor_is_invalid(library: DynamoMetadataStore) -> None:
    from cloudalbum.domain.errors import Invalid

    with pytest.raises(Invalid):
        library.search("alice", SearchQuery(), cursor="e30")


@pytest.mark.parametrize("seed", [7])
def test_dynamodb_agrees_with_the_pure_rule(store: DynamoMetadataStore, seed: int) -> None:
    """Whatever the DynamoDB indexes find is exactly what match_reasons accepts, in list order."""
    assert_agrees_with_the_pure_rule(store, seed, photos=40, others=5, queries=25)


def test_dynamodb_local_agrees_with_the_pure_rule(moto_endpoint: str, ddb_local_endpoint: str,
                                                  monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The same agreement on Amazon's own engine (key conditions, filters, pagination as DynamoDB does them)."""
    from aws.conftest import point_boto3

    point_boto3(monkeypatch, endpoint=moto_endpoint, dynamodb=ddb_local_endpoint)
    settings = unique_settings(tmp_path)
    init_aws(settings, ("dynamodb",))
    store = DynamoMetadataStore.from_settings(settings)
    try:
        test_dynamodb_agrees_with_the_pure_rule(store, 3)
    finally:
        store.client.delete_table(TableName=settings.dynamodb_table)
        store.close()


def test_store_failures_are_domain_errors(store: DynamoMetadataStore, monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path) -> None:
    """A key DynamoDB refuses is Invalid (422); a store that cannot be reached is StorageUnavailable (503)."""
    from aws.conftest import free_port
    from cloudalbum.domain.errors import Invalid, StorageUnavailable
    from cloudalbum.domain.model import Album

    with pytest.raises(Invalid):
        store.add_album(Album(id="x" * 3000, owner_id="alice", name="a", created_at="t", updated_at="t"))
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", f"http://127.0.0.1:{free_port()}")
    down = DynamoMetadataStore.from_settings(unique_settings(tmp_path))
    with pytest.raises(StorageUnavailable):
        down.get_photo("p1", "alice")
    down.close()
