"""The real client address behind trusted proxies, and HSTS over HTTPS (API.md "Accounts and limits").

Table-driven over the pure function (IPv4, IPv6, garbage headers), then through the app: what the middleware
makes of headers from trusted and untrusted peers, and which responses carry Strict-Transport-Security.
"""

from __future__ import annotations

from typing import Any

import pytest

from cloudalbum import bootstrap
from cloudalbum.config import ConfigError, Settings
from cloudalbum.domain.client_address import BadProxyList, client_address, forwarded_https, parse_trusted_proxies

TRUSTED = parse_trusted_proxies("10.0.0.0/16, 192.0.2.7, fd00::/8")

CASES = [
    # (peer, X-Forwarded-For, expected client address, why)
    ("203.0.113.9", None, "203.0.113.9", "a direct client is its peer"),
    ("203.0.113.9", "1.2.3.4", "203.0.113.9", "an untrusted peer cannot name another address"),
    ("10.0.3.4", None, "10.0.3.4", "a trusted peer without the header is itself"),
    ("10.0.3.4", "198.51.100.5", "198.51.100.5", "the load balancer's client"),
    ("10.0.3.4", "6.6.6.6, 198.51.100.5", "198.51.100.5", "the client's own entries are left of the real one"),
    ("10.0.3.4", "198.51.100.5, 10.0.9.9", "198.51.100.5", "a chain of trusted proxies is skipped"),
    ("10.0.3.4", "198.51.100.5,192.0.2.7", "198.51.100.5", "a trusted single address"),
    ("10.0.3.4", "10.0.1.1, 10.0.2.2", "10.0.1.1", "only trusted entries: the left-most hop"),
    ("10.0.3.4", "not-an-ip", "10.0.3.4", "garbage in the right-most place: the last trusted hop"),
    ("10.0.3.4", "198.51.100.5, garbage", "10.0.3.4", "garbage stops the walk"),
    ("10.0.3.4", "garbage, 198.51.100.5", "198.51.100.5", "garbage left of the client is never read"),
    ("10.0.3.4", "", "10.0.3.4", "an empty header"),
    ("10.0.3.4", " , ,", "10.0.3.4", "empty entries"),
    ("10.0.3.4", "198.51.100.5:4711", "198.51.100.5", "an IPv4 entry with a port"),
    ("10.0.3.4", "2001:db8::1", "2001:db8::1", "an IPv6 client"),
    ("10.0.3.4", "[2001:db8::1]:443", "2001:db8::1", "a bracketed IPv6 entry with a port"),
    ("10.0.3.4", "2001:0db8:0000::0001", "2001:db8::1", "IPv6 in its compressed form"),
    ("10.0.3.4", "::ffff:198.51.100.5", "198.51.100.5", "an IPv4-mapped IPv6 entry is the IPv4 address"),
    ("fd00::1", "2001:db8::2", "2001:db8::2", "a trusted IPv6 proxy"),
    ("fe80::1%eth0", "2001:db8::2", "fe80::1", "an untrusted peer with a zone"),
    ("::ffff:10.0.3.4", "198.51.100.5", "198.51.100.5", "a trusted peer seen as IPv4-mapped IPv6"),
    ("10.0.3.4", "1.1.1.1, " * 500 + "198.51.100.5", "198.51.100.5", "a huge header: only its right end is read"),
    ("10.0.3.4", "\x00\xff" * 100, "10.0.3.4", "binary garbage"),
    ("10.0.3.4", '"198.51.100.5"', "198.51.100.5", "a quoted entry"),
    ("10.0.3.4", "1" * 5000, "10.0.3.4", "one very long entry"),
    ("", "198.51.100.5", "unknown", "no peer at all"),
]


@pytest.mark.parametrize(("peer", "xff", "expected", "why"), CASES, ids=[c[3] for c in CASES])
def test_client_address(peer: str, xff: str | None, expected: str, why: str) -> None:
    assert client_address(peer, xff, TRUSTED) == expected, why


def test_nothing_trusted_by_default() -> None:
    assert parse_trusted_proxies("") == ()
    assert client_address("10.0.3.4", "198.51.100.5", parse_trusted_proxies("")) == "10.0.3.4"


@pytest.mark.parametrize("bad", ["10.0.0.0/33", "example.com", "10.0.0.0/8; rm", "::g"])
def test_a_bad_proxy_list_stops_the_service(bad: str, tmp_path: Any) -> None:
    with pytest.raises(BadProxyList):
        parse_trusted_proxies(bad)
    with pytest.raises(ConfigError):
        Settings(data_dir=tmp_path, trusted_proxies=bad).validate()


@pytest.mark.parametrize(("peer", "proto", "https"), [
    ("10.0.3.4", "https", True), ("10.0.3.4", "http, https", True), ("10.0.3.4", "https, http", False),
    ("10.0.3.4", "HTTPS", True), ("203.0.113.9", "https", False), ("10.0.3.4", None, False),
    ("10.0.3.4", "", False),
])
def test_forwarded_https_only_from_a_trusted_proxy(peer: str, proto: str | None, https: bool) -> None:
    assert forwarded_https(peer, proto, TRUSTED) is https


# --- through the app --------------------------------------------------------------------------------------


@pytest.fixture
def proxied(settings: Settings) -> Any:
    from cloudalbum.entrypoints.api import create_app

    c = bootstrap.build(settings.with_(trusted_proxies="10.0.0.0/16"))
    app = create_app(c)

    @app.get("/__echo")  # a probe route of this test only: what the views see
    def _echo() -> Any:
        from flask import request

        return {"addr": request.remote_addr, "scheme": request.scheme,
                "xff": request.headers.get("X-Forwarded-For")}

    yield app.test_client()
    c.close()


def test_views_see_the_client_address_and_no_untrusted_forwarding_headers(proxied: Any) -> None:
    r = proxied.get("/__echo", headers={"X-Forwarded-For": "198.51.100.5"}, environ_base={"REMOTE_ADDR": "10.0.3.4"})
    assert r.get_json()["addr"] == "198.51.100.5"
    r = proxied.get("/__echo", headers={"X-Forwarded-For": "198.51.100.5", "X-Forwarded-Proto": "https"},
                    environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert r.get_json() == {"addr": "203.0.113.9", "scheme": "http", "xff": None}


def test_hsts_over_https_only(proxied: Any) -> None:
    def hsts(**kw: Any) -> str | None:
        return proxied.get("/api/health", **kw).headers.get("Strict-Transport-Security")

    assert hsts(environ_base={"REMOTE_ADDR": "203.0.113.9"}) is None  # plain HTTP
    assert hsts(headers={"X-Forwarded-Proto": "https"}, environ_base={"REMOTE_ADDR": "203.0.113.9"}) is None
    value = hsts(headers={"X-Forwarded-Proto": "https"}, environ_base={"REMOTE_ADDR": "10.0.3.4"})
    assert value and "max-age=31536000" in value
    assert hsts(base_url="https://localhost/")  # directly over HTTPS
    # every response, errors and pages included
    for path in ("/api/photos", "/nope", "/"):
        r = proxied.get(path, headers={"X-Forwarded-Proto": "https"}, environ_base={"REMOTE_ADDR": "10.0.3.4"})
        assert r.headers.get("Strict-Transport-Security"), path
