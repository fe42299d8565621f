"""The HTML report: self-contained, never overwritten by accident, rendered by a real browser."""

from __future__ import annotations

import html
import re
import shutil

import pytest
from click.testing import CliRunner
from test_plots import WARMUP_DAYS, short, write_run

from sim.analysis.metrics import REGISTRY
from sim.analysis.replications import simulate
from sim.analysis.results_folder import write_results
from sim.cli import main
from sim.views.plots import figures, load_runs
from sim.views.report import FIGURE_CAPTIONS, comparison, render
from sim.views.summary_rows import FEATURE_ROWS, SHOWN_ELSEWHERE, metric_label
from sim.vocabulary import NO_DECISION_REASONS, Outcome


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    return [write_run(root / "baseline", "baseline"), write_run(root / "kit", "proactive_stallers")]


@pytest.fixture
def no_pixels(monkeypatch):
    """Figures drawn but not rendered to PNG, for tests of the page's words: much faster."""
    monkeypatch.setattr("sim.views.report.png_bytes", lambda figure: b"figure")


@pytest.fixture(scope="module")
def report(folders, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = CliRunner().invoke(main, ["report", *map(str, folders), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_report_is_self_contained(report):
    page = report.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page), (
        "the report must not need the network"
    )
    assert page.count('src="data:image/png;base64,') == 9  # seven summary figures, two timelines
    assert "proactive_stallers against baseline" in page and "Paired run by run" in page
    assert "95% CI" in page and "p-value" in page


def test_report_says_what_was_counted(report):
    """The summary table and the captions use the definitions of `sim.analysis.metrics`."""
    page = report.read_text(encoding="utf-8")
    window = f"days {WARMUP_DAYS} to 400 (0.8 years per run)"
    assert f"<td>counted window</td><td>{window}</td><td>{window}</td>" in page
    assert f"baseline: {window}; proactive_stallers: {window}." in page
    for name, metric in REGISTRY.items():
        if name in SHOWN_ELSEWHERE:
            continue
        if name in FEATURE_ROWS:  # neither scenario has feature requests: rows left out
            assert metric_label(name) not in page, name
            continue
        label = metric_label(name) + (" per year" if metric.pool == "sum" else " [95% CI]")
        assert f"<td>{html.escape(label)}</td>" in page, name
    assert "<td>win rate (counting open deals) [95% CI]</td>" in page
    assert "<td>median cycle (counting open deals) [95% CI]</td>" in page
    assert "<td>win rate (closed only) [95% CI]</td>" in page
    for outcome in Outcome:
        assert f"<td>counted deals: {html.escape(outcome.label)}</td>" in page
    for reason in NO_DECISION_REASONS:
        assert f"<td>no decision: {html.escape(reason.label)}</td>" in page
    assert re.search(r"<td>\$[\d,]+/yr \[-?\$[\d,]+/yr, \$[\d,]+/yr\]</td>", page), "net revenue"
    for name, caption in FIGURE_CAPTIONS.items():
        if name != "revenue_split":  # no partners in these scenarios
            assert f"<figcaption>{html.escape(caption)}</figcaption>" in page, name
    assert "eventually won" in FIGURE_CAPTIONS["win_rate"]
    assert "censored" in FIGURE_CAPTIONS["win_rate"]
    assert "warm-up" in FIGURE_CAPTIONS["pipeline"]


def test_report_is_never_overwritten_without_force(report, folders):
    before = report.read_bytes()
    result = CliRunner().invoke(main, ["report", str(folders[0]), "--out", str(report)])
    assert result.exit_code == 2
    assert (
        result.output == f"error: --out {report}: already exists; "
        "choose another file or pass --force to replace it\n"
    )
    assert report.read_bytes() == before


def test_report_says_when_seeds_differ_and_does_not_pair(tmp_path, folders):
    other = write_run(tmp_path / "seed2", "baseline", seed=2, overrides=["committee.stallers=6"])
    section = comparison(*load_runs([folders[0], other]))
    assert "The seeds differ (baseline (baseline): 1, baseline (seed2): 2)" in section
    assert "compared as independent samples" in section and "Paired run by run" not in section


def test_a_report_of_results_in_memory_is_the_report_of_their_folders(tmp_path, no_pixels):
    """`render` takes sim.simulate's results as they are: the page is the one `report` writes
    from the folders they are saved in, but for the pictures' pixels (tables are rounded there)."""
    runs = [simulate(short(name), 2, seed=1) for name in ("baseline", "founder_led")]
    for results in runs:
        write_results(tmp_path / results.scenario.scenario.name, results)
    folders = load_runs([tmp_path / "baseline", tmp_path / "founder_led"])

    def words(page: str) -> str:
        return re.sub(r"base64,[^\"]*", "base64,...", page)

    page = render(runs)
    assert page.count("base64,") == 9 and "founder_led against baseline" in page
    assert words(page) == words(render(folders))


def test_one_run_has_no_comparison(folders, no_pixels):
    runs = load_runs(folders[:1])
    page = render(runs)
    assert "<h2>Comparison" not in page
    assert "<h2>Parameters</h2>" in page and "committee.stallers" in page


# ---------------------------------------------------------------- in a real browser


def test_report_renders_in_chromium_with_every_figure(browser, report, folders, tmp_path_factory):
    browser.get(report.as_uri())
    expected = set(figures(load_runs(folders)))
    assert browser.title == "committee-sim report: baseline, proactive_stallers"
    images = browser.execute_script(
        "return Array.from(document.images).map(i => ({"
        "figure: i.closest('figure') && i.closest('figure').id, complete: i.complete,"
        " width: i.naturalWidth, shown: i.getBoundingClientRect().width}))"
    )
    assert {image["figure"] for image in images} == expected
    broken = [image["figure"] for image in images if not (image["complete"] and image["width"] > 0)]
    assert not broken, f"broken images: {broken}"
    assert all(image["shown"] > 100 for image in images), (
        "every figure is laid out at a visible size"
    )
    fetched = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert not [name for name in fetched if not name.startswith("data:")], (
        "the report fetched something"
    )
    text = browser.find_element("tag name", "body").text
    assert "proactive_stallers against baseline" in text and "win rate" in text
    shot = tmp_path_factory.getbasetemp() / "artefacts" / "report.png"
    shot.parent.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(shot))
    shutil.copy(report, shot.with_suffix(".html"))
    print(f"report screenshot: {shot}")
