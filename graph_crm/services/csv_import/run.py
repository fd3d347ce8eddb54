"""``import-csv``: check every file whole, then write (or, with skip_bad, write the good rows).

**Pass 1** reads every file once, streaming, and checks everything a write would refuse,
before anything is written: each cell read as its property's kind, each row against its
type (the same checks as the API), keys and unique values held twice (in the files, or a
unique value by another stored entity), and each link's ends (in the files or stored).
Every problem goes to the rejects (file, line, column, value, reason). By default one
rejected line and nothing is written; ``skip_bad`` writes the rest.

**Pass 2** reads the files again and writes them in batches (one transaction each, one
``UNWIND`` statement per type on Neo4j): the entity files in order, then the links of
entity-file columns, then the relation files. A batch refused at write time (another
client took a unique value since pass 1) stops the import there; the batches before it
are written, and re-running the import completes it. Re-running an import changes
nothing: its rows are unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, Final, Protocol

from graph_crm.errors import GraphCrmError
from graph_crm.model.records import global_id
from graph_crm.model.registry import Registry
from graph_crm.services.csv_import.files import (
    FileProblem,
    Record,
    detect_encoding,
    read_records,
    sniff_delimiter,
)
from graph_crm.services.csv_import.keys import Seen
from graph_crm.services.csv_import.mapping import ImportMapping
from graph_crm.services.csv_import.plans import (
    EntityPlan,
    FilePlan,
    RelationPlan,
    key_of,
    plan_import,
    read_row,
)
from graph_crm.services.csv_import.report import (
    FileReport,
    ImportReport,
    NoProgress,
    Progress,
    Reject,
    Rejects,
    WriteRefused,
)
from graph_crm.services.csv_import.rows import RowChecker
from graph_crm.store.base import GraphStore
from graph_crm.store.write_batch import BatchResult

BATCH: Final = 5_000


class BatchWriter(Protocol):
    """Where pass 2 writes: the store, or the files of a bulk import (:mod:`.admin_files`)."""

    async def write_batch(
        self,
        entities: Mapping[str, Sequence[Mapping[str, Any]]],
        links: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
        *,
        actor: str,
    ) -> BatchResult: ...


@dataclass(frozen=True)
class Options:
    dry_run: bool = False
    skip_bad: bool = False
    batch: int = BATCH
    encoding: str | None = None
    delimiter: str | None = None
    rejects: Path | None = None
    actor: str = "cli"


@dataclass(frozen=True)
class Opened:
    """A file's codec and delimiter, settled once for both passes."""

    encoding: str
    delimiter: str


async def import_csv(
    store: GraphStore,
    mapping: ImportMapping,
    options: Options,
    progress: Progress | None = None,
    writer: BatchWriter | None = None,
) -> ImportReport:
    """Check, then (unless a dry run, or refused) write the mapping's files: into the
    store, or with ``writer`` (the check still reads the store)."""
    bar = progress or NoProgress()
    registry = await store.registry()
    plans = plan_import(mapping, registry, encoding=options.encoding, delimiter=options.delimiter)
    rejects = Rejects(options.rejects)
    report = ImportReport(dry_run=options.dry_run, rejects_path=options.rejects)
    try:
        with Seen() as seen:
            run = _Run(store, writer or store, registry, options, seen, rejects, bar)
            opened = await run.check(plans.entities, plans.relations, report)
            fatal = run.fatal
            if not options.dry_run and not fatal and (rejects.count == 0 or options.skip_bad):
                try:
                    await run.write(plans.entities, plans.relations, opened, report)
                except GraphCrmError as error:
                    raise WriteRefused(error, run.written_rows) from error
                report.written = True
    finally:
        rejects.close()
        bar.finish()
    report.rejected = rejects.count
    report.examples = rejects.examples
    return report


