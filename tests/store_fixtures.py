"""The types of the store fixtures in tests/conftest.py, for the tests that ask for them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from graph_crm.store.base import GraphStore

#: Writes a test's data into an empty store (``load_chain``, ``load_logistics``).
Loader = Callable[[GraphStore], Awaitable[object]]
#: The ``loaded`` fixture: ``await loaded(load_chain)`` is a store holding that data,
#: loaded once per module and shared by the tests that only read it.
Loaded = Callable[[Loader], Awaitable[GraphStore]]
#: The ``open_twin`` fixture: ``await open_twin()`` opens another store on the same data.
OpenTwin = Callable[[], Awaitable[GraphStore]]
