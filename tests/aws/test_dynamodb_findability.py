"""DynamoMetadataStore's search, map and time-window queries against the same cases as the SQLite index
(tests/findability), on moto; and DynamoDB against the pure rule on random libraries (people included)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aws.conftest import unique_settings
from cloudalbum.adapters.aws import keys as K
from cloudalbum.adapters.aws.init import init_aws
from cloudalbum.adapters.aws.store import DynamoMetadataStore
from cloudalbum.domain.search import SearchQuery
from findability.test_sqlite_search import (  # noqa: F401 - collected here against DynamoDB
    all_ids,
    assert_agrees_with_the_pure_rule,
    ids,
    library,
    test_album_membership_follows_date_changes_and_deletes,
    test_map_points_are_located_matches,
    test_other_owners_photos_never_found,
    test_pagination_is_newest_first_and_complete,
    test_photos_near_in_time,
    test_reasons_say_why,
    test_rejected_label_is_never_matched,
    test_search_finds_exactly,
)

pytestmark = pytest.mark.emulator


@pytest.fixture
def store(moto_env: str, tmp_path: Path) -> Iterator[DynamoMetadataStore]:
    settings = unique_settings(tmp_path)
    init_aws(settings, ("dynamodb",))
    s = DynamoMetadataStore.from_settings(settings)
    yield s
    s.close()


def partition(store: DynamoMetadataStore, pk: str) -> list[dict[str, Any]]:
    return list(store.table.query(pk=pk, consistent=True))


def test_saving_reindexes_and_deleting_unindexes(library: DynamoMetadataStore) -> None:
    photo = library.photos.get_photo("cat", "alice")
    photo.taken_at = "2030-01-01T00:00:00"
    photo.title = "Chelsea"
    library.photos.save_photo(photo)
    assert ids(library.index.search("alice", SearchQuery(q="chelsea"))) == ["cat"]
    assert all_ids(library, "alice", SearchQuery())[0] == "cat"
    assert [it["SK"]["S"] for it in partition(library, K.ix_pk("alice", "L", "cat"))] == [K.position(photo)]
    library.photos.delete_photo("cat")
    assert ids(library.index.search("alice", SearchQuery(labels=("cat",)))) == []
    for kind, value in (("L", "cat"), ("T", "che"), ("T", "cat")):
        assert partition(library, K.ix_pk("alice", kind, value)) == []


def test_stale_index_items_are_ignored_and_cleaned(library: DynamoMetadataStore) -> None:
    """An index item left behind (a crash between the photo write and its index write) never shows."""
    ghost = {"PK": {"S": K.ix_pk("alice", "L", "dog")}, "SK": {"S": "2099-01-01T00:00:00#ghost"},
             "photo_id": {"S": "ghost"}, "conf": {"N": "0.99"}}
    library.client.put_item(TableName=library.table.name, Item=ghost)
    assert ids(library.index.search("alice", SearchQuery(labels=("dog",)))) == ["paris"]
    assert [it["photo_id"]["S"] for it in partition(library, K.ix_pk("alice", "L", "dog"))] == ["paris"]


def test_bad_cursor_is_invalid(library: DynamoMetadataStore) -> None:
    from cloudalbum.domain.errors import Invalid

    with pytest.raises(Invalid):
        library.index.search("alice", SearchQuery(), cursor="e30")


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
        store.albums.add_album(Album(id="x" * 3000, owner_id="alice", name="a", created_at="t", updated_at="t"))
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", f"http://127.0.0.1:{free_port()}")
    down = DynamoMetadataStore.from_settings(unique_settings(tmp_path))
    with pytest.raises(StorageUnavailable):
        down.photos.get_photo("p1", "alice")
    down.close()


# --- people: person (a name), person_id and names in q, against the pure rule --------------------------------

PEOPLE = [("p-anna", "Anna"), ("p-annam", "Anna  María"), ("p-bo", "Bo"), ("p-new", None)]
PERSON_QUERIES = [SearchQuery(person="Anna"), SearchQuery(person="anna maria"), SearchQuery(person="ANNA MARIA"),
                  SearchQuery(person="Bo"), SearchQuery(person="nobody"), SearchQuery(person_id="p-anna"),
                  SearchQuery(person_id="p-new"), SearchQuery(person_id="p-missing"),
                  SearchQuery(person="Anna", person_id="p-anna"), SearchQuery(person="Bo", person_id="p-anna"),
                  SearchQuery(q="anna"), SearchQuery(q="maria"), SearchQuery(q="bo"), SearchQuery(q="anna bo"),
                  SearchQuery(person="Anna", labels=("dog",)), SearchQuery(person_id="p-bo", q="birthday")]


def photo_with_faces(rng: Any, i: int, owner: str) -> Any:
    from cloudalbum.domain.model import Box, FaceRef
    from findability.conftest import make_photo

    faces = [FaceRef(id=f"{owner}{i}f{n}", box=Box(10 * n, 5, 40, 40, 0.9), person_id=pid, person_name=name)
             for n, (pid, name) in enumerate(rng.sample(PEOPLE, rng.randint(0, 3)))]
    return make_photo(f"{owner}{i:03d}", owner, taken=f"2021-0{rng.randint(1, 9)}-{rng.randint(10, 28)}T10:00:00",
                      labels={"dog": 0.9} if rng.random() < 0.4 else {},
                      title=rng.choice([None, "birthday", "Bob's boat"]), faces=faces)


def queried_partitions(store: DynamoMetadataStore) -> list[str]:
    """Records the partition key of every Query (and fails on a Scan) made through the store's client."""
    seen: list[str] = []

    def on_call(model: Any, params: dict[str, Any], **_: Any) -> None:
        assert model.name != "Scan", "search must never Scan"
        if model.name == "Query":
            seen.append(params["ExpressionAttributeValues"][":pk"]["S"])

    store.client.meta.events.register("before-parameter-build.dynamodb", on_call)
    return seen


