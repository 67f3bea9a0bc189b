"""Concurrent wrong passwords against one password-protected link get no more checks than the limit: each
attempt takes its slot before the Argon2 check, atomically in the store. On SQLite only (the embedded shape):
moto's counters are not atomic under concurrent requests, DynamoDB Local's are (the store contract)."""

from __future__ import annotations

import threading
from typing import Any

from .test_share_api import photos, public, share  # noqa: F401 - photos is a fixture used here


def test_concurrent_wrong_passwords_get_no_more_checks_than_the_limit(app: Any, alice: Any, container: Any,
                                                                      photos: list[str]) -> None:
    per_address = container.settings.login_max_failures * 2
    token = share(alice, photo_ids=photos[:1], password="open sesame")["token"]
    n = 3 * per_address
    codes: list[int] = []
    barrier = threading.Barrier(n)

    def guess() -> None:
        client = app.test_client()
        barrier.wait()
        codes.append(public(client, "POST", f"/api/s/{token}/unlock", json={"password": "guess"},
                            environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code)

    threads = [threading.Thread(target=guess) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(codes) == n and set(codes) <= {401, 429}
    assert codes.count(401) <= per_address, codes  # the checked (and failed) guesses: never past the limit
    assert codes.count(429) >= n - per_address
