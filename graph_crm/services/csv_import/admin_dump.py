"""``graph-crm import FILE --neo4j-admin-files DIR``: a graph-crm export written as the
files of Neo4j's bulk importer, as :mod:`.admin_import` does for CSV files.

The export is checked as ``graph-crm import`` checks it, then written by the same code,
:func:`~graph_crm.services.transfer.import_graph`, into :class:`AdminFiles` instead of a
store: the registry and its history, each entity and relation with its own times, and
the audit records an import into an empty Neo4j leaves. No store is read: the export
holds everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from graph_crm.clock import utc_now
from graph_crm.model.audit import AuditKind, relation_id
from graph_crm.model.graph import Entity, Relation
from graph_crm.model.registry import Registry, RegistryChange
from graph_crm.services.csv_import.admin_files import AdminFiles
from graph_crm.services.csv_import.admin_import import prepare_directory
from graph_crm.services.transfer import Progress, check_import, import_graph
from graph_crm.store.audit import import_data_record, import_registry_record
from graph_crm.store.base import DEFAULT_ACTOR


class _FilesRestorer:
    """``import_graph``'s writes, as files."""

    def __init__(self, files: AdminFiles) -> None:
        self.files = files

    async def restore_registry(
        self, registry: Registry, changes: Sequence[RegistryChange], *, actor: str = DEFAULT_ACTOR
    ) -> None:
        self.files.write_registry(registry, changes)
        self.files.write_audit(import_registry_record(actor, registry, changes, utc_now()))

    async def restore_entities(
        self, type_name: str, entities: Sequence[Entity], *, actor: str = DEFAULT_ACTOR
    ) -> None:
        entity_type = self.files.registry.entity_type(type_name)
        for e in entities:
            self.files.entity(entity_type, e.key, e.properties, e.created_at, e.updated_at)
        if entities:
            ids = [e.id for e in entities]
            record = import_data_record(actor, AuditKind.ENTITY, type_name, ids, utc_now())
            self.files.write_audit(record)

    async def restore_relations(
        self, relation_type: str, relations: Sequence[Relation], *, actor: str = DEFAULT_ACTOR
    ) -> None:
        self.files.restored_relations(self.files.registry.relation_type(relation_type), relations)
        if relations:
            ids = [relation_id(relation_type, r.from_id, r.to_id) for r in relations]
            record = import_data_record(actor, AuditKind.RELATION, relation_type, ids, utc_now())
            self.files.write_audit(record)


async def write_dump_files(
    path: Path,
    directory: Path,
    *,
    database: str = "neo4j",
    program: str = "neo4j-admin",
    progress: Progress | None = None,
    actor: str = DEFAULT_ACTOR,
) -> list[str]:
    """Check the export at ``path``, write the importer's files into ``directory`` (made
    if absent; it must be empty) and return the importer's command line."""
    plan = check_import(path)
    prepare_directory(directory)
    files = AdminFiles(directory, plan.registry)
    written = False
    try:
        await import_graph(_FilesRestorer(files), path, progress, actor=actor)
        files.finish()
        written = True
    finally:
        if not written:
            files.discard()
    return files.command(database, program)
