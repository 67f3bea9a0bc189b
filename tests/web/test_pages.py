"""The web pages in a real browser against the real embedded service: sign up, upload real photos, watch them
get processed, look at one with its boxes, search, albums, questions, the map; screenshots at two sizes."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from support import make_jpeg, needs_corpus

from .conftest import ACCESS_TTL_S, DESKTOP, PHONE, new_watched_page, screenshot
from .helpers import PROCESS_TIMEOUT_S, Api, account_menu, assert_no_bad_text, open_photo_page, page_tokens

pytestmark = [pytest.mark.browser, pytest.mark.corpus]

BUS, PARIS, CHELSEA = "bus.jpg", "FujiFilm FinePixS2Pro.jpg", "chelsea.png"
UPLOADS = ["objects/bus.jpg", "gps/FujiFilm FinePixS2Pro.jpg", "objects/chelsea.png"]
PASSWORD = "correct horse battery staple"
NOT_FINAL = "[data-status=uploaded], [data-status=processing]"


class Album:
    """The state one signed-in user builds up through the pages (module-scoped: one sign-up, one upload)."""

    def __init__(self, service: Any, context: Any, watched: Any, email: str) -> None:
        self.service, self.context, self.watched, self.email = service, context, watched, email
        self.page = watched.page
        self.ids: dict[str, str] = {}

    @property
    def api(self) -> Api:
        return Api.from_page(self.service.base_url, self.page)

    def go(self, hash_route: str) -> None:
        self.page.goto(f"/{hash_route}")


@pytest.fixture(scope="module")
def album(browser: Any, service: Any) -> Iterator[Album]:
    photos = needs_corpus()
    context, watched = new_watched_page(browser, service)
    page = watched.page
    a = Album(service, context, watched, f"web-{int(time.time() * 1000)}@example.com")

    # sign up through the page
    page.goto("/")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Email").fill(a.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.get_by_role("heading", name="Upload photos").wait_for()

    # upload three real photos and one file the API refuses
    page.locator("#file-input").set_input_files(
        [{"name": (photos / p).name, "mimeType": "", "buffer": (photos / p).read_bytes()} for p in UPLOADS]
        + [{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"these are not the pixels you are looking for"}])
    page.locator(".overall-text", has_text="3 of 4 uploaded, 1 refused").wait_for(timeout=60_000)
    screenshot(page, "upload-desktop")
    a.upload_rows = page.locator(".upload-item").evaluate_all(
        "rows => rows.map(r => ({name: r.querySelector('.upload-name').textContent, state: r.dataset.state,"
        " message: r.querySelector('.upload-state').textContent,"
        " full: r.querySelector('progress').value === r.querySelector('progress').max}))")
    a.overall_bars = page.locator(".uploads progress[aria-label='All uploads']").count()
    api = a.api
    for name in (BUS, PARIS, CHELSEA):
        a.ids[name] = api.photo_by_filename(name)["id"]
    yield a
    context.close()


def test_signed_up_user_sees_their_email_and_can_sign_out_and_in(album: Album) -> None:
    page = album.page
    album.go("#/")
    page.locator("#who", has_text=album.email).wait_for()
    account_menu(page)
    colours = page.evaluate("""[...document.querySelectorAll('#account-menu .menu-items > *')].map((e) =>
        [e.textContent.trim(), getComputedStyle(e).color, getComputedStyle(e.parentElement).backgroundColor])""")
    assert [c[0] for c in colours] == ["Duplicates", "Trash", "Account", "Export all", "Sign out"]
    assert all(fg != bg for _, fg, bg in colours), colours  # readable: not white on the menu's white
    screenshot(page, "account-menu-desktop")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in").wait_for()
    assert page.evaluate("sessionStorage.getItem('cloudalbum.tokens')") is None

    page.get_by_label("Email").fill(album.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    alert = page.locator(".auth-form [role=alert]")
    alert.filter(has_text=re.compile(r"\S")).wait_for()

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Photos").wait_for()
    page.locator("#who", has_text=album.email).wait_for()
    album.watched.assert_clean()


def test_upload_panel_shows_each_file_and_the_refusal_message(album: Album) -> None:
    rows = {r["name"]: r for r in album.upload_rows}
    assert sorted(rows) == sorted([BUS, PARIS, CHELSEA, "notes.txt"])
    for name in (BUS, PARIS, CHELSEA):
        assert rows[name]["state"] == "done", rows[name]
        assert rows[name]["full"], rows[name]
    refused = rows["notes.txt"]
    assert refused["state"] == "error"
    message = refused["message"]
    assert "supported" in message.lower() or "image" in message.lower(), message  # the API's own words (415)
    assert album.overall_bars == 1
    album.watched.assert_clean()


def test_gallery_shows_the_photos_processed_with_thumbnails(album: Album) -> None:
    page = album.page
    album.go("#/")
    tiles = page.locator(".grid .tile")
    tiles.nth(2).wait_for()
    assert tiles.count() == 3
    # live updates: the page polls until no photo is waiting or processing any more
    page.wait_for_function(f"() => !document.querySelector({NOT_FINAL!r}) && document.querySelectorAll('.grid .tile').length === 3",
                           timeout=PROCESS_TIMEOUT_S * 1000, polling=500)
    assert page.locator(".badge-wait").count() == 0
    assert page.locator(".badge-failed").count() == 0, page.locator(".badge-failed").all_inner_texts()
    page.wait_for_function("() => [...document.querySelectorAll('.grid .tile img')].every(i => i.src.startsWith('blob:') && i.complete && i.naturalWidth > 0)",
                           timeout=30_000)
    # the bus photo's alt text is built from its labels
    bus_tile = page.locator(f".tile[data-id='{album.ids[BUS]}']")
    assert "bus" in bus_tile.locator("img").get_attribute("alt").lower()
    # tiles are keyboard-focusable links
    bus_tile.focus()
    assert page.evaluate("document.activeElement.classList.contains('tile')")
    screenshot(page, "gallery-desktop")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)
    screenshot(page, "gallery-phone")
    page.set_viewport_size(DESKTOP)
    album.watched.assert_clean()


def test_photo_view_draws_the_detected_boxes_over_the_photo(album: Album) -> None:
    page = album.page
    album.api.wait_processed([album.ids[BUS]])
    album.go("#/")
    open_photo_page(page, page.locator(f".tile[data-id='{album.ids[BUS]}']"))
    page.locator(".photo-frame img.large").wait_for()
    page.wait_for_function("() => { const i = document.querySelector('.photo-frame img.large'); return i && i.complete && i.naturalWidth > 0; }")
    boxes = page.locator(".boxes .box")
    boxes.first.wait_for()
    assert page.locator(".box[data-label=bus]").count() >= 1
    label_text = page.locator(".box[data-label=bus] .box-label").first.inner_text()
    assert re.fullmatch(r"bus 0\.\d\d", label_text), label_text
    assert page.locator(".chips .chip", has_text="bus").count() == 1
    # boxes are scaled to the displayed image: each lies inside it
    img = page.locator(".photo-frame img.large").bounding_box()
    for i in range(boxes.count()):
        b = boxes.nth(i).bounding_box()
        assert b["width"] > 4 and b["height"] > 4
        assert b["x"] >= img["x"] - 3 and b["y"] >= img["y"] - 3
        assert b["x"] + b["width"] <= img["x"] + img["width"] + 3
        assert b["y"] + b["height"] <= img["y"] + img["height"] + 3
    # the bus is large in this photo: its box covers a good part of the displayed image
    bus_box = page.locator(".box[data-label=bus]").first.bounding_box()
    assert bus_box["width"] > img["width"] * 0.5
    # the boxes can be hidden
    page.get_by_label(re.compile(r"Show \d+ box")).uncheck()
    assert not page.locator(".boxes").is_visible()
    page.get_by_label(re.compile(r"Show \d+ box")).check()
    screenshot(page, "photo-desktop")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)
    screenshot(page, "photo-phone")
    b = page.locator(".box[data-label=bus]").first.bounding_box()
    img = page.locator(".photo-frame img.large").bounding_box()
    assert b["x"] + b["width"] <= img["x"] + img["width"] + 3  # still scaled on a phone
    page.set_viewport_size(DESKTOP)
    album.watched.assert_clean()


def test_photo_view_of_a_located_photo_shows_place_camera_date_and_a_map(album: Album, tile_stub: Any) -> None:
    page = album.page
    album.api.wait_processed([album.ids[PARIS]])
    album.go(f"#/photo/{album.ids[PARIS]}")
    details = page.locator(".details")
    details.wait_for()
    text = details.inner_text()
    assert "Paris" in text, text
    assert "2002-08-24 13:59" in text, text
    assert "FinePixS2Pro" in text, text
    page.locator(".small-map .leaflet-marker-icon").wait_for()
    page.locator(".small-map img.leaflet-tile-loaded").first.wait_for()
    assert tile_stub.hits > 0
    album.watched.assert_clean()


def test_photo_pages_show_no_missing_value_as_text(album: Album) -> None:
    """Every photo's page, the cat's included (no faces: its People section is left out), shows no "null",
    "undefined", "NaN" or "[object Object]" (a stray "null" once stood where the People section was)."""
    page = album.page
    album.api.wait_processed(list(album.ids.values()))
    for name, photo_id in album.ids.items():
        album.go(f"#/photo/{photo_id}")
        page.locator(".details").wait_for()
        page.locator(".photo-side section").last.wait_for()
        assert_no_bad_text(page)
        if name == CHELSEA:
            assert page.locator(".people-section").count() == 0
    album.watched.assert_clean()


def test_edit_title_description_and_download_original(album: Album) -> None:
    page = album.page
    album.go(f"#/photo/{album.ids[PARIS]}")
    page.locator("summary", has_text="Edit").click()
    page.get_by_label("Title").fill("Eiffel tower, summer 2002")
    page.get_by_label("Description").fill("From the Champ de Mars")
    page.get_by_role("button", name="Save changes").click()
    page.locator("h1.photo-title", has_text="Eiffel tower, summer 2002").wait_for()
    assert album.api("GET", f"/api/photos/{album.ids[PARIS]}")["description"] == "From the Champ de Mars"
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download original").click()
    download = dl.value
    assert download.suggested_filename == PARIS
    assert download.path().stat().st_size == (needs_corpus() / UPLOADS[1]).stat().st_size
    album.watched.assert_clean()


def _map_settled(page: Any, selector: str = ".big-map") -> None:
    """Every visible tile loaded and no zoom or fade animation running (for screenshots)."""
    page.wait_for_function(
        "sel => { const m = document.querySelector(sel); if (!m) return false;"
        " const tiles = [...m.querySelectorAll('img.leaflet-tile')];"
        " return tiles.length > 0 && tiles.every(t => t.classList.contains('leaflet-tile-loaded'))"
        " && !m.querySelector('.leaflet-zoom-anim, .leaflet-cluster-anim'); }", arg=selector)
    page.wait_for_timeout(400)  # popups and markers fade in over 0.2 s


def _results(page: Any) -> Any:
    page.locator(".grid-status").first.wait_for(state="attached")
    page.wait_for_function("() => { const s = document.querySelector('.grid-status'); return s && s.textContent === ''"
                           " && document.querySelectorAll('.grid .tile').length > 0 || (s && /Nothing matches/.test(s.textContent)); }")
    return page.locator(".grid .tile-item")


def test_search_by_label_and_by_place_shows_why_it_matched(album: Album) -> None:
    page = album.page
    album.api.wait_processed(list(album.ids.values()))
    album.go("#/search")
    page.get_by_label("Label").fill("bus")
    page.get_by_role("button", name="Search").click()
    results = _results(page)
    assert results.count() == 1
    assert results.first.locator(".tile").get_attribute("data-id") == album.ids[BUS]
    assert "bus" in results.first.locator(".reasons").inner_text().lower()

    page.get_by_label("Label").fill("")
    page.get_by_label("Place").fill("Paris")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"place=Paris"))
    results = _results(page)
    assert results.count() == 1
    assert results.first.locator(".tile").get_attribute("data-id") == album.ids[PARIS]
    assert "paris" in results.first.locator(".reasons").inner_text().lower()
    results.first.locator(".thumb-frame.loaded").wait_for()
    page.wait_for_timeout(300)  # the thumbnail fades in
    screenshot(page, "search-desktop")

    page.get_by_label("Place").fill("")
    page.get_by_label("Search", exact=True).fill("bus")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"q=bus"))
    assert _results(page).first.locator(".tile").get_attribute("data-id") == album.ids[BUS]
    album.watched.assert_clean()


def test_albums_create_add_a_photo_rename_and_remove(album: Album) -> None:
    page = album.page
    album.go("#/albums")
    page.get_by_label("Name").fill("Holidays")
    page.get_by_role("button", name="Create album").click()
    page.locator(".album-card", has_text="Holidays").wait_for()

    album.go(f"#/photo/{album.ids[PARIS]}")
    page.get_by_label("Add to album").select_option(label="Holidays")
    page.get_by_role("button", name="Add", exact=True).click()
    page.locator(".chips[aria-label='Albums of this photo'] .chip", has_text="Holidays").wait_for()

    album.go("#/albums")
    card = page.locator(".album-card", has_text="Holidays")
    card.locator(".muted", has_text="1 photo").wait_for()
    card.click()
    page.locator(f".grid .tile[data-id='{album.ids[PARIS]}']").wait_for()
    page.locator("summary", has_text="Rename").click()
    page.locator("details.edit").get_by_label("Name").fill("Paris 2002")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("heading", name="Paris 2002").wait_for()
    page.get_by_role("button", name=re.compile("Remove .* from this album")).click()
    page.locator(".grid-status", has_text="This album is empty").wait_for()
    album_id = page.url.rsplit("/", 1)[-1]
    assert album.api("GET", f"/api/albums/{album_id}")["photo_count"] == 0
    # put it back for the map test's album filter
    album.api("POST", f"/api/albums/{album_id}/photos", json={"photo_ids": [album.ids[PARIS]]})
    album.watched.assert_clean()


def test_answering_the_location_question_places_the_photo(album: Album) -> None:
    page = album.page
    album.api.wait_processed([album.ids[CHELSEA]])
    album.go("#/questions")
    count = page.locator("#question-count")
    count.wait_for()
    assert int(count.inner_text().rstrip("+")) >= 1
    card = page.locator(f".question[data-kind=location]:has(a[href='#/photo/{album.ids[CHELSEA]}'])")
    card.wait_for()
    page.wait_for_function("() => [...document.querySelectorAll('.question img')].every(i => i.complete)")
    screenshot(page, "questions-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, "questions-phone")
    page.set_viewport_size(DESKTOP)
    assert card.locator("img").first.get_attribute("alt")
    apply = card.get_by_label(re.compile(r"Apply to (these \d+ similar|this similar)"))
    if apply.count():
        apply.uncheck()  # only this photo
    card.locator("input[name=answer]").fill("Dublin")
    card.get_by_role("button", name="Answer").click()
    card.wait_for(state="detached")
    photo = album.api("GET", f"/api/photos/{album.ids[CHELSEA]}")
    assert photo["location"] and photo["location"]["place"]["city"] == "Dublin", photo["location"]

    album.go(f"#/photo/{album.ids[CHELSEA]}")
    page.locator(".details", has_text="Dublin").wait_for()
    album.watched.assert_clean()


def test_map_shows_markers_with_thumbnail_popups_and_applies_filters(album: Album, tile_stub: Any) -> None:
    page = album.page
    located = [p for p in album.api.photos() if p["location"]]
    assert len(located) >= 1
    album.go("#/map")
    page.locator(".big-map[data-count]").wait_for()
    assert page.locator(".big-map").get_attribute("data-count") == str(len(located))
    page.locator(".big-map img.leaflet-tile-loaded").first.wait_for()
    assert "Test tiles" in page.locator(".leaflet-control-attribution").inner_text()
    markers = page.locator(".big-map .leaflet-marker-icon")
    markers.first.wait_for()

    # a popup is built from DOM nodes, with the thumbnail fetched with the token
    page.locator(".big-map .leaflet-marker-icon:not(.marker-cluster)").first.click()
    popup = page.locator(".leaflet-popup .popup")
    popup.wait_for()
    page.wait_for_function("() => { const i = document.querySelector('.leaflet-popup .popup-thumb'); return i && i.src.startsWith('blob:') && i.complete && i.naturalWidth > 0; }")
    assert popup.get_by_role("link", name="Open photo").count() == 1
    _map_settled(page)
    screenshot(page, "map-desktop")
    page.keyboard.press("Escape")

    # the search filters apply to the map
    album.go("#/map?place=Paris")
    page.locator(".big-map[data-count='1']").wait_for()
    page.set_viewport_size(PHONE)
    album.go("#/map")
    page.locator(".big-map[data-count]").wait_for()
    page.locator(".big-map img.leaflet-tile-loaded").first.wait_for()
    page.locator(".big-map .leaflet-marker-icon").first.wait_for()
    _map_settled(page)
    screenshot(page, "map-phone")
    page.set_viewport_size(DESKTOP)
    album.watched.assert_clean()


def test_the_page_refreshes_its_access_token_before_it_expires(album: Album) -> None:
    page = album.page
    album.go("#/")
    before = page_tokens(page)["access_token"]
    page.wait_for_function(
        "old => { const t = JSON.parse(sessionStorage.getItem('cloudalbum.tokens') || 'null'); return t && t.access_token !== old; }",
        arg=before, timeout=(ACCESS_TTL_S + 30) * 1000, polling=1000)
    album.go("#/albums")
    page.locator(".album-card").first.wait_for()
    assert page.locator(".auth-form").count() == 0
    album.watched.assert_clean()


def test_a_rejected_access_token_is_refreshed_once_and_the_request_retried(album: Album) -> None:
    page = album.page
    album.go("#/")
    page.evaluate("() => { const t = JSON.parse(sessionStorage.getItem('cloudalbum.tokens'));"
                  " t.access_token = t.access_token.slice(0, -4) + 'AAAA'; sessionStorage.setItem('cloudalbum.tokens', JSON.stringify(t)); }")
    forged = page_tokens(page)["access_token"]
    page.reload()
    page.locator(".grid .tile").first.wait_for()
    page.locator("#who", has_text=album.email).wait_for()
    assert page_tokens(page)["access_token"] != forged
    assert page.locator(".auth-form").count() == 0
    album.watched.assert_clean()


def test_drop_a_photo_anywhere_then_delete_it_after_confirming(album: Album) -> None:
    page = album.page
    album.go("#/")
    page.locator(".grid .tile").first.wait_for()
    data = list(make_jpeg(320, 240, color=(200, 90, 40)))
    page.evaluate("""bytes => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(bytes)], 'dropped.jpg', {type: 'image/jpeg'}));
        document.querySelector('main').dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
    }""", data)
    page.locator(".grid .tile", has_text="dropped.jpg").wait_for(timeout=60_000)  # shown at once, while processing
    photo = album.api.photo_by_filename("dropped.jpg")
    tile = page.locator(f".grid .tile[data-id='{photo['id']}']")
    album.api.wait_processed([photo["id"]])
    open_photo_page(page, tile)
    page.locator("h1.photo-title", has_text="dropped.jpg").wait_for()

    delete = page.get_by_role("button", name="Move to trash")
    delete.click()  # the confirm() is dismissed: nothing happens
    assert album.api("GET", f"/api/photos/{photo['id']}")["id"] == photo["id"]
    album.watched.accept_confirms = 1
    delete.click()
    page.get_by_role("heading", name="Photos").wait_for()
    page.locator(".grid .tile").first.wait_for()
    assert page.locator(f".grid .tile[data-id='{photo['id']}']").count() == 0
    r = album.api.http.get(f"{album.service.base_url}/api/photos/{photo['id']}", timeout=30)
    assert r.status_code in (401, 404)
    assert any("trash" in d for d in album.watched.dialogs)
    album.watched.assert_clean()


def test_dismissing_a_question_removes_it_from_the_queue(album: Album) -> None:
    page = album.page
    album.go("#/questions")
    cards = page.locator(".questions .question")
    cards.first.wait_for()
    qid = cards.first.get_attribute("data-id")
    before = len(album.api("GET", "/api/questions", params={"limit": 200})["items"])
    cards.first.get_by_role("button", name="Dismiss").click()
    page.locator(f".question[data-id='{qid}']").wait_for(state="detached")
    after = album.api("GET", "/api/questions", params={"limit": 200})["items"]
    assert qid not in [q["id"] for q in after] and len(after) == before - 1
    album.watched.assert_clean()


def test_select_several_photos_in_the_gallery_and_add_them_to_a_new_album(album: Album) -> None:
    page = album.page
    album.go("#/")
    page.locator(".grid .tile").nth(2).wait_for()
    page.get_by_role("button", name="Select").click()
    page.locator(f".tile[data-id='{album.ids[BUS]}']").click()  # a click selects instead of opening
    page.locator(f".tile-item[data-id='{album.ids[CHELSEA]}'] .select-box").check()
    page.locator(".select-count", has_text="2 selected").wait_for()
    assert "#/photo/" not in page.url
    page.get_by_label("New album").fill("Street and cat")
    screenshot(page, "gallery-select-desktop")
    page.get_by_role("button", name="Add to album").click()
    page.locator(".select-bar").wait_for(state="hidden")
    albums = {a["name"]: a for a in album.api("GET", "/api/albums")["items"]}
    assert "Street and cat" in albums
    in_album = album.api("GET", f"/api/albums/{albums['Street and cat']['id']}/photos")["items"]
    assert {p["id"] for p in in_album} == {album.ids[BUS], album.ids[CHELSEA]}
    album.watched.assert_clean()


def test_moving_quickly_between_views_leaves_no_errors(album: Album) -> None:
    """Views clean up after themselves (maps removed, polling stopped) when the user moves on mid-load."""
    page = album.page
    routes = ["#/", f"#/photo/{album.ids[PARIS]}", "#/albums", "#/map", f"#/photo/{album.ids[BUS]}", "#/questions",
              "#/search?q=bus", "#/map?place=Paris", f"#/photo/{album.ids[CHELSEA]}", "#/upload"]
    for pause_ms in (0, 40, 120):
        for route in routes:
            album.go(route)
            page.wait_for_timeout(pause_ms)
    page.get_by_role("heading", name="Upload photos").wait_for()
    page.wait_for_timeout(1000)  # late answers to abandoned views arrive now
    album.watched.assert_clean()


def test_uploading_into_an_album(album: Album) -> None:
    page = album.page
    target = album.api("POST", "/api/albums", json={"name": "Uploaded straight in"})
    album.go("#/albums")
    album.go("#/upload")
    page.get_by_label("Add to album (optional)").select_option(label="Uploaded straight in")
    page.locator("#file-input").set_input_files(
        [{"name": "into-album.jpg", "mimeType": "image/jpeg", "buffer": make_jpeg(200, 150, color=(30, 160, 90))}])
    page.locator(".upload-item", has_text="into-album.jpg").wait_for(state="attached")
    album.go("#/albums")  # uploads go on while the user browses
    page.locator(".album-card", has_text="Uploaded straight in").wait_for()
    page.wait_for_function("() => !document.querySelector('.upload-item[data-state=queued], .upload-item[data-state=uploading]')")
    photos = album.api("GET", f"/api/albums/{target['id']}/photos")["items"]
    assert [p["filename"] for p in photos] == ["into-album.jpg"]
    album.watched.assert_clean()