class _Run:
    def __init__(
        self,
        store: GraphStore,
        writer: BatchWriter,
        registry: Registry,
        options: Options,
        seen: Seen,
        rejects: Rejects,
        bar: Progress,
    ) -> None:
        self.store = store
        self.writer = writer
        self.options = options
        self.seen = seen
        self.rejects = rejects
        self.bar = bar
        self.rows = RowChecker(
            store, registry, options.actor, seen, self.reject, skip_bad=options.skip_bad
        )
        #: Rows written so far (a refusal while writing says how far it got).
        self.written_rows = 0
        #: A problem with a whole file (unreadable, a header without a needed column):
        #: nothing is written, skip_bad or not.
        self.fatal = False

    def reject(self, reject: Reject) -> None:
        self.rejects.add(reject)

    # pass 1 ------------------------------------------------------------------------

    async def check(
        self,
        entities: Sequence[EntityPlan],
        relations: Sequence[RelationPlan],
        report: ImportReport,
    ) -> dict[str, Opened]:
        opened: dict[str, Opened] = {}
        total = sum(_size(plan.path) for plan in (*entities, *relations))
        self.bar.start("check", total, "B")
        for plan in entities:
            file_report = FileReport(plan.name, plan.type_name)
            report.files.append(file_report)
            for batch in self._batches(plan, opened, file_report):
                rows = await self.rows.entities(plan, batch, count=self.options.dry_run)
                file_report.created += rows.created
                file_report.updated += rows.updated
                file_report.unchanged += rows.unchanged
        await self.rows.pending_links(self.options.batch)
        for rplan in relations:
            assert rplan.relation is not None
            file_report = FileReport(rplan.name, rplan.relation.name)
            report.files.append(file_report)
            for batch in self._batches(rplan, opened, file_report):
                rows = await self.rows.relations(rplan, batch, count=self.options.dry_run)
                file_report.created += rows.created
                file_report.updated += rows.updated
                file_report.unchanged += rows.unchanged
        links = self.seen.link_counts()
        for file_report in report.files:
            file_report.rejected = len(self.seen.bad_lines(file_report.file))
            file_report.linked = links.get(file_report.file, 0)
        return opened

    def _batches(
        self, plan: FilePlan, opened: dict[str, Opened], report: FileReport
    ) -> Iterator[list[Record]]:
        try:
            encoding = detect_encoding(plan.path, plan.encoding)
            delimiter = sniff_delimiter(plan.path, encoding, plan.delimiter)
            opened[plan.name] = Opened(encoding, delimiter)
            _, records = read_records(plan.path, encoding, delimiter, plan.needed, self.bar.advance)
            while batch := list(islice(records, self.options.batch)):
                report.rows += len(batch)
                yield batch
        except (FileProblem, OSError) as problem:
            self.fatal = True
            if isinstance(plan, EntityPlan):
                self.rows.unread.add(plan.type_name)
            line = getattr(problem, "line", 0)
            column = getattr(problem, "column", "")
            reason = getattr(problem, "message", None) or str(problem)
            self.reject(Reject(plan.name, line, column, "", reason))

    # pass 2 ------------------------------------------------------------------------

    async def write(
        self,
        entities: Sequence[EntityPlan],
        relations: Sequence[RelationPlan],
        opened: dict[str, Opened],
        report: ImportReport,
    ) -> None:
        reports = {file_report.file: file_report for file_report in report.files}
        self.bar.start("write", report.rows, " rows")
        for plan in entities:
            file_report = reports[plan.name]
            file_report.created = file_report.updated = file_report.unchanged = 0
            bad = self.seen.bad_lines(plan.name)
            for batch in self._again(plan, opened[plan.name]):
                rows = [row for line, row in _entity_rows(plan, batch) if line not in bad]
                written = await self._write({plan.type_name: rows}, {})
                result = written.written.get(plan.type_name)
                if result is not None:
                    file_report.created += result.created
                    file_report.updated += result.updated
                    file_report.unchanged += result.unchanged
                self.bar.advance(len(batch))
        bad_lines = {plan.name: self.seen.bad_lines(plan.name) for plan in entities}
        for links in self.seen.pending_links(self.options.batch):
            grouped: dict[str, list[dict[str, Any]]] = {}
            for relation, source, target, file, line, _column in links:
                if line in bad_lines[file]:
                    continue
                rel = self.rows.registry.relation_type(relation)
                grouped.setdefault(relation, []).append(
                    {"from": global_id(rel.from_type, source), "to": global_id(rel.to_type, target)}
                )
            await self._write({}, grouped)
        for rplan in relations:
            assert rplan.relation is not None
            file_report = reports[rplan.name]
            bad = self.seen.bad_lines(rplan.name)
            for batch in self._again(rplan, opened[rplan.name]):
                rows = [row for line, row in _relation_rows(rplan, batch) if line not in bad]
                written = await self._write({}, {rplan.relation.name: rows})
                result = written.linked.get(rplan.relation.name)
                if result is not None:
                    file_report.created += result.created
                    file_report.updated += result.updated
                    file_report.unchanged += result.unchanged
                self.bar.advance(len(batch))

    def _again(self, plan: FilePlan, opened: Opened) -> Iterator[list[Record]]:
        _, records = read_records(plan.path, opened.encoding, opened.delimiter, plan.needed)
        while batch := list(islice(records, self.options.batch)):
            yield batch

    async def _write(
        self, entities: dict[str, list[dict[str, Any]]], links: dict[str, list[dict[str, Any]]]
    ) -> Any:
        entities = {name: rows for name, rows in entities.items() if rows}
        links = {name: rows for name, rows in links.items() if rows}
        written = await self.writer.write_batch(entities, links, actor=self.options.actor)
        self.written_rows += sum(map(len, entities.values())) + sum(map(len, links.values()))
        return written


def _entity_rows(plan: EntityPlan, batch: Sequence[Record]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows of the records pass 1 accepted (a record it rejected is skipped by line)."""
    for record in batch:
        if record.problem:
            continue
        key, _ = key_of(record.cells, plan.key, plan.separator)
        values, faults = read_row(plan, record)
        if key is not None and not faults:
            yield record.line, {"key": key, **values}


def _relation_rows(
    plan: RelationPlan, batch: Sequence[Record]
) -> Iterator[tuple[int, dict[str, Any]]]:
    for record in batch:
        if record.problem:
            continue
        source, _ = key_of(record.cells, plan.source, plan.separator)
        target, _ = key_of(record.cells, plan.target, plan.separator)
        values, faults = read_row(plan, record)
        if source is not None and target is not None and not faults:
            assert plan.relation is not None
            row: dict[str, Any] = {
                "from": global_id(plan.relation.from_type, source),
                "to": global_id(plan.relation.to_type, target),
            }
            if values:
                row["properties"] = values
            yield record.line, row


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
