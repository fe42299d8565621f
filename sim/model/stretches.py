"""A deal's own clock: its journey runs ahead through stretches nothing else can touch.

A deal's generators yield either a SimPy event, to wait for the world (a free rep, a
marketer, the world's clock), or a plain number of days, to wait with nothing shared
involved (a meeting, a review, a deliberation). A wait of the second kind need not be
an event: when nothing outside the deal can act on it before the wait ends (its buyer's
patience, its rep's departure and the horizon all lie beyond), the deal's own clock
simply moves on and the journey continues at once. This "planned stretch" is the same
story as waiting event by event, draw for draw, at a fraction of the events.

What the deal does to the world (release a rep, queue at marketing) happens on the
world's clock: before such a step the journey waits for the world to catch up
(`Deal.catch_up`), and a deal that closes ahead of the world hands back its seller
when the world reaches that day.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any, Protocol

import simpy

# What a deal's generators yield: an event of the world's, or days of a wait of their own.
Journey = Generator[simpy.Event | float, Any, Any]


class Pacer(Protocol):
    """What the runner needs of a deal."""

    now: float  # the deal's own clock: ahead of the world's during a stretch

    def horizon_of_own_time(self) -> float:
        """The first day something outside the deal could act on it."""
        ...

    def waits_for_the_world(self) -> None:
        """The journey is about to wait for an event of the world's."""
        ...


def delay_until(now: float, day: float) -> float:
    """The delay after which a timer set `now` fires on `day` exactly (now + delay == day;
    `day - now` alone may round to a neighbour of it)."""
    delay = day - now
    while now + delay < day:
        delay = math.nextafter(delay, math.inf)
    while now + delay > day:
        delay = math.nextafter(delay, -math.inf)
    return delay


class Stretches:
    """Runs one deal's journey: own waits in plain Python, the world's waits as SimPy events.

    `interrupt` throws `simpy.Interrupt` into the journey, as `simpy.Process.interrupt`
    does; it only ever comes while the journey waits for an event, never mid-stretch,
    because a stretch ends before anything could interrupt it.
    """

    __slots__ = ("env", "pacer", "journey", "waiting_on", "running_ahead")

    def __init__(self, env: simpy.Environment, pacer: Pacer, journey: Journey, ahead: bool):
        self.env = env
        self.pacer = pacer
        self.journey = journey
        self.waiting_on: simpy.Event | None = None
        self.running_ahead = ahead  # False: every wait is an event (the event-by-event model)

    def start(self) -> None:
        """Run the journey from its start until it first waits for the world, or ends."""
        self._go(self.journey.send, None)

    def interrupt(self, cause: Any) -> None:
        """Stop the current wait and raise `simpy.Interrupt(cause)` in the journey."""
        event = self.waiting_on
        if event is None:
            return  # the journey has ended
        event.callbacks.remove(self._resume)
        self.pacer.now = self.env.now
        self._go(self.journey.throw, simpy.Interrupt(cause))

    def _resume(self, event: simpy.Event) -> None:
        self.pacer.now = self.env.now
        self._go(self.journey.send, event._value)

    def _go(self, step: Any, value: Any) -> None:
        """Run the journey until it waits for the world, or ends.

        The horizon of own time is read at the first wait of its own and kept: nothing
        outside acts on the deal meanwhile, and what the deal does itself (commit to us)
        only moves it further away. A deal takes its seller before any wait of its own.
        """
        pacer, env = self.pacer, self.env
        own_until = None if self.running_ahead else -math.inf
        self.waiting_on = None
        while True:
            try:
                item = step(value)
            except StopIteration:
                return
            step, value = self.journey.send, None
            if item.__class__ is float:
                end = pacer.now + item
                if own_until is None:
                    own_until = pacer.horizon_of_own_time()
                if end < own_until:
                    pacer.now = end  # nobody can act on the deal before then: no event
                    continue
                item = env.timeout(end - env.now)
            elif item.callbacks is None:  # already happened: carry on at once
                value = item._value
                continue
            pacer.waits_for_the_world()
            item.callbacks.append(self._resume)
            self.waiting_on = item
            return
