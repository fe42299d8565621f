"""Where work runs: here, in a local process pool, or on a Dask cluster.

Each executor calls `function(*task)` for every task and yields the results in the
order they complete. `function` must be a module-level function, so that worker
processes can import it. Close the generator to stop early: a local pool's worker
processes are then terminated, not left to finish their tasks.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable, Generator, Sequence
from typing import Any

CONNECT_TIMEOUT = "10s"  # to reach a Dask scheduler


class SweepStopped(Exception):
    """The work stopped before every task was done (a crashed worker); finished results are kept."""


class SchedulerError(Exception):
    """No Dask scheduler can be reached at `address`; `reason`, one line, says why."""

    def __init__(self, address: str, reason: str):
        self.address = address
        self.reason = reason
        super().__init__(f"Dask scheduler {address}: {reason}")


def execute(
    function: Callable[..., Any], tasks: Sequence[tuple[Any, ...]], workers: int | None = None
) -> Generator[Any, None, None]:
    """Results in order of completion, from a local process pool (or here, with one worker)."""
    workers = workers or default_workers()
    if workers == 1 or len(tasks) <= 1:
        return (function(*task) for task in tasks)  # no pool to start: simplest and fastest
    return _on_processes(function, tasks, workers)


def default_workers() -> int:
    """All the cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _on_processes(
    function: Callable[..., Any], tasks: Sequence[tuple[Any, ...]], workers: int
) -> Generator[Any, None, None]:
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    # forkserver: forking a process with threads (progress bar, Dask) can deadlock. The server
    # imports the function's module once, so each worker starts as a cheap fork with it loaded.
    # The workers are the server's children, and hold the pipes that keep it and the resource
    # tracker running: once no worker is left (and this process is gone), both exit.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([function.__module__])
    pool = ProcessPoolExecutor(
        min(workers, len(tasks)),
        mp_context=context,
        initializer=die_with,
        initargs=(os.getpid(),),
    )
    done = False
    try:
        starting = min(workers, len(tasks))  # each of these submits starts a worker
        with _starting_whole():  # then a Ctrl-C stops them all (_terminate)
            pending = {pool.submit(function, *task) for task in tasks[:starting]}
        # A few tasks queued ahead keep every worker busy; no more, so that results a slow
        # reader has not taken yet (a loaded machine) never pile up in this process.
        later = iter(tasks[starting:])
        pending |= {pool.submit(function, *task) for task in itertools.islice(later, workers)}
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                pending |= {pool.submit(function, *task) for task in itertools.islice(later, 1)}
                yield future.result()
        done = True
    except BrokenProcessPool as exc:
        raise SweepStopped(f"a worker process died ({exc})") from None
    finally:
        # The pool's own (private) handles, gone after shutdown: its worker processes and the
        # thread that manages them (Python 3.14 has pool.terminate_workers(); 3.11 does not).
        processes = list((getattr(pool, "_processes", None) or {}).values())
        manager = getattr(pool, "_executor_manager_thread", None)
        pool.shutdown(wait=False, cancel_futures=True)
        if not done:  # stopped early (Ctrl-C, SIGTERM, an error): no point finishing their tasks
            _terminate(processes)
            if manager is not None:  # it winds down on seeing the workers gone; racing the
                manager.join(2.0)  # interpreter's exit, it can print an error (Python < 3.12)


@contextlib.contextmanager
def _starting_whole() -> Generator[None, None, None]:
    """Start the forkserver ignoring Ctrl-C; inside, a Ctrl-C waits until the block ends.

    A terminal sends Ctrl-C to every process in the foreground: the forkserver, importing
    its preloaded modules, and workers left half started by an interrupted pool printed
    KeyboardInterrupt tracebacks. So the server ignores SIGINT (inherited, as the workers
    it forks inherit it: this process stops them, `_terminate`), and the workers started
    inside this block start whole before this process stops (a Ctrl-C in the milliseconds
    the server takes to start is lost). Only the main thread may set handlers; elsewhere
    nothing changes.
    """
    import signal
    import threading
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()  # the server inherits SIG_IGN
        signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        signal.raise_signal(signal.SIGINT)  # now handled as it would have been


