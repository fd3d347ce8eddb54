"""The mapping of an import: which CSV file holds which type, and how its columns read.

A mapping is YAML (or JSON); file paths are relative to the mapping's folder::

    nulls: ["", "NULL", "N/A"]          # cells that mean "no value" (the default)
    entities:
      - file: customers.csv
        type: Customer
        key: CustomerID                 # or a composite: [OrderID, ProductID]
        columns:
          CompanyName: name             # column: property (read by the property's kind)
          Since: {property: since, format: "%Y-%m-%d %H:%M:%S.%f"}
          Discount: {property: discount, decimal: ","}
          Active: {property: active, "true": [Y], "false": [N]}
          Tier: {property: tier, values: {A: STRATEGIC, B: KEY}}
        links:                          # a column of this file names the other end
          - {relation: PLACED, from: CustomerID}
    relations:
      - file: order_details.csv
        relation: HAS_LINE
        from: OrderID
        to: [OrderID, ProductID]
        columns: {Quantity: quantity}

Options (``nulls``, ``trim``, ``encoding``, ``delimiter``, ``keySeparator``) may be set at
the top, per file, and (``nulls``, ``trim``) per column; the nearest wins.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from graph_crm.errors import InvalidInput, InvalidName, Issue, raise_issues
from graph_crm.model.names import check_entity_type_name, check_relation_type_name
from graph_crm.services.yaml_text import load_yaml

MAX_MAPPING_BYTES: Final = 1_000_000
DEFAULT_NULLS: Final = ("", "NULL", "N/A")
ENCODINGS: Final = ("auto", "utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "latin-1")
Columns = Annotated[list[str], Field(min_length=1, max_length=8)]


def _columns(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    nulls: tuple[str, ...] | None = None
    trim: bool | None = None


class Column(_Options):
    """How one column reads into one property."""

    property: str
    #: DATE / DATETIME: strptime formats tried in turn (default ISO 8601)
    format: tuple[str, ...] | None = None
    #: DATETIME without a zone: the zone it is in (default UTC)
    timezone: str | None = None
    #: FLOAT / INT: the decimal mark and the thousands separator
    decimal: Literal[".", ","] = "."
    thousands: Literal["", ",", ".", " ", "'"] = ""
    true: tuple[str, ...] | None = None
    false: tuple[str, ...] | None = None
    #: ENUM (or any kind): a cell's text -> the value stored
    values: dict[str, str] | None = None

    @field_validator("format", mode="before")
    @classmethod
    def _one_or_more(cls, value: Any) -> Any:
        return _columns(value)


class FileOptions(_Options):
    encoding: str | None = None
    delimiter: str | None = None
    key_separator: str | None = Field(default=None, alias="keySeparator")

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, value: str | None) -> str | None:
        if value is not None and value.lower() not in ENCODINGS:
            raise ValueError(f"encoding is one of {', '.join(ENCODINGS)}")
        return None if value is None else value.lower()

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, value: str | None) -> str | None:
        if value is not None and value != "auto" and (len(value) != 1 or value in '"\r\n'):
            raise ValueError("delimiter is one character (or auto), not a quote or newline")
        return value


class Link(BaseModel):
    """A relation from a column of an entity file: the column holds the other end's key."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    relation: str
    from_: Columns | None = Field(default=None, alias="from")
    to: Columns | None = None

    @field_validator("from_", "to", mode="before")
    @classmethod
    def _one_or_more(cls, value: Any) -> Any:
        return _columns(value)


class EntityFile(FileOptions):
    file: str
    type: str
    key: Columns
    columns: dict[str, str | Column] = Field(default_factory=dict)
    links: list[Link] = Field(default_factory=list)

    @field_validator("key", mode="before")
    @classmethod
    def _one_or_more(cls, value: Any) -> Any:
        return _columns(value)


class RelationFile(FileOptions):
    file: str
    relation: str
    from_: Columns = Field(alias="from")
    to: Columns
    columns: dict[str, str | Column] = Field(default_factory=dict)

    @field_validator("from_", "to", mode="before")
    @classmethod
    def _one_or_more(cls, value: Any) -> Any:
        return _columns(value)


class ImportMapping(FileOptions):
    entities: list[EntityFile] = Field(default_factory=list, max_length=200)
    relations: list[RelationFile] = Field(default_factory=list, max_length=200)
    #: The folder file paths are relative to (the mapping's own).
    base: Path = Path(".")

    def path_of(self, spec: EntityFile | RelationFile) -> Path:
        return self.base / spec.file


def column(spec: str | Column) -> Column:
    return Column(property=spec) if isinstance(spec, str) else spec


def read_mapping(path: Path) -> ImportMapping:
    """The mapping in ``path``: checked, its names validated against the registry's strict
    patterns, every problem at its path."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"cannot read the mapping {path}: {error}") from None
    return parse_mapping(text, base=path.parent)


def parse_mapping(text: str, *, base: Path) -> ImportMapping:
    data = load_yaml(text, what="a mapping", max_bytes=MAX_MAPPING_BYTES)
    if not isinstance(data, dict):
        raise InvalidInput("a mapping is a mapping with entities and relations")
    try:
        mapping = ImportMapping.model_validate({**data, "base": base})
    except ValidationError as error:
        raise_issues(
            InvalidInput,
            [
                Issue(InvalidInput.code, problem["msg"], tuple(problem["loc"]))
                for problem in error.errors()[:50]
            ],
        )
    issues: list[Issue] = []
    for index, entity_file in enumerate(mapping.entities):
        _name(issues, check_entity_type_name, entity_file.type, ("entities", index, "type"))
        for number, link in enumerate(entity_file.links):
            where = ("entities", index, "links", number)
            _name(issues, check_relation_type_name, link.relation, (*where, "relation"))
            if (link.from_ is None) == (link.to is None):
                issues.append(
                    Issue(
                        InvalidInput.code,
                        "a link names the column of one end: from or to (this row is the other)",
                        where,
                    )
                )
    for index, relation_file in enumerate(mapping.relations):
        at: tuple[str | int, ...] = ("relations", index, "relation")
        _name(issues, check_relation_type_name, relation_file.relation, at)
    if not mapping.entities and not mapping.relations:
        issues.append(Issue(InvalidInput.code, "a mapping names at least one file", ()))
    if issues:
        raise_issues(InvalidInput, issues)
    return mapping


def _name(issues: list[Issue], check: Any, name: str, where: tuple[str | int, ...]) -> None:
    try:
        check(name)
    except (InvalidName, InvalidInput) as error:
        issues.append(Issue(error.code, error.message, where))
