"""The cyclic garbage collector paused while a batch is checked and written.

A batch of 5,000 rows allocates tens of thousands of small dicts and tuples, freed by
reference counting as it ends; meanwhile each 700 allocations start a collection that
walks the batch's rows again (13-15% of an embedded write's time, measured with
``bench.ingest``). Paused for the batch, it collects again after it, when the
allocations counted meanwhile next reach its threshold.

The switch is the process's: another thread allocating meanwhile is collected late, not
wrongly. Whoever pauses it and found it running turns it back on, so it ends running
unless the application itself turned it off before.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic collector for the block, if it runs.

    >>> with gc_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()
