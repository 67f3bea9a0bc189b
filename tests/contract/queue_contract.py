"""The JobQueue contract: SQS's promises, which every queue (SQLite, SQS) keeps.

Timing-dependent cases use a small visibility timeout and sleep past it; nothing asserts on speed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

VT = 1  # seconds: the visibility timeout of the timing cases
PAST_VT = VT + 0.6  # sleep this long to be sure a message became visible again


class JobQueueContract:
    """Subclasses supply `make_queue(visibility_timeout_s=..., max_receives=...)` returning a fresh, empty, real
    queue (with its dead-letter queue). Everything else derives from it."""

    @pytest.fixture
    def make_queue(self) -> Callable[..., Any]:
        raise NotImplementedError("a subclass supplies the adapter under test")

    @pytest.fixture
    def queue(self, make_queue: Callable[..., Any]) -> Any:
        return make_queue(visibility_timeout_s=VT, max_receives=5)

    def test_send_receive_delete(self, queue: Any) -> None:
        mid = queue.send({"photo_id": "p1", "n": [1, 2]})
        [msg] = queue.receive(max_messages=10, wait_s=2)
        assert (msg.id, msg.body, msg.receive_count) == (mid, {"photo_id": "p1", "n": [1, 2]}, 1)
        queue.delete(msg.receipt_handle)
        time.sleep(PAST_VT)
        assert queue.receive(wait_s=0) == []

    def test_received_message_is_invisible(self, make_queue: Callable[..., Any]) -> None:
        q = make_queue(visibility_timeout_s=60, max_receives=5)
        q.send({"n": 1})
        assert len(q.receive(wait_s=2)) == 1
        assert q.receive(wait_s=0) == []

    def test_max_messages(self, make_queue: Callable[..., Any]) -> None:
        q = make_queue(visibility_timeout_s=60, max_receives=5)
        for i in range(5):
            q.send({"n": i})
        got: list[Any] = []
        while len(got) < 5:
            batch = q.receive(max_messages=2, wait_s=2)
            assert 1 <= len(batch) <= 2
            got += batch
        assert sorted(m.body["n"] for m in got) == list(range(5))

    def test_two_consumers_never_share_an_invisible_message(self, make_queue: Callable[..., Any]) -> None:
        q = make_queue(visibility_timeout_s=60, max_receives=5)
        total = 24
        for i in range(total):
            q.send({"n": i})
        seen: list[int] = []
        lock = threading.Lock()

        def consume() -> None:
            idle = 0
            while idle < 3:
                batch = q.receive(max_messages=3, wait_s=0.5)
                idle = 0 if batch else idle + 1
                with lock:
                    seen.extend(m.body["n"] for m in batch)

        threads = [threading.Thread(target=consume) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(seen) == list(range(total))  # each exactly once while invisible

    def test_redelivered_after_visibility_timeout(self, queue: Any) -> None:
        mid = queue.send({"n": 1})
        [first] = queue.receive(wait_s=2)
        time.sleep(PAST_VT)
        [again] = queue.receive(wait_s=2)
        assert again.id == mid and again.body == {"n": 1}
        assert (first.receive_count, again.receive_count) == (1, 2)
        assert again.receipt_handle != first.receipt_handle

    def test_stale_receipt_handle_is_ignored(self, queue: Any) -> None:
        queue.send({"n": 1})
        [first] = queue.receive(wait_s=2)
        time.sleep(PAST_VT)
        [second] = queue.receive(wait_s=2, visibility_timeout_s=60)
        queue.delete(first.receipt_handle)  # stale: no error, no effect
        queue.change_visibility(first.receipt_handle, 0)
        assert queue.receive(wait_s=0) == []  # still invisible under the second receipt
        queue.change_visibility(second.receipt_handle, 0)  # the current handle works
        [third] = queue.receive(wait_s=2, visibility_timeout_s=60)  # the stale delete did not delete it
        assert third.id == second.id and third.receive_count == 3
        queue.delete(third.receipt_handle)
        queue.delete(second.receipt_handle)  # stale again: ignored
        time.sleep(PAST_VT)
        assert queue.receive(wait_s=0) == []

    def test_change_visibility_to_zero_releases(self, make_queue: Callable[..., Any]) -> None:
        q = make_queue(visibility_timeout_s=60, max_receives=5)
        q.send({"n": 1})
        [msg] = q.receive(wait_s=2)
        q.change_visibility(msg.receipt_handle, 0)
        [again] = q.receive(wait_s=2)
        assert again.id == msg.id and again.receive_count == 2

    def test_change_visibility_extends(self, queue: Any) -> None:
        queue.send({"n": 1})
        [msg] = queue.receive(wait_s=2)
        queue.change_visibility(msg.receipt_handle, 30)
        time.sleep(PAST_VT)
        assert queue.receive(wait_s=0) == []

    def test_receive_visibility_override(self, queue: Any) -> None:
        queue.send({"n": 1})
        queue.receive(wait_s=2, visibility_timeout_s=30)
        time.sleep(PAST_VT)
        assert queue.receive(wait_s=0) == []

    def test_delayed_send(self, queue: Any) -> None:
        queue.send({"n": "later"}, delay_s=2)
        assert queue.receive(wait_s=0) == []
        [msg] = queue.receive(wait_s=6)
        assert msg.body == {"n": "later"}

    def test_long_poll_wakes_for_a_new_message(self, queue: Any) -> None:
        timer = threading.Timer(0.3, lambda: queue.send({"n": "late"}))
        timer.start()
        try:
            msgs = queue.receive(wait_s=5)
        finally:
            timer.join()
        assert [m.body for m in msgs] == [{"n": "late"}]

    def test_dead_letter_after_max_receives(self, make_queue: Callable[..., Any]) -> None:
        q = make_queue(visibility_timeout_s=VT, max_receives=2)
        mid = q.send({"photo_id": "poison"})
        counts = []
        for _ in range(2):
            [msg] = q.receive(wait_s=2)
            counts.append(msg.receive_count)
            time.sleep(PAST_VT)
        assert counts == [1, 2]
        assert q.receive(wait_s=1) == []  # moved to the dead-letter queue, not delivered a third time
        dead = q.receive_dead(max_messages=10)
        assert [(m.id, m.body) for m in dead] == [(mid, {"photo_id": "poison"})]
        q.delete_dead(dead[0].receipt_handle)
        time.sleep(PAST_VT)
        assert q.receive_dead(max_messages=10) == []
        assert q.receive(wait_s=0) == []

    def test_depth(self, make_queue: Callable[..., Any]) -> None:
        q = make_queue(visibility_timeout_s=60, max_receives=5)
        for i in range(3):
            q.send({"n": i})
        assert q.receive(max_messages=1, wait_s=2)
        d = q.depth()
        assert (d.visible, d.in_flight, d.dead) == (2, 1, 0)
