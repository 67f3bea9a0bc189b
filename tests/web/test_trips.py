"""The Trips page in a real browser (issue 16): a trip made by the worker from photos with EXIF times and GPS
(home in Bologna, a few days in Tuscany) shows as a card with its title, dates, places and cover; opening it
shows its photos oldest first; "Make an album" makes the album in one click. Desktop and phone."""

from __future__ import annotations

import io
import time
from typing import Any

import pytest
from PIL import Image
from PIL.ExifTags import IFD, Base

from support import gps_exif, make_jpeg

from .conftest import PHONE, new_watched_page, screenshot
from .helpers import Api, assert_no_bad_text, sign_in

pytestmark = [pytest.mark.browser]

PASSWORD = "correct horse battery staple"
BOLOGNA, FLORENCE, SIENA = (44.4949, 11.3426), (43.7696, 11.2558), (43.3188, 11.3308)
PHOTOS = [("2013:03:02 19:00:00", BOLOGNA), ("2013:03:15 19:00:00", BOLOGNA), ("2013:03:28 19:00:00", BOLOGNA),
          ("2013:04:05 19:00:00", BOLOGNA), ("2013:04:11 10:00:00", FLORENCE), ("2013:04:11 16:00:00", FLORENCE),
          ("2013:04:12 11:00:00", None), ("2013:04:12 12:00:00", SIENA), ("2013:04:22 19:00:00", BOLOGNA),
          ("2013:05:03 19:00:00", BOLOGNA), ("2013:05:20 19:00:00", BOLOGNA)]
COLORS = [(200, 40, 40), (40, 160, 60), (40, 80, 200), (220, 180, 40), (150, 60, 170), (30, 160, 160),
          (120, 120, 120), (240, 120, 20), (90, 200, 220), (200, 90, 150), (60, 60, 60)]


def library(service: Any) -> tuple[str, Api, list[str]]:
    email = f"trips-{int(time.time() * 1000)}@example.com"
    api = Api.new_user(service.base_url, email, PASSWORD)
    # the located photos get Italy's offset from the zone at their position; the camera's others need the
    # account's zone to be read in the same one (issue 16 item 1, docs/time.md)
    api("PATCH", "/api/me/settings", json={"timezone": "Europe/Rome"})
    ids = []
    for i, ((taken, where), color) in enumerate(zip(PHOTOS, COLORS, strict=True)):
        if where is None:
            exif = Image.Exif()
            exif.get_ifd(IFD.Exif)[Base.DateTimeOriginal] = taken
        else:
            exif = gps_exif(*where, taken=taken)
        data = make_jpeg(320, 240, color=color, exif=exif)
        ids.append(api("POST", "/api/photos", files={"file": (f"trip{i}.jpg", io.BytesIO(data))})["id"])
    api.wait_processed(ids)
    deadline = time.monotonic() + 120
    while not api("GET", "/api/trips")["items"]:  # the worker's recompute_trips jobs follow the photos
        assert time.monotonic() < deadline, "no trip was found"
        time.sleep(0.5)
    return email, api, ids


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_trips_cards_a_trip_and_an_album_in_one_click(browser: Any, service: Any, viewport: str) -> None:
    email, api, ids = library(service)
    (trip,) = api("GET", "/api/trips")["items"]
    assert trip["title"] == "Tuscany, April 2013" and trip["photo_count"] == 4
    context, watched = new_watched_page(browser, service, **({"viewport": PHONE} if viewport == "phone" else {}))
    page = watched.page
    try:
        sign_in(page, email)
        page.goto("/#/trips")
        card = page.locator(".trip-card")
        card.wait_for()
        assert card.count() == 1
        assert card.locator(".trip-title").inner_text() == "Tuscany, April 2013"
        assert card.locator(".trip-dates").inner_text() == "11 – 12 April 2013"
        assert card.locator(".trip-places").inner_text() in ("Florence, Italy · Siena, Italy",
                                                             "Siena, Italy · Florence, Italy")
        assert "4 photos" in card.inner_text()
        page.wait_for_function("() => document.querySelector('.trip-card .thumb-frame').classList.contains('loaded')")
        assert_no_bad_text(page)
        # every header link in sight (no link scrolled out of the navigation), and nothing wider than the page
        assert page.evaluate("() => { const n = document.getElementById('nav'); return n.scrollWidth <= n.clientWidth; }")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        screenshot(page, f"trips-{viewport}")

        card.click()
        page.wait_for_function("() => document.querySelectorAll('.grid .tile').length === 4")
        assert page.locator("h1").inner_text() == "Tuscany, April 2013"
        tiles = page.locator(".grid a.tile").evaluate_all("as => as.map(a => a.getAttribute('href'))")
        assert [t.rsplit("/", 1)[-1] for t in tiles] == ids[4:8]  # oldest first, the unlocated one by time
        page.wait_for_function("() => [...document.querySelectorAll('.grid .thumb-frame')].every("
                               "f => f.classList.contains('loaded'))")
        assert_no_bad_text(page)
        screenshot(page, f"trip-{viewport}")

        page.get_by_role("button", name="Make an album").click()
        page.get_by_role("link", name="Open it").wait_for()
        assert "made with 4 photos" in page.locator(".trip-album-note").inner_text()
        screenshot(page, f"trip-album-{viewport}")
        page.get_by_role("link", name="Open it").click()
        page.wait_for_function("() => document.querySelectorAll('.grid .tile').length === 4")
        assert page.locator("h1").inner_text() == "Tuscany, April 2013"
        assert_no_bad_text(page)
        watched.assert_clean()
    finally:
        context.close()
