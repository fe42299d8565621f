"""What `committee-sim scenarios` and `committee-sim params` print: the shipped files and the
parameter reference, as plain text that reads at any terminal width."""

from __future__ import annotations

import textwrap

from ..scenario import parameter_rows
from ..scenario.catalogue import description, shipped_folder, shipped_names, shipped_path

WIDTH = 78  # columns of the wrapped text: an 80-column terminal shows it whole


def scenarios_text(sweeps: bool = False) -> str:
    """The shipped scenarios (or sweeps), each with what it represents, and where they are."""
    kind = "sweep" if sweeps else "scenario"
    lines = []
    names = shipped_names(kind)
    for name in names:
        about = _sweep_about(name) if sweeps else description(name)
        lines += [
            name,
            *textwrap.wrap(about, WIDTH, initial_indent="    ", subsequent_indent="    "),
        ]
    folder = shipped_folder() / "sweeps" if sweeps else shipped_folder()
    lines += [
        "",
        f"Run one by its name (committee-sim {'sweep' if sweeps else 'run'} {names[0]}); "
        f"the files are in {folder}",
    ]
    return "\n".join(lines)


def _sweep_about(name: str) -> str:
    """A sweep file's opening comment, which says what it asks."""
    comments = []
    for line in shipped_path(name, "sweep").read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        comments.append(line.lstrip("# ").strip())
    return " ".join(comments)


def _section(key: str) -> str:
    """`committee` of `committee.stallers`, `partners` of `partners[].staff`."""
    return key.partition(".")[0].removesuffix("[]")


def params_text(section: str | None = None) -> str:
    """Every parameter (of one section) with its default, unit, allowed values and source."""
    blocks = []
    for row in parameter_rows():
        if section is not None and _section(row["key"]) != section:
            continue
        blocks.append(
            "\n".join(
                [
                    f"{row['key']} = {row['default']}  ({row['unit']}; {row['allowed']})",
                    *_indented(row["meaning"]),
                    *_indented(f"source: {row['source']}"),
                ]
            )
        )
    return "\n\n".join(blocks)


def _indented(text: str) -> list[str]:
    """`text` wrapped to the width, each line indented under the name it describes."""
    return textwrap.wrap(text, WIDTH, initial_indent="    ", subsequent_indent="    ")
