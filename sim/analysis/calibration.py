"""Calibrate a scenario to a CRM export: what the data show directly, then what only the model can.

Direct estimates (counts, rates, values, the team) come from the export's columns with
their sampling intervals. The behavioural parameters are fitted by simulation
(`sim.analysis.fitting`): the base scenario, set to the export's lead flow, values and
team, is simulated over the export's own window, after a warm-up, and censored on its
as-of date exactly as the export is, so open deals count the same way on both sides.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

import numpy as np
import pandas as pd

from ..model.world import simulate_replication
from ..scenario.crm import CrmExport, is_rep, model_source, model_stage
from ..scenario.loading import validate
from ..scenario.schema import Scenario
from ..vocabulary import CRM_OUTCOMES, DAYS_PER_MONTH, CrmOutcome, Outcome, Source, Stage
from .fitting import (
    Z_95,
    Design,
    Estimate,
    Fit,
    Moment,
    Scale,
    Unknown,
    Window,
    bootstrap_covariance,
    estimates,
    fit_moments,
    moment_covariance,
    moment_values,
    pooled,
    usable_moments,
)
from .metrics import days
from .replications import in_order
from .survival import km_quantile

# The behavioural parameters an export can inform, and the range each is searched over.
UNKNOWNS = (
    Unknown(
        "leads.patience_mean_days",
        Scale.LOG,
        20.0,
        3000.0,
        "how many deals end in no decision, and how long they stay open first",
    ),
    Unknown(
        "leads.disqualify_probability",
        Scale.LOGIT,
        0.002,
        0.9,
        "the share disqualified",
    ),
    Unknown(
        "competition.competitor_weight",
        Scale.LOG,
        0.01,
        20.0,
        "the share lost to a competitor",
    ),
    Unknown(
        "committee.status_quo_weight",
        Scale.LOG,
        0.01,
        50.0,
        "the share of committees that decide to do nothing",
    ),
    Unknown(
        "committee.staller_meeting_days",
        Scale.LOG,
        0.2,
        60.0,
        "how long won deals take",
    ),
)
MIN_OPPORTUNITIES = 10 * len(UNKNOWNS)  # fewer could not inform the behaviour at all
MIN_REPLICATIONS = 4  # a search point pools at least this many windows: simulation's own
# noise adds at most a quarter to the variance of the fitted values
RECENT_DAYS = 182.0  # the team: owners of open deals or of deals created this recently
ARRIVAL_ROUNDS = 2  # simulate-and-rescale rounds that set the lead flow
DIGITS = 4  # significant digits of a calibrated value (of a share: decimal places)


class CalibrationError(ValueError):
    """An export calibration cannot work from (too few opportunities)."""


class Method(Enum):
    """How a calibrated value was found, for the file's comments and the report."""

    COUNTED = "counted"  # a count of the export's rows
    RATE = "rate"  # a Poisson rate over the export's window, scaled by a simulation
    LOGNORMAL = "lognormal"  # maximum likelihood over the amounts
    MEAN = "mean"  # the mean of a column
    SIMULATION = "simulation"  # the method of simulated moments


@dataclass(frozen=True)
class Setting:
    """A calibrated scenario value, its 95% interval (NaN if none) and what it rests on."""

    key: str
    value: float
    low: float
    high: float
    method: Method
    rows: int  # export rows behind it
    identified: bool = True


