"""Export (GET /api/export, GET /api/albums/{id}/export, `cloudalbum export`): a streamed zip of the
originals byte for byte with Takeout-style sidecars and album folders; and the round trip export -> import into
a new account that gives back the same photos, times, places, titles, descriptions, ratings, labels and albums."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from cloudalbum.entrypoints.api import create_app
from cloudalbum.services.metadata import UserMetadata
from moving.conftest import photos_of, run_import
from support import gps_exif, make_jpeg


@pytest.fixture
def client(container: Any) -> Any:
    app = create_app(container)
    app.config["TESTING"] = True
    return app.test_client()


def login(client: Any, email: str) -> dict[str, str]:
    r = client.post("/api/auth/login", json={"email": email, "password": "correct horse battery"})
    return {"Authorization": f"Bearer {r.get_json()['access_token']}"}


def library(container: Any, owner_id: str) -> dict[str, Any]:
    """A small library: EXIF-only, user-edited (offset time, place, title), imported metadata, two albums."""
    photos = container.photos
    plain = photos.add(owner_id, io.BytesIO(make_jpeg(color=(10, 60, 110), exif=gps_exif(
        51.5, -0.12, taken="2017:05:06 07:08:09"))), "london.jpg").photo
    edited = photos.add(owner_id, io.BytesIO(make_jpeg(color=(110, 60, 10))), "edited.jpg").photo
    photos.patch(owner_id, edited.id, {"title": "Grandma's garden", "description": "Sunday ☀",
                                       "taken_at": "2016-07-03T15:00:00+02:00", "location": {"lat": 43.3, "lon": 5.4},
                                       "rating": 5})
    tagged = photos.add(owner_id, io.BytesIO(make_jpeg(color=(60, 110, 10))), "tagged.jpg", metadata=UserMetadata(
        labels=["harbour"], people=["Ann"], taken_at="2015-01-01T10:00:00"), ).photo
    same_name = photos.add(owner_id, io.BytesIO(make_jpeg(color=(60, 10, 110))), "edited.jpg").photo
    trip = container.albums.create(owner_id, "Trip / 2016", "With everyone")
    container.albums.add_photos(owner_id, trip.id, [edited.id, tagged.id])
    other = container.albums.create(owner_id, "Photos from 2016")  # looks like a year folder: renamed on export
    container.albums.add_photos(owner_id, other.id, [same_name.id])
    return {"trip": trip, "other": other, "ids": [plain.id, edited.id, tagged.id, same_name.id]}


def library_id(container: Any, owner_id: str, filename: str) -> str:
    return next(p.id for p in photos_of(container, owner_id) if p.filename == filename)


def snapshot(container: Any, owner_id: str) -> dict[str, Any]:
    """What must survive a round trip, keyed by the original's SHA-256."""
    albums = {a.id: a.name for a in container.store.albums.list_albums(owner_id).items}
    out = {}
    for p in photos_of(container, owner_id):
        data = container.blobs.get(p.original_key)
        loc = (round(p.location.lat, 6), round(p.location.lon, 6)) if p.location else None
        out[hashlib.sha256(data).hexdigest()] = {
            "filename": p.filename, "taken_at": p.taken_at, "location": loc, "title": p.title,
            "description": p.description, "rating": p.rating, "people_hint": p.people_hint,
            "labels": sorted(lbl.name for lbl in p.labels if lbl.source == "user"),
            "albums": sorted(albums[a].replace("/", "_") for a in p.albums)}
    return out


def test_export_zip_is_streamed_byte_for_byte_with_sidecars(container: Any, client: Any) -> None:
    owner = container.auth.register("out@example.com", "correct horse battery")
    lib = library(container, owner.id)
    r = client.get("/api/export", headers=login(client, "out@example.com"), buffered=False)
    assert r.status_code == 200 and r.mimetype == "application/zip"
    assert r.is_streamed and "attachment" in r.headers["Content-Disposition"]
    chunks = list(r.response)
    assert len(chunks) > 5  # written as it goes, not one buffer
    zf = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert zf.testzip() is None
    names = zf.namelist()
    assert "Trip _ 2016/metadata.json" in names and "Album Photos from 2016/metadata.json" in names
    assert {"Photos without a date/london.jpg", "Photos from 2016/edited.jpg", "Photos from 2015/tagged.jpg",
            "Photos without a date/edited.jpg"} <= set(names)  # london.jpg: not processed, its EXIF not read yet
    for photo_id in lib["ids"]:
        photo = container.store.photos.get_photo(photo_id, owner.id)
        matches = [n for n in names if not n.endswith(".json")
                   and zf.read(n) == container.blobs.get(photo.original_key)]
        assert matches, photo.filename
        assert all(zf.getinfo(n).compress_type == zipfile.ZIP_STORED for n in matches)
    side = json.loads(zf.read("Photos from 2016/edited.jpg.json"))
    assert side["title"] == "Grandma's garden" and side["description"] == "Sunday ☀"
    assert side["photoTakenTime"]["timestamp"] == "1467550800"  # 2016-07-03T13:00:00Z
    assert side["geoData"]["latitude"] == 43.3 and side["geoData"]["longitude"] == 5.4
    tagged = json.loads(zf.read("Photos from 2015/tagged.jpg.json"))
    assert tagged["people"] == [{"name": "Ann"}] and tagged["cloudalbum"]["labels"] == ["harbour"]
    assert json.loads(zf.read("Trip _ 2016/metadata.json"))["title"] == "Trip / 2016"


