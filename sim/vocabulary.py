"""The words the whole project shares: outcomes, stages, sources, owners and choices.

Each is an integer enum: the integer is the code stored in result arrays, `key` is
the name written in result files (`Outcome.NO_DECISION.key == "no_decision"`), and
`label` is how views say it ("no decision"). The model, the analysis and the views
all use these members; none of them spells an outcome or a stage as a loose string.
Units shared by several layers are defined here too, once.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Self, cast

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12


class Term(IntEnum):
    """A member with a code (its value), a key for files and a label for people."""

    label: str

    def __new__(cls, code: int, label: str) -> Self:
        member = int.__new__(cls, code)
        member._value_ = code
        member.label = label
        return member

    @property
    def key(self) -> str:
        return self.name.lower()

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        """Every member's key, in code order: the categories of a result column."""
        return tuple(member.key for member in cls)

    @classmethod
    def from_key(cls, key: str) -> Self:
        """The member written `key` in files: Outcome.from_key("no_decision")."""
        return cls[key.upper()]

    @classmethod
    def from_code(cls, code: int) -> Self:
        """The member stored as `code` in result arrays (a dict look-up: it is called often)."""
        return cast(Self, cls._value2member_map_[code])


class Outcome(Term):
    """How a deal ended; `OPEN` if it had not ended at the horizon."""

    WON = 0, "won"
    LOST_COMPETITOR = 1, "lost to a competitor"
    VETOED = 2, "vetoed"
    NO_DECISION = 3, "no decision"
    DISQUALIFIED = 4, "disqualified"
    OPEN = 5, "still open"


class CrmOutcome(Term):
    """How a CRM export says an opportunity ended (docs/crm-import.md); `OPEN` if it has not."""

    WON = 0, "won"
    LOST = 1, "lost"
    NO_DECISION = 2, "no decision"
    DISQUALIFIED = 3, "disqualified"
    OPEN = 4, "open"


# How a CRM would record each model outcome: it knows no veto, only a lost deal.
CRM_OUTCOMES = {
    Outcome.WON: CrmOutcome.WON,
    Outcome.LOST_COMPETITOR: CrmOutcome.LOST,
    Outcome.VETOED: CrmOutcome.LOST,
    Outcome.NO_DECISION: CrmOutcome.NO_DECISION,
    Outcome.DISQUALIFIED: CrmOutcome.DISQUALIFIED,
    Outcome.OPEN: CrmOutcome.OPEN,
}


class Stage(Term):
    """Where a deal is; every day of its life is booked to exactly one stage."""

    WAITING_FOR_REP = 0, "waiting for a rep"
    QUALIFYING = 1, "qualifying"
    STALLERS = 2, "meetings with stallers"
    MARKETING_MATERIAL = 3, "waiting for marketing material"
    NAY_SAYERS = 4, "nay-sayer review and objections"
    DECIDING = 5, "decision"
    NEGOTIATING = 6, "negotiation"


class Reason(Term):
    """Why a deal ended as it did; `OPEN` if it had not ended at the horizon.

    The no-decision reasons say whose delay or which choice ended it: the buyer's
    patience running out while waiting for a rep, for marketing's material or in the
    committee's own process; the committee choosing the status quo or failing to agree;
    the rep leaving; or the lead going cold before any rep was free.
    """

    WON = 0, "won"
    POOR_FIT = 1, "disqualified: a poor fit"
    MISREPRESENTATION = 2, "vetoed for a partner's false claims"
    VETO = 3, "vetoed by a nay-sayer"
    COMPETITOR = 4, "lost to a competitor"
    INSIDE_JOB = 5, "lost to an incumbent (inside job)"
    STATUS_QUO = 6, "chose the status quo"
    NO_CONSENSUS = 7, "the committee failed to align"
    PATIENCE_WAITING_FOR_REP = 8, "patience ran out waiting for a rep"
    PATIENCE_WAITING_FOR_MARKETING = 9, "patience ran out waiting for marketing material"
    PATIENCE_WITH_COMMITTEE = 10, "patience ran out in the committee's process"
    REP_LEFT = 11, "the rep left"
    WENT_COLD = 12, "went cold before a rep was free"
    OPEN = 13, "still open"


