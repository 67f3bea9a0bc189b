"""/api/docs in a real browser: Swagger UI (vendored) renders the OpenAPI document with no request leaving
the server and no Content-Security-Policy violation."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path
from typing import Any

import pytest

from support import needs

CHROMIUM = os.environ.get("CLOUDALBUM_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.browser
def test_docs_page_renders_offline_under_its_csp(app: Any) -> None:
    needs(Path(CHROMIUM).exists(), f"chromium at {CHROMIUM}",
          "sudo apt-get install chromium fonts-dejavu-core (or set CLOUDALBUM_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        needs(False, "playwright", "make install")
    from waitress.server import create_server

    port = free_port()
    server = create_server(app, host="127.0.0.1", port=port, threads=2)
    threading.Thread(target=server.run, daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    outside: list[str] = []
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page()

            def only_local(route: Any) -> None:
                if route.request.url.startswith(base):
                    route.continue_()
                else:
                    outside.append(route.request.url)
                    route.abort()

            page.route("**/*", only_local)
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(f"{base}/api/docs")
            page.wait_for_selector(".swagger-ui .opblock", timeout=60_000)
            assert "cloudalbum API" in page.content()
            assert page.locator(".swagger-ui .opblock").count() >= 10
        finally:
            browser.close()
    assert outside == []
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
