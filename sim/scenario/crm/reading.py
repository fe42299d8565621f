"""Reading a CRM export (any of FORMATS) into the normalised tables, as of a date.

A row that cannot be read is a CrmError naming the file, row, column, value and what
is allowed, or, with `skip_bad_rows`, a skipped row. Rows that are no opportunity as of
the date (deleted in Pipedrive, created later) are always skipped and reported. Reading
writes nothing.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from ...vocabulary import CrmOutcome
from ..files import shown, shown_path
from .dates import ISO, US, allowed_dates, parse_date
from .formats import FALSE, PIPEDRIVE_STATUSES, TRUE, Format, format_named
from .rules import OutcomeRule
from .sheets import Sheet, read_sheet
from .table import (
    OPPORTUNITY_COLUMNS,
    CrmError,
    CrmExport,
    SkippedRow,
    opportunity_frame,
    stage_frame,
)

# "1234.5", "-3", "1,234,567.89", "2e5": plain numbers, thousands optionally comma-separated.
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d*)(?:\.\d*)?(?:[eE][+-]?\d+)?")
DEFAULT_RULE = OutcomeRule()
NUMBER_ALLOWED = "a number of at least 0 (1234.5 or 1,234.5), or empty"


class _BadCell(Exception):
    """A cell that cannot be read: its column, value, what is wrong and what is allowed."""

    def __init__(self, column: str, value: str, problem: str, allowed: str):
        self.column = column
        self.detail = f"{shown(value)} {problem}; allowed: {allowed}"
        super().__init__(f"column {column}: {self.detail}")


class _Skip(Exception):
    """A row that is no opportunity: reported as skipped, never an error."""

    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.column = column


@dataclass
class _Report:
    """The rows skipped so far, and whether a bad row is skipped or an error."""

    skip_bad_rows: bool
    skipped: list[SkippedRow] = field(default_factory=list)

    def bad(self, sheet: Sheet, index: int, cell: _BadCell) -> None:
        if not self.skip_bad_rows:
            raise CrmError(f"{sheet.where}: row {sheet.row_number(index)}, {cell}")
        self.skip(sheet, index, cell.column, cell.detail)

    def skip(self, sheet: Sheet, index: int, column: str, reason: str) -> None:
        self.skipped.append(SkippedRow(sheet.where, sheet.row_number(index), column, reason))


@dataclass(frozen=True)
class _Cells:
    """One row's cells, looked up by role."""

    cells: list[str]
    positions: Mapping[str, int]
    sheet: Sheet
    chosen: Format

    def __call__(self, role: str) -> str:
        at = self.positions.get(role)
        return "" if at is None else self.cells[at]

    def name(self, role: str) -> str:
        return self.sheet.header[self.positions[role]]

    def date(self, role: str) -> date | None:
        """The role's date; None if empty."""
        text = self(role)
        return _date(self.name(role), text, self.chosen) if text else None

    def number(self, role: str) -> float:
        """The role's number, at least 0; NaN if empty or the format has no such column."""
        text = self(role)
        if not text:
            return math.nan
        value = float(text.replace(",", "")) if _NUMBER.fullmatch(text) else math.nan
        if not math.isfinite(value) or not any(char.isdigit() for char in text):
            raise _BadCell(self.name(role), text, "is not a number", NUMBER_ALLOWED)
        if value < 0:
            raise _BadCell(self.name(role), text, "is negative", NUMBER_ALLOWED)
        return value

    def flag(self, role: str) -> bool:
        text = self(role).casefold()
        if text not in TRUE | FALSE:
            allowed = "true, false, 1, 0, yes, no (empty: false)"
            raise _BadCell(self.name(role), self(role), "is not true or false", allowed)
        return text in TRUE


def _date(column: str, text: str, chosen: Format) -> date:
    try:
        return parse_date(text, chosen.dates)
    except ValueError as exc:
        raise _BadCell(column, text, f"is {exc}", allowed_dates(chosen.dates)) from None


