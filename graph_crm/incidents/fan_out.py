"""Which webhooks are told of which feed changes (pure): one delivery per (webhook,
change) that the webhook's filter lets through, for the webhooks active when the
fan-out runs and made before the change (``start_seq``).

The filter sees the incident as it is when the fan-out runs, which follows the change
closely (a worker polls the feed): a change whose incident moved on since is judged by
where it is now.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from graph_crm.incidents.delivery import Delivery, new_delivery
from graph_crm.incidents.feed import IncidentChange
from graph_crm.incidents.incident import Incident
from graph_crm.incidents.webhook import Webhook


def deliveries_for(
    changes: Sequence[IncidentChange],
    incidents: Mapping[str, Incident],
    webhooks: Sequence[Webhook],
    *,
    now: datetime,
) -> list[Delivery]:
    """The deliveries to store for ``changes`` (oldest first), due at ``now``. A change
    whose incident is not in ``incidents`` is told to nobody."""
    made = []
    for change in changes:
        incident = incidents.get(change.incident_id)
        if incident is None:
            continue
        for webhook in webhooks:
            if (
                webhook.active
                and change.seq > webhook.start_seq
                and webhook.filter.passes(change, incident)
            ):
                made.append(new_delivery(webhook.id, change.seq, change.incident_id, now=now))
    return made
