"""Work on several cores: the per-document, per-pair and per-family parts of a trace.

:func:`map_ordered` runs one function over many independent tasks in a pool
of worker processes.  With the ``fork`` start method (Linux, and where else it
is available) the workers inherit everything the tasks need (the documents,
the pairs) from the parent: nothing but the tasks is sent to a worker, and
only the results come back.  Elsewhere each worker gets that state pickled
once, when it starts.  Results are collected in submission order, so every
caller gets exactly what the serial run (``jobs=1``) gives, order included.

:func:`assess_pairs` is the stage 5-6 driver on top of it: alignment
dominates the run time of a trace once candidates are found, and pairs are
independent, so they are spread over the workers in chunks.
"""

from __future__ import annotations

import dataclasses
import gc
import importlib
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from ..errors import ConfigError
from ..model import Alignment, Document, Edge, Family, Latent
from ..stages.align import Aligner
from ..stages.direction import DirectionModel, PairEvidence, assess_pair, is_copy

__all__ = ["assess_pairs", "build_lineage_by_family", "map_ordered", "resolve_jobs", "CHUNK_PAIRS_DEFAULT"]

Progress = Callable[[str, int, int], None]
Task = TypeVar("Task")
Result = TypeVar("Result")
Assessed = dict[tuple[int, int], tuple[PairEvidence, Alignment]]

#: Most pairs per task sent to a worker; smaller chunks balance the load,
#: larger ones cost less in messages.
CHUNK_PAIRS_DEFAULT = 256
# Fewer pairs than this are assessed in this process: starting workers would cost more.
_PARALLEL_MIN_PAIRS = 64
# Chunks per worker aimed at, so that a slow chunk cannot leave the others idle.
_CHUNKS_PER_JOB = 8
# Everything a worker needs, set in the parent before the pool forks (or by the
# initializer under other start methods).  Never pickled per task.
_STATE: dict[str, Any] = {}
# The function map_ordered runs in the workers (set beside the state).
_FUNCTION = "_function"