def assert_people_agree_with_the_pure_rule(store: DynamoMetadataStore, seed: int) -> None:
    import random

    from cloudalbum.domain.search import match_reasons, person_key

    rng = random.Random(seed)
    photos = [photo_with_faces(rng, i, "alice") for i in range(30)] + [photo_with_faces(rng, 0, "bob")]
    for p in photos:
        store.photos.add_photo(p)
    order = [p.id for p in store.photos.list_photos("alice", limit=200).items]
    saved = {pid: store.photos.get_photo(pid, "alice") for pid in order}
    seen = queried_partitions(store)
    for query in PERSON_QUERIES:
        expected = [pid for pid in order if match_reasons(saved[pid], query) is not None]
        seen.clear()
        assert all_ids(store, "alice", query, limit=4) == expected, query
        if query.q != "bo":  # a query word under 3 letters has no text index entry: the owner's list is read
            assert K.owner_photos_pk("alice") not in seen, (query, seen)
        if query.person:
            assert K.ix_pk("alice", "N", person_key(query.person)) in seen, (query, seen)
        if query.person_id:
            assert K.ix_pk("alice", "PID", query.person_id) in seen, (query, seen)


def test_people_queries_agree_with_the_pure_rule(store: DynamoMetadataStore) -> None:
    assert_people_agree_with_the_pure_rule(store, 11)


def test_people_queries_agree_on_dynamodb_local(ddb_local_store: DynamoMetadataStore) -> None:
    assert_people_agree_with_the_pure_rule(ddb_local_store, 5)


