"""Sharing in a real browser (issue 18): the owner makes a link from an album's page and revokes it from the
list; an anonymous visitor on a phone opens it (gallery, full-screen viewer) and the page asks nothing of any
other host; a password-protected link asks for its password; "Shared with me" lists another user's album.
Screenshots at desktop and phone sizes in artifacts/screenshots/share-*.png."""

from __future__ import annotations

import io
import time
from typing import Any
from urllib.parse import urlsplit

import pytest

from support import gps_exif, make_jpeg

from .conftest import DESKTOP, PHONE, new_watched_page, screenshot
from .helpers import Api, open_photo_page

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple"
BAD_TEXT = ("null", "undefined", "NaN", "[object Object]")


def sign_in(page: Any, email: str) -> None:
    page.goto("/#/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#nav").wait_for()


def assert_readable(page: Any) -> None:
    text = page.locator("body").inner_text()
    for bad in BAD_TEXT:
        assert bad not in text, f"{bad!r} shown on {page.url}"


@pytest.fixture(scope="module")
def owner(service: Any) -> dict[str, Any]:
    email = f"sharer-{int(time.time() * 1000)}@example.com"
    api = Api.new_user(service.base_url, email, PASSWORD)
    ids = []
    for i, color in enumerate(((200, 80, 60), (60, 140, 200), (90, 180, 90))):
        data = make_jpeg(480, 320, color=color, exif=gps_exif(48.8584, 2.2945, taken=f"2024:05:0{i + 1} 10:00:00"))
        ids.append(api("POST", "/api/photos", files={"file": (f"p{i}.jpg", io.BytesIO(data))})["id"])
    api.wait_processed(ids)
    album = api("POST", "/api/albums", json={"name": "Summer in Paris"})
    api("POST", f"/api/albums/{album['id']}/photos", json={"photo_ids": ids[:2]})
    return {"email": email, "api": api, "ids": ids, "album_id": album["id"]}


def test_owner_shares_an_album_and_a_phone_visitor_opens_it(browser: Any, service: Any, owner: dict[str, Any]) -> None:
    context, watched = new_watched_page(browser, service)
    page = watched.page
    sign_in(page, owner["email"])
    page.goto(f"/#/album/{owner['album_id']}")
    page.get_by_role("button", name="Share…").click()
    dialog = page.get_by_role("dialog")
    assert dialog.get_by_label("Allow downloading the photos").is_checked()
    assert not dialog.get_by_label("Show the place (city and country, never the exact spot)").is_checked()
    dialog.get_by_role("button", name="Create link").click()
    link = dialog.get_by_label("Share link").input_value()
    assert urlsplit(link).path.startswith("/s/") and len(urlsplit(link).path) > 40
    screenshot(page, "share-dialog-desktop")
    assert_readable(page)
    dialog.get_by_role("button", name="Close").click()
    page.goto(f"/#/photo/{owner['ids'][0]}")  # the photo page offers Share… too
    page.get_by_role("button", name="Share…").click()
    page.get_by_role("dialog").get_by_role("heading", name="Share this photo").wait_for()
    assert_readable(page)
    page.get_by_role("dialog").get_by_role("button", name="Close").click()
    watched.assert_clean()

    visitor, seen = new_watched_page(browser, service, PHONE)
    hosts: set[str] = set()
    seen.page.on("request", lambda r: hosts.add(urlsplit(r.url).netloc) if r.url.startswith("http") else None)
    phone = seen.page
    phone.goto(urlsplit(link).path)
    phone.get_by_role("heading", name="Summer in Paris").wait_for()
    phone.locator(".share-tile img[src^='blob:']").nth(1).wait_for()
    assert phone.locator(".share-tile").count() == 2
    screenshot(phone, "share-gallery-phone")
    assert_readable(phone)
    phone.locator(".share-tile").first.click()
    phone.locator(".viewer-image[src^='blob:']").wait_for()
    assert "1 / 2" in phone.locator(".viewer-caption").inner_text()
    screenshot(phone, "share-viewer-phone")
    phone.get_by_role("button", name="Next photo").click()
    phone.locator(".viewer-caption", has_text="2 / 2").wait_for()
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Download").click()
    data = open(download.value.path(), "rb").read()
    from PIL import Image

    assert not Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825), "the download carries GPS"
    assert hosts == {urlsplit(service.base_url).netloc}, hosts
    seen.assert_clean()

    # revoke from the list: the visitor's next visit finds nothing
    page.goto("/#/shares")
    page.locator(".share-list li").first.wait_for()
    screenshot(page, "share-list-desktop")
    assert_readable(page)
    watched.accept_confirms = 1
    page.get_by_role("button", name="Revoke").first.click()
    page.get_by_text("You have not shared anything by link.").wait_for()
    phone.goto(urlsplit(link).path)
    phone.get_by_role("heading", name="This link does not work").wait_for()
    screenshot(phone, "share-revoked-phone")
    watched.assert_clean()
    seen.assert_clean()
    context.close()
    visitor.close()


