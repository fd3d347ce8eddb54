"""The demo dataset: a cross-border logistics CRM, generated deterministically.

``python -m graph_crm.services.crossborder > seeds/crossborder.json`` writes the committed seed
byte for byte (a test checks it): exporters in China and importers in Europe and the US
(parent accounts over subsidiary accounts), their contracts with SLA deadlines,
shipments in transit or delivered through six overseas warehouses, complaints over the
past year, and the brief's chain of subsidiaries, buyer contacts, chat logs and
competitor mentions. The hand-made story of ``seeds/demo.json`` (上海阿克米, Globex, ...)
is part of it with its keys unchanged. ``AS_OF`` is the moment the data describes: the
demo reports as of then, so its output does not drift with the calendar.
"""

from __future__ import annotations

import json
import random
import sys
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from graph_crm.resources import resource_dir

AS_OF: Final = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SEED: Final = 20261123
DEMO_SEED: Final = resource_dir("seeds") / "demo.json"

#: Warehouses: key, name, city, country, and how many customers use each (weights).
WAREHOUSES: Final = [
    ("RTM-02", "Rotterdam Maasvlakte 2", "Rotterdam", "NL", 0.40),
    ("HAM-01", "Hamburg Waltershof", "Hamburg", "DE", 0.22),
    ("FXT-01", "Felixstowe Trinity", "Felixstowe", "GB", 0.14),
    ("LAX-03", "Los Angeles Carson", "Los Angeles", "US", 0.12),
    ("SIN-01", "Singapore Tuas", "Singapore", "SG", 0.07),
    ("DXB-01", "Jebel Ali Free Zone", "Dubai", "AE", 0.05),
]
COMPETITORS: Final = [
    ("GLOBEX", "Globex Freight"),
    ("INITECH", "Initech Logistics"),
    ("HOOLI", "Hooli Cargo"),
    ("VANDELAY", "Vandelay Import Export"),
    ("STARKFWD", "Stark Forwarding"),
    ("DUNDER", "Dunder Shipping"),
]
_CN_CITIES: Final = [
    ("SH", "上海"), ("SZ", "深圳"), ("GZ", "广州"), ("NB", "宁波"), ("HZ", "杭州"),
    ("XM", "厦门"), ("SU", "苏州"), ("YW", "义乌"), ("QD", "青岛"), ("DG", "东莞"),
]  # fmt: skip
_CN_WORDS: Final = [
    ("HUAXING", "华兴"), ("JINLONG", "金龙"), ("HONGDA", "宏达"), ("XINYUAN", "鑫源"),
    ("TIANCHENG", "天成"), ("MINGYANG", "明阳"), ("RUIFENG", "瑞丰"), ("BOYA", "博雅"),
    ("ZHONGHE", "中和"), ("YONGSHENG", "永盛"), ("LIANCHUANG", "联创"), ("HAITAI", "海泰"),
    ("JIAHE", "嘉禾"), ("KANGDA", "康达"), ("SHENGSHI", "盛世"), ("FUXIN", "福鑫"),
    ("LONGTENG", "龙腾"), ("ANTAI", "安泰"), ("DEXIN", "德信"), ("GUANGYAO", "光耀"),
]  # fmt: skip
_CN_TRADES: Final = [
    ("电子有限公司", "Electronics"), ("贸易有限公司", "Trading"),
    ("科技股份有限公司", "Technology"), ("家居用品有限公司", "Home Goods"),
    ("服饰有限公司", "Apparel"), ("五金制品有限公司", "Hardware"),
    ("照明有限公司", "Lighting"), ("玩具有限公司", "Toys"),
]  # fmt: skip
_WEST: Final = [
    ("Nordhafen", "Trading GmbH", "DE"), ("Van Dijk", "Import B.V.", "NL"),
    ("Albion", "Retail Ltd", "GB"), ("Lumière", "Distribution SAS", "FR"),
    ("Pacific Crest", "Imports Inc.", "US"), ("Baltic", "Wholesale AB", "SE"),
    ("Iberia", "Comercial S.L.", "ES"), ("Alpen", "Handels AG", "AT"),
]  # fmt: skip
_GIVEN: Final = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "婷"]
_FAMILY: Final = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"]
_WESTERN: Final = ["Anna Berg", "Lucas Meyer", "Sophie Martin", "Daan de Vries", "Emma Clark"]


