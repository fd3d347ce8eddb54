"""Serving the API with uvicorn: read deadlines, a bound on open connections, a prompt stop.

The read deadlines and the bound on open connections are uvicorn's h11 protocol with
additions: :mod:`graph_crm.api.timed_protocol`. uvicorn closes idle keep-alive
connections after ``keep_alive_timeout`` and, on SIGTERM, gives requests in flight
``shutdown_timeout`` seconds, cancels them (each is answered ``503`` with ``Retry-After``
if it had no answer yet: :mod:`graph_crm.api.stopping`), and runs the app's lifespan
shutdown, which closes the store.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import sys

import uvicorn
from uvicorn.config import STARTUP_FAILURE

from graph_crm.api.app import create_app
from graph_crm.api.request_log import configure_access_log
from graph_crm.api.timed_protocol import ServerConfig, uvicorn_options
from graph_crm.settings import Settings


def port_taken(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be served (already in use, not an address here), or None.

    Checked before anything else starts, so the CLI never claims to serve a port it
    cannot have; uvicorn binds for real moments later.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        return f"{host} is not an address of this machine ({error.strerror})"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return f"{host}:{port} is already in use (another graph-crm, or another server)"
            return f"cannot listen on {host}:{port}: {error.strerror}"
    return None


def serve(settings: Settings, *, host: str, port: int, workers: int = 1) -> None:
    """Serve the API over the store ``settings`` name until SIGINT or SIGTERM; one JSON
    line per request goes to stderr (api/request_log.py)."""
    if workers <= 1:
        configure_access_log()
        server = uvicorn.Server(ServerConfig(create_app(settings), settings, host=host, port=port))
        # As uvicorn.run: after a graceful stop on Ctrl+C uvicorn re-raises SIGINT.
        with contextlib.suppress(KeyboardInterrupt):
            server.run()
        if not server.started:
            sys.exit(STARTUP_FAILURE)
        return
    # Worker processes build their app, and take their connection limits, from the
    # environment (uvicorn's supervisor makes its own Config for them).
    os.environ.update(settings.to_env())
    uvicorn.run(
        "graph_crm.api.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        **uvicorn_options(settings),
    )
