"""The trace command: one deal's story from the event log, and where its days went."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import ROOT, float32_rounding

import sim.views.trace as trace_view
from sim.analysis.replications import collect
from sim.analysis.results_folder import RESULT_FILES, write_results
from sim.analysis.summary import summarise
from sim.cli import main
from sim.model.world import simulate_replication
from sim.scenario import load_scenario
from sim.views.trace import TraceError, pick_deal, tell, timeline, traced_replication, whole_days

SCENARIOS = ("baseline", "channel_overlap", "new_vp_sales", "founder_led")
DAY = re.compile(r"^Day (\d+): ")


@pytest.fixture(scope="module", params=SCENARIOS)
def traced(request):
    scenario = load_scenario(ROOT / "scenarios" / f"{request.param}.toml")
    deals, log = traced_replication(scenario, seed=1, replication=0)
    return scenario, deals, log


@pytest.fixture(scope="module")
def stories(traced):
    """Every deal of the traced run with its story, told once for the tests that read them all."""
    scenario, deals, log = traced
    return [(deal, tell(log, deal, scenario, seed=1)) for _, deal in deals.iterrows()]


def breakdown_numbers(line: str) -> tuple[int, list[int]]:
    total = int(re.match(r"Where the (\d+) days?", line).group(1))
    parts = [int(number) for number in re.findall(r" (\d+)(?=,|\.$)", line.split("went: ")[1])]
    return total, parts


def test_every_deals_breakdown_adds_up_to_its_cycle_length(stories):
    for deal, lines in stories:
        total, parts = breakdown_numbers(lines[-1])
        assert sum(parts) == total == round(deal["age_days"]), lines[-1]
        last_day = int(DAY.match(lines[-2]).group(1))
        assert last_day == total  # the story ends on the day the cycle ends (or at the horizon)
        if deal["outcome"] != "open":
            assert deal["cycle_days"] == pytest.approx(deal["age_days"])


def test_story_is_in_time_order_and_ends_with_the_outcome(traced):
    scenario, deals, log = traced
    deal = pick_deal(deals, outcome="won")
    lines = tell(log, deal, scenario, seed=1)
    days = [int(DAY.match(line).group(1)) for line in lines if DAY.match(line)]
    assert days == sorted(days) and days[0] == 0
    assert lines[0].startswith(f"Deal {deal['deal_id']} of {scenario.scenario.name}")
    assert lines[2].endswith(
        f"the lead arrives from {str(deal['source']).replace('_', ' ')}, "
        f"value ${deal['value']:,.0f}."
    )
    assert lines[-2].endswith("the deal is won.")
    assert re.search(r"staller 1 of \d+ \(IT security\)", "\n".join(lines))


def test_the_story_numbers_reps_and_runs_as_deals_csv_does(stories):
    """The rep last named is deals.csv's `rep`; the heading names the run as its `replication`."""
    named = 0
    for deal, lines in stories:
        assert f"(seed 1, simulated run {deal['replication']})" in lines[0]
        reps = re.findall(r"\brep (\d+) ", "\n".join(lines))
        if reps and deal["rep"] >= 0:
            assert int(reps[-1]) == deal["rep"], lines
            named += 1
    assert named > 100


def test_the_heading_says_which_day_of_the_run_day_0_is(traced, stories):
    scenario = traced[0]
    warmup = f"in the warm-up of {scenario.scenario.warmup_days:,.0f} days, not counted"
    assert {deal["counted"] for deal, _ in stories} == {False, True}
    for deal, lines in stories:
        where = "in the counted window" if deal["counted"] else warmup
        assert lines[1] == (
            f"It arrived on day {deal['created_day']:,.0f} of the simulated run ({where}); "
            "the days below count from its arrival."
        )


def test_counts_agree_with_their_nouns(stories):
    """'1 request', '1 day': each traced run has stories with exactly one of each."""
    texts = ["\n".join(lines) for _, lines in stories]
    assert any("(1 request ahead in its queue)" in text for text in texts)
    assert any("(0 requests ahead in its queue)" in text for text in texts)
    assert any("Where the 1 day went:" in text for text in texts)
    assert not any(re.search(r"\b1 (days|requests|stallers)\b", text) for text in texts)


