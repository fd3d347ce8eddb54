"""The errors of formulas: a problem in a definition (with a character position), or a
value that cannot be computed (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from graph_crm.errors import GraphCrmError, InvalidInput, PathPart


class FormulaProblem(InvalidInput):
    """An expression that does not parse or type-check: ``path`` is where the expression
    is in its definition, ``position`` the 0-based index of the offending character in it
    (the message counts from 1, as editors do)."""

    def __init__(self, message: str, *, path: Sequence[PathPart] = (), position: int = 0) -> None:
        super().__init__(f"{message} (character {position + 1})", path=path)
        self.position = position


class EvaluationFailed(GraphCrmError):
    """A well-typed expression whose value cannot be computed: an integer result outside
    64 bits, a date outside years 1-9999, a parameter the caller did not give."""

    code = "EVALUATION_FAILED"
