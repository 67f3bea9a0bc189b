"""The gallery's timeline in a real browser (issue 16): month and day headings (local day of taken_at, undated
last), the scrubber (a list of years and months on a desktop, a month picker on a phone) jumping to a month,
and thumbnails fetched by versioned URLs that a reload takes from the browser's cache."""

from __future__ import annotations

import io
import time
from typing import Any

import pytest

from support import make_jpeg

from .conftest import PHONE, new_watched_page, screenshot
from .helpers import Api, assert_no_bad_text

pytestmark = [pytest.mark.browser]

PASSWORD = "correct horse battery staple"
TAKEN = ["2019-02-28T18:00:00-05:00", "2019-02-03T09:00:00", "2014-09-30T23:30:00+02:00", "2014-09-30T08:00:00",
         "2014-09-02T12:00:00", "2003-12-31T23:59:00", None, None]
COLORS = [(200, 40, 40), (40, 160, 60), (40, 80, 200), (220, 180, 40), (150, 60, 170), (30, 160, 160),
          (120, 120, 120), (240, 120, 20)]


def library(service: Any) -> tuple[str, Api, list[str]]:
    email = f"timeline-{int(time.time() * 1000)}@example.com"
    api = Api.new_user(service.base_url, email, PASSWORD)
    ids = []
    for i, (taken, color) in enumerate(zip(TAKEN, COLORS, strict=True)):
        body = api("POST", "/api/photos", files={"file": (f"t{i}.jpg", io.BytesIO(make_jpeg(320, 240, color=color)))})
        ids.append(body["id"])
        if taken:
            api("PATCH", f"/api/photos/{body['id']}", json={"taken_at": taken})
    api.wait_processed(ids)
    return email, api, ids


def sign_in(page: Any, email: str) -> None:
    page.goto("/#/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def headings(page: Any, kind: str) -> list[str]:
    return page.locator(f".grid .{kind}-heading").all_inner_texts()


def settled(page: Any, photos: int) -> None:
    """The grid shows `photos` tiles (scrolled down to load every page) and has finished loading; back at the
    top."""
    page.wait_for_function("n => { window.scrollTo(0, document.body.scrollHeight);"
                           " return document.querySelectorAll('.grid .tile').length === n; }", arg=photos)
    page.wait_for_function("() => !document.querySelector('.grid-status') ||"
                           " document.querySelector('.grid-status').textContent === ''")
    page.evaluate("() => window.scrollTo(0, 0)")


def test_headings_scrubber_jump_and_cached_thumbnails(browser: Any, service: Any) -> None:
    email, api, ids = library(service)
    assert api("GET", "/api/timeline") == {"buckets": [{"month": "2019-02", "count": 2},
                                                       {"month": "2014-09", "count": 3},
                                                       {"month": "2003-12", "count": 1}], "undated": 2}
    context, watched = new_watched_page(browser, service)
    page = watched.page
    try:
        sign_in(page, email)
        settled(page, 8)
        assert headings(page, "month") == ["February 2019", "September 2014", "December 2003", "Date unknown"]
        assert headings(page, "day") == ["Thursday 28 February", "Sunday 3 February", "Tuesday 30 September",
                                         "Tuesday 2 September", "Wednesday 31 December"]
        page.wait_for_function("() => [...document.querySelectorAll('.grid .thumb-frame')].every("
                               "f => f.classList.contains('loaded'))")
        scrub = page.get_by_role("navigation", name="Timeline")
        assert scrub.is_visible() and scrub.locator(".scrub-year-button").all_inner_texts() == \
            ["2019", "2014", "2003", "Undated"]
        assert_no_bad_text(page)
        screenshot(page, "timeline-desktop")

        # thumbnails come by versioned URLs, and a reload takes them from the browser's cache
        thumbs = page.evaluate("() => performance.getEntriesByType('resource')"
                               ".filter(e => e.name.includes('/thumbnail')).map(e => e.name)")
        assert thumbs and all("&v=" in t for t in thumbs), thumbs
        page.reload()
        settled(page, 8)
        page.wait_for_function("() => [...document.querySelectorAll('.grid .thumb-frame')].every("
                               "f => f.classList.contains('loaded'))")
        sizes = page.evaluate("() => performance.getEntriesByType('resource')"
                              ".filter(e => e.name.includes('/thumbnail')).map(e => e.transferSize)")
        assert sizes and all(s == 0 for s in sizes), f"thumbnails fetched again after a reload: {sizes}"

        # jump to September 2014: that month first, then older, then the undated photos
        scrub.get_by_role("button", name="Sep").click()
        page.wait_for_function("() => document.querySelector('.grid .month-heading') &&"
                               " document.querySelector('.grid .month-heading').textContent === 'September 2014'")
        settled(page, 6)
        assert headings(page, "month") == ["September 2014", "December 2003", "Date unknown"]
        assert scrub.locator(".scrub-month[aria-current=true]").inner_text() == "Sep"
        screenshot(page, "timeline-desktop-jumped")
        scrub.get_by_role("button", name="Undated").click()
        settled(page, 2)
        assert headings(page, "month") == ["Date unknown"] and headings(page, "day") == []
        watched.assert_clean()
    finally:
        context.close()

    context, watched = new_watched_page(browser, service, PHONE)
    page = watched.page
    try:
        sign_in(page, email)
        settled(page, 8)
        assert not page.get_by_role("navigation", name="Timeline").is_visible()
        picker = page.get_by_label("Jump to a month")
        assert picker.is_visible()
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px phone"
        screenshot(page, "timeline-phone")
        picker.select_option("2003-12")
        settled(page, 3)
        assert headings(page, "month") == ["December 2003", "Date unknown"]
        assert_no_bad_text(page)
        screenshot(page, "timeline-phone-jumped")
        watched.assert_clean()
    finally:
        context.close()


def test_on_this_day_above_the_gallery(browser: Any, service: Any) -> None:
    from datetime import date

    today = date.today()
    day = today.replace(year=today.year - 3) if (today.month, today.day) != (2, 29) else date(today.year - 4, 2, 29)
    email = f"memories-{int(time.time() * 1000)}@example.com"
    api = Api.new_user(service.base_url, email, PASSWORD)
    ids = []
    for i, taken in enumerate([f"{day.isoformat()}T10:00:00", "2001-01-15T10:00:00"]):
        body = api("POST", "/api/photos", files={"file": (f"m{i}.jpg", io.BytesIO(make_jpeg(320, 240, color=COLORS[i])))})
        api("PATCH", f"/api/photos/{body['id']}", json={"taken_at": taken})
        ids.append(body["id"])
    api.wait_processed(ids)
    for viewport, name in ((None, "memories-desktop"), (PHONE, "memories-phone")):
        context, watched = new_watched_page(browser, service, *((viewport,) if viewport else ()))
        page = watched.page
        try:
            sign_in(page, email)
            section = page.get_by_role("region", name="On this day")
            section.wait_for()
            years_ago = today.year - day.year
            assert section.locator("h3").all_inner_texts() == [
                f"{years_ago} years ago · {day.day} {day.strftime('%B')} {day.year}"]
            assert section.locator("a.memory-photo").count() == 1
            assert section.locator("a.memory-photo").get_attribute("href") == f"#/photo/{ids[0]}"
            page.wait_for_function("() => !!document.querySelector('.memories img').getAttribute('src')")
            settled(page, 2)
            assert_no_bad_text(page)
            screenshot(page, name)
            watched.assert_clean()
        finally:
            context.close()