def test_timeline_covers_the_deal_and_matches_its_stage_days(traced):
    """Segments follow one another without gaps and, stage by stage, add up to the table's days."""
    _, deals, log = traced
    for _, deal in deals.iterrows():
        # The table's days are float32: the timeline counts from the rounded `created_day`
        # and ends at the rounded `age_days`, and the stage's own days are rounded too.
        rounding = 3 * float32_rounding(deal["created_day"] + deal["age_days"])
        segments = timeline(log, deal)
        assert segments[0].start == 0.0
        assert all(a.end == pytest.approx(b.start) for a, b in itertools.pairwise(segments))
        assert segments[-1].end == pytest.approx(deal["age_days"], abs=rounding)
        spent = defaultdict(float)
        for segment in segments:
            spent[segment.stage] += segment.end - segment.start
        for stage, days in spent.items():
            assert days == pytest.approx(deal[f"days_{stage.key}"], abs=1e-6 + rounding), (
                deal["deal_id"],
                stage,
            )


def test_whole_days_keep_the_total():
    days = {"a": 1.6, "b": 2.3, "c": 3.1, "d": 0.0}
    assert whole_days(days, 7.0) == {"a": 2, "b": 2, "c": 3, "d": 0}
    rng = np.random.default_rng(5)
    for _ in range(200):
        values = dict(enumerate(rng.exponential(10.0, 7)))
        assert sum(whole_days(values, sum(values.values())).values()) == round(sum(values.values()))


def test_pick_deal_names_what_is_allowed():
    scenario = load_scenario(ROOT / "scenarios" / "baseline.toml")
    deals, _ = traced_replication(scenario, seed=1, replication=0)
    assert pick_deal(deals)["outcome"] == "won"
    assert pick_deal(deals, outcome="lost")["outcome"] == "lost_competitor"
    assert (
        pick_deal(deals, deal_id=int(deals["deal_id"].iloc[3]))["deal_id"]
        == deals["deal_id"].iloc[3]
    )
    with pytest.raises(TraceError, match="^deal 99999: no such deal.*allowed"):
        pick_deal(deals, deal_id=99999)
    with pytest.raises(
        TraceError, match="^outcome sold: not an outcome; allowed: won, lost_competitor"
    ):
        pick_deal(deals, outcome="sold")


def test_results_are_byte_identical_with_and_without_the_event_log(tmp_path):
    """The log only listens: it draws no random numbers and changes no result."""
    for name in SCENARIOS:
        scenario = load_scenario(ROOT / "scenarios" / f"{name}.toml")
        log: list = []
        for label, kept in (("quiet", None), ("logged", log)):
            parts = [simulate_replication(scenario, 3, r, log=kept) for r in range(2)]
            results = collect(parts, scenario, 3)
            write_results(tmp_path / name / label, results, summarise(results))
        assert log, "the logged run kept a log"
        for file in RESULT_FILES:
            quiet, logged = (tmp_path / name / label / file for label in ("quiet", "logged"))
            assert quiet.read_bytes() == logged.read_bytes(), (name, file)


def test_trace_command_tells_a_story(tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "trace",
            str(ROOT / "scenarios" / "baseline.toml"),
            "--outcome",
            "no_decision",
            "--seed",
            "2",
            "--set",
            "committee.stallers=4",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "4 stallers" in lines[0] and "Outcome: no decision" in lines[0]
    assert lines[-1].startswith("Where the ")


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--deal", "100000"],
            "error: --deal 100000: no such deal in this simulated run; allowed: one of its",
        ),
        (
            ["--outcome", "sold"],
            "error: --outcome sold: not an outcome; allowed: won, lost_competitor",
        ),
        (
            ["--outcome", "vetoed", "--set", "committee.nay_sayers=0"],
            "error: --outcome vetoed: no deal ended that way in this simulated run; "
            "allowed here: won (",
        ),
    ],
)
def test_trace_mistakes_exit_2_with_one_message(args, message):
    result = CliRunner().invoke(main, ["trace", str(ROOT / "scenarios" / "baseline.toml"), *args])
    assert result.exit_code == 2
    assert result.output.startswith(message) and result.output.count("\n") == 1, result.output


def test_rewording_the_story_leaves_the_pictures_alone(traced, monkeypatch):
    """The timeline reads the event records, not the sentences the trace makes of them."""
    scenario, deals, log = traced
    before = [timeline(log, deal) for _, deal in deals.iterrows()]
    story = tell(log, deals.iloc[0], scenario, seed=1)
    monkeypatch.setattr(trace_view, "PHRASES", dict.fromkeys(trace_view.PHRASES, "did something"))
    monkeypatch.setattr(trace_view, "CLOSINGS", dict.fromkeys(trace_view.CLOSINGS, "ended"))
    monkeypatch.setattr(trace_view, "ASKS_FROM_KIT", "wanted a brochure")
    monkeypatch.setattr(trace_view, "ASKS_MARKETING", "wanted a brochure")
    assert tell(log, deals.iloc[0], scenario, seed=1) != story
    assert [timeline(log, deal) for _, deal in deals.iterrows()] == before
