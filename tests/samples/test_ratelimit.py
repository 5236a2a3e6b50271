"""The per-client token bucket, on a clock the test controls."""

from __future__ import annotations

from app.samples.ratelimit import RateLimiter, retry_after


def test_a_burst_then_the_steady_rate():
    limiter = RateLimiter(per_minute=60, burst=3)
    assert [limiter.acquire("a", now=0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.acquire("a", now=0.0)
    assert 0.99 < wait <= 1.0 and retry_after(wait) == "1"
    assert limiter.acquire("a", now=1.0) == 0.0  # one token back after a second
    assert limiter.acquire("b", now=1.0) == 0.0  # other clients have their own bucket


def test_memory_stays_bounded():
    limiter = RateLimiter(per_minute=60, burst=1, max_clients=100)
    for index in range(1000):
        limiter.acquire(f"client-{index}", now=float(index))
    assert len(limiter._buckets) <= 100
