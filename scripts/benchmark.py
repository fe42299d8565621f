"""Benchmark the model: deals per second and ms per replication against its bare shape.

    python scripts/benchmark.py [--smoke] [--all-scenarios] [--rounds N] [--out benchmark.json]
    python scripts/benchmark.py --ab REV [--smoke] [--rounds N] [--replications N] [--set K=V]

The headline is what a user waits for: milliseconds per replication and deals per
second of the shipped scenarios (the baseline as shipped, with its warm-up; the
baseline for one year from empty, the run older versions of this benchmark timed; and
`channel_overlap`, with partners), each against two references that do the same
*shape* of work with no logic at all:

- a minimal model on SimPy: the same deals arrive on the same days, each starts the
  buyer's patience timer, takes a seller slot from a `simpy.Store` (reps x
  `max_active_deals` slots, plus the founder's), waits the same number of timeouts as
  the real deal, queues for a `simpy.Resource` (marketing's staff) as often as the real
  deal queued for marketing's one-off material, and gives the slot back at its close;
- the same shape on a bare event loop in plain Python: generators resumed from a heap
  (`heapq`), a counter and a deque for the slots and for marketing.

The shape of each replication is derived from the real model's run of the same
seed and replication (a separate, untimed run), so it follows the model as it
changes. From the deal table: the arrival day and patience of every deal; whether it
got a direct seller (its stage is past `waiting_for_rep` and no partner brought it;
deals that never got one wait once, for their age); one qualifying timeout; a staller
meeting per stall plus one per staller let through (stallers less those pre-cleared,
for deals past the stallers; one meeting in progress for deals still at a staller),
one delay per reschedule or hand-off (stalls less requests) and one answer per request
for information; a nay-sayer review per objection plus one per nay-sayer (one, for
deals still with or vetoed by a nay-sayer; none for a misrepresentation veto) and an
objection delay per objection; one timeout to decide and one to negotiate for deals
that got there. From the event log of that run (`simulate_replication(..., log=...)`):
how many of each deal's requests went to marketing's queue (`from_kit` false) rather
than the staller kit; those are the `Resource` visits. The days each deal spent in each
stage (the `days_*` columns) are split at random over that stage's timeouts, so every
deal runs as long as it did and as many deals are open at once; the days it waited for
a rep are left to the slot queue. All delays are drawn before the timing starts. The
events the model processes (counted by a SimPy environment that counts its steps, in
that separate run) are reported beside those of the minimal model as a diagnostic:
events the model adds beyond its shape cost time, and the headline charges them.

Timing: one process; in each round the model, the minimal SimPy model and the bare
loop run the same replications, in rotating order, for every scenario; the best of the
rounds is reported (the one least disturbed by the rest of the machine). The last line
is `speed 0.NN` = minimal SimPy ms / model ms per replication for the baseline as
shipped: 1.00 or more means the full model costs no more than its bare shape on SimPy.

Also kept from earlier versions (one-year runs from empty, comparable across
versions): 1,000 baseline replications on all cores; scaling in deals (1x, 4x, 16x
arrivals) and in committee size (4 to 20 people) with their cost exponents; peak
memory of a run of about 100,000 deals; start-up time of the command line; and a
vectorised numpy funnel for reference. Writes every figure to `--out` as JSON.

`--ab REV` times the working tree against git revision REV in the same run instead:
a temporary `git worktree` of REV (removed afterwards, also on an error, Ctrl-C or
SIGTERM), then interleaved rounds of fresh processes, each importing `sim` from one
tree (PYTHONPATH) and timing replications (best of three passes) of the same scenario
file: REV's own `scenarios/baseline.toml`, as shipped (which both trees can read; a
tree that cannot falls back to its own copy, and the output says so). Prints deals/s
of each tree and the ratio working tree / REV with its spread over rounds.

`--smoke` runs tiny sizes in a few seconds (the test suite uses it so this script
never rots).
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest import mock

import numpy as np
import simpy

if TYPE_CHECKING:
    from sim.scenario import Scenario

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"
CHANNEL = ROOT / "scenarios" / "channel_overlap.toml"
# One year from an empty pipeline, as this benchmark ran before the shipped scenarios had
# a warm-up: the scaling, memory and all-cores figures stay comparable across versions.
ONE_YEAR = ("scenario.horizon_days=365", "scenario.warmup_days=0")
SEED = 1
TIMEOUT_S = 600  # a worker that takes longer than this has hung


# ---------------------------------------------------------------- counting events


class CountingEnvironment(simpy.Environment):
    """A SimPy environment that counts the events it processes, and what it schedules."""

    events = 0
    scheduled: Counter[str] = Counter()

    def step(self) -> None:
        CountingEnvironment.events += 1
        super().step()

    def schedule(
        self, event: simpy.Event, priority: Any = simpy.events.NORMAL, delay: float = 0
    ) -> None:
        CountingEnvironment.scheduled[type(event).__name__] += 1
        super().schedule(event, priority, delay)


@contextmanager
def counting_events() -> Iterator[type[CountingEnvironment]]:
    """Count every event processed inside the block, the model's included."""
    CountingEnvironment.events = 0
    CountingEnvironment.scheduled = Counter()
    with mock.patch.object(simpy, "Environment", CountingEnvironment):
        yield CountingEnvironment