def read_export(
    path: str | Path,
    format: str = "generic",
    stages: str | Path | None = None,
    contacts: str | Path | None = None,
    as_of: str | date | None = None,
    rule: OutcomeRule = DEFAULT_RULE,
    skip_bad_rows: bool = False,
    lost_reason_column: str | None = None,
) -> CrmExport:
    """Read a CRM export: its opportunities (and stage history, if it has one) as the CRM
    showed them on `as_of` (default: the latest date in the export).

    `path` is the opportunities file, or a folder holding the format's files under their
    usual names (`Format.files`). `stages` is a stage history file (generic, or
    Salesforce's OpportunityHistory), `contacts` Salesforce's OpportunityContactRole
    (committee size: contacts per opportunity). `rule` tells the outcome of a lost deal
    from its reason; `lost_reason_column` names the column holding the reason when it is
    not the format's own.
    """
    chosen = format_named(format)
    if lost_reason_column is not None:
        chosen = replace(
            chosen,
            columns={**chosen.columns, "lost_reason": (lost_reason_column,)},
            required=chosen.required | {"lost_reason"},
        )
    main, history_file, contacts_file = _files(Path(path), chosen, stages, contacts)
    report = _Report(skip_bad_rows)
    sheet = read_sheet(main, f"{chosen.name} export")
    rows, history, ids = _opportunities(sheet, chosen, rule, report)
    files = [main]
    if history_file is not None:
        history = _history_file(history_file, chosen, ids, report)
        files.append(history_file)
    if contacts_file is not None:
        counts = _contact_counts(contacts_file, chosen)
        for row in rows:
            row["contacts"] = float(counts.get(row["opportunity_id"], math.nan))
        files.append(contacts_file)
    _some_left(rows, sheet, report)
    cut = _as_of(as_of, rows, history)
    rows, history = _cut(rows, history, cut, chosen, sheet, report)
    _some_left(rows, sheet, report)
    has_history = history_file is not None or bool(chosen.history_prefixes)
    return CrmExport(
        opportunities=opportunity_frame(
            {name: [row[name] for row in rows] for name in OPPORTUNITY_COLUMNS}
        ),
        stages=_history_table(history) if has_history else None,
        as_of=cut,
        format=chosen.name,
        files=tuple(files),
        skipped=tuple(report.skipped),
    )


def _some_left(rows: list[dict[str, Any]], sheet: Sheet, report: _Report) -> None:
    """A CrmError if every row was skipped."""
    if rows:
        return
    first = report.skipped[0] if report.skipped else None
    because = (
        f"; the first: row {first.row}, column {first.column}: {first.reason}" if first else ""
    )
    raise CrmError(
        f"{sheet.where}: every row was skipped ({len(report.skipped)}){because}; "
        "allowed: at least one opportunity"
    )


def _files(
    path: Path, chosen: Format, stages: str | Path | None, contacts: str | Path | None
) -> tuple[Path, Path | None, Path | None]:
    """The opportunities, stage history and contacts files: as given, or in a folder."""
    found = {
        "stages": None if stages is None else Path(stages),
        "contacts": None if contacts is None else Path(contacts),
    }
    if path.is_dir():
        for kind, name in chosen.files.items():
            if kind != "opportunities" and found[kind] is None and (path / name).is_file():
                found[kind] = path / name
        path = path / chosen.files["opportunities"]
    history, people = found["stages"], found["contacts"]
    if history is not None and chosen.history_columns is None:
        where = "hs_date_entered_<stage> columns" if chosen.history_prefixes else "none"
        raise CrmError(
            f"{shown_path(history)}: {chosen.name} exports have no stage history file; "
            f"allowed: {where} (stage history files are for generic and salesforce)"
        )
    if people is not None and chosen.contact_columns is None:
        raise CrmError(
            f"{shown_path(people)}: {chosen.name} exports have no contacts file; allowed: "
            "none (a contacts file, OpportunityContactRole, is for salesforce)"
        )
    return path, history, people


