"""Benchmark the model against the SimPy engine it runs on.

    python scripts/benchmark.py [--smoke] [--out benchmark.json]

Measures, in one process on one machine:
- the engine's limit: events per second of bare SimPy loops that do the kinds of
  events the model does (timeouts, a store of seller slots, a resource queue);
- the model: events, deals and replications per second of the baseline and the
  channel-overlap scenarios, and 1,000 baseline replications on all cores;
- scaling: wall time and peak traced memory at 1x, 4x and 16x the lead arrival
  rate (with the sales and marketing teams scaled alike) and for committees of 4,
  7, 10, 15 and 20 people, with the fitted cost exponents; peak memory of a run with
  100,000 deals; command-line start-up time;
- a vectorised reference: the same funnel as a numpy Monte Carlo with no queueing,
  what a spreadsheet-style model would give.
Prints a table, writes the figures as JSON, and ends with `ratio 0.NN`: model
events/s divided by the bare deal-shaped SimPy loop's events/s. `--smoke` runs
tiny sizes in a few seconds (the test suite uses it so this script never rots).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import numpy as np
import simpy
from scipy.optimize import curve_fit

from sim.model.world import simulate_replication
from sim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"
CHANNEL = ROOT / "scenarios" / "channel_overlap.toml"
# Speed is measured on one-year runs from empty, as before the shipped scenarios had a
# warm-up: the figures stay comparable across versions (a longer run costs in proportion).
ONE_YEAR = ["scenario.horizon_days=365", "scenario.warmup_days=0"]


class CountingEnvironment(simpy.Environment):
    """A SimPy environment that counts the events it processes."""

    events = 0

    def step(self) -> None:
        CountingEnvironment.events += 1
        super().step()


@contextmanager
def counting_events():
    """Count every event processed inside the block, the model's included."""
    CountingEnvironment.events = 0
    with mock.patch.object(simpy, "Environment", CountingEnvironment):
        yield CountingEnvironment


def best_time(work, repeats: int = 3) -> float:
    """Best wall time of a few runs: the least disturbed by the rest of the machine."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


# ---------------------------------------------------------------- the engine's limit


def timeout_loop(env: simpy.Environment, count: int):
    for _ in range(count):
        yield env.timeout(1.0)


def bare_deal(
    env: simpy.Environment, slots: simpy.Store, desk: simpy.Resource, delays: list[float]
):
    """A deal with no logic: wait for a seller, ten meetings, every third a queue for material."""
    seller = yield slots.get()
    for meeting in range(10):
        yield env.timeout(delays.pop())
        if meeting % 3 == 2:
            with desk.request() as turn:
                yield turn
                yield env.timeout(delays.pop())
    slots.put(seller)


def bare_arrivals(env: simpy.Environment, deals: int, delays: list[float]):
    slots = simpy.Store(env)
    slots.items.extend(range(18))  # three reps with six slots each, as in the baseline
    desk = simpy.Resource(env, capacity=2)
    for _ in range(deals):
        yield env.timeout(delays.pop() * 0.2)
        env.process(bare_deal(env, slots, desk, delays))


def bare_simpy(deals: int) -> dict[str, float]:
    """Events per second of a bare timeout loop and a deal-shaped loop (the ratio's yardstick)."""
    delays = (
        np.random.default_rng(0).standard_exponential(deals * 16).tolist()
    )  # drawn outside the timing

    def run_timeouts():
        env = simpy.Environment()
        env.process(timeout_loop(env, deals * 20))
        env.run()

    def run_deals():
        env = simpy.Environment()
        env.process(bare_arrivals(env, deals, list(delays)))
        env.run()

    with counting_events() as counter:
        run_deals()
    deal_events = counter.events
    return {
        "timeout_events_per_s": deals * 20 / best_time(run_timeouts),
        "deal_loop_events_per_s": deal_events / best_time(run_deals),
    }


# ---------------------------------------------------------------- the model


def replications(scenario: Scenario, count: int, seed: int = 1) -> int:
    """Run `count` replications; return the number of deals."""
    return sum(
        len(simulate_replication(scenario, seed, r)["deals"]["deal_id"]) for r in range(count)
    )


def model(path: Path, count: int) -> dict[str, float]:
    scenario = load_scenario(path, ONE_YEAR)
    replications(scenario, 1, seed=0)  # warm caches
    with counting_events() as counter:
        deals = replications(scenario, count)
    events = counter.events
    seconds = best_time(lambda: replications(scenario, count), repeats=2)
    return {
        "events_per_replication": events / count,
        "deals_per_replication": deals / count,
        "ms_per_replication": 1000 * seconds / count,
        "events_per_s": events / seconds,
        "deals_per_s": deals / seconds,
    }


def _chunk(args: tuple[str, int, int]) -> int:
    path, start, stop = args
    scenario = load_scenario(path, ONE_YEAR)
    return sum(
        len(simulate_replication(scenario, 1, r)["deals"]["deal_id"]) for r in range(start, stop)
    )


def on_all_cores(count: int) -> dict[str, float]:
    """Wall time of `count` baseline replications spread over every core."""
    workers = os.cpu_count() or 1
    bounds = np.linspace(0, count, 4 * workers + 1).astype(int)
    chunks = [
        (str(BASELINE), int(a), int(b))
        for a, b in zip(bounds[:-1], bounds[1:], strict=True)
        if b > a
    ]
    start = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        deals = sum(pool.map(_chunk, chunks))
    return {
        "replications": count,
        "workers": workers,
        "seconds": time.perf_counter() - start,
        "deals": deals,
    }


# ---------------------------------------------------------------- scaling


def scaled_time(overrides: list[str], count: int) -> dict[str, float]:
    """Wall time, deals and peak traced memory of `count` replications of the modified baseline."""
    scenario = load_scenario(BASELINE, [*ONE_YEAR, *overrides])
    seconds = best_time(lambda: replications(scenario, count))
    tracemalloc.start()
    deals = replications(scenario, count)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"seconds": seconds, "deals": deals, "peak_mb": peak / 2**20}