def test_naming_a_person_reindexes_the_photo(store: DynamoMetadataStore) -> None:
    """A photo saved with its faces' new name is found by the new name only (person and q), reasons say so."""
    from cloudalbum.domain.model import Box, FaceRef
    from findability.conftest import make_photo

    photo = make_photo("p1", faces=[FaceRef(id="f1", box=Box(1, 1, 30, 30, 0.9), person_id="p9")])
    store.photos.add_photo(photo)
    assert ids(store.index.search("alice", SearchQuery(person_id="p9"))) == [photo.id]
    assert ids(store.index.search("alice", SearchQuery(person="Zoë"))) == []
    photo = store.photos.get_photo(photo.id, "alice")
    photo.faces[0].person_name = "Zoë"
    store.photos.save_photo(photo)
    hits = store.index.search("alice", SearchQuery(person="zoe")).items  # accents and case do not matter
    assert [h.photo.id for h in hits] == [photo.id] and hits[0].reasons == ["person Zoë"]
    assert ids(store.index.search("alice", SearchQuery(q="zoe"))) == [photo.id]
    photo = store.photos.get_photo(photo.id, "alice")
    photo.faces[0].person_name, photo.faces[0].person_id = "Ann", "p10"
    store.photos.save_photo(photo)
    assert ids(store.index.search("alice", SearchQuery(person="zoe"))) == []
    assert ids(store.index.search("alice", SearchQuery(person_id="p9"))) == []
    assert partition(store, K.ix_pk("alice", "N", "zoe")) == partition(store, K.ix_pk("alice", "PID", "p9")) == []
    assert ids(store.index.search("alice", SearchQuery(person="ann", person_id="p10"))) == [photo.id]


# --- search sentences: every query of the parser's corpus, DynamoDB against SQLite on one library ------------


def test_dynamodb_answers_every_corpus_sentence_as_sqlite(store: DynamoMetadataStore, tmp_path: Path) -> None:
    """not_labels filtered after the Query (the owner's list when only negations), label groups merged from
    their partitions, several categories and people: the same answers as SQLite and as the pure rule."""
    assert_corpus_agrees(store, tmp_path)


def test_dynamodb_local_answers_every_corpus_sentence_as_sqlite(ddb_local_store: DynamoMetadataStore,
                                                                  tmp_path: Path) -> None:
    """The same on Amazon's own engine (its filter on label confidence across merged partitions)."""
    assert_corpus_agrees(ddb_local_store, tmp_path)


def test_dynamodb_finds_a_label_word_as_a_label_or_in_the_photos_words(store: DynamoMetadataStore) -> None:
    """q=dog finds a photo titled "my dog Rex", q=puppy an answer and a user's label, label= stays strict:
    from a merged source of the label, category and text partitions, never a Scan."""
    from findability.test_sentence_search import assert_label_words_are_labels_or_words

    seen = queried_partitions(store)
    assert_label_words_are_labels_or_words(store)
    assert K.ix_pk("alice", "T", "pup") in seen and K.ix_pk("alice", "L", "puppy") in seen, seen


def test_dynamodb_local_finds_a_label_word_as_a_label_or_in_the_photos_words(
        ddb_local_store: DynamoMetadataStore) -> None:
    """The same on Amazon's own engine (the confidence filter skips the text partitions' items)."""
    from findability.test_sentence_search import assert_label_words_are_labels_or_words

    assert_label_words_are_labels_or_words(ddb_local_store)


def assert_corpus_agrees(store: DynamoMetadataStore, tmp_path: Path) -> None:
    from cloudalbum.adapters.embedded.store import SqliteMetadataStore
    from findability.test_sentence_search import add_sentence_library, corpus_answers, rule_answers

    sqlite = SqliteMetadataStore(tmp_path / "meta.sqlite3")
    try:
        add_sentence_library(sqlite, photos=60, others=8)
        saved = add_sentence_library(store, photos=60, others=8)
        seen = queried_partitions(store)  # fails on any Scan
        answers = corpus_answers(store)
        assert answers == corpus_answers(sqlite)
        assert answers == rule_answers(store, saved)
        assert sum(1 for found in answers.values() if found) >= 25
        assert seen
    finally:
        sqlite.close()
