"""The SQLite search index against the pure rule: real SQLite (FTS5, R*Tree), no mocks."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from cloudalbum.domain.model import Photo
from cloudalbum.domain.search import LabelOrWords, SearchQuery, match_reasons
from cloudalbum.entrypoints.api.search_params import parse_search_params

from .conftest import AREZZO, FIJI, LONDON, PARIS, ROME, make_photo


def ids(page) -> list[str]:
    return [hit.photo.id for hit in page.items]


def all_ids(store, owner: str, query: SearchQuery, limit: int = 3) -> list[str]:
    """Every hit, page by page, following next_cursor."""
    out, cursor = [], None
    while True:
        page = store.index.search(owner, query, limit=limit, cursor=cursor)
        out += ids(page)
        cursor = page.next_cursor
        if cursor is None:
            return out


@pytest.fixture
def library(store):
    photos = [
        make_photo("arezzo1", taken="2008-10-22T16:28:39", labels={"car": 0.8}, at=AREZZO,
                   place=("Arezzo", "Tuscany", "Italy", "IT"), camera=("NIKON", "COOLPIX P6000")),
        make_photo("rome", taken="2010-03-01T10:00:00", labels={"horse": 0.9, "person": 0.7}, at=ROME,
                   place=("Rome", "Lazio", "Italy", "IT"), categories=["animals", "people"]),
        make_photo("paris", taken="2012-07-14T22:00:00", labels={"dog": 0.91, "bicycle": 0.4}, at=PARIS,
                   place=("Paris", "Île-de-France", "France", "FR"), title="Eiffel Tower at night"),
        make_photo("london", taken="2015-04-10T20:12:23", labels={"bus": 0.95, "person": 0.3}, at=LONDON,
                   place=("London", "England", "United Kingdom", "GB"), camera=("Apple", "iPhone 6")),
        make_photo("cat", taken=None, labels={"cat": 0.88}),
        make_photo("fiji", taken="2019-01-01T08:00:00", labels={"boat": 0.6}, at=FIJI,
                   place=("Nadi", "Western", "Fiji", "FJ")),
        make_photo("bob-dog", owner="bob", labels={"dog": 0.99}, at=PARIS, place=("Paris", "IDF", "France", "FR")),
    ]
    for p in photos:
        store.photos.add_photo(p)
    return store


@pytest.mark.parametrize("params, expected", [
    ({"label": "dog"}, ["paris"]),
    ({"label": "dogs"}, ["paris"]),
    ({"label": "person"}, ["london", "rome"]),
    ({"label": "person", "min_confidence": "0.5"}, ["rome"]),
    ({"label": ["person", "horse"]}, ["rome"]),
    ({"place": "Paris"}, ["paris"]),
    ({"place": "it"}, ["rome", "arezzo1"]),
    ({"place": "Italy"}, ["rome", "arezzo1"]),
    ({"place": "ile-de-france"}, ["paris"]),
    ({"place": "Rome, Italy"}, ["rome"]),
    ({"q": "horses"}, ["rome"]),
    ({"q": "hors"}, ["rome"]),
    ({"q": "dogs"}, ["paris"]),
    ({"q": "eiffel"}, ["paris"]),
    ({"q": "italy car"}, ["arezzo1"]),
    ({"q": "october 2008"}, ["arezzo1"]),
    ({"camera": "iphone"}, ["london"]),
    ({"from": "2008-10-22", "to": "2008-10-22"}, ["arezzo1"]),
    ({"from": "2011-01-01"}, ["fiji", "london", "paris"]),
    ({"bbox": "-6,49.5,2,56"}, ["london"]),
    ({"bbox": "170,-30,-170,0"}, ["fiji"]),  # crosses the antimeridian
    ({"near": "43.4675,11.8835", "radius_km": "2"}, ["arezzo1"]),
    ({"near": "42.5,12.2", "radius_km": "150"}, ["rome", "arezzo1"]),
    ({"label": "car", "place": "IT"}, ["arezzo1"]),
    ({"label": "person", "place": "GB", "q": "bus"}, ["london"]),
    ({"category": "Animals"}, ["rome"]),
    ({"category": "animals", "label": "person"}, ["rome"]),
    ({"q": "animal"}, ["rome"]),
    ({"q": "nothing-like-this"}, []),
    ({"label": "unicorn"}, []),
])
def test_search_finds_exactly(library, params, expected):
    page = library.index.search("alice", parse_search_params(params))
    assert ids(page) == expected
    assert all(hit.reasons for hit in page.items)


def test_reasons_say_why(library):
    hit = library.index.search("alice", parse_search_params({"label": "dog", "place": "Paris", "q": "tower"})).items[0]
    assert hit.reasons == ["label dog 0.91", "place Paris", "text 'tower' in title"]
    hit = library.index.search("alice", parse_search_params({"near": "43.4675,11.8835"})).items[0]
    assert hit.reasons[0].startswith("near ") and hit.reasons[0].endswith(" km")


def test_other_owners_photos_never_found(library):
    assert "bob-dog" not in all_ids(library, "alice", SearchQuery())
    assert ids(library.index.search("bob", parse_search_params({"label": "dog"}))) == ["bob-dog"]
    assert ids(library.index.search("carol", SearchQuery())) == []


def test_pagination_is_newest_first_and_complete(library):
    everything = all_ids(library, "alice", SearchQuery(), limit=2)
    assert everything == ["cat", "fiji", "london", "paris", "rome", "arezzo1"]  # no date: upload time
    assert all_ids(library, "alice", parse_search_params({"place": "IT"}), limit=1) == ["rome", "arezzo1"]
    assert all_ids(library, "alice", parse_search_params({"q": "person"}), limit=1) == ["london", "rome"]


def test_rejected_label_is_never_matched(library):
    photo = library.photos.get_photo("paris", "alice")
    photo.rejected_labels.append("dog")
    library.photos.save_photo(photo)
    assert ids(library.index.search("alice", parse_search_params({"label": "dog"}))) == []
    assert ids(library.index.search("alice", parse_search_params({"q": "dog"}))) == []
    assert ids(library.index.search("alice", parse_search_params({"label": "bicycle"}))) == ["paris"]


def test_saving_reindexes_and_deleting_unindexes(library):
    photo = library.photos.get_photo("cat", "alice")
    photo.taken_at = "2030-01-01T00:00:00"
    photo.title = "Chelsea"
    library.photos.save_photo(photo)
    assert ids(library.index.search("alice", parse_search_params({"q": "chelsea"}))) == ["cat"]
    assert all_ids(library, "alice", SearchQuery())[0] == "cat"
    library.photos.delete_photo("cat")
    assert ids(library.index.search("alice", parse_search_params({"label": "cat"}))) == []
    conn = library.db.read()
    for table in ("search_doc", "search_label", "search_term", "search_fts"):
        col = "rowid" if table == "search_fts" else "docid"
        assert conn.execute(f"SELECT COUNT(*) FROM {table} WHERE {col} NOT IN "
                            "(SELECT docid FROM search_doc)").fetchone()[0] == 0
    assert conn.execute("SELECT COUNT(*) FROM search_doc").fetchone()[0] == 6


def test_map_points_are_located_matches(library):
    points = library.index.map_points("alice", SearchQuery())
    assert {p.id for p in points} == {"arezzo1", "rome", "paris", "london", "fiji"}
    assert all(p.location is not None for p in points)
    only = library.index.map_points("alice", parse_search_params({"bbox": "-6,49.5,2,56"}))
    assert [(p.id, p.location.lat, [lbl.name for lbl in p.labels]) for p in only] == [
        ("london", LONDON[0], ["bus", "person"])]


def test_photos_near_in_time(store):
    for i, minute in enumerate((0, 10, 20, 200)):
        store.photos.add_photo(make_photo(f"p{i}", taken=f"2008-10-22T1{6 + minute // 60}:{minute % 60:02d}:00", at=AREZZO))
    store.photos.add_photo(make_photo("far", taken="2008-10-22T16:05:00", at=ROME))
    near = store.index.photos_near_in_time("alice", taken_at="2008-10-22T16:00:00", window_s=3600, lat=AREZZO[0],
                                     lon=AREZZO[1], radius_km=2)
    assert [p.id for p in near] == ["p0", "p1", "p2"]
    anywhere = store.index.photos_near_in_time("alice", taken_at="2008-10-22T16:00:00", window_s=3600, lat=None,
                                         lon=None, radius_km=2)
    assert {p.id for p in anywhere} == {"p0", "p1", "p2", "far"}


@pytest.mark.parametrize("params, index", [
    ({"label": "dog"}, "search_label"),
    ({"place": "IT"}, "search_term"),
    ({"q": "horse"}, "search_fts"),
    ({"bbox": "-6,49.5,2,56"}, "search_geo"),
    ({"from": "2010-01-01", "to": "2011-01-01"}, "search_doc_owner_sort (owner_id=? AND sort_key>? AND sort_key<?)"),
    ({}, "search_doc_owner_sort"),
    ({"label": "car", "place": "IT", "q": "italy", "near": "43.4,11.8"}, ""),
])
def test_query_plans_use_indexes(library, params, index):
    plan = library.index.explain_search("alice", parse_search_params(params))
    text = "\n".join(plan)
    assert index in text, text
    full_scans = [line for line in plan if line.startswith("SCAN ") and "VIRTUAL TABLE" not in line]
    assert full_scans == [], text


def random_photo(rng: random.Random, i: int, owner: str) -> Photo:
    labels = {n: round(rng.uniform(0.25, 1.0), 2) for n in rng.sample(["dog", "cat", "car", "person", "horse",
                                                                        "bus"], rng.randint(0, 3))}
    places = [("Paris", "IDF", "France", "FR"), ("Rome", "Lazio", "Italy", "IT"), ("Arezzo", "Tuscany", "Italy", "IT")]
    located = rng.random() < 0.7
    return make_photo(
        f"{owner}{i:03d}", owner, taken=None if rng.random() < 0.1 else
        f"20{rng.randint(10, 12)}-0{rng.randint(1, 9)}-{rng.randint(10, 28)}T{rng.randint(10, 23)}:00:00",
        labels=labels, at=(rng.uniform(40, 50), rng.uniform(-5, 15)) if located else None,
        place=rng.choice(places) if located else None,
        title=rng.choice([None, "holiday horses", "birthday"]), rejected_labels=["cat"] if rng.random() < 0.2 else [])


def random_query(rng: random.Random) -> SearchQuery:
    q: dict = {}
    if rng.random() < 0.4:
        q["label"] = rng.sample(["dog", "cat", "car", "person", "horses"], rng.randint(1, 2))
        q["min_confidence"] = str(rng.choice([0.25, 0.5, 0.8]))
    if rng.random() < 0.3:
        q["place"] = rng.choice(["IT", "paris", "Italy", "FR"])
    if rng.random() < 0.3:
        q["q"] = rng.choice(["hors", "dogs", "birthday", "italy", "person car"])
    if rng.random() < 0.3:
        q["from"] = f"20{rng.randint(10, 12)}-0{rng.randint(1, 9)}-01"
    if rng.random() < 0.2:
        q["bbox"] = f"{rng.uniform(-5, 5):.2f},{rng.uniform(40, 45):.2f},{rng.uniform(5, 15):.2f},{rng.uniform(45, 50):.2f}"
    if rng.random() < 0.2:
        q["near"], q["radius_km"] = f"{rng.uniform(40, 50):.3f},{rng.uniform(-5, 15):.3f}", str(rng.choice([50, 300]))
    query = parse_search_params(q)
    if rng.random() < 0.25:  # what a search sentence adds: "without people", "pets"
        query = replace(query, not_labels=tuple(rng.sample(["person", "dogs", "car"], rng.randint(1, 2))))
    if rng.random() < 0.15:
        query = replace(query, any_labels=(("dog", "cat"),))
    if rng.random() < 0.25:  # q's vocabulary words: "horses" (also in titles), "pets", "animals"
        query = replace(query, label_words=tuple(rng.sample(LABEL_WORDS, rng.randint(1, 2))))
    return query


LABEL_WORDS = [LabelOrWords(labels=("horse", "horses"), phrases=("horses", "horse")),
               LabelOrWords(labels=("cat", "dog", "pets"), phrases=("pets", "cat", "dog")),
               LabelOrWords(labels=("animals",), category="animals", phrases=("animals",)),
               LabelOrWords(labels=("person", "birthday"), phrases=("birthday", "person"))]


def assert_agrees_with_the_pure_rule(store, seed: int, *, photos: int, others: int, queries: int) -> None:
    """Whatever the store's indexes find is exactly what match_reasons accepts, in list order (random
    libraries of `photos` photos for alice and `others` for bob; also run against DynamoDB in tests/aws)."""
    rng = random.Random(seed)
    library = [random_photo(rng, i, "alice") for i in range(photos)]
    library += [random_photo(rng, i, "bob") for i in range(others)]
    for p in library:
        store.photos.add_photo(p)
    saved = {p.id: store.photos.get_photo(p.id, "alice") for p in library if p.owner_id == "alice"}
    order = [p.id for p in store.photos.list_photos("alice", limit=200).items]
    for _ in range(queries):
        query = random_query(rng)
        expected = [pid for pid in order if match_reasons(saved[pid], query) is not None]
        assert all_ids(store, "alice", query, limit=7) == expected, query


@pytest.mark.parametrize("seed", range(4))
def test_sqlite_agrees_with_the_pure_rule(store, seed):
    """Whatever SQLite's indexes find is exactly what match_reasons accepts, in list order."""
    assert_agrees_with_the_pure_rule(store, seed, photos=80, others=10, queries=40)


