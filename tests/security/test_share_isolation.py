"""The isolation matrix of issue 18: every public share route (read from app.url_map, so a new one is covered
the day it lands) with tokens of other users, revoked, expired, unknown and locked ones, and photo ids of the
owner outside the share; and a member probing the owner's other photos on every photo route. Each answer is
the 404 of a missing object (401/403 where API.md says), and nothing of the owner's changes."""

from __future__ import annotations

from typing import Any

import pytest

from security.test_isolation import BODIES, body_for, fill, id_routes, scrub, snapshot, world  # noqa: F401
from support import make_jpeg

MISSING_TOKEN = "Q" * 43


def public_routes(app: Any) -> list[tuple[str, str, str]]:
    out = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/s/"):
            out += [(m, rule.rule, rule.endpoint) for m in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return out


def call(client: Any, method: str, rule: str, ids: dict[str, str], **kw: Any) -> Any:
    extra = {"json": {"password": "guess"}} if method == "POST" else {"query_string": {"size": "small"}}
    return client.open(fill(rule, ids), method=method, **extra, **kw)


@pytest.fixture
def tokens(alice: Any, bob: Any, container: Any, world: dict[str, Any]) -> dict[str, str]:
    def token(user: Any, **body: Any) -> dict[str, Any]:
        r = user.request("POST", "/api/shares", json=body)
        assert r.status_code == 201, r.get_data(as_text=True)
        return r.get_json()

    other_pid = alice.upload(make_jpeg(32, 24)).get_json()["id"]  # Alice's, in no share
    revoked = token(alice, album_id=world["alice"]["album_id"])
    assert alice.request("DELETE", f"/api/shares/{revoked['id']}").status_code == 204
    return {"bob": token(bob, photo_ids=[world["bob"]["photo_id"]])["token"], "revoked": revoked["token"],
            "expired": token(alice, album_id=world["alice"]["album_id"], expires_at="2999-01-01T00:00:00Z")["token"],
            "alice": token(alice, album_id=world["alice"]["album_id"])["token"],
            "locked": token(alice, album_id=world["alice"]["album_id"], password="open sesame")["token"],
            "outside": other_pid}


def test_public_routes_answer_only_for_their_own_photos(app: Any, client: Any, container: Any,
                                                        world: dict[str, Any], tokens: dict[str, str]) -> None:
    routes = public_routes(app)
    assert {e for _, _, e in routes} >= {"sharing.public_share", "sharing.unlock_share", "sharing.public_thumbnail",
                                         "sharing.public_original"}
    alice = world["alice"]
    owner = container.store.photos.get_photo(alice["photo_id"], None).owner_id
    before = snapshot(container, owner, alice)
    checked = 0
    with_photo = [r for r in routes if "<photo_id>" in r[1]]
    # Bob's token cannot reach Alice's photo; Alice's token cannot reach her photo outside the share: both as
    # a photo id that does not exist.
    for token, pid in ((tokens["bob"], alice["photo_id"]), (tokens["alice"], tokens["outside"])):
        for method, rule, _ in with_photo:
            theirs = call(client, method, rule, {"token": token, "photo_id": pid})
            ref = call(client, method, rule, {"token": token, "photo_id": "doesNotExist0000000000"})
            assert theirs.status_code == ref.status_code == 404, (rule, theirs.status_code)
            assert scrub(theirs, {"p": pid}) == scrub(ref, {"p": "doesNotExist0000000000"})
            checked += 1
    # Revoked, expired and unknown tokens: one and the same 404 on every public route.
    container.clock.offset_s = 1000 * 365 * 24 * 3600.0
    answers = set()
    for name in ("revoked", "expired", "unknown"):
        token = tokens.get(name, MISSING_TOKEN)
        for method, rule, _ in routes:
            r = call(client, method, rule, {"token": token, "photo_id": alice["photo_id"]})
            answers.add((r.status_code, r.get_data(as_text=True)))
            checked += 1
    assert len(answers) == 1 and next(iter(answers))[0] == 404
    container.clock.offset_s = 0.0
    # A locked share: 401 share_password_required on every read, 401 for a wrong password, and Bob's
    # session (of his own share) does not open it.
    bob_session = client.post(f"/api/s/{tokens['bob']}/unlock", json={"password": "x"}).get_json()["share_session"]
    for method, rule, _ in routes:
        r = call(client, method, rule, {"token": tokens["locked"], "photo_id": alice["photo_id"]},
                 headers={"X-Share-Session": bob_session})
        assert r.status_code == 401, (rule, r.status_code)
        if method == "GET":
            assert r.get_json()["error"]["code"] == "share_password_required"
        checked += 1
    assert checked >= 20
    assert snapshot(container, owner, alice) == before


def test_a_member_reaches_only_the_shared_album(app: Any, make_user: Any, alice: Any, container: Any,
                                               world: dict[str, Any]) -> None:
    """Carol (a viewer of Alice's album) probes Alice's photo outside the album on every id route: each answer
    is that of a missing photo, and nothing changes."""
    carol = make_user("dave@example.com")
    ids = world["alice"]
    assert alice.request("POST", f"/api/albums/{ids['album_id']}/members",
                         json={"email": carol.email, "role": "contributor"}).status_code == 201
    outside = alice.upload(make_jpeg(32, 24)).get_json()["id"]
    owner = alice.id
    before = snapshot(container, owner, ids)
    missing = {k: "doesNotExist0000000000" for k in ids}
    probes = 0
    for method, rule, endpoint in id_routes(app):
        if rule.startswith("/api/s/"):
            continue
        mine = {**ids, "photo_id": outside}
        theirs = carol.request(method, fill(rule, mine), **body_for(endpoint, mine))
        ref = carol.request(method, fill(rule, missing), **body_for(endpoint, missing))
        if "<photo_id>" in rule and "<album_id>" not in rule:
            assert theirs.status_code == ref.status_code == 404, (method, rule, theirs.status_code)
            assert scrub(theirs, mine) == scrub(ref, missing)
            probes += 1
        elif method != "GET":  # writes on the shared album itself stay the owner's
            assert theirs.status_code in (404, 422), (method, rule, theirs.status_code)
            probes += 1
    assert probes >= 10
    assert snapshot(container, owner, ids) == before