def resolve_jobs(jobs: int) -> int:
    """Number of worker processes for ``jobs`` (0 means one per available core).

    Parameters
    ----------
    jobs : int
        Requested processes; 0 for every core this process may run on.

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
        raise ConfigError(f"The 'jobs' parameter of assess_pairs must be an int >= 0. Got {jobs!r} instead.")
    if jobs:
        return jobs
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def assess_pairs(
    documents: Sequence[Document],
    index_pairs: Sequence[tuple[int, int]],
    *,
    aligner: Aligner,
    direction_model: DirectionModel | None,
    min_link_words: int,
    min_link_share: float,
    jobs: int = 1,
    progress: Progress | None = None,
    chunk_pairs: int = CHUNK_PAIRS_DEFAULT,
    linked_only: bool = False,
) -> Assessed:
    """Align and assess each pair ``(i, j)`` of document indices.

    Parameters
    ----------
    documents : sequence of Document
        The corpus.
    index_pairs : sequence of (int, int)
        Pairs of indices into ``documents``.
    aligner : Aligner
        Aligns one pair.
    direction_model : DirectionModel or None
        Direction signal weights (None for the shipped fit).
    min_link_words, min_link_share
        Link thresholds passed to :func:`~provenance.stages.direction.assess_pair`.
    jobs : int, default=1
        Worker processes: 1 works in this process, 0 uses every available
        core.  Results do not depend on it.
    progress : callable, optional
        Called as ``progress("align", done, total)``.
    chunk_pairs : int, default=256
        Most pairs per task sent to a worker.
    linked_only : bool, default=False
        Keep only the pairs found to be linked.  Most candidate pairs are
        not, and their alignments are what fills memory and what workers
        would send back.

    Returns
    -------
    dict (i, j) -> (PairEvidence, Alignment)
        In the order of ``index_pairs`` (a repeated pair keeps its first place).

    Raises
    ------
    ConfigError
        If ``jobs`` is not an int >= 0 or ``chunk_pairs`` not an int >= 1.
    """
    workers = resolve_jobs(jobs)
    if not isinstance(chunk_pairs, int) or isinstance(chunk_pairs, bool) or chunk_pairs < 1:
        raise ConfigError(
            f"The 'chunk_pairs' parameter of assess_pairs must be an int >= 1. Got {chunk_pairs!r} instead."
        )
    report = progress or (lambda stage, done, total: None)
    pairs = [(int(i), int(j)) for i, j in index_pairs]
    total = len(pairs)
    if total:
        _import_wordfreq()
    report("align", 0, total)
    state = {"documents": documents, "aligner": aligner, "model": direction_model,
             "min_link_words": min_link_words, "min_link_share": min_link_share, "linked_only": bool(linked_only)}
    if workers == 1 or total < _PARALLEL_MIN_PAIRS:
        out = _assess_serial(state, pairs, report, total)
    else:
        out = _assess_parallel(state, pairs, report, total, workers, chunk_pairs)
    report("align", total, total)
    return out


def _import_wordfreq() -> None:
    """Import wordfreq (the direction signals' word frequencies) from a fresh thread, and wait for it.

    At import, wordfreq finds its data folder with ``inspect.stack()``, which
    reads the source of every calling frame: 0.2 s from deep inside a trace,
    nothing from a new thread's short stack.  Done before any fork, so the
    workers inherit the module.
    """
    if "wordfreq" not in sys.modules:
        thread = threading.Thread(target=importlib.import_module, args=("wordfreq",), daemon=True)
        thread.start()
        thread.join()


def _assess_one(state: dict[str, Any], i: int, j: int) -> tuple[PairEvidence, Alignment] | None:
    """Evidence and alignment of one pair; None when it is unlinked and only linked pairs are kept."""
    documents = state["documents"]
    al = state["aligner"].align(documents[i], documents[j], i, j)
    # Most candidate pairs are not copies: when only links are kept, the
    # link test (assess_pair's own) decides before the evidence is assembled.
    if state["linked_only"] and not is_copy(documents[i], al, min_link_words=state["min_link_words"],
                                            min_link_share=state["min_link_share"]):
        return None
    ev = assess_pair(documents[i], documents[j], al, model=state["model"],
                     min_link_words=state["min_link_words"], min_link_share=state["min_link_share"])
    if state["linked_only"] and not ev.linked:
        return None
    return ev, al


def _assess_serial(state: dict[str, Any], pairs: list[tuple[int, int]], report: Progress, total: int) -> Assessed:
    out: Assessed = {}
    skipped: set[tuple[int, int]] = set()
    for n, (i, j) in enumerate(pairs):
        if n and n % 500 == 0:
            report("align", n, total)
        if (i, j) not in out and (i, j) not in skipped:
            result = _assess_one(state, i, j)
            if result is None:
                skipped.add((i, j))
            else:
                out[(i, j)] = result
    return out


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _assess_parallel(state: dict[str, Any], pairs: list[tuple[int, int]], report: Progress, total: int,
                     workers: int, chunk_pairs: int) -> Assessed:
    size = max(1, min(chunk_pairs, -(-total // (workers * _CHUNKS_PER_JOB))))
    out: Assessed = {}
    done = 0
    with _pool(state, workers) as pool:
        for chunk, results in zip(_chunks(pairs, size), pool.imap(_assess_chunk, _chunks(pairs, size)),
                                  strict=True):
            for key, value in zip(chunk, results, strict=True):
                if value is not None:
                    out.setdefault(key, value)
            done += len(chunk)
            report("align", done, total)
    return out


@contextmanager
def _pool(state: dict[str, Any], workers: int) -> Iterator[Any]:
    """A pool of ``workers`` processes that see ``state`` as ``_STATE`` (inherited when forked)."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods:
        context = multiprocessing.get_context("fork")
        initializer, initargs = None, ()
        _STATE.update(state)
        # Objects that exist before the fork are never scanned by the workers'
        # collector, so their pages stay shared instead of being copied.
        gc.freeze()
    else:  # Windows, or a Python without fork
        context = multiprocessing.get_context(methods[0])
        initializer, initargs = _init_worker, (state,)
    try:
        with context.Pool(workers, initializer=initializer, initargs=initargs) as pool:
            yield pool
    finally:
        _STATE.clear()
        if "fork" in methods:
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
        with _pool(state, workers) as pool:
            for results in pool.imap(_run_chunk, _chunks(list(tasks), size)):
                out.extend(results)
                report(len(out), total)
    report(total, total)
    return out


def _run_chunk(chunk: list[Any]) -> list[Any]:
    """Worker side of :func:`map_ordered`: run one chunk with the inherited state."""
    function = _STATE[_FUNCTION]
    return [function(_STATE, task) for task in chunk]


def build_lineage_by_family(
    documents: Sequence[Document],
    pairs: Assessed,
    *,
    model: Any = None,
    jobs: int = 1,
    progress: Progress | None = None,
) -> tuple[list[Edge], list[Latent], list[Family]]:
    """:func:`~provenance.stages.lineage.build_lineage`, one family per task on ``jobs`` worker processes.

    A family's tree depends on its own members' pairs only, so each family is
    built alone (its latent sources numbered from 1) and the results are
    numbered in :func:`~provenance.stages.lineage.build_lineage`'s order afterwards
    (largest family first, then by content): the result is the same.

    Parameters
    ----------
    documents : sequence of Document
        The corpus, indexed as in ``pairs``.
    pairs : dict (i, j) -> (PairEvidence, Alignment)
        Every aligned pair.
    model : EdgeModel, optional
        The edge model; the shipped fit by default.
    jobs : int, default=1
        Worker processes (0: every core).
    progress : callable, optional
        Called as ``progress("lineage", done, total)``, counting families.

    Returns
    -------
    edges, latent, families
        As :func:`~provenance.stages.lineage.build_lineage` returns them.
    """
    import networkx as nx

    from ..stages.edge_model import EdgeModel
    from ..stages.lineage import build_lineage

    report = progress or (lambda stage, done, total: None)
    model = model or EdgeModel.load()
    workers = resolve_jobs(jobs)
    links = nx.Graph((i, j) for (i, j), (ev, _) in pairs.items() if ev.linked)
    key = [d.fingerprint + d.id for d in documents]
    components = sorted((sorted(c, key=key.__getitem__) for c in nx.connected_components(links)),
                        key=lambda c: (-len(c), key[c[0]]))
    label = {m: n for n, members in enumerate(components) for m in members}
    inside: list[list[tuple[int, int]]] = [[] for _ in components]
    for i, j in pairs:
        family = label.get(i)
        if family is not None and family == label.get(j):
            inside[family].append((i, j))
    if workers == 1 or len(components) < 2 or sum(map(len, inside)) < _PARALLEL_MIN_PAIRS:
        report("lineage", 0, len(components))
        out = build_lineage(documents, pairs, model=model)
        report("lineage", len(components), len(components))
        return out
    state = {"documents": documents, "pairs": pairs, "inside": inside, "model": model}
    built = map_ordered(_family_task, range(len(components)), state=state, jobs=workers,
                        progress=lambda done, total: report("lineage", done, total))
    edges: list[Edge] = []
    latent: list[Latent] = []
    families: list[Family] = []
    for fam_edges, fam_latent, (family,) in built:
        renamed = {lat.id: f"~source-{len(latent) + n}" for n, lat in enumerate(fam_latent, start=1)}
        latent.extend(dataclasses.replace(lat, id=renamed[lat.id]) for lat in fam_latent)
        edges.extend(dataclasses.replace(e, parent=renamed.get(e.parent, e.parent), child=renamed.get(e.child, e.child))
                     for e in fam_edges)
        families.append(dataclasses.replace(family, id=f"family-{len(families) + 1}",
                                            root=renamed.get(family.root, family.root)))
    edges.sort(key=lambda e: (e.parent, e.child))
    return edges, latent, families


def _family_task(state: dict[str, Any], family: int) -> tuple[list[Edge], list[Latent], list[Family]]:
    """Worker side of :func:`build_lineage_by_family`: the lineage of one family alone.

    The family's documents are renumbered 0..m-1 (in corpus order, so each
    pair keeps i < j), so the work grows with the family, not the corpus.
    """
    from ..stages.lineage import build_lineage

    documents, pairs, inside = state["documents"], state["pairs"], state["inside"][family]
    members = sorted({m for pair in inside for m in pair})
    local = {g: k for k, g in enumerate(members)}
    renumbered = {}
    for i, j in inside:
        ev, al = pairs[(i, j)]
        a, b = local[i], local[j]
        renumbered[(a, b)] = (dataclasses.replace(ev, a=a, b=b), dataclasses.replace(al, a=a, b=b))
    return build_lineage([documents[m] for m in members], renumbered, model=state["model"])


def _double(state: dict[str, Any], task: int) -> int:
    """Example task of :func:`map_ordered`."""
    return state["factor"] * task


def _init_worker(state: dict[str, Any]) -> None:
    """Worker start-up without fork: receive the documents once."""
    _STATE.update(state)


def _assess_chunk(chunk: list[tuple[int, int]]) -> list[tuple[PairEvidence, Alignment] | None]:
    """Worker side: assess one chunk with the inherited state."""
    return [_assess_one(_STATE, i, j) for i, j in chunk]
