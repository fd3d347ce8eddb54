"""Cells and headers of the CSV files ``neo4j-admin database import full`` reads (pure).

A cell is written as the online Neo4j path stores its value: strings (enum and JSON
values too) always quoted, a quote doubled, so ``""`` is an empty string and an empty
unquoted cell no property at all (what ``SET n += {p: null}`` leaves); numbers,
booleans, dates and date-times bare, in the forms the importer parses into the same
Neo4j types the driver sends. Array elements (the audit records' ids) are joined by
:data:`ARRAY_DELIMITER`, a control character no key or type name may hold.

>>> cell("say \\"hi\\", twice")
'"say ""hi"", twice"'
>>> cell(None), cell(True), cell(3), cell(0.5)
('', 'true', '3', '0.5')
>>> from datetime import UTC, date, datetime
>>> cell(datetime(1996, 7, 4, 0, 0, tzinfo=UTC)), cell(date(1996, 7, 4))
('1996-07-04T00:00:00Z', '1996-07-04')
>>> header([("key", "string"), ("n", "long")], lead=("id:ID",))
'id:ID,key:string,n:long'
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any, Final

from graph_crm.model.types import PropertyKind

#: Between the elements of an array cell: U+001F (a control character, refused in keys).
ARRAY_DELIMITER: Final = "\x1f"
#: How the importer is told (``--array-delimiter``).
ARRAY_DELIMITER_OPTION: Final = "U+001F"

#: The importer's type of each property kind (anything else is a string).
_TYPES: Final = {
    PropertyKind.INT: "long",
    PropertyKind.FLOAT: "double",
    PropertyKind.BOOLEAN: "boolean",
    PropertyKind.DATE: "date",
    PropertyKind.DATETIME: "datetime",
}


def column_type(kind: PropertyKind) -> str:
    return _TYPES.get(kind, "string")


def quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def cell(value: Any) -> str:
    """One value as a cell (None: an empty, unquoted cell, which sets no property)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return quoted(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return array_cell(value)
    raise TypeError(f"no CSV cell for {type(value).__name__}")


def array_cell(items: Sequence[str]) -> str:
    """A string array; an empty one is no property (the store reads it as empty)."""
    if not items:
        return ""
    return quoted(ARRAY_DELIMITER.join(items))


def line(cells: Iterable[str]) -> str:
    return ",".join(cells) + "\n"


def header(columns: Iterable[tuple[str, str]], *, lead: Sequence[str] = ()) -> str:
    """A header line: ``name:type`` per column, after ``lead`` (``id:ID``, or a
    relationship's ``:START_ID``, ``:END_ID``)."""
    return ",".join([*lead, *(f"{name}:{kind}" for name, kind in columns)])
