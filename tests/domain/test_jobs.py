"""Jobs as typed values: the wire format the queue already holds is read and written unchanged, and a body
that is not a job raises MalformedJob (which the handler dead-letters: tests/pipeline/test_processing.py,
tests/reliability/test_poison.py)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from cloudalbum.domain.jobs import (
    JOB_TYPES,
    FingerprintLibrary,
    InferPlaces,
    Job,
    MalformedJob,
    ProcessPhoto,
    ReadText,
    RecomputeTrips,
    ScanFaces,
    job_from_body,
)
from cloudalbum.entrypoints.handler import HANDLERS, parse_job
from cloudalbum.ports.queue import message_group

# The bodies the senders wrote before jobs were typed (services/photos.py, maintenance.py, people.py), literally.
WIRE: list[tuple[dict[str, Any], Job]] = [
    ({"type": "process_photo", "photo_id": "p1", "owner_id": "u1"}, ProcessPhoto("p1", "u1")),
    ({"type": "process_photo", "photo_id": "p1", "owner_id": "u1", "force": True},
     ProcessPhoto("p1", "u1", force=True)),
    ({"type": "process_photo", "photo_id": "p1", "owner_id": "u1", "force": True, "scan_id": "s1"},
     ProcessPhoto("p1", "u1", force=True, scan_id="s1")),
    ({"type": "scan_faces", "owner_id": "u1", "scan_id": "s1"}, ScanFaces("u1", scan_id="s1")),
    ({"type": "scan_faces", "owner_id": "u1", "cursor": "c2", "scan_id": "s1"},
     ScanFaces("u1", cursor="c2", scan_id="s1")),
    ({"type": "scan_faces", "owner_id": "u1", "cursor": "c2"}, ScanFaces("u1", cursor="c2")),
    ({"type": "scan_faces", "owner_id": "u1"}, ScanFaces("u1")),
    ({"type": "read_text", "photo_id": "p1", "owner_id": "u1"}, ReadText("p1", "u1")),
    ({"type": "infer_places", "photo_id": "p1", "owner_id": "u1"}, InferPlaces("p1", "u1")),
    ({"type": "recompute_trips", "owner_id": "u1", "month": "2013-04"}, RecomputeTrips("u1", "2013-04")),
    ({"type": "fingerprint_library", "owner_id": "u1"}, FingerprintLibrary("u1")),
    ({"type": "fingerprint_library", "owner_id": "u1", "cursor": "c2"}, FingerprintLibrary("u1", "c2")),
]


@pytest.mark.parametrize(("body", "job"), WIRE)
def test_todays_wire_format_reads_and_writes_unchanged(body: dict[str, Any], job: Job) -> None:
    assert job_from_body(body) == job
    assert job_from_body(json.loads(json.dumps(body))) == job
    assert job.to_body() == body
    assert list(job.to_body()) == list(body)  # the same key order as before, too
    assert message_group(job.to_body()) == "u1"  # the queue's fairness group is still the owner


@pytest.mark.parametrize(("body", "job"), [
    ({"type": "process_photo", "photo_id": "p1"}, ProcessPhoto("p1")),  # queued before owners were recorded
    ({"type": "process_photo", "photo_id": "p1", "force": 1}, ProcessPhoto("p1", force=True)),
    ({"type": "process_photo", "photo_id": "p1", "force": False}, ProcessPhoto("p1")),
    ({"type": "process_photo", "photo_id": "p1", "owner_id": 7}, ProcessPhoto("p1")),  # no scan: never read
    ({"type": "scan_faces", "owner_id": "u1", "cursor": None}, ScanFaces("u1")),
    ({"type": "scan_faces", "owner_id": "u1", "later": "field"}, ScanFaces("u1")),  # unknown fields ignored
    ({"type": "read_text", "photo_id": "p1", "owner_id": "u1", "model": "later"}, ReadText("p1", "u1")),
])
def test_older_and_looser_bodies_are_still_read(body: dict[str, Any], job: Job) -> None:
    assert job_from_body(body) == job


def test_a_job_without_an_owner_has_no_fairness_group() -> None:
    assert ProcessPhoto("p1").to_body() == {"type": "process_photo", "photo_id": "p1"}
    assert message_group(ProcessPhoto("p1").to_body()) == ""


@pytest.mark.parametrize("job", [ProcessPhoto("p", "u"), ProcessPhoto("p", force=True, scan_id="s", owner_id="u"),
                                 ScanFaces("u"), ScanFaces("u", cursor="x" * 2000, scan_id="s"),
                                 ReadText("p", "u"), ReadText("p" * 200, "u" * 200), RecomputeTrips("u", "1999-12"),
                                 FingerprintLibrary("u", "x" * 2000)])
def test_round_trip(job: Job) -> None:
    assert job_from_body(job.to_body()) == job
    assert type(job).from_body(job.to_body()) == job


@pytest.mark.parametrize(("body", "reason"), [
    (None, "not a JSON object"),
    ([{"type": "process_photo", "photo_id": "p"}], "not a JSON object"),
    ("process_photo", "not a JSON object"),
    ({}, "unknown job type None"),
    ({"type": "no_such_job", "photo_id": "x"}, "unknown job type 'no_such_job'"),
    ({"type": ["process_photo"], "photo_id": "x"}, "unknown job type"),  # unhashable: still a clear error
    ({"type": "process_photo"}, "no valid photo_id"),
    ({"type": "process_photo", "photo_id": ""}, "no valid photo_id"),
    ({"type": "process_photo", "photo_id": 5}, "no valid photo_id"),
    ({"type": "process_photo", "photo_id": "x" * 201}, "no valid photo_id"),
    ({"type": "process_photo", "photo_id": "p", "scan_id": "s"}, "scan_id or owner_id"),
    ({"type": "process_photo", "photo_id": "p", "owner_id": "u", "scan_id": 3}, "scan_id or owner_id"),
    ({"type": "process_photo", "photo_id": "p", "owner_id": "u", "scan_id": ""}, "scan_id or owner_id"),
    ({"type": "scan_faces"}, "no valid owner_id or cursor"),
    ({"type": "scan_faces", "owner_id": ""}, "no valid owner_id or cursor"),
    ({"type": "scan_faces", "owner_id": "x" * 201}, "no valid owner_id or cursor"),
    ({"type": "scan_faces", "owner_id": "u", "cursor": 5}, "no valid owner_id or cursor"),
    ({"type": "scan_faces", "owner_id": "u", "cursor": ""}, "no valid owner_id or cursor"),
    ({"type": "scan_faces", "owner_id": "u", "cursor": "c" * 2001}, "no valid owner_id or cursor"),
    ({"type": "scan_faces", "owner_id": "u", "scan_id": "x" * 201}, "scan_id or owner_id"),
    ({"type": "read_text"}, "read_text job has no valid photo_id or owner_id"),
    ({"type": "read_text", "photo_id": "p"}, "no valid photo_id or owner_id"),  # the owner is required
    ({"type": "read_text", "owner_id": "u"}, "no valid photo_id or owner_id"),
    ({"type": "read_text", "photo_id": "", "owner_id": "u"}, "no valid photo_id or owner_id"),
    ({"type": "read_text", "photo_id": "p", "owner_id": 3}, "no valid photo_id or owner_id"),
    ({"type": "infer_places", "photo_id": "p"}, "infer_places job has no valid photo_id or owner_id"),
    ({"type": "read_text", "photo_id": "p" * 201, "owner_id": "u"}, "no valid photo_id or owner_id"),
    ({"type": "recompute_trips", "owner_id": "u"}, "recompute_trips job has no valid owner_id or month"),
    ({"type": "recompute_trips", "owner_id": "u", "month": "2013-13"}, "no valid owner_id or month"),
    ({"type": "recompute_trips", "owner_id": "u", "month": "2013-04-01"}, "no valid owner_id or month"),
    ({"type": "recompute_trips", "owner_id": "", "month": "2013-04"}, "no valid owner_id or month"),
    ({"type": "fingerprint_library"}, "fingerprint_library job has no valid owner_id or cursor"),
    ({"type": "fingerprint_library", "owner_id": "u", "cursor": 5}, "no valid owner_id or cursor"),
])
def test_malformed_bodies_raise_a_clear_error(body: Any, reason: str) -> None:
    with pytest.raises(MalformedJob, match=reason.replace("(", r"\(").replace("[", r"\[")):
        job_from_body(body)


def test_a_kind_reads_only_its_own_bodies() -> None:
    with pytest.raises(MalformedJob, match="not a process_photo job"):
        ProcessPhoto.from_body({"type": "scan_faces", "owner_id": "u", "photo_id": "p"})
    with pytest.raises(MalformedJob, match="not a scan_faces job"):
        ScanFaces.from_body({"type": "process_photo", "photo_id": "p", "owner_id": "u"})
    with pytest.raises(MalformedJob, match="not a read_text job"):
        ReadText.from_body({"type": "process_photo", "photo_id": "p", "owner_id": "u"})


def test_jobs_are_frozen_values() -> None:
    job = ProcessPhoto("p", "u")
    with pytest.raises(dataclasses.FrozenInstanceError):
        job.__setattr__("photo_id", "q")
    assert job == ProcessPhoto("p", "u") and hash(job) == hash(ProcessPhoto("p", "u"))


def test_every_kind_of_job_has_a_handler() -> None:
    assert set(HANDLERS) == set(JOB_TYPES.values())
    assert sorted(JOB_TYPES) == ["fingerprint_library", "infer_places", "process_photo", "read_text", "recompute_trips",
                                 "scan_faces"]


@pytest.mark.parametrize("raw", ['{"type": "process_photo"', b"\xff\xfe", "[1, 2]"])
def test_a_record_whose_body_is_not_a_job_object_is_malformed(raw: Any) -> None:
    with pytest.raises(MalformedJob):
        parse_job({"messageId": "m", "body": raw})


def test_a_record_body_is_read_as_json_or_as_an_object() -> None:
    body = {"type": "process_photo", "photo_id": "p1", "owner_id": "u1"}
    assert parse_job({"body": json.dumps(body)}) == ProcessPhoto("p1", "u1")
    assert parse_job({"body": json.dumps(body).encode()}) == ProcessPhoto("p1", "u1")
    assert parse_job({"body": body}) == ProcessPhoto("p1", "u1")
