"""A calibration in words: the scenario file `calibrate` writes (every value it differs
from the defaults by, each calibrated value with a comment giving its interval and the data
behind it), and the table of calibrated values the console and the fit report show."""

from __future__ import annotations

import math
import textwrap
from typing import Any

from ..analysis.calibration import Calibration, Method, Setting, rounded
from ..scenario.reference import toml_value
from ..scenario.schema import LISTS, SECTIONS, default_of
from .formatting import plural


def calibrated_toml(calibration: Calibration, name: str, export_name: str) -> str:
    """The scenario file `calibrate` writes: self-contained (the base's values written out)."""
    evidence = calibration.evidence
    window = evidence.window
    open_deals = int(sum(math.isnan(day) for day in window.closed))
    export_name = "".join(c if c.isprintable() else "?" for c in export_name)  # one comment line
    header = [
        f"# Calibrated by `committee-sim calibrate` to {export_name}: "
        f"{plural(len(window), 'opportunity', 'opportunities')} created "
        f"{evidence.start.date()} to {evidence.as_of.date()}, {open_deals:,} open on "
        f"{evidence.as_of.date()}.",
        f"# Base scenario: {calibration.base.scenario.name}; its values are written out below, "
        "so this file stands alone.",
        "# A calibrated value's comment gives its 95% interval and the data behind it; the fit "
        "report shows how well the simulated company matches the export.",
        "",
    ]
    data = calibration.scenario.to_dict()
    data["scenario"]["name"] = name
    data["scenario"]["base"] = ""
    data["scenario"]["description"] = (
        f"{calibration.base.scenario.name}, calibrated to {export_name} "
        f"(as of {evidence.as_of.date()})."
    )
    settings = {setting.key: setting for setting in calibration.settings}
    lines = header
    for section in SECTIONS:
        body = _section(section, data[section], settings)
        if body:
            lines += [f"[{section}]", *body, ""]
    for section in LISTS:
        for entry in data[section]:
            lines += [f"[[{section}]]"]
            lines += [f"{key} = {toml_value(value)}" for key, value in entry.items()]
            lines.append("")
    return "\n".join(lines)


def _section(section: str, values: dict[str, Any], settings: dict[str, Setting]) -> list[str]:
    """A section's keys that differ from the defaults or were calibrated, the latter with
    a comment on where they came from."""
    lines = []
    for key, value in values.items():
        full = f"{section}.{key}"
        setting = settings.get(full)
        if setting is not None:
            lines += textwrap.wrap(_about(setting), 88, initial_indent="# ", subsequent_indent="# ")
        elif value == default_of(full) or (section == "scenario" and key == "base"):
            continue
        lines.append(f"{key} = {toml_value(value)}")
    return lines


def interval_text(setting: Setting) -> str:
    """'46,910 to 52,060': a calibrated value's interval; empty if it has none."""
    if math.isnan(setting.low):
        return ""
    return f"{rounded(setting.low):,g} to {rounded(setting.high):,g}"


def _interval(setting: Setting) -> str:
    text = interval_text(setting)
    return f" (95% CI {text})" if text else ""


def _about(setting: Setting) -> str:
    """Where a calibrated value came from, for its comment."""
    n, interval = setting.rows, _interval(setting)
    match setting.method:
        case Method.COUNTED:
            return (
                f"{setting.value:g}: the owners of open opportunities or of opportunities "
                "created in the last half year"
            )
        case Method.RATE:
            return (
                f"from {plural(n, 'opportunity', 'opportunities')}: set by simulation so that "
                f"the simulated company's leads arrive at the export's rate and source mix"
                f"{interval}"
            )
        case Method.LOGNORMAL:
            return f"lognormal fit to {plural(n, 'positive amount')}{interval}"
        case Method.MEAN:
            return (
                f"mean committee size of {plural(n, 'opportunity', 'opportunities')} with "
                f"contacts, less the nay-sayers and decision makers{interval}"
            )
        case Method.SIMULATION:
            weak = "" if setting.identified else "; weakly identified: these data hardly narrow it"
            return (
                f"fitted by simulation to the outcome mix and cycle lengths of "
                f"{plural(n, 'opportunity', 'opportunities')}{interval}{weak}"
            )


METHOD_WORDS = {  # short: a table column (the file's comments and docs say more)
    Method.COUNTED: "owners of open or recent deals",
    Method.RATE: "arrival rate, matched by simulation",
    Method.LOGNORMAL: "lognormal fit to amounts",
    Method.MEAN: "mean contacts, less other roles",
    Method.SIMULATION: "simulated moments",
}
SETTING_HEADINGS = ("value", "95% interval", "how", "rows")


def setting_cells(setting: Setting) -> list[str]:
    """A calibrated value's cells under SETTING_HEADINGS."""
    how = METHOD_WORDS[setting.method] + ("" if setting.identified else " (weakly identified)")
    return [f"{rounded(setting.value):,g}", interval_text(setting), how, f"{setting.rows:,}"]


def print_calibration(calibration: Calibration, console: Any = None) -> None:
    """The calibrated values and the overall fit, as a table on the terminal."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    table = Table(title="Calibrated values", title_justify="left", header_style="bold")
    for heading in ("parameter", *SETTING_HEADINGS):
        table.add_column(heading, justify="left" if heading in ("parameter", "how") else "right")
    for setting in calibration.settings:
        table.add_row(setting.key, *setting_cells(setting))
    console.print(table)
    console.print(
        f"Fit: Hansen's J = {calibration.j_statistic:.2f} on "
        f"{calibration.degrees_of_freedom} degrees of freedom; "
        f"{plural(calibration.fit.simulations, 'search point')} simulated."
    )
