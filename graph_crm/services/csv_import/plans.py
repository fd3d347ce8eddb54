"""A mapping resolved against the registry: per file, how each record becomes a row.

Every problem of the mapping itself (an unknown type or property, a link whose ends do not
fit, an unknown time zone) is found here, at its path in the mapping, before a file is
opened.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph_crm.errors import GraphCrmError, InvalidInput, Issue, PathPart, raise_issues
from graph_crm.model.registry import Registry
from graph_crm.model.types import PropertySpec, RelationType, _TypeDefinition
from graph_crm.services.csv_import.cells import CellError, CellReader, cell_reader
from graph_crm.services.csv_import.files import Record
from graph_crm.services.csv_import.mapping import (
    DEFAULT_NULLS,
    Column,
    EntityFile,
    FileOptions,
    ImportMapping,
    RelationFile,
    column,
)


@dataclass(frozen=True)
class CellFault:
    """A cell that cannot be read."""

    line: int
    column: str
    value: str
    reason: str


@dataclass(frozen=True)
class Reader:
    """One column read into one property."""

    column: str
    property: str
    read: CellReader


@dataclass(frozen=True)
class LinkPlan:
    """A relation from a column of an entity file (``column_from``: the column gives the
    from end, this row the to end; else the reverse)."""

    relation: RelationType
    columns: tuple[str, ...]
    column_from: bool


@dataclass(frozen=True)
class FilePlan:
    path: Path
    name: str
    encoding: str
    delimiter: str
    separator: str
    readers: tuple[Reader, ...]
    #: Columns the file must have.
    needed: tuple[str, ...]


@dataclass(frozen=True)
class EntityPlan(FilePlan):
    type_name: str = ""
    key: tuple[str, ...] = ()
    links: tuple[LinkPlan, ...] = ()


@dataclass(frozen=True)
class RelationPlan(FilePlan):
    relation: RelationType | None = None
    source: tuple[str, ...] = ()
    target: tuple[str, ...] = ()


@dataclass
class Plans:
    entities: list[EntityPlan] = field(default_factory=list)
    relations: list[RelationPlan] = field(default_factory=list)


def plan_import(
    mapping: ImportMapping, registry: Registry, *, encoding: str | None, delimiter: str | None
) -> Plans:
    """Every file's plan; InvalidInput with every problem of the mapping at its path."""
    issues: list[Issue] = []
    plans = Plans()
    for index, spec in enumerate(mapping.entities):
        where: tuple[PathPart, ...] = ("entities", index)
        try:
            definition = registry.entity_type(spec.type)
        except GraphCrmError as error:
            issues.append(Issue(error.code, error.message, (*where, "type")))
            continue
        readers = _readers(mapping, spec, definition, where, issues)
        links = tuple(_links(registry, spec, where, issues))
        needed = (*spec.key, *(r.column for r in readers), *(c for lk in links for c in lk.columns))
        plans.entities.append(
            EntityPlan(
                **_file(mapping, spec, encoding, delimiter),
                readers=readers,
                needed=tuple(dict.fromkeys(needed)),
                type_name=definition.name,
                key=tuple(spec.key),
                links=links,
            )
        )
    for index, rspec in enumerate(mapping.relations):
        where = ("relations", index)
        try:
            relation = registry.relation_type(rspec.relation)
        except GraphCrmError as error:
            issues.append(Issue(error.code, error.message, (*where, "relation")))
            continue
        readers = _readers(mapping, rspec, relation, where, issues)
        needed = (*rspec.from_, *rspec.to, *(r.column for r in readers))
        plans.relations.append(
            RelationPlan(
                **_file(mapping, rspec, encoding, delimiter),
                readers=readers,
                needed=tuple(dict.fromkeys(needed)),
                relation=relation,
                source=tuple(rspec.from_),
                target=tuple(rspec.to),
            )
        )
    if issues:
        raise_issues(InvalidInput, issues)
    return plans


def _file(
    mapping: ImportMapping,
    spec: EntityFile | RelationFile,
    encoding: str | None,
    delimiter: str | None,
) -> dict[str, Any]:
    return {
        "path": mapping.path_of(spec),
        "name": spec.file,
        "encoding": encoding or _option(spec, mapping, "encoding") or "auto",
        "delimiter": delimiter or _option(spec, mapping, "delimiter") or "auto",
        "separator": _option(spec, mapping, "key_separator") or "-",
    }


def _option(spec: FileOptions, mapping: ImportMapping, name: str) -> Any:
    value = getattr(spec, name)
    return getattr(mapping, name) if value is None else value


def _readers(
    mapping: ImportMapping,
    spec: EntityFile | RelationFile,
    definition: _TypeDefinition,
    where: tuple[PathPart, ...],
    issues: list[Issue],
) -> tuple[Reader, ...]:
    nulls = _option(spec, mapping, "nulls")
    trim = _option(spec, mapping, "trim")
    readers: list[Reader] = []
    for name, raw in spec.columns.items():
        wanted: Column = column(raw)
        property_spec: PropertySpec | None = definition.spec(wanted.property)
        at = (*where, "columns", name)
        if property_spec is None:
            known = ", ".join(p.name for p in definition.properties) or "none"
            issues.append(
                Issue(
                    InvalidInput.code,
                    f"{definition.name} has no property {wanted.property!r} (it has {known})",
                    at,
                )
            )
            continue
        try:
            read = cell_reader(
                wanted,
                property_spec,
                nulls=tuple(DEFAULT_NULLS if nulls is None else nulls),
                trim=True if trim is None else trim,
            )
        except CellError as error:
            issues.append(Issue(InvalidInput.code, str(error), at))
            continue
        readers.append(Reader(name, wanted.property, read))
    return tuple(readers)


def _links(
    registry: Registry, spec: EntityFile, where: tuple[PathPart, ...], issues: list[Issue]
) -> Iterator[LinkPlan]:
    for number, link in enumerate(spec.links):
        at = (*where, "links", number, "relation")
        try:
            relation = registry.relation_type(link.relation)
        except GraphCrmError as error:
            issues.append(Issue(error.code, error.message, at))
            continue
        column_from = link.from_ is not None
        this_end = relation.to_type if column_from else relation.from_type
        if this_end != spec.type:
            side = "to" if column_from else "from"
            issues.append(
                Issue(
                    InvalidInput.code,
                    f"{relation.name} goes from {relation.from_type} to {relation.to_type}: "
                    f"this file's rows ({spec.type}) cannot be its {side} end",
                    at,
                )
            )
            continue
        columns = link.from_ if column_from else link.to
        assert columns is not None  # the mapping's check: exactly one of from / to
        yield LinkPlan(relation, tuple(columns), column_from)


def key_of(
    cells: Mapping[str, str], columns: tuple[str, ...], separator: str
) -> tuple[str | None, str]:
    """The key the columns of a record's ``cells`` make (None if a part is empty), and
    the first empty column."""
    parts = [cells[name].strip() for name in columns]
    for name, part in zip(columns, parts, strict=True):
        if not part:
            return None, name
    return separator.join(parts), ""


def read_row(plan: FilePlan, record: Record) -> tuple[dict[str, Any], list[CellFault]]:
    """The record's property values, and the cells that cannot be read."""
    values: dict[str, Any] = {}
    faults: list[CellFault] = []
    for reader in plan.readers:
        text = record.cells[reader.column]
        try:
            value = reader.read(text)
        except CellError as error:
            faults.append(CellFault(record.line, reader.column, text, str(error)))
            continue
        if value is not None:
            values[reader.property] = value
    return values, faults
