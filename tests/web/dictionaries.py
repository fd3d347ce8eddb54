"""The console's dictionaries (static/console/i18n/en.js, zh.js) read as the tests need them."""

from __future__ import annotations

import re

from graph_crm.web.assets import STATIC_DIR

CONSOLE = STATIC_DIR / "console"
ENTRY = re.compile(r'^\s*(?:"([\w.]+)"|(\w+)):\s*"(.*)",$', re.M)


def dictionary(name: str) -> dict[str, str]:
    text = (CONSOLE / "i18n" / f"{name}.js").read_text(encoding="utf-8")
    return {quoted or bare: value for quoted, bare, value in ENTRY.findall(text)}
