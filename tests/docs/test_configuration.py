"""docs/configuration.md lists every setting (graph_crm/settings.py) with its default."""

from __future__ import annotations

import re

from pydantic import SecretStr

from graph_crm.settings import Settings
from tests.docs.blocks import REPO


def documented_defaults() -> dict[str, str]:
    """Variable -> the default its row in the settings table gives."""
    page = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    table = page.split("## Settings", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\| `(GRAPH_CRM_[A-Z0-9_]+)` \| ([^|]+?) \|", table, flags=re.M))


def shown(value: object) -> str:
    """A default as the table writes it: `2` for 2.0, `false`, (empty)."""
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if value == "":
        return "(empty)"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"`{value}`"


def test_every_setting_is_documented_with_its_default() -> None:
    defaults = Settings()
    expected = {
        f"GRAPH_CRM_{name.upper()}": shown(getattr(defaults, name))
        for name in Settings.model_fields
    }
    assert documented_defaults() == expected
