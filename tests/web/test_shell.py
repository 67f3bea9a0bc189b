"""The page shell without a browser: configuration travels in data- attributes, nothing inline (the CSP forbids
it), every module and vendored file it needs is served, Leaflet's licences ship with it."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from cloudalbum import bootstrap
from cloudalbum.config import Settings

STATIC = Path(__file__).resolve().parents[2] / "src" / "cloudalbum" / "entrypoints" / "web" / "static"
TILES = "https://tiles.example.org/{z}/{x}/{y}.png"
ATTRIBUTION = '&copy; <a href="https://example.org/">Example</a> "maps"'


class Shell(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, Any]] = []
        self.styles: list[str] = []
        self.inline_style_attrs: list[str] = []
        self.handlers: list[str] = []
        self.body: dict[str, Any] = {}
        self.links: list[str] = []
        self._in_script = False
        self.script_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script":
            self.scripts.append(a)
            self._in_script = True
        if tag == "style":
            self.styles.append(tag)
        if tag == "body":
            self.body = a
        if tag == "link" and a.get("rel") == "stylesheet":
            self.links.append(a["href"] or "")
        if "style" in a:
            self.inline_style_attrs.append(tag)
        self.handlers += [f"{tag}.{k}" for k in a if k.startswith("on")]

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.script_text += data.strip()


@pytest.fixture
def web_client(tmp_path: Path) -> Any:
    from cloudalbum.entrypoints.api import create_app

    c = bootstrap.build(Settings(data_dir=tmp_path / "data", workers=0, tile_url=TILES, tile_attribution=ATTRIBUTION))
    yield create_app(c).test_client()
    c.close()


def test_shell_passes_configuration_in_data_attributes_and_has_nothing_inline(web_client: Any) -> None:
    r = web_client.get("/")
    assert r.status_code == 200 and r.mimetype == "text/html"
    shell = Shell()
    shell.feed(r.get_data(as_text=True))
    assert shell.body["data-tile-url"] == TILES
    assert shell.body["data-tile-attribution"] == ATTRIBUTION  # escaped in the HTML, intact in the DOM
    assert shell.scripts and all(s.get("src") for s in shell.scripts) and shell.script_text == ""
    assert not shell.styles and not shell.inline_style_attrs and not shell.handlers
    csp = r.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in csp and "https://tiles.example.org" in csp


def test_every_referenced_file_is_served(web_client: Any) -> None:
    shell = Shell()
    shell.feed(web_client.get("/").get_data(as_text=True))
    for url in [s["src"] for s in shell.scripts] + shell.links:
        r = web_client.get(url)
        assert r.status_code == 200, url
    # the modules import each other by relative path: each import resolves to a served file
    for js in STATIC.joinpath("js").rglob("*.js"):
        for target in re.findall(r"""^import .* from '(\.[^']+)';""", js.read_text(), flags=re.M):
            path = (js.parent / target).resolve().relative_to(STATIC)
            assert web_client.get(f"/static/{path.as_posix()}").status_code == 200, (js.name, target)


def test_leaflet_and_markercluster_ship_with_their_licences(web_client: Any) -> None:
    for pkg, words in (("leaflet", "BSD"), ("leaflet.markercluster", "MIT")):
        r = web_client.get(f"/static/vendor/{pkg}/LICENSE")
        assert r.status_code == 200
        text = r.get_data(as_text=True)
        assert "Copyright" in text or "copyright" in text
        assert words in web_client.get(f"/static/vendor/{pkg}/VERSION").get_data(as_text=True)


def test_no_script_builds_html_from_strings() -> None:
    """Text from users, EXIF and the model is set with textContent: our modules never assign innerHTML,
    outerHTML or insertAdjacentHTML, nor call document.write or eval."""
    banned = re.compile(r"\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write|\beval\(|new Function\(")
    for js in STATIC.joinpath("js").rglob("*.js"):
        hits = [ln for ln in js.read_text().splitlines() if banned.search(ln)]
        assert not hits, f"{js.name}: {hits}"
