"""The `committee-sim` command line: validate and run scenarios.

Heavy libraries (pandas, scipy, the model) are imported inside the commands that
need them, so `--help` and `validate` start quickly.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import importlib.util
import math
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from .scenario import DEFAULT_SEED, LISTS, SECTIONS, ScenarioError, load_with_sets

if TYPE_CHECKING:
    from .views.trace import TraceError

SET_OPTION = click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="SECTION.KEY=VALUE",
    help="Override a scenario value, e.g. --set committee.stallers=4 (repeatable).",
)
F = TypeVar("F", bound=Callable[..., Any])


class GivenPath(click.Path):
    """A path that must not be empty: `--out ""` is a slip, not the current folder.

    (pathlib reads "" as ".", so without this an empty --out wrote into the current folder.)
    `example` ends the message, e.g. "a folder, e.g. --out results/baseline".
    """

    def __init__(self, example: str, **options: Any):
        super().__init__(path_type=Path, **options)
        self.example = example

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value:
            self.fail(f"an empty path is not allowed; allowed: {self.example}", param, ctx)
        return super().convert(value, param, ctx)


class MemorySize(click.ParamType):
    """A size in bytes: 512MiB, 8GiB, 8GB (see `sim.analysis.budget.parse_size`)."""

    name = "SIZE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from .analysis.budget import parse_size

        if isinstance(value, int):
            return value
        try:
            return parse_size(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


MAX_MEMORY = click.option(
    "--max-memory",
    type=MemorySize(),
    default="4GiB",
    show_default=True,
    help="Refuse, before it starts, a run estimated to hold more memory than this "
    "(e.g. 512MiB, 8GiB, 8GB).",
)
WORKERS = click.option(
    "--workers",
    type=click.IntRange(1, 4096),
    default=None,
    help="Local worker processes [default: all cores, for a run estimated at over a second].",
)
QUIET = click.option(
    "--quiet", is_flag=True, help="No progress bar (it is shown only on a terminal anyway)."
)
OUT_FOLDER = "a folder, e.g. --out results/baseline"
SECTION_CHOICE = click.Choice([*SECTIONS, *LISTS])  # what `params` can show
WARMUP_REPLICATIONS, WARMUP_DAYS = 40, 2920.0  # `warmup`: what the shipped defaults came from
RESULTS_FOLDERS = click.argument(  # what `plot` and `report` read
    "folders",
    metavar="RESULTS_DIR...",
    nargs=-1,
    required=True,
    type=GivenPath("a results folder written by committee-sim run --out"),
)
FLAGS = {  # how the library's advice reads on the command line (see PathError)
    "force": "--force",
    "resume": "--resume",
    "writer": "committee-sim run --out",
}


def user_errors(command):
    """Turn user mistakes into one line on stderr and exit code 2, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from .analysis.results_folder import PathError, ResultsExistError

        try:
            return command(*args, **kwargs)
        except PathError as exc:  # results are written to --out; folders to read are arguments
            subject = f"--out {exc.path}" if isinstance(exc, ResultsExistError) else None
            _fail(exc.message(subject, **FLAGS))
        except (ScenarioError, _budget_error()) as exc:
            _fail(str(exc))
        except _trace_error() as exc:  # the deal was asked for with --deal or --outcome
            _fail(f"--{exc.asked} {exc.value}: {exc.problem}")
        except BrokenPipeError:  # the reader stopped early (`| head`): no more to say
            _stop_writing()
        except OSError as exc:  # the operating system refused: name the path and the reason
            _fail(os_error_message(exc), 2 if exc.errno in USER_ERRNOS else 1)

    return wrapper


