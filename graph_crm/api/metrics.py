"""What ``GET /metrics`` reports: one :class:`ApiMetrics` per app, in Prometheus' format.

Each app has its own :class:`~prometheus_client.CollectorRegistry`, so two apps in one
process (tests) count apart. Under ``graph-crm serve --workers N`` the workers share a
directory (``PROMETHEUS_MULTIPROC_DIR``, in the serve's run directory): every worker
writes its series there and a scrape, whichever worker answers it, reads them all
(prometheus-client's multiprocess mode). The metric names and labels are listed in
docs/metrics.md.

Labels never take a caller's text as it came: operation names and error codes go
through :class:`BoundedLabel`.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
)
from prometheus_client.multiprocess import MultiProcessCollector

from graph_crm.store.base import GraphStore

logger = logging.getLogger("graph_crm.api")

MULTIPROC_ENV: Final = "PROMETHEUS_MULTIPROC_DIR"
#: Seconds: sub-millisecond store calls up to requests that run into their budget.
LATENCY_BUCKETS: Final = (
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
)  # fmt: skip
#: Distinct operation names counted per process; later ones are counted as ``(other)``.
MAX_OPERATION_NAMES: Final = 100
#: State values per store (pool, mirror) exported as gauges; more are ignored.
MAX_STATE_GAUGES: Final = 50
#: Seconds between two refreshes of the store state gauges after requests (multiprocess).
STATE_REFRESH_SECONDS: Final = 1.0

_STATE_NAME = re.compile(r"[^a-z0-9_]+")


class BoundedLabel:
    """Label values from outside, kept few: a value that does not match ``pattern``, or a
    new one after ``limit`` distinct values, is counted as ``other``.

    >>> names = BoundedLabel(r"[A-Za-z_][A-Za-z0-9_]{0,63}", limit=2)
    >>> names("Orders"), names("x" * 100), names("Customers"), names("Late"), names("Orders")
    ('Orders', '(other)', 'Customers', '(other)', 'Orders')
    >>> names(None)
    '(none)'
    """

    def __init__(self, pattern: str, *, limit: int, other: str = "(other)") -> None:
        self._pattern = re.compile(pattern)
        self._limit = limit
        self._other = other
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, value: str | None) -> str:
        if value is None:
            return "(none)"
        if value in self._seen:
            return value
        if not self._pattern.fullmatch(value):
            return self._other
        with self._lock:
            if len(self._seen) >= self._limit:
                return self._other
            self._seen.add(value)
        return value


def multiprocess_dir(environ: dict[str, str] | None = None) -> Path | None:
    """The directory the workers of one ``graph-crm serve`` share their series in."""
    value = (os.environ if environ is None else environ).get(MULTIPROC_ENV)
    return Path(value) if value else None


def share_between_workers(run_dir: Path) -> None:
    """Make the worker processes about to start keep their series in ``run_dir``, for any
    of them to answer a scrape for all (read when each worker imports the client)."""
    shared = run_dir / "metrics"
    shared.mkdir(mode=0o700)
    os.environ[MULTIPROC_ENV] = str(shared)


class ApiMetrics:
    """The app's series: requests, store calls, schema builds, impact reports, and the
    store's own state read at scrape time (``store.runtime_state()``). Also the
    store-call observer (:mod:`graph_crm.store.call_observer`)."""

    def __init__(self, store: Callable[[], GraphStore | None]) -> None:
        #: The store being served (None before the lifespan opened it).
        self._store = store
        self.registry = CollectorRegistry(auto_describe=True)
        self.multiprocess = multiprocess_dir() is not None
        if not self.multiprocess:
            # Per process: a multiprocess scrape would show whichever worker answered.
            for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
                self.registry.register(collector)
        registry = self.registry
        request_labels = ("type", "operation", "role")
        self.requests = Counter(
            "graph_crm_graphql_requests",
            "GraphQL requests answered, refused ones included",
            (*request_labels, "status", "code"),
            registry=registry,
        )
        self.request_seconds = Histogram(
            "graph_crm_graphql_request_duration_seconds",
            "Time from a GraphQL request's arrival to its answer",
            request_labels,
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.store_calls = Counter(
            "graph_crm_store_calls",
            "Store calls by method (primitive), backend and outcome",
            ("backend", "method", "outcome"),
            registry=registry,
        )
        self.store_seconds = Histogram(
            "graph_crm_store_call_duration_seconds",
            "Duration of store calls by method and backend",
            ("backend", "method"),
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.schema_builds = Histogram(
            "graph_crm_schema_build_duration_seconds",
            "GraphQL schema builds for a new registry version (_count: how many)",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.impact_reports = Histogram(
            "graph_crm_impact_report_duration_seconds",
            "Impact reports computed through the API, by outcome",
            ("outcome",),
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.operation_name = BoundedLabel(
            r"[_A-Za-z][_0-9A-Za-z]{0,63}", limit=MAX_OPERATION_NAMES
        )
        self.error_code = BoundedLabel(r"[A-Z][A-Z0-9_]{0,39}", limit=50)
        self._state_gauges: dict[str, Gauge] = {}
        self._state_at = 0.0

    def request(
        self,
        *,
        kind: str | None,
        operation: str | None,
        role: str | None,
        status: int,
        code: str | None,
        seconds: float,
    ) -> None:
        """One GraphQL request answered (``kind``: query, mutation...; None when refused
        before its operation was known; ``operation``: its name, None if it has none)."""
        labels = (
            kind or "(none)",
            "(anonymous)" if kind and operation is None else self.operation_name(operation),
            role or "anonymous",
        )
        self.requests.labels(*labels, str(status), self.error_code(code) if code else "").inc()
        self.request_seconds.labels(*labels).observe(seconds)
        if self.multiprocess and time.monotonic() - self._state_at > STATE_REFRESH_SECONDS:
            self.refresh_store_state()

    def store_call(self, backend: str, method: str, seconds: float, outcome: str) -> None:
        self.store_calls.labels(backend, method, outcome).inc()
        self.store_seconds.labels(backend, method).observe(seconds)

    def schema_built(self, seconds: float) -> None:
        self.schema_builds.observe(seconds)

    @contextmanager
    def impact_report(self) -> Iterator[None]:
        """Time the impact report computed in the block."""
        started = time.perf_counter()
        outcome = "error"
        try:
            yield
            outcome = "ok"
        finally:
            self.impact_reports.labels(outcome).observe(time.perf_counter() - started)

    def refresh_store_state(self) -> None:
        """Set the store state gauges from ``store.runtime_state()``."""
        self._state_at = time.monotonic()
        store = self._store()
        if store is None:  # the lifespan has not opened it yet
            return
        backend = str(store.backend)
        try:
            state = store.runtime_state()
        except Exception:  # the rest of the scrape is still worth having
            logger.exception("the store's runtime_state() failed: its gauges are stale")
            return
        for key, value in state.items():
            gauge = self._state_gauge(key)
            if gauge is not None:
                gauge.labels(backend).set(float(value))

    def _state_gauge(self, key: str) -> Gauge | None:
        name = _STATE_NAME.sub("_", key.lower()).strip("_")
        gauge = self._state_gauges.get(name)
        if gauge is None and name and len(self._state_gauges) < MAX_STATE_GAUGES:
            gauge = Gauge(
                f"graph_crm_store_{name}",
                f"The store's {key!r} (runtime_state), read at scrape time",
                ("backend",),
                registry=self.registry,
                multiprocess_mode="liveall",
            )
            self._state_gauges[name] = gauge
        return gauge

    def scrape_registry(self) -> CollectorRegistry:
        """What a scrape reads: this app's registry, or every worker's series."""
        self.refresh_store_state()
        shared = multiprocess_dir()
        if shared is None:
            return self.registry
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(shared))  # type: ignore[no-untyped-call]
        return registry
