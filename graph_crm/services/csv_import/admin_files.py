"""The files of a bulk import into an empty Neo4j (``neo4j-admin database import full``).

:class:`AdminFiles` takes an import's batches where a store would (``write_batch``) and
writes, instead of a transaction, what the Neo4j backend's online writes store
(``entity_upsert.cypher``, ``relation_link.cypher``, ``audit_add.cypher``): each entity
an ``Entity:<Type>`` node with ``key``, ``id`` (its global id, also the importer's node
id), ``_rev``, ``createdAt``, ``updatedAt`` and its defined properties; each relation
with ``createdAt``, ``updatedAt`` and its properties; one ``_GraphCrmAudit``
node per batch and type, as the online write leaves; and the registry (the
``_GraphCrmRegistry`` node, its definitions and its history). Entities are written as
they come (the check has made their keys unique). Relations go through an on-disk index
first (:mod:`.admin_relations`), since linking one twice updates it (or changes
nothing), as ``MERGE`` does, and are written out at :meth:`AdminFiles.finish`.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final, TextIO

from graph_crm.clock import utc_now
from graph_crm.model.audit import AuditRecord
from graph_crm.model.graph import Relation, WriteResult
from graph_crm.model.records import global_id, revision_of
from graph_crm.model.registry import Registry, RegistryChange
from graph_crm.model.types import EntityType, RelationType
from graph_crm.services.csv_import.admin_cells import (
    ARRAY_DELIMITER_OPTION,
    array_cell,
    cell,
    column_type,
    header,
    line,
)
from graph_crm.services.csv_import.admin_relations import RelationIndex, RelationRow
from graph_crm.store.audit import upsert_record
from graph_crm.store.links import LinkBatch, Linked, link_outcome
from graph_crm.store.neo4j.values import encode_props
from graph_crm.store.write_batch import BatchResult, EntityWrite, plan_write

#: (name, importer type) of what every relationship carries first; an entity node has its
#: revision before them (relationships keep none: relation_link.cypher compares values).
_TIMES: Final = (("createdAt", "datetime"), ("updatedAt", "datetime"))
_INTERNAL: Final = (("_rev", "string"), *_TIMES)
_AUDIT: Final = (
    ("id", "string"),
    ("at", "string"),
    ("actor", "string"),
    ("action", "string"),
    ("kind", "string"),
    ("typeName", "string"),
    ("ids", "string[]"),
    ("before", "string"),
    ("after", "string"),
    ("summary", "string"),
)
_CHANGE: Final = (
    ("version", "long"),
    ("step", "long"),
    ("kind", "string"),
    ("name", "string"),
    ("actor", "string"),
    ("at", "string"),
    ("before", "string"),
    ("after", "string"),
)


@dataclass(frozen=True)
class Source:
    """One ``--nodes`` or ``--relationships`` argument: labels or type, header, data."""

    option: str
    name: str
    header: Path
    data: Path

    def argument(self) -> str:
        return f"--{self.option}={self.name}={self.header},{self.data}"


class AdminFiles:
    """Writes an import's files into ``directory`` (which the caller has emptied)."""

    def __init__(self, directory: Path, registry: Registry) -> None:
        #: absolute: the importer runs elsewhere
        self.directory = directory.resolve()
        self.registry = registry
        self.sources: list[Source] = []
        #: Whether a value holds a line break (the importer must then be told so).
        self.multiline = False
        self._open: dict[str, TextIO] = {}
        self._relations = RelationIndex(self.directory / ".relations.db")
        self._audit = self._file("nodes", "_GraphCrmAudit", "audit", header(_AUDIT))

    # files -----------------------------------------------------------------------------

    def _file(self, option: str, name: str, stem: str, header_line: str) -> TextIO:
        head = self.directory / f"{stem}.header.csv"
        data = self.directory / f"{stem}.csv"
        head.write_text(header_line + "\n", encoding="utf-8")
        self.sources.append(Source(option, name, head, data))
        out = data.open("w", encoding="utf-8", newline="")
        self._open[stem] = out
        return out

    def _emit(self, out: TextIO, cells: Sequence[str]) -> None:
        text = line(cells)
        if not self.multiline and ("\r" in text or text.count("\n") > 1):
            self.multiline = True
        out.write(text)

    def _entity_file(self, entity_type: EntityType) -> TextIO:
        stem = f"nodes-{entity_type.name}"
        out = self._open.get(stem)
        if out is None:
            columns = [("key", "string"), *_INTERNAL]
            columns += [(spec.name, column_type(spec.kind)) for spec in entity_type.properties]
            head = header(columns, lead=("id:ID",))
            out = self._file("nodes", f"Entity:{entity_type.name}", stem, head)
        return out

    # what the store's history holds ----------------------------------------------------

    def write_registry(self, registry: Registry, changes: Sequence[RegistryChange]) -> None:
        """The registry node, its definitions and its changes, as the store holds them."""
        out = self._file("nodes", "_GraphCrmRegistry", "registry", "name:string,version:long")
        self._emit(out, [cell("main"), cell(registry.version)])
        columns = header([("kind", "string"), ("name", "string"), ("definition", "string")])
        out = self._file("nodes", "_GraphCrmTypeDef", "definitions", columns)
        for item in registry.definitions_json():
            definition = item["definition"]
            text = json.dumps(definition, ensure_ascii=False)
            self._emit(out, [cell(item["kind"]), cell(definition["name"]), cell(text)])
        out = self._file("nodes", "_GraphCrmChange", "changes", header(_CHANGE))
        for change in changes:
            stored = change.to_record()
            self._emit(out, [cell(stored.get(name)) for name, _ in _CHANGE])

    def write_audit(self, record: AuditRecord) -> None:
        stored = record.to_record()
        cells = [
            array_cell(stored[name]) if name == "ids" else cell(stored[name]) for name, _ in _AUDIT
        ]
        self._emit(self._audit, cells)

    # the import's batches --------------------------------------------------------------

    async def write_batch(
        self,
        entities: Mapping[str, Sequence[Mapping[str, Any]]],
        links: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
        *,
        actor: str,
    ) -> BatchResult:
        """Check the batch as a store's ``write_batch`` does, then write it."""
        plan = plan_write(self.registry, entities, links or {}, actor)
        at = utc_now()
        result = BatchResult()
        for write in plan.entities:
            result.written[write.type_name] = self._entities(write, actor, at)
        for batch in plan.links:
            result.linked[batch.relation_type.name] = self._links(batch, at)
        return result

    def _entities(self, write: EntityWrite, actor: str, at: datetime) -> WriteResult:
        entity_type = write.entity_type
        ids = [self.entity(entity_type, r.key, r.properties, at, at) for r in write.records]
        written = WriteResult(created=len(ids))
        if ids:
            self.write_audit(upsert_record(actor, entity_type.name, ids, written, at))
        return written

    def entity(
        self,
        entity_type: EntityType,
        key: str,
        properties: Mapping[str, Any],
        created: datetime,
        updated: datetime,
    ) -> str:
        """Write one entity node; returns its global id."""
        gid = global_id(entity_type.name, key)
        props = encode_props(entity_type, properties)
        rev = revision_of(entity_type, properties)
        cells = [cell(gid), cell(key), cell(rev), cell(created), cell(updated)]
        cells += [cell(props[spec.name]) for spec in entity_type.properties]
        self._emit(self._entity_file(entity_type), cells)
        return gid

    def _links(self, batch: LinkBatch, at: datetime) -> WriteResult:
        rel = batch.relation_type
        known = self._relations.revisions(rel.name, batch.pairs)
        stamp = cell(at)
        created = unchanged = 0
        changed: list[tuple[str, str]] = []
        rows = []
        for link in batch.links:
            pair = (link.from_key, link.to_key)
            rev = revision_of(rel, link.properties)
            before = known.get(pair)
            if before == rev:
                unchanged += 1
                continue
            created += before is None
            known[pair] = rev
            changed.append(pair)
            rows.append(self._relation_row(rel, pair, link.properties, stamp, stamp))
        self._relations.put(rows)
        written, records = link_outcome(batch, Linked(created, unchanged, changed), at)
        for record in records:
            self.write_audit(record)
        return written

    def _relation_row(
        self,
        rel: RelationType,
        ends: tuple[str, str],
        properties: Mapping[str, Any],
        created: str,
        updated: str,
    ) -> RelationRow:
        props = encode_props(rel, properties)
        text = ",".join(cell(props[spec.name]) for spec in rel.properties)
        if not self.multiline and ("\n" in text or "\r" in text):
            self.multiline = True
        return (rel.name, *ends, revision_of(rel, properties), text, created, updated)

    def restored_relations(self, rel: RelationType, relations: Sequence[Relation]) -> None:
        """Relations of an export, with their own times."""
        self._relations.put(
            self._relation_row(
                rel,
                (r.from_id.split(":", 1)[1], r.to_id.split(":", 1)[1]),
                r.properties,
                cell(r.created_at),
                cell(r.updated_at),
            )
            for r in relations
        )

    # the end ---------------------------------------------------------------------------

    def finish(self) -> None:
        """Write out the relations and close every file."""
        out: TextIO | None = None
        current = from_type = to_type = ""
        for name, src, dst, _rev, props, created, updated in self._relations.rows():
            if name != current:
                current = name
                rel = self.registry.relation_type(name)
                from_type, to_type = rel.from_type, rel.to_type
                columns = [*_TIMES, *((s.name, column_type(s.kind)) for s in rel.properties)]
                head = header(columns, lead=(":START_ID", ":END_ID"))
                out = self._file("relationships", name, f"relationships-{name}", head)
            assert out is not None
            cells = [cell(global_id(from_type, src)), cell(global_id(to_type, dst))]
            cells += [created, updated]
            if props:
                cells.append(props)
            out.write(line(cells))
        self.close()

    def close(self) -> None:
        for out in self._open.values():
            out.close()
        self._open.clear()
        self._relations.close()

    def discard(self) -> None:
        """Close and delete every file written (a refused or dry-run import)."""
        self.close()
        for source in self.sources:
            source.header.unlink(missing_ok=True)
            source.data.unlink(missing_ok=True)
        self.sources.clear()

    def command(self, database: str, program: str = "neo4j-admin") -> list[str]:
        """The importer's command line for these files (the database first: the file lists
        of ``--nodes`` and ``--relationships`` would take a name after them as a file)."""
        options = [
            "--overwrite-destination=true",
            "--bad-tolerance=0",
            f"--array-delimiter={ARRAY_DELIMITER_OPTION}",
        ]
        if self.multiline:
            options.append("--multiline-fields=true")
        sources = [source.argument() for source in self.sources]
        return [program, "database", "import", "full", database, *options, *sources]


def shell_line(command: Sequence[str]) -> str:
    return " ".join(shlex.quote(part) for part in command)
