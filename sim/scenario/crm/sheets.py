"""Reading one CSV file of an export into text cells, with the rows a spreadsheet shows.

CRM exports come from web pages and from Excel: UTF-8 with or without a byte-order
mark, or Windows-1252 (Excel's "CSV" on Windows); commas, or semicolons or tabs where
the locale writes decimal commas. Row numbers are those a spreadsheet shows: the
header is row 1, the first opportunity row 2 (a quoted value spanning lines is one row).
"""

from __future__ import annotations

import csv
import io
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ..files import shown, shown_path, size_text
from .table import CrmError

# A CRM export of a million opportunities is a few hundred megabytes; beyond this the
# file is not an export of one company's opportunities.
MAX_EXPORT_BYTES = 1024 * 1024 * 1024
ENCODINGS = ("utf-8-sig", "cp1252")
DELIMITERS = (",", ";", "\t")
HEADER_ROW = 1


@dataclass(frozen=True)
class Sheet:
    """A CSV file's header and data rows, every cell stripped text."""

    path: Path
    header: tuple[str, ...]
    rows: list[list[str]]

    @property
    def where(self) -> str:
        """The file as messages name it."""
        return shown_path(self.path)

    @staticmethod
    def row_number(index: int) -> int:
        """The spreadsheet row of data row `index` (from 0)."""
        return index + HEADER_ROW + 1

    def find(self, names: tuple[str, ...]) -> int | None:
        """The position of the first of `names` in the header (any case), None if none is."""
        folded = [name.casefold() for name in self.header]
        for name in names:
            if name.casefold() in folded:
                return folded.index(name.casefold())
        return None


def read_sheet(path: Path, what: str, rows_needed: bool = True) -> Sheet:
    """The CSV file at `path` (`what` it should be, for messages); a CrmError if it is not
    a readable CSV table with a header and (if `rows_needed`) at least one data row."""
    where = shown_path(path)
    text = _text(path, where, what)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise CrmError(f"{where}: the file is empty; allowed: a CSV {what} with a header row")
    delimiter = max(DELIMITERS, key=lines[0].count)
    try:
        table = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise CrmError(f"{where}: not a CSV table ({exc}); allowed: a CSV {what}") from None
    header = tuple(cell.strip() for cell in table[0])
    rows = []
    for index, cells in enumerate(table[1:]):
        if len(cells) > len(header):
            raise CrmError(
                f"{where}: row {Sheet.row_number(index)} has {len(cells)} values but the header "
                f"has {len(header)} columns; allowed: at most one value per column"
            )
        rows.append([cell.strip() for cell in cells] + [""] * (len(header) - len(cells)))
    if rows_needed and not any(any(cells) for cells in rows):  # blank rows are no data
        raise CrmError(f"{where}: no data rows after the header; allowed: a CSV {what}")
    return Sheet(path, header, rows)


def _text(path: Path, where: str, what: str) -> str:
    """A regular file's text, in the first of ENCODINGS that reads it."""
    try:
        status = os.stat(path)
        if not stat.S_ISREG(status.st_mode):
            raise CrmError(f"{where}: not a regular file; allowed: a CSV {what}")
        if status.st_size > MAX_EXPORT_BYTES:
            raise CrmError(
                f"{where}: the file is {size_text(status.st_size)}; allowed: a CSV {what} of "
                f"at most {size_text(MAX_EXPORT_BYTES)}"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise CrmError(f"{where}: no such file; allowed: a CSV {what}") from None
    except OSError as exc:
        raise CrmError(f"{where}: cannot read it ({exc.strerror or exc})") from None
    problem = None
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            problem = exc
    assert problem is not None
    raise CrmError(
        f"{where}: byte {shown(data[problem.start : problem.start + 1])} at offset "
        f"{problem.start} is neither UTF-8 nor Windows-1252 text; allowed: a CSV {what} in "
        "UTF-8 or Windows-1252"
    )