def _positions(
    sheet: Sheet, wanted: Mapping[str, tuple[str, ...]], required: frozenset[str]
) -> dict[str, int]:
    """Each role's column in the sheet; a CrmError naming a required column it lacks."""
    positions = {}
    for role, names in wanted.items():
        at = sheet.find(names)
        if at is not None:
            positions[role] = at
        elif role in required:
            needed = ", ".join(names[0] for role, names in wanted.items() if role in required)
            raise CrmError(
                f"{sheet.where}: no column {' or '.join(map(repr, names))}; allowed: a header "
                f"with the columns {needed} (found: {shown(', '.join(sheet.header), 200)})"
            )
    return positions


# A stage history entry: opportunity id, stage (the CRM's name), date entered.
_Entry = tuple[str, str, date]


def _opportunities(
    sheet: Sheet, chosen: Format, rule: OutcomeRule, report: _Report
) -> tuple[list[dict[str, Any]], list[_Entry], set[str]]:
    """Each readable row's normalised values (and its spreadsheet row, as `row`), the
    stage history its date-entered columns hold, and every id in the file."""
    positions = _positions(sheet, chosen.columns, chosen.required)
    entered = _entered_columns(sheet, chosen)
    rows: list[dict[str, Any]] = []
    history: list[_Entry] = []
    first: dict[str, int] = {}  # id -> its row
    for index, cells in enumerate(sheet.rows):
        if not any(cells):
            continue  # a blank line
        cell = _Cells(cells, positions, sheet, chosen)
        try:
            row = _opportunity(cell, chosen, rule)
            ident = row["opportunity_id"]
            if ident in first:
                raise _BadCell(
                    cell.name("opportunity_id"),
                    ident,
                    f"is row {first[ident]}'s id too",
                    "unique ids",
                )
            entries = [
                (ident, stage, _date(sheet.header[at], cells[at], chosen))
                for stage, at in entered
                if cells[at]
            ]
        except _BadCell as bad:
            report.bad(sheet, index, bad)
            continue
        except _Skip as skip:
            report.skip(sheet, index, skip.column, str(skip))
            continue
        finally:
            if cell("opportunity_id"):
                first.setdefault(cell("opportunity_id"), sheet.row_number(index))
        created_column = cell.name("created_date")
        rows.append(row | {"row": sheet.row_number(index), "created_column": created_column})
        history.extend(entries)
    return rows, history, set(first)


def _entered_columns(sheet: Sheet, chosen: Format) -> list[tuple[str, int]]:
    """(stage, column) of each date-entered-stage column (HubSpot's hs_date_entered_<stage>)."""
    found: dict[str, int] = {}
    for prefix in chosen.history_prefixes:
        for at, name in enumerate(sheet.header):
            if name.casefold().startswith(prefix.casefold()) and len(name) > len(prefix):
                found.setdefault(name[len(prefix) :], at)  # the first prefix's, if both
    return list(found.items())


def _opportunity(cell: _Cells, chosen: Format, rule: OutcomeRule) -> dict[str, Any]:
    """A row's normalised values (a _BadCell for a value that cannot be read)."""
    ident = cell("opportunity_id")
    if not ident:
        raise _BadCell(cell.name("opportunity_id"), ident, "is empty", "an id")
    created = cell.date("created_date")
    if created is None:
        raise _BadCell(cell.name("created_date"), "", "is empty", allowed_dates(chosen.dates))
    outcome, closed_role = OUTCOMES[chosen.outcome](cell, rule)
    closed = None
    if outcome != CrmOutcome.OPEN:
        closed = cell.date(closed_role)
        if closed is None:
            raise _BadCell(
                cell.name(closed_role),
                "",
                "is empty for a closed deal",
                allowed_dates(chosen.dates),
            )
        if closed < created:
            raise _BadCell(
                cell.name(closed_role),
                cell(closed_role),
                f"is before the created date {created} ({cell.name('created_date')})",
                "a date on or after the created date",
            )
    lost = outcome not in (CrmOutcome.WON, CrmOutcome.OPEN)
    return {
        "opportunity_id": ident,
        "created_date": created,
        "closed_date": closed,
        "outcome": outcome.key,
        "lost_reason": cell("lost_reason") if lost else "",
        "amount": cell.number("amount"),
        "owner": cell("owner"),
        "source": cell("source"),
        "partner": cell("partner"),
        "contacts": cell.number("contacts"),
        "stage": cell("stage"),
    }


