"""Checking batches of entity records and links against their types.

Validation of data against its definition lives here and nowhere else. A batch is
checked whole before anything is written; every problem found is reported with
its row and field, so one invalid row means nothing is written.
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from hashlib import blake2b
from typing import Any, Final, NamedTuple

from graph_crm.errors import InvalidInput, Issue, PathPart, UnknownProperty, raise_issues
from graph_crm.model.entity_keys import (
    MAX_KEY_LENGTH,
    canonical_key,
    lookup_key,
    stored_spellings,
)
from graph_crm.model.names import ENTITY_TYPE_PATTERN
from graph_crm.model.types import (
    EntityType,
    PropertySpec,
    RelationType,
    _TypeDefinition,
)
from graph_crm.model.values import ValueProblem, coercer, datetime_to_text

MAX_BATCH: Final = 100_000
MAX_ISSUES: Final = 50


def _temporal_text(value: Any) -> str:
    """A checked DATE or DATETIME value as the store writes it in JSON (the encoder asks
    only for what JSON has no type for): ISO dates, fixed-width UTC date-times."""
    if isinstance(value, datetime):
        return datetime_to_text(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a stored value")


def _canonical_json() -> Callable[[Any], str]:
    """``json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    default=_temporal_text)``, with its C encoder built once rather than per call (half
    the cost of a small row). No check for cycles: a payload holds checked values only."""
    encoder = json.JSONEncoder(
        sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_temporal_text
    )
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython has it
        return encoder.encode
    chunks = make(None, _temporal_text, json.encoder.encode_basestring, None, ":", ",",
                  True, False, True)  # fmt: skip
    return lambda payload: "".join(chunks(payload, 0))


_CANONICAL_JSON: Final = _canonical_json()


def canonical_json(payload: Any) -> str:
    """``payload`` as the store writes JSON: sorted keys, no spaces, not ASCII-escaped.

    >>> canonical_json({"b": [1, "é"], "a": None})
    '{"a":null,"b":[1,"é"]}'
    """
    return _CANONICAL_JSON(payload)


@dataclass(frozen=True, slots=True)
class EntityRecord:
    """A checked entity row: its key and canonical property values (no nulls)."""

    key: str
    properties: dict[str, Any]

    def revision(self, definition: _TypeDefinition) -> str:
        return revision_of(definition, self.properties)


class LinkRecord(NamedTuple):
    """A checked link: endpoint keys and canonical relation property values (a tuple:
    built a fifth as fast as a frozen dataclass, one per link of a batch)."""

    from_key: str
    to_key: str
    properties: dict[str, Any]


def encode_properties(
    definition: _TypeDefinition, properties: Mapping[str, Any]
) -> tuple[str, str]:
    """Canonical JSON text of checked properties, and its revision (a short hash).

    The revision lets an upsert that changes nothing keep ``updatedAt``.
    """
    return encode_all(definition, (properties,))[0]


def encode_all(
    definition: _TypeDefinition, batch: Iterable[Mapping[str, Any]]
) -> list[tuple[str, str]]:
    """:func:`encode_properties` of every row of ``batch`` (rows checked against
    ``definition``: DATE and DATETIME values as :class:`date` and :class:`datetime`)."""
    encoded: list[tuple[str, str]] = []
    #: text -> revision: rows alike (links without properties, say) are hashed once
    revisions: dict[str, str] = {}
    for properties in batch:
        # temporals become text inside the encoder (_temporal_text): no copy of the row
        text = _CANONICAL_JSON(properties)
        if (revision := revisions.get(text)) is None:
            revision = revisions[text] = blake2b(text.encode(), digest_size=12).hexdigest()
        encoded.append((text, revision))
    return encoded


def revision_of(definition: _TypeDefinition, properties: Mapping[str, Any]) -> str:
    return encode_properties(definition, properties)[1]


def check_key(key: object, path: tuple[PathPart, ...] = ()) -> str:
    """Return ``key`` in its one accepted spelling (NFC), if it may be written as a key.

    See :mod:`graph_crm.model.entity_keys` for what is refused and why; a key looked up
    is checked by :func:`~graph_crm.model.entity_keys.lookup_key` instead.

    >>> check_key("ACME-001")
    'ACME-001'
    >>> check_key("")
    Traceback (most recent call last):
    ...
    graph_crm.errors.InvalidInput: INVALID_INPUT: key must be 1-256 characters
    """
    return canonical_key(key, path)


def global_id(type_name: str, key: str) -> str:
    """``"<Type>:<key>"``, the id every entity is addressed by."""
    return f"{type_name}:{key}"


def parse_global_id(gid: object, path: tuple[PathPart, ...] = ()) -> tuple[str, str]:
    """Split a global id being looked up into its type name and key (in NFC).

    >>> parse_global_id("Customer:ACME:001")
    ('Customer', 'ACME:001')
    """
    type_name, key = _split_global_id(gid, path)
    return type_name, lookup_key(key, path)


def parse_global_id_spellings(
    gid: object, path: tuple[PathPart, ...] = ()
) -> tuple[str, tuple[str, ...]]:
    """Its type name and the keys an entity lookup by id tries (see
    :func:`~graph_crm.model.entity_keys.stored_spellings`)."""
    type_name, key = _split_global_id(gid, path)
    return type_name, stored_spellings(key, path)


def _split_global_id(gid: object, path: tuple[PathPart, ...]) -> tuple[str, str]:
    if not isinstance(gid, str) or ":" not in gid:
        raise InvalidInput(
            f"{str(gid)[:80]!r} is not a global id of the form '<Type>:<key>'", path=path
        )
    type_name, key = gid.split(":", 1)
    if ENTITY_TYPE_PATTERN.fullmatch(type_name) is None:
        raise InvalidInput(f"{gid[:80]!r} does not start with an entity type name", path=path)
    return type_name, key


def _check_batch_size(rows: Sequence[object], what: str) -> None:
    if isinstance(rows, str | bytes | Mapping) or not isinstance(rows, Sequence):
        raise InvalidInput(f"{what} must be a list")
    if len(rows) > MAX_BATCH:
        raise InvalidInput(f"a batch holds at most {MAX_BATCH} {what}, got {len(rows)}")


@dataclass(frozen=True, slots=True)
class _Shape:
    """A definition's properties as a batch check reads them, built once per batch."""

    definition: _TypeDefinition
    #: each property's value check (:func:`~graph_crm.model.values.coercer`), by name
    checks: dict[str, Callable[[Any], Any]]
    #: the properties that take a default or are required when absent
    fills: tuple[PropertySpec, ...]

    @classmethod
    def of(cls, definition: _TypeDefinition) -> _Shape:
        checks = {
            spec.name: coercer(spec) if spec.computed is None else _computed
            for spec in definition.properties
        }
        fills = tuple(s for s in definition.properties if s.default is not None or s.required)
        return cls(definition, checks, fills)


