"""People in a real browser against the real service and the real face models: the astronaut (scikit-image's
`astronaut()`, once as taken and once mirrored) and, with the corpus, Grace Hopper. "Who is this?" shows the face
crop and takes a name; the People view, a person's page, search by person and the photo's face boxes follow;
a name that looks like markup stays text; "Not this person", "Merge with…" and the face-grouping switch work."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support import PHOTOS

from .conftest import DESKTOP, PHONE, new_watched_page, screenshot
from .helpers import Api

pytestmark = [pytest.mark.browser]

PASSWORD = "correct horse battery staple"
NAME = "Eileen Collins"
PAYLOAD = "<img src=x onerror=alert(1)>"
HOPPER = PHOTOS / "objects" / "hopper.jpg"
IMAGES_LOADED = ("els => els.length > 0 && els.every(i => i.src.startsWith('blob:') && i.complete && i.naturalWidth > 0)")


def _astronauts(tmp: Path) -> list[Path]:
    from PIL import Image, ImageOps
    from skimage import data

    img = Image.fromarray(data.astronaut())
    paths = [tmp / "astronaut.jpg", tmp / "astronaut-mirrored.jpg"]
    for image, path in zip((img, ImageOps.mirror(img)), paths, strict=True):
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=92)
        path.write_bytes(buf.getvalue())
    return paths


class People:
    def __init__(self, service: Any, context: Any, watched: Any, api: Api, ids: dict[str, str]) -> None:
        self.service, self.context, self.watched, self.api, self.ids = service, context, watched, api, ids
        self.page = watched.page

    def go(self, hash_route: str) -> None:
        self.page.goto(f"/{hash_route}")

    def astronaut_person(self) -> dict[str, Any]:
        """The person both astronaut photos are in (from the API, to compare the pages with)."""
        found = {p["id"]: p for photo in (self.ids["astronaut.jpg"], self.ids["astronaut-mirrored.jpg"])
                 for f in self.api("GET", f"/api/photos/{photo}")["faces"] if f["person"]
                 for p in [self.api("GET", f"/api/people/{f['person']['id']}")]}
        assert len(found) == 1, f"both astronaut photos show one person: {found}"
        return next(iter(found.values()))

    def shots(self, name: str) -> None:
        self.page.wait_for_timeout(400)  # thumbnails fade in
        screenshot(self.page, f"{name}-desktop")
        self.page.set_viewport_size(PHONE)
        self.page.wait_for_timeout(300)
        screenshot(self.page, f"{name}-phone")
        self.page.set_viewport_size(DESKTOP)


@pytest.fixture(scope="module")
def people(browser: Any, service: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[People]:
    pytest.importorskip("skimage", reason="scikit-image makes the astronaut photos (make install)")
    files = _astronauts(tmp_path_factory.mktemp("faces"))
    if HOPPER.exists():
        files.append(HOPPER)
    email = f"people-{int(time.time() * 1000)}@example.com"
    api = Api.new_user(service.base_url, email, PASSWORD)
    ids = {path.name: api.upload(path)["id"] for path in files}
    api.wait_processed(list(ids.values()))

    context, watched = new_watched_page(browser, service)
    page = watched.page
    page.goto("/#/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Photos").wait_for()
    yield People(service, context, watched, api, ids)
    context.close()


def test_who_is_this_shows_the_face_and_a_name_finds_both_photos(people: People) -> None:
    page, api = people.page, people.api
    person = people.astronaut_person()
    assert person["photo_count"] == 2 and person["name"] is None
    question = [q for q in api("GET", "/api/questions", params={"limit": 200})["items"]
                if q["kind"] == "people" and q["person_id"] == person["id"]]
    assert len(question) == 1, "one question per unnamed person"

    people.go("#/questions")
    card = page.locator(f".question[data-id='{question[0]['id']}']")
    card.get_by_role("heading", name="Who is this?").wait_for()
    crop = card.locator(".q-face img")
    page.wait_for_function(f"() => {IMAGES_LOADED}([...document.querySelectorAll('.q-people .q-face img')])", timeout=30_000)
    box = crop.bounding_box()
    assert 120 <= box["width"] <= 170 and 120 <= box["height"] <= 170, box
    assert "2 photos" in card.locator(".q-reason").inner_text()
    assert card.get_by_role("button", name="Don’t ask again").is_visible()
    people.shots("questions-people")

    # "Not the same person" lists this person's faces to tick; cancelling leaves the question as it was
    card.get_by_role("button", name="Not the same person").click()
    picks = card.locator(".face-picks input[type=checkbox]")
    picks.nth(1).wait_for()
    assert picks.count() == 2
    page.wait_for_function(f"() => {IMAGES_LOADED}([...document.querySelectorAll('.face-picks img')])", timeout=30_000)
    assert card.get_by_role("button", name="Not the same person").get_attribute("aria-expanded") == "true"
    screenshot(page, "questions-not-same-desktop")
    card.get_by_role("button", name="Cancel").click()
    assert not card.locator(".not-same").is_visible()

    card.get_by_label("Name").fill(NAME)
    card.get_by_role("button", name="Save").click()
    card.wait_for(state="detached")
    assert api("GET", f"/api/people/{person['id']}")["name"] == NAME

    # the People view: the name, 2 photos, the cover crop loaded, most photos first
    page.get_by_role("link", name="People", exact=True).click()
    cards = page.locator(".people-grid .person-card")
    cards.first.wait_for()
    assert cards.count() == (2 if HOPPER.exists() else 1)
    first = cards.first
    assert first.locator(".person-name").inner_text() == NAME
    assert first.locator(".person-count").inner_text() == "2 photos"
    if HOPPER.exists():
        assert cards.nth(1).locator(".person-name").inner_text() == "Unnamed"
    page.wait_for_function(f"() => {IMAGES_LOADED}([...document.querySelectorAll('.person-card img')])", timeout=30_000)
    assert page.get_by_role("switch", name="Group faces into people").is_checked()
    people.shots("people")

    # the person's page: both photos, both faces
    first.click()
    page.locator("h1.person-title", has_text=NAME).wait_for()
    page.locator(".grid .tile").nth(1).wait_for()
    assert page.locator(".grid .tile").count() == 2
    page.locator(".face-strip .face-item").nth(1).wait_for()  # the faces load apart from the photos
    assert page.locator(".face-strip .face-item").count() == 2
    assert page.get_by_role("button", name=re.compile(rf"^Not {NAME}: face 1")).is_visible()
    page.wait_for_function(f"() => {IMAGES_LOADED}([...document.querySelectorAll('.face-strip img, .grid .tile img')])", timeout=30_000)
    people.shots("person")

    # search by person, through the form
    page.get_by_role("link", name="Search", exact=True).click()
    page.get_by_role("heading", name="Search").wait_for()
    field = page.get_by_label("Person", exact=True)
    field.fill(NAME)
    field.press("Enter")
    page.wait_for_url(re.compile(r"person=Eileen"))
    results = page.locator(".grid .tile")
    results.nth(1).wait_for()
    assert results.count() == 2
    assert {results.nth(i).get_attribute("data-id") for i in range(2)} == {
        people.ids["astronaut.jpg"], people.ids["astronaut-mirrored.jpg"]}

    # the photo view: a labelled, dashed face box on her face, and a chip to her page
    people.go(f"#/photo/{people.ids['astronaut.jpg']}")
    face = page.locator(".face-boxes .face-box")
    face.wait_for()
    assert face.count() == 1
    assert face.locator(".box-label").inner_text() == NAME
    assert page.evaluate("() => getComputedStyle(document.querySelector('.face-box')).borderTopStyle") == "dashed"
    page.wait_for_function("() => document.querySelector('.photo-frame img.large').naturalWidth > 0")
    img, fb = page.locator(".photo-frame img.large").bounding_box(), face.bounding_box()
    # her face in the 512x512 photo is around x 160-290, y 60-200
    cx, cy = (fb["x"] - img["x"] + fb["width"] / 2) / img["width"], (fb["y"] - img["y"] + fb["height"] / 2) / img["height"]
    assert 0.3 < cx < 0.57 and 0.1 < cy < 0.4, (cx, cy)
    chip = page.locator(".person-chips a", has_text=NAME)
    assert chip.get_attribute("href") == f"#/person/{person['id']}"
    people.shots("photo-faces")
    page.get_by_label(re.compile(r"Show 1 face box")).uncheck()
    assert not face.is_visible()
    chip.click()
    page.locator("h1.person-title", has_text=NAME).wait_for()
    assert people.watched.dialogs == []
    people.watched.assert_clean()


def test_a_name_that_looks_like_markup_is_shown_as_text(people: People) -> None:
    page = people.page
    person = people.astronaut_person()
    people.go(f"#/person/{person['id']}")
    name = page.get_by_label("Name", exact=True)
    name.wait_for()
    name.fill(PAYLOAD)
    page.get_by_role("button", name="Save name").click()
    page.locator("h1.person-title", has_text="onerror").wait_for()
    assert page.locator("h1.person-title").inner_text() == PAYLOAD
    assert people.api("GET", f"/api/people/{person['id']}")["name"] == PAYLOAD

    people.go("#/people")
    page.locator(".person-name", has_text="onerror").wait_for()
    assert page.locator(".person-name").first.inner_text() == PAYLOAD

    people.go(f"#/photo/{people.ids['astronaut-mirrored.jpg']}")
    label = page.locator(".face-box .box-label")
    label.wait_for()
    assert label.inner_text() == PAYLOAD
    assert page.locator(".person-chips a").first.inner_text() == PAYLOAD

    for path in ("#/people", f"#/person/{person['id']}", f"#/photo/{people.ids['astronaut.jpg']}", "#/questions"):
        people.go(path)
        page.wait_for_timeout(500)
        assert page.locator("img[src='x']").count() == 0
    assert people.watched.dialogs == [], people.watched.dialogs
    people.watched.assert_clean()


def test_not_this_person_then_merge_back_then_turn_grouping_off(people: People) -> None:
    page, api = people.page, people.api
    person = people.astronaut_person()
    people.go(f"#/person/{person['id']}")
    page.locator(".face-strip .face-item").nth(1).wait_for()

    # keyboard: the second face is not this person
    page.get_by_role("button", name=re.compile(r": face 2$")).focus()
    page.keyboard.press("Enter")
    page.locator(".face-strip .face-item").nth(1).wait_for(state="detached")
    page.locator(".person-head .muted", has_text="1 photo").wait_for()
    assert api("GET", f"/api/people/{person['id']}")["photo_count"] == 1
    others = [p for p in api("GET", "/api/people", params={"limit": 200})["items"] if p["id"] != person["id"]]
    split = [p for p in others if p["name"] is None and p["photo_count"] == 1 and p["cover_photo_id"] in (
        people.ids["astronaut.jpg"], people.ids["astronaut-mirrored.jpg"])]
    assert len(split) == 1, others

    # "Merge with…" the face that left: 2 photos again
    select = page.get_by_label("Merge with…")
    page.locator(f".merge-form option[value='{split[0]['id']}']").wait_for(state="attached")
    select.select_option(split[0]["id"])
    page.get_by_role("button", name="Merge", exact=True).click()
    page.locator(".person-head .muted", has_text="2 photos").wait_for()
    assert api("GET", f"/api/people/{person['id']}")["photo_count"] == 2

    # turning face grouping off asks first; dismissed, nothing changes
    people.go("#/people")
    switch = page.get_by_role("switch", name="Group faces into people")
    page.locator(".person-card").first.wait_for()
    switch.click()
    assert people.watched.dialogs[-1].startswith("confirm:") and "deletes all face data" in people.watched.dialogs[-1]
    assert switch.is_checked()
    assert api("GET", "/api/me/settings")["face_grouping"] is True

    people.watched.accept_confirms = 1
    switch.uncheck()
    page.locator(".notice-off").wait_for()
    assert page.locator(".person-card").count() == 0
    assert api("GET", "/api/me/settings")["face_grouping"] is False
    assert api("GET", "/api/people")["items"] == []
    people.go(f"#/photo/{people.ids['astronaut.jpg']}")
    page.locator("h1.photo-title").wait_for()
    assert page.locator(".face-box").count() == 0
    people.go("#/people")
    page.locator(".notice-off").wait_for()
    assert not page.get_by_role("switch", name="Group faces into people").is_checked()
    people.watched.assert_clean()
