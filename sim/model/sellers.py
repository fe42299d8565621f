"""Direct sellers (reps and the founder): what every seller offers a deal, and their free slots."""

from __future__ import annotations

from collections import deque
from typing import Protocol

import simpy
from simpy.events import ProcessGenerator

from ..vocabulary import Owner
from .calendar import Leave
from .events import Actor


class Seller(Protocol):
    """A rep or the founder, as a deal sees them."""

    index: int  # the rep's number in the deal table; -1 for the founder
    active_deals: int
    overbooked: int  # deals beyond the seller's limit (`Slots.claim`)
    employed: bool
    last_win_day: float
    hours_per_deal_day: float  # the seller's hours a day on one deal when fully loaded
    leave: Leave  # the seller's vacations and public holidays

    @property
    def actor(self) -> Actor: ...

    @property
    def seat(self) -> int: ...

    @property
    def owner(self) -> Owner: ...

    @property
    def slots(self) -> Slots: ...

    def productivity(self, day: float) -> float: ...

    def stays_until(self) -> float:
        """The earliest day the seller could leave, as things stand (inf: never)."""
        ...


class Slots:
    """Free deal slots of one or more direct sellers, served first come, first served.

    A rep or the founder offers one token per deal they can work at once; a lead takes
    a token when one is free and otherwise queues for the next one released. Tokens of
    a seller who left are dropped when they come up, so a departure needs no surgery
    on the queue. Plain deques rather than a SimPy Store: taking a free slot and
    releasing one are no events at all, only a wait is.
    """

    def __init__(self, env: simpy.Environment, cold_after_days: float):
        self.env = env
        self.cold_after_days = cold_after_days
        self.free: deque[Seller] = deque()
        self.waiting: deque[simpy.Event] = deque()  # leads queueing for a slot, oldest first

    def offer(self, seller: Seller, count: int = 1) -> None:
        """Put `count` of the seller's tokens up for the waiting or next leads."""
        for _ in range(count):
            if self.waiting:
                self.waiting.popleft().succeed(seller)
            else:
                self.free.append(seller)

    def take(self) -> ProcessGenerator:
        """Wait for a free seller; return the seller, or None if the lead went cold waiting."""
        seller = self.try_take()
        if seller is not None:
            return seller
        turn = self.env.event()
        self.waiting.append(turn)
        self.env.timeout(self.cold_after_days).callbacks.append(lambda _timer: self._give_up(turn))
        try:
            seller = yield turn
        except simpy.Interrupt:  # the buyer lost patience while waiting
            self._withdraw(turn)
            raise
        if seller is not None:
            seller.active_deals += 1
        return seller

    def claim(self, seller: Seller) -> None:
        """Take one of this seller's slots now, free or not: an open deal of a pipeline that
        is theirs already. Beyond their free slots the seller is overbooked, and offers no
        slot again until back within their limit."""
        seller.active_deals += 1
        if seller in self.free:
            self.free.remove(seller)
        else:
            seller.overbooked += 1

    def try_take(self) -> Seller | None:
        """A free seller right now, or None; never waits."""
        free = self.free
        while free:
            seller = free.popleft()
            if seller.employed:
                seller.active_deals += 1
                return seller
        return None

    def release(self, seller: Seller) -> None:
        seller.active_deals -= 1
        if seller.overbooked:
            seller.overbooked -= 1
        elif seller.employed:
            self.offer(seller)

    def _give_up(self, turn: simpy.Event) -> None:
        """The lead went cold before a slot came free (unless it was served or withdrawn)."""
        if not turn.triggered and turn in self.waiting:
            self.waiting.remove(turn)
            turn.succeed(None)

    def _withdraw(self, turn: simpy.Event) -> None:
        if not turn.triggered:
            self.waiting.remove(turn)
        elif turn.value is not None:  # granted at the very moment we gave up: hand it back
            self.offer(turn.value)
