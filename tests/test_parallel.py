"""Tests for provenance.engines.parallel: several cores give exactly the one-core result."""

from __future__ import annotations

import ast
import dataclasses
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from syndicated import synthetic_corpus

from provenance import pipeline
from provenance.engines import parallel
from provenance.engines.parallel import resolve_jobs
from provenance.errors import ConfigError
from provenance.pipeline import assess_pairs, prepare_documents, trace_articles
from provenance.stages import align
from provenance.stages.align import Aligner
from provenance.stages.candidates import find_candidates

LINK = {"min_link_words": 25, "min_link_share": 0.15}


@pytest.fixture(scope="module")
def corpus():
    """Documents and their candidate pairs, plus every pair of the first 30 documents (many unlinked)."""
    documents = prepare_documents(synthetic_corpus(n_families=10, n_independent=10, seed=3))
    documents.sort(key=lambda d: (d.fingerprint, d.id))
    pairs = [(c.a, c.b) for c in find_candidates(documents)]
    pairs += [(i, j) for i in range(30) for j in range(i + 1, 30) if (i, j) not in set(pairs)]
    return documents, pairs


def _same(x, y) -> None:
    assert list(x) == list(y)
    for key in x:
        (ev_x, al_x), (ev_y, al_y) = x[key], y[key]
        assert ev_x == ev_y
        assert np.array_equal(al_x.a_match, al_y.a_match) and np.array_equal(al_x.b_match, al_y.b_match)
        assert (al_x.passages, al_x.substitutions, al_x.shared_words) == (
            al_y.passages, al_y.substitutions, al_y.shared_words)


@pytest.mark.parametrize("chunk_pairs", [1, 7, 256])
def test_two_jobs_give_the_serial_result_in_the_same_order(corpus, chunk_pairs):
    documents, pairs = corpus
    serial = assess_pairs(documents, pairs, aligner=Aligner(), direction_model=None, **LINK)
    forked = assess_pairs(documents, pairs, aligner=Aligner(), direction_model=None, jobs=2,
                          chunk_pairs=chunk_pairs, **LINK)
    assert len(serial) == len(pairs) > pipeline._PARALLEL_MIN_PAIRS
    _same(serial, forked)


def test_linked_only_keeps_the_linked_pairs_with_the_same_evidence(corpus):
    documents, pairs = corpus
    every = assess_pairs(documents, pairs, aligner=Aligner(), direction_model=None, **LINK)
    for jobs in (1, 2):
        linked = assess_pairs(documents, pairs, aligner=Aligner(), direction_model=None, jobs=jobs,
                              linked_only=True, **LINK)
        assert 0 < len(linked) < len(every)
        _same(linked, {k: v for k, v in every.items() if v[0].linked})


def test_repeated_pairs_are_assessed_once(corpus):
    documents, pairs = corpus
    doubled = pairs[:40] + pairs[:40]
    out = assess_pairs(documents, doubled, aligner=Aligner(), direction_model=None, jobs=2, chunk_pairs=5, **LINK)
    assert list(out) == pairs[:40]


def test_without_fork_workers_get_the_documents_once_and_agree(corpus, monkeypatch):
    documents, pairs = corpus
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    subset = pairs[:pipeline._PARALLEL_MIN_PAIRS + 10]
    serial = assess_pairs(documents, subset, aligner=Aligner(), direction_model=None, **LINK)
    spawned = assess_pairs(documents, subset, aligner=Aligner(), direction_model=None, jobs=2, **LINK)
    _same(serial, spawned)


def test_progress_reports_align_up_to_the_total(corpus):
    documents, pairs = corpus
    seen = []
    assess_pairs(documents, pairs, aligner=Aligner(), direction_model=None, jobs=2, chunk_pairs=50,
                 progress=lambda stage, done, total: seen.append((stage, done, total)), **LINK)
    assert {stage for stage, _, _ in seen} == {"align"}
    assert seen[0][1] == 0 and seen[-1] == ("align", len(pairs), len(pairs))
    assert [done for _, done, _ in seen] == sorted(done for _, done, _ in seen)


def test_trace_with_two_jobs_equals_one_job(monkeypatch):
    monkeypatch.setattr(pipeline, "_PARALLEL_MIN_PAIRS", 2)
    articles = synthetic_corpus(n_families=8, n_independent=6, seed=11)
    one = trace_articles(articles, jobs=1).to_json()
    two = trace_articles(articles, jobs=2).to_json()
    assert one == two
    assert one["families"]


def test_resolve_jobs():
    assert resolve_jobs(1) == 1
    assert resolve_jobs(5) == 5
    assert resolve_jobs(0) >= 1


@pytest.mark.parametrize("jobs", [-1, 1.5, "2", True, None])
def test_jobs_must_be_an_int_at_least_zero(corpus, jobs):
    documents, pairs = corpus
    with pytest.raises(ConfigError, match=r"The 'jobs' parameter of assess_pairs must be an int >= 0\. Got"):
        assess_pairs(documents, pairs[:2], aligner=Aligner(), direction_model=None, jobs=jobs, **LINK)


