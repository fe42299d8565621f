"""Fuzzing the command line (issue 17): hostile input ends in a clear message, never a traceback.

Every input here, generated or hand-made, must end within SECONDS and MEMORY with exit code
0, or 2 and one line `error: ...` (a user's mistake; click's own usage errors end in
`Error: ...`), or 1 and one such line (the machine's), never with a traceback; warnings
(`warning: ...`) may come first. Inputs:

- hypothesis writes scenario files (known and unknown sections and keys, values of every
  TOML type: huge numbers, nan and inf, unicode, NUL characters, long strings, nested
  arrays and tables; then byte-order marks, stray bytes, truncation, deep nesting) and
  `--set` values, for `validate` and for `run -n 1` over a few days; and damages the files
  of a results folder for `read_results`;
- a corpus of hostile files made in tmp_path: special files, deep nesting, huge arrays, a
  long base chain, invalid bases, path tricks, damaged results folders (for `report`, `plot`
  and `read_results`) and damaged sweep folders (for `sweep --resume`).

Cases run in this process (click's CliRunner) with an alarm as the time bound and the
process's peak memory as the memory bound; those that could hang or eat memory for real
(FIFOs, devices, a sparse file of gigabytes, signals) run as commands of their own under
an address-space limit, killed at the time bound. The tests are grouped in classes so that
pytest-xdist (which keeps a module's or a class's tests on one worker) spreads them.
`python -m pytest -n 0 -s -m slow tests/test_fuzz.py` tries many more generated inputs and
prints how many were tried and how they ended.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import Hung, alive_in_session, deadline, short_scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
import sim.analysis.sweep
from sim.analysis.results_folder import FOLDER_FILES, PathError, manifest_json, write_results
from sim.analysis.sweep import MANIFEST, POINTS_DIR, TABLES, run_sweep
from sim.cli import main
from sim.scenario import ScenarioError, load_scenario
from sim.scenario.schema import LISTS, SECTIONS
from sim.scenario.sweep_file import load_sweep

ROOT = Path(__file__).resolve().parent.parent
BASELINE = (ROOT / "scenarios" / "baseline.toml").as_posix()
SECONDS = 10  # per command: every case here takes well under one on an idle core
MEMORY = 2 * 2**30  # bytes: the address space a command of its own may use
PEAK = 3 * 2**30  # bytes: the most this test process may have held after a case in it
LONGEST_LINE = 1000  # characters of one line of a message
QUICK = ["--set", "scenario.warmup_days=0", "--set", "scenario.horizon_days=5"]
RUN = ["-n", "1", "--workers", "1", "--max-memory", "16MiB"]  # one short replication, here
DEEP = 5000  # levels of nesting in the corpus
HUGE = 100_000  # elements of an array in the corpus
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
GARBAGE = random.Random(17).randbytes(300)  # the same bytes on every run


# ---------------------------------------------------------------- what every case must do


def peak_bytes() -> int:
    """This process's peak resident memory so far (Linux counts KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


@dataclass
class Outcome:
    """How a command ended: its exit code and what it printed."""

    exit_code: int
    stdout: str
    stderr: str


def invoke(*args: object) -> Outcome:
    """Run the command line here, within SECONDS and PEAK; the result, checked by `handled`."""
    before = peak_bytes()
    with deadline(SECONDS):
        result = CliRunner().invoke(main, [os.fspath(arg) for arg in args])
    assert not isinstance(result.exception, Hung), f"{shown_args(args)}: hung"
    after = peak_bytes()
    assert after <= max(before, PEAK), f"{shown_args(args)}: peak memory {after / 2**30:.1f} GiB"
    return handled(result.exit_code, result.stdout, result.stderr, args, result.exception)


def shown_args(args) -> str:
    text = " ".join(os.fspath(arg) for arg in args)
    return text if len(text) < 300 else f"{text[:300]}… ({len(text):,} characters)"


def handled(code: int, stdout: str, stderr: str, args, exception=None) -> Outcome:
    """Assert the promise: 0, or 1 or 2 with one message line; no traceback; short lines."""
    what = shown_args(args)
    if exception is not None and not isinstance(exception, SystemExit):
        trace = "".join(traceback.format_exception(exception))
        pytest.fail(f"{what}: a traceback instead of a message:\n{trace}")
    assert "Traceback" not in stdout + stderr, f"{what}:\n{stdout}{stderr}"
    assert code in (0, 1, 2), f"{what}: exit code {code}\n{stderr}"
    lines = stderr.strip().splitlines()
    for line in lines:
        assert len(line) <= LONGEST_LINE, f"{what}: a line of {len(line):,} characters"
    if code:
        assert lines, f"{what}: exit code {code} without a message"
        if not lines[-1].startswith("Error: "):  # click's usage errors: usage, hint, error
            said = [line for line in lines if not line.startswith("warning: ")]
            assert len(said) == 1 and said[0].startswith("error: "), f"{what}:\n{stderr}"
    return Outcome(code, stdout, stderr)


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


def scenario_commands(path: object, *sets: str) -> list[list[object]]:
    """`validate` and a one-replication, five-day `run` of a scenario, with `sets`."""
    given_sets = [part for text in sets for part in ("--set", text)]
    return [
        ["validate", path, *given_sets],
        ["run", path, *RUN, *given_sets, *QUICK],
    ]


# ---------------------------------------------------------------- generated scenarios


KEYS = {name: list(model.model_fields) for name, model in {**SECTIONS, **LISTS}.items()}
ODD_TEXT = [
    "",
    " ",
    "\x00",
    "\ufeff",
    "\u2028",
    "\x1b[31m",
    "$\\alpha$",
    "NA",
    "null",
    "nan",
    "-inf",
    "../../x",
    "/dev/zero",
    "/dev/urandom",
    "scenario.toml",
    ".",
    "é" * 3,
    "\U0001f600",
]
TEXT = st.one_of(
    st.text(max_size=24),  # any unicode: control characters and NUL included
    st.sampled_from(ODD_TEXT),
    st.integers(1000, 300_000).map(lambda n: "ab" * (n // 2)),  # a very long string
)
NUMBERS = st.one_of(
    st.integers(-(2**63), 2**63 - 1),
    st.sampled_from([0, 1, -1, 2, 100, 101, 1000, 10**6, 2**31, 2**63 - 1, -(2**63)]),
    st.floats(),
    st.sampled_from([math.nan, math.inf, -math.inf, 1e308, 5e-324, -0.0, 0.5, 1e-9]),
)
SCALARS = st.one_of(NUMBERS, st.booleans(), TEXT, st.datetimes(), st.dates(), st.times())
KEY = st.one_of(st.sampled_from(sorted({key for keys in KEYS.values() for key in keys})), TEXT)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEY, inner, max_size=3)),
    max_leaves=8,
)
SECTION = st.one_of(st.sampled_from([*KEYS]), TEXT)


