"""Simulation-based fitting: the method of simulated moments with an emulator, and its intervals.

The behavioural parameters (how patient buyers are, how strong competitors and the
status quo are, how fast meetings come) leave no column of their own in a CRM export;
they show in its outcome mix and cycle lengths. The fit chooses the values whose
simulated company produces the same summary figures ("moments") as the export, the
export's moments weighted by their precision (the method of simulated moments:
McFadden 1989; Pakes & Pollard 1989). Every simulation runs the same seeds (common
random numbers), so the simulated moments move smoothly with the parameters. The
search is a trust region: linear emulators of the moments, each fitted to a small
space-filling design of simulations, in boxes that follow the best point and then
shrink around it. The covariance of the fitted values is the GMM sandwich
(G'WG)^-1 G'W S W G (G'WG)^-1, with G the last emulator's slope, W the search's weights
and S the moments' sampling covariance, inflated for the simulated moments' own noise.

The model runs elsewhere: this module takes moments, whatever made them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from enum import Enum

import numpy as np

from ..vocabulary import CrmOutcome

BOOTSTRAP_SAMPLES = 400
BLOCK_DAYS = 61.0  # two months: deals created in one share the same reps' load
MIN_CLOSED_FOR_MEDIAN = 10  # fewer closed deals of an outcome: its median is not a moment
Z_95 = 1.959963984540054
LOCAL_BOX = 4.0  # a settled round searches this many standard errors either side
MIN_HALF_WIDTH = 0.02  # ... but at least this much (search scale: 2%)
SETTLED = 2.0  # a best point this many standard errors from its box's middle settles it
NEAR = 1.0  # the final emulator uses points within a box's width of the last box's middle
GROWTH = 1.5  # a box whose best point is on its edge grows by this much as it follows it
MAX_HALF_WIDTH = 1.0  # ... up to this (search scale: a factor of e either side)


@dataclass(frozen=True)
class Window:
    """The deals of one observation window, as the fit compares them: whole days from its start.

    `closed` is NaN for deals still open when the window ends; `outcome` holds CrmOutcome
    codes. The export and each simulated company are turned into one of these alike.
    """

    created: np.ndarray
    closed: np.ndarray
    outcome: np.ndarray
    days: float

    def __len__(self) -> int:
        return len(self.created)

    def take(self, rows: np.ndarray) -> Window:
        return Window(self.created[rows], self.closed[rows], self.outcome[rows], self.days)


def pooled(windows: Sequence[Window]) -> Window:
    """Several simulated windows as one sample (their moments then pool every deal)."""
    return Window(
        np.concatenate([w.created for w in windows]),
        np.concatenate([w.closed for w in windows]),
        np.concatenate([w.outcome for w in windows]),
        windows[0].days,
    )


class Statistic(Enum):
    SHARE = "share"  # logit of the share of all deals that ended this way
    MEDIAN = "median"  # log(1 + median cycle days) of the deals that ended this way
    QUARTER = "quarter"  # log(1 + lower quartile) of the won deals' cycles
    THREE_QUARTERS = "three_quarters"  # log(1 + upper quartile) of the won deals' cycles


@dataclass(frozen=True)
class Moment:
    """One summary figure the fit matches: a statistic of the deals that ended one way."""

    statistic: Statistic
    outcome: CrmOutcome

    @property
    def name(self) -> str:
        return f"{self.statistic.value}_{self.outcome.key}"


ENDINGS = (CrmOutcome.WON, CrmOutcome.LOST, CrmOutcome.NO_DECISION, CrmOutcome.DISQUALIFIED)
MOMENTS = (
    *(Moment(Statistic.SHARE, outcome) for outcome in ENDINGS),
    *(Moment(Statistic.MEDIAN, outcome) for outcome in ENDINGS),
    Moment(Statistic.QUARTER, CrmOutcome.WON),
    Moment(Statistic.THREE_QUARTERS, CrmOutcome.WON),
)
_LEVELS = {Statistic.MEDIAN: 0.5, Statistic.QUARTER: 0.25, Statistic.THREE_QUARTERS: 0.75}


def moment_values(window: Window, moments: Sequence[Moment] = MOMENTS) -> np.ndarray:
    """The window's value of each moment (NaN where no deal ended that way)."""
    n = max(len(window), 1)
    cycle = window.closed - window.created
    values = []
    for moment in moments:
        ended = window.outcome == moment.outcome
        if moment.statistic is Statistic.SHARE:
            count = float(np.count_nonzero(ended))
            share = min(max(count, 0.5), n - 0.5) / n  # none or all: half a deal off
            values.append(math.log(share / (1.0 - share)))
            continue
        cycles = cycle[ended & ~np.isnan(window.closed)]
        level = _LEVELS[moment.statistic]
        values.append(math.log1p(np.quantile(cycles, level)) if len(cycles) else math.nan)
    return np.array(values)


