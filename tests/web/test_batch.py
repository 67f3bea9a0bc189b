"""Batch edit in the pages (issue 15.5): select photos in the gallery, shift their time, undo from the toast;
select search results and add a label. Desktop and phone."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from support import make_jpeg

from .conftest import DESKTOP, PHONE, new_watched_page, screenshot
from .helpers import Api, assert_no_bad_text, sign_in

pytestmark = [pytest.mark.browser]

PASSWORD = "correct horse battery staple"
TIMES = ["2019-06-01T10:00:00", "2019-06-01T11:00:00", "2019-06-01T12:00:00"]
SHOTS = Path("/work/wt/h9-batch-shots")


def shot(page: Any, name: str) -> None:
    path = screenshot(page, name)
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        (SHOTS / path.name).write_bytes(path.read_bytes())


def open_batch_forms(page: Any) -> None:
    """On a phone the batch forms are folded behind their summary (open on a desktop)."""
    box = page.locator("details.batch-actions")
    if not box.evaluate("d => d.open"):
        box.locator("summary").click()


def tile_order(page: Any) -> list[str]:
    return page.locator(".grid .tile").evaluate_all("tiles => tiles.map(t => t.dataset.id)")


@pytest.mark.parametrize(("viewport", "name"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_select_shift_time_and_undo(browser: Any, service: Any, tmp_path: Path, viewport: dict[str, int],
                                    name: str) -> None:
    email = f"batch-{name}-{int(time.time() * 1000)}@example.com"
    api = Api.new_user(service.base_url, email, PASSWORD)
    ids = []
    for i, when in enumerate(TIMES):  # dated by the user (PATCH), so processing keeps these times
        path = tmp_path / f"photo{i}.jpg"
        path.write_bytes(make_jpeg(320, 240, color=(40 + 80 * i, 120, 200 - 60 * i)))
        pid = api.upload(path)["id"]
        api("PATCH", f"/api/photos/{pid}", json={"taken_at": when, "title": f"Photo {i}"})
        ids.append(pid)
    api.wait_processed(ids)
    context, watched = new_watched_page(browser, service, viewport)
    page = watched.page
    try:
        sign_in(page, email)
        page.goto("/#/")
        page.locator(".grid .tile").nth(2).wait_for()
        assert tile_order(page) == ids[::-1]
        page.get_by_role("button", name="Select").click()
        page.locator(f".tile[data-id='{ids[2]}']").click()  # the newest two: a click selects
        page.locator(f".tile-item[data-id='{ids[1]}'] .select-box").check()
        page.locator(".select-count", has_text="2 selected").wait_for()
        assert page.locator("details.batch-actions").evaluate("d => d.open") is (name == "desktop")
        open_batch_forms(page)
        page.get_by_label("Move time").select_option(label="earlier (−)")
        page.get_by_label("Hours").fill("3")
        page.get_by_label("Minutes").fill("30")
        assert_no_bad_text(page)
        shot(page, f"batch-select-{name}")
        page.get_by_role("button", name="Shift time").click()
        toast = page.locator(".undo-toast")
        toast.get_by_text(re.compile(r"^2 photos changed")).wait_for()
        assert [api("GET", f"/api/photos/{pid}")["taken_at"] for pid in ids] == [
            TIMES[0], "2019-06-01T07:30:00", "2019-06-01T08:30:00"]
        page.wait_for_function(f"() => document.querySelector('.grid .tile')?.dataset.id === '{ids[0]}'")
        assert tile_order(page) == [ids[0], ids[2], ids[1]]  # the list follows the shifted times
        assert page.locator(".select-bar").is_hidden()
        assert_no_bad_text(page)
        shot(page, f"batch-toast-{name}")
        toast.get_by_role("button", name="Undo").click()
        toast.get_by_text(re.compile(r"^Undone: 2 photos")).wait_for()
        assert [api("GET", f"/api/photos/{pid}")["taken_at"] for pid in ids] == TIMES
        page.wait_for_function(f"() => document.querySelector('.grid .tile')?.dataset.id === '{ids[2]}'")
        assert tile_order(page) == ids[::-1]
        shot(page, f"batch-undone-{name}")

        # search results: select one and add a label; the toast offers the undo again
        page.goto("/#/search?q=photo")
        page.locator(".grid .tile").nth(2).wait_for()
        page.get_by_role("button", name="Select").click()
        page.locator(f".tile-item[data-id='{ids[0]}'] .select-box").check()
        open_batch_forms(page)
        page.get_by_label("Label to add").fill("Rexy")
        shot(page, f"batch-search-select-{name}")
        page.get_by_role("button", name="Add label").click()
        toast.get_by_text(re.compile(r"^1 photo changed")).wait_for()
        labels = {lbl["name"]: lbl["source"] for lbl in api("GET", f"/api/photos/{ids[0]}")["labels"]}
        assert labels.get("Rexy") == "user"
        assert_no_bad_text(page)
        shot(page, f"batch-search-toast-{name}")
        watched.assert_clean()
    finally:
        context.close()
