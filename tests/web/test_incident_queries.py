"""The query the Incidents page's list asks is the one docs/console.md shows (and
tests/docs runs on the demo data): the page and its documentation cannot drift apart."""

from __future__ import annotations

import re

from graph_crm.web.assets import STATIC_DIR
from tests.docs.blocks import doc_block

LIST = STATIC_DIR / "console" / "pages" / "incidents" / "list.js"


def words(text: str) -> list[str]:
    return re.findall(r"[\w$]+|[{}()]", text)


def test_the_incident_lists_query_is_the_one_the_docs_show() -> None:
    query = re.search(r"export const LIST_QUERY = `([^`]+)`;", LIST.read_text(encoding="utf-8"))
    assert query is not None
    assert words(query.group(1)) == words(doc_block("console-incidents-list").text)
