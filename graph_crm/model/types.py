"""The metamodel: entity types, relation types and their typed properties."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, Self, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from graph_crm.errors import GraphCrmError, InvalidInput, Issue, PathPart, raise_issues
from graph_crm.model.display_labels import check_label
from graph_crm.model.names import (
    check_entity_type_name,
    check_enum_value,
    check_property_name,
    check_relation_type_name,
)

MAX_PROPERTIES = 200
MAX_ENUM_VALUES = 500
MAX_DESCRIPTION = 2_000


class PropertyKind(StrEnum):
    STRING = "STRING"
    INT = "INT"
    FLOAT = "FLOAT"
    BOOLEAN = "BOOLEAN"
    DATE = "DATE"
    DATETIME = "DATETIME"
    ENUM = "ENUM"
    JSON = "JSON"


#: Kinds whose values can back a uniqueness constraint.
UNIQUE_KINDS = frozenset(
    {
        PropertyKind.STRING,
        PropertyKind.INT,
        PropertyKind.DATE,
        PropertyKind.DATETIME,
        PropertyKind.ENUM,
    }
)


def _located(check: Callable[[object], str], value: object, *path: PathPart) -> str:
    """Run a name check; its error points at ``path`` in the definition."""
    try:
        return check(value)
    except GraphCrmError as error:
        raise type(error)(error.message, path=path) from None


class _Definition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class PropertySpec(_Definition):
    """One typed property of an entity or relation type."""

    name: str
    kind: PropertyKind
    required: bool = False
    unique: bool = False
    default: Any = None
    description: str = Field(default="", max_length=MAX_DESCRIPTION)
    values: tuple[str, ...] = Field(default=(), max_length=MAX_ENUM_VALUES)
    #: Free Unicode text naming the property for people (``报关行``); None: its name.
    label: str | None = None
    #: A formula (text) or a rollup (an object) whose value the store computes and keeps
    #: (docs/formulas.md); None: a stored property clients write.
    computed: str | dict[str, Any] | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, name: str) -> str:
        return _located(check_property_name, name, "name")

    @field_validator("label", mode="before")
    @classmethod
    def _label(cls, label: Any) -> str | None:
        return None if label is None else check_label(label)

    @field_validator("computed", mode="before")
    @classmethod
    def _computed(cls, computed: Any) -> Any:
        if computed is None or isinstance(computed, str | dict):
            return computed
        raise InvalidInput(
            "computed is a formula (a string) or a rollup (an object)", path=("computed",)
        )

    @field_validator("values")
    @classmethod
    def _values(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for position, value in enumerate(values):
            _located(check_enum_value, value, "values", position)
        if len(set(values)) != len(values):
            raise InvalidInput("enum values must be distinct", path=("values",))
        return values

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        # Imported here: values.py needs PropertySpec.
        from graph_crm.model.values import coerce_value

        if self.kind is PropertyKind.ENUM and not self.values:
            raise InvalidInput(
                f"enum property {self.name!r} needs at least one value", path=("values",)
            )
        if self.kind is not PropertyKind.ENUM and self.values:
            raise InvalidInput(
                f"property {self.name!r} is {self.kind}, only ENUM has values", path=("values",)
            )
        if self.unique and self.kind not in UNIQUE_KINDS:
            raise InvalidInput(
                f"property {self.name!r}: a {self.kind} property cannot be unique",
                path=("unique",),
            )
        if self.unique and self.default is not None:
            raise InvalidInput(
                f"property {self.name!r} is unique, so it cannot have a default "
                "(every entity would share it)",
                path=("default",),
            )
        if self.computed is not None:
            for flag in ("required", "unique", "default"):
                if getattr(self, flag):
                    raise InvalidInput(
                        f"property {self.name!r} is computed, so it cannot be {flag}"
                        if flag != "default"
                        else f"property {self.name!r} is computed, so it has no default",
                        path=(flag,),
                    )
        if self.default is not None:
            canonical = coerce_value(self, self.default, ("default",))
            object.__setattr__(self, "default", canonical)
        return self


class _TypeDefinition(_Definition):
    name: str
    description: str = Field(default="", max_length=MAX_DESCRIPTION)
    properties: tuple[PropertySpec, ...] = Field(default=(), max_length=MAX_PROPERTIES)
    #: Free Unicode text naming the type for people (``报关行``); None: its name.
    label: str | None = None

    @field_validator("label", mode="before")
    @classmethod
    def _display_label(cls, label: Any) -> str | None:
        return None if label is None else check_label(label)

    @field_validator("properties", mode="before")
    @classmethod
    def _each(cls, raw: Any) -> Any:
        """Check each property here, so that its errors carry ("properties", index, ...)."""
        if not isinstance(raw, list | tuple):
            return raw
        checked: list[PropertySpec] = []
        for index, item in enumerate(raw):
            try:
                checked.append(parse_model(PropertySpec, item))
            except GraphCrmError as error:
                issues = [
                    Issue(i.code, i.message, ("properties", index, *i.path)) for i in error.issues
                ]
                raise type(error)(
                    error.message, path=("properties", index, *error.path), issues=issues
                ) from None
        return tuple(checked)

    @field_validator("properties")
    @classmethod
    def _distinct(cls, properties: tuple[PropertySpec, ...]) -> tuple[PropertySpec, ...]:
        seen: set[str] = set()
        for index, spec in enumerate(properties):
            if spec.name in seen:
                raise InvalidInput(
                    f"property {spec.name!r} is defined twice", path=("properties", index, "name")
                )
            seen.add(spec.name)
        return properties

    def spec(self, name: str) -> PropertySpec | None:
        """The property called ``name``, if the type has one."""
        for spec in self.properties:
            if spec.name == name:
                return spec
        return None


class EntityType(_TypeDefinition):
    """A runtime-defined entity type, e.g. ``CustomsBroker``.

    ``labelProperty`` names the STRING property whose value names an entity for people
    (reports, paths); absent, :func:`graph_crm.model.labels.label_property` picks one.
    """

    name: str
    label_property: str | None = Field(default=None, alias="labelProperty")

    @field_validator("name")
    @classmethod
    def _name(cls, name: str) -> str:
        return _located(check_entity_type_name, name, "name")

    @model_validator(mode="after")
    def _label(self) -> Self:
        named = self.label_property
        if named is None:
            return self
        spec = self.spec(named)
        if spec is None:
            raise InvalidInput(
                f"labelProperty {named[:80]!r} is not a property of {self.name}: name one of "
                "its STRING properties (to remove that property, change or clear "
                "labelProperty in the same definition)",
                path=("labelProperty",),
            )
        if spec.kind is not PropertyKind.STRING:
            raise InvalidInput(
                f"labelProperty {named!r} is {spec.kind}: a label is a STRING property",
                path=("labelProperty",),
            )
        return self

    @property
    def unique_properties(self) -> tuple[PropertySpec, ...]:
        return tuple(spec for spec in self.properties if spec.unique)


class RelationType(_TypeDefinition):
    """A runtime-defined relation type from one entity type to another."""

    name: str
    from_type: str = Field(alias="from")
    to_type: str = Field(alias="to")

    @field_validator("name")
    @classmethod
    def _name(cls, name: str) -> str:
        return _located(check_relation_type_name, name, "name")

    @field_validator("from_type", "to_type")
    @classmethod
    def _endpoint(cls, name: str, info: ValidationInfo) -> str:
        return _located(
            check_entity_type_name, name, "from" if info.field_name == "from_type" else "to"
        )

    @model_validator(mode="after")
    def _no_unique(self) -> Self:
        for index, spec in enumerate(self.properties):
            if spec.computed is not None:
                raise InvalidInput(
                    f"relation property {spec.name!r} cannot be computed: computed "
                    "properties belong to entity types",
                    path=("properties", index, "computed"),
                )
            if spec.unique:
                raise InvalidInput(
                    f"relation property {spec.name!r} cannot be unique",
                    path=("properties", index, "unique"),
                )
        return self


_D = TypeVar("_D", bound=BaseModel)


def parse_model(model: type[_D], data: Mapping[str, Any] | _D) -> _D:
    """Validate plain data into ``model``; every problem an issue with its path."""
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        issues = [
            Issue(
                "INVALID_INPUT",
                f"{'.'.join(str(p) for p in error['loc']) or 'definition'}: {error['msg']}",
                tuple(error["loc"]),
            )
            for error in exc.errors()
        ]
        raise_issues(InvalidInput, issues)
        raise  # unreachable: issues is never empty


def parse_entity_type(data: Mapping[str, Any] | EntityType) -> EntityType:
    """Validate an entity type definition given as plain data.

    >>> parse_entity_type({"name": "CustomsBroker",
    ...                    "properties": [{"name": "licence", "kind": "STRING"}]}).name
    'CustomsBroker'
    """
    return parse_model(EntityType, data)


def parse_relation_type(data: Mapping[str, Any] | RelationType) -> RelationType:
    """Validate a relation type definition given as plain data."""
    return parse_model(RelationType, data)