def _types() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """demo.json's types (without CustomsBroker, which docs/graphql.md defines at runtime), plus
    contracts, complaints and the customer hierarchy."""
    demo = json.loads(DEMO_SEED.read_text(encoding="utf-8"))
    entity_types = [t for t in demo["entityTypes"] if t["name"] != "CustomsBroker"]
    for definition in entity_types:
        if definition["name"] == "Warehouse":
            definition["properties"].append({"name": "country", "kind": "STRING"})
        if definition["name"] == "Shipment":
            definition["properties"].append({"name": "shippedAt", "kind": "DATETIME"})
    entity_types += [
        {
            "name": "Contract",
            "description": "A service agreement; slaDeadline is the promised delivery date",
            "properties": [
                {"name": "slaDeadline", "kind": "DATETIME", "required": True},
                {"name": "status", "kind": "ENUM", "values": ["ACTIVE", "EXPIRED"],
                 "required": True},
                {"name": "annualValue", "kind": "FLOAT"},
            ],
        },
        {
            "name": "Complaint",
            "properties": [
                {"name": "filedAt", "kind": "DATETIME", "required": True},
                {"name": "severity", "kind": "ENUM", "values": ["LOW", "MEDIUM", "HIGH"]},
                {"name": "summary", "kind": "STRING"},
            ],
        },
    ]  # fmt: skip
    relation_types = [r for r in demo["relationTypes"] if r["name"] != "CLEARS_FOR"]
    relation_types += [
        {"name": "PARENT_OF", "from": "Customer", "to": "Customer",
         "description": "A parent account over a subsidiary account"},
        {"name": "HAS_CONTRACT", "from": "Customer", "to": "Contract"},
        {"name": "FILED", "from": "Customer", "to": "Complaint"},
    ]  # fmt: skip
    return entity_types, relation_types


class _Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.entities: dict[str, list[dict[str, Any]]] = {}
        self.links: dict[str, list[dict[str, Any]]] = {}

    def add(self, type_name: str, record: dict[str, Any]) -> str:
        self.entities.setdefault(type_name, []).append(record)
        return str(record["key"])

    def link(self, relation: str, source: str, target: str, **properties: Any) -> None:
        link: dict[str, Any] = {"from": source, "to": target}
        if properties:
            link["properties"] = properties
        self.links.setdefault(relation, []).append(link)

    def at(self, days_before: float) -> str:
        """A time ``days_before`` AS_OF (negative: after), to the minute, in UTC."""
        moment = AS_OF - timedelta(minutes=round(days_before * 24 * 60))
        return moment.isoformat().replace("+00:00", "Z")


def _customers(b: _Builder, count: int) -> tuple[list[str], list[str]]:
    """Accounts: top accounts, and a fifth subsidiary accounts under them (a few two
    levels down, named after their parent). Returns (every account, the top ones)."""
    rng, used = b.rng, set[str]()
    accounts: list[str] = []
    tops: list[str] = []
    names: dict[str, str] = {}
    regions = [("EU", "欧洲分公司", "Europe", "NL"), ("UK", "英国分公司", "UK", "GB"),
               ("US", "美国分公司", "USA", "US")]  # fmt: skip
    while len(accounts) < count:
        child = bool(tops) and rng.random() < 0.2
        if child:
            parent = rng.choice(accounts[-12:] if rng.random() < 0.15 else tops)
            region, suffix_cn, suffix, country = rng.choice(regions)
            key = f"{parent}-{region}"
            chinese = any("\u4e00" <= ch <= "\u9fff" for ch in names[parent])
            name = names[parent] + (suffix_cn if chinese else f" {suffix}")
        elif rng.random() < 0.8:
            (city, city_cn), (word, word_cn) = rng.choice(_CN_CITIES), rng.choice(_CN_WORDS)
            trade_cn, trade = rng.choice(_CN_TRADES)
            key = f"{city}-{word}-{trade[:4].upper()}"
            name, country = f"{city_cn}{word_cn}{trade_cn}", "CN"
        else:
            stem, suffix, country = rng.choice(_WEST)
            ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
            key = f"{country}-{ascii_stem.upper().replace(' ', '')[:8]}-{rng.randrange(10, 99)}"
            name = f"{stem} {suffix}"
        if key in used or len(key) > 40:
            continue
        used.add(key)
        names[key] = name
        tier = rng.choices(["STRATEGIC", "KEY", "STANDARD"], [0.1, 0.3, 0.6])[0]
        b.add("Customer", {"key": key, "name": name, "tier": tier, "country": country})
        accounts.append(key)
        if child:
            b.link("PARENT_OF", parent, key)
        else:
            tops.append(key)
    return accounts, tops