# Values the schema may take: numbers at and past the edges of its ranges, names.
NEAR = st.one_of(
    NUMBERS,
    st.floats(0, 1),
    st.integers(0, 12),
    st.sampled_from([1e-300, 5e-324, 1e-9, 0.999999999, 36500.0, 1e4, 1e5]),
    st.sampled_from(["Reseller", "NA", "null", "", "$x$", "Team-A", "team_a"]),
)


@st.composite
def tables(draw) -> dict:
    """A scenario's tables: its own sections and keys with values near their ranges (on
    the baseline, so that many run), or any sections, keys and values."""
    near = draw(st.booleans())
    document: dict = {}
    for _ in range(draw(st.integers(0, 5))):
        section = draw(st.sampled_from([*KEYS]) if near else SECTION)
        keys = KEYS.get(section, [])
        if near:
            table = draw(st.dictionaries(st.sampled_from(keys), NEAR, max_size=4))
        else:
            key = st.one_of(st.sampled_from(keys), KEY) if keys else KEY
            table = draw(st.dictionaries(key, VALUES, max_size=5))
        if section in LISTS and (near or draw(st.booleans())):
            names = st.sampled_from(["Reseller", "NA", "null", "", "$x$", "Team-A", "team_a"])
            entries = draw(st.lists(names, min_size=1, max_size=3))
            document[section] = [{**table, "name": name} for name in entries]
        else:
            document[section] = table
    if near or draw(st.booleans()):
        document.setdefault("scenario", {})
        if isinstance(document["scenario"], dict):
            odd = st.sampled_from([BASELINE, *ODD_TEXT])
            document["scenario"]["base"] = BASELINE if near else draw(odd)
    return document


def toml_string(text: str) -> str:
    escaped = []
    for char in text:
        if char in '"\\':
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04x}")
        elif 0xD800 <= ord(char) <= 0xDFFF:  # a lone surrogate cannot be written as UTF-8
            escaped.append("\\ufffd")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(toml_value, value)) + "]"
    if isinstance(value, dict):
        pairs = (f"{toml_string(key)} = {toml_value(item)}" for key, item in value.items())
        return "{" + ", ".join(pairs) + "}"
    return value.isoformat()  # a date, time or date-time


def toml_text(document: dict) -> str:
    lines = []
    for section, table in document.items():
        for entry in table if isinstance(table, list) else [table]:
            header = f"[[{toml_string(section)}]]" if isinstance(table, list) else None
            lines.append(header or f"[{toml_string(section)}]")
            lines += [f"{toml_string(key)} = {toml_value(value)}" for key, value in entry.items()]
    return "\n".join(lines) + "\n"


DEEP_TEXT = st.integers(1, 300).flatmap(
    lambda n: st.sampled_from(
        [
            f"x = {'[' * n}{']' * n}\n",
            f"x = {'{a = ' * n}1{'}' * n}\n",
            f"{'.'.join(['a'] * n)} = 1\n",
            f"[{'.'.join(['t'] * n)}]\n",
        ]
    )
)


@st.composite
def scenario_files(draw) -> bytes:
    """A scenario file's bytes: generated tables, maybe damaged; or any bytes at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=200))
    data = toml_text(draw(tables())).encode("utf-8", "surrogatepass")
    for _ in range(draw(st.integers(0, 2))):
        where = draw(st.integers(0, len(data)))
        damage = draw(st.sampled_from(["bom", "bytes", "cut", "deep", "line"]))
        if damage == "bom":
            data = b"\xef\xbb\xbf" + data
        elif damage == "bytes":
            data = data[:where] + draw(st.binary(min_size=1, max_size=8)) + data[where:]
        elif damage == "cut":
            data = data[:where]
        elif damage == "deep":
            data = draw(DEEP_TEXT).encode() + data
        else:
            data += draw(TEXT).encode("utf-8", "surrogatepass")
    return data


SET_VALUE = st.one_of(
    VALUES.map(toml_value),
    TEXT,
    st.sampled_from(["1e400", "-1e400", "nan", "inf", "9" * 400, "[" * 100, "1\n2", "0x10"]),
)


@st.composite
def set_options(draw) -> list[str]:
    """`--set` values: mostly SECTION.KEY=VALUE with the scenario's names, or any text."""
    found = []
    for _ in range(draw(st.integers(0, 3))):
        if draw(st.integers(0, 4)) == 0:
            found.append(draw(TEXT))
            continue
        section = draw(SECTION)
        keys = KEYS.get(section, [])
        key = draw(st.one_of(st.sampled_from(keys), KEY) if keys else KEY)
        if section in LISTS:
            key = f"{draw(st.sampled_from(['Reseller', 'NA', '', 'a.b']))}.{key}"
        found.append(f"{section}.{key}={draw(SET_VALUE)}")
    return found


