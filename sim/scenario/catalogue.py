"""The scenarios shipped with the package, found by bare name: `committee-sim run baseline`.

They are the files of the project's `scenarios/` folder, installed as package data
(`sim/scenario/shipped` is a link to that folder in a clone).
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

SWEEPS = "sweeps"  # the shipped sweep files' subfolder


def shipped_folder() -> Path:
    """The folder of shipped scenario files (a real folder when the package is installed)."""
    return Path(str(resources.files("sim.scenario") / "shipped"))


def shipped_names(kind: str = "scenario") -> list[str]:
    """The bare names of the shipped scenarios (kind "scenario") or sweeps ("sweep"), sorted."""
    folder = shipped_folder() / SWEEPS if kind == "sweep" else shipped_folder()
    return sorted(p.stem for p in folder.glob("*.toml"))


def shipped_path(name: str, kind: str = "scenario") -> Path:
    """Where the shipped scenario or sweep `name` lies (it may not exist: check shipped_names)."""
    folder = shipped_folder() / SWEEPS if kind == "sweep" else shipped_folder()
    return folder / f"{name}.toml"


def resolve(argument: str | Path, kind: str = "scenario") -> Path:
    """The file a user named: a path as given, or a shipped file's by its bare name.

    A path that exists, or anything with a folder or a suffix in it, is taken as a path,
    so a user's own `baseline.toml` is never shadowed and messages name what they typed.
    """
    path = Path(argument)
    bare = path.name == str(argument) and not path.suffix
    if not bare or path.exists() or str(argument) not in shipped_names(kind):
        return path
    return shipped_path(str(argument), kind)


def shipped_hint(path: Path, kind: str) -> str:
    """For a bare name that is no file: which shipped names there are, and how to list them."""
    if path.parent != Path(".") or path.suffix or kind not in ("scenario", "sweep"):
        return ""
    command = "committee-sim scenarios" + (" --sweeps" if kind == "sweep" else "")
    names = ", ".join(shipped_names(kind))
    return f" and no shipped {kind} of that name; shipped: {names} ({command} describes them)"


def description(name: str) -> str:
    """The first sentence of a shipped scenario's `[scenario] description`."""
    with shipped_path(name).open("rb") as handle:
        text = tomllib.load(handle).get("scenario", {}).get("description", "")
    first = " ".join(text.split()).split(". ")[0].rstrip(".")
    return first + "." if first else ""
