"""The two races of issue 12 (item 8), interleaved for real: a worker processes a photo in a thread and is held
at an exact point inside the face grouping (right after a real adapter call: faces stored, a person made, a
question asked, or just before the photo's results are saved); meanwhile the owner deletes the photo, or turns
face grouping off, through the API; then the worker goes on. Afterwards every face, person, question and blob
of the owner is listed: nothing of the deleted photo (or, with grouping off, no face data at all) is left, and
the other user's data has not changed. Both shapes: embedded (SQLite + files) and AWS (DynamoDB + S3 on moto).

The models are the real ones (YOLOv8n, YuNet + SFace) on a real face (scikit-image's astronaut)."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageOps

from aws.conftest import moto_endpoint, moto_env  # noqa: F401 - fixtures of the AWS shape
from cloudalbum import bootstrap
from cloudalbum.config import Settings

HOLD_S = 120  # generous bounds on a held thread: a test fails on them instead of hanging, never times a result


# --- the real models, once --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def models() -> dict[str, Any]:
    from cloudalbum.adapters.ml.detector import OnnxDetector
    from cloudalbum.adapters.ml.faces import OpencvFaceAnalyzer
    from cloudalbum.adapters.ml.geocoder import OfflineGeocoder

    return {"detector": OnnxDetector.load("yolov8n"), "face_analyzer": OpencvFaceAnalyzer.load(),
            "geocoder": OfflineGeocoder()}


def jpeg(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.convert("RGB").save(buf, "JPEG", quality=90)
    return buf.getvalue()


def astronaut(mirrored: bool = False) -> bytes:
    from skimage import data

    image = Image.fromarray(data.astronaut())
    return jpeg(ImageOps.mirror(image) if mirrored else image)


# --- the two shapes ---------------------------------------------------------------------------------------


@pytest.fixture(params=["embedded", "aws"])
def shape(request: pytest.FixtureRequest, tmp_path: Path, models: dict[str, Any]) -> Iterator[Any]:
    if request.param == "embedded":
        settings = Settings(data_dir=tmp_path / "data", workers=0, env="development")
    else:
        request.getfixturevalue("moto_env")
        from aws.conftest import unique_settings
        from cloudalbum.adapters.aws.init import init_aws

        settings = unique_settings(tmp_path)
        init_aws(settings)
    container = bootstrap.build(settings, **models)
    from support import fast_hashing

    fast_hashing(container)
    from cloudalbum.entrypoints.api import create_app

    app = create_app(container)
    app.config["TESTING"] = True
    yield container, app
    container.close()


class User:
    def __init__(self, app: Any, email: str) -> None:
        self.http = app.test_client()
        assert self.http.post("/api/auth/register", json={"email": email, "password": "pw-" * 5}).status_code == 201
        r = self.http.post("/api/auth/login", json={"email": email, "password": "pw-" * 5})
        self.token = r.get_json()["access_token"]
        self.id = self.http.get("/api/me", headers=self.auth).get_json()["id"]

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def __call__(self, method: str, path: str, **kw: Any) -> Any:
        return self.http.open(path, method=method, headers=self.auth, **kw)

    def upload(self, data: bytes) -> str:
        r = self("POST", "/api/photos", data={"file": (io.BytesIO(data), "face.jpg")},
                 content_type="multipart/form-data")
        assert r.status_code == 202, r.get_data(as_text=True)
        return str(r.get_json()["id"])


# --- holding the worker at one point ----------------------------------------------------------------------


class Hold:
    """Holds the worker thread at one call of a real repository method (after it returns, or just before it runs)
    until released. Only the thread named "worker" is held; the API's calls pass."""

    def __init__(self, store: Any, method: str, *, before: bool = False,
                 when: Callable[..., bool] = lambda *a, **k: True) -> None:
        self.reached, self.released = threading.Event(), threading.Event()
        real = getattr(store, method)

        def held(*args: Any, **kwargs: Any) -> Any:
            mine = threading.current_thread().name == "worker" and not self.reached.is_set() and when(*args, **kwargs)
            if mine and before:
                self._wait()
            result = real(*args, **kwargs)
            if mine and not before:
                self._wait()
            return result

        setattr(store, method, held)  # on this instance only: the services share it

    def _wait(self) -> None:
        self.reached.set()
        assert self.released.wait(HOLD_S), "the test never released the worker"