@dataclass(frozen=True)
class Evidence:
    """The export as the calibration reads it."""

    window: Window
    start: pd.Timestamp
    as_of: pd.Timestamp
    sources: dict[Source, int]
    amounts: np.ndarray  # positive amounts
    owners: tuple[str, ...]  # the current team
    contacts: np.ndarray  # committee sizes where known
    partner_deals: int

    @classmethod
    def of(cls, export: CrmExport) -> Evidence:
        table = export.opportunities
        start = table["created_date"].min()
        as_of = export.as_of
        created = (table["created_date"] - start).dt.days.to_numpy(float)
        closed = (table["closed_date"] - start).dt.days.to_numpy(float)
        outcome = np.array([CrmOutcome.from_key(key) for key in table["outcome"]], dtype=np.int8)
        window = Window(created, closed, outcome, float((as_of - start).days))
        sources = [
            model_source(s, p) for s, p in zip(table["source"], table["partner"], strict=True)
        ]
        amounts = table["amount"].to_numpy(float)
        recent = (outcome == CrmOutcome.OPEN) | (created >= window.days - RECENT_DAYS)
        contacts = table["contacts"].to_numpy(float)
        return cls(
            window=window,
            start=start,
            as_of=as_of,
            sources={source: sources.count(source) for source in Source},
            amounts=amounts[amounts > 0],
            owners=tuple(sorted({o for o in table["owner"][recent] if is_rep(o)})),
            contacts=contacts[~np.isnan(contacts)],
            partner_deals=sources.count(Source.PARTNER),
        )

    @property
    def months(self) -> float:
        return (self.window.days + 1) / DAYS_PER_MONTH


@dataclass(frozen=True)
class StageTime:
    """How long opportunities stayed in one CRM stage: until the next stage or the close,
    those still in it on the as-of date censored (Kaplan-Meier quartiles)."""

    stage: str  # the CRM's name
    model_stage: Stage | None  # what it stands for in the model, if known
    entered: int  # opportunities that entered it
    left: int  # ... and left it by the as-of date
    quarter: float  # days: a quarter of them had left by then (NaN if never reached)
    median: float
    three_quarters: float


def stage_times(export: CrmExport, stage_map: dict[str, str] | None = None) -> list[StageTime]:
    """Time in each stage of the export's stage history, in the order stages are first
    entered; `stage_map` as `calibrate`'s."""
    if export.stages is None or export.stages.empty:
        return []
    table = export.opportunities.set_index("opportunity_id")
    history = export.stages.sort_values(["opportunity_id", "entered_date"], kind="stable")
    ends = history.groupby("opportunity_id")["entered_date"].shift(-1)  # the next stage's entry
    closed = table["closed_date"].reindex(history["opportunity_id"]).to_numpy()
    end = ends.to_numpy(dtype="datetime64[ns]")
    end = np.where(np.isnat(end), closed, end)
    left = ~np.isnat(end)
    end = np.where(left, end, np.datetime64(export.as_of))
    days = (end - history["entered_date"].to_numpy()).astype("timedelta64[D]").astype(float)
    times = []
    for stage in dict.fromkeys(history.sort_values("entered_date", kind="stable")["stage"]):
        rows = (history["stage"] == stage).to_numpy()
        ages, ended = days[rows], left[rows]
        times.append(
            StageTime(
                stage,
                model_stage(stage, export.format, stage_map),
                int(rows.sum()),
                int(ended.sum()),
                *(km_quantile(ages, ended, level) for level in (0.25, 0.5, 0.75)),
            )
        )
    return times


@dataclass(frozen=True)
class Check:
    """The export against companies simulated at the fitted values, each over the same window."""

    observed: Window
    simulated: list[Window]


@dataclass
class Calibration:
    """A calibrated scenario: what was set, how, and how well its simulated company fits."""

    scenario: Scenario
    base: Scenario
    settings: list[Setting]
    evidence: Evidence
    moments: tuple[Moment, ...]
    fit: Fit
    check: Check
    stage_times: list[StageTime]
    moment_covariance: np.ndarray  # of the export's moments, by simulation at the fitted values

    @property
    def j_statistic(self) -> float:
        """Hansen's J: the distance between the export's moments and the fitted model's that
        the parameters could not close, chi-squared with `degrees_of_freedom` if the model
        is right."""
        residual = self.fit.observed - self.fit.simulated
        return float(residual @ np.linalg.pinv(self.moment_covariance) @ residual)

    @property
    def degrees_of_freedom(self) -> int:
        return len(self.moments) - len(UNKNOWNS)


