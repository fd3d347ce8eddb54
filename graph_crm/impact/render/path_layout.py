"""Where the propagation picture puts its boxes and lines: a layered drawing (pure geometry).

Each entity sits in a column, and every line joins adjacent columns only. A hop that
skips columns (a shipment straight to its customer, past a column of subsidiaries) runs
through a *channel* in each column it crosses: a thin slot that no box takes, so no line
ever passes under a box it does not connect. Between columns there are no boxes at all.
Lines start on the right edge of a box and end on the left edge of the next.

Columns come from longest-path layering (each hop goes at least one column right; a hop
that would close a cycle is drawn the other way round); the ranked targets that lead
nowhere stand in the last column, in rank order. Within a column, entities and channels
sit in the order of the targets they lead to, refined by a few barycentre sweeps, which
keeps lines short and crossings few.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

NODE_W: Final = 200
NODE_H: Final = 22
#: Height of a channel's slot, and the space between any two slots in a column.
CHANNEL: Final = 8
GAP: Final = 6
HEAD: Final = 28  # room above the columns for their headings
LEFT: Final = 8
MIN_STEP: Final = NODE_W + 50  # column pitch: at least 50 px between columns
_SWEEPS: Final = 3

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Route:
    """One hop as drawn: from the right edge of its left box, through channels (two points
    each, one per side of the column), to the left edge of its right box."""

    hop: tuple[str, str]  # as the report's paths run it
    points: tuple[Point, ...]


@dataclass(frozen=True, slots=True)
class PathLayout:
    columns: tuple[tuple[str, ...], ...]  # the entities in each column, top to bottom
    boxes: dict[str, Point]  # each entity's box, top-left corner (NODE_W x NODE_H)
    routes: tuple[Route, ...]  # one per distinct hop, in the order the paths first take it
    step: float  # column pitch
    height: float  # bottom of the lowest slot


@dataclass(frozen=True, slots=True)
class _Channel:
    head: str  # the entity the channelled hops lead to (hops into one entity share it)
    column: int


_Item = str | _Channel


def layout(paths: Sequence[Sequence[str]], ranked: Sequence[str], room: float) -> PathLayout:
    """Columns, boxes and routes for ``paths``; ``room`` is the width the columns' left
    edges may spread over (the pitch never drops below ``MIN_STEP``).

    >>> drawn = layout([("W", "S1", "T"), ("W", "S2", "A", "T")], ["T"], room=600)
    >>> drawn.columns
    (('W',), ('S1', 'S2'), ('A',), ('T',))
    >>> [len(route.points) for route in drawn.routes]  # S1 -> T runs through one channel
    [2, 4, 2, 2, 2]
    """
    hops = [
        (a, b)
        for a, b in dict.fromkeys(
            hop for path in paths for hop in zip(path, path[1:], strict=False)
        )
        if a != b
    ]
    entities = list(dict.fromkeys(entity for path in paths for entity in path))
    back = _back_hops(entities, hops)
    oriented = {(a, b): (b, a) if (a, b) in back else (a, b) for a, b in hops}
    column = _columns(entities, list(oriented.values()), ranked)
    last = max(column.values())
    chains: dict[tuple[str, str], tuple[_Item, ...]] = {
        hop: (a, *(_Channel(b, c) for c in range(column[a] + 1, column[b])), b)
        for hop, (a, b) in oriented.items()
    }
    stacks = _order(entities, paths, ranked, column, list(chains.values()), last)
    centre, height = _slots(stacks)
    step = max(float(MIN_STEP), room / last) if last else 0.0

    def left(item: _Item) -> float:
        return LEFT + (item.column if isinstance(item, _Channel) else column[item]) * step

    routes = []
    for hop, chain in chains.items():
        points: list[Point] = [(left(chain[0]) + NODE_W, centre[chain[0]])]
        for channel in chain[1:-1]:
            points += [(left(channel), centre[channel]), (left(channel) + NODE_W, centre[channel])]
        points.append((left(chain[-1]), centre[chain[-1]]))
        routes.append(Route(hop, tuple(points)))
    columns = tuple(tuple(i for i in stack if isinstance(i, str)) for stack in stacks)
    boxes = {e: (left(e), centre[e] - NODE_H / 2) for stack in columns for e in stack}
    return PathLayout(columns, boxes, tuple(routes), step, height)


def _back_hops(entities: list[str], hops: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """The hops a depth-first walk finds closing a cycle (drawn reversed: the rest is acyclic)."""
    after: dict[str, list[str]] = defaultdict(list)
    for a, b in hops:
        after[a].append(b)
    state: dict[str, int] = {}  # 1 on the walk's stack, 2 done
    back = set()
    for root in entities:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(after[root]))]
        while stack:
            node, todo = stack[-1]
            nxt = next(todo, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                back.add((node, nxt))
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(after[nxt])))
    return back


def _columns(
    entities: list[str], hops: list[tuple[str, str]], ranked: Sequence[str]
) -> dict[str, int]:
    """Longest-path layering of the acyclic ``hops``; ranked targets leading nowhere go last."""
    after: dict[str, list[str]] = defaultdict(list)
    waiting = dict.fromkeys(entities, 0)  # hops into each entity not yet laid out
    for a, b in hops:
        after[a].append(b)
        waiting[b] += 1
    column = dict.fromkeys(entities, 0)
    ready = [entity for entity in entities if not waiting[entity]]
    for entity in ready:  # grows as entities become ready: a topological order
        for nxt in after[entity]:
            column[nxt] = max(column[nxt], column[entity] + 1)
            waiting[nxt] -= 1
            if not waiting[nxt]:
                ready.append(nxt)
    last = max(column.values())
    for target in ranked:
        if target in column and not after[target]:
            column[target] = last
    return column


def _order(
    entities: list[str],
    paths: Sequence[Sequence[str]],
    ranked: Sequence[str],
    column: dict[str, int],
    chains: list[tuple[_Item, ...]],
    last: int,
) -> list[list[_Item]]:
    """Each column's slots top to bottom: by the mean rank of the targets they lead to, then
    barycentre sweeps; the last column keeps rank order."""
    rank = {target: i for i, target in enumerate(ranked)}
    reach: dict[str, list[int]] = defaultdict(list)
    for path in paths:
        for entity in path:
            reach[entity].append(rank.get(path[-1], len(ranked)))
    items = list(dict.fromkeys([*entities, *(item for chain in chains for item in chain)]))
    first = {item: n for n, item in enumerate(items)}

    def initial(item: _Item) -> tuple[float, int]:
        led = reach[item.head if isinstance(item, _Channel) else item]
        if isinstance(item, str) and column[item] == last and item in rank:
            return rank[item], first[item]
        return sum(led) / len(led), first[item]

    stacks: list[list[_Item]] = [[] for _ in range(last + 1)]
    for item in sorted(items, key=initial):
        stacks[item.column if isinstance(item, _Channel) else column[item]].append(item)
    before: dict[_Item, list[_Item]] = defaultdict(list)
    after: dict[_Item, list[_Item]] = defaultdict(list)
    for chain in chains:
        for a, b in zip(chain, chain[1:], strict=False):
            after[a].append(b)
            before[b].append(a)
    for _ in range(_SWEEPS):
        for c in range(1, last):
            _sweep(stacks[c], stacks[c - 1], before)
        for c in range(last - 1, -1, -1):
            _sweep(stacks[c], stacks[c + 1], after)
    return stacks


def _sweep(stack: list[_Item], beside: list[_Item], links: dict[_Item, list[_Item]]) -> None:
    """Sorts ``stack`` by the mean relative position of each slot's links in ``beside``."""
    where = {item: n / max(len(beside) - 1, 1) for n, item in enumerate(beside)}
    now = {item: n / max(len(stack) - 1, 1) for n, item in enumerate(stack)}

    def barycentre(item: _Item) -> float:
        linked = [where[other] for other in links[item] if other in where]
        return sum(linked) / len(linked) if linked else now[item]

    stack.sort(key=barycentre)


def _slots(stacks: list[list[_Item]]) -> tuple[dict[_Item, float], float]:
    """Each slot's vertical centre: a column's slots spread evenly over the tallest's height."""

    def size(item: _Item) -> float:
        return CHANNEL if isinstance(item, _Channel) else NODE_H

    contents = [sum(size(i) for i in stack) + GAP * (len(stack) - 1) for stack in stacks]
    tallest = max(contents)
    centre: dict[_Item, float] = {}
    for stack, content in zip(stacks, contents, strict=True):
        pad = (tallest - content) / max(len(stack), 1)
        top = HEAD + pad / 2
        for item in stack:
            centre[item] = top + size(item) / 2
            top += size(item) + GAP + pad
    return centre, HEAD + tallest
