"""The room a buying committee meets in: the clock, the dice, the rules and marketing's help."""

from __future__ import annotations

from dataclasses import dataclass

import simpy

from ..scenario.schema import Committee as CommitteeRules
from ..scenario.schema import Competition
from .marketing import Marketing
from .streams import Stream


@dataclass(frozen=True, slots=True)
class Room:
    """What committee members work with; one per replication, shared by every deal."""

    env: simpy.Environment
    dice: Stream  # delays and behaviour
    decision_dice: Stream  # decision makers' choices
    rules: CommitteeRules
    competition: Competition
    marketing: Marketing
