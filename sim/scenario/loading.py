"""Loading scenarios: TOML files, `base =` chains and `key=value` overrides, checked by the schema.

`describe_error` turns pydantic's complaint into the one-line message users see; the sweep-file
schema (`sim.scenario.sweep_file`) uses it too. Files are read, and values quoted in messages,
within the limits of `sim.scenario.files`.
"""

from __future__ import annotations

import difflib
import functools
import tomllib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any, get_args

from pydantic import BaseModel, TypeAdapter, ValidationError

from .catalogue import resolve
from .files import (
    CONTROL,
    SHOWN_CHARS,
    ScenarioError,
    loads_toml,
    read_user_file,
    shown,
    shown_path,
)
from .reference import allowed_values
from .schema import LISTS, SECTIONS, Scenario

OVERRIDE = "override"  # what overrides are called in messages unless the caller names them
SET = "--set"  # what the command line calls them
# A chain of `base` files is a few files deep (the shipped ones: two); 32 allows any sensible
# layering while a runaway chain (generated, or files naming each other in a long loop) stops
# after 32 reads of at most 1 MiB each.
MAX_BASE_CHAIN = 32
# [[partners]] per scenario. A channel of three partners is the shipped extreme; 1,000 is far
# beyond any channel this model describes, and keeps the schema's check that partner names
# are unique (which grows with the square of their number) at about 15 ms. Checked here,
# before the schema: 50,000 partners would keep it busy for minutes.
MAX_PARTNERS = 1000
SHOWN_NAMES = 10  # names listed in a message before "and N more"


def load_scenario(
    path: str | Path, overrides: Sequence[str] = (), origin: str = OVERRIDE
) -> Scenario:
    """Read, override and validate a scenario file; raise ScenarioError on any mistake.

    `origin` is what a faulty override is called in the message (the command line says "--set").
    """
    path = resolve(path)
    data = apply_overrides(read_scenario_data(path), overrides, origin)
    return validate(data, source=shown_path(path))


def load_with_sets(
    scenario: Path,
    overrides: Sequence[str],
    implied: Sequence[tuple[str, str]] = (),
    option: str = "--set",
) -> Scenario:
    """Load a scenario with the command line's --set values; a value they make wrong is
    blamed on them.

    `implied` are overrides an option makes, each with how to name it in a message
    (`warmup --days`); `option` is what the command line calls the overrides. The scenario
    layer names the file in a message about a value; a value that came from --set (or such
    an option) is named by it instead:
    `--set 'committee.stallers=-1': [committee] stallers = -1 is not allowed; ...`.
    """
    texts = [*overrides, *(text for text, _ in implied)]
    scenario = resolve(scenario)
    try:
        return load_scenario(scenario, texts, origin=SET)
    except ScenarioError as exc:
        if not texts:
            raise
        labels = [f"{option} {shown(text)}" for text in overrides] + [name for _, name in implied]
        try:
            blamed = _blamed_on_options(scenario, texts, labels)
        except ScenarioError:  # a mistake before any value was checked: as loading said
            blamed = None
        if blamed is None:
            raise
        raise ScenarioError(blamed) from exc


def _blamed_on_options(path: Path, texts: list[str], labels: list[str]) -> str | None:
    """The message about the scenario's first wrong value, if an override set it, else None.

    A rule across keys (shares that must sum to 1) is blamed on the overrides of its
    table, and on the file too if the file alone breaks it.
    """
    data = read_scenario_data(path)
    check_tables(data, shown_path(path))  # the file's own tables: too many, or a name twice
    merged = apply_overrides(data, texts, origin=SET)
    try:
        Scenario.model_validate(merged)
        return None
    except ValidationError as exc:
        error = exc
    where = list(error.errors()[0]["loc"])
    section = str(where.pop(0)) if where else None  # None: a rule across the whole scenario
    entry = None
    if section in LISTS and where and isinstance(where[0], int):
        entry = merged[section][where.pop(0)].get("name")
    field = str(where[0]) if where else None  # None: a rule across the table's keys

    def sets_it(text: str) -> bool:
        table, key, _ = parse_override(text, "--set")
        named, _, key = key.rpartition(".")  # a partner's key is 'NAME.key'
        if section is None:  # the scenario's own rule: partners' names are unique
            return table in LISTS
        if table != section or (section in LISTS and named != entry):
            return False
        return field is None or key == field

    given = zip(texts, labels, strict=True)
    culprits = list(dict.fromkeys(label for text, label in given if sets_it(text)))
    if not culprits:
        return None
    if field is not None:  # the value is the last one given
        source = culprits[-1]
    else:
        try:
            Scenario.model_validate(data)
            source = " ".join(culprits)
        except ValidationError:
            source = f"{shown_path(path)} with {' '.join(culprits)}"
    return describe_error(error, merged, source, Scenario)


