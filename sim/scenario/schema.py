"""The scenario schema: every parameter's name, meaning, unit, default, range and source.

This module is the single source of parameters. Loading and validation
(`sim.scenario.loading`) and the parameter table in docs/model.md
(`sim.scenario.reference`) are both derived from the models below.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

SEED_003 = "seed 003 (Godin, via Calypto VP marketing)"
SEED_000 = "seed 000 (founder's channel and VP-sales stories)"
SEED_004 = "seed 004 (Revella: marketers spend over half their time on sales support)"
DIXON = "Dixon & McKenna, The JOLT Effect (2022): 40-60% of deals end in no decision"
CEB = (
    "Schmidt, Adamson & Bird, 'Making the Consensus Sale', HBR (2015): purchase "
    "likelihood falls from 81% with one stakeholder to 31% with six"
)
ASSUMPTION = "assumption"
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
        gt=0,
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
        source=ASSUMPTION + " (young company)",
        doc="Mean rate of the Poisson process of new leads (a month is 365.25/12 days).",
    )
    value_median: float = param(
        50000.0,
        gt=0,
        le=1e10,
        unit="USD",
        source=ASSUMPTION,
        doc="Median first-year deal value (lognormal).",
    )
    value_sigma: float = param(
        0.8,
        ge=0,
        le=5,
        unit="log USD",
        source=ASSUMPTION,
        doc="Standard deviation of log deal value; 0 makes every deal worth the median.",
    )
    patience_mean_days: float = param(
        270.0,
        gt=0,
        le=1e6,
        unit="days",
        source=ASSUMPTION + f", calibrated to {DIXON}",
        doc="Mean buyer patience, counted from the lead's arrival; when it runs out before "
        "the decision the deal goes dark (`no_decision`).",
    )
    patience_shape: float = param(
        2.0,
        gt=0,
        le=1000,
        unit="-",
        source=ASSUMPTION,
        doc="Gamma shape of buyer patience; the coefficient of variation is 1/sqrt(shape).",
    )
    marketing_share: float = param(
        0.5,
        ge=0,
        le=1,
        unit="fraction",
        source=ASSUMPTION,
        doc="Share of leads sourced by marketing campaigns.",
    )
    inbound_web_share: float = param(
        0.3,
        ge=0,
        le=1,
        unit="fraction",
        source=ASSUMPTION,
        doc="Share of leads arriving through the website.",
    )
    founder_network_share: float = param(
        0.2,
        ge=0,
        le=1,
        unit="fraction",
        source=ASSUMPTION,
        doc="Share of leads from the founder's network. The three shares must sum to 1.",
    )
    disqualify_probability: float = param(
        0.2,
        ge=0,
        le=1,
        unit="probability",
        source=ASSUMPTION,
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
        8,
        ge=0,
        le=100,
        unit="people",
        source=SEED_003,
        doc="Stallers per buying committee (gatekeepers, evaluators, influencers). "
        "The rep must get through all of them, one after another.",
    )
    nay_sayers: int = param(
        1,
        ge=0,
        le=20,
        unit="people",
        source=SEED_003,
        doc="Nay-sayers per committee; each reviews the offer and may object or veto.",
    )
    decision_makers: int = param(
        1,
        ge=1,
        le=20,
        unit="people",
        source=SEED_003,
        doc="Decision makers per committee; the first proposes a choice, the others must go along.",
    )
    consensus_probability: float = param(
        0.82,
        ge=0,
        le=1,
        unit="probability",
        source=f"derived from {CEB}: 0.82^5 = 0.37 ~ 31/81",
        doc="Chance each further decision maker goes along with the first one's choice; "
        "one who does not blocks the purchase (`no_decision`).",
    )
    member_concentration: float = param(
        4.0,
        gt=0,
        le=1e6,
        unit="-",
        source=ASSUMPTION,
        doc="Beta concentration of members' engagement and scepticism around their "
        "means; larger makes committee members more alike.",
    )
    staller_meeting_days: float = param(
        4.0,
        gt=0,
        le=3650,
        unit="days",
        source=ASSUMPTION,
        doc="Mean time (exponential) for a fully productive rep to get a meeting with a staller.",
    )
    staller_stall_probability: float = param(
        0.6,
        ge=0,
        le=1,
        unit="probability",
        source=ASSUMPTION + " (seed 003: most of the cycle is spent on stallers)",
        doc="Chance a meeting ends in a stall rather than the staller letting the rep "
        "through, for a staller with no engagement; scaled by (1 - engagement).",
    )
    staller_engagement_mean: float = param(
        0.2,
        ge=0,
        le=1,
        unit="fraction",
        source=ASSUMPTION,
        doc="Mean initial engagement of a staller (Beta distributed).",
    )
    staller_engagement_gain: float = param(
        0.3,
        ge=0,
        le=1,
        unit="fraction",
        source=ASSUMPTION,
        doc="Share of a staller's remaining disengagement removed by each stall the rep "
        "gets through: engagement += gain * (1 - engagement).",
    )
    reschedule_weight: float = param(
        0.25,
        ge=0,
        le=1,
        unit="weight",
        source=ASSUMPTION,
        doc="Relative share of stallers whose way of stalling is to reschedule.",
    )
    request_weight: float = param(
        0.6,
        ge=0,
        le=1,
        unit="weight",
        source=ASSUMPTION + " (seed 003: staller work is detail-oriented)",
        doc="Relative share of stallers whose way of stalling is to request information.",
    )
    handoff_weight: float = param(
        0.15,
        ge=0,
        le=1,
        unit="weight",
        source=ASSUMPTION,
        doc="Relative share of stallers whose way of stalling is to hand the rep off to a "
        "colleague (the staller goes to the back of the line).",
    )
    reschedule_days: float = param(
        10.0,
        ge=0,
        le=3650,
        unit="days",
        source=ASSUMPTION,
        doc="Mean delay (exponential) a reschedule adds.",
    )
    handoff_days: float = param(
        7.0,
        ge=0,
        le=3650,
        unit="days",
        source=ASSUMPTION,
        doc="Mean delay (exponential) to reach the colleague a staller hands off to.",
    )
    nay_sayer_review_days: float = param(
        10.0,
        gt=0,
        le=3650,
        unit="days",
        source=ASSUMPTION,
        doc="Mean time (exponential) for one review round by a nay-sayer.",
    )
    nay_sayer_scepticism_mean: float = param(
        0.5,
        ge=0,
        le=1,
        unit="fraction",
        source=ASSUMPTION,
        doc="Mean initial scepticism of a nay-sayer (Beta distributed).",
    )
    objection_probability: float = param(
        0.6,
        ge=0,
        le=1,
        unit="probability",
        source=ASSUMPTION,
        doc="Chance a review round ends in an objection, for a fully sceptical nay-sayer "
        "with no marketing collateral; scaled by scepticism.",
    )
    veto_probability: float = param(
        0.25,
        ge=0,
        le=1,
        unit="probability",
        source=ASSUMPTION,
        doc="Chance a review round ends in a veto, scaled like objections. "
        "objection_probability + veto_probability must be at most 1.",
    )
    objection_days: float = param(
        12.0,
        ge=0,
        le=3650,
        unit="days",
        source=ASSUMPTION,
        doc="Mean time (exponential) the rep needs to handle one objection.",
    )
    objection_relief: float = param(
        0.4,
        ge=0,
        le=1,
        unit="fraction",
        source=ASSUMPTION,
        doc="Share of a nay-sayer's scepticism removed by each handled objection.",
    )
    decision_days: float = param(
        14.0,
        ge=0,
        le=3650,
        unit="days",
        source=ASSUMPTION,
        doc="Mean time (exponential) the decision makers take to decide.",
    )
    status_quo_weight: float = param(
        0.5,
        ge=0,
        le=1000,
        unit="weight",
        source=ASSUMPTION + f", calibrated to {DIXON}",
        doc="Appeal of doing nothing to a decision maker, relative to our offer "
        "(weight 1 for a fully productive rep without collateral).",
    )
    negotiation_days: float = param(
        14.0,
        ge=0,
        le=3650,
        unit="days",
        source=ASSUMPTION,
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
        source=ASSUMPTION,
        doc="Competing vendors in an ordinary deal.",
    )
    competitor_weight: float = param(
        0.4,
        ge=0,
        le=1000,
        unit="weight",
        source=ASSUMPTION,
        doc="Appeal of each competitor to a decision maker, relative to our offer.",
    )
    incumbent_probability: float = param(
        0.15,
        ge=0,
        le=1,
        unit="probability",
        source=SEED_000 + " ('inside job')",
        doc="Chance an account has an incumbent vendor with an inside relationship.",
    )
    incumbent_weight: float = param(
        3.0,
        ge=0,
        le=1000,
        unit="weight",
        source=ASSUMPTION,
        doc="Extra appeal of the incumbent, on top of the ordinary competitors.",
    )


class Reps(Section):
    count: int = param(
        3,
        ge=1,
        le=1000,
        unit="people",
        source=ASSUMPTION + " (young company)",
        doc="Sales reps working deals.",
    )
    max_active_deals: int = param(
        10,
        ge=1,
        le=10000,
        unit="deals",
        source=ASSUMPTION,
        doc="Most deals one rep works at once; further leads wait for a free rep.",
    )
    cold_after_days: float = param(
        30.0,
        ge=0,
        le=1e6,
        unit="days",
        source=ASSUMPTION,
        doc="How long a lead waits for a free rep before it goes cold (`no_decision`).",
    )
    qualify_days: float = param(
        5.0,
        ge=0,
        le=3650,
        unit="days",
        source=ASSUMPTION,
        doc="Mean time (exponential) for the rep to qualify a new lead.",
    )
    skill_sigma: float = param(
        0.25,
        ge=0,
        le=3,
        unit="log skill",
        source=ASSUMPTION,
        doc="Spread of rep skill: skill is lognormal with median 1 and this sigma.",
    )
    ramp_days: float = param(
        90.0,
        ge=0,
        le=3650,
        unit="days",
        source=SEED_000 + " (about three months)",
        doc="Days a new rep needs to reach full productivity; productivity rises linearly.",
    )
    ramp_start_productivity: float = param(
        0.3,
        ge=0.01,
        le=1,
        unit="fraction",
        source=ASSUMPTION,
        doc="Productivity of a rep on the first day, as a share of full productivity.",
    )
    initial_tenure_days: float = param(
        365.0,
        ge=0,
        le=36500,
        unit="days",
        source=ASSUMPTION,
        doc="How long the reps have been with the company at day 0 (0: all newly hired).",
    )
    drought_days: float = param(
        math.inf,
        gt=0,
        unit="days",
        source=SEED_000 + " ('he's going to leave')",
        doc="A rep with no win for this long leaves the company (inf: nobody leaves). "
        "The drought is counted from the rep's last win, hire, or day 0.",
    )
    reassign_probability: float = param(
        0.5,
        ge=0,
        le=1,
        unit="probability",
        source=ASSUMPTION,
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
        source=SEED_000 + " (sales people follow their compensation plan)",
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
        source=ASSUMPTION + " (young company)",
        doc="Marketing people. Their time is a finite resource shared by proactive "
        "tactics and one-off material for single deals.",
    )
    proactive_share: float = param(
        0.4,
        ge=0,
        le=1,
        unit="fraction",
        source=SEED_004,
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
        source=SEED_003,
        doc="Tactic: value-proposition collateral; damps nay-sayer objections and vetoes "
        "and raises our appeal to decision makers.",
    )
    competitive_intelligence: float = param(
        0.0,
        ge=0,
        le=1,
        unit="share of proactive time",
        source="seed 002 (competitive analysis)",
        doc="Tactic: competitive intelligence; lowers competitors' appeal to decision "
        "makers (not an incumbent's inside relationship).",
    )
    reference_customers: float = param(
        0.0,
        ge=0,
        le=1,
        unit="share of proactive time",
        source="seed 002 (get sponsors)",
        doc="Tactic: reference customers; raises our appeal to decision makers.",
    )
    web_content: float = param(
        0.0,
        ge=0,
        le=1,
        unit="share of proactive time",
        source="seed 002 (buyers research online)",
        doc="Tactic: web content; buyers educate themselves and arrive having cleared some "
        "stallers already.",
    )
    lead_generation: float = param(
        0.0,
        ge=0,
        le=1,
        unit="share of proactive time",
        source="seed 002 (pit crew: leads)",
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
        source=ASSUMPTION,
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
        source=ASSUMPTION,
        doc="Asset levels at day 0 as a share of their steady state (1: the policy has run "
        "for long; 0: starting from nothing).",
    )
    ready_answer_days: float = param(
        1.0,
        ge=0,
        le=3650,
        unit="days",
        source=ASSUMPTION,
        doc="Mean time (exponential) to answer a staller's request from the staller kit.",
    )
    custom_work_days: float = param(
        5.0,
        ge=0,
        le=3650,
        unit="person-days",
        source=ASSUMPTION + " (seed 003: reactive material)",
        doc="Mean marketing effort (exponential) to make one-off material for one request. "
        "A person spends (1 - proactive_share) of their time on it, so the work takes "
        "custom_work_days / (1 - proactive_share) days once someone picks it up.",
    )
    collateral_effect: float = param(
        0.6,
        ge=0,
        le=1,
        unit="fraction",
        source=ASSUMPTION,
        doc="Relative cut in nay-sayer objections and vetoes, and relative gain in our "
        "appeal, from complete value-proposition collateral.",
    )
    intelligence_effect: float = param(
        0.5,
        ge=0,
        le=1,
        unit="fraction",
        source=ASSUMPTION,
        doc="Relative cut in competitors' appeal from complete competitive intelligence.",
    )
    reference_effect: float = param(
        0.5,
        ge=0,
        le=10,
        unit="fraction",
        source=ASSUMPTION,
        doc="Relative gain in our appeal to decision makers from complete reference customers.",
    )
    web_effect: float = param(
        0.4,
        ge=0,
        le=1,
        unit="probability",
        source=ASSUMPTION,
        doc="Chance each staller is already cleared when a lead arrives, with complete web "
        "content.",
    )
    lead_generation_effect: float = param(
        1.0,
        ge=0,
        le=10,
        unit="fraction",
        source=ASSUMPTION,
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
        source=SEED_000 + " (the founder closes)",
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
        source=ASSUMPTION,
        doc="Leads a partner salesperson brings per month at full mindshare; the rate "
        "scales with the partner's mindshare at the time.",
    )
    deals_per_staff: float = param(
        2.0,
        gt=0,
        le=1000,
        unit="deals/person",
        source=ASSUMPTION,
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
        source=ASSUMPTION,
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
        source=ASSUMPTION,
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
        source=SEED_000 + " (typically 20%)",
        doc="Commission the partner claims on a win in an account it covers.",
    )
    comp_changes_per_year: float = param(
        0.25,
        ge=0,
        le=365,
        unit="changes/year",
        source=SEED_000,
        doc="Rate of compensation-plan changes (Poisson). A change against us drops "
        "mindshare to `channel.shock_mindshare` overnight; the next one restores the plan.",
    )
    comp_shock_day: float = param(
        math.inf,
        ge=0,
        unit="day",
        source=ASSUMPTION,
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
        names = [partner.name for partner in self.partners]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"[[partners]] name {name!r} is used twice; allowed: unique names")
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
