"""Driver errors become the project's own; callers never see a driver exception."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from neo4j.exceptions import (
    AuthError,
    ConnectionAcquisitionTimeoutError,
    ConstraintError,
    DatabaseUnavailable,
    DriverError,
    IncompleteCommit,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from graph_crm.errors import (
    AuditFailed,
    Conflict,
    GraphCrmError,
    StoreUnavailable,
    UniqueViolation,
)


@asynccontextmanager
async def translated() -> AsyncIterator[None]:
    try:
        yield
    except GraphCrmError:
        raise
    except ConstraintError as exc:
        message = exc.message or ""
        if "_GraphCrmChange" in message:
            raise Conflict("another definition change won the race; retry") from None
        if "_GraphCrmAudit" in message:
            raise AuditFailed(
                "the audit record could not be stored, so nothing was written"
            ) from None
        raise UniqueViolation("a unique value or key is already taken") from None
    except IncompleteCommit:
        raise StoreUnavailable(
            "the connection to Neo4j broke while committing: the write may or may not have "
            "been applied; retry it (writes are idempotent)"
        ) from None
    except (ServiceUnavailable, SessionExpired, DatabaseUnavailable) as exc:
        raise StoreUnavailable(f"Neo4j is unavailable: {type(exc).__name__}") from None
    except ConnectionAcquisitionTimeoutError:
        raise StoreUnavailable("Neo4j did not give a connection in time") from None
    except AuthError:
        raise StoreUnavailable("Neo4j refused the credentials") from None
    except TransientError:
        raise Conflict("Neo4j could not complete the transaction in time; retry") from None
    except (Neo4jError, DriverError) as exc:
        # Unexpected: keep the driver's words out of what clients see.
        raise GraphCrmError(f"the Neo4j backend failed ({type(exc).__name__})") from exc
    except OSError as exc:
        raise StoreUnavailable(f"Neo4j is unreachable: {exc.strerror or exc}") from None
