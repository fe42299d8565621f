"""The parameter reference: allowed values and the table in docs/model.md, read from the schema."""

from __future__ import annotations

import json
import math
import re
import textwrap
import types
from collections import Counter
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .schema import ASSUMPTION, FITTED, LISTS, NO_SOURCE, SECTIONS, SEED, WARMUP_EVIDENCE


def allowed_values(field: FieldInfo) -> str:
    """'number from 0 to 1' and the like, read from the field's type and constraints.

    A field that may be left out (`X | None`, None meaning "not given") is described by X;
    one declared with words of its own (`param(..., allowed=...)`) by those.
    """
    extra = field.json_schema_extra
    words = extra.get("allowed") if isinstance(extra, dict) else None
    if isinstance(words, str):
        return words
    kind, constraints = _kind_and_constraints(field)
    if get_origin(kind) is Literal:
        return ", ".join(map(str, get_args(kind)))
    if kind is bool:
        return "true or false"
    noun = {int: "integer", float: "number", str: "text"}[kind]
    bounds = {type(c).__name__: c for c in constraints}
    if "MinLen" in bounds:
        return "non-empty " + noun
    lower = next(
        (
            f"{op} {_bound(getattr(bounds[name], attr), kind)}"
            for name, attr, op in (("Ge", "ge", "≥"), ("Gt", "gt", ">"))
            if name in bounds
        ),
        None,
    )
    upper = f"≤ {_bound(bounds['Le'].le, kind)}" if "Le" in bounds else None
    parts = [p for p in (lower, upper) if p]
    unbounded = ", or inf" if noun == "number" and upper is None else ""
    return noun + (" " + " and ".join(parts) if parts else "") + unbounded


def _kind_and_constraints(field: FieldInfo) -> tuple[Any, list[Any]]:
    """The field's type without `| None`, and its constraints, also those inside `Annotated`."""
    kind, constraints = field.annotation, list(field.metadata)
    if get_origin(kind) in (Union, types.UnionType):
        (kind,) = (arg for arg in get_args(kind) if arg is not type(None))
    if get_origin(kind) is Annotated:
        kind, *extra = get_args(kind)
        constraints += [c for info in extra for c in getattr(info, "metadata", [info])]
    return kind, constraints


def _bound(value: float, kind: Any) -> str:
    """A limit as written in the message: integers in full (a seed's 2**63 - 1), numbers short."""
    return str(value) if kind is int and isinstance(value, int) else f"{value:g}"


def parameter_rows() -> list[dict[str, str]]:
    """One row per parameter for the reference table in docs/model.md."""
    tables = [*SECTIONS.items(), *((f"{name}[]", model) for name, model in LISTS.items())]
    return [row for section, model in tables for row in table_rows(section, model)]


def table_rows(section: str, model: type[BaseModel]) -> list[dict[str, str]]:
    """One reference row per key of a table declared with `param(...)`: a section, or [sweep]."""
    rows = []
    for key, field in model.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        rows.append(
            {
                "key": f"{section}.{key}",
                "meaning": field.description or "",
                "unit": str(extra.get("unit", "")),
                "default": _default(field),
                "allowed": allowed_values(field),
                "source": str(extra.get("source", "")),
            }
        )
    return rows


def _default(field: FieldInfo) -> str:
    """The default as written in a file: 'required' if there is none, '-' for "not given"."""
    default = field.default
    if field.is_required():
        return "required"
    if default is None:
        return "-"
    if isinstance(default, bool):
        return str(default).lower()
    return f"{default:g}" if isinstance(default, (int, float)) else repr(default)


COLUMNS = {  # reference-table heading -> row key
    "key": "key",
    "meaning": "meaning",
    "unit": "unit",
    "default": "default",
    "allowed": "allowed",
    "source of default": "source",
}


def markdown_table(rows: list[dict[str, str]], headings: tuple[str, ...] = tuple(COLUMNS)) -> str:
    """Reference rows as a Markdown table with the given columns (keys in backticks)."""
    lines = ["| " + " | ".join(headings) + " |", "|" + "---|" * len(headings)]
    for row in rows:
        cells = [row[COLUMNS[heading]] for heading in headings]
        cells[0] = f"`{cells[0]}`"
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def parameter_table() -> str:
    """The Markdown parameter table of docs/model.md, generated from the schema."""
    return markdown_table(parameter_rows())