def repeatable(examples: int) -> settings:
    """Hypothesis settings for `examples` cases, the same ones on every run and machine."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )


def fuzz_scenarios(examples: int) -> Counter:
    """Feed `examples` generated scenario files and --set values to validate and run."""
    seen: Counter = Counter()
    folder = Path(tempfile.mkdtemp(prefix="fuzz-"))
    try:

        @repeatable(examples)
        @given(content=scenario_files(), sets=set_options())
        def check(content: bytes, sets: list[str]) -> None:
            path = write(folder / "scenario.toml", content)
            seen["inputs"] += 1
            for command in scenario_commands(path, *sets):
                seen[f"exit {invoke(*command).exit_code}"] += 1

        check()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return seen


def test_generated_scenarios_and_set_values_end_in_a_clear_message(monkeypatch):
    monkeypatch.chdir(ROOT)
    seen = fuzz_scenarios(50)
    assert seen["inputs"] >= 50 and seen["exit 2"] and seen["exit 0"], seen


@pytest.mark.slow
def test_many_generated_scenarios_and_set_values_end_in_a_clear_message(monkeypatch):
    monkeypatch.chdir(ROOT)
    started = time.monotonic()
    seen = fuzz_scenarios(2000)
    took = time.monotonic() - started
    print(f"\n{seen['inputs']:,} generated inputs tried, all handled, in {took:.0f} s: {seen}")


# ---------------------------------------------------------------- hostile files


def fifo(path: Path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    os.mkfifo(path)
    return path


def child(tmp: Path, base: object, name: str = "child.toml") -> Path:
    return write(tmp / name, f"[scenario]\nbase = {toml_string(os.fspath(base))}\nname = 'c'\n")


def linked(path: Path, target: object) -> Path:
    path.symlink_to(target)
    return path


def a_socket(path: Path) -> Path:
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(os.fspath(path))
    finally:
        server.close()
    return path


def unreadable(path: Path) -> Path:
    if IS_ROOT:
        pytest.skip("root reads any file")
    write(path, "[scenario]\nname = 'x'\n").chmod(0)
    return path


def base_chain(tmp: Path, length: int) -> Path:
    for number in range(length):
        base = f"base = 'link{number + 1}.toml'\n" if number + 1 < length else ""
        write(tmp / f"link{number}.toml", f"[scenario]\n{base}name = 'n{number}'\n")
    return tmp / "link0.toml"


def array(items: int, item: str = "1") -> str:
    return "[" + ", ".join([item] * items) + "]"


SWEEP = """
[sweep]
name = {name}
scenario = {scenario}
method = "grid"
replications = 1
seed = 3

[parameters]
"committee.stallers" = [2, 5]
"""
SHORT = short_scenario(warmup_days=0, horizon_days=20)


def sweep_file(tmp: Path, scenario: object = "short.toml", name: object = "fuzz") -> Path:
    write(tmp / "short.toml", SHORT)
    text = SWEEP.format(
        name=toml_string(os.fspath(name)), scenario=toml_string(os.fspath(scenario))
    )
    return write(tmp / "sweep.toml", text)


def sweep_commands(path: object, *more: object) -> list[list[object]]:
    """`sweep` on one core, refusing more than a few points' worth of memory."""
    return [["sweep", path, "--workers", "1", "--quiet", "--max-memory", "64MiB", *more]]


