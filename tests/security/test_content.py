"""What comes in and what goes out: mass assignment, polyglot and disguised files, header injection through
file names, stored XSS in titles answered as inert JSON, security headers, and no GPS in any thumbnail of the
corpus (served through the API after real processing).

Covered elsewhere and not repeated here: JWT forgery, expiry, refresh reuse and login throttling
(tests/api/test_auth.py), size/pixel limits and decompression bombs (tests/api/test_photos.py), path-like
file names (tests/api/test_photos.py::test_path_like_filenames_are_metadata_only), PATCH mass assignment
(tests/api/test_photos.py::test_patch_refuses_bad_and_unknown_fields), the browser side of XSS
(tests/web/test_xss.py).
"""

from __future__ import annotations

import dataclasses
import io
import zipfile
from typing import Any

import pytest
from PIL import Image

from support import make_jpeg, manifest, needs_corpus


def zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
        z.writestr("evil.html", "<script>alert(1)</script>")
    return buf.getvalue()


def gif_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(buf, "GIF")
    return buf.getvalue()


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'


# --- mass assignment -----------------------------------------------------------------------------------------


SERVER_FIELDS = {"owner_id": "someone-else", "original_key": "originals/x/y", "thumbnail_keys": '{"small": "x"}',
                 "status": "done", "version": "99", "processed_version": "yolov8n@fake", "id": "chosen-id",
                 "user_fields": "[]", "bytes": "1", "content_type": "text/html"}


def test_upload_form_cannot_set_server_fields(alice: Any, container: Any) -> None:
    r = alice.upload(make_jpeg(64, 48), "a.jpg", **SERVER_FIELDS)
    assert r.status_code in (202, 422), r.get_data(as_text=True)
    if r.status_code == 422:
        return
    p = container.store.photos.get_photo(r.get_json()["id"], alice.id)
    assert p is not None and p.owner_id == alice.id and p.id != "chosen-id"
    assert p.original_key == f"originals/{alice.id}/{p.id}" and p.thumbnail_keys == {}
    assert p.status == "uploaded" and p.version != 99 and p.processed_version is None
    assert p.content_type == "image/jpeg" and p.bytes > 1 and p.user_fields == []


@pytest.mark.parametrize("field", ["owner_id", "original_key", "thumbnail_keys", "status", "version",
                                   "processed_version", "id", "model", "labels", "categories", "albums"])
def test_patch_cannot_set_server_fields(alice: Any, container: Any, field: str) -> None:
    pid = alice.upload(make_jpeg(64, 48)).get_json()["id"]
    before = container.store.photos.get_photo(pid, alice.id)
    value = {"thumbnail_keys": {"small": "originals/x"}, "version": 99, "labels": [{"name": "x"}],
             "model": {"name": "x", "version": "y"}, "categories": ["x"], "albums": ["x"]}.get(field, "forged")
    r = alice.request("PATCH", f"/api/photos/{pid}", json={"title": "ok", field: value})
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "validation_error"
    assert container.store.photos.get_photo(pid, alice.id) == before


@pytest.mark.parametrize("field,value", [("owner_id", "x"), ("id", "x"), ("photo_count", 5),
                                         ("cover_photo_id", "x"), ("created_at", "2000-01-01T00:00:00")])
def test_album_fields_of_the_server_cannot_be_set(alice: Any, container: Any, field: str, value: Any) -> None:
    r = alice.request("POST", "/api/albums", json={"name": "A", field: value})
    if r.status_code == 201:
        album = container.store.albums.get_album(r.get_json()["id"], alice.id)
        assert album is not None and getattr(album, field) != value
        aid = album.id
    else:
        assert r.status_code == 422
        aid = alice.request("POST", "/api/albums", json={"name": "A"}).get_json()["id"]
    before = dataclasses.asdict(container.store.albums.get_album(aid, alice.id))
    r = alice.request("PATCH", f"/api/albums/{aid}", json={"name": "B", field: value})
    assert r.status_code in (200, 422)
    after = dataclasses.asdict(container.store.albums.get_album(aid, alice.id))
    assert after[field] == before[field] or field == "updated_at"


def test_register_cannot_choose_its_id(client: Any, container: Any) -> None:
    r = client.post("/api/auth/register", json={"email": "mass@example.com", "password": "correct horse battery",
                                               "id": "admin", "is_admin": True})
    assert r.status_code in (201, 422)
    if r.status_code == 201:
        assert r.get_json()["id"] != "admin"
        assert container.store.users.user_by_id("admin") is None


# --- polyglots and disguised files ---------------------------------------------------------------------------


@pytest.mark.parametrize("data,name", [
    (HTML, "photo.jpg"), (SVG, "photo.jpg"), (SVG, "photo.svg"), (zip_bytes(), "photo.jpg"),
    (b"GIF89a" + b"<script>alert(1)</script>", "x.gif"), (b"\xff\xd8\xff" + HTML, "x.jpg"),
    (b"\x89PNG\r\n\x1a\n" + HTML, "x.png"), (b"MZ\x90\x00" + b"\x00" * 64, "x.jpg"),
])
def test_disguised_files_are_refused(alice: Any, data: bytes, name: str) -> None:
    r = alice.upload(data, name)
    assert r.status_code in (415, 422), (name, r.status_code)
    assert set(r.get_json()) == {"error"}


