"""The interactive page of `committee-sim app`: pick a scenario, move its levers, run, compare.

A Streamlit page, run by `streamlit run` (the `app` command starts it; nothing imports this
module). It draws nothing of its own: the summary rows, the pictures, the comparison, its
verdict and a deal's story are those of the command line and the report
(`sim.views.summary_rows`, `sim.views.plots`, `sim.analysis.compare`, `sim.views.trace`).

The first part holds plain functions (levers to overrides, a scenario as TOML, an uploaded
file), testable without Streamlit; the page's parts follow, each a small function. Results
are cached per (scenario text, seed, replications), so moving a slider back is instant.
"""

from __future__ import annotations

import hashlib
import io
import math
import tempfile
import time
import tomllib
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from sim.analysis.compare import paired_difference, verdict
from sim.analysis.metrics import LABELS, METRICS, OUTCOME_METRICS, UNITS, replication_metrics
from sim.analysis.replications import Results, collect
from sim.analysis.results_folder import summary_json, table_csv, write_results
from sim.analysis.summary import summarise
from sim.model.world import simulate_replication
from sim.scenario import (
    LISTS,
    SECTIONS,
    TACTICS,
    Scenario,
    ScenarioError,
    apply_overrides,
    load_scenario,
    validate,
)
from sim.scenario.catalogue import description, shipped_names, shipped_path
from sim.scenario.reference import toml_value
from sim.views.formatting import CI, in_unit
from sim.views.plots import Run, deal_timelines, figures, png_bytes, timeline_figure
from sim.views.report import FIGURE_CAPTIONS, TIMELINE_CAPTION
from sim.views.summary_rows import difference_cells, metric_label, report_rows
from sim.views.trace import TraceError, pick_deal, tell, timeline, traced_replication
from sim.vocabulary import Outcome

# ---------------------------------------------------------------- plain helpers


@dataclass(frozen=True)
class Lever:
    """A scenario value the page offers as a slider: its key, its label and the slider's top.

    The bottom, whether it takes whole numbers, and the help text come from the schema; a
    scenario whose value lies above `top` gets a slider that reaches it.
    """

    key: str  # "committee.stallers"; a partner's value is "partners.NAME.coverage"
    label: str
    top: float
    step: float = 1.0


SHARE = 0.01  # the step of a slider of shares
LEVERS: dict[str, tuple[Lever, ...]] = {
    "Buying committee": (
        Lever("committee.stallers", "stallers", 12),
        Lever("committee.nay_sayers", "nay-sayers", 5),
        Lever("committee.decision_makers", "decision makers", 5),
    ),
    "Sales": (
        Lever("reps.count", "reps", 15),
        Lever("reps.max_active_deals", "deals a rep works at once", 30),
        Lever("founder.max_active_deals", "deals the founder works at once (0: none)", 10),
        Lever("leads.arrivals_per_month", "leads a month", 30, 0.5),
    ),
    "Marketing": (
        Lever("marketing.staff", "marketing staff", 10),
        Lever("marketing.proactive_share", "proactive share of marketing time", 1, SHARE),
        *(
            Lever(
                f"marketing.{tactic}",
                f"{tactic.replace('_', ' ')} (share of proactive time)",
                1,
                SHARE,
            )
            for tactic in TACTICS
        ),
    ),
}
# Each partner's levers, as (key in [[partners]], label, top, step).
PARTNER_LEVERS = (
    ("coverage", "coverage: share of all accounts it covers", 1, SHARE),
    ("commission", "commission: share of first-year revenue", 1, SHARE),
    ("mindshare", "mindshare: attention its plan gives us", 1, SHARE),
    ("training", "training", 1, SHARE),
    ("staff", "salespeople", 100, 1.0),
)
MAX_PARTNERS = 6  # partners the page can add; a file may have more
# The headline figures, a row each: what deals do, then what it means in money.
HEADLINE = (OUTCOME_METRICS, ("cost_of_sales_per_year", "cac", "payback_months", "ltv_to_cac"))
LOWER_IS_BETTER = (
    "no_decision_rate",
    "cycle_days_median",
    "cost_of_sales_per_year",
    "cac",
    "payback_months",
)
# The pictures, in the order the page offers them; the first ones are drawn unless unticked.
PICTURES = {
    "cycle_length": "sales cycle (survival)",
    "funnel": "funnel",
    "outcomes": "how deals end",
    "time_use": "where the time goes",
    "revenue_split": "revenue split (with partners)",
    "timelines": "deal timelines",
    "win_rate": "win rate",
    "no_decision": "why no decision",
    "pipeline": "pipeline over time",
}
SHOWN_PICTURES = ("cycle_length", "funnel", "outcomes", "time_use", "revenue_split")
FROM_CACHE = "from the cache: this run was made before"
CHANGE = "change"  # what a faulty line of "more changes" is called in a message
# Replications run here, one at a time. The project's process pool would halve a run of 20
# baseline replications (0.95 s to 0.5 s on two cores) if its workers started cheaply, but under
# Streamlit this page is the `__main__` module, which every worker of a new pool imports again
# (Streamlit, pandas, matplotlib: over a second each), so 20 replications took 3 s instead of 1.
CACHED_REPLICATIONS = 1000  # about 0.2 MB each for the baseline


