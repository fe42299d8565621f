"""Shared helpers: small worlds with scripted dice, so mechanisms can be traced exactly."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from click.testing import CliRunner, Result

from sim.analysis import theory
from sim.cli import main
from sim.model.leads import LeadBook
from sim.model.streams import BEHAVIOUR, CHUNK, DECISIONS, Dice, Streams
from sim.model.world import World
from sim.scenario import Scenario, validate
from sim.views.trace import actor_name, what_happened

ROOT = Path(__file__).resolve().parent.parent
# Every delay and behaviour switched off, as for the theory checks (one year from empty,
# all counted); tests switch on what they examine. Unlike the theory's reductions, the
# stallers keep the default engagement, so a test that allows stalls sees them.
QUIET = {
    **theory.QUIET,
    "committee": {
        key: value
        for key, value in theory.QUIET["committee"].items()
        if key != "staller_engagement_mean"
    },
}


def short_scenario(warmup_days: float, horizon_days: float) -> str:
    """A scenario file's text: the shipped baseline over a short window, named "short"."""
    base = (ROOT / "scenarios" / "baseline.toml").as_posix()
    return f"""
[scenario]
base = "{base}"
name = "short"
warmup_days = {warmup_days:g}
horizon_days = {horizon_days:g}
"""


def grid_sweep(scenario: str, replications: int, parameters: dict[str, list]) -> str:
    """A grid sweep file's text (seed 3) over `parameters`, each a list of values."""
    grid = "\n".join(f'"{key}" = {json.dumps(values)}' for key, values in parameters.items())
    return f"""
[sweep]
scenario = "{scenario}"
method = "grid"
replications = {replications}
seed = 3

[parameters]
{grid}
"""


def alive_in_session(session: int) -> list[str]:
    """The processes of a session that have not ended (zombies have), one line each."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # it ended meanwhile
            continue
        name_end = stat.rindex(")")
        state, _, _, sid = stat[name_end + 2 :].split()[:4]
        if int(sid) == session and state not in ("Z", "X"):
            found.append(stat[: name_end + 1])
    return found


def scenario(**sections: dict) -> Scenario:
    """The QUIET scenario with some values changed: scenario(committee={"stallers": 2})."""
    data = {name: dict(values) for name, values in QUIET.items()}
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    return validate(data)


class Scripted(Dice):
    """Dice with a script: uniforms come from a list, exponentials return their mean.

    Once the script is used up, uniforms are `then` (an error if `then` is None).
    """

    def __init__(self, uniforms=(), then: float | None = None):
        self.script = list(uniforms)
        self.then = then

    def uniform(self) -> float:
        if not self.script and self.then is not None:
            return self.then
        return self.script.pop(0)

    def exponential(self, mean: float) -> float:
        return mean


class ScriptedStreams(Streams):
    """Streams whose deals all share one scripted behaviour dice and one decision dice."""

    def __init__(self, behaviour: Dice, decisions: Dice):
        super().__init__(seed=1, replication=0)
        self.scripted = {BEHAVIOUR: behaviour, DECISIONS: decisions}

    def dice(self, deal_id: int, purpose: str) -> Dice:
        return self.scripted[purpose]


def one_lead_world(
    params: Scenario,
    uniforms=(),
    *,
    decisions=(),
    patience=1e6,
    fit=0.99,
    incumbent=False,
    arrivals=(0.0,),
    votes: float | tuple[list[float], list[float]] = 0.0,
):
    """A world whose leads arrive on the given days, with scripted behaviour and decisions.

    Decision draws default to 0.0: every decision maker picks us. Every member's draw
    for its vote is `votes` (0.0: a member votes for buying unless its stance is 0), or
    `votes` is (stallers' draws, nay-sayers' draws) by seat.
    The leads are direct marketing leads that all arrive (thinning draw 0).
    """
    n = len(arrivals)
    streams = ScriptedStreams(Scripted(uniforms), Scripted(decisions, then=0.0))
    world = World(params, seed=1, replication=0, log=[], streams=streams)
    script_votes(world, votes)
    world.leads = LeadBook(
        arrival_day=np.array(arrivals, dtype=float),
        value=np.full(n, 1000.0),
        patience_days=np.full(n, float(patience)),
        source=np.zeros(n, dtype=np.int64),
        fit=np.full(n, fit),
        incumbent=np.full(n, incumbent),
        partner=np.full(n, -1),
        covered=np.zeros((n, len(params.partners)), dtype=bool),
        account=np.full(n, -1),
        accept=np.zeros(n),
    )
    world.records = type(world.records)(world.leads, params.scenario.horizon_days)
    return world


def script_votes(world: World, votes: float | tuple[list[float], list[float]]) -> None:
    """Every deal's members draw `votes` for their vote: one number, or lists by seat."""
    draws = world.committee_draws(0)
    committee = world.scenario.committee
    if isinstance(votes, tuple):
        stallers, nay_sayers = votes
    else:
        stallers, nay_sayers = [votes] * committee.stallers, [votes] * committee.nay_sayers
    draws.staller_votes = [[vote] * CHUNK for vote in stallers]  # seat by seat
    draws.nay_sayer_votes = [[vote] * CHUNK for vote in nay_sayers]