@pytest.mark.parametrize("kind", ["jpeg+zip", "jpeg+html", "gifar"])
def test_polyglots_are_served_only_as_images(alice: Any, kind: str) -> None:
    data = {"jpeg+zip": make_jpeg(64, 48) + zip_bytes(), "jpeg+html": make_jpeg(64, 48) + HTML,
            "gifar": gif_bytes() + zip_bytes()}[kind]
    r = alice.upload(data, "poly.html")
    if r.status_code != 202:
        assert r.status_code in (415, 422)
        return
    photo = r.get_json()
    assert photo["content_type"] in ("image/jpeg", "image/gif")
    assert not photo["filename"].endswith(".html") or photo["content_type"].startswith("image/")
    r = alice.request("GET", f"/api/photos/{photo['id']}/original")
    assert r.status_code == 200 and r.data == data
    assert r.mimetype.startswith("image/"), r.mimetype
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "html" not in r.headers.get("Content-Type", "")


@pytest.mark.parametrize("name", ["a\r\nSet-Cookie: pwned=1.jpg", 'x";\r\nLocation: http://evil/.jpg',
                                  "<img src=x onerror=alert(1)>.jpg", "'\"><script>alert(1)</script>.jpg"])
def test_file_names_cannot_inject_headers_or_markup(alice: Any, name: str) -> None:
    r = alice.upload(make_jpeg(32, 32), name)
    if r.status_code == 422:  # the multipart parser refused the broken header: fine, nothing stored
        return
    assert r.status_code == 202
    pid = r.get_json()["id"]
    assert "\r" not in r.get_json()["filename"] and "\n" not in r.get_json()["filename"]
    r = alice.request("GET", f"/api/photos/{pid}/original")
    assert r.status_code == 200
    assert "Set-Cookie" not in r.headers and "Location" not in r.headers
    for value in r.headers.values():
        assert "\r" not in value and "\n" not in value


# --- stored XSS: inert JSON ------------------------------------------------------------------------------------


PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</script><svg onload=alert(1)>",
            "javascript:alert(1)", "\u2028\u2029<!--"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_stored_markup_comes_back_as_inert_json(alice: Any, payload: str) -> None:
    pid = alice.upload(make_jpeg(32, 32)).get_json()["id"]
    r = alice.request("PATCH", f"/api/photos/{pid}", json={"title": payload, "description": payload})
    assert r.status_code == 200
    aid = alice.request("POST", "/api/albums", json={"name": payload}).get_json()["id"]
    for path in (f"/api/photos/{pid}", "/api/photos", f"/api/albums/{aid}", "/api/albums",
                 f"/api/search?q={payload[:20]}"):
        r = alice.request("GET", path)
        assert r.status_code in (200, 422), path
        assert r.mimetype == "application/json", (path, r.mimetype)
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in r.headers["Cache-Control"]
    assert alice.request("GET", f"/api/photos/{pid}").get_json()["title"] == payload  # stored as given


# --- headers ---------------------------------------------------------------------------------------------------


def test_security_headers_everywhere(client: Any, alice: Any) -> None:
    pid = alice.upload(make_jpeg(32, 32)).get_json()["id"]
    responses = {
        "page": client.get("/"), "health": client.get("/api/health"), "404": client.get("/api/nope"),
        "401": client.get("/api/photos"), "json": alice.request("GET", "/api/photos"),
        "original": alice.request("GET", f"/api/photos/{pid}/original"),
        "openapi": client.get("/api/openapi.json"),
    }
    for name, r in responses.items():
        assert r.headers.get("X-Content-Type-Options") == "nosniff", name
        assert r.headers.get("X-Frame-Options") == "DENY", name
    page = responses["page"]
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert "object-src 'none'" in csp
    for name in ("json", "401", "404"):
        assert "no-store" in responses[name].headers.get("Cache-Control", ""), name
    assert "no-store" in responses["original"].headers["Cache-Control"]
    assert "Server" not in page.headers or "Werkzeug" not in page.headers.get("Server", "")


# --- no GPS in any thumbnail -------------------------------------------------------------------------------------


def exif_gps(jpeg: bytes) -> dict[Any, Any]:
    im = Image.open(io.BytesIO(jpeg))
    assert im.format == "JPEG"
    exif = im.getexif()
    gps = dict(exif.get_ifd(0x8825))
    return {"gps": gps, "exif_tags": len(exif), "xmp": "xmp" in im.info or b"http://ns.adobe.com/xap" in jpeg,
            "app1": b"Exif\x00\x00" in jpeg[:65536]}


@pytest.mark.corpus
def test_no_thumbnail_of_any_gps_photo_carries_gps(alice: Any, container: Any) -> None:
    root = needs_corpus()
    located = sorted(f for f, row in manifest().items() if row.get("expected_lat") and not f.startswith("bad/"))
    assert located
    checked = 0
    for rel in located:
        r = alice.upload((root / rel).read_bytes(), rel.rsplit("/", 1)[-1])
        assert r.status_code == 202, rel
        pid = r.get_json()["id"]
        container.processing.process(pid)
        photo = alice.request("GET", f"/api/photos/{pid}").get_json()
        assert photo["status"] in ("done", "needs_input"), (rel, photo["status"], photo["error"])
        assert photo["location"] is not None or not rel.startswith("gps/"), rel  # the original's GPS was read
        for size in ("small", "large"):
            t = alice.request("GET", f"/api/photos/{pid}/thumbnail?size={size}")
            assert t.status_code == 200 and t.mimetype == "image/jpeg", (rel, size)
            got = exif_gps(t.data)
            assert got == {"gps": {}, "exif_tags": 0, "xmp": False, "app1": False}, (rel, size, got)  # and not kept
            checked += 1
    assert checked == 2 * len(located)