def usable_moments(window: Window) -> tuple[Moment, ...]:
    """The moments the export can inform: cycle statistics need enough closed deals."""
    closed = ~np.isnan(window.closed)
    counts = {o: np.count_nonzero(closed & (window.outcome == o)) for o in ENDINGS}
    return tuple(
        m
        for m in MOMENTS
        if m.statistic is Statistic.SHARE or counts[m.outcome] >= MIN_CLOSED_FOR_MEDIAN
    )


def block_resamples(window: Window, rng: np.random.Generator, samples: int) -> Iterator[Window]:
    """Bootstrap copies of the window: its quarters of creation dates drawn with replacement."""
    blocks = np.floor(window.created / BLOCK_DAYS).astype(int)
    members = [np.flatnonzero(blocks == b) for b in np.unique(blocks)]
    for _ in range(samples):
        chosen = rng.integers(len(members), size=len(members))
        yield window.take(np.concatenate([members[c] for c in chosen]))


def bootstrap_covariance(
    window: Window, moments: Sequence[Moment], rng: np.random.Generator
) -> np.ndarray:
    """The covariance of the window's moments, from block bootstrap copies of it, its
    correlations halved: a few dozen blocks estimate variances well, correlations poorly."""
    covariance = moment_covariance(block_resamples(window, rng, BOOTSTRAP_SAMPLES), moments)
    return (covariance + np.diag(np.diag(covariance))) / 2


def moment_covariance(windows: Iterable[Window], moments: Sequence[Moment]) -> np.ndarray:
    """The covariance of the moments across windows (a rare empty median: the others' mean)."""
    values = np.array([moment_values(window, moments) for window in windows])
    values = np.where(np.isnan(values), np.nanmean(values, axis=0), values)
    return np.atleast_2d(np.cov(values, rowvar=False))


class Scale(Enum):
    """How a parameter is searched: on a scale where its whole allowed range is open."""

    LOG = "log"
    LOGIT = "logit"

    def to_search(self, value: float) -> float:
        return math.log(value) if self is Scale.LOG else math.log(value / (1.0 - value))

    def from_search(self, x: float) -> float:
        return math.exp(x) if self is Scale.LOG else 1.0 / (1.0 + math.exp(-x))


@dataclass(frozen=True)
class Unknown:
    """A behavioural parameter the fit estimates, and the range it searches."""

    key: str  # the scenario key, "section.name"
    scale: Scale
    low: float
    high: float
    shows_in: str  # what in an export moves it, for the report and docs

    def box(self) -> tuple[float, float]:
        return self.scale.to_search(self.low), self.scale.to_search(self.high)


@dataclass
class Estimate:
    """A fitted value with its 95% interval, on the parameter's own scale."""

    key: str
    value: float
    low: float
    high: float
    identified: bool  # the data narrow it: its interval covers well under its search range


@dataclass(frozen=True)
class Round:
    """One round of the search: its box, its best point and how well its emulator fits."""

    points: int
    centre: np.ndarray  # the best point found (search scale)
    half_width: np.ndarray  # the box searched: the previous centre plus or minus this
    residual_share: float  # the emulator's residual variance over the moments' variance


@dataclass(frozen=True)
class Design:
    """How many simulations the search spends: rounds of a few points each."""

    points: int = 24  # the emulator has 11 terms in five unknowns
    rounds: int = 8
    first_half_width: float = 0.6  # search scale: a factor of 1.8 either side of the start
    simulated_deals: int = 4000  # each point pools replications enough for this many deals
    check: int = 40  # companies simulated at the fitted values, to check the fit


@dataclass
class Fit:
    """Where the search ended: its best point, and the last emulator around it."""

    observed: np.ndarray
    centre: np.ndarray  # the best point (search scale)
    emulator: Emulator  # the last round's, fitted over the box `lows` to `highs`
    lows: np.ndarray
    highs: np.ndarray
    weight: np.ndarray  # the weight matrix the best point is best for
    rounds: list[Round]

    @property
    def simulated(self) -> np.ndarray:
        """The emulated moments at the best point."""
        return self.emulator.predict(self.centre)

    @property
    def slope(self) -> np.ndarray:
        """d moments / d search point, at the best point."""
        return self.emulator.slope_at(self.centre)

    def reweighted(self, weight: np.ndarray) -> Fit:
        """The best point of the last round for other weights (the second step of two-step
        GMM: weights from the moments' covariance at the first step's estimates)."""
        centre = self.emulator.best(self.observed, weight, self.lows, self.highs)
        return replace(self, centre=centre, weight=weight)

    @property
    def simulations(self) -> int:
        """Search points simulated."""
        return sum(r.points for r in self.rounds)


