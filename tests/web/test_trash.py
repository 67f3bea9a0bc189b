"""The Trash page in a real browser: the photo page's "Move to trash" sends a photo there, the Trash (from the
navigation) lists what was deleted with a Restore per photo, and "Empty trash" asks first and then deletes for
good. Screenshots at desktop and phone sizes (also copied to /work/wt/h8-trash-shots/ when that exists)."""

from __future__ import annotations

import io
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from support import make_jpeg

from .conftest import DESKTOP, PHONE, new_watched_page, screenshot
from .helpers import Api, account_menu, assert_no_bad_text

pytestmark = [pytest.mark.browser]

PASSWORD = "correct horse battery staple"
SHOTS = Path("/work/wt/h8-trash-shots")


def shot(page: Any, name: str) -> None:
    path = screenshot(page, name)
    if SHOTS.is_dir():
        shutil.copy(path, SHOTS / path.name)


def sign_in(page: Any, email: str) -> None:
    page.goto("/#/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Photos").wait_for()


def test_move_to_trash_restore_and_empty(browser: Any, service: Any) -> None:
    email = f"trash-{int(time.time() * 1000)}@example.com"
    api = Api.new_user(service.base_url, email, PASSWORD)
    ids = []
    for i, name in enumerate(("beach.jpg", "a-very-long-name-of-a-photo-taken-on-a-sunny-day-at-the-beach.jpg",
                              "dinner.jpg")):
        body = api("POST", "/api/photos", files={"file": (name, io.BytesIO(make_jpeg(320, 240, color=(i * 80, 90, 40))))})
        ids.append(body["id"])
    context, watched = new_watched_page(browser, service, DESKTOP)
    page = watched.page
    try:
        sign_in(page, email)
        page.goto(f"/#/photo/{ids[0]}")
        move = page.get_by_role("button", name="Move to trash")
        move.click()  # the confirm is dismissed: the photo stays
        assert api("GET", f"/api/photos/{ids[0]}")["id"] == ids[0]
        watched.accept_confirms = 1
        move.click()
        page.get_by_role("heading", name="Photos").wait_for()
        assert any("trash" in d for d in watched.dialogs)
        time.sleep(1.1)  # trash times are to the second
        api("DELETE", f"/api/photos/{ids[1]}")

        account_menu(page)
        page.get_by_role("link", name="Trash").click()
        page.get_by_role("heading", name="Trash").wait_for()
        rows = page.locator(".trash-list li")
        rows.nth(1).wait_for()
        assert rows.count() == 2
        assert rows.first.get_attribute("data-id") == ids[1]  # newest deleted first
        assert "deleted" in rows.first.inner_text()
        page.get_by_role("status").filter(has_text="2 photos in the trash").wait_for()
        assert_no_bad_text(page)
        shot(page, "trash-desktop")

        page.locator(f".trash-list li[data-id='{ids[0]}']").get_by_role("button", name="Restore").click()
        page.locator(f".trash-list li[data-id='{ids[0]}']").wait_for(state="detached")
        assert api("GET", f"/api/photos/{ids[0]}")["trashed_at"] is None
        assert [p["id"] for p in api("GET", "/api/trash")["items"]] == [ids[1]]

        context.close()
        context, watched = new_watched_page(browser, service, PHONE)
        page = watched.page
        sign_in(page, email)
        page.goto("/#/trash")
        page.locator(".trash-list li").first.wait_for()
        shot(page, "trash-phone")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # nothing overflows
        assert_no_bad_text(page)

        empty = page.get_by_role("button", name="Empty trash")
        empty.click()  # dismissed: nothing goes
        assert len(api("GET", "/api/trash")["items"]) == 1
        watched.accept_confirms = 1
        empty.click()
        page.locator(".grid-status", has_text="The trash is empty").wait_for()
        assert api("GET", "/api/trash")["items"] == []
        assert {p["id"] for p in api.photos()} == {ids[0], ids[2]}
        assert any("cannot be undone" in d for d in watched.dialogs)
        assert page.get_by_role("button", name="Empty trash").is_disabled()
        shot(page, "trash-empty-phone")
        watched.assert_clean()
    finally:
        context.close()
