"""Random number streams, keyed by replication, purpose and, for what a deal does, by deal.

Every stream is seeded from the run's seed and a key, never from the order in which
work runs:
- the lead book, the reps' skills and the partners' plans come from one numpy
  Generator per replication and purpose (`Streams.leads`, `.reps`, `.partners`);
- what happens inside a deal (delays, stalls, objections: `BEHAVIOUR`; decision
  makers' choices: `DECISIONS`) comes from the deal's own dice, keyed by the
  replication, the deal id and the purpose;
- a committee member's traits come from draws keyed by the deal and the member's seat;
- a rep's tenure (attrition) and a planned hire's skill come from draws keyed by the
  rep's number (`TEAM`), made only when the scenario has attrition or a hiring plan;
- whether a deal needs a feature the product lacks, and which, comes from draws keyed
  by the deal (`FEATURES`), made only when the scenario has feature requests;
- in a finite market, the account each lead names and the accounts each partner covers
  come from a generator of their own (`Streams.market`): the leads stay as they were;
- the open deals of a pipeline a run starts from draw everything from keys of their own
  (`PIPELINE`, `PipelineStreams`): the leads stay as they were.

Two scenarios run with the same seed therefore see the same leads, the same
committee members and the same dice for every deal: common random numbers. A change
that alters one deal's path (one more negotiation day) leaves the dice of every other
deal as they were; it reaches another deal only through what they share (a rep's
free slot, marketing's queue). Adding a staller adds a seat and leaves the others.

Per-deal dice are cheap: the first draws (`BLOCKS`) of `CHUNK` consecutive deals come
from one numpy call; a deal that needs more draws its own overflow blocks.
"""

from __future__ import annotations

import sys

import numpy as np

# Purposes, in a fixed order: the index is part of each stream's seed.
# A new purpose goes at the end, so that every earlier purpose keeps its index and its draws.
PURPOSES = (
    "leads",
    "committee",
    "reps",
    "behaviour",
    "decisions",
    "partners",
    "features",
    "team",
    "market",
    "pipeline",
)
TEAM = "team"
# The open deals of a pipeline a run starts from: every purpose of theirs under this key.
PIPELINE = "pipeline"
# A person's own draws (`Streams.person_draw`): tenure, a planned hire's skill, vacations.
TENURE, SKILL, VACATION = range(3)
# How a person joined, the first part of their key: a rep there on day 0, a rep hired to
# replace one who left, a rep of the hiring plan, the founder. The second part is the
# person's number in that line, so a planned hire shifts no replacement's draws.
INITIAL, REPLACEMENT, PLANNED, FOUNDER = range(4)
BEHAVIOUR, DECISIONS, COMMITTEE, FEATURES = "behaviour", "decisions", "committee", "features"
CHUNK = 128  # deals whose dice are drawn together
# Draws per deal made up front, by purpose: (uniforms, exponentials). Most deals need
# fewer; a deal that needs more draws overflow blocks of its own.
BLOCKS = {BEHAVIOUR: (24, 32), DECISIONS: (4, 0)}
OVERFLOW_BLOCK = 128
# Chunks kept before the newest: deals open in id order, but a deal asks for its decision
# dice only when its committee decides, months and hundreds of newer deals later.
KEPT_CHUNKS = 8
_CHUNKS, _OVERFLOW, _SEATS = 0, 1, 2  # kinds of key, so that no two keys coincide
_UNIFORM, _EXPONENTIAL = 0, 1


def generator(seed: int, replication: int, purpose: str, *key: int) -> np.random.Generator:
    """The generator for one purpose in one replication, and optionally a finer key: that
    of `SeedSequence(seed, spawn_key=(replication, purpose's index, *key))`."""
    spawn_key = (replication, PURPOSES.index(purpose), *key)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy(seed, spawn_key))))


