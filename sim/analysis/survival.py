"""Survival estimates that count open opportunities: Kaplan-Meier and Aalen-Johansen.

A run ends with deals still open. Dropping them biases the time to close down (the slow
ones are the ones still open) and counting them as lost biases the win share down;
treating them as censored at their age uses what is known and no more. Each function
is called once per replication on a few hundred deals, so all of it is plain numpy.

Ties follow the usual convention (and scipy's `ecdf`): deals ending at the same age end
together, and a deal censored at an age when others end is still at risk at that age.
"""

from __future__ import annotations

import math

import numpy as np

TOLERANCE = 1e-12  # a level counts as reached despite rounding in the product of factors


def km_quantile(ages: np.ndarray, ended: np.ndarray, level: float) -> float:
    """The smallest age at which the Kaplan-Meier share of ended deals reaches `level`.

    `ages` are days observed, `ended` is False for deals still open (censored). NaN
    without data, or when so many are open that the estimate never reaches `level`.
    """
    if not 0.0 < level <= 1.0:
        raise ValueError(f"level must be in (0, 1], not {level}")
    times, at_risk, ends = _steps(np.asarray(ages, float), np.asarray(ended, bool))
    if len(times) == 0:
        return math.nan
    ended_share = 1.0 - np.cumprod((at_risk - ends) / at_risk)
    reached = np.flatnonzero(ended_share >= level - TOLERANCE)
    return float(times[reached[0]]) if len(reached) else math.nan


def cumulative_incidence_curve(
    ages: np.ndarray, cause: np.ndarray, ended: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The Aalen-Johansen probability of ending by `cause` by each distinct age observed.

    `cause` marks the deals that ended that way (a subset of `ended`); the other endings
    compete with it and open deals are censored. Returns the distinct ages and the
    estimate at each, a right-continuous step function.
    """
    ages = np.asarray(ages, float)
    cause = np.asarray(cause, bool)
    ended = np.asarray(ended, bool)
    if np.any(cause & ~ended):
        raise ValueError("a deal ended by the cause must have ended")
    times, at_risk, ends = _steps(ages, ended)
    _, _, cause_ends = _steps(ages, cause)
    survival = np.cumprod((at_risk - ends) / at_risk)
    survival_before = np.concatenate(([1.0], survival[:-1]))
    # A probability: rounding can carry the sum of shares a few ulp past 1 (18 deals all
    # won at distinct ages gave 1.0000000000000002).
    return times, np.minimum(np.cumsum(survival_before * cause_ends / at_risk), 1.0)


def cumulative_incidence(ages: np.ndarray, cause: np.ndarray, ended: np.ndarray) -> float:
    """The estimated probability that a deal eventually ends by `cause`, open ones counted.

    The curve's value at the largest age observed; 0.0 when no deal ended that way, NaN
    without data.
    """
    _, values = cumulative_incidence_curve(ages, cause, ended)
    return float(values[-1]) if len(values) else math.nan


def _steps(ages: np.ndarray, ended: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct ages, how many were at risk at each (age >= it) and how many ended there."""
    order = np.argsort(ages, kind="stable")
    sorted_ages = ages[order]
    first_of_tie = np.diff(sorted_ages, prepend=-np.inf) > 0
    last_of_tie = np.diff(sorted_ages, append=np.inf) > 0
    at_risk = np.arange(len(ages), 0, -1)[first_of_tie]
    ends = np.diff(np.cumsum(ended[order])[last_of_tie], prepend=0)
    return sorted_ages[first_of_tie], at_risk, ends