def best_time(work: Callable[[], object], repeats: int = 3) -> float:
    """Best wall time of a few runs: the least disturbed by the rest of the machine."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


# ---------------------------------------------------------------- the model


def load(path: Path | str, overrides: Sequence[str] = ()) -> Scenario:
    from sim.scenario import load_scenario

    return load_scenario(path, list(overrides))


def replications(scenario: Scenario, count: int, seed: int = SEED) -> int:
    """Run replications 0 to count-1; return the number of deals."""
    from sim.model.world import simulate_replication

    return sum(
        len(simulate_replication(scenario, seed, r)["deals"]["deal_id"]) for r in range(count)
    )


# ---------------------------------------------------------------- the shape of a run

# One deal of the shape: arrival day, patience (days), takes a seller slot, and its steps:
# (queues for marketing first, delay in days), in order.
Step = tuple[bool, float]
ShapeDeal = tuple[float, float, bool, tuple[Step, ...]]


@dataclass
class Shape:
    """What one replication made the model do, with the logic taken out."""

    horizon: float
    slots: int  # seller slots: reps x max_active_deals, plus the founder's
    desk: int  # marketers for one-off material
    deals: list[ShapeDeal] = field(default_factory=list)

    @property
    def timeouts(self) -> int:
        """Timeouts per run: arrivals, patience timers and every step."""
        return sum(2 + len(steps) for *_, steps in self.deals)

    @property
    def visits(self) -> int:
        return sum(visit for *_, steps in self.deals for visit, _ in steps)


def marketing_visits(log: list[Any], requests: int) -> Counter[int]:
    """Per deal, the requests for information that queued for marketing (not the kit)."""
    visits: Counter[int] = Counter()
    asked = 0
    for event in log:
        if getattr(event.kind, "name", event.kind) == "ASKS_FOR_INFORMATION":
            asked += 1
            if event.details.get("from_kit") is False:
                visits[int(event.deal)] += 1
    if asked != requests:
        print(
            f"warning: the event log has {asked} requests for information where the deal "
            f"table has {requests}; the shape's marketing visits may be wrong",
            file=sys.stderr,
        )
    return visits


class Codes:
    """The deal table's codes the shape reads, looked up by key (the model owns the codes)."""

    def __init__(self) -> None:
        from sim.vocabulary import Reason, Stage

        code = {stage.key: int(stage) for stage in Stage}
        self.waiting, self.qualifying = code["waiting_for_rep"], code["qualifying"]
        self.stallers, self.negotiating = code["stallers"], code["negotiating"]
        self.past_stallers = {code["nay_sayers"], code["deciding"], code["negotiating"]}
        self.decided = {code["deciding"], code["negotiating"]}
        self.misrepresentation = int(Reason.from_key("misrepresentation"))


def deal_steps(
    deal: dict[str, Any], queued: int, nay_sayers: int, codes: Codes, rng: np.random.Generator
) -> list[Step]:
    """The timeouts of one deal that got a seller, in order, with the days of each stage split
    at random over that stage's timeouts (see the docstring for the counts)."""
    steps: list[Step] = []
    carry = 0.0  # days of a stage with no timeout of its own, passed on to the next one

    def stage(days: float, count: int) -> list[float]:
        nonlocal carry
        if count == 0:
            carry += days
            return []
        weights = rng.standard_exponential(count)
        delays = ((days + carry) * weights / weights.sum()).tolist()
        carry = 0.0
        return delays

    def add(delays: list[float], visit: bool = False) -> None:
        steps.append((visit, delays.pop()))

    where = deal["stage"]
    add(stage(deal["days_qualifying"], 1))
    if where != codes.qualifying:
        stalls, requests = deal["stalls"], deal["requests"]
        active = deal["stallers"] - deal["stallers_precleared"]
        let_through = active if where in codes.past_stallers else int(where == codes.stallers)
        meetings = stalls + let_through
        others = stalls - requests  # reschedules and hand-offs
        meeting_days = stage(deal["days_stallers"], meetings + others)
        material_days = stage(deal["days_marketing_material"], requests)
        queued = min(queued, requests)
        flags = [True] * queued + [False] * (requests - queued)  # True: marketing's queue
        kinds = [True] * requests + [False] * others  # True: a request for information
        rng.shuffle(flags)
        rng.shuffle(kinds)
        for k in range(meetings):
            add(meeting_days)
            if k < stalls:
                if kinds[k]:
                    add(material_days, flags.pop())
                else:
                    add(meeting_days)
    if where in codes.past_stallers and deal["reason"] != codes.misrepresentation:
        objections = deal["objections"]
        reviewers = nay_sayers if where in codes.decided else min(nay_sayers, 1)
        review_days = stage(deal["days_nay_sayers"], 2 * objections + reviewers)
        for k in range(objections + reviewers):
            add(review_days)
            if k < objections:
                add(review_days)
    if where in codes.decided:
        add(stage(deal["days_deciding"], 1))
    if where == codes.negotiating:
        add(stage(deal["days_negotiating"], 1))
    visit, last = steps[-1]
    steps[-1] = (visit, last + carry)
    return steps