def test_album_export_has_only_the_album(container: Any, client: Any) -> None:
    owner = container.auth.register("out@example.com", "correct horse battery")
    lib = library(container, owner.id)
    r = client.get(f"/api/albums/{lib['trip'].id}/export", headers=login(client, "out@example.com"))
    assert r.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(r.get_data())).namelist()
    assert sorted(names) == ["Trip _ 2016/edited.jpg", "Trip _ 2016/edited.jpg.json", "Trip _ 2016/metadata.json",
                             "Trip _ 2016/tagged.jpg", "Trip _ 2016/tagged.jpg.json"]


def test_another_users_album_export_is_404(container: Any, client: Any) -> None:
    owner = container.auth.register("out@example.com", "correct horse battery")
    container.auth.register("eve@example.com", "correct horse battery")
    lib = library(container, owner.id)
    eve = login(client, "eve@example.com")
    for path in (f"/api/albums/{lib['trip'].id}/export", "/api/albums/nope/export"):
        r = client.get(path, headers=eve)
        assert r.status_code == 404 and r.get_json()["error"]["code"] == "album_not_found", path
    mine = zipfile.ZipFile(io.BytesIO(client.get("/api/export", headers=eve).get_data()))
    assert mine.namelist() == []  # Eve's own export holds nothing of the owner's
    assert client.get("/api/export").status_code == 401


def process_all(container: Any, owner_id: str) -> None:
    """Run the real processing (EXIF, places, detection) on every photo, as the worker would."""
    for photo in photos_of(container, owner_id):
        container.processing.process(photo.id)


def test_round_trip_into_a_new_account(container: Any, client: Any, tmp_path: Path) -> None:
    owner = container.auth.register("out@example.com", "correct horse battery")
    library(container, owner.id)
    process_all(container, owner.id)
    assert container.store.photos.get_photo(library_id(container, owner.id, "london.jpg"), owner.id).taken_at
    archive = tmp_path / "export.zip"
    archive.write_bytes(client.get("/api/export", headers=login(client, "out@example.com")).get_data())
    newcomer = container.auth.register("in@example.com", "correct horse battery")
    report = run_import(container, newcomer.id, archive)
    assert report.ok, report.failed
    assert len(report.imported) == 4 and len(report.merged) == 3  # album copies join their albums
    process_all(container, newcomer.id)
    before, after = snapshot(container, owner.id), snapshot(container, newcomer.id)
    assert after == before
    assert sorted((v["taken_at"] or "") for v in after.values()) == [
        "", "2015-01-01T10:00:00", "2016-07-03T15:00:00+02:00", "2017-05-06T07:08:09+01:00"]  # London's BST
    again = run_import(container, newcomer.id, archive)
    assert again.imported == [] and again.merged == []


def test_export_command_writes_the_same_layout(container: Any, client: Any, tmp_path: Path) -> None:
    owner = container.auth.register("out@example.com", "correct horse battery")
    library(container, owner.id)
    zipped = zipfile.ZipFile(io.BytesIO(client.get("/api/export", headers=login(client, "out@example.com")).get_data()))
    target = tmp_path / "out"
    count = container.exporter.write_folder(container.exporter.library(owner.id), target)
    written = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert written == sorted(zipped.namelist()) and count == 7  # 4 photos, 3 of them again in albums
    for name in written:
        if not name.endswith(".json"):
            assert (target / name).read_bytes() == zipped.read(name)


@pytest.mark.parametrize("taken_at", ["9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00", "2150-06-01T00:00:00Z"])
def test_any_time_a_user_may_set_exports(container: Any, client: Any, taken_at: str) -> None:
    """Zip entries can only say 1980-2107; the sidecar keeps the photo's own time (found by the API fuzzer)."""
    owner = container.auth.register("out@example.com", "correct horse battery")
    photo = container.photos.add(owner.id, io.BytesIO(make_jpeg(color=(1, 99, 199))), "odd.jpg").photo
    container.photos.patch(owner.id, photo.id, {"taken_at": taken_at})
    r = client.get("/api/export", headers=login(client, "out@example.com"))
    assert r.status_code == 200
    zf = zipfile.ZipFile(io.BytesIO(r.get_data()))
    [name] = [n for n in zf.namelist() if n.endswith("odd.jpg")]
    assert json.loads(zf.read(name + ".json"))["cloudalbum"]["taken_at"] == taken_at
