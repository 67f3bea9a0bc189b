"""The Duplicates page in a real browser (issue 15, item 6): from the header, groups found as photos were
processed, side by side with their reason and the proposed keeper; "Not duplicates" forgets a group and "Keep
this one" keeps a photo and moves the others to the trash. Screenshots at desktop and phone sizes (also copied
to /work/wt/h12-dups-shots/ when that exists)."""

from __future__ import annotations

import io
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

import dupgen

from .conftest import DESKTOP, PHONE, new_watched_page, screenshot
from .helpers import Api, account_menu, assert_no_bad_text, sign_in

pytestmark = [pytest.mark.browser]

PASSWORD = "correct horse battery staple"
SHOTS = Path("/work/wt/h12-dups-shots")


def shot(page: Any, name: str) -> None:
    path = screenshot(page, name)
    if SHOTS.is_dir():
        shutil.copy(path, SHOTS / path.name)


def test_duplicates_side_by_side_keep_one_or_not_duplicates(browser: Any, service: Any) -> None:
    email = f"dups-{int(time.time() * 1000)}@example.com"
    api = Api.new_user(service.base_url, email, PASSWORD)
    coffee, astronaut = dupgen.skimage_photo("coffee"), dupgen.skimage_photo("astronaut")
    assert coffee and astronaut
    coffee = dupgen.with_camera(coffee, make="Canon", model="Canon EOS 5D", taken="2019:07:14 10:00:00")
    astronaut = dupgen.with_camera(astronaut, make="NASA", model="Hasselblad", taken="1984:02:07 10:00:00")
    files = [("coffee.jpg", coffee), ("coffee-from-a-messenger-with-a-long-name.jpg", dupgen.resized(coffee, 0.5)),
             ("coffee-cropped.jpg", dupgen.cropped(coffee, 0.03, 0.03, 0, 0)),
             ("astronaut-export.png", dupgen.png(astronaut)), ("astronaut.jpg", astronaut)]
    ids = {name: api("POST", "/api/photos", files={"file": (name, io.BytesIO(data))})["id"] for name, data in files}
    api.wait_processed(list(ids.values()))
    deadline = time.monotonic() + 30
    while len(api("GET", "/api/duplicates")["items"]) < 2 and time.monotonic() < deadline:
        time.sleep(0.5)
    groups = {g["kind"]: g for g in api("GET", "/api/duplicates")["items"]}
    assert set(groups) == {"near", "identical_pixels"}, groups
    context, watched = new_watched_page(browser, service, DESKTOP)
    page = watched.page
    try:
        sign_in(page, email)
        for width in (390, 1099, 1100, 1280, 1920):  # every header link in sight; one row from 1100 px
            page.set_viewport_size({"width": width, "height": 800})
            nav = page.evaluate("[document.getElementById('nav').scrollWidth, document.getElementById('nav').clientWidth]")
            assert nav[0] <= nav[1] and page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
            header = page.evaluate("document.querySelector('.top').getBoundingClientRect().height")
            assert (header < 64) == (width >= 1100), (width, header)
            # sticky bars keep clear of the header's real height, however many rows it wraps to
            page.wait_for_function("(h) => getComputedStyle(document.body).getPropertyValue('--header-bottom')"
                                   " === `${h}px`", arg=header)
        page.set_viewport_size(DESKTOP)
        account_menu(page)
        page.get_by_role("link", name="Duplicates").click()
        page.get_by_role("heading", name="Duplicates").wait_for()
        cards = page.locator(".dup-group")
        cards.nth(1).wait_for()
        assert cards.count() == 2
        near = page.locator(f".dup-group[data-id='{groups['near']['id']}']")
        assert near.locator(".dup-photo").count() == 3
        assert "same picture" in near.inner_text() and "most pixels" in near.inner_text()
        assert near.locator(".dup-photo.proposed").get_attribute("data-id") == ids["coffee.jpg"]
        page.locator(".dup-photo img[src^='blob:']").nth(4).wait_for()  # every thumbnail shown
        page.get_by_role("status").filter(has_text="2 groups").wait_for()
        assert_no_bad_text(page)
        shot(page, "duplicates-desktop")

        same = page.locator(f".dup-group[data-id='{groups['identical_pixels']['id']}']")
        assert "same pixels" in same.inner_text() and "saved in JPEG and PNG" in same.inner_text()
        assert "original format (JPEG); astronaut-export.png is a PNG" in \
            same.inner_text()
        assert same.locator(".dup-photo.proposed").get_attribute("data-id") == ids["astronaut.jpg"]
        same.get_by_role("button", name="Not duplicates").click()
        same.wait_for(state="detached")
        assert [g["id"] for g in api("GET", "/api/duplicates")["items"]] == [groups["near"]["id"]]

        context.close()
        context, watched = new_watched_page(browser, service, PHONE)
        page = watched.page
        sign_in(page, email)
        page.goto("/#/duplicates")
        page.locator(".dup-photo img[src^='blob:']").nth(2).wait_for()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # nothing overflows
        assert_no_bad_text(page)
        shot(page, "duplicates-phone")

        page.locator(f".dup-photo[data-id='{ids['coffee.jpg']}']").get_by_role("button", name="Keep this one").click()
        page.locator(".grid-status", has_text="No duplicates").wait_for()
        assert api("GET", "/api/duplicates")["items"] == []
        trashed = {p["id"] for p in api("GET", "/api/trash")["items"]}
        assert trashed == {ids["coffee-from-a-messenger-with-a-long-name.jpg"], ids["coffee-cropped.jpg"]}
        assert_no_bad_text(page)
        shot(page, "duplicates-resolved-phone")
        watched.assert_clean()
    finally:
        context.close()
