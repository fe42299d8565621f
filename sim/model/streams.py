"""Random number streams: one numpy Generator per replication and purpose.

Every replication draws from its own streams, derived from the run's seed, the
replication number and the purpose, never from the order in which work runs.
Two scenarios run with the same seed therefore see the same leads, the same
committee members and the same dice for behaviour: common random numbers.
"""

from __future__ import annotations

import numpy as np

# Purposes, in a fixed order: the index is part of each stream's seed.
PURPOSES = ("leads", "committee", "reps", "behaviour", "decisions", "partners")
BLOCK = 512  # draws fetched from numpy at a time; one-at-a-time calls are slow


def generator(seed: int, replication: int, purpose: str) -> np.random.Generator:
    """The generator for one purpose in one replication."""
    sequence = np.random.SeedSequence(seed, spawn_key=(replication, PURPOSES.index(purpose)))
    return np.random.Generator(np.random.PCG64(sequence))


class Stream:
    """Scalar draws for the model's processes, fetched from numpy in blocks."""

    __slots__ = ("rng", "_uniforms", "_exponentials")

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self._uniforms: list[float] = []
        self._exponentials: list[float] = []

    def uniform(self) -> float:
        """A uniform draw on [0, 1)."""
        if not self._uniforms:
            self._uniforms = self.rng.random(BLOCK).tolist()
        return self._uniforms.pop()

    def exponential(self, mean: float) -> float:
        """An exponential draw with the given mean (0 gives 0)."""
        if not self._exponentials:
            self._exponentials = self.rng.standard_exponential(BLOCK).tolist()
        return self._exponentials.pop() * mean

    def choice(self, weights: tuple[float, ...]) -> int:
        """Index drawn with probability proportional to its weight."""
        threshold = self.uniform() * sum(weights)
        cumulative = 0.0
        for index, weight in enumerate(weights):
            cumulative += weight
            if threshold < cumulative:
                return index
        return max(i for i, w in enumerate(weights) if w > 0)


class Streams:
    """All streams of one replication, one attribute per purpose."""

    __slots__ = PURPOSES

    def __init__(self, seed: int, replication: int):
        self.leads = Stream(generator(seed, replication, "leads"))  # arrivals and lead attributes
        self.committee = Stream(
            generator(seed, replication, "committee")
        )  # who sits on each committee
        self.reps = Stream(generator(seed, replication, "reps"))  # rep skills
        self.behaviour = Stream(generator(seed, replication, "behaviour"))  # delays and stalls
        self.decisions = Stream(
            generator(seed, replication, "decisions")
        )  # decision makers' choices
        self.partners = Stream(
            generator(seed, replication, "partners")
        )  # partner leads, coverage, plan changes
