"""The scenario schema: every parameter's name, meaning, unit, default, range and source.

This module is the single source of parameters. Loading and validation
(`load_scenario`, `apply_overrides`) and the parameter table in docs/model.md
(`parameter_rows`) are both derived from the models below.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

SEED_003 = "seed 003 (Godin, via Calypto VP marketing)"
SEED_000 = "seed 000 (founder's channel and VP-sales stories)"
SEED_004 = "seed 004 (Revella: marketers spend over half their time on sales support)"
DIXON = "Dixon & McKenna, The JOLT Effect (2022): 40-60% of deals end in no decision"
CEB = (
    "Schmidt, Adamson & Bird, 'Making the Consensus Sale', HBR (2015): purchase "
    "likelihood falls from 81% with one stakeholder to 31% with six"
)
ASSUMPTION = "assumption"


class ScenarioError(Exception):
    """A user mistake in a scenario file or override: shown as one message, exit code 2."""


def param(default: Any, *, unit: str, source: str, doc: str, ge=None, gt=None, le=None) -> Any:
    """A documented parameter: the only way parameters are declared."""
    return Field(
        default,
        ge=ge,
        gt=gt,
        le=le,
        description=doc,
        json_schema_extra={"unit": unit, "source": source},
    )


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ScenarioInfo(Section):
    name: str = param("unnamed", unit="text", source="-", doc="Short name shown in reports.")
    description: str = param("", unit="text", source="-", doc="What this scenario represents.")
    base: str = param(
        "", unit="path", source="-",
        doc="Scenario file this one builds on, relative to this file: its values apply "
        "wherever this file does not set its own.",
    )
    horizon_days: float = param(
        365.0, gt=0, le=36500, unit="days", source=ASSUMPTION + " (one business year)",
        doc="Simulated time. Deals still running at the horizon are reported as `open`.",
    )


class Leads(Section):
    arrivals_per_month: float = param(
        6.0, ge=0, le=10000, unit="leads/month", source=ASSUMPTION + " (young company)",
        doc="Mean rate of the Poisson process of new leads (a month is 365.25/12 days).",
    )
    value_median: float = param(
        50000.0, gt=0, le=1e10, unit="USD", source=ASSUMPTION,
        doc="Median first-year deal value (lognormal).",
    )
    value_sigma: float = param(
        0.8, ge=0, le=5, unit="log USD", source=ASSUMPTION,
        doc="Standard deviation of log deal value; 0 makes every deal worth the median.",
    )
    patience_mean_days: float = param(
        270.0, gt=0, le=1e6, unit="days", source=ASSUMPTION + f", calibrated to {DIXON}",
        doc="Mean buyer patience, counted from the lead's arrival; when it runs out before "
        "the decision the deal goes dark (`no_decision`).",
    )
    patience_shape: float = param(
        2.0, gt=0, le=1000, unit="-", source=ASSUMPTION,
        doc="Gamma shape of buyer patience; the coefficient of variation is 1/sqrt(shape).",
    )
    marketing_share: float = param(
        0.5, ge=0, le=1, unit="fraction", source=ASSUMPTION,
        doc="Share of leads sourced by marketing campaigns.",
    )
    inbound_web_share: float = param(
        0.3, ge=0, le=1, unit="fraction", source=ASSUMPTION,
        doc="Share of leads arriving through the website.",
    )
    founder_network_share: float = param(
        0.2, ge=0, le=1, unit="fraction", source=ASSUMPTION,
        doc="Share of leads from the founder's network. The three shares must sum to 1.",
    )
    disqualify_probability: float = param(
        0.2, ge=0, le=1, unit="probability", source=ASSUMPTION,
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
        8, ge=0, le=100, unit="people", source=SEED_003,
        doc="Stallers per buying committee (gatekeepers, evaluators, influencers). "
        "The rep must get through all of them, one after another.",
    )
    nay_sayers: int = param(
        1, ge=0, le=20, unit="people", source=SEED_003,
        doc="Nay-sayers per committee; each reviews the offer and may object or veto.",
    )
    decision_makers: int = param(
        1, ge=1, le=20, unit="people", source=SEED_003,
        doc="Decision makers per committee; the first proposes a choice, the others must go along.",
    )
    consensus_probability: float = param(
        0.82, ge=0, le=1, unit="probability", source=f"derived from {CEB}: 0.82^5 = 0.37 ~ 31/81",
        doc="Chance each further decision maker goes along with the first one's choice; "
        "one who does not blocks the purchase (`no_decision`).",
    )
    member_concentration: float = param(
        4.0, gt=0, le=1e6, unit="-", source=ASSUMPTION,
        doc="Beta concentration of members' engagement and scepticism around their "
        "means; larger makes committee members more alike.",
    )
    staller_meeting_days: float = param(
        4.0, gt=0, le=3650, unit="days", source=ASSUMPTION,
        doc="Mean time (exponential) for a fully productive rep to get a meeting with a staller.",
    )
    staller_stall_probability: float = param(
        0.6, ge=0, le=1, unit="probability", source=ASSUMPTION + " (seed 003: most of "
        "the cycle is spent on stallers)",
        doc="Chance a meeting ends in a stall rather than the staller letting the rep "
        "through, for a staller with no engagement; scaled by (1 - engagement).",
    )
    staller_engagement_mean: float = param(
        0.2, ge=0, le=1, unit="fraction", source=ASSUMPTION,
        doc="Mean initial engagement of a staller (Beta distributed).",
    )
    staller_engagement_gain: float = param(
        0.3, ge=0, le=1, unit="fraction", source=ASSUMPTION,
        doc="Share of a staller's remaining disengagement removed by each stall the rep "
        "gets through: engagement += gain * (1 - engagement).",
    )
    reschedule_weight: float = param(
        0.25, ge=0, le=1, unit="weight", source=ASSUMPTION,
        doc="Relative share of stallers whose way of stalling is to reschedule.",
    )
    request_weight: float = param(
        0.6, ge=0, le=1, unit="weight", source=ASSUMPTION + " (seed 003: staller work is "
        "detail-oriented)",
        doc="Relative share of stallers whose way of stalling is to request information.",
    )
    handoff_weight: float = param(
        0.15, ge=0, le=1, unit="weight", source=ASSUMPTION,
        doc="Relative share of stallers whose way of stalling is to hand the rep off to a "
        "colleague (the staller goes to the back of the line).",
    )
    reschedule_days: float = param(
        10.0, ge=0, le=3650, unit="days", source=ASSUMPTION,
        doc="Mean delay (exponential) a reschedule adds.",
    )
    handoff_days: float = param(
        7.0, ge=0, le=3650, unit="days", source=ASSUMPTION,
        doc="Mean delay (exponential) to reach the colleague a staller hands off to.",
    )
    nay_sayer_review_days: float = param(
        10.0, gt=0, le=3650, unit="days", source=ASSUMPTION,
        doc="Mean time (exponential) for one review round by a nay-sayer.",
    )
    nay_sayer_scepticism_mean: float = param(
        0.5, ge=0, le=1, unit="fraction", source=ASSUMPTION,
        doc="Mean initial scepticism of a nay-sayer (Beta distributed).",
    )
    objection_probability: float = param(
        0.6, ge=0, le=1, unit="probability", source=ASSUMPTION,
        doc="Chance a review round ends in an objection, for a fully sceptical nay-sayer "
        "with no marketing collateral; scaled by scepticism.",
    )
    veto_probability: float = param(
        0.25, ge=0, le=1, unit="probability", source=ASSUMPTION,
        doc="Chance a review round ends in a veto, scaled like objections. "
        "objection_probability + veto_probability must be at most 1.",
    )
    objection_days: float = param(
        12.0, ge=0, le=3650, unit="days", source=ASSUMPTION,
        doc="Mean time (exponential) the rep needs to handle one objection.",
    )
    objection_relief: float = param(
        0.4, ge=0, le=1, unit="fraction", source=ASSUMPTION,
        doc="Share of a nay-sayer's scepticism removed by each handled objection.",
    )
    decision_days: float = param(
        14.0, ge=0, le=3650, unit="days", source=ASSUMPTION,
        doc="Mean time (exponential) the decision makers take to decide.",
    )
    status_quo_weight: float = param(
        0.5, ge=0, le=1000, unit="weight", source=ASSUMPTION + f", calibrated to {DIXON}",
        doc="Appeal of doing nothing to a decision maker, relative to our offer "
        "(weight 1 for a fully productive rep without collateral).",
    )
    negotiation_days: float = param(
        14.0, ge=0, le=3650, unit="days", source=ASSUMPTION,
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
        if self.stallers and self.reschedule_weight + self.request_weight + self.handoff_weight == 0:
            raise ValueError(
                "reschedule_weight, request_weight and handoff_weight are all 0; "
                "allowed: at least one positive weight"
            )
        return self


class Competition(Section):
    competitors: int = param(
        2, ge=0, le=50, unit="vendors", source=ASSUMPTION,
        doc="Competing vendors in an ordinary deal.",
    )
    competitor_weight: float = param(
        0.4, ge=0, le=1000, unit="weight", source=ASSUMPTION,
        doc="Appeal of each competitor to a decision maker, relative to our offer.",
    )
    incumbent_probability: float = param(
        0.15, ge=0, le=1, unit="probability", source=SEED_000 + " ('inside job')",
        doc="Chance an account has an incumbent vendor with an inside relationship.",
    )
    incumbent_weight: float = param(
        3.0, ge=0, le=1000, unit="weight", source=ASSUMPTION,
        doc="Extra appeal of the incumbent, on top of the ordinary competitors.",
    )


class Reps(Section):
    count: int = param(
        3, ge=1, le=1000, unit="people", source=ASSUMPTION + " (young company)",
        doc="Sales reps working deals.",
    )
    max_active_deals: int = param(
        10, ge=1, le=10000, unit="deals", source=ASSUMPTION,
        doc="Most deals one rep works at once; further leads wait for a free rep.",
    )
    cold_after_days: float = param(
        30.0, ge=0, le=1e6, unit="days", source=ASSUMPTION,
        doc="How long a lead waits for a free rep before it goes cold (`no_decision`).",
    )
    qualify_days: float = param(
        5.0, ge=0, le=3650, unit="days", source=ASSUMPTION,
        doc="Mean time (exponential) for the rep to qualify a new lead.",
    )
    skill_sigma: float = param(
        0.25, ge=0, le=3, unit="log skill", source=ASSUMPTION,
        doc="Spread of rep skill: skill is lognormal with median 1 and this sigma.",
    )
    ramp_days: float = param(
        90.0, ge=0, le=3650, unit="days", source=SEED_000 + " (about three months)",
        doc="Days a new rep needs to reach full productivity; productivity rises linearly.",
    )
    ramp_start_productivity: float = param(
        0.3, ge=0.01, le=1, unit="fraction", source=ASSUMPTION,
        doc="Productivity of a rep on the first day, as a share of full productivity.",
    )
    initial_tenure_days: float = param(
        365.0, ge=0, le=36500, unit="days", source=ASSUMPTION,
        doc="How long the reps have been with the company at day 0 (0: all newly hired).",
    )


class Marketing(Section):
    proactive_share: float = param(
        0.4, ge=0, le=1, unit="fraction", source=SEED_004,
        doc="Share of marketing time spent on proactive, reusable tools rather than "
        "one-off material for single deals.",
    )
    staller_focus: float = param(
        0.25, ge=0, le=1, unit="fraction", source=SEED_003 + " (staller tactics are "
        "after-thoughts)",
        doc="Share of proactive time aimed at stallers (a staller kit); the rest builds "
        "value-proposition collateral for nay-sayers and decision makers.",
    )
    ready_answer_days: float = param(
        1.0, ge=0, le=3650, unit="days", source=ASSUMPTION,
        doc="Mean time (exponential) to answer a staller's request from a ready-made tool.",
    )
    custom_answer_days: float = param(
        30.0, ge=0, le=3650, unit="days", source=ASSUMPTION + " (seed 003: reactive "
        "material)",
        doc="Mean time (exponential) to answer when material must be made for this deal.",
    )
    collateral_effect: float = param(
        0.6, ge=0, le=1, unit="fraction", source=ASSUMPTION,
        doc="Largest relative cut in nay-sayer objections and vetoes, and largest relative "
        "gain in our appeal, from value-proposition collateral (reached when all "
        "marketing time is proactive collateral).",
    )

    @property
    def ready_answer_share(self) -> float:
        """Share of staller requests answered from a ready-made tool."""
        return self.proactive_share * self.staller_focus

    @property
    def collateral_strength(self) -> float:
        """Strength of value-proposition collateral, 0 to 1."""
        return self.proactive_share * (1.0 - self.staller_focus)


class Scenario(Section):
    scenario: ScenarioInfo = Field(default_factory=ScenarioInfo)
    leads: Leads = Field(default_factory=Leads)
    committee: Committee = Field(default_factory=Committee)
    competition: Competition = Field(default_factory=Competition)
    reps: Reps = Field(default_factory=Reps)
    marketing: Marketing = Field(default_factory=Marketing)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return self.model_dump()


SECTIONS: dict[str, type[Section]] = {
    name: info.annotation for name, info in Scenario.model_fields.items()  # type: ignore[misc]
}


# ---------------------------------------------------------------- loading and validation


def load_scenario(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """Read, override and validate a scenario file; raise ScenarioError on any mistake."""
    data = apply_overrides(read_scenario_data(Path(path)), overrides)
    return validate(data, source=str(path))


def read_scenario_data(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The file's raw values merged over those of its `base` scenario, if it names one."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such scenario file") from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read scenario file ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
    base = data.get("scenario", {}).get("base", "") if isinstance(data.get("scenario"), dict) else ""
    if not base:
        return data
    if not isinstance(base, str):
        raise ScenarioError(f"{path}: [scenario] base = {base!r} is not allowed; allowed: a file path")
    base_path = (path.parent / base).resolve()
    if base_path in seen or base_path == path.resolve():
        raise ScenarioError(f"{path}: [scenario] base = {base!r} leads back to itself")
    merged = read_scenario_data(base_path, seen + (path.resolve(),))
    for section, values in data.items():
        if isinstance(values, dict) and isinstance(merged.get(section), dict):
            merged[section] = {**merged[section], **values}
        else:
            merged[section] = values
    return merged


def parse_override(text: str) -> tuple[str, str, Any]:
    """Split 'section.key=value' and read the value as a TOML value.

    Bare text is a string, and so is anything given to a text key
    (--set scenario.name=2024 names the scenario "2024").
    """
    target, sep, raw = text.partition("=")
    section, dot, key = target.strip().partition(".")
    key, raw = key.strip(), raw.strip()
    if not sep or not dot or not section or not key:
        raise ScenarioError(f"--set {text!r}: expected section.key=value, e.g. committee.stallers=4")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    field = SECTIONS[section].model_fields.get(key) if section in SECTIONS else None
    if field is not None and field.annotation is str and not isinstance(value, str):
        value = raw
    return section, key, value


def apply_overrides(data: dict[str, Any], overrides: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Return a copy of the scenario data with --set overrides applied (validated later)."""
    merged = {name: dict(values) if isinstance(values, dict) else values for name, values in data.items()}
    for text in overrides:
        section, key, value = parse_override(text)
        if section not in SECTIONS:
            raise ScenarioError(f"--set {text!r}: {_unknown('section', section, SECTIONS)}")
        if key not in SECTIONS[section].model_fields:
            raise ScenarioError(
                f"--set {text!r}: {_unknown(f'key in [{section}]', key, SECTIONS[section].model_fields)}"
            )
        if (section, key) == ("scenario", "base"):
            raise ScenarioError(f"--set {text!r}: the base scenario can only be named in the file")
        merged.setdefault(section, {})[key] = value
    return merged


