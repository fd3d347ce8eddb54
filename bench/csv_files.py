"""Large CSV exports made on the fly, for the import's load test and benchmark.

One entity file of ``rows`` customers, about 300 bytes a row (1M rows: ~300 MB): text,
an ISO-ish date-time of the classic export form, a decimal comma, a boolean, a coded
enum, and a few NULLs; plus the types and the mapping that read it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

TYPES: Final[dict[str, Any]] = {
    "entityTypes": [
        {
            "name": "Account",
            "properties": [
                {"name": "name", "kind": "STRING", "required": True},
                {"name": "city", "kind": "STRING"},
                {"name": "opened", "kind": "DATETIME"},
                {"name": "credit", "kind": "FLOAT"},
                {"name": "active", "kind": "BOOLEAN"},
                {"name": "segment", "kind": "ENUM", "values": ["SMB", "MID", "ENTERPRISE"]},
                {"name": "notes", "kind": "STRING"},
            ],
        }
    ]
}
MAPPING: Final = """
entities:
  - file: accounts.csv
    type: Account
    key: AccountID
    columns:
      Name: name
      City: city
      Opened: {property: opened, format: "%Y-%m-%d %H:%M:%S.%f"}
      Credit: {property: credit, decimal: ","}
      Active: active
      Segment: {property: segment, values: {S: SMB, M: MID, E: ENTERPRISE}}
      Notes: notes
"""
CITIES: Final = ("上海", "Hamburg", "Rotterdam", "深圳", "São Paulo", "Chicago", "宁波", "Lyon")
NOTE: Final = "Key account since the merger; quarterly review with procurement and logistics. "


def write_accounts(folder: Path, rows: int) -> Path:
    """The export in ``folder`` (accounts.csv and mapping.yaml); returns the mapping."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "accounts.csv").open("w", encoding="utf-8", newline="") as out:
        out.write("AccountID,Name,City,Opened,Credit,Active,Segment,Notes\n")
        for index in range(rows):
            city = CITIES[index % len(CITIES)]
            opened = f"20{index % 25:02d}-{index % 12 + 1:02d}-{index % 28 + 1:02d} 00:00:00.000"
            credit = "NULL" if index % 17 == 0 else f"{index % 100_000},{index % 100:02d}"
            notes = NOTE * (1 + index % 4)
            out.write(
                f'ACC{index:08d},"Account {index} {city} Trading Co.",{city},{opened},'
                f'"{credit}",{"Y" if index % 3 else "N"},{"SME"[index % 3]},"{notes}"\n'
            )
    mapping = folder / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return mapping
