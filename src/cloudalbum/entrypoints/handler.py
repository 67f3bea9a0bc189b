"""The SQS batch handler: AWS Lambda's entry point (`cloudalbum.entrypoints.handler.handle`) and what the local
workers drive with SQS-shaped events.

Each record is processed on its own; the response lists only the messages that failed (Lambda's partial
batch response, `ReportBatchItemFailures`), so one bad photo never makes the others run again.

* A message that cannot be understood (body not JSON, not an object, unknown `type`, no `photo_id`) is a
  poison message. It is logged and reported as failed — not acknowledged — so that after max_receives the
  queue's redrive moves it to the dead-letter queue, where an operator can see it (acknowledging would drop
  it silently; retrying it cannot help, but it costs only a few cheap receives).
* A transient failure (storage down, model not loadable) fails its message; the queue redelivers it.
* Near the end of the invocation's time the remaining records are reported as failed without starting them,
  so a Lambda timeout never throws away work already done in the batch. The first record is always started,
  so a short timeout still makes progress.

The container is built once per process from the environment (12-factor) when none is passed, and kept
across invocations; the detection model and the place data are loaded then, once (Lambda's init phase).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..domain.jobs import (
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

if TYPE_CHECKING:  # pragma: no cover
    from ..bootstrap import Container

log = logging.getLogger("cloudalbum.handler")

MIN_REMAINING_MS = 5_000  # do not start a further photo with less time than this left in the invocation

_container: Container | None = None
_container_lock = threading.Lock()


def default_container() -> Container:
    """The process-wide container, built from CLOUDALBUM_* variables on first use and reused afterwards."""
    global _container
    if _container is None:
        with _container_lock:
            if _container is None:
                from .. import bootstrap, config

                built = bootstrap.build(config.from_env())
                warm_up(built)
                _container = built
    return _container


def warm_up(container: Container) -> None:
    """Load the model and the place data now (Lambda's init phase; a local worker before its first receive),
    not inside the first photo's time. Raises ModelUnavailable for a missing or corrupt model."""
    _ = container.detector  # loading raises ModelUnavailable here for a missing or corrupt model
    if container.settings.faces:
        _ = container.face_analyzer  # the face models, likewise
    if container.settings.read_text:
        _ = container.text_reader  # the text models, likewise
    load = getattr(container.geocoder, "load", None)
    if callable(load):
        load()


def parse_job(record: dict[str, Any]) -> Job:
    """The job in an SQS record's body. Raises MalformedJob (a poison message) when it is not one we know."""
    body = record.get("body")
    try:
        decoded = json.loads(body) if isinstance(body, (str, bytes, bytearray)) else body
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedJob(f"the message body is not JSON: {exc}") from exc
    return job_from_body(decoded)


def receive_count(record: dict[str, Any]) -> int:
    attributes = record.get("attributes") or {}
    try:
        return max(1, int(attributes.get("ApproximateReceiveCount", 1)))
    except (TypeError, ValueError):
        return 1


def _remaining_ms(context: Any) -> float | None:
    getter = getattr(context, "get_remaining_time_in_millis", None)
    if getter is None:
        return None
    try:
        return float(getter())
    except Exception:
        return None


def _process_photo(container: Container, job: ProcessPhoto, record: dict[str, Any]) -> str:
    if not container.people.scan_is_current(job.owner_id or "", job.scan_id):
        return "skipped: its face scan was cancelled or replaced"
    return container.processing.process(job.photo_id, force=job.force, receive_count=receive_count(record))


def _scan_faces(container: Container, job: ScanFaces, record: dict[str, Any]) -> str:
    return container.people.scan_step(job.owner_id, job.cursor, job.scan_id)


def _read_text(container: Container, job: ReadText, record: dict[str, Any]) -> str:
    return container.text.read(job.photo_id, job.owner_id)


def _recompute_trips(container: Container, job: RecomputeTrips, record: dict[str, Any]) -> str:
    return container.trips.recompute(job.owner_id, job.month)


def _infer_places(container: Container, job: InferPlaces, record: dict[str, Any]) -> str:
    outcome = container.places.infer_around(job.photo_id, job.owner_id)
    container.trips.photo_changed(job.photo_id, job.owner_id)  # inferred places count for trips too (coalesced)
    return outcome


def _fingerprint_library(container: Container, job: FingerprintLibrary, record: dict[str, Any]) -> str:
    return container.duplicate_backfill.step(job.owner_id, job.cursor)


# One handler per kind of job (domain/jobs.py): a new kind of job adds its class there and its handler here.
JobHandler = Callable[["Container", Any, dict[str, Any]], str]
HANDLERS: dict[type[Job], JobHandler] = {ProcessPhoto: _process_photo, ScanFaces: _scan_faces,
                                         ReadText: _read_text, InferPlaces: _infer_places,
                                         RecomputeTrips: _recompute_trips, FingerprintLibrary: _fingerprint_library}


def handle_record(container: Container, record: dict[str, Any]) -> str:
    """Process one record. Returns the outcome; raises to fail the message."""
    job = parse_job(record)
    return HANDLERS[type(job)](container, job, record)


def handle(event: dict[str, Any], context: Any = None, container: Container | None = None) -> dict[str, Any]:
    """SQS batch -> {"batchItemFailures": [{"itemIdentifier": messageId}, ...]}."""
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        log.error("not an SQS event (no Records list): %.200r", event)
        return {"batchItemFailures": []}
    c = container or default_container()
    failures: list[dict[str, str]] = []
    for position, record in enumerate(records):
        message_id = str(record.get("messageId", "")) if isinstance(record, dict) else ""
        if not message_id:
            log.error("an SQS record without a messageId cannot be acknowledged or failed: %.200r", record)
            continue
        remaining = _remaining_ms(context)
        if position > 0 and remaining is not None and remaining < MIN_REMAINING_MS:
            log.warning("message %s left for a later invocation: %.0f ms remain", message_id, remaining)
            failures.append({"itemIdentifier": message_id})
            continue
        try:
            outcome = handle_record(c, record)
            log.info("message %s: %s", message_id, outcome)
        except MalformedJob as exc:
            log.error("poison message %s (it will go to the dead-letter queue): %s", message_id, exc)
            failures.append({"itemIdentifier": message_id})
        except Exception:
            log.exception("message %s failed; it will be retried", message_id)
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}


# --- maintenance: the scheduled function's entry point ---------------------------------------------------------

_maintenance_container: Container | None = None


def maintain(event: Any = None, context: Any = None, container: Container | None = None) -> dict[str, int]:
    """AWS Lambda entry point of the scheduled MaintenanceFunction (`cloudalbum.entrypoints.handler.maintain`,
    an EventBridge schedule in deploy/template.yaml): one maintenance pass (services/maintenance.py). Its cost
    follows the pending work, not the library. No model is loaded: the container builds only what the pass uses."""
    global _maintenance_container
    c = container
    if c is None:
        with _container_lock:
            if _maintenance_container is None:
                from .. import bootstrap, config

                _maintenance_container = bootstrap.build(config.from_env())
            c = _maintenance_container
    report = c.maintenance.run_once()
    log.info("maintenance pass: %s", report.as_dict())
    return report.as_dict()