def test_a_password_link_asks_for_its_password(browser: Any, service: Any, owner: dict[str, Any]) -> None:
    share = owner["api"]("POST", "/api/shares", json={"photo_ids": owner["ids"], "password": "open sesame",
                                                       "show_location": True})
    context, watched = new_watched_page(browser, service, DESKTOP)
    page = watched.page
    page.goto(share["url"])
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Open").click()
    page.get_by_text("That password is not right.").wait_for()
    page.get_by_label("Password").fill("open sesame")
    page.get_by_role("button", name="Open").click()
    page.get_by_role("heading", name="3 photos").wait_for()
    page.locator(".share-tile img[src^='blob:']").nth(2).wait_for()
    screenshot(page, "share-gallery-desktop")
    assert_readable(page)
    watched.assert_clean()
    context.close()


def test_shared_with_me_lists_the_album_of_another_user(browser: Any, service: Any, owner: dict[str, Any]) -> None:
    email = f"family-{int(time.time() * 1000)}@example.com"
    Api.new_user(service.base_url, email, PASSWORD)
    owner["api"]("POST", f"/api/albums/{owner['album_id']}/members", json={"email": email, "role": "viewer"})
    context, watched = new_watched_page(browser, service, PHONE)
    page = watched.page
    sign_in(page, email)
    page.goto("/#/shared")
    page.get_by_text("Summer in Paris").wait_for()
    page.get_by_text(f"from {owner['email']}").wait_for()
    screenshot(page, "share-shared-with-me-phone")
    assert_readable(page)
    page.get_by_text("Summer in Paris").click()
    page.locator("img[src^='blob:']").first.wait_for()
    assert page.get_by_text("Rename or delete").count() == 0 and page.get_by_text("Remove from album").count() == 0
    screenshot(page, "share-member-album-phone")
    assert_readable(page)
    open_photo_page(page, page.locator(".tile").first)  # the photo opens read only: download, no edit, delete or share
    page.get_by_role("button", name="Download original").wait_for()
    for name in ("Move to trash", "Reprocess", "Share…"):
        assert page.get_by_role("button", name=name).count() == 0, name
    page.locator(".photo-main img[src^='blob:']").first.wait_for()
    screenshot(page, "share-member-photo-phone")
    assert_readable(page)
    watched.assert_clean()
    context.close()


def test_a_selection_is_shared_from_the_gallery(browser: Any, service: Any, owner: dict[str, Any]) -> None:
    context, watched = new_watched_page(browser, service, PHONE)
    page = watched.page
    sign_in(page, owner["email"])
    page.goto("/#/")
    page.get_by_role("button", name="Select").click()
    boxes = page.locator(".select-box")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_role("button", name="Share…").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("heading", name="Share 2 photos").wait_for()
    dialog.get_by_label("Show the place (city and country, never the exact spot)").check()
    dialog.get_by_role("button", name="Create link").click()
    link = urlsplit(dialog.get_by_label("Share link").input_value()).path
    screenshot(page, "share-selection-dialog-phone")
    assert_readable(page)
    shared = owner["api"]("GET", "/api/shares")["items"]
    made = [s for s in shared if s["url"] == link]
    assert made and len(made[0]["photo_ids"]) == 2 and made[0]["show_location"] is True
    watched.assert_clean()
    context.close()


def test_names_in_a_share_are_text_never_markup(browser: Any, service: Any, owner: dict[str, Any]) -> None:
    name = '<img src=x onerror="document.title=1">Trip & <b>friends</b>'
    album = owner["api"]("POST", "/api/albums", json={"name": name})
    owner["api"]("POST", f"/api/albums/{album['id']}/photos", json={"photo_ids": owner["ids"][:1]})
    link = owner["api"]("POST", "/api/shares", json={"album_id": album["id"]})["url"]
    context, watched = new_watched_page(browser, service, PHONE)
    page = watched.page
    page.goto(link)
    page.locator("h1").wait_for()
    assert page.locator("h1").inner_text() == name
    assert page.locator("img[src='x']").count() == 0 and page.locator("main b").count() == 0
    assert not watched.dialogs
    watched.assert_clean()
    context.close()
