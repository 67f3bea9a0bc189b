"""The uniform error body, security headers, health and the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest

from cloudalbum.entrypoints.api.security_headers import content_security_policy, tile_origin


def uniform(resp: Any, status: int, code: str) -> None:
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    assert resp.mimetype == "application/json"
    body = resp.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    assert body["error"]["code"] == code and body["error"]["message"]


def test_health(client: Any, container: Any) -> None:
    r = client.get("/api/health")
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok", "backend": container.settings.backend, "model": container.settings.model}


@pytest.mark.parametrize("method,path,status,code", [
    ("GET", "/api/no-such-route", 404, "not_found"),
    ("DELETE", "/api/health", 405, "method_not_allowed"),
    ("PUT", "/api/photos", 405, "method_not_allowed"),
    ("GET", "/api/me", 401, "unauthorized"),
    ("GET", "/api/photos", 401, "unauthorized"),
    ("POST", "/api/auth/logout", 401, "unauthorized"),
])
def test_uniform_error_bodies(client: Any, method: str, path: str, status: int, code: str) -> None:
    uniform(client.open(path, method=method), status, code)


def test_401_says_how_to_authenticate(client: Any) -> None:
    r = client.get("/api/me")
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_validation_error_names_the_fields(client: Any) -> None:
    r = client.post("/api/auth/register", json={"email": "x@example.com"})
    uniform(r, 422, "validation_error")
    assert "password" in r.get_json()["error"]["message"]


def test_malformed_json_is_400(client: Any) -> None:
    uniform(client.post("/api/auth/login", data="{", content_type="application/json"), 400, "bad_request")


def test_body_over_the_request_limit_is_413(client: Any, alice: Any, container: Any) -> None:
    import io

    size = container.settings.max_upload_bytes + 200 * 1024  # beyond MAX_CONTENT_LENGTH's multipart allowance
    r = alice.request("POST", "/api/photos", data={"file": (io.BytesIO(b"\xff\xd8\xff" + b"\0" * size), "x.jpg")},
                      content_type="multipart/form-data")
    uniform(r, 413, "too_large")


def test_security_headers_on_api_responses(client: Any, alice: Any) -> None:
    for r in (client.get("/api/health"), client.get("/api/nope"), alice.request("GET", "/api/photos")):
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["X-Frame-Options"] == "DENY"
        assert r.headers["Referrer-Policy"] == "no-referrer"
        assert r.headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert r.headers["Cache-Control"] == "no-store"


def test_csp_on_html_pages(client: Any, app: Any) -> None:
    html_routes = [rule.rule for rule in app.url_map.iter_rules()
                   if not rule.rule.startswith("/api") and "GET" in rule.methods and "<" not in rule.rule
                   and not rule.rule.startswith("/static")]
    pages = [r for r in (client.get(p) for p in html_routes) if r.mimetype == "text/html"]
    if not pages:
        pytest.skip("no HTML pages yet (engineer 7)")
    for r in pages:
        csp = r.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "'unsafe-inline'" not in csp
        assert "https://tile.openstreetmap.org" in csp
        assert r.headers["X-Frame-Options"] == "DENY"


def test_csp_allows_the_configured_tile_host(container: Any) -> None:
    csp = content_security_policy(container.settings.with_(tile_url="https://tiles.example.net/{z}/{x}/{y}.png"))
    img = next(d for d in csp.split("; ") if d.startswith("img-src "))
    assert img == "img-src 'self' data: blob: https://tiles.example.net"
    assert tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"
    assert tile_origin("javascript:alert(1)") is None


def test_openapi_document(client: Any) -> None:
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    spec = r.get_json()
    assert spec["components"]["securitySchemes"]["BearerAuth"] == {
        "type": "http", "scheme": "bearer",
        "description": "An access token from POST /api/auth/login (or /api/auth/refresh)."}
    paths = spec["paths"]
    for path in ("/api/health", "/api/auth/register", "/api/auth/login", "/api/auth/refresh", "/api/auth/logout",
                 "/api/me", "/api/photos", "/api/photos/{photo_id}", "/api/photos/{photo_id}/original",
                 "/api/photos/{photo_id}/thumbnail", "/api/photos/{photo_id}/reprocess"):
        assert path in paths, path
    open_routes = {"/api/health", "/api/auth/register", "/api/auth/login", "/api/auth/refresh"}
    for path, ops in paths.items():
        if not path.startswith(("/api/photos", "/api/me", "/api/auth", "/api/health")):
            continue
        for method, op in ops.items():
            assert op.get("responses"), (method, path)
            if path in open_routes:
                assert "security" not in op, (method, path)
            else:
                assert op["security"] == [{"BearerAuth": []}], (method, path)
    upload = paths["/api/photos"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert "202" in upload["responses"]
    err = spec["components"]["schemas"]["HTTPError"]
    assert err["required"] == ["error"]


def test_docs_page_renders(client: Any) -> None:
    import re

    r = client.get("/api/docs")
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert b"openapi.json" in r.data
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assets = re.findall(r'(?:href|src)="([^"]+)"', r.get_data(as_text=True))
    assert assets and all(a.startswith("/api/docs-assets/") for a in assets), assets  # no CDN
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
