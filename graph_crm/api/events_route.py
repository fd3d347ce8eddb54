"""``POST /events``: signed events from integrations (docs/incidents.md, Events in).

No bearer key here: the caller is the integration named by ``X-GraphCRM-Integration``,
proved by ``X-GraphCRM-Signature: sha256=<hex>``, the HMAC-SHA256 of
``"<X-GraphCRM-Timestamp>.<body>"`` with its secret, compared in constant time. The
timestamp (Unix seconds) must be within :data:`REPLAY_WINDOW` of the server's clock: a
captured request replayed later is refused, and one replayed within the window carries
an event id already stored, which is processed once. Failed signatures count against
the client address like failed keys (:mod:`graph_crm.api.auth_throttle`).

The event is stored durably before the answer: 202 ``{eventId, status}`` when new, 200
with the stored event's status when its id came before (nothing stored again).
"""

from __future__ import annotations

import json
import time
from typing import Any, ClassVar, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from graph_crm.api.auth_throttle import AuthFailureThrottle, client_address
from graph_crm.api.refusal import refuse, retry_after
from graph_crm.api.request_body import BodyTooLarge, check_media_type, read_body
from graph_crm.api.request_data import RequestRefused
from graph_crm.api.request_log import note
from graph_crm.api.role_limits import RateLimited
from graph_crm.auth.integrations import INTEGRATION_ID_PATTERN, Integration, signature_matches
from graph_crm.auth.keys import Forbidden, Unauthenticated
from graph_crm.errors import Conflict, GraphCrmError, InvalidInput, StoreUnavailable
from graph_crm.incidents.events import StoredEvent
from graph_crm.services.events import receive_event
from graph_crm.settings import Settings
from graph_crm.store.base import GraphStore

#: Seconds a request's timestamp may be from the server's clock, either way.
REPLAY_WINDOW: Final = 300
#: The largest event body accepted (bytes).
MAX_EVENT_BYTES: Final = 64 * 1024


class StaleTimestamp(Unauthenticated):
    """A signed request sent outside the replay window (HTTP 401)."""

    code: ClassVar[str] = "STALE_TIMESTAMP"


def _header(request: Request, name: str) -> str:
    value = request.headers.get(name, "")
    if not value:
        raise Unauthenticated(f"send the {name} header (docs: Incidents, Events in)")
    return value


async def signed_by(request: Request, store: GraphStore, body: bytes) -> Integration:
    """The active integration that signed ``body``, or Unauthenticated."""
    integration_id = _header(request, "X-GraphCRM-Integration")
    timestamp = _header(request, "X-GraphCRM-Timestamp")
    signed = _header(request, "X-GraphCRM-Signature")
    if INTEGRATION_ID_PATTERN.fullmatch(integration_id) is None:
        raise Unauthenticated("X-GraphCRM-Integration is an integration's id (16 hex digits)")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise Unauthenticated("X-GraphCRM-Timestamp is the time in whole Unix seconds")
    if abs(time.time() - int(timestamp)) > REPLAY_WINDOW:
        raise StaleTimestamp(
            f"X-GraphCRM-Timestamp is more than {REPLAY_WINDOW} s from the server's clock"
        )
    integration = await store.integration(integration_id)
    if integration is None or not signature_matches(integration.secret, timestamp, body, signed):
        raise Unauthenticated("the signature does not match (or there is no such integration)")
    if not integration.active:
        raise Unauthenticated("the integration was revoked")
    return integration


def answer(stored: StoredEvent, *, new: bool) -> JSONResponse:
    body: dict[str, Any] = {"eventId": stored.event_id, "status": stored.status.value}
    if not new:
        body["duplicate"] = True
    if stored.incident_id is not None:
        body.update(incidentId=stored.incident_id, version=stored.version)
    if stored.error is not None:
        body["error"] = stored.error
    return JSONResponse(body, status_code=202 if new else 200)


def _invalid(request: Request, error: GraphCrmError, status: int) -> JSONResponse:
    note(request, code=error.code)
    return JSONResponse({"error": error.to_dict()}, status_code=status)


def events_route(settings: Settings, *, auth_failures: AuthFailureThrottle) -> Route:
    async def post_event(request: Request) -> Response:
        store: GraphStore = request.app.state.store
        try:
            check_media_type(request)
            body = await read_body(request, MAX_EVENT_BYTES, settings.body_timeout)
        except BodyTooLarge:
            message = f"an event is at most {MAX_EVENT_BYTES} bytes"
            return refuse(request, 413, "PAYLOAD_TOO_LARGE", message)
        except RequestRefused as error:
            return refuse(request, error.status, error.code, error.message)
        try:
            with auth_failures.attempt(client_address(request)):
                integration = await signed_by(request, store, body)
        except Unauthenticated as error:
            return refuse(request, 401, error.code, error.message)
        except RateLimited as error:
            return refuse(request, 429, error.code, error.message, retry_after(error))
        except StoreUnavailable as error:
            return refuse(request, 503, error.code, error.message)
        note(request, key=f"integration:{integration.id}", role="integration")
        try:
            document = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            return refuse(request, 400, "BAD_REQUEST", "the body is not UTF-8 JSON")
        try:
            stored, new = await receive_event(store, integration, document)
        except InvalidInput as error:
            return _invalid(request, error, 422)
        except Forbidden as error:
            return _invalid(request, error, 403)
        except Conflict as error:
            return _invalid(request, error, 409)
        except StoreUnavailable as error:
            return refuse(request, 503, error.code, error.message)
        if new:  # this process's event processor claims it now, not at its next poll
            request.app.state.event_wake.set()
        return answer(stored, new=new)

    return Route("/events", post_event, methods=["POST"])