def _terminate(processes: list[Any], grace: float = 2.0) -> None:
    """Terminate worker processes (SIGTERM), waiting up to `grace` seconds before killing them."""
    import time

    for process in processes:
        process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(1.0)


POLL_SECONDS = 0.5  # how often a worker checks that its parent lives, where it cannot wait for it


def die_with(parent: int) -> None:
    """In a worker process: end this process as soon as process `parent` has ended.

    The pool's initializer, so that no worker outlives the sweep, even one killed with
    SIGKILL. (PR_SET_PDEATHSIG would not do: a worker's parent is the forkserver, not
    the sweep.) A daemon thread waits for `parent` on a pidfd (Linux 5.3 or later), or
    else checks every POLL_SECONDS whether it still exists.
    """
    import threading

    threading.Thread(target=_exit_after, args=(parent,), name="die-with", daemon=True).start()


def _exit_after(parent: int) -> None:
    import select
    import time

    try:
        handle = os.pidfd_open(parent)
    except ProcessLookupError:  # it has ended already
        pass
    except (AttributeError, OSError):  # no pidfd on this system: poll
        while _exists(parent):
            time.sleep(POLL_SECONDS)
    else:
        select.select([handle], [], [])  # readable once `parent` has ended
    os._exit(1)  # at once: the task's result has no one to go to


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: the number was reused
        return False
    return True


@contextlib.contextmanager
def connected(address: str) -> Generator[Any, None, None]:
    """A client of the Dask scheduler at `address` (`connect`), closed when the block ends.

    Meanwhile distributed's client logs only what is critical: when the scheduler is
    lost it logs tracebacks, and `on_dask` says it in one line instead (SweepStopped).
    """
    import distributed  # noqa: F401 - first: importing it sets its loggers' levels

    with _quiet("distributed.client"):
        client = connect(address)
        try:
            yield client
        finally:
            client.close()


def connect(address: str) -> Any:
    """A client of the Dask distributed scheduler at `address`.

    Raises SchedulerError, within about CONNECT_TIMEOUT, if `address` is not a scheduler
    address or no scheduler answers there (see `probe`).
    """
    from dask.utils import parse_timedelta
    from distributed import Client

    timeout = float(parse_timedelta(CONNECT_TIMEOUT, default="s"))
    probe(address, timeout)
    try:
        return Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:  # TypeError: TLS unset
        _discard_client(exc)
        raise SchedulerError(address, f"cannot connect ({_one_line(str(exc))})") from None


def probe(address: str, timeout: float) -> None:
    """Raise SchedulerError unless `address` is a scheduler address where one may answer.

    Checked before a distributed.Client is made, as a Client stuck on a server that is no
    scheduler can hang for minutes, fail with an absurd allocation or leave a traceback
    at exit. A tcp:// address (the default scheme) must answer as Dask does: on accepting
    a connection, a scheduler sends its handshake first, a message of a few dozen bytes
    after an 8-byte length. A connection refused is tried again until `timeout` (the
    scheduler may be starting). A server silent for a second is sent an HTTP request, to
    tell an HTTP server (the dashboard's port, a common mistake) from a silent one.
    Other schemes (tls://, ws://, ...) are only checked for form.
    """
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import get_backend

    expected = "expected tcp://HOST:PORT, such as tcp://127.0.0.1:8786"
    try:
        scheme, location = parse_address(address, strict=False)
        get_backend(scheme)
        if scheme in ("tcp", "tls"):
            host, port = parse_host_port(location)
    except (ValueError, TypeError) as exc:
        raise SchedulerError(
            address, f"not a scheduler address ({_one_line(str(exc))}; {expected})"
        ) from None
    if scheme == "tcp":
        _probe_tcp(address, host, port, timeout)


