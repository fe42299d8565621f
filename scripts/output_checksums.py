"""Checksums of what committee-sim writes, to show that a refactoring changed no output.

Runs, through the command line as a user would:
- every shipped scenario (3 replications, seed 1) with `run --out`: deals.csv,
  replications.csv, partners.csv, summary.json and the printed table;
- a small grid sweep (2 x 2 points, 2 replications): its four tables;
- six traces (wins, losses, partner deals with a rescue and a misrepresentation,
  the founder);
- the SVG pictures of `plot` and the HTML of `report` for two of those runs
  (the deal timelines in them are drawn from the event log).

Prints one line per output, `sha256  name`, sorted by name. Two runs of this
script before and after a change are compared with `diff`. `summary.json` is also
hashed without its `parameters` block (`summary.json#results`), so that adding a
parameter to the schema, which adds a key there, can be told apart from a change
of results.

    python scripts/output_checksums.py > before.txt
    ... change the code ...
    python scripts/output_checksums.py > after.txt && diff before.txt after.txt
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN_FILES = ("deals.csv", "replications.csv", "partners.csv", "summary.json")
SWEEP_FILES = ("results.csv", "results.parquet", "point_summary.csv", "point_summary.parquet")
SWEEP = """[sweep]
scenario = "{base}"
method = "grid"
replications = 2
seed = 1

[parameters]
"committee.stallers" = [3, 8]
"marketing.proactive_share" = [0.2, 0.6]
"""
TRACES = {
    "trace baseline": ("baseline",),
    "trace baseline no_decision": ("baseline", "--outcome", "no_decision"),
    "trace channel_overlap vetoed": (
        "channel_overlap",
        "--outcome",
        "vetoed",
        "--replication",
        "1",
    ),
    "trace channel_overlap partner rescued, misrepresented": (
        "channel_overlap",
        "--deal",
        "149",
        "--replication",
        "4",
    ),
    "trace founder_led won": ("founder_led", "--outcome", "won"),
    "trace new_vp_sales no_decision": ("new_vp_sales", "--outcome", "no_decision"),
}
PICTURED = ("baseline", "channel_overlap")  # drawn with `plot` (SVG) and `report`


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def command(*args: str) -> bytes:
    """Run `committee-sim ARGS` in a fresh interpreter; its standard output."""
    done = subprocess.run(
        [sys.executable, "-m", "sim", *args],
        cwd=ROOT,
        capture_output=True,
        check=True,
        env={"COLUMNS": "120", "PATH": "/usr/bin:/bin", "TERM": "dumb"},
    )
    return done.stdout


def checksums(work: Path) -> dict[str, str]:
    sums: dict[str, str] = {}
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        out = work / path.stem
        printed = command("run", str(path), "-n", "3", "--seed", "1", "--out", str(out))
        sums[f"run {path.stem} (printed)"] = sha(printed.replace(str(out).encode(), b"OUT"))
        for name in RUN_FILES:
            sums[f"run {path.stem} {name}"] = sha((out / name).read_bytes())
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        summary.pop("parameters", None)
        sums[f"run {path.stem} summary.json#results"] = sha(json.dumps(summary).encode())
    sweep_file = work / "sweep.toml"
    sweep_file.write_text(SWEEP.format(base=ROOT / "scenarios" / "baseline.toml"), encoding="utf-8")
    command("sweep", str(sweep_file), "--out", str(work / "sweep"), "--workers", "1", "--quiet")
    for name in SWEEP_FILES:
        sums[f"sweep {name}"] = sha((work / "sweep" / name).read_bytes())
    for label, (scenario, *options) in TRACES.items():
        sums[label] = sha(command("trace", f"scenarios/{scenario}.toml", *options))
    folders = [str(work / name) for name in PICTURED]
    command("plot", *folders, "--out", str(work / "plots"))
    for path in sorted((work / "plots").glob("*.svg")):
        sums[f"plot {path.name}"] = sha(path.read_bytes())
    command("report", *folders, "--out", str(work / "report.html"))
    sums["report.html"] = sha(
        (work / "report.html").read_bytes().replace(str(work).encode(), b"WORK")
    )
    return sums


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for name, digest in sorted(checksums(Path(folder)).items()):
            print(f"{digest}  {name}")


if __name__ == "__main__":
    main()
