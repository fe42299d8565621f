"""The coverage study, small: compare's paired 95% intervals cover the true effect about 95%."""

from __future__ import annotations

import math
import sys

import pytest
from conftest import ROOT

from sim.scenario import load_scenario

sys.path.insert(0, str(ROOT / "scripts"))
from coverage_study import coverage, pool  # noqa: E402  (a script, not a package)

SHORT = ["scenario.warmup_days=365", "scenario.horizon_days=730"]  # cheap, still filled
PAIRS, TRIAL, CONFIDENCE = 1200, 20, 0.95


@pytest.mark.slow
def test_paired_intervals_cover_the_true_effect_of_a_large_change():
    a = pool(load_scenario(ROOT / "scenarios/baseline.toml", SHORT), PAIRS, 3, 2)
    b = pool(load_scenario(ROOT / "scenarios/proactive_stallers.toml", SHORT), PAIRS, 3, 2)
    trials = PAIRS // TRIAL
    # Covered trials are binomial(trials, 0.95) if the intervals keep their promise:
    # three standard errors either side (about 8 points with 60 trials).
    tolerance = 3 * math.sqrt(CONFIDENCE * (1 - CONFIDENCE) / trials)
    for metric, entry in coverage(a, b, TRIAL).items():
        assert entry["trials"] == trials
        assert abs(entry["covered"] / trials - CONFIDENCE) <= tolerance, (metric, entry)
