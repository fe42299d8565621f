"""What a CRM would show of simulated deals on a given day: synthetic exports.

`opportunities_from_deals` turns one replication's deal table into the normalised
opportunity and stage history tables of `sim.scenario.crm`, as of a day: deals created
after it are not there yet, and deals that closed after it are still open, in the stage
they were in that day. `sample_export` cuts a run the way the synthetic export script
does (a year of history before the counted window, and the known future after it).

Stage days, not stage order: the model books each day of a deal to a stage but does
not record when each stage began. A deal's days are laid out in journey order
(`JOURNEY`), each stage's days in one block; days waiting for marketing material
count as days with the stallers, whose requests they answer. A deal that waited for a
rep again after its rep left, or for material between staller meetings, had those
days interleaved instead, so its stage on a day and its stage entry dates are then
approximate (off by at most those waits).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ..model.world import simulate_replication
from ..scenario import Scenario, apply_overrides, validate
from ..scenario.crm import model_source
from ..scenario.crm.table import opportunity_frame, stage_frame
from ..vocabulary import CRM_OUTCOMES, DAYS_PER_YEAR, Outcome, Owner, Reason, Source, Stage, Term
from .replications import deal_table

# The stages a CRM shows, in the order a deal goes through them.
JOURNEY = (
    Stage.WAITING_FOR_REP,
    Stage.QUALIFYING,
    Stage.STALLERS,
    Stage.NAY_SAYERS,
    Stage.DECIDING,
    Stage.NEGOTIATING,
)
# Where the CRM books each model stage: waiting for material is part of the stallers' stage.
CRM_STAGE = {stage: stage for stage in Stage} | {Stage.MARKETING_MATERIAL: Stage.STALLERS}

# The lost reason a CRM user would pick for each way a deal ends other than a win, worded
# so that the default OutcomeRule reads each back as the model's outcome.
LOST_REASONS = {
    Reason.POOR_FIT: "Not a fit",
    Reason.MISREPRESENTATION: "Vetoed: the partner oversold the product",
    Reason.VETO: "Vetoed in security review",
    Reason.COMPETITOR: "Lost to competitor",
    Reason.INSIDE_JOB: "Went with incumbent",
    Reason.STATUS_QUO: "Status quo: decided to do nothing",
    Reason.NO_CONSENSUS: "No decision: the committee could not agree",
    Reason.PATIENCE_WAITING_FOR_REP: "Went dark waiting for a follow-up",
    Reason.PATIENCE_WAITING_FOR_MARKETING: "Lost momentum waiting for materials",
    Reason.PATIENCE_WITH_COMMITTEE: "Lost momentum during the evaluation",
    Reason.REP_LEFT: "No response after the rep changed",
    Reason.WENT_COLD: "Unresponsive: never contacted",
}
# A CRM's lead source text for each model source; `model_source` reads each back as it.
SOURCE_TEXTS = {
    Source.MARKETING: "Marketing campaign",
    Source.INBOUND_WEB: "Web",
    Source.FOUNDER_NETWORK: "Founder network",
    Source.PARTNER: "Partner referral",
}
FOUNDER = "founder"
UNASSIGNED = "unassigned"  # no seller yet: waiting for a rep, or went cold waiting
CHANNEL = "channel"  # a partner's deal no rep rescued: the channel manager's
HISTORY_DAYS = 365.0  # a synthetic export also holds the deals of the year before its window
FUTURE_COLUMNS = ("opportunity_id", "created_date", "closed_date", "outcome", "amount")

assert set(LOST_REASONS) == set(Reason) - {Reason.WON, Reason.OPEN}, "every ending has a text"
assert all(model_source(text) == source for source, text in SOURCE_TEXTS.items())


def opportunities_from_deals(
    deals: pd.DataFrame,
    start: pd.Timestamp,
    as_of_day: float,
    owners: Sequence[str] | None = None,
    since_day: float = -math.inf,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(opportunities, stage history) of one replication's deals as a CRM shows them on
    `as_of_day`, where day 0 is the date `start`.

    Deals created after `as_of_day` (or before `since_day`) are left out; deals that
    closed after it are open, with the stage they were in on that day and no lost
    reason. Dates are `start` plus the day, floored to a date. Owners are `owners[rep]`
    ("rep-<n>" beyond the list or without one), "founder", "unassigned" (no seller yet)
    or "channel" (a partner's deal with no rep on it). Stages are model stage keys.
    """
    if deals["replication"].nunique() > 1:
        raise ValueError("opportunities_from_deals takes one replication's deals")
    created = deals["created_day"].to_numpy(dtype=float)
    deals = deals[(created <= as_of_day) & (created >= since_day)]
    created = deals["created_day"].to_numpy(dtype=float)
    closed_day = deals["closed_day"].to_numpy(dtype=float)
    closed = closed_day <= as_of_day  # NaN (open at the horizon) compares False
    seen_until = np.where(closed, closed_day, as_of_day)  # the CRM knows the deal up to here
    days = journey_days(deals)
    entries = created[:, None] + np.cumsum(days, axis=1) - days
    stage = _last_entered(days, entries, seen_until, deals)
    outcome = _texts({kind: CRM_OUTCOMES[kind].key for kind in Outcome}, Outcome)
    lost_reason = _texts(LOST_REASONS, Reason)
    ids = _ids(deals)
    opportunities = opportunity_frame(
        {
            "opportunity_id": ids,
            "created_date": _dates(start, created),
            "closed_date": _dates(start, np.where(closed, closed_day, np.nan)),
            "outcome": np.where(closed, outcome[_codes(deals, "outcome", Outcome)], "open"),
            "lost_reason": np.where(closed, lost_reason[_codes(deals, "reason", Reason)], ""),
            "amount": deals["value"].to_numpy(dtype=float),
            "owner": _owners(deals, stage, owners),
            "source": _texts(SOURCE_TEXTS, Source)[_codes(deals, "source", Source)],
            "partner": [f"partner-{p}" if p >= 0 else "" for p in deals["partner"]],
            "contacts": deals["committee_size"].to_numpy(dtype=float),
            "stage": np.array(Stage.keys(), dtype=object)[stage],
        }
    )
    seen = (days > 0) & (entries <= seen_until[:, None])
    row, column = np.nonzero(seen)  # row-major: each deal's stages in journey order
    history = stage_frame(
        {
            "opportunity_id": ids[row],
            "stage": np.array([stage.key for stage in JOURNEY], dtype=object)[column],
            "entered_date": _dates(start, entries[row, column]),
        }
    )
    return opportunities, history