# Kinds of source of a default, in the order docs/model.md lists them.
PUBLISHED = "published"
SEED_ESSAY = "seed essay"
CALIBRATED = "fitted"
ASSUMED = "assumption"
NOT_A_CHOICE = "not a modelling choice"
SUBSTANTIVE = (PUBLISHED, SEED_ESSAY, CALIBRATED, ASSUMED)  # the kinds the shares count
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")  # a publication is cited with its year


def source_kind(source: str) -> str:
    """How a default is justified, read from the schema.py constant its source starts with.

    Anything else must cite a publication with its year; a source that does neither is
    refused, so a typo cannot pass for a publication.
    """
    # Run length and warm-up come from the warm-up study of the model's own output: they
    # set how the model is measured, not how buyers and sellers behave.
    if source == NO_SOURCE or source.startswith(WARMUP_EVIDENCE):
        return NOT_A_CHOICE
    if FITTED in source:
        return CALIBRATED
    if source.startswith(ASSUMPTION):
        return ASSUMED
    if source.startswith(SEED):
        return SEED_ESSAY
    if _YEAR.search(source):
        return PUBLISHED
    raise ValueError(
        f"source {source!r} is of no known kind: start it with a source constant of "
        "sim/scenario/schema.py or cite a publication with its year"
    )


def source_kind_counts() -> dict[str, int]:
    """How many parameters' defaults are of each kind of source, every kind listed."""
    counts = Counter(source_kind(row["source"]) for row in parameter_rows())
    return {kind: counts[kind] for kind in (*SUBSTANTIVE, NOT_A_CHOICE)}


def source_kind_table() -> str:
    """The table of docs/model.md that counts the substantive defaults by kind of source."""
    counts = source_kind_counts()
    total = sum(counts[kind] for kind in SUBSTANTIVE)
    lines = ["| source of default | parameters | share |", "|---|---|---|"]
    lines += [f"| {kind} | {counts[kind]} | {counts[kind] / total:.0%} |" for kind in SUBSTANTIVE]
    lines.append(f"| all substantive defaults | {total} | 100% |")
    assumed = counts[ASSUMED]
    return "\n".join(lines) + (
        f"\n\n**Pure assumptions: {assumed} of {total} substantive defaults "
        f"({assumed / total:.0%})**, each with its reason in the table below. A seed essay "
        "describes the behaviour a parameter stands for; its number is seldom in the essay. "
        f"Not counted: {counts[NOT_A_CHOICE]} keys that are not modelling choices (names, "
        "descriptions, paths; the run length and warm-up, set by the warm-up study)."
    )


def toml_value(value: Any) -> str:
    """A value as TOML text, as an override reads it."""
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ("inf" if value > 0 else "-inf")
    return json.dumps(value)  # integers, booleans and strings are written alike in JSON and TOML


def starting_file(name: str) -> str:
    """A scenario file to start from: every key commented out at its default, with its meaning.

    As written it is the default scenario named `name`; removing a `#` sets that key.
    """
    lines = [
        "# A committee-sim scenario, written by `committee-sim init`. Every key is at its",
        "# default and commented out: remove the '#' before a key to change it. Units, allowed",
        "# values and sources: `committee-sim params SECTION` or docs/model.md.",
        "",
    ]
    for section, model in SECTIONS.items():
        lines.append(f"[{section}]")
        for key, field in model.model_fields.items():
            lines += _commented_key(section, key, field, name)
        lines.append("")
    for section, model in LISTS.items():
        lines += [f"# One [[{section}]] table per entry; none by default.", f"# [[{section}]]"]
        for key, field in model.model_fields.items():
            lines += _commented_key(section, key, field, name, always=True)
    return "\n".join(lines) + "\n"


def _commented_key(
    section: str, key: str, field: FieldInfo, name: str, always: bool = False
) -> list[str]:
    """The meaning as a comment, then `key = default`, commented out unless it names the file."""
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    unit = extra.get("unit", "")
    about = f"{field.description} ({unit}; {allowed_values(field)})"
    comment = textwrap.wrap(about, 86, initial_indent="# ", subsequent_indent="# ")
    if section == "scenario" and key == "name" and not always:
        return [*comment, f"name = {toml_value(name)}"]
    return [*comment, f"# {key} = {toml_value(field.default)}"]
