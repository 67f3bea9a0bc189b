"""The job queue: at-least-once delivery with SQS semantics."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class Message:
    id: str
    receipt_handle: str
    body: dict[str, Any]
    receive_count: int = 1
    # SQS system attributes as strings ("SentTimestamp", "ApproximateFirstReceiveTimestamp" in epoch ms), when
    # the queue knows them: the local worker copies them into the SQS-shaped event it builds.
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class QueueDepth:
    visible: int
    in_flight: int
    dead: int


def message_group(body: dict[str, Any]) -> str:
    """A job's fairness group: its owner (issue 12). Queues share delivery fairly between groups (SQS fair
    queues: the MessageGroupId of a standard queue), so one owner's backlog cannot starve another's job."""
    owner = body.get("owner_id")
    return owner if isinstance(owner, str) else ""


class JobQueue(Protocol):
    """At-least-once delivery with SQS semantics: a received message is invisible for the visibility timeout,
    comes back if not deleted in time, and moves to the dead-letter queue after max_receives receives.
    Delivery is fair between message groups (message_group: the job's owner)."""

    def send(self, body: dict[str, Any], *, delay_s: int = 0) -> str:
        """Returns the message id."""

    def receive(self, *, max_messages: int = 10, wait_s: float = 0.0,
                visibility_timeout_s: int | None = None) -> list[Message]: ...

    def delete(self, receipt_handle: str) -> None:
        """Acknowledge. A stale receipt handle (the message was received again since) is ignored."""

    def change_visibility(self, receipt_handle: str, timeout_s: int) -> None: ...

    def depth(self) -> QueueDepth: ...

    def receive_dead(self, *, max_messages: int = 10) -> list[Message]:
        """Messages in the dead-letter queue (delete them with delete_dead)."""

    def delete_dead(self, receipt_handle: str) -> None: ...