# Each case makes its files in a new folder (also the current one) and returns commands.
Case = Callable[[Path], list[list[object]]]
SCENARIO_CASES: dict[str, Case] = {
    "a folder as the scenario": lambda tmp: scenario_commands(
        (tmp / "s.toml").mkdir() or tmp / "s.toml"
    ),
    "a link loop as the scenario": lambda tmp: scenario_commands(
        linked(tmp / "loop.toml", "loop.toml")
    ),
    "a dangling link as the scenario": lambda tmp: scenario_commands(
        linked(tmp / "gone.toml", "nowhere.toml")
    ),
    "an unreadable scenario": lambda tmp: scenario_commands(unreadable(tmp / "s.toml")),
    "a socket as the scenario": lambda tmp: scenario_commands(a_socket(tmp / "s.toml")),
    "/dev/null as the scenario": lambda tmp: scenario_commands("/dev/null"),
    "a FIFO as the scenario": lambda tmp: scenario_commands(fifo(tmp / "p.toml")),
    "a FIFO as base": lambda tmp: scenario_commands(child(tmp, fifo(tmp / "p.toml"))),
    "/dev/zero as base": lambda tmp: scenario_commands(child(tmp, "/dev/zero")),
    "/proc/self/mem as base": lambda tmp: scenario_commands(child(tmp, "/proc/self/mem")),
    "/proc/self/status as base": lambda tmp: scenario_commands(child(tmp, "/proc/self/status")),
    "a link loop as base": lambda tmp: scenario_commands(child(tmp, linked(tmp / "l", "l"))),
    "a dangling link as base": lambda tmp: scenario_commands(child(tmp, linked(tmp / "l", "none"))),
    "a folder as base": lambda tmp: scenario_commands(child(tmp, ".")),
    "an empty base": lambda tmp: scenario_commands(child(tmp, "")),
    "the root folder as base": lambda tmp: scenario_commands(child(tmp, "/")),
    "a base up the tree": lambda tmp: scenario_commands(
        child(tmp, "../" * 40 + BASELINE.lstrip("/"))
    ),
    "a NUL in base": lambda tmp: scenario_commands(child(tmp, "a\x00b.toml")),
    "a base of 300 characters": lambda tmp: scenario_commands(child(tmp, "b" * 300 + ".toml")),
    "a base path of 5,000 characters": lambda tmp: scenario_commands(child(tmp, "d/" * 2500)),
    "a base naming itself": lambda tmp: scenario_commands(child(tmp, "child.toml")),
    "two bases naming each other": lambda tmp: scenario_commands(
        child(tmp, child(tmp, "a.toml", name="b.toml").name, name="a.toml")
    ),
    "a chain of 3,000 bases": lambda tmp: scenario_commands(base_chain(tmp, 3000)),
    "a base that is not TOML": lambda tmp: scenario_commands(
        child(tmp, write(tmp / "b.toml", "[scenario\nname = ").name)
    ),
    "a base that is not UTF-8": lambda tmp: scenario_commands(
        child(tmp, write(tmp / "b.toml", b"name = '\xff\xfe'").name)
    ),
    "a base with a wrong value": lambda tmp: scenario_commands(
        child(tmp, write(tmp / "b.toml", "[committee]\nstallers = -1\n").name)
    ),
    "a base with an unknown key": lambda tmp: scenario_commands(
        child(tmp, write(tmp / "b.toml", "[committee]\nstalers = 1\n").name)
    ),
    "a base that is a sweep file": lambda tmp: scenario_commands(child(tmp, sweep_file(tmp).name)),
    "a base with deep nesting": lambda tmp: scenario_commands(
        child(tmp, write(tmp / "b.toml", f"x = {'[' * DEEP}{']' * DEEP}\n").name)
    ),
    "5,000-deep arrays": lambda tmp: scenario_commands(
        write(tmp / "s.toml", f"x = {'[' * DEEP}{']' * DEEP}\n")
    ),
    "5,000-deep inline tables": lambda tmp: scenario_commands(
        write(tmp / "s.toml", f"x = {'{a = ' * DEEP}1{'}' * DEEP}\n")
    ),
    "a 5,000-part dotted key": lambda tmp: scenario_commands(
        write(tmp / "s.toml", ".".join(["a"] * DEEP) + " = 1\n")
    ),
    "a 5,000-part table header": lambda tmp: scenario_commands(
        write(tmp / "s.toml", "[" + ".".join(["t"] * DEEP) + "]\n")
    ),
    "5,000-deep arrays of tables": lambda tmp: scenario_commands(
        write(tmp / "s.toml", "".join(f"[[{'.'.join(['t'] * n)}]]\n" for n in range(1, 200)))
    ),
    "a 5,000-deep --set value": lambda tmp: scenario_commands(
        BASELINE, f"leads.arrivals_per_month={'[' * DEEP}{']' * DEEP}"
    ),
    "a 100,000-element array for a count": lambda tmp: scenario_commands(
        write(tmp / "s.toml", f"[committee]\nstallers = {array(HUGE)}\n")
    ),
    "a 100,000-element array for a name": lambda tmp: scenario_commands(
        write(tmp / "s.toml", f"[scenario]\nname = {array(HUGE, '1.5')}\n")
    ),
    "a 100,000-key inline table": lambda tmp: scenario_commands(
        write(tmp / "s.toml", "x = {" + ", ".join(f"k{i} = 1" for i in range(HUGE)) + "}\n")
    ),
    "100,000 [[partners]]": lambda tmp: scenario_commands(
        write(tmp / "s.toml", "[[partners]]\n" * HUGE)
    ),
    "a 100,000-element --set value": lambda tmp: scenario_commands(
        BASELINE, f"committee.stallers={array(HUGE)}"
    ),
    "a string just under 1 MiB": lambda tmp: scenario_commands(
        write(tmp / "s.toml", f"[scenario]\nname = '{'n' * (2**20 - 40)}'\n")
    ),
    "a file just over 1 MiB": lambda tmp: scenario_commands(
        write(tmp / "s.toml", "#" * (2**20 + 1))
    ),
    "huge and odd numbers": lambda tmp: scenario_commands(
        write(
            tmp / "s.toml",
            "[committee]\nstallers = 99999999999999999999999999\nalignment_days = 1e400\n"
            "[leads]\narrivals_per_month = nan\nvalue_median = -inf\n",
        )
    ),
    "the largest values the schema allows": lambda tmp: scenario_commands(
        BASELINE,
        "committee.stallers=100",
        "leads.arrivals_per_month=1e6",
        "reps.count=1000000",
        "marketing.staff=1000000",
    ),
    "a NUL byte in the file": lambda tmp: scenario_commands(
        write(tmp / "s.toml", b"[scenario]\nname = 'a\x00b'\n")
    ),
    "a byte-order mark twice": lambda tmp: scenario_commands(
        write(tmp / "s.toml", b"\xef\xbb\xbf\xef\xbb\xbf[scenario]\nname = 'x'\n")
    ),
    "UTF-16": lambda tmp: scenario_commands(
        write(tmp / "s.toml", "[scenario]\nname = 'x'\n".encode("utf-16"))
    ),
    "CR line ends": lambda tmp: scenario_commands(
        write(tmp / "s.toml", "[scenario]\rname = 'x'\r")
    ),
    "a scenario name of 300 characters": lambda tmp: scenario_commands("s" * 300 + ".toml"),
    "a scenario path of 5,000 characters": lambda tmp: scenario_commands("d/" * 2500 + "s.toml"),
    "odd --set values": lambda tmp: scenario_commands(
        BASELINE, "", "=", "committee", "committee.", ".stallers=1", "partners..x=1"
    ),
    "a --set of 5,000 dots": lambda tmp: scenario_commands(BASELINE, "." * DEEP + "=1"),
    "a --set for a partner that is not there": lambda tmp: scenario_commands(
        BASELINE, "partners.NA.staff=1"
    ),
    "a --set with a NUL": lambda tmp: scenario_commands(BASELINE, "scenario.name=a\x00b"),
    "a --set base": lambda tmp: scenario_commands(BASELINE, "scenario.base=/dev/zero"),
}

OUT_CASES: dict[str, Case] = {
    "--out under a file": lambda tmp: [
        ["run", BASELINE, *RUN, *QUICK, "--out", write(tmp / "afile", "x") / "sub"]
    ],
    "--out a file": lambda tmp: [["run", BASELINE, *RUN, *QUICK, "--out", write(tmp / "f", "")]],
    "--out /dev/null": lambda tmp: [["run", BASELINE, *RUN, *QUICK, "--out", "/dev/null"]],
    "--out a FIFO": lambda tmp: [["run", BASELINE, *RUN, *QUICK, "--out", fifo(tmp / "p")]],
    "--out of 300 characters": lambda tmp: [["run", BASELINE, *RUN, *QUICK, "--out", "o" * 300]],
    "--out of 5,000 characters": lambda tmp: [
        ["run", BASELINE, *RUN, *QUICK, "--out", "d/" * 2500]
    ],
    "--out a link loop": lambda tmp: [
        ["run", BASELINE, *RUN, *QUICK, "--out", linked(tmp / "l", "l") / "x"]
    ],
    "--out a dangling link": lambda tmp: [
        ["run", BASELINE, *RUN, *QUICK, "--out", linked(tmp / "l", "none")]
    ],
    "--out the root folder with --force": lambda tmp: [
        ["run", BASELINE, *RUN, *QUICK, "--out", "/", "--force"]
    ],
    "--out .. with --force": lambda tmp: [
        ["run", BASELINE, *RUN, *QUICK, "--out", "..", "--force"]
    ],
    "--out /proc": lambda tmp: [["run", BASELINE, *RUN, *QUICK, "--out", "/proc/fuzz"]],
    "plot --out under a file": lambda tmp: [
        ["plot", tmp, "--out", write(tmp / "afile", "x") / "sub"]
    ],
    "report --out a folder": lambda tmp: [["report", tmp, "--out", tmp]],
    "warmup --plot of 300 characters": lambda tmp: [
        ["warmup", BASELINE, "-n", "2", "--days", "70", "--plot", "w" * 300 + ".png"]
    ],
}

