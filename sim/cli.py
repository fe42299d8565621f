"""The `committee-sim` command line: validate and run scenarios.

Heavy libraries (pandas, scipy, the model) are imported inside the commands that
need them, so `--help` and `validate` start quickly.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from .scenario import ScenarioError, load_scenario

SET_HELP = "Override a scenario value, e.g. --set committee.stallers=4 (repeatable)."


def user_errors(command):
    """Turn user mistakes into one line on stderr and exit code 2, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from .output import ResultsExistError

        try:
            return command(*args, **kwargs)
        except (ScenarioError, ResultsExistError) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="committee-sim")
def main() -> None:
    """Simulate B2B buying committees, sales reps and marketing.

    Start with: committee-sim run scenarios/baseline.toml
    """


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--set", "overrides", multiple=True, metavar="SECTION.KEY=VALUE", help=SET_HELP)
@user_errors
def validate(scenario: Path, overrides: tuple[str, ...]) -> None:
    """Check a scenario file without running it."""
    loaded = load_scenario(scenario, overrides)
    click.echo(f"ok: {scenario} is a valid scenario ({loaded.scenario.name!r})")


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-n", "--replications", type=click.IntRange(1, 1_000_000), default=20, show_default=True,
              help="Independent replications of the scenario.")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=1, show_default=True,
              help="Root seed; the same seed and inputs give byte-identical results.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the result tables (deals, replications, partners) and summary.json.")
@click.option("--force", is_flag=True, help="Replace results already in --out.")
@click.option("--set", "overrides", multiple=True, metavar="SECTION.KEY=VALUE", help=SET_HELP)
@user_errors
def run(scenario: Path, replications: int, seed: int, out: Path | None, force: bool,
        overrides: tuple[str, ...]) -> None:
    """Run a scenario and print a summary table."""
    from .experiment import simulate
    from .output import check_writable, write_results
    from .console import print_summary
    from .summary import summarise

    loaded = load_scenario(scenario, overrides)
    if out is not None:
        check_writable(out, force)
    results = simulate(loaded, replications=replications, seed=seed)
    summary = summarise(results, loaded.scenario.name, seed, replications)
    summary["parameters"] = loaded.to_dict()
    print_summary(summary)
    if out is not None:
        write_results(out, results, summary, force=force)
        click.echo(f"wrote deals.csv, replications.csv, partners.csv and summary.json to {out}")