def final_save(photo: Any) -> bool:
    return getattr(photo, "status", None) in ("done", "needs_input")


# Where the worker is held: (repository.method of the store, hold before the call?, which call, whether the owner
# already has a person the photo's face joins). Without one the face makes a new person and a "Who is this?"
# question.
POINTS = {
    "faces stored, no person yet": ("faces.add_faces", False, lambda *a, **k: True, False),
    "a new person made": ("faces.add_person", False, lambda *a, **k: True, False),
    "a question asked": ("questions.add_question", False, lambda *a, **k: True, False),
    "a face joined a person": ("faces.save_person", False, lambda *a, **k: True, True),
    "results about to be saved": ("photos.save_photo", True, final_save, True),
}


def process_while(container: Any, photo_id: str, point: str, action: Callable[[], None]) -> list[BaseException]:
    """Process photo_id in a worker thread held at point; run action (the owner's request) while it is held;
    then let the worker finish. Returns what the worker raised (nothing, as a rule)."""
    where, before, when, _ = POINTS[point]
    repository, method = where.split(".")
    hold = Hold(getattr(container.store, repository), method, before=before, when=when)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            container.processing.process(photo_id)
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=work, name="worker")
    worker.start()
    try:
        while not hold.reached.wait(0.05) and worker.is_alive():
            pass
        assert hold.reached.is_set(), f"the worker never reached {point!r} ({errors})"
        action()
    finally:
        hold.released.set()
        worker.join(HOLD_S)
    assert not worker.is_alive()
    return errors


# --- listing everything of a user -------------------------------------------------------------------------


def every_face_id(store: Any, owner_id: str) -> set[str]:
    """Every face item/row of the owner, whatever photo or person it points at."""
    if hasattr(store, "client"):  # DynamoDB: the owner's faces index (GSI3)
        from cloudalbum.adapters.aws import keys as K

        items = store.table.query(index="GSI3", pk_name="GSI3PK", pk=K.owner_faces_pk(owner_id), sk_name="GSI3SK")
        return {it["PK"]["S"].split("#", 1)[1] for it in items}
    rows = store.db.read().execute("SELECT id FROM faces WHERE owner_id = ?", (owner_id,)).fetchall()
    return {r[0] for r in rows}


def questions_of(store: Any, photo_ids: list[str]) -> list[Any]:
    return [q for pid in photo_ids for q in store.questions.questions_for_photo(pid)]


def inventory(container: Any, owner_id: str, photo_ids: list[str]) -> dict[str, Any]:
    """Everything of the owner: photos, faces, people, questions, blob keys."""
    store = container.store
    return {
        "photos": sorted(p.id for p in store.photos.list_photos(owner_id, limit=200).items),
        "faces": every_face_id(store, owner_id),
        "people": sorted((p.id, p.face_count, p.photo_count) for p in store.faces.people_of_owner(owner_id)),
        "questions": sorted((q.id, q.photo_id, q.status, q.person_id) for q in questions_of(store, photo_ids)),
        "blobs": sorted([*container.blobs.keys(f"originals/{owner_id}/"),
                         *container.blobs.keys(f"thumbnails/{owner_id}/")]),
        "face_lists": {p.id: [f.id for f in p.faces] for p in store.photos.list_photos(owner_id, limit=200).items},
    }


def no_face() -> bytes:
    return jpeg(Image.new("RGB", (640, 480), (40, 120, 200)))


def setup(container: Any, app: Any, point: str) -> tuple[User, User, str, str, dict[str, Any]]:
    """alice has one processed photo (of the face, when the point needs a person to join) and uploads a photo
    of the face; bob has one processed photo of it. Returns (alice, bob, alice's first photo, the photo to race
    on, bob's inventory)."""
    alice, bob = User(app, "alice@example.com"), User(app, "bob@example.com")
    first = alice.upload(astronaut() if POINTS[point][3] else no_face())
    container.processing.process(first)
    bobs = bob.upload(astronaut())
    container.processing.process(bobs)
    before_bob = inventory(container, bob.id, [bobs])
    assert before_bob["faces"] and before_bob["people"], "the model found no face: the test would prove nothing"
    return alice, bob, first, alice.upload(astronaut(mirrored=True)), before_bob