def shape_of(scenario: Scenario, deals: dict[str, np.ndarray], log: list[Any], seed: int) -> Shape:
    """The shape of one replication, from its deal table and event log (see the docstring)."""
    codes, rng = Codes(), np.random.default_rng(seed)
    horizon = scenario.scenario.horizon_days
    visits = marketing_visits(log, int(deals["requests"].sum()))
    shape = Shape(
        horizon=horizon,
        slots=scenario.reps.count * scenario.reps.max_active_deals
        + scenario.founder.max_active_deals,
        desk=max(scenario.marketing.staff, 1),
    )
    names = list(deals)
    for row in zip(*(deals[name].tolist() for name in names), strict=True):
        deal = dict(zip(names, row, strict=True))
        beyond = horizon if math.isnan(deal["closed_day"]) else 0.0  # open: ends after it
        if deal["stage"] == codes.waiting:  # never got a seller: waited, went cold or gave up
            steps, takes_slot = [(False, deal["age_days"])], False
        else:
            queued = visits[deal["deal_id"]]
            steps = deal_steps(deal, queued, scenario.committee.nay_sayers, codes, rng)
            takes_slot = deal["partner"] < 0
        visit, last = steps[-1]
        steps[-1] = (visit, last + beyond)
        shape.deals.append((deal["created_day"], deal["patience_days"], takes_slot, tuple(steps)))
    shape.deals.sort(key=lambda deal: deal[0])  # in order of arrival (stable: ties keep ids)
    return shape


@dataclass
class Traced:
    """What a separate, counted run of the model's replications gives."""

    deals: int
    events: int
    scheduled: Counter[str]
    shapes: list[Shape]


def trace_model(scenario: Scenario, count: int) -> Traced:
    """Run the replications once with counted events and the event log; derive their shapes."""
    from sim.model.world import simulate_replication

    shapes, deals = [], 0
    with counting_events() as counter:
        for r in range(count):
            log: list[Any] = []
            table = simulate_replication(scenario, SEED, r, log)["deals"]
            deals += len(table["deal_id"])
            shapes.append(shape_of(scenario, table, log, seed=r))
    return Traced(deals, counter.events, counter.scheduled, shapes)


# ---------------------------------------------------------------- the minimal model on SimPy


def simpy_deal(
    env: simpy.Environment,
    slots: simpy.Store,
    desk: simpy.Resource,
    takes_slot: bool,
    steps: tuple[Step, ...],
):
    """A deal with no logic: a seller slot, its timeouts and marketing visits, the slot back."""
    if takes_slot:
        slot = yield slots.get()
    for visit, delay in steps:
        if visit:
            with desk.request() as turn:
                yield turn
                yield env.timeout(delay)
        else:
            yield env.timeout(delay)
    if takes_slot:
        slots.put(slot)


def simpy_arrivals(
    env: simpy.Environment, deals: list[ShapeDeal], slots: simpy.Store, desk: simpy.Resource
):
    for day, patience, takes_slot, steps in deals:
        yield env.timeout(day - env.now)
        env.timeout(patience)  # the buyer's patience: nobody waits on it in the minimal model
        env.process(simpy_deal(env, slots, desk, takes_slot, steps))


def run_simpy(shape: Shape, environment: type[simpy.Environment] = simpy.Environment) -> None:
    env = environment()
    slots = simpy.Store(env)
    slots.items.extend(range(shape.slots))
    desk = simpy.Resource(env, capacity=shape.desk)
    env.process(simpy_arrivals(env, shape.deals, slots, desk))
    env.run(until=shape.horizon)