def read_toml(path: Path, kind: str, named_by: str = "") -> dict[str, Any]:
    """A TOML file's contents; a missing, unreadable or malformed `kind` file is a ScenarioError.

    `named_by` says where the file's name came from, e.g. "[scenario] base in child.toml".
    """
    text = read_user_file(path, kind, named_by)
    context = f" (named by {named_by})" if named_by else ""
    try:
        return loads_toml(text, shown_path(path), context)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{shown_path(path)}: not valid TOML: {exc}{context}") from None


def read_scenario_data(path: Path, named_by: str = "") -> dict[str, Any]:
    """The file's raw values merged over those of its chain of `base` scenarios.

    Each base file is checked on its own as it is read (its sections, keys and values), so a
    mistake in it is reported as its own even where the file naming it sets the same value;
    rules across keys are left to `validate`, which sees the merged values. The chain is at
    most MAX_BASE_CHAIN files long and may not lead back to a file in it. `named_by` says
    where `path` came from, for messages (e.g. "[sweep] scenario in sweep.toml").
    """
    chain: list[dict[str, Any]] = []
    seen: set[Path] = set()
    current = Path(path)
    while True:
        data = read_toml(current, "scenario", named_by)
        if chain:  # a base file
            check_tables(data, shown_path(current), f" (named by {named_by})", each_value=True)
        chain.append(data)
        seen.add(_resolved(current))
        info = data.get("scenario")
        base = info.get("base", "") if isinstance(info, dict) else ""
        if not isinstance(base, str):
            raise ScenarioError(
                f"{shown_path(current)}: [scenario] base = {shown(base)} is not allowed; "
                "allowed: a file path"
            )
        if not base:
            break
        following = _resolved(current.parent / base)
        if following in seen:
            raise ScenarioError(
                f"{shown_path(current)}: [scenario] base = {shown(base)} leads back to itself"
            )
        if len(chain) == MAX_BASE_CHAIN:
            raise ScenarioError(
                f"{shown_path(path)}: its chain of base files is longer than {MAX_BASE_CHAIN} "
                f"files (file {MAX_BASE_CHAIN}, {shown_path(current)}, names yet another); "
                f"allowed: at most {MAX_BASE_CHAIN} files"
            )
        named_by = f"[scenario] base in {shown_path(current)}"
        current = following
    merged: dict[str, Any] = {}
    for data in reversed(chain):  # from the first base to the file itself
        for section, values in data.items():
            if isinstance(values, dict) and isinstance(merged.get(section), dict):
                merged[section] = {**merged[section], **values}
            else:
                merged[section] = values
    return merged


