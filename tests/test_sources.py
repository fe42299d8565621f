"""Every default says where it comes from, and docs/model.md counts the kinds of source."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT, script

from sim.scenario import parameter_rows
from sim.scenario.reference import (
    ASSUMED,
    CALIBRATED,
    NOT_A_CHOICE,
    PUBLISHED,
    SEED_ESSAY,
    SUBSTANTIVE,
    source_kind,
    source_kind_counts,
    source_kind_table,
    table_rows,
)
from sim.scenario.schema import (
    ASSUMPTION,
    FITTED,
    GARTNER_SUPPLIERS,
    NO_SOURCE,
    PARTNER_FEES,
    SEED_000,
    SEED_002,
    SEED_003,
    SEED_004,
    UNUSED_TACTIC,
    WARMUP_EVIDENCE,
)
from sim.scenario.sweep_file import SweepSettings

ROWS = parameter_rows()
SUBSTANTIVE_ROWS = [row for row in ROWS if source_kind(row["source"]) != NOT_A_CHOICE]
# Figures the model is checked against (validation) or fitted to (calibration): a default
# that cited one would prove nothing. Only FITTED may name the calibration targets.
TARGET_FIGURES = (
    "JOLT",
    "Dixon",
    "40-60%",
    "56%",
    "CSO Insights",
    "46.6",
    "29.6",
    "23.8",
    "median sales cycle",  # Bridge Group's cycles (its ramp figure is not a target)
    "60-day",
    "72-day",
    "60 days",
    "72 days",
    "purchase likelihood",
    "81%",
    "31%",
)


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        (NO_SOURCE, NOT_A_CHOICE),
        (WARMUP_EVIDENCE + "; and a counted window", NOT_A_CHOICE),
        (FITTED, CALIBRATED),
        (ASSUMPTION + " (a working day)", ASSUMED),
        (SEED_000, SEED_ESSAY),
        (SEED_002 + " (get sponsors)", SEED_ESSAY),
        (SEED_003, SEED_ESSAY),
        (SEED_004, SEED_ESSAY),
        (UNUSED_TACTIC, SEED_ESSAY),
        (GARTNER_SUPPLIERS, PUBLISHED),
        (PARTNER_FEES, PUBLISHED),
    ],
)
def test_each_source_constant_has_its_kind(source, kind):
    assert source_kind(source) == kind


def test_a_source_of_no_known_kind_is_refused_not_taken_for_a_publication():
    with pytest.raises(ValueError, match="no known kind"):
        source_kind("asumption (typo)")


def test_every_parameter_and_sweep_key_has_a_source_of_a_known_kind():
    rows = ROWS + table_rows("sweep", SweepSettings)
    kinds = {row["key"]: source_kind(row["source"]) for row in rows}
    assert set(kinds.values()) <= {*SUBSTANTIVE, NOT_A_CHOICE}
    assert len(SUBSTANTIVE_ROWS) > 0.9 * len(ROWS)


def test_no_assumption_without_its_reason_in_parentheses():
    bare = [
        row["key"]
        for row in SUBSTANTIVE_ROWS
        if source_kind(row["source"]) == ASSUMED
        and not re.fullmatch(rf"{ASSUMPTION} \(\S.{{8,}}\)", row["source"], flags=re.S)
    ]
    assert not bare, f"assumptions without a reason in parentheses: {bare}"


def test_no_default_cites_a_figure_it_is_fitted_to_or_checked_against():
    citing = {
        row["key"]: figure
        for row in SUBSTANTIVE_ROWS
        if source_kind(row["source"]) != CALIBRATED
        for figure in TARGET_FIGURES
        if figure.lower() in row["source"].lower()
    }
    assert not citing, f"defaults citing calibration or validation targets: {citing}"


def test_the_counts_cover_every_parameter_once():
    counts = source_kind_counts()
    assert list(counts) == [*SUBSTANTIVE, NOT_A_CHOICE]
    assert sum(counts.values()) == len(ROWS)
    assert counts[NOT_A_CHOICE] == len(ROWS) - len(SUBSTANTIVE_ROWS)


def test_the_table_states_the_share_of_pure_assumptions():
    counts = source_kind_counts()
    total = len(SUBSTANTIVE_ROWS)
    table = source_kind_table()
    for kind in SUBSTANTIVE:
        assert f"| {kind} | {counts[kind]} | {counts[kind] / total:.0%} |" in table
    share = f"{counts[ASSUMED]} of {total} substantive defaults ({counts[ASSUMED] / total:.0%})"
    assert f"Pure assumptions: {share}" in table


def test_model_docs_carry_the_generated_source_table_next_to_the_parameters():
    module = script("update_docs")
    # Listed with the generated tables, so the docs freshness test (test_docs) covers it.
    assert module.TABLES["model.md"]["source-kinds"] is source_kind_table
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    block = f"<!-- source-kinds:start -->\n{source_kind_table()}\n<!-- source-kinds:end -->"
    assert block in text, "docs/model.md is stale: run python scripts/update_docs.py model.md"
    assert text.index(block) < text.index("<!-- parameters:start -->")
