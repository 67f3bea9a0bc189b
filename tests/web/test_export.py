"""Export from the pages: the album page's "Export album" and the account menu's "Export all" download a zip
(a real Playwright download) holding the originals byte for byte with their sidecars; screenshots at desktop
and phone size."""

from __future__ import annotations

import io
import json
import time
import zipfile
from typing import Any

import pytest

from support import make_jpeg

from .conftest import DESKTOP, PHONE, new_watched_page, screenshot
from .helpers import Api, account_menu, sign_in

pytestmark = [pytest.mark.browser]

PASSWORD = "correct horse battery staple"


def test_export_buttons_download_zips(browser: Any, service: Any) -> None:
    email = f"export-{int(time.time() * 1000)}@example.com"
    api = Api.new_user(service.base_url, email, PASSWORD)
    beach, hills = make_jpeg(320, 240, color=(200, 170, 90)), make_jpeg(240, 320, color=(60, 140, 60))
    ids = [api("POST", "/api/photos", files={"file": (name, io.BytesIO(data))})["id"]
           for name, data in (("beach.jpg", beach), ("hills.jpg", hills))]
    album = api("POST", "/api/albums", json={"name": "Summer <b>2024</b>"})
    api("POST", f"/api/albums/{album['id']}/photos", json={"photo_ids": [ids[0]]})
    api("PATCH", f"/api/photos/{ids[0]}", json={"title": "Beach", "rating": 4})

    for viewport, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        context, watched = new_watched_page(browser, service, viewport)
        page = watched.page
        try:
            sign_in(page, email)
            page.goto(f"/#/album/{album['id']}")
            page.get_by_role("heading", name="Summer <b>2024</b>").wait_for()  # user text shown as text
            button = page.get_by_role("button", name="Export album")
            button.wait_for()
            screenshot(page, f"export-album-{label}")
            with page.expect_download() as info:
                button.click()
            download = info.value
            assert download.suggested_filename.startswith("cloudalbum-album-")
            zf = zipfile.ZipFile(download.path())
            assert sorted(zf.namelist()) == ["Summer _b_2024__b_/beach.jpg", "Summer _b_2024__b_/beach.jpg.json",
                                             "Summer _b_2024__b_/metadata.json"]
            assert zf.read("Summer _b_2024__b_/beach.jpg") == beach
            assert json.loads(zf.read("Summer _b_2024__b_/beach.jpg.json"))["title"] == "Beach"

            account_menu(page)
            everything = page.get_by_role("button", name="Export all")
            everything.wait_for()
            screenshot(page, f"export-account-{label}")
            with page.expect_download() as info:
                everything.click()
            names = zipfile.ZipFile(info.value.path()).namelist()
            assert {"Photos without a date/beach.jpg", "Photos without a date/hills.jpg",
                    "Summer _b_2024__b_/beach.jpg"} <= set(names)
            watched.assert_clean()
        finally:
            context.close()