def field_of(key: str) -> Any:
    """The schema's field of 'section.key' or 'partners.NAME.key'."""
    section, _, rest = key.partition(".")
    model = SECTIONS.get(section) or LISTS[section]
    return model.model_fields[rest.rpartition(".")[2]]


def is_whole(key: str) -> bool:
    """Whether the value is a whole number (a count)."""
    return field_of(key).annotation in (int, "int")


def lowest(key: str, step: float) -> float:
    """The smallest value a slider offers: the schema's bound (a step above one it excludes)."""
    low = 0.0
    for bound in field_of(key).metadata:
        if getattr(bound, "ge", None) is not None:
            low = float(bound.ge)
        elif getattr(bound, "gt", None) is not None:
            low = float(bound.gt) + step
    return low


def help_text(key: str) -> str:
    """The schema's description of the value, with its unit."""
    field = field_of(key)
    unit = (field.json_schema_extra or {}).get("unit", "")
    return f"{field.description} ({unit}; `{key}`)"


def value_of(scenario: Scenario, key: str) -> Any:
    """The scenario's value of 'section.key' or 'partners.NAME.key'."""
    section, _, rest = key.partition(".")
    if section in LISTS:
        name, _, name_key = rest.rpartition(".")
        partner = next(p for p in scenario.partners if p.name == name)
        return getattr(partner, name_key)
    return getattr(getattr(scenario, section), rest)


def partner_levers(scenario: Scenario) -> tuple[Lever, ...]:
    """The levers of each of the scenario's partners."""
    return tuple(
        Lever(f"partners.{partner.name}.{key}", f"{partner.name}: {label}", top, step)
        for partner in scenario.partners
        for key, label, top, step in PARTNER_LEVERS
    )


def levers_of(scenario: Scenario) -> dict[str, tuple[Lever, ...]]:
    """Every lever the page shows for this scenario, by group."""
    return {**LEVERS, "Channel partners": partner_levers(scenario)}


def changes(scenario: Scenario, values: Mapping[str, Any]) -> list[str]:
    """The 'section.key=value' overrides that make `scenario` have the levers' `values`."""
    return [
        f"{key}={toml_value(value)}"
        for key, value in values.items()
        if not _same(value, value_of(scenario, key))
    ]


def _same(a: Any, b: Any) -> bool:
    return bool(a == b or (isinstance(a, float) and isinstance(b, float) and math.isclose(a, b)))


