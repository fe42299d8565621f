"""Decision makers: they buy from us, from a competitor, or nothing at all."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .deal import Deal

US, COMPETITOR, NOTHING = 0, 1, 2
CHOICES = ("buy from us", "buy from a competitor", "do nothing")


class DecisionMaker:
    """Weighs our offer against the competition and the status quo; remembers its choice."""

    __slots__ = ("seat", "choice")

    def __init__(self, seat: int):
        self.seat = seat
        self.choice: int | None = None

    @property
    def name(self) -> str:
        return f"decision maker {self.seat + 1}"

    def choose(self, deal: Deal) -> int:
        """Pick US, COMPETITOR or NOTHING with probability proportional to each one's appeal."""
        world = deal.world
        competition, committee = world.scenario.competition, world.scenario.committee
        ours = deal.productivity(world.env.now) * world.marketing.appeal_boost()
        theirs = (
            competition.competitors
            * competition.competitor_weight
            * world.marketing.competitor_damping()
        )
        if deal.incumbent:
            theirs += competition.incumbent_weight
        self.choice = world.streams.decisions.choice((ours, theirs, committee.status_quo_weight))
        deal.note(self, "would {}", CHOICES[self.choice])
        return self.choice

    def go_along(self, deal: Deal, proposal: int) -> bool:
        """Back the lead decision maker's proposal, or block it (then nothing is bought)."""
        world = deal.world
        agrees = world.streams.decisions.uniform() < world.scenario.committee.consensus_probability
        self.choice = proposal if agrees else NOTHING
        deal.note(self, "goes along" if agrees else "does not agree: no consensus")
        return agrees
