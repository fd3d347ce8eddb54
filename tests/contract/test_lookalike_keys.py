"""Keys that look alike are one key, or refused: NFC everywhere, nothing invisible."""

from __future__ import annotations

import unicodedata

import pytest

from graph_crm.errors import InvalidInput
from graph_crm.model.audit import AuditAction, parse_relation_id
from graph_crm.store.base import GraphStore
from tests.contract.audit_log import everything
from tests.contract.crm import CUSTOMER, define_crm
from tests.contract.logistics import AS_OF, load_logistics, shipment_plan
from tests.contract.snapshot import snapshot

CAFE_NFC = unicodedata.normalize("NFC", "Café-Zürich")
CAFE_NFD = unicodedata.normalize("NFD", "Café-Zürich")
#: (key, the character refused as the message names it)
REFUSED: list[tuple[str, str]] = [
    ("ACME\u200b", "U+200B ZERO WIDTH SPACE"),
    ("AC\u200dME", "U+200D ZERO WIDTH JOINER"),
    ("AC\u200cME", "U+200C ZERO WIDTH NON-JOINER"),
    ("\ufeffACME", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    ("ACME\u202eKCUF", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("AC\u202aME", "U+202A LEFT-TO-RIGHT EMBEDDING"),
    ("AC\u2066ME\u2069", "U+2066 LEFT-TO-RIGHT ISOLATE"),
    ("ACME\u200f", "U+200F RIGHT-TO-LEFT MARK"),
    ("ACME\u061c", "U+061C ARABIC LETTER MARK"),
    ("AC\u00adME", "U+00AD SOFT HYPHEN"),
    ("AC\u2060ME", "U+2060 WORD JOINER"),
    ("ACME\ufe0f", "U+FE0F VARIATION SELECTOR-16"),
    ("ACME\u3164", "U+3164 HANGUL FILLER"),
    ("ACME\ne", "U+000A LINE FEED"),
    ("ACME\tX", "U+0009 CHARACTER TABULATION"),
    ("ACME\u2028X", "U+2028 LINE SEPARATOR"),
    ("ACME\u00a0LTD", "U+00A0 NO-BREAK SPACE"),
]


async def test_nfc_and_nfd_spellings_of_a_key_are_one_entity(store: GraphStore) -> None:
    await store.define_entity_type(CUSTOMER)
    first = await store.upsert_entities("Customer", [{"key": CAFE_NFD, "name": "Café"}])
    assert first.created == 1
    again = await store.upsert_entities("Customer", [{"key": CAFE_NFC, "name": "Café"}])
    assert (again.created, again.unchanged) == (0, 1)
    renamed = await store.upsert_entities("Customer", [{"key": CAFE_NFD, "name": "Café SA"}])
    assert (renamed.created, renamed.updated) == (0, 1)

    page = await store.list_entities("Customer")
    assert [entity.key for entity in page.items] == [CAFE_NFC]  # stored in NFC
    nfc, nfd = await store.get_entities([f"Customer:{CAFE_NFC}", f"Customer:{CAFE_NFD}"])
    assert nfc is not None
    assert nfd is not None
    assert nfc == nfd
    assert nfd.id == f"Customer:{CAFE_NFC}"
    assert nfd.properties["name"] == "Café SA"
    # the audit log names the entity as stored, whichever spelling wrote it
    assert {gid for r in await everything(store) for gid in r.ids} == {f"Customer:{CAFE_NFC}"}

    with pytest.raises(InvalidInput) as caught:
        await store.upsert_entities(
            "Customer", [{"key": CAFE_NFC, "name": "a"}, {"key": CAFE_NFD, "name": "b"}]
        )
    assert [(i.code, i.path) for i in caught.value.issues] == [
        ("DUPLICATE_KEY", ("records", 1, "key"))
    ]


async def test_links_reads_and_deletes_by_either_spelling_reach_the_stored_entity(
    store: GraphStore,
) -> None:
    await define_crm(store)
    await store.upsert_entities("Customer", [{"key": CAFE_NFC, "name": "Café"}])
    await store.upsert_entities("Subsidiary", [{"key": "Zürich", "name": "ZH"}])
    nfd_sub = unicodedata.normalize("NFD", "Subsidiary:Zürich")
    linked = await store.link(
        "HAS_SUBSIDIARY", [{"from": CAFE_NFD, "to": nfd_sub, "properties": {"share": 1.0}}]
    )
    assert linked.created == 1
    (relation,) = (await store.list_relations("HAS_SUBSIDIARY")).items
    assert (relation.from_id, relation.to_id) == (f"Customer:{CAFE_NFC}", "Subsidiary:Zürich")
    again = await store.link("HAS_SUBSIDIARY", [{"from": CAFE_NFC, "to": "Zürich"}])
    assert again.created == 0

    (near,) = await store.neighbors("HAS_SUBSIDIARY", "OUT", [f"Customer:{CAFE_NFD}"])
    assert [n.entity.id for n in near] == ["Subsidiary:Zürich"]
    walked = await store.traverse(
        [f"Customer:{CAFE_NFD}"], [{"relation": "HAS_SUBSIDIARY", "direction": "OUT"}]
    )
    assert [entity.id for entity in walked.reached] == ["Subsidiary:Zürich"]
    (path,) = walked.paths["Subsidiary:Zürich"]
    assert path.entity_ids == (f"Customer:{CAFE_NFC}", "Subsidiary:Zürich")

    assert await store.unlink("HAS_SUBSIDIARY", [{"from": CAFE_NFD, "to": nfd_sub}]) == 1
    deleted = await store.delete_entities([f"Customer:{CAFE_NFD}"])
    assert deleted.entities == 1
    assert await store.get_entities([f"Customer:{CAFE_NFC}"]) == [None]


async def test_an_impact_source_in_nfd_finds_its_warehouse(store: GraphStore) -> None:
    registry = await load_logistics(store)
    await store.upsert_entities("Warehouse", [{"key": CAFE_NFC, "name": "Zürich hub"}])
    await store.link("ROUTED_VIA", [{"from": "S1", "to": CAFE_NFC}])
    plan = shipment_plan(registry)
    rows = await store.impact_rows(plan, f"Warehouse:{CAFE_NFD}", as_of=AS_OF)
    assert [row.target for row in rows] == ["Customer:CA"]
    assert rows[0].paths[0][0] == f"Warehouse:{CAFE_NFC}"


async def test_invisible_bidi_and_control_characters_alone_are_refused_by_code_point_and_path(
    store: GraphStore,
) -> None:
    await store.define_entity_type(CUSTOMER)
    await store.upsert_entities("Customer", [{"key": "ACME", "name": "Acme"}])
    before = await snapshot(store)
    for key, named in REFUSED:
        rows = [{"key": "OK-1", "name": "a"}, {"key": "OK-2", "name": "b"}]
        rows.insert(1, {"key": key, "name": "lookalike"})
        with pytest.raises(InvalidInput) as caught:
            await store.upsert_entities("Customer", rows)
        error = caught.value
        assert (error.code, error.path) == ("INVALID_INPUT", ("records", 1, "key")), key
        assert named in error.message, (key, error.message)
        assert [issue.path for issue in error.issues] == [("records", 1, "key")]
    for key in (" ACME", "ACME ", "\u3000ACME"):
        with pytest.raises(InvalidInput, match="space") as caught:
            await store.upsert_entities("Customer", [{"key": key, "name": "x"}])
        assert caught.value.path == ("records", 0, "key")
    assert await snapshot(store) == before  # one bad row in three: none landed
    # what is refused is narrow: other scripts, inner spaces, fullwidth forms, emoji stay
    valid = ["上海-01", "ACME SH", "Ｃａｆé", "Αθήνα", "שלום", "مرحبا", "a:b", "ship-🚢"]
    written = await store.upsert_entities("Customer", [{"key": k, "name": k} for k in valid])
    assert written.created == len(valid)
    found = await store.get_entities([f"Customer:{key}" for key in valid])
    assert [entity.key for entity in found if entity is not None] == valid


async def test_refused_keys_in_links_name_their_field_and_reads_find_no_lookalike(
    store: GraphStore,
) -> None:
    await define_crm(store)
    await store.upsert_entities("Customer", [{"key": "ACME", "name": "Acme"}])
    await store.upsert_entities("Subsidiary", [{"key": "ACME-SH", "name": "SH"}])
    before = await snapshot(store)
    links = [
        {"from": "ACME", "to": "ACME-SH"},
        {"from": "ACME", "to": "Subsidiary:ACME-SH\u202e"},
    ]
    with pytest.raises(InvalidInput, match="U\\+202E RIGHT-TO-LEFT OVERRIDE") as caught:
        await store.link("HAS_SUBSIDIARY", links)
    assert caught.value.path == ("links", 1, "to")
    with pytest.raises(InvalidInput, match="U\\+200B ZERO WIDTH SPACE") as caught:
        await store.unlink("HAS_SUBSIDIARY", [{"from": "ACME\u200b", "to": "ACME-SH"}])
    assert caught.value.path == ("links", 0, "from")
    assert await snapshot(store) == before
    # a read cannot create a lookalike: it finds what is stored under exactly that key
    found = await store.get_entities(["Customer:ACME", "Customer:ACME\u200b"])
    assert [entity and entity.id for entity in found] == ["Customer:ACME", None]
    with pytest.raises(InvalidInput, match="U\\+000A LINE FEED") as caught:
        await store.get_entities(["Customer:ACME", "Customer:AC\nME"])
    assert caught.value.path == ("ids", 1)
    with pytest.raises(InvalidInput, match="U\\+0009 CHARACTER TABULATION") as caught:
        await store.traverse(["Customer:AC\tME"], [{"relation": "HAS_SUBSIDIARY"}])
    assert caught.value.path == ("start", 0)


async def test_keys_holding_arrows_get_distinct_parseable_audit_ids(store: GraphStore) -> None:
    await define_crm(store)
    keys = ["a->Customer:b", "c", "a", "b->Customer:c", "50%3E", "50>"]
    await store.upsert_entities("Customer", [{"key": key, "name": key} for key in keys])
    pairs = [("a->Customer:b", "c"), ("a", "b->Customer:c"), ("50%3E", "50>")]
    links = [{"from": f, "to": t} for f, t in pairs]
    await store.link("PARENT_OF", links, actor="hostile")
    (record,) = [r for r in await everything(store) if r.action is AuditAction.LINK]
    assert len(set(record.ids)) == 3
    assert {parse_relation_id(rid) for rid in record.ids} == {
        ("PARENT_OF", f"Customer:{f}", f"Customer:{t}") for f, t in pairs
    }
    assert await store.unlink("PARENT_OF", links, actor="hostile") == 3
    unlinked = (await everything(store))[-1]
    assert unlinked.action is AuditAction.UNLINK
    assert sorted(unlinked.ids) == sorted(record.ids)