Progress = Callable[[int], None]


def calibrate(
    export: CrmExport,
    base: Scenario,
    seed: int = 1,
    workers: int | None = 1,
    progress: Progress | None = None,
    design: Design | None = None,
    stage_map: dict[str, str] | None = None,
) -> Calibration:
    """Calibrate `base` to `export`: direct estimates, the lead flow, then the behaviour.

    `stage_map` reads CRM stage names as model stages ({"Demo": "stallers"}) where the
    format's own map does not (for the report's time in each stage)."""
    design = design or Design()
    evidence = Evidence.of(export)
    window = evidence.window
    if len(window) < MIN_OPPORTUNITIES:
        raise CalibrationError(
            f"the export has {len(window)} opportunities to calibrate from; at least "
            f"{MIN_OPPORTUNITIES} are needed"
        )
    settings = direct_settings(evidence, base)
    scenario = _window_scenario(with_values(base, settings), window.days)
    runner = _Runner(scenario, seed, _per_point(len(window), design), workers, progress)
    flow = runner.set_lead_flow(evidence)
    moments = usable_moments(window)
    observed = moment_values(window, moments)
    weight = np.linalg.inv(bootstrap_covariance(window, moments, np.random.default_rng(seed)))
    start = np.array([u.scale.to_search(_value_of(runner.scenario, u.key)) for u in UNKNOWNS])
    fit = fit_moments(
        UNKNOWNS,
        start,
        observed,
        weight,
        lambda points: runner.moments_at(points, moments),
        np.random.default_rng([seed, 1]),
        design,
    )
    # Two-step GMM: the moments' covariance at the first estimates, by simulating companies
    # of the export's size there, gives the efficient weights; the check is at the second.
    inflation = 1.0 + 1.0 / runner.per_point
    first = runner.windows(with_values(runner.scenario, _at(fit.centre)), design.check, seed + 1)
    fit = fit.reweighted(np.linalg.pinv(moment_covariance(first, moments) * inflation))
    checked = runner.windows(with_values(runner.scenario, _at(fit.centre)), design.check, seed + 2)
    spread = moment_covariance(checked, moments)
    behaviour = [_setting(e, len(window)) for e in estimates(UNKNOWNS, fit, spread, inflation)]
    calibrated = [replace(s, value=rounded(s.value)) for s in [*settings, *flow, *behaviour]]
    return Calibration(
        scenario=with_values(base, calibrated),
        base=base,
        settings=calibrated,
        evidence=evidence,
        moments=moments,
        fit=fit,
        check=Check(window, checked),
        stage_times=stage_times(export, stage_map),
        moment_covariance=spread * inflation,
    )


def _per_point(opportunities: int, design: Design) -> int:
    """Replications pooled at each search point, each about as many deals as the export."""
    return max(MIN_REPLICATIONS, math.ceil(design.simulated_deals / max(opportunities, 1)))


def planned_replications(export: CrmExport, design: Design | None = None) -> int:
    """The most replications `calibrate` runs on this export (for a progress bar): fewer
    when the search settles before its last round."""
    design = design or Design()
    per_point = _per_point(len(export.opportunities), design)
    return per_point * (ARRIVAL_ROUNDS + design.rounds * design.points) + 2 * design.check