def _probe_tcp(address: str, host: str, port: int, timeout: float) -> None:
    import socket
    import struct
    import time

    seconds = f"{timeout:g} s"
    deadline = time.monotonic() + timeout
    while True:
        try:
            connection = socket.create_connection(
                (host, port), max(0.01, deadline - time.monotonic())
            )
            break
        except socket.gaierror as exc:
            raise SchedulerError(
                address, f"cannot connect: unknown host {host!r} ({exc.strerror})"
            ) from None
        except (ConnectionRefusedError, TimeoutError):
            if time.monotonic() >= deadline - 0.1:
                raise SchedulerError(
                    address,
                    f"cannot connect: nothing answered on port {port} within {seconds}:"
                    " is the scheduler running, at this address?",
                ) from None
            time.sleep(0.1)
        except OSError as exc:
            raise SchedulerError(address, f"cannot connect ({exc.strerror or exc})") from None
    with connection:
        received = b""
        asked = False  # whether an HTTP request was sent

        def fail(what: str) -> SchedulerError:
            return SchedulerError(address, f"not a Dask scheduler: {what}")

        while True:
            left = deadline - time.monotonic()
            if received.startswith(b"HTTP/"):
                raise fail(
                    "an HTTP server answered (is this the dashboard's port? The scheduler's"
                    " is usually 8786)"
                )
            if len(received) >= 8:
                (size,) = struct.unpack("<Q", received[:8])
                if not 0 < size <= 1 << 20:  # a handshake is a small message
                    raise fail(f"the server sent {_shown(received)} instead of a Dask handshake")
                if len(received) >= 8 + size:
                    return  # a scheduler; it logs that the connection closed before handshake
            quiet = not received and not asked
            wait = min(left, 1.0) if quiet else left
            if wait <= 0:
                what = f"sent {_shown(received)} and then nothing" if received else "sent nothing"
                raise fail(f"the server accepted the connection but {what} within {seconds}")
            connection.settimeout(wait)
            try:
                chunk = connection.recv(65536)
            except TimeoutError:
                if quiet:
                    asked = True
                    with contextlib.suppress(OSError):
                        connection.sendall(b"HEAD / HTTP/1.0\r\n\r\n")
                continue
            except OSError as exc:
                raise fail(f"the connection failed ({exc.strerror or exc})") from None
            if not chunk:
                shown = f" after sending {_shown(received)}" if received else ""
                raise fail(f"the server closed the connection{shown}")
            received += chunk


def _shown(data: bytes, limit: int = 40) -> str:
    """Some bytes a server sent, shown on one line."""
    text = repr(data[:limit])
    return text + ("..." if len(data) > limit else "")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _discard_client(exc: BaseException) -> None:
    """Mark closed the Client whose constructor raised `exc`, so that it closes quietly.

    Otherwise its __del__, at exit, waits 20 s to close it and prints a traceback.
    """
    from distributed import Client

    traceback = exc.__traceback__
    while traceback is not None:
        client = traceback.tb_frame.f_locals.get("self")
        if isinstance(client, Client):
            client.status = "closed"
            with contextlib.suppress(Exception):
                client._loop_runner.stop()
            return
        traceback = traceback.tb_next


