"""`sweep --scheduler` at an address where no Dask scheduler answers: one clear line, soon.

Every wrong address ends with exit code 2 and one line on stderr naming it, within about
the connect timeout (10 s), with no traceback: not a hang on an HTTP port (the dashboard's,
a common mistake), not a huge allocation on a server that speaks first, not a traceback
from a half-made `distributed.Client` at exit. The cases run at once, in subprocesses.
Only a closed port waits for the whole timeout: here it is given a short one (SHORT), and
a slow test waits for the shipped 10 s.
"""

from __future__ import annotations

import http.server
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import CliRunner
from conftest import grid_sweep

from sim.analysis.executors import CONNECT_TIMEOUT, SchedulerError, connect, probe
from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
SWEEP = grid_sweep(
    (ROOT / "scenarios/baseline.toml").as_posix(),
    1,
    {"committee.stallers": [2, 5]},
)
SECONDS = 20  # the connect timeout (10 s), and the time to start Python (5 at once)
LIMIT = 60  # then a case is killed
SHORT = 2.0  # seconds: the closed port's connect timeout in the default suite
SWEEP_COMMAND = [sys.executable, "-m", "sim", "sweep"]
# The same command with the connect timeout its first argument sets; it prints the time
# when it starts to probe the address (the clock is the system's, the same in every process).
SHORT_SWEEP_COMMAND = [
    sys.executable,
    "-c",
    "import sys, time; import sim.analysis.executors as executors; "
    "executors.CONNECT_TIMEOUT = sys.argv.pop(1); "
    "executors.probe = lambda *args, probe=executors.probe: "
    "(print(time.monotonic(), flush=True), probe(*args)); "
    "from sim.cli import main; main(prog_name='committee-sim')",
    f"{SHORT:g}s",
    "sweep",
]


def http_server() -> tuple[int, http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1], server


class QuietHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def banner_server() -> tuple[int, list[socket.socket]]:
    """A server that greets each connection, as SSH does, and then waits.

    Returns its port and its sockets, to close: the listener, then each connection.
    """
    listener = socket.create_server(("127.0.0.1", 0))
    sockets = [listener]

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:  # shut down: the test is over
                return
            sockets.append(connection)
            connection.sendall(b"SSH-2.0-OpenSSH_9.0\r\n")

    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1], sockets