def _computed(value: Any) -> Any:
    """The check of a computed property: the store computes it; nobody writes it."""
    raise ValueProblem("is computed by the store from its formula: leave it out of the write")


def _check_properties(
    shape: _Shape,
    raw: Mapping[str, Any],
    path: tuple[PathPart, ...],
    skip: frozenset[str],
    issues: list[Issue],
) -> dict[str, Any]:
    definition, checks = shape.definition, shape.checks
    checked: dict[str, Any] = {}
    for name, value in raw.items():
        if name in skip:
            continue
        check = checks.get(name)
        if check is None:
            issues.append(
                Issue(
                    UnknownProperty.code,
                    f"{definition.name} has no property {str(name)[:80]!r}",
                    (*path, str(name)[:80]),
                )
            )
            continue
        if value is None:
            continue
        try:
            checked[name] = check(value)
        except ValueProblem as problem:
            issues.append(Issue(InvalidInput.code, f"{name}: {problem}", (*path, name)))
    for spec in shape.fills:
        if spec.name in checked or raw.get(spec.name) is not None:
            continue
        if spec.default is not None:
            checked[spec.name] = spec.default
        else:
            issues.append(
                Issue(
                    InvalidInput.code,
                    f"{spec.name}: required by {definition.name}, but missing",
                    (*path, spec.name),
                )
            )
    return checked


def _plain_properties(
    shape: _Shape, raw: Mapping[str, Any], skip: str | None = None
) -> dict[str, Any] | None:
    """What :func:`_check_properties` gives ``raw`` (less the field ``skip``, an entity
    row's key), if it finds no problem; None sends ``raw`` the long way (which builds the
    paths of its issues)."""
    checks = shape.checks
    checked: dict[str, Any] = {}
    for name, value in raw.items():
        check = checks.get(name)
        if check is None:
            if name == skip:
                continue
            return None
        if value is not None:
            try:
                checked[name] = check(value)
            except ValueProblem:
                return None
    for spec in shape.fills:
        if spec.name not in checked:
            if spec.default is None:  # required, and missing
                return None
            checked[spec.name] = spec.default
    return checked


