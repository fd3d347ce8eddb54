"""The feed filter (subscriptions and webhooks): what passes, and bad filters refused at
their field and index."""

from __future__ import annotations

from dataclasses import replace

import pytest

from graph_crm.errors import InvalidInput
from graph_crm.incidents.feed import IncidentChange
from graph_crm.incidents.feed_filter import MAX_FILTER_VALUES, FeedFilter, check_feed_filter
from graph_crm.incidents.incident import IncidentStatus
from tests.incidents.made import INCIDENT_ID, T0, opened

INCIDENT, _ = opened()
VERSIONED = IncidentChange(1, INCIDENT_ID, 1, 1, "opened", T0)
ASSIGNED = IncidentChange(2, INCIDENT_ID, 2, None, "assigned", T0)


def test_an_empty_filter_passes_everything() -> None:
    assert check_feed_filter(None) == FeedFilter()
    assert check_feed_filter({}).passes(ASSIGNED, INCIDENT)


@pytest.mark.parametrize(
    ("raw", "versioned", "assigned"),
    [
        ({"incidentIds": [INCIDENT_ID]}, True, True),
        ({"incidentIds": ["inc-00000000000000ff"]}, False, False),
        ({"sources": ["Warehouse:W"]}, True, True),
        ({"sources": ["Warehouse:X", "Port:W"]}, False, False),
        ({"sourceTypes": ["Warehouse"]}, True, True),
        ({"sourceTypes": ["Port"]}, False, False),
        ({"statuses": ["OPEN"]}, True, True),
        ({"statuses": ["RESOLVED"]}, False, False),
        ({"versionsOnly": True}, True, False),
        ({"sourceTypes": ["Warehouse"], "statuses": ["RESOLVED"]}, False, False),
    ],
)
def test_each_field_narrows(raw: dict[str, object], versioned: bool, assigned: bool) -> None:
    wanted = check_feed_filter(raw)
    assert wanted.passes(VERSIONED, INCIDENT) is versioned
    assert wanted.passes(ASSIGNED, INCIDENT) is assigned
    assert check_feed_filter(wanted.to_record()) == wanted  # stored and read back


def test_the_status_is_the_incidents_after_the_change() -> None:
    resolved = replace(INCIDENT, status=IncidentStatus.RESOLVED)
    assert check_feed_filter({"statuses": ["RESOLVED"]}).passes(ASSIGNED, resolved)


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ("sources", ()),
        ({"source": ["Warehouse:W"]}, ("source",)),
        ({"sources": "Warehouse:W"}, ("sources",)),
        ({"sources": ["Warehouse:W", "no colon"]}, ("sources", 1)),
        ({"sources": [7]}, ("sources", 0)),
        ({"sourceTypes": ["Warehouse", "x`) DETACH DELETE n //"]}, ("sourceTypes", 1)),
        ({"incidentIds": ["inc-1'; DROP TABLE incidents; --"]}, ("incidentIds", 0)),
        ({"statuses": ["open"]}, ("statuses", 0)),
        ({"versionsOnly": "yes"}, ("versionsOnly",)),
        ({"statuses": ["OPEN"] * (MAX_FILTER_VALUES + 1)}, ("statuses",)),
    ],
)
def test_a_bad_filter_is_refused_at_its_field(raw: object, path: tuple[object, ...]) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_feed_filter(raw)  # type: ignore[arg-type]
    assert refused.value.path == path
