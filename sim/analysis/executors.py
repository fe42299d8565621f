"""Where work runs: here, in a local process pool, or on a Dask cluster.

Each executor calls `function(*task)` for every task and yields the results in the
order they complete. `function` must be a module-level function, so that worker
processes can import it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
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
) -> Iterator[Any]:
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
) -> Iterator[Any]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    # forkserver: forking a process with threads (progress bar, Dask) can deadlock. The server
    # imports the function's module once, so each worker starts as a cheap fork with it loaded.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([function.__module__])
    pool = ProcessPoolExecutor(min(workers, len(tasks)), mp_context=context)
    try:
        futures = [pool.submit(function, *task) for task in tasks]
        for future in as_completed(futures):
            yield future.result()
    except BrokenProcessPool as exc:
        raise SweepStopped(f"a worker process died ({exc})") from None
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def connect(address: str) -> Any:
    """A client of the Dask distributed scheduler at `address`."""
    from distributed import Client

    try:
        return Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerError(address, str(exc)) from None


def on_dask(
    function: Callable[..., Any], tasks: Sequence[tuple[Any, ...]], client: Any
) -> Iterator[Any]:
    """Results in order of completion, from the workers of a Dask cluster."""
    from distributed import as_completed

    futures = [client.submit(function, *task, pure=False) for task in tasks]
    for future in as_completed(futures, loop=client.loop):
        yield future.result()
