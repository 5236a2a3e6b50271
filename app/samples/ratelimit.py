"""A token bucket per client id: a burst of samples, then a steady rate; beyond it, 429 with Retry-After."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimiter:
    """In memory, per process. `max_clients` bounds the memory: full buckets are forgotten first."""

    per_minute: float
    burst: int
    max_clients: int = 50_000
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def acquire(self, client: str, now: float | None = None) -> float:
        """Take one token; return 0 if allowed, else the seconds until the next token."""
        now = time.monotonic() if now is None else now
        rate = self.per_minute / 60.0
        bucket = self._buckets.get(client)
        if bucket is None:
            if len(self._buckets) >= self.max_clients:
                self._forget_full(now, rate)
            bucket = self._buckets[client] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / rate

    def _forget_full(self, now: float, rate: float) -> None:
        full = [key for key, b in self._buckets.items() if b.tokens + (now - b.updated) * rate >= self.burst]
        for key in full or list(self._buckets)[: len(self._buckets) // 2]:
            del self._buckets[key]


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
