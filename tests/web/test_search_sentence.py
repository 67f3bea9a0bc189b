"""The search page reads a sentence: the interpretation shows as chips, and removing one searches again without
those words. scikit-image's own photos (a cat, a motorcycle, an astronaut), real detector; desktop and phone."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from .conftest import DESKTOP, PHONE, new_watched_page, screenshot
from .helpers import Api, assert_no_bad_text, sign_in

pytestmark = [pytest.mark.browser]

PASSWORD = "correct horse battery staple"
PHOTOS = ["chelsea.png", "motorcycle_left.png", "astronaut.png"]

def result_ids(page: Any) -> list[str]:
    page.wait_for_function("() => !document.querySelector('.grid-status') || "
                           "document.querySelector('.grid-status').textContent !== 'Loading…'")
    return page.locator(".grid .tile").evaluate_all("tiles => tiles.map(t => t.dataset.id)")


def assert_chips(page: Any, expected: list[tuple[str, str]]) -> None:
    """The page shows the expected chips within 10 s. After a chip is removed the old reading stays until the new
    search answers and is then drawn again, so reading the chips at once races the re-render."""
    read: list[tuple[str, str]] = []
    for _ in range(100):
        read = page.locator(".reading .chip").evaluate_all(
            "cs => cs.map(c => [c.querySelector('.chip-phrase').innerText, c.querySelector('.chip-meaning').innerText])")
        read = [tuple(pair) for pair in read]
        if read == expected:
            break
        page.wait_for_timeout(100)
    assert read == expected


def test_a_sentence_shows_its_reading_as_removable_chips(browser: Any, service: Any) -> None:
    from skimage import data as skdata

    email = f"sentence-{int(time.time() * 1000)}@example.com"
    api = Api.new_user(service.base_url, email, PASSWORD)
    ids = {name: api.upload(Path(skdata.__file__).parent / name)["id"] for name in PHOTOS}
    api.wait_processed(list(ids.values()))

    for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        context, watched = new_watched_page(browser, service, viewport)
        page = watched.page
        try:
            sign_in(page, email)
            page.goto("/#/search")
            page.get_by_label("Search", exact=True).fill("a kitten without people")
            page.get_by_role("button", name="Search", exact=True).click()
            page.wait_for_url(re.compile(r"q=a\+kitten\+without\+people"))
            assert_chips(page, [("kitten", "object: cat"), ("without people", "without: person")])
            page.locator(".grid .tile").first.wait_for()
            assert result_ids(page) == [ids["chelsea.png"]]
            page.locator(".grid .thumb-frame.loaded").first.wait_for()
            page.wait_for_timeout(300)  # the thumbnail fades in
            assert_no_bad_text(page)
            screenshot(page, f"search-sentence-{name}")

            page.get_by_role("link", name="Remove “kitten”").click()  # only the negation is left
            page.wait_for_url(re.compile(r"q=without\+people$"))
            assert_chips(page, [("without people", "without: person")])
            page.locator(".grid .tile").nth(1).wait_for()
            assert sorted(result_ids(page)) == sorted([ids["chelsea.png"], ids["motorcycle_left.png"]])

            page.goto("/#/search?q=" + "motorbike%202014-2016%20-person")
            assert_chips(page, [("motorbike", "object: motorcycle"), ("2014 to 2016", "2014-01-01 to 2016-12-31"),
                        ("-person", "without: person")])
            page.locator(".grid-status", has_text="Nothing matches").wait_for()  # PNGs without a date
            assert_no_bad_text(page)
            page.get_by_role("link", name="Remove “2014 to 2016”").click()
            page.locator(".grid .tile").first.wait_for()
            assert result_ids(page) == [ids["motorcycle_left.png"]]
            assert_no_bad_text(page)
            if name == "phone":
                page.locator(".grid .thumb-frame.loaded").first.wait_for()
                page.wait_for_timeout(300)
                screenshot(page, "search-sentence-phone-removed")
            watched.assert_clean()
        finally:
            context.close()
