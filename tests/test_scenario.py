"""Scenario loading and validation: defaults, inheritance, and one clear message per mistake."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError

from sim.scenario import (
    LISTS,
    SECTIONS,
    Scenario,
    ScenarioError,
    apply_overrides,
    load_scenario,
    parameter_rows,
    parse_override,
    validate,
)

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"
PROACTIVE = ROOT / "scenarios" / "proactive_stallers.toml"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path, overrides: tuple[str, ...] = ()) -> str:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, overrides)
    message = str(caught.value)
    assert "\n" not in message.strip(), "a user mistake is reported as one line"
    return message


# ---------------------------------------------------------------- defaults and shipped scenarios


def test_empty_file_is_a_valid_scenario_of_defaults(tmp_path):
    loaded = load_scenario(write(tmp_path, "empty.toml", ""))
    assert loaded == Scenario()
    assert loaded.committee.stallers == SECTIONS["committee"].model_fields["stallers"].default
    assert loaded.scenario.base == ""


def test_empty_dict_validates_to_defaults():
    assert validate({}) == Scenario()


def test_section_with_some_keys_keeps_defaults_for_the_others(tmp_path):
    loaded = load_scenario(write(tmp_path, "s.toml", "[committee]\nstallers = 3\n"))
    assert loaded.committee.stallers == 3
    assert loaded.committee.nay_sayers == Scenario().committee.nay_sayers
    assert loaded.reps == Scenario().reps


def test_whole_numbers_are_accepted_for_number_parameters(tmp_path):
    loaded = load_scenario(
        write(tmp_path, "s.toml", "[scenario]\nhorizon_days = 120\nwarmup_days = 0\n")
    )
    assert loaded.scenario.horizon_days == 120.0
    assert isinstance(loaded.scenario.horizon_days, float)


def test_baseline_validates_and_holds_every_value_in_its_file():
    loaded = load_scenario(BASELINE)
    raw = tomllib.loads(BASELINE.read_text(encoding="utf-8"))
    assert loaded.scenario.name == "baseline"
    for section, values in raw.items():
        for key, value in values.items():
            assert getattr(getattr(loaded, section), key) == value, f"{section}.{key}"


def test_proactive_stallers_inherits_baseline_through_base():
    baseline = load_scenario(BASELINE)
    proactive = load_scenario(PROACTIVE)
    raw = tomllib.loads(PROACTIVE.read_text(encoding="utf-8"))
    assert raw["scenario"]["base"] == "baseline.toml"
    assert proactive.scenario.name == "proactive_stallers"
    assert proactive.scenario.horizon_days == baseline.scenario.horizon_days
    for section in ("leads", "committee", "competition", "reps", "founder", "channel", "partners"):
        assert getattr(proactive, section) == getattr(baseline, section), section
    assert proactive.marketing.proactive_share == 0.6
    assert proactive.marketing.staller_kit == 0.6
    assert proactive.marketing.value_collateral == 0.4
    assert proactive.marketing.collateral_effect == baseline.marketing.collateral_effect
    changed = {"proactive_share", "staller_kit", "value_collateral"}
    for key in SECTIONS["marketing"].model_fields.keys() - changed:
        assert getattr(proactive.marketing, key) == getattr(baseline.marketing, key), key


def test_proactive_stallers_loads_the_same_from_any_working_directory(tmp_path, monkeypatch):
    expected = load_scenario(PROACTIVE)
    monkeypatch.chdir(tmp_path)
    assert load_scenario(PROACTIVE) == expected
    monkeypatch.chdir(ROOT)
    assert load_scenario(Path("scenarios") / "proactive_stallers.toml") == expected


def test_base_is_relative_to_the_file_and_merges_key_by_key(tmp_path):
    base = "[committee]\nstallers = 2\nnay_sayers = 3\n[reps]\ncount = 7\n"
    write(tmp_path, "shared/base.toml", base)
    own = '[scenario]\nbase = "../shared/base.toml"\n[committee]\nstallers = 5\n'
    child = write(tmp_path, "mine/child.toml", own)
    loaded = load_scenario(child)
    assert loaded.committee.stallers == 5  # the child's own value wins
    assert loaded.committee.nay_sayers == 3  # same section, key only in the base
    assert loaded.reps.count == 7  # section only in the base


def test_base_chain_of_three_files(tmp_path):
    write(tmp_path, "a.toml", "[reps]\ncount = 4\nmax_active_deals = 2\n")
    write(tmp_path, "b.toml", '[scenario]\nbase = "a.toml"\n[reps]\ncount = 5\n')
    c = write(tmp_path, "c.toml", '[scenario]\nbase = "b.toml"\nname = "c"\n')
    loaded = load_scenario(c)
    assert (loaded.reps.count, loaded.reps.max_active_deals, loaded.scenario.name) == (5, 2, "c")


def test_base_values_are_validated_and_blamed_on_the_loaded_file(tmp_path):
    write(tmp_path, "base.toml", "[committee]\nstallers = -1\n")
    child = write(tmp_path, "child.toml", '[scenario]\nbase = "base.toml"\n')
    message = error_of(child)
    assert str(child) in message and "stallers = -1" in message


def test_missing_base_file_is_named(tmp_path):
    child = write(tmp_path, "child.toml", '[scenario]\nbase = "nowhere.toml"\n')
    message = error_of(child)
    assert "nowhere.toml" in message and "no such scenario file" in message


def test_base_that_is_not_text_is_rejected(tmp_path):
    child = write(tmp_path, "child.toml", "[scenario]\nbase = 3\n")
    message = error_of(child)
    assert str(child) in message and "base = 3" in message and "allowed" in message


def test_base_pointing_at_itself_is_rejected(tmp_path):
    path = write(tmp_path, "loop.toml", '[scenario]\nbase = "loop.toml"\n')
    message = error_of(path)
    assert str(path) in message and "leads back to itself" in message


def test_two_files_pointing_at_each_other_are_rejected(tmp_path):
    a = write(tmp_path, "a.toml", '[scenario]\nbase = "b.toml"\n')
    write(tmp_path, "b.toml", '[scenario]\nbase = "a.toml"\n')
    message = error_of(a)
    assert "leads back to itself" in message and "a.toml" in message


def test_longer_base_cycle_is_rejected(tmp_path):
    a = write(tmp_path, "a.toml", '[scenario]\nbase = "b.toml"\n')
    write(tmp_path, "b.toml", '[scenario]\nbase = "c.toml"\n')
    write(tmp_path, "c.toml", '[scenario]\nbase = "b.toml"\n')
    assert "leads back to itself" in error_of(a)


# ---------------------------------------------------------------- unknown names


def test_unknown_key_is_rejected_with_the_nearest_valid_key(tmp_path):
    path = write(tmp_path, "s.toml", "[committee]\nstalers = 4\n")
    message = error_of(path)
    assert str(path) in message
    assert "unknown key 'stalers'" in message
    assert "did you mean 'stallers'" in message


def test_unknown_key_without_a_near_match_lists_the_valid_keys(tmp_path):
    message = error_of(write(tmp_path, "s.toml", "[reps]\nzzzzzz = 1\n"))
    assert "unknown key 'zzzzzz'" in message
    for key in SECTIONS["reps"].model_fields:
        assert key in message


def test_unknown_section_is_rejected_with_the_nearest_valid_section(tmp_path):
    path = write(tmp_path, "s.toml", "[comittee]\nstallers = 4\n")
    message = error_of(path)
    assert str(path) in message
    assert "unknown section 'comittee'" in message
    assert "did you mean 'committee'" in message


def test_section_that_is_not_a_table_is_rejected(tmp_path):
    path = write(tmp_path, "s.toml", "committee = 5\n")
    message = error_of(path)
    assert str(path) in message and "[committee]" in message and "table" in message


def test_top_level_scenario_that_is_not_a_table_is_rejected(tmp_path):
    message = error_of(write(tmp_path, "s.toml", 'scenario = "x"\n'))
    assert "[scenario]" in message


# ---------------------------------------------------------------- values out of range or mistyped

BAD_VALUES = [
    # section, key, TOML text, value as shown in the message, allowed
    ("committee", "stallers", "-1", "-1", "integer ≥ 0 and ≤ 100"),
    ("committee", "stallers", "101", "101", "integer ≥ 0 and ≤ 100"),
    ("committee", "stallers", "2.5", "2.5", "integer ≥ 0 and ≤ 100"),
    ("committee", "stallers", '"eight"', "'eight'", "integer ≥ 0 and ≤ 100"),
    ("committee", "stallers", "true", "True", "integer ≥ 0 and ≤ 100"),
    ("committee", "decision_makers", "0", "0", "integer ≥ 1 and ≤ 20"),
    ("marketing", "proactive_share", "1.5", "1.5", "number ≥ 0 and ≤ 1"),
    ("marketing", "proactive_share", "-0.1", "-0.1", "number ≥ 0 and ≤ 1"),
    ("marketing", "proactive_share", "nan", "nan", "number ≥ 0 and ≤ 1"),
    ("marketing", "proactive_share", '"0.5"', "'0.5'", "number ≥ 0 and ≤ 1"),
    ("scenario", "horizon_days", "0", "0", "number ≥ 1 and ≤ 36500"),
    ("scenario", "horizon_days", "inf", "inf", "number ≥ 1 and ≤ 36500"),
    ("reps", "count", "0", "0", "integer ≥ 1 and ≤ 1000"),
    ("reps", "ramp_start_productivity", "0", "0", "number ≥ 0.01 and ≤ 1"),
    ("leads", "arrivals_per_month", '"six"', "'six'", "number ≥ 0 and ≤ 10000"),
    ("scenario", "name", "3", "3", "text"),
]


@pytest.mark.parametrize(("section", "key", "text", "shown", "allowed"), BAD_VALUES)
def test_bad_value_names_file_key_value_and_allowed_range(
    tmp_path, section, key, text, shown, allowed
):
    path = write(tmp_path, "s.toml", f"[{section}]\n{key} = {text}\n")
    message = error_of(path)
    assert message.startswith(f"{path}: ")
    assert f"[{section}] {key} = {shown} is not allowed" in message
    assert f"allowed: {allowed}" in message


def test_several_problems_report_the_first_and_count_the_rest(tmp_path):
    message = error_of(write(tmp_path, "s.toml", "[committee]\nstallers = -1\nnay_sayers = -1\n"))
    assert "stallers = -1" in message
    assert "(and 1 more problem)" in message


def test_lead_shares_must_sum_to_one(tmp_path):
    path = write(tmp_path, "s.toml", "[leads]\nmarketing_share = 0.9\n")
    message = error_of(path)
    assert str(path) in message and "[leads]" in message
    for key in ("marketing_share", "inbound_web_share", "founder_network_share"):
        assert key in message
    assert "1.4" in message and "sum to 1" in message


def test_lead_shares_summing_to_one_up_to_rounding_are_accepted():
    shares = {"marketing_share": 0.1, "inbound_web_share": 0.2, "founder_network_share": 0.7}
    loaded = validate({"leads": shares})
    assert loaded.leads.founder_network_share == 0.7


def test_objection_and_veto_probabilities_may_not_exceed_one(tmp_path):
    text = "[committee]\nobjection_probability = 0.8\nveto_probability = 0.3\n"
    path = write(tmp_path, "s.toml", text)
    message = error_of(path)
    assert str(path) in message and "[committee]" in message
    assert "objection_probability + veto_probability" in message and "at most 1" in message


def test_objection_and_veto_probabilities_summing_to_exactly_one_are_accepted():
    loaded = validate({"committee": {"objection_probability": 0.6, "veto_probability": 0.4}})
    assert loaded.committee.veto_probability == 0.4


def test_stallers_need_at_least_one_positive_style_weight():
    zero = {"reschedule_weight": 0.0, "request_weight": 0.0, "handoff_weight": 0.0}
    with pytest.raises(ScenarioError, match="at least one positive weight"):
        validate({"committee": {**zero, "stallers": 2}})
    assert validate({"committee": {**zero, "stallers": 0}}).committee.stallers == 0


def test_loaded_scenario_cannot_be_changed():
    loaded = validate({})
    with pytest.raises(ValidationError):
        loaded.committee.stallers = 3  # type: ignore[misc]
    assert loaded.committee.stallers == Scenario().committee.stallers


# ---------------------------------------------------------------- unreadable files


def test_toml_syntax_error_names_the_file(tmp_path):
    path = write(tmp_path, "broken.toml", "[committee]\nstallers = = 4\n")
    message = error_of(path)
    assert str(path) in message and "not valid TOML" in message


def test_missing_file_is_named(tmp_path):
    path = tmp_path / "absent.toml"
    message = error_of(path)
    assert str(path) in message and "no such scenario file" in message


def test_folder_instead_of_file_is_a_scenario_error(tmp_path):
    message = error_of(tmp_path)
    assert str(tmp_path) in message and "cannot read" in message


def test_file_that_is_not_utf8_is_a_scenario_error(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('[scenario]\nname = "café"\n'.encode("latin-1"))
    message = error_of(path)
    assert str(path) in message and "cannot read" in message


# ---------------------------------------------------------------- --set overrides


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("committee.stallers=4", ("committee", "stallers", 4)),
        ("committee.stallers=-3", ("committee", "stallers", -3)),
        ("marketing.proactive_share=0.55", ("marketing", "proactive_share", 0.55)),
        ("leads.value_median=1e5", ("leads", "value_median", 100000.0)),
        ("scenario.name=hello", ("scenario", "name", "hello")),
        ('scenario.name="two words"', ("scenario", "name", "two words")),
        ("scenario.name=two words", ("scenario", "name", "two words")),
        ("reps.count=true", ("reps", "count", True)),
        ("reps.count=false", ("reps", "count", False)),
        (" committee.stallers = 4 ", ("committee", "stallers", 4)),
        ("committee.stallers=4=5", ("committee", "stallers", "4=5")),
    ],
)
def test_parse_override_reads_toml_values_and_bare_text(text, expected):
    result = parse_override(text)
    assert result == expected
    assert type(result[2]) is type(expected[2])


@pytest.mark.parametrize(
    "text",
    ["committee.stallers", "stallers=4", "=4", ".stallers=4", "committee.=4", "", "committee"],
)
def test_malformed_override_is_rejected(text):
    with pytest.raises(ScenarioError) as caught:
        parse_override(text)
    message = str(caught.value)
    assert "expected section.key=value" in message
    assert repr(text) in message


@pytest.mark.parametrize(
    "override",
    [
        "committee.stallers",
        "comittee.stallers=4",
        "committee.stalers=4",
        "partners.Nobody.coverage=0.1",
        "scenario.base=other.toml",
    ],
)
def test_override_errors_name_their_origin_and_no_command_line_flag(override):
    """The library calls them overrides; the command line passes origin="--set"."""
    with pytest.raises(ScenarioError) as caught:
        load_scenario(BASELINE, [override])
    assert str(caught.value).startswith(f"override {override!r}: ")
    assert "--set" not in str(caught.value)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(BASELINE, [override], origin="--set")
    assert str(caught.value).startswith(f"--set {override!r}: ")


def test_apply_overrides_sets_values_without_changing_the_input():
    data = {"committee": {"stallers": 8}}
    overrides = ["committee.stallers=4", "reps.count=2", "committee.nay_sayers=0"]
    merged = apply_overrides(data, overrides)
    assert merged == {"committee": {"stallers": 4, "nay_sayers": 0}, "reps": {"count": 2}}
    assert data == {"committee": {"stallers": 8}}


def test_later_override_wins():
    assert apply_overrides({}, ["reps.count=2", "reps.count=5"]) == {"reps": {"count": 5}}


def test_override_of_unknown_key_suggests_the_nearest_key():
    with pytest.raises(ScenarioError) as caught:
        apply_overrides({}, ["committee.stalers=4"])
    message = str(caught.value)
    assert "committee.stalers=4" in message
    assert "unknown key in [committee] 'stalers'" in message
    assert "did you mean 'stallers'" in message


def test_override_of_unknown_section_suggests_the_nearest_section():
    with pytest.raises(ScenarioError) as caught:
        apply_overrides({}, ["comittee.stallers=4"])
    message = str(caught.value)
    assert "unknown section 'comittee'" in message and "did you mean 'committee'" in message


def test_load_scenario_applies_and_validates_overrides():
    loaded = load_scenario(BASELINE, ["committee.stallers=4", "marketing.proactive_share=0.9"])
    assert loaded.committee.stallers == 4
    assert loaded.marketing.proactive_share == 0.9
    assert loaded.committee.nay_sayers == load_scenario(BASELINE).committee.nay_sayers


def test_override_applies_over_an_inherited_file():
    loaded = load_scenario(PROACTIVE, ["marketing.staller_kit=0.1", "reps.count=1"])
    assert loaded.marketing.staller_kit == 0.1
    assert loaded.marketing.proactive_share == 0.6  # from proactive_stallers.toml
    assert loaded.marketing.value_collateral == 0.4  # from proactive_stallers.toml
    assert loaded.reps.count == 1


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        (
            "committee.stallers=-3",
            "[committee] stallers = -3 is not allowed; allowed: integer ≥ 0 and ≤ 100",
        ),
        ("committee.stallers=four", "stallers = 'four' is not allowed"),
        ("reps.count=true", "count = True is not allowed"),
        ("marketing.proactive_share=", "proactive_share = '' is not allowed"),
    ],
)
def test_bad_override_value_is_reported_like_a_bad_file_value(override, fragment):
    message = error_of(BASELINE, (override,))
    assert str(BASELINE) in message
    assert fragment in message


# ---------------------------------------------------------------- the parameter table


def test_parameter_rows_cover_every_field_once_with_documentation():
    rows = parameter_rows()
    expected = [
        f"{section}.{key}" for section, model in SECTIONS.items() for key in model.model_fields
    ] + [f"{section}[].{key}" for section, model in LISTS.items() for key in model.model_fields]
    assert [row["key"] for row in rows] == expected
    assert len(expected) == len(set(expected)) > 40
    for row in rows:
        for column in ("meaning", "unit", "allowed", "source"):
            text = row[column]
            assert isinstance(text, str) and text.strip(), f"{row['key']} has no {column}"


def test_parameter_rows_show_defaults_and_ranges():
    rows = {row["key"]: row for row in parameter_rows()}
    assert rows["committee.stallers"]["default"] == "3"
    assert rows["committee.stallers"]["allowed"] == "integer ≥ 0 and ≤ 100"
    assert rows["scenario.horizon_days"]["allowed"] == "number ≥ 1 and ≤ 36500"
    assert rows["scenario.name"]["allowed"] == "text"
    assert rows["marketing.proactive_share"]["unit"] == "fraction"
