"""Marketing: answers staller requests and supplies value-proposition collateral.

A share of marketing time (`proactive_share`) builds reusable tools. The part of
it aimed at stallers (`staller_focus`) is a staller kit: a request it covers is
answered quickly; any other request waits for one-off material made for that
deal. The rest of proactive time builds value-proposition collateral, which
damps nay-sayer doubts and makes our offer more appealing to decision makers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

import simpy

from .scenario import Marketing as MarketingParams

if TYPE_CHECKING:
    from .deal import Deal
    from .stallers import Staller
    from .world import World


class Marketing:
    def __init__(self, world: World, params: MarketingParams):
        self.world = world
        self.params = params
        self.ready_answer_share = params.ready_answer_share
        strength = params.collateral_effect * params.collateral_strength
        self.doubt_damping = 1.0 - strength  # multiplies nay-sayer objection and veto chances
        self.appeal_boost = 1.0 + strength  # multiplies our appeal to decision makers

    def answer(self, deal: Deal, staller: Staller) -> Iterator[simpy.Event]:
        """Answer a staller's request for information, from the kit or with one-off material."""
        env, dice = self.world.env, self.world.streams.behaviour
        deal.requests += 1
        deal.enter("marketing_material")
        if dice.uniform() < self.ready_answer_share:
            deal.note(staller.name, "asks for information; a ready-made answer exists")
            yield env.timeout(dice.exponential(self.params.ready_answer_days))
        else:
            deal.note(staller.name, "asks for information; material must be made for this deal")
            yield env.timeout(dice.exponential(self.params.custom_answer_days))
        deal.enter("stallers")
