"""Who may use the networkx mirror: many readers at once, or one writer.

Traversals, impact walks and quantifier evaluation read the mirror from reader threads;
a write updates it in place, and a rebuild replaces it. A writer waits for the readers
in progress and, while it waits, new readers wait behind it (so a stream of readers
cannot starve writes). Every wait is bounded by the waiting call's deadline.
"""

from __future__ import annotations

import threading
from typing import Final

from graph_crm.store.budget import Deadline

#: How often a waiting call looks at its deadline (it may be stopped on purpose).
_POLL_SECONDS: Final = 0.05


class MirrorLock:
    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    def acquire_read(self, deadline: Deadline) -> None:
        with self._changed:
            while self._writing or self._writers_waiting:
                self._wait(deadline)
            self._readers += 1

    def release_read(self) -> None:
        with self._changed:
            self._readers -= 1
            if self._readers == 0:
                self._changed.notify_all()

    def acquire_write(self, deadline: Deadline) -> None:
        with self._changed:
            self._writers_waiting += 1
            try:
                while self._writing or self._readers:
                    self._wait(deadline)
            finally:
                self._writers_waiting -= 1
                self._changed.notify_all()  # readers held back by this writer may go on
            self._writing = True

    def release_write(self) -> None:
        with self._changed:
            self._writing = False
            self._changed.notify_all()

    def _wait(self, deadline: Deadline) -> None:
        deadline.check()
        remaining = deadline.remaining()
        self._changed.wait(_POLL_SECONDS if remaining is None else min(remaining, _POLL_SECONDS))