def on_dask(
    function: Callable[..., Any], tasks: Sequence[tuple[Any, ...]], client: Any
) -> Generator[Any, None, None]:
    """Results in order of completion, from the workers of a Dask cluster, several tasks at once.

    Tasks go to the cluster in chunks, one Dask task each (`run_chunk`), sized to about
    CHUNK_SECONDS of work from the time the tasks done so far took (`chunk_size`): one
    task each at first, many when tasks are quick, so that neither the scheduler nor
    this client is swamped by tiny tasks. About two chunks per worker thread are in the
    cluster at a time; each chunk's results come back at once, as it completes
    (`as_completed` with results). Close the generator to stop early: the chunks not
    done are cancelled. Raises SweepStopped if a chunk fails (a worker that cannot run
    `function`, a chunk whose workers kept dying) or the cluster cancels it (the
    scheduler lost).
    """
    import time
    import uuid

    from distributed import as_completed

    name = f"points-{uuid.uuid4().hex}"  # the chunks' keys: name-0, name-1, ...
    done = 0  # tasks whose results came back
    spent = 0.0  # the seconds the workers took for them
    given = 0  # tasks handed to the cluster
    running = as_completed(with_results=True, raise_errors=False, loop=client.loop)
    slots, asked = _threads(client), time.monotonic()

    def give(size: int) -> None:
        nonlocal given
        chunk = Chunk(tasks[given : given + size])
        running.add(client.submit(run_chunk, function, chunk, key=f"{name}-{given}"))
        given += len(chunk.tasks)

    try:
        while given < min(slots, len(tasks)):  # one task each, to time them
            give(1)
        for future, outcome in running:
            if future.status != "finished":
                raise SweepStopped(_chunk_failure(future.status, outcome))
            results, seconds = outcome
            done, spent = done + len(results), spent + seconds
            if time.monotonic() - asked > THREADS_SECONDS:  # workers may have come or gone
                slots, asked = _threads(client), time.monotonic()
            while given < len(tasks) and running.count() < 2 * slots:
                give(chunk_size(spent / done if done else None, len(tasks) - given, slots))
            del future, outcome  # the cluster may forget the chunk
            yield from results
    finally:
        if given < len(tasks) or running.count():
            with contextlib.suppress(Exception):  # the client may be closing already
                client.cancel(list(running.futures))


@contextlib.contextmanager
def _quiet(logger: str) -> Generator[None, None, None]:
    """Within, `logger` logs only what is critical; then as before."""
    import logging

    log = logging.getLogger(logger)
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        log.setLevel(level)


CHUNK_SECONDS = 1.0  # the work a Dask task should hold: several sweep points when they are quick
MAX_CHUNK = 500  # tasks per Dask task at most
THREADS_SECONDS = 5.0  # how often the cluster is asked again how many worker threads it has


def chunk_size(seconds_per_task: float | None, remaining: int, slots: int) -> int:
    """How many tasks the next Dask task should run.

    About CHUNK_SECONDS of work, given the mean time a task took so far (None: not
    known yet, one task), at most MAX_CHUNK, and no more than an even share of the
    `remaining` tasks among the cluster's `slots` worker threads, so that the last
    chunks are spread over all of them.
    """
    if seconds_per_task is None:
        return 1
    wanted = CHUNK_SECONDS / seconds_per_task if seconds_per_task > 0 else MAX_CHUNK
    share = -(-remaining // max(slots, 1))
    return max(1, min(int(wanted), MAX_CHUNK, share))


class Chunk:
    """Tasks for one Dask task, wrapped so that Dask does not look into each of them."""

    def __init__(self, tasks: Sequence[tuple[Any, ...]]):
        self.tasks = tasks


def run_chunk(function: Callable[..., Any], chunk: Chunk) -> tuple[list[Any], float]:
    """On a Dask worker: `function(*task)` for each task, and the seconds they took."""
    import time

    start = time.perf_counter()
    results = [function(*task) for task in chunk.tasks]
    return results, time.perf_counter() - start


def worker_threads(client: Any) -> int:
    """How many worker threads the cluster has now (0: no worker has joined yet)."""
    return sum(client.nthreads().values())


def _threads(client: Any) -> int:
    """The worker threads of the cluster now, at least 1 (workers may still be starting)."""
    return max(1, worker_threads(client))


def _chunk_failure(status: str, outcome: Any) -> str:
    """Why a chunk did not finish, in one line."""
    if status == "error":
        error = outcome[1]
        return f"a Dask task failed ({type(error).__name__}: {_one_line(str(error))[:300]})"
    return "the Dask scheduler was lost (stopped, restarted or out of reach) and the work with it"
