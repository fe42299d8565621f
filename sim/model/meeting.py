"""What the committee and marketing see of a deal: its pace, its stage, its tallies and its log."""

from __future__ import annotations

from typing import Any, Protocol

from ..vocabulary import Stage
from .events import Actor, EventKind, Someone
from .streams import Dice
from .stretches import Journey


class Meeting(Protocol):
    """A deal as the people on the buying side and marketing deal with it."""

    incumbent: bool  # an incumbent vendor has an inside relationship with the account
    logging: bool  # an event log is kept: `note` is worth calling
    now: float  # the deal's own clock (see sim.model.stretches)
    dice: Dice  # the deal's own draws for delays and behaviour
    product_appeal: float  # multiplies our appeal: the product as it stands (sim.model.product)

    @property
    def decision_dice(self) -> Dice:
        """The deal's own draws for decision makers' choices."""
        ...

    stalls: int
    requests: int
    objections: int

    def productivity(self, day: float) -> float:
        """How fast the seller moves the deal today (1: a fully productive median rep)."""
        ...

    def sellers_days(self, days: float) -> float:
        """Calendar days that `days` of the seller's own work take from now (time off)."""
        ...

    def enter(self, stage: Stage) -> None:
        """Book the days so far to the current stage and move to `stage`."""
        ...

    def note(self, who: Someone | Actor, kind: EventKind, **details: Any) -> None:
        """Record an event in the log, if one is kept."""
        ...

    def catch_up(self) -> Journey:
        """Wait until the world's clock reaches the deal's own: before a step on shared ground."""
        ...

    def after_stall(self) -> None:
        """The seller got through a stall: the deal's own rules may apply (a partner's rescue)."""
        ...