def _stop_writing() -> NoReturn:
    """Exit 1 quietly: the output's reader is gone, and writing more would fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # Python flushes stdout at exit: let that succeed
    sys.exit(1)


# Operating-system errors that come from the path a user gave (exit 2); the others, such
# as a full disk or a failing device, are the machine's (exit 1).
USER_ERRNOS = frozenset(
    {
        errno.EACCES,
        errno.EPERM,
        errno.EROFS,
        errno.ENOTDIR,
        errno.EISDIR,
        errno.ENAMETOOLONG,
        errno.ELOOP,
        errno.EEXIST,
        errno.ENOENT,
    }
)


def os_error_message(exc: OSError) -> str:
    """'PATH: reason' from an operating-system error, e.g. 'out/x: Permission denied'."""
    from .scenario.files import shown_path

    reason = exc.strerror or str(exc)
    return f"{shown_path(str(exc.filename))}: {reason}" if exc.filename else reason


def replications_option(minimum: int, help_text: str, default: int = 20) -> Callable[[F], F]:
    """`-n/--replications`, shared by the commands that run replications."""
    return click.option(
        "-n",
        "--replications",
        type=click.IntRange(minimum, 1_000_000),
        default=default,
        show_default=True,
        help=help_text,
    )


def seed_option(help_text: str) -> Callable[[F], F]:
    """`--seed`, shared by the commands that simulate."""
    return click.option(
        "--seed",
        type=click.IntRange(0, 2**63 - 1),
        default=DEFAULT_SEED,
        show_default=True,
        help=help_text,
    )


def precision_options(command):
    """`--precision`, `--metric` and `--max-replications`: let the interval choose n."""
    from .analysis.metrics import METRICS

    options = [
        click.option(
            "--precision",
            type=click.FloatRange(min=0, min_open=True),
            default=None,
            help="Instead of -n, add simulated runs until the 95% CI half-width of --metric is "
            "at most this, in the metric's unit (a rate as a fraction: 0.01 is 1 point).",
        ),
        click.option(
            "--metric",
            type=click.Choice(METRICS),
            default="win_rate",
            show_default=True,
            help="The metric --precision applies to.",
        ),
        click.option(
            "--max-replications",
            type=click.IntRange(3, 1_000_000),
            default=1000,
            show_default=True,
            help="With --precision: stop here even if the target is not reached.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _check_precision(precision: float | None) -> None:
    """--precision chooses the number of replications: refuse -n beside it."""
    from click.core import ParameterSource

    given = click.get_current_context().get_parameter_source("replications")
    if precision is not None and given == ParameterSource.COMMANDLINE:
        raise click.UsageError("give -n/--replications or --precision, not both")


def _report_precision(record: dict[str, Any]) -> None:
    """Say how many replications --precision needed, or warn that the budget ran out."""
    target, reached = record["target_half_width"], record["half_width"]
    if record["reached"]:
        click.echo(
            f"--precision {target:g}: the {record['metric']} interval's half-width is "
            f"{reached:.4g} after {record['replications_needed']} simulated runs "
            f"({record['replications_run']} simulated in all, look-ahead included)"
        )
    else:
        click.echo(
            f"warning: --precision {target:g} not reached within --max-replications "
            f"{record['replications_run']}: the {record['metric']} half-width is {reached:.4g}",
            err=True,
        )


def _budget_error() -> type[Exception]:
    from .analysis.budget import BudgetError

    return BudgetError


def _require_extra(module: str, extra: str, needed_by: str) -> None:
    """Exit 2 with how to install it when an optional extra's `module` is missing."""
    if importlib.util.find_spec(module) is None:
        _fail(
            f"{needed_by} needs {module}, in the optional extra {extra!r}: "
            f"pip install 'committee-sim[{extra}]' (or, in a clone, pip install '.[{extra}]')"
        )


def _fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@contextlib.contextmanager
def _interruptible(message: str = "interrupted") -> Iterator[None]:
    """Ctrl-C or SIGTERM stops a run at once, its worker processes with it: exit 130 or 143."""
    try:
        with _sigterm_interrupts():
            yield
    except KeyboardInterrupt as exc:  # the worker processes are stopped on the way out
        click.echo(message, err=True)
        sys.exit(143 if isinstance(exc, Terminated) else 130)


@contextlib.contextmanager
def _progress(quiet: bool, total: int, name: str) -> Iterator[Callable[[int], None] | None]:
    """A bar of `total` replications on a terminal, unless --quiet (or nothing to count).

    Inside, pass the callable it gives (None without a bar) to the run; the bar is erased
    when done, so that what is printed next reads as without it.
    """
    from .views.progress import is_terminal, progress_bar

    if quiet or total < 1 or not is_terminal():
        yield None
        return
    with progress_bar(total, name, "simulated runs", transient=True) as advance:
        yield advance


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="committee-sim")
def main() -> None:
    """Simulate B2B buying committees, sales reps and marketing.

    Start with: committee-sim run baseline (committee-sim scenarios lists the
    shipped scenarios; committee-sim init my.toml writes one of your own).
    """


@main.command()
@click.option("--sweeps", is_flag=True, help="List the shipped sweep files instead.")
def scenarios(sweeps: bool) -> None:
    """List the shipped scenarios, each with what it represents.

    Any command takes a shipped scenario by its bare name: committee-sim run baseline.
    """
    from .views.catalogue import scenarios_text

    click.echo(scenarios_text(sweeps))


@main.command()
@click.argument("section", metavar="[SECTION]", required=False, type=SECTION_CHOICE)
def params(section: str | None) -> None:
    """Every scenario parameter (of SECTION): default, unit, allowed values and source."""
    from .views.catalogue import params_text

    click.echo(params_text(section))


