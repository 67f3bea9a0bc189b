"""Processing through the real embedded adapters (SQLite store, file blobs) and the SQS batch handler."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cloudalbum.domain.errors import ModelUnavailable, StorageUnavailable
from cloudalbum.domain.model import Label, Location, Source
from cloudalbum.entrypoints.api.views import photo_json
from cloudalbum.entrypoints.handler import handle
from cloudalbum.services.processing import Outcome

from .helpers import add_photo, photo_bytes

pytestmark = pytest.mark.corpus

PHOTO_KEYS = {"id", "filename", "status", "error", "content_type", "bytes", "width", "height", "taken_at",
              "uploaded_at", "camera", "location", "labels", "categories", "answers", "albums", "title",
              "description", "model"}


def sqs_record(photo_id: str, *, message_id: str = "m1", receive_count: int = 1, force: bool = False,
               body: Any = None) -> dict[str, Any]:
    job = {"type": "process_photo", "photo_id": photo_id, **({"force": True} if force else {})}
    return {"messageId": message_id, "receiptHandle": f"rh-{message_id}",
            "body": json.dumps(job) if body is None else body,
            "attributes": {"ApproximateReceiveCount": str(receive_count)}, "eventSource": "aws:sqs"}


def test_processed_photo_has_the_api_shape(pipeline_container: Any) -> None:
    c = pipeline_container
    photo = add_photo(c, photo_bytes("gps/FujiFilm FinePixS2Pro.jpg"), filename="FinePixS2Pro.jpg")
    assert c.processing.process(photo.id) in (Outcome.DONE, Outcome.NEEDS_INPUT)
    got = c.store.photos.get_photo(photo.id, None)
    body = photo_json(got)
    assert PHOTO_KEYS <= set(body)
    assert body["status"] in ("done", "needs_input") and body["error"] is None
    assert (body["width"], body["height"]) == (600, 400)
    # no EXIF offset, no GPS time: the zone at its GPS position (Paris in August, CEST)
    assert body["taken_at"] == "2002-08-24T13:59:08+02:00" and body["taken_offset_source"] == "gps_zone"
    assert body["camera"] == {"make": "FUJIFILM", "model": "FinePixS2Pro"}
    loc = body["location"]
    assert loc["lat"] == pytest.approx(48.85783, abs=1e-5) and loc["lon"] == pytest.approx(2.297, abs=1e-5)
    assert loc["source"] == "exif" and loc["place"]["city"] == "Paris" and loc["place"]["country_code"] == "FR"
    assert body["model"] == {"name": "yolov8n", "version": c.detector.version}
    for size in ("small", "large"):
        assert c.blobs.get(got.thumbnail_keys[size])[:3] == b"\xff\xd8\xff"
        assert got.thumbnail_keys[size] == f"thumbnails/{got.owner_id}/{got.id}/{size}.jpg"
    assert got.processed_version == f"yolov8n@{c.detector.version}"


def test_bus_labels_and_categories(pipeline_container: Any) -> None:
    c = pipeline_container
    photo = add_photo(c, photo_bytes("objects/bus.jpg"))
    c.processing.process(photo.id)
    got = c.store.photos.get_photo(photo.id, None)
    labels = {lbl.name: lbl for lbl in got.labels}
    assert labels["bus"].count == 1 and labels["person"].count == 4
    assert all(lbl.source == "model" and lbl.model == f"yolov8n@{c.detector.version}" for lbl in got.labels)
    assert {"people", "vehicles"} <= set(got.categories)
    assert got.location is None and got.taken_at is None


def test_redelivery_never_duplicates_labels_and_keeps_user_edits(pipeline_container: Any) -> None:
    c = pipeline_container
    photo = add_photo(c, photo_bytes("objects/dog.jpg"))
    c.processing.process(photo.id)
    first = c.store.photos.get_photo(photo.id, None)
    assert c.processing.process(photo.id) == Outcome.SKIPPED  # same model version: nothing to do
    # the user edits, then a forced reprocess (or a redelivered forced message) runs twice
    first.user_fields = ["taken_at", "location"]
    first.taken_at = "1999-12-31T23:59:00"
    first.location = Location(lat=1.5, lon=2.5, source=Source.USER.value)
    first.labels.append(Label(name="puppy", confidence=1.0, source=Source.USER.value))
    first.rejected_labels = ["bicycle"]
    c.store.photos.save_photo(first)
    for _ in range(2):
        c.processing.process(photo.id, force=True)
    again = c.store.photos.get_photo(photo.id, None)
    names = [lbl.name for lbl in again.labels]
    assert len(names) == len(set(names))
    assert sorted(n for n in names if n != "puppy") == sorted(lbl.name for lbl in first.labels if lbl.name != "puppy")
    assert "puppy" in names and again.rejected_labels == ["bicycle"]
    assert again.taken_at == "1999-12-31T23:59:00" and again.location.lat == 1.5 and again.location.source == "user"
    assert "bicycle" not in [lbl.name for lbl in again.visible_labels()]


def test_undecodable_photo_fails_at_once_with_a_reason(pipeline_container: Any) -> None:
    c = pipeline_container
    photo = add_photo(c, b"\xff\xd8\xff\xe0 not really a jpeg" * 10)
    assert c.processing.process(photo.id) == Outcome.FAILED
    got = c.store.photos.get_photo(photo.id, None)
    assert got.status == "failed" and got.error.startswith("could not decode the image")


def test_gone_photo_is_acknowledged(pipeline_container: Any) -> None:
    assert pipeline_container.processing.process("no-such-photo") == Outcome.GONE
    assert handle({"Records": [sqs_record("no-such-photo")]}, container=pipeline_container) == {
        "batchItemFailures": []}


def test_handler_partial_batch_failure(pipeline_container: Any) -> None:
    """One corrupt photo, one good one, one poison message and one transient failure in one batch."""
    c = pipeline_container
    good = add_photo(c, photo_bytes("objects/chelsea.png"))
    corrupt = add_photo(c, photo_bytes("bad/empty.jpeg"))
    flaky = add_photo(c, photo_bytes("objects/dog.jpg"))
    real_get = c.blobs.get

    def get(key: str) -> bytes:  # boundary stand-in: a storage outage we cannot cause for real in a test
        if key == flaky.original_key:
            raise StorageUnavailable("the blob store is not answering")
        return real_get(key)

    c.blobs.get = get  # type: ignore[method-assign]
    event = {"Records": [sqs_record(good.id, message_id="a"), sqs_record(corrupt.id, message_id="b"),
                         sqs_record("x", message_id="c", body="{not json"),
                         sqs_record("x", message_id="d", body=json.dumps({"type": "resize_everything"})),
                         sqs_record(flaky.id, message_id="e")]}
    out = handle(event, container=c)
    assert sorted(f["itemIdentifier"] for f in out["batchItemFailures"]) == ["c", "d", "e"]
    assert c.store.photos.get_photo(good.id, None).status in ("done", "needs_input")
    assert "cat" in {lbl.name for lbl in c.store.photos.get_photo(good.id, None).labels}
    assert c.store.photos.get_photo(corrupt.id, None).status == "failed"  # deterministic: acknowledged
    assert c.store.photos.get_photo(flaky.id, None).status == "processing"  # transient: retried, not failed yet


def test_last_receive_marks_failed_with_a_reason(pipeline_container: Any) -> None:
    c = pipeline_container
    photo = add_photo(c, photo_bytes("objects/dog.jpg"))
    real_put = c.blobs.put

    def put(key: str, data: Any, *, content_type: str, durable: bool = True) -> int:  # stand-in: a full disk
        if key.startswith("thumbnails/"):
            raise StorageUnavailable("no space left on the device", insufficient_storage=True)
        return real_put(key, data, content_type=content_type, durable=durable)

    c.blobs.put = put  # type: ignore[method-assign]
    last = c.settings.max_receives
    out = handle({"Records": [sqs_record(photo.id, receive_count=last - 1)]}, container=c)
    assert out["batchItemFailures"] == [{"itemIdentifier": "m1"}]
    assert c.store.photos.get_photo(photo.id, None).status == "processing"
    out = handle({"Records": [sqs_record(photo.id, receive_count=last)]}, container=c)
    assert out["batchItemFailures"] == [{"itemIdentifier": "m1"}]
    got = c.store.photos.get_photo(photo.id, None)
    assert got.status == "failed" and "no space left" in got.error and f"{last} attempts" in got.error
    c.blobs.put = real_put  # type: ignore[method-assign]
    assert c.processing.process(photo.id, force=True) in (Outcome.DONE, Outcome.NEEDS_INPUT)  # reprocess works


def test_handler_ignores_events_that_are_not_sqs(pipeline_container: Any) -> None:
    assert handle({"hello": "world"}, container=pipeline_container) == {"batchItemFailures": []}


def test_handler_leaves_work_for_later_near_the_deadline(pipeline_container: Any) -> None:
    class AlmostOut:
        def get_remaining_time_in_millis(self) -> int:
            return 1000

    c = pipeline_container
    first, second = add_photo(c, photo_bytes("objects/chelsea.png")), add_photo(c, photo_bytes("objects/dog.jpg"))
    out = handle({"Records": [sqs_record(first.id, message_id="m1"), sqs_record(second.id, message_id="m2")]},
                 AlmostOut(), container=c)
    assert out == {"batchItemFailures": [{"itemIdentifier": "m2"}]}  # the first always runs: progress
    assert c.store.photos.get_photo(first.id, None).status in ("done", "needs_input")
    assert c.store.photos.get_photo(second.id, None).status == "uploaded"


def test_handler_builds_its_container_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    import cloudalbum.entrypoints.handler as handler_module

    monkeypatch.setenv("CLOUDALBUM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(handler_module, "_container", None)
    c = handler_module.default_container()
    try:
        assert c is handler_module.default_container()  # cached across invocations
        assert c.settings.data_dir == tmp_path / "data"
    finally:
        c.close()


def test_every_corpus_file_reaches_a_final_status(pipeline_container: Any) -> None:
    """Whatever the bytes (empty, not an image, bomb, truncated, HEIC named .jpg, CMYK, 16-bit, MPO...),
    processing ends in done, needs_input or failed with a reason; it never raises."""
    from .helpers import corpus_files

    c = pipeline_container
    owner = None
    for rel in corpus_files("gps", "objects", "bad"):
        photo = add_photo(c, photo_bytes(rel), filename=rel, owner_id=owner)
        owner = photo.owner_id
        outcome = c.processing.process(photo.id)
        got = c.store.photos.get_photo(photo.id, None)
        assert got.status == outcome and outcome in ("done", "needs_input", "failed"), rel
        if outcome == "failed":
            assert got.error and got.error.startswith("could not decode the image"), (rel, got.error)
        else:
            assert got.width and got.height and set(got.thumbnail_keys) == {"small", "large"}, rel
        assert "\x00" not in json.dumps(photo_json(got)), rel


def test_a_concurrent_user_edit_survives_the_final_save(pipeline_container: Any) -> None:
    """The user edits the photo while it is being processed (a real second write through the store): the
    final save loses the optimistic race, reloads, re-applies the results and keeps the user's edit."""
    from cloudalbum.services.processing import ProcessingService

    c = pipeline_container
    photo = add_photo(c, photo_bytes("gps/DSCN0010.jpg"))

    class EditingDuringQuestions:
        calls = 0

        def ask_about(self, p: Any) -> int:
            self.calls += 1
            if self.calls == 1:  # the user's PATCH lands between our read and our write
                fresh = c.store.photos.get_photo(p.id, None)
                fresh.title, fresh.taken_at = "Arezzo at dusk", "2008-10-22T18:00:00"
                fresh.user_fields = ["title", "taken_at"]
                c.store.photos.save_photo(fresh)
            return 1

    questions = EditingDuringQuestions()
    service = ProcessingService(c.store.photos, c.blobs, lambda: c.detector, c.geocoder, questions, c.settings)
    assert service.process(photo.id) == Outcome.NEEDS_INPUT
    got = c.store.photos.get_photo(photo.id, None)
    assert got.title == "Arezzo at dusk" and got.taken_at == "2008-10-22T18:00:00"  # the user's edit won
    assert got.location is not None and got.location.place.city == "Arezzo"  # our results are there too
    assert got.status == "needs_input" and got.thumbnail_keys and questions.calls == 1  # asked once


