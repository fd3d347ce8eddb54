"""The fan-out (pure): one delivery per (webhook, change) its filter wants, none for a
revoked webhook or for changes before it was made."""

from __future__ import annotations

from graph_crm.incidents.fan_out import deliveries_for
from graph_crm.incidents.feed import IncidentChange
from graph_crm.incidents.webhook import Webhook, new_webhook
from tests.incidents.made import INCIDENT_ID, T0, opened

INCIDENT, _ = opened()
OPENED = IncidentChange(1, INCIDENT_ID, 1, 1, "opened", T0)
ASSIGNED = IncidentChange(2, INCIDENT_ID, 2, None, "assigned", T0)


def _hook(number: int, wanted: object = None, start_seq: int = 0) -> Webhook:
    return new_webhook(
        f"hook {number}",
        "http://127.0.0.1:9/",
        wanted,
        webhook_id=f"{number:016x}",
        secret="s",
        created_by="admin",
        now=T0,
        start_seq=start_seq,
    )


def test_each_webhook_gets_the_changes_its_filter_wants() -> None:
    hooks = [
        _hook(1),
        _hook(2, {"versionsOnly": True}),
        _hook(3, {"sourceTypes": ["Port"]}),
        _hook(4, start_seq=1),
        _hook(5).revoked(T0),
    ]
    made = deliveries_for([OPENED, ASSIGNED], {INCIDENT_ID: INCIDENT}, hooks, now=T0)
    assert [(d.webhook_id[-1], d.seq) for d in made] == [("1", 1), ("2", 1), ("1", 2), ("4", 2)]
    assert len({d.id for d in made}) == len(made)


def test_a_change_of_an_unknown_incident_is_told_to_nobody() -> None:
    assert deliveries_for([OPENED], {}, [_hook(1)], now=T0) == []
