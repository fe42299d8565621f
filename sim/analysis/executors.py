"""Where work runs: here, in a local process pool, or on a Dask cluster.

Each executor calls `function(*task)` for every task and yields the results in the
order they complete. `function` must be a module-level function, so that worker
processes can import it. Close the generator to stop early: a local pool's worker
processes are then terminated, not left to finish their tasks.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Sequence
from typing import Any

CONNECT_TIMEOUT = "10s"  # to reach a Dask scheduler


class SweepStopped(Exception):
    """The work stopped before every task was done (a crashed worker); finished results are kept."""


class SchedulerError(Exception):
    """The Dask scheduler at `address` cannot be reached (`reason` says why)."""

    def __init__(self, address: str, reason: str):
        self.address = address
        self.reason = reason
        super().__init__(f"Dask scheduler {address}: cannot connect ({reason})")


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
    from concurrent.futures import ProcessPoolExecutor, as_completed
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
        futures = [pool.submit(function, *task) for task in tasks]
        for future in as_completed(futures):
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


def connect(address: str) -> Any:
    """A client of the Dask distributed scheduler at `address`."""
    from distributed import Client

    try:
        return Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerError(address, str(exc)) from None


def on_dask(
    function: Callable[..., Any], tasks: Sequence[tuple[Any, ...]], client: Any
) -> Generator[Any, None, None]:
    """Results in order of completion, from the workers of a Dask cluster."""
    from distributed import as_completed

    futures = [client.submit(function, *task, pure=False) for task in tasks]
    for future in as_completed(futures, loop=client.loop):
        yield future.result()
