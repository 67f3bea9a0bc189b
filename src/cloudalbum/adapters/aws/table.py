"""DynamoDB plumbing shared by the store's repositories: the table and its guarded client, attribute values,
paginated queries, batches, errors.

Every Query here follows LastEvaluatedKey; BatchGetItem/BatchWriteItem retry their unprocessed items; nothing
here (or anywhere in the store) calls Scan.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from ...domain.errors import StorageUnavailable
from .blobstore import error_code
from .cursors import decode_position, encode_cursor

BATCH_GET = 100  # BatchGetItem's limit
BATCH_WRITE = 25  # BatchWriteItem's limit
PAGE = 100  # items per Query page when streaming


def S(value: str) -> dict[str, str]:
    return {"S": value}


def N(value: float | int) -> dict[str, str]:
    return {"N": repr(value) if isinstance(value, float) else str(value)}


def av_key(key: dict[str, str]) -> dict[str, dict[str, str]]:
    """{"PK": "...", "SK": "..."} -> the attribute-value form."""
    return {k: S(v) for k, v in key.items()}


def s(item: dict[str, Any], name: str, default: str | None = None) -> str | None:
    value = item.get(name)
    return value["S"] if value and "S" in value else default


def n(item: dict[str, Any], name: str, default: float = 0) -> float:
    value = item.get(name)
    return float(value["N"]) if value and "N" in value else default


def ss(item: dict[str, Any], name: str) -> list[str]:
    value = item.get(name)
    return sorted(value["SS"]) if value and "SS" in value else []


def cut_page(items: Iterable[dict[str, Any]], limit: int, cursor_attr: str) -> tuple[list[dict[str, Any]], str | None]:
    """At most limit items of an ordered stream (read lazily: limit + 1 at most), and the next page's cursor
    when the stream had more: the last item's cursor_attr (its sort key), which the next page starts after."""
    taken = list(islice(items, limit + 1))
    more, taken = len(taken) > limit, taken[:limit]
    return taken, (encode_cursor(s(taken[-1], cursor_attr)) if more and taken else None)


def item_key(item: dict[str, Any]) -> dict[str, str]:
    """The plain key of an item read back (its PK and SK)."""
    return {"PK": s(item, "PK") or "", "SK": s(item, "SK") or ""}


