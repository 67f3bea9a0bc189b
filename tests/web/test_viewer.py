"""The full-screen viewer in a real browser (issue 16, item 4): a click on a photo of the gallery opens it; arrow
keys, the buttons and a swipe on a phone move to the previous and next photo in the gallery's order; zoom by key,
button and double tap; the details (date, place, what was seen) beside the photo on a desktop and as a sheet on a
phone; Escape and the browser's Back close it and leave the reader on the gallery; the photo page is one click
away. scikit-image's photos with the real detector, dates set so the order is known."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from .conftest import DESKTOP, PHONE, new_watched_page, screenshot
from .helpers import Api, assert_no_bad_text, sign_in

pytestmark = [pytest.mark.browser]

PASSWORD = "correct horse battery staple"
# newest first in the gallery: the cat, the motorcycle, the astronaut
PHOTOS = {"chelsea.png": "2021-06-03T10:00:00", "motorcycle_left.png": "2019-05-01T09:30:00",
          "astronaut.png": "2014-09-30T08:00:00"}
VIEWER = ".app-viewer"


@pytest.fixture(scope="module")
def library(service: Any) -> tuple[str, list[str]]:
    from skimage import data as skdata

    email = f"viewer-{int(time.time() * 1000)}@example.com"
    api = Api.new_user(service.base_url, email, PASSWORD)
    ids = []
    for name, taken in PHOTOS.items():
        photo_id = api.upload(Path(skdata.__file__).parent / name)["id"]
        api("PATCH", f"/api/photos/{photo_id}", json={"taken_at": taken, "title": name.split(".")[0]})
        ids.append(photo_id)
    api.wait_processed(ids)
    return email, ids


def counter(page: Any) -> str:
    return str(page.locator(f"{VIEWER} .viewer-caption").inner_text())


def wait_image(page: Any) -> None:
    """The viewer's image has loaded (a new photo's image is fetched after each move)."""
    page.wait_for_function("() => { const i = document.querySelector('.app-viewer .viewer-image');"
                           " return i && i.complete && i.naturalWidth > 0; }")


def open_gallery(page: Any, email: str, ids: list[str]) -> None:
    sign_in(page, email)
    page.goto("/#/")
    for photo_id in ids:
        page.locator(f".tile[data-id='{photo_id}'] .thumb-frame.loaded").wait_for()


def swipe(page: Any, dx: int) -> None:
    """A one-finger horizontal swipe over the photo, as touch events (Chromium builds Touch objects)."""
    page.evaluate("""dx => {
        const stage = document.querySelector('.app-viewer .viewer-stage');
        const r = stage.getBoundingClientRect();
        const x = r.left + r.width / 2, y = r.top + r.height / 2;
        const touch = (cx) => new Touch({ identifier: 1, target: stage, clientX: cx, clientY: y });
        stage.dispatchEvent(new TouchEvent('touchstart', { touches: [touch(x)], changedTouches: [touch(x)], bubbles: true }));
        stage.dispatchEvent(new TouchEvent('touchend', { touches: [], changedTouches: [touch(x + dx)], bubbles: true }));
    }""", dx)


def test_viewer_on_a_desktop_keys_zoom_details_and_back(browser: Any, service: Any, library: Any) -> None:
    email, ids = library
    context, watched = new_watched_page(browser, service, DESKTOP)
    page = watched.page
    try:
        open_gallery(page, email, ids)
        page.locator(f".tile[data-id='{ids[0]}']").click()
        page.locator(VIEWER).wait_for()
        wait_image(page)
        assert counter(page).startswith("1 of 3 · 2021-06-03")
        details = page.locator(f"{VIEWER} .viewer-details")
        assert details.is_visible()  # beside the photo on a wide screen
        assert details.locator("h2").inner_text() == "chelsea"
        assert "cat" in details.locator("dl").inner_text()
        assert_no_bad_text(page)
        screenshot(page, "viewer-desktop")

        page.keyboard.press("ArrowRight")
        wait_image(page)
        assert counter(page).startswith("2 of 3 · 2019-05-01")
        assert details.locator("h2").inner_text() == "motorcycle_left"
        page.get_by_role("button", name="Next photo").click()
        wait_image(page)
        assert counter(page).startswith("3 of 3 · 2014-09-30")
        page.keyboard.press("ArrowRight")  # the last photo: stays
        assert counter(page).startswith("3 of 3")
        page.keyboard.press("ArrowLeft")
        wait_image(page)
        assert counter(page).startswith("2 of 3")

        page.keyboard.press("+")
        assert "zoomed" in (page.locator(VIEWER).get_attribute("class") or "")
        sizes = page.evaluate("() => { const s = document.querySelector('.app-viewer .viewer-stage');"
                              " return [s.scrollWidth, s.clientWidth]; }")
        assert sizes[0] > sizes[1] * 2  # the image is wider than the stage: it can be panned
        screenshot(page, "viewer-desktop-zoomed")
        page.get_by_role("button", name="Zoom out").click()
        assert "zoomed" not in (page.locator(VIEWER).get_attribute("class") or "")

        page.keyboard.press("i")  # details away: the photo takes the whole screen
        assert not details.is_visible()
        page.keyboard.press("Escape")
        page.locator(VIEWER).wait_for(state="detached")
        assert page.url.endswith("#/")
        assert page.evaluate("() => document.activeElement.closest('.tile').dataset.id") == ids[1]

        page.locator(f".tile[data-id='{ids[2]}']").click()
        page.locator(VIEWER).wait_for()
        page.go_back()  # Back closes the viewer, not the gallery
        page.locator(VIEWER).wait_for(state="detached")
        assert page.url.endswith("#/")
        page.locator(".grid .tile").first.wait_for()

        page.locator(f".tile[data-id='{ids[2]}']").click()
        page.get_by_role("link", name="Open photo page").click()
        page.wait_for_url(f"**/#/photo/{ids[2]}")
        assert page.locator(VIEWER).count() == 0
        page.go_back()  # from the photo page straight back to the gallery
        page.wait_for_url("**/#/")
        watched.assert_clean()
    finally:
        context.close()


def test_viewer_on_a_phone_swipes_double_tap_and_details_sheet(browser: Any, service: Any, library: Any) -> None:
    email, ids = library
    context, watched = new_watched_page(browser, service, PHONE)
    page = watched.page
    try:
        open_gallery(page, email, ids)
        page.locator(f".tile[data-id='{ids[0]}']").click()
        page.locator(VIEWER).wait_for()
        wait_image(page)
        details = page.locator(f"{VIEWER} .viewer-details")
        assert not details.is_visible()  # the photo first, the details on demand
        assert_no_bad_text(page)
        screenshot(page, "viewer-phone")

        swipe(page, -120)  # right to left: the next photo
        wait_image(page)
        assert counter(page).startswith("2 of 3")
        swipe(page, 120)
        wait_image(page)
        assert counter(page).startswith("1 of 3")
        swipe(page, 20)  # too short to turn the page
        assert counter(page).startswith("1 of 3")

        page.get_by_role("button", name="Details").click()
        assert details.is_visible()
        box = details.bounding_box()
        assert box is not None and box["y"] > PHONE["height"] / 3  # a sheet over the lower part
        assert "cat" in details.inner_text()
        assert_no_bad_text(page)
        screenshot(page, "viewer-phone-details")
        page.get_by_role("button", name="Close").click()
        page.locator(VIEWER).wait_for(state="detached")
        assert page.url.endswith("#/")
        watched.assert_clean()
    finally:
        context.close()
