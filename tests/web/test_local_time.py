"""Local time on the pages (issue 16 item 1) in a real browser whose own time zone is New York's: a photo taken at
08:05 in Tokyo (EXIF OffsetTimeOriginal +09:00, which is 19:05 the day before in New York) shows 08:05 under the
day heading of its own day, in the grid, the viewer and its page (with "UTC+09:00 · from the camera"), at a
desktop and a phone size. Its neighbours are ordered by instant: a London photo at 00:30Z the same day is newer."""

from __future__ import annotations

import io
import time
from typing import Any

import pytest

from support import make_jpeg

from .conftest import DESKTOP, PHONE, Watched, screenshot
from .helpers import Api, assert_no_bad_text, open_photo_page, sign_in

pytestmark = [pytest.mark.browser]

PASSWORD = "correct horse battery staple"


def exif_jpeg(taken: str, offset: str, color: tuple[int, int, int]) -> bytes:
    from PIL import Image
    from PIL.ExifTags import IFD, Base

    exif = Image.Exif()
    exif.get_ifd(IFD.Exif)[Base.DateTimeOriginal] = taken
    exif.get_ifd(IFD.Exif)[0x9011] = offset  # OffsetTimeOriginal
    return make_jpeg(320, 240, color=color, exif=exif)


@pytest.fixture
def library(service: Any) -> tuple[str, dict[str, str]]:
    email = f"localtime-{int(time.time() * 1000)}@example.com"
    api = Api.new_user(service.base_url, email, PASSWORD)
    ids = {}
    for name, taken, offset, color in (("tokyo", "2026:03:01 08:05:00", "+09:00", (200, 60, 40)),
                                       ("london", "2026:03:01 00:30:00", "+00:00", (40, 90, 200))):
        body = api("POST", "/api/photos", files={"file": (f"{name}.jpg", io.BytesIO(exif_jpeg(taken, offset, color)))})
        ids[name] = body["id"]
    done = {p["id"]: p for p in api.wait_processed(list(ids.values()))}
    assert done[ids["tokyo"]]["taken_at"] == "2026-03-01T08:05:00+09:00"
    assert done[ids["tokyo"]]["taken_offset_source"] == "exif"
    assert [p["id"] for p in api("GET", "/api/photos")["items"]] == [ids["london"], ids["tokyo"]]
    return email, ids


@pytest.mark.parametrize("viewport, name", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_a_tokyo_morning_shows_its_own_time_in_a_new_york_browser(browser: Any, service: Any, library: Any,
                                                                   viewport: dict[str, int], name: str) -> None:
    email, ids = library
    context = browser.new_context(viewport=viewport, base_url=service.base_url, timezone_id="America/New_York")
    context.set_default_timeout(20_000)
    watched = Watched(context.new_page())
    page = watched.page
    try:
        assert page.evaluate("() => Intl.DateTimeFormat().resolvedOptions().timeZone") == "America/New_York"
        sign_in(page, email, PASSWORD)
        page.wait_for_function("() => document.querySelectorAll('.grid .tile').length === 2")
        # one day heading: both photos' local day is 1 March (in New York, Tokyo's is still 28 February)
        assert page.locator(".grid .day-heading").all_inner_texts() == ["Sunday 1 March"]
        order = page.evaluate("() => [...document.querySelectorAll('.grid .tile')].map(t => t.dataset.id)")
        assert order == [ids["london"], ids["tokyo"]]
        tile = page.locator(f".tile[data-id='{ids['tokyo']}']")
        assert "2026-03-01 08:05" in (tile.get_attribute("aria-label") or "")
        assert_no_bad_text(page)
        screenshot(page, f"local-time-grid-{name}")
        open_photo_page(page, tile)
        details = page.locator(".details")
        details.wait_for()
        text = details.inner_text()
        assert "2026-03-01 08:05" in text and "UTC+09:00 · from the camera" in text
        assert "19:05" not in text and "02-28" not in text  # never the browser's (New York's) time or day
        assert_no_bad_text(page)
        details.scroll_into_view_if_needed()
        screenshot(page, f"local-time-photo-{name}")
        watched.assert_clean()
    finally:
        context.close()
