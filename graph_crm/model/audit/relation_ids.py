"""How a relation is named in the audit log, readably and unambiguously (pure)."""

from __future__ import annotations

import re


def relation_id(relation_type: str, from_id: str, to_id: str) -> str:
    """How a relation is named in the log: ``TYPE:<from id>-><to id>``, readable and
    unambiguous. A key may hold ``->``, so in the ids ``%`` is written ``%25`` and ``>``
    ``%3E``: the one ``>`` left is the arrow's (see :func:`parse_relation_id`).

    >>> relation_id("HAS_SUBSIDIARY", "Customer:ACME", "Subsidiary:ACME-SH")
    'HAS_SUBSIDIARY:Customer:ACME->Subsidiary:ACME-SH'
    >>> relation_id("PARENT_OF", "Customer:a->Customer:b", "Customer:c")
    'PARENT_OF:Customer:a-%3ECustomer:b->Customer:c'
    >>> relation_id("PARENT_OF", "Customer:a", "Customer:b->Customer:c")
    'PARENT_OF:Customer:a->Customer:b-%3ECustomer:c'
    """
    return f"{relation_type}:{_escape_id(from_id)}->{_escape_id(to_id)}"


def parse_relation_id(text: str) -> tuple[str, str, str] | None:
    """``(relation type, from id, to id)`` of a :func:`relation_id`, or None for text that
    is not one.

    Records written before keys were escaped read the same as now unless a key held
    ``%`` or ``>``: those with one ``>`` too many (a key with ``->`` among them, the
    ambiguous ones) give None.

    >>> parse_relation_id("PARENT_OF:Customer:a-%3ECustomer:b->Customer:c")
    ('PARENT_OF', 'Customer:a->Customer:b', 'Customer:c')
    >>> parse_relation_id("Customer:ACME") is None
    True
    """
    relation_type, _, ends = text.partition(":")
    if not relation_type or ends.count(">") != 1 or "->" not in ends:
        return None
    from_id, to_id = ends.split("->")
    if ":" not in from_id or ":" not in to_id:
        return None
    return relation_type, _unescape_id(from_id), _unescape_id(to_id)


def _escape_id(gid: str) -> str:
    if "%" not in gid and ">" not in gid:
        return gid  # the common case, without copying it twice
    return gid.replace("%", "%25").replace(">", "%3E")


def _unescape_id(text: str) -> str:
    return re.sub("%(25|3E)", lambda m: "%" if m.group(1) == "25" else ">", text)