def closed_port() -> tuple[int, socket.socket]:
    """A port nothing listens on (bound, so that no one else takes it meanwhile)."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    return holder.getsockname()[1], holder


class Outcome(NamedTuple):
    address: str
    code: int | None  # None: still running after LIMIT seconds (then killed)
    stderr: str
    seconds: float
    out: Path
    probing: float | None  # when it started to probe the address, if it says (SHORT_...)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, Outcome]:
    """Each case's outcome, the closed port's with a connect timeout of SHORT seconds."""
    return run_cases(tmp_path_factory.mktemp("scheduler"), MESSAGES, short=True)


def run_cases(folder: Path, cases: Iterable[str], short: bool) -> dict[str, Outcome]:
    """Each case's outcome; all run at once, in subprocesses (the closed port's with a
    connect timeout of SHORT seconds if `short`)."""
    sweep = folder / "sweep.toml"
    sweep.write_text(SWEEP, encoding="utf-8")
    http_port, http = http_server()
    banner_port, banner = banner_server()
    free_port, holder = closed_port()
    addresses = {
        "http": f"tcp://127.0.0.1:{http_port}",
        "banner": f"tcp://127.0.0.1:{banner_port}",
        "closed": f"tcp://127.0.0.1:{free_port}",
        "scheme": "garbage://x",
        "tls unset": f"tls://127.0.0.1:{free_port}",
    }
    addresses = {case: addresses[case] for case in cases}
    started = time.monotonic()
    runs = {}
    for case, address in addresses.items():
        name = case.replace(" ", "_")
        stderr = (folder / f"{name}.stderr").open("w+", encoding="utf-8")
        program = SHORT_SWEEP_COMMAND if short and case == "closed" else SWEEP_COMMAND
        command = [*program, str(sweep), "--scheduler", address]
        stdout = (folder / f"{name}.stdout").open("w+", encoding="utf-8")
        process = subprocess.Popen(
            [*command, "--out", str(folder / name), "--quiet"], stdout=stdout, stderr=stderr
        )
        runs[case] = (process, stderr, stdout)
    ended: dict[str, float] = {}
    try:
        while len(ended) < len(runs) and time.monotonic() < started + LIMIT:
            for case, (process, *_) in runs.items():
                if case not in ended and process.poll() is not None:
                    ended[case] = time.monotonic() - started
            time.sleep(0.05)
    finally:
        for process, *_ in runs.values():
            if process.poll() is None:
                process.kill()
                process.wait()
        http.shutdown()
        http.server_close()
        banner[0].shutdown(socket.SHUT_RDWR)  # ends its accept()
        for each in banner:
            each.close()
        holder.close()
    results = {}
    for case, (process, stderr, stdout) in runs.items():
        stderr.seek(0)
        stdout.seek(0)
        said = stdout.read().split()
        results[case] = Outcome(
            addresses[case],
            process.returncode if case in ended else None,
            stderr.read(),
            ended.get(case, LIMIT),
            folder / case.replace(" ", "_"),
            float(said[0]) - started if said else None,
        )
        stderr.close()
        stdout.close()
    return results


MESSAGES = {
    "http": "not a Dask scheduler: an HTTP server answered (is this the dashboard's port?",
    "banner": "not a Dask scheduler: the server sent b'SSH-2.0-OpenSSH_9.0\\r\\n' instead",
    "closed": "cannot connect: nothing answered on port",
    "scheme": "not a scheduler address (unknown address scheme 'garbage'",
    "tls unset": "cannot connect (",
}


@pytest.mark.parametrize("case", MESSAGES)
def test_a_wrong_address_is_one_clear_line(outcomes, case):
    outcome = outcomes[case]
    assert outcome.code is not None, f"{outcome.address}: still running after {LIMIT} s"
    assert outcome.code == 2, outcome.stderr
    assert outcome.stderr.startswith(f"error: --scheduler {outcome.address}: {MESSAGES[case]}")
    assert outcome.stderr.count("\n") == 1 and outcome.stderr.endswith("\n"), outcome.stderr
    assert outcome.seconds < SECONDS
    assert not outcome.out.exists()  # nothing written


def test_the_fast_mistakes_fail_fast(outcomes):
    """Only a port where nothing listens is tried for the whole timeout (it may be starting)."""
    closed = outcomes["closed"]
    assert closed.probing is not None and f"within {SHORT:g} s" in closed.stderr
    assert closed.seconds - closed.probing >= SHORT  # tried for the whole timeout
    # Each ends within 5 s of when the closed port's probe began, as it would 5 s before
    # the end of a 10 s timeout.
    assert all(outcomes[case].seconds < closed.probing + 5 for case in MESSAGES if case != "closed")


def test_the_connect_timeout_is_the_documented_ten_seconds():
    from dask.utils import parse_timedelta

    assert parse_timedelta(CONNECT_TIMEOUT, default="s") == 10


@pytest.mark.slow
def test_a_closed_port_is_tried_for_the_shipped_timeout(tmp_path):
    outcome = run_cases(tmp_path, ["closed"], short=False)["closed"]
    assert outcome.code == 2, outcome.stderr
    assert outcome.stderr.startswith(f"error: --scheduler {outcome.address}: {MESSAGES['closed']}")
    assert "within 10 s" in outcome.stderr and outcome.stderr.count("\n") == 1
    assert 10 <= outcome.seconds < SECONDS


def test_a_scheduler_passes_the_probe():
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=0, processes=False, protocol="tcp", dashboard_address=":0"
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://")
        probe(address, 5.0)
        client = connect(address)
        try:
            assert client.scheduler_info()["address"] == address
        finally:
            client.close()


def test_a_silent_server_fails_at_the_timeout():
    listener = socket.create_server(("127.0.0.1", 0))  # connections wait in its backlog
    try:
        started = time.monotonic()
        with pytest.raises(SchedulerError, match="accepted the connection but sent nothing"):
            probe(f"tcp://127.0.0.1:{listener.getsockname()[1]}", 0.5)
        assert time.monotonic() - started < 2
    finally:
        listener.close()


@pytest.mark.parametrize("address", ["tcp://", "not an address", "tcp://127.0.0.1"])
def test_an_address_without_a_port_is_refused_at_once(tmp_path, address):
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(SWEEP, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["sweep", str(sweep), "--scheduler", address, "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2
    assert result.output.startswith(
        f"error: --scheduler {address}: not a scheduler address (missing port number"
    )
    assert result.output.count("\n") == 1 and not (tmp_path / "out").exists()
