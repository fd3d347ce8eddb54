"""bench/peer's type definitions for the Neo4j GraphQL Library, generated from the demo's
registry: every entity type a node on the labels graph-crm writes, every relation type a
field at each end under graph-crm's name, valid SDL. No Node needed (the peer itself runs
only in ``python -m bench.peer``); the documented commands parse."""

from __future__ import annotations

import json
import re
import shlex

from graphql import parse

from bench.peer.__main__ import build_parser
from bench.peer.typedefs import _quote, type_definitions
from graph_crm.model.graphql_names import RelationEnd, enum_names
from graph_crm.model.registry import Registry
from graph_crm.model.types import PropertyKind, parse_entity_type, parse_relation_type
from graph_crm.resources import resource_dir
from tests.docs.blocks import doc_block


def _demo_registry() -> Registry:
    seed = json.loads((resource_dir("seeds") / "demo.json").read_text())
    return Registry.from_definitions(
        1,
        [parse_entity_type(data) for data in seed["entityTypes"]],
        [parse_relation_type(data) for data in seed["relationTypes"]],
    )


def _type_block(sdl: str, name: str) -> str:
    found = re.search(rf"^type {name} @node\(.*?^}}$", sdl, re.MULTILINE | re.DOTALL)
    assert found, f"no node type {name}"
    return found.group(0)


def test_every_type_and_relation_of_the_demo_is_named() -> None:
    registry = _demo_registry()
    sdl = type_definitions(registry)
    parse(sdl)  # valid SDL (the library's directives are declared by the library)
    assert len(re.findall(r"^type \w+ @node", sdl, re.MULTILINE)) == len(registry.entity_types)
    for name, entity_type in registry.entity_types.items():
        block = _type_block(sdl, name)
        assert block.startswith(f'type {name} @node(labels: ["{name}", "Entity"])')
        for field in ("id: ID!", "key: String!", "createdAt: DateTime", "updatedAt: DateTime"):
            assert f"  {field}\n" in block
        enums = enum_names(entity_type)
        for spec in entity_type.properties:
            assert re.search(rf"^  {spec.name}: \w+$", block, re.MULTILINE), (name, spec.name)
            if spec.kind is PropertyKind.ENUM:
                assert f"  {spec.name}: {enums[spec.name]}\n" in block
                assert f"enum {enums[spec.name]} {{ {' '.join(spec.values)} }}" in sdl
    for name, relation in registry.relation_types.items():
        ends = (
            (relation.from_type, relation.to_type, False),
            (relation.to_type, relation.from_type, True),
        )
        for near, far, inverse in ends:
            field = RelationEnd.of(name, inverse=inverse).field
            direction = "IN" if inverse else "OUT"
            line = f'  {field}: [{far}!]! @relationship(type: "{name}", direction: {direction})'
            assert line + "\n" in _type_block(sdl, near)
    assert sdl.startswith("extend schema @mutation(operations: [])")


def test_quoted_text_cannot_leave_its_string() -> None:
    hostile = 'A"]) @cypher(statement: "MATCH (n) DETACH DELETE n") \\'
    quoted = _quote(hostile)
    parsed = parse(f"type T @node(labels: [{quoted}]) {{ a: String }}")
    directive = parsed.definitions[0].directives[0]  # type: ignore[attr-defined]
    assert directive.arguments[0].value.values[0].value == hostile
    assert len(parsed.definitions[0].directives) == 1  # type: ignore[attr-defined]


def test_the_documented_commands_parse() -> None:
    for line in doc_block("bench-peer").text.splitlines():
        command = shlex.split(line, comments=True)
        assert command[:3] == ["python", "-m", "bench.peer"]
        args = build_parser().parse_args(command[3:])  # exits on an unknown option
        assert args.concurrency == 8