def _contracts(b: _Builder, tops: list[str]) -> None:
    """Each top account: an active contract (some two) and maybe an expired one."""
    rng, number = b.rng, 0
    for key in tops:
        for _ in range(1 + (rng.random() < 0.2)):
            number += 1
            spread = rng.random()
            # buffer after AS_OF: a third tight (< 6 d), a sixth close, the rest roomy
            buffer = (
                rng.uniform(-1.5, 6) if spread < 0.32 else
                rng.uniform(6, 9) if spread < 0.48 else
                rng.uniform(9, 60)
            )  # fmt: skip
            contract = b.add("Contract", {
                "key": f"K-{number:05d}", "slaDeadline": b.at(-buffer), "status": "ACTIVE",
                "annualValue": round(rng.lognormvariate(12.5, 0.8), -2),
            })  # fmt: skip
            b.link("HAS_CONTRACT", key, contract)
        if rng.random() < 0.3:
            number += 1
            expired = b.add("Contract", {
                "key": f"K-{number:05d}", "slaDeadline": b.at(rng.uniform(30, 400)),
                "status": "EXPIRED",
            })  # fmt: skip
            b.link("HAS_CONTRACT", key, expired)


def _shipments(b: _Builder, accounts: list[str]) -> None:
    rng, number = b.rng, 1100
    keys = [w[0] for w in WAREHOUSES]
    weights = [w[4] for w in WAREHOUSES]
    for key in accounts:
        homes = sorted(set(rng.choices(keys, weights, k=rng.choice([1, 1, 2]))))
        for _ in range(rng.randint(2, 14)):
            number += 1
            status = rng.choices(["IN_TRANSIT", "DELIVERED", "BOOKED"], [0.22, 0.68, 0.10])[0]
            shipped = rng.uniform(1, 25) if status == "IN_TRANSIT" else rng.uniform(20, 360)
            value = min(1_500_000.0, round(rng.lognormvariate(10.4, 1.1), -2))
            shipment = b.add("Shipment", {
                "key": f"SHP-{number}", "status": status, "value": value,
                "eta": (AS_OF + timedelta(days=rng.uniform(-5, 20) - (
                    0 if status != "DELIVERED" else shipped))).date().isoformat(),
                "shippedAt": b.at(shipped) if status != "BOOKED" else None,
            })  # fmt: skip
            if b.entities["Shipment"][-1]["shippedAt"] is None:
                del b.entities["Shipment"][-1]["shippedAt"]
            route = [rng.choice(homes)]
            if rng.random() < 0.12:  # transhipment through a second warehouse
                route.append(rng.choice([k for k in keys if k != route[0]]))
            for warehouse in route:
                b.link("SHIPPED_VIA", shipment, warehouse)
            b.link("FOR_CUSTOMER", shipment, key)


def _complaints(b: _Builder, tops: list[str]) -> None:
    rng, number = b.rng, 0
    topics = ["Late delivery", "Customs paperwork missing", "Damaged pallets",
              "Invoice dispute", "No ETA update", "Container rolled over"]  # fmt: skip
    for key in tops:
        rate = rng.choice([0, 0, 0, 1, 1, 2, 3, 5, 8]) + (14 if rng.random() < 0.04 else 0)
        for _ in range(rate):
            number += 1
            complaint = b.add("Complaint", {
                "key": f"CMP-{number:05d}", "filedAt": b.at(rng.uniform(0, 365)),
                "severity": rng.choices(["LOW", "MEDIUM", "HIGH"], [0.5, 0.35, 0.15])[0],
                "summary": rng.choice(topics),
            })  # fmt: skip
            b.link("FILED", key, complaint)


