"""Display labels (graph_crm/model/display_labels.py): pure."""

from __future__ import annotations

import pytest

from graph_crm.errors import InvalidInput
from graph_crm.model.display_labels import check_label


@pytest.mark.parametrize(
    "label",
    ["", " ", "x" * 101, "x" * 10_000, "a\tb", "a\u2028b", "a\u2066b", "\ufeffa", "a\ue000"],
)
def test_labels_that_hide_or_break_text_are_refused(label: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_label(label, ("properties", 2, "label"))
    assert refused.value.path == ("properties", 2, "label")


def test_labels_are_trimmed_normalized_and_otherwise_kept() -> None:
    assert check_label(" Cafe\u0301 ") == "Caf\u00e9"
    assert check_label("报关行 (Customs)") == "报关行 (Customs)"
    assert check_label("<script>alert(1)</script>") == "<script>alert(1)</script>"
    assert check_label("x" * 100) == "x" * 100
