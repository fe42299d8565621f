"""The product team: builds the features deals need and the product lacks (seed 001).

Some opportunities need a feature the product lacks; the seller learns which while
qualifying the deal. The product lacks `distinct_features` features at any time, so
deals can ask for the same one. What happens next is the company's policy:

- build: the team builds the feature for the deal, which waits for it before its
  committee decides; builds queue for a finite team, first come first served;
- workaround: the seller offers a workaround, and the committee likes our offer less;
- threshold: a workaround, and whenever a deal asks, the product marketer polls the
  pipeline (seed 001's email to the sales force): once the open deals asking for the
  feature hold `threshold_share` of the open pipeline's value, the team builds it for
  the market.

The team's time not spent on builds goes to the roadmap, one feature per `build_days`
per team: the pace the market expects. A build for the market takes a roadmap
feature's place; a build for one deal delays the roadmap, and our appeal to every
later deal's decision makers is divided by (1 + `roadmap_appeal_gain`) for each
feature's worth of team time given to single deals in the last `roadmap_memory_days`.
A built feature leaves the list of gaps and a new gap takes its place.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from typing import Any, Protocol

import simpy

from ..scenario.schema import Features
from ..vocabulary import FeaturePolicy
from .events import Actor, EventKind, Someone
from .streams import Streams
from .stretches import Journey


class Asker(Protocol):
    """A deal as the product team sees it."""

    id: int
    value: float
    now: float  # the deal's own clock (see sim.model.stretches)
    gap: Gap | None  # the missing feature it needs, if any
    product_appeal: float  # multiplies our appeal to its decision makers
    workaround: bool  # its committee decided without the feature it needed
    feature_wait_since: float | None  # waiting for a feature built for it since this day
    feature_wait_days: float

    def note(self, who: Someone | Actor, kind: EventKind, **details: Any) -> None: ...

    def catch_up(self) -> Journey: ...


class Gap:
    """A feature the product lacks, the deals that asked for it, and its build once ordered."""

    __slots__ = ("slot", "number", "askers", "done", "for_market", "delivered")

    def __init__(self, slot: int, number: int):
        self.slot = slot  # its place among the gaps, which a new gap takes once it is built
        self.number = number  # features 0 to distinct_features - 1 are missing on day 0
        self.askers: list[Asker] = []
        self.done: simpy.Event | None = None  # ordered: succeeds when it is delivered
        self.for_market = False
        self.delivered = False


class ProductTeam:
    """The product team of one replication: its gaps, its build list and its roadmap."""

    actor = Actor.PRODUCT
    seat = 0

    def __init__(
        self,
        env: simpy.Environment,
        params: Features,
        value_median: float,
        streams: Streams,
        open_deals: Mapping[int, Asker],
    ):
        self.env = env
        self.params = params
        self.listening = params.request_probability > 0  # else the team stays out of the deals
        self.policy = FeaturePolicy.from_key(params.policy)
        self.value_median = value_median
        self.streams = streams
        self.open_deals = open_deals  # on the world's clock: a deal leaves when it closes
        self.gaps = [Gap(slot, slot) for slot in range(params.distinct_features)]
        self.next_number = params.distinct_features
        self.free = params.product_capacity  # teams free to build
        self.queue: deque[Gap] = deque()  # builds waiting for a team, oldest first
        self.builds: list[tuple[float, bool]] = []  # (start day, for the market) of every build
        self.recent: deque[float] = deque()  # start days of builds for deals the market remembers

    def hear_needs(self, deal: Asker) -> Journey:
        """The seller has qualified the deal: does it need a feature the product lacks?"""
        params = self.params
        asks, which = self.streams.feature_draws(deal.id)
        ratio = deal.value / self.value_median
        if asks >= params.request_probability * ratio**params.value_exponent:  # capped at 1
            return
        yield from deal.catch_up()  # the pipeline and the build list are shared ground
        gap = self.gaps[int(which * len(self.gaps))]
        gap.askers.append(deal)
        deal.gap = gap
        share = self.pipeline_share(gap) if self.policy is FeaturePolicy.THRESHOLD else None
        deal.note(Actor.DEAL, EventKind.NEEDS_FEATURE, feature=gap.number, share=share)
        if gap.done is not None:  # already on the build list
            return
        if self.policy is FeaturePolicy.BUILD:
            self.order(gap, deal, for_market=False)
        elif share is not None and share >= params.threshold_share:
            self.order(gap, deal, for_market=True)

    def pipeline_share(self, gap: Gap) -> float:
        """Share of the open deals' value held by the open deals asking for `gap`."""
        open_deals = self.open_deals
        gap.askers = [deal for deal in gap.askers if deal.id in open_deals]
        asking = sum(deal.value for deal in gap.askers)
        return asking / sum(deal.value for deal in open_deals.values())

    def order(self, gap: Gap, deal: Asker, for_market: bool) -> None:
        """Put the gap on the build list, for the deals asking for it or for the market."""
        gap.for_market = for_market
        gap.done = self.env.event()
        ahead = None if self.free else len(self.queue)  # None: a team starts on it at once
        deal.note(
            self, EventKind.BUILDS_FEATURE, feature=gap.number, for_market=for_market, ahead=ahead
        )
        if self.free:
            self.free -= 1
            self._start(gap)
        else:
            self.queue.append(gap)

    def _start(self, gap: Gap) -> None:
        now = self.env.now
        self.builds.append((now, gap.for_market))
        if not gap.for_market:
            self.recent.append(now)
        self.env.timeout(self.params.build_days).callbacks.append(lambda _: self._deliver(gap))

    def _deliver(self, gap: Gap) -> None:
        """The feature is built: a new gap takes its place, and the team moves on."""
        gap.delivered = True
        self.gaps[gap.slot] = Gap(gap.slot, self.next_number)
        self.next_number += 1
        assert gap.done is not None
        gap.done.succeed()
        self._take_next()

    def _take_next(self) -> None:
        """A team is free: it starts the oldest build still wanted, or goes back to the roadmap."""
        while self.queue:
            gap = self.queue.popleft()
            if gap.for_market or any(deal.id in self.open_deals for deal in gap.askers):
                return self._start(gap)
            gap.done = None  # every deal it was for has ended: dropped before it was begun
        self.free += 1

    def settle(self, deal: Asker) -> Journey:
        """The committee is about to decide: wait for a feature being built for the deal, then
        weigh the product as it stands (the roadmap, and a workaround for a missing feature)."""
        yield from deal.catch_up()  # the builds and the roadmap are shared: on the world's clock
        gap = deal.gap
        if gap is not None and gap.done is not None and not gap.for_market and not gap.delivered:
            deal.feature_wait_since = deal.now
            yield gap.done
            deal.feature_wait_days = deal.now - deal.feature_wait_since
            deal.feature_wait_since = None
            deal.note(self, EventKind.DELIVERS_FEATURE, feature=gap.number)
        appeal = self.roadmap_appeal(deal.now)
        if gap is not None and not gap.delivered:
            deal.workaround = True
            appeal *= self.params.workaround_appeal
            deal.note(Actor.DEAL, EventKind.WORKS_AROUND, feature=gap.number)
        deal.product_appeal = appeal

    def roadmap_appeal(self, day: float) -> float:
        """(1 + gain)^-(features the roadmap lacks for builds for single deals), on `day`.

        The market remembers the last `roadmap_memory_days`: team time given to single deals
        then is roadmap work it never saw. A build for the market takes a roadmap feature's
        place. `day` is today: the world's clock, which never goes back.
        """
        params = self.params
        done, forgotten = params.build_days, day - params.roadmap_memory_days
        recent = self.recent
        while recent and recent[0] + done <= forgotten:
            recent.popleft()
        team_days = sum(_overlap(start, done, forgotten, day) for start in recent)
        return (1.0 + params.roadmap_appeal_gain) ** -(team_days / done)

    def _build_days(self, day: float, for_market: bool | None = None) -> float:
        """Team-days spent on builds by `day`: for the market, for deals, or both (None)."""
        done = self.params.build_days
        return sum(
            _overlap(start, done, 0.0, day)
            for start, market in self.builds
            if for_market is None or market == for_market
        )

    def stats(self, start: float, end: float) -> dict[str, float]:
        """Replication figures over the window [start, end): builds, time and the roadmap;
        empty (NaN) when no deal can ask for a feature, as the team is then left out."""
        if not self.listening:
            return dict.fromkeys(PRODUCT_STATS, math.nan)
        params = self.params
        done, teams = params.build_days, params.product_capacity

        def delivered(for_market: bool) -> int:
            return sum(start <= s + done < end for s, market in self.builds if market == for_market)

        def roadmap(day: float) -> int:
            return math.floor((teams * day - self._build_days(day)) / done)

        window = end - start
        on_builds = self._build_days(end) - self._build_days(start)
        for_deals = self._build_days(end, False) - self._build_days(start, False)
        return {
            "features_built_for_deals": delivered(False),
            "features_built_for_market": delivered(True),
            "roadmap_features": roadmap(end) - roadmap(start),
            "product_build_share": on_builds / (teams * window),
            "roadmap_delay_days": for_deals / teams,
            "roadmap_appeal_end": self.roadmap_appeal(end),
        }


PRODUCT_STATS = (
    "features_built_for_deals",
    "features_built_for_market",
    "roadmap_features",
    "product_build_share",
    "roadmap_delay_days",
    "roadmap_appeal_end",
)


def _overlap(start: float, length: float, since: float, until: float) -> float:
    """Days of the stretch [start, start + length) that fall within [since, until)."""
    return max(0.0, min(start + length, until) - max(start, since))
