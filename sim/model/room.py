"""The room a buying committee meets in: the clock, the rules and marketing's help."""

from __future__ import annotations

from dataclasses import dataclass

import simpy

from ..scenario.schema import Committee as CommitteeRules
from ..scenario.schema import Competition
from .marketing import Marketing


@dataclass(frozen=True, slots=True)
class Room:
    """What committee members work with; one per replication, shared by every deal.

    The dice are the deal's own (`Meeting.dice`), so that one deal's draws never
    depend on what other deals did.
    """

    env: simpy.Environment
    rules: CommitteeRules
    competition: Competition
    marketing: Marketing
