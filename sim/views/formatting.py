"""Numbers as people read them: every view formats percentages, days, dollars and p-values here."""

from __future__ import annotations

import math
from typing import Any

from ..analysis.statistics import CONFIDENCE

MISSING = "n/a"
CI = f"{CONFIDENCE:.0%} CI"  # "95% CI": how every view names a confidence interval
CI_SPELLED_OUT = f"{CONFIDENCE:.0%} confidence interval ({CI.split()[1]})"  # said once, first


MONEY_SUFFIX = {"USD/year": "/yr", "USD": ""}  # how each money unit follows the amount
UNIT_SYMBOLS = {"days": "d", "months": "mo"}


def is_missing(value: Any) -> bool:
    """None or NaN: a figure that could not be computed (null in JSON)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float, digits: int = 1, signed: bool = False, grouped: bool = False) -> str:
    """12.3; with `signed` +12.3; with `grouped` thousands separated by commas (12,345)."""
    if is_missing(value):
        return MISSING
    return f"{value:{'+' if signed else ''}{',' if grouped else ''}.{digits}f}"


def percent(value: float, digits: int = 1, missing: str = MISSING) -> str:
    """A share as a percentage: 0.243 is 24.3%."""
    return missing if is_missing(value) else f"{value:.{digits}%}"


def days(value: float, missing: str = "not reached") -> str:
    """Whole days; `missing` when the figure does not exist (a quantile beyond the horizon)."""
    return missing if is_missing(value) else f"{value:.0f}"


def dollars(value: float, signed: bool = False) -> str:
    """Whole dollars with thousands separated: $12,345, -$120; with `signed` +$12,345 (but $0)."""
    if is_missing(value):
        return MISSING
    sign = "-" if value < 0 else "+" if signed and value else ""
    return f"{sign}${abs(value):,.0f}"


def short_dollars(value: float) -> str:
    """Dollars in three figures: $765k, $1.52M, $12.3M; $950."""
    if is_missing(value):
        return MISSING
    sign, amount = "-" if value < 0 else "", abs(value)
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if amount >= size:
            scaled = amount / size
            digits = 2 if scaled < 10 else 1 if scaled < 100 else 0
            return f"{sign}${scaled:.{digits}f}{suffix}"
    return f"{sign}${amount:,.0f}"


def p_value(value: float) -> str:
    """A p-value to three decimals, or '< 0.001'."""
    if is_missing(value):
        return MISSING
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def in_unit(value: float, unit: str, signed: bool = False, symbol: bool = True) -> str:
    """A metric in its unit (see `sim.analysis.metrics`): 24.3%, 120.6 d, $12,345/yr, $9,000,
    11.2 mo, 1.70x, 1,234.

    With `signed` it is a difference: +1.2 pts for a share, +3.0 d, +$500/yr. Without
    `symbol` the unit is left out, for a table that names it in its header.
    """
    if is_missing(value):
        return MISSING
    if unit == "%":
        text = number(value * 100, 1, signed)
        return text + (" pts" if signed else "%") if symbol else text
    if unit in MONEY_SUFFIX:
        if not symbol:
            return number(value, 0, signed, grouped=True)
        return dollars(value, signed) + MONEY_SUFFIX[unit]
    if unit == "count":
        return number(value, 0, signed, grouped=True)
    if unit == "ratio":
        return number(value, 2, signed) + ("x" if symbol else "")
    return number(value, 1, signed) + (f" {UNIT_SYMBOLS[unit]}" if symbol else "")


def interval(low: float, high: float, unit: str) -> str:
    """An interval's ends in a metric's unit, written once: 20.6 to 23.8%, 70.1 to 76.7 d.

    Money has its dollar sign on both ends and leaves the year to the value beside it:
    $793,494 to $1,027,760.
    """
    if is_missing(low) or is_missing(high):
        return MISSING
    if unit in MONEY_SUFFIX:
        return f"{dollars(low)} to {dollars(high)}"
    return f"{in_unit(low, unit, symbol=False)} to {in_unit(high, unit)}"


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """A count and its noun, agreeing: '1 request', '2 requests', '1,000 simulated runs';
    `nouns` where the plural is not the noun and an s ('2 opportunities')."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"
