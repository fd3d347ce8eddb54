"""Pass 1's checks of one batch of records: everything a write would refuse, found first.

Rows are checked by the same function the API's writes use (``plan_write``), a batch at a
time; only a batch that fails is checked again row by row, to name every bad row. Keys
and unique values are looked up in the import's index (:mod:`.keys`) and in the store.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graph_crm.errors import GraphCrmError
from graph_crm.model.graph import Entity, Relation, WriteResult
from graph_crm.model.records import global_id
from graph_crm.model.registry import Registry
from graph_crm.model.types import RelationType
from graph_crm.model.values import value_to_json
from graph_crm.services.csv_import.files import Record
from graph_crm.services.csv_import.keys import Seen
from graph_crm.services.csv_import.plans import (
    EntityPlan,
    FilePlan,
    RelationPlan,
    key_of,
    read_row,
)
from graph_crm.services.csv_import.report import Reject
from graph_crm.store.base import GraphStore
from graph_crm.store.write_batch import plan_write

LOOKUP: int = 500


@dataclass
class Row:
    line: int
    data: dict[str, Any]
    #: property -> the column it came from (to name a refusal's column)
    columns: Mapping[str, str]
    cells: Mapping[str, str]


class RowChecker:
    def __init__(
        self,
        store: GraphStore,
        registry: Registry,
        actor: str,
        seen: Seen,
        reject: Callable[[Reject], None],
        *,
        skip_bad: bool,
    ) -> None:
        self.skip_bad = skip_bad
        #: Entity types of a file that could not be read: links to them are not judged
        self.unread: set[str] = set()
        self.store = store
        self.registry = registry
        self.actor = actor
        self.seen = seen
        self._reject = reject

    def reject(self, file: str, line: int, column: str, value: Any, reason: str) -> None:
        self.seen.mark_bad(file, [line])
        self._reject(Reject(file, line, column, "" if value is None else str(value), reason))

    # entity files --------------------------------------------------------------------

    async def entities(
        self, plan: EntityPlan, batch: Sequence[Record], *, count: bool
    ) -> WriteResult:
        """Check a batch of an entity file; with ``count``, how many rows would be created,
        updated or left unchanged."""
        read = self._read(plan, batch)
        rows = self._without_duplicate_keys(plan, read)
        rows = self._valid(plan.name, plan.type_name, rows)
        rows = await self._without_unique_clashes(plan, rows)
        self.seen.add_keys(plan.type_name, plan.name, ((r.data["key"], r.line) for r in rows))
        kept = {row.line for row in rows}
        rejected = [
            (key, record.line)
            for record in batch
            if record.line not in kept and not record.problem
            for key in [key_of(record.cells, plan.key, plan.separator)[0]]
            if key is not None
        ]
        self.seen.add_keys(plan.type_name, plan.name, rejected, ok=False)
        for link in plan.links:
            ends = [(r, key_of(r.cells, link.columns, plan.separator)[0]) for r in rows]
            self.seen.add_links(
                (
                    link.relation.name,
                    other if link.column_from else r.data["key"],
                    r.data["key"] if link.column_from else other,
                    plan.name,
                    r.line,
                    "+".join(link.columns),
                )
                for r, other in ends
                if other is not None
            )
            for r, other in ends:
                if other is None:
                    self.reject(plan.name, r.line, link.columns[0], "", "the link's key is empty")
        return await self._outcome(plan.type_name, rows) if count else WriteResult()

    def _read(self, plan: EntityPlan, batch: Sequence[Record]) -> list[Row]:
        rows: list[Row] = []
        columns = {reader.property: reader.column for reader in plan.readers}
        for record in batch:
            values = self._values(plan, record)
            if values is None:
                continue
            key, empty = key_of(record.cells, plan.key, plan.separator)
            if key is None:
                self.reject(plan.name, record.line, empty, "", "the key is empty")
            else:
                data = {"key": key, **values}
                rows.append(Row(record.line, data, {**columns, "key": plan.key[0]}, record.cells))
        return rows

    def _values(self, plan: FilePlan, record: Record) -> dict[str, Any] | None:
        """The record's property values; None if it is rejected (it cannot be read, or a
        cell of it cannot)."""
        if record.problem:
            self.reject(plan.name, record.line, record.column, "", record.problem)
            return None
        values, faults = read_row(plan, record)
        for fault in faults:
            self.reject(plan.name, fault.line, fault.column, fault.value, fault.reason)
        return None if faults else values

    def _without_duplicate_keys(self, plan: EntityPlan, rows: list[Row]) -> list[Row]:
        first: dict[str, int] = {}
        held = self.seen.keys_held(plan.type_name, [r.data["key"] for r in rows])
        kept: list[Row] = []
        for row in rows:
            key = row.data["key"]
            if key in first:
                where = f"line {first[key]}"
            elif key in held:
                file, line, _ = held[key]
                where = f"line {line}" + ("" if file == plan.name else f" of {file}")
            else:
                first[key] = row.line
                kept.append(row)
                continue
            column = "+".join(plan.key)
            self.reject(plan.name, row.line, column, key, f"the key {key!r} is also on {where}")
        return kept

    def _valid(self, file: str, type_name: str, rows: list[Row]) -> list[Row]:
        """The rows the type's checks accept; the others rejected, each with every reason."""
        if not rows:
            return rows
        try:
            plan_write(self.registry, {type_name: [r.data for r in rows]}, {}, self.actor)
            return rows
        except GraphCrmError:
            pass
        kept: list[Row] = []
        for row in rows:
            try:
                plan_write(self.registry, {type_name: [row.data]}, {}, self.actor)
            except GraphCrmError as error:
                for issue in error.issues:
                    prop = str(issue.path[-1]) if len(issue.path) > 3 else ""
                    column = row.columns.get(prop, "")
                    value = row.data.get(prop) if prop else None
                    self.reject(file, row.line, column, value, issue.message)
                continue
            kept.append(row)
        return kept

    async def _without_unique_clashes(self, plan: EntityPlan, rows: list[Row]) -> list[Row]:
        definition = self.registry.entity_type(plan.type_name)
        bad: set[int] = set()
        for spec in definition.unique_properties:
            holders = [(r, r.data[spec.name]) for r in rows if spec.name in r.data]
            if not holders:
                continue
            column = next((r.columns.get(spec.name, "") for r, _ in holders), "")
            earlier = self.seen.unique_held(plan.type_name, spec.name, [v for _, v in holders])
            stored = await self._stored_holders(plan.type_name, spec.name, [v for _, v in holders])
            first: dict[Any, Row] = {}
            for row, value in holders:
                text = _json_text(value)
                other: str | None = None
                if value in first and first[value].data["key"] != row.data["key"]:
                    other = f"the row on line {first[value].line}"
                elif text in earlier and earlier[text][0] != row.data["key"]:
                    other = f"the row on line {earlier[text][2]} of {earlier[text][1]}"
                elif value in stored and stored[value] != row.data["key"]:
                    other = f"the stored {plan.type_name} {stored[value]!r}"
                first.setdefault(value, row)
                if other is not None:
                    bad.add(row.line)
                    reason = f"{spec.name} must be unique; {other} holds {value!r}"
                    self.reject(plan.name, row.line, column, value, reason)
            self.seen.add_unique(
                plan.type_name,
                spec.name,
                plan.name,
                ((v, r.data["key"], r.line) for r, v in holders if r.line not in bad),
            )
        return [row for row in rows if row.line not in bad]

    async def _stored_holders(self, type_name: str, prop: str, values: list[Any]) -> dict[Any, str]:
        spec = self.registry.entity_type(type_name).spec(prop)
        assert spec is not None
        found: dict[Any, str] = {}
        distinct = list(dict.fromkeys(values))
        for start in range(0, len(distinct), LOOKUP):
            chunk = [value_to_json(spec.kind, v) for v in distinct[start : start + LOOKUP]]
            page = await self.store.list_entities(
                type_name, where={prop: {"in": chunk}}, first=LOOKUP
            )
            for entity in page.items:
                found[_comparable(entity.properties[prop], values)] = entity.key
        return found

    async def _outcome(self, type_name: str, rows: list[Row]) -> WriteResult:
        """How many of ``rows`` would be created, updated or left unchanged."""
        if not rows:
            return WriteResult()
        checked = plan_write(self.registry, {type_name: [r.data for r in rows]}, {}, self.actor)
        records = checked.entities[0].records
        stored = await self.store.get_entities([global_id(type_name, r.key) for r in records])
        return _tally([r.properties for r in records], stored)

    async def _link_outcome(self, rel: RelationType, rows: list[Row]) -> WriteResult:
        """How many of the links ``rows`` would be created, updated or left unchanged."""
        if not rows:
            return WriteResult()
        checked = plan_write(self.registry, {}, {rel.name: [r.data for r in rows]}, self.actor)
        links = checked.links[0].links
        ends = [{"from": r.data["from"], "to": r.data["to"]} for r in rows]
        stored = await self.store.get_relations(rel.name, ends)
        return _tally([link.properties for link in links], stored)

    # links ---------------------------------------------------------------------------

    async def pending_links(self, batch: int) -> None:
        """Check the links of entity files' columns, now that every file's keys are known."""
        for links in self.seen.pending_links(batch):
            by_relation: dict[str, list[tuple[str, str, str, int, str]]] = {}
            for relation, source, target, file, line, column in links:
                by_relation.setdefault(relation, []).append((source, target, file, line, column))
            for relation, rows in by_relation.items():
                rel = self.registry.relation_type(relation)
                missing = await self._missing_ends(rel, [(s, t) for s, t, *_ in rows])
                for (source, target, file, line, column), problem in zip(
                    rows, missing, strict=True
                ):
                    if problem:
                        self.reject(file, line, column, source if column else target, problem)

    async def relations(
        self, plan: RelationPlan, batch: Sequence[Record], *, count: bool
    ) -> WriteResult:
        """Check a batch of a relation file; with ``count``, how many of its links would be
        created, updated or left unchanged."""
        rel = plan.relation
        assert rel is not None
        rows: list[Row] = []
        columns = {reader.property: reader.column for reader in plan.readers}
        for record in batch:
            values = self._values(plan, record)
            if values is None:
                continue
            source, empty_from = key_of(record.cells, plan.source, plan.separator)
            target, empty_to = key_of(record.cells, plan.target, plan.separator)
            if source is None or target is None:
                self.reject(plan.name, record.line, empty_from or empty_to, "", "a key is empty")
            else:
                data: dict[str, Any] = {
                    "from": global_id(rel.from_type, source),
                    "to": global_id(rel.to_type, target),
                }
                if values:
                    data["properties"] = values
                rows.append(Row(record.line, data, columns, record.cells))
        rows = self._valid_links(plan.name, rel, rows)
        pairs = [(_key(r.data["from"]), _key(r.data["to"])) for r in rows]
        missing = await self._missing_ends(rel, pairs)
        column = "+".join(plan.source)
        linkable: list[Row] = []
        for row, problem in zip(rows, missing, strict=True):
            if problem:
                self.reject(plan.name, row.line, column, "", problem)
            elif problem is None:
                self.seen.mark_bad(plan.name, [row.line])
            else:
                linkable.append(row)
        return await self._link_outcome(rel, linkable) if count else WriteResult()

    def _valid_links(self, file: str, rel: RelationType, rows: list[Row]) -> list[Row]:
        try:
            plan_write(self.registry, {}, {rel.name: [r.data for r in rows]}, self.actor)
            return rows
        except GraphCrmError:
            pass
        kept: list[Row] = []
        first: dict[tuple[str, str], int] = {}
        for row in rows:
            pair = (row.data["from"], row.data["to"])
            if pair in first:
                self.reject(file, row.line, "", "", f"the same link is on line {first[pair]}")
                continue
            first[pair] = row.line
            try:
                plan_write(self.registry, {}, {rel.name: [row.data]}, self.actor)
            except GraphCrmError as error:
                for issue in error.issues:
                    prop = str(issue.path[-1]) if len(issue.path) > 3 else ""
                    self.reject(file, row.line, row.columns.get(prop, ""), "", issue.message)
                continue
            kept.append(row)
        return kept

    async def _missing_ends(
        self, rel: RelationType, pairs: Sequence[tuple[str, str]]
    ) -> list[str | None]:
        """Per pair, why it cannot link: '' if both ends exist (in the files or stored);
        None if it is not judged (an end's row was rejected and nothing will be written, or
        its file could not be read: the root cause is reported)."""
        known: dict[tuple[str, str], str | None] = {}
        ends = ((rel.from_type, [s for s, _ in pairs]), (rel.to_type, [t for _, t in pairs]))
        for type_name, keys in ends:
            distinct = list(dict.fromkeys(keys))
            in_files = self.seen.keys_held(type_name, distinct)
            rest = [key for key in distinct if key not in in_files]
            ids = [global_id(type_name, key) for key in rest]
            stored = await self.store.get_entities(ids) if ids else []
            for key, (file, line, ok) in in_files.items():
                known[(type_name, key)] = (
                    "" if ok else self._rejected_end(type_name, key, file, line)
                )
            for key, entity in zip(rest, stored, strict=True):
                if entity is not None:
                    known[(type_name, key)] = ""
                elif type_name in self.unread:
                    known[(type_name, key)] = None
                else:
                    known[(type_name, key)] = f"no {type_name} {key!r} (in the files or stored)"
        problems: list[str | None] = []
        for source, target in pairs:
            first = known[(rel.from_type, source)]
            problems.append(first if first != "" else known[(rel.to_type, target)])
        return problems

    def _rejected_end(self, type_name: str, key: str, file: str, line: int) -> str | None:
        if not self.skip_bad:
            return None  # nothing is written: its own rejection says why
        return f"its {type_name} {key!r} ({file} line {line}) is rejected"


def _key(global_id_text: str) -> str:
    return global_id_text.split(":", 1)[1]


def _json_text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _comparable(stored: Any, values: list[Any]) -> Any:
    """A stored value as the rows hold it (rows hold what the API takes: text for dates)."""
    if stored in values:
        return stored
    text = stored.isoformat() if hasattr(stored, "isoformat") else stored
    return text


def _tally(
    new: Sequence[Mapping[str, Any]], stored: Sequence[Entity | Relation | None]
) -> WriteResult:
    """How many writes of ``new`` properties would create, update or leave unchanged what
    is ``stored`` (None: nothing yet)."""
    created = updated = unchanged = 0
    for properties, held in zip(new, stored, strict=True):
        if held is None:
            created += 1
        elif held.properties == properties:
            unchanged += 1
        else:
            updated += 1
    return WriteResult(created=created, updated=updated, unchanged=unchanged)
