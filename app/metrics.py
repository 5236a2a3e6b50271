"""Prometheus metrics for GET /metrics: requests, latency, batch sizes.

Not to be confused with a model's metrics.json (its test scores, `ServedModel.metrics`, the model card).

A registry per app (not the global one) so tests can build many apps in one process.
With several workers each keeps its own counts.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "rowscan_requests", "HTTP requests by method, route and status", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "rowscan_request_seconds", "Time to answer, by route", ["route"], buckets=LATENCY_BUCKETS, registry=self.registry
        )
        self.batch_size = Histogram(
            "rowscan_batch_size",
            "Digits per model call (micro-batching)",
            ["model"],
            buckets=BATCH_BUCKETS,
            registry=self.registry,
        )
        self.digits = Counter("rowscan_digits", "Digits answered, by model", ["model"], registry=self.registry)
        self.abandoned = Counter(
            "rowscan_image_work_abandoned",
            "Requests whose image work was given up: client_gone or timeout",
            ["reason"],
            registry=self.registry,
        )

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(route).observe(seconds)

    def observe_batch(self, model: str, size: int) -> None:
        self.batch_size.labels(model).observe(size)
        self.digits.labels(model).inc(size)

    def observe_abandoned(self, reason: str) -> None:
        self.abandoned.labels(reason).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