def written_changes(text: str) -> list[str]:
    """The lines of the 'more changes' box: one section.key=value a line ('--set' allowed).

    Blank lines and lines starting with '#' are left out.
    """
    lines = (line.strip().removeprefix("--set").strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def with_partners(data: dict[str, Any], count: int) -> dict[str, Any]:
    """Scenario data with `count` partners: the first ones kept, new ones at the defaults."""
    partners = list(data.get("partners", []))[:count]
    names = {partner.get("name") for partner in partners}
    number = 1
    while len(partners) < count:
        name = f"Partner {number}"
        number += 1
        if name not in names:
            partners.append({"name": name})
            names.add(name)
    return {**data, "partners": partners}


def window_changes(scenario: Scenario, warmup_days: float, counted_days: float) -> list[str]:
    """Overrides that give the run this warm-up and counted window (none if they are its own)."""
    info = scenario.scenario
    wanted = {"warmup_days": warmup_days, "horizon_days": warmup_days + counted_days}
    return [
        f"scenario.{key}={toml_value(float(value))}"
        for key, value in wanted.items()
        if not _same(float(value), getattr(info, key))
    ]


def build(
    scenario: Scenario, overrides: Sequence[str], partners: int | None = None, name: str = ""
) -> Scenario:
    """The scenario with `partners` partners (unless None) and the overrides; validated.

    A mistake is a ScenarioError whose message names `name` (or the scenario's name).
    """
    data = scenario.to_dict()
    if partners is not None and partners != len(scenario.partners):
        data = with_partners(data, partners)
    merged = apply_overrides(data, overrides, origin=CHANGE)
    return validate(merged, source=name or scenario.scenario.name)


def scenario_toml(scenario: Scenario, comments: Sequence[str] = ()) -> str:
    """The scenario as a TOML file that `committee-sim run` reads back to the same scenario.

    Every value is written (a `base` it came from is already merged in), after the
    `comments` lines.
    """
    data = scenario.to_dict()
    lines = [f"# {line}" for line in comments]
    for section in SECTIONS:
        values = {key: value for key, value in data[section].items() if key != "base"}
        lines += ["", f"[{section}]", *(f"{key} = {toml_value(v)}" for key, v in values.items())]
    for section in LISTS:
        for entry in data[section]:
            lines += ["", f"[[{section}]]"]
            lines += [f"{key} = {toml_value(value)}" for key, value in entry.items()]
    return "\n".join(lines).lstrip("\n") + "\n"


def from_toml(text: str, name: str = "the app's scenario") -> Scenario:
    """A scenario from TOML text without a `base` (what `scenario_toml` writes)."""
    return validate(tomllib.loads(text), source=name)


def load_upload(data: bytes, filename: str) -> Scenario:
    """An uploaded scenario file. A `base` it names may be a shipped scenario's file name.

    Messages name the file as uploaded, not the temporary folder it is read from.
    """
    shown = Path(filename).name or "uploaded.toml"
    with tempfile.TemporaryDirectory(prefix="committee-sim-upload-") as folder:
        for name in shipped_names():
            (Path(folder) / f"{name}.toml").write_bytes(shipped_path(name).read_bytes())
        path = Path(folder) / shown
        path.write_bytes(data)
        try:
            return load_scenario(path)
        except ScenarioError as exc:
            raise ScenarioError(str(exc).replace(f"{folder}/", "")) from None


def command_line(source: str, overrides: Sequence[str], seed: int, replications: int) -> str:
    """The `committee-sim run` command of the same run, its --set values quoted for a shell."""
    import shlex

    sets = " ".join(f"--set {shlex.quote(text)}" for text in overrides)
    return " ".join(
        part
        for part in ("committee-sim run", shlex.quote(source), sets, f"-n {replications}")
        if part
    ) + (f" --seed {seed}" if seed != 1 else "")


def comparison_rows(diff: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    """The comparison table of `committee-sim compare`: A, B, B - A, its interval and p."""
    columns = ("A", "B", "B - A", f"{CI} of B - A", "p")
    rows = []
    for metric in METRICS:
        entry = diff[metric]
        cells = difference_cells(entry["a"], entry["b"], entry, UNITS[metric])
        rows.append({"metric": LABELS[metric], **dict(zip(columns, cells, strict=True))})
    return rows


def results_zip(results: Results, summary: dict[str, Any]) -> bytes:
    """The results folder `committee-sim run --out` writes, as a zip file."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="committee-sim-results-") as folder:
        out = Path(folder) / "results"
        write_results(out, results, summary)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(out.iterdir()):
                archive.write(path, f"results/{path.name}")
    return buffer.getvalue()


def plain(text: str) -> str:
    """Text shown as written where Streamlit reads Markdown: '$5' is money, not mathematics."""
    return "".join(f"\\{char}" if char in MARKDOWN else char for char in text)


MARKDOWN = set("\\`*_{}[]<>#|~$")  # characters Markdown (and its mathematics) would read


def widget_key(source: str, name: str) -> str:
    """The key of a widget that belongs to one scenario (its levers, its window)."""
    return f"{source} | {name}"


# ---------------------------------------------------------------- cached work


class Progress:
    """A progress bar of one run, shown once a replication had to be simulated."""

    def __init__(self, label: str, total: int):
        self.label, self.total = label, total
        self.bar: Any = None

    def show(self, done: int) -> None:
        text = f"Simulating {self.label}: {done} of {self.total} runs"
        if self.bar is None:
            self.bar = st.progress(0.0, text=text)
        self.bar.progress(min(1.0, done / self.total), text=text)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.empty()


# The replications simulated during this run of the page (the cache's misses): the page's
# module is made anew each time the page runs.
FRESH: list[int] = []


@st.cache_resource(max_entries=64)
def scenario_of(text: str) -> Scenario:
    """The scenario of a TOML text, validated once (a scenario is immutable: it is shared)."""
    return from_toml(text)


@st.cache_data(max_entries=CACHED_REPLICATIONS, show_spinner=False)
def replication(text: str, seed: int, number: int) -> dict[str, Any]:
    """One replication's tables, as `simulate` collects them.

    Cached one by one, outside any element of the page (a progress bar drawn inside a cached
    function would be drawn again wherever the cache answers), and so that a run of more
    replications reuses those made before.
    """
    FRESH.append(number)
    return simulate_replication(scenario_of(text), seed, number)


def results_of(text: str, seed: int, replications: int) -> Results:
    """The result tables of a run, from its cached replications."""
    parts = [replication(text, seed, number) for number in range(replications)]
    return collect(parts, scenario_of(text), seed)


@st.cache_data(max_entries=64, show_spinner=False)
def measured(text: str, seed: int, replications: int) -> dict[str, Any]:
    """A run's summary (summary.json's) and its metrics per replication (what `compare` pairs)."""
    results = results_of(text, seed, replications)
    return {"summary": summarise(results), "metrics": replication_metrics(results)}


@st.cache_data(max_entries=64, show_spinner=False)
def pictures(
    runs: tuple[tuple[str, str], ...], seed: int, replications: int, chosen: tuple[str, ...]
) -> dict[str, bytes]:
    """The chosen pictures of runs given as (name, scenario text), as PNG bytes."""
    drawn = [
        Run(
            name,
            results_of(text, seed, replications),
            measured(text, seed, replications)["summary"],
        )
        for name, text in runs
    ]
    images = {
        name: png_bytes(figure)
        for name, figure in figures(drawn, timelines=False).items()
        if name in chosen
    }
    if "timelines" in chosen:
        for run in drawn:
            figure = deal_timelines(run)
            if figure is not None:
                images[f"timelines {run.name}"] = png_bytes(figure)
    return images


@st.cache_data(max_entries=32, show_spinner=False)
def traced(text: str, seed: int, replication: int) -> tuple[Any, list[Any]]:
    """One replication run with the event log on: its deal table and the log."""
    return traced_replication(scenario_of(text), seed, replication)


@st.cache_data(max_entries=16, show_spinner=False)
def uploaded(data: bytes, filename: str) -> str:
    """An uploaded scenario file as the page's TOML text."""
    return scenario_toml(load_upload(data, filename))


# ---------------------------------------------------------------- the page


@dataclass(frozen=True)
class Setup:
    """What the sidebar chose: the scenario, how to run it, and whether to compare."""

    source: str  # the shipped name or the uploaded file's name
    scenario: Scenario
    seed: int
    replications: int
    window: list[str]  # overrides of the warm-up and horizon, for both sides
    compare: bool


def main() -> None:
    st.set_page_config(page_title="committee-sim", layout="wide")
    st.title("committee-sim: buying committees, reps and marketing")
    setup = sidebar()
    wanted, count, more = levers(setup)
    try:
        base = build(setup.scenario, setup.window, name=setup.source)
        changed = build(base, [*wanted, *more], count, name=f"{setup.source} with your changes")
    except ScenarioError as exc:
        st.error(plain(f"That change is not possible: {exc}"))
        st.stop()
    base_text, changed_text = scenario_toml(base), scenario_toml(changed)
    altered = changed_text != base_text
    show_changes(setup, [*wanted, *more], count, altered)
    names = (f"{setup.source} (unchanged)", f"{setup.source} (changed)")
    label = names[1] if altered else setup.source
    started = time.perf_counter()
    run, ran = run_once(changed_text, setup, label)
    runs: list[tuple[str, str]] = [(label, changed_text)]
    diff = None
    if altered and setup.compare:
        before, ran_before = run_once(base_text, setup, names[0])
        ran += ran_before
        diff = paired_difference(before["metrics"], run["metrics"])
        runs.insert(0, (names[0], base_text))
    took = time.perf_counter() - started
    headline(label, run["summary"], diff, f"simulated in {took:.1f} s" if ran else FROM_CACHE)
    if diff is not None:
        comparison(diff, names)
    elif altered:
        st.caption("Switch on the comparison in the sidebar to see what your changes do.")
    else:
        st.info(
            "Move a lever in the sidebar: the page runs the changed company and compares it "
            "with this one, simulated run by simulated run."
        )
    show_pictures(tuple(runs), setup)
    summary_table(runs, setup)
    follow_a_deal(changed_text, changed, setup, label)
    downloads(changed_text, run, setup, [*wanted, *more])


def sidebar() -> Setup:
    """The scenario (shipped or uploaded), replications, seed, window and the comparison switch."""
    with st.sidebar:
        st.header("Scenario")
        names = shipped_names()
        kind = st.radio(
            "Start from", ("a shipped scenario", "my own file"), key="kind", horizontal=True
        )
        if kind == "my own file":
            source, scenario = upload()
        else:
            default = names.index("baseline") if "baseline" in names else 0
            source = st.selectbox("Shipped scenario", names, index=default, key="shipped")
            st.caption(plain(description(source)))
            scenario = load_scenario(shipped_path(source))
        st.header("Run")
        replications = st.slider(
            "Simulated runs (independent histories of the company)",
            2,
            200,
            20,
            key="replications",
            help="Each simulated run (a replication, in the result files) is a history of "
            "the company of its own; more give narrower intervals and take longer (about "
            "50 ms each for the baseline).",
        )
        seed = int(
            st.number_input(
                "Seed", 0, 2**31 - 1, 1, key="seed", help="The same seed gives the same results."
            )
        )
        info = scenario.scenario
        warmup = st.number_input(
            "Warm-up (days simulated, not counted)",
            0.0,
            36500.0,
            float(info.warmup_days),
            step=10.0,
            key=widget_key(source, "warmup"),
        )
        counted = st.number_input(
            "Counted window (days)",
            1.0,
            36500.0,
            float(info.horizon_days - info.warmup_days),
            step=10.0,
            key=widget_key(source, "counted"),
        )
        compare = st.toggle(
            "Compare with the unchanged scenario",
            True,
            key="compare",
            help="Both run with the same seed: the changed company's run r sees the "
            "same leads and the same dice as the unchanged one's (common random numbers).",
        )
    return Setup(
        source,
        scenario,
        seed,
        int(replications),
        window_changes(scenario, float(warmup), float(counted)),
        compare,
    )


def upload() -> tuple[str, Scenario]:
    """The uploaded scenario file, or a stop with what is wrong with it."""
    file = st.file_uploader("Scenario file (TOML)", type=["toml"], key="upload")
    if file is None:
        st.info("Upload a scenario file (committee-sim init my.toml writes one to start from).")
        st.stop()
    try:
        text = uploaded(file.getvalue(), file.name)
    except ScenarioError as exc:
        st.error(plain(str(exc)))
        st.stop()
    return file.name, from_toml(text, file.name)


def levers(setup: Setup) -> tuple[list[str], int, list[str]]:
    """The sliders, by group: the overrides they make, the partners wanted and more changes."""
    scenario = setup.scenario
    with st.sidebar:
        st.header("Change the company")
        count = int(
            st.number_input(
                "Channel partners",
                0,
                max(MAX_PARTNERS, len(scenario.partners)),
                len(scenario.partners),
                key=widget_key(setup.source, "partners"),
                help="Partners added here start at the defaults (committee-sim params partners).",
            )
        )
        shaped = build(scenario, [], count)
        values: dict[str, Any] = {}
        for group, members in levers_of(shaped).items():
            with st.expander(group, expanded=group == "Buying committee"):
                for lever in members:
                    values[lever.key] = slider(setup.source, lever, value_of(shaped, lever.key))
        with st.expander("More changes"):
            more = written_changes(
                st.text_area(
                    "One section.key=value a line, as --set takes them",
                    "",
                    key=widget_key(setup.source, "more"),
                    help="Any value of the scenario: committee-sim params lists them all.",
                )
            )
    return changes(shaped, values), count, more


def slider(source: str, lever: Lever, current: Any) -> Any:
    """One lever's slider, starting at the scenario's value."""
    whole = is_whole(lever.key)
    low = lowest(lever.key, lever.step)
    top = max(lever.top, current)
    if whole:
        return st.slider(
            lever.label,
            int(low),
            int(top),
            int(current),
            1,
            key=widget_key(source, lever.key),
            help=help_text(lever.key),
        )
    return st.slider(
        lever.label,
        low,
        float(top),
        float(current),
        lever.step,
        key=widget_key(source, lever.key),
        help=help_text(lever.key),
    )


def show_changes(setup: Setup, overrides: list[str], count: int, altered: bool) -> None:
    """What changed, and the same run on the command line."""
    if not altered:
        return
    partners = len(setup.scenario.partners)
    listed = [f"`{text}`" for text in overrides]
    if count != partners:
        listed.insert(0, f"{count} channel partners instead of {partners}")
    st.markdown("**Your changes:** " + ", ".join(listed))
    if count == partners:  # (partners added or removed: only the downloaded scenario has them)
        line = command_line(
            setup.source, [*setup.window, *overrides], setup.seed, setup.replications
        )
        st.caption(f"The same run on the command line: `{line}`")


def run_once(text: str, setup: Setup, label: str) -> tuple[dict[str, Any], int]:
    """A run, from the cache as far as it was made before, with a progress bar while it runs.

    Returns the run's `measured` figures and how many replications were simulated for it now
    (0: all from the cache).
    """
    progress = Progress(label, setup.replications)
    before = len(FRESH)
    try:
        for number in range(setup.replications):
            replication(text, setup.seed, number)
            if len(FRESH) > before:
                progress.show(number + 1)
        return measured(text, setup.seed, setup.replications), len(FRESH) - before
    finally:
        progress.close()


def headline(
    name: str, summary: dict[str, Any], diff: dict[str, dict[str, Any]] | None, note: str
) -> None:
    """The headline figures with their intervals (and the change, when comparing)."""
    st.subheader(plain(f"{name}: {summary['replications']} simulated runs, seed {summary['seed']}"))
    st.caption(note)
    for row in HEADLINE:
        for column, metric in zip(st.columns(len(row)), row, strict=True):
            with column:
                headline_figure(metric, summary, diff)


def headline_figure(
    name: str, summary: dict[str, Any], diff: dict[str, dict[str, Any]] | None
) -> None:
    """One headline figure, its change when comparing, and its interval."""
    unit = UNITS[name]
    low, high = summary.get(f"{name}_ci", [math.nan, math.nan])
    delta = None if diff is None else in_unit(diff[name]["estimate"], unit, signed=True)
    st.metric(
        metric_label(name),
        in_unit(summary[name], unit),
        delta,
        delta_color="inverse" if name in LOWER_IS_BETTER else "normal",
    )
    st.caption(plain(f"{CI} {in_unit(low, unit)} to {in_unit(high, unit)}"))


def comparison(diff: dict[str, dict[str, Any]], names: tuple[str, str]) -> None:
    """The paired comparison table and its plain-language verdict."""
    st.subheader(plain(f"B = {names[1]} against A = {names[0]}"))
    st.info(plain(verdict(diff, *names)))
    st.table(comparison_rows(diff))
    st.caption(
        "Paired run by run: both scenarios used the same seed, so their simulated runs r "
        "saw the same leads and the same dice."
    )


def show_pictures(runs: tuple[tuple[str, str], ...], setup: Setup) -> None:
    """The chosen pictures, the changed and unchanged scenario side by side in each."""
    st.subheader("Pictures")
    chosen = st.multiselect(
        "Pictures to draw",
        list(PICTURES),
        list(SHOWN_PICTURES),
        format_func=PICTURES.__getitem__,
        key="pictures",
    )
    images = pictures(runs, setup.seed, setup.replications, tuple(chosen))
    for name, data in images.items():
        caption = FIGURE_CAPTIONS.get(name, TIMELINE_CAPTION)
        st.image(data, caption=caption)


def summary_table(runs: list[tuple[str, str]], setup: Setup) -> None:
    """Every figure of the summary, as `committee-sim run` prints it."""
    with st.expander("All figures of the summary"):
        summaries = [measured(text, setup.seed, setup.replications)["summary"] for _, text in runs]
        rows = report_rows(summaries)
        st.table(
            [
                {"measure": label, **dict(zip([name for name, _ in runs], values, strict=True))}
                for label, values in rows
            ]
        )


def follow_a_deal(text: str, scenario: Scenario, setup: Setup, name: str) -> None:
    """One deal's story, step by step, and its timeline (`committee-sim trace`)."""
    st.subheader("Follow one deal")
    st.caption(plain(f"A deal of {name}, as committee-sim trace tells it."))
    left, middle, right = st.columns(3)
    outcome = left.selectbox(
        "A deal that ended",
        Outcome.keys(),
        key="outcome",
        format_func=lambda key: Outcome.from_key(key).label,
    )
    replication = int(
        middle.number_input("Simulated run", 0, setup.replications - 1, 0, key="replication")
    )
    wanted = right.number_input(
        "Deal number (blank: the first with that ending)", 0, None, None, key="deal"
    )
    deals, log = traced(text, setup.seed, replication)
    try:
        deal = pick_deal(
            deals,
            None if wanted is None else int(wanted),
            None if wanted is not None else outcome,
            replication,
        )
    except TraceError as exc:
        st.warning(plain(exc.problem))
        return
    story = tell(log, deal, scenario, setup.seed)
    place = (
        f"{hashlib.sha256(text.encode()).hexdigest()} {setup.seed} {replication} {deal['deal_id']}"
    )
    first = next((i for i, line in enumerate(story) if line.startswith("Day ")), 1)
    step = stepper(place, first + 1, len(story))
    st.markdown("\n\n".join(plain(line) for line in story[:first]))
    st.markdown("\n".join(f"- {plain(line)}" for line in story[first:step]))
    if step >= len(story):
        title = (
            f"deal {deal['deal_id']}: {Outcome.from_key(str(deal['outcome'])).label}, "
            f"{deal['age_days']:.0f} days"
        )
        figure = timeline_figure(
            f"{setup.source}: one deal's timeline", [title], [timeline(log, deal)]
        )
        st.image(png_bytes(figure), caption=TIMELINE_CAPTION)


def stepper(place: str, start: int, steps: int) -> int:
    """Buttons that tell the story a step at a time: how many of its lines to show now.

    `place` names the story; another story starts again at `start` lines.
    """
    if st.session_state.get("story") != place:
        st.session_state["story"], st.session_state["step"] = place, start
    back, forward, whole = st.columns(3)
    if back.button("Back a step", key="back"):
        st.session_state["step"] = max(start, st.session_state["step"] - 1)
    if forward.button("Next step", key="next"):
        st.session_state["step"] = min(steps, st.session_state["step"] + 1)
    if whole.button("The whole story", key="whole"):
        st.session_state["step"] = steps
    return int(st.session_state["step"])


def downloads(text: str, run: dict[str, Any], setup: Setup, overrides: list[str]) -> None:
    """The scenario as TOML, and the results as `committee-sim run --out` writes them.

    The results are written when a button is pressed, from this run's replications (taken
    from the cache now: the writing runs outside the page).
    """
    st.subheader("Take it with you")
    parts = [replication(text, setup.seed, number) for number in range(setup.replications)]
    scenario, seed, summary = scenario_of(text), setup.seed, run["summary"]

    def results() -> Results:
        return collect(parts, scenario, seed)

    comments = [
        f"{setup.source}, changed in committee-sim app: {', '.join(overrides)}"
        if overrides
        else f"{setup.source}, written by committee-sim app"
    ]
    columns = st.columns(4)
    downloads_of: list[tuple[str, str | bytes | Callable[[], bytes], str, str]] = [
        (
            "Scenario (TOML)",
            scenario_toml(scenario, comments),
            "scenario.toml",
            "application/toml",
        ),
        ("deals.csv", lambda: table_csv(results().deals), "deals.csv", "text/csv"),
        (
            "summary.json",
            lambda: summary_json(summary).encode("utf-8"),
            "summary.json",
            "application/json",
        ),
        (
            "Results folder (zip)",
            lambda: results_zip(results(), summary),
            "results.zip",
            "application/zip",
        ),
    ]
    for column, (label, data, file_name, mime) in zip(columns, downloads_of, strict=True):
        column.download_button(
            label, data, file_name, mime, key=f"download {file_name}", on_click="ignore"
        )


if __name__ == "__main__":
    main()