def _resolved(path: Path) -> Path:
    """The path without symbolic links and '..'; as it is if that fails (reading says why)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):  # a link loop, a NUL character
        return path


def parse_override(text: str, origin: str = OVERRIDE) -> tuple[str, str, Any]:
    """Split 'section.key=value' and read the value as a TOML value.

    Bare text is a string, and so is anything given to a text key
    (scenario.name=2024 names the scenario "2024"). A partner's key is
    'partners.NAME.key'; the returned key is then 'NAME.key'. `origin` is what
    the override is called in an error message. A line break or other control
    character is refused: TOML would read only what comes before it.
    """
    where = f"{origin} {shown(text)}"
    control = CONTROL.search(text)
    if control:
        raise ScenarioError(
            f"{where}: holds a line break or other control character "
            f"(U+{ord(control.group()):04X}); allowed: one section.key=value on one line, "
            f"e.g. committee.stallers=4 (give each value its own {origin})"
        )
    target, sep, raw = text.partition("=")
    section, dot, key = target.strip().partition(".")
    key, raw = key.strip(), raw.strip()
    if not sep or not dot or not section or not key:
        raise ScenarioError(f"{where}: expected section.key=value, e.g. committee.stallers=4")
    try:
        value = loads_toml(f"v = {raw}", where)["v"]
    except (tomllib.TOMLDecodeError, ScenarioError):  # not a TOML value, or nested too deep
        value = raw
    model = SECTIONS.get(section) or LISTS.get(section)
    field = model.model_fields.get(key.rpartition(".")[2]) if model else None
    if field is not None and field.annotation is str and not isinstance(value, str):
        value = raw
    return section, key, value


def apply_overrides(
    data: dict[str, Any], overrides: Sequence[str], origin: str = OVERRIDE
) -> dict[str, Any]:
    """Return a copy of the scenario data with overrides applied (validated later).

    `origin` is what a faulty override is called in the message (the command line says "--set").
    """
    merged: dict[str, Any] = {
        name: dict(values)
        if isinstance(values, dict)
        else [dict(v) if isinstance(v, dict) else v for v in values]
        if isinstance(values, list)
        else values
        for name, values in data.items()
    }
    for text in overrides:
        section, key, value = parse_override(text, origin)
        where = f"{origin} {shown(text)}"
        table: dict[str, Any]
        if section in LISTS:
            table, key = _list_entry(where, merged, section, key)
        elif section in SECTIONS:
            table = merged.setdefault(section, {})
        else:
            raise ScenarioError(
                f"{where}: {unknown_name('section', section, {**SECTIONS, **LISTS})}"
            )
        model = SECTIONS.get(section) or LISTS[section]
        if key not in model.model_fields:
            what = f"key in [{section}]"
            raise ScenarioError(f"{where}: {unknown_name(what, key, model.model_fields)}")
        if (section, key) == ("scenario", "base"):
            raise ScenarioError(f"{where}: the base scenario can only be named in the file")
        table[key] = value
    return merged


def _list_entry(
    where: str, data: dict[str, Any], section: str, key: str
) -> tuple[dict[str, Any], str]:
    """The [[section]] entry named in 'NAME.key', and the key."""
    name, dot, key = key.rpartition(".")
    entries = data.get(section, [])
    found = next(
        (entry for entry in entries if isinstance(entry, dict) and entry.get("name") == name),
        None,
    )
    if not dot or found is None:
        names = [entry.get("name") for entry in entries if isinstance(entry, dict)]
        listed = listing(names) or "none in this scenario"
        raise ScenarioError(f"{where}: expected {section}.NAME.key with NAME one of: {listed}")
    return found, key


def listing(names: Sequence[Any]) -> str:
    """Names for a message: 'A, B, C', or the first SHOWN_NAMES of them 'and N more'."""
    shown_names = ", ".join(map(_bare, names[:SHOWN_NAMES]))
    more = len(names) - SHOWN_NAMES
    return f"{shown_names} and {more:,} more" if more > 0 else shown_names


def _bare(name: Any) -> str:
    """A name as written, if it is short text on one line; else quoted and cut as `shown` does."""
    if isinstance(name, str) and len(name) <= SHOWN_CHARS and not CONTROL.search(name):
        return name
    return shown(name)


def validate(data: dict[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate scenario data, turning the first problem into one readable ScenarioError."""
    check_tables(data, source)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(describe_error(exc, data, source, Scenario)) from None


def check_tables(
    data: dict[str, Any], source: str, context: str = "", each_value: bool = False
) -> None:
    """The shape of scenario data, before the schema sees it; a mistake is a ScenarioError.

    Every section is known and a table, [[partners]] a list of at most MAX_PARTNERS tables
    with unique names (checked here in one pass: the schema's check grows with the square of
    their number). With `each_value`, as for a base file read on its own, every key is
    known and every value allowed by its own parameter. `context` ends each message.
    """

    def refuse(problem: str) -> ScenarioError:
        return ScenarioError(f"{source}: {problem}{context}")

    for section, values in data.items():
        if section in LISTS:
            if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
                raise refuse(f"{section} must be written as [[{section}]] tables")
            if len(values) > MAX_PARTNERS:
                raise refuse(
                    f"{len(values):,} [[{section}]] tables; allowed: at most {MAX_PARTNERS:,}"
                )
            default = LISTS[section].model_fields["name"].default
            names: set[str] = set()
            for index, entry in enumerate(values):
                name = entry.get("name", default)
                if isinstance(name, str) and name in names:
                    raise refuse(
                        f"[[{section}]] name {shown(name)} is used twice; allowed: unique names"
                    )
                if isinstance(name, str):
                    names.add(name)
                if each_value:  # named as `describe_error` names an entry
                    label = shown(entry["name"]) if "name" in entry else f"#{index + 1}"
                    _check_values(entry, LISTS[section], f"[[{section}]] {label}:", refuse)
        elif section not in SECTIONS:
            raise refuse(unknown_name("section", section, {**SECTIONS, **LISTS}))
        elif not isinstance(values, dict):
            raise refuse(f"[{section}] must be a table of key = value lines")
        elif each_value:
            _check_values(values, SECTIONS[section], f"[{section}]", refuse)