def direct_settings(evidence: Evidence, base: Scenario) -> list[Setting]:
    """What the export's columns show without a simulation: the team, deal values, committees."""
    settings = []
    if evidence.owners:
        count = len(evidence.owners)
        settings.append(Setting("reps.count", count, math.nan, math.nan, Method.COUNTED, count))
    amounts = evidence.amounts
    if len(amounts) >= 2:
        logs = np.log(amounts)
        n, mean, sd = len(logs), float(logs.mean()), float(logs.std(ddof=1))
        half = Z_95 * sd / math.sqrt(n)
        median = Setting(
            "leads.value_median",
            math.exp(mean),
            math.exp(mean - half),
            math.exp(mean + half),
            Method.LOGNORMAL,
            n,
        )
        settings.append(median)
        settings.append(_sigma_setting(sd, n))
    contacts = evidence.contacts
    if len(contacts) >= 2:
        params = base.committee
        others = params.nay_sayers + params.decision_makers
        size = float(contacts.mean())
        half = Z_95 * float(contacts.std(ddof=1)) / math.sqrt(len(contacts))
        stallers = max(0, round(size) - others)
        settings.append(
            Setting(
                "committee.stallers",
                stallers,
                max(0.0, size - half - others),
                size + half - others,
                Method.MEAN,
                len(contacts),
            )
        )
    return settings


def _sigma_setting(sd: float, n: int) -> Setting:
    from scipy import stats

    df = n - 1
    low = sd * math.sqrt(df / stats.chi2.ppf(0.975, df))
    high = sd * math.sqrt(df / stats.chi2.ppf(0.025, df))
    return Setting("leads.value_sigma", sd, low, high, Method.LOGNORMAL, n)


def _setting(estimate: Estimate, rows: int) -> Setting:
    return Setting(
        estimate.key,
        estimate.value,
        estimate.low,
        estimate.high,
        Method.SIMULATION,
        rows,
        estimate.identified,
    )


def rounded(value: float) -> float:
    """`value` to DIGITS significant digits: a calibrated value is written so, far finer
    than any of the intervals, and the scenario it makes is the file's."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, DIGITS - 1 - math.floor(math.log10(abs(value))))


def with_values(scenario: Scenario, settings: Sequence[Setting]) -> Scenario:
    """The scenario with each setting's value (integers where the schema wants them)."""
    data = scenario.to_dict()
    for setting in settings:
        section, name = setting.key.split(".")
        current = data[section][name]
        data[section][name] = round(setting.value) if isinstance(current, int) else setting.value
    return validate(data, source="calibration")


def _value_of(scenario: Scenario, key: str) -> float:
    section, name = key.split(".")
    return float(getattr(getattr(scenario, section), name))


def _window_scenario(scenario: Scenario, days: float) -> Scenario:
    """The scenario run over the export's window after its warm-up, cut on the as-of date."""
    data = scenario.to_dict()
    warmup = data["scenario"]["warmup_days"]
    data["scenario"]["horizon_days"] = warmup + days + 1.0  # the as-of date is a whole day
    return validate(data, source="calibration")


_CRM_CODE = np.array([CRM_OUTCOMES[outcome] for outcome in Outcome], dtype=np.int8)


def replication_window(scenario: Scenario, seed: int, replication: int) -> Window:
    """One simulated company's deals over the export's window, as the export would show them.

    Module-level: worker processes run it. Days become whole dates counted from the
    window's start, as the export's dates are.
    """
    deals = simulate_replication(scenario, seed, replication)["deals"]
    warmup = scenario.scenario.warmup_days
    counted = deals["counted"]
    created = np.floor(days(deals["created_day"][counted]) - warmup)
    closed = np.floor(days(deals["closed_day"][counted]) - warmup)
    outcome = _CRM_CODE[deals["outcome"][counted]]
    return Window(created, closed, outcome, scenario.scenario.horizon_days - warmup - 1.0)


