"""Reading the files users name, and quoting what they wrote, within fixed limits.

Every file the loaders read (a scenario file, each `base` it names, a sweep file and its
`[sweep] scenario`) goes through `read_user_file`, and all TOML text (files and `--set`
values) through `loads_toml`. A path can name anything: a device that never ends
(/dev/zero, /dev/urandom), a FIFO that blocks until someone writes, a directory or a
multi-gigabyte file; TOML can nest arrays and tables, or dotted keys, deeper than Python's
stack or in ways that make the parser's work grow with the square of the depth. So only
regular files are read, at most MAX_FILE_BYTES of them, and nesting is bounded before
parsing. Every refusal is a ScenarioError naming the file and what is allowed.

`shown` and `shown_path` quote a user's value or path in a message: short ones whole, long
ones cut, so that a message stays one readable line.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from .catalogue import shipped_hint

# A scenario or sweep file is written by hand: the shipped ones are a few kilobytes, and a
# thousand partners fit in about 200 KB. 1 MiB leaves room for any real file while keeping
# reading and parsing (tomllib takes about a second for 1 MiB of small array items) quick.
MAX_FILE_BYTES = 1024 * 1024
# A scenario nests two levels ([[partners]] holds tables), a sweep file about five
# ("committee.stallers" written as nested tables holding a list). 64 levels of tables,
# arrays and dotted-key parts is far beyond either, and well within Python's stack.
MAX_NESTING = 64
SHOWN_CHARS = 60  # how much of a long value a message quotes
SHOWN_PATH_CHARS = 200  # paths are quoted whole up to this, since they are how files are named
BOM = b"\xef\xbb\xbf"  # UTF-8 byte-order mark, which some editors write first
# Line breaks and other control characters that would break a one-line message (a tab is fine).
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
# What the nesting check looks at in TOML text: strings and comments are skipped whole (their
# brackets and dots are text); brackets, dots and the separators between keys and values are
# counted. Each alternative matches a character one way only, so a failed match is linear.
_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"{3,5}'  # multi-line basic string, ending in up to 5 quotes
    r"|'''.*?'{3,5}"  # multi-line literal string
    r'|"(?:[^"\\\n]|\\.)*"'  # basic string
    r"|'[^'\n]*'"  # literal string
    r"|#[^\n]*"  # comment
    r"|[\[\]{}=,\n.]",
    re.DOTALL,
)


class ScenarioError(Exception):
    """A user mistake in a scenario file or override: shown as one message, exit code 2."""


def shown(value: Any, limit: int = SHOWN_CHARS) -> str:
    """A value as a message quotes it: its repr, or its start and its size if that is long."""
    text = repr(value)
    if len(text) <= limit:
        return text
    if isinstance(value, str):
        size = f"{len(value):,} characters"
    elif isinstance(value, list | tuple | dict | set):
        size = f"{len(value):,} items"
    else:
        size = f"{len(text):,} characters"
    return f"{text[:limit]}… ({size})"


def shown_path(path: str | os.PathLike[str]) -> str:
    """A path as a message names it: whole up to SHOWN_PATH_CHARS, control characters escaped."""
    text = CONTROL.sub(lambda match: repr(match.group())[1:-1], os.fspath(path))
    if len(text) <= SHOWN_PATH_CHARS:
        return text
    return f"{text[:SHOWN_PATH_CHARS]}… ({len(text):,} characters)"


def size_text(size: int) -> str:
    """'6.2 MiB', '12 KiB' or '300 bytes'."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):,.1f}".removesuffix(".0") + " MiB"
    return f"{size / 1024:.0f} KiB" if size >= 1024 else f"{size} bytes"


LIMIT_TEXT = f"at most {size_text(MAX_FILE_BYTES)}"


