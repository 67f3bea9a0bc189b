"""Accounts and tokens through the HTTP API: registration, login, throttling, JWT forgery, refresh, logout."""

from __future__ import annotations

import base64
import json
from typing import Any

import jwt
import pytest

from cloudalbum.config import ConfigError, Settings
from cloudalbum.domain.errors import Unauthorized
from support import fast_hashing

PASSWORD = "correct horse battery"


def b64(obj: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def claims_of(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def me(client: Any, token: str) -> Any:
    return client.get("/api/me", headers={"Authorization": f"Bearer {token}"})


def assert_error(resp: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert resp.status_code == status, resp.get_data(as_text=True)
    body = resp.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code, body
    return body


# --- registration ------------------------------------------------------------------------------------------


def test_register_normalises_email_and_refuses_duplicates(client: Any) -> None:
    r = client.post("/api/auth/register", json={"email": "  Carol@Example.COM ", "password": PASSWORD})
    assert r.status_code == 201
    assert r.get_json()["email"] == "carol@example.com" and r.get_json()["id"]
    assert "password" not in r.get_data(as_text=True)
    r = client.post("/api/auth/register", json={"email": "carol@example.com", "password": PASSWORD})
    assert_error(r, 409)
    r = client.post("/api/auth/login", json={"email": "CAROL@example.com", "password": PASSWORD})
    assert r.status_code == 200


@pytest.mark.parametrize("body", [
    {"email": "not-an-email", "password": PASSWORD},
    {"email": "a@b.c", "password": "short"},
    {"email": "a@example.com"},
    {"password": PASSWORD},
    {"email": 12, "password": PASSWORD},
    {"email": "a@example.com", "password": PASSWORD, "is_admin": True},
    {"email": "a b@example.com", "password": PASSWORD},
])
def test_register_invalid_is_422(client: Any, body: dict[str, Any]) -> None:
    assert_error(client.post("/api/auth/register", json=body), 422, "validation_error")


def test_register_non_json_is_4xx(client: Any) -> None:
    r = client.post("/api/auth/register", data="{not json", content_type="application/json")
    assert 400 <= r.status_code < 500
    assert_error(r, r.status_code)


# --- login -------------------------------------------------------------------------------------------------


def test_login_answer_shape(client: Any, alice: Any, container: Any) -> None:
    t = alice.tokens
    assert set(t) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert t["token_type"] == "Bearer" and t["expires_in"] == container.settings.access_ttl_s
    c = claims_of(t["access_token"])
    assert c["typ"] == "access" and c["sub"] == alice.id and c["sid"]
    assert c["aud"] == container.settings.jwt_audience and c["iss"] == container.settings.jwt_issuer
    assert jwt.get_unverified_header(t["access_token"])["alg"] == "HS256"
    assert me(client, t["access_token"]).get_json() == {
        "id": alice.id, "email": "alice@example.com", "photo_count": 0, "storage_bytes": 0,
        "quota_bytes": None, "trash_count": 0}


def test_wrong_password_and_unknown_email_answer_alike(client: Any, alice: Any) -> None:
    a = client.post("/api/auth/login", json={"email": alice.email, "password": "wrong password"})
    b = client.post("/api/auth/login", json={"email": "nobody@example.com", "password": "wrong password"})
    assert a.status_code == b.status_code == 401
    assert a.get_json() == b.get_json()


def test_login_throttled_after_failures_per_address_and_email(client: Any, alice: Any, container: Any) -> None:
    n = container.settings.login_max_failures
    for _ in range(n):
        r = client.post("/api/auth/login", json={"email": alice.email, "password": "wrong password"},
                        environ_base={"REMOTE_ADDR": "10.0.0.1"})
        assert r.status_code == 401
    # the guessing address is refused, even with the right password
    r = client.post("/api/auth/login", json={"email": alice.email, "password": PASSWORD},
                    environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert_error(r, 429)
    assert int(r.headers["Retry-After"]) > 0
    # the owner, from an address without failures, is never refused
    r = client.post("/api/auth/login", json={"email": alice.email, "password": PASSWORD},
                    environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert r.status_code == 200
    # the window passes (a tenth more at most: stores count in buckets)
    container.clock.offset_s += container.settings.login_window_s * 1.1 + 1
    r = client.post("/api/auth/login", json={"email": alice.email, "password": PASSWORD},
                    environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert r.status_code == 200


def test_login_throttled_per_client_address(client: Any, container: Any, make_user: Any) -> None:
    victim = make_user("victim@example.com")
    n = container.settings.login_max_failures_per_address
    for i in range(n):  # one address guessing across many accounts
        r = client.post("/api/auth/login", json={"email": f"guess{i}@example.com", "password": "x" * 10},
                        environ_base={"REMOTE_ADDR": "10.9.9.9"})
        assert r.status_code == 401
    r = client.post("/api/auth/login", json={"email": victim.email, "password": PASSWORD},
                    environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert_error(r, 429)
    r = client.post("/api/auth/login", json={"email": victim.email, "password": PASSWORD},
                    environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert r.status_code == 200


def test_successful_logins_do_not_throttle(client: Any, alice: Any, container: Any) -> None:
    for _ in range(container.settings.login_max_failures + 2):
        assert client.post("/api/auth/login", json={"email": alice.email, "password": PASSWORD}).status_code == 200


# --- JWT forgery -------------------------------------------------------------------------------------------


def forge(container: Any, alice: Any, *, key: str | None = None, alg: str = "HS256", drop: str | None = None,
          **changes: Any) -> str:
    claims = claims_of(alice.tokens["access_token"])
    claims.update(changes)
    if drop:
        claims.pop(drop)
    return jwt.encode(claims, key or container.settings.signing_key, algorithm=alg)


def test_valid_reencoded_token_is_accepted(client: Any, container: Any, alice: Any) -> None:
    """Control for the forgery cases below: the forging helper itself makes working tokens."""
    assert me(client, forge(container, alice)).status_code == 200


@pytest.mark.parametrize("case", [
    "alg_none", "wrong_key", "tampered_payload", "expired", "wrong_aud", "wrong_iss", "missing_exp",
    "missing_iat", "missing_sub", "missing_aud", "missing_iss", "missing_jti", "missing_typ", "missing_sid",
    "refresh_as_access", "hs512", "garbage", "empty", "future_iat", "unknown_session", "other_sub",
    "string_exp",
])
def test_forged_tokens_are_401(client: Any, container: Any, alice: Any, case: str) -> None:
    access = alice.tokens["access_token"]
    head, body, sig = access.split(".")
    now = int(container.clock.now())
    token = {
        "alg_none": lambda: f"{b64({'alg': 'none', 'typ': 'JWT'})}.{body}.",
        "wrong_key": lambda: forge(container, alice, key="another-key-that-is-long-enough-0123456789"),
        "tampered_payload": lambda: f"{head}.{b64({**claims_of(access), 'sub': 'someone-else'})}.{sig}",
        "expired": lambda: forge(container, alice, exp=now - 1, iat=now - 1000),
        "wrong_aud": lambda: forge(container, alice, aud="another-api"),
        "wrong_iss": lambda: forge(container, alice, iss="evil"),
        "refresh_as_access": lambda: alice.tokens["refresh_token"],
        "hs512": lambda: forge(container, alice, alg="HS512"),
        "garbage": lambda: "abc.def.ghi",
        "empty": lambda: "",
        "future_iat": lambda: forge(container, alice, iat=now + 3600),
        "unknown_session": lambda: forge(container, alice, sid="no-such-session"),
        "other_sub": lambda: forge(container, alice, sub="someone-else"),
        "string_exp": lambda: forge(container, alice, exp=str(now + 100)),
    }.get(case) or (lambda: forge(container, alice, drop=case.removeprefix("missing_")))
    r = client.get("/api/me", headers={"Authorization": f"Bearer {token()}"})
    assert_error(r, 401)
    assert "Bearer" in r.headers.get("WWW-Authenticate", "")


def test_missing_or_non_bearer_authorization_is_401(client: Any, alice: Any) -> None:
    assert_error(client.get("/api/me"), 401, "unauthorized")
    r = client.get("/api/me", headers={"Authorization": f"Basic {alice.tokens['access_token']}"})
    assert_error(r, 401)


def test_access_token_expires_with_the_clock(client: Any, container: Any, alice: Any) -> None:
    token = alice.tokens["access_token"]
    container.clock.offset_s += container.settings.access_ttl_s - 5
    assert me(client, token).status_code == 200
    container.clock.offset_s += 10
    assert_error(me(client, token), 401)
    # the refresh token still works and gives a fresh access token
    r = client.post("/api/auth/refresh", json={"refresh_token": alice.tokens["refresh_token"]})
    assert r.status_code == 200
    assert me(client, r.get_json()["access_token"]).status_code == 200


# --- refresh and logout ------------------------------------------------------------------------------------


def test_refresh_rotates_and_reuse_revokes_the_session(client: Any, alice: Any) -> None:
    first = alice.tokens
    r = client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert r.status_code == 200
    second = r.get_json()
    assert set(second) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert second["refresh_token"] != first["refresh_token"]
    assert me(client, second["access_token"]).status_code == 200
    # reuse of the first refresh token: someone replayed it -> the whole session dies
    assert_error(client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]}), 401)
    assert_error(me(client, second["access_token"]), 401)
    assert_error(me(client, first["access_token"]), 401)
    assert_error(client.post("/api/auth/refresh", json={"refresh_token": second["refresh_token"]}), 401)


def test_access_token_is_not_a_refresh_token(client: Any, alice: Any) -> None:
    r = client.post("/api/auth/refresh", json={"refresh_token": alice.tokens["access_token"]})
    assert_error(r, 401)
    assert me(client, alice.tokens["access_token"]).status_code == 200


def test_refresh_token_expires(client: Any, container: Any, alice: Any) -> None:
    container.clock.offset_s += container.settings.refresh_ttl_s + 1
    assert_error(client.post("/api/auth/refresh", json={"refresh_token": alice.tokens["refresh_token"]}), 401)


@pytest.mark.parametrize("body", [{}, {"refresh_token": 5}, {"refresh_token": "x"}])
def test_refresh_bad_bodies(client: Any, body: dict[str, Any]) -> None:
    r = client.post("/api/auth/refresh", json=body)
    assert r.status_code in (401, 422)
    assert_error(r, r.status_code)


def test_logout_kills_access_and_refresh(client: Any, alice: Any, make_user: Any) -> None:
    other_session = client.post("/api/auth/login", json={"email": alice.email, "password": PASSWORD}).get_json()
    r = client.post("/api/auth/logout", headers=alice.headers)
    assert r.status_code == 204 and r.data == b""
    assert_error(me(client, alice.tokens["access_token"]), 401)
    assert_error(client.post("/api/auth/refresh", json={"refresh_token": alice.tokens["refresh_token"]}), 401)
    assert_error(client.post("/api/auth/logout", headers=alice.headers), 401)
    # only that session ended
    assert me(client, other_session["access_token"]).status_code == 200


def test_me_counts_photos_and_bytes(client: Any, alice: Any) -> None:
    from support import make_jpeg

    data = make_jpeg(320, 200)
    assert alice.upload(data).status_code == 202
    body = me(client, alice.tokens["access_token"]).get_json()
    assert body["photo_count"] == 1 and body["storage_bytes"] == len(data)


# --- settings ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["", "short", "x" * 31])
def test_production_refuses_to_start_with_a_short_key(tmp_path: Any, key: str) -> None:
    from cloudalbum import bootstrap

    with pytest.raises(ConfigError, match="JWT_KEY"):
        bootstrap.build(Settings(env="production", jwt_key=key, data_dir=tmp_path))


def test_production_starts_with_a_long_key_and_uses_it(tmp_path: Any) -> None:
    from cloudalbum import bootstrap
    from cloudalbum.config import DEV_KEY

    key = "k" * 48
    c = fast_hashing(bootstrap.build(Settings(env="production", jwt_key=key, data_dir=tmp_path, workers=0)))
    try:
        assert c.settings.signing_key == key != DEV_KEY
        c.auth.register("p@example.com", PASSWORD)
        pair = c.auth.login("p@example.com", PASSWORD)
        jwt.decode(pair.access_token, key, algorithms=["HS256"], audience=c.settings.jwt_audience)
    finally:
        c.close()


def test_from_env_reads_prefixed_variables() -> None:
    from cloudalbum.config import from_env

    s = from_env({"CLOUDALBUM_ENV": "production", "CLOUDALBUM_JWT_KEY": "z" * 40, "CLOUDALBUM_ACCESS_TTL_S": "60"})
    assert s.validate().access_ttl_s == 60
    with pytest.raises(ConfigError):
        from_env({"CLOUDALBUM_ENV": "production"}).validate()


def test_dummy_verify_for_unknown_email_keeps_timing_alike(container: Any) -> None:
    """Not a timing assertion: checks that both failure paths run one Argon2 verification."""
    from argon2 import PasswordHasher

    calls: list[str] = []

    class CountingHasher(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:
            calls.append(str(hash))
            return super().verify(hash, password)

    auth = container.auth
    auth.hasher = CountingHasher()
    auth.register("timing@example.com", PASSWORD)
    for email in ("timing@example.com", "nobody@example.com"):
        with pytest.raises(Unauthorized):
            auth.login(email, "wrong password", client_ip=None)
    assert len(calls) == 2 and all(c.startswith("$argon2id$") for c in calls)


def test_production_hasher_is_argon2id(settings: Settings, tmp_path: Any) -> None:
    """The service's own hasher (the API tests swap in a cheap one): Argon2id, RFC 9106 low-memory profile."""
    from cloudalbum.adapters.embedded.store import SqliteMetadataStore
    from cloudalbum.services.auth import AuthService

    store = SqliteMetadataStore(tmp_path / "hash.sqlite3")
    try:
        auth = AuthService(store.users, settings)
        user = auth.register("strong@example.com", PASSWORD)
        stored = store.users.user_by_id(user.id).password_hash
        assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and PASSWORD not in stored
        assert auth.login("strong@example.com", PASSWORD).access_token
    finally:
        store.close()
