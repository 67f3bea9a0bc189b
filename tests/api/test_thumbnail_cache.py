"""Cacheable thumbnails over real HTTP: a versioned URL is private and immutable for a year, keyed to the
session's token (Vary: Authorization); an unversioned or stale one stays no-store; another user gets 404."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server

from support import make_jpeg

YEAR = "private, max-age=31536000, immutable"


@pytest.fixture
def base_url(app: Any) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def processed(user: Any, container: Any, color: tuple[int, int, int] = (200, 30, 30)) -> tuple[str, bytes]:
    """An uploaded photo with thumbnails in place, as the worker would leave it."""
    pid = user.upload(make_jpeg(color=color)).get_json()["id"]
    thumb = make_jpeg(32, 24, color=color)
    photo = container.store.photos.get_photo(pid, user.id)
    for size in ("small", "large"):
        key = f"thumbnails/{user.id}/{pid}/{size}.jpg"
        container.blobs.put(key, thumb, content_type="image/jpeg")
        photo.thumbnail_keys[size] = key
    container.store.photos.save_photo(photo)
    return pid, thumb


def get(base_url: str, user: Any, path: str) -> requests.Response:
    return requests.get(base_url + path, headers=user.headers, timeout=30)


def test_versioned_thumbnail_is_private_and_immutable(base_url: str, alice: Any, bob: Any, container: Any) -> None:
    pid, thumb = processed(alice, container)
    urls = get(base_url, alice, f"/api/photos/{pid}").json()["thumbnails"]
    assert set(urls) == {"small", "large"} and all("&v=" in u for u in urls.values())
    r = get(base_url, alice, urls["small"])
    assert r.status_code == 200 and r.content == thumb
    assert r.headers["Cache-Control"] == YEAR
    assert "Authorization" in r.headers["Vary"]
    # without v (the API contract's plain URL) and with a stale v: served, never cached
    for path in (f"/api/photos/{pid}/thumbnail", f"/api/photos/{pid}/thumbnail?size=small&v=9999"):
        r = get(base_url, alice, path)
        assert r.status_code == 200 and r.content == thumb
        assert r.headers["Cache-Control"] == "private, no-store"
    # the auth check runs with or without v: no token is 401, another user is 404 (and nothing cacheable)
    assert requests.get(base_url + urls["small"], timeout=30).status_code == 401
    r = get(base_url, bob, urls["small"])
    assert r.status_code == 404 and "immutable" not in r.headers.get("Cache-Control", "")


def test_a_changed_photo_gets_a_new_url(base_url: str, alice: Any, container: Any) -> None:
    pid, _ = processed(alice, container)
    before = get(base_url, alice, f"/api/photos/{pid}").json()["thumbnails"]["small"]
    r = requests.patch(base_url + f"/api/photos/{pid}", json={"title": "Harbour"}, headers=alice.headers, timeout=30)
    assert r.status_code == 200
    after = r.json()["thumbnails"]["small"]
    assert after != before
    assert get(base_url, alice, before).headers["Cache-Control"] == "private, no-store"
    assert get(base_url, alice, after).headers["Cache-Control"] == YEAR
    listed = requests.get(base_url + "/api/photos", headers=alice.headers, timeout=30).json()["items"]
    assert listed[0]["thumbnails"]["small"] == after


@pytest.mark.parametrize("v", ["-1", "abc", "1.5"])
def test_a_bad_version_is_422(base_url: str, alice: Any, container: Any, v: str) -> None:
    pid, _ = processed(alice, container)
    assert get(base_url, alice, f"/api/photos/{pid}/thumbnail?v={v}").status_code == 422


def test_unprocessed_photo_has_no_thumbnail_urls(alice: Any) -> None:
    body = alice.upload(make_jpeg()).get_json()
    assert body["thumbnails"] is None
