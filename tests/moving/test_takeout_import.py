"""Import of Google Takeout archives: every sidecar naming variant, times, places, people, albums, and bad
entries that are named while the rest goes on."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from moving.conftest import by_name, photos_of, run_import, sidecar, write_tgz, write_zip
from support import gps_exif, make_jpeg

G = "Takeout/Google Photos"
T2019 = 1559999999  # 2019-06-08T13:19:59+00:00
LONG = "A_very_long_file_name_from_a_phone_camera_0123.jpg"  # 50 characters


def takeout_files() -> dict[str, bytes]:
    a = make_jpeg(color=(250, 10, 10))
    return {
        f"{G}/Photos from 2019/a.jpg": a,
        f"{G}/Photos from 2019/a.jpg.json": sidecar(T2019, 48.8584, 2.2945, "Eiffel", ["Ann", "Bob"], "a.jpg"),
        f"{G}/Photos from 2019/metadata.json": b'{"title": "Photos from 2019"}',
        f"{G}/Photos from 2019/b.jpg": make_jpeg(color=(10, 250, 10)),
        f"{G}/Photos from 2019/b.jpg.supplemental-metadata.json": sidecar(T2019 + 1, description="bee"),
        f"{G}/Photos from 2019/c.jpg": make_jpeg(color=(10, 10, 250)),
        f"{G}/Photos from 2019/c.jpg.supplemental-metad.json": sidecar(T2019 + 2, description="sea"),
        f"{G}/Photos from 2019/{LONG}": make_jpeg(color=(200, 200, 10)),
        f"{G}/Photos from 2019/{(LONG + '.supplemental-metadata')[:46]}.json": sidecar(T2019 + 3, description="long"),
        f"{G}/Photos from 2019/d.jpg": make_jpeg(color=(10, 200, 200)),
        f"{G}/Photos from 2019/d.jpg.json": sidecar(T2019 + 4, description="dee"),
        f"{G}/Photos from 2019/d(1).jpg": make_jpeg(color=(200, 10, 200)),
        f"{G}/Photos from 2019/d.jpg(1).json": sidecar(T2019 + 5, description="dee one"),
        f"{G}/Photos from 2019/e.jpg": make_jpeg(color=(90, 90, 10)),
        f"{G}/Photos from 2019/e-edited.jpg": make_jpeg(color=(10, 90, 90)),
        f"{G}/Photos from 2019/e.jpg.json": sidecar(T2019 + 6, description="e"),
        f"{G}/Photos from 2019/exif.jpg": make_jpeg(color=(60, 120, 180), exif=gps_exif(
            -33.8568, 151.2153, taken="2018:01:02 03:04:05")),
        f"{G}/Photos from 2019/exif.jpg.json": sidecar(T2019 + 7, 1.0, 1.0, "sydney"),
        f"{G}/Photos from 2019/zero.jpg": make_jpeg(color=(30, 30, 200)),
        f"{G}/Photos from 2019/zero.jpg.json": sidecar(T2019 + 8, 0.0, 0.0),
        f"{G}/Photos from 2019/g.jpg": make_jpeg(color=(130, 30, 30)),
        f"{G}/Photos from 2019/g.jpg.json": b'{"title": "g.jpg", "photoTakenTime": {',
        f"{G}/Trip to Paris/metadata.json": b'{"title": "Paris 2019", "description": "Spring"}',
        f"{G}/Trip to Paris/a.jpg": a,
        f"{G}/Trip to Paris/a.jpg.json": sidecar(T2019, 48.8584, 2.2945, "Eiffel", ["Ann", "Bob"], "a.jpg"),
        f"{G}/Trip to Paris/f.jpg": make_jpeg(color=(30, 130, 30)),
        f"{G}/archive_browser.html": b"<html>Takeout</html>",
        "../evil.jpg": make_jpeg(color=(1, 1, 1)),
        "/abs.jpg": make_jpeg(color=(2, 2, 2)),
    }


def test_takeout_zip(container: Any, owner: Any, tmp_path: Path) -> None:
    report = run_import(container, owner.id, write_zip(tmp_path / "takeout.zip", takeout_files()))
    photos = by_name(container, owner.id)
    assert sorted(photos) == sorted(["a.jpg", "b.jpg", "c.jpg", LONG, "d.jpg", "d(1).jpg", "e.jpg", "e-edited.jpg",
                                     "exif.jpg", "zero.jpg", "g.jpg", "f.jpg"])
    a = photos["a.jpg"]
    assert a.taken_at == "2019-06-08T13:19:59+00:00" and "taken_at" in a.user_fields
    assert (a.location.lat, a.location.lon, a.location.alt_m, a.location.source) == (48.8584, 2.2945, 12.5, "user")
    assert a.description == "Eiffel" and a.title is None  # Takeout's title is the file name
    assert a.people_hint == ["Ann", "Bob"]
    assert photos["b.jpg"].description == "bee"
    assert photos["c.jpg"].description == "sea"
    assert photos[LONG].description == "long"
    assert photos["d.jpg"].description == "dee" and photos["d(1).jpg"].description == "dee one"
    assert photos["e.jpg"].description == photos["e-edited.jpg"].description == "e"
    exif = photos["exif.jpg"]  # its own EXIF time and place win: the sidecar's are not applied
    assert exif.taken_at is None and exif.location is None and "taken_at" not in exif.user_fields
    assert exif.description == "sydney"
    zero = photos["zero.jpg"]
    assert zero.location is None and zero.taken_at == "2019-06-08T13:20:07+00:00"
    assert photos["g.jpg"].taken_at is None  # imported without its broken sidecar
    albums = container.store.albums.list_albums(owner.id).items
    assert [(al.name, al.description) for al in albums] == [("Paris 2019", "Spring")]
    members = {p.filename for p in container.store.albums.album_photos(albums[0].id, owner.id).items}
    assert members == {"a.jpg", "f.jpg"}
    assert report.merged == [f"takeout.zip:{G}/Trip to Paris/a.jpg"]
    failed = dict(report.failed)
    assert "not valid JSON" in failed[f"takeout.zip:{G}/Photos from 2019/g.jpg.json"]
    assert "'..' is refused" in failed["takeout.zip:../evil.jpg"]
    assert "absolute" in failed["takeout.zip:/abs.jpg"]
    assert len(report.failed) == 3
    assert "not a photo" in dict(report.skipped)[f"takeout.zip:{G}/archive_browser.html"]
    assert len(report.imported) == 12
    blobs = list(container.blobs.keys(f"originals/{owner.id}/"))
    assert len(blobs) == 12  # the album's copy of a.jpg was not stored again


def test_importing_again_adds_nothing(container: Any, owner: Any, tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "takeout.zip", takeout_files())
    run_import(container, owner.id, archive)
    before = {p.id: p.version for p in photos_of(container, owner.id)}
    again = run_import(container, owner.id, archive)
    assert again.imported == [] and again.merged == [] and again.albums == []
    assert {p.id: p.version for p in photos_of(container, owner.id)} == before
    assert len(container.store.albums.list_albums(owner.id).items) == 1
    assert all("already in the library" in why for where, why in again.skipped if where.endswith(".jpg"))


def test_tgz_with_sidecars_before_and_after_their_photos(container: Any, owner: Any, tmp_path: Path) -> None:
    files = {
        "Google Photos/Album/metadata.json": b'{"title": "Holiday"}',
        "Google Photos/Album/x.jpg.json": sidecar(T2019, 10.0, 20.0, "before"),
        "Google Photos/Album/x.jpg": make_jpeg(color=(100, 0, 0)),
        "Google Photos/Album/y.jpg": make_jpeg(color=(0, 100, 0)),
        "Google Photos/Album/y.jpg.supplemental-metadata.json": sidecar(T2019, 30.0, 40.0, "after"),
    }
    report = run_import(container, owner.id, write_tgz(tmp_path / "takeout.tgz", files))
    assert report.ok and len(report.imported) == 2, report
    photos = by_name(container, owner.id)
    assert photos["x.jpg"].description == "before" and photos["x.jpg"].location.lat == 10.0
    assert photos["y.jpg"].description == "after" and photos["y.jpg"].location.lon == 40.0
    album = container.store.albums.list_albums(owner.id).items[0]
    assert album.name == "Holiday" and album.photo_count == 2


def test_a_truncated_zip_is_named_and_the_next_path_goes_on(container: Any, owner: Any, tmp_path: Path) -> None:
    whole = write_zip(tmp_path / "whole.zip", {"p.jpg": make_jpeg(color=(5, 50, 5))}).read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(whole[: len(whole) // 2])
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "q.jpg").write_bytes(make_jpeg(color=(50, 5, 5)))
    report = run_import(container, owner.id, cut, folder)
    assert [where for where, _ in report.failed] == ["cut.zip"]
    assert "truncated" in report.failed[0][1]
    assert report.imported == ["folder:q.jpg"]


def test_zip_bomb_and_oversized_entries_are_refused(container: Any, owner: Any, tmp_path: Path) -> None:
    files = {"bomb.jpg": b"\xff\xd8\xff" + bytes(6 * 1024 * 1024), "ok.jpg": make_jpeg(color=(9, 99, 9)),
             "huge.jpg": make_jpeg(color=(99, 9, 9)) + bytes(9 * 1024 * 1024)}
    report = run_import(container, owner.id, write_zip(tmp_path / "bomb.zip", files), max_bytes=8 * 1024 * 1024)
    failed = dict(report.failed)
    assert "zip bomb" in failed["bomb.zip:bomb.jpg"]
    assert "larger than the limit" in failed["bomb.zip:huge.jpg"]
    assert report.imported == ["bomb.zip:ok.jpg"]


def test_truncated_member_data_fails_that_entry_only(container: Any, owner: Any, tmp_path: Path) -> None:
    good, bad = make_jpeg(color=(7, 70, 170)), make_jpeg(800, 600, color=(170, 70, 7))
    path = write_zip(tmp_path / "crc.zip", {"bad.jpg": bad, "good.jpg": good}, compression=0)
    data = bytearray(path.read_bytes())
    at = data.find(bad[400:432])
    data[at:at + 32] = bytes(32)  # corrupt stored bytes: the CRC check fails when the entry is read
    path.write_bytes(bytes(data))
    report = run_import(container, owner.id, path)
    assert [w for w, _ in report.failed] == ["crc.zip:bad.jpg"] and report.imported == ["crc.zip:good.jpg"]


def test_identical_files_in_one_import_are_stored_once(container: Any, owner: Any, tmp_path: Path) -> None:
    data = make_jpeg(color=(44, 88, 132))
    folder = tmp_path / "dupes"
    (folder / "sub").mkdir(parents=True)
    (folder / "one.jpg").write_bytes(data)
    (folder / "sub" / "two.jpg").write_bytes(data)
    report = run_import(container, owner.id, folder)
    assert report.imported == ["dupes:one.jpg"] and report.ok
    assert [w for w, _ in report.skipped] == ["dupes:sub/two.jpg"]
    [photo] = photos_of(container, owner.id)
    assert photo.sha256 == hashlib.sha256(data).hexdigest()