class _Runner:
    """Simulates the calibrated company at search points, every point with the same seeds."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        per_point: int,
        workers: int | None,
        progress: Progress | None,
    ):
        self.scenario = scenario
        self.seed = seed
        self.per_point = per_point  # replications pooled at each search point
        self.workers = workers
        self.progress = progress

    def windows(self, scenario: Scenario, replications: int, seed: int) -> list[Window]:
        return self._run(replication_window, [scenario], replications, seed)

    def _run(
        self,
        replicate: Callable[[Scenario, int, int], Any],
        scenarios: list[Scenario],
        replications: int | None = None,
        seed: int | None = None,
    ) -> list[Any]:
        """Each scenario's replications' outputs, scenario by scenario, in order (by default
        the search's: `per_point` replications with the search's seed)."""
        outputs: list[Any] = []
        seed = self.seed if seed is None else seed
        replications = replications or self.per_point
        for _, block in in_order(
            replicate, scenarios, replications, seed, self.workers, self.progress
        ):
            outputs += block
        return outputs

    def moments_at(self, points: list[np.ndarray], moments: Sequence[Moment]) -> list[np.ndarray]:
        """The pooled moments of the company simulated at each search point."""
        scenarios = [with_values(self.scenario, _at(point)) for point in points]
        windows = self._run(replication_window, scenarios)
        k = self.per_point
        return [
            moment_values(pooled(windows[i : i + k]), moments) for i in range(0, len(windows), k)
        ]

    def set_lead_flow(self, evidence: Evidence) -> list[Setting]:
        """Lead arrivals and the sources' shares such that the simulated company's arrived
        leads match the export's, rate and mix: marketing's lead generation thins its leads,
        so the rates are set by simulation, rescaled until they match."""
        observed = np.array([evidence.sources[s] for s in DIRECT_SOURCES], dtype=float)
        if evidence.partner_deals and not self.scenario.partners:
            observed[0] += evidence.partner_deals  # no partners in the base: direct leads
        wanted = np.maximum(observed, 0.5)  # half a lead: a source never seen keeps a trace
        rows, months = int(observed.sum()), evidence.months
        rate, shares = rows / months, wanted / wanted.sum()
        for _ in range(ARRIVAL_ROUNDS):
            self.scenario = with_values(self.scenario, _flow(rate, shares, rows, months))
            arrived = np.mean(self._run(replication_sources, [self.scenario]), axis=0)
            rate *= observed.sum() / max(arrived.sum(), 1.0)
            shares = shares * wanted / np.maximum(arrived, 0.5)
            shares /= shares.sum()
        flow = _flow(rate, shares, rows, months)
        self.scenario = with_values(self.scenario, flow)
        return flow


DIRECT_SOURCES = (Source.MARKETING, Source.INBOUND_WEB, Source.FOUNDER_NETWORK)
_SHARE_KEYS = ("leads.marketing_share", "leads.inbound_web_share", "leads.founder_network_share")


def _flow(rate: float, shares: np.ndarray, rows: int, months: float) -> list[Setting]:
    """The lead-flow settings: arrivals a month and each source's share. The interval is the
    exact Poisson interval of the export's `rows` in `months`, scaled as the simulation
    scaled the observed rate."""
    from scipy import stats

    nan = math.nan
    scale = rate / (rows / months) if rows else 1.0
    low = stats.chi2.ppf(0.025, 2 * rows) / 2 / months * scale if rows else 0.0
    high = stats.chi2.ppf(0.975, 2 * rows + 2) / 2 / months * scale
    flow = [Setting("leads.arrivals_per_month", rate, low, high, Method.RATE, rows)]
    shares = np.round(shares, DIGITS)
    shares[np.argmax(shares)] += 1.0 - shares.sum()  # rounded, they still sum to 1
    flow += [
        Setting(key, round(float(share), DIGITS), nan, nan, Method.RATE, rows)
        for key, share in zip(_SHARE_KEYS, shares, strict=True)
    ]
    return flow


def replication_sources(scenario: Scenario, seed: int, replication: int) -> np.ndarray:
    """How many leads of each direct source arrived in the window of one simulated company."""
    deals = simulate_replication(scenario, seed, replication)["deals"]
    source = deals["source"][deals["counted"]]
    return np.array([np.count_nonzero(source == s) for s in DIRECT_SOURCES], dtype=float)


def _at(point: np.ndarray) -> list[Setting]:
    nan = math.nan
    return [
        Setting(u.key, u.scale.from_search(float(x)), nan, nan, Method.SIMULATION, 0)
        for u, x in zip(UNKNOWNS, point, strict=True)
    ]