@main.command()
@click.argument("file", type=GivenPath("a file name, e.g. my_company.toml", dir_okay=False))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@user_errors
def init(file: Path, force: bool) -> None:
    """Write a scenario file to start from: every parameter at its default, commented out,
    with what it means and what it may be."""
    from .analysis.results_folder import write_atomic
    from .scenario.reference import starting_file

    if file.exists() and not force:
        _fail(f"{file} exists; add --force to replace it")
    write_atomic(file, starting_file(file.stem))
    click.echo(
        f"wrote {file}: remove the '#' before a key to change it, then committee-sim run {file}"
    )


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@SET_OPTION
@user_errors
def validate(scenario: Path, overrides: tuple[str, ...]) -> None:
    """Check a scenario file without running it."""
    loaded = load_with_sets(scenario, overrides)
    click.echo(f"ok: {scenario} is a valid scenario ({loaded.scenario.name!r})")


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@replications_option(
    1,
    "Simulated runs (replications): independent histories of the company, each a warm-up "
    "and then the counted years.",
)
@seed_option("Root seed; the same seed and inputs give byte-identical results.")
@click.option(
    "--out",
    type=GivenPath(OUT_FOLDER, file_okay=False),
    help="Folder for the result tables (deals, replications, partners) and summary.json.",
)
@click.option("--force", is_flag=True, help="Replace results already in --out.")
@precision_options
@WORKERS
@QUIET
@MAX_MEMORY
@SET_OPTION
@user_errors
def run(
    scenario: Path,
    replications: int,
    seed: int,
    out: Path | None,
    force: bool,
    precision: float | None,
    metric: str,
    max_replications: int,
    workers: int | None,
    quiet: bool,
    max_memory: int,
    overrides: tuple[str, ...],
) -> None:
    """Run a scenario and print a summary table.

    The simulated runs (replications) are shared by --workers processes (with
    --precision, one at a time); the results are the same for any number of workers.
    """
    from .analysis.budget import check, estimate
    from .analysis.precision import precision_record, simulate_to_precision
    from .analysis.replications import simulate
    from .analysis.results_folder import MANIFEST, RESULT_FILES, check_writable, write_results
    from .analysis.summary import summarise
    from .views.console import print_summary

    _check_precision(precision)
    loaded = load_with_sets(scenario, overrides)
    check(estimate(loaded, replications if precision is None else max_replications), max_memory)
    if out is not None:
        check_writable(out, force)
    if precision is None:
        with (
            _interruptible("interrupted: nothing was written"),
            _progress(quiet, replications, loaded.scenario.name) as progress,
        ):
            results = simulate(
                loaded, replications=replications, seed=seed, workers=workers, progress=progress
            )
        summary = summarise(results)
    else:
        results, sequential = simulate_to_precision(
            loaded, metric, precision, seed, max_replications
        )
        summary = {**summarise(results), "precision": precision_record(sequential, metric)}
    print_summary(summary)
    if "precision" in summary:
        _report_precision(summary["precision"])
    if out is not None:
        write_results(out, results, summary, force=force)
        click.echo(f"wrote {', '.join(RESULT_FILES)} and {MANIFEST} to {out}")


def _compared_names(
    names: tuple[str, str],
    files: tuple[Path, Path | None],
    overrides: tuple[tuple[str, ...], tuple[str, ...]],
) -> tuple[str, str]:
    """What the two sides are called: their names with any --set values, else their files."""
    a, b = (
        " ".join([name, *(f"+ {text}" for text in sets)])
        for name, sets in zip(names, overrides, strict=True)
    )
    if a == b and files[1] is not None and files[0] != files[1]:
        return str(files[0]), str(files[1])
    return a, b


@main.command()
@click.argument("scenario_a", metavar="A", type=click.Path(dir_okay=False, path_type=Path))
@click.argument(
    "scenario_b", metavar="[B]", required=False, type=click.Path(dir_okay=False, path_type=Path)
)
@replications_option(
    2, "Paired simulated runs (replications): run r of A and of B share their random numbers."
)
@seed_option("Root seed of both runs.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print a JSON object with keys a, b and diff instead of a table.",
)
@precision_options
@WORKERS
@QUIET
@MAX_MEMORY
@click.option(
    "--set",
    "overrides_b",
    multiple=True,
    metavar="SECTION.KEY=VALUE",
    help="Override a value of B (of A when B is left out), e.g. --set committee.stallers=4 "
    "(repeatable).",
)
@click.option(
    "--set-a",
    "overrides_a",
    multiple=True,
    metavar="SECTION.KEY=VALUE",
    help="Override a value of A only (repeatable).",
)
@user_errors
def compare(
    scenario_a: Path,
    scenario_b: Path | None,
    replications: int,
    seed: int,
    as_json: bool,
    precision: float | None,
    metric: str,
    max_replications: int,
    workers: int | None,
    quiet: bool,
    max_memory: int,
    overrides_b: tuple[str, ...],
    overrides_a: tuple[str, ...],
) -> None:
    """Compare scenario B with scenario A, simulated run by simulated run.

    Both run with common random numbers (the same seed streams), so the paired
    differences in win rate, cycle length and net revenue reflect the scenarios,
    not the dice. Shows each difference with its 95% CI and p-value, and a verdict.
    The runs are shared by --workers processes (with --precision, one pair at a
    time); the results are the same for any number of workers.

    Leave out B to compare A with A changed by --set: `compare baseline --set
    committee.stallers=4` is the what-if of one more staller.
    """
    from .analysis.budget import check, estimate
    from .analysis.compare import compare as compare_runs
    from .analysis.compare import comparison_json
    from .views.console import print_comparison

    _check_precision(precision)
    if scenario_b is None and not overrides_b:
        _fail("compare needs a scenario B, or --set values that make B from A")
    a = load_with_sets(scenario_a, overrides_a, option="--set-a")
    b = load_with_sets(scenario_b or scenario_a, overrides_b)
    n = replications if precision is None else max_replications
    keep = precision is not None  # without it, each replication is measured and dropped
    check(estimate(a, n, keep_deals=keep) + estimate(b, n, keep_deals=keep), max_memory)
    names = _compared_names(
        (a.scenario.name, b.scenario.name), (scenario_a, scenario_b), (overrides_a, overrides_b)
    )
    total = 2 * replications if precision is None else 0
    with _interruptible(), _progress(quiet, total, f"{names[0]} vs {names[1]}") as progress:
        comparison = compare_runs(
            a,
            b,
            replications=replications,
            seed=seed,
            names=names,
            precision=None if precision is None else (metric, precision),
            budget=max_replications,
            workers=workers,
            progress=progress,
        )
    if as_json:
        click.echo(comparison_json(comparison))
    else:
        print_comparison(comparison)
    if "precision" in comparison and not as_json:
        _report_precision(comparison["precision"])


