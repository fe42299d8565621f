"""Channel partners: sales staff we do not control, whose attention follows their pay (seed 000).

A partner brings leads and works them with its own staff, at a speed set by its
mindshare for our product and by how many of our deals share its staff.
Mindshare is what the partner's compensation plan sets, less what account
conflicts have cost: each time a rep or the founder engages an account the
partner covers, some mindshare is lost, and it recovers towards the plan's
level over time. A change of plan can drop it to near zero overnight.
"""

from __future__ import annotations

import math

import numpy as np
import simpy
from simpy.events import ProcessGenerator

from ..scenario.schema import Channel
from ..scenario.schema import Partner as PartnerParams
from ..vocabulary import DAYS_PER_YEAR
from .events import Actor
from .marketing import Marketing


class Partner:
    """One channel partner and its standing with us over the replication."""

    actor = Actor.PARTNER
    __slots__ = (
        "env",
        "marketing",
        "index",
        "params",
        "channel",
        "plan_level",
        "level",
        "level_since",
        "against_us",
        "active_deals",
        "plan_changes",
        "change_days",
    )

    def __init__(
        self,
        env: simpy.Environment,
        index: int,
        params: PartnerParams,
        channel: Channel,
        rng: np.random.Generator,
        marketing: Marketing,
        horizon_days: float,
    ):
        self.env = env
        self.marketing = marketing  # its partner training
        self.index = index
        self.params = params
        self.channel = channel
        self.plan_level = params.mindshare  # the mindshare the current compensation plan sets
        self.level = params.mindshare  # mindshare at `level_since`; relaxes towards plan_level
        self.level_since = 0.0
        self.against_us = False
        self.active_deals = 0
        self.plan_changes = 0
        self.change_days = _plan_change_days(params, horizon_days, rng)

    @property
    def name(self) -> str:
        return self.params.name

    @property
    def seat(self) -> int:
        return self.index

    def mindshare(self, day: float) -> float:
        """Share of the partner's attention on our product today."""
        elapsed = day - self.level_since
        if elapsed <= 0.0 or self.level == self.plan_level:
            return self.level
        weight = math.exp(-elapsed / self.channel.mindshare_recovery_days)
        return self.plan_level + (self.level - self.plan_level) * weight

    def productivity(self, day: float) -> float:
        """Skill x mindshare, slowed when our deals outnumber what its staff can work."""
        capacity = self.params.staff * self.channel.deals_per_staff
        crowding = min(1.0, capacity / self.active_deals) if self.active_deals else 1.0
        return self.channel.partner_skill * self.mindshare(day) * crowding

    def training(self, day: float) -> float:
        """How well its staff know our product: its own training plus what ours adds."""
        own = self.params.training
        return own + (1.0 - own) * self.marketing.level("partner_training", day)

    def account_conflict(self) -> None:
        """A rep or the founder engaged an account this partner covers: it cares less for us."""
        now = self.env.now
        self._set_level(self.mindshare(now) * (1.0 - self.channel.conflict_mindshare_loss))

    def follow_comp_plan(self) -> ProcessGenerator:
        """Plan changes: the first turns the partner's staff away from us, the next one back.

        Each change is on a day drawn in advance (`_plan_change_days`).
        """
        env = self.env
        for day, planned_shock in self.change_days:
            yield env.timeout(day - env.now)
            self.plan_changes += 1
            if planned_shock or not self.against_us:
                self.against_us = True
                # Overnight; a plan against us never raises an already lower mindshare.
                self.plan_level = min(self.channel.shock_mindshare, self.params.mindshare)
                self._set_level(min(self.plan_level, self.mindshare(env.now)))
            else:
                self.against_us = False
                self._set_level(
                    self.mindshare(env.now)
                )  # from where it is now, before the plan moves
                self.plan_level = self.params.mindshare  # and recovers towards it gradually

    def _set_level(self, level: float) -> None:
        self.level = level
        self.level_since = self.env.now


def _plan_change_days(
    params: PartnerParams, horizon: float, rng: np.random.Generator
) -> list[tuple[float, bool]]:
    """Days of compensation-plan changes within the horizon, each flagged if it is the shock."""
    rate = params.comp_changes_per_year / DAYS_PER_YEAR
    count = rng.poisson(rate * horizon)
    days = [(float(day), False) for day in rng.uniform(0.0, horizon, count)]
    if params.comp_shock_day < horizon:
        days.append((params.comp_shock_day, True))
    return sorted(days)
