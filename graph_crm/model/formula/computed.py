"""All computed properties of a registry checked together: each formula and rollup typed,
in an order where what one reads is typed before it, and no circle of them (pure).

This is what the registry's validator hook will run (next: ``computed`` in definitions).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Any, TypeVar

from graph_crm.errors import InvalidInput, PathPart
from graph_crm.model.formula.check import property_kinds
from graph_crm.model.formula.formula import Formula, compile_formula
from graph_crm.model.formula.nodes import references
from graph_crm.model.formula.parse import parse_formula
from graph_crm.model.formula.rollup import Rollup, check_rollup, rollup_hops
from graph_crm.model.registry import Registry
from graph_crm.model.types import PropertyKind

Computed = Formula | Rollup
#: A computed property, by entity type and property name.
Key = tuple[str, str]
#: A formula's text or a rollup's plain data, and where it is in its definition.
Definition = tuple[Any, tuple[PathPart, ...]]
K = TypeVar("K", bound=Hashable)


def find_cycle(depends_on: Mapping[K, Iterable[K]]) -> list[K] | None:
    """A circle of dependencies, its first item repeated at its end; ``None`` if none.
    Iterative, so a long chain cannot exhaust the stack.

    >>> find_cycle({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]})
    ['a', 'b', 'c', 'a']
    >>> find_cycle({"a": ["b"], "b": []}) is None
    True
    """
    done: set[K] = set()
    for root in depends_on:
        if root in done:
            continue
        trail: list[K] = [root]
        on_trail = {root}
        pending = [iter(depends_on.get(root, ()))]
        while pending:
            nxt = next(pending[-1], None)
            if nxt is None:
                pending.pop()
                finished = trail.pop()
                on_trail.discard(finished)
                done.add(finished)
            elif nxt in on_trail:
                return [*trail[trail.index(nxt) :], nxt]
            elif nxt not in done:
                trail.append(nxt)
                on_trail.add(nxt)
                pending.append(iter(depends_on.get(nxt, ())))
    return None


def check_computed(
    registry: Registry, definitions: Mapping[str, Mapping[str, Definition]]
) -> dict[Key, Computed]:
    """Type every computed property (``definitions[type][property]``): a formula is a
    string, a rollup an object. Refuses circles, naming them (``a → b → a``).

    >>> from graph_crm.model.types import EntityType
    >>> registry = Registry.from_definitions(1, [EntityType(name="Line", properties=[
    ...     {"name": "price", "kind": "FLOAT"}])], [])
    >>> check_computed(registry, {"Line": {"a": ("b + price", ("a",)), "b": ("a", ("b",))}})
    Traceback (most recent call last):
    ...
    graph_crm.errors.InvalidInput: INVALID_INPUT: computed properties depend on each other in a circle: a → b → a (at a)
    """  # noqa: E501
    depends_on = {
        (owner, name): _dependencies(registry, owner, raw, path, definitions)
        for owner, properties in definitions.items()
        for name, (raw, path) in properties.items()
    }
    cycle = find_cycle(depends_on)
    if cycle is not None:
        owners = {owner for owner, _ in cycle}
        shown = " → ".join(name if len(owners) == 1 else f"{o}.{name}" for o, name in cycle)
        first = definitions[cycle[0][0]][cycle[0][1]]
        raise InvalidInput(
            f"computed properties depend on each other in a circle: {shown}", path=first[1]
        )
    checked: dict[Key, Computed] = {}
    kinds: dict[str, dict[str, PropertyKind]] = {}
    for key in _in_order(depends_on):
        owner, name = key
        raw, path = definitions[owner][name]
        if isinstance(raw, str):
            available = property_kinds(registry.entity_type(owner), kinds.get(owner))
            item: Computed = compile_formula(raw, available, owner, path)
        else:
            item = check_rollup(registry, owner, raw, path, kinds)
        checked[key] = item
        kinds.setdefault(owner, {})[name] = item.kind
    return checked


def _dependencies(
    registry: Registry,
    owner: str,
    raw: Any,
    path: tuple[PathPart, ...],
    definitions: Mapping[str, Mapping[str, Definition]],
) -> list[Key]:
    if isinstance(raw, str):
        computed = definitions.get(owner, {})
        return sorted(
            (owner, name) for name in references(parse_formula(raw, path)) if name in computed
        )
    if not isinstance(raw, Mapping):
        raise InvalidInput("a computed property is a formula (a string) or a rollup", path=path)
    _, far = rollup_hops(registry, owner, raw.get("path"), path)
    name = raw.get("property")
    return [(far, name)] if isinstance(name, str) and name in definitions.get(far, {}) else []


def _in_order(depends_on: Mapping[Key, list[Key]]) -> list[Key]:
    """Each key after the keys it depends on (there is no circle)."""
    ordered: list[Key] = []
    placed: set[Key] = set()
    for root in sorted(depends_on):
        stack = [(root, False)]
        while stack:
            key, expanded = stack.pop()
            if key in placed:
                continue
            if expanded:
                placed.add(key)
                ordered.append(key)
                continue
            stack.append((key, True))
            stack.extend((dep, False) for dep in depends_on.get(key, ()) if dep not in placed)
    return ordered