def sweep_options(command):
    """Options shared by `sweep` and `sensitivity`: where and how the points run."""
    options = [
        WORKERS,
        click.option(
            "--scheduler",
            metavar="tcp://HOST:PORT",
            default=None,
            help="Run on this Dask distributed scheduler instead of local processes.",
        ),
        click.option(
            "--out",
            type=GivenPath(OUT_FOLDER, file_okay=False),
            default=None,
            help="Folder for the results [default: results/NAME, NAME from the sweep file].",
        ),
        click.option("--force", is_flag=True, help="Replace an earlier sweep's results in --out."),
        QUIET,
        MAX_MEMORY,
    ]
    for option in reversed(options):
        command = option(command)
    return command


@main.command()
@click.argument("sweep_file", metavar="SWEEP", type=click.Path(dir_okay=False, path_type=Path))
@sweep_options
@click.option(
    "--resume",
    is_flag=True,
    help="Finish an interrupted sweep in --out: compute only missing points.",
)
@user_errors
def sweep(
    sweep_file: Path,
    workers: int | None,
    scheduler: str | None,
    out: Path | None,
    force: bool,
    quiet: bool,
    max_memory: int,
    resume: bool,
) -> None:
    """Run every point of a sweep file, each with its simulated runs (replications).

    Writes OUT/results.parquet and .csv (one row per point and simulated run) and
    OUT/point_summary.parquet and .csv (means with 95% CIs). Finished points are
    saved in OUT/points/ as they finish (within a second), so an interrupted sweep
    loses nothing: run it again with --resume. One command at a time writes into
    OUT. See docs/experiments.md, and docs/cluster.md for a Dask cluster.
    """
    from .scenario.sweep_file import load_sweep
    from .views.console import describe_sweep

    if resume and force:
        raise click.UsageError(
            "--resume and --force exclude each other: finish the sweep, or replace it"
        )
    report = _run_sweep_command(
        load_sweep(sweep_file),
        workers,
        scheduler,
        out,
        resume,
        force,
        quiet,
        again="run the same command with --resume",
        max_memory=max_memory,
    )
    click.echo(describe_sweep(report))
    if report.failed:
        sys.exit(1)


def output_option(command):
    """`--metric` of `sensitivity`: any metric the point summary holds, repeatable."""
    from .analysis.sensitivity import DEFAULT_OUTPUTS, OUTPUTS
    from .scenario.files import shown

    def chosen(
        ctx: click.Context, param: click.Parameter, names: tuple[str, ...]
    ) -> tuple[str, ...]:
        for name in names:
            if name not in OUTPUTS:
                _fail(f"--metric {shown(name)} is not allowed; allowed: {', '.join(OUTPUTS)}")
        return tuple(dict.fromkeys(names))  # each once, in the order given

    return click.option(
        "--metric",
        "outputs",
        multiple=True,
        metavar="METRIC",
        default=DEFAULT_OUTPUTS,
        show_default=True,
        callback=chosen,
        help="A metric whose indices to estimate (repeatable): "
        f"{', '.join(OUTPUTS)} (docs/results.md defines them).",
    )(command)


@main.command()
@click.argument("sweep_file", metavar="SWEEP", type=click.Path(dir_okay=False, path_type=Path))
@sweep_options
@output_option
@user_errors
def sensitivity(
    sweep_file: Path,
    workers: int | None,
    scheduler: str | None,
    out: Path | None,
    force: bool,
    quiet: bool,
    max_memory: int,
    outputs: tuple[str, ...],
) -> None:
    """Sobol indices of metrics (--metric) to the swept parameters.

    The sweep file must use method = "saltelli". Runs (or finishes) the sweep in
    --out, then writes OUT/sensitivity.csv and a bar chart, OUT/sensitivity.png,
    for the metrics chosen (by default the win rate and the median cycle length).
    Choosing other metrics for a finished sweep computes no point again.
    """
    from .analysis.sensitivity import require_saltelli, sobol_indices, write_indices
    from .scenario.sweep_file import load_sweep
    from .views.console import print_indices
    from .views.plots import write_sensitivity_chart

    loaded = require_saltelli(load_sweep(sweep_file))
    found = []

    def write(report) -> None:  # while the sweep still holds --out: no other run writes there
        indices = sobol_indices(loaded, report, outputs)
        write_indices(report.out, indices)
        write_sensitivity_chart(report.out, indices)
        found.append(indices)

    report = _run_sweep_command(
        loaded,
        workers,
        scheduler,
        out,
        resume=not force,
        force=force,
        quiet=quiet,
        again="run the same command again",
        max_memory=max_memory,
        finish=write,
    )
    print_indices(found[0])
    click.echo(f"wrote sensitivity.csv and sensitivity.png to {report.out}")


