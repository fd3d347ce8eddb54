"""The incident operations tests send over HTTP (tests/api/test_incidents_api.py)."""

from __future__ import annotations

from tests.api.graphql import RESULT_FIELDS

INCIDENT_FIELDS = """
    id source delayDays startsAt note status owner revision version openedBy
    acknowledgedBy resolvedBy
    notes { author text }
    checklist { target label action done by }
"""
VERSION_FIELDS = """
    number reason delayDays
    totals { affected predictedBreaches byTier { tier count } }
    reports { policy asOf targets { target tier actions } }
    diff {
      policy unchanged complete
      entered { target tier rank }
      left { target tier }
      tierChanges { target fromTier toTier reason }
    }
"""
PAYLOAD = f"""
    {RESULT_FIELDS}
    ... on IncidentPayload {{
      opened
      incident {{ {INCIDENT_FIELDS} }}
      version {{ {VERSION_FIELDS} }}
    }}
"""
REPORT_DISRUPTION = f"""
mutation Report($source: DisruptionSourceInput!, $delay: Float!, $startsAt: String,
                $note: String! = "") {{
  reportDisruption(source: $source, delayDays: $delay, startsAt: $startsAt, note: $note) {{
    {PAYLOAD}
  }}
}}"""
ACKNOWLEDGE = f"""
mutation Ack($id: ID!, $revision: Int) {{
  acknowledgeIncident(id: $id, revision: $revision) {{ {PAYLOAD} }}
}}"""
RESOLVE = f"""
mutation Resolve($id: ID!, $revision: Int) {{
  resolveIncident(id: $id, revision: $revision) {{ {PAYLOAD} }}
}}"""
ASSIGN = f"""
mutation Assign($id: ID!, $owner: String!) {{
  assignIncident(id: $id, owner: $owner) {{ {PAYLOAD} }}
}}"""
ADD_NOTE = f"""
mutation Note($id: ID!, $text: String!) {{
  addIncidentNote(id: $id, text: $text) {{ {PAYLOAD} }}
}}"""
CHECK_ACTION = f"""
mutation Check($id: ID!, $target: ID!, $action: String!, $done: Boolean! = true) {{
  checkIncidentAction(id: $id, target: $target, action: $action, done: $done) {{ {PAYLOAD} }}
}}"""
INCIDENTS = f"""
query List($filter: IncidentFilter, $first: Int! = 50, $after: String) {{
  incidents(filter: $filter, first: $first, after: $after) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    edges {{ cursor node {{ {INCIDENT_FIELDS} }} }}
  }}
}}"""
INCIDENT = f"""
query One($id: ID!, $since: Int! = 0, $first: Int! = 5) {{
  incident(id: $id) {{
    {INCIDENT_FIELDS}
    versions(since: $since, first: $first) {{ hasMore items {{ {VERSION_FIELDS} }} }}
  }}
}}"""
#: The subscription tests/api/test_subscriptions*.py send over WebSocket.
CHANGED = """
subscription Changed($filter: IncidentChangeFilter, $after: Int) {
  incidentChanged(filter: $filter, after: $after) {
    seq reason revision status
    incident { id source status revision version }
    version { number reason }
    totals { affected predictedBreaches byTier { tier count } }
    topRows(first: 2) { policy rows { rank target tier } }
    diff { policy entered { target tier } left { target } }
  }
}"""