def journey_days(deals: pd.DataFrame) -> np.ndarray:
    """Each deal's days in each stage of JOURNEY (marketing material's with the stallers')."""
    days = np.column_stack([deals[f"days_{stage.key}"].to_numpy(dtype=float) for stage in JOURNEY])
    days[:, JOURNEY.index(Stage.STALLERS)] += deals["days_marketing_material"].to_numpy(float)
    return days


def stage_on_day(deals: pd.DataFrame, day: float) -> np.ndarray:
    """The stage (a `Stage` code, one of JOURNEY) each deal was in on `day`; -1 for a deal
    not open that day (created after it, or closed by then). Approximate: see the module."""
    created = deals["created_day"].to_numpy(dtype=float)
    days = journey_days(deals)
    entries = created[:, None] + np.cumsum(days, axis=1) - days
    stage = _last_entered(days, entries, np.full(len(deals), day), deals)
    open_then = (created <= day) & ~(deals["closed_day"].to_numpy(dtype=float) <= day)
    return np.where(open_then, stage, -1)


def _last_entered(
    days: np.ndarray, entries: np.ndarray, day: np.ndarray, deals: pd.DataFrame
) -> np.ndarray:
    """The Stage code of the last journey stage each deal entered by `day` (and spent time
    in); a deal with no time in any yet is in the stage the model ended it in."""
    entered = (days > 0) & (entries <= day[:, None])
    last = days.shape[1] - 1 - np.argmax(entered[:, ::-1], axis=1)
    journey = np.array([int(stage) for stage in JOURNEY])
    final = np.array([int(CRM_STAGE[stage]) for stage in Stage])[_codes(deals, "stage", Stage)]
    return np.where(entered.any(axis=1), journey[last], final)


def _codes(deals: pd.DataFrame, column: str, term: type[Term]) -> np.ndarray:
    """A category column of the deal table (it holds the keys) as the vocabulary's codes."""
    return np.asarray(pd.Categorical(deals[column], categories=term.keys()).codes)


def _texts(texts: Mapping[Any, str], term: type[Term]) -> np.ndarray:
    """Each member's text ("" if none), indexed by code."""
    return np.array([texts.get(member, "") for member in term], dtype=object)


def _ids(deals: pd.DataFrame) -> np.ndarray:
    return np.array([f"deal-{deal}" for deal in deals["deal_id"]], dtype=object)


def _dates(start: pd.Timestamp, days: np.ndarray) -> pd.DatetimeIndex:
    """`start` plus each day, floored to a date; NaT where the day is NaN."""
    return (pd.Timestamp(start).normalize() + pd.to_timedelta(days, unit="D")).floor("D")


