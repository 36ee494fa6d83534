"""Prometheus metrics of one server, in a registry of its own (several apps in one process,
as in tests, never collide in prometheus-client's global registry)."""
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

_LATENCY_BUCKETS = (.0005, .001, .002, .005, .01, .02, .05, .1, .2, .5, 1, 2, 5, 10)
_BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self):
        r = self.registry = CollectorRegistry()
        self.requests = Counter("ember_inference_requests", "Inference requests, by status code",
                                ["model", "version", "status"], registry=r)
        self.latency = Histogram("ember_inference_request_duration_seconds",
                                 "Inference request latency, body read to response",
                                 ["model", "version"], buckets=_LATENCY_BUCKETS, registry=r)
        self.queue_delay = Histogram("ember_inference_queue_delay_seconds",
                                     "Time a request waited in the batcher before its forward",
                                     ["model", "version"], buckets=_LATENCY_BUCKETS, registry=r)
        self.batch_size = Histogram("ember_inference_batch_size",
                                    "Rows in each forward pass (dynamic batching)",
                                    ["model", "version"], buckets=_BATCH_BUCKETS, registry=r)
        self.forward = Histogram("ember_inference_forward_duration_seconds",
                                 "Duration of each batched forward pass", ["model", "version"],
                                 buckets=_LATENCY_BUCKETS, registry=r)
        self.loads = Counter("ember_model_loads", "Model version loads, by result",
                             ["model", "version", "result"], registry=r)
        self.ready = Gauge("ember_model_ready", "1 while a model version serves",
                           ["model", "version"], registry=r)

    def render(self):
        return generate_latest(self.registry)
