"""The interactive page (`committee-sim app`): its helpers, the command, and the page in AppTest.

The page runs in Streamlit's AppTest, in this process, with three replications of a short
window (a warm-up of 100 days and 365 counted days) and one picture: a few seconds in all.
"""

from __future__ import annotations

import importlib.util
import io
import re
import zipfile

import pytest
from click.testing import CliRunner
from conftest import ROOT
from test_architecture import modules

from sim.analysis.replications import simulate
from sim.analysis.results_folder import read_results, write_results
from sim.analysis.summary import summarise
from sim.cli import APP_SETTINGS, main
from sim.scenario import load_scenario
from sim.scenario.catalogue import shipped_names, shipped_path
from sim.vocabulary import Outcome

pytest.importorskip("streamlit", reason="the app's tests need the app extra: pip install '.[app]'")

from streamlit.testing.v1 import AppTest  # noqa: E402

import sim.views.app as app  # noqa: E402

PAGE = ROOT / "sim" / "views" / "app.py"
STALLERS = app.widget_key("baseline", "committee.stallers")

# ---------------------------------------------------------------- helpers, without Streamlit


@pytest.mark.parametrize("name", shipped_names())
def test_a_scenario_written_as_toml_reads_back_the_same(name):
    scenario = load_scenario(shipped_path(name))
    text = app.scenario_toml(scenario, ["a comment"])
    assert text.startswith("# a comment\n\n[scenario]\n")
    again = app.from_toml(text).to_dict()
    assert again == {**scenario.to_dict(), "scenario": {**again["scenario"]}}
    assert again["scenario"] == {**scenario.to_dict()["scenario"], "base": ""}


def test_levers_become_the_overrides_of_the_command_line():
    baseline = load_scenario(shipped_path("baseline"))
    levers = app.levers_of(baseline)
    assert levers["Channel partners"] == ()
    values = {
        lever.key: app.value_of(baseline, lever.key) for group in levers.values() for lever in group
    }
    assert app.changes(baseline, values) == []
    values["committee.stallers"] = 6
    values["marketing.proactive_share"] = 0.6
    wanted = app.changes(baseline, values)
    assert wanted == ["committee.stallers=6", "marketing.proactive_share=0.6"]
    changed = app.build(baseline, wanted)
    assert (changed.committee.stallers, changed.marketing.proactive_share) == (6, 0.6)
    assert app.command_line("baseline", wanted, 1, 20) == (
        "committee-sim run baseline --set committee.stallers=6 "
        "--set marketing.proactive_share=0.6 -n 20"
    )
    assert app.lowest("committee.decision_makers", 1) == 1
    assert app.lowest("founder.hours_per_day", 0.5) == 0.5  # above a bound it excludes
    assert app.is_whole("reps.count") and not app.is_whole("marketing.proactive_share")


def test_partners_are_added_at_the_defaults_and_their_levers_follow():
    overlap = load_scenario(shipped_path("channel_overlap"))
    keys = [lever.key for lever in app.partner_levers(overlap)]
    assert "partners.Reseller.coverage" in keys and len(keys) == 3 * len(app.PARTNER_LEVERS)
    two = app.build(overlap, ["partners.Integrator.coverage=1"], partners=2)
    assert [p.name for p in two.partners] == ["Integrator", "Reseller"]
    assert two.partners[0].coverage == 1
    baseline = load_scenario(shipped_path("baseline"))
    added = app.build(baseline, [], partners=2)
    assert [p.name for p in added.partners] == ["Partner 1", "Partner 2"]
    assert added.partners[1].coverage == 0.3  # the schema's default


def test_more_changes_and_a_wrong_value_say_what_is_wrong():
    text = "# a comment\n\n--set committee.stallers=4\n  reps.count = 2  \n"
    assert app.written_changes(text) == ["committee.stallers=4", "reps.count = 2"]
    baseline = load_scenario(shipped_path("baseline"))
    with pytest.raises(app.ScenarioError, match=r"stallers = -1 is not allowed"):
        app.build(baseline, ["committee.stallers=-1"], name="baseline with your changes")
    with pytest.raises(app.ScenarioError, match="tactics' shares of proactive time"):
        app.build(baseline, ["marketing.web_content=0.5"])
    assert app.window_changes(baseline, 1280, 1100) == []
    assert app.window_changes(baseline, 100, 365) == [
        "scenario.warmup_days=100.0",
        "scenario.horizon_days=465.0",
    ]


