"""Text from users, EXIF and the model is shown as text: a title `<img src=x onerror=alert(1)>` set through the
API appears literally in the gallery, the photo view and the map popup, and no dialog ever opens."""

from __future__ import annotations

import time
from typing import Any

import pytest

from support import needs_corpus

from .conftest import new_watched_page
from .helpers import Api, open_photo_page

pytestmark = [pytest.mark.browser, pytest.mark.corpus]

PAYLOAD = "<img src=x onerror=alert(1)>"
DESCRIPTION = "<script>alert(2)</script><b>bold?</b>"
PASSWORD = "correct horse battery staple"


def test_user_text_is_never_markup(browser: Any, service: Any) -> None:
    photos = needs_corpus()
    email = f"xss-{int(time.time() * 1000)}@example.com"
    api = Api.new_user(service.base_url, email, PASSWORD)
    photo = api.upload(photos / "gps" / "FujiFilm FinePixS2Pro.jpg")
    api.wait_processed([photo["id"]])
    api("PATCH", f"/api/photos/{photo['id']}", json={"title": PAYLOAD, "description": DESCRIPTION})
    api("POST", "/api/albums", json={"name": PAYLOAD})

    context, watched = new_watched_page(browser, service)
    page = watched.page
    try:
        page.goto("/#/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()

        # gallery
        tile = page.locator(f".tile[data-id='{photo['id']}']")
        tile.wait_for()
        assert tile.locator(".tile-title").inner_text() == PAYLOAD
        assert tile.locator("img").get_attribute("alt").startswith(PAYLOAD)

        # photo view
        open_photo_page(page, tile)
        page.locator("h1.photo-title").wait_for()
        assert page.locator("h1.photo-title").inner_text() == PAYLOAD
        assert page.locator(".photo-side .description").inner_text() == DESCRIPTION
        assert page.get_by_label("Title").input_value() == PAYLOAD

        # albums list
        page.goto("/#/albums")
        page.locator(".album-card .album-name").first.wait_for()
        assert page.locator(".album-card .album-name").first.inner_text() == PAYLOAD

        # map popup
        page.goto("/#/map")
        page.locator(".big-map[data-count='1']").wait_for()
        page.locator(".big-map .leaflet-marker-icon").first.click()
        title = page.locator(".leaflet-popup .popup-title")
        title.filter(has_text="onerror").wait_for()
        assert title.inner_text() == PAYLOAD

        # nowhere did the payload become an element
        for path in ("/#/", f"/#/photo/{photo['id']}", "/#/search?q=onerror"):
            page.goto(path)
            page.wait_for_timeout(500)
            assert page.locator("img[src='x']").count() == 0
            assert page.locator("main script, main b").count() == 0
        assert watched.dialogs == [], watched.dialogs
        watched.assert_clean()
    finally:
        context.close()