# The reasons a `no_decision` deal can have, in the order views list them.
NO_DECISION_REASONS = (
    Reason.PATIENCE_WAITING_FOR_REP,
    Reason.PATIENCE_WAITING_FOR_MARKETING,
    Reason.PATIENCE_WITH_COMMITTEE,
    Reason.STATUS_QUO,
    Reason.NO_CONSENSUS,
    Reason.REP_LEFT,
    Reason.WENT_COLD,
)
# Ends the committee's own decision brings about: it buys (from us or a competitor),
# keeps the status quo, or fails to align.
DECISION_REASONS = (
    Reason.WON,
    Reason.COMPETITOR,
    Reason.INSIDE_JOB,
    Reason.STATUS_QUO,
    Reason.NO_CONSENSUS,
)
# No decisions from the buyer's indecision (JOLT's "fear of a wrong choice"), as opposed
# to a preference for the status quo: the committee could not align, or deliberated
# until its patience ran out.
INDECISION_REASONS = (Reason.NO_CONSENSUS, Reason.PATIENCE_WITH_COMMITTEE)
# Where a deal was when the buyer's patience ran out, and the reason that gives.
PATIENCE_REASONS = {
    Stage.WAITING_FOR_REP: Reason.PATIENCE_WAITING_FOR_REP,
    Stage.MARKETING_MATERIAL: Reason.PATIENCE_WAITING_FOR_MARKETING,
}


class Step(Term):
    """How far a lead got through the sales funnel, in order."""

    LEADS = 0, "leads"
    QUALIFIED = 1, "qualified (opportunities)"
    PAST_STALLERS = 2, "past the stallers"
    PAST_NAY_SAYERS = 3, "past the nay-sayers"
    DECIDED = 4, "decided"
    WON = 5, "won"


class Source(Term):
    """Where a lead came from."""

    MARKETING = 0, "marketing"
    INBOUND_WEB = 1, "inbound web"
    FOUNDER_NETWORK = 2, "founder network"
    PARTNER = 3, "partner"


class Owner(Term):
    """Who works a deal; a partner's deal stays the partner's, even when rescued."""

    NONE = 0, "nobody"
    REP = 1, "rep"
    FOUNDER = 2, "founder"
    PARTNER = 3, "partner"


class Choice(Term):
    """What a decision maker chooses."""

    US = 0, "buy from us"
    COMPETITOR = 1, "buy from a competitor"
    NOTHING = 2, "do nothing"


class Stance(Term):
    """Where a committee member stands on buying: its chance of voting for it, in thirds."""

    SCEPTIC = 0, "a sceptic"
    NEUTRAL = 1, "neutral"
    CHAMPION = 2, "a champion"

    @classmethod
    def of(cls, chance: float) -> Stance:
        """The stance of a member who votes for buying with this chance (0 to 1)."""
        return cls.from_code(min(int(chance * 3), 2))


class StallStyle(Term):
    """How a staller stalls: each staller has one style of its own."""

    RESCHEDULES = 0, "reschedules"
    REQUESTS_INFORMATION = 1, "requests information"
    HANDS_OFF = 2, "hands off"


class FeaturePolicy(Term):
    """What the company does when a deal needs a feature the product lacks (seed 001)."""

    BUILD = 0, "build it for the deal"
    WORKAROUND = 1, "offer a workaround"
    THRESHOLD = 2, "offer a workaround; build it once enough of the pipeline asks for it"


class CostLine(Term):
    """A line of the cost of sales (and marketing): what the money figures add up."""

    REP_SALARIES = 0, "rep salaries"
    REP_COMMISSIONS = 1, "rep commissions"
    REP_DRAWS = 2, "new reps' draws"
    REP_HIRING = 3, "hiring reps"
    FOUNDER_TIME = 4, "founder's selling time"
    MARKETING_STAFF = 5, "marketing staff"
    MARKETING_PROGRAMMES = 6, "marketing programmes"
    PARTNER_COMMISSIONS = 7, "partner commissions"
