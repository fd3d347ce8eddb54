"""The operation the role check sees is the operation that runs: chosen once, strictly.

An analyst once wrote data by sending a forbidden mutation first and a harmless query
second with no ``operationName``: the check found no single operation and checked
nothing, and the executor ran the first one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph_crm.auth.roles import Permission, Role
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client
from tests.contract.crm import load_chain
from tests.contract.snapshot import snapshot
from tests.examples import examples
from tests.store_fixtures import Loaded

EVIL_WRITE = 'upsertEntities(type: "Competitor", records: [{key: "X", name: "x"}]) { __typename }'
SHAPES = {
    "core write": f"mutation Evil {{ {EVIL_WRITE} }}",
    "typed write": 'mutation Evil { upsertCompetitors(records: [{key: "X", name: "x"}]) '
    "{ __typename } }",
    "definition": 'mutation Evil { defineEntityType(input: {name: "Zed"}) { __typename } }',
    "audit log": "query Evil { auditLog(first: 5) { totalCount } }",
}
DECOY = "query Decoy { __typename }"


async def _state(store: GraphStore) -> Any:
    return (await store.registry()).version, await snapshot(store), await _audit(store)


async def _audit(store: GraphStore) -> list[str]:
    """The audit trail of changes (refused attempts are recorded too, and left out)."""
    page = await store.audit_log(first=1_000)
    return [r.id for r in page.items if r.action.value != "access.denied"]


def _send(client: httpx.AsyncClient, method: str, document: str, name: Any = None) -> Any:
    if method == "GET":
        params = {"query": document}
        if name is not None:
            params["operationName"] = name
        return client.get("/graphql", params=params)
    payload: dict[str, Any] = {"query": document}
    if name is not None:
        payload["operationName"] = name
    return client.post("/graphql", json=payload)


@pytest.mark.parametrize("role", list(Role))
async def test_several_operations_without_a_name_are_refused_for_every_role(
    loaded: Loaded, role: Role
) -> None:
    # everything is refused and the state checked unchanged: the roles share the data
    store = await loaded(load_chain)
    async with asgi_client(store, role) as client:
        before = await _state(store)
        for shape, evil in SHAPES.items():
            for method in ("POST", "GET"):
                for document in (f"{evil}\n{DECOY}", f"{DECOY}\n{evil}"):
                    response = await _send(client, method, document)
                    assert response.status_code == 400, (role, shape, method, response.text)
                    error = response.json()["error"]
                    assert error["code"] == "BAD_REQUEST"
                    assert "Must provide operation name" in error["message"]
                    # a name that picks none of them is refused alike
                    response = await _send(client, method, document, "Nowhere")
                    assert response.status_code == 400, (role, shape, method)
                    assert "Unknown operation named 'Nowhere'" in response.text
        assert await _state(store) == before


@pytest.mark.parametrize("name", [["Evil"], {}, {"x": 1}, 7, True])
async def test_an_operation_name_that_is_not_text_is_a_clear_400(
    store: GraphStore, name: Any
) -> None:
    async with asgi_client(store, Role.ADMIN) as client:
        response = await client.post(
            "/graphql", json={"query": f"{SHAPES['core write']} {DECOY}", "operationName": name}
        )
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "BAD_REQUEST",
        "message": "'operationName' must be a string or null",
    }


async def test_the_named_operation_is_checked_and_only_it_runs(store: GraphStore) -> None:
    await load_chain(store)
    document = f"{SHAPES['core write']}\n{DECOY}"
    async with asgi_client(store, Role.ANALYST) as client:
        before = await _state(store)
        decoy = await _send(client, "POST", document, "Decoy")
        assert decoy.json() == {"data": {"__typename": "Query"}}
        evil = await _send(client, "POST", document, "Evil")
        assert evil.json()["data"] is None
        assert evil.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        by_get = await _send(client, "GET", document, "Evil")
        assert by_get.status_code == 405
        assert await _state(store) == before
    async with asgi_client(store, Role.INTEGRATION) as client:
        written = await _send(client, "POST", document, "Evil")
        assert written.json() == {"data": {"upsertEntities": {"__typename": "WritePayload"}}}
    assert (await store.get_entities(["Competitor:X"]))[0] is not None


async def test_a_refused_operation_is_in_the_audit_log_once_per_burst(store: GraphStore) -> None:
    async with asgi_client(store, Role.ANALYST) as client:
        key_id = client.headers["authorization"].split("_")[1]
        for _ in range(5):
            refused = await _send(client, "POST", SHAPES["definition"])
            assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    records = [
        r for r in (await store.audit_log(first=50)).items if r.action.value == "access.denied"
    ]
    # one record stands for the burst; the next one would count the four it skipped
    [record] = records
    assert record.after is not None
    assert record.after["keyId"] == key_id
    assert record.after["refused"] == ["defineEntityType"]
    assert record.after["operation"] == "Evil"


# -- the property: for any document, a request runs only what its role may, or nothing --


@dataclass(frozen=True)
class Atom:
    """A root field a document may select, the permission it needs, and its side effect."""

    kind: str  # "query" | "mutation"
    text: str
    needs: Permission


ATOMS = [
    Atom("query", "schemaVersion", Permission.READ),
    Atom("query", "entityTypes { name }", Permission.READ),
    Atom("query", "auditLog(first: 1) { totalCount }", Permission.ADMIN),
    Atom("query", 'impactPolicy(name: "none") { name }', Permission.READ),
    Atom("mutation", EVIL_WRITE, Permission.WRITE),
    Atom("mutation", 'defineEntityType(input: {name: "Zed"}) { __typename }', Permission.DEFINE),
    Atom("mutation", 'deleteEntities(ids: ["Customer:ACME"]) { __typename }', Permission.WRITE),
]


@dataclass(frozen=True)
class Doc:
    text: str
    #: operation name -> (kind, the atoms it runs, each by its alias)
    operations: dict[str, tuple[str, tuple[tuple[str, Atom], ...]]]
    name: str | None


@st.composite
def documents(draw: st.DrawFn) -> Doc:
    alias_number = iter(range(1_000))
    operations: dict[str, tuple[str, tuple[tuple[str, Atom], ...]]] = {}
    fragments: list[str] = []
    parts: list[str] = []
    for index in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["query", "mutation"]))
        pool = [a for a in ATOMS if a.kind == kind]
        chosen = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4))
        aliased = tuple((f"a{next(alias_number)}", atom) for atom in chosen)
        selections = []
        for alias, atom in aliased:
            selection = f"{alias}: {atom.text}"
            how = draw(st.sampled_from(["direct", "inline", "fragment", "nested fragment"]))
            root = "Query" if kind == "query" else "Mutation"
            if how == "inline":
                selection = f"... on {root} {{ {selection} }}"
            elif how.endswith("fragment"):
                inner = f"F{len(fragments)}"
                fragments.append(f"fragment {inner} on {root} {{ {selection} }}")
                selection = f"...{inner}"
                if how == "nested fragment":
                    outer = f"F{len(fragments)}"
                    fragments.append(f"fragment {outer} on {root} {{ ...{inner} }}")
                    selection = f"...{outer}"
            selections.append(selection)
        name = f"Op{index}"
        operations[name] = (kind, aliased)
        parts.append(f"{kind} {name} {{ {' '.join(selections)} }}")
    pieces = parts + fragments
    order = draw(st.permutations(range(len(pieces))))
    text = "\n".join(pieces[i] for i in order)
    picked: str | None = draw(st.sampled_from([None, "Bogus", *operations]))
    return Doc(text, operations, picked)


HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@settings(max_examples=examples(60), deadline=None, suppress_health_check=HEALTH)
@given(doc=documents(), role=st.sampled_from(list(Role)), method=st.sampled_from(["POST", "GET"]))
async def test_any_document_runs_only_what_the_role_may_or_nothing(
    embedded_store: GraphStore, doc: Doc, role: Role, method: str
) -> None:
    store = embedded_store
    if not (await store.registry()).entity_types:
        await load_chain(store)
    async with asgi_client(store, role) as client:
        before = await _state(store)
        response = await _send(client, method, doc.text, doc.name)
    chosen = doc.name if doc.name is not None else next(iter(doc.operations))
    if (doc.name is None and len(doc.operations) > 1) or doc.name == "Bogus":
        assert response.status_code == 400, response.text
        assert await _state(store) == before
        return
    kind, atoms = doc.operations[chosen]
    if method == "GET" and kind == "mutation":
        assert response.status_code == 405
        assert await _state(store) == before
        return
    body = response.json()
    forbidden = {alias for alias, atom in atoms if not role.allows(atom.needs)}
    if forbidden:
        assert body["data"] is None, body
        assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
        assert await _state(store) == before
        return
    # Everything ran was allowed: exactly the chosen operation's fields, nothing else.
    assert set(body["data"]) == {alias for alias, _ in atoms}, json.dumps(body)
    for other, (_, other_atoms) in doc.operations.items():
        if other != chosen:
            assert not {alias for alias, _ in other_atoms} & set(body["data"])