Simulator = Callable[[list[np.ndarray]], list[np.ndarray]]  # search points -> moments each


def fit_moments(
    unknowns: Sequence[Unknown],
    start: np.ndarray,
    observed: np.ndarray,
    weight: np.ndarray,
    simulate: Simulator,
    rng: np.random.Generator,
    design: Design | None = None,
) -> Fit:
    """Fit `unknowns` so that `simulate` reproduces the `observed` moments, weighted.

    `start` is the search point to begin around (search scale); `simulate` maps a list
    of search points to the moments of a simulated company at each (common random
    numbers). Each round simulates a space-filling design over a box, fits a quadratic
    emulator and moves to its best point in the box; the box follows a best point on
    its edge, and shrinks to a few standard errors once the best point is inside. The
    search settles when a round in a box that small, centred on an earlier round's best
    point, finds its own best point within two standard errors of the middle, where the
    emulator is surest. A last emulator
    fitted to every point simulated near the last box gives the estimate and its slope.
    """
    design = design or Design()
    box = np.array([unknown.box() for unknown in unknowns])
    centre = np.clip(start, box[:, 0], box[:, 1])
    half = np.full(len(unknowns), design.first_half_width)
    rounds: list[Round] = []
    points, values = np.empty((0, len(unknowns))), np.empty((0, len(observed)))
    for _ in range(design.rounds):
        lows, highs = np.maximum(centre - half, box[:, 0]), np.minimum(centre + half, box[:, 1])
        xs = _space_filling(lows, highs, design.points, rng)
        ys = np.array(simulate(list(xs)))
        points, values = np.vstack([points, xs]), np.vstack([values, ys])
        emulator = Emulator.fitted(xs, ys, lows, highs)
        moved = emulator.best(observed, weight, lows, highs) - centre
        centre = centre + moved
        rounds.append(Round(design.points, centre, half, emulator.residual_share))
        spread = _standard_errors(emulator.slope_at(centre), weight, np.linalg.inv(weight))
        local = np.maximum(LOCAL_BOX * spread, MIN_HALF_WIDTH)
        edge = _on_inner_edge(centre, lows, highs, box)
        # Settled: a box centred on an earlier round's best point has its own best near there.
        settled = len(rounds) > 1 and np.all(np.abs(moved) <= SETTLED * spread)
        if not edge.any() and np.all(half <= local * GROWTH) and settled:
            break  # the best point is inside a box a few standard errors wide, near its middle
        # Follow a best point out along the unknowns at their box's edge; close in on the rest.
        half = np.minimum(np.where(edge, half * GROWTH, np.minimum(half, local)), MAX_HALF_WIDTH)
    # The last emulator again, from every point simulated near the last box: more points,
    # a steadier slope and a smaller prediction error at the best point.
    near = np.all(np.abs(points - (lows + highs) / 2) <= (highs - lows) * NEAR, axis=1)
    emulator = Emulator.fitted(points[near], values[near], *_span(points[near], lows, highs))
    centre = emulator.best(observed, weight, lows, highs)
    return Fit(observed, centre, emulator, lows, highs, weight, rounds)