_KEY: Final = frozenset({"key"})
_NOTHING: Final = frozenset[str]()


def check_entity_records(
    entity_type: EntityType, records: Sequence[Mapping[str, Any]]
) -> list[EntityRecord]:
    """Check a batch of ``{"key": ..., <property>: <value>}`` rows.

    Upsert replaces an entity's properties: an absent or null optional property is
    unset, an absent property with a default takes the default.

    >>> from graph_crm.model.types import parse_entity_type
    >>> broker = parse_entity_type({"name": "CustomsBroker", "properties": [
    ...     {"name": "licence", "kind": "STRING", "required": True}]})
    >>> check_entity_records(broker, [{"key": "CB-1", "licence": "L-9"}])
    [EntityRecord(key='CB-1', properties={'licence': 'L-9'})]
    >>> check_entity_records(broker, [{"key": "CB-1"}])
    Traceback (most recent call last):
    ...
    graph_crm.errors.InvalidInput: INVALID_INPUT: licence: required by CustomsBroker, but missing...
    """
    _check_batch_size(records, "records")
    issues: list[Issue] = []
    checked: list[EntityRecord] = []
    seen: dict[str, int] = {}
    shape = _Shape.of(entity_type)
    for index, row in enumerate(records):
        if len(issues) >= MAX_ISSUES:
            break
        # The common row (a dict, a plain key seen once, properties that pass as they
        # are) is taken without building paths; anything else goes the long way below.
        if (
            type(row) is dict
            and type(key := row.get("key")) is str
            and _plain_entity_key(key)
            and key not in seen
            and (properties := _plain_properties(shape, row, "key")) is not None
        ):
            seen[key] = index
            checked.append(EntityRecord(key, properties))
            continue
        path: tuple[PathPart, ...] = ("records", index)
        if type(row) is not dict and not isinstance(row, Mapping):
            issues.append(Issue(InvalidInput.code, "a record must be an object", path))
            continue
        try:
            key = check_key(row.get("key"), (*path, "key"))
        except InvalidInput as error:
            issues.extend(error.issues)
            continue
        if key in seen:
            issues.append(
                Issue(
                    "DUPLICATE_KEY",
                    f"key {key!r} appears twice in the batch (rows {seen[key]} and {index})",
                    (*path, "key"),
                )
            )
            continue
        seen[key] = index
        properties = _check_properties(shape, row, path, _KEY, issues)
        checked.append(EntityRecord(key, properties))
    raise_issues(InvalidInput, issues)
    return checked


def _plain_entity_key(key: str) -> bool:
    """Whether :func:`canonical_key` returns ``key`` as it is: printable ASCII, no space
    at either end, 1 to 256 characters. String predicates, not a regular expression: a
    batch tests one per record, two per link."""
    return (
        0 < len(key) <= MAX_KEY_LENGTH
        and key.isascii()
        and key.isprintable()
        and key[0] != " "
        and key[-1] != " "
    )


def _plain_key(key: str) -> bool:
    """:func:`_plain_entity_key`, and no ``:``: a link's end that cannot read as a global
    id."""
    return ":" not in key and _plain_entity_key(key)


def _endpoint_key(raw: object, expected_type: str, path: tuple[PathPart, ...]) -> str:
    if isinstance(raw, str) and ":" in raw:
        type_name, key = raw.split(":", 1)
        if type_name == expected_type:
            return canonical_key(key, path)
        if ENTITY_TYPE_PATTERN.fullmatch(type_name):
            raise InvalidInput(
                f"{raw[:80]!r} is a {type_name}, but this end of the relation is a {expected_type}",
                path=path,
            )
    return canonical_key(raw, path)


def check_links(
    relation_type: RelationType, links: Sequence[Mapping[str, Any]], *, with_properties: bool
) -> list[LinkRecord]:
    """Check ``{"from": key-or-id, "to": key-or-id, "properties": {...}}`` rows."""
    _check_batch_size(links, "links")
    issues: list[Issue] = []
    checked: list[LinkRecord] = []
    seen: dict[tuple[str, str], int] = {}
    shape = _Shape.of(relation_type)
    plain = _plain_links(shape, links, with_properties)
    if plain is not None:
        return plain
    allowed = {"from", "to", "properties"} if with_properties else {"from", "to"}
    for index, row in enumerate(links):
        if type(row) is not dict and not isinstance(row, Mapping):
            issues.append(Issue(InvalidInput.code, "a link must be an object", ("links", index)))
        elif not row.keys() <= allowed:
            extra = sorted(str(name)[:40] for name in row if name not in allowed)
            issues.append(
                Issue(
                    InvalidInput.code, f"unexpected field(s): {', '.join(extra)}", ("links", index)
                )
            )
        elif (link := _link_record(relation_type, shape, row, index, seen, issues)) is not None:
            checked.append(link)
        if len(issues) >= MAX_ISSUES:
            break
    raise_issues(InvalidInput, issues)
    return checked


