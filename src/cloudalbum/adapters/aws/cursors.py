"""Page cursors of the DynamoDB store: a position (or any JSON value) as opaque URL-safe text, and back."""

from __future__ import annotations

import base64
import json
from typing import Any

from ...domain.errors import Invalid


def encode_cursor(value: Any) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_position(cursor: str) -> str:
    """The position a cursor of encode_cursor(position) carries; Invalid for anything else."""
    value = decode_cursor(cursor)
    if not isinstance(value, str) or "#" not in value or len(value) > 1024:
        raise Invalid("the cursor is not one this service gave out", code="invalid_cursor")
    return value


def decode_cursor(cursor: str) -> Any:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return json.loads(raw)
    except (ValueError, TypeError) as exc:
        raise Invalid("the cursor is not one this service gave out", code="invalid_cursor") from exc