@pytest.mark.parametrize("chunk_pairs", [0, -3, 2.0])
def test_chunk_pairs_must_be_a_positive_int(corpus, chunk_pairs):
    documents, pairs = corpus
    with pytest.raises(ConfigError, match=r"The 'chunk_pairs' parameter of assess_pairs must be an int >= 1"):
        assess_pairs(documents, pairs[:2], aligner=Aligner(), direction_model=None, chunk_pairs=chunk_pairs,
                     **LINK)


def test_empty_input_gives_an_empty_result(corpus):
    documents, _ = corpus
    assert assess_pairs(documents, [], aligner=Aligner(), direction_model=None, jobs=2, **LINK) == {}


def _square_plus(state, task):
    return task * task + state["plus"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_map_ordered_keeps_the_order_and_reports_progress(jobs):
    seen = []
    out = parallel.map_ordered(_square_plus, list(range(50)), state={"plus": 1}, jobs=jobs, chunk=7,
                               progress=lambda done, total: seen.append((done, total)))
    assert out == [t * t + 1 for t in range(50)]
    assert seen[0] == (0, 50) and seen[-1] == (50, 50)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert not parallel._STATE


def _pid_of(state, task):
    import os

    return task + state["plus"], os.getpid()


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs the fork start method")
def test_fresh_workers_run_each_chunk_in_a_new_process_with_the_same_results():
    fresh = parallel.map_ordered(_pid_of, list(range(12)), state={"plus": 1}, jobs=2, chunk=3, fresh_workers=1)
    kept = parallel.map_ordered(_pid_of, list(range(12)), state={"plus": 1}, jobs=2, chunk=3)
    assert [out for out, _ in fresh] == [out for out, _ in kept] == [t + 1 for t in range(12)]
    chunks = [{pid for _, pid in fresh[k:k + 3]} for k in range(0, 12, 3)]
    # One process per chunk, a different one for every chunk; kept workers serve several chunks.
    assert all(len(c) == 1 for c in chunks) and len(set().union(*chunks)) == 4
    assert len({pid for _, pid in kept}) <= 2
    assert not parallel._STATE


@pytest.mark.skipif(not parallel.forks_workers(), reason="needs the fork start method")
def test_forked_assessment_works_out_the_word_codes_of_the_paired_documents_only_before_forking(corpus):
    documents, pairs = corpus
    # New objects, so nothing is cached for them yet; documents 30 and after are in none of these pairs.
    fresh = [dataclasses.replace(d) for d in documents]
    first = [(i, j) for i, j in pairs if j < 30]
    assert len(first) >= pipeline._PARALLEL_MIN_PAIRS and len(fresh) > 30
    _same(assess_pairs(documents, first, aligner=Aligner(), direction_model=None, **LINK),
          assess_pairs(fresh, first, aligner=Aligner(), direction_model=None, jobs=2, **LINK))
    # The workers' own caches die with them: what this process holds was worked out here.
    assert all(d in align._TEXTS for d in fresh[:30]) and not any(d in align._TEXTS for d in fresh[30:])


@pytest.mark.parametrize("fresh", [-1, 1.5, True])
def test_fresh_workers_must_be_an_int_at_least_zero(fresh):
    with pytest.raises(ConfigError, match="fresh_workers"):
        parallel.map_ordered(_square_plus, [1, 2], state={"plus": 1}, jobs=2, fresh_workers=fresh)


def test_the_executor_knows_no_stage():
    source = Path(parallel.__file__).read_text(encoding="utf-8")
    imported = {node.module for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.ImportFrom) and node.level > 0}
    assert imported == {"errors"}


# ----------------------------------------------------------------------------- pairs skipped for memory


def _short_of_memory(monkeypatch, doomed: set[str]) -> None:
    """Aligning a pair with a document in ``doomed`` raises MemoryError (inherited by forked workers)."""
    real = Aligner._align

    def align(self, doc_a, doc_b, a, b):
        if {doc_a.id, doc_b.id} & doomed:
            raise MemoryError
        return real(self, doc_a, doc_b, a, b)

    monkeypatch.setattr(Aligner, "_align", align)


@pytest.mark.parametrize("jobs", [1, 2])
def test_pairs_skipped_for_memory_are_counted_across_workers(corpus, monkeypatch, jobs):
    documents, pairs = corpus
    doomed = {documents[0].id, documents[5].id}
    expected = {(i, j) for i, j in pairs if {documents[i].id, documents[j].id} & doomed}
    _short_of_memory(monkeypatch, doomed)
    for linked_only in (True, False):
        skipped: set[tuple[int, int]] = set()
        assess_pairs(documents, pairs, aligner=Aligner(), direction_model=None, jobs=jobs, chunk_pairs=7,
                     linked_only=linked_only, skipped=skipped, **LINK)
        assert skipped == expected


