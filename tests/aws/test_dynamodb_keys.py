"""The pure parts of the DynamoDB design: geohash, box covers, index entries, cursors, face and people keys."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudalbum.adapters.aws import cursors as C
from cloudalbum.adapters.aws import geohash as G
from cloudalbum.adapters.aws import keys as K
from cloudalbum.adapters.aws.instants import instant_of, instant_sk
from cloudalbum.domain.errors import Invalid
from cloudalbum.domain.model import Box, FaceRef, Label, Location, Photo, Place
from cloudalbum.domain.search import BBox
from cloudalbum.domain.times import taken_seconds


def test_geohash_known_values() -> None:
    assert G.geohash(57.64911, 10.40744, 11) == "u4pruydqqvj"  # the reference example of geohash.org
    assert G.geohash(-25.382708, -49.265506, 5) == "6gkzw"


lat = st.floats(-89.9, 89.9, allow_nan=False)
lon = st.floats(-179.9, 179.9, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(lat, lon, st.floats(0.001, 20), st.floats(0.001, 40), st.floats(0, 1), st.floats(0, 1))
def test_cover_contains_every_point_of_the_box(lat0: float, lon0: float, dlat: float, dlon: float,
                                               fy: float, fx: float) -> None:
    box = BBox(lon0, lat0, min(179.99, lon0 + dlon), min(89.99, lat0 + dlat))
    cells = G.best_cover(box)
    point = (box.min_lat + fy * (box.max_lat - box.min_lat), box.min_lon + fx * (box.max_lon - box.min_lon))
    if cells is None:
        return  # too big: the LOC list is used
    assert len(cells) <= G.MAX_GEO_CELLS
    assert G.geohash(point[0], point[1], len(cells[0])) in cells


def test_cover_across_the_antimeridian() -> None:
    box = BBox(179.5, -18.0, -179.5, -17.0)  # min_lon > max_lon
    cells = G.best_cover(box)
    assert cells is not None
    for la, lo in ((-17.5, 179.8), (-17.5, -179.8)):
        assert G.geohash(la, lo, len(cells[0])) in cells


def test_index_entries_of_a_photo() -> None:
    photo = Photo(id="p1", owner_id="u1", filename="a.jpg", content_type="image/jpeg", bytes=1, original_key="k",
                  uploaded_at="2024-01-01T00:00:00+00:00", taken_at="2020-05-01T10:00:00", title="Dogs at play",
                  labels=[Label("dog", 0.9), Label("cat", 0.6)], rejected_labels=["cat"], categories=["Animals"],
                  location=Location(48.85, 2.29, place=Place("Paris", "Île-de-France", "France", "FR")))
    entries = K.index_entries(photo, ["a1"])
    pks = {K.split_entry(e)[0] for e in entries}
    assert {"IX#u1#L#dog", "IX#u1#C#animals", "IX#u1#P#paris", "IX#u1#P#ile-de-france", "IX#u1#P#fr",
            "IX#u1#T#dog", "IX#u1#T#pla", "IX#u1#A#a1", "IX#u1#LOC#all"} <= pks
    assert "IX#u1#L#cat" not in pks  # rejected labels are not indexed
    assert sum(pk.startswith("IX#u1#G#") for pk in pks) == len(G.GEO_PRECISIONS)
    instant = instant_sk(taken_seconds("2020-05-01T10:00:00") or 0, "p1")  # its place role: by instant
    assert {K.split_entry(e)[1] for e in entries} == {"2020-05-01T10:00:00#p1", instant}
    assert f"IX#u1#PR#anchor|{instant}" in entries and instant == "101588327200#p1"
    assert entries["IX#u1#L#dog|2020-05-01T10:00:00#p1"] == {"conf": 0.9}


def test_instant_keys_sort_as_instants() -> None:
    times = ["1850-01-01T00:00:00", "1969-12-31T23:59:59", "1970-01-01T00:00:00", "2013-04-10T12:00:00+02:00",
             "2013-04-10T10:30:00", "2099-01-01T00:00:00"]
    keys = [instant_sk(taken_seconds(t) or 0, "p") for t in times]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert instant_of(keys[3]) == taken_seconds("2013-04-10T10:00:00")


@pytest.mark.parametrize("cursor", ["", "not a cursor!", "e30", "W10", "bm9wZQ", "%%%", C.encode_cursor(12)])
def test_bad_cursors_are_invalid(cursor: str) -> None:
    with pytest.raises(Invalid):
        C.decode_position(cursor)


def test_cursor_round_trip() -> None:
    assert C.decode_position(C.encode_cursor("2020-05-01T10:00:00#p1")) == "2020-05-01T10:00:00#p1"


def test_people_and_person_ids_are_index_entries() -> None:
    faces = [FaceRef("f1", Box(1, 1, 9, 9, 0.9), person_id="pa", person_name="Anna  María"),
             FaceRef("f2", Box(20, 1, 9, 9, 0.9), person_id="pb"), FaceRef("f3", Box(40, 1, 9, 9, 0.9))]
    photo = Photo(id="p1", owner_id="u1", filename="a.jpg", content_type="image/jpeg", bytes=1, original_key="k",
                  uploaded_at="2024-01-01T00:00:00+00:00", faces=faces)
    pks = {K.split_entry(e)[0] for e in K.index_entries(photo, [])}
    assert {"IX#u1#N#anna maria", "IX#u1#PID#pa", "IX#u1#PID#pb", "IX#u1#T#ann", "IX#u1#T#mar"} <= pks
    assert not any(pk.startswith("IX#u1#N#") and pk != "IX#u1#N#anna maria" for pk in pks)  # unnamed: no N entry


def test_face_and_person_item_keys() -> None:
    assert K.face_key("f1") == {"PK": "FACE#f1", "SK": "FACE"}
    assert K.person_item_key("p1") == {"PK": "PERSON#p1", "SK": "PERSON"}
    assert K.face_settings_key("u1") == {"PK": "OWNER#u1", "SK": "FACESETTINGS"}
    assert K.face_settings_key("u1")["PK"] == K.usage_key("u1")["PK"]  # beside the owner's other items
    assert len({K.photo_faces_pk("x"), K.photo_questions_pk("x"), K.owner_people_pk("x"), K.owner_faces_pk("x"),
                K.person_faces_pk("x", "p"), K.owner_photos_pk("x"), K.owner_albums_pk("x")}) == 7


def test_items_the_worker_needs_are_outside_the_account_partitions() -> None:
    """The processing function's IAM allows only WORKER_PREFIXES (dynamodb:LeadingKeys): the per-user items it
    reads or writes (usage counters, the face setting) are not beside the user item (password hash)."""
    for key in (K.usage_key("u1"), K.face_settings_key("u1"), K.photo_key("p"), K.face_key("f"),
                K.person_item_key("p"), K.question_key("q")):
        assert key["PK"].startswith(K.WORKER_PREFIXES), key
    for key in (K.user_key("u1"), K.email_key("a@b.c"), K.session_key("s"), K.token_key("t"),
                {"PK": K.hits_pk("x")}):
        assert key["PK"].startswith(K.ACCOUNT_PREFIXES) and not key["PK"].startswith(K.WORKER_PREFIXES), key
    assert not set(K.WORKER_PREFIXES) & set(K.ACCOUNT_PREFIXES)


def test_pending_work_is_sharded_so_no_key_takes_every_upload() -> None:
    """STALE#<status> used to be one partition for every upload of the service (about 1,000 writes a second):
    now PENDING_SHARDS partitions, chosen by a stable hash of the photo id, evenly used."""
    ids = [f"{i:032x}" for i in range(4000)]
    counts: dict[str, int] = {}
    for pid in ids:
        pk = K.stale_pk("uploaded", pid)
        assert pk == K.stale_shard_pk("uploaded", K.shard_of(pid)) and pk.startswith("STALE#uploaded#")
        counts[pk] = counts.get(pk, 0) + 1
    assert len(counts) == K.PENDING_SHARDS >= 8
    assert max(counts.values()) < 2 * len(ids) / K.PENDING_SHARDS  # no shard takes much more than its share
    assert K.stale_pk("uploaded", "abc") == K.stale_pk("uploaded", "abc")  # stable (not Python's salted hash)
    key = K.pending_key("abc", "2026-01-01T00:00:00.000000+00:00")
    assert key == {"PK": K.pending_shard_pk(K.shard_of("abc")), "SK": "2026-01-01T00:00:00.000000+00:00#abc"}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(-5000, 100_000), st.sampled_from("abcz")), min_size=1, max_size=12))
def test_face_x_rank_sorts_left_to_right_then_by_id(faces: list[tuple[int, str]]) -> None:
    ranks = sorted(K.face_x_rank(x, face_id) for x, face_id in faces)
    assert ranks == [K.face_x_rank(x, i) for x, i in sorted(faces)]
    assert all(len(r.split("#")[0]) == 10 for r in ranks)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10 ** 9), st.sampled_from(["a", "b", "c10", "c9"])), min_size=1,
                max_size=12))
def test_people_rank_ascending_is_most_photos_first_then_id(people: list[tuple[int, str]]) -> None:
    """Read ascending, GSI1SK gives list_people's order: photo_count descending, then id."""
    ranks = sorted(K.people_rank(count, pid) for count, pid in people)
    assert ranks == [K.people_rank(c, i) for c, i in sorted(people, key=lambda p: (-p[0], p[1]))]


def test_people_rank_of_odd_counts() -> None:
    assert K.people_rank(-3, "a") == K.people_rank(0, "a")  # a count never sorts before a real one
    assert K.people_rank(10, "a") < K.people_rank(9, "a") < K.people_rank(0, "a")
    assert K.people_rank(K.MAX_COUNT + 5, "a") == K.people_rank(K.MAX_COUNT, "a") == "000000000000#a"
    assert C.decode_position(C.encode_cursor(K.people_rank(3, "p1"))) == K.people_rank(3, "p1")