def _plain_links(
    shape: _Shape, links: Sequence[Any], with_properties: bool
) -> list[LinkRecord] | None:
    """What :func:`check_links` gives a batch whose every row is plain: a dict of
    ``from``, ``to`` (and ``properties``, if allowed), both ends plain keys
    (:func:`_plain_key`), plain properties (:func:`_plain_properties`), no pair twice.
    The keys are tested a batch at a time, each test one scan in C over all of them
    rather than a few calls per link. None if any row is not plain: the batch is then
    checked row by row, which names each problem at its row."""
    froms: list[Any] = []
    tos: list[Any] = []
    properties: list[dict[str, Any]] = []
    no_properties = None
    for row in links:
        if type(row) is not dict:
            return None
        if len(row) == 2:
            if no_properties is None:
                no_properties = _plain_properties(shape, {})
                if no_properties is None:  # a property is required
                    return None
            checked = dict(no_properties)
        elif (
            not with_properties
            or len(row) != 3
            or type(raw := row.get("properties")) is not dict
            or (checked := _plain_properties(shape, raw)) is None  # type: ignore[assignment]
        ):
            return None
        froms.append(row.get("from"))
        tos.append(row.get("to"))
        properties.append(checked)
    if not links or not (_plain_keys(froms) and _plain_keys(tos)):
        return None if links else []
    if len(set(zip(froms, tos, strict=True))) != len(froms):
        return None
    return list(map(LinkRecord, froms, tos, properties))


def _plain_keys(keys: list[Any]) -> bool:
    """Whether :func:`_plain_key` holds for every one of ``keys`` (at least one)."""
    if set(map(type, keys)) != {str}:
        return False  # not all strings: a missing end (None), or a str subclass
    joined = "".join(keys)
    if not (joined.isascii() and joined.isprintable()) or ":" in joined:
        return False
    if min(map(len, keys)) == 0 or max(map(len, keys)) > MAX_KEY_LENGTH:
        return False
    if " " not in joined:
        return True
    # a space at either end of a key: look at each key's ends, joined by a character
    # no plain key holds
    ends = "\n".join(keys)
    return not (ends[0] == " " or ends[-1] == " " or " \n" in ends or "\n " in ends)


def _link_record(
    relation_type: RelationType,
    shape: _Shape,
    row: Mapping[str, Any],
    index: int,
    seen: dict[tuple[str, str], int],
    issues: list[Issue],
) -> LinkRecord | None:
    """One link row of :func:`check_links` checked, or None with its issues added."""
    from_key, to_key = row.get("from"), row.get("to")
    # Plain keys, the common case, are taken as they are; anything else (ids, other
    # spellings, refusals) goes the long way, which builds the paths.
    if not (
        type(from_key) is str
        and type(to_key) is str
        and _plain_key(from_key)
        and _plain_key(to_key)
    ):
        try:
            from_key = _endpoint_key(from_key, relation_type.from_type, ("links", index, "from"))
            to_key = _endpoint_key(to_key, relation_type.to_type, ("links", index, "to"))
        except InvalidInput as error:
            issues.extend(error.issues)
            return None
    pair = (from_key, to_key)
    if (first := seen.setdefault(pair, index)) != index:
        issues.append(
            Issue(
                InvalidInput.code,
                f"the link {from_key!r} -> {to_key!r} appears twice in the batch "
                f"(rows {first} and {index})",
                ("links", index),
            )
        )
        return None
    raw_properties = row.get("properties") or {}
    if type(raw_properties) is not dict and not isinstance(raw_properties, Mapping):
        path = ("links", index, "properties")
        issues.append(Issue(InvalidInput.code, "properties must be an object", path))
        return None
    properties = _plain_properties(shape, raw_properties)
    if properties is None:
        path = ("links", index, "properties")
        properties = _check_properties(shape, raw_properties, path, _NOTHING, issues)
    return LinkRecord(from_key, to_key, properties)
