"""The webhooks' HTTP side: :func:`http_sender` POSTs a notification with httpx
(redirects not followed, at most the start of the answer read), and
:func:`webhook_worker` runs :func:`~graph_crm.services.webhook_delivery.run_webhooks`
with it while the app runs."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping

import httpx

from graph_crm.api.background import running
from graph_crm.incidents.delivery import MAX_EXCERPT, RetryPolicy
from graph_crm.services.webhook_delivery import (
    DeliverySettings,
    Sender,
    SendResult,
    new_worker_id,
    run_webhooks,
)
from graph_crm.settings import Settings
from graph_crm.store.base import GraphStore


async def _excerpt(response: httpx.Response) -> str:
    kept = b""
    async for chunk in response.aiter_bytes():
        kept += chunk
        if len(kept) >= MAX_EXCERPT:
            break
    return kept[:MAX_EXCERPT].decode("utf-8", "replace")


@contextlib.asynccontextmanager
async def http_sender(timeout_seconds: float) -> AsyncIterator[Sender]:
    """A :data:`Sender` over one client, closed on exit: each POST has ``timeout_seconds``
    to connect and as long for the whole answer's status and first bytes."""
    limits = httpx.Timeout(timeout_seconds)
    async with httpx.AsyncClient(timeout=limits, follow_redirects=False) as client:

        async def send(url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
            try:
                async with asyncio.timeout(timeout_seconds):
                    request = client.build_request("POST", url, content=body, headers=headers)
                    response = await client.send(request, stream=True)
                    try:
                        return SendResult(response.status_code, None, await _excerpt(response))
                    finally:
                        await response.aclose()
            except (TimeoutError, httpx.TimeoutException):
                return SendResult(None, f"timed out after {timeout_seconds:g} s")
            except httpx.HTTPError as error:
                return SendResult(None, f"{type(error).__name__}: {str(error)[:120]}")

        yield send


def delivery_settings(settings: Settings) -> DeliverySettings:
    return DeliverySettings(
        owner=new_worker_id(),
        policy=RetryPolicy(
            max_attempts=settings.webhook_max_attempts,
            base_seconds=settings.webhook_backoff_seconds,
            cap_seconds=settings.webhook_backoff_cap_seconds,
        ),
        lease_seconds=settings.webhook_lease_seconds,
        poll_seconds=settings.webhook_poll_seconds,
    )


@contextlib.asynccontextmanager
async def webhook_worker(store: GraphStore, settings: Settings) -> AsyncIterator[None]:
    """This process's webhooks worker while the app runs; stopped when it stops (a
    delivery it was sending is left to its lease)."""
    if not settings.webhook_delivery:
        yield
        return
    worker = delivery_settings(settings)
    async with (
        http_sender(settings.webhook_timeout_seconds) as send,
        running(lambda stop: run_webhooks(store, worker, send, stop)),
    ):
        yield
