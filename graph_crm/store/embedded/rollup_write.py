"""Stored rollups kept current on the embedded store, inside a write transaction
(:mod:`graph_crm.store.rollups` says which owners; here is how, in SQL).

Per rollup: one statement per hop walks the path back from the touched entities to their
owners, one reads the distinct far entities of every affected owner (``json_each`` over
their keys drives it), and one ``executemany`` stores the values with ``json_set`` (or
``json_remove`` for a null). An owner's revision and ``updatedAt`` stay as they are: they
follow what clients write (an upsert that changes nothing stays unchanged).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from graph_crm.model.formula.rollup import Hop
from graph_crm.model.formula.stored import Formulas, StoredRollup, late_formulas, with_computed
from graph_crm.model.formula.stored_rollup import rollup_value
from graph_crm.model.graph import properties_from_json, properties_to_json
from graph_crm.model.records import canonical_json
from graph_crm.model.registry import Registry
from graph_crm.model.types import EntityType
from graph_crm.model.values import value_from_json, value_to_json
from graph_crm.store.embedded.rows import chunks
from graph_crm.store.rollups import Touched, rollups_touched, walk_back

#: Owners per statement.
BATCH: Final = 5000


def affected_owners(
    conn: sqlite3.Connection, rollup: StoredRollup, touched: Mapping[str, set[str]]
) -> set[str]:
    """The keys of ``rollup``'s owners whose value the touched entities may change."""
    frontier: set[str] = set()
    for level, hop, near_type, far_type in walk_back(rollup):
        frontier |= touched.get(rollup.types[level], set())
        if frontier:
            frontier = _step_back(conn, hop, near_type, far_type, frontier)
    return frontier | touched.get(rollup.owner, set())


def owners_of(
    conn: sqlite3.Connection, registry: Registry, touched: Touched
) -> list[tuple[StoredRollup, set[str]]]:
    """Each stored rollup the touched entities concern, with its affected owners."""
    return [(r, affected_owners(conn, r, touched)) for r in rollups_touched(registry, touched)]


def recompute(
    conn: sqlite3.Connection, registry: Registry, work: Iterable[tuple[StoredRollup, set[str]]]
) -> None:
    """Store each rollup's value on its owners (owners that no longer exist are skipped),
    then the owners' formulas that read a rollup."""
    by_type: dict[str, set[str]] = {}
    for rollup, owners in work:
        ordered = sorted(owners)
        for chunk in chunks(ordered, BATCH):
            _store(conn, registry, rollup, chunk)
        by_type.setdefault(rollup.owner, set()).update(owners)
    for type_name, keys in by_type.items():
        late = late_formulas(registry, type_name)
        if late:
            for chunk in chunks(sorted(keys), BATCH):
                _store_late(conn, registry.entity_type(type_name), late, chunk)


def _store_late(
    conn: sqlite3.Connection, entity_type: EntityType, late: Formulas, keys: Sequence[str]
) -> None:
    """Work out ``late`` (formulas that read rollups) on the entities of ``keys``."""
    updates = []
    for key, props in conn.execute(
        "SELECT o.key, o.props FROM json_each(?) k "
        "CROSS JOIN entities o ON o.type = ? AND o.key = k.value",
        (canonical_json(list(keys)), entity_type.name),
    ):
        stored = properties_from_json(entity_type, json.loads(props))
        values = with_computed(late, stored, (entity_type.name, key), key)
        text = json.dumps(properties_to_json(entity_type, values), ensure_ascii=False)
        updates.append((text, entity_type.name, key))
    conn.executemany("UPDATE entities SET props = ? WHERE type = ? AND key = ?", updates)


def keep_current(conn: sqlite3.Connection, registry: Registry, touched: Touched) -> None:
    """Recompute the rollups the touched entities concern, for the owners affected."""
    recompute(conn, registry, owners_of(conn, registry, touched))


def recompute_all(
    conn: sqlite3.Connection, registry: Registry, rollups: Iterable[StoredRollup]
) -> None:
    """Every owner's value of each of ``rollups`` (a definition change)."""
    work = []
    for rollup in rollups:
        rows = conn.execute("SELECT key FROM entities WHERE type = ?", (rollup.owner,))
        work.append((rollup, {key for (key,) in rows}))
    recompute(conn, registry, work)


