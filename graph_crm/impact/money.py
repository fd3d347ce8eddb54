"""Amounts and numbers as reports write them (pure): short, with the policy's currency."""

from __future__ import annotations

from typing import Any


def money(value: float, currency: str | None = None) -> str:
    """412,300 -> '412k'; 1,250,000 -> '1.25M'; 2,500 -> '2.5k'; 950 -> '950'; with a
    currency it comes first. Without one, none is made up.

    >>> money(412_300), money(1_250_000, "CNY"), money(2_500, "EUR"), money(950)
    ('412k', 'CNY 1.25M', 'EUR 2.5k', '950')
    """
    if abs(value) >= 1e6:
        shown = f"{value / 1e6:.2f}M"
    elif abs(value) >= 1e4:
        shown = f"{value / 1e3:.0f}k"
    elif abs(value) >= 1e3:
        shown = f"{value / 1e3:.1f}k"
    else:
        shown = f"{value:.0f}"
    return f"{currency} {shown}" if currency else shown


def number(value: Any) -> str:
    """A value as an explanation shows it: whole numbers bare, others to one decimal.

    >>> number(6), number(2.44), number(-0.04), number("x")
    ('6', '2.4', '0.0', 'x')
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    shown = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return shown.removeprefix("-") if float(shown) == 0 else shown  # never "-0" or "-0.0"
