"""A read plan as one Cypher statement, and its one row back as :class:`Found` trees.

Each root is a column of ``read_operation.cypher``: a lookup, or a page's count and
rows, as subquery expressions. A filtered, counted page over a small label is read in
one scan (``read_matches.cypher``, before the columns): its matches collected once,
counted and cut, where a count and an ordered page would scan the label twice.

An entity is a map projection of only the properties the response shows (and those a
cursor needs; date-times as epoch microseconds, which cost the driver no Python
objects), holding each relation field below it as a ``COLLECT`` subquery
(``_s<slot>``) that filters, orders and cuts its far ends; an edge's relation rides
along as ``_r``. The whole response comes back in one round trip,
already in its shape; :func:`found_roots` only decodes values.

Variables are named by depth (``n0`` at a root, ``n1``/``r1`` one relation down, ...),
so a nested subquery never reuses a name bound outside it. Identifiers are checked and
quoted by :mod:`.queries`; every value is a parameter (:class:`~.compile.Params`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, LiteralString, cast

from graph_crm.model.direction import Direction
from graph_crm.model.graph import Entity, Relation
from graph_crm.model.types import EntityType, PropertyKind, RelationType
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.compile import Params, compile_filter, compile_order
from graph_crm.store.neo4j.values import EPOCH, Steps, decode_steps, property_steps
from graph_crm.store.reads.guard import ReadGuard
from graph_crm.store.reads.plan import (
    Far,
    Found,
    FoundPage,
    FoundRoot,
    LookupRoot,
    PageRoot,
    ReadPlan,
    RelationRead,
    Value,
)

#: A filtered, counted page whose label holds at most this many nodes is read in one
#: scan, its matches collected (a list of node references: a few MB at most); over a
#: larger label, the count and the page scan it twice, in constant memory
#: (read_matches.cypher).
ONE_SCAN_MOST = 50_000


def _micros(value: str) -> str:
    """A DateTime as microseconds since the epoch: an integer crosses the wire and is read
    back in C, where the driver's temporal types cost Python work per value."""
    return f"{value}.epochSeconds * 1000000 + {value}.microsecond"


def compile_read(
    plan: ReadPlan, guard: ReadGuard | None = None
) -> tuple[LiteralString, dict[str, Any]]:
    """The statement answering every root of ``plan`` in one row, and its parameters;
    behind ``guard``, no row unless the guard holds (``read_guarded.cypher``)."""
    params = Params()
    calls: list[str] = []
    columns: list[str] = []
    # a guarded read's calls take the guard's row, so they run only if the guard holds
    scope = "g" if guard is not None else ""
    for index, root in enumerate(plan.roots):
        if isinstance(root, Value):
            continue  # a __typename: nothing to read
        if isinstance(root, LookupRoot):
            label = q.label(root.read.entity_type.name)
            lookup = q.render(
                q.READ_LOOKUP,
                Label=label,
                key=params.add(root.entity_key),
                projection=_projection(root.far, 0, params),
            )
            columns.append(f"{lookup.strip()} AS r{index}")
        else:
            call, page = _page(root, index, params, scope)
            calls += call
            columns += page
    if not columns:
        columns.append("null AS nothing")
    values = params.values
    if guard is not None:
        values |= {
            "guardKey": guard.key_id,
            "guardHash": guard.secret_hash,
            "guardRole": guard.role,
            "guardVersion": guard.registry_version,
        }
    template = q.READ_OPERATION if guard is None else q.READ_GUARDED
    text = q.render(
        template, calls="".join(f"{call.strip()}\n" for call in calls), roots=",\n  ".join(columns)
    )
    # identifiers checked by queries.label/rel_type/prop; values are parameters
    return cast(LiteralString, text), values  # type: ignore[redundant-cast]


def _page(root: PageRoot, index: int, params: Params, scope: str) -> tuple[list[str], list[str]]:
    """A page root's calls (its matches, if it is counted) and columns (its count, rows)."""
    listing = root.listing
    label = q.label(listing.entity_type.name)
    where = compile_filter(listing.where, "n0", params)
    after = "true" if listing.after is None else compile_filter(listing.after, "n0", params)
    order = compile_order(listing.order, "n0")
    limit = params.add(listing.limit)
    projection = _projection(root.far, 0, params)
    rows = q.render(
        q.READ_PAGE,
        Label=label,
        where=where if listing.after is None else f"{where} AND {after}",
        order=order,
        limit=limit,
        projection=projection,
    ).strip()
    if not root.counted:
        return [], [f"{rows} AS r{index}"]
    count = q.render(q.READ_COUNT, Label=label, where=where).strip()
    if listing.where is None:
        # the count comes from the count store, the page from one ordered scan: no scan
        # to spare
        return [], [f"{count} AS t{index}", f"{rows} AS r{index}"]
    # Filtered and counted: one scan of a small label (read_matches.cypher), else a count
    # and the page.
    matches = f"m{index}"
    call = q.render(
        q.READ_MATCHES,
        scope=scope,
        Label=label,
        most=params.add(ONE_SCAN_MOST),
        where=where,
        size=f"s{index}",
        matches=matches,
    )
    cut = q.render(
        q.READ_PAGE_OF_MATCHES,
        matches=matches,
        after=after,
        order=order,
        limit=limit,
        projection=projection,
    ).strip()
    return [call], [
        f"CASE WHEN {matches} IS NULL THEN {count} ELSE size({matches}) END AS t{index}",
        f"CASE WHEN {matches} IS NULL THEN {rows} ELSE {cut} END AS r{index}",
    ]


