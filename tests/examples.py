"""How many examples a property test draws (Hypothesis, or a seeded random loop). The
count a test names is its count under the "ci" Hypothesis profile (tests/conftest.py);
another profile scales it by the ratio of its own ``max_examples`` to ci's, so "dev"
draws a quarter of every count (a seeded loop: the first quarter of its cases)."""

from __future__ import annotations

from hypothesis import settings

#: The "ci" profile's max_examples, which the counts tests name are relative to.
CI_EXAMPLES = 100


def examples(in_ci: int) -> int:
    """``in_ci`` scaled to the loaded profile, at least one."""
    loaded = settings.default
    assert loaded is not None  # tests/conftest.py loads a profile before any test module
    return max(1, in_ci * loaded.max_examples // CI_EXAMPLES)
