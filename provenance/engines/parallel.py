"""Work on several cores: a generic executor of independent tasks (it knows no stage).

:func:`map_ordered` runs one function over many independent tasks in a pool
of worker processes.  With the ``fork`` start method (Linux, and where else it
is available) the workers inherit everything the tasks need (the documents,
the pairs) from the parent: nothing but the tasks is sent to a worker, and
only the results come back.  Elsewhere each worker gets that state pickled
once, when it starts.  Results are collected in submission order, so every
caller gets exactly what the serial run (``jobs=1``) gives, order included.

The stages decide what a task is (a document, a chunk of pairs, a family);
:mod:`provenance.pipeline` and the stage modules call this module.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from ..errors import ConfigError

__all__ = ["forks_workers", "frozen_heap", "map_ordered", "paused_gc", "resolve_jobs"]

Task = TypeVar("Task")
Result = TypeVar("Result")

# Chunks per worker aimed at, so that a slow chunk cannot leave the others idle.
_CHUNKS_PER_JOB = 8
#: Seconds between a worker's checks that the main process is still there.
_PARENT_POLL_SECONDS = 0.5
#: Longest wait for an interrupted pool to stop.
_STOP_SECONDS = 5.0
# Everything a worker needs, set in the parent before the pool forks (or by the
# initializer under other start methods).  Never pickled per task.
_STATE: dict[str, Any] = {}
# The function map_ordered runs in the workers (set beside the state).
_FUNCTION = "_function"


def resolve_jobs(jobs: int, owner: str = "map_ordered") -> int:
    """Number of worker processes for ``jobs`` (0 means one per available core).

    Parameters
    ----------
    jobs : int
        Requested processes; 0 for every core this process may run on.
    owner : str, default="map_ordered"
        The function whose parameter ``jobs`` is, for the error message.

    Returns
    -------
    int
        At least 1.

    Raises
    ------
    ConfigError
        If ``jobs`` is not an int >= 0.

    Examples
    --------
    >>> resolve_jobs(3)
    3
    >>> resolve_jobs(0) >= 1
    True
    """
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 0:
        raise ConfigError(f"The 'jobs' parameter of {owner} must be an int >= 0. Got {jobs!r} instead.")
    if jobs:
        return jobs
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def forks_workers() -> bool:
    """Whether :func:`map_ordered`'s workers are forks of this process, inheriting its memory as it is.

    What a caller works out here before the pool starts (values cached beside
    the state's objects) is then every worker's without being worked out
    again; elsewhere workers start from the pickled state alone.

    Examples
    --------
    >>> isinstance(forks_workers(), bool)
    True
    """
    return "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def paused_gc() -> Iterator[None]:
    """Python's cyclic garbage collector held off for the duration (restored as it was after).

    The per-document stages create millions of small containers (tokens, line
    records, spans) that live on, and the collector would traverse the whole
    growing heap again and again while they are made: about a seventh of
    those stages' time on 20,000 articles.  They make no reference cycles worth
    collecting, and reference counting still frees everything else at once.

    Examples
    --------
    >>> import gc
    >>> with paused_gc():
    ...     gc.isenabled()
    False
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def frozen_heap() -> Iterator[None]:
    """The objects alive now held out of the cyclic garbage collector's traversals, until the exit.

    A stage that runs after the corpus is built (documents, candidate pairs,
    alignments: millions of long-lived objects) would otherwise have the
    collector traverse all of them again at every full collection it
    triggers; workers forked inside also keep those pages shared.  Objects
    made inside are collected as usual, and on exit the frozen ones are
    collectable again.  A program that froze objects of its own keeps them
    frozen: then nothing is done (unfreezing is all or nothing).

    Examples
    --------
    >>> import gc
    >>> with frozen_heap():
    ...     gc.get_freeze_count() > 0
    True
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def _no_interrupt_while_forking() -> Iterator[None]:
    """Hold Ctrl-C back while the pool starts its workers and threads; it arrives right after.

    Raised inside a fork's callbacks (the logging module's lock), KeyboardInterrupt is ignored by
    Python and the run goes on.  The pool's threads, started with the signal blocked, keep it
    blocked when they renew workers later, and the workers leave Ctrl-C to the main process,
    which stops them.
    """
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not on POSIX
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextmanager
def _pool(state: dict[str, Any], workers: int, fresh: int = 0) -> Iterator[Any]:
    """A pool of ``workers`` processes that see ``state`` as ``_STATE`` (inherited when forked).

    With ``fresh``, each forked worker leaves after that many chunks and a new one takes its place
    (only when forked: elsewhere a new worker would receive the whole state again).
    """
    forked = forks_workers()
    if forked:
        context = multiprocessing.get_context("fork")
        initializer, initargs = _exit_with_parent, (os.getpid(),)
        _STATE.update(state)
        # Objects that exist before the fork are never scanned by the workers'
        # collector, so their pages stay shared instead of being copied.
        gc.freeze()
    else:  # Windows, or a Python without fork
        context = multiprocessing.get_context(multiprocessing.get_all_start_methods()[0])
        initializer, initargs = _init_worker, (state,)
        fresh = 0
    try:
        with _no_interrupt_while_forking():
            pool = context.Pool(workers, initializer=initializer, initargs=initargs, maxtasksperchild=fresh or None)
        try:
            yield pool
        except BaseException:
            _stop(pool)
            raise
        pool.terminate()
    finally:
        _STATE.clear()
        if forked:
            gc.unfreeze()


def map_ordered(
    function: Callable[[dict[str, Any], Task], Result],
    tasks: Sequence[Task],
    *,
    state: dict[str, Any] | None = None,
    jobs: int = 1,
    chunk: int = 0,
    min_parallel: int = 2,
    progress: Callable[[int, int], None] | None = None,
    fresh_workers: int = 0,
) -> list[Result]:
    """``[function(state, task) for task in tasks]``, on ``jobs`` worker processes.

    Parameters
    ----------
    function : callable
        A module-level function (workers find it by name): ``function(state, task)``.
    tasks : sequence
        Independent tasks; they are pickled to the workers, so keep them small
        (indices, not documents).
    state : dict, optional
        What every task needs (documents, pairs...): inherited by forked
        workers, pickled once per worker otherwise.  Must not be changed by
        ``function``.
    jobs : int, default=1
        Worker processes: 1 works in this process, 0 uses every available core.
    chunk : int, default=0
        Tasks per message; 0 chooses about eight chunks per worker.
    min_parallel : int, default=2
        Fewer tasks than this run in this process.
    progress : callable, optional
        Called as ``progress(done, total)`` as results come in.
    fresh_workers : int, default=0
        Replace each worker process by a new one after this many chunks (0:
        never).  What chunks leave behind in a worker (values cached beside
        the state's objects, pages copied from the parent as they were
        touched, a fragmented heap) is then freed with it instead of adding up
        over the run: worth the cost of a fork when later tasks would reuse
        little of it.  Only where workers are forked.

    Returns
    -------
    list
        One result per task, in the order of ``tasks``.

    Examples
    --------
    >>> map_ordered(_double, [1, 2, 3], state={"factor": 2}, jobs=2)
    [2, 4, 6]
    """
    workers = resolve_jobs(jobs)
    if not isinstance(fresh_workers, int) or isinstance(fresh_workers, bool) or fresh_workers < 0:
        raise ConfigError(
            f"The 'fresh_workers' parameter of map_ordered must be an int >= 0. Got {fresh_workers!r} instead."
        )
    state = dict(state or {})
    report = progress or (lambda done, total: None)
    total = len(tasks)
    report(0, total)
    out: list[Result] = []
    if workers == 1 or total < max(2, min_parallel):
        for n, task in enumerate(tasks):
            if n and n % 500 == 0:
                report(n, total)
            out.append(function(state, task))
    else:
        size = chunk or max(1, -(-total // (workers * _CHUNKS_PER_JOB)))
        state[_FUNCTION] = function
        with _pool(state, workers, fresh=fresh_workers) as pool:
            for results in pool.imap(_run_chunk, _chunks(list(tasks), size)):
                out.extend(results)
                report(len(out), total)
    report(total, total)
    return out


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _run_chunk(chunk: list[Any]) -> list[Any]:
    """Worker side of :func:`map_ordered`: run one chunk with the inherited state."""
    function = _STATE[_FUNCTION]
    return [function(_STATE, task) for task in chunk]


def _double(state: dict[str, Any], task: int) -> int:
    """Example task of :func:`map_ordered`."""
    return state["factor"] * task


def _stop(pool: Any) -> None:
    """Stop a pool interrupted in the middle of its work, waiting at most :data:`_STOP_SECONDS`.

    A worker killed while it sends a result keeps the result queue's lock, and
    ``Pool.terminate`` then waits for it for good (the workers themselves are
    killed before that wait).
    """
    stopper = threading.Thread(target=pool.terminate, name="stop-pool", daemon=True)
    stopper.start()
    stopper.join(_STOP_SECONDS)


def _init_worker(state: dict[str, Any]) -> None:
    """Worker start-up without fork: receive the documents once."""
    _STATE.update(state)
    _exit_with_parent(os.getppid())


def _exit_with_parent(parent: int) -> None:
    """Worker start-up: leave as soon as the main process ``parent`` is gone.

    A main process that is killed (or interrupted while the pool renews a
    worker) leaves its workers behind: busy ones would finish their chunk,
    idle ones wait on the task queue's lock for good, each holding its copy
    of the corpus.
    """
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
