"""SqliteJobQueue against the JobQueue contract, plus SQLite-only promises (durability across reopen,
consumers in several processes)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cloudalbum.adapters.embedded.queue import SqliteJobQueue
from contract.queue_contract import JobQueueContract


class TestSqliteJobQueue(JobQueueContract):
    @pytest.fixture
    def make_queue(self, tmp_path: Path) -> Iterator[Callable[..., Any]]:
        made: list[SqliteJobQueue] = []

        def make(*, visibility_timeout_s: int, max_receives: int) -> SqliteJobQueue:
            q = SqliteJobQueue(tmp_path / f"queue{len(made)}.sqlite3", visibility_timeout_s=visibility_timeout_s,
                               max_receives=max_receives)
            made.append(q)
            return q

        yield make
        for q in made:
            q.close()


def test_messages_survive_reopen(tmp_path: Path) -> None:
    q = SqliteJobQueue(tmp_path / "q.sqlite3", visibility_timeout_s=30, max_receives=3)
    mid = q.send({"photo_id": "p"})
    q.close()
    q = SqliteJobQueue(tmp_path / "q.sqlite3", visibility_timeout_s=30, max_receives=3)
    [msg] = q.receive(wait_s=1)
    assert msg.id == mid and msg.attributes["ApproximateReceiveCount"] == "1"
    assert int(msg.attributes["SentTimestamp"]) > 0
    q.close()


def test_named_queues_share_a_file_without_mixing(tmp_path: Path) -> None:
    a = SqliteJobQueue(tmp_path / "q.sqlite3", visibility_timeout_s=30, max_receives=3, name="a")
    b = SqliteJobQueue(tmp_path / "q.sqlite3", visibility_timeout_s=30, max_receives=3, name="b")
    a.send({"q": "a"})
    assert b.receive(wait_s=0) == []
    assert [m.body for m in a.receive(wait_s=0)] == [{"q": "a"}]
    a.close()
    b.close()


def test_redrive_dead_letters(tmp_path: Path) -> None:
    q = SqliteJobQueue(tmp_path / "q.sqlite3", visibility_timeout_s=0, max_receives=1)
    q.send({"n": 1})
    assert len(q.receive(wait_s=0)) == 1
    assert q.receive(wait_s=0) == [] and q.depth().dead == 1
    assert q.redrive_dead() == 1
    [msg] = q.receive(wait_s=0)
    assert msg.receive_count == 1
    q.close()


def _consume(path: str, out: Any) -> None:
    q = SqliteJobQueue(Path(path), visibility_timeout_s=60, max_receives=3)
    idle = 0
    while idle < 3:
        batch = q.receive(max_messages=2, wait_s=0.3)
        idle = 0 if batch else idle + 1
        for m in batch:
            out.put(m.body["n"])
            q.delete(m.receipt_handle)
    q.close()


def test_consumers_in_several_processes_share_the_work_exactly_once(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    q = SqliteJobQueue(path, visibility_timeout_s=60, max_receives=3)
    for i in range(40):
        q.send({"n": i})
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_consume, args=(str(path), out)) for _ in range(3)]
    for p in procs:
        p.start()
    got = [out.get(timeout=60) for _ in range(40)]
    for p in procs:
        p.join(60)
    assert sorted(got) == list(range(40))
    assert q.depth().visible == 0 and q.depth().in_flight == 0
    q.close()