def test_an_uploaded_file_may_build_on_a_shipped_scenario():
    upload = b'[scenario]\nname = "mine"\nbase = "baseline.toml"\n[committee]\nstallers = 5\n'
    mine = app.load_upload(upload, "mine.toml")
    assert (mine.scenario.name, mine.committee.stallers, mine.reps.count) == ("mine", 5, 3)
    with pytest.raises(app.ScenarioError) as caught:
        app.load_upload(b"[committee]\nstallers = -2\n", "bad.toml")
    assert str(caught.value).startswith("bad.toml: [committee] stallers = -2 is not allowed")
    assert "committee-sim-upload" not in str(caught.value)


def test_the_downloads_are_what_run_out_writes(tmp_path):
    short = ["scenario.warmup_days=100", "scenario.horizon_days=300"]
    results = simulate("baseline", replications=2, seed=3, overrides=short)
    summary = summarise(results)
    write_results(tmp_path / "direct", results, summary)
    with zipfile.ZipFile(io.BytesIO(app.results_zip(results, summary))) as archive:
        archive.extractall(tmp_path / "zipped")
    written = sorted(path.name for path in (tmp_path / "direct").iterdir())
    assert sorted(path.name for path in (tmp_path / "zipped" / "results").iterdir()) == written
    for name in written:
        assert (tmp_path / "zipped" / "results" / name).read_bytes() == (
            tmp_path / "direct" / name
        ).read_bytes(), name
    assert read_results(tmp_path / "zipped" / "results").deals.shape == results.deals.shape
    assert app.table_csv(results.deals) == (tmp_path / "direct" / "deals.csv").read_bytes()


def test_markdown_and_its_mathematics_are_shown_as_written():
    assert app.plain("$5 to $6 *each*") == r"\$5 to \$6 \*each\*"


def test_the_guide_names_what_the_page_shows():
    """docs/teaching.md's "Using the app" names the page's groups, buttons, pictures and levers."""
    guide = (ROOT / "docs" / "teaching.md").read_text(encoding="utf-8")
    section = " ".join(guide[guide.index("## Using the app") :].split())
    page = " ".join(PAGE.read_text(encoding="utf-8").split())
    outcomes = {outcome.label for outcome in Outcome}
    quoted = set(re.findall(r'"([^"]+)"', section)) - {".[app]"}
    assert {"Buying committee", "Next step", "why no decision"} <= quoted
    assert [name for name in quoted if name not in page and name not in outcomes] == []
    levers = [lever.label for group in app.LEVERS.values() for lever in group]
    levers += [label for _, label, _, _ in app.PARTNER_LEVERS]
    named = set(re.findall(r"\*([a-z][^*]*)\*", section))
    assert {"stallers", "coverage"} <= named
    assert [name for name in named if not any(label.startswith(name) for label in levers)] == []


def test_nothing_imports_the_page():
    importers = [
        name for name, targets in modules(ROOT / "sim").items() if "sim.views.app" in targets
    ]
    assert importers == []


# ---------------------------------------------------------------- the command


def test_app_serves_the_page_on_this_computer_only(monkeypatch):
    from streamlit.web import cli as streamlit

    started = []
    monkeypatch.setattr(streamlit, "main", lambda args, prog_name: started.append(args))
    result = CliRunner().invoke(main, ["app", "--port", "8765"])
    assert result.exit_code == 0, result.output
    [arguments] = started
    assert arguments[:2] == ["run", str(PAGE)] and PAGE.exists()
    assert "--server.port=8765" in arguments
    for setting in (
        "--server.address=127.0.0.1",
        "--server.headless=true",
        "--browser.gatherUsageStats=false",
    ):
        assert setting in arguments and setting in APP_SETTINGS


def test_app_without_streamlit_says_how_to_install_it(monkeypatch):
    found = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "streamlit" else found(name, *a),
    )
    result = CliRunner().invoke(main, ["app"])
    assert result.exit_code == 2
    assert result.output == (
        "error: committee-sim app needs streamlit, in the optional extra 'app': "
        "pip install 'committee-sim[app]' (or, in a clone, pip install '.[app]')\n"
    )


# ---------------------------------------------------------------- the page, in AppTest