# ---------------------------------------------------------------- the same on a bare loop

# What a bare-loop process yields: a float >= 0 waits that long; a float < 0 sets a timer
# of minus that long that nobody waits on; these codes take or give a seller slot or a
# marketer; a generator starts a new process.
TAKE_SLOT, GIVE_SLOT, TAKE_DESK, GIVE_DESK = 1, 2, 3, 4


def bare_deal(takes_slot: bool, steps: tuple[Step, ...]):
    if takes_slot:
        yield TAKE_SLOT
    for visit, delay in steps:
        if visit:
            yield TAKE_DESK
            yield delay
            yield GIVE_DESK
        else:
            yield delay
    if takes_slot:
        yield GIVE_SLOT


def bare_arrivals(deals: list[ShapeDeal]):
    now = 0.0
    for day, patience, takes_slot, steps in deals:
        yield day - now
        now = day
        yield -patience
        yield bare_deal(takes_slot, steps)


def run_bare(shape: Shape) -> int:
    """Run the shape on a heap of (time, order, generator); return the entries processed."""
    heap: list[tuple[float, int, Any]] = []
    push, pop, order = heapq.heappush, heapq.heappop, itertools.count()
    free_slots, slot_queue = shape.slots, deque[Any]()
    free_desk, desk_queue = shape.desk, deque[Any]()
    horizon, events = shape.horizon, 0
    push(heap, (0.0, next(order), bare_arrivals(shape.deals)))
    while heap:
        now, _, process = pop(heap)
        if now >= horizon:
            break
        events += 1
        if process is None:  # a timer nobody waits on
            continue
        for command in process:
            if type(command) is float:
                if command >= 0.0:
                    push(heap, (now + command, next(order), process))
                    break
                push(heap, (now - command, next(order), None))
            elif command == TAKE_SLOT:
                if not free_slots:
                    slot_queue.append(process)
                    break
                free_slots -= 1
            elif command == GIVE_SLOT:
                if slot_queue:
                    push(heap, (now, next(order), slot_queue.popleft()))
                else:
                    free_slots += 1
            elif command == TAKE_DESK:
                if not free_desk:
                    desk_queue.append(process)
                    break
                free_desk -= 1
            elif command == GIVE_DESK:
                if desk_queue:
                    push(heap, (now, next(order), desk_queue.popleft()))
                else:
                    free_desk += 1
            else:  # a new process, started now
                push(heap, (now, next(order), command))
    return events


# ---------------------------------------------------------------- the headline


@dataclass
class Variant:
    key: str
    path: Path
    overrides: tuple[str, ...]
    replications: int

    def label(self, scenario: Scenario) -> str:
        info = scenario.scenario
        if self.overrides == ONE_YEAR:
            return f"{self.path.stem}, one year from empty"
        return (
            f"{self.path.stem}, as shipped ({info.horizon_days:,.0f} d, "
            f"{info.warmup_days:,.0f} warm-up)"
        )


def run_all(run: Callable[[Shape], object], shapes: list[Shape]) -> None:
    for shape in shapes:
        run(shape)


