"""The API benchmark's graph: the brief's CRM types and a deterministic data set.

Customer -HAS_SUBSIDIARY-> Subsidiary -EMPLOYS-> Buyer -WROTE-> ChatLog -MENTIONS-> Competitor,
about ``n`` entities in all: 3 subsidiaries per customer, 2 buyers per subsidiary, ~2 chat logs
per buyer (random), up to 300 competitors, 0-2 mentions per chat log; some names are Chinese.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.ingest_crm import Graph
from graph_crm.store.base import GraphStore

Row = dict[str, Any]
TIERS = ["GOLD", "SILVER", "BRONZE"]

ENTITY_TYPES: list[Row] = [
    {
        "name": "Customer",
        "properties": [
            {"name": "name", "kind": "STRING", "required": True},
            {"name": "tier", "kind": "ENUM", "values": TIERS},
            {"name": "revenue", "kind": "FLOAT"},
            {"name": "country", "kind": "STRING"},
        ],
    },
    {
        "name": "Subsidiary",
        "properties": [
            {"name": "name", "kind": "STRING", "required": True},
            {"name": "country", "kind": "STRING"},
        ],
    },
    {"name": "Buyer", "properties": [{"name": "name", "kind": "STRING", "required": True}]},
    {
        "name": "ChatLog",
        "properties": [{"name": "at", "kind": "DATETIME"}, {"name": "text", "kind": "STRING"}],
    },
    {"name": "Competitor", "properties": [{"name": "name", "kind": "STRING", "required": True}]},
]
RELATION_TYPES: list[Row] = [
    {"name": "HAS_SUBSIDIARY", "from": "Customer", "to": "Subsidiary"},
    {"name": "EMPLOYS", "from": "Subsidiary", "to": "Buyer"},
    {"name": "WROTE", "from": "Buyer", "to": "ChatLog"},
    {"name": "MENTIONS", "from": "ChatLog", "to": "Competitor"},
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛"]
LATIN = ["Anna", "Kurt", "Maria", "John", "Olga", "Pierre", "Sven", "Lucia", "Tom", "Yuki"]
WORDS = ["华信", "Globex", "Initech", "宏达", "Umbrella", "Acme", "远航", "Stark", "金桥", "Wayne"]
SUFFIX = ["贸易有限公司", " GmbH", " Ltd", " Inc.", "科技有限公司", " B.V."]
COUNTRIES = ["CN", "CN", "DE", "NL", "US", "中国香港"]
TEXTS = ["对比了 {c} 的报价", "{c} is cheaper this quarter", "客户提到 {c} 的交货期更短",
         "Asked about {c} pricing", "Lost a tender to {c}"]  # fmt: skip
#: Entities one customer brings along: itself, 3 subsidiaries, 6 buyers, ~12 chat logs.
PER_CUSTOMER = 1 + 3 + 6 + 12


def generate(n: int, seed: int) -> Graph:
    """About ``n`` entities (never fewer than one full customer tree), deterministic in ``seed``."""
    rng = random.Random(seed)
    n_comp = max(1, min(300, n // 300))
    n_cust = max(1, (n - n_comp) // PER_CUSTOMER)
    n_sub, n_buy = 3 * n_cust, 6 * n_cust
    n_chat = max(n_buy, n - n_comp - n_cust - n_sub - n_buy)
    t0 = datetime(2024, 1, 1, tzinfo=UTC)

    def company() -> str:
        if rng.random() < 0.4:
            return rng.choice(WORDS) + rng.choice(WORDS) + "贸易有限公司"
        return rng.choice(WORDS) + rng.choice(SUFFIX)

    def person() -> str:
        if rng.random() < 0.6:
            return rng.choice(SURNAMES) + rng.choice(GIVEN)
        return f"{rng.choice(LATIN)} {rng.choice(WORDS)}"

    def key(prefix: str, i: int) -> str:
        return f"{prefix}-{i:07d}"

    competitors = [
        {"key": key("COMP", i), "name": f"{rng.choice(WORDS)} {i}"} for i in range(n_comp)
    ]
    customers = [
        {
            "key": key("CUST", i),
            "name": company(),
            "tier": rng.choices(TIERS, weights=(2, 3, 5))[0],
            "revenue": round(rng.lognormvariate(9, 2), 2),
            "country": rng.choice(COUNTRIES),
        }
        for i in range(n_cust)
    ]
    subsidiaries = [
        {"key": key("SUB", i), "name": company(), "country": rng.choice(COUNTRIES)}
        for i in range(n_sub)
    ]
    buyers = [{"key": key("BUY", i), "name": person()} for i in range(n_buy)]
    chats = []
    for i in range(n_chat):
        moment = t0 + timedelta(seconds=rng.randrange(63_000_000))
        text = rng.choice(TEXTS).format(c=rng.choice(WORDS)) + f" #{i}"
        chats.append({"key": key("CHAT", i), "at": moment.isoformat(), "text": text})
    # Every buyer wrote one chat log; the rest go to random buyers (~2 each on average).
    writers = [b["key"] for b in buyers] + [rng.choice(buyers)["key"] for _ in chats[n_buy:]]
    graph = Graph(
        {
            "Customer": customers,
            "Subsidiary": subsidiaries,
            "Buyer": buyers,
            "ChatLog": chats,
            "Competitor": competitors,
        }
    )
    graph.links = {
        "HAS_SUBSIDIARY": [
            {"from": customers[i // 3]["key"], "to": s["key"]} for i, s in enumerate(subsidiaries)
        ],
        "EMPLOYS": [
            {"from": subsidiaries[i // 2]["key"], "to": b["key"]} for i, b in enumerate(buyers)
        ],
        "WROTE": [{"from": w, "to": c["key"]} for w, c in zip(writers, chats, strict=True)],
        "MENTIONS": [
            {"from": chat["key"], "to": comp["key"]}
            for chat in chats
            for comp in rng.sample(competitors, min(n_comp, rng.choice((0, 1, 1, 2))))
        ],
    }
    return graph


async def load(store: GraphStore, graph: Graph, batch: int = 5_000) -> None:
    """Define the types and write the graph into an empty store, ``batch`` rows per call."""
    for entity_type in ENTITY_TYPES:
        await store.define_entity_type(entity_type, actor="bench")
    for relation_type in RELATION_TYPES:
        await store.define_relation_type(relation_type, actor="bench")
    for type_name, rows in graph.entities.items():
        for start in range(0, len(rows), batch):
            await store.upsert_entities(type_name, rows[start : start + batch])
    for relation, links in graph.links.items():
        for start in range(0, len(links), batch):
            await store.link(relation, links[start : start + batch])
