"""Regenerate the parameter table in docs/model.md from the scenario schema.

python scripts/update_docs.py          # rewrite the table
python scripts/update_docs.py --check  # exit 1 if the docs are stale
"""

from __future__ import annotations

import sys
from pathlib import Path

from sim.scenario import parameter_table

DOC = Path(__file__).resolve().parent.parent / "docs" / "model.md"
START, END = "<!-- parameters:start -->", "<!-- parameters:end -->"


def render(text: str) -> str:
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{parameter_table()}\n{END}{tail}"


def main() -> int:
    text = DOC.read_text(encoding="utf-8")
    fresh = render(text)
    if "--check" in sys.argv[1:]:
        if fresh != text:
            print(f"{DOC} is stale: run python scripts/update_docs.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