class Table:
    """One DynamoDB table and its client, shared by every repository of the store, with the few operations
    they all use. Each repository is given this object; none reaches another through it."""

    def __init__(self, client: Any, name: str) -> None:
        self.client, self.name = client, name

    def unavailable(self, exc: Exception) -> StorageUnavailable:
        return StorageUnavailable(f"the metadata store is unavailable ({error_code(exc) or type(exc).__name__})")

    def get(self, key: dict[str, str], *, consistent: bool = True) -> dict[str, Any] | None:
        resp = self.client.get_item(TableName=self.name, Key=av_key(key), ConsistentRead=consistent)
        return resp.get("Item")

    def query(self, *, index: str | None = None, pk_name: str = "PK", pk: str, sk_name: str = "SK",
              sk_cond: str = "", values: dict[str, Any] | None = None, forward: bool = True,
              page: int = PAGE, filter_expr: str = "", names: dict[str, str] | None = None,
              consistent: bool = False, projection: str = "") -> Iterator[dict[str, Any]]:
        """Items of one partition in key order, lazily, page by page (LastEvaluatedKey followed).

        sk_cond uses the placeholder #sk for the sort key, e.g. "#sk < :sk"."""
        expr_names = {"#pk": pk_name, **({"#sk": sk_name} if sk_cond else {}), **(names or {})}
        params: dict[str, Any] = {
            "TableName": self.name, "KeyConditionExpression": "#pk = :pk" + (f" AND {sk_cond}" if sk_cond else ""),
            "ExpressionAttributeNames": expr_names,
            "ExpressionAttributeValues": {":pk": S(pk), **(values or {})},
            "ScanIndexForward": forward, "Limit": page,
        }
        if index:
            params["IndexName"] = index
        elif consistent:
            params["ConsistentRead"] = True
        if filter_expr:
            params["FilterExpression"] = filter_expr
        if projection:
            params["ProjectionExpression"] = projection
        while True:
            resp = self.client.query(**params)
            yield from resp.get("Items", [])
            last = resp.get("LastEvaluatedKey")
            if not last:
                return
            params["ExclusiveStartKey"] = last

    def gsi_page(self, index: str, pk: str, *, limit: int, cursor: str | None,
                 forward: bool = False) -> tuple[list[dict[str, Any]], str | None]:
        """One page of a GSI partition in key order (descending unless forward), after the cursor; with the next
        page's cursor (see cut_page). The page's Query reads limit + 1 items, at most 1000."""
        limit = max(1, limit)
        cond, values = "", {}
        if cursor:
            cond, values = ("#sk > :after" if forward else "#sk < :after"), {":after": S(decode_position(cursor))}
        items = self.query(index=index, pk_name=f"{index}PK", pk=pk, sk_name=f"{index}SK", sk_cond=cond,
                           values=values, forward=forward, page=min(limit + 1, 1000))
        return cut_page(items, limit, f"{index}SK")

    def batch_get(self, keys: list[dict[str, str]]) -> list[dict[str, Any]]:
        """Items of keys (missing ones left out), in no particular order."""
        out: list[dict[str, Any]] = []
        unique = list({(k["PK"], k["SK"]): k for k in keys}.values())
        for start in range(0, len(unique), BATCH_GET):
            request = {self.name: {"Keys": [av_key(k) for k in unique[start:start + BATCH_GET]],
                                   "ConsistentRead": True}}
            for attempt in range(8):
                resp = self.client.batch_get_item(RequestItems=request)
                out.extend(resp.get("Responses", {}).get(self.name, []))
                request = resp.get("UnprocessedKeys") or {}
                if not request:
                    break
                time.sleep(min(1.0, 0.05 * 2 ** attempt))
            else:
                raise StorageUnavailable("the metadata store kept refusing a batch read; try again")
        return out

    def batch_write(self, puts: Iterable[dict[str, Any]] = (), deletes: Iterable[dict[str, str]] = ()) -> None:
        requests = [{"PutRequest": {"Item": item}} for item in puts]
        requests += [{"DeleteRequest": {"Key": av_key(k)}} for k in deletes]
        for start in range(0, len(requests), BATCH_WRITE):
            pending = {self.name: requests[start:start + BATCH_WRITE]}
            for attempt in range(8):
                resp = self.client.batch_write_item(RequestItems=pending)
                pending = resp.get("UnprocessedItems") or {}
                if not pending:
                    break
                time.sleep(min(1.0, 0.05 * 2 ** attempt))
            else:
                raise StorageUnavailable("the metadata store kept refusing a batch write; try again")


PASS_THROUGH = {"ConditionalCheckFailedException", "TransactionCanceledException"}  # the store decides


class GuardedClient:
    """The DynamoDB client with its failures in domain terms: a refused request (ValidationException: a key
    or item DynamoDB will not take) is Invalid; anything else that is not an expected condition failure (the
    service down or throttling after retries) is StorageUnavailable, so the API answers 422/503, never 500.
    Everything else (exceptions, meta.events for hooks) is the client's own."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if not callable(attr) or name.startswith("_") or name in ("close", "get_paginator", "get_waiter"):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return attr(*args, **kwargs)
            except Exception as exc:
                mapped = _domain_error(exc)
                if mapped is exc:
                    raise
                raise mapped from exc

        return call


def _domain_error(exc: Exception) -> Exception:
    from botocore.exceptions import BotoCoreError, ClientError

    from ...domain.errors import Invalid

    code = error_code(exc)
    if code in PASS_THROUGH or not isinstance(exc, (ClientError, BotoCoreError)):
        return exc
    if code == "ValidationException":
        return Invalid("the request names something the metadata store cannot hold (too long or empty)",
                       code="invalid_request")
    return StorageUnavailable(f"the metadata store is unavailable ({code or type(exc).__name__}); try again")


def cancellation_codes(exc: Exception) -> list[str]:
    """The per-item reasons of a TransactionCanceledException ("ConditionalCheckFailed", "None", ...)."""
    reasons = (getattr(exc, "response", None) or {}).get("CancellationReasons") or []
    codes = [str(r.get("Code", "None")) for r in reasons]
    if not codes:  # some emulators only put them in the message: "[ConditionalCheckFailed, None]"
        message = str((getattr(exc, "response", None) or {}).get("Error", {}).get("Message", ""))
        if "[" in message:
            codes = [c.strip() for c in message[message.rfind("[") + 1:message.rfind("]")].split(",")]
    return codes
