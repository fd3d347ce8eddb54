"""Which of the feed's changes a subscriber wants (pure): the filter of a GraphQL
``incidentChanged`` subscription and of an outbound webhook, one shape for both.

Every field narrows: a change passes when it passes each one given. An empty filter
passes every change.

>>> wanted = check_feed_filter({"sourceTypes": ["Warehouse"], "versionsOnly": True})
>>> wanted.source_types, wanted.versions_only
(('Warehouse',), True)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from graph_crm.errors import InvalidInput
from graph_crm.incidents.feed import IncidentChange
from graph_crm.incidents.incident import Incident, IncidentStatus, check_incident_id
from graph_crm.model.names import check_entity_type_name
from graph_crm.model.records import global_id, parse_global_id

#: The most values one list of a filter holds.
MAX_FILTER_VALUES: Final = 100
_FIELDS: Final = ("incidentIds", "sources", "sourceTypes", "statuses", "versionsOnly")


@dataclass(frozen=True, slots=True)
class FeedFilter:
    #: Only these incidents (None: any).
    incident_ids: tuple[str, ...] | None = None
    #: Only incidents of these sources, global ids (None: any).
    sources: tuple[str, ...] | None = None
    #: Only incidents whose source is of these entity types (None: any).
    source_types: tuple[str, ...] | None = None
    #: Only changes after which the incident has one of these statuses (None: any).
    statuses: tuple[str, ...] | None = None
    #: Only changes that stored a new version (opened, reported, re-evaluated).
    versions_only: bool = False

    def passes(self, change: IncidentChange, incident: Incident) -> bool:
        """Whether ``change``, after which the incident is ``incident``, is wanted."""
        return (
            (self.incident_ids is None or change.incident_id in self.incident_ids)
            and (self.sources is None or incident.source in self.sources)
            and (self.source_types is None or incident.source_type in self.source_types)
            and (self.statuses is None or incident.status.value in self.statuses)
            and (not self.versions_only or change.version is not None)
        )

    def to_record(self) -> dict[str, Any]:
        """The filter as JSON (what a webhook stores); :func:`check_feed_filter` reads it."""
        record: dict[str, Any] = {"versionsOnly": self.versions_only}
        for name, values in (
            ("incidentIds", self.incident_ids),
            ("sources", self.sources),
            ("sourceTypes", self.source_types),
            ("statuses", self.statuses),
        ):
            if values is not None:
                record[name] = list(values)
        return record


def _values(raw: Mapping[str, Any], name: str) -> list[Any] | None:
    values = raw.get(name)
    if values is None:
        return None
    if isinstance(values, str) or not isinstance(values, list | tuple):
        raise InvalidInput(f"{name} must be a list", path=(name,))
    if len(values) > MAX_FILTER_VALUES:
        raise InvalidInput(f"{name} holds at most {MAX_FILTER_VALUES} values", path=(name,))
    return list(values)


def _each(values: list[Any] | None, name: str, check: Any) -> tuple[str, ...] | None:
    if values is None:
        return None
    checked = []
    for index, value in enumerate(values):
        try:
            checked.append(check(value))
        except InvalidInput as error:
            raise type(error)(error.message, path=(name, index)) from None
    return tuple(dict.fromkeys(checked))


def _source(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInput("a source is a global id such as 'Warehouse:RTM-02'")
    return global_id(*parse_global_id(value))


def _status(value: object) -> str:
    known = {status.value for status in IncidentStatus}
    if value not in known:
        raise InvalidInput(f"a status is one of {', '.join(sorted(known))}")
    return str(value)


def check_feed_filter(raw: Mapping[str, Any] | None) -> FeedFilter:
    """``raw`` (camelCase keys, as GraphQL and the stored JSON write them) checked: ids,
    global ids, type names and statuses well formed, lists of at most MAX_FILTER_VALUES;
    else InvalidInput at the field (and index)."""
    if raw is None:
        return FeedFilter()
    if not isinstance(raw, Mapping):
        raise InvalidInput("a filter is an object", path=())
    unknown = sorted(set(raw) - set(_FIELDS))
    if unknown:
        raise InvalidInput(f"a filter has no field {unknown[0]!r}", path=(unknown[0],))
    versions_only = raw.get("versionsOnly", False)
    if not isinstance(versions_only, bool):
        raise InvalidInput("versionsOnly must be true or false", path=("versionsOnly",))
    return FeedFilter(
        incident_ids=_each(_values(raw, "incidentIds"), "incidentIds", check_incident_id),
        sources=_each(_values(raw, "sources"), "sources", _source),
        source_types=_each(_values(raw, "sourceTypes"), "sourceTypes", check_entity_type_name),
        statuses=_each(_values(raw, "statuses"), "statuses", _status),
        versions_only=versions_only,
    )
