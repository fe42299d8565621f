"""Direct sellers (reps and the founder): what every seller offers a deal, and their free slots."""

from __future__ import annotations

from typing import Protocol, cast

import simpy
from simpy.events import ProcessGenerator

from ..vocabulary import Owner
from .events import Actor


class Seller(Protocol):
    """A rep or the founder, as a deal sees them."""

    index: int  # the rep's number in the deal table; -1 for the founder
    active_deals: int
    employed: bool
    last_win_day: float
    hours_per_deal_day: float  # the seller's hours a day on one deal when fully loaded

    @property
    def actor(self) -> Actor: ...

    @property
    def seat(self) -> int: ...

    @property
    def owner(self) -> Owner: ...

    @property
    def slots(self) -> Slots: ...

    def productivity(self, day: float) -> float: ...


class Slots:
    """Free deal slots of one or more direct sellers, as seller tokens in a SimPy Store.

    Leads queue for a slot first come, first served; a rep or the founder offers
    one token per deal they can work at once. Tokens of a seller who left are
    dropped when they come up, so a departure needs no surgery on the Store.
    """

    def __init__(self, env: simpy.Environment, cold_after_days: float):
        self.env = env
        self.cold_after_days = cold_after_days
        self.store = simpy.Store(env)

    def offer(self, seller: Seller, count: int = 1) -> None:
        """Put `count` of the seller's tokens up for the waiting or next leads."""
        for _ in range(count):
            self.store.put(seller)

    def take(self) -> ProcessGenerator:
        """Wait for a free seller; return the seller, or None if the lead went cold waiting."""
        request = self._next_free()
        if not request.triggered:
            try:
                yield request | self.env.timeout(self.cold_after_days)
            except simpy.Interrupt:  # the buyer lost patience while waiting
                self._withdraw(request)
                raise
            if not request.triggered:
                self._withdraw(request)
                return None
        seller = cast(Seller, request.value)
        seller.active_deals += 1
        return seller

    def try_take(self) -> Seller | None:
        """A free seller right now, or None; never waits."""
        request = self._next_free()
        if not request.triggered:  # nobody free: do not join the queue
            request.cancel()
            return None
        seller = cast(Seller, request.value)
        seller.active_deals += 1
        return seller

    def release(self, seller: Seller) -> None:
        seller.active_deals -= 1
        if seller.employed:
            self.store.put(seller)

    def _next_free(self) -> simpy.resources.store.StoreGet:
        """A get request; tokens of sellers who left are skipped as they come up."""
        request = self.store.get()
        while request.triggered and not cast(Seller, request.value).employed:
            request = self.store.get()
        return request

    def _withdraw(self, request: simpy.resources.store.StoreGet) -> None:
        if request.triggered:  # granted at the very moment we gave up: hand the slot back
            self.store.put(request.value)
        else:
            request.cancel()