def validate(data: dict[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate scenario data, turning the first problem into one readable ScenarioError."""
    for section, values in data.items():
        if section not in SECTIONS:
            raise ScenarioError(f"{source}: {_unknown('section', section, SECTIONS)}")
        if not isinstance(values, dict):
            raise ScenarioError(f"{source}: [{section}] must be a table of key = value lines")
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_describe(exc, source)) from None


def _unknown(what: str, name: str, valid) -> str:
    close = difflib.get_close_matches(name, list(valid), n=1, cutoff=0.5)
    hint = f"; did you mean '{close[0]}'?" if close else f"; valid: {', '.join(valid)}"
    return f"unknown {what} '{name}'{hint}"


def _describe(exc: ValidationError, source: str) -> str:
    errors = exc.errors()
    first = errors[0]
    loc = [str(part) for part in first["loc"]]
    more = f" (and {len(errors) - 1} more problem{'s' * (len(errors) > 2)})" if len(errors) > 1 else ""
    if len(loc) == 1:  # a whole-section rule (model validator)
        return f"{source}: [{loc[0]}] {first['msg'].removeprefix('Value error, ')}{more}"
    section, key = loc[0], loc[1]
    if first["type"] == "extra_forbidden":
        return f"{source}: [{section}] {_unknown('key', key, SECTIONS[section].model_fields)}{more}"
    field = SECTIONS[section].model_fields[key]
    return (
        f"{source}: [{section}] {key} = {first['input']!r} is not allowed; "
        f"allowed: {allowed_values(field)}{more}"
    )


# ---------------------------------------------------------------- documentation


def allowed_values(field) -> str:
    """'number from 0 to 1' and the like, read from the field's constraints."""
    kind = {int: "integer", float: "number", str: "text"}[field.annotation]
    bounds = {type(m).__name__: m for m in field.metadata}
    lower = next(
        (f"{op} {getattr(bounds[name], attr):g}" for name, attr, op in (("Ge", "ge", "≥"), ("Gt", "gt", ">")) if name in bounds),
        None,
    )
    upper = f"≤ {bounds['Le'].le:g}" if "Le" in bounds else None
    parts = [p for p in (lower, upper) if p]
    return kind + (" " + " and ".join(parts) if parts else "")


def parameter_rows() -> list[dict[str, str]]:
    """One row per parameter for the reference table in docs/model.md."""
    rows = []
    for section, model in SECTIONS.items():
        for key, field in model.model_fields.items():
            extra = field.json_schema_extra or {}
            default = field.default
            rows.append(
                {
                    "key": f"{section}.{key}",
                    "meaning": field.description or "",
                    "unit": extra.get("unit", ""),
                    "default": f"{default:g}" if isinstance(default, (int, float)) else repr(default),
                    "allowed": allowed_values(field),
                    "source": extra.get("source", ""),
                }
            )
    return rows


def parameter_table() -> str:
    """The Markdown parameter table, generated from the schema."""
    lines = [
        "| key | meaning | unit | default | allowed | source of default |",
        "|---|---|---|---|---|---|",
    ]
    for row in parameter_rows():
        cells = [f"`{row['key']}`", row["meaning"], row["unit"], row["default"], row["allowed"], row["source"]]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)
