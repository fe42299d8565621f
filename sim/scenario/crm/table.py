"""The normalised CRM tables every format is read into, and what a reading reports.

One opportunity a row (`OPPORTUNITY_COLUMNS`, in that order) and, when the export has
it, one row per stage an opportunity entered (`STAGE_COLUMNS`). docs/crm-import.md
describes the columns; `opportunity_frame` and `stage_frame` give them their dtypes,
so that a table read from any format, or sampled from the model, looks the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..files import ScenarioError

OPPORTUNITY_COLUMNS = (
    "opportunity_id",
    "created_date",
    "closed_date",
    "outcome",
    "lost_reason",
    "amount",
    "owner",
    "source",
    "partner",
    "contacts",
    "stage",
)
STAGE_COLUMNS = ("opportunity_id", "stage", "entered_date")

_TEXT = ("opportunity_id", "outcome", "lost_reason", "owner", "source", "partner", "stage")
_DATES = ("created_date", "closed_date", "entered_date")
_NUMBERS = ("amount", "contacts")


class CrmError(ScenarioError):
    """A CRM export that cannot be read: one message naming the file, row, column and value.

    A ScenarioError, so the command line shows it as one line with exit code 2.
    """


@dataclass(frozen=True)
class SkippedRow:
    """A row left out of the tables, and why: `row` counts as a spreadsheet does (header 1)."""

    file: str
    row: int
    column: str
    reason: str


@dataclass(frozen=True)
class CrmExport:
    """A CRM export read into the normalised tables, as the CRM showed it on `as_of`."""

    opportunities: pd.DataFrame
    stages: pd.DataFrame | None
    as_of: pd.Timestamp
    format: str
    files: tuple[Path, ...]
    skipped: tuple[SkippedRow, ...] = ()


def opportunity_frame(columns: Mapping[str, Sequence[Any] | pd.Series]) -> pd.DataFrame:
    """The opportunities table from its columns (all of OPPORTUNITY_COLUMNS), in its dtypes."""
    return _frame(columns, OPPORTUNITY_COLUMNS)


def stage_frame(columns: Mapping[str, Sequence[Any] | pd.Series]) -> pd.DataFrame:
    """The stage history table from its columns (all of STAGE_COLUMNS), in its dtypes."""
    return _frame(columns, STAGE_COLUMNS)


def _frame(columns: Mapping[str, Sequence[Any] | pd.Series], names: Sequence[str]) -> pd.DataFrame:
    table = {}
    for name in names:
        values = pd.Series(columns[name]).reset_index(drop=True)
        if name in _DATES:
            table[name] = pd.to_datetime(values).astype("datetime64[ns]").dt.floor("D")
        elif name in _NUMBERS:
            table[name] = values.astype("float64")
        else:
            assert name in _TEXT, name
            table[name] = values.astype(object)
    return pd.DataFrame(table, columns=list(names))
