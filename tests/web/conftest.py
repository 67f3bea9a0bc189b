"""Browser tests: the real embedded service (`cloudalbum serve`, API + one worker) on a free port with a temp
data dir, a local map-tile stub (no internet), and Debian's chromium driven by Playwright. One server and one
browser per session; tests reuse them.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from support import ROOT, needs

CHROMIUM = os.environ.get("CLOUDALBUM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SERVER_START_S = 90
ACCESS_TTL_S = 30


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def needs_browser() -> None:
    try:
        import playwright.sync_api  # noqa: F401
        have_playwright = True
    except ImportError:
        have_playwright = False
    needs(have_playwright, "the playwright Python package", "make install (it is in the dev extras)")
    needs(Path(CHROMIUM).exists(), f"chromium at {CHROMIUM}",
          "sudo apt-get install chromium fonts-dejavu-core (or set CLOUDALBUM_CHROMIUM); never `playwright install`")


# --- a map-tile stub: one PNG for any /{z}/{x}/{y}.png ------------------------------------------------------

def _tile_png() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (256, 256), (232, 236, 228))
    d = ImageDraw.Draw(img)
    for i in range(0, 256, 32):
        d.line([(i, 0), (i, 255)], fill=(214, 220, 210))
        d.line([(0, i), (255, i)], fill=(214, 220, 210))
    d.rectangle([0, 0, 255, 255], outline=(190, 198, 186))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


class TileStub:
    def __init__(self) -> None:
        png = _tile_png()
        stub = self
        self.hits = 0

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                stub.hits += 1
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(png)))
                self.send_header("Cache-Control", "max-age=3600")
                self.end_headers()
                self.wfile.write(png)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/{{z}}/{{x}}/{{y}}.png"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def tile_stub() -> Iterator[TileStub]:
    stub = TileStub()
    yield stub
    stub.close()


# --- the real embedded service -------------------------------------------------------------------------------

def _cloudalbum_command() -> list[str]:
    exe = Path(sys.executable).parent / "cloudalbum"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("cloudalbum")
    if found:
        return [found]
    return [sys.executable, "-m", "cloudalbum.entrypoints.cli"]


class Service:
    def __init__(self, base_url: str, data_dir: Path, proc: subprocess.Popen, log_path: Path) -> None:
        self.base_url, self.data_dir, self.proc, self.log_path = base_url, data_dir, proc, log_path

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory, tile_stub: TileStub) -> Iterator[Service]:
    needs_browser()
    import requests

    tmp = tmp_path_factory.mktemp("web-service")
    data_dir = tmp / "data"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDALBUM_")}
    env.update({
        "CLOUDALBUM_ENV": "development",
        "CLOUDALBUM_TILE_URL": tile_stub.url,
        "CLOUDALBUM_TILE_ATTRIBUTION": "Test tiles &copy; cloudalbum tests",
        "CLOUDALBUM_DATA_DIR": str(data_dir),
        "CLOUDALBUM_VISIBILITY_TIMEOUT_S": "60",
        # short-lived access tokens: every page refreshes its token while the suite runs
        "CLOUDALBUM_ACCESS_TTL_S": str(ACCESS_TTL_S),
        "PYTHONUNBUFFERED": "1",
    })
    for keep in ("CLOUDALBUM_MODEL_PATH", "CLOUDALBUM_PHOTOS"):
        if keep in os.environ:
            env[keep] = os.environ[keep]
    log_path = tmp / "server.log"
    cmd = _cloudalbum_command() + ["serve", "--host", "127.0.0.1", "--port", str(port),
                                   "--data-dir", str(data_dir), "--workers", "1"]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=str(ROOT),
                                start_new_session=True)
    svc = Service(f"http://127.0.0.1:{port}", data_dir, proc, log_path)
    deadline = time.monotonic() + SERVER_START_S
    while True:
        if proc.poll() is not None:
            pytest.fail(f"`{' '.join(cmd)}` exited with {proc.returncode}:\n{svc.log_tail()}")
        try:
            if requests.get(svc.base_url + "/api/health", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            proc.terminate()
            pytest.fail(f"the service did not answer /api/health within {SERVER_START_S}s:\n{svc.log_tail()}")
        time.sleep(0.3)
    yield svc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


# --- the browser ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser(service: Service) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Watched:
    """A page plus what it complained about: uncaught errors, CSP violations, dialogs."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.accept_confirms = 0  # how many upcoming confirm() dialogs to accept; any other dialog is dismissed
        page.on("pageerror", lambda e: self.errors.append(f"page error at {page.url}: {e}\n{getattr(e, 'stack', '')}"))
        page.on("console", self._console)
        page.on("dialog", self._dialog)

    def _console(self, msg: Any) -> None:
        text = msg.text
        if msg.type == "error" and ("Content Security Policy" in text or "Refused to" in text):
            self.errors.append(f"CSP: {text}")

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        if dialog.type == "confirm" and self.accept_confirms > 0:
            self.accept_confirms -= 1
            dialog.accept()
        else:
            dialog.dismiss()

    def assert_clean(self) -> None:
        assert not self.errors, "\n".join(self.errors)


def new_watched_page(browser: Any, service: Service, viewport: dict[str, int] = DESKTOP) -> tuple[Any, Watched]:
    context = browser.new_context(viewport=viewport, base_url=service.base_url, accept_downloads=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    return context, Watched(page)


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