SWEEP_CASES: dict[str, Case] = {
    "a sweep name that is absolute": lambda tmp: sweep_commands(sweep_file(tmp, name="/tmp/x")),
    "a sweep name up the tree": lambda tmp: sweep_commands(sweep_file(tmp, name="../../x")),
    "a sweep name of ..": lambda tmp: sweep_commands(sweep_file(tmp, name="..")),
    "a sweep name with a slash": lambda tmp: sweep_commands(sweep_file(tmp, name="a/b")),
    "a sweep name with a NUL": lambda tmp: sweep_commands(sweep_file(tmp, name="a\x00b")),
    "a sweep name of 300 characters": lambda tmp: sweep_commands(sweep_file(tmp, name="n" * 300)),
    "a sweep name of a dot": lambda tmp: sweep_commands(sweep_file(tmp, name=".")),
    "a sweep scenario of /dev/zero": lambda tmp: sweep_commands(sweep_file(tmp, "/dev/zero")),
    "a sweep scenario that is a FIFO": lambda tmp: sweep_commands(
        sweep_file(tmp, fifo(tmp / "p.toml"))
    ),
    "a sweep scenario that is a folder": lambda tmp: sweep_commands(sweep_file(tmp, tmp)),
    "a sweep scenario up the tree": lambda tmp: sweep_commands(
        sweep_file(tmp, "../" * 40 + "etc/passwd")
    ),
    "a sweep scenario that is the sweep file": lambda tmp: sweep_commands(
        sweep_file(tmp, "sweep.toml")
    ),
    "a FIFO as the sweep file": lambda tmp: sweep_commands(fifo(tmp / "p.toml")),
    "a folder as the sweep file": lambda tmp: sweep_commands(tmp),
    "a sweep file with deep nesting": lambda tmp: sweep_commands(
        write(tmp / "s.toml", f"[sweep]\nx = {'[' * DEEP}{']' * DEEP}\n")
    ),
    "a grid of 100,000 values": lambda tmp: sweep_commands(
        write(
            tmp / "s.toml",
            SWEEP.format(name='"big"', scenario=f'"{BASELINE}"').replace(
                "[2, 5]", array(HUGE, "2")
            ),
        )
    ),
    "a grid of a million points": lambda tmp: sweep_commands(
        write(
            tmp / "s.toml",
            SWEEP.format(name='"big"', scenario=f'"{BASELINE}"').replace("[2, 5]", array(1000))
            + '"reps.count" = '
            + array(1000)
            + "\n",
        )
    ),
    "sweep --out under a file": lambda tmp: sweep_commands(
        sweep_file(tmp), "--out", write(tmp / "afile", "x") / "sub"
    ),
    "sweep --out of 300 characters": lambda tmp: sweep_commands(
        sweep_file(tmp), "--out", "o" * 300
    ),
    "sweep --out a FIFO": lambda tmp: sweep_commands(sweep_file(tmp), "--out", fifo(tmp / "p")),
}


class TestHostileScenarioFiles:
    @pytest.mark.parametrize("case", SCENARIO_CASES)
    def test_is_one_message_or_runs(self, case, tmp_path, monkeypatch):
        monkeypatch.chdir(tmp_path)
        for command in SCENARIO_CASES[case](tmp_path):
            invoke(*command)


class TestPathTricks:
    @pytest.mark.parametrize("case", [*OUT_CASES, *SWEEP_CASES])
    def test_is_one_message_or_runs(self, case, tmp_path, monkeypatch):
        work = tmp_path / "work"
        work.mkdir()
        monkeypatch.chdir(work)
        before = sorted(os.listdir("/"))
        for command in {**OUT_CASES, **SWEEP_CASES}[case](work):
            invoke(*command)
        assert sorted(os.listdir("/")) == before  # nothing written outside the work folder
        assert sorted(os.listdir(tmp_path)) == ["work"]


# ---------------------------------------------------------------- damaged results folders


def damages() -> dict[str, Callable[[Path], object]]:
    """Ways to damage one file of a results folder, by name."""

    def garbage(path: Path) -> None:
        path.write_bytes(GARBAGE + b'\x00\n,"')

    def cut(path: Path) -> None:
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])

    def folder(path: Path) -> None:
        path.unlink()
        path.mkdir()
        (path / "inside").write_text("x")

    def relink(target: str) -> Callable[[Path], None]:
        def damage(path: Path) -> None:
            path.unlink()
            path.symlink_to(target)

        return damage

    def deep_json(path: Path) -> None:
        path.write_bytes(b"[" * 200_000 + b"]" * 200_000)

    def fifo_file(path: Path) -> None:
        path.unlink()
        fifo(path)

    return {
        "missing": lambda path: path.unlink(),
        "empty": lambda path: path.write_bytes(b""),
        "cut in half": cut,
        "garbage": garbage,
        "a folder": folder,
        "a FIFO": fifo_file,
        "a link loop": relink(".loop"),
        "a dangling link": relink("nowhere"),
        "a link to /dev/zero": relink("/dev/zero"),
        "deep JSON": deep_json,
        "JSON null": lambda path: path.write_bytes(b"null"),
        "a JSON list": lambda path: path.write_bytes(b"[1, 2]"),
    }


DAMAGES = damages()


@pytest.fixture(scope="class")
def sound(tmp_path_factory) -> Path:
    """A results folder as `run --out` writes it: two short replications."""
    folder = tmp_path_factory.mktemp("sound") / "results"
    quick = ["scenario.warmup_days=0", "scenario.horizon_days=60"]
    write_results(folder, sim.simulate(load_scenario(BASELINE, quick), 2, 1))
    (folder.parent / ".loop").symlink_to(".loop")
    return folder


