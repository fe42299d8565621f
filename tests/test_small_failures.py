"""Small failures (issue 17, item 10): each one a clear message or the right files, never a crash.

Timelines of names that read the same as a file name, a patience shape so small it
overflows, `trace` with nothing to follow, `--set` mistakes named as --set, an empty
`--out`, damaged results folders (also when their manifest was rewritten to match, so
the content checks themselves are exercised), and a thousand partners in an int16 column.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import ROOT, assert_user_error, short_scenario

from sim.analysis.replications import simulate
from sim.analysis.results_folder import (
    RESULT_FILES,
    ResultsReadError,
    manifest_json,
    read_results,
    summary_json,
    write_results,
)
from sim.analysis.summary import summarise, summary_problem, summary_shape
from sim.cli import main
from sim.model.world import simulate_replication
from sim.scenario import ScenarioError, load_scenario, read_scenario_data, validate
from sim.views.plots import Run, timeline_stems
from sim.views.trace import tell, traced_replication

BASELINE = ROOT / "scenarios" / "baseline.toml"
CHANNEL = ROOT / "scenarios" / "channel_single_partner.toml"
SHORT = ("scenario.warmup_days=100", "scenario.horizon_days=300")
NO_LEADS = "leads.arrivals_per_month=0"


def invoke(*args: object) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def write_run(folder: Path, *overrides: str, scenario: Path = BASELINE) -> Path:
    write_results(folder, simulate(load_scenario(scenario, [*SHORT, *overrides]), 2, 1))
    return folder


# ---------------------------------------------------------------- timelines of look-alike names


def test_timelines_of_names_that_read_the_same_do_not_overwrite_each_other(tmp_path):
    first = write_run(tmp_path / "first", "scenario.name=Team-A")
    second = write_run(tmp_path / "second", "scenario.name=team_a")
    done = invoke("plot", first, second, "--out", tmp_path / "plots")
    assert done.exit_code == 0, done.output
    for stem in ("timeline_team_a", "timeline_team_a_2"):
        for suffix in (".png", ".svg"):
            assert (tmp_path / "plots" / f"{stem}{suffix}").is_file(), sorted(
                path.name for path in (tmp_path / "plots").iterdir()
            )
    done = invoke("report", first, second, "--out", tmp_path / "report.html")
    assert done.exit_code == 0, done.output
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'id="timeline_team_a"' in page and 'id="timeline_team_a_2"' in page


def test_timeline_file_names_are_unique_short_and_never_empty(tmp_path):
    names = ["Team-A", "team_a", "team_a_2", "$$$", "€", "x" * 300, "X" * 300]
    runs = [Run(name, None, {}) for name in names]  # type: ignore[arg-type]
    stems = timeline_stems(runs)
    assert stems[:5] == [
        "timeline_team_a",
        "timeline_team_a_2",
        "timeline_team_a_2_2",
        "timeline_run",
        "timeline_run_2",
    ]
    assert len(set(stems)) == len(stems)
    assert all(len(stem) <= 80 for stem in stems)


# ---------------------------------------------------------------- a patience shape that overflows


@pytest.mark.parametrize("shape", ["5e-324", "1e-310", "1e-5", "0.009"])
def test_a_tiny_patience_shape_is_refused_with_its_bound(shape):
    override = f"leads.patience_shape={shape}"
    assert_user_error(invoke("validate", BASELINE, "--set", override), "patience_shape", "≥ 0.01")
    assert_user_error(
        invoke("run", BASELINE, "-n", "1", "--set", override), "patience_shape", "≥ 0.01"
    )


def test_the_smallest_patience_shape_allowed_runs():
    for mean in ("1e6", "5e-324"):
        sets = (*SHORT, "leads.patience_shape=0.01", f"leads.patience_mean_days={mean}")
        done = invoke("run", BASELINE, "-n", "2", *[f"--set={text}" for text in sets])
        assert done.exit_code == 0, (done.output, done.exception)


# ---------------------------------------------------------------- trace with nothing to follow


@pytest.mark.parametrize(
    "asked", [(), ("--outcome", "won"), ("--outcome", "lost"), ("--deal", "0")]
)
def test_trace_without_any_deal_says_so_in_one_sentence(asked):
    done = invoke("trace", BASELINE, "--set", NO_LEADS, "--replication", "3", *asked)
    message = assert_user_error(
        done, "error: --replication 3: no lead arrived in this simulated run"
    )
    assert "allowed:" in message


def test_trace_of_an_outcome_no_deal_had_names_those_there_were():
    done = invoke("trace", BASELINE, "--outcome", "vetoed", "--set", "committee.nay_sayers=0")
    assert_user_error(done, "--outcome vetoed: no deal ended that way", "allowed here: won (")


def test_a_mistaken_outcome_is_named_even_without_deals():
    done = invoke("trace", BASELINE, "--set", NO_LEADS, "--outcome", "sold")
    assert_user_error(done, "--outcome sold: not an outcome")


# ---------------------------------------------------------------- --set mistakes are --set's


SET_COMMANDS: dict[str, Callable[[list[str]], list[object]]] = {
    "run": lambda sets: ["run", BASELINE, "-n", "1", *sets],
    "validate": lambda sets: ["validate", BASELINE, *sets],
    "trace": lambda sets: ["trace", BASELINE, *sets],
    "warmup": lambda sets: ["warmup", BASELINE, "-n", "2", "--days", "100", *sets],
}


@pytest.mark.parametrize("command", SET_COMMANDS)
def test_a_bad_set_value_is_blamed_on_the_set_option_not_the_file(command):
    done = invoke(*SET_COMMANDS[command](["--set", "committee.stallers=-1"]))
    message = assert_user_error(
        done,
        "error: --set 'committee.stallers=-1': [committee] stallers = -1 is not allowed; "
        "allowed: integer ≥ 0 and ≤ 100",
    )
    assert "baseline.toml" not in message


@pytest.mark.parametrize(
    ("scenario", "sets", "expected"),
    [
        (  # the last value given is the one that counts, and is named
            BASELINE,
            ["committee.stallers=2", "committee.stallers=x"],
            "error: --set 'committee.stallers=x': [committee] stallers = 'x' is not allowed",
        ),
        (  # a rule across keys the file alone keeps: the --set that broke it
            BASELINE,
            ["leads.marketing_share=0.9"],
            "error: --set 'leads.marketing_share=0.9': [leads] marketing_share + ",
        ),
        (
            BASELINE,
            ["scenario.warmup_days=3000"],
            "error: --set 'scenario.warmup_days=3000': [scenario] warmup_days 3000 must be "
            "below horizon_days 2380",
        ),
        (  # a partner's value, named by its partner, also after a rename
            CHANNEL,
            ["partners.Integrator.name=Reseller", "partners.Reseller.coverage=2"],
            "error: --set 'partners.Reseller.coverage=2': [[partners]] 'Reseller': coverage = 2",
        ),
        (  # the scenario's own rule, unique partner names, broken by a rename
            ROOT / "scenarios" / "channel_overlap.toml",
            ["committee.stallers=2", "partners.Reseller.name=Integrator"],
            "error: --set 'partners.Reseller.name=Integrator': [[partners]] name 'Integrator' is "
            "used twice",
        ),
    ],
)
def test_the_set_that_made_the_value_wrong_is_named(scenario, sets, expected):
    assert_user_error(invoke("validate", scenario, *[f"--set={text}" for text in sets]), expected)


def test_the_files_own_mistakes_stay_the_files(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text("[marketing]\nproactive_share = 1.5\n", encoding="utf-8")
    done = invoke("validate", path, "--set", "committee.stallers=2")
    assert_user_error(done, f"error: {path}: [marketing] proactive_share = 1.5 is not allowed")
    # A --set that mends the file's mistake leaves nothing to blame.
    assert invoke("validate", path, "--set", "marketing.proactive_share=0.5").exit_code == 0
    # A rule the file breaks and a --set of the same table does not mend: both named.
    path.write_text("[leads]\nmarketing_share = 0.9\n", encoding="utf-8")
    done = invoke("validate", path, "--set", "leads.inbound_web_share=0.2")
    assert_user_error(done, f"error: {path} with --set 'leads.inbound_web_share=0.2': [leads]")


def test_the_library_still_names_its_overrides_by_origin():
    with pytest.raises(ScenarioError, match=r"^overrides?"):
        load_scenario(BASELINE, ["committee.stallers"])


# ---------------------------------------------------------------- --out ""

SWEEPS = ROOT / "scenarios" / "sweeps"


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["run", BASELINE, "-n", "1", "--out"], "--out"),
        (["sweep", SWEEPS / "stallers_grid.toml", "--out"], "--out"),
        (["sensitivity", SWEEPS / "sobol_levers.toml", "--out"], "--out"),
        (["plot", "RESULTS", "--out"], "--out"),
        (["report", "RESULTS", "--out"], "--out"),
        (["warmup", BASELINE, "-n", "2", "--days", "100", "--plot"], "--plot"),
        (["plot"], "RESULTS_DIR"),
    ],
)
def test_an_empty_out_is_refused_and_nothing_is_written(args, option, tmp_path, monkeypatch):
    results = write_run(tmp_path / "results")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    done = invoke(*[results if arg == "RESULTS" else arg for arg in args], "")
    assert_user_error(
        done, f"Invalid value for '{option}", "an empty path is not allowed; allowed:"
    )
    assert list(work.iterdir()) == []


# ---------------------------------------------------------------- damaged results folders


@pytest.fixture(scope="module")
def sound(tmp_path_factory) -> Path:
    """One results folder as `run --out` writes it (short, two replications)."""
    return write_run(tmp_path_factory.mktemp("sound") / "results")


def edit_summary(change: Callable[[dict], object]) -> Callable[[bytes], bytes]:
    def damage(data: bytes) -> bytes:
        summary = json.loads(data)
        change(summary)
        return json.dumps(summary).encode("utf-8")

    return damage


def edit_cell(column: str, value: str) -> Callable[[bytes], bytes]:
    def damage(data: bytes) -> bytes:
        lines = data.decode("utf-8").split("\n")
        row = lines[1].split(",")
        row[lines[0].split(",").index(column)] = value
        lines[1] = ",".join(row)
        return "\n".join(lines).encode("utf-8")

    return damage


def replace(content: bytes) -> Callable[[bytes], bytes]:
    return lambda _: content


DAMAGES: dict[str, tuple[str, Callable[[bytes], bytes], str]] = {
    "empty summary": ("summary.json", replace(b""), "summary.json is empty"),
    "blank summary": ("summary.json", replace(b" \n"), "summary.json is empty"),
    "not JSON": ("summary.json", replace(b"win rate: 20%"), "summary.json is not JSON"),
    "not UTF-8": ("summary.json", replace(b"\xff\xfe{}"), "summary.json is not JSON"),
    "too deep": ("summary.json", replace(b"[" * 100_000), "summary.json is not JSON"),
    "a list": ("summary.json", replace(b"[]"), "summary.json: holds a list; allowed:"),
    "null": ("summary.json", replace(b"null"), "summary.json: holds null; allowed:"),
    "a number": ("summary.json", replace(b"3"), "summary.json: holds a number; allowed:"),
    "no keys": ("summary.json", replace(b"{}"), "summary.json: scenario, seed, "),
    "no seed": (
        "summary.json",
        edit_summary(lambda s: s.pop("seed")),
        "summary.json: seed is missing",
    ),
    "text seed": (
        "summary.json",
        edit_summary(lambda s: s.update(seed="seven")),
        "summary.json: seed = 'seven' is not allowed; allowed: an integer from 0",
    ),
    "fractional seed": (
        "summary.json",
        edit_summary(lambda s: s.update(seed=1.5)),
        "summary.json: seed = 1.5 is not allowed",
    ),
    "negative seed": (
        "summary.json",
        edit_summary(lambda s: s.update(seed=-1)),
        "summary.json: seed = -1 is not allowed",
    ),
    "boolean seed": (
        "summary.json",
        edit_summary(lambda s: s.update(seed=True)),
        "summary.json: seed = True is not allowed",
    ),
    "huge seed": (
        "summary.json",
        edit_summary(lambda s: s.update(seed=2**63)),
        "summary.json: seed = 9223372036854775808 is not allowed",
    ),
    "no replications": (
        "summary.json",
        edit_summary(lambda s: s.update(replications=0)),
        "summary.json: replications = 0 is not allowed; allowed: an integer ≥ 1",
    ),
    "no years": (
        "summary.json",
        edit_summary(lambda s: s["window"].update(years=0)),
        "summary.json: window.years = 0 is not allowed",
    ),
    "window a list": (
        "summary.json",
        edit_summary(lambda s: s.update(window=[1, 2])),
        "summary.json: window = [1, 2] is not allowed; allowed: a table of",
    ),
    "text figure": (
        "summary.json",
        edit_summary(lambda s: s.update(win_rate="high")),
        "summary.json: win_rate = 'high' is not allowed",
    ),
    "fractional count": (
        "summary.json",
        edit_summary(lambda s: s["outcomes"].update(won=1.5)),
        "summary.json: outcomes.won = 1.5 is not allowed; allowed: an integer ≥ 0",
    ),
    "parameters a list": (
        "summary.json",
        edit_summary(lambda s: s.update(parameters=[])),
        "summary.json: parameters = [] is not allowed",
    ),
    "empty deals": ("deals.csv", replace(b""), "deals.csv is empty"),
    "blank deals": ("deals.csv", replace(b"\n\n"), "deals.csv is empty"),
    "deals not CSV": ("deals.csv", replace(b'a,b\n"open\n'), "deals.csv is not a CSV table"),
    "deals not UTF-8": ("deals.csv", replace(b"\xff\xfea,b\n"), "deals.csv is not a CSV table"),
    "deals without columns": ("deals.csv", replace(b"x\n1\n"), "deals.csv lacks the columns"),
    "word for a number": (
        "deals.csv",
        edit_cell("created_day", "soon"),
        "deals.csv has created_day = 'soon' on line 2; allowed: a number",
    ),
    "unknown outcome": (
        "deals.csv",
        edit_cell("outcome", "sold"),
        "deals.csv has outcome = 'sold' on line 2; allowed: one of won, ",
    ),
    "empty replications": ("replications.csv", replace(b""), "replications.csv is empty"),
    "replications short": (
        "replications.csv",
        lambda data: b"\n".join(data.split(b"\n")[:2]) + b"\n",
        "replications.csv has 1 row but summary.json says 2 replications",
    ),
    "empty partners": ("partners.csv", replace(b""), "partners.csv is empty"),
}


def damaged(sound: Path, where: Path, file: str, damage: Callable[[bytes], bytes]) -> Path:
    folder = where / "damaged"
    shutil.copytree(sound, folder)
    (folder / file).write_bytes(damage((folder / file).read_bytes()))
    return folder


def rewrite_manifest(folder: Path) -> None:
    """Make the damaged folder self-consistent: its manifest lists the files as they are now."""
    contents = {name: (folder / name).read_bytes() for name in RESULT_FILES}
    (folder / "manifest.json").write_bytes(manifest_json(contents))


@pytest.mark.parametrize("case", DAMAGES)
def test_a_damaged_but_self_consistent_folder_is_refused_with_one_message(case, sound, tmp_path):
    file, damage, expected = DAMAGES[case]
    folder = damaged(sound, tmp_path, file, damage)
    rewrite_manifest(folder)
    with pytest.raises(ResultsReadError, match="write the results again|run the scenario again"):
        read_results(folder)
    for command in (
        ["plot", folder, "--out", tmp_path / "plots"],
        ["report", folder, "--out", tmp_path / "report.html"],
    ):
        assert_user_error(invoke(*command), f"error: {folder}: {expected}")
    assert not (tmp_path / "report.html").exists()


@pytest.mark.parametrize("case", ["empty summary", "text seed", "empty deals"])
def test_a_damaged_folder_without_a_manifest_is_checked_the_same(case, sound, tmp_path):
    """Folders written before manifests existed have no checksums: the contents are checked."""
    file, damage, expected = DAMAGES[case]
    folder = damaged(sound, tmp_path, file, damage)
    (folder / "manifest.json").unlink()
    assert_user_error(invoke("report", folder, "--out", tmp_path / "report.html"), expected)


def test_a_damaged_folder_whose_manifest_disagrees_is_refused_by_the_manifest(sound, tmp_path):
    folder = damaged(sound, tmp_path, "summary.json", replace(b"[]"))
    assert_user_error(
        invoke("plot", folder, "--out", tmp_path / "plots"), "summary.json is not the file"
    )


def test_a_run_without_deals_is_drawn_and_reported(tmp_path):
    """A header-only deals.csv is a run in which no lead arrived: nothing damaged about it."""
    folder = write_run(tmp_path / "quiet", NO_LEADS)
    assert (folder / "deals.csv").read_text(encoding="utf-8").count("\n") == 1
    done = invoke("plot", folder, "--out", tmp_path / "plots")
    assert done.exit_code == 0 and done.stderr == "", done.output
    done = invoke("report", folder, "--out", tmp_path / "report.html")
    assert done.exit_code == 0 and done.stderr == "", done.output


def test_a_summary_whose_parameters_are_wrong_names_the_parameter(sound, tmp_path):
    change = edit_summary(lambda s: s["parameters"]["committee"].update(stallers=-1))
    folder = damaged(sound, tmp_path, "summary.json", change)
    rewrite_manifest(folder)
    expected = f"error: {folder / 'summary.json'} parameters: [committee] stallers = -1 is not"
    assert_user_error(invoke("report", folder, "--out", tmp_path / "report.html"), expected)


@pytest.mark.parametrize("scenario", [BASELINE, CHANNEL])
def test_every_summary_written_has_the_shape_readers_check(scenario):
    """`summary_shape` names exactly the keys `summarise` writes, so the check cannot drift."""
    for overrides in ([], [NO_LEADS]):
        results = simulate(load_scenario(scenario, [*SHORT, *overrides]), 2, 1)
        summary = summarise(results)
        assert set(summary) == set(summary_shape())
        assert summary_problem(json.loads(summary_json(summary))) is None


def test_a_summary_with_more_than_the_figures_is_read(tmp_path):
    """`run --precision` adds its record to summary.json; readers take it as it is."""
    folder = tmp_path / "precise"
    sets = [f"--set={text}" for text in SHORT]
    done = invoke("run", BASELINE, *sets, "--precision", "0.2", "--out", folder)
    assert done.exit_code == 0, done.output
    assert "precision" in json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    done = invoke("report", folder, "--out", tmp_path / "report.html")
    assert done.exit_code == 0, done.output


# ---------------------------------------------------------------- a thousand partners


def test_a_thousand_partners_fit_their_int16_column(tmp_path):
    """Partners are capped at 1,000 on loading; the deal table's partner index keeps them all."""
    data = read_scenario_data(BASELINE)
    data["scenario"] = {**data["scenario"], "warmup_days": 0.0, "horizon_days": 30.0}
    data["partners"] = [{"name": f"p{i}", "staff": 20, "coverage": 0.001} for i in range(1000)]
    data["partners"][-1]["staff"] = 100_000  # the last partner surely brings leads
    scenario = validate(data)
    deals = simulate_replication(scenario, 1, 0)["deals"]
    assert deals["partner"].min() >= -1 and deals["partner"].max() == 999
    write_results(tmp_path / "many", simulate(scenario, 1, 1))
    read = read_results(tmp_path / "many").deals["partner"]
    assert read.min() >= -1 and read.max() == 999
    table, log = traced_replication(scenario, 1, 0)
    last = table[table["partner"] == 999].iloc[0]
    assert "a lead from partner p999" in tell(log, last, scenario, 1)[0]
    data["partners"].append({"name": "one too many"})
    with pytest.raises(ScenarioError, match="1,001 \\[\\[partners\\]\\] tables; allowed: at most"):
        validate(data)


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path):
    """`committee-sim trace ... | head -2`: no 'error: Broken pipe' after the lines read."""
    import subprocess
    import sys

    scenario = tmp_path / "short.toml"
    scenario.write_text(short_scenario(60, 240))
    command = [sys.executable, "-m", "sim", "trace", str(scenario), "--quiet"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as reader:
        assert reader.stdout is not None and reader.stderr is not None
        reader.stdout.close()  # gone before the story is written
        assert reader.wait(timeout=60) == 1
        assert reader.stderr.read() == b""
