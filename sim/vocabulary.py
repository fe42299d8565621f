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


class Stage(Term):
    """Where a deal is; every day of its life is booked to exactly one stage."""

    WAITING_FOR_REP = 0, "waiting for a rep"
    QUALIFYING = 1, "qualifying"
    STALLERS = 2, "meetings with stallers"
    MARKETING_MATERIAL = 3, "waiting for marketing material"
    NAY_SAYERS = 4, "nay-sayer review and objections"
    DECIDING = 5, "decision"
    NEGOTIATING = 6, "negotiation"


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


class StallStyle(Term):
    """How a staller stalls: each staller has one style of its own."""

    RESCHEDULES = 0, "reschedules"
    REQUESTS_INFORMATION = 1, "requests information"
    HANDS_OFF = 2, "hands off"
