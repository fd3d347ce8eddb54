"""The app bench.api's server subprocess runs: ``uvicorn bench.apiserver:app --factory``.

Kept apart from the load generator so the server's peak RSS counts only graph-crm's app.
"""

from __future__ import annotations

from starlette.applications import Starlette

from graph_crm.api import create_app
from graph_crm.settings import Settings


def app() -> Starlette:
    """graph-crm's API over the store the ``GRAPH_CRM_*`` environment names."""
    return create_app(Settings.from_env())
