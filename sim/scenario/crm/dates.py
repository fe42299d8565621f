"""The date styles CRM exports write, each parsed to the calendar date it names.

A date is a day: any time of day is dropped, and so is a time zone offset (the date
is the one written, not the date in UTC); epoch milliseconds, which carry no offset,
are read as UTC.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

# Dates outside these years are typing mistakes in a sales export (and pandas' date
# type ends in 2262).
FIRST_YEAR, LAST_YEAR = 1900, 2199


@dataclass(frozen=True)
class DateStyle:
    """A way of writing dates: its name and an example (for messages and the docs)."""

    name: str
    example: str
    parse: Callable[[str], date | None]  # None: not written in this style


def _iso(text: str) -> date | None:
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None


_US = re.compile(
    r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?"
)


def _us(text: str) -> date | None:
    """M/D/YYYY, optionally with a time (Salesforce report exports in a US locale)."""
    found = _US.fullmatch(text)
    if found is None:
        return None
    month, day, year = (int(part) for part in found.group(1, 2, 3))
    hour = found.group(4)
    if hour is not None and not 0 <= int(hour) <= (12 if found.group(7) else 23):
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


_EPOCH_MS = re.compile(r"-?\d{11,13}")


def _epoch_ms(text: str) -> date | None:
    """Milliseconds since 1970-01-01 UTC, as HubSpot's API writes datetimes."""
    if _EPOCH_MS.fullmatch(text) is None:
        return None
    try:
        return datetime.fromtimestamp(int(text) / 1000, tz=UTC).date()
    except (OverflowError, OSError, ValueError):  # beyond the platform's clock
        return None


ISO = DateStyle("ISO 8601", "2024-03-15, 2024-03-15T10:00:00.000+0000", _iso)
US = DateStyle("M/D/YYYY", "3/15/2024, 3/15/2024 10:00 AM", _us)
EPOCH_MS = DateStyle("epoch milliseconds", "1710496800000", _epoch_ms)


def parse_date(text: str, styles: tuple[DateStyle, ...]) -> date:
    """The date `text` names in the first of `styles` that reads it; ValueError if none does
    (or it lies outside FIRST_YEAR to LAST_YEAR)."""
    for style in styles:
        found = style.parse(text)
        if found is not None:
            if not FIRST_YEAR <= found.year <= LAST_YEAR:
                raise ValueError(f"a date in {found.year}, outside {FIRST_YEAR}-{LAST_YEAR}")
            return found
    raise ValueError("not a date")


def allowed_dates(styles: tuple[DateStyle, ...]) -> str:
    """'ISO 8601 (2024-03-15, ...) or M/D/YYYY (3/15/2024, ...)': what a message allows."""
    return " or ".join(f"{style.name} ({style.example})" for style in styles)