def test_photo_deleted_during_processing_leaves_nothing(pipeline_container: Any) -> None:
    from cloudalbum.services.processing import ProcessingService

    c = pipeline_container
    photo = add_photo(c, photo_bytes("objects/chelsea.png"))

    class DeletingDuringQuestions:
        def ask_about(self, p: Any) -> int:  # the user deletes the photo while it is being processed
            c.store.photos.delete_photo(p.id)
            return 0

    service = ProcessingService(c.store.photos, c.blobs, lambda: c.detector, c.geocoder, DeletingDuringQuestions(),
                                c.settings)
    assert service.process(photo.id) == Outcome.GONE
    assert c.store.photos.get_photo(photo.id, None) is None
    assert list(c.blobs.keys(f"thumbnails/{photo.owner_id}/")) == []


def test_warm_up_loads_model_and_places(settings: Any) -> None:
    from cloudalbum import bootstrap
    from cloudalbum.adapters.ml.geocoder import OfflineGeocoder
    from cloudalbum.entrypoints.handler import warm_up

    geocoder = OfflineGeocoder()
    c = bootstrap.build(settings, geocoder=geocoder)
    try:
        warm_up(c)
        assert "detector" in c.__dict__ and geocoder._small is not None and geocoder._big is not None
    finally:
        c.close()
    broken = bootstrap.build(settings.with_(model_path=str(settings.data_dir / "missing.onnx")))
    with pytest.raises(ModelUnavailable, match="cannot read the model file"):
        warm_up(broken)


