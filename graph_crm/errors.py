"""The project's errors: one base, each with a stable machine-readable code.

Backends translate driver and database errors into these, so callers (the CLI, the
GraphQL layer) never import a driver exception. ``path`` points at the offending
input, e.g. ``("records", 3, "revenue")``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

PathPart = str | int


@dataclass(frozen=True)
class Issue:
    """One problem found in an input: what, and where."""

    code: str
    message: str
    path: tuple[PathPart, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "path": list(self.path)}


class GraphCrmError(Exception):
    """Base of every error the project raises on purpose."""

    code: ClassVar[str] = "INTERNAL"

    def __init__(
        self,
        message: str,
        *,
        path: Sequence[PathPart] = (),
        issues: Sequence[Issue] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = tuple(path)
        self.issues = tuple(issues) or (Issue(self.code, message, self.path),)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "path": list(self.path),
            "issues": [issue.to_dict() for issue in self.issues],
        }

    def __str__(self) -> str:
        where = "/".join(str(part) for part in self.path)
        return f"{self.code}: {self.message}" + (f" (at {where})" if where else "")


class InvalidInput(GraphCrmError):
    """An input does not have the shape or the values its definition asks for."""

    code = "INVALID_INPUT"


class InvalidName(InvalidInput):
    """A type, relation or property name does not match its strict pattern."""

    code = "INVALID_NAME"


class ReservedName(InvalidInput):
    """A name is reserved by the system or by the GraphQL schema."""

    code = "RESERVED_NAME"


class NameCollision(InvalidInput):
    """A definition would generate a GraphQL name that is already taken."""

    code = "NAME_COLLISION"


class UnknownType(GraphCrmError):
    code = "UNKNOWN_TYPE"


class UnknownProperty(InvalidInput):
    code = "UNKNOWN_PROPERTY"


class TypeExists(GraphCrmError):
    code = "TYPE_EXISTS"


class IncompatibleChange(GraphCrmError):
    """A definition change that would invalidate stored data."""

    code = "INCOMPATIBLE_CHANGE"


class NotFound(GraphCrmError):
    code = "NOT_FOUND"


class DuplicateKey(GraphCrmError):
    code = "DUPLICATE_KEY"


class UniqueViolation(GraphCrmError):
    code = "UNIQUE_VIOLATION"


class Conflict(GraphCrmError):
    """A concurrent change won the race; retry on the new state."""

    code = "CONFLICT"


class StaleRevision(Conflict):
    """The thing changed since it was read (its revision moved on): read it again."""

    code = "STALE_REVISION"


class InvalidTransition(GraphCrmError):
    """The change is not allowed from the thing's current state (a resolved incident
    acknowledged, say); nothing was stored."""

    code = "INVALID_TRANSITION"


class LimitExceeded(InvalidInput):
    code = "LIMIT_EXCEEDED"


class StoreUnavailable(GraphCrmError):
    code = "UNAVAILABLE"


class TimedOut(GraphCrmError):
    """A store call ran past its time budget (or its client went away) and was stopped;
    a write stopped this way is rolled back whole."""

    code = "TIMEOUT"


class AuditFailed(GraphCrmError):
    """The audit record of a write could not be stored, so the write was rolled back."""

    code = "AUDIT_FAILED"


def raise_issues(error_type: type[GraphCrmError], issues: Sequence[Issue]) -> None:
    """Raise one error carrying every issue found, if there is any.

    >>> raise_issues(InvalidInput, [])
    >>> raise_issues(InvalidInput, [Issue("INVALID_INPUT", "bad", ("records", 0))])
    Traceback (most recent call last):
    ...
    graph_crm.errors.InvalidInput: INVALID_INPUT: bad (at records/0)
    """
    if not issues:
        return
    first = issues[0]
    more = f" (and {len(issues) - 1} more problem(s))" if len(issues) > 1 else ""
    # a kind with a constructor of its own (a formula's problem and its position) is
    # raised as the nearest kind above it that takes issues: the same code
    plain = next(kind for kind in error_type.__mro__ if _takes_issues(kind))
    raise plain(first.message + more, path=first.path, issues=issues)


def _takes_issues(kind: type) -> bool:
    """``kind``'s constructor is GraphCrmError's (message, path, issues)."""
    return next(c for c in kind.__mro__ if "__init__" in vars(c)) is GraphCrmError
