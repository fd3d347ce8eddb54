"""The app bench.api's server subprocess runs: ``uvicorn bench.apiserver:app --factory``.

Kept apart from the load generator so the server's peak RSS counts only graph-crm's app.
The per-key rate limit is lifted: the bench drives one key far past a role's requests a
minute to measure throughput, not the limiter (whose cost, one bucket update per request,
is still paid).
"""

from __future__ import annotations

from starlette.applications import Starlette

from graph_crm.api import create_app
from graph_crm.api.role_limits import RateLimiter
from graph_crm.settings import Settings


class UnlimitedRate(RateLimiter):
    """A :class:`RateLimiter` that updates its bucket and never refuses."""

    def take(self, key: str, per_minute: int) -> None:
        super().take(key, 1_000_000_000)


def app() -> Starlette:
    """graph-crm's API over the store the ``GRAPH_CRM_*`` environment names."""
    return create_app(Settings.from_env(), rate_limiter=UnlimitedRate())