def test_last_attempt_is_failed_while_it_runs_then_done(pipeline_container: Any) -> None:
    """If the last allowed attempt dies (SIGKILL, OOM) nothing could record it afterwards: the photo is marked
    failed, with a reason, before the work starts; the attempt succeeding overwrites it."""
    from cloudalbum.services.processing import ProcessingService

    c = pipeline_container
    photo = add_photo(c, photo_bytes("objects/chelsea.png"))
    seen: list[tuple[str, str | None]] = []

    class Peek:
        def ask_about(self, p: Any) -> int:  # what a reader sees while the last attempt runs
            stored = c.store.photos.get_photo(p.id, None)
            seen.append((stored.status, stored.error))
            return 0

    service = ProcessingService(c.store.photos, c.blobs, lambda: c.detector, c.geocoder, Peek(), c.settings)
    assert service.process(photo.id, receive_count=c.settings.max_receives) == Outcome.DONE
    assert seen[0][0] == "failed" and "did not complete in" in seen[0][1]
    got = c.store.photos.get_photo(photo.id, None)
    assert got.status == "done" and got.error is None


@pytest.mark.parametrize("body", [{"type": "scan_faces"}, {"type": "scan_faces", "owner_id": ""},
                                  {"type": "scan_faces", "owner_id": "u", "cursor": 5},
                                  {"type": "scan_faces", "owner_id": "x" * 201}])
def test_malformed_scan_jobs_are_poison(pipeline_container: Any, body: dict[str, Any]) -> None:
    out = handle({"Records": [sqs_record("x", message_id="p", body=json.dumps(body))]}, container=pipeline_container)
    assert out["batchItemFailures"] == [{"itemIdentifier": "p"}]


def test_a_scan_job_for_an_account_without_photos_ends_quietly(pipeline_container: Any) -> None:
    body = json.dumps({"type": "scan_faces", "owner_id": "nobody"})
    assert handle({"Records": [sqs_record("x", message_id="s", body=body)]}, container=pipeline_container) == {
        "batchItemFailures": []}
    assert pipeline_container.queue.depth().visible == 0