def exponent(sizes: list[float], costs: list[float]) -> float:
    """Slope of log cost against log size: 1 means cost grows linearly."""
    return float(np.polyfit(np.log(sizes), np.log(costs), 1)[0])


def arrival_scaling(factors: tuple[int, ...], count: int) -> dict:
    """More leads with proportionally more reps and marketers: the same business, bigger."""
    base = load_scenario(BASELINE, ONE_YEAR)
    rows = []
    for k in factors:
        overrides = [
            f"leads.arrivals_per_month={base.leads.arrivals_per_month * k}",
            f"reps.count={base.reps.count * k}",
            f"marketing.staff={base.marketing.staff * k}",
        ]
        rows.append({"factor": k, **scaled_time(overrides, count)})
    return {
        "rows": rows,
        "exponent": exponent([r["deals"] for r in rows], [r["seconds"] for r in rows]),
    }


def committee_scaling(sizes: tuple[int, ...], count: int) -> dict:
    """Committees of n people (n - 2 stallers, a nay-sayer, a decision maker).

    Enough reps and marketers that nobody waits, patient buyers and a five-year
    horizon, so every deal meets its whole committee and cost reflects committee
    size alone. A deal also has a fixed cost whatever its committee (arrival,
    qualifying, the decision), so besides the plain exponent of cost per deal the
    script fits cost per deal = a + b n^e and reports e: 1 means every member
    adds the same cost.
    """
    rows = []
    for size in sizes:
        overrides = [
            f"committee.stallers={size - 2}",
            "committee.nay_sayers=1",
            "committee.decision_makers=1",
            "reps.count=40",
            "marketing.staff=60",
            "leads.patience_mean_days=100000",
            "reps.cold_after_days=100000",
            "scenario.horizon_days=1825",
        ]
        rows.append({"committee": size, **scaled_time(overrides, count)})
    per_deal = np.array([row["seconds"] / row["deals"] for row in rows])
    return {
        "rows": rows,
        "exponent": exponent(list(sizes), list(per_deal)),
        "members_exponent": offset_exponent(np.array(sizes, dtype=float), per_deal),
    }


def offset_exponent(sizes: np.ndarray, costs: np.ndarray) -> float:
    """e in cost = a + b size^e (a, b >= 0); NaN when the timings are too noisy to fit."""
    try:
        (_, _, fitted), _ = curve_fit(
            lambda n, a, b, e: a + b * n**e,
            sizes,
            costs,
            p0=(costs[0] / 2, costs[0] / 2 / sizes[0], 1.0),
            bounds=([0, 0, 0.1], [np.inf, np.inf, 3.0]),
        )
    except RuntimeError:
        return math.nan
    return float(fitted)


