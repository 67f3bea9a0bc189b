"""The photo page shows the text read in the photo (issue 17): the lines beside the photo, a line's box over
the image while the pointer (or the keyboard focus) is on it, every box with a checkbox. A photo painted with
two phrases, uploaded and processed by the served worker, read by its read_text job; desktop and phone."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from ocr.conftest import needs_fonts
from ocr.painted import paint

from .conftest import DESKTOP, PHONE, new_watched_page, screenshot
from .helpers import Api, assert_no_bad_text, sign_in

pytestmark = [pytest.mark.browser]

PASSWORD = "correct horse battery staple"
PHRASES = ["HOTEL CENTRAL", "Notruf 112"]


def wait_for_text(api: Api, pid: str, timeout_s: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        photo = api("GET", f"/api/photos/{pid}")
        if photo["text"] is not None:
            return photo
        assert time.monotonic() < deadline, f"the photo's text was not read within {timeout_s}s"
        time.sleep(0.5)


def visible_boxes(page: Any) -> int:
    return page.locator(".text-boxes .text-box").evaluate_all(
        "els => els.filter(e => getComputedStyle(e).display !== 'none').length")


def test_the_photo_page_shows_its_text_and_boxes(browser: Any, service: Any, tmp_path: Path) -> None:
    needs_fonts()
    path = tmp_path / "hotel-sign.jpg"
    paint("coffee", size=64, angle=0, style="sign", phrases=PHRASES).image.save(path, "JPEG", quality=92)
    email = f"text-{int(time.time() * 1000)}@example.com"
    api = Api.new_user(service.base_url, email, PASSWORD)
    pid = api.upload(path)["id"]
    api.wait_processed([pid])
    photo = wait_for_text(api, pid)
    lines = [line["text"] for line in photo["text"]["lines"]]
    assert any("HOTEL" in t.upper() for t in lines) and any("NOTRUF" in t.upper() for t in lines), lines

    for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        context, watched = new_watched_page(browser, service, viewport)
        page = watched.page
        try:
            sign_in(page, email)
            page.goto(f"/#/photo/{pid}")
            section = page.locator(".text-section")
            section.wait_for()
            assert section.locator(".text-line").all_inner_texts() == lines
            assert page.locator(".text-boxes .text-box").count() == len(lines)
            assert visible_boxes(page) == 0, "text boxes are hidden until asked for"
            page.locator(".photo-frame img.large").wait_for()
            page.wait_for_function("() => document.querySelector('.photo-frame img.large').complete")

            first = section.locator(".text-line").first
            if name == "desktop":
                first.hover()
            else:
                first.focus()  # a phone has no hover: the focus (a tap) shows it
            page.wait_for_function("() => document.querySelector('.text-box.hot')")
            assert visible_boxes(page) == 1
            hot = page.locator(".text-box.hot").bounding_box()
            frame = page.locator(".photo-frame").bounding_box()
            assert hot and frame and hot["width"] > 0 and hot["height"] > 0
            assert frame["x"] <= hot["x"] and hot["x"] + hot["width"] <= frame["x"] + frame["width"] + 1
            screenshot(page, f"photo-text-hover-{name}")

            page.mouse.move(0, 0)
            first.blur()
            section.get_by_label(f"Show {len(lines)} text box").check()
            assert visible_boxes(page) == len(lines)
            page.locator(".photo-frame").scroll_into_view_if_needed()
            screenshot(page, f"photo-text-boxes-{name}")
            section.scroll_into_view_if_needed()
            screenshot(page, f"photo-text-section-{name}")
            overflow = page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")
            assert not overflow, "the page is wider than the screen"
            assert_no_bad_text(page)
            watched.assert_clean()
        finally:
            context.close()


def test_a_photo_that_becomes_final_while_shown_gets_its_text_when_read(browser: Any, service: Any,
                                                                          tmp_path: Path) -> None:
    """The text comes after the photo is final (its own job): the page, having seen the photo processing, keeps
    looking for it a little while. The API's first answers are rewritten (processing, then done without text)
    to make the order certain."""
    import json

    needs_fonts()
    path = tmp_path / "notruf.jpg"
    paint("coffee", size=64, angle=0, style="sign", phrases=PHRASES).image.save(path, "JPEG", quality=92)
    email = f"text-late-{int(time.time() * 1000)}@example.com"
    api = Api.new_user(service.base_url, email, PASSWORD)
    pid = api.upload(path)["id"]
    api.wait_processed([pid])
    wait_for_text(api, pid)
    answers = [{"status": "processing", "text": None}, {"text": None}]

    def rewrite(route: Any) -> None:
        response = route.fetch()
        body = response.json()
        if answers:
            body.update(answers.pop(0))
        route.fulfill(response=response, body=json.dumps(body))

    context, watched = new_watched_page(browser, service)
    page = watched.page
    try:
        sign_in(page, email)
        page.route(f"**/api/photos/{pid}", rewrite)
        page.goto(f"/#/photo/{pid}")
        page.locator(".photo-head .badge", has_text="Processing").wait_for()
        page.locator(".text-section .text-line").first.wait_for(timeout=30_000)
        assert not answers, "the page asked again after the photo was final"
        assert_no_bad_text(page)
        watched.assert_clean()
    finally:
        context.close()