def _explicit(cell: _Cells, rule: OutcomeRule) -> tuple[CrmOutcome, str]:
    """The generic format: an outcome column, and a closed date for closed deals only."""
    text = cell("outcome")
    key = text.casefold().replace("-", "_").replace(" ", "_")
    outcomes = CrmOutcome.keys()
    if key not in outcomes:
        allowed = ", ".join(outcomes)
        raise _BadCell(cell.name("outcome"), text, "is not an outcome", allowed)
    outcome = CrmOutcome.from_key(key)
    if outcome == CrmOutcome.OPEN and cell("closed_date"):
        column = cell.name("closed_date")
        raise _BadCell(column, cell("closed_date"), "is given for an open deal", "empty")
    return outcome, "closed_date"


def _flags(cell: _Cells, rule: OutcomeRule) -> tuple[CrmOutcome, str]:
    """Salesforce and HubSpot: closed and won flags; the lost reason tells the kind of loss.
    An open deal's close date is the expected one: ignored."""
    if not cell.flag("is_closed"):
        return CrmOutcome.OPEN, "closed_date"
    if cell.flag("is_won"):
        return CrmOutcome.WON, "closed_date"
    return rule.outcome(cell("lost_reason")), "closed_date"


def _status(cell: _Cells, rule: OutcomeRule) -> tuple[CrmOutcome, str]:
    """Pipedrive: a status, and the time it was won or lost (else its close time)."""
    text = cell("status")
    if text.casefold() not in PIPEDRIVE_STATUSES:
        allowed = ", ".join(PIPEDRIVE_STATUSES)
        raise _BadCell(cell.name("status"), text, "is not a status", allowed)
    status = PIPEDRIVE_STATUSES[text.casefold()]
    if status is None:
        raise _Skip(cell.name("status"), f"{shown(text)}: a deleted deal")
    if status == CrmOutcome.OPEN:
        return status, "closed_date"
    when = "won_time" if status == CrmOutcome.WON else "lost_time"
    if not cell(when) and cell("closed_date"):
        when = "closed_date"
    return (status if status == CrmOutcome.WON else rule.outcome(cell("lost_reason"))), when


OUTCOMES: dict[str, Callable[[_Cells, OutcomeRule], tuple[CrmOutcome, str]]] = {
    "explicit": _explicit,
    "flags": _flags,
    "status": _status,
}


def _history_file(path: Path, chosen: Format, ids: set[str], report: _Report) -> list[_Entry]:
    """The entries of a stage history file (one row per change: runs of one stage count once)."""
    assert chosen.history_columns is not None
    sheet = read_sheet(path, "stage history file", rows_needed=False)
    positions = _positions(sheet, chosen.history_columns, frozenset(chosen.history_columns))
    entries = []
    for index, cells in enumerate(sheet.rows):
        if not any(cells):
            continue
        cell = _Cells(cells, positions, sheet, chosen)
        try:
            ident, stage, when = cell("opportunity_id"), cell("stage"), cell.date("entered_date")
            for role, value in (
                ("opportunity_id", ident),
                ("stage", stage),
                ("entered_date", when),
            ):
                if not value:
                    raise _BadCell(cell.name(role), "", "is empty", "a value in every row")
        except _BadCell as bad:
            report.bad(sheet, index, bad)
            continue
        if ident not in ids:
            reason = f"{shown(ident)}: no opportunity with this id in the export"
            report.skip(sheet, index, cell.name("opportunity_id"), reason)
            continue
        assert when is not None
        entries.append((ident, stage, when))
    return entries


