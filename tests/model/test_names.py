"""Whatever text arrives, only strictly safe identifiers get through."""

from __future__ import annotations

import re
from collections.abc import Callable

from hypothesis import given
from hypothesis import strategies as st

from graph_crm.errors import GraphCrmError
from graph_crm.model.names import (
    check_entity_type_name,
    check_enum_value,
    check_property_name,
    check_relation_type_name,
)
from graph_crm.store.neo4j import queries

SAFE = re.compile(r"[A-Za-z0-9_]{1,64}")
NAMES = st.one_of(
    st.text(max_size=80),
    st.from_regex(r"[A-Za-z][A-Za-z0-9_`'\"{}(); /-]{0,70}", fullmatch=True),
    st.sampled_from(["Customer`) DETACH DELETE n //", "A\nB", "Ａbc", "a\u0301", "Customer\x00"]),
)


def _outcome(check: Callable[[object], str], name: str) -> str:
    """The accepted name, or the code of the refusal."""
    try:
        return check(name)
    except GraphCrmError as error:
        return f"refused:{error.code}"


@given(NAMES)
def test_checked_names_are_plain_ascii(name: str) -> None:
    for check in (
        check_entity_type_name,
        check_relation_type_name,
        check_property_name,
        check_enum_value,
    ):
        outcome = _outcome(check, name)
        if outcome.startswith("refused:"):
            assert outcome in ("refused:INVALID_NAME", "refused:RESERVED_NAME")
        else:
            assert outcome == name
            assert SAFE.fullmatch(outcome)


@given(NAMES)
def test_cypher_quoting_refuses_what_the_patterns_refuse(name: str) -> None:
    for quote, check in (
        (queries.label, check_entity_type_name),
        (queries.rel_type, check_relation_type_name),
        (queries.prop, check_property_name),
    ):
        try:
            quoted = quote(name)
        except ValueError:
            continue
        assert quoted == f"`{name}`"
        assert SAFE.fullmatch(name)
        # pattern-valid but reserved names are still safe text, refused one level up
        assert _outcome(check, name) in (name, "refused:RESERVED_NAME")
