"""Random schemas, data and typed queries, for comparing compiled reads with resolvers.

Everything is drawn from one ``random.Random``, so a failing seed replays exactly. A
schema has a few entity types with properties of every kind and relations between
them (a type may relate to itself); a query picks lookups and pages at the root and
below them values, relation lists and ``…Edges`` with filters, orders and ``first``,
aliases, fragments, inline fragments and ``@skip``/``@include``.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from graph_crm.model.graphql_names import EntityNames, relation_fields
from graph_crm.model.registry import Registry
from graph_crm.store.base import GraphStore

TYPE_NAMES = ("Alpha", "Beta", "Gamma", "Delta")
KINDS = ("STRING", "INT", "FLOAT", "BOOLEAN", "DATE", "DATETIME", "ENUM", "JSON")
LEVELS = ["LOW", "MID", "HIGH"]
#: Comparisons a typed where offers per kind (those the generator draws from).
OPS = {
    "STRING": ("eq", "ne", "startsWith", "contains", "in", "isNull"),
    "INT": ("eq", "lt", "gte", "in", "isNull"),
    "FLOAT": ("lt", "gte", "isNull"),
    "BOOLEAN": ("eq", "isNull"),
    "DATE": ("lt", "gte", "isNull"),
    "DATETIME": ("lt", "gte", "isNull"),
    "ENUM": ("eq", "in", "isNull"),
}


@dataclass
class World:
    """A schema and the keys its data holds."""

    types: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    relations: list[dict[str, Any]] = field(default_factory=list)
    keys: dict[str, list[str]] = field(default_factory=dict)


def _value(rng: random.Random, kind: str) -> Any:
    if kind == "STRING":
        return rng.choice(["ACME", "acme", "Beta 1", "上海", "", "x`y'z", "Zed"])
    if kind == "INT":
        return rng.randint(-5, 5)
    if kind == "FLOAT":
        return rng.choice([0.5, -1.25, 3.0, 1e6, 7])
    if kind == "BOOLEAN":
        return rng.random() < 0.5
    if kind == "DATE":
        return (date(2024, 1, 1) + timedelta(days=rng.randint(0, 60))).isoformat()
    if kind == "DATETIME":
        moment = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 9000))
        return moment.isoformat().replace("+00:00", "Z")
    if kind == "ENUM":
        return rng.choice(LEVELS)
    return rng.choice([{"a": [1, 2]}, [1, "two"], "text", 3, {"nested": {"b": None}}])


def _properties(rng: random.Random, prefix: str) -> list[dict[str, Any]]:
    chosen = rng.sample(KINDS, rng.randint(2, len(KINDS)))
    out = []
    for index, kind in enumerate(chosen):
        spec: dict[str, Any] = {"name": f"{prefix}{kind.lower().capitalize()}{index}", "kind": kind}
        if kind == "ENUM":
            spec["values"] = LEVELS
        if kind == "STRING" and rng.random() < 0.3:
            spec["required"] = True
        out.append(spec)
    return out


async def make_world(store: GraphStore, rng: random.Random) -> World:
    """Define a random schema on ``store`` and load random data into it."""
    world = World()
    names = list(TYPE_NAMES[: rng.randint(2, len(TYPE_NAMES))])
    for name in names:
        props = _properties(rng, name[0].lower())
        world.types[name] = props
        await store.define_entity_type({"name": name, "properties": props})
    for index in range(rng.randint(2, 4)):
        relation: dict[str, Any] = {
            "name": f"REL_{string.ascii_uppercase[index]}",
            "from": rng.choice(names),
            "to": rng.choice(names),
            "properties": [
                {"name": f"r{kind.lower().capitalize()}", "kind": kind}
                for kind in rng.sample(["INT", "STRING", "DATETIME", "FLOAT"], rng.randint(0, 2))
            ],
        }
        world.relations.append(relation)
        await store.define_relation_type(relation)
    for name, props in world.types.items():
        keys = [f"{name[0]}{n}" for n in range(rng.randint(1, 7))]
        world.keys[name] = keys
        rows = []
        for key in keys:
            row: dict[str, Any] = {"key": key}
            for spec in props:
                if spec.get("required") or rng.random() < 0.75:
                    row[spec["name"]] = _value(rng, spec["kind"])
            rows.append(row)
        await store.upsert_entities(name, rows)
    for relation in world.relations:
        pairs = {
            (rng.choice(world.keys[relation["from"]]), rng.choice(world.keys[relation["to"]]))
            for _ in range(rng.randint(0, 12))
        }
        links = [
            {
                "from": f"{relation['from']}:{a}",
                "to": f"{relation['to']}:{b}",
                "properties": {
                    spec["name"]: _value(rng, spec["kind"])
                    for spec in relation["properties"]
                    if rng.random() < 0.8
                },
            }
            for a, b in sorted(pairs)
        ]
        if links:
            await store.link(relation["name"], links)
    return world


class Documents:
    """Random typed queries over ``registry`` (the world's, as the API serves it)."""

    def __init__(self, registry: Registry, world: World, rng: random.Random) -> None:
        self.registry = registry
        self.world = world
        self.rng = rng
        self.fragments: dict[str, str] = {}

    def query(self) -> str:
        rng = self.rng
        self.fragments = {}
        roots = []
        for index in range(rng.randint(1, 3)):
            name = rng.choice(list(self.world.types))
            names = EntityNames.of(self.registry.entity_type(name))
            alias = f"q{index}: " if index or rng.random() < 0.3 else ""
            if rng.random() < 0.4:
                key = rng.choice([*self.world.keys[name], "missing", "x`y"])
                key_text = key.replace("\\", "\\\\").replace('"', '\\"')
                selection = self.entity(name, 0)
                roots.append(f'{alias}{names.lookup}(key: "{key_text}") {{ {selection} }}')
            else:
                roots.append(f"{alias}{names.list}{self.page_args(name)} {{ {self.page(name)} }}")
        if rng.random() < 0.2:
            roots.append("__typename")
        body = "\n  ".join(roots)
        fragments = "\n".join(self.fragments.values())
        return f"query Random {{\n  {body}\n}}\n{fragments}"

    def page_args(self, name: str) -> str:
        args = self.list_args(name, top=True)
        return f"({args})" if args else ""

    def page(self, name: str) -> str:
        rng = self.rng
        parts = []
        if rng.random() < 0.6:
            parts.append("totalCount")
        edge = ["cursor"] if rng.random() < 0.5 else []
        edge.append(f"node {{ {self.entity(name, 0)} }}")
        if rng.random() < 0.2:
            edge.append("__typename")
        parts.append(f"edges {{ {' '.join(edge)} }}")
        if rng.random() < 0.6:
            parts.append("pageInfo { hasNextPage endCursor }")
        if rng.random() < 0.2:
            parts.append("__typename")
        rng.shuffle(parts)
        return " ".join(parts)

    def entity(self, name: str, depth: int) -> str:
        rng = self.rng
        props = [spec["name"] for spec in self.world.types[name]]
        pool = ["id", "key", "createdAt", "updatedAt", "__typename", *props]
        parts = rng.sample(pool, rng.randint(1, min(4, len(pool))))
        if rng.random() < 0.2:
            parts[0] = f"alias{depth}: {parts[0]}"
        if rng.random() < 0.15:
            parts.append(f"key @include(if: {str(rng.random() < 0.5).lower()})")
        if depth < 3:
            relations = relation_fields(self.registry, name)
            for field_name in rng.sample(list(relations), min(len(relations), rng.randint(0, 2))):
                relation = relations[field_name]
                args = self.list_args(relation.far_type, top=False)
                args_text = f"({args})" if args else ""
                inner = self.entity(relation.far_type, depth + 1)
                if rng.random() < 0.4:
                    spec_names = [
                        spec["name"]
                        for r in self.world.relations
                        if r["name"] == relation.relation
                        for spec in r["properties"]
                    ]
                    pool_values = ["createdAt", *spec_names]
                    count = rng.randint(0, len(pool_values))
                    values = " ".join(rng.sample(pool_values, count))
                    parts.append(
                        f"{relation.end.edges_field}{args_text} {{ {values} node {{ {inner} }} }}"
                    )
                else:
                    parts.append(f"{field_name}{args_text} {{ {inner} }}")
        if rng.random() < 0.2:
            fragment = f"F{len(self.fragments)}"
            self.fragments[fragment] = f"fragment {fragment} on {name} {{ key {parts.pop()} }}"
            parts.append(f"...{fragment}")
        if rng.random() < 0.15 and parts:
            parts.append(f"... on {name} {{ {parts.pop(0)} }}")
        if rng.random() < 0.1:
            parts.append(f"... @skip(if: true) {{ {parts[-1]} }}")
        return " ".join(parts)

    def list_args(self, name: str, *, top: bool) -> str:
        rng = self.rng
        args = []
        if rng.random() < 0.5:
            args.append(f"first: {rng.choice([0, 1, 2, 3, 50])}")
        if rng.random() < 0.5:
            orderable = [
                spec["name"] for spec in self.world.types[name] if spec["kind"] not in ("JSON",)
            ]
            field_name = rng.choice(["key", "createdAt", *orderable])
            direction = rng.choice(["ASC", "DESC"])
            args.append(f"orderBy: [{{field: {field_name}, direction: {direction}}}]")
        if rng.random() < 0.5:
            where = self.where(name, 0)
            if where:
                args.append(f"where: {where}")
        return ", ".join(args)

    def where(self, name: str, depth: int) -> str:
        rng = self.rng
        choice = rng.random()
        if choice < 0.15 and depth < 2:
            return f"{{NOT: {self.where(name, depth + 1) or '{}'}}}"
        if choice < 0.3 and depth < 2:
            branches = ", ".join(self.where(name, depth + 1) or "{}" for _ in range(2))
            return f"{{OR: [{branches}]}}"
        if choice < 0.45 and depth < 2:
            relations = relation_fields(self.registry, name)
            if relations:
                field_name = rng.choice(list(relations))
                inner = self.where(relations[field_name].far_type, depth + 1) or "{}"
                quantifier = rng.choice(["some", "none"])
                return f"{{{field_name}: {{{quantifier}: {inner}}}}}"
        specs = [s for s in self.world.types[name] if s["kind"] in OPS]
        if not specs:
            return ""
        spec = rng.choice(specs)
        op = rng.choice(OPS[spec["kind"]])
        return f"{{{spec['name']}: {{{op}: {self.literal(spec, op)}}}}}"

    def literal(self, spec: dict[str, Any], op: str) -> str:
        rng = self.rng
        if op == "isNull":
            return rng.choice(["true", "false"])
        if op in ("startsWith", "contains"):
            return '"' + rng.choice(["A", "a", "上", "", "`"]) + '"'
        value = _value(rng, spec["kind"])
        text = _graphql(value, spec["kind"])
        return f"[{text}]" if op == "in" else text


def _graphql(value: Any, kind: str) -> str:
    if kind == "ENUM":
        return str(value)
    if kind == "BOOLEAN":
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)
