"""Hostile input to the loaders: devices, FIFOs, huge or deeply nested files, long base chains,
thousands of partners, control characters in --set and very long values (issue 17, item 4).

Every case goes through the command line and must end quickly with exit code 2 and one line
naming the file or the --set option, never a traceback or a hang. A per-test alarm turns a
hang (a FIFO opened for reading blocks until someone writes) into a failure.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import Hung, deadline

from sim.cli import main
from sim.scenario.files import MAX_FILE_BYTES, MAX_NESTING
from sim.scenario.loading import MAX_BASE_CHAIN, MAX_PARTNERS

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"
SECONDS = 5  # per test: every case here takes well under one
LONGEST_MESSAGE = 1000  # characters: a path, a value quoted short, a section's valid keys
DEVICES = [device for device in ("/dev/zero", "/dev/urandom") if os.path.exists(device)]
CONTROLS = [
    ("committee.stallers=1\nreps.count=2", "U+000A"),
    ("committee.stallers=1\rreps.count=2", "U+000D"),
    ("scenario.name=a\x1b[31mred", "U+001B"),
    ("scenario.name=a\u2028b", "U+2028"),
]


@pytest.fixture(autouse=True)
def within_deadline() -> Iterator[None]:
    """Fail, rather than hang, a test that takes longer than SECONDS."""
    with deadline(SECONDS):
        yield


def invoke(*args: object) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def refused(result: Result, *fragments: str) -> str:
    """Exit code 2 and one short line on stderr holding every fragment; the message."""
    assert not isinstance(result.exception, Hung), "the command hung"
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    message = result.stderr.strip()
    assert message.startswith("error: ") and "\n" not in message, message
    assert len(message) < LONGEST_MESSAGE, f"{len(message)} characters: {message[:200]}"
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return message


def both_commands(path: Path, *args: object) -> list[Result]:
    """`validate` and `run` of the same scenario (run stops before simulating anything)."""
    return [invoke("validate", path, *args), invoke("run", path, "-n", "1", *args)]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def child_of(tmp_path: Path, base: str | Path, name: str = "child.toml") -> Path:
    return write(tmp_path / name, f'[scenario]\nbase = "{base}"\nname = "child"\n')


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    path = tmp_path / "pipe.toml"
    os.mkfifo(path)
    return path


# ---------------------------------------------------------------- only regular files


@pytest.mark.parametrize("device", DEVICES)
def test_a_device_as_the_scenario_is_refused_unread(device):
    for result in both_commands(Path(device)):
        refused(result, f"{device}: cannot read scenario file", "a character device")


@pytest.mark.parametrize("device", DEVICES)
def test_a_device_as_base_is_refused_naming_it_and_the_child(tmp_path, device):
    child = child_of(tmp_path, device)
    for result in both_commands(child):
        refused(result, device, "not a regular file", "allowed: a TOML file", str(child))


def test_a_fifo_as_the_scenario_is_refused_without_blocking(fifo):
    for result in both_commands(fifo):
        refused(result, str(fifo), "a FIFO (named pipe), not a regular file")


def test_a_fifo_as_base_is_refused_without_blocking(tmp_path, fifo):
    child = child_of(tmp_path, fifo.name)
    for result in both_commands(child):
        refused(result, str(fifo), "a FIFO", "(named by [scenario] base in")


def test_a_folder_as_base_is_refused(tmp_path):
    (tmp_path / "folder.toml").mkdir()
    refused(invoke("validate", child_of(tmp_path, "folder.toml")), "it is a directory")


def test_a_file_above_the_size_limit_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.toml"
    with big.open("wb") as handle:
        handle.truncate(6_500_000)  # 6.2 MiB, sparse: nothing is written
    for result in both_commands(big):
        refused(result, str(big), "it is 6.2 MiB; allowed: at most 1 MiB")
    refused(invoke("validate", child_of(tmp_path, "big.toml")), "6.2 MiB", "child.toml")


def test_a_file_at_the_size_limit_is_read(tmp_path):
    text = "[committee]\nstallers = 2\n#"
    path = write(tmp_path / "padded.toml", text.ljust(MAX_FILE_BYTES, "#"))
    assert path.stat().st_size == MAX_FILE_BYTES
    result = invoke("validate", path)
    assert result.exit_code == 0, result.output
    write(tmp_path / "over.toml", text.ljust(MAX_FILE_BYTES + 1, "#"))
    refused(invoke("validate", tmp_path / "over.toml"), "over.toml", "allowed: at most 1 MiB")


def test_a_nul_character_or_a_link_loop_in_base_is_one_message(tmp_path):
    refused(invoke("validate", child_of(tmp_path, "\\u0000")), "cannot read scenario file")
    os.symlink(tmp_path / "loop_a", tmp_path / "loop_b")
    os.symlink(tmp_path / "loop_b", tmp_path / "loop_a")
    refused(invoke("validate", child_of(tmp_path, "loop_a")), "loop_a", "cannot read")


def test_a_very_long_base_path_is_quoted_short(tmp_path):
    child = child_of(tmp_path, "x" * 100_000)
    refused(invoke("validate", child), "cannot read scenario file", "(100,0")


# ---------------------------------------------------------------- byte-order mark


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf[committee]\nstallers = 2\n")
    result = invoke("validate", path)
    assert result.exit_code == 0, result.output
    base = tmp_path / "bom_base.toml"
    base.write_bytes(b'\xef\xbb\xbf[scenario]\nname = "from the base"\n')
    child = write(tmp_path / "bom_child.toml", '[scenario]\nbase = "bom_base.toml"\n')
    result = invoke("validate", child)
    assert result.exit_code == 0 and "from the base" in result.output, result.output


# ---------------------------------------------------------------- nesting


@pytest.mark.parametrize(
    "text",
    [
        "a = " + "[" * 5000 + "]" * 5000,
        "a = " + "{b = " * 5000 + "1" + "}" * 5000,
        "[committee]\nstallers = " + "[" * 5000,  # unclosed as well
        "[" + ".".join(["a"] * 5000) + "]\nx = 1",
        ".".join(["a"] * 5000) + " = 1",
        "[[" + ".".join(["a"] * 40) + "]]\nb = " + "[" * 40 + "]" * 40,  # 80 levels together
    ],
    ids=["arrays", "inline tables", "unclosed", "table header", "dotted key", "combined"],
)
def test_nesting_deeper_than_the_limit_is_refused(tmp_path, text):
    path = write(tmp_path / "deep.toml", text)
    for result in both_commands(path):
        refused(result, str(path), f"nested more than {MAX_NESTING} levels deep")


def test_nesting_within_the_limit_reaches_the_schema(tmp_path):
    levels = MAX_NESTING - 2  # [committee] and stallers' own array take two
    path = write(tmp_path / "nested.toml", f"[committee]\nstallers = {'[' * levels}{']' * levels}")
    refused(invoke("validate", path), "[committee] stallers = [[[", "allowed: integer")


def test_nesting_in_a_base_file_is_refused_naming_it(tmp_path):
    write(tmp_path / "deep_base.toml", "a = " + "[" * 3000 + "]" * 3000)
    refused(
        invoke("validate", child_of(tmp_path, "deep_base.toml")),
        "deep_base.toml: tables, arrays or dotted keys nested",
        "(named by [scenario] base in",
    )


def test_dots_and_brackets_in_strings_and_comments_are_not_nesting(tmp_path):
    dots = "." * 500
    text = (
        f'[scenario]\nname = "{dots}[[[["\ndescription = """{dots}\n{"[" * 200}"""\n'
        f"# {dots} {'{' * 200}\n[leads]\nvalue_median = 1.5e4\n"
    )
    result = invoke("validate", write(tmp_path / "dots.toml", text))
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------- base chains


def chain(tmp_path: Path, length: int) -> Path:
    """Files c0.toml -> c1.toml -> ... -> c{length - 1}.toml, the last without a base."""
    for index in range(length):
        text = f'[scenario]\nbase = "c{index + 1}.toml"\n' if index < length - 1 else ""
        write(tmp_path / f"c{index}.toml", text)
    return tmp_path / "c0.toml"


def test_a_chain_of_3000_base_files_stops_at_the_limit_quickly(tmp_path):
    first = chain(tmp_path, 3000)
    started = time.perf_counter()
    for result in both_commands(first):
        refused(
            result,
            f"{first}: its chain of base files is longer than {MAX_BASE_CHAIN} files",
            f"c{MAX_BASE_CHAIN - 1}.toml",
            f"allowed: at most {MAX_BASE_CHAIN} files",
        )
    assert time.perf_counter() - started < 2


def test_a_chain_at_the_limit_loads(tmp_path):
    result = invoke("validate", chain(tmp_path, MAX_BASE_CHAIN))
    assert result.exit_code == 0, result.output
    refused(invoke("validate", chain(tmp_path / "longer", MAX_BASE_CHAIN + 1)), "chain")


def test_a_long_cycle_of_base_files_is_refused(tmp_path):
    first = chain(tmp_path, 5)
    write(tmp_path / "c4.toml", '[scenario]\nbase = "c1.toml"\n')
    refused(invoke("validate", first), "c4.toml", "leads back to itself")


# ---------------------------------------------------------------- a base file's own mistakes


@pytest.mark.parametrize(
    ("base_text", "fragments"),
    [
        ('scenario = "x"\n', ["[scenario] must be a table"]),
        ("[committee]\nstalers = 3\n", ["[committee] unknown key 'stalers'", "'stallers'"]),
        ("[comittee]\nstallers = 3\n", ["unknown section 'comittee'"]),
        ("[committee]\nstallers = -1\n", ["[committee] stallers = -1 is not allowed"]),
        ('[[partners]]\nname = "A"\nstaff = 0\n', ["[[partners]] 'A': staff = 0"]),
        ('[[partners]]\nname = "A"\n[[partners]]\nname = "A"\n', ["'A' is used twice"]),
    ],
    ids=["scenario not a table", "unknown key", "unknown section", "value", "partner", "twice"],
)
def test_a_base_files_own_mistake_is_reported_as_its_own(tmp_path, base_text, fragments):
    """Even where the child sets the same section, which used to hide the mistake."""
    base = write(tmp_path / "base.toml", base_text)
    child = write(
        tmp_path / "child.toml",
        '[scenario]\nbase = "base.toml"\nname = "child"\n[committee]\nstallers = 2\n'
        '[[partners]]\nname = "B"\n',
    )
    for result in both_commands(child):
        message = refused(result, *fragments, f"(named by [scenario] base in {child})")
        assert message.startswith(f"error: {base.resolve()}: "), message


# ---------------------------------------------------------------- many partners


def test_50000_partners_are_refused_quickly(tmp_path):
    names = ",".join(f'{{name = "p{index}"}}' for index in range(50_000))
    path = write(tmp_path / "many.toml", f"partners = [{names}]\n")
    started = time.perf_counter()
    for result in both_commands(path):
        refused(result, str(path), "50,000 [[partners]] tables", f"at most {MAX_PARTNERS:,}")
    assert time.perf_counter() - started < 3


def test_50000_partner_tables_are_refused_quickly(tmp_path):
    path = write(tmp_path / "many.toml", "[[partners]]\n" * 50_000)
    started = time.perf_counter()
    refused(invoke("validate", path), "50,000 [[partners]] tables")
    assert time.perf_counter() - started < 3


def test_partners_at_the_limit_are_checked_quickly(tmp_path):
    unique = "".join(f'[[partners]]\nname = "p{index}"\n' for index in range(MAX_PARTNERS))
    started = time.perf_counter()
    result = invoke("validate", write(tmp_path / "unique.toml", unique))
    assert result.exit_code == 0, result.output
    twice = unique.replace('"p999"', '"p7"')
    refused(invoke("validate", write(tmp_path / "twice.toml", twice)), "name 'p7' is used twice")
    assert time.perf_counter() - started < 3


def test_a_long_partner_name_used_twice_is_quoted_short(tmp_path):
    name = "n" * 100_000
    text = f'[[partners]]\nname = "{name}"\n' * 2
    refused(invoke("validate", write(tmp_path / "twice.toml", text)), "is used twice")


# ---------------------------------------------------------------- --set


@pytest.mark.parametrize(("override", "code"), CONTROLS)
def test_set_with_a_line_break_or_control_character_is_refused(override, code):
    for result in both_commands(BASELINE, "--set", override):
        refused(result, "--set '", "control character", code, "one line")


def test_set_with_deep_nesting_is_one_message():
    for value in ("[" * 5000, "[" * 5000 + "]" * 5000, "{a = " * 3000 + "1" + "}" * 3000):
        refused(invoke("validate", BASELINE, "--set", f"committee.stallers={value}"), "stallers")


# ---------------------------------------------------------------- long values are quoted short


def test_a_100000_element_value_is_quoted_short(tmp_path):
    values = ", ".join(["0"] * 100_000)
    path = write(tmp_path / "long.toml", f"[committee]\nstallers = [{values}]\n")
    for result in both_commands(path):
        refused(result, str(path), "stallers = [0, 0", "(100,000 items)", "allowed: integer")
    result = invoke("validate", BASELINE, "--set", f"committee.stallers=[{values}]")
    refused(result, "stallers = [0, 0", "(100,000 items)")


def test_a_long_key_string_or_override_is_quoted_short(tmp_path):
    long = "k" * 100_000
    refused(invoke("validate", write(tmp_path / "key.toml", f"[committee]\n{long} = 1\n")), "(100")
    text = f'[committee]\nstallers = "{long}"\n'
    refused(invoke("validate", write(tmp_path / "text.toml", text)), "(100,000 characters)")
    refused(invoke("validate", BASELINE, "--set", f"committee.{long}=1"), "--set 'committee.kkk")
    refused(invoke("validate", BASELINE, "--set", f"{long}.x=1"), "unknown section")
    refused(invoke("validate", BASELINE, "--set", f"partners.{long}.staff=1"), "NAME one of")


# ---------------------------------------------------------------- sweep files


def sweep_file(tmp_path: Path, scenario: str | Path, extra: str = "") -> Path:
    text = f'[sweep]\nscenario = "{scenario}"\n[parameters]\n"committee.stallers" = [1, 2]\n'
    return write(tmp_path / "sweep.toml", text + extra)


@pytest.mark.parametrize("device", DEVICES)
def test_a_device_as_sweep_file_or_sweep_scenario_is_refused(tmp_path, device):
    refused(invoke("sweep", device), f"{device}: cannot read sweep file", "a character device")
    path = sweep_file(tmp_path, device)
    refused(invoke("sweep", path), device, "not a regular file", "[sweep] scenario in")


def test_a_fifo_as_sweep_file_or_sweep_scenario_is_refused(tmp_path, fifo):
    refused(invoke("sweep", fifo), "cannot read sweep file", "a FIFO")
    refused(invoke("sweep", sweep_file(tmp_path, fifo.name)), "a FIFO", "[sweep] scenario")


def test_a_huge_or_deep_sweep_file_is_refused(tmp_path):
    deep = sweep_file(tmp_path, BASELINE, "x = " + "[" * 5000 + "]" * 5000 + "\n")
    refused(invoke("sweep", deep), str(deep), "nested more than")
    with (tmp_path / "huge.toml").open("wb") as handle:
        handle.truncate(2 * MAX_FILE_BYTES)
    refused(invoke("sweep", tmp_path / "huge.toml"), "it is 2 MiB; allowed: at most 1 MiB")


def test_a_sweep_scenario_with_a_bad_base_is_refused(tmp_path):
    write(tmp_path / "base.toml", 'scenario = "x"\n')
    child_of(tmp_path, "base.toml")
    refused(invoke("sweep", sweep_file(tmp_path, "child.toml")), "base.toml", "must be a table")


def test_a_sweep_with_a_long_grid_value_is_quoted_short(tmp_path):
    values = ", ".join(["1"] * 100_000)
    settings = f'scenario = "{BASELINE}"\nmethod = "lhs"\npoints = 8'
    text = f'[sweep]\n{settings}\n[parameters]\n"committee.stallers" = [{values}]\n'
    path = write(tmp_path / "sweep.toml", text)
    refused(invoke("sweep", path), str(path), "(100,000 items)", "allowed: a range")
