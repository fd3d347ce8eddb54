"""Optional OpenTelemetry spans: request → store call → statement; off by default.

:func:`enable_tracing` (the API does it when ``GRAPH_CRM_TRACING=true``) makes
:func:`span` open spans through the OpenTelemetry API on the ``graph_crm`` tracer.
Where they go is the process's tracer provider: run the server under
``opentelemetry-instrument`` (opentelemetry-distro and an exporter) or install one.
Without :func:`enable_tracing` a span costs one global read, and ``opentelemetry-api``
need not be installed (``pip install graph-crm[otel]`` brings it).

>>> with span("graph_crm.example", answer=42) as current:
...     current is None
True
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, Final, TypeVar

R = TypeVar("R")

TRACER_NAME: Final = "graph_crm"

_tracer: Any = None
#: What a span is when tracing is off (cheaper than entering :func:`span`).
_NO_SPAN: Final = contextlib.nullcontext()


class TracingUnavailable(RuntimeError):
    """Tracing was asked for, and ``opentelemetry-api`` is not installed."""


def enable_tracing(enabled: bool = True, *, provider: Any = None) -> None:
    """Open spans from now on (or stop, with ``enabled=False``); process-wide, as the
    OpenTelemetry tracer provider is. ``provider``: a tracer provider to use instead of
    the global one (tests)."""
    global _tracer
    if not enabled:
        _tracer = None
        return
    try:
        from opentelemetry import trace
    except ImportError:
        raise TracingUnavailable(
            "GRAPH_CRM_TRACING=true needs the OpenTelemetry API: "
            "pip install 'graph-crm[otel]' (or turn tracing off)"
        ) from None
    _tracer = trace.get_tracer(TRACER_NAME, tracer_provider=provider)


def tracing_enabled() -> bool:
    return _tracer is not None


def store_call_span(backend: str, method: str) -> contextlib.AbstractContextManager[Any]:
    """A span around one store call."""
    if _tracer is None:
        return _NO_SPAN
    return span(f"store.{method}", **{"graph_crm.backend": backend, "graph_crm.method": method})


@contextlib.contextmanager
def span(name: str, **attributes: str | int | float | bool) -> Iterator[Any]:
    """A span named ``name`` around the block (the current span's child), or nothing
    when tracing is off. An exception leaving the block is recorded on the span."""
    tracer = _tracer
    if tracer is None:
        yield None
        return
    with tracer.start_as_current_span(name, attributes=attributes) as current:
        yield current


def traced(
    name: str, work: Callable[[], R], **attributes: str | int | float | bool
) -> Callable[[], R]:
    """``work``, run in a span when it is called (``work`` itself when tracing is off): for
    work handed to another thread along with the caller's context."""
    if _tracer is None:
        return work

    def run() -> R:
        with span(name, **attributes):
            return work()

    return run


def statement_span(system: str, text: str) -> contextlib.AbstractContextManager[Any]:
    """A span around one database statement (its text: values are always parameters)."""
    if _tracer is None:
        return _NO_SPAN
    return span(f"{system}.statement", **{"db.system.name": system, "db.query.text": text})
