"""The console's two dictionaries (static/console/i18n/en.js, zh.js) have the same keys,
every text the console's modules ask for exists, and the Chinese one is Chinese."""

from __future__ import annotations

import re

from graph_crm.incidents.version import VersionReason
from graph_crm.web.assets import STATIC_DIR
from tests.web.dictionaries import CONSOLE, dictionary


def test_both_languages_have_the_same_keys() -> None:
    english, chinese = dictionary("en"), dictionary("zh")
    assert len(english) > 30
    assert set(english) == set(chinese)


def test_every_key_the_console_uses_is_in_the_dictionaries() -> None:
    english = dictionary("en")
    sources = [*CONSOLE.glob("*.js"), *CONSOLE.glob("pages/**/*.js")]
    used = {
        key
        for source in sources
        for key in re.findall(r'\bt\("([\w.]+)"', source.read_text(encoding="utf-8"))
    }
    html = (STATIC_DIR / "console.html").read_text(encoding="utf-8")
    used |= set(re.findall(r'data-i18n="([\w.]+)"', html))
    assert used
    assert used <= set(english)
    # keys built from data: a role's and a page's name
    for role in ("analyst", "risk", "config_officer", "integration", "admin"):
        assert f"role.{role}" in english
    for page in ("schema", "explore", "impact", "incidents", "admin"):
        assert f"page.{page}" in english
    # the Incidents page's: a status, a column, a version's reason (as the API words it,
    # each run of non-letters made "_"), and the checklist's who-line
    for status in ("OPEN", "ACKNOWLEDGED", "RESOLVED"):
        assert f"incidents.status.{status}" in english
    for column in ("source", "delay", "status", "owner", "opened", "versions", "affected"):
        assert f"incidents.column.{column}" in english
    for reason in VersionReason:
        assert "incidents.reason." + re.sub("[^a-z]", "_", reason.value) in english
    for key in ("doneBy", "undoneBy", "checked", "unchecked"):
        assert f"incidents.{key}" in english


def test_the_chinese_texts_are_chinese() -> None:
    chinese = dictionary("zh")
    han = re.compile(r"[\u4e00-\u9fff]")
    untranslated = [key for key, text in chinese.items() if not han.search(text)]
    assert untranslated == []