def _run_sweep_command(
    loaded,
    workers: int | None,
    scheduler: str | None,
    out: Path | None,
    resume: bool,
    force: bool,
    quiet: bool,
    again: str,
    max_memory: int,
    finish=None,
):
    """Run a loaded sweep for a command; an interruption ends saying how to finish (`again`).

    `finish` is passed on to `run_sweep`.
    """
    from .analysis.budget import check, estimate
    from .analysis.executors import SchedulerError, SweepStopped
    from .analysis.sweep import run_sweep
    from .views.progress import is_terminal, with_progress

    if workers is not None and scheduler is not None:
        raise click.UsageError(
            "--workers is for local runs; with --scheduler the cluster's workers run the points"
        )
    if scheduler is not None:
        _require_extra("distributed", "cluster", "--scheduler")
    runs = loaded.replications * _sweep_points(loaded)  # estimated at the base scenario's values
    check(estimate(loaded.scenario_at({}), runs, keep_deals=False), max_memory)
    out = out if out is not None else Path("results") / loaded.name
    resume_hint = f"finished points are saved in {out}; to finish, {again}"
    bar = None if quiet or not is_terminal() else functools.partial(with_progress, name=loaded.name)
    try:
        with _sigterm_interrupts():
            return run_sweep(
                loaded,
                out,
                workers=workers,
                scheduler=scheduler,
                resume=resume,
                force=force,
                progress=bar,
                warn=lambda text: click.echo(f"warning: {text}", err=True),
                finish=finish,
            )
    except SchedulerError as exc:
        _fail(f"--scheduler {exc.address}: {exc.reason}")  # exit 2: no scheduler there
    except SweepStopped as exc:
        _fail(f"{exc}; {resume_hint}", code=1)
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (Terminated)
        click.echo(f"interrupted: {resume_hint}", err=True)
        sys.exit(143 if isinstance(exc, Terminated) else 130)