def _ends(hop: Hop) -> tuple[str, str]:
    """The relations' columns at the hop's near end and at its far end."""
    return ("from_id", "to_id") if hop.direction.value == "OUT" else ("to_id", "from_id")


def _joined(relation: str, column: str, entity: str) -> str:
    """A relation joined at ``column`` to ``entity``, its type a parameter. By ``from_id``
    the (type, from_id) index covers it; by ``to_id``, ``+`` keeps SQLite from choosing
    that index on type alone (a scan of the type's relations per row) over
    ``relations_by_to``."""
    if column == "from_id":
        return f"{relation}.type = ? AND {relation}.from_id = {entity}.id"
    return f"{relation}.to_id = {entity}.id AND +{relation}.type = ?"


def _step_back(
    conn: sqlite3.Connection, hop: Hop, near_type: str, far_type: str, far_keys: set[str]
) -> set[str]:
    near, far = _ends(hop)
    found: set[str] = set()
    for chunk in chunks(sorted(far_keys), BATCH):
        found.update(
            key
            for (key,) in conn.execute(
                "SELECT DISTINCT n.key FROM json_each(?) k "
                "CROSS JOIN entities f ON f.type = ? AND f.key = k.value "
                f"CROSS JOIN relations r ON {_joined('r', far, 'f')} "
                f"CROSS JOIN entities n ON n.id = r.{near} AND n.type = ?",
                (canonical_json(list(chunk)), far_type, hop.relation, near_type),
            )
        )
    return found


def _store(conn: sqlite3.Connection, registry: Registry, stored: StoredRollup, owners: Any) -> None:
    rollup = stored.rollup
    far_type = registry.entity_type(rollup.far_type)
    joins = []
    last = "o"
    for index, hop in enumerate(rollup.hops):
        near, far = _ends(hop)
        node = "f" if index == len(rollup.hops) - 1 else f"m{index}"
        joins.append(
            f"CROSS JOIN relations r{index} ON {_joined(f'r{index}', near, last)} "
            f"CROSS JOIN entities {node} ON {node}.id = r{index}.{far}"
        )
        last = node
    far_rows: dict[str, list[dict[str, Any]]] = {key: [] for key in owners}
    # without where, only the aggregated property is read: as its JSON text (``->``), so
    # a FLOAT is parsed by Python exactly as the whole row would be
    whole = rollup.where is not None or rollup.property is None
    read = "f.props" if whole else "f.props -> ?"
    params = [
        *(() if whole else (f"$.{rollup.property}",)),
        canonical_json(list(owners)),
        rollup.owner,
        *(hop.relation for hop in rollup.hops),
    ]
    kinds = {spec.name: spec.kind for spec in far_type.properties}
    for owner, key, props in conn.execute(
        f"SELECT DISTINCT o.key, f.key, {read} FROM json_each(?) k "
        "CROSS JOIN entities o ON o.type = ? AND o.key = k.value " + " ".join(joins),
        # the ? of each join's relation type follow the owner type's, in order
        params,
    ):
        if whole:
            fields = properties_from_json(far_type, json.loads(props))
            fields["key"] = key
        elif props is None:
            fields = {}
        else:
            name = str(rollup.property)
            fields = {name: value_from_json(kinds[name], json.loads(props))}
        far_rows[owner].append(fields)
    kind = rollup.kind
    path = f"$.{stored.name}"  # a registry-checked property name; a parameter all the same
    updates, removals = [], []
    for owner, rows in far_rows.items():
        value = rollup_value(rollup, rows)
        if value is None:
            removals.append((path, rollup.owner, owner))
        else:
            # as JSON text: SQLite would print a REAL bound as such with 15 digits only
            updates.append((path, json.dumps(value_to_json(kind, value)), rollup.owner, owner))
    conn.executemany(
        "UPDATE entities SET props = json_set(props, ?, json(?)) WHERE type = ? AND key = ?",
        updates,
    )
    conn.executemany(
        "UPDATE entities SET props = json_remove(props, ?) WHERE type = ? AND key = ?", removals
    )


__all__ = ["affected_owners", "keep_current", "owners_of", "recompute", "recompute_all"]
