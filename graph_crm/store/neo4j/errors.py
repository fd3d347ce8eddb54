"""Driver errors become the project's own; callers never see a driver exception."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

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
    TimedOut,
    UniqueViolation,
)
from graph_crm.store.budget import current_deadline

#: The server stopped a transaction that ran past its timeout (the codes of 4.x and 5.x).
_TIMEOUT_CODES: Final = frozenset(
    {
        "Neo.ClientError.Transaction.TransactionTimedOut",
        "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
        "Neo.TransientError.Transaction.TransactionTimedOut",
    }
)
#: The server terminated a transaction (a timeout among other reasons).
_TERMINATED_CODES: Final = frozenset(
    {"Neo.ClientError.Transaction.Terminated", "Neo.TransientError.Transaction.Terminated"}
)


def is_timeout(error: Neo4jError) -> bool:
    """Whether the server stopped the transaction for running past its timeout (never
    worth retrying: it would run as long again)."""
    code = error.code or ""
    return code in _TIMEOUT_CODES or (code in _TERMINATED_CODES and current_deadline().expired)


def _timed_out() -> TimedOut:
    deadline = current_deadline()
    if deadline.expired:
        return deadline.error()
    return TimedOut(
        "this request ran longer than Neo4j allows a transaction and was stopped; nothing "
        "it would have written was written"
    )


@asynccontextmanager
async def translated() -> AsyncIterator[None]:
    try:
        try:
            yield
        except Neo4jError as exc:
            if is_timeout(exc):
                raise _timed_out() from None
            raise
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