def _contacts(b: _Builder, accounts: list[str]) -> None:
    """The brief's chain for a third of the accounts: subsidiary -> buyer -> chats."""
    rng, people, chats = b.rng, 0, 0
    for key in accounts[::3]:
        subsidiary = b.add("Subsidiary", {
            "key": f"{key}-EU", "name": f"{key.title()} Europe",
            "country": rng.choice(["NL", "DE"]),
        })  # fmt: skip
        b.link("HAS_SUBSIDIARY", key, subsidiary)
        for _ in range(rng.randint(1, 2)):
            people += 1
            chinese = rng.random() < 0.6
            name = rng.choice(_FAMILY) + rng.choice(_GIVEN) if chinese else rng.choice(_WESTERN)
            buyer = b.add("Buyer", {
                "key": f"B-{people:04d}", "name": name, "email": f"buyer{people}@example.com",
            })  # fmt: skip
            b.link("EMPLOYS", subsidiary, buyer)
            for _ in range(rng.randint(0, 4)):
                chats += 1
                chat = b.add("ChatLog", {
                    "key": f"CHAT-{chats + 100:04d}", "at": b.at(rng.uniform(0, 180)),
                    "channel": rng.choice(["WECHAT", "EMAIL", "PHONE"]),
                    "summary": rng.choice(["Asked for a rate review", "问了清关时间",
                                           "Compared our transit times", "要求提供报价"]),
                })  # fmt: skip
                b.link("WROTE", buyer, chat)
                if rng.random() < 0.45:
                    competitor = rng.choice(COMPETITORS)[0]
                    sentiment = rng.choice(["POSITIVE", "NEUTRAL", "NEGATIVE"])
                    b.link("MENTIONS", chat, competitor, sentiment=sentiment)


def generate(customers: int = 420, seed: int = SEED) -> dict[str, Any]:
    """The seed document (see :mod:`graph_crm.services.seed`)."""
    rng = random.Random(seed)
    entity_types, relation_types = _types()
    b = _Builder(rng)
    demo = json.loads(DEMO_SEED.read_text(encoding="utf-8"))
    for type_name, records in demo["entities"].items():
        if type_name != "CustomsBroker":
            for record in records:
                b.add(type_name, dict(record))
    for relation, links in demo["links"].items():
        if relation != "CLEARS_FOR":
            b.links.setdefault(relation, []).extend(links)
    for record in b.entities["Warehouse"]:
        record["country"] = {"RTM-02": "NL", "HAM-01": "DE"}[record["key"]]
    for key, name, city, country, _ in WAREHOUSES[2:]:
        b.add("Warehouse", {"key": key, "name": name, "city": city, "country": country})
    for key, name in COMPETITORS[2:]:
        b.add("Competitor", {"key": key, "name": name})
    story = [c["key"] for c in demo["entities"]["Customer"]]
    accounts, tops = _customers(b, customers)
    _contracts(b, story + tops)
    _shipments(b, story + accounts)
    _complaints(b, story + tops)
    _contacts(b, accounts)
    return {
        "description": (
            "A cross-border logistics CRM as of 2026-11-23 09:00 UTC, generated by "
            "graph_crm/services/crossborder.py (do not edit by hand)."
        ),
        "entityTypes": entity_types,
        "relationTypes": relation_types,
        "entities": b.entities,
        "links": b.links,
    }


def dumps(document: dict[str, Any]) -> str:
    """One record per line: small diffs, stable bytes."""
    lines = ["{", f' "description": {json.dumps(document["description"])},']
    for section in ("entityTypes", "relationTypes"):
        lines.append(f' "{section}": {json.dumps(document[section], ensure_ascii=False)},')
    for section in ("entities", "links"):
        lines.append(f' "{section}": {{')
        groups = list(document[section].items())
        for g, (name, rows) in enumerate(groups):
            lines.append(f'  "{name}": [')
            for r, row in enumerate(rows):
                comma = "," if r < len(rows) - 1 else ""
                lines.append("   " + json.dumps(row, ensure_ascii=False) + comma)
            lines.append("  ]" + ("," if g < len(groups) - 1 else ""))
        lines.append(" }" + ("," if section == "entities" else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> None:
    sys.stdout.write(dumps(generate()))


if __name__ == "__main__":
    main()
