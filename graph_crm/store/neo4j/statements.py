"""Running the backend's Cypher inside a transaction: statements from ``cypher/``
(:mod:`.queries`), and the few every part reads with (counts, the stored registry,
missing link ends)."""

from __future__ import annotations

import json
from typing import Any, Final, LiteralString

from neo4j import AsyncManagedTransaction, Record

from graph_crm.model.records import global_id
from graph_crm.model.registry import Registry
from graph_crm.model.types import RelationType
from graph_crm.store.common import raise_missing_endpoints
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.compile import resolved
from graph_crm.store.validators import REGISTRY_VALIDATORS
from graph_crm.tracing import statement_span


class _Column(list[Any]):
    """A long list parameter whose ``repr`` is short.

    The driver formats every RUN's parameters for its debug log even when debug logging
    is off (``log.debug("… %s", " ".join(map(repr, fields)))`` in neo4j 6.x): for a batch
    of 5,000 rows that ``repr`` took 5 ms, as long as packing it. It packs as the list it
    is (tests/test_neo4j_batch_rows.py checks the bytes).
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} values>"


#: Lists longer than this travel as :class:`_Column`.
_LONG: Final = 64


def _quiet(value: Any) -> Any:
    """``value`` with its long lists as :class:`_Column` (looking into the short lists
    and the maps around them: a batch's ``$v`` columns, an audit record's ids)."""
    if type(value) is list:
        if len(value) > _LONG:
            return _Column(value)
        return [_quiet(item) for item in value]
    if type(value) is dict:
        return {name: _quiet(item) for name, item in value.items()}
    return value


def _columns(params: dict[str, Any]) -> dict[str, Any]:
    return {name: _quiet(value) for name, value in params.items()}


def cypher(query: str, /, **fragments: str) -> LiteralString:
    """The statement file ``query`` with its placeholders filled."""
    # Identifiers in templates are registry-checked; see graph_crm.store.neo4j.queries.
    return q.render(query, **fragments)


async def fetch(
    tx: AsyncManagedTransaction, query: LiteralString, **params: Any
) -> list[dict[str, Any]]:
    """Run ``query`` with ``params`` (values only) in ``tx``; every row as a dict."""
    with statement_span("neo4j", query):
        result = await tx.run(query, _columns(await resolved(tx, params)))
        return await result.data()


async def fetch_one(tx: AsyncManagedTransaction, query: LiteralString, **params: Any) -> Record:
    """Run ``query``, whose answer is one row, with ``params`` (plain values) in ``tx``.

    The row as the driver gives it: a batch's long lists of keys or indexes are not
    copied value by value as :func:`fetch`'s ``data()`` does.
    """
    with statement_span("neo4j", query):
        result = await tx.run(query, _columns(params))
        return await result.single(strict=True)


def relation_fragments(rel: RelationType) -> dict[str, str]:
    """The placeholders of a relation's statements: its end labels and its type."""
    return {
        "From": q.label(rel.from_type),
        "To": q.label(rel.to_type),
        "REL": q.rel_type(rel.name),
    }


async def count_entities(tx: AsyncManagedTransaction, type_name: str) -> int:
    rows = await fetch(tx, cypher(q.ENTITY_COUNT, Label=q.label(type_name), where="true"))
    return int(rows[0]["total"])


async def count_relations(tx: AsyncManagedTransaction, name: str) -> int:
    rows = await fetch(
        tx,
        cypher(q.RELATION_COUNT_PART, REL=q.rel_type(name), nameLiteral=q.name_literal(name)),
    )
    return int(rows[0]["total"])


async def registry_whole(tx: AsyncManagedTransaction) -> Registry:
    """The registry as stored, read under its lock in the write transaction ``tx``, so
    whole: a definition change commits entirely before it or after it.

    Read without the lock, at read committed, a read that overlaps a definition change's
    commit can pair the change's new version with the old definitions (the new
    definition node is not yet in the label index the read scans): a process caching that
    would serve a type set short of its version until the next change
    (tests/test_neo4j_registry_reads.py)."""
    await fetch(tx, cypher(q.REGISTRY_LOCK))
    rows = await fetch(tx, cypher(q.REGISTRY_READ))
    stored = [
        (item["kind"], json.loads(item["definition"]))
        for item in rows[0]["definitions"]
        if item["definition"] is not None
    ]
    return Registry.from_stored(rows[0]["version"], stored, validators=REGISTRY_VALIDATORS)


async def raise_missing_ends(
    tx: AsyncManagedTransaction, rel: RelationType, pairs: list[tuple[str, str]]
) -> None:
    """Name every link row whose 'from' or 'to' entity does not exist."""
    rows = [{"index": i, "from": f, "to": t} for i, (f, t) in enumerate(pairs)]
    missing = []
    for row in await fetch(
        tx,
        cypher(q.RELATION_MISSING_ENDS, From=q.label(rel.from_type), To=q.label(rel.to_type)),
        rows=rows,
    ):
        index = row["index"]
        if row["fromMissing"]:
            missing.append((index, "from", global_id(rel.from_type, pairs[index][0])))
        if row["toMissing"]:
            missing.append((index, "to", global_id(rel.to_type, pairs[index][1])))
    raise_missing_endpoints(missing, rel.name)