def test_a_trace_with_pairs_skipped_for_memory_warns_once(corpus, monkeypatch, tmp_path):
    from click.testing import CliRunner
    from conftest import SEEDS

    from provenance.cli import cli

    doomed = {"001_0aaa2a31d96aaafb.txt"}
    attempted = set()
    real = Aligner._align

    def align(self, doc_a, doc_b, a, b):
        if {doc_a.id, doc_b.id} & doomed:
            attempted.add(frozenset((doc_a.id, doc_b.id)))
            raise MemoryError
        return real(self, doc_a, doc_b, a, b)

    monkeypatch.setattr(Aligner, "_align", align)
    lineage = pipeline.trace(SEEDS, jobs=1)
    assert len(attempted) >= 2  # a candidate pair and the pairs completing its family, each counted once
    assert lineage.warnings == [pipeline.skipped_pairs_warning(len(attempted))]
    assert lineage.warnings[0].startswith(f"skipped {len(attempted)} pairs of documents: not enough memory")
    result = CliRunner().invoke(cli, [str(SEEDS), "-q", "-o", str(tmp_path / "out.txt")])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [f"warning: {lineage.warnings[0]}"]
    excluding = CliRunner().invoke(cli, [str(SEEDS), "-q", "-o", str(tmp_path / "out.txt"), "--exclude", "x*"])
    assert excluding.stderr.splitlines() == ["warning: excluded 0 documents matching x*",
                                             f"warning: {lineage.warnings[0]}"]


def test_the_spark_executor_flags_pairs_skipped_for_memory(corpus, monkeypatch):
    pytest.importorskip("pyspark", reason="the Spark engine needs pyspark")
    from provenance.engines.spark_engine import _assess_linked

    documents, _ = corpus
    _short_of_memory(monkeypatch, {documents[2].id})
    opts = pipeline.TraceOptions()
    flags = _assess_linked((0, ([documents[0]], [(1, documents[1]), (2, documents[2])])), opts)
    assert [(a, b, skipped) for a, b, _, skipped in flags] == [(0, 1, False), (0, 2, True)]


def test_ctrl_c_while_the_pool_forks_arrives_after_it():
    # Raised inside a fork's callbacks, KeyboardInterrupt would be ignored and the run go on.
    import os
    import signal
    import time

    from provenance.engines import parallel

    reached = False
    # Python's own Ctrl-C handler (an earlier test's library may have put another in its place).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            with parallel._no_interrupt_while_forking():
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.05)  # a Ctrl-C not held back would be raised here
                reached = True
    finally:
        signal.signal(signal.SIGINT, previous)
    assert reached
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, set())


def test_frozen_heap_leaves_a_programs_own_frozen_objects_frozen():
    import gc

    from provenance.engines.parallel import frozen_heap

    assert gc.get_freeze_count() == 0
    with frozen_heap():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with frozen_heap():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def _gone(pid: int) -> bool:
    """Whether process ``pid`` has ended (a zombie waiting for its new parent to reap it has)."""
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return True


@pytest.mark.skipif(not Path("/proc/self/status").exists() or "fork" not in multiprocessing.get_all_start_methods(),
                    reason="reads process states from /proc")
def test_workers_leave_when_the_main_process_is_killed(tmp_path):
    # Killed (or interrupted while the pool renews a worker), a main process left its workers
    # behind: a busy one finished its chunk, an idle one waited on the task queue for good.
    script = tmp_path / "run.py"
    script.write_text(
        "import os, sys, time\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})\n"
        "from provenance.engines.parallel import map_ordered\n"
        "def work(state, task):\n"
        f"    open(os.path.join({str(tmp_path)!r}, f'worker-{{os.getpid()}}'), 'w').close()\n"
        "    time.sleep(120)\n"
        "    return task\n"
        "map_ordered(work, list(range(4)), jobs=2, chunk=1)\n")
    main = subprocess.Popen([sys.executable, str(script)])
    try:
        deadline = time.monotonic() + 60
        while len(list(tmp_path.glob("worker-*"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = [int(path.name.split("-")[1]) for path in tmp_path.glob("worker-*")]
        assert len(workers) == 2
    finally:
        main.kill()
        main.wait()
    deadline = time.monotonic() + 10
    while not all(map(_gone, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in workers if not _gone(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left


def test_an_interrupted_pool_that_does_not_stop_is_not_waited_for(monkeypatch):
    # A worker killed while sending a result keeps the result queue's lock: Pool.terminate then
    # waits for good, and an interrupted trace hung instead of exiting.
    import threading

    monkeypatch.setattr(parallel, "_STOP_SECONDS", 0.1)
    release = threading.Event()

    class StuckPool:
        def terminate(self) -> None:
            release.wait()

    try:
        parallel._stop(StuckPool())  # returns
    finally:
        release.set()


def test_an_error_in_a_task_stops_the_pool_and_reaches_the_caller():
    with pytest.raises(ZeroDivisionError):
        parallel.map_ordered(_divide, [1, 0, 2, 3], jobs=2, chunk=1)


def _divide(state, task):
    return 1 / task