def copied(sound: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "results"
    shutil.copytree(sound, folder)
    return folder


def read_back(folder: Path) -> bool:
    """`sim.read_results`: the folder read (True) or refused with a message (False)."""
    with deadline(SECONDS):
        try:
            sim.read_results(folder)
        except (PathError, ScenarioError) as exc:
            assert "\n" not in str(exc) and len(str(exc)) < LONGEST_LINE, str(exc)
            return False
    return True


def refused_everywhere(folder: Path, tmp_path: Path) -> None:
    """read_results, plot and report refuse the folder alike (or all read it)."""
    readable = read_back(folder)
    for command in (
        ["report", folder, "--out", tmp_path / "r.html"],
        ["plot", folder, "--out", tmp_path / "plots"],
    ):
        if readable:  # drawn elsewhere; drawing takes seconds
            continue
        assert invoke(*command).exit_code == 2, command
    if not readable:
        assert not (tmp_path / "r.html").exists() and not (tmp_path / "plots").exists()


def rewrite_manifest(folder: Path) -> None:
    """Make a damaged folder consistent: the manifest lists the files as they now are."""
    contents = {}
    for name in FOLDER_FILES[:-1]:
        try:
            contents[name] = (folder / name).read_bytes()
        except OSError:
            return
    (folder / "manifest.json").write_bytes(manifest_json(contents))


class TestDamagedResultsFolders:
    @pytest.mark.parametrize("damage", DAMAGES)
    @pytest.mark.parametrize("file", FOLDER_FILES)
    def test_is_refused_with_one_message(self, sound, tmp_path, file, damage):
        folder = copied(sound, tmp_path)
        DAMAGES[damage](folder / file)
        refused_everywhere(folder, tmp_path)

    @pytest.mark.parametrize("file", FOLDER_FILES[:-1])
    def test_a_file_of_another_run_is_refused(self, sound, tmp_path, file):
        folder = copied(sound, tmp_path)
        other = tmp_path / "other"
        quick = ["scenario.warmup_days=0", "scenario.horizon_days=50"]
        write_results(other, sim.simulate(load_scenario(BASELINE, quick), 2, 2))
        if (other / file).read_bytes() == (folder / file).read_bytes():
            pytest.skip(f"{file} is the same in both runs")  # partners.csv without partners
        shutil.copy(other / file, folder / file)
        assert not read_back(folder)
        refused_everywhere(folder, tmp_path)

    def test_more_folders_than_one_some_damaged(self, sound, tmp_path):
        folder = copied(sound, tmp_path)
        (folder / "deals.csv").write_bytes(b"")
        for command in ("report", "plot"):
            done = invoke(command, sound, folder, tmp_path / "absent", "--out", tmp_path / "o")
            assert done.exit_code == 2

    def test_a_results_folder_that_is_a_file_a_fifo_or_a_device(self, tmp_path):
        for folder in (write(tmp_path / "f", "x"), fifo(tmp_path / "p"), Path("/dev/zero")):
            assert not read_back(folder)
            invoke("report", folder, "--out", tmp_path / "r.html")

    def test_generated_damage_is_read_or_refused(self, sound):
        seen = fuzz_results_folder(sound, 40)
        assert seen["read"] and seen["refused"], seen

    @pytest.mark.slow
    def test_much_generated_damage_is_read_or_refused(self, sound):
        started = time.monotonic()
        seen = fuzz_results_folder(sound, 1000)
        took = time.monotonic() - started
        print(f"\n{seen['inputs']:,} damaged folders tried, all handled, in {took:.0f} s: {seen}")


def fuzz_results_folder(sound: Path, examples: int) -> Counter:
    """Damage one file of `sound` in `examples` generated ways; read_results reads or refuses.

    A file's bytes replaced, inserted or cut at any place, or one of its values (a key of
    summary.json, a table's cell) replaced by any value; then the manifest is rewritten to
    match (the damage is then found by the checks of the contents) or left (by the manifest).
    """
    seen: Counter = Counter()

    @repeatable(examples)
    @given(
        file=st.sampled_from(FOLDER_FILES[:-1]),
        where=st.floats(0, 1),
        change=st.sampled_from(["replace", "insert", "cut", "value"]),
        data=st.binary(min_size=1, max_size=40),
        value=VALUES,
        consistent=st.booleans(),
    )
    def check(file, where, change, data, value, consistent) -> None:
        with tempfile.TemporaryDirectory() as work:
            folder = copied(sound, Path(work))
            path = folder / file
            content = path.read_bytes()
            at = int(where * len(content))
            if change == "replace":
                content = content[:at] + data + content[at + len(data) :]
            elif change == "insert":
                content = content[:at] + data + content[at:]
            elif change == "cut":
                content = content[:at]
            elif file == "summary.json":  # a figure, key or table replaced by any JSON value
                summary = json.loads(content)
                key = sorted(summary)[at % len(summary)]
                summary[key] = json.loads(json.dumps(value, default=str))
                content = json.dumps(summary).encode()
            else:  # a cell replaced by any text
                lines = content.split(b"\n")
                line = 1 + at % max(len(lines) - 2, 1)
                row = lines[line].split(b",")
                row[at % len(row)] = json.dumps(value, default=str).encode()[:60]
                lines[line] = b",".join(row)
                content = b"\n".join(lines)
            path.write_bytes(content)
            if consistent:
                rewrite_manifest(folder)
            seen["inputs"] += 1
            seen["read" if read_back(folder) else "refused"] += 1

    check()
    return seen


# ---------------------------------------------------------------- damaged sweep folders


@pytest.fixture(scope="class")
def finished(tmp_path_factory) -> Path:
    """A finished two-point sweep of one replication each, a point per batch file."""
    folder = tmp_path_factory.mktemp("sweep")
    path = sweep_file(folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sim.analysis.sweep, "SAVE_SECONDS", 0.0)
        run_sweep(load_sweep(path), folder / "out", workers=1)
    return folder


def batch(out: Path, number: int = 1) -> Path:
    return out / POINTS_DIR / f"batch-{number:06d}.json"


def record_change(change: Callable[[dict], object]) -> Callable[[Path], None]:
    """Damage the record in batch file 1, keeping the file's sweep and model."""

    def damage(out: Path) -> None:
        content = json.loads(batch(out).read_text(encoding="utf-8"))
        change(content["points"][0])
        batch(out).write_text(json.dumps(content), encoding="utf-8")

    return damage


def row_change(key: str, value: object) -> Callable[[Path], None]:
    return record_change(lambda record: record["rows"][0].update({key: value}))


def replaced(name: str, content: bytes) -> Callable[[Path], None]:
    return lambda out: (out / name).write_bytes(content)


def made_folder(name: str) -> Callable[[Path], None]:
    def damage(out: Path) -> None:
        (out / name).unlink(missing_ok=True)
        (out / name).mkdir()

    return damage


def made_fifo(name: str) -> Callable[[Path], None]:
    def damage(out: Path) -> None:
        (out / name).unlink(missing_ok=True)
        fifo(out / name)

    return damage


def made_link(name: str, target: str) -> Callable[[Path], None]:
    def damage(out: Path) -> None:
        (out / name).unlink(missing_ok=True)
        (out / name).symlink_to(target)

    return damage


FIRST = f"{POINTS_DIR}/batch-000001.json"
SWEEP_DAMAGES: dict[str, Callable[[Path], object]] = {
    "sweep.json garbage": replaced(MANIFEST, GARBAGE),
    "sweep.json empty": replaced(MANIFEST, b""),
    "sweep.json null": replaced(MANIFEST, b"null"),
    "sweep.json a list": replaced(MANIFEST, b"[]"),
    "sweep.json an empty object": replaced(MANIFEST, b"{}"),
    "sweep.json deep": replaced(MANIFEST, b"[" * 200_000),
    "sweep.json with wrong types": lambda out: (out / MANIFEST).write_text(
        json.dumps({key: 1 for key in json.loads((out / MANIFEST).read_text())})
    ),
    "sweep.json a folder": made_folder(MANIFEST),
    "sweep.json a FIFO": made_fifo(MANIFEST),
    "sweep.json a link loop": made_link(MANIFEST, MANIFEST),
    "sweep.json missing": lambda out: (out / MANIFEST).unlink(),
    "a batch of garbage": replaced(FIRST, GARBAGE),
    "a batch empty": replaced(FIRST, b""),
    "a batch null": replaced(FIRST, b"null"),
    "a batch deep": replaced(FIRST, b'{"a":' * 100_000),
    "a batch a folder": made_folder(FIRST),
    "a batch a FIFO": made_fifo(FIRST),
    "a batch a dangling link": made_link(FIRST, "nowhere"),
    "a batch a link loop": made_link(FIRST, "batch-000001.json"),
    "a batch a link to /dev/zero": made_link(FIRST, "/dev/zero"),
    "a batch numbered past a million": lambda out: batch(out).rename(batch(out, 10**7)),
    "a point of a huge number": record_change(lambda record: record.update(point=10**30)),
    "a point of -1": record_change(lambda record: record.update(point=-1)),
    "a point of true": record_change(lambda record: record.update(point=True)),
    "a point as text": record_change(lambda record: record.update(point="0")),
    "a seed of a float": record_change(lambda record: record.update(seed=3.0)),
    "rows not a list": record_change(lambda record: record.update(rows={"a": 1})),
    "a row of null": record_change(lambda record: record.update(rows=[None])),
    "a metric of a huge integer": row_change("win_rate", 10**400),
    "a metric of text": row_change("win_rate", "high"),
    "a metric of true": row_change("win_rate", True),
    "a metric of infinity": row_change("win_rate", math.inf),
    "a metric of nan": row_change("cycle_days_median", math.nan),
    "a metric of a list": row_change("win_rate", [1]),
    "an error of a number": record_change(lambda record: record.update(error=1)),
    "points a file": lambda out: (
        shutil.rmtree(out / POINTS_DIR) or (out / POINTS_DIR).write_text("x")
    ),
    "points a link loop": lambda out: (
        shutil.rmtree(out / POINTS_DIR) or (out / POINTS_DIR).symlink_to(POINTS_DIR)
    ),
    "points missing": lambda out: shutil.rmtree(out / POINTS_DIR),
    "a table a folder": made_folder("results.csv"),
    "a table a FIFO": made_fifo("point_summary.parquet"),
    "a table garbage": replaced("results.parquet", GARBAGE),
    "a stray file": replaced(f"{POINTS_DIR}/batch-1.json", b"{}"),
    "a stray folder": made_folder(f"{POINTS_DIR}/notes"),
    "a temporary file of a killed run": replaced(f"{POINTS_DIR}/.batch-000009.json.x.tmp", b"{"),
    "a temporary folder named like one": made_folder(f"{POINTS_DIR}/.batch-000009.json.y.tmp"),
}


# Values a run could have written: taken as they are (a batch file has no checksum).
PLAUSIBLE = {"a metric of infinity", "a metric of nan"}


class TestDamagedSweepFolders:
    @pytest.mark.parametrize("damage", SWEEP_DAMAGES)
    def test_resume_is_one_message_or_finishes_the_sweep(self, finished, tmp_path, damage):
        out = Path(shutil.copytree(finished / "out", tmp_path / "out", symlinks=True))
        SWEEP_DAMAGES[damage](out)
        done = invoke("sweep", finished / "sweep.toml", "--out", out, "--resume", "--workers", "1")
        if done.exit_code == 0 and damage not in PLAUSIBLE:  # nothing lost: the same tables
            for name in TABLES:
                assert (out / name).read_bytes() == (finished / "out" / name).read_bytes(), name


# ---------------------------------------------------------------- commands of their own

# Starts the command line with its address space limited to MEMORY: an attempt to read
# /dev/zero whole, or a file of gigabytes, fails instead of taking the machine's memory.
LAUNCH = (
    "import resource, sys\n"
    "resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))\n"
    "from sim.cli import main\n"
    "main(sys.argv[1:], prog_name='committee-sim')\n"
)


def _as_a_terminal_starts_it() -> None:
    """In the child: Ctrl-C as a terminal's foreground job has it. A suite started in the
    background of a script (`.ci/run &`) ignores SIGINT, and children inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def own_process(
    args: list[object], cwd: Path, interrupt: tuple[int, Callable[[int], bool]] | None = None
) -> tuple[int, str, str]:
    """Run the command line as a process of its own session, within SECONDS and MEMORY.

    `interrupt` is (signal, when): the signal goes to the process group once `when(pid)`
    holds, as a terminal sends Ctrl-C. Fails if the command still runs at the time bound
    (counted from the signal, if any), or if a process it started outlives it. Returns
    its exit code (negative: ended by that signal), stdout and stderr.
    """
    command = [sys.executable, "-c", LAUNCH.format(memory=MEMORY), *map(os.fspath, args)]
    env = {**os.environ, "PYTHONPATH": os.fspath(ROOT)}
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
            preexec_fn=_as_a_terminal_starts_it,
        )
        session = process.pid
        try:
            started = time.monotonic()
            while True:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    break
                if interrupt is not None and interrupt[1](session):
                    os.killpg(session, interrupt[0])
                    started, interrupt = time.monotonic(), None
                if time.monotonic() - started > SECONDS:
                    pytest.fail(f"{shown_args(args)}: still running after {SECONDS} s")
                time.sleep(0.02)
            process.returncode = code = os.waitstatus_to_exitcode(status)
            left = survivors(session)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(session, signal.SIGKILL)
            if process.returncode is None:
                process.wait()
        stdout.seek(0)
        stderr.seek(0)
        out, err = stdout.read().decode(errors="replace"), stderr.read().decode(errors="replace")
    assert not left, f"{shown_args(args)}: processes left behind: {left}"
    peak = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    assert peak < MEMORY, f"{shown_args(args)}: peak memory {peak / 2**30:.1f} GiB"
    return code, out, err


def survivors(session: int, grace: float = 5.0) -> list[str]:
    """What is left of a session `grace` seconds after its leader ended (nothing, we hope)."""
    until = time.monotonic() + grace
    while (left := alive_in_session(session)) and time.monotonic() < until:
        time.sleep(0.05)
    return left


def own(args: list[object], cwd: Path) -> Outcome:
    code, out, err = own_process(args, cwd)
    return handled(code, out, err, args)


OWN_CASES: dict[str, Case] = {
    "/dev/zero as base": lambda tmp: [["validate", child(tmp, "/dev/zero")]],
    "/dev/urandom as base": lambda tmp: [["validate", child(tmp, "/dev/urandom")]],
    "a FIFO as the scenario": lambda tmp: [["validate", fifo(tmp / "p.toml")]],
    "a FIFO as base": lambda tmp: [["validate", child(tmp, fifo(tmp / "p.toml"))]],
    "a FIFO as the sweep's scenario": lambda tmp: sweep_commands(
        sweep_file(tmp, fifo(tmp / "p.toml"))
    ),
    "a file of 3 GiB as base": lambda tmp: [["validate", child(tmp, sparse(tmp / "big.toml"))]],
}


def sparse(path: Path, size: int = 3 * 2**30) -> Path:
    with path.open("wb") as handle:
        handle.truncate(size)  # nothing written: a sparse file
    return path


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX processes and signals")
class TestCommandsOfTheirOwn:
    @pytest.mark.parametrize("case", OWN_CASES)
    def test_is_one_message_within_the_bounds(self, case, tmp_path):
        for command in OWN_CASES[case](tmp_path):
            assert own(command, tmp_path).exit_code == 2

    @pytest.mark.parametrize(
        ("file", "manifest"),
        [
            ("deals.csv", True),
            ("manifest.json", True),
            ("summary.json", False),
            pytest.param("deals.csv", False, marks=pytest.mark.slow),  # pandas reads 3 s
        ],
    )
    def test_a_sparse_file_of_3_gib_in_a_results_folder(self, tmp_path, file, manifest):
        folder = tmp_path / "results"
        write_results(folder, sim.simulate(load_scenario(BASELINE, QUICK[1::2]), 1, 1))
        if not manifest:  # as written before manifests existed
            (folder / "manifest.json").unlink()
        sparse(folder / file)
        assert own(["report", folder, "--out", tmp_path / "r.html"], tmp_path).exit_code == 2

    def test_a_fifo_in_results_and_sweep_folders(self, tmp_path):
        folder = tmp_path / "results"
        write_results(folder, sim.simulate(load_scenario(BASELINE, QUICK[1::2]), 1, 1))
        (folder / "deals.csv").unlink()
        fifo(folder / "deals.csv")
        assert own(["report", folder, "--out", tmp_path / "r.html"], tmp_path).exit_code == 2
        sweep = sweep_file(tmp_path)
        (tmp_path / "s" / POINTS_DIR).mkdir(parents=True)
        fifo(tmp_path / "s" / FIRST)
        fifo(tmp_path / "s" / MANIFEST)
        args = ["sweep", sweep, "--out", tmp_path / "s", "--resume", "--workers", "1"]
        assert own(args, tmp_path).exit_code == 2


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
class TestSignals:
    @pytest.mark.parametrize(
        ("sig", "processes", "after"),
        [
            (signal.SIGINT, 3, 0.2),  # the forkserver imports the model, the workers start
            (signal.SIGINT, 5, 0.5),  # two workers at work
            (signal.SIGTERM, 5, 0.5),
        ],
    )
    def test_a_signal_during_run_leaves_the_old_results_and_no_process(
        self, tmp_path, sig, processes, after
    ):
        """Ctrl-C, sent to every process as a terminal sends it, or SIGTERM, during `run`."""
        out = tmp_path / "out"
        write_results(out, sim.simulate(load_scenario(BASELINE, QUICK[1::2]), 1, 1))
        before = {path.name: path.read_bytes() for path in out.iterdir()}
        args = ["run", BASELINE, "-n", "2000", "--workers", "2", "--out", out, "--force"]
        seen: list[float] = []

        def now(session: int) -> bool:  # `after` seconds after `processes` were running
            if not seen and len(alive_in_session(session)) >= processes:
                seen.append(time.monotonic())
            return bool(seen) and time.monotonic() > seen[0] + after

        code, stdout, stderr = own_process(args, tmp_path, (sig, now))
        assert "Traceback" not in stdout + stderr, stderr
        # Ctrl-C ends as click's Abort (exit 1, "Aborted!"); SIGTERM as its default action.
        assert code in ((1, 130) if sig == signal.SIGINT else (143, -signal.SIGTERM)), stderr
        assert {path.name: path.read_bytes() for path in out.iterdir()} == before
        assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]  # nothing staged
