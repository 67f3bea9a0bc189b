"""Account lifecycle and the limits around it, embedded shape, through the Flask test client (API.md
"Accounts and limits"): password change, sign-out everywhere, absolute session lifetime, account deletion
(every blob key and SQLite row searched afterwards), registration throttling and bounded Argon2 work.
The served attacks (real `cloudalbum serve`) are in test_served_attacks.py."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from argon2 import PasswordHasher

from security.account_world import build_library, footprint, share_across, without

PASSWORD = "correct horse battery"


def login(client: Any, email: str, password: str = PASSWORD, addr: str = "127.0.0.1") -> Any:
    return client.post("/api/auth/login", json={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": addr})


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def alive(client: Any, tokens: dict[str, Any]) -> bool:
    return client.get("/api/me", headers=bearer(tokens)).status_code == 200


def refresh(client: Any, tokens: dict[str, Any]) -> Any:
    return client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})


# --- password change ---------------------------------------------------------------------------------------


def test_password_change_ends_every_other_session_and_keeps_this_one(client: Any, alice: Any, bob: Any) -> None:
    other = login(client, alice.email).get_json()
    bobs = login(client, bob.email).get_json()
    r = alice.request("POST", "/api/me/password", json={"current_password": PASSWORD, "new_password": "n3w password!"})
    assert r.status_code == 204, r.get_data(as_text=True)
    assert alive(client, alice.tokens) and not alive(client, other)
    assert refresh(client, other).status_code == 401
    assert refresh(client, alice.tokens).status_code == 200  # the session that made the change goes on
    assert login(client, alice.email).status_code == 401
    assert login(client, alice.email, "n3w password!").status_code == 200
    assert alive(client, bobs)  # nobody else's session is touched


@pytest.mark.parametrize(("body", "status"), [
    ({"current_password": "wrong password", "new_password": "n3w password!"}, 401),
    ({"current_password": PASSWORD, "new_password": "short"}, 422),
    ({"current_password": PASSWORD, "new_password": "x" * 2000}, 422),
    ({"current_password": PASSWORD}, 422),
    ({"new_password": "n3w password!"}, 422),
    ({"current_password": 5, "new_password": "n3w password!"}, 422),
])
def test_password_change_refusals_change_nothing(client: Any, alice: Any, body: dict[str, Any], status: int) -> None:
    other = login(client, alice.email).get_json()
    r = alice.request("POST", "/api/me/password", json=body)
    assert r.status_code == status and set(r.get_json()["error"]) == {"code", "message"}
    assert alive(client, other) and alive(client, alice.tokens)
    assert login(client, alice.email).status_code == 200


def test_guessing_the_current_password_is_throttled(client: Any, alice: Any, container: Any) -> None:
    for _ in range(container.settings.login_max_failures):
        r = alice.request("POST", "/api/me/password", json={"current_password": "guess guess", "new_password": "n" * 9})
        assert r.status_code == 401
    r = alice.request("POST", "/api/me/password", json={"current_password": "guess guess", "new_password": "n" * 9})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    r = alice.request("DELETE", "/api/me", json={"password": "guess guess"})  # the same counter
    assert r.status_code == 429
    assert alice.request("GET", "/api/me").status_code == 200


# --- sign-out everywhere and session lifetime -------------------------------------------------------------


def test_logout_all_ends_every_session_including_this_one(client: Any, alice: Any, bob: Any) -> None:
    other = login(client, alice.email).get_json()
    r = alice.request("POST", "/api/auth/logout-all")
    assert r.status_code == 204
    for tokens in (alice.tokens, other):
        assert not alive(client, tokens) and refresh(client, tokens).status_code == 401
    assert alive(client, bob.tokens)
    assert login(client, alice.email).status_code == 200  # signing in again works
    assert client.post("/api/auth/logout-all").status_code == 401


def test_session_has_an_absolute_lifetime_that_refresh_does_not_extend(client: Any, alice: Any,
                                                                       container: Any) -> None:
    import jwt

    s = container.settings
    tokens = alice.tokens
    session_end = jwt.decode(tokens["refresh_token"], options={"verify_signature": False})["iat"] + s.session_max_s
    step = s.refresh_ttl_s - 60
    while container.clock.offset_s + step < s.session_max_s - 120:  # keep refreshing inside each token's TTL
        container.clock.offset_s += step
        r = refresh(client, tokens)
        assert r.status_code == 200, container.clock.offset_s
        tokens = r.get_json()
    # the last pair expires with the session, not a refresh TTL later
    for token in (tokens["access_token"], tokens["refresh_token"]):
        assert jwt.decode(token, options={"verify_signature": False})["exp"] <= session_end
    container.clock.offset_s = s.session_max_s + 1
    assert refresh(client, tokens).status_code == 401
    assert not alive(client, tokens)
    assert login(client, alice.email).status_code == 200


# --- account deletion -------------------------------------------------------------------------------------


def test_account_deletion_removes_every_blob_and_row_of_the_user_only(client: Any, container: Any,
                                                                      alice: Any, bob: Any) -> None:
    mine = build_library(container, alice.request, lambda data: alice.upload(data).get_json()["id"], alice.id)
    theirs = build_library(container, bob.request, lambda data: bob.upload(data).get_json()["id"], bob.id)
    mine += share_across(alice.request, bob.request, alice.email, mine, theirs)
    other_session = login(client, alice.email).get_json()
    bob_before = footprint(container, [bob.email, *theirs])
    assert footprint(container, [alice.email, *mine])  # the search finds the library before

    r = alice.request("DELETE", "/api/me", json={"password": "wrong password"})
    assert r.status_code == 401
    assert footprint(container, [alice.email, *mine])  # nothing changed

    r = alice.request("DELETE", "/api/me", json={"password": PASSWORD})
    assert r.status_code == 204, r.get_data(as_text=True)
    assert footprint(container, [alice.email, *mine]) == []  # gone when the 204 is sent
    # Bob's library is as it was, but for Alice's membership of his album and the photo she added there
    assert footprint(container, [bob.email, *theirs]) == without(bob_before, [alice.email, *mine])
    album_photos = bob.request("GET", f"/api/albums/{theirs[-1]}/photos").get_json()["items"]
    assert [p["id"] for p in album_photos] == [theirs[1]]
    assert login(client, alice.email).status_code == 401
    for tokens in (alice.tokens, other_session):
        assert not alive(client, tokens) and refresh(client, tokens).status_code == 401
    assert bob.request("GET", "/api/photos").get_json()["items"]
    # the email is free again
    assert client.post("/api/auth/register", json={"email": alice.email, "password": PASSWORD}).status_code == 201


@pytest.mark.parametrize("body", [{}, {"password": 12}, {"pass": PASSWORD}])
def test_account_deletion_bad_bodies(alice: Any, body: dict[str, Any]) -> None:
    assert alice.request("DELETE", "/api/me", json=body).status_code == 422
    assert alice.request("GET", "/api/me").status_code == 200


# --- registration throttling and Argon2 work ------------------------------------------------------------


def test_registration_is_throttled_per_address(client: Any, container: Any) -> None:
    n = container.settings.register_max_per_address
    for i in range(n):
        r = client.post("/api/auth/register", json={"email": f"flood{i}@example.com", "password": PASSWORD},
                        environ_base={"REMOTE_ADDR": "198.51.100.7"})
        assert r.status_code == 201
    r = client.post("/api/auth/register", json={"email": "one-more@example.com", "password": PASSWORD},
                    environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert r.get_json()["error"]["code"]
    r = client.post("/api/auth/register", json={"email": "one-more@example.com", "password": PASSWORD},
                    environ_base={"REMOTE_ADDR": "198.51.100.8"})
    assert r.status_code == 201
    container.clock.offset_s += container.settings.register_window_s * 1.1 + 1
    r = client.post("/api/auth/register", json={"email": "later@example.com", "password": PASSWORD},
                    environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert r.status_code == 201


def test_argon2_work_is_bounded_by_the_semaphore(container: Any) -> None:
    """Twelve concurrent registrations and logins: never more than argon2_concurrency hashes at once."""
    lock, running, peak = threading.Lock(), [0], [0]

    class Watched(PasswordHasher):
        def _watch(self, fn: Any, *args: Any) -> Any:
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            try:
                time.sleep(0.02)  # widen the window in which another hash could overlap
                return fn(*args)
            finally:
                with lock:
                    running[0] -= 1

        def hash(self, password: Any, *, salt: Any = None) -> str:
            return self._watch(super().hash, password)

        def verify(self, hash: Any, password: Any) -> bool:
            return self._watch(super().verify, hash, password)

    auth = container.auth
    auth.hasher = Watched(time_cost=1, memory_cost=8, parallelism=1)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            auth.register(f"c{i}@example.com", PASSWORD, client_ip=f"10.1.0.{i}")
            auth.login(f"c{i}@example.com", PASSWORD, client_ip=f"10.1.0.{i}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert 1 <= peak[0] <= container.settings.argon2_concurrency


def test_argon2_parameters_come_from_settings_and_old_hashes_are_upgraded(settings: Any, tmp_path: Any) -> None:
    from cloudalbum.adapters.embedded.store import SqliteMetadataStore
    from cloudalbum.services.auth import AuthService

    store = SqliteMetadataStore(tmp_path / "p.sqlite3")
    try:
        old = AuthService(store.users, settings.with_(argon2_memory_kib=8, argon2_time_cost=1, argon2_parallelism=1))
        user = old.register("up@example.com", PASSWORD)
        assert store.users.user_by_id(user.id).password_hash.startswith("$argon2id$v=19$m=8,t=1,p=1$")
        new = AuthService(store.users, settings.with_(argon2_memory_kib=16, argon2_time_cost=2, argon2_parallelism=1))
        new.login("up@example.com", PASSWORD)
        assert store.users.user_by_id(user.id).password_hash.startswith("$argon2id$v=19$m=16,t=2,p=1$")
        new.login("up@example.com", PASSWORD)
    finally:
        store.close()


def test_the_openapi_document_describes_the_account_routes(client: Any) -> None:
    paths = client.get("/api/openapi.json").get_json()["paths"]
    change = paths["/api/me/password"]["post"]
    assert {"204", "401", "422"} <= set(change["responses"]) and "requestBody" in change
    assert {"204"} <= set(paths["/api/auth/logout-all"]["post"]["responses"])
    delete = paths["/api/me"]["delete"]
    assert {"204", "401"} <= set(delete["responses"]) and "requestBody" in delete
    assert "429" in paths["/api/auth/register"]["post"]["responses"]


# --- throttling under concurrency (the service, many threads: the Flask test client is not for threads) ----


class SlowHasher(PasswordHasher):
    """Cheap Argon2 that takes a little while, so attempts overlap; counts wrong-password verifications."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.lock, self.wrong = threading.Lock(), 0

    def verify(self, hash: Any, password: Any) -> bool:
        time.sleep(0.05)
        try:
            return super().verify(hash, password)
        except Exception:
            with self.lock:
                self.wrong += 1
            raise


