"""The event log: what happened to a deal, as data (the views turn it into sentences and bars).

An event is a small record: the day, the deal, who acted (an actor kind and a seat:
staller 0, 1, ...; rep 0, 1, ...; partner 0, 1, ...; 0 for one-of-a-kind actors),
what kind of thing happened and its details (for example the outcome of a closing,
or how many requests were ahead in marketing's queue). The model never writes
English; `sim.views.trace` does.
"""

from __future__ import annotations

from enum import Enum, auto
from typing import Any, NamedTuple, Protocol


class Actor(Enum):
    """Who acts in a deal's story."""

    LEAD = auto()
    DEAL = auto()
    REP = auto()
    FOUNDER = auto()
    PARTNER = auto()
    STALLER = auto()
    NAY_SAYER = auto()
    DECISION_MAKER = auto()
    MARKETING = auto()
    PRODUCT = auto()  # the product team


class EventKind(Enum):
    """What an actor did. The details each kind carries are listed beside it."""

    ARRIVES = auto()  # lead: source (Source), partner (index or -1), value (USD)
    TAKES_DEAL = auto()  # rep or founder: active_deals
    WORKS_DEAL = auto()  # partner: active_deals
    RESCUES = auto()  # rep or founder steps into a stalled partner deal: partner (index)
    TAKES_OVER = auto()  # rep takes the deal of a rep who left
    QUALIFIES = auto()  # rep, founder or partner
    LETS_THROUGH = auto()  # staller
    RESCHEDULES = auto()  # staller
    HANDS_OFF = auto()  # staller
    ASKS_FOR_INFORMATION = auto()  # staller: from_kit (bool), queue (requests ahead, if not)
    DELIVERS_MATERIAL = auto()  # marketing: staller (seat)
    OBJECTS = auto()  # nay-sayer
    APPROVES = auto()  # nay-sayer
    VETOES = auto()  # nay-sayer
    MISREPRESENTS = auto()  # partner: claimed features the product lacks
    CHOOSES = auto()  # decision maker: choice (Choice)
    VOTES = auto()  # staller or nay-sayer in the final decision: for_buying (bool), stance
    NEEDS_FEATURE = auto()  # deal: feature (number), share (of open pipeline value asking
    # for it; threshold policy only, else None)
    BUILDS_FEATURE = auto()  # product team: feature, for_market (bool), ahead (builds queued
    # ahead of it; None when a team starts on it at once)
    DELIVERS_FEATURE = auto()  # product team, to a deal that waited for it: feature
    WORKS_AROUND = auto()  # deal, as its committee starts to decide without it: feature
    CLOSES = auto()  # deal: outcome (Outcome), reason (Reason)


class Event(NamedTuple):
    """One entry of the event log."""

    day: float
    deal: int
    actor: Actor
    seat: int
    kind: EventKind
    details: dict[str, Any]


class Someone(Protocol):
    """Anything that acts in a deal and can be named in the log."""

    @property
    def actor(self) -> Actor: ...

    @property
    def seat(self) -> int: ...
