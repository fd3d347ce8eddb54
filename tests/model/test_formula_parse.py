"""Formula text parses into one tree, prints back into text that parses into it again, and
bad or hostile text is refused with the character it went wrong at."""

from __future__ import annotations

import pytest

from graph_crm.model.formula import (
    MAX_FORMULA_LENGTH,
    FormulaProblem,
    parse_formula,
    render,
)
from graph_crm.model.formula.nodes import Binary, Call, Case, IsNull, Literal, Param, Ref, Unary

PATH = ("properties", 3, "formula")


def test_precedence_puts_products_before_sums_and_comparisons_before_logic() -> None:
    tree = parse_formula("a + b * c > 2 AND NOT d OR e IS NOT NULL")
    assert tree == Binary(
        "OR",
        Binary(
            "AND",
            Binary(">", Binary("+", Ref("a"), Binary("*", Ref("b"), Ref("c"))), Literal(2)),
            Unary("NOT", Ref("d")),
        ),
        IsNull(Ref("e"), negated=True),
    )


def test_operators_of_one_level_group_to_the_left() -> None:
    assert parse_formula("a - b - c") == Binary("-", Binary("-", Ref("a"), Ref("b")), Ref("c"))
    assert parse_formula("a / b * c") == Binary("*", Binary("/", Ref("a"), Ref("b")), Ref("c"))


def test_literals_parameters_functions_and_case() -> None:
    tree = parse_formula(
        "CASE WHEN x = 'it''s' THEN round(1.5e1, 2) WHEN TRUE THEN -3 ELSE NULL END"
    )
    assert tree == Case(
        (
            (Binary("=", Ref("x"), Literal("it's")), Call("round", (Literal(15.0), Literal(2)))),
            (Literal(True), Literal(-3)),
        ),
        Literal(None),
    )
    assert parse_formula("add_days($asOf, -$delayDays)") == Call(
        "add_days", (Param("asOf"), Unary("-", Param("delayDays")))
    )
    assert parse_formula("IF(a, 1, 2)") == Call("if", (Ref("a"), Literal(1), Literal(2)))
    assert parse_formula("a <> b") == Binary("!=", Ref("a"), Ref("b"))


def test_the_smallest_integer_is_a_literal() -> None:
    assert parse_formula("-9223372036854775808") == Literal(-(2**63))


def test_a_property_named_like_a_keyword_is_written_in_braces() -> None:
    tree = parse_formula("{end} IS NULL")
    assert tree == IsNull(Ref("end"))
    assert render(tree) == "{end} IS NULL"


def test_positions_point_into_the_text() -> None:
    tree = parse_formula("price * (1 - discount)")
    assert isinstance(tree, Binary)
    assert tree.position == 6
    assert isinstance(tree.right, Binary)
    assert tree.right.right.position == 13


@pytest.mark.parametrize(
    "text",
    [
        "unitPrice * quantity * (1 - discount)",
        "orderDate <= $asOf AND (shippedDate IS NULL OR shippedDate > $asOf)",
        "a - (b - c) - -1 - -(2) - - -x",
        "(a = b) = c",
        "NOT (a AND b) OR NOT NOT c",
        "concat(a, 'x') || (b || c)",
        "CASE WHEN a THEN 1 END + coalesce(b, 2.5, 1e-07)",
        "days_between(add_days(d, 3), now()) / 7",
    ],
)
def test_printing_and_parsing_again_gives_the_same_tree(text: str) -> None:
    tree = parse_formula(text)
    printed = render(tree)
    assert parse_formula(printed) == tree
    assert render(parse_formula(printed)) == printed


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("quantity *", "expected a value, found the end of the formula", 10),
        ("(a + b", "expected ')'", 6),
        ("a b", "expected an operator or the end, found 'b'", 2),
        ("a < b < c", "comparisons do not chain", 6),
        ("a IS NOT b", "expected 'NULL', found 'b'", 9),
        ('"OPEN"', "strings are written in single quotes", 0),
        ("'open", "this string is not closed", 0),
        ("`status`", "backticks are not part of formulas", 0),
        ("$today", "unknown parameter '$today'", 0),
        ("eval(a)", "unknown function 'eval'", 0),
        ("Status = 1", "'Status' is not a property name", 0),
        ("snake_case", "'snake_case' is not a property name", 0),
        ("1.", "a decimal point needs digits after it", 0),
        ("12abc", "'12a' is not a number", 0),
        ("a ; DROP TABLE entity", "unexpected character ';'", 2),
        ("a}", "unexpected character '}'", 1),
        ("{a b}", "braces hold a property name", 0),
        ("CASE ELSE 1 END", "CASE needs WHEN", 5),
        ("a\x00", "unexpected character U+0000", 1),
        ("'a\x00'", "a string contains a NUL character", 0),
    ],
)
def test_bad_text_is_refused_with_its_path_and_character(
    text: str, message: str, position: int
) -> None:
    with pytest.raises(FormulaProblem) as caught:
        parse_formula(text, PATH)
    assert message in caught.value.message
    assert caught.value.position == position
    assert caught.value.path == PATH
    assert caught.value.code == "INVALID_INPUT"
    assert f"(character {position + 1})" in caught.value.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("(" * 5_000 + "1" + ")" * 5_000, "formula is at most 4000 characters"),
        ("(" * 100 + "1" + ")" * 100, "nests at most 32 levels"),
        ("-" * 100 + "a", "nests at most 32 levels"),
        ("NOT " * 100 + "a", "nests at most 32 levels"),
        ("f(" * 100, "unknown function"),
        ("coalesce(" * 100 + "1" + ")" * 100, "nests at most 32 levels"),
        ("a+" * 200 + "a", "at most 64 operations deep"),
        ("coalesce(" + ", ".join(["a"] * 600) + ")", "at most 500 parts"),
        ("x" * 100_000, "this one has 100000"),
        ("'" + "''" * 3_000 + "'", "formula is at most 4000 characters"),
    ],
)
def test_hostile_text_gets_a_clear_error_not_a_recursion_error(text: str, message: str) -> None:
    with pytest.raises(FormulaProblem, match=message):
        parse_formula(text, PATH)


def test_the_length_limit_is_checked_before_anything_else() -> None:
    with pytest.raises(FormulaProblem) as caught:
        parse_formula("`" * (MAX_FORMULA_LENGTH + 1))
    assert "at most 4000 characters" in caught.value.message


@pytest.mark.parametrize(
    "text",
    [
        "a}) RETURN n //",
        "n.name",
        "a' OR '1'='1",
        "x -- a comment",
        "a /* c */",
        "`a` = 1",
        "toUpper(a)",
        "a[0]",
        "{a}) DETACH DELETE (n",
        "$asOf; MATCH (n) DELETE n",
    ],
)
def test_cypher_and_sql_fragments_never_parse(text: str) -> None:
    with pytest.raises(FormulaProblem):
        parse_formula(text)


def test_there_are_no_comments_two_minus_signs_are_two_minus_signs() -> None:
    assert parse_formula("x -- y") == Binary("-", Ref("x"), Unary("-", Ref("y")))


def test_a_non_string_is_refused() -> None:
    with pytest.raises(FormulaProblem, match="a formula is a string"):
        parse_formula(3)  # type: ignore[arg-type]