def read_user_file(path: Path, kind: str, named_by: str = "") -> str:
    """The text of a regular file of at most MAX_FILE_BYTES, UTF-8 with or without a BOM.

    `kind` says what the file is ("scenario", "sweep"), and `named_by` where its name came
    from (e.g. "[scenario] base in child.toml"), for the message. Anything else, such as a
    FIFO, a device, a directory, a file too large or not UTF-8, is a ScenarioError. The
    file's type is checked before it is opened, and again on the open file (non-blocking,
    so a FIFO swapped in between cannot hang the read).
    """
    where = shown_path(path)
    context = f" (named by {named_by})" if named_by else ""

    def refused(problem: str) -> ScenarioError:
        return ScenarioError(f"{where}: {problem}{context}")

    def check(status: os.stat_result) -> None:
        """A regular file of a bounded size, or refused."""
        if not stat.S_ISREG(status.st_mode):
            raise refused(f"cannot read {kind} file: {_not_regular(status.st_mode)}")
        if status.st_size > MAX_FILE_BYTES:
            raise refused(f"cannot read {kind} file: {_too_large(status.st_size)}")

    try:
        check(os.stat(path))
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
        descriptor = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        hint = "" if named_by else shipped_hint(path, kind)  # bare names are the user's only
        raise refused(f"no such {kind} file{hint}") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL character in the path
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise refused(f"cannot read {kind} file ({reason})") from None
    try:
        check(os.fstat(descriptor))  # again: what was opened may not be what was looked at
        chunks, size = [], 0
        while size <= MAX_FILE_BYTES:  # a file that grows, or one in /proc, stops here too
            chunk = os.read(descriptor, MAX_FILE_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise refused(f"cannot read {kind} file ({exc.strerror or exc})") from None
    finally:
        os.close(descriptor)
    if size > MAX_FILE_BYTES:
        raise refused(
            f"cannot read {kind} file: it is larger than {size_text(MAX_FILE_BYTES)}; "
            f"allowed: {LIMIT_TEXT}"
        )
    data = b"".join(chunks).removeprefix(BOM)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise refused(
            f"cannot read {kind} file: byte {data[exc.start]:#04x} at offset {exc.start} is "
            "not UTF-8; allowed: UTF-8 text"
        ) from None


def _too_large(size: int) -> str:
    return f"it is {size_text(size)}; allowed: {LIMIT_TEXT}"


def _not_regular(mode: int) -> str:
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    what = next((name for test, name in kinds if test(mode)), "a special file")
    return f"it is {what}, not a regular file; allowed: a TOML file of {LIMIT_TEXT}"


TOO_DEEP = (
    f"tables, arrays or dotted keys nested more than {MAX_NESTING} levels deep; "
    f"allowed: at most {MAX_NESTING} levels"
)


def loads_toml(text: str, where: str, context: str = "") -> dict[str, Any]:
    """tomllib.loads, refusing nesting deeper than MAX_NESTING (a ScenarioError naming `where`).

    The text is checked before parsing, since tomllib recurses once per level of arrays and
    inline tables and takes time growing with the square of a dotted key's parts; the parsed
    data is checked again, for nesting built up from table headers, dotted keys and values
    together. A syntax error is tomllib's TOMLDecodeError, for the caller to word.
    """
    if _nesting_in_text(text) > MAX_NESTING:
        raise ScenarioError(f"{where}: {TOO_DEEP}{context}")
    try:
        data = tomllib.loads(text)
    except RecursionError:  # not expected after the check above; never a traceback anyway
        raise ScenarioError(f"{where}: {TOO_DEEP}{context}") from None
    if _too_deep(data):
        raise ScenarioError(f"{where}: {TOO_DEEP}{context}")
    return data


def _nesting_in_text(text: str) -> int:
    """The deepest brackets, or the most parts of one dotted key, in TOML text (an upper bound).

    Dots are counted between separators (=, comma, line break, bracket), so a float or a
    date in a value counts one part; a dotted key `a.b.c` counts three. Counting stops once
    past MAX_NESTING.
    """
    depth = deepest = dots = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if len(token) != 1 or token == "#":
            continue  # a string or a comment
        if token == ".":
            dots += 1
            deepest = max(deepest, dots + 1)
        else:
            dots = 0
            if token in "[{":
                depth += 1
                deepest = max(deepest, depth)
            elif token in "]}":
                depth = max(depth - 1, 0)
        if deepest > MAX_NESTING:
            break
    return deepest


def _too_deep(data: dict[str, Any]) -> bool:
    """Whether tables and arrays nest more than MAX_NESTING levels, checked without recursion."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_NESTING:
            return True
        items = value.values() if isinstance(value, dict) else value
        stack.extend((item, depth + 1) for item in items if isinstance(item, dict | list))
    return False