def _span(points: np.ndarray, lows: np.ndarray, highs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The box the points span, at least the box given."""
    return np.minimum(points.min(axis=0), lows), np.maximum(points.max(axis=0), highs)


def estimates(
    unknowns: Sequence[Unknown], fit: Fit, covariance: np.ndarray, inflation: float
) -> list[Estimate]:
    """The fitted values with 95% intervals: the moments' sampling `covariance`, times
    `inflation` for the simulated moments' own noise, plus the emulator's own prediction
    error at the estimate, carried through the search's slope."""
    total = covariance * inflation + fit.emulator.prediction_covariance(fit.centre)
    spread = _standard_errors(fit.slope, fit.weight, total)
    box = np.array([unknown.box() for unknown in unknowns])
    return [_estimate(u, fit.centre[i], spread[i], box[i]) for i, u in enumerate(unknowns)]


def _on_inner_edge(
    x: np.ndarray, lows: np.ndarray, highs: np.ndarray, box: np.ndarray
) -> np.ndarray:
    """Which unknowns' best value sits on the box's edge where the search range goes further."""
    margin = 1e-3 * (highs - lows)
    low_edge = (x <= lows + margin) & (lows > box[:, 0])
    high_edge = (x >= highs - margin) & (highs < box[:, 1])
    return low_edge | high_edge


def _standard_errors(slope: np.ndarray, weight: np.ndarray, covariance: np.ndarray) -> np.ndarray:
    """Standard errors of the fitted values (search scale), the GMM sandwich:
    (G'WG)^-1 G'W S W G (G'WG)^-1 with S the moments' covariance."""
    bread = np.linalg.pinv(slope.T @ weight @ slope)
    meat = slope.T @ weight @ covariance @ weight @ slope
    return np.sqrt(np.maximum(np.diag(bread @ meat @ bread), 0.0))


def _estimate(unknown: Unknown, x: float, spread: float, box: np.ndarray) -> Estimate:
    scale = unknown.scale
    low, high = x - Z_95 * spread, x + Z_95 * spread
    identified = bool(high - low < 0.5 * (box[1] - box[0]))
    return Estimate(
        key=unknown.key,
        value=scale.from_search(x),
        low=scale.from_search(low),
        high=scale.from_search(high),
        identified=identified,
    )


def _space_filling(
    lows: np.ndarray, highs: np.ndarray, points: int, rng: np.random.Generator
) -> np.ndarray:
    """A Latin hypercube over the box: every parameter's range cut into `points` strata."""
    dims = len(lows)
    strata = np.array([rng.permutation(points) for _ in range(dims)]).T
    unit = (strata + rng.random((points, dims))) / points
    return lows + unit * (highs - lows)


@dataclass(frozen=True)
class Emulator:
    """Each moment as a least-squares function of the search point over a box: linear, plus
    a square term per unknown (the curvature of a wide box would otherwise bias the slope)."""

    centre: np.ndarray  # the box's middle ...
    half: np.ndarray  # ... and half-widths: the terms are of u = (x - centre) / half
    coefficients: np.ndarray  # (1 + 2 unknowns, moments): intercept, linear, square terms
    residual_share: float  # residual variance over total, averaged over moments
    residual_covariance: np.ndarray  # (moments, moments), per degree of freedom left
    gram_inverse: np.ndarray  # (T'T)^-1 of the terms T: how far a prediction leans on them

    @classmethod
    def fitted(
        cls, xs: np.ndarray, ys: np.ndarray, lows: np.ndarray, highs: np.ndarray
    ) -> Emulator:
        centre, half = (lows + highs) / 2, np.maximum((highs - lows) / 2, 1e-12)
        ys = np.where(np.isnan(ys), np.nanmean(ys, axis=0), ys)  # a rare empty median
        terms = _terms((xs - centre) / half)
        coefficients, *_ = np.linalg.lstsq(terms, ys, rcond=None)
        residual = ys - terms @ coefficients
        total = ys.var(axis=0)
        moved = total > 0  # a median that never moved in the design has no share to show
        share = float(np.mean(residual.var(axis=0)[moved] / total[moved])) if moved.any() else 0.0
        left = max(len(xs) - terms.shape[1], 1)
        return cls(
            centre,
            half,
            coefficients,
            share,
            residual.T @ residual / left,
            np.linalg.pinv(terms.T @ terms),
        )

    def prediction_covariance(self, x: np.ndarray) -> np.ndarray:
        """The covariance of the emulated moments at `x` from the fit's own noise."""
        t = _terms(((x - self.centre) / self.half)[None, :])[0]
        return float(t @ self.gram_inverse @ t) * self.residual_covariance

    def predict(self, x: np.ndarray) -> np.ndarray:
        return (_terms(((x - self.centre) / self.half)[None, :]) @ self.coefficients)[0]

    def slope_at(self, x: np.ndarray) -> np.ndarray:
        """d moments / d x at `x`: (moments, unknowns)."""
        dims = len(x)
        u = (x - self.centre) / self.half
        linear, square = self.coefficients[1 : 1 + dims], self.coefficients[1 + dims :]
        return ((linear + 2 * square * u[:, None]) / self.half[:, None]).T

    def best(
        self, observed: np.ndarray, weight: np.ndarray, lows: np.ndarray, highs: np.ndarray
    ) -> np.ndarray:
        """The point in the box whose emulated moments are nearest the observed, weighted."""
        from scipy.optimize import least_squares

        root = _root(weight)
        fits = [
            least_squares(
                lambda x: root @ (observed - self.predict(x)),
                start,
                jac=lambda x: -root @ self.slope_at(x),
                bounds=(lows, highs),
            )
            for start in (np.clip(self.centre, lows, highs), (lows + highs) / 2)
        ]
        return min(fits, key=lambda fit: fit.cost).x


def _root(weight: np.ndarray) -> np.ndarray:
    """R with R'R = W, so that the weighted distance is |R (o - f)|^2; by eigenvalues, so that
    a singular W (fewer simulated companies than moments) has one too."""
    values, vectors = np.linalg.eigh((weight + weight.T) / 2)
    return np.sqrt(np.maximum(values, 0.0))[:, None] * vectors.T


def _terms(u: np.ndarray) -> np.ndarray:
    """1, each u and each u squared: the emulator's terms."""
    return np.column_stack([np.ones(len(u)), u, u**2])