MEMORY_PROBE = """
import resource, sys
import sim
results = sim.simulate(sys.argv[1], replications=int(sys.argv[2]), seed=1, overrides=sys.argv[3:])
print(len(results.deals), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def memory_for(deals: int, deals_per_replication: float) -> dict[str, float]:
    """Peak resident memory of a fresh process running replications of about `deals` deals."""
    count = max(1, math.ceil(deals / deals_per_replication))
    output = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(BASELINE), str(count), *ONE_YEAR],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.split()
    return {"replications": count, "deals": int(output[0]), "peak_rss_mb": int(output[1]) / 1024}


def startup() -> dict[str, float]:
    """Seconds to start the command line (best of five), as a user would type it."""
    commands = {"help": ["--help"], "validate": ["validate", str(BASELINE)]}
    return {
        name: best_time(
            lambda args=args: subprocess.run(
                [sys.executable, "-m", "sim", *args], check=True, capture_output=True, cwd=ROOT
            ),
            repeats=5,
        )
        for name, args in commands.items()
    }


# ---------------------------------------------------------------- the vectorised reference


def vectorised_funnel(scenario: Scenario, leads: int, rng: np.random.Generator) -> dict[str, float]:
    """The deal pipeline as array arithmetic: no reps to wait for, no marketing queue, fixed assets.

    Each staller takes a geometric number of meetings, each stall a delay of its
    style; nay-sayers and decision makers decide with the model's probabilities at
    full productivity; a deal goes dark if its cycle outlasts the buyer's patience.
    """
    c, comp, mk = scenario.committee, scenario.competition, scenario.marketing
    kit = mk.tactic_people("staller_kit") / mk.asset_build_days
    kit_level = kit / (kit + 1.0 / mk.asset_shelf_life_days)
    request_delay = kit_level * mk.ready_answer_days + (1 - kit_level) * mk.custom_work_days / (
        1 - mk.proactive_share
    )
    weights = np.array([c.reschedule_weight, c.request_weight, c.handoff_weight])
    stall_delay = (
        weights @ np.array([c.reschedule_days, request_delay, c.handoff_days]) / weights.sum()
    )
    engagement = rng.beta(
        c.staller_engagement_mean * c.member_concentration,
        (1 - c.staller_engagement_mean) * c.member_concentration,
        (leads, c.stallers),
    )
    stalls = rng.geometric(1.0 - c.staller_stall_probability * (1.0 - engagement)) - 1
    days = rng.gamma(stalls.sum(axis=1) + c.stallers + 1e-12, c.staller_meeting_days)
    days += rng.gamma(stalls.sum(axis=1) + 1e-12, stall_delay) + rng.exponential(
        scenario.reps.qualify_days, leads
    )
    veto = rng.random(leads) < c.veto_probability * c.nay_sayer_scepticism_mean * c.nay_sayers
    days += rng.exponential(c.nay_sayer_review_days * max(c.nay_sayers, 1), leads)
    theirs = (
        comp.competitors * comp.competitor_weight
        + comp.incumbent_probability * comp.incumbent_weight
    )
    appeal = 1.0 + theirs + c.status_quo_weight
    size = c.stallers + c.nay_sayers + c.decision_makers
    days += rng.exponential(c.decision_days + c.alignment_days * (size - 1), leads)
    days += rng.exponential(c.negotiation_days, leads)
    # The vote: stallers at their engagement, nay-sayers at their remaining doubt.
    votes = (rng.random((leads, c.stallers)) < engagement).sum(axis=1) + (
        rng.random((leads, c.nay_sayers)) < 1.0 - c.nay_sayer_scepticism_mean
    ).sum(axis=1)
    others_buy = (rng.random((leads, c.decision_makers - 1)) < (1.0 + theirs) / appeal).all(axis=1)
    aligned = others_buy & (2 * (votes + c.decision_makers) > size)
    patience = rng.gamma(
        scenario.leads.patience_shape,
        scenario.leads.patience_mean_days / scenario.leads.patience_shape,
        leads,
    )
    qualified = rng.random(leads) >= scenario.leads.disqualify_probability
    ours = rng.random(leads) < 1.0 / appeal
    won = qualified & ~veto & ours & aligned & (days < patience)
    return {
        "win_rate": float(won.sum() / qualified.sum()),
        "won_cycle_median": float(np.median(days[won])),
    }


def vectorised(leads: int) -> dict[str, float]:
    scenario = load_scenario(BASELINE, ONE_YEAR)
    rng = np.random.default_rng(1)
    seconds = best_time(lambda: vectorised_funnel(scenario, leads, rng))
    return {"deals_per_s": leads / seconds, **vectorised_funnel(scenario, leads, rng)}


# ---------------------------------------------------------------- report


def measure(smoke: bool) -> dict:
    size = (
        {"bare": 500, "model": 3, "cores": 8, "scale": 1, "memory": 2_000, "funnel": 10_000}
        if smoke
        else {
            "bare": 20_000,
            "model": 100,
            "cores": 1_000,
            "scale": 10,
            "memory": 100_000,
            "funnel": 1_000_000,
        }
    )
    figures = {"bare_simpy": bare_simpy(size["bare"])}
    figures["baseline"] = model(BASELINE, size["model"])
    figures["channel_overlap"] = model(CHANNEL, size["model"])
    figures["all_cores"] = on_all_cores(size["cores"])
    figures["arrival_scaling"] = arrival_scaling((1, 4, 16), size["scale"])
    figures["committee_scaling"] = committee_scaling((4, 7, 10, 15, 20), size["scale"])
    figures["memory"] = memory_for(size["memory"], figures["baseline"]["deals_per_replication"])
    figures["startup_s"] = startup()
    figures["vectorised"] = vectorised(size["funnel"])
    figures["ratio"] = (
        figures["baseline"]["events_per_s"] / figures["bare_simpy"]["deal_loop_events_per_s"]
    )
    return figures


def table(f: dict) -> str:
    bare, base, cores, mem, start, vec = (
        f["bare_simpy"],
        f["baseline"],
        f["all_cores"],
        f["memory"],
        f["startup_s"],
        f["vectorised"],
    )
    rows = [
        ("bare SimPy: timeout loop, events/s", f"{bare['timeout_events_per_s']:,.0f}"),
        ("bare SimPy: deal-shaped loop, events/s", f"{bare['deal_loop_events_per_s']:,.0f}"),
    ]
    for name in ("baseline", "channel_overlap"):
        run = f[name]
        rows += [
            (f"{name}: events/s", f"{run['events_per_s']:,.0f}"),
            (f"{name}: deals/s", f"{run['deals_per_s']:,.0f}"),
            (f"{name}: ms per replication", f"{run['ms_per_replication']:.2f}"),
            (f"{name}: events per replication", f"{run['events_per_replication']:,.0f}"),
        ]
    rows.append(
        (
            f"{cores['replications']:,} baseline replications on {cores['workers']} cores, s",
            f"{cores['seconds']:.1f}",
        )
    )
    for label, key in (("arrivals x", "factor"), ("committee of ", "committee")):
        scaling = f["arrival_scaling" if key == "factor" else "committee_scaling"]
        rows += [
            (
                f"{label}{run[key]}: s, deals, peak MB",
                f"{run['seconds']:.2f} {run['deals']} {run['peak_mb']:.1f}",
            )
            for run in scaling["rows"]
        ]
        rows.append(
            (
                f"cost exponent in {'deals' if key == 'factor' else 'committee size (per deal)'}",
                f"{scaling['exponent']:.2f}",
            )
        )
    rows.append(
        (
            "cost exponent in committee size, fit a + b n^e",
            f"{f['committee_scaling']['members_exponent']:.2f}",
        )
    )
    rows += [
        (f"peak memory, run of {mem['deals']:,} deals, MB", f"{mem['peak_rss_mb']:.0f}"),
        ("start-up: committee-sim --help, s", f"{start['help']:.2f}"),
        ("start-up: committee-sim validate baseline, s", f"{start['validate']:.2f}"),
        ("vectorised funnel: deals/s", f"{vec['deals_per_s']:,.0f}"),
        (
            "vectorised funnel: times the model's deals/s",
            f"{vec['deals_per_s'] / base['deals_per_s']:.0f}",
        ),
        (
            "vectorised funnel: win rate, won median days",
            f"{vec['win_rate']:.1%} {vec['won_cycle_median']:.0f}",
        ),
    ]
    return "\n".join(f"{label:<52}{value:>20}" for label, value in [("measure", "value"), *rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes: checks the script works, in seconds"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("benchmark.json"), help="where to write the figures"
    )
    args = parser.parse_args()
    figures = measure(args.smoke)
    print(table(figures))
    args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"ratio {figures['ratio']:.2f}")


if __name__ == "__main__":
    main()