def assert_user_error(result: Result, *fragments: str) -> str:
    """Exit code 2, nothing on stdout, one message on stderr, no traceback; that message."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    if lines[0].startswith("error:"):
        assert len(lines) == 1, result.stderr
    else:  # click's own usage errors: usage, hint, then the error line
        assert lines[-1].startswith("Error:"), result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)
    return lines[-1]


class Hung(Exception):
    """A command took longer than its deadline: it would have hung."""


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise Hung in this process once `seconds` have passed (a FIFO's open is interrupted)."""
    if not hasattr(signal, "setitimer"):  # no interval timers here: no deadline
        yield
        return

    def expired(signum, frame):
        raise Hung(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def float32_rounding(magnitude: float) -> float:
    """How far a float32 day (or hour) of the deal table may lie from the float64 value it
    was rounded from, for values up to `magnitude`: half a float32 spacing there."""
    return float(np.spacing(np.float32(abs(magnitude)))) / 2


def shell(script: str, cwd: Path) -> str:
    """What a bash script prints, run in `cwd` with this interpreter's commands first on its
    PATH; a failure fails the test, with what it printed."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    done = subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=cwd,
        env={**os.environ, "PATH": path},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, f"{script}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def documented(block: str, cwd: Path) -> str:
    """What a documented sh block prints, run in `cwd`.

    A block of committee-sim commands runs in this process, as the installed command would
    but without starting an interpreter for each (`> FILE` at a line's end writes its
    output to FILE); any other block runs in bash (`shell`). A command that fails fails
    the test, with what it printed.
    """
    lines = block.splitlines()
    if not all(line.startswith("committee-sim ") for line in lines):
        return shell(block, cwd)
    printed = []
    for line in lines:
        args, to = shlex.split(line)[1:], None
        if ">" in args:
            assert args[-2] == ">", f"only `> FILE` at the end is understood: {line}"
            args, to = args[:-2], cwd / args[-1]
        with contextlib.chdir(cwd):
            result = CliRunner().invoke(main, args, prog_name="committee-sim")
        assert result.exit_code == 0, f"{line}\n{result.output}\n{result.exception!r}"
        if to is None:
            printed.append(result.stdout)
        else:
            to.write_text(result.stdout, encoding="utf-8")
    return "".join(printed)


def imported_after(statement: str, modules: tuple[str, ...]) -> list[str]:
    """Which of `modules` a fresh interpreter has loaded after running `statement`."""
    code = f"import sys; {statement}; print(*(m for m in {modules!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.split()


def script(name: str) -> ModuleType:
    """scripts/NAME.py as a module (scripts are not a package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def told(world: World) -> list[tuple[float, int, str, str]]:
    """The world's event log as the trace tells it: (day, deal id, who, what happened)."""
    assert world.log is not None
    return [
        (
            event.day,
            event.deal,
            actor_name(event, world.scenario),
            what_happened(event, world.scenario),
        )
        for event in world.log
    ]


def trace(world: World, deal_id: int = 0) -> list[tuple[float, str, str]]:
    return [
        (round(day, 9), actor, what) for day, deal, actor, what in told(world) if deal == deal_id
    ]


@pytest.fixture
def root() -> Path:
    return ROOT


# ---------------------------------------------------------------- a real browser

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
BROWSER_FLAGS = (  # headless, offline, and no state shared with any other run
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,2400",
)


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium driven through the system's chromedriver, with a fresh profile.

    Its performance log holds the DevTools network events (`driver.get_log("performance")`).
    Debian's chromium and chromium-driver are installed by .ci/run, never by a test: where
    they are missing the browser tests skip and say so.
    """
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip(
            f"{CHROMIUM} or {CHROMEDRIVER} is missing: apt-get install chromium chromium-driver "
            "(.ci/run does, as root)"
        )
    webdriver = pytest.importorskip(
        "selenium.webdriver", reason="selenium is in the test extra: pip install '.[test]'"
    )
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    profile = tempfile.mkdtemp(prefix="committee-sim-chromium-")
    for flag in (*BROWSER_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)