def _check_values(
    table: dict[str, Any],
    model: type[BaseModel],
    where: str,
    refuse: Callable[[str], ScenarioError],
) -> None:
    """Each key of one table known to `model`, and each value allowed by its parameter."""
    for key, value in table.items():
        field = model.model_fields.get(key)
        if field is None:
            raise refuse(f"{where} {unknown_name('key', key, model.model_fields)}")
        try:
            _adapter(model, key).validate_python(value, strict=True)
        except ValidationError:
            allowed = allowed_values(field)
            raise refuse(
                f"{where} {key} = {shown(value)} is not allowed; allowed: {allowed}"
            ) from None


@functools.cache
def _adapter(model: type[BaseModel], key: str) -> TypeAdapter[Any]:
    """A validator of one parameter's type and limits, built once."""
    field = model.model_fields[key]
    kind: Any = Annotated[field.annotation, field]
    return TypeAdapter(kind)


def unknown_name(what: str, name: str, valid: Iterable[str]) -> str:
    """'unknown key 'stalers'; did you mean 'stallers'?', or the valid names if none is close."""
    valid = list(valid)
    close = (
        difflib.get_close_matches(name, valid, n=1, cutoff=0.5)
        if len(name) <= SHOWN_CHARS
        else []  # a name this long is close to none, and comparing it takes time
    )
    hint = f"; did you mean '{close[0]}'?" if close else f"; valid: {', '.join(valid)}"
    quoted = f"'{name}'" if _bare(name) == name else shown(name)
    return f"unknown {what} {quoted}{hint}"


def describe_error(
    exc: ValidationError,
    data: dict[str, Any],
    source: str,
    model: type[BaseModel],
    where: str = "",
) -> str:
    """Pydantic's first complaint as one line: file, table, key, value and what is allowed.

    `model` is what `data` was validated as, and `where` names its table if it is one
    ("[sweep]"). The error's location is followed down through the model's tables: a
    [section], or an entry of a [[section]] list, named by its `name`.
    """
    errors = exc.errors()
    first = errors[0]
    more = (
        f" (and {len(errors) - 1} more problem{'s' * (len(errors) > 2)})" if len(errors) > 1 else ""
    )
    message = first["msg"].removeprefix("Value error, ")
    loc = [str(part) for part in first["loc"]]
    while loc and (table := _table_model(model, loc[0])):
        section, model = loc[0], table
        if section in data and isinstance(data[section], list) and len(loc) > 1:
            index = int(loc[1])
            name = data[section][index].get("name", f"#{index + 1}")
            where, data, loc = f"[[{section}]] {shown(name)}:", data[section][index], loc[2:]
        else:
            where, data, loc = f"[{section}]", data.get(section, {}), loc[1:]
    start = f"{source}: {where} " if where else f"{source}: "
    if not loc:  # a rule across keys: a model validator of the table, or of the whole file
        return f"{start}{message}{more}"
    key = loc[0]
    if first["type"] == "extra_forbidden":
        return f"{start}{unknown_name('key', key, model.model_fields)}{more}"
    allowed = allowed_values(model.model_fields[key])
    if first["type"] == "missing":
        return f"{start}{key} is missing; allowed: {allowed}{more}"
    return f"{start}{key} = {shown(first['input'])} is not allowed; allowed: {allowed}{more}"


def _table_model(model: type[BaseModel], key: str) -> type[BaseModel] | None:
    """The model of a table (or of each entry of a list of tables) held in `key`, if it is one."""
    field = model.model_fields.get(key)
    if field is None:
        return None
    for kind in (field.annotation, *get_args(field.annotation)):
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            return kind
    return None
