"""Text in photos end to end, embedded shape (issue 17, phase 2): a painted photo uploaded over the API is
processed (done), which queues a read_text job; the job reads the words (real rapidocr models), stores them on
the photo, and then `q=` and `text=` find it — for its owner only. The job is idempotent per model, leaves a
deleted photo alone, and reading text can be turned off."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cloudalbum import bootstrap
from cloudalbum.adapters.ml.text_reader import RapidTextReader
from cloudalbum.config import Settings
from cloudalbum.domain.jobs import ReadText
from cloudalbum.domain.model import Photo
from support import drain, fast_hashing

from .conftest import needs_fonts
from .painted import paint

PHRASES = ["HOTEL CENTRAL", "Notruf 112"]


@pytest.fixture
def container(settings: Settings, reader: RapidTextReader) -> Iterator[bootstrap.Container]:
    c = bootstrap.build(settings, text_reader=reader)  # one reader per session (loading it is the slow part)
    fast_hashing(c)
    yield c
    c.close()


def painted_jpeg() -> bytes:
    needs_fonts()
    image = paint("coffee", size=64, angle=0, style="sign", phrases=PHRASES).image
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=92)
    return buf.getvalue()


def search(user: Any, **params: str) -> list[str]:
    r = user.request("GET", "/api/search", query_string=params)
    assert r.status_code == 200, r.get_json()
    return [p["id"] for p in r.get_json()["items"]]


def test_a_painted_photo_is_read_after_it_is_done_and_found_by_its_words(
        container: bootstrap.Container, alice: Any, bob: Any) -> None:
    r = alice.upload(painted_jpeg(), "coffee-sign.jpg")
    assert r.status_code == 202, r.get_json()
    pid = r.get_json()["id"]
    assert r.get_json()["text"] is None  # not read yet

    assert drain(container) == ["process_photo", "read_text"]  # text comes after the photo is final
    body = alice.request("GET", f"/api/photos/{pid}").get_json()
    assert body["status"] in ("done", "needs_input")
    text = body["text"]
    assert text["model"].startswith("rapidocr:PP-OCRv6_det_small@")
    read = " ".join(line["text"] for line in text["lines"]).upper()
    assert "HOTEL" in read and "NOTRUF" in read, text
    for line in text["lines"]:
        assert set(line) == {"text", "confidence", "box"} and 0 < line["confidence"] <= 1
        box = line["box"]
        assert 0 <= box["x"] < body["width"] and 0 <= box["y"] < body["height"] and box["w"] > 0 < box["h"]

    assert search(alice, q="notruf") == [pid]
    assert search(alice, text="Hotel central") == [pid]
    assert search(alice, text="hotel") == [pid]
    assert search(alice, text="hote") == []  # whole words
    assert search(alice, text="hotel paris") == []  # every word
    page = alice.request("GET", "/api/search", query_string={"text": "notruf"}).get_json()
    assert page["items"][0]["match"]["reasons"] == ["text 'notruf'"]
    assert page["interpretation"]["text"] == ["notruf"]
    assert search(bob, q="notruf") == [] and search(bob, text="notruf") == []  # another user sees nothing

    # idempotent per model: the same job again writes nothing
    version = _photo(container, pid).version
    assert container.text.read(pid, _owner(container, pid)) == "skipped: read"
    assert _photo(container, pid).version == version


def _photo(container: bootstrap.Container, pid: str) -> Photo:
    photo = container.store.photos.get_photo(pid, None)
    assert photo is not None
    return photo


def _owner(container: bootstrap.Container, pid: str) -> str:
    return _photo(container, pid).owner_id


def test_text_search_rejects_a_value_without_words(alice: Any) -> None:
    for bad in ("!!!", "  -  "):
        r = alice.request("GET", "/api/search", query_string={"text": bad})
        assert r.status_code == 422 and r.get_json()["error"]["code"] == "invalid_text", r.get_json()
    r = alice.request("GET", "/api/search", query_string={"text": "x" * 501})
    assert r.status_code in (400, 422)


def test_a_deleted_photo_and_another_owner_are_left_alone(container: bootstrap.Container, alice: Any) -> None:
    pid = alice.upload(painted_jpeg(), "sign.jpg").get_json()["id"]
    assert drain(container) == ["process_photo", "read_text"]
    owner = _owner(container, pid)
    assert container.text.read(pid, "someone-else") == "gone"  # the job names the owner: no one else's photo
    assert alice.request("DELETE", f"/api/photos/{pid}").status_code == 204
    assert container.text.read(pid, owner) == "gone"
    assert container.store.photos.get_photo(pid, None) is None


def test_reading_text_off_queues_no_job_and_the_job_does_nothing(tmp_path: Path, reader: RapidTextReader) -> None:
    from cloudalbum.entrypoints.api import create_app

    off = Settings(data_dir=tmp_path / "off", workers=0, env="development", read_text=False)
    c = bootstrap.build(off, text_reader=reader)
    fast_hashing(c)
    try:
        app = create_app(c)
        app.config["TESTING"] = True
        from conftest import ApiUser

        user = ApiUser(app.test_client(), "off@example.com", "correct horse battery")
        pid = user.upload(painted_jpeg(), "sign.jpg").get_json()["id"]
        assert drain(c) == ["process_photo"]
        assert user.request("GET", f"/api/photos/{pid}").get_json()["text"] is None
        assert c.text.read(pid, _owner(c, pid)) == "skipped: reading text is off"
        c.queue.send(ReadText(pid, _owner(c, pid)).to_body())  # one queued before the setting changed
        assert drain(c) == ["read_text"]
        assert _photo(c, pid).text is None
    finally:
        c.close()


def test_a_lost_read_text_job_is_sent_again_by_the_redelivered_processing(container: bootstrap.Container,
                                                                          alice: Any) -> None:
    """The read_text job is sent after the photo's final save; if that send failed the processing message is
    redelivered, finds the photo done, and sends the job then (only while the text is not read)."""
    pid = alice.upload(painted_jpeg(), "sign.jpg").get_json()["id"]
    [process] = container.queue.receive(max_messages=10)
    assert container.processing.process(pid) in ("done", "needs_input")
    container.queue.delete(process.receipt_handle)
    [lost] = container.queue.receive(max_messages=10)
    container.queue.delete(lost.receipt_handle)  # the read_text job never arrives
    assert container.processing.process(pid) == "skipped"
    assert drain(container) == ["read_text"]
    assert _photo(container, pid).text is not None
    assert container.processing.process(pid) == "skipped"
    assert drain(container) == []  # read: nothing more is sent


def test_the_workers_warm_up_loads_the_reader_once_and_only_when_reading_text(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from cloudalbum.entrypoints.handler import warm_up

    loads: list[dict[str, Any]] = []

    def load(cls: type, **kw: Any) -> str:
        loads.append(kw)
        return "the reader"

    monkeypatch.setattr(RapidTextReader, "load", classmethod(load))
    for on in (True, False):
        settings = Settings(data_dir=tmp_path / str(on), workers=0, faces=False, read_text=on, text_long_side=640)
        c = bootstrap.build(settings, detector=object(), geocoder=object())
        warm_up(c)
        warm_up(c)
        assert (c.text_reader if on else None) in ("the reader", None)
    assert loads == [{"detect_long_side": 640}]  # once per process, at the configured size; none when off


def test_the_text_long_side_setting_is_checked() -> None:
    from cloudalbum.config import ConfigError, from_env

    assert from_env({"CLOUDALBUM_READ_TEXT": "0", "CLOUDALBUM_TEXT_LONG_SIDE": "960"}).read_text is False
    assert from_env({}).read_text is True and from_env({}).text_long_side == 800
    with pytest.raises(ConfigError, match="CLOUDALBUM_TEXT_LONG_SIDE"):
        Settings(text_long_side=10).validate()