def run_all(calls: list[Any]) -> list[str]:
    """Run the calls at once (a barrier), each result as 'ok', or the exception's class name."""
    barrier, results = threading.Barrier(len(calls)), [""] * len(calls)

    def one(i: int) -> None:
        barrier.wait()
        try:
            calls[i]()
            results[i] = "ok"
        except Exception as exc:
            results[i] = type(exc).__name__

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_many_correct_sign_ins_at_once_from_one_address_are_never_refused(container: Any) -> None:
    """A shared address (an office, a carrier's NAT) with more sign-ins in flight than the per-address limit,
    none failing: every one succeeds (the extra ones wait for the others instead of being refused)."""
    auth = container.auth
    n = container.settings.login_max_failures_per_address + 4
    for i in range(n):
        auth.register(f"nat{i}@example.com", PASSWORD)
    auth.hasher = SlowHasher()
    results = run_all([lambda i=i: auth.login(f"nat{i}@example.com", PASSWORD, client_ip="100.64.0.1")
                       for i in range(n)])
    assert results == ["ok"] * n


def test_concurrent_guesses_from_a_fresh_address_get_no_more_than_the_limit(container: Any) -> None:
    """Atomic counting through the service: 30 wrong passwords at once from one address, against 30 emails;
    at most login_max_failures_per_address of them are checked, the rest are refused without a check."""
    auth = container.auth
    auth.register("target@example.com", PASSWORD)
    auth.hasher = hasher = SlowHasher()
    limit = container.settings.login_max_failures_per_address
    results = run_all([lambda i=i: auth.login(f"guess{i}@example.com", "wrong password", client_ip="203.0.113.5")
                       for i in range(30)])
    assert results.count("Unauthorized") == hasher.wrong <= limit
    assert results.count("Throttled") == 30 - hasher.wrong
    with pytest.raises(Exception, match="Too many"):
        auth.login("target@example.com", PASSWORD, client_ip="203.0.113.5")
    assert auth.login("target@example.com", PASSWORD, client_ip="198.51.100.5").access_token