def _owners(deals: pd.DataFrame, stage: np.ndarray, owners: Sequence[str] | None) -> list[str]:
    """Who owns each deal in the CRM: its rep, the founder, or nobody yet (see above)."""
    names = list(owners or ())
    found = []
    for owner, rep, waiting in zip(
        _codes(deals, "owner", Owner), deals["rep"], stage == Stage.WAITING_FOR_REP, strict=True
    ):
        if waiting or owner == Owner.NONE:
            found.append(UNASSIGNED)
        elif owner == Owner.FOUNDER:
            found.append(FOUNDER)
        elif rep < 0:  # a partner's deal with no rep on it
            found.append(CHANNEL)
        else:
            found.append(names[rep] if rep < len(names) else f"rep-{rep}")
    return found


@dataclass(frozen=True)
class CrmSample:
    """A synthetic CRM export: what the CRM shows on `as_of`, what happened next, and
    what made it (`truth`: the scenario's values, seed and cut, for parameter recovery)."""

    opportunities: pd.DataFrame
    stages: pd.DataFrame
    as_of: pd.Timestamp
    future: pd.DataFrame | None  # FUTURE_COLUMNS, None if no future was asked for
    truth: dict[str, Any] = field(default_factory=dict)


def simulate_sample(
    scenario: Scenario,
    seed: int,
    start: pd.Timestamp,
    years: float,
    future_days: float = 0.0,
    replication: int = 0,
) -> CrmSample:
    """A synthetic export of one replication of `scenario`: run to the end of its warm-up
    (dated `start`), `years` more and `future_days` beyond, and cut `years` after `start`
    (see `sample_export`). Its `truth` holds the scenario run (the whole validated
    scenario), the seed, the replication and the dates."""
    if years <= 0 or future_days < 0:
        raise ValueError(
            f"years must be above 0 and future_days at least 0: {years}, {future_days}"
        )
    warmup = scenario.scenario.warmup_days
    horizon = warmup + years * DAYS_PER_YEAR + future_days
    scenario = validate(
        apply_overrides(scenario.to_dict(), [f"scenario.horizon_days={horizon!r}"]),
        source="the synthetic export's horizon",
    )
    deals = deal_table([simulate_replication(scenario, seed, replication)["deals"]])
    sample = sample_export(deals, start, warmup, years, future_days)
    truth = {
        "scenario": scenario.to_dict(),
        "seed": seed,
        "replication": replication,
        "start": start.strftime("%Y-%m-%d"),
        "start_day": warmup,
        "as_of": sample.as_of.strftime("%Y-%m-%d"),
        "years": years,
        "future_days": future_days,
        "history_days": HISTORY_DAYS,
    }
    return replace(sample, truth=truth)


def sample_export(
    deals: pd.DataFrame,
    start: pd.Timestamp,
    start_day: float,
    years: float,
    future_days: float = 0.0,
    owners: Sequence[str] | None = None,
) -> CrmSample:
    """One replication's deals as a CRM export cut `years` after the date `start`, which is
    simulated day `start_day` (the end of the warm-up, so the pipeline is in steady state).

    The export holds every deal created in the HISTORY_DAYS before `start_day` and
    after it up to the cut: a real export holds old deals too, the open ones among them.
    With `future_days`, `future` holds each deal open at the cut or created in the
    `future_days` after it, as it stood `future_days` after the cut: the known future a
    forecast is checked against. The run must reach that far.
    """
    day_zero = pd.Timestamp(start).normalize() - pd.to_timedelta(start_day, unit="D")
    as_of_day = start_day + years * DAYS_PER_YEAR
    since = start_day - HISTORY_DAYS
    opportunities, stages = opportunities_from_deals(deals, day_zero, as_of_day, owners, since)
    future = None
    if future_days > 0:
        later, _ = opportunities_from_deals(deals, day_zero, as_of_day + future_days, owners, since)
        still_open = opportunities.loc[opportunities["outcome"] == "open", "opportunity_id"]
        created_later = ~later["opportunity_id"].isin(opportunities["opportunity_id"])
        future = later.loc[
            later["opportunity_id"].isin(still_open) | created_later, list(FUTURE_COLUMNS)
        ].reset_index(drop=True)
    as_of = _dates(day_zero, np.array([as_of_day]))[0]
    return CrmSample(opportunities, stages, as_of, future)


def synthetic_text_table() -> str:
    """What a synthetic export writes for each way a deal ends and each lead source, as
    Markdown, for docs/crm-import.md."""
    rows = ["| model | written as |", "|---|---|"]
    rows += [f"| reason `{reason.key}` | {text} |" for reason, text in LOST_REASONS.items()]
    rows += [f"| source `{source.key}` | {text} |" for source, text in SOURCE_TEXTS.items()]
    return "\n".join(rows)