def headline(variants: list[Variant], rounds: int) -> dict[str, dict[str, Any]]:
    """Interleaved rounds of the model and its two references on every variant."""
    runs: dict[str, Callable[[], object]] = {}
    results: dict[str, dict[str, Any]] = {}
    for variant in variants:
        scenario = load(variant.path, variant.overrides)
        traced = trace_model(scenario, variant.replications)
        shapes = traced.shapes
        with counting_events() as counter:
            for shape in shapes:
                run_simpy(shape, CountingEnvironment)
        n = variant.replications
        results[variant.key] = {
            "label": variant.label(scenario),
            "scenario": variant.path.name,
            "overrides": list(variant.overrides),
            "horizon_days": scenario.scenario.horizon_days,
            "warmup_days": scenario.scenario.warmup_days,
            "replications": n,
            "deals": traced.deals,
            "deals_per_replication": traced.deals / n,
            "events_per_replication": {
                "model": traced.events / n,
                "minimal_simpy": counter.events / n,
                "bare_loop": sum(run_bare(shape) for shape in shapes) / n,
            },
            "scheduled_per_replication": {
                "model": {kind: count / n for kind, count in traced.scheduled.most_common()},
                "minimal_simpy": {
                    kind: count / n for kind, count in counter.scheduled.most_common()
                },
            },
            "shape": {
                "timeouts_per_replication": sum(s.timeouts for s in shapes) / n,
                "marketing_visits_per_replication": sum(s.visits for s in shapes) / n,
                "seller_slots": shapes[0].slots,
                "marketers": shapes[0].desk,
            },
            "seconds": {"model": [], "minimal_simpy": [], "bare_loop": []},
        }
        runs[f"{variant.key}/model"] = partial(replications, scenario, n)
        runs[f"{variant.key}/minimal_simpy"] = partial(run_all, run_simpy, shapes)
        runs[f"{variant.key}/bare_loop"] = partial(run_all, run_bare, shapes)
    for name, run in runs.items():  # warm caches and imports, untimed
        deals = run()
        key = name.removesuffix("/model")
        if key != name and deals != results[key]["deals"]:  # the shape is of another run
            print(
                f"warning: {key}: {deals} deals timed, {results[key]['deals']} in the run the "
                "shape comes from (with the event log): the model's results depend on logging",
                file=sys.stderr,
            )
    kinds = ("model", "minimal_simpy", "bare_loop")
    for round_ in range(rounds):
        rotation = round_ % 3  # model first, then the minimal model first, then the bare loop
        for variant in variants:
            for kind in kinds[rotation:] + kinds[:rotation]:
                start = time.perf_counter()
                runs[f"{variant.key}/{kind}"]()
                seconds = time.perf_counter() - start
                results[variant.key]["seconds"][kind].append(seconds)
    for result in results.values():
        for kind, times in result["seconds"].items():
            best = min(times)
            result[kind] = {
                "ms_per_replication": 1000 * best / result["replications"],
                "ms_per_replication_median": 1000
                * statistics.median(times)
                / result["replications"],
                "deals_per_s": result["deals"] / best,
            }
        per_round = [
            m / s
            for m, s in zip(
                result["seconds"]["minimal_simpy"], result["seconds"]["model"], strict=True
            )
        ]
        result["speed"] = (
            result["minimal_simpy"]["ms_per_replication"] / result["model"]["ms_per_replication"]
        )
        result["speed_per_round"] = per_round
        result["bare_loop_share"] = (
            result["bare_loop"]["ms_per_replication"] / result["model"]["ms_per_replication"]
        )
    return results


def headline_table(results: dict[str, dict[str, Any]], rounds: int) -> str:
    w = max(len(r["label"]) for r in results.values()) + 2
    kinds = ("model", "minimal_simpy", "bare_loop")
    lines = [
        f"Per replication, best of {rounds} interleaved rounds (seed {SEED}, replications 0 to "
        "N-1); deals/s counts every deal simulated, warm-up included",
        f"{'':<{w + 6}}{'model':>20}{'minimal, SimPy':>20}{'minimal, bare loop':>20}",
        f"{'scenario':<{w}}{'N':>6}" + f"{'ms/rep':>10}{'deals/s':>10}" * 3 + f"{'speed':>8}",
    ]
    for r in results.values():
        cells = "".join(
            f"{r[kind]['ms_per_replication']:>10.2f}{r[kind]['deals_per_s']:>10,.0f}"
            for kind in kinds
        )
        lines.append(f"{r['label']:<{w}}{r['replications']:>6}{cells}{r['speed']:>8.2f}")
    lines += [
        "speed = minimal on SimPy ms / model ms; 1.00 or more: the model costs no more than "
        "its bare shape on SimPy",
        "",
        "Diagnostics per replication, from a separate counted run: deals; events processed "
        "by the model, the minimal model on SimPy",
        "and the bare loop; timeouts the model scheduled and the shape's; the shape's visits "
        "to marketing's queue; speed in each round",
        f"{'':<{w + 8}}{'events':>30}{'timeouts':>20}",
        f"{'scenario':<{w}}{'deals':>8}{'model':>10}{'minimal':>10}{'bare':>10}"
        f"{'model':>10}{'shape':>10}{'visits':>8}{'speed by round':>18}",
    ]
    for r in results.values():
        events, shape = r["events_per_replication"], r["shape"]
        spread = f"{min(r['speed_per_round']):.2f} to {max(r['speed_per_round']):.2f}"
        lines.append(
            f"{r['label']:<{w}}{r['deals_per_replication']:>8.1f}"
            + "".join(f"{events[kind]:>10,.0f}" for kind in kinds)
            + f"{r['scheduled_per_replication']['model'].get('Timeout', 0):>10,.0f}"
            f"{shape['timeouts_per_replication']:>10,.0f}"
            f"{shape['marketing_visits_per_replication']:>8.1f}{spread:>18}"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------- kept measures


def _chunk(args: tuple[str, int, int]) -> int:
    path, start, stop = args
    scenario = load(path, ONE_YEAR)
    from sim.model.world import simulate_replication

    return sum(
        len(simulate_replication(scenario, SEED, r)["deals"]["deal_id"]) for r in range(start, stop)
    )


def on_all_cores(count: int) -> dict[str, float]:
    """Wall time of `count` one-year baseline replications spread over every core."""
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


def scaled_time(overrides: list[str], count: int) -> dict[str, float]:
    """Wall time, deals and peak traced memory of `count` replications of the modified baseline."""
    scenario = load(BASELINE, [*ONE_YEAR, *overrides])
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
    base = load(BASELINE, ONE_YEAR)
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
    from scipy.optimize import curve_fit

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
    """Peak resident memory of a fresh process running one-year replications of `deals` deals."""
    count = max(1, math.ceil(deals / deals_per_replication))
    output = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(BASELINE), str(count), *ONE_YEAR],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.split()
    return {"replications": count, "deals": int(output[0]), "peak_rss_mb": int(output[1]) / 1024}


