"""The scenario schema: every parameter's name, meaning, unit, default, range and source.

This module is the single source of parameters. Loading and validation
(`sim.scenario.loading`) and the parameter table in docs/model.md
(`sim.scenario.reference`) are both derived from the models below.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from ..vocabulary import FeaturePolicy

# A parameter's source starts with the constant of its kind, which
# `sim.scenario.reference.source_kind` reads: NO_SOURCE, a seed essay (SEED), ASSUMPTION
# followed by its reason in parentheses, FITTED, or else a publication with its year.
# Calibration and validation targets (`sim.analysis.targets`) are never cited here: a
# default that borrowed the figure it is fitted to or checked against would prove nothing.
NO_SOURCE = "-"  # names, descriptions, paths and seeds: not modelling choices
SEED = "seed"
SEED_000 = f"{SEED} 000 (founder's channel and VP-sales stories; sales vs. marketing)"
SEED_001 = f"{SEED} 001 (sales and marketing, a symbiosis: the $1M feature request)"
SEED_002 = f"{SEED} 002 (what marketing does for sales: the race-car model)"
SEED_003 = f"{SEED} 003 (Godin, via Calypto VP marketing)"
SEED_004 = f"{SEED} 004 (Revella: marketers spend over half their time on sales support)"
GARTNER_SUPPLIERS = (
    "Gartner, 'The B2B Buying Journey' (2019; secondary summaries): buyers spend 17% of "
    "their buying time meeting potential suppliers, 5-6% with any one rep"
)
PARTNER_FEES = (
    "knowledgelib.io, 'Partner Program Design Decision Framework' (2026; secondary): "
    "referral fees 10-25% of first-year contract value, reseller margins 20-40%"
)
UNUSED_TACTIC = (  # the tactics seed 002 describes that the baseline's marketers leave out
    SEED_003 + " (marketing's focus is 'the feature/benefit and value-proposition "
    "collateral', with staller tactics as after-thoughts: no time for this tactic)"
)
ASSUMPTION = "assumption"
FITTED = (
    "fitted by scripts/calibrate_defaults.py to CEB's purchase likelihood by committee "
    "size and JOLT's no-decision share (docs/validation.md)"
)
WARMUP_EVIDENCE = (
    "MSER-5 on weekly open deals, wins and no-decisions of every shipped scenario run "
    "from empty (`committee-sim warmup`, docs/experiments.md): the latest transient ends "
    "by day 1,280"
)
DEFAULT_SEED = 1  # the root seed when none is given: run, compare, trace, sweeps and the API


def param(
    default: Any, *, unit: str, source: str, doc: str, ge=None, gt=None, le=None, allowed=None
) -> Any:
    """A documented parameter: the only way parameters are declared.

    `allowed` says in words what values are allowed, where the type and bounds cannot.
    """
    extra = {"unit": unit, "source": source, **({"allowed": allowed} if allowed else {})}
    return Field(default, ge=ge, gt=gt, le=le, description=doc, json_schema_extra=extra)


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ScenarioInfo(Section):
    name: str = param("unnamed", unit="text", source="-", doc="Short name shown in reports.")
    description: str = param("", unit="text", source="-", doc="What this scenario represents.")
    base: str = param(
        "",
        unit="path",
        source="-",
        doc="Scenario file this one builds on, relative to this file: its values apply "
        "wherever this file does not set its own.",
    )
    horizon_days: float = param(
        2380.0,
        ge=1,  # a shorter run has no year to report figures per (and divides by zero)
        le=36500,
        unit="days",
        source=WARMUP_EVIDENCE + "; the warm-up plus a counted window of 1,100 days (3 years)",
        doc="Simulated time. Deals still running at the horizon are reported as `open`.",
    )
    warmup_days: float = param(
        1280.0,
        ge=0,
        le=36500,
        unit="days",
        source=WARMUP_EVIDENCE,
        doc="Warm-up: deals that arrive before this day are simulated but not counted, so "
        "the headline figures describe a pipeline in steady state, not one filling up from "
        "empty (`committee-sim warmup` recommends a value). Must be below `horizon_days`.",
    )

    @model_validator(mode="after")
    def _warmup_before_horizon(self) -> ScenarioInfo:
        if self.warmup_days >= self.horizon_days:
            raise ValueError(
                f"warmup_days {self.warmup_days:g} must be below horizon_days "
                f"{self.horizon_days:g}, or no deal would be counted; set warmup_days too "
                "(0 counts every deal from an empty pipeline; see docs/experiments.md)"
            )
        return self


class Leads(Section):
    arrivals_per_month: float = param(
        6.0,
        ge=0,
        le=10000,
        unit="leads/month",
        source=ASSUMPTION + " (a young company's lead flow: enough to keep three reps' thirty "
        "deal slots about full)",
        doc="Mean rate of the Poisson process of new leads (a month is 365.25/12 days).",
    )
    value_median: float = param(
        50000.0,
        gt=0,
        le=1e10,
        unit="USD",
        source=ASSUMPTION + " (a product complex enough for a buying committee sells for tens "
        "of thousands a year)",
        doc="Median first-year deal value (lognormal).",
    )
    value_sigma: float = param(
        0.8,
        ge=0,
        le=5,
        unit="log USD",
        source=ASSUMPTION + " (one product sold to small and large accounts: the middle 80% of "
        "deals span a factor of about eight in value)",
        doc="Standard deviation of log deal value; 0 makes every deal worth the median.",
    )
    patience_mean_days: float = param(
        270.0,
        gt=0,
        le=1e6,
        unit="days",
        source=ASSUMPTION + " (about nine months from first contact: time for a willing "
        "committee to finish, not for one that keeps stalling; set by hand)",
        doc="Mean buyer patience, counted from the lead's arrival; when it runs out before "
        "the decision the deal goes dark (`no_decision`).",
    )
    patience_shape: float = param(
        2.0,
        ge=0.01,
        le=1000,
        unit="-",
        source=ASSUMPTION + " (buyers differ in patience, a coefficient of variation of 0.7, "
        "yet only 2% give up within a month)",
        doc="Gamma shape of buyer patience; the coefficient of variation is 1/sqrt(shape). "
        "At least 0.01 (a coefficient of variation of 10): below that most buyers' patience "
        "is under a day whatever its mean, and a tiny shape makes the scale (mean / shape) "
        "overflow.",
    )
    marketing_share: float = param(
        0.5,
        ge=0,
        le=1,
        unit="fraction",
        source=ASSUMPTION + " (a young company with two marketers running campaigns: half its "
        "leads)",
        doc="Share of leads sourced by marketing campaigns.",
    )
    inbound_web_share: float = param(
        0.3,
        ge=0,
        le=1,
        unit="fraction",
        source=ASSUMPTION + " (buyers 'conduct research on their own' and find the website, "
        "seed 000: about a third of leads)",
        doc="Share of leads arriving through the website.",
    )
    founder_network_share: float = param(
        0.2,
        ge=0,
        le=1,
        unit="fraction",
        source=ASSUMPTION + " (the rest: the founder's contacts still bring a fifth of leads "
        "once sales is handed to reps)",
        doc="Share of leads from the founder's network. The three shares must sum to 1.",
    )
    disqualify_probability: float = param(
        0.2,
        ge=0,
        le=1,
        unit="probability",
        source=ASSUMPTION + " (campaign and web leads include poor fits; one in five is "
        "caught at qualification, a sales task in seed 000)",
        doc="Chance a lead turns out to be a poor fit when the rep qualifies it.",
    )

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> Leads:
        total = self.marketing_share + self.inbound_web_share + self.founder_network_share
        if not math.isclose(total, 1.0, abs_tol=1e-9):
            raise ValueError(
                f"marketing_share + inbound_web_share + founder_network_share = {total:g}; "
                "allowed: shares that sum to 1"
            )
        return self


MAX_ACCOUNTS = 100_000  # a replication holds a row of partners' coverage per account


def _whole_accounts(count: float) -> float:
    """A whole number of accounts up to MAX_ACCOUNTS, or inf (the error's words: `allowed`)."""
    if math.isfinite(count) and (count != int(count) or count > MAX_ACCOUNTS):
        raise ValueError(f"{count:g} accounts")
    return count


class Market(Section):
    """The target accounts: an unlimited market unless `accounts` is finite."""

    accounts: Annotated[float, AfterValidator(_whole_accounts)] = param(
        math.inf,
        ge=1,
        unit="accounts",
        allowed=f"whole number ≥ 1 and ≤ {MAX_ACCOUNTS:,}, or inf",
        source=ASSUMPTION + " (off: an unlimited market, every lead a new account; "
        "scenarios/finite_market.toml follows RevSim's config-simple.ini convention, "
        "MARKET_SIZE=1000)",
        doc="Target accounts in the market (inf: unlimited, the market is left out). With a "
        "finite number every lead names one account, drawn at random; it arrives only if "
        "its account is free: not in an open deal, not a customer (a won account is never "
        "sold to again: its expansion is `customers.expansion_per_year`) and not cooling off. "
        "Each partner covers a fixed share `coverage` of the accounts.",
    )
    cooloff_days: float = param(
        180.0,
        ge=0,
        unit="days",
        source=ASSUMPTION + " (RevSim convention ORG_COOLING_PERIOD_DAYS=180: don't call "
        "for this many days after a rejection)",
        doc="After a deal ends lost, vetoed, in no decision or disqualified, its account "
        "cannot be worked for this long (inf: never again); leads for it are turned away.",
    )
    large_accounts: int = param(
        0,
        ge=0,
        le=MAX_ACCOUNTS,
        unit="accounts",
        source=ASSUMPTION + " (one segment unless a scenario splits its market: "
        "scenarios/finite_market.toml has 100 large accounts among its 1,000)",
        doc="How many of the `accounts` are large (enterprise) accounts, a segment of their "
        "own: accounts 0 to large_accounts - 1. Leads name accounts at random, so the "
        "segment gets its share of the leads, and its deals are worth "
        "`large_value_multiplier` times as much; it saturates on its own.",
    )
    large_value_multiplier: float = param(
        4.0,
        gt=0,
        le=1000,
        unit="multiplier",
        source=ASSUMPTION + " (an enterprise deal is worth several mid-market ones: seed "
        "001's $1M request in a company whose deals are a few hundred thousand)",
        doc="A large account's deal value as a multiple of the value its lead drew.",
    )

    @model_validator(mode="after")
    def _large_accounts_fit(self) -> Market:
        if self.large_accounts > self.accounts or (
            self.large_accounts and not math.isfinite(self.accounts)
        ):
            raise ValueError(
                f"large_accounts = {self.large_accounts} with accounts = {self.accounts:g}; "
                "allowed: at most the accounts of a finite market"
            )
        return self


class Committee(Section):
    stallers: int = param(
        3,
        ge=0,
        le=100,
        unit="people",
        source="Schmidt, Adamson & Bird, 'Making the Consensus Sale', HBR (2015): 5.4 "
        "people formally sign off on a typical B2B purchase; a committee of five in seed "
        "003's role mix (one decision maker, one nay-sayer, the rest stallers)",
        doc="Stallers per buying committee (gatekeepers, evaluators, influencers). "
        "The rep must get through all of them, one after another.",
    )
    nay_sayers: int = param(
        1,
        ge=0,
        le=20,
        unit="people",
        source=SEED_003 + " ('a nay-sayer whose job is to just say no')",
        doc="Nay-sayers per committee; each reviews the offer and may object or veto.",
    )
    decision_makers: int = param(
        1,
        ge=1,
        le=20,
        unit="people",
        source=SEED_003 + " ('the actual decision maker who will give the final go-ahead')",
        doc="Decision makers per committee. The first has the final go-ahead: it chooses "
        "our offer, a competitor's or the status quo; any other decision maker who prefers "
        "the status quo blocks the purchase (no consensus).",
    )
    alignment_days: float = param(
        3.0,
        ge=0,
        le=3650,
        unit="days",
        source=ASSUMPTION + " (each further member to bring along costs about half a "
        "working week of meetings and follow-up)",
        doc="Mean deliberation time each member beyond the first adds to the decision: "
        "the decision takes an exponential time with mean decision_days + alignment_days "
        "x (committee size - 1).",
    )
    peer_influence: float = param(
        0.25,
        ge=0,
        le=1,
        unit="fraction",
        source=ASSUMPTION + " (members talk before they vote; a quarter of the way to "
        "the committee's average)",
        doc="How far each staller's and nay-sayer's stance moves toward the committee's "
        "average stance while it deliberates, before the vote (0: not at all).",
    )
    member_concentration: float = param(
        4.0,
        gt=0,
        le=1e6,
        unit="-",
        source=ASSUMPTION + " (members of one committee differ widely: around a mean of "
        "one half, the middle half of members lie between 0.33 and 0.67)",
        doc="Beta concentration of members' engagement and scepticism around their "
        "means; larger makes committee members more alike.",
    )
    staller_meeting_days: float = param(
        4.0,
        gt=0,
        le=3650,
        unit="days",
        source=ASSUMPTION + " (a meeting within the working week for a rep who asks)",
        doc="Mean time (exponential) for a fully productive rep to get a meeting with a staller.",
    )
    staller_stall_probability: float = param(
        0.6,
        ge=0,
        le=1,
        unit="probability",
        source=SEED_003 + " ('most of the sales cycle is spent dealing with "
        "stallers': a meeting with a disengaged staller stalls more often than not)",
        doc="Chance a meeting ends in a stall rather than the staller letting the rep "
        "through, for a staller with no engagement; scaled by (1 - engagement).",
    )
    staller_engagement_mean: float = param(
        0.25,
        ge=0,
        le=1,
        unit="fraction",
        source=FITTED,
        doc="Mean initial engagement of a staller (Beta distributed). Engagement also is the "
        "staller's chance of voting for buying in the final decision.",
    )
    staller_engagement_gain: float = param(
        0.3,
        ge=0,
        le=1,
        unit="fraction",
        source=ASSUMPTION + " (each stall the rep gets through wins over a third of the "
        "staller's remaining reluctance: a few meetings per staller)",
        doc="Share of a staller's remaining disengagement removed by each stall the rep "
        "gets through: engagement += gain * (1 - engagement).",
    )
    reschedule_weight: float = param(
        0.25,
        ge=0,
        le=1,
        unit="weight",
        source=ASSUMPTION + " (putting a meeting off is the easiest stall, but less common "
        "than asking for detail)",
        doc="Relative share of stallers whose way of stalling is to reschedule.",
    )
    request_weight: float = param(
        0.6,
        ge=0,
        le=1,
        unit="weight",
        source=ASSUMPTION + " (the commonest stall: seed 003's stallers are to be met with "
        "marketing material, and dealing with them is 'more detail oriented')",
        doc="Relative share of stallers whose way of stalling is to request information.",
    )
    handoff_weight: float = param(
        0.15,
        ge=0,
        le=1,
        unit="weight",
        source=ASSUMPTION + " (the rarest stall: it needs a colleague willing to take the meeting)",
        doc="Relative share of stallers whose way of stalling is to hand the rep off to a "
        "colleague (the staller goes to the back of the line).",
    )
    reschedule_days: float = param(
        10.0,
        ge=0,
        le=3650,
        unit="days",
        source=ASSUMPTION + " (two working weeks to the next free slot in a busy calendar)",
        doc="Mean delay (exponential) a reschedule adds.",
    )
    handoff_days: float = param(
        7.0,
        ge=0,
        le=3650,
        unit="days",
        source=ASSUMPTION + " (a week to be introduced to the colleague and meet)",
        doc="Mean delay (exponential) to reach the colleague a staller hands off to.",
    )
    nay_sayer_review_days: float = param(
        10.0,
        gt=0,
        le=3650,
        unit="days",
        source=ASSUMPTION + " (two working weeks for one review of a proposal among other work)",
        doc="Mean time (exponential) for one review round by a nay-sayer.",
    )
    nay_sayer_scepticism_mean: float = param(
        0.6,
        ge=0,
        le=1,
        unit="fraction",
        source=FITTED,
        doc="Mean initial scepticism of a nay-sayer (Beta distributed). A nay-sayer who "
        "approved votes against buying with the scepticism it has left (damped by collateral).",
    )
    objection_probability: float = param(
        0.6,
        ge=0,
        le=1,
        unit="probability",
        source=ASSUMPTION + " (a fully sceptical nay-sayer without collateral objects more "
        "often than not)",
        doc="Chance a review round ends in an objection, for a fully sceptical nay-sayer "
        "with no marketing collateral; scaled by scepticism.",
    )
    veto_probability: float = param(
        0.25,
        ge=0,
        le=1,
        unit="probability",
        source=ASSUMPTION + " (a veto ends the deal, so it is rarer than an objection: one "
        "round in four at full scepticism)",
        doc="Chance a review round ends in a veto, scaled like objections. "
        "objection_probability + veto_probability must be at most 1.",
    )
    objection_days: float = param(
        12.0,
        ge=0,
        le=3650,
        unit="days",
        source=ASSUMPTION + " (a little over two working weeks to answer an objection with "
        "proof or a reference call)",
        doc="Mean time (exponential) the rep needs to handle one objection.",
    )
    objection_relief: float = param(
        0.4,
        ge=0,
        le=1,
        unit="fraction",
        source=ASSUMPTION + " (two or three handled objections settle most of a nay-sayer's doubt)",
        doc="Share of a nay-sayer's scepticism removed by each handled objection.",
    )
    decision_days: float = param(
        14.0,
        ge=0,
        le=3650,
        unit="days",
        source=ASSUMPTION + " (two weeks for one person to decide once the reviews are done)",
        doc="Mean time (exponential) a committee of one takes to decide; each further member "
        "adds `alignment_days`.",
    )
    status_quo_weight: float = param(
        0.51,
        ge=0,
        le=1000,
        unit="weight",
        source=FITTED,
        doc="Appeal of doing nothing to a decision maker, relative to our offer "
        "(weight 1 for a fully productive rep without collateral).",
    )
    negotiation_days: float = param(
        14.0,
        ge=0,
        le=3650,
        unit="days",
        source=ASSUMPTION + " (two weeks of contract and legal review once the committee "
        "has chosen us)",
        doc="Mean time (exponential) from the decision to a signed contract. "
        "Buyer patience no longer applies once the committee has chosen us.",
    )

    @model_validator(mode="after")
    def _review_probabilities_fit(self) -> Committee:
        if self.objection_probability + self.veto_probability > 1 + 1e-12:
            raise ValueError(
                "objection_probability + veto_probability = "
                f"{self.objection_probability + self.veto_probability:g}; allowed: at most 1"
            )
        if (
            self.stallers
            and self.reschedule_weight + self.request_weight + self.handoff_weight == 0
        ):
            raise ValueError(
                "reschedule_weight, request_weight and handoff_weight are all 0; "
                "allowed: at least one positive weight"
            )
        return self


class Competition(Section):
    competitors: int = param(
        2,
        ge=0,
        le=50,
        unit="vendors",
        source=GARTNER_SUPPLIERS + ": about three suppliers per purchase, us and two competitors",
        doc="Competing vendors in an ordinary deal.",
    )
    competitor_weight: float = param(
        0.4,
        ge=0,
        le=1000,
        unit="weight",
        source=ASSUMPTION + " (reps pursue deals our product fits: each competitor has well "
        "under our appeal, both together a little less)",
        doc="Appeal of each competitor to a decision maker, relative to our offer.",
    )
    incumbent_probability: float = param(
        0.15,
        ge=0,
        le=1,
        unit="probability",
        source=SEED_000 + " ('Oh, inside job?': the odd deal goes to an incumbent)",
        doc="Chance an account has an incumbent vendor with an inside relationship.",
    )
    incumbent_weight: float = param(
        3.0,
        ge=0,
        le=1000,
        unit="weight",
        source=ASSUMPTION + " (an inside relationship outweighs our offer threefold: seed "
        "000's founder did not know whether they were even 'in the running')",
        doc="Extra appeal of the incumbent, on top of the ordinary competitors.",
    )


class Reps(Section):
    count: int = param(
        3,
        ge=1,
        le=1000,
        unit="people",
        source=ASSUMPTION + " (a young company: a small team hired once the founder hands sales "
        "over, seed 000)",
        doc="Sales reps working deals.",
    )
    max_active_deals: int = param(
        10,
        ge=1,
        le=10000,
        unit="deals",
        source=ASSUMPTION + " (ten deals leave a rep under an hour a day for each at "
        "hours_per_day 8)",
        doc="Most deals one rep works at once; further leads wait for a free rep.",
    )
    cold_after_days: float = param(
        30.0,
        ge=0,
        le=1e6,
        unit="days",
        source=ASSUMPTION + " (a lead nobody calls back within a month has moved on)",
        doc="How long a lead waits for a free rep before it goes cold (`no_decision`).",
    )
    qualify_days: float = param(
        5.0,
        ge=0,
        le=3650,
        unit="days",
        source=ASSUMPTION + " (a working week for a discovery call and its follow-up)",
        doc="Mean time (exponential) for the rep to qualify a new lead.",
    )
    skill_sigma: float = param(
        0.25,
        ge=0,
        le=3,
        unit="log skill",
        source=ASSUMPTION + " (reps differ, but the middle half are within about 18% of the "
        "median)",
        doc="Spread of rep skill: skill is lognormal with median 1 and this sigma.",
    )
    ramp_days: float = param(
        152.0,
        ge=0,
        le=3650,
        unit="days",
        source="Bridge Group, SaaS AE report (2024; secondary summaries): median new-rep ramp "
        "5.0 months; seed 000 agrees ('It's been 3 months ... it takes a while to understand "
        "the Product')",
        doc="Days a new rep needs to reach full productivity; productivity rises linearly.",
    )
    ramp_start_productivity: float = param(
        0.3,
        ge=0.01,
        le=1,
        unit="fraction",
        source=ASSUMPTION + " (a new rep holds meetings from day one, but 'it takes a "
        "while to understand the Product', seed 000)",
        doc="Productivity of a rep on the first day, as a share of full productivity.",
    )
    initial_tenure_days: float = param(
        365.0,
        ge=0,
        le=36500,
        unit="days",
        source=ASSUMPTION + " (the reps have been with the company a year, past their ramp)",
        doc="How long the reps have been with the company at day 0 (0: all newly hired).",
    )
    drought_days: float = param(
        math.inf,
        gt=0,
        unit="days",
        source=ASSUMPTION + " (off in the baseline, whose figures describe committees, not "
        "turnover; seed 000's VP who leaves after a drought is a scenario)",
        doc="A rep with no win for this long leaves the company (inf: nobody leaves). "
        "The drought is counted from the rep's last win, hire, or day 0.",
    )
    attrition_per_year: float = param(
        0.0,
        ge=0,
        le=0.99,  # at 1 every rep would leave at once
        unit="probability/year",
        source=ASSUMPTION + " (off in the baseline, whose figures describe committees, not "
        "turnover; scenarios/team_plan.toml uses 0.28, DePaul University's 2011-2012 Sales "
        "Effectiveness Survey (secondary, ideal.com): salesperson turnover 28% in 2011)",
        doc="Chance a rep leaves within a year for reasons of their own, whatever their "
        "wins (a constant hazard: each rep's tenure is drawn at hire). Replaced like a "
        "rep who leaves after a drought.",
    )
    planned_hires_per_year: float = param(
        0.0,
        ge=0,
        le=365,
        unit="reps/year",
        source=ASSUMPTION + " (the baseline's team is fixed; growth is a scenario's plan)",
        doc="The hiring plan: new reps joining the team, evenly spaced, the first "
        "1 / planned_hires_per_year years after day 0. Each ramps up from "
        "`ramp_start_productivity` and stays until a drought or attrition.",
    )
    reassign_probability: float = param(
        0.5,
        ge=0,
        le=1,
        unit="probability",
        source=ASSUMPTION + " (even odds that a deal survives its rep's departure: some "
        "buyers follow up, others drift away)",
        doc="Chance each open deal of a departing rep is handed to a rep with a free slot; "
        "otherwise (or when no slot is free) the deal goes dark (`no_decision`).",
    )
    hire_delay_days: float = param(
        90.0,
        ge=0,
        unit="days",
        source=ASSUMPTION + " (a quarter to recruit)",
        doc="Time to hire a replacement after a rep leaves (inf: never replaced). "
        "The new rep ramps up from `ramp_start_productivity`.",
    )
    value_focus: float = param(
        0.0,
        ge=0,
        le=2,
        unit="exponent",
        source=ASSUMPTION + " (off in the baseline: effort does not follow deal value; seed "
        "000's reps who 'follow their compensation plan' are a scenario)",
        doc="How strongly the compensation plan makes reps push big deals: a rep's effort "
        "on a deal is multiplied by (value / value_median)^value_focus, kept within "
        "`effort_floor` to `effort_ceiling`. 0: salary plan, equal effort; 1: commission "
        "plan, effort follows value.",
    )
    effort_floor: float = param(
        0.25,
        gt=0,
        le=1,
        unit="multiplier",
        source=ASSUMPTION + " (even a small deal gets a quarter of a rep's usual effort)",
        doc="Least effort a rep on a commission plan gives a deal, as a multiple of usual effort.",
    )
    effort_ceiling: float = param(
        4.0,
        ge=1,
        le=100,
        unit="multiplier",
        source=ASSUMPTION + " (a rep's hours limit how much a big deal can get)",
        doc="Most effort a rep on a commission plan gives a deal, as a multiple of usual effort.",
    )
    hours_per_day: float = param(
        8.0,
        gt=0,
        le=24,
        unit="hours/day",
        source=ASSUMPTION + " (a working day)",
        doc="Hours a day a rep sells, shared among the rep's deals: a rep with all "
        "`max_active_deals` slots taken spends hours_per_day / max_active_deals hours a day "
        "on each (the deal table's `direct_hours`).",
    )
    productivity_floor: float = param(
        0.02,
        gt=0,
        le=1,
        unit="productivity",
        source=ASSUMPTION + " (a seller who has all but forgotten a deal still moves it)",
        doc="Slowest pace of any deal, whoever works it (rep, founder or partner), on the "
        "reps' scale: a deal's productivity is the best of its sellers', but at least this.",
    )


class Marketing(Section):
    staff: int = param(
        2,
        ge=1,
        le=1000,
        unit="people",
        source=ASSUMPTION + " (a young company's first marketers)",
        doc="Marketing people. Their time is a finite resource shared by proactive "
        "tactics and one-off material for single deals.",
    )
    proactive_share: float = param(
        0.4,
        ge=0,
        le=1,
        unit="fraction",
        source=SEED_004 + ", so less than half is proactive",
        doc="Share of marketing time reserved for proactive tactics that build reusable "
        "assets; the rest answers one-off requests, first come first served (at 1, "
        "nobody makes one-off material).",
    )
    staller_kit: float = param(
        0.25,
        ge=0,
        le=1,
        unit="share of proactive time",
        source=SEED_003 + " (staller tactics are after-thoughts)",
        doc="Tactic: ready answers to stallers' requests. A request is answered from the kit "
        "with probability equal to the kit's asset level.",
    )
    value_collateral: float = param(
        0.75,
        ge=0,
        le=1,
        unit="share of proactive time",
        source=SEED_003 + " (marketing's focus is 'the feature/benefit and "
        "value-proposition collateral')",
        doc="Tactic: value-proposition collateral; damps nay-sayer objections and vetoes "
        "and raises our appeal to decision makers.",
    )
    competitive_intelligence: float = param(
        0.0,
        ge=0,
        le=1,
        unit="share of proactive time",
        source=UNUSED_TACTIC,
        doc="Tactic: competitive intelligence; lowers competitors' appeal to decision "
        "makers (not an incumbent's inside relationship).",
    )
    reference_customers: float = param(
        0.0,
        ge=0,
        le=1,
        unit="share of proactive time",
        source=UNUSED_TACTIC,
        doc="Tactic: reference customers; raises our appeal to decision makers.",
    )
    web_content: float = param(
        0.0,
        ge=0,
        le=1,
        unit="share of proactive time",
        source=UNUSED_TACTIC,
        doc="Tactic: web content; buyers educate themselves and arrive having cleared some "
        "stallers already.",
    )
    lead_generation: float = param(
        0.0,
        ge=0,
        le=1,
        unit="share of proactive time",
        source=UNUSED_TACTIC,
        doc="Tactic: lead generation; raises the arrival rate of marketing-sourced leads.",
    )
    partner_training: float = param(
        0.0,
        ge=0,
        le=1,
        unit="share of proactive time",
        source=SEED_000 + " ('why didn't you train my salesmen')",
        doc="Tactic: partner training; closes the gap between each partner's `training` and "
        "full training.",
    )
    asset_build_days: float = param(
        100.0,
        gt=0,
        le=1e5,
        unit="person-days",
        source=ASSUMPTION + " (about five person-months to build a tactic's asset most of the way)",
        doc="Proactive effort that takes a tactic's asset from nothing most of the way to "
        "complete: the level rises at rate (people on it / asset_build_days) x (1 - level).",
    )
    asset_shelf_life_days: float = param(
        180.0,
        gt=0,
        unit="days",
        source=ASSUMPTION + " (the product changes twice a year)",
        doc="Mean life of an asset before product changes make it stale: the level decays "
        "at rate level / asset_shelf_life_days. Steady state: e L / (e L + B) for e people, "
        "shelf life L and build effort B.",
    )
    initial_assets: float = param(
        1.0,
        ge=0,
        le=1,
        unit="fraction",
        source=ASSUMPTION + " (the baseline's marketing policy has run for long, so its "
        "assets start in steady state)",
        doc="Asset levels at day 0 as a share of their steady state (1: the policy has run "
        "for long; 0: starting from nothing).",
    )
    ready_answer_days: float = param(
        1.0,
        ge=0,
        le=3650,
        unit="days",
        source=ASSUMPTION + " (a ready answer goes out within a day)",
        doc="Mean time (exponential) to answer a staller's request from the staller kit.",
    )
    custom_work_days: float = param(
        5.0,
        ge=0,
        le=3650,
        unit="person-days",
        source=ASSUMPTION + " (a working week for one piece of one-off material, the "
        "reactive work of seed 003)",
        doc="Mean marketing effort (exponential) to make one-off material for one request. "
        "A person spends (1 - proactive_share) of their time on it, so the work takes "
        "custom_work_days / (1 - proactive_share) days once someone picks it up.",
    )
    collateral_effect: float = param(
        0.6,
        ge=0,
        le=1,
        unit="fraction",
        source=ASSUMPTION + " (complete collateral answers most but not all doubts; seed "
        "003: value propositions work on nay-sayers and decision makers)",
        doc="Relative cut in nay-sayer objections and vetoes, and relative gain in our "
        "appeal, from complete value-proposition collateral.",
    )
    intelligence_effect: float = param(
        0.5,
        ge=0,
        le=1,
        unit="fraction",
        source=ASSUMPTION + " (knowing competitors' weak points halves their pull without "
        "removing it)",
        doc="Relative cut in competitors' appeal from complete competitive intelligence.",
    )
    reference_effect: float = param(
        0.5,
        ge=0,
        le=10,
        unit="fraction",
        source=ASSUMPTION + " (a happy reference customer, 'one of the most valuable "
        "assets' in seed 002, adds half again to our appeal)",
        doc="Relative gain in our appeal to decision makers from complete reference customers.",
    )
    web_effect: float = param(
        0.4,
        ge=0,
        le=1,
        unit="probability",
        source=ASSUMPTION + " (buyers who research online 'move further along in the buying "
        "process before bringing in sales people', seed 000; under half the stallers)",
        doc="Chance each staller is already cleared when a lead arrives, with complete web "
        "content.",
    )
    lead_generation_effect: float = param(
        1.0,
        ge=0,
        le=10,
        unit="fraction",
        source=ASSUMPTION + " (complete lead-generation assets double campaign leads: seed "
        "002's 'steady stream of qualified leads')",
        doc="Relative rise in marketing-sourced lead arrivals with complete lead-generation "
        "assets.",
    )

    @model_validator(mode="after")
    def _tactics_fit(self) -> Marketing:
        total = sum(getattr(self, tactic) for tactic in TACTICS)
        if total > 1 + 1e-9:
            raise ValueError(
                f"the tactics' shares of proactive time ({', '.join(TACTICS)}) sum to "
                f"{total:g}; allowed: at most 1"
            )
        return self

    def tactic_people(self, tactic: str) -> float:
        """People working on one tactic: staff x proactive_share x the tactic's share."""
        return self.staff * self.proactive_share * getattr(self, tactic)


TACTICS = (
    "staller_kit",
    "value_collateral",
    "competitive_intelligence",
    "reference_customers",
    "web_content",
    "lead_generation",
    "partner_training",
)


class Founder(Section):
    max_active_deals: int = param(
        0,
        ge=0,
        le=1000,
        unit="deals",
        source=SEED_000 + " (sales 'is now dispatched to the new VP': 'Now I can "
        "focus on the Product')",
        doc="Deals the founder works at once (0: the founder does not sell). The founder "
        "takes founder-network leads first and is the first called to rescue partner deals.",
    )
    skill: float = param(
        1.6,
        gt=0,
        le=10,
        unit="productivity",
        source=SEED_000 + " ('the only sales we've had are the ones I closed')",
        doc="The founder's productivity, on the reps' scale (a median rep is 1): a strong closer.",
    )
    hours_per_day: float = param(
        3.0,
        gt=0,
        le=24,
        unit="hours/day",
        source=ASSUMPTION + " (the founder also runs the company)",
        doc="Hours a day the founder spends selling, shared among the founder's deals.",
    )


def _feature_policy(key: str) -> str:
    """A policy's key, one of FeaturePolicy's (the error's words come from `allowed`)."""
    policies = FeaturePolicy.keys()
    if key not in policies:
        raise ValueError(f"unknown feature policy {key!r}")
    return key


class Features(Section):
    """Features deals need that the product lacks, and the product team that builds them."""

    request_probability: float = param(
        0.0,
        ge=0,
        le=1,
        unit="probability",
        source=ASSUMPTION + " (off: no published per-deal rate found; Pragmatic Marketing's "
        "14th Annual Product Management and Marketing Survey (2013, n=1,800): 27% of product "
        "managers must commit features to close deals)",
        doc="Chance that an opportunity of median value needs a feature the product lacks, "
        "learnt when the seller qualifies it; scaled by deal value (`value_exponent`). "
        "0: no deal needs one, and the product team stays out of the model.",
    )
    value_exponent: float = param(
        0.5,
        ge=0,
        le=3,
        unit="exponent",
        source=ASSUMPTION + " (larger deals ask for more: seed 001's $1M request)",
        doc="How the chance grows with deal value: request_probability x (value / "
        "leads.value_median)^value_exponent, at most 1 (0: every deal alike).",
    )
    distinct_features: int = param(
        20,
        ge=1,
        le=10000,
        unit="features",
        source=ASSUMPTION + " (enough gaps that most requests have no company, as in seed "
        "001, while a popular gap gathers a few deals)",
        doc="Features the product lacks at any time. A request names one of them at "
        "random, so deals can ask for the same one; one that is built is replaced by a new "
        "gap (the market moves on).",
    )
    build_days: float = param(
        60.0,
        gt=0,
        le=3650,
        unit="team-days",
        source=ASSUMPTION + " (two months of one team: a feature big enough that a buyer "
        "would wait for it)",
        doc="Time one product team takes to build one feature, for a deal, for the market "
        "or on the roadmap.",
    )
    product_capacity: int = param(
        1,
        ge=1,
        le=1000,
        unit="teams",
        source=ASSUMPTION + " (one product team; Mironov, 'A Working Request Process Should "
        "End in YES': demand on engineering outstrips its capacity 20-100x)",
        doc="Features the product team builds at once; further builds wait, first come "
        "first served. Time not spent on builds goes to the roadmap.",
    )
    policy: Annotated[str, AfterValidator(_feature_policy)] = param(
        FeaturePolicy.THRESHOLD.key,
        unit="policy",
        allowed=", ".join(FeaturePolicy.keys()),
        source=SEED_001 + " (the product marketer's answer: a workaround now, and a build "
        "once enough of the pipeline asks)",
        doc="What happens when a deal needs a missing feature. `build`: the product team "
        "builds it for the deal, which waits for it before the committee decides. "
        "`workaround`: the seller offers a workaround (`workaround_appeal`). `threshold`: "
        "a workaround, and the feature is built for the market once the open deals asking "
        "for it hold `threshold_share` of the open pipeline's value.",
    )
    workaround_appeal: float = param(
        0.8,
        ge=0,
        le=1,
        unit="multiplier",
        source=SEED_001 + " ('the workarounds were good enough to close the deal': a lower "
        "chance, not zero)",
        doc="Multiplies our appeal to the decision makers of a deal that needed a feature "
        "still missing when its committee starts to decide.",
    )
    threshold_share: float = param(
        0.05,
        ge=0,
        le=1,
        unit="share of pipeline value",
        source=SEED_001 + " ('if we could ... get to a pipeline of 5% I could check with "
        "development')",
        doc="Threshold policy: a missing feature is built for the market once the open deals "
        "asking for it hold this share of the value of all open deals; checked whenever a "
        "deal asks for it (seed 001's email to the sales force).",
    )
    roadmap_appeal_gain: float = param(
        0.02,
        ge=0,
        le=1,
        unit="fraction per feature",
        source=ASSUMPTION + " (one feature among the many a buyer weighs: a small step)",
        doc="The roadmap gets the product team's time not spent on builds, one feature per "
        "build_days per team: the pace the market expects. A feature built for the market "
        "takes a roadmap feature's place; one built for a single deal delays the roadmap, "
        "and our appeal to decision makers is divided by (1 + gain) for each feature's "
        "worth of team time given to single deals in the last `roadmap_memory_days`.",
    )
    roadmap_memory_days: float = param(
        365.0,
        gt=0,
        le=36500,
        unit="days",
        source=ASSUMPTION + " (buyers and analysts compare a vendor's releases of the last year)",
        doc="How long the market remembers a roadmap that slipped for builds for single deals.",
    )


class Channel(Section):
    leads_per_staff_month: float = param(
        0.05,
        ge=0,
        le=100,
        unit="leads/person/month",
        source=SEED_000 + " ('lots of prospects in the pipeline', yet 'nothing is "
        "really happening': few leads per partner salesperson)",
        doc="Leads a partner salesperson brings per month at full mindshare; the rate "
        "scales with the partner's mindshare at the time.",
    )
    deals_per_staff: float = param(
        2.0,
        gt=0,
        le=1000,
        unit="deals/person",
        source=ASSUMPTION + " (our product is one more 'arrow in their quiver', seed 000: "
        "a couple of our deals per salesperson)",
        doc="Our deals a partner salesperson can work at once before the partner's deals slow "
        "down.",
    )
    partner_skill: float = param(
        0.8,
        gt=0,
        le=10,
        unit="productivity",
        source=SEED_000 + " (partners have sales staff and client relationships)",
        doc="A partner's productivity on our deals at full mindshare, on the reps' scale.",
    )
    misrepresentation_probability: float = param(
        0.6,
        ge=0,
        le=1,
        unit="probability",
        source=SEED_000 + " ('saying your product does things that it doesn't')",
        doc="Chance an untrained partner misrepresents our product on a deal; scaled by "
        "(1 - training).",
    )
    misrepresentation_veto_probability: float = param(
        0.5,
        ge=0,
        le=1,
        unit="probability",
        source=ASSUMPTION + " (even odds: a nay-sayer who finds claims we cannot "
        "meet vetoes as often as it lets the deal go on)",
        doc="Chance the nay-sayer vetoes a misrepresented deal on finding the claims it cannot "
        "meet.",
    )
    missed_option_share: float = param(
        0.2,
        ge=0,
        le=1,
        unit="fraction",
        source=SEED_000 + " ('why didn't you sell this option')",
        doc="Share of a misrepresented deal's value lost to options the partner never sold.",
    )
    rescue_after_stalls: int = param(
        3,
        ge=1,
        le=1000,
        unit="stalls",
        source=SEED_000 + " ('you had to close it yourself')",
        doc="Stalls after which a partner deal calls for direct rescue: the founder, or a "
        "rep with a free slot, joins the deal until it ends.",
    )
    conflict_mindshare_loss: float = param(
        0.05,
        ge=0,
        le=1,
        unit="fraction",
        source=SEED_000 + " ('Account Control Hell')",
        doc="Share of a partner's mindshare lost each time a rep or the founder engages an "
        "account the partner covers.",
    )
    mindshare_recovery_days: float = param(
        90.0,
        gt=0,
        unit="days",
        source=ASSUMPTION + " (about a quarter for a partner's staff to come back to our "
        "product after a conflict)",
        doc="Time constant with which a partner's mindshare returns to the level its "
        "compensation plan sets.",
    )
    shock_mindshare: float = param(
        0.03,
        ge=0,
        le=1,
        unit="fraction",
        source=SEED_000 + " ('with the stroke of a pen')",
        doc="Mindshare right after a compensation-plan change against our product.",
    )


class Partner(Section):
    name: str = param("partner", unit="text", source="-", doc="The partner's name (unique).")
    staff: int = param(
        20,
        ge=1,
        le=100000,
        unit="people",
        source=SEED_000 + " (partners have sales staff)",
        doc="The partner's salespeople.",
    )
    coverage: float = param(
        0.3,
        ge=0,
        le=1,
        unit="fraction",
        source=SEED_000 + " (partners talk to the same accounts)",
        doc="Share of all accounts the partner covers. It claims commission on every win in "
        "an account it covers, whoever closed it.",
    )
    mindshare: float = param(
        0.5,
        ge=0,
        le=1,
        unit="fraction",
        source=SEED_000 + " (selling, just not your product)",
        doc="Share of its staff's attention the partner's compensation plan gives our product.",
    )
    training: float = param(
        0.2,
        ge=0,
        le=1,
        unit="fraction",
        source=SEED_000 + " (no time at their sales meeting)",
        doc="How well the partner's staff know our product (1: fully trained).",
    )
    commission: float = param(
        0.2,
        ge=0,
        le=1,
        unit="share of first-year revenue",
        source=PARTNER_FEES + "; seed 000: 'typically 20% for the first year revenue'",
        doc="Commission the partner claims on a win in an account it covers.",
    )
    comp_changes_per_year: float = param(
        0.25,
        ge=0,
        le=365,
        unit="changes/year",
        source=SEED_000 + " ('With the stroke of a pen, the Partner can change their "
        "compensation structure')",
        doc="Rate of compensation-plan changes (Poisson). A change against us drops "
        "mindshare to `channel.shock_mindshare` overnight; the next one restores the plan.",
    )
    comp_shock_day: float = param(
        math.inf,
        ge=0,
        unit="day",
        source=ASSUMPTION + " (no planned shock in the baseline; a scenario sets a day to "
        "study one)",
        doc="A day on which the partner's compensation plan surely turns against our "
        "product (inf: no planned shock).",
    )


class Calendar(Section):
    """Time off, made explicit: off by default, as the model's durations are calendar days
    with ordinary time off inside them."""

    vacation_days: float = param(
        0.0,
        ge=0,
        le=100,
        unit="working days/year",
        source=ASSUMPTION + " (off: time off is inside the calendar-day durations; "
        "scenarios/calendar.toml uses 12, BLS National Compensation Survey, 'Paid "
        "vacations' (2024): after one year 30% of private-industry workers get 10 to 14 "
        "days, the median bracket)",
        doc="Vacation each rep, the founder and each marketer takes a year, in one block "
        "(x 7/5 calendar days) starting on a day drawn for each person and year. A "
        "seller's own work on deals stops while away; marketing works the year's "
        "remaining share of its time.",
    )
    public_holidays: int = param(
        0,
        ge=0,
        le=60,
        unit="days/year",
        source=ASSUMPTION + " (off, as for vacations; scenarios/calendar.toml uses 11, "
        "the US federal holidays of 5 U.S.C. 6103)",
        doc="Public holidays a year, spread evenly over the year: nobody in the company "
        "works on them.",
    )


class Costs(Section):
    """What selling costs: read by the money figures only, never by the model's behaviour."""

    rep_base_salary: float = param(
        75_000.0,
        ge=0,
        le=1e7,
        unit="USD/year per rep",
        source="BenchSights, 'First look' v7 (2020 data, n=83): median AE quota $750k at a "
        "mean quota/OTE of 4.8x, so on-target earnings near $150k; scalinggtm.com, 'How to "
        "Set AE OTE the Right Way' (2025): 'In SaaS, the norm is a 50/50 split'",
        doc="A rep's base salary, paid for every day the rep is employed (ramp-up included).",
    )
    commission_rate: float = param(
        0.09,
        ge=0,
        le=1,
        unit="share of first-year revenue",
        source="Tunguz, 'Six Key Benchmarks for Your SaaS Startup' (2013, Pacific Crest "
        "survey): 'Sales commission as % of ACV is ~9%'",
        doc="Commission a rep earns on the first-year revenue of each deal the rep wins, "
        "paid at signature.",
    )
    commission_on_founder_deals: bool = param(
        False,
        unit="yes/no",
        source=SEED_000 + " (the VP of sales 'expects me to pay him a commission for those': "
        "the deals the founder closed)",
        doc="Reps are paid commission on the deals the founder wins too, as the seed's new "
        "VP of sales expects.",
    )
    draw_months: float = param(
        0.0,
        ge=0,
        le=60,
        unit="months",
        source=ASSUMPTION + " (no draw in the baseline, whose reps are past their ramp; "
        "executivetrackers.com: draws cover a new hire's ramp, 'typically ... three to six "
        "months')",
        doc="A new rep's draw: for this many months after hire the rep is paid at least "
        "`draw_per_month` in commission; the company pays what the commissions earned fall "
        "short by (recovered later only if `draw_recoverable`).",
    )
    draw_per_month: float = param(
        3_125.0,
        ge=0,
        le=1e7,
        unit="USD/month",
        source="EasyComp, 'Draws Decoded' (2025): mid-market AEs drawn at 'half "
        "productivity for 3 months': half of a $75,000 target variable a year (a $150,000 "
        "OTE split 50/50, as for `rep_base_salary`); Xactly (secondary): 'Most New Hire "
        "Draws are non-recoverable'",
        doc="The commission a drawing rep is guaranteed each month.",
    )
    draw_recoverable: bool = param(
        False,
        unit="yes/no",
        source="Xactly, 'What is Draw Against Commission' (c. 2019, secondary): 'Most New "
        "Hire Draws are non-recoverable'; seed 000's VP of sales is on a 'commission "
        "advance' instead",
        doc="The draw is an advance: what it paid beyond the rep's commissions is taken "
        "back from the rep's commissions after the draw, as far as they go (forgiven if "
        "the rep leaves first).",
    )
    rep_quota: float = param(
        750_000.0,
        gt=0,
        le=1e10,
        unit="USD/year per rep",
        source="BenchSights, 'First look' v7 (2020 data, n=83): 'an average Quota of $955k "
        "in ARR bookings and a median of $750k'",
        doc="First-year revenue a rep is expected to win in a year; quota attainment "
        "compares the reps' wins with it. Nobody is paid differently for reaching it.",
    )
    hire_cost: float = param(
        29_000.0,
        ge=0,
        le=1e7,
        unit="USD per hire",
        source="DePaul University Center for Sales Leadership, 2011-2012 Sales Effectiveness "
        "Survey (secondary, ideal.com): $29,159 to acquire a sales rep; its training and "
        "lost-territory costs are left out because the model simulates ramp-up and vacancy",
        doc="Recruiting cost of each rep hired: a replacement or a planned hire.",
    )
    founder_hourly_rate: float = param(
        100.0,
        ge=0,
        le=1e5,
        unit="USD/hour",
        source=ASSUMPTION + " (a founder-CEO's time at about $200k a year over 2,000 working "
        "hours)",
        doc="What a working hour of the founder's selling time is worth; the founder's "
        "`hours_per_day` count on five days in seven while the founder sells "
        "(`max_active_deals` > 0).",
    )
    marketer_salary: float = param(
        90_000.0,
        ge=0,
        le=1e7,
        unit="USD/year per person",
        source=ASSUMPTION + " (a marketing specialist's loaded salary in a young company)",
        doc="Cost of each of `marketing.staff` for a year.",
    )
    programme_spend_per_tactic: float = param(
        20_000.0,
        ge=0,
        le=1e9,
        unit="USD/year per tactic",
        source=ASSUMPTION + " (a young company's budget per campaign; Gartner's CMO Spend "
        "Survey 2023 puts labour at 24.6% of large firms' marketing budgets)",
        doc="Programme spend (media, tools, agencies) for each marketing tactic given any "
        "proactive time.",
    )


class Customers(Section):
    """What a won deal earns after the signature: read by the money figures only."""

    gross_margin: float = param(
        0.72,
        ge=0,
        le=1,
        unit="share of revenue",
        source="Blossom Street Ventures, 75 SaaS IPOs since Oct 2017 (Medium): median cost "
        "of revenue 28%",
        doc="Share of a customer's revenue left after the cost of serving it: the money "
        "that pays back the cost of sales.",
    )
    monthly_churn: float = param(
        0.0087,
        ge=0,
        le=1,
        unit="probability/month",
        source="Lightspeed, '2023 Sales Benchmark Report' (n=143): gross retention 'close "
        "to current industry standards of 90%'; 1 - 0.90^(1/12)",
        doc="Chance that a customer leaves in any month; revenue counts the customers "
        "expected to remain.",
    )
    expansion_per_year: float = param(
        0.0,
        ge=0,
        le=10,
        unit="share of MRR/year",
        source=ASSUMPTION + " (no upsell motion in a young company; ChartMogul, 'SaaS "
        "Benchmarks Report 2023': best-in-class net retention under $300k ARR is 95%)",
        doc="Growth of a remaining customer's monthly revenue per year (upsell, more seats).",
    )
    onboarding_days: float = param(
        90.0,
        ge=0,
        le=3650,
        unit="days",
        source=ASSUMPTION + " (Cloud Coach 2024, secondary: about 100 days to fully onboard "
        "a B2B SaaS customer; RevSim's sample ramps revenue over about 3 months)",
        doc="Days after the signature until a customer pays its full monthly revenue.",
    )
    onboarding_start_share: float = param(
        0.5,
        ge=0,
        le=1,
        unit="share of full MRR",
        source=ASSUMPTION + " (RevSim's sample convention: 1/1.25^3 = 0.51 of steady revenue "
        "in the first month, rising to full)",
        doc="A new customer's monthly revenue at signature, as a share of its full monthly "
        "revenue (first-year revenue / 12); it rises linearly to full over `onboarding_days`.",
    )
    lifetime_years: float = param(
        10.0,
        gt=0,
        le=100,
        unit="years",
        source=ASSUMPTION + " (a lifetime value counts no further than a decade, and stays "
        "finite when expansion outgrows churn)",
        doc="How far a customer's lifetime value looks ahead from the signature.",
    )


class Scenario(Section):
    scenario: ScenarioInfo = Field(default_factory=ScenarioInfo)
    leads: Leads = Field(default_factory=Leads)
    market: Market = Field(default_factory=Market)
    committee: Committee = Field(default_factory=Committee)
    competition: Competition = Field(default_factory=Competition)
    reps: Reps = Field(default_factory=Reps)
    marketing: Marketing = Field(default_factory=Marketing)
    founder: Founder = Field(default_factory=Founder)
    channel: Channel = Field(default_factory=Channel)
    features: Features = Field(default_factory=Features)
    calendar: Calendar = Field(default_factory=Calendar)
    costs: Costs = Field(default_factory=Costs)
    customers: Customers = Field(default_factory=Customers)
    # Not strict: TOML gives a list of tables, kept as an immutable tuple.
    partners: tuple[Partner, ...] = Field(
        default=(), strict=False, description="Channel partners, zero or more."
    )

    @model_validator(mode="after")
    def _partner_names_unique(self) -> Scenario:
        seen: set[str] = set()
        for partner in self.partners:  # one pass: a long list of partners stays cheap
            if partner.name in seen:
                raise ValueError(
                    f"[[partners]] name {partner.name!r} is used twice; allowed: unique names"
                )
            seen.add(partner.name)
        return self

    def to_dict(self) -> dict[str, Any]:
        data = self.model_dump()
        data["partners"] = list(data["partners"])
        return data


# Sections written as [section] tables, and those written as [[section]] lists of tables.
LISTS: dict[str, type[Section]] = {"partners": Partner}
SECTIONS: dict[str, type[Section]] = {
    name: info.annotation  # type: ignore[misc]
    for name, info in Scenario.model_fields.items()
    if name not in LISTS
}


def default_of(key: str) -> Any:
    """The declared default of a section's parameter, named 'section.key'."""
    section, name = key.split(".")
    return SECTIONS[section].model_fields[name].default
