"""The scenario schema: every parameter's name, meaning, unit, default, range and source.

This module is the single source of parameters. Loading and validation
(`sim.scenario.loading`) and the parameter table in docs/model.md
(`sim.scenario.reference`) are both derived from the models below.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

# A parameter's source starts with the constant of its kind, which
# `sim.scenario.reference.source_kind` reads: NO_SOURCE, a seed essay (SEED), ASSUMPTION
# followed by its reason in parentheses, FITTED, or else a publication with its year.
# Calibration and validation targets (`sim.analysis.targets`) are never cited here: a
# default that borrowed the figure it is fitted to or checked against would prove nothing.
NO_SOURCE = "-"  # names, descriptions, paths and seeds: not modelling choices
SEED = "seed"
SEED_000 = f"{SEED} 000 (founder's channel and VP-sales stories; sales vs. marketing)"
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


class Scenario(Section):
    scenario: ScenarioInfo = Field(default_factory=ScenarioInfo)
    leads: Leads = Field(default_factory=Leads)
    committee: Committee = Field(default_factory=Committee)
    competition: Competition = Field(default_factory=Competition)
    reps: Reps = Field(default_factory=Reps)
    marketing: Marketing = Field(default_factory=Marketing)
    founder: Founder = Field(default_factory=Founder)
    channel: Channel = Field(default_factory=Channel)
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