@pytest.fixture
def page(monkeypatch):
    """The page at three replications of a short window, one picture; counting simulations."""
    import streamlit as st

    from sim.model import world

    st.cache_data.clear()
    calls = []
    simulate = world.simulate_replication

    def counted(scenario, seed, replication, log=None):
        if log is None:  # not a deal's story
            calls.append(scenario.committee.stallers)
        return simulate(scenario, seed, replication, log)

    monkeypatch.setattr(world, "simulate_replication", counted)
    test = AppTest.from_file(str(PAGE), default_timeout=60)
    test.session_state["replications"] = 3
    test.session_state["pictures"] = ["cycle_length"]
    test.session_state[app.widget_key("baseline", "warmup")] = 100.0
    test.session_state[app.widget_key("baseline", "counted")] = 365.0
    test.calls = calls  # type: ignore[attr-defined]
    yield test
    st.cache_data.clear()


def shown(test: AppTest) -> dict:
    """What the page shows: its headline figures, pictures, notes and problems."""
    assert not test.exception, [e.value for e in test.exception]
    return {
        "metrics": {m.label: (m.value, m.delta) for m in test.metric},
        "pictures": [image.proto.imgs[0].url for image in test.image],
        "info": [i.value for i in test.info],
        "captions": [c.value for c in test.caption],
        "errors": [e.value for e in test.error],
    }


def test_the_page_renders_the_baseline(page):
    page.run()
    first = shown(page)
    assert page.calls == [3, 3, 3]
    assert len(first["metrics"]) == 8 and not first["errors"]  # four of deals, four of money
    assert first["metrics"]["CAC"][0].startswith("$")
    win = next(label for label in first["metrics"] if label.startswith("win rate"))
    assert first["metrics"][win][0].endswith("%") and not first["metrics"][win][1]
    assert len(first["pictures"]) == 1
    assert any("CI" in caption for caption in first["captions"])
    assert "Move a lever" in first["info"][0]
    assert page.subheader[0].value.startswith("baseline: 3 simulated runs, seed 1")
    assert page.markdown[-1].value.startswith("- Day 0:")  # the story of a deal has begun
    assert [b.label for b in page.download_button] == [
        "Scenario (TOML)",
        "deals.csv",
        "summary.json",
        "Results folder (zip)",
    ]


def test_a_slider_updates_the_figures_and_compares_then_moving_back_is_cached(page):
    page.run()
    before = shown(page)
    page.slider(key=STALLERS).set_value(6).run()
    after = shown(page)
    assert page.calls == [3, 3, 3, 6, 6, 6]  # the unchanged run came from the cache
    assert after["pictures"] != before["pictures"]
    assert after["metrics"] != before["metrics"]
    assert all(delta for _, delta in after["metrics"].values())  # each with its change
    verdict = after["info"][0]
    assert verdict.startswith(r"Against baseline (unchanged), baseline (changed) ") or (
        "are not distinguishable from" in verdict
    )
    assert "`committee.stallers=6`" in page.markdown[0].value
    assert "committee-sim run baseline --set scenario.warmup_days=100.0" in after["captions"][0]
    assert len(after["pictures"]) == 1 and len(page.table) == 2  # comparison and summary
    page.slider(key=STALLERS).set_value(3).run()
    back = shown(page)
    assert page.calls == [3, 3, 3, 6, 6, 6]  # nothing simulated again
    assert back["pictures"] == before["pictures"]
    assert back["metrics"] == before["metrics"]
    assert app.FROM_CACHE in back["captions"]


def test_a_change_that_is_not_allowed_is_said_not_raised(page):
    page.run()
    page.slider(key=app.widget_key("baseline", "marketing.web_content")).set_value(0.5).run()
    errors = shown(page)["errors"]
    assert len(errors) == 1 and errors[0].startswith("That change is not possible: ")
    assert "tactics' shares of proactive time" in errors[0]
    assert not page.metric


def test_a_deal_is_followed_step_by_step(page):
    page.run()
    page.selectbox(key="outcome").set_value("no_decision").run()
    assert "Outcome: no decision" in page.markdown[-2].value
    steps = page.markdown[-1].value.count("\n- ") + 1
    page.button(key="next").click().run()
    assert page.markdown[-1].value.count("\n- ") + 1 == steps + 1
    assert len(page.image) == 1  # not yet the deal's timeline
    page.button(key="whole").click().run()
    assert page.markdown[-1].value.splitlines()[-1].startswith(r"- Where the ")
    assert len(page.image) == 2  # the deal's timeline, at the end of its story