def _contact_counts(path: Path, chosen: Format) -> Counter[str]:
    """Contacts per opportunity id in a contact roles file (each contact once)."""
    assert chosen.contact_columns is not None
    sheet = read_sheet(path, "contact roles file", rows_needed=False)
    positions = _positions(sheet, chosen.contact_columns, frozenset(chosen.contact_columns))
    opportunity, contact = positions["opportunity_id"], positions["contact_id"]
    pairs = {(cells[opportunity], cells[contact]) for cells in sheet.rows if cells[opportunity]}
    return Counter(ident for ident, _ in pairs)


def _as_of(
    given: str | date | None, rows: list[dict[str, Any]], history: list[_Entry]
) -> pd.Timestamp:
    """The as-of date: given (ISO or M/D/YYYY), or the latest date in the export."""
    if given is None:
        dates = [row[key] for row in rows for key in ("created_date", "closed_date") if row[key]]
        return pd.Timestamp(max(dates + [when for _, _, when in history]))
    if isinstance(given, date):
        return pd.Timestamp(date(given.year, given.month, given.day))
    try:
        return pd.Timestamp(parse_date(given.strip(), (ISO, US)))
    except ValueError:
        raise CrmError(
            f"as-of date {shown(given)} is not a date; allowed: {allowed_dates((ISO, US))}"
        ) from None


def _cut(
    rows: list[dict[str, Any]],
    history: list[_Entry],
    as_of: pd.Timestamp,
    chosen: Format,
    sheet: Sheet,
    report: _Report,
) -> tuple[list[dict[str, Any]], list[_Entry]]:
    """The export as the CRM showed it on `as_of`: later deals left out (and reported),
    later closes undone, later stage changes dropped."""
    day = as_of.date()
    kept = []
    for row in rows:
        if row["created_date"] > day:
            reason = f"created {row['created_date']}, after the as-of date {day}"
            report.skipped.append(
                SkippedRow(sheet.where, row["row"], row["created_column"], reason)
            )
        else:
            kept.append(row)
    entries: dict[str, list[tuple[str, date]]] = {}
    for ident, stage, when in history:
        entries.setdefault(ident, []).append((stage, when))
    closed_stages = set(chosen.closed_stages.values())
    for row in kept:
        past = sorted(entries.get(row["opportunity_id"], ()), key=lambda entry: entry[1])
        reopened = row["closed_date"] is not None and row["closed_date"] > day
        moved_since = any(when > day for _, when in past)
        if reopened:
            row.update(outcome=CrmOutcome.OPEN.key, closed_date=None, lost_reason="")
        if row["outcome"] == CrmOutcome.OPEN.key and (reopened or moved_since):
            before = [stage for stage, when in past if when <= day]
            if before:
                row["stage"] = before[-1]
            elif past or row["stage"] in closed_stages:
                row["stage"] = ""  # where it was then is unknown
    ids = {row["opportunity_id"] for row in kept}
    return kept, [entry for entry in history if entry[0] in ids and entry[2] <= day]


def _history_table(history: list[_Entry]) -> pd.DataFrame:
    """The stage history, by opportunity and date; a stage entered again straight after
    itself (a row for another change, such as the amount) counts once."""
    table = stage_frame(
        {
            "opportunity_id": [ident for ident, _, _ in history],
            "stage": [stage for _, stage, _ in history],
            "entered_date": [when for _, _, when in history],
        }
    ).sort_values(["opportunity_id", "entered_date"], kind="stable")
    ident, stage = table["opportunity_id"], table["stage"]
    repeated = (ident == ident.shift()) & (stage == stage.shift())
    return table[~repeated].reset_index(drop=True)
