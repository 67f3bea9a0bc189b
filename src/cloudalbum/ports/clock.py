"""The injected time source."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Clock:
    """Injected time source, so tests can move time (token expiry, throttling windows)."""

    offset_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def now(self) -> float:
        import time

        return time.time() + self.offset_s
