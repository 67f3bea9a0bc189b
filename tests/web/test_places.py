"""Inferred places in a real browser (issue 16 item 2): a photo without GPS between two located ones far apart
gets "Taken in …?" on the Questions page, with the place, the reason and how sure; one click on "yes" places it
(and the similar photo beside it). A photo between two close ones is placed by itself, and its page says the
place was estimated. Screenshots at desktop and phone sizes; no "null", "undefined" or "NaN" on screen."""

from __future__ import annotations

import io
import time
from typing import Any

import pytest

from places.journey import photo

from .conftest import DESKTOP, PHONE, new_watched_page, screenshot
from .helpers import Api, assert_no_bad_text, sign_in

pytestmark = [pytest.mark.browser]

PASSWORD = "correct horse battery staple"
AREZZO, AREZZO_EAST, SUBBIANO = (43.4632, 11.8796), (43.4650, 11.8830), (43.5760, 11.8710)


def suggestion_of(api: Api, photo_id: str, timeout_s: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        qs = [q for q in api("GET", f"/api/questions?photo_id={photo_id}")["items"] if q["kind"] == "location"]
        if qs and qs[0]["suggestion"]:
            return dict(qs[0])
        assert time.monotonic() < deadline, f"no suggestion on {photo_id}: {qs}"
        time.sleep(0.5)


def show(page: Any, card: Any) -> None:
    """The card in view with its thumbnails loaded (they come through authenticated fetches)."""
    card.scroll_into_view_if_needed()
    page.wait_for_function("(el) => [...el.querySelectorAll('img')].every((i) => i.complete && i.naturalWidth > 0)",
                           arg=card.element_handle())


def test_the_suggestion_is_answered_with_one_click(browser: Any, service: Any) -> None:
    email = f"places-{int(time.time() * 1000)}@example.com"
    api = Api.new_user(service.base_url, email, PASSWORD)
    # the located photos get Italy's offset from the zone at their position; the camera's others need the
    # account's zone to be read in the same one (issue 16 item 1, docs/time.md)
    api("PATCH", "/api/me/settings", json={"timezone": "Europe/Rome"})

    def put(name: str, taken: str, at: tuple[float, float] | None = None) -> str:
        body = api("POST", "/api/photos", files={"file": (name, io.BytesIO(photo(taken, at)))})
        return str(body["id"])

    anchors = [put("arezzo.jpg", "2013:04:11 12:00:00", AREZZO), put("arezzo-east.jpg", "2013:04:11 12:02:00", AREZZO_EAST),
               put("subbiano.jpg", "2013:04:11 12:40:00", SUBBIANO)]
    placed = put("between-close.jpg", "2013:04:11 12:01:00")
    first = put("on-the-way.jpg", "2013:04:11 12:20:00")
    second = put("on-the-way-2.jpg", "2013:04:11 12:21:00")
    api.wait_processed([*anchors, placed, first, second])
    suggestion_of(api, first)
    q = suggestion_of(api, second)
    assert first in q["related_photo_ids"]  # taken a minute before, no place either: the same answer fits
    assert api("GET", f"/api/photos/{placed}")["location"]["source"] == "inferred"

    context, watched = new_watched_page(browser, service, DESKTOP)
    page = watched.page
    try:
        sign_in(page, email)
        page.goto("/#/questions")
        card = page.locator(f"li.question[data-id='{q['id']}']")
        card.wait_for()
        assert card.locator("h2").inner_text().startswith("Taken in ")
        note = card.locator(".q-suggestion").inner_text()
        assert "Italy" in note and "% sure" in note and "minutes" in note
        show(page, card)
        assert_no_bad_text(page)
        screenshot(page, "places-suggestion-desktop")

        page.goto(f"/#/photo/{placed}")
        page.get_by_text("estimated from your photos taken before and after").wait_for()
        assert_no_bad_text(page)
        screenshot(page, "places-inferred-photo-desktop")
        watched.assert_clean()
    finally:
        context.close()

    context, watched = new_watched_page(browser, service, PHONE)
    page = watched.page
    try:
        sign_in(page, email)
        page.goto("/#/questions")
        card = page.locator(f"li.question[data-id='{q['id']}']")
        show(page, card)
        assert_no_bad_text(page)
        screenshot(page, "places-suggestion-phone")
        card.get_by_role("button", name="yes", exact=True).click()  # one click (applied to the photo beside it)
        card.wait_for(state="detached")
        watched.assert_clean()
    finally:
        context.close()
    for pid in (first, second):
        loc = api("GET", f"/api/photos/{pid}")["location"]
        assert (loc["source"], loc["lat"], loc["lon"]) == ("user", q["suggestion"]["lat"], q["suggestion"]["lon"])
