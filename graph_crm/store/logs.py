"""What the store logs, and on which loggers.

* ``graph_crm.store.embedded`` — the networkx mirror: ``mirror_discarded`` (WARNING when
  updating it after a commit failed, INFO when another writer moved the generation) and
  ``mirror_rebuilt`` (INFO: generation, entities, relations, ms);
* ``graph_crm.store.neo4j`` — ``retry`` (WARNING after a broken connection, INFO after a
  transient failure such as a deadlock: reason, error, attempt, delay_ms);
* both — ``slow_statement`` (WARNING): a unit of work on the database (one transaction
  or auto-commit statement; on the embedded store one call's transaction on its thread)
  that ran longer than the store's threshold, ``GRAPH_CRM_SLOW_STATEMENT_MS`` (500 by
  default; 0 logs every one): backend, work, ms, threshold_ms.

Each record's fields ride on it as attributes (``extra``: ``record.event``,
``record.ms``...) for structured handlers, and its message is the same fields as one
JSON object, as the ``graph_crm.access`` lines are. Nothing here configures handlers:
the server's logging setup decides where the records go.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

EMBEDDED_LOGGER: Final = "graph_crm.store.embedded"
NEO4J_LOGGER: Final = "graph_crm.store.neo4j"
#: The default of ``GRAPH_CRM_SLOW_STATEMENT_MS``.
SLOW_STATEMENT_MS: Final = 500.0

embedded_log = logging.getLogger(EMBEDDED_LOGGER)
neo4j_log = logging.getLogger(NEO4J_LOGGER)


def log_event(logger: logging.Logger, level: int, event: str, **fields: Any) -> None:
    """One structured record: ``event`` and ``fields`` as attributes and as JSON text."""
    if logger.isEnabledFor(level):
        line = json.dumps({"event": event, **fields}, ensure_ascii=False, default=str)
        logger.log(level, line, extra={"event": event, **fields})


@contextmanager
def timed_work(
    logger: logging.Logger, backend: str, work: str, threshold_ms: float
) -> Iterator[None]:
    """Log ``slow_statement`` if the enclosed unit of work took over ``threshold_ms``
    (whether it succeeded or not: a slow failure is worth seeing too)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        ms = (time.perf_counter() - started) * 1000
        if ms >= threshold_ms:
            log_event(
                logger,
                logging.WARNING,
                "slow_statement",
                backend=backend,
                work=work,
                ms=round(ms, 1),
                threshold_ms=threshold_ms,
            )


def work_name(work: Any) -> str:
    """A unit of work's name for the log: its function's qualified name."""
    name = getattr(work, "__qualname__", None) or type(work).__qualname__
    return str(name).replace(".<locals>", "")
