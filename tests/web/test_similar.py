"""One answer for a burst of photos: the event question of three photos taken within minutes of each other in
Arezzo offers to apply the answer to the similar photos, and then all of them are findable by it."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from support import needs_corpus

from .conftest import new_watched_page
from .helpers import Api

pytestmark = [pytest.mark.browser, pytest.mark.corpus]

PASSWORD = "correct horse battery staple"
TRIP = ["gps/DSCN0010.jpg", "gps/DSCN0029.jpg", "gps/DSCN0042.jpg"]


def test_answer_applied_to_similar_photos_and_keyboard_use(browser: Any, service: Any) -> None:
    photos = needs_corpus()
    email = f"trip-{int(time.time() * 1000)}@example.com"
    api = Api.new_user(service.base_url, email, PASSWORD)
    ids = [api.upload(photos / p)["id"] for p in TRIP]
    api.wait_processed(ids)
    events = [q for q in api("GET", "/api/questions", params={"limit": 200})["items"]
              if q["kind"] == "event" and q["related_photo_ids"]]
    assert events, "three photos within minutes and metres of each other get an event question"
    question = events[0]

    context, watched = new_watched_page(browser, service)
    page = watched.page
    try:
        # keyboard only: sign in, reach a tile, open it
        page.goto("/#/login")
        page.get_by_label("Email").focus()
        page.keyboard.type(email)
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.locator(".grid .tile").nth(2).wait_for()
        page.locator(".grid .tile").first.focus()
        outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none", "a focused tile shows where the focus is"
        page.keyboard.press("Enter")  # the viewer; its details hold the link to the photo page
        page.locator(".app-viewer").wait_for()
        for _ in range(8):
            page.keyboard.press("Tab")
            if page.evaluate("() => document.activeElement.textContent") == "Open photo page":
                break
        page.keyboard.press("Enter")
        page.locator("h1.photo-title").wait_for()

        page.goto("/#/questions")
        card = page.locator(f".question[data-id='{question['id']}']")
        card.wait_for()
        n = len(question["related_photo_ids"])
        apply = card.get_by_label(re.compile(rf"Apply to these {n} similar photos" if n > 1 else "Apply to this similar photo"))
        assert apply.is_checked()
        assert card.locator(".related-strip img").count() == min(n, 8)
        card.locator("input[name=answer]").fill("Tuscany trip")
        card.locator("input[name=answer]").press("Enter")
        card.wait_for(state="detached")

        found = api("GET", "/api/search", params={"q": "Tuscany"})["items"]
        assert {p["id"] for p in found} >= {question["photo_id"], *question["related_photo_ids"]}
        open_now = api("GET", "/api/questions", params={"limit": 200})["items"]
        assert not [q for q in open_now if q["kind"] == "event"], "the burst's other event questions are closed too"
        watched.assert_clean()
    finally:
        context.close()