def startup(repeats: int) -> dict[str, float]:
    """Seconds to start the command line (best of a few), as a user would type it."""
    commands = {"help": ["--help"], "validate": ["validate", str(BASELINE)]}
    return {
        name: best_time(
            partial(
                subprocess.run,
                [sys.executable, "-m", "sim", *args],
                check=True,
                capture_output=True,
                cwd=ROOT,
            ),
            repeats=repeats,
        )
        for name, args in commands.items()
    }


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
    scenario = load(BASELINE, ONE_YEAR)
    rng = np.random.default_rng(1)
    seconds = best_time(lambda: vectorised_funnel(scenario, leads, rng))
    return {"deals_per_s": leads / seconds, **vectorised_funnel(scenario, leads, rng)}


# ---------------------------------------------------------------- report


SPEED_KEY = "baseline_shipped"


def measure(smoke: bool, rounds: int | None, all_scenarios: bool) -> dict:
    size = {"one_year": 40, "shipped": 8, "rounds": 5, "cores": 1_000, "scale": 10}
    size |= {"memory": 100_000, "funnel": 1_000_000, "startup": 5}
    if smoke:
        size = {"one_year": 2, "shipped": 1, "rounds": 2, "cores": 8, "scale": 1}
        size |= {"memory": 2_000, "funnel": 10_000, "startup": 1}
    variants = [
        Variant("baseline_one_year", BASELINE, ONE_YEAR, size["one_year"]),
        Variant(SPEED_KEY, BASELINE, (), size["shipped"]),
        Variant("channel_overlap_shipped", CHANNEL, (), size["shipped"]),
    ]
    if all_scenarios:
        variants += [
            Variant(f"{path.stem}_shipped", path, (), size["shipped"])
            for path in sorted((ROOT / "scenarios").glob("*.toml"))
            if path not in (BASELINE, CHANNEL)
        ]
    rounds = rounds or size["rounds"]
    figures: dict[str, Any] = {"rounds": rounds, "headline": headline(variants, rounds)}
    one_year = figures["headline"]["baseline_one_year"]
    figures["all_cores"] = on_all_cores(size["cores"])
    figures["arrival_scaling"] = arrival_scaling((1, 4, 16), size["scale"])
    figures["committee_scaling"] = committee_scaling((4, 7, 10, 15, 20), size["scale"])
    figures["memory"] = memory_for(size["memory"], one_year["deals_per_replication"])
    figures["startup_s"] = startup(size["startup"])
    figures["vectorised"] = vectorised(size["funnel"])
    figures["speed_scenario"] = figures["headline"][SPEED_KEY]["label"]
    figures["speed"] = figures["headline"][SPEED_KEY]["speed"]
    return figures


def table(f: dict) -> str:
    cores, mem, start, vec = f["all_cores"], f["memory"], f["startup_s"], f["vectorised"]
    one_year = f["headline"]["baseline_one_year"]
    rows = [
        (
            f"{cores['replications']:,} one-year baseline replications on "
            f"{cores['workers']} cores, s",
            f"{cores['seconds']:.1f}",
        )
    ]
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
        (
            f"peak memory, one-year runs, {mem['deals']:,} deals, MB",
            f"{mem['peak_rss_mb']:.0f}",
        ),
        ("start-up: committee-sim --help, s", f"{start['help']:.2f}"),
        ("start-up: committee-sim validate baseline, s", f"{start['validate']:.2f}"),
        ("vectorised funnel: deals/s", f"{vec['deals_per_s']:,.0f}"),
        (
            "vectorised funnel: times the model's (one year)",
            f"{vec['deals_per_s'] / one_year['model']['deals_per_s']:.0f}",
        ),
        (
            "vectorised funnel: win rate, won median days",
            f"{vec['win_rate']:.1%} {vec['won_cycle_median']:.0f}",
        ),
    ]
    return "\n".join(f"{label:<52}{value:>20}" for label, value in [("measure", "value"), *rows])