def _projection(far: Far, depth: int, params: Params, edge: RelationRead | None = None) -> str:
    node = f"n{depth}"
    parts = [".key", *_timestamps(node)]
    kinds = {spec.name: spec.kind for spec in far.entity_type.properties}
    parts += [_property(node, name, kinds[name]) for name in far.properties]
    for read in far.relations:
        if read.first > 0:
            parts.append(f"_s{read.slot}: {_relation(read, depth, params).strip()}")
    if edge is not None:
        rel = f"r{depth}"
        kinds = {spec.name: spec.kind for spec in edge.relation.properties}
        props = [_property(rel, name, kinds[name]) for name in edge.relation_properties]
        parts.append(f"_r: {rel} {{{', '.join([*_timestamps(rel), *props])}}}")
    return f"{node} {{{', '.join(parts)}}}"


def _timestamps(variable: str) -> list[str]:
    return [f"{name}: {_micros(f'{variable}.{name}')}" for name in ("createdAt", "updatedAt")]


def _property(variable: str, name: str, kind: PropertyKind) -> str:
    quoted = q.prop(name)
    if kind is PropertyKind.DATETIME:
        return f"{quoted}: {_micros(f'{variable}.{quoted}')}"
    return f".{quoted}"


def _relation(read: RelationRead, depth: int, params: Params) -> str:
    near, rel, far = f"n{depth}", f"r{depth + 1}", f"n{depth + 1}"
    link = f"[{rel}:{q.rel_type(read.relation.name)}]"
    arrow = f"-{link}->" if read.direction is Direction.OUT else f"<-{link}-"
    return q.render(
        q.READ_RELATION,
        near=near,
        pattern=f"({near}){arrow}({far}:{q.label(read.far_type.name)})",
        where=compile_filter(read.where, far, params),
        rel=rel,
        far=far,
        order=compile_order(read.order, far),
        limit=params.add(read.first),
        projection=_projection(read.far, depth + 1, params, read if read.edge else None),
    )


def found_roots(plan: ReadPlan, row: Mapping[str, Any]) -> list[FoundRoot]:
    """The statement's row as one :class:`FoundRoot` per root of ``plan``."""
    decode = _Decoding()
    found: list[FoundRoot] = []
    for index, root in enumerate(plan.roots):
        if isinstance(root, Value):
            found.append(None)
        elif isinstance(root, LookupRoot):
            raw = row[f"r{index}"]
            found.append(None if raw is None else decode.found(root.far, raw))
        else:
            total = row[f"t{index}"] if root.counted else None
            rows = [decode.found(root.far, raw) for raw in row[f"r{index}"]]
            found.append(FoundPage(total, rows))
    return found


class _Decoding:
    """Decodes one statement's row: the steps for each place's properties (a name and its
    kind, in name order) are worked out once per place, not once per entity."""

    def __init__(self) -> None:
        #: by the id of the place's Far (entities) or RelationRead (an edge's relation),
        #: which the plan keeps alive for the whole decoding
        self._steps: dict[int, Steps] = {}

    def _props(
        self, place: object, definition: EntityType | RelationType, names: tuple[str, ...],
        raw: Mapping[str, Any],
    ) -> dict[str, Any]:  # fmt: skip
        """What :func:`~.values.decode_props` makes of ``raw`` (``names``: the properties
        projected, sorted), its DATETIMEs read as epoch microseconds."""
        steps = self._steps.get(id(place))
        if steps is None:
            steps = self._steps[id(place)] = property_steps(definition, names)
        return decode_steps(steps, raw, micros=True)

    def found(
        self, far: Far, raw: Mapping[str, Any], via: tuple[RelationRead, str] | None = None
    ) -> Found:
        entity_type = far.entity_type
        entity = Entity(
            entity_type.name,
            raw["key"],
            self._props(far, entity_type, far.properties, raw),
            EPOCH + timedelta(microseconds=raw["createdAt"]),
            EPOCH + timedelta(microseconds=raw["updatedAt"]),
        )
        relation = None
        if via is not None:
            read, near_id = via
            stored = raw["_r"]
            ends = (near_id, entity.id) if read.direction is Direction.OUT else (entity.id, near_id)
            relation = Relation(
                read.relation.name,
                *ends,
                self._props(read, read.relation, read.relation_properties, stored),
                EPOCH + timedelta(microseconds=stored["createdAt"]),
                EPOCH + timedelta(microseconds=stored["updatedAt"]),
            )
        children: dict[int, list[Found]] = {}
        for read in far.relations:
            items = raw.get(f"_s{read.slot}") or []
            edge = (read, entity.id) if read.edge is not None else None
            children[read.slot] = [self.found(read.far, item, edge) for item in items]
        return Found(entity, relation, children)