def _sweep_points(loaded) -> int:
    """How many points a sweep has, without building its design."""
    if loaded.method == "grid":
        return math.prod(len(parameter.values) for parameter in loaded.parameters)
    if loaded.method == "saltelli":
        return loaded.points * (len(loaded.parameters) + 2)
    return loaded.points


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived (from kill, timeout, systemd, Slurm): stop as Ctrl-C stops."""


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """While inside, SIGTERM raises Terminated (once: a second one ends the process at once).

    Only the main thread may set signal handlers; elsewhere SIGTERM keeps its handler.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminated(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise Terminated

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


# ---------------------------------------------------------------- trace, plot, report


def _trace_error() -> type[TraceError]:
    """A mistake in the deal `trace` was asked to follow; imported only once an error happened."""
    from .views.trace import TraceError

    return TraceError


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--deal", "deal_id", type=int, help="The deal to follow (its deal_id in deals.csv).")
@click.option(
    "--outcome",
    metavar="OUTCOME",
    help="Follow the first deal that ended this way: won, lost (lost_competitor), vetoed, "
    "no_decision, disqualified or open.",
)
@seed_option("Root seed.")
@click.option(
    "--replication",
    type=click.IntRange(0, 1_000_000),
    default=0,
    show_default=True,
    help="Which simulated run of that seed, from 0 (the replication column of deals.csv).",
)
@QUIET
@SET_OPTION
@user_errors
def trace(
    scenario: Path,
    deal_id: int | None,
    outcome: str | None,
    seed: int,
    replication: int,
    quiet: bool,
    overrides: tuple[str, ...],
) -> None:
    """Tell one deal's story, step by step, and where its days went.

    Without --deal or --outcome it follows the first deal won. The deal is the
    same one as in `committee-sim run --seed S` (same replication and deal_id in
    deals.csv; reps are numbered as its rep column numbers them).
    """
    from .views.progress import is_terminal, working
    from .views.trace import pick_deal, tell, traced_replication

    if deal_id is not None and outcome is not None:
        raise click.UsageError("give --deal or --outcome, not both")
    loaded = load_with_sets(scenario, overrides)
    shown = not quiet and is_terminal()
    with working(f"simulating run {replication} of {loaded.scenario.name}", shown):
        deals, log = traced_replication(loaded, seed, replication)
    for line in tell(log, pick_deal(deals, deal_id, outcome, replication), loaded, seed):
        click.echo(line)


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@replications_option(
    2,
    "Simulated runs (replications) averaged into each output's series; slow creeps show "
    "only with enough.",
    default=WARMUP_REPLICATIONS,
)
@seed_option("Root seed.")
@click.option(
    "--days",
    type=click.FloatRange(min=70, max=36500),
    default=WARMUP_DAYS,
    show_default=True,
    help="How long to run from empty; MSER-5 looks for the end of the transient in the first half.",
)
@click.option(
    "--plot",
    "picture",
    type=GivenPath("a .png or .svg file, e.g. --plot warmup.png", dir_okay=False),
    default=None,
    help="Also draw the outputs, Welch's moving average and the cut-offs (.png or .svg).",
)
@click.option("--force", is_flag=True, help="Replace an existing --plot file.")
@SET_OPTION
@user_errors
def warmup(
    scenario: Path,
    replications: int,
    seed: int,
    days: float,
    picture: Path | None,
    force: bool,
    overrides: tuple[str, ...],
) -> None:
    """Recommend a warm-up: run from an empty pipeline and find where the transient ends.

    Runs the scenario with no warm-up for --days, follows weekly open deals, wins
    and no-decisions averaged over the simulated runs, and applies MSER-5 to each.
    """
    from .analysis.replications import simulate
    from .analysis.warmup import advise
    from .views.warmup import advice_lines, write_warmup_figure

    if picture is not None:
        if picture.suffix not in (".png", ".svg"):
            raise click.BadParameter(f"{picture}: give a .png or .svg file", param_hint="--plot")
        if picture.exists() and not force:
            _fail(f"--plot {picture} exists; add --force to replace it")
    named = f"--days {days:g}"  # what a message calls the values --days sets
    from_empty = [(f"scenario.horizon_days={days}", named), ("scenario.warmup_days=0", named)]
    loaded = load_with_sets(scenario, overrides, implied=from_empty)
    advice = advise(simulate(loaded, replications=replications, seed=seed))
    for line in advice_lines(advice, loaded.scenario.name):
        click.echo(line)
    if picture is not None:
        write_warmup_figure(advice, loaded.scenario.name, picture)
        click.echo(f"wrote {picture}")


@main.command()
@RESULTS_FOLDERS
@click.option(
    "--out",
    type=GivenPath("a folder, e.g. --out plots (--out . is the current folder)", file_okay=False),
    default=Path("plots"),
    show_default=True,
    help="Folder for the pictures; its other files are left alone.",
)
@click.option("--force", is_flag=True, help="Replace pictures of the same names in --out.")
@user_errors
def plot(folders: tuple[Path, ...], out: Path, force: bool) -> None:
    """Draw the runs in results folders (from run --out) as PNG and SVG pictures."""
    from .views.plots import load_runs, write_plots

    written = write_plots(load_runs(list(folders)), out, force=force)
    click.echo(
        f"wrote {len(written)} files to {out}: "
        + ", ".join(sorted({path.stem for path in written}))
    )


@main.command()
@RESULTS_FOLDERS
@click.option(
    "--out",
    type=GivenPath("a file, e.g. --out report.html", dir_okay=False),
    default=Path("report.html"),
    show_default=True,
    help="The HTML file to write.",
)
@click.option("--force", is_flag=True, help="Replace an existing report.")
@user_errors
def report(folders: tuple[Path, ...], out: Path, force: bool) -> None:
    """Write one self-contained HTML report of the runs in results folders.

    With two or more folders, each run is compared with the first, paired
    simulated run by simulated run when both used the same seed.
    """
    from .views.plots import load_runs
    from .views.report import check_report_writable, write_report

    check_report_writable(out, force)
    write_report(load_runs(list(folders)), out, force=force)
    click.echo(f"wrote {out}")


# ---------------------------------------------------------------- your own company


def crm_options(command):
    """What `calibrate` and `forecast` need to read a CRM export (docs/crm-import.md)."""
    options = [
        click.option(
            "--format",
            "format_name",
            default="generic",
            show_default=True,
            help="The export's format: generic, salesforce, hubspot or pipedrive.",
        ),
        click.option(
            "--stages",
            type=click.Path(dir_okay=False, path_type=Path),
            help="The stage history file (generic stage_history.csv, Salesforce "
            "OpportunityHistory); HubSpot's is in the deals file.",
        ),
        click.option(
            "--contacts",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Salesforce OpportunityContactRole: committee size is contacts per opportunity.",
        ),
        click.option(
            "--as-of",
            metavar="DATE",
            help="Read the export as the CRM showed it on this date (YYYY-MM-DD) "
            "[default: its latest date].",
        ),
        click.option(
            "--no-decision-reason",
            "no_decision",
            multiple=True,
            metavar="PHRASE",
            help="A lost reason holding this phrase means no decision (repeatable; replaces "
            "the documented defaults).",
        ),
        click.option(
            "--disqualified-reason",
            "disqualified",
            multiple=True,
            metavar="PHRASE",
            help="A lost reason holding this phrase means disqualified (repeatable; replaces "
            "the documented defaults).",
        ),
        click.option(
            "--stage",
            "stage_map",
            multiple=True,
            metavar="NAME=STAGE",
            help="Read the CRM stage NAME as the model stage STAGE (qualifying, stallers, "
            "nay_sayers, deciding, negotiating), e.g. --stage 'Demo=stallers' (repeatable).",
        ),
        click.option(
            "--lost-reason-column",
            metavar="COLUMN",
            help="The column holding the lost reason, when it is not the format's own.",
        ),
        click.option(
            "--skip-bad-rows",
            is_flag=True,
            help="Skip rows that cannot be read (and list them) instead of stopping.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _stage_map(pairs: tuple[str, ...]) -> dict[str, str]:
    """--stage 'NAME=STAGE' options as {NAME: STAGE}, each STAGE a model stage's key."""
    from .scenario.crm.formats import stage_from_key

    found = {}
    for pair in pairs:
        name, equals, stage = pair.rpartition("=")
        if not equals or not name.strip() or not stage.strip():
            _fail(f"--stage {pair!r}: expected NAME=STAGE, e.g. --stage 'Demo=stallers'")
        stage_from_key(stage, f"--stage {pair!r}")
        found[name.strip()] = stage.strip()
    return found


SHOWN_SKIPS = 5  # skipped rows named on the terminal; the fit report lists them all
MIN_SEARCH_POINTS = 12  # a round fits 11 terms: a constant, and a slope and a square each


def _read_export(export: Path, options: dict[str, Any]) -> Any:
    """The export, read as the options say; the rows it skipped are told on stderr."""
    from .scenario.crm import OutcomeRule, read_export

    defaults = OutcomeRule()
    rule = OutcomeRule(
        no_decision=options["no_decision"] or defaults.no_decision,
        disqualified=options["disqualified"] or defaults.disqualified,
    )
    crm = read_export(
        export,
        format=options["format_name"],
        stages=options["stages"],
        contacts=options["contacts"],
        as_of=options["as_of"],
        rule=rule,
        skip_bad_rows=options["skip_bad_rows"],
        lost_reason_column=options["lost_reason_column"],
    )
    if crm.skipped:
        click.echo(f"note: skipped {len(crm.skipped):,} rows of the export:", err=True)
        for row in crm.skipped[:SHOWN_SKIPS]:
            click.echo(f"  {row.file} row {row.row}, {row.column}: {row.reason}", err=True)
        if len(crm.skipped) > SHOWN_SKIPS:
            click.echo(f"  and {len(crm.skipped) - SHOWN_SKIPS:,} more", err=True)
    return crm


@main.command()
@click.argument("export", type=click.Path(path_type=Path))
@crm_options
@click.option(
    "--base",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("baseline"),
    show_default=True,
    help="The scenario to calibrate: a file, or a shipped scenario's name.",
)
@click.option(
    "--out",
    type=GivenPath("a file, e.g. --out my_company.toml", dir_okay=False),
    required=True,
    help="The calibrated scenario file to write.",
)
@click.option(
    "--report",
    "report_out",
    type=GivenPath("a file, e.g. --report fit.html", dir_okay=False),
    help="The fit report to write [default: OUT with .html].",
)
@click.option("--force", is_flag=True, help="Replace --out and --report if they exist.")
@click.option(
    "--search-points",
    type=click.IntRange(MIN_SEARCH_POINTS, 10_000),
    default=24,
    show_default=True,
    help=f"Simulated companies per round of the search (at least {MIN_SEARCH_POINTS}: the "
    "emulator has 11 terms in the five unknowns).",
)
@click.option(
    "--rounds",
    type=click.IntRange(1, 100),
    default=8,
    show_default=True,
    help="Most rounds of the search; it stops sooner once it settles.",
)
@click.option(
    "--simulated-deals",
    type=click.IntRange(1, 10_000_000),
    default=4000,
    show_default=True,
    help="Deals each search point simulates (at least 4 windows of the export's): more, "
    "less noise.",
)
@seed_option("Root seed of the simulations; the same seed and inputs give the same file.")
@WORKERS
@QUIET
@SET_OPTION
@user_errors
def calibrate(
    export: Path,
    base: Path,
    out: Path,
    report_out: Path | None,
    force: bool,
    search_points: int,
    rounds: int,
    simulated_deals: int,
    seed: int,
    workers: int | None,
    quiet: bool,
    overrides: tuple[str, ...],
    **options: Any,
) -> None:
    """Calibrate a scenario to your CRM export (docs/crm-import.md).

    Estimates what the export shows directly (lead flow, deal values, the team,
    committee size), fits the behaviour it shows only through outcomes and cycle
    lengths by simulation, and writes the calibrated scenario (each value with its
    interval in a comment) and a fit report.
    """
    from .analysis.calibration import CalibrationError, planned_replications
    from .analysis.calibration import calibrate as fit_company
    from .analysis.fitting import Design
    from .analysis.results_folder import write_atomic
    from .views.calibration import calibrated_toml, print_calibration
    from .views.fit_report import render_fit_report
    from .views.report import check_report_writable

    report_out = report_out or out.with_suffix(".html")
    if report_out.resolve() == out.resolve():
        _fail(f"--report {report_out} is the --out file; choose another, e.g. --report fit.html")
    check_report_writable(out, force)
    check_report_writable(report_out, force)
    loaded = load_with_sets(base, overrides)
    stage_map = _stage_map(options["stage_map"])
    crm = _read_export(export, options)
    design = Design(points=search_points, rounds=rounds, simulated_deals=simulated_deals)
    total = planned_replications(crm, design)
    with (
        _interruptible("interrupted: nothing was written"),
        _progress(quiet, total, f"calibrating {loaded.scenario.name}") as progress,
    ):
        try:
            result = fit_company(crm, loaded, seed, workers, progress, design, stage_map)
        except CalibrationError as exc:
            _fail(f"{export}: {exc}")
    scenario_text = calibrated_toml(result, out.stem, export.name)
    page = render_fit_report(result, crm, out.stem)  # both made before either is written
    for path, text in ((out, scenario_text), (report_out, page)):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)
    print_calibration(result)
    click.echo(f"wrote {out} and {report_out}")


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--pipeline",
    "export",
    type=click.Path(path_type=Path),
    required=True,
    help="The CRM export whose open deals the forecast starts from (a file or a folder).",
)
@crm_options
@click.option(
    "--days",
    type=click.FloatRange(1, 3650),
    default=90,
    show_default=True,
    help="How far ahead to forecast.",
)
@replications_option(1, "Simulated runs: the intervals are their quantiles.", default=200)
@seed_option("Root seed; the same seed and inputs give the same forecast.")
@click.option(
    "--out",
    type=GivenPath("a file, e.g. --out forecast.csv", dir_okay=False),
    help="Write each open deal's forecast as CSV (the columns: docs/crm-import.md).",
)
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
@WORKERS
@QUIET
@SET_OPTION
@user_errors
def forecast(
    scenario: Path,
    export: Path,
    days: float,
    replications: int,
    seed: int,
    out: Path | None,
    force: bool,
    workers: int | None,
    quiet: bool,
    overrides: tuple[str, ...],
    **options: Any,
) -> None:
    """Forecast wins, revenue and slippage from your CRM's open pipeline.

    Starts SCENARIO (e.g. the file `calibrate` wrote) from the export's open deals,
    each at its stage, age, value and owner, and runs it DAYS ahead with new leads
    arriving as the scenario says. Prints the totals with 80% prediction intervals
    (the 10th to 90th percentiles over simulated runs) and each open deal's chances.
    """
    from .analysis.forecast import forecast as run_forecast
    from .scenario.crm import is_founder, model_source, model_stage
    from .scenario.pipeline import pipeline_from_opportunities
    from .views.forecast import print_forecast
    from .views.report import check_report_writable

    if out is not None:
        check_report_writable(out, force)
    loaded = load_with_sets(scenario, overrides)
    stage_map = _stage_map(options["stage_map"])
    crm = _read_export(export, options)
    owners = crm.opportunities["owner"]
    pipeline = pipeline_from_opportunities(
        crm.opportunities,
        crm.as_of,
        lambda name: model_stage(name, crm.format, stage_map),
        model_source,
        stages=crm.stages,
        founder=next((owner for owner in owners if is_founder(owner)), None),
    )
    if not pipeline.deals:
        _fail(f"{export}: no deal is open on {crm.as_of.date()}: nothing to forecast from")
    with (
        _interruptible("interrupted: nothing was written"),
        _progress(quiet, replications, f"forecasting {loaded.scenario.name}") as progress,
    ):
        result = run_forecast(loaded, pipeline, days, replications, seed, workers, progress)
    print_forecast(result, str(crm.as_of.date()))
    if out is not None:
        from .analysis.results_folder import write_atomic

        write_atomic(out, result.deals.to_csv(index=False))
        click.echo(f"wrote {out}")


# ---------------------------------------------------------------- the interactive page

APP_SETTINGS = (  # Streamlit's: on this computer only, no browser opened, nothing sent out
    "--server.address=127.0.0.1",
    "--browser.serverAddress=127.0.0.1",
    "--server.headless=true",
    "--browser.gatherUsageStats=false",
    "--server.fileWatcherType=none",
    "--server.runOnSave=false",
    "--server.maxUploadSize=1",  # MB: a scenario file is at most 1 MiB
    "--global.developmentMode=false",
    "--client.toolbarMode=minimal",
)
# What the page imports that takes long (over a second in all), loaded before the server
# starts so that the first page answers as fast as the later ones.
APP_PRELOAD = (
    "sim.analysis.summary",
    "sim.views.report",
    "sim.views.trace",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "scipy.stats",
)


@main.command()
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8501,
    show_default=True,
    help="Serve the page on this port of 127.0.0.1.",
)
def app(port: int) -> None:
    """Serve the interactive page: pick a scenario, move its levers, run and compare.

    The page is served on this computer only: open http://127.0.0.1:PORT in a web
    browser. It needs the optional extra 'app' (pip install 'committee-sim[app]').
    Ctrl-C stops it.
    """
    _require_extra("streamlit", "app", "committee-sim app")
    from streamlit.web import cli as streamlit

    for module in APP_PRELOAD:
        importlib.import_module(module)
    page = Path(__file__).parent / "views" / "app.py"
    arguments = ["run", str(page), f"--server.port={port}", *APP_SETTINGS]
    streamlit.main(arguments, prog_name="streamlit")