# ---------------------------------------------------------------- A/B against a revision


def time_tree(args: argparse.Namespace) -> None:
    """Worker: time replications with whatever `sim` PYTHONPATH finds; print one JSON line."""
    import sim

    try:
        from sim.model.world import simulate_replication
    except ImportError:  # before the model had its own package
        from sim.world import simulate_replication  # type: ignore[import-not-found,no-redef]
    try:
        scenario = load(args.scenario, args.set)
    except Exception as error:  # a tree that cannot read this file: the parent falls back
        print(str(error).splitlines()[0][:300], file=sys.stderr)
        sys.exit(3)
    simulate_replication(scenario, 0, 0)  # warm caches and imports, untimed
    passes = []
    for _ in range(args.passes):  # the best pass: the least disturbed by the rest of the machine
        start = time.perf_counter()
        deals = sum(
            len(simulate_replication(scenario, SEED, r)["deals"]["deal_id"])
            for r in range(args.time_tree)
        )
        passes.append(time.perf_counter() - start)
    seconds = min(passes)
    package = str(Path(sim.__file__).resolve().parent)
    info = scenario.scenario
    horizon = f"{info.horizon_days:,.0f} days, {getattr(info, 'warmup_days', 0):,.0f} of warm-up"
    print(json.dumps({"sim": package, "deals": deals, "seconds": seconds, "horizon": horizon}))


def git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


@contextmanager
def worktree(revision: str) -> Iterator[Path]:
    """A temporary detached worktree of `revision`, removed afterwards whatever happens."""
    folder = Path(tempfile.mkdtemp(prefix="committee-sim-ab-"))
    tree = folder / "tree"
    previous = signal.getsignal(signal.SIGTERM)

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)  # so that `finally` runs on SIGTERM as on Ctrl-C
    try:
        git("worktree", "add", "--detach", str(tree), revision)
        yield tree
    finally:
        try:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(tree)],
                cwd=ROOT,
                capture_output=True,
                check=False,
            )
            shutil.rmtree(folder, ignore_errors=True)
            subprocess.run(["git", "worktree", "prune"], cwd=ROOT, capture_output=True, check=False)
        finally:
            signal.signal(signal.SIGTERM, previous)


def run_tree(
    tree: Path, scenario: Path, count: int, passes: int, overrides: Sequence[str]
) -> dict[str, Any]:
    """One timed run in a fresh process importing `sim` from `tree`; None if it cannot read it."""
    command = [sys.executable, str(SCRIPT), "--time-tree", str(count), "--passes", str(passes)]
    command += ["--scenario", str(scenario)]
    for override in overrides:
        command += ["--set", override]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        command, cwd=tree, env=env, capture_output=True, text=True, timeout=TIMEOUT_S
    )
    if done.returncode == 3:
        return {"unreadable": done.stderr.strip()}
    if done.returncode != 0:
        raise RuntimeError(f"timing {tree} failed:\n{done.stderr}")
    result = json.loads(done.stdout.splitlines()[-1])
    if Path(result["sim"]) != (tree / "sim").resolve():
        raise RuntimeError(f"{tree}: imported sim from {result['sim']}, not from the tree")
    return result


