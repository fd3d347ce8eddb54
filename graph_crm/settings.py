"""Settings, from the environment (``GRAPH_CRM_*``) or given explicitly."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

Backend = Literal["embedded", "neo4j"]


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    backend: Backend = "embedded"
    #: The embedded store's SQLite file.
    db_path: str = "data/graph-crm.db"
    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("")
    neo4j_database: str = "neo4j"
    #: Seconds for a new Neo4j connection's TCP connect and Bolt handshake.
    neo4j_connect_timeout: float = Field(default=2.0, gt=0)
    #: Seconds to get a pooled Neo4j connection (waiting for one, checking or opening it).
    neo4j_acquire_timeout: float = Field(default=2.5, gt=0)
    #: Seconds a Neo4j call waits before checking that the server still answers; a
    #: server that does not is reported unavailable (see store/neo4j/availability.py).
    neo4j_stall_timeout: float = Field(default=1.0, gt=0)
    #: Seconds transient Neo4j failures (deadlocks, lock waits) are retried.
    neo4j_retry_time: float = Field(default=15.0, ge=0)
    #: Milliseconds past which a store's unit of work is logged as ``slow_statement``
    #: (0: every one); see graph_crm/store/logs.py for the store's loggers.
    slow_statement_ms: float = Field(default=500.0, ge=0)
    #: Optional JWTs from an external identity provider, besides API keys: the issuer
    #: (``iss``) and audience (``aud``) to require, and either a JWKS URL (RS256/ES256...)
    #: or a shared secret (HS256). The role is read from ``jwt_role_claim``.
    jwt_issuer: str = ""
    jwt_audience: str = ""
    jwt_jwks_url: str = ""
    jwt_secret: SecretStr = SecretStr("")
    jwt_role_claim: str = "graph_crm_role"
    #: Seconds after a JWKS fetch before a token naming a key the set lacks (a new
    #: ``kid``) may make the server fetch it again: strangers cannot make it fetch more.
    jwt_jwks_refetch_cooldown: float = Field(default=30.0, ge=0)
    #: Serving (graph_crm/api/server.py): seconds a client has to send a request's
    #: complete head, and then its complete body, before the connection is closed (408).
    header_timeout: float = Field(default=10.0, gt=0)
    body_timeout: float = Field(default=30.0, gt=0)
    #: Open connections per server process, idle keep-alive ones included; past it, 503.
    max_connections: int = Field(default=200, ge=1)
    #: Whole seconds (as uvicorn takes them) an idle keep-alive connection stays open,
    #: and in-flight requests get to finish on SIGTERM before they are cancelled.
    keep_alive_timeout: int = Field(default=5, ge=1)
    shutdown_timeout: int = Field(default=3, ge=0)
    #: Seconds one store call may run, per role; past it the call is stopped by the
    #: database (TIMEOUT) and writes nothing (graph_crm/api/operation_policy.py).
    budget_seconds_analyst: float = Field(default=5.0, gt=0)
    budget_seconds_risk: float = Field(default=15.0, gt=0)
    budget_seconds_config_officer: float = Field(default=5.0, gt=0)
    budget_seconds_integration: float = Field(default=30.0, gt=0)
    budget_seconds_admin: float = Field(default=30.0, gt=0)
    #: Roles that may not introspect the schema (``__schema``/``__type``), comma-separated,
    #: e.g. ``analyst,integration``; ``__typename`` stays available to everyone.
    introspection_off: str = ""
    #: A bearer token that may read ``GET /metrics`` and nothing else, for the Prometheus
    #: scraper (its ``authorization.credentials_file``), so it needs no admin key; empty:
    #: admin keys only. At least 32 characters (graph_crm/api/metrics_http.py).
    metrics_token: SecretStr = SecretStr("")
    #: OpenTelemetry spans (request, store call, statement) through the installed tracer
    #: provider; needs ``pip install graph-crm[otel]`` (graph_crm/tracing.py).
    tracing: bool = False
    #: Typed queries answered by one store read, one statement on Neo4j (docs/api.md,
    #: "Compiled reads"); false: the resolvers answer every query, field by field.
    compiled_reads: bool = True
    #: Events from integrations (POST /events): whether this server's processes work
    #: them off, the seconds a worker's lease on an event lasts (another worker takes it
    #: over after), and the seconds between looks for due events when there are none.
    event_processing: bool = True
    event_lease_seconds: float = Field(default=30.0, gt=0)
    event_poll_seconds: float = Field(default=0.5, gt=0)
    #: Tests only: seconds a worker waits between claiming an event and processing it,
    #: so a crash test can kill it in between.
    event_hold_seconds: float = Field(default=0.0, ge=0)
    #: Outbound webhooks (docs/webhooks.md): whether this server's processes send them,
    #: each POST's time limit (connect and whole answer), the attempts before a delivery
    #: is a dead letter, the first wait after a failure (doubled each time, up to the
    #: cap), a worker's lease on a delivery, and the seconds between looks when idle.
    webhook_delivery: bool = True
    webhook_timeout_seconds: float = Field(default=5.0, gt=0)
    webhook_max_attempts: int = Field(default=8, ge=1, le=100)
    webhook_backoff_seconds: float = Field(default=5.0, gt=0)
    webhook_backoff_cap_seconds: float = Field(default=600.0, gt=0)
    webhook_lease_seconds: float = Field(default=60.0, gt=0)
    webhook_poll_seconds: float = Field(default=0.5, gt=0)

    @field_validator("metrics_token")
    @classmethod
    def _metrics_token_long_enough(cls, token: SecretStr) -> SecretStr:
        if 0 < len(token.get_secret_value()) < 32:
            raise ValueError("the metrics token must be empty or at least 32 characters")
        return token

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Read ``GRAPH_CRM_<FIELD>`` for every field: ``GRAPH_CRM_BACKEND``,
        ``GRAPH_CRM_DB_PATH``, ``GRAPH_CRM_NEO4J_URI``, ``GRAPH_CRM_JWT_ISSUER``..."""
        source = os.environ if env is None else env
        values: dict[str, object] = {}
        for name in cls.model_fields:
            raw = source.get(f"GRAPH_CRM_{name.upper()}")
            if raw is not None:
                values[name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)

    def to_env(self) -> dict[str, str]:
        """The ``GRAPH_CRM_*`` variables :meth:`from_env` reads back into these settings."""
        env: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            text = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
            env[f"GRAPH_CRM_{name.upper()}"] = text
        return env
