"""JobQueue on Amazon SQS: a standard queue and its dead-letter queue, found by name.

Every message carries its owner as its MessageGroupId: on a standard queue that makes it an Amazon SQS fair
queue (2025), which keeps one tenant's backlog from delaying the others' messages ("In standard queues, using
MessageGroupId enables fair queues", https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/
using-messagegroupid-property.html). Nothing else changes: no ordering, no FIFO limits, the same consumers.

Redrive is SQS's own: the queue's RedrivePolicy (maxReceiveCount, set by `cloudalbum aws-init` or the SAM
template) moves a message received that many times to the DLQ. Receipt handles are SQS's; SQS itself ignores
(or refuses as invalid) a stale one, which delete() treats as "received again since" per the port.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from ...config import Settings
from ...domain.errors import StorageUnavailable
from ...ports import Message, QueueDepth, message_group
from .blobstore import aws_client, error_code

MAX_BATCH = 10  # SQS's ReceiveMessage limit
MAX_WAIT_S = 20  # SQS's long-poll limit
_STALE_RECEIPT = {"ReceiptHandleIsInvalid", "InvalidParameterValue", "MessageNotInflight",
                  "AWS.SimpleQueueService.MessageNotInflight"}
_SYSTEM_ATTRIBUTES = ["ApproximateReceiveCount", "SentTimestamp", "ApproximateFirstReceiveTimestamp",
                      "SenderId", "MessageGroupId"]


class SqsJobQueue:
    def __init__(self, client: Any, queue_url: str, dead_url: str | Callable[[], str]) -> None:
        self.client, self.queue_url, self._dead_url = client, queue_url, dead_url
        self.name = queue_url.rstrip("/").rsplit("/", 1)[-1]  # the local worker names it in the SQS event

    @classmethod
    def from_settings(cls, settings: Settings) -> SqsJobQueue:
        client = aws_client("sqs", settings)
        # The dead-letter queue's URL is looked up when first needed: the processing function, which only
        # sends library-scan steps, may not look it up (its role allows the jobs queue alone).
        return cls(client, _queue_url(client, settings.sqs_queue), lambda: _queue_url(client, settings.sqs_dlq))

    @property
    def dead_url(self) -> str:
        if callable(self._dead_url):
            self._dead_url = self._dead_url()
        return self._dead_url

    # --- producer ---------------------------------------------------------------------------------------

    def send(self, body: dict[str, Any], *, delay_s: int = 0) -> str:
        params: dict[str, Any] = {"QueueUrl": self.queue_url, "MessageBody": json.dumps(body),
                                  "DelaySeconds": max(0, min(900, int(delay_s)))}
        group = message_group(body)
        if group:  # the owner: on a standard queue this makes it an SQS fair queue (issue 12)
            params["MessageGroupId"] = group
        try:
            resp = self.client.send_message(**params)
        except Exception as exc:
            raise StorageUnavailable(f"the job queue did not take the message ({error_code(exc) or exc})") from exc
        return str(resp["MessageId"])

    # --- consumer ---------------------------------------------------------------------------------------

    def receive(self, *, max_messages: int = 10, wait_s: float = 0.0,
                visibility_timeout_s: int | None = None) -> list[Message]:
        return self._receive(self.queue_url, max_messages, wait_s, visibility_timeout_s)

    def delete(self, receipt_handle: str) -> None:
        self._delete(self.queue_url, receipt_handle)

    def change_visibility(self, receipt_handle: str, timeout_s: int) -> None:
        try:
            self.client.change_message_visibility(QueueUrl=self.queue_url, ReceiptHandle=receipt_handle,
                                                  VisibilityTimeout=max(0, min(43200, int(timeout_s))))
        except Exception as exc:
            if error_code(exc) not in _STALE_RECEIPT:
                raise

    def depth(self) -> QueueDepth:
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        main = self.client.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=names)["Attributes"]
        dead = self.client.get_queue_attributes(QueueUrl=self.dead_url, AttributeNames=names)["Attributes"]
        return QueueDepth(
            visible=int(main.get("ApproximateNumberOfMessages", 0)),
            in_flight=int(main.get("ApproximateNumberOfMessagesNotVisible", 0)),
            dead=int(dead.get("ApproximateNumberOfMessages", 0))
            + int(dead.get("ApproximateNumberOfMessagesNotVisible", 0)),
        )

    # --- dead letters -------------------------------------------------------------------------------------

    def receive_dead(self, *, max_messages: int = 10) -> list[Message]:
        return self._receive(self.dead_url, max_messages, 0.0, None)

    def delete_dead(self, receipt_handle: str) -> None:
        self._delete(self.dead_url, receipt_handle)

    def close(self) -> None:
        self.client.close()

    # --- helpers ----------------------------------------------------------------------------------------

    def _receive(self, url: str, max_messages: int, wait_s: float,
                 visibility_timeout_s: int | None) -> list[Message]:
        params: dict[str, Any] = {
            "QueueUrl": url,
            "MaxNumberOfMessages": max(1, min(MAX_BATCH, int(max_messages))),
            # any wait is a real long poll (SQS's short poll samples only some of its servers)
            "WaitTimeSeconds": max(0, min(MAX_WAIT_S, math.ceil(wait_s))),
            "MessageSystemAttributeNames": _SYSTEM_ATTRIBUTES,
        }
        if visibility_timeout_s is not None:
            params["VisibilityTimeout"] = max(0, min(43200, int(visibility_timeout_s)))
        resp = self.client.receive_message(**params)
        return [_message(m) for m in resp.get("Messages", [])]

    def _delete(self, url: str, receipt_handle: str) -> None:
        try:
            self.client.delete_message(QueueUrl=url, ReceiptHandle=receipt_handle)
        except Exception as exc:
            if error_code(exc) not in _STALE_RECEIPT:
                raise


def _message(raw: dict[str, Any]) -> Message:
    attributes = {k: str(v) for k, v in raw.get("Attributes", {}).items()}
    try:
        body = json.loads(raw["Body"])
    except ValueError:
        body = {"raw": raw["Body"]}  # not ours: the handler reports it as a failure, redrive parks it
    if not isinstance(body, dict):
        body = {"raw": body}
    return Message(id=raw["MessageId"], receipt_handle=raw["ReceiptHandle"], body=body,
                   receive_count=int(attributes.get("ApproximateReceiveCount", 1)), attributes=attributes)


def _queue_url(client: Any, name: str) -> str:
    try:
        return str(client.get_queue_url(QueueName=name)["QueueUrl"])
    except Exception as exc:
        raise StorageUnavailable(
            f"SQS queue {name!r} is not reachable ({error_code(exc) or exc}); create it with `cloudalbum aws-init` "
            "or the SAM template") from exc
