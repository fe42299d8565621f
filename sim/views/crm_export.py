"""Writing the normalised CRM tables as a CRM would export them: the inverse of reading.

Each format's files, columns and stage names come from its `Format` record
(sim.scenario.crm.formats), so that `read_export` reads back what is written: the same
ids, dates, outcomes, amounts, owners, contacts and stages. Vendor formats have no
no-decision or disqualified outcome: those deals are written as lost, and read back as
what their lost reason says (as from the CRM itself). What a format has no column for
(a partner, outside the generic format; stage history, in Pipedrive's) is not written.
A model stage key is written as the format's name for that stage, other stage names
as they are; a closed deal sits in the format's closed stage, if it has those
(Salesforce "Closed Won", HubSpot "closedlost").
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..analysis.crm_sample import CrmSample
from ..analysis.results_folder import write_atomic
from ..scenario.crm import OPPORTUNITY_COLUMNS, CrmError, Format, format_named
from ..scenario.files import shown_path
from ..vocabulary import CrmOutcome, Stage

# Salesforce needs a close date on every opportunity: an open one's is its expected
# close (readers ignore it), written as the created date plus this many days.
EXPECTED_CLOSE_DAYS = 90
# Salesforce contact roles: the first contact on a deal decides, the others influence.
FIRST_CONTACT_ROLE, OTHER_CONTACT_ROLE = "Decision Maker", "Influencer"

Cells = dict[str, str]  # role -> the text written
DateText = Callable[[pd.Timestamp], str]


def _day(when: pd.Timestamp) -> str:
    return when.strftime("%Y-%m-%d")


def _epoch_ms(when: pd.Timestamp) -> str:
    return str((when - pd.Timestamp("1970-01-01")) // pd.Timedelta(milliseconds=1))


def _pipedrive_time(when: pd.Timestamp) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class Shape:
    """How a format writes its dates (created, closed, stage entered)."""

    created: DateText
    closed: DateText
    entered: DateText
    expected_close: bool = False  # open deals carry an expected close date


SHAPES = {
    "generic": Shape(_day, _day, _day),
    # Data Loader's datetimes, and the date-only CloseDate.
    "salesforce": Shape(
        lambda when: when.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        _day,
        lambda when: when.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        expected_close=True,
    ),
    # The API's ISO datetimes; date-entered properties as epoch milliseconds.
    "hubspot": Shape(
        lambda when: when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        lambda when: when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        _epoch_ms,
    ),
    "pipedrive": Shape(_pipedrive_time, _pipedrive_time, _pipedrive_time),
}


def write_export(
    opportunities: pd.DataFrame,
    stages: pd.DataFrame | None,
    format: str,
    folder: str | Path,
    force: bool = False,
) -> list[Path]:
    """Write the tables as `format`'s own files (`Format.files`) in `folder`; their paths.

    A file of the format already in the folder is an error unless `force`: then the
    format's files are replaced, and those this export has nothing for are removed.
    Every file is made before any is written, and each is written whole or not at all.
    """
    chosen = format_named(format)
    folder = Path(folder)
    present = [folder / name for name in chosen.files.values() if (folder / name).exists()]
    if present and not force:
        raise CrmError(
            f"{shown_path(present[0])} exists; allowed: a folder without {chosen.name} export "
            "files (or force, to replace them)"
        )
    tables = _tables(chosen, opportunities, stages)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, table in tables.items():
        path = folder / chosen.files[kind]
        write_atomic(path, _csv(table))
        written.append(path)
    for path in present:
        if path not in written:
            path.unlink()
    return written


def _tables(
    chosen: Format, opportunities: pd.DataFrame, stages: pd.DataFrame | None
) -> dict[str, list[list[str]]]:
    """The files' rows, header first, by kind of file ("opportunities", "stages", "contacts")."""
    shape = SHAPES[chosen.name]
    rows = opportunities[list(OPPORTUNITY_COLUMNS)].to_dict("records")
    records = [_cells(chosen, shape, row) for row in rows]
    roles = [role for role in chosen.columns if role in records[0]] if records else []
    header = [chosen.columns[role][0] for role in roles]
    body = [[record[role] for role in roles] for record in records]
    tables = {}
    if stages is not None and chosen.history_prefixes:
        _add_entered_columns(chosen, shape, stages, rows, header, body)
    tables["opportunities"] = [header, *body]
    if stages is not None and chosen.history_columns is not None:
        tables["stages"] = [
            [names[0] for names in chosen.history_columns.values()],
            *(
                [ident, _stage(chosen, stage), shape.entered(when)]
                for ident, stage, when in stages[
                    ["opportunity_id", "stage", "entered_date"]
                ].itertuples(index=False)
            ),
        ]
    if chosen.contact_columns is not None:
        contacts = _contact_rows(rows)
        if contacts:
            names = [names[0] for names in chosen.contact_columns.values()]
            tables["contacts"] = [[*names, "Role"], *contacts]
    return tables


def _cells(chosen: Format, shape: Shape, row: dict[str, Any]) -> Cells:
    """One opportunity's cells by role (those the format has no column for are dropped)."""
    outcome = CrmOutcome.from_key(row["outcome"])
    closed = "" if outcome == CrmOutcome.OPEN else shape.closed(row["closed_date"])
    if outcome == CrmOutcome.OPEN and shape.expected_close:
        closed = shape.closed(row["created_date"] + pd.Timedelta(days=EXPECTED_CLOSE_DAYS))
    cells = {
        "opportunity_id": str(row["opportunity_id"]),
        "created_date": shape.created(row["created_date"]),
        "closed_date": closed,
        "lost_reason": str(row["lost_reason"]),
        "amount": _number(row["amount"]),
        "owner": str(row["owner"]),
        "source": str(row["source"]),
        "partner": str(row["partner"]),
        "contacts": _number(row["contacts"]),
        "stage": _current_stage(chosen, outcome, str(row["stage"])),
    }
    cells |= OUTCOME_CELLS[chosen.outcome](outcome, closed)
    return {role: text for role, text in cells.items() if role in chosen.columns}