def entropy(seed: int, spawn_key: tuple[int, ...]) -> np.ndarray:
    """The words a `SeedSequence(seed, spawn_key=spawn_key)` mixes into its pool: the seed's
    32-bit words, padded with zeros to the pool's 4 when a key follows, then each key
    number's words. Given as its entropy, the same pool (tested), at two thirds of the
    cost: numpy turns a key into words number by number, and a replication seeds about
    45 generators."""
    words = _words(seed)
    if spawn_key:
        words += [0] * (4 - len(words))
    for number in spawn_key:
        words += _words(number)
    return np.array(words, dtype=np.uint32)


def _words(number: int) -> list[int]:
    """A non-negative integer's 32-bit words, least significant first (0 is one word)."""
    words = [number & 0xFFFFFFFF]
    number >>= 32
    while number:
        words.append(number & 0xFFFFFFFF)
        number >>= 32
    return words


class Dice:
    """Scalar draws as the model's processes use them; subclasses supply the draws."""

    __slots__ = ()

    def uniform(self) -> float:
        """A uniform draw on [0, 1)."""
        raise NotImplementedError

    def exponential(self, mean: float) -> float:
        """An exponential draw with the given mean (0 gives 0).

        By inversion of a uniform, so a longer mean stretches the same draw: the
        smoothest pairing of two scenarios that differ in a mean.
        """
        raise NotImplementedError

    def choice(self, weights: tuple[float, ...]) -> int:
        """Index drawn with probability proportional to its weight."""
        threshold = self.uniform() * sum(weights)
        cumulative = 0.0
        for index, weight in enumerate(weights):
            cumulative += weight
            if threshold < cumulative:
                return index
        return max(i for i, w in enumerate(weights) if w > 0)


class DealDice(Dice):
    """The dice of one deal and purpose: its up-front draws, then overflow blocks of its own.

    Uniforms and exponentials are separate lists, so a change in how many of one kind a
    deal uses does not shift the other.
    """

    __slots__ = ("_uniforms", "_exponentials", "_streams", "_purpose", "_deal_id", "_overflows")

    def __init__(
        self,
        uniforms: list[float],
        exponentials: list[float],
        streams: Streams,
        purpose: str,
        deal_id: int,
    ):
        self._uniforms, self._exponentials = uniforms, exponentials
        self._streams, self._purpose, self._deal_id = streams, purpose, deal_id
        self._overflows = [0, 0]  # overflow blocks drawn so far, of uniforms and exponentials

    def uniform(self) -> float:
        if not self._uniforms:
            self._uniforms = self._overflow(_UNIFORM).tolist()
        return self._uniforms.pop()

    def exponential(self, mean: float) -> float:
        if not self._exponentials:
            self._exponentials = (-np.log1p(-self._overflow(_EXPONENTIAL))).tolist()
        return self._exponentials.pop() * mean

    def _overflow(self, kind: int) -> np.ndarray:
        streams, used = self._streams, self._overflows[kind]
        self._overflows[kind] = used + 1
        key = (_OVERFLOW, self._deal_id, kind, used)
        return streams.keyed(self._purpose, *key).random(OVERFLOW_BLOCK)


