"""The query the Schema page asks when it opens is the one docs/console.md shows (and
tests/docs runs on the demo data): the page and its documentation cannot drift apart."""

from __future__ import annotations

import re

from graph_crm.web.assets import STATIC_DIR
from tests.docs.blocks import doc_block

PAGE = STATIC_DIR / "console" / "pages" / "schema.js"


def page_query() -> str:
    source = PAGE.read_text(encoding="utf-8")
    fields = re.search(r'const PROPERTY = "([^"]+)";', source)
    query = re.search(r"export const SCHEMA_QUERY = `([^`]+)`;", source)
    assert fields is not None
    assert query is not None
    return query.group(1).replace("${PROPERTY}", fields.group(1))


def test_the_schema_pages_query_is_the_one_the_docs_show() -> None:
    def words(text: str) -> list[str]:
        return re.findall(r"[\w$]+|[{}()]", text)

    assert "viewer { permissions }" in page_query()
    assert words(page_query()) == words(doc_block("console-schema").text)