@pytest.mark.parametrize("point", list(POINTS))
def test_deleting_a_photo_while_its_faces_are_grouped_leaves_nothing(shape: Any, point: str) -> None:
    container, app = shape
    alice, bob, first, racing, before_bob = setup(container, app, point)
    first_faces = every_face_id(container.store, alice.id)

    def delete() -> None:
        r = alice("DELETE", f"/api/photos/{racing}?permanent=true")
        assert r.status_code == 204, r.get_data(as_text=True)

    assert process_while(container, racing, point, delete) == []
    got = inventory(container, alice.id, [first, racing])
    assert got["photos"] == [first]
    assert got["faces"] == first_faces  # none of the deleted photo's
    # the person has the first photo's face alone (or, when there was none, no person is left)
    assert [(c, p) for _, c, p in got["people"]] == ([(1, 1)] if first_faces else [])
    assert all(pid == first for _, pid, _, _ in got["questions"])
    assert not [k for k in got["blobs"] if racing in k]  # original, thumbnails, face crops: all gone
    crops = [k for k in got["blobs"] if "/face-" in k]
    assert sorted(k.rsplit("face-", 1)[1][:-4] for k in crops) == sorted(first_faces)
    assert set(got["face_lists"][first]) == first_faces
    assert inventory(container, bob.id, [before_bob["photos"][0]]) == before_bob


@pytest.mark.parametrize("point", list(POINTS))
def test_trashing_a_photo_while_it_is_processed_keeps_it_in_the_trash(shape: Any, point: str) -> None:
    """Issue 15: a photo moved to the trash while a worker processes it stays there (the worker's save does not
    bring it back), its faces are not counted in people, and a restore brings it back and queues it again."""
    container, app = shape
    alice, _bob, first, racing, _before_bob = setup(container, app, point)
    first_faces = every_face_id(container.store, alice.id)

    def trash() -> None:
        r = alice("DELETE", f"/api/photos/{racing}")
        assert r.status_code == 204, r.get_data(as_text=True)

    assert process_while(container, racing, point, trash) == []
    got = inventory(container, alice.id, [first, racing])
    assert got["photos"] == [first]
    assert alice("GET", f"/api/photos/{racing}").status_code == 404
    assert [p["id"] for p in alice("GET", "/api/trash").get_json()["items"]] == [racing]
    assert sum(photos for _, _, photos in got["people"]) == (1 if first_faces else 0)  # the trash uncounted
    assert all(q["photo_id"] != racing for q in alice("GET", "/api/questions").get_json()["items"])
    assert alice("POST", f"/api/trash/{racing}/restore").status_code == 200
    assert racing in [p["id"] for p in alice("GET", "/api/photos").get_json()["items"]]


@pytest.mark.parametrize("point", list(POINTS))
def test_turning_faces_off_while_a_photo_is_in_flight_leaves_no_face_data(shape: Any, point: str) -> None:
    container, app = shape
    alice, bob, first, racing, before_bob = setup(container, app, point)

    def turn_off() -> None:
        r = alice("PATCH", "/api/me/settings", json={"face_grouping": False})
        assert r.status_code == 200 and r.get_json() == {"face_grouping": False, "timezone": None}, r.get_data(as_text=True)

    assert process_while(container, racing, point, turn_off) == []
    got = inventory(container, alice.id, [first, racing])
    assert got["photos"] == sorted([first, racing])
    assert got["faces"] == set() and got["people"] == []
    # no "Who is this?" about a group of faces (with grouping off, a photo with people in it may be asked
    # "Who is in this photo?" as before faces existed: that question names no person)
    assert [q for q in got["questions"] if q[2] == "open" and q[3]] == []
    assert [k for k in got["blobs"] if "/face-" in k] == []
    assert got["face_lists"] == {first: [], racing: []}
    assert alice("GET", f"/api/photos/{racing}").get_json()["faces"] == []
    assert alice("GET", "/api/people").get_json()["items"] == []
    assert inventory(container, bob.id, [before_bob["photos"][0]]) == before_bob
