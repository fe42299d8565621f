"""Regenerate the tables in the docs that are generated from declarations.

- docs/model.md: the parameter table, from the scenario schema, and the count of its
  defaults by kind of source (published, seed essay, fitted, assumption);
- docs/results.md: the deal table's columns (from `sim.model.records.DEAL_COLUMNS`)
  and the metrics of one replication (from `sim.analysis.metrics`);
- docs/experiments.md: the keys of a sweep file's [sweep] table;
- docs/crm-import.md: each CRM format's columns, dates and stages (from
  `sim.scenario.crm.formats.FORMATS`), the synthetic exports' lost reasons and sources,
  and the columns of a forecast's per-deal table (`sim.analysis.forecast`).

python scripts/update_docs.py            # rewrite the tables
python scripts/update_docs.py model.md   # rewrite only the tables of docs/model.md
python scripts/update_docs.py --check    # exit 1 if the docs are stale
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from sim.analysis.crm_sample import synthetic_text_table
from sim.analysis.forecast import forecast_column_table
from sim.analysis.metrics import metric_table
from sim.model.records import deal_column_table
from sim.scenario import parameter_table
from sim.scenario.crm.formats import format_tables
from sim.scenario.reference import source_kind_table
from sim.scenario.sweep_file import sweep_key_table

DOCS = Path(__file__).resolve().parent.parent / "docs"
TABLES: dict[str, dict[str, Callable[[], str]]] = {  # file -> marker name -> table
    "model.md": {"source-kinds": source_kind_table, "parameters": parameter_table},
    "results.md": {"deal-columns": deal_column_table, "metrics": metric_table},
    "experiments.md": {"sweep-keys": sweep_key_table},
    "crm-import.md": {
        "crm-formats": format_tables,
        "crm-synthetic-texts": synthetic_text_table,
        "forecast-columns": forecast_column_table,
    },
}


def render(text: str, tables: dict[str, Callable[[], str]]) -> str:
    """`text` with each generated block (between its start and end markers) made afresh."""
    for name, table in tables.items():
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        head, found, rest = text.partition(start)
        if not found:
            raise SystemExit(f"no {start} marker in the docs")
        _, _, tail = rest.partition(end)
        text = f"{head}{start}\n{table()}\n{end}{tail}"
    return text


def chosen_files(args: list[str]) -> list[str]:
    """The docs files named on the command line, or all of them: one file's tables can be
    refreshed while another file's generators are mid-change."""
    names = [arg for arg in args if not arg.startswith("--")] or list(TABLES)
    unknown = [name for name in names if name not in TABLES]
    if unknown:
        raise SystemExit(f"no generated tables in {', '.join(unknown)}; files: {', '.join(TABLES)}")
    return names


def main() -> int:
    stale = []
    for name in chosen_files(sys.argv[1:]):
        tables = TABLES[name]
        path = DOCS / name
        text = path.read_text(encoding="utf-8")
        fresh = render(text, tables)
        if fresh == text:
            continue
        if "--check" in sys.argv[1:]:
            stale.append(str(path))
        else:
            path.write_text(fresh, encoding="utf-8")
    if stale:
        print(f"stale: {', '.join(stale)}: run python scripts/update_docs.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