class Streams:
    """All streams of one replication."""

    pipeline: PipelineStreams  # the open deals' streams, once `open_pipeline` is called

    def __init__(self, seed: int, replication: int):
        self.seed, self.replication = seed, replication
        self.leads = self.keyed("leads")  # arrivals and lead attributes
        self.reps = self.keyed("reps")  # rep skills
        self.partners = self.keyed("partners")  # partner leads and plans
        self.market = self.keyed("market")  # the accounts leads name
        # The latest chunks' up-front draws: {chunk: {purpose: (uniforms, exponentials)}}.
        self._blocks: dict[int, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
        self._feature_draws: dict[int, list[list[float]]] = {}  # {chunk: [[ask, which], ...]}
        # Deals from this id on are the open deals of a pipeline (`open_pipeline`).
        self.pipeline_from = sys.maxsize

    def keyed(self, purpose: str, *key: int) -> np.random.Generator:
        """The generator of a purpose in this replication, and optionally a finer key."""
        return generator(self.seed, self.replication, purpose, *key)

    def open_pipeline(self, first_id: int) -> PipelineStreams:
        """Deals from `first_id` on are the open deals of a pipeline the run starts from: their
        dice come from the streams returned, numbered by their place in the pipeline."""
        self.pipeline_from = first_id
        self.pipeline = PipelineStreams(self.seed, self.replication)
        return self.pipeline

    def dice(self, deal_id: int, purpose: str) -> Dice:
        """The dice of one deal for `BEHAVIOUR` or `DECISIONS`."""
        if deal_id >= self.pipeline_from:
            return self.pipeline.dice(deal_id - self.pipeline_from, purpose)
        chunk, row = divmod(deal_id, CHUNK)
        blocks = self._blocks.get(chunk)
        if blocks is None:
            blocks = self._blocks[chunk] = self._draw_chunk(chunk)
            for old in [c for c in self._blocks if c < chunk - KEPT_CHUNKS]:
                del self._blocks[old]  # redrawn alike, should a deal that old still ask
        uniforms, exponentials = blocks[purpose]
        return DealDice(uniforms[row].tolist(), exponentials[row].tolist(), self, purpose, deal_id)

    def feature_draws(self, deal_id: int) -> list[float]:
        """A deal's two uniforms for a feature request: does it need one, and which one."""
        if deal_id >= self.pipeline_from:
            return self.pipeline.feature_draws(deal_id - self.pipeline_from)
        chunk, row = divmod(deal_id, CHUNK)
        draws = self._feature_draws.get(chunk)
        if draws is None:  # deals qualify about in id order: a few chunks are kept
            draws = self._feature_draws[chunk] = (
                self.chunk_generator(chunk, FEATURES).random((CHUNK, 2)).tolist()
            )
            for old in [c for c in self._feature_draws if c < chunk - KEPT_CHUNKS]:
                del self._feature_draws[old]  # redrawn alike, should a deal that old still ask
        return draws[row]

    def _draw_chunk(self, chunk: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Every deal's up-front draws for a chunk of deals, from one numpy call."""
        width = sum(sum(counts) for counts in BLOCKS.values())
        draws = self.chunk_generator(chunk, BEHAVIOUR).random((CHUNK, width))
        blocks, start = {}, 0
        for purpose, (uniforms, exponentials) in BLOCKS.items():
            middle, end = start + uniforms, start + uniforms + exponentials
            blocks[purpose] = (draws[:, start:middle], -np.log1p(-draws[:, middle:end]))
            start = end
        return blocks

    def person_draw(self, person: tuple[int, int], what: int) -> np.random.Generator:
        """A generator for one of a person's own draws (`what`: tenure, a planned hire's
        skill, vacations), keyed by how they joined and their number in that line: a
        departure sooner, or a hiring plan, shifts no other person's draws."""
        return self.keyed(TEAM, *person, what)

    def chunk_generator(self, chunk: int, purpose: str, *key: int) -> np.random.Generator:
        """The generator of one chunk of deals for a purpose (and a finer key, e.g. a trait)."""
        return self.keyed(purpose, _CHUNKS, chunk, *key)

    def seat_generator(self, chunk: int, trait: int) -> np.random.Generator:
        """Draws of one committee trait for a chunk of deals; fill arrays (seat, deal in chunk).

        numpy fills arrays in order, so row `seat` does not depend on how many seats follow:
        a committee with one more staller keeps every other member as it was.
        """
        return self.chunk_generator(chunk, COMMITTEE, _SEATS, trait)


class PipelineStreams(Streams):
    """The streams of the open deals of a pipeline a run starts from (`sim.model.pipeline`).

    Every purpose of theirs is keyed under `PIPELINE`, and a deal by its place in the
    pipeline: the leads' draws are the same with or without a pipeline, and an open deal's
    the same however many leads the replication draws. `leads` gives their attributes.
    """

    def keyed(self, purpose: str, *key: int) -> np.random.Generator:
        return generator(self.seed, self.replication, PIPELINE, PURPOSES.index(purpose), *key)