def _explicit(outcome: CrmOutcome, closed: str) -> Cells:
    return {"outcome": outcome.key}


def _flags(outcome: CrmOutcome, closed: str) -> Cells:
    return {
        "is_closed": str(outcome != CrmOutcome.OPEN).lower(),
        "is_won": str(outcome == CrmOutcome.WON).lower(),
    }


def _status(outcome: CrmOutcome, closed: str) -> Cells:
    status = outcome.key if outcome in (CrmOutcome.OPEN, CrmOutcome.WON) else "lost"
    return {
        "status": status,
        "won_time": closed if status == "won" else "",
        "lost_time": closed if status == "lost" else "",
    }


# The cells that say how a deal ended, by how the format gives outcomes.
OUTCOME_CELLS: dict[str, Callable[[CrmOutcome, str], Cells]] = {
    "explicit": _explicit,
    "flags": _flags,
    "status": _status,
}


def _number(value: float) -> str:
    """'' for NaN, '1200' for a whole number, else the shortest text that reads back exactly."""
    if math.isnan(value):
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _stage(chosen: Format, name: str) -> str:
    """The CRM's name for a stage: the format's own for a model stage key."""
    keys = Stage.keys()
    return chosen.stage_name(Stage.from_key(name)) if name in keys else name


def _current_stage(chosen: Format, outcome: CrmOutcome, stage: str) -> str:
    """Where a deal sits: a closed one in the format's closed stage, if it has those."""
    if outcome == CrmOutcome.OPEN or not chosen.closed_stages:
        return _stage(chosen, stage)
    won = outcome == CrmOutcome.WON
    return chosen.closed_stages[CrmOutcome.WON if won else CrmOutcome.LOST]


def _add_entered_columns(
    chosen: Format,
    shape: Shape,
    history: pd.DataFrame,
    rows: list[dict[str, Any]],
    header: list[str],
    body: list[list[str]],
) -> None:
    """HubSpot's date-entered columns, one per stage: a stage entered twice keeps its
    later date, as in HubSpot."""
    entered: dict[str, dict[str, str]] = {}  # stage -> opportunity -> date
    for ident, stage, when in history[["opportunity_id", "stage", "entered_date"]].itertuples(
        index=False
    ):
        entered.setdefault(_stage(chosen, stage), {})[ident] = shape.entered(when)
    header.extend(f"{chosen.history_prefixes[0]}{stage}" for stage in entered)
    for row, cells in zip(rows, body, strict=True):
        cells.extend(dates.get(row["opportunity_id"], "") for dates in entered.values())


def _contact_rows(rows: list[dict[str, Any]]) -> list[list[str]]:
    """A row per contact on each opportunity: (opportunity, contact, role)."""
    found = []
    for row in rows:
        count = 0 if math.isnan(row["contacts"]) else round(row["contacts"])
        ident = str(row["opportunity_id"])
        for number in range(count):
            role = FIRST_CONTACT_ROLE if number == 0 else OTHER_CONTACT_ROLE
            found.append([ident, f"{ident}-contact-{number + 1}", role])
    return found


def _csv(table: list[list[str]]) -> str:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(table)
    return text.getvalue()


FUTURE_FILE, TRUTH_FILE = "future.csv", "truth.json"


def write_sample(
    sample: CrmSample, formats: Sequence[str], folder: str | Path, force: bool = False
) -> list[Path]:
    """A synthetic export in each of `formats` (in a folder per format when there are
    several), its known future (future.csv) and what made it (truth.json); the paths.

    Nothing is written if any file is there already, unless `force`.
    """
    folder = Path(folder)
    chosen = [format_named(name) for name in formats]  # an unknown one fails before writing
    places = {each.name: folder / each.name if len(chosen) > 1 else folder for each in chosen}
    if not force:
        files = [places[each.name] / name for each in chosen for name in each.files.values()]
        present = [
            path for path in [*files, folder / FUTURE_FILE, folder / TRUTH_FILE] if path.exists()
        ]
        if present:
            raise CrmError(f"{shown_path(present[0])} exists; allowed: a new folder (or force)")
    written = []
    for name, place in places.items():
        written += write_export(sample.opportunities, sample.stages, name, place, force=True)
    folder.mkdir(parents=True, exist_ok=True)
    if sample.future is not None:
        future = sample.future.assign(
            created_date=sample.future["created_date"].dt.strftime("%Y-%m-%d"),
            closed_date=sample.future["closed_date"].dt.strftime("%Y-%m-%d").fillna(""),
            amount=[_number(value) for value in sample.future["amount"]],
        )
        write_atomic(folder / FUTURE_FILE, future.to_csv(index=False, lineterminator="\n"))
        written.append(folder / FUTURE_FILE)
    else:
        (folder / FUTURE_FILE).unlink(missing_ok=True)  # an older export's future is not this one's
    truth = json.dumps(sample.truth, indent=2, sort_keys=True) + "\n"
    write_atomic(folder / TRUTH_FILE, truth)
    return [*written, folder / TRUTH_FILE]