def test_map_geojson_fast_path_equals_the_generic_one(library):
    import json

    from cloudalbum.domain.geojson import features_json
    from cloudalbum.domain.search import marker_of
    from cloudalbum.services.search import SearchService

    for params in ({}, {"label": "person"}, {"bbox": "-6,40,13,56"}):
        query = parse_search_params(params)
        fast = json.loads(SearchService(library.index, library.faces).map_geojson("alice", query))
        generic = json.loads(features_json([marker_of(p) for p in library.index.map_points("alice", query)]))
        markers = json.loads(features_json(library.index.map_markers("alice", query)))
        assert fast["type"] == "FeatureCollection"
        assert fast["features"] == generic == markers
        assert fast["features"], params


def test_album_membership_follows_date_changes_and_deletes(library):
    from cloudalbum.domain.model import Album

    library.albums.add_album(Album("alb", "alice", "Trips", "2024-01-01T00:00:00+00:00", "2024-01-01T00:00:00+00:00"))
    library.albums.add_to_album("alb", ["rome", "paris", "bob-dog"])  # bob's photo never joins alice's album
    assert library.albums.get_album("alb", "alice").photo_count == 2
    assert library.albums.get_album("alb", "alice").cover_photo_id == "paris"
    photo = library.photos.get_photo("rome", "alice")
    photo.taken_at = "2030-01-01T00:00:00"  # now the newest: list order and the covering-index join follow
    library.photos.save_photo(photo)
    assert [p.id for p in library.albums.album_photos("alb", "alice").items] == ["rome", "paris"]
    assert all_ids(library, "alice", parse_search_params({"album_id": "alb"}), limit=1) == ["rome", "paris"]
    assert ids(library.index.search("alice", parse_search_params({"album_id": "alb", "label": "horse"}))) == ["rome"]
    library.photos.delete_photo("rome")
    album = library.albums.get_album("alb", "alice")
    assert (album.photo_count, album.cover_photo_id) == (1, "paris")
    assert all_ids(library, "alice", parse_search_params({"album_id": "alb"})) == ["paris"]
