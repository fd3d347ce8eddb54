"""``import-csv --neo4j-admin-files DIR``: an import written as the files of Neo4j's own
bulk importer (``neo4j-admin database import full``), for an initial load into an empty
Neo4j by an operator who can stop it.

The import is checked exactly as an online one, against the store graph-crm is
configured with (the *source*: the target Neo4j with its schema applied, or any other
store holding the same registry), which must hold no entity, relation or API key. The
files then hold the graph an online import into that store would leave: the entities,
relations and audit records of the import, and what the store held before (its
registry, definitions, history and audit log). What they cannot hold, the constraints
and the audit index, the backend creates when it first opens the imported database
(:meth:`~graph_crm.store.neo4j.database.Neo4jDatabase.open`): the key and unique
constraints hold, since the check has found every key and unique value once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from graph_crm.errors import InvalidInput
from graph_crm.model.audit import AuditRecord
from graph_crm.services.csv_import.admin_files import AdminFiles
from graph_crm.services.csv_import.mapping import ImportMapping
from graph_crm.services.csv_import.report import ImportReport, Progress
from graph_crm.services.csv_import.run import Options, import_csv
from graph_crm.store.base import GraphStore

#: Audit records read per page while copying the source store's log.
_AUDIT_PAGE = 500


@dataclass
class AdminImport:
    """The import's report, and (if written) the importer's command line."""

    report: ImportReport
    command: list[str] = field(default_factory=list)
    directory: Path | None = None


async def write_admin_files(
    store: GraphStore,
    mapping: ImportMapping,
    options: Options,
    directory: Path,
    *,
    database: str = "neo4j",
    program: str = "neo4j-admin",
    progress: Progress | None = None,
) -> AdminImport:
    """Check the mapping's files against ``store`` and write the bulk importer's files
    into ``directory`` (made if absent; it must be empty)."""
    await _refuse_unless_empty(store)
    prepare_directory(directory)
    registry = await store.registry()
    files = AdminFiles(directory, registry)
    written = False
    try:
        files.write_registry(registry, await store.registry_changes(0))
        async for record in _audit_log(store):
            files.write_audit(record)
        report = await import_csv(store, mapping, options, progress, writer=files)
        written = report.written
        if written:
            files.finish()
    finally:
        if not written:
            files.discard()
    if not written:
        return AdminImport(report)
    return AdminImport(report, files.command(database, program), directory)


async def _refuse_unless_empty(store: GraphStore) -> None:
    counts = await store.counts()
    if any(counts.entities.values()) or any(counts.relations.values()):
        raise InvalidInput(
            "the bulk importer loads an empty database only: this store holds entities "
            "or relations (import them online, without --neo4j-admin-files)"
        )
    if await store.api_keys():
        raise InvalidInput(
            "this store holds API keys, which the bulk import would not carry: create them "
            "after the import"
        )


def prepare_directory(directory: Path) -> None:
    if "," in str(directory.resolve()):
        raise InvalidInput("the importer's file lists are comma-separated: no ',' in DIR")
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise InvalidInput(f"{directory} must be an empty directory, or not exist yet")
    directory.mkdir(parents=True, exist_ok=True)


async def _audit_log(store: GraphStore) -> AsyncIterator[AuditRecord]:
    after: str | None = None
    while True:
        page = await store.audit_log(first=_AUDIT_PAGE, after=after)
        for record in page.items:
            yield record
        if not page.has_next_page:
            return
        after = page.end_cursor
