"""Backend-neutral steps every store takes the same way (pure, no IO)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from typing import Any

from graph_crm.errors import InvalidInput, Issue, NotFound, UniqueViolation, raise_issues
from graph_crm.model.graph import Entity, Relation
from graph_crm.model.records import (
    EntityRecord,
    global_id,
    parse_global_id,
    parse_global_id_spellings,
)
from graph_crm.model.types import EntityType


def group_ids_by_type(ids: Sequence[str]) -> dict[str, list[tuple[int, str]]]:
    """``{"Customer": [(position, key), ...]}`` for a batch of global ids being looked up.

    A key is given in NFC and, when it differs, also as written, so an entity an older
    version stored in another spelling is still found by the id it is listed under (see
    :func:`~graph_crm.model.entity_keys.stored_spellings`). A read prefers the entity
    stored under exactly the id asked for: :func:`pick_entity`.
    """
    if isinstance(ids, str) or not isinstance(ids, Sequence):
        raise InvalidInput("ids must be a list of global ids", path=("ids",))
    grouped: dict[str, list[tuple[int, str]]] = {}
    for index, gid in enumerate(ids):
        type_name, keys = parse_global_id_spellings(gid, ("ids", index))
        grouped.setdefault(type_name, []).extend((index, key) for key in keys)
    return grouped


def pick_entity(current: Entity | None, found: Entity, asked: str) -> Entity:
    """Of two entities found for the id ``asked`` (its NFC and its written spelling),
    the one stored under exactly that id."""
    return found if current is None or found.id == asked else current


def check_start_ids(start: Sequence[str] | str) -> list[str]:
    """The distinct start ids of a traversal, sorted, their keys canonical."""
    ids = [start] if isinstance(start, str) else list(start)
    if not ids:
        raise InvalidInput("a traversal needs at least one start entity", path=("start",))
    return sorted(
        {global_id(*parse_global_id(gid, ("start", index))) for index, gid in enumerate(ids)}
    )


def unique_values_in_batch(
    entity_type: EntityType, records: Sequence[EntityRecord]
) -> dict[str, dict[Any, int]]:
    """For each unique property: value -> row; raises if two rows share a value."""
    issues: list[Issue] = []
    by_property: dict[str, dict[Any, int]] = {}
    for spec in entity_type.unique_properties:
        seen: dict[Any, int] = {}
        for index, record in enumerate(records):
            value = record.properties.get(spec.name)
            if value is None:
                continue
            if value in seen:
                issues.append(
                    Issue(
                        UniqueViolation.code,
                        f"{spec.name} {value!s:.80} appears in rows {seen[value]} and {index}, "
                        "but it must be unique",
                        ("records", index, spec.name),
                    )
                )
            else:
                seen[value] = index
        by_property[spec.name] = seen
    raise_issues(UniqueViolation, issues)
    return by_property


def raise_unique_conflicts(
    batch_values: Mapping[str, Mapping[Any, int]],
    records: Sequence[EntityRecord],
    holders: Mapping[tuple[str, Any], str],
    type_name: str,
) -> None:
    """Raise if a stored entity with another key already holds a unique value.

    ``holders`` maps (property, value) to the key of the stored entity holding it.
    """
    issues: list[Issue] = []
    # A holder in this batch gets new values too; the batch itself was checked already.
    rewritten = {record.key for record in records}
    for (name, value), holder_key in sorted(holders.items(), key=lambda kv: str(kv[0])):
        index = batch_values[name].get(value)
        if index is None or holder_key in rewritten:
            continue
        issues.append(
            Issue(
                UniqueViolation.code,
                f"{name} {value!s:.80} is already held by {type_name}:{holder_key}",
                ("records", index, name),
            )
        )
    raise_issues(UniqueViolation, issues)


def raise_missing_endpoints(missing: Sequence[tuple[int, str, str]], relation: str) -> None:
    """``missing``: (row, "from"|"to", global id) for each link end that does not exist."""
    issues = [
        Issue(
            NotFound.code,
            f"{relation}: the '{end}' entity {gid[:120]} does not exist",
            ("links", row, end),
        )
        for row, end, gid in sorted(missing)
    ]
    raise_issues(NotFound, issues)


def encode_relation_cursor(relation: Relation) -> str:
    """An opaque cursor after one relation in (from key, to key) order."""
    keys = [relation.from_id.split(":", 1)[1], relation.to_id.split(":", 1)[1]]
    raw = json.dumps(keys, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_relation_cursor(cursor: str | None) -> tuple[str, str] | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        from_key, to_key = json.loads(raw)
        if isinstance(from_key, str) and isinstance(to_key, str):
            return from_key, to_key
    except (ValueError, TypeError, binascii.Error):
        pass
    raise InvalidInput("the cursor is not valid for this list", path=("after",))
