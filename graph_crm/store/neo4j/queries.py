"""Every Cypher statement is a file in ``cypher/``, loaded once, named by a constant.

Templates may hold ``{{placeholders}}``. Identifier placeholders are filled only by
the functions below, which accept registry-pattern names and backtick-quote them;
``where``/``order``/``pattern`` fragments come from :mod:`.compile`, which emits only
such identifiers and ``$parameters``. Every value is a parameter.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import Final

from graph_crm.model.names import ENTITY_TYPE_PATTERN, PROPERTY_PATTERN, RELATION_TYPE_PATTERN
from graph_crm.resources import resource_dir

_PLACEHOLDER: Final = re.compile(r"\{\{(\w+)\}\}")
_CONSTRAINT_NAME: Final = re.compile(r"graph_crm_[a-z]+_[A-Za-z0-9_]{1,140}", re.ASCII)


def cypher_dir() -> Path:
    """``$GRAPH_CRM_CYPHER_DIR``, else the package's ``cypher/`` (graph_crm/resources.py)."""
    configured = os.environ.get("GRAPH_CRM_CYPHER_DIR")
    if configured:
        return Path(configured)
    return resource_dir("cypher")


@cache
def load(name: str) -> str:
    return (cypher_dir() / f"{name}.cypher").read_text(encoding="utf-8")


def render(query: str, /, **fragments: str) -> str:
    """The query ``query`` with its placeholders filled; every placeholder must be given."""
    text = load(query)
    wanted = set(_PLACEHOLDER.findall(text))
    if wanted != set(fragments):
        raise AssertionError(f"{query}.cypher wants {sorted(wanted)}, got {sorted(fragments)}")
    return _PLACEHOLDER.sub(lambda m: fragments[m.group(1)], text)


def _quoted(name: str, pattern: re.Pattern[str], what: str) -> str:
    if pattern.fullmatch(name) is None:
        raise ValueError(f"refusing an unchecked {what} {name!r} in Cypher text")
    return f"`{name}`"


def label(name: str) -> str:
    return _quoted(name, ENTITY_TYPE_PATTERN, "label")


def rel_type(name: str) -> str:
    return _quoted(name, RELATION_TYPE_PATTERN, "relationship type")


def prop(name: str) -> str:
    return _quoted(name, PROPERTY_PATTERN, "property")


def name_literal(name: str) -> str:
    """A checked type name as a Cypher string literal."""
    checked = ENTITY_TYPE_PATTERN.fullmatch(name) or RELATION_TYPE_PATTERN.fullmatch(name)
    if checked is None:
        raise ValueError(f"refusing an unchecked name {name!r} in Cypher text")
    return f"'{name}'"


def constraint_name(kind: str, *parts: str) -> str:
    name = f"graph_crm_{kind}_{'_'.join(parts)}"
    if _CONSTRAINT_NAME.fullmatch(name) is None:
        raise ValueError(f"refusing an unchecked constraint name {name!r}")
    return f"`{name}`"


