"""The local worker (embedded shape): drives the same SQS batch handler that AWS Lambda runs.

It receives a batch from the JobQueue, wraps it in an SQS-shaped event, calls the handler, deletes every
message the handler did not report as failed (partial batch response) and leaves the failed ones to come back
after the visibility timeout, so the queue's redrive moves a message that keeps failing to the dead-letter
queue. The model is loaded before the first receive: a worker without a usable model takes no message.
"""

from __future__ import annotations

import hashlib
import json
import logging
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..domain.errors import StorageUnavailable
from ..ports import Message

if TYPE_CHECKING:  # pragma: no cover
    from ..bootstrap import Container

log = logging.getLogger("cloudalbum.worker")

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
RECEIVE_WAIT_S = 1.0
QUEUE_RETRY_S = 2.0
LOCAL_REGION = "local"
LOCAL_ACCOUNT = "000000000000"


def sqs_event(messages: Iterable[Message], *, queue_name: str, region: str = LOCAL_REGION,
              account: str = LOCAL_ACCOUNT) -> dict[str, Any]:
    """The event Lambda's SQS event source would deliver for these messages (pure; the AWS-shape worker that
    long-polls SQS reuses it)."""
    now_ms = str(int(time.time() * 1000))
    records = []
    for m in messages:
        attrs = dict(m.attributes)
        attrs["ApproximateReceiveCount"] = str(m.receive_count)
        attrs.setdefault("SentTimestamp", now_ms)
        attrs.setdefault("ApproximateFirstReceiveTimestamp", now_ms)
        attrs.setdefault("SenderId", account)
        body = json.dumps(m.body)
        records.append({
            "messageId": m.id,
            "receiptHandle": m.receipt_handle,
            "body": body,
            "attributes": attrs,
            "messageAttributes": {},
            "md5OfBody": hashlib.md5(body.encode(), usedforsecurity=False).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": f"arn:aws:sqs:{region}:{account}:{queue_name}",
            "awsRegion": region,
        })
    return {"Records": records}


def failed_ids(response: Any) -> set[str]:
    """The messageIds a partial batch response reports as failed."""
    if not isinstance(response, dict):
        return set()
    return {str(f.get("itemIdentifier")) for f in response.get("batchItemFailures") or [] if isinstance(f, dict)}


@dataclass
class LocalContext:
    """The bits of Lambda's context object a handler may look at."""

    deadline: float
    function_name: str = "cloudalbum-worker"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


def default_handler(container: Container) -> Handler:
    from .handler import handle  # the pipeline's SQS batch handler (also the Lambda entry point)

    return lambda event, context: handle(event, context, container=container)


def process_batch(container: Container, handler: Handler, messages: list[Message]) -> tuple[int, int]:
    """Run one batch through the handler and acknowledge what succeeded. Returns (acknowledged, failed).
    A handler that raises fails the whole batch: every message comes back after the visibility timeout."""
    queue = container.queue
    event = sqs_event(messages, queue_name=getattr(queue, "name", "jobs"))
    context = LocalContext(deadline=time.monotonic() + container.settings.visibility_timeout_s)
    try:
        response = handler(event, context)
    except Exception:
        log.exception("handler failed for a batch of %d message(s); they will be retried", len(messages))
        return 0, len(messages)
    failed = failed_ids(response)
    acked = 0
    for m in messages:
        if m.id in failed:
            continue
        try:
            queue.delete(m.receipt_handle)
        except StorageUnavailable as exc:  # processed but not acknowledged: it comes back (idempotent)
            log.warning("could not acknowledge message %s (%s); it will be redelivered", m.id, exc.message)
            continue
        acked += 1
    if failed:
        log.warning("%d message(s) failed and will be retried after the visibility timeout", len(failed))
    return acked, len(messages) - acked


def _install_signals(stop: threading.Event) -> Callable[[], None]:
    """SIGTERM/SIGINT set stop (the current batch finishes first). Returns a function restoring the old ones."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {}

    def on_signal(signum: int, frame: Any) -> None:
        log.info("signal %d: stopping after the current batch", signum)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        previous[sig] = signal.signal(sig, on_signal)

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore


def limit_memory(mib: int) -> int | None:
    """Cap this worker process's memory (CLOUDALBUM_WORKER_MEMORY_LIMIT_MIB; 0: no cap): an allocation past it
    fails (MemoryError: the photo fails with that reason) instead of the machine running out.

    RLIMIT_DATA, not RLIMIT_AS: since Linux 4.7 it counts every private writable mapping (the heap, mmap'd
    image buffers, numpy arrays, thread stacks) but not address space only reserved, which onnxruntime, OpenCV
    and glibc's per-thread malloc arenas (64 MiB of PROT_NONE each) take plenty of and grows with the cores:
    an RLIMIT_AS sized for the real need refuses to start threads on a many-core machine. Only ever lowered;
    a hard limit already below stays. Returns the limit set (bytes), or None."""
    if mib <= 0:
        return None
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    limit = mib * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft != resource.RLIM_INFINITY:
        limit = min(limit, soft)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    log.info("worker memory limited to %d MiB (RLIMIT_DATA)", limit // (1024 * 1024))
    return limit


def run_worker(container: Container, *, handler: Handler | None = None, stop_event: threading.Event | None = None,
               max_batches: int | None = None) -> int:
    """Process batches until stopped (stop_event, SIGTERM/SIGINT) or until max_batches non-empty batches are
    done. Returns the number of messages acknowledged. Raises ModelUnavailable before receiving anything when
    the model cannot be loaded."""
    # Load (and check) the model and the place data first: a broken model takes no message, and the first
    # photo does not pay for loading them.
    from .handler import warm_up

    warm_up(container)
    detector = container.detector
    log.info("worker ready: model %s@%s", getattr(detector, "name", "?"), getattr(detector, "version", "?"))
    handler = handler or default_handler(container)
    stop = stop_event or threading.Event()
    restore = _install_signals(stop) if stop_event is None else (lambda: None)
    acked = batches = 0
    try:
        while not stop.is_set() and (max_batches is None or batches < max_batches):
            try:
                messages = container.queue.receive(max_messages=container.settings.worker_batch_size,
                                                   wait_s=RECEIVE_WAIT_S)
            except StorageUnavailable as exc:  # a queue that is briefly unavailable is waited for, not fatal
                log.warning("cannot receive from the queue (%s); retrying", exc.message)
                stop.wait(QUEUE_RETRY_S)
                continue
            if not messages:
                continue
            done, _ = process_batch(container, handler, messages)
            acked += done
            batches += 1
    finally:
        restore()
    return acked
