"""The real client address and scheme behind trusted proxies, as WSGI middleware around the Flask app.

REMOTE_ADDR becomes the client address of domain/client_address.py (so throttling, rate limits and logs all
read `request.remote_addr` and get the same answer); the TCP peer stays in `cloudalbum.peer`. A trusted
proxy's `X-Forwarded-Proto: https` makes the request's scheme https (HSTS, see security_headers.py). From an
untrusted peer the X-Forwarded-* headers are dropped, so nothing downstream can be fooled by them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ...domain.client_address import Network, client_address, forwarded_https, is_trusted, parse_address

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
                     "HTTP_X_FORWARDED_PORT", "HTTP_FORWARDED")
PEER_KEY = "cloudalbum.peer"


class ClientAddressMiddleware:
    def __init__(self, app: Callable[..., Iterable[bytes]], trusted: tuple[Network, ...]) -> None:
        self.app, self.trusted = app, trusted

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        peer = environ.get("REMOTE_ADDR")
        environ[PEER_KEY] = peer
        environ["REMOTE_ADDR"] = client_address(peer, environ.get("HTTP_X_FORWARDED_FOR"), self.trusted)
        if forwarded_https(peer, environ.get("HTTP_X_FORWARDED_PROTO"), self.trusted):
            environ["wsgi.url_scheme"] = "https"
        if not is_trusted(parse_address(peer), self.trusted):
            for name in FORWARDED_HEADERS:
                environ.pop(name, None)
        return self.app(environ, start_response)
