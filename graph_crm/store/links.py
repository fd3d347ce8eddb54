"""Link and unlink, written once: what a batch means, what it reports and what the audit
log says about it. A backend only stores the relations (see ``link_rows`` and
``unlink_rows`` of :class:`~graph_crm.store.session.StoreSession`).

A relation is identified by (type, from, to): linking it again updates its properties
(or changes nothing, when they are the same); unlinking one that is not there is not an
error. Only relations that changed are named in the audit record, and a batch that
changed nothing leaves none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph_crm.model.audit import AuditRecord, relation_id
from graph_crm.model.graph import WriteResult
from graph_crm.model.records import LinkRecord, check_links, global_id
from graph_crm.model.registry import Registry
from graph_crm.model.types import RelationType
from graph_crm.store.audit import link_record, unlink_record


@dataclass(frozen=True)
class LinkBatch:
    """A checked ``link`` (with properties) or ``unlink`` (without) request."""

    relation_type: RelationType
    links: Sequence[LinkRecord]
    actor: str

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """The (from key, to key) of each row, in the order asked."""
        return [(link.from_key, link.to_key) for link in self.links]

    def relation_ids(self, ends: Sequence[Sequence[str]]) -> list[str]:
        """Audit ids of the relations between these (from key, to key) ends."""
        rel = self.relation_type
        # relation_id's text, its prefixes built once: type names hold no "%" or ">",
        # so only keys that do need escaping (relation_id does it).
        head, arrow = f"{rel.name}:{rel.from_type}:", f"->{rel.to_type}:"
        return [
            relation_id(rel.name, global_id(rel.from_type, f), global_id(rel.to_type, t))
            if "%" in f or ">" in f or "%" in t or ">" in t
            else f"{head}{f}{arrow}{t}"
            for f, t in ends
        ]


@dataclass(frozen=True)
class Linked:
    """What a backend's link wrote: the relations it created, those it found unchanged,
    and the (from key, to key) of every relation it created or changed."""

    created: int
    unchanged: int
    changed_ends: Sequence[Sequence[str]]


LinkPlan = Callable[[Registry], LinkBatch]


def plan_link(
    registry: Registry, relation_type: str, links: Sequence[Mapping[str, Any]], actor: str
) -> LinkBatch:
    rel = registry.relation_type(relation_type)
    return LinkBatch(rel, check_links(rel, links, with_properties=True), actor)


def plan_unlink(
    registry: Registry, relation_type: str, links: Sequence[Mapping[str, Any]], actor: str
) -> LinkBatch:
    rel = registry.relation_type(relation_type)
    return LinkBatch(rel, check_links(rel, links, with_properties=False), actor)


def link_outcome(
    batch: LinkBatch, linked: Linked, at: datetime
) -> tuple[WriteResult, list[AuditRecord]]:
    """The result of a link batch, and the audit records to store with it."""
    result = WriteResult(
        created=linked.created,
        updated=len(batch.links) - linked.created - linked.unchanged,
        unchanged=linked.unchanged,
    )
    if not linked.changed_ends:
        return result, []
    ids = batch.relation_ids(linked.changed_ends)
    return result, [link_record(batch.actor, batch.relation_type.name, ids, result, at)]


def unlink_outcome(
    batch: LinkBatch, removed_ends: Sequence[Sequence[str]], at: datetime
) -> tuple[int, list[AuditRecord]]:
    """How many relations an unlink batch removed, and the audit records to store with it."""
    if not removed_ends:
        return 0, []
    ids = batch.relation_ids(removed_ends)
    return len(ids), [unlink_record(batch.actor, batch.relation_type.name, ids, at)]
