"""Formulas are typed over their entity type's properties: the kind each gives, and each
mistake refused with the formula's path, the character and a message that names it."""

from __future__ import annotations

import pytest

from graph_crm.errors import InvalidInput
from graph_crm.model.formula import FormulaProblem
from graph_crm.model.names import check_property_name
from tests.model.formula_cases import K, line_formula

PATH = ("properties", 3, "formula")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("unitPrice * quantity * (1 - discount)", K.FLOAT),
        ("quantity * 2 + 1", K.INT),
        ("quantity / 2", K.FLOAT),
        ("-quantity", K.INT),
        ("round(unitPrice, 2)", K.FLOAT),
        ("round(quantity)", K.INT),
        ("sku || '-' || status", K.STRING),
        ("concat(sku, status)", K.STRING),
        ("status = 'OPEN' AND NOT gift", K.BOOLEAN),
        ("extra IS NULL", K.BOOLEAN),
        ("if(gift, 0, quantity)", K.INT),
        ("if(gift, 0.5, quantity)", K.FLOAT),
        ("coalesce(discount, 0)", K.FLOAT),
        ("coalesce(NULL, sku)", K.STRING),
        ("CASE WHEN quantity > 10 THEN 'bulk' WHEN quantity > 0 THEN 'some' END", K.STRING),
        ("days_between(shippedOn, $asOf)", K.INT),
        ("add_days(shippedOn, $delayDays)", K.DATE),
        ("add_days({end}, 1)", K.DATETIME),
        ("shippedOn <= $asOf", K.BOOLEAN),
        ("now() > createdAt", K.BOOLEAN),
        ("key || '!'", K.STRING),
        ("quantity = 2.5", K.BOOLEAN),
        ("gift = TRUE", K.BOOLEAN),
        ("NULL + 1", K.INT),
    ],
)
def test_each_formula_gets_its_kind(text: str, kind: K) -> None:
    assert line_formula(text).kind is kind


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("2 * sku", "`sku` is STRING; `*` needs numbers", 4),
        ("sku * quantity", "`sku` is STRING; `*` needs numbers", 0),
        ("quantityy + 1", "OrderLine has no property `quantityy`", 0),
        ("shippedOn - shippedOn", "`shippedOn` is DATE; `-` needs numbers: count days with", 0),
        ("shippedOn + 1", "move a date with add_days(d, n)", 0),
        ("quantity || 'x'", "`quantity` is INT; `||` needs strings", 0),
        ("quantity AND gift", "`quantity` is INT; AND needs BOOLEANs", 0),
        ("NOT sku", "`sku` is STRING; NOT needs a BOOLEAN", 4),
        ("-sku", "`sku` is STRING; `-` needs a number", 1),
        ("sku = 1", "`=` compares STRING with INT", 4),
        ("shippedOn > 'x'", "`>` compares DATE with STRING", 10),
        ("gift < TRUE", "`gift` is BOOLEAN; `<` does not order BOOLEANs", 0),
        ("extra = 1", "`extra` is JSON; a JSON value only takes IS NULL", 0),
        ("if(quantity, 1, 2)", "`quantity` is INT; if's condition needs a BOOLEAN", 3),
        ("if(gift, 1, 'one')", "`'one'` is STRING; the other alternatives are INT", 12),
        ("if(gift, 1)", "if takes 3 argument(s), not 2", 0),
        ("now(1)", "now takes 0 argument(s), not 1", 0),
        ("coalesce()", "coalesce takes 1 to 100 argument(s), not 0", 0),
        ("round(unitPrice, quantity)", "round's digits are a whole number written out", 17),
        ("round(unitPrice, 11)", "round keeps 0 to 10 digits", 17),
        ("round(sku)", "`sku` is STRING; round needs a number", 6),
        ("days_between(quantity, shippedOn)", "days_between needs DATEs or DATETIMEs", 13),
        ("add_days(shippedOn, 1.5)", "add_days needs a whole number of days", 20),
        ("CASE WHEN sku THEN 1 END", "`sku` is STRING; WHEN needs a BOOLEAN", 10),
        ("NULL", "this formula is always NULL", 0),
        ("extra", "a formula cannot give a JSON value", 0),
        ("id + 1", "OrderLine has no property `id`", 0),
    ],
)
def test_type_errors_carry_the_path_the_character_and_name_the_culprit(
    text: str, message: str, position: int
) -> None:
    with pytest.raises(FormulaProblem) as caught:
        line_formula(text)
    assert message in caught.value.message
    assert caught.value.path == PATH
    assert caught.value.position == position


def test_a_formula_knows_what_it_reads_and_which_parameters_it_needs() -> None:
    formula = line_formula("if(shippedOn <= $asOf, unitPrice * quantity, 0)")
    assert formula.references == {"shippedOn", "unitPrice", "quantity"}
    assert formula.parameters == {"asOf"}
    assert line_formula("days_between(shippedOn, now())").parameters == {"now"}
    assert line_formula("quantity + 1").parameters == frozenset()


@pytest.mark.parametrize(
    "name", ["a` = 1 OR `b", "n.name", "x') RETURN 1 //", "drop table", "a-b", "名前", "_hidden"]
)
def test_hostile_names_are_refused_by_the_registry_and_cannot_be_written(name: str) -> None:
    with pytest.raises(InvalidInput):
        check_property_name(name)
    with pytest.raises(FormulaProblem):
        line_formula(name)
