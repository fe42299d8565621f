"""The summary `committee-sim run` prints fits an 80-column terminal and cuts no cell."""

from __future__ import annotations

import io
import math

import pytest
from conftest import short_scenario
from rich.console import Console

from sim.analysis.replications import simulate
from sim.analysis.summary import summarise
from sim.scenario import load_scenario
from sim.views.console import print_summary
from sim.views.formatting import short_dollars
from sim.views.summary_rows import console_groups

WIDTH = 80


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    """A short channel scenario's summary: partners, so every row has a figure."""
    path = tmp_path_factory.mktemp("summary") / "short.toml"
    path.write_text(short_scenario(300, 500) + '\n[[partners]]\nname = "Reseller"\n')
    return summarise(simulate(load_scenario(path), replications=2, seed=1))


def printed(summary: dict, width: int = WIDTH) -> list[str]:
    out = io.StringIO()
    print_summary(summary, Console(file=out, width=width))
    return out.getvalue().splitlines()


def cells(summary: dict) -> list[str]:
    return [cell for _, rows in console_groups(summary) for row in rows for cell in row if cell]


def test_every_line_fits_and_every_cell_is_whole_on_one_line(summary):
    lines = printed(summary)
    assert max(len(line) for line in lines) <= WIDTH
    assert not any("…" in line for line in lines)
    for cell in cells(summary):
        assert any(cell in line for line in lines), f"{cell!r} is cut or wrapped"


def test_a_narrow_terminal_or_huge_figures_wrap_cells_but_never_cut_them(summary):
    """Money in the tens of millions, a median never reached: long cells fold onto a second line."""
    huge = {
        **summary,
        "cycle_days_median": math.nan,
        "revenue_net_per_year": 98_765_432.0,
        "revenue_net_per_year_ci": [-12_345_678.0, 123_456_789.0],
        "revenue_gross_per_year": 123_456_789.0,
    }
    for figures, width in ((huge, WIDTH), (summary, 60)):
        lines = printed(figures, width)
        assert max(len(line) for line in lines) <= width
        text = " ".join(line.strip("│┃ ") for line in lines)
        assert "…" not in text
        for cell in cells(figures):
            for word in cell.split():
                assert word in text, f"{word!r} of {cell!r} is cut"


def test_the_heading_says_what_a_simulated_run_is(summary):
    lines = printed({**summary, "replications": 1})
    assert lines[0] == "short: 1 simulated run, seed 1"
    assert lines[1].startswith("A simulated run is one history of the company: 300 days of")


def test_short_dollars_keep_three_figures_and_the_sign():
    assert [short_dollars(v) for v in (950, 765_092.8, 1_518_579.7, 12_345_678, -2500)] == [
        "$950",
        "$765k",
        "$1.52M",
        "$12.3M",
        "-$2.50k",
    ]