#: Every statement file, by the constant the store uses for it.
REGISTRY_INIT: Final = "registry_init"
REGISTRY_CONSTRAINTS: Final = "registry_constraints"
REGISTRY_READ: Final = "registry_read"
REGISTRY_VERSION: Final = "registry_version"
REGISTRY_LOCK: Final = "registry_lock"
REGISTRY_WRITE: Final = "registry_write"
REGISTRY_CHANGES: Final = "registry_changes"
REGISTRY_RESTORE: Final = "registry_restore"
REGISTRY_RESTORE_DEFINITIONS: Final = "registry_restore_definitions"
REGISTRY_RESTORE_CHANGES: Final = "registry_restore_changes"
CONSTRAINT_KEY: Final = "constraint_key"
CONSTRAINT_UNIQUE: Final = "constraint_unique"
CONSTRAINT_DROP: Final = "constraint_drop"
CONSTRAINT_LIST: Final = "constraint_list"
ENTITY_UNIQUE_HOLDERS: Final = "entity_unique_holders"
ENTITY_UPSERT: Final = "entity_upsert"
ENTITY_STALE: Final = "entity_stale"
ENTITY_RESTORE: Final = "entity_restore"
ENTITY_GET: Final = "entity_get"
ENTITY_LABELS: Final = "entity_labels"
ENTITY_LIST: Final = "entity_list"
ENTITY_COUNT: Final = "entity_count"
RELATED_SET_OUT: Final = "related_set_out"
RELATED_SET_IN: Final = "related_set_in"
ENTITY_DELETE: Final = "entity_delete"
ENTITY_BACKFILL: Final = "entity_backfill"
ENTITY_REVISE: Final = "entity_revise"
ENTITY_RECOMPUTE: Final = "entity_recompute"
ENTITY_PROPS_ALL: Final = "entity_props_all"
ROLLUP_STEP_BACK: Final = "rollup_step_back"
ROLLUP_LOCK: Final = "rollup_lock"
ROLLUP_FAR: Final = "rollup_far"
ROLLUP_STORE: Final = "rollup_store"
ROLLUP_OWNER_PROPS: Final = "rollup_owner_props"
ROLLUP_OWNER_SET: Final = "rollup_owner_set"
ENTITY_COUNT_PART: Final = "entity_count_part"
RELATION_COUNT_PART: Final = "relation_count_part"
RELATION_MISSING_ENDS: Final = "relation_missing_ends"
RELATION_LINK: Final = "relation_link"
RELATION_RESTORE: Final = "relation_restore"
RELATION_UNLINK: Final = "relation_unlink"
RELATION_LIST: Final = "relation_list"
RELATION_GET: Final = "relation_get"
RELATION_BACKFILL: Final = "relation_backfill"
NEIGHBORS_OUT: Final = "neighbors_out"
NEIGHBORS_IN: Final = "neighbors_in"
RELATION_COUNTS: Final = "relation_counts"
RELATION_COUNTS_PART: Final = "relation_counts_part"
TRAVERSE: Final = "traverse"
TRAVERSE_DEPTH: Final = "traverse_depth"
DEGREE_STATS: Final = "degree_stats"
DEGREE_STATS_ENTITIES: Final = "degree_stats_entities"
DEGREE_STATS_RELATION: Final = "degree_stats_relation"
IMPACT: Final = "impact"
API_KEY_CONSTRAINT: Final = "api_key_constraint"
API_KEY_ADD: Final = "api_key_add"
API_KEY_GET: Final = "api_key_get"
API_KEY_WITH_REGISTRY: Final = "api_key_with_registry"
API_KEY_LIST: Final = "api_key_list"
API_KEY_REVOKE: Final = "api_key_revoke"
INCIDENT_ID_CONSTRAINT: Final = "incident_id_constraint"
INCIDENT_ACTIVE_CONSTRAINT: Final = "incident_active_constraint"
INCIDENT_VERSION_INDEX: Final = "incident_version_index"
INCIDENT_ADD: Final = "incident_add"
INCIDENT_UPDATE: Final = "incident_update"
INCIDENT_VERSION_ADD: Final = "incident_version_add"
INCIDENT_GET: Final = "incident_get"
INCIDENT_ACTIVE: Final = "incident_active"
INCIDENT_VERSIONS: Final = "incident_versions"
INCIDENT_LIST: Final = "incident_list"
INCIDENT_FEED_CONSTRAINT: Final = "incident_feed_constraint"
INCIDENT_CHANGE_INDEX: Final = "incident_change_index"
INCIDENT_CHANGE_ADD: Final = "incident_change_add"
INCIDENT_CHANGES: Final = "incident_changes"
INCIDENT_FEED_HEAD: Final = "incident_feed_head"
INCIDENT_COUNT: Final = "incident_count"
INTEGRATION_CONSTRAINT: Final = "integration_constraint"
INTEGRATION_ADD: Final = "integration_add"
INTEGRATION_GET: Final = "integration_get"
INTEGRATION_LIST: Final = "integration_list"
INTEGRATION_REVOKE: Final = "integration_revoke"
EVENT_CONSTRAINT: Final = "event_constraint"
EVENT_DUE_INDEX: Final = "event_due_index"
EVENT_ACCEPT: Final = "event_accept"
EVENT_GET: Final = "event_get"
EVENT_LOCK: Final = "event_lock"
EVENT_DUE: Final = "event_due"
EVENT_CLAIMABLE: Final = "event_claimable"
EVENT_SAVE: Final = "event_save"
WEBHOOK_CONSTRAINT: Final = "webhook_constraint"
WEBHOOK_ADD: Final = "webhook_add"
WEBHOOK_GET: Final = "webhook_get"
WEBHOOK_LIST: Final = "webhook_list"
WEBHOOK_LOCK: Final = "webhook_lock"
WEBHOOK_SAVE: Final = "webhook_save"
DELIVERY_CONSTRAINT: Final = "delivery_constraint"
DELIVERY_DUE_INDEX: Final = "delivery_due_index"
DELIVERY_ADD: Final = "delivery_add"
DELIVERY_GET: Final = "delivery_get"
DELIVERY_LOCK: Final = "delivery_lock"
DELIVERY_SAVE: Final = "delivery_save"
DELIVERY_DUE: Final = "delivery_due"
DELIVERY_CLAIMABLE: Final = "delivery_claimable"
DELIVERY_LIST: Final = "delivery_list"
FAN_OUT_CONSTRAINT: Final = "fan_out_constraint"
FAN_OUT_CURSOR: Final = "fan_out_cursor"
FAN_OUT_LOCK: Final = "fan_out_lock"
FAN_OUT_MOVE: Final = "fan_out_move"
AUDIT_INDEX: Final = "audit_index"
AUDIT_ADD: Final = "audit_add"
AUDIT_LIST: Final = "audit_list"
AUDIT_LIST_NEWEST: Final = "audit_list_newest"
AUDIT_COUNT: Final = "audit_count"
READ_OPERATION: Final = "read_operation"
READ_GUARDED: Final = "read_guarded"
READ_LOOKUP: Final = "read_lookup"
READ_COUNT: Final = "read_count"
READ_PAGE: Final = "read_page"
READ_MATCHES: Final = "read_matches"
READ_PAGE_OF_MATCHES: Final = "read_page_of_matches"
READ_RELATION: Final = "read_relation"

ALL_QUERIES: Final = tuple(
    value
    for key, value in sorted(globals().items())
    if key.isupper()
    and isinstance(value, str)
    and key not in {"ALL_QUERIES", "FRAGMENTS"}
    and not key.startswith("_")
)
#: Files that are parts of another statement (traverse.cypher's, degree_stats.cypher's,
#: relation_counts.cypher's and read_operation.cypher's blocks), not statements.
FRAGMENTS: Final = (
    TRAVERSE_DEPTH,
    DEGREE_STATS_ENTITIES,
    DEGREE_STATS_RELATION,
    RELATION_COUNTS_PART,
    READ_LOOKUP,
    READ_COUNT,
    READ_PAGE,
    READ_MATCHES,
    READ_PAGE_OF_MATCHES,
    READ_RELATION,
)
