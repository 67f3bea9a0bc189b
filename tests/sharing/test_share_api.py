"""Share links and album members through the HTTP API (API.md "Sharing"). The AWS shape runs these same tests
(tests/aws/test_sharing_api_on_aws.py)."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import fetch, processed_photo
from .leaks import jpeg_scan, leaks

UNKNOWN = "A" * 43


def share(user: Any, **body: Any) -> dict[str, Any]:
    r = user.request("POST", "/api/shares", json=body)
    assert r.status_code == 201, r.get_data(as_text=True)
    return r.get_json()


def public(client: Any, method: str, path: str, **kw: Any) -> Any:
    return client.open(path, method=method, **kw)


@pytest.fixture
def photos(alice: Any, container: Any) -> list[str]:
    return [processed_photo(alice, container) for _ in range(3)]


def test_a_link_shows_its_photos_and_nothing_identifying(client: Any, alice: Any, photos: list[str]) -> None:
    s = share(alice, photo_ids=photos[:2])
    assert len(s["token"]) >= 32 and s["url"] == f"/s/{s['token']}"
    assert (s["show_location"], s["allow_download"], s["expires_at"]) == (False, True, None)
    r = public(client, "GET", f"/api/s/{s['token']}")
    assert r.status_code == 200
    body = r.get_json()
    assert body["title"] == "2 photos" and {p["id"] for p in body["photos"]} == set(photos[:2])
    text = r.get_data(as_text=True)
    for secret in ("48.8", "Paris", "Grandma", "face", "lat", "owner", alice.email, alice.id):
        assert secret not in text
    assert set(body["photos"][0]) == {"id", "width", "height", "taken_at"}


def test_show_location_gives_the_city_never_coordinates(client: Any, alice: Any, photos: list[str]) -> None:
    s = share(alice, photo_ids=photos[:1], show_location=True)
    body = public(client, "GET", f"/api/s/{s['token']}").get_json()
    assert body["photos"][0]["place"] == {"city": "Paris", "region": "Île-de-France", "country": "France",
                                          "country_code": "FR"}
    assert "48.8" not in str(body) and "2.29" not in str(body)


def test_shared_files_are_stripped_and_the_scan_data_is_the_originals(client: Any, alice: Any,
                                                                      container: Any, photos: list[str]) -> None:
    s = share(alice, photo_ids=photos)
    original = container.blobs.get(container.store.photos.get_photo(photos[0], alice.id).original_key)
    assert leaks(original)
    got = fetch(public(client, "GET", f"/api/s/{s['token']}/photos/{photos[0]}/original"))
    assert leaks(got) == [] and jpeg_scan(got) == jpeg_scan(original)
    for size in ("small", "large"):
        thumb = fetch(public(client, "GET", f"/api/s/{s['token']}/photos/{photos[0]}/thumbnail?size={size}"))
        assert leaks(thumb) == [] and thumb[:2] == b"\xff\xd8"
    again = public(client, "GET", f"/api/s/{s['token']}/photos/{photos[0]}/original")
    assert fetch(again) == got
    if again.status_code == 302:  # AWS: a signed URL of the stripped copy's own key, never the original's
        assert "originals" not in again.headers["Location"] and "shared-original" in again.headers["Location"]


def test_album_share_follows_the_album(client: Any, alice: Any, photos: list[str]) -> None:
    aid = alice.request("POST", "/api/albums", json={"name": "Holidays"}).get_json()["id"]
    alice.request("POST", f"/api/albums/{aid}/photos", json={"photo_ids": photos[:2]})
    s = share(alice, album_id=aid)
    body = public(client, "GET", f"/api/s/{s['token']}").get_json()
    assert body["title"] == "Holidays" and {p["id"] for p in body["photos"]} == set(photos[:2])
    alice.request("DELETE", f"/api/albums/{aid}/photos/{photos[0]}")
    assert public(client, "GET", f"/api/s/{s['token']}/photos/{photos[0]}/original").status_code == 404
    assert [p["id"] for p in public(client, "GET", f"/api/s/{s['token']}").get_json()["photos"]] == [photos[1]]
    assert alice.request("DELETE", f"/api/albums/{aid}").status_code == 204
    gone = public(client, "GET", f"/api/s/{s['token']}")
    assert gone.status_code == 404 and gone.get_data() == public(client, "GET", f"/api/s/{UNKNOWN}").get_data()
    assert public(client, "GET", f"/api/s/{s['token']}/photos/{photos[1]}/thumbnail").status_code == 404


def test_unknown_revoked_and_expired_links_get_the_same_404(client: Any, alice: Any, container: Any,
                                                           photos: list[str]) -> None:
    revoked = share(alice, photo_ids=photos[:1])
    expiring = share(alice, photo_ids=photos[:1], expires_at="2999-01-01T00:00:00Z")
    assert alice.request("DELETE", f"/api/shares/{revoked['id']}").status_code == 204
    assert alice.request("DELETE", f"/api/shares/{revoked['id']}").status_code == 404
    container.clock.offset_s = 1000 * 365 * 24 * 3600.0
    answers = set()
    for token in (UNKNOWN, revoked["token"], expiring["token"], "short"):
        for path in ("", f"/photos/{photos[0]}/thumbnail", f"/photos/{photos[0]}/original"):
            r = public(client, "GET", f"/api/s/{token}{path}")
            answers.add((r.status_code, r.get_data(as_text=True)))
        r = public(client, "POST", f"/api/s/{token}/unlock", json={"password": "x"})
        answers.add((r.status_code, r.get_data(as_text=True)))
    assert len(answers) == 1 and answers.pop()[0] == 404


def test_past_expiry_and_bad_bodies_are_422_and_create_nothing(alice: Any, bob: Any, photos: list[str]) -> None:
    bob_pid = processed_photo(bob, alice.client.application.extensions["cloudalbum"])
    for body in ({"photo_ids": photos, "expires_at": "2001-01-01T00:00:00Z"},
                 {"photo_ids": photos, "expires_at": "soon"}, {}, {"photo_ids": []},
                 {"album_id": "x", "photo_ids": photos}):
        r = alice.request("POST", "/api/shares", json=body)
        assert r.status_code in (400, 422), body
    assert alice.request("POST", "/api/shares", json={"photo_ids": [photos[0], bob_pid]}).status_code == 404
    assert alice.request("POST", "/api/shares", json={"album_id": "nope"}).status_code == 404
    assert alice.request("GET", "/api/shares").get_json()["items"] == []


def test_list_shows_url_target_time_and_settings(alice: Any, photos: list[str]) -> None:
    made = share(alice, photo_ids=photos[:2], password="open sesame", allow_download=False)
    items = alice.request("GET", "/api/shares").get_json()["items"]
    assert len(items) == 1
    item = items[0]
    assert item["url"] == made["url"] and item["photo_ids"] == photos[:2] and item["created_at"]
    assert (item["password"], item["allow_download"], item["show_location"]) == (True, False, False)
    assert "open sesame" not in str(item) and "argon2" not in str(item)


def test_password_locks_every_route_until_unlocked(client: Any, alice: Any, container: Any,
                                                   photos: list[str]) -> None:
    s = share(alice, photo_ids=photos[:1], password="open sesame")
    other = share(alice, photo_ids=photos[:1], password="another one")
    paths = ["", f"/photos/{photos[0]}/thumbnail", f"/photos/{photos[0]}/original"]
    for path in paths:
        r = public(client, "GET", f"/api/s/{s['token']}{path}")
        assert r.status_code == 401 and r.get_json()["error"]["code"] == "share_password_required"
    assert public(client, "POST", f"/api/s/{s['token']}/unlock", json={"password": "wrong"}).status_code == 401
    session = public(client, "POST", f"/api/s/{s['token']}/unlock",
                     json={"password": "open sesame"}).get_json()["share_session"]
    for path in paths:
        assert public(client, "GET", f"/api/s/{s['token']}{path}",
                      headers={"X-Share-Session": session}).status_code in (200, 302)
    r = public(client, "GET", f"/api/s/{other['token']}", headers={"X-Share-Session": session})
    assert r.status_code == 401  # a session opens its own share only
    container.clock.offset_s = 24 * 3600 + 1.0  # a session lasts 24 hours
    assert public(client, "GET", f"/api/s/{s['token']}", headers={"X-Share-Session": session}).status_code == 401
    container.clock.offset_s = 0.0
    for forged in (session.rsplit(".", 1)[0] + ".AAAA", session.rsplit(".", 1)[0] + ".é€", "a.b", "..", ""):
        header = {"X-Share-Session": forged.encode().decode("latin-1")}  # what a client may send, byte for byte
        assert public(client, "GET", f"/api/s/{s['token']}", headers=header).status_code == 401, forged
    assert public(client, "GET", "/api/s/" + "é" * 30).status_code == 404


def test_wrong_passwords_are_throttled_per_link_and_per_address(client: Any, alice: Any, container: Any,
                                                                photos: list[str]) -> None:
    per_address = container.settings.login_max_failures * 2
    per_link = container.settings.login_max_failures * 4
    links = [share(alice, photo_ids=photos[:1], password="open sesame")["token"] for _ in range(3)]

    def guess(token: str, address: str, password: str = "guess") -> int:
        return public(client, "POST", f"/api/s/{token}/unlock", json={"password": password},
                      environ_base={"REMOTE_ADDR": address}).status_code

    # one address guessing across two links: stopped after per_address failures, on any link
    codes = [guess(links[i % 2], "10.0.0.1") for i in range(per_address + 1)]
    assert codes[:per_address] == [401] * per_address and codes[per_address] == 429
    assert guess(links[2], "10.0.0.1", "open sesame") == 429  # even the right one, until the window passes
    assert guess(links[2], "10.0.0.2", "open sesame") == 200  # another address is not affected
    # many addresses guessing one link: the link stops answering passwords after per_link failures
    codes = [guess(links[2], f"10.1.{i}.1") for i in range(per_link + 1)]
    assert codes[:per_link] == [401] * per_link and codes[per_link] == 429
    assert guess(links[2], "10.2.0.1", "open sesame") == 429
    # past the window (DynamoDB counts whole buckets of a tenth of the window, so its window may reach back up
    # to a tenth longer: the store contract allows it)
    container.clock.offset_s = container.settings.login_window_s * 1.1 + 1.0
    assert guess(links[2], "10.2.0.1", "open sesame") == 200


def test_no_download_still_serves_thumbnails(client: Any, alice: Any, photos: list[str]) -> None:
    s = share(alice, photo_ids=photos[:1], allow_download=False)
    r = public(client, "GET", f"/api/s/{s['token']}/photos/{photos[0]}/original")
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "download_not_allowed"
    assert public(client, "GET", f"/api/s/{s['token']}/photos/{photos[0]}/thumbnail").status_code in (200, 302)


def test_a_photo_outside_the_share_is_missing(client: Any, alice: Any, photos: list[str]) -> None:
    s = share(alice, photo_ids=photos[:1])
    for path in ("thumbnail", "original"):
        outside = public(client, "GET", f"/api/s/{s['token']}/photos/{photos[1]}/{path}")
        missing = public(client, "GET", f"/api/s/{s['token']}/photos/doesNotExist00000000/{path}")
        assert outside.status_code == missing.status_code == 404
        assert outside.get_json()["error"] == missing.get_json()["error"]


def test_deleted_photos_leave_the_share(client: Any, alice: Any, container: Any, photos: list[str]) -> None:
    s = share(alice, photo_ids=photos[:2])
    fetch(public(client, "GET", f"/api/s/{s['token']}/photos/{photos[0]}/original"))
    assert alice.request("DELETE", f"/api/photos/{photos[0]}").status_code == 204
    assert [p["id"] for p in public(client, "GET", f"/api/s/{s['token']}").get_json()["photos"]] == [photos[1]]
    assert public(client, "GET", f"/api/s/{s['token']}/photos/{photos[0]}/original").status_code == 404
    # in the trash it is not shared; deleted for good, the stripped copy goes with it
    assert alice.request("DELETE", f"/api/photos/{photos[0]}?permanent=true").status_code == 204
    assert list(container.blobs.keys(f"thumbnails/{alice.id}/{photos[0]}/")) == []


def test_public_routes_are_rate_limited_per_address(app: Any, client: Any, alice: Any, container: Any,
                                                    photos: list[str]) -> None:
    import dataclasses

    s = share(alice, photo_ids=photos[:1])
    container.sharing.settings = dataclasses.replace(container.settings, share_requests_per_min=3)
    codes = [public(client, "GET", f"/api/s/{s['token']}").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    other = public(client, "GET", f"/api/s/{s['token']}", environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other.status_code == 200  # another address has its own budget


# --- members ----------------------------------------------------------------------------------------------


@pytest.fixture
def family(alice: Any, bob: Any, container: Any, photos: list[str]) -> dict[str, Any]:
    aid = alice.request("POST", "/api/albums", json={"name": "Family"}).get_json()["id"]
    alice.request("POST", f"/api/albums/{aid}/photos", json={"photo_ids": photos[:2]})
    r = alice.request("POST", f"/api/albums/{aid}/members", json={"email": bob.email, "role": "viewer"})
    assert r.status_code == 201 and r.get_json() == {"user_id": bob.id, "email": bob.email, "role": "viewer",
                                                     "show_location": False}
    return {"album_id": aid}


def test_members_see_the_album_and_its_photos_as_shared(alice: Any, bob: Any, container: Any, photos: list[str],
                                                        family: dict[str, Any]) -> None:
    aid = family["album_id"]
    items = bob.request("GET", "/api/albums?shared_with_me=true").get_json()["items"]
    assert [(a["id"], a["name"], a["owner"], a["role"]) for a in items] == [
        (aid, "Family", {"email": alice.email}, "viewer")]
    assert bob.request("GET", "/api/albums").get_json()["items"] == []
    assert alice.request("GET", "/api/albums?shared_with_me=true").get_json()["items"] == []
    assert bob.request("GET", f"/api/albums/{aid}").status_code == 200
    listed = bob.request("GET", f"/api/albums/{aid}/photos").get_json()["items"]
    assert {p["id"] for p in listed} == set(photos[:2])
    photo = bob.request("GET", f"/api/photos/{photos[0]}").get_json()
    assert photo["location"] is None and photo["faces"] == [] and photo["albums"] == [aid]
    assert "Grandma" not in str(listed) + str(photo)
    got = fetch(bob.request("GET", f"/api/photos/{photos[0]}/original"))
    assert leaks(got) == []
    fetch(bob.request("GET", f"/api/photos/{photos[0]}/thumbnail?size=small"))


def test_show_location_for_a_member(alice: Any, bob: Any, family: dict[str, Any], photos: list[str]) -> None:
    r = alice.request("POST", f"/api/albums/{family['album_id']}/members",
                      json={"email": bob.email, "role": "contributor", "show_location": True})
    assert r.status_code == 200 and r.get_json()["role"] == "contributor"
    assert bob.request("GET", f"/api/photos/{photos[0]}").get_json()["location"]["place"]["city"] == "Paris"


def test_members_reach_nothing_else_of_the_owners(alice: Any, bob: Any, container: Any, photos: list[str],
                                                 family: dict[str, Any]) -> None:
    before = container.store.photos.get_photo(photos[0], alice.id)
    outside = photos[2]
    for method, path, kw in (("GET", f"/api/photos/{outside}", {}), ("GET", f"/api/photos/{outside}/original", {}),
                             ("GET", f"/api/photos/{outside}/thumbnail", {}),
                             ("PATCH", f"/api/photos/{photos[0]}", {"json": {"title": "pwned"}}),
                             ("DELETE", f"/api/photos/{photos[0]}", {}),
                             ("POST", f"/api/photos/{photos[0]}/reprocess", {}),
                             ("PATCH", f"/api/albums/{family['album_id']}", {"json": {"name": "pwned"}}),
                             ("DELETE", f"/api/albums/{family['album_id']}", {}),
                             ("DELETE", f"/api/albums/{family['album_id']}/photos/{photos[0]}", {}),
                             ("POST", f"/api/albums/{family['album_id']}/members",
                              {"json": {"email": bob.email, "role": "viewer"}}),
                             ("DELETE", f"/api/albums/{family['album_id']}/members/{bob.id}", {})):
        r = bob.request(method, path, **kw)
        assert r.status_code == 404, (method, path, r.status_code)
    for path in ("/api/photos", "/api/search", "/api/map", "/api/questions", "/api/people"):
        text = bob.request("GET", path).get_data(as_text=True)
        assert not any(p in text for p in photos), path
    after = container.store.photos.get_photo(photos[0], alice.id)
    assert (after.title, after.version) == (before.title, before.version)


def test_removing_a_member_ends_access_at_once(alice: Any, bob: Any, photos: list[str],
                                               family: dict[str, Any]) -> None:
    aid = family["album_id"]
    assert alice.request("DELETE", f"/api/albums/{aid}/members/{bob.id}").status_code == 204
    assert alice.request("DELETE", f"/api/albums/{aid}/members/{bob.id}").status_code == 404
    for path in (f"/api/photos/{photos[0]}", f"/api/photos/{photos[0]}/original", f"/api/albums/{aid}",
                 f"/api/albums/{aid}/photos"):
        assert bob.request("GET", path).status_code == 404, path
    assert bob.request("GET", "/api/albums?shared_with_me=true").get_json()["items"] == []


def test_member_errors(alice: Any, bob: Any, family: dict[str, Any]) -> None:
    aid = family["album_id"]
    r = alice.request("POST", f"/api/albums/{aid}/members", json={"email": "nobody@example.com", "role": "viewer"})
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "no_such_user"
    assert alice.request("POST", f"/api/albums/{aid}/members",
                         json={"email": bob.email, "role": "admin"}).status_code == 422
    assert alice.request("POST", f"/api/albums/{aid}/members",
                         json={"email": alice.email, "role": "viewer"}).status_code == 422


def test_a_contributor_adds_their_own_photos_which_stay_theirs(alice: Any, bob: Any, make_user: Any,
                                                               container: Any, photos: list[str],
                                                               family: dict[str, Any]) -> None:
    aid = family["album_id"]
    carol = make_user("carol@example.com")
    alice.request("POST", f"/api/albums/{aid}/members", json={"email": carol.email, "role": "viewer"})
    bob_pid = processed_photo(bob, container)
    # a viewer cannot add: the answer of an album that is not theirs
    r = bob.request("POST", f"/api/albums/{aid}/photos", json={"photo_ids": [bob_pid]})
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "album_not_found"
    alice.request("POST", f"/api/albums/{aid}/members", json={"email": bob.email, "role": "contributor"})
    # a contributor adds only their own photos
    r = bob.request("POST", f"/api/albums/{aid}/photos", json={"photo_ids": [bob_pid, photos[2]]})
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "photo_not_found"
    assert bob.request("POST", f"/api/albums/{aid}/photos", json={"photo_ids": [bob_pid]}).status_code == 200

    def listed(user: Any) -> list[str]:
        out, cursor = [], None
        while True:
            page = user.request("GET", f"/api/albums/{aid}/photos", query_string={"limit": 1, **(
                {"cursor": cursor} if cursor else {})}).get_json()
            out += [p["id"] for p in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                return out

    for user in (alice, bob, carol):
        assert sorted(listed(user)) == sorted(photos[:2] + [bob_pid]), user.email
    seen = alice.request("GET", f"/api/photos/{bob_pid}")
    assert seen.status_code == 200 and seen.get_json()["location"] is None and seen.get_json()["faces"] == []
    assert carol.request("GET", f"/api/photos/{bob_pid}").status_code == 200
    assert leaks(fetch(carol.request("GET", f"/api/photos/{bob_pid}/original"))) == []
    assert bob.request("GET", f"/api/photos/{bob_pid}").get_json()["location"] is not None  # still his, whole
    # the owner cannot edit or delete it; it stays Bob's
    assert alice.request("PATCH", f"/api/photos/{bob_pid}", json={"title": "mine"}).status_code == 404
    assert alice.request("DELETE", f"/api/photos/{bob_pid}").status_code == 404
    assert bob_pid not in alice.request("GET", "/api/photos").get_data(as_text=True)
    # the member leaves: the photo leaves the album and stays Bob's
    assert alice.request("DELETE", f"/api/albums/{aid}/members/{bob.id}").status_code == 204
    assert sorted(listed(alice)) == sorted(photos[:2])
    for user in (alice, carol):
        assert user.request("GET", f"/api/photos/{bob_pid}").status_code == 404
    assert bob.request("GET", f"/api/photos/{bob_pid}").status_code == 200


@pytest.mark.corpus
def test_every_shared_file_of_every_corpus_photo_with_gps_is_clean(client: Any, alice: Any, container: Any) -> None:
    """Every corpus photo whose manifest has GPS, uploaded, shared, and every file of the share downloaded
    through the public routes: no GPS, serial or maker note (Pillow and exifread), scan data byte-identical."""
    import csv

    from .test_strip import CORPUS

    manifest = CORPUS / "MANIFEST.csv"
    if not manifest.exists():
        pytest.skip(f"the photo corpus is absent ({CORPUS}); tests/sharing/test_strip.py covers generated files")
    rows = [r for r in csv.DictReader(manifest.open()) if r["expected_lat"] and r["category"] != "bad"]
    ids = {}
    for row in rows:
        data = (CORPUS / row["file"]).read_bytes()
        ids[processed_photo(alice, container, data, filename=row["file"].rsplit("/", 1)[-1])] = data
    token = share(alice, photo_ids=list(ids))["token"]
    listed = public(client, "GET", f"/api/s/{token}").get_json()["photos"]
    assert {p["id"] for p in listed} == set(ids) and len(ids) >= 10
    for pid, data in ids.items():
        original = fetch(public(client, "GET", f"/api/s/{token}/photos/{pid}/original"))
        assert leaks(original) == [], pid
        assert jpeg_scan(original) == jpeg_scan(data), pid
        for size in ("small", "large"):
            assert leaks(fetch(public(client, "GET", f"/api/s/{token}/photos/{pid}/thumbnail?size={size}"))) == []
