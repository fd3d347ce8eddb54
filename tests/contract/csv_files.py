"""Small CSV exports as other systems write them, and the types and mapping they load into
(the classic orders/customers/suppliers shape): shared by the CSV import tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from graph_crm.services.csv_import import ImportMapping, Options, import_csv, parse_mapping
from graph_crm.services.csv_import.report import ImportReport
from graph_crm.services.schema_document import apply_document
from graph_crm.store.base import GraphStore

TYPES: Final[dict[str, Any]] = {
    "entityTypes": [
        {
            "name": "Client",
            "labelProperty": "name",
            "properties": [
                {"name": "name", "kind": "STRING", "required": True},
                {"name": "email", "kind": "STRING", "unique": True},
                {"name": "country", "kind": "STRING"},
                {"name": "since", "kind": "DATE"},
                {"name": "vip", "kind": "BOOLEAN"},
                {"name": "tier", "kind": "ENUM", "values": ["STRATEGIC", "KEY", "STANDARD"]},
            ],
        },
        {
            "name": "Purchase",
            "properties": [
                {"name": "placed", "kind": "DATETIME"},
                {"name": "freight", "kind": "FLOAT"},
            ],
        },
        {"name": "Supplier", "properties": [{"name": "name", "kind": "STRING"}]},
    ],
    "relationTypes": [
        {"name": "PLACED", "from": "Client", "to": "Purchase"},
        {
            "name": "SUPPLIES",
            "from": "Supplier",
            "to": "Purchase",
            "properties": [{"name": "lines", "kind": "INT"}],
        },
    ],
}

CLIENTS: Final = (
    "CustomerID,CompanyName,Email,Country,Since,VIP,Tier\n"
    "ALFKI,Alfreds Futterkiste,alfki@example.com,Germany,1996-07-04 00:00:00.000,Y,A\n"
    "ANATR, Ana Trujillo ,NULL,Mexico,NULL,N,B\n"
    "SHACM,上海艾克米贸易,acme@example.cn,中国,04/07/1996,Y,A\n"
)
#: semicolons and decimal commas, as a German Excel writes them
PURCHASES: Final = (
    "OrderID;CustomerID;OrderDate;Freight\n"
    "10248;ALFKI;1996-07-04 00:00:00.000;32,38\n"
    "10249;ANATR;1996-07-05 00:00:00.000;11,61\n"
    "10250;SHACM;1996-07-08 09:30:00.000;N/A\n"
)
SUPPLIERS: Final = "SupplierID\tCompanyName\nS1\tExotic Liquids\nS2\t上海供应\n"
SUPPLIES: Final = "SupplierID,OrderID,Lines\nS1,10248,3\nS2,10250,1\n"

MAPPING: Final = """
entities:
  - file: clients.csv
    type: Client
    key: CustomerID
    columns:
      CompanyName: name
      Email: email
      Country: country
      Since: {property: since, format: ["%Y-%m-%d %H:%M:%S.%f", "%d/%m/%Y"]}
      VIP: vip
      Tier: {property: tier, values: {A: STRATEGIC, B: KEY}}
  - file: purchases.csv
    type: Purchase
    key: OrderID
    columns:
      OrderDate: {property: placed, format: "%Y-%m-%d %H:%M:%S.%f"}
      Freight: {property: freight, decimal: ","}
    links:
      - {relation: PLACED, from: CustomerID}
  - file: suppliers.tsv
    type: Supplier
    key: SupplierID
    columns: {CompanyName: name}
relations:
  - file: supplies.csv
    relation: SUPPLIES
    from: SupplierID
    to: OrderID
    columns: {Lines: lines}
"""


def write_export(
    folder: Path, texts: dict[str, str] | None = None, *, encodings: dict[str, str] | None = None
) -> ImportMapping:
    """The export's files in ``folder`` (``texts`` replace a file's text by its stem,
    ``encodings`` its encoding); the mapping that reads them."""
    files = {
        "clients.csv": CLIENTS,
        "purchases.csv": PURCHASES,
        "suppliers.tsv": SUPPLIERS,
        "supplies.csv": SUPPLIES,
    }
    for name, text in files.items():
        text = (texts or {}).get(name.split(".")[0], text)
        encoding = (encodings or {}).get(name.split(".")[0], "utf-8")
        (folder / name).write_bytes(text.encode(encoding))
    return parse_mapping(MAPPING, base=folder)


async def define_types(store: GraphStore) -> None:
    plan = await apply_document(store, TYPES, actor="tests")
    assert plan.refusals == []


async def run_import(
    store: GraphStore, mapping: ImportMapping, folder: Path, **options: Any
) -> ImportReport:
    return await import_csv(
        store, mapping, Options(rejects=folder / "rejects.csv", batch=2, **options)
    )
