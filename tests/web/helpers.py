"""Helpers for the browser tests: a small client of the public API (requests) sharing the page's token."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

FINAL = {"done", "needs_input", "failed"}
PROCESS_TIMEOUT_S = 300
# What a page shows when a missing value reaches the DOM as text (Element.append(null) writes "null").
BAD_TEXT = re.compile(r"\b(null|undefined|NaN)\b|\[object Object\]")


def assert_no_bad_text(page: Any) -> None:
    """The page's main area shows no "null", "undefined", "NaN" or "[object Object]"."""
    text = page.locator("main").inner_text()
    assert not BAD_TEXT.search(text), text


def page_tokens(page: Any) -> dict[str, Any] | None:
    """The tokens the page keeps in sessionStorage."""
    return page.evaluate("() => JSON.parse(sessionStorage.getItem('cloudalbum.tokens') || 'null')")


class Api:
    """The service runs with short-lived access tokens (see conftest), so a 401 gets a fresh token once."""

    def __init__(self, base_url: str, token_source: Callable[[], str] | None = None) -> None:
        import requests

        self.base_url = base_url
        self.http = requests.Session()
        self.token_source = token_source
        if token_source:
            self.use(token_source())

    def use(self, access_token: str) -> None:
        self.http.headers["Authorization"] = f"Bearer {access_token}"

    @classmethod
    def from_page(cls, base_url: str, page: Any) -> Api:
        """Borrows the page's token (the page refreshes it; we read it again after a 401)."""
        def token() -> str:
            tokens = page_tokens(page)
            assert tokens and tokens.get("access_token"), "the page holds no access token"
            return tokens["access_token"]

        return cls(base_url, token)

    @classmethod
    def new_user(cls, base_url: str, email: str, password: str) -> Api:
        api = cls(base_url)
        r = api.http.post(base_url + "/api/auth/register", json={"email": email, "password": password}, timeout=30)
        assert r.status_code == 201, r.text
        r = api.http.post(base_url + "/api/auth/login", json={"email": email, "password": password}, timeout=30)
        assert r.status_code == 200, r.text
        api.tokens = r.json()

        def refreshed() -> str:
            r = api.http.post(base_url + "/api/auth/refresh", json={"refresh_token": api.tokens["refresh_token"]}, timeout=30)
            assert r.status_code == 200, r.text
            api.tokens = r.json()
            return api.tokens["access_token"]

        api.use(api.tokens["access_token"])
        api.token_source = refreshed
        return api

    def __call__(self, method: str, path: str, **kw: Any) -> Any:
        r = self.http.request(method, self.base_url + path, timeout=60, **kw)
        if r.status_code == 401 and self.token_source:
            self.use(self.token_source())
            for f in (kw.get("files") or {}).values():
                f[1].seek(0)
            r = self.http.request(method, self.base_url + path, timeout=60, **kw)
        assert r.status_code < 400, f"{method} {path}: {r.status_code} {r.text}"
        return r.json() if r.content and r.headers.get("Content-Type", "").startswith("application/json") else None

    def photos(self) -> list[dict[str, Any]]:
        return self("GET", "/api/photos", params={"limit": 200})["items"]

    def photo_by_filename(self, filename: str) -> dict[str, Any]:
        matches = [p for p in self.photos() if p["filename"] == filename]
        assert matches, f"no photo named {filename!r} in {[p['filename'] for p in self.photos()]}"
        return matches[0]

    def upload(self, path: Path) -> dict[str, Any]:
        with open(path, "rb") as f:
            return self("POST", "/api/photos", files={"file": (path.name, f)})

    def wait_processed(self, photo_ids: list[str], timeout_s: float = PROCESS_TIMEOUT_S) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout_s
        while True:
            photos = [self("GET", f"/api/photos/{pid}") for pid in photo_ids]
            if all(p["status"] in FINAL for p in photos):
                return photos
            if time.monotonic() > deadline:
                raise AssertionError(f"not processed within {timeout_s}s: {[(p['filename'], p['status']) for p in photos]}")
            time.sleep(0.5)


def sign_in(page: Any, email: str, password: str = "correct horse battery staple") -> None:
    """Sign in through the page's own form and wait until the header names the user."""
    page.goto("/#/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#who", has_text=email).wait_for()


def open_photo_page(page: Any, tile: Any) -> None:
    """Open a photo's page from its tile: a finished photo opens in the full-screen viewer first ("Open photo page"
    in its details); one still being processed opens its page at once."""
    tile.click()
    page.wait_for_function("() => document.querySelector('.app-viewer') || location.hash.startsWith('#/photo/')")
    if page.locator(".app-viewer").count():
        link = page.get_by_role("link", name="Open photo page")
        if not link.is_visible():  # on a phone the details (and the link) are one tap away
            page.get_by_role("button", name="Details").click()
        link.click()
    page.wait_for_function("() => location.hash.startsWith('#/photo/')")


def account_menu(page: Any) -> None:
    """Open the header's account menu (the signed-in email): Duplicates, Trash, Account, Export all, Sign out."""
    menu = page.locator("#account-menu")
    if menu.get_attribute("open") is None:
        page.locator("#account-menu summary").click()
    page.locator("#account-menu .menu-items").wait_for()