def ab(revision: str, smoke: bool, rounds: int | None, count: int | None, overrides: list[str]):
    """Time the working tree against `revision`, interleaved; return the figures."""
    rounds = rounds or (2 if smoke else 6)
    count = count or (1 if smoke else 8)
    passes = 1 if smoke else 3
    short = git("rev-parse", "--short", f"{revision}^{{commit}}")
    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    here = f"the working tree (HEAD {git('rev-parse', '--short', 'HEAD')}" + (
        ", with uncommitted changes)" if dirty else ", clean)"
    )
    with worktree(short) as tree:
        trees = {"current": ROOT, "revision": tree}
        labels = {"current": "the working tree", "revision": short}
        theirs = tree / "scenarios" / "baseline.toml"
        shared = theirs if theirs.is_file() else BASELINE
        files = {name: shared for name in trees}
        notes = []
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
        for round_ in range(rounds):
            order = ["current", "revision"] if round_ % 2 == 0 else ["revision", "current"]
            for name in order:
                result = run_tree(trees[name], files[name], count, passes, overrides)
                own = trees[name] / "scenarios" / "baseline.toml"
                if "unreadable" in result and files[name] != own:  # found out in round 1
                    reason = result["unreadable"].splitlines()[-1]
                    notes.append(
                        f"{labels[name]} cannot read the shared file ({reason}); it runs its own "
                        "copy, so the two trees run different scenarios"
                    )
                    files[name] = own
                    result = run_tree(trees[name], own, count, passes, overrides)
                if "unreadable" in result:
                    raise RuntimeError(f"{labels[name]}: {result['unreadable']}")
                runs[name].append(result)
        scenario = {
            name: f"{short if files[name].is_relative_to(tree) else 'the working tree'}'s "
            f"scenarios/baseline.toml ({runs[name][0]['horizon']})"
            for name in trees
        }
    figures: dict[str, Any] = {
        "revision_commit": short,
        "current_tree": here,
        "rounds": rounds,
        "replications": count,
        "passes": passes,
        "overrides": overrides,
        "notes": notes,
    }
    for name, timed in runs.items():
        rates = [run["deals"] / run["seconds"] for run in timed]
        figures[name] = {
            "label": labels[name],
            "scenario": scenario[name],
            "deals_per_s": rates,
            "deals_per_s_median": statistics.median(rates),
            "deals_per_replication": timed[0]["deals"] / count,
            "ms_per_replication_median": 1000
            * statistics.median(run["seconds"] for run in timed)
            / count,
        }
    pairs = zip(figures["current"]["deals_per_s"], figures["revision"]["deals_per_s"], strict=True)
    figures["ratio_per_round"] = [current / theirs for current, theirs in pairs]
    figures["ratio"] = statistics.median(figures["ratio_per_round"])
    return figures


def ab_report(f: dict[str, Any]) -> str:
    rev, count = f["revision_commit"], f["replications"]
    current, revision = f["current"], f["revision"]
    lines = [
        f"A/B: {f['current_tree']} against {rev}, {f['rounds']} interleaved rounds; in each, "
        f"a fresh process per tree times {count} replication{'s' * (count != 1)} "
        f"(seed {SEED}; after one untimed, best of {f['passes']} pass{'es' * (f['passes'] != 1)})",
        f"the working tree runs {current['scenario']}",
        f"{rev} runs {revision['scenario']}",
        f"overrides: {' '.join(f'--set {o}' for o in f['overrides']) or 'none'}",
        *f["notes"],
        f"{'round':<8}{'working tree deals/s':>22}{rev + ' deals/s':>18}{'ratio':>8}",
    ]
    for k, ratio in enumerate(f["ratio_per_round"]):
        lines.append(
            f"{k + 1:<8}{current['deals_per_s'][k]:>22,.0f}"
            f"{revision['deals_per_s'][k]:>18,.0f}{ratio:>8.3f}"
        )
    for g in (current, revision):
        lines.append(
            f"{g['label']}: {g['deals_per_s_median']:,.0f} deals/s (median), "
            f"{g['ms_per_replication_median']:.1f} ms and {g['deals_per_replication']:.1f} "
            "deals per replication"
        )
    ratios = f["ratio_per_round"]
    lines.append(
        f"ratio working tree / {rev}: {f['ratio']:.2f} (median of rounds; rounds "
        f"{min(ratios):.2f} to {max(ratios):.2f})"
    )
    return "\n".join(lines)


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes: checks the script works, in seconds"
    )
    parser.add_argument("--out", type=Path, help="where to write the figures (JSON)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 5; A/B 6)")
    parser.add_argument(
        "--all-scenarios",
        action="store_true",
        help="time every shipped scenario as shipped, not only baseline and channel_overlap",
    )
    parser.add_argument(
        "--ab", metavar="REV", help="time the working tree against git revision REV instead"
    )
    parser.add_argument(
        "--replications", type=int, help="A/B: replications per timed run (default 8)"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="A/B: scenario override for both trees, e.g. scenario.horizon_days=365",
    )
    # The A/B worker: time N replications of --scenario with the `sim` on PYTHONPATH.
    parser.add_argument("--time-tree", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--scenario", type=Path, default=BASELINE, help=argparse.SUPPRESS)
    parser.add_argument("--passes", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.time_tree is not None:
        return time_tree(args)
    if args.ab:
        figures = ab(args.ab, args.smoke, args.rounds, args.replications, args.set)
        if args.out:
            args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        print(ab_report(figures))
        return None
    figures = measure(args.smoke, args.rounds, args.all_scenarios)
    print(headline_table(figures["headline"], figures["rounds"]))
    print()
    print(table(figures))
    out = args.out or Path("benchmark.json")
    out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"speed measured on: {figures['speed_scenario']}")
    print(f"speed {figures['speed']:.2f}")
    return None


if __name__ == "__main__":
    main()
