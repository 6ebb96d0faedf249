"""Tests of the source index (provenance.prepublish.index): schema, adds, replacement, lookups, crashes, concurrency."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import FURNITURE_HEAD, FURNITURE_TAIL, INDEPENDENT, WIRE, spin

from provenance.errors import ConfigError, InputError
from provenance.model import Article
from provenance.prepublish.check import MemoryIndex, check
from provenance.prepublish.index import (
    SCHEMA_VERSION,
    AddResult,
    Index,
    build_index,
    document_shingles,
    prepare_articles,
)

WORDS = sorted(set((WIRE + " " + INDEPENDENT).lower().replace(",", " ").replace(".", " ").split()))

# Adds a folder to an index, printing a line after each written step; with a tiny
# page cache SQLite spills the open transaction's pages into the WAL file early.
ADDER = """
import sys
from provenance.prepublish.index import Index
from provenance.stages.load import load_articles

db, folder = sys.argv[1], sys.argv[2]
articles = load_articles(folder).articles
with Index.open(db) as index:
    index._con.execute("PRAGMA cache_size=4")

    def progress(stage, done, total):
        if done:
            print("written", done, flush=True)

    result = index.add(articles, progress=progress)
print("done", result.added, flush=True)
"""


def _articles(n: int, seed: int = 0, words: int = 80) -> list[Article]:
    rng = random.Random(seed)
    return [Article(id=f"gen/{seed}-{i:05d}.txt", text=" ".join(rng.choice(WORDS) for _ in range(words)) + ".")
            for i in range(n)]


def _folder(path: Path, n: int, seed: int = 1) -> Path:
    path.mkdir()
    for article in _articles(n, seed):
        (path / Path(article.id).name).write_text(article.text, encoding="utf-8")
    return path


def _postings_rows(db: Path) -> int:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT count(*) FROM postings").fetchone()[0]


@pytest.fixture
def wire_db(tmp_path: Path) -> Path:
    db = tmp_path / "wire.sqlite"
    build_index([Article(id="wire.txt", text=WIRE, outlet="Reuters", title="Lane closed"),
                 Article(id="independent.txt", text=INDEPENDENT)], db)
    return db


# ----------------------------------------------------------------------------- creating and opening


def test_build_writes_documents_postings_and_meta(wire_db: Path) -> None:
    with Index.open(wire_db) as index:
        stats = index.stats()
        assert index.ids() == ["independent.txt", "wire.txt"]
    assert stats.documents == 2 and stats.schema_version == SCHEMA_VERSION
    assert stats.postings == _postings_rows(wire_db) > 0
    assert stats.size_bytes > 0 and stats.created <= stats.updated and stats.created.endswith("Z")
    with sqlite3.connect(wire_db) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        row = con.execute("SELECT title, outlet, credits, text FROM documents WHERE id = 'wire.txt'").fetchone()
    assert row == ("Lane closed", "Reuters", "[]", WIRE)
    assert not list(wire_db.parent.glob(".*building*"))


def test_create_refuses_an_existing_file(wire_db: Path) -> None:
    with pytest.raises(InputError, match="already exists"):
        Index.create(wire_db)


def test_build_refuses_an_existing_index_unless_forced(wire_db: Path) -> None:
    with pytest.raises(InputError, match="already exists"):
        build_index([Article(id="a.txt", text=WIRE)], wire_db)
    result = build_index([Article(id="a.txt", text=WIRE)], wire_db, force=True)
    assert result == AddResult(added=1)
    with Index.open(wire_db) as index:
        assert index.ids() == ["a.txt"]


@pytest.mark.parametrize(
    ("version", "message"),
    [("2", "schema version 2, newer than this provenance supports"),
     ("0", "unknown schema version '0'"),
     ("banana", "unknown schema version 'banana'")],
)
def test_other_schema_versions_are_refused(wire_db: Path, version: str, message: str) -> None:
    with sqlite3.connect(wire_db) as con:
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (version,))
    with pytest.raises(InputError, match=message):
        Index.open(wire_db)


def test_files_that_are_not_indexes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="index not found"):
        Index.open(tmp_path / "missing.sqlite")
    with pytest.raises(InputError, match="is a folder"):
        Index.open(tmp_path)
    text = tmp_path / "notes.sqlite"
    text.write_text("hello", encoding="utf-8")
    with pytest.raises(InputError, match="not an SQLite file"):
        Index.open(text)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE t (x)")
    with pytest.raises(InputError, match="not a provenance index"):
        Index.open(other)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"sample": 0}, r"'sample' parameter of Index.create must be an int in \[1, 64\]. Got 0"),
     ({"sample": "4"}, r"'sample' parameter of Index.create must be an int in \[1, 64\]"),
     ({"shingle_size": 9}, r"'shingle_size' parameter of Index.create must be an int in \[1, 8\]")],
)
def test_create_parameters_are_validated(tmp_path: Path, kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Index.create(tmp_path / "x.sqlite", **kwargs)
    assert not (tmp_path / "x.sqlite").exists()


def test_memory_index_and_add_parameters_are_validated(wire_db: Path) -> None:
    with pytest.raises(ConfigError, match=r"'sample' parameter of MemoryIndex must be an int in \[1, 64\]"):
        MemoryIndex([], sample=65)
    with Index.open(wire_db) as index, pytest.raises(ConfigError, match="'jobs' parameter of Index.add"):
        index.add([], jobs=0)


# ----------------------------------------------------------------------------- adding


def test_readding_the_same_documents_is_a_no_op(wire_db: Path) -> None:
    with Index.open(wire_db) as index:
        before = index.stats()
        result = index.add([Article(id="wire.txt", text=WIRE), Article(id="independent.txt", text=INDEPENDENT)])
        after = index.stats()
    assert result == AddResult(unchanged=2)
    assert (after.documents, after.postings) == (before.documents, before.postings)


def test_changed_text_replaces_the_document_with_a_warning(wire_db: Path) -> None:
    with sqlite3.connect(wire_db) as con:
        (old_key,) = con.execute("SELECT doc FROM documents WHERE id = 'wire.txt'").fetchone()
    spun = Article(id="wire.txt", text=spin(WIRE))
    with Index.open(wire_db) as index:
        result = index.add([spun, Article(id="new.txt", text=WIRE[:400])])
        stats = index.stats()
        assert result.added == 1 and result.replaced == 1 and result.unchanged == 0
        assert result.warnings == ["replaced 'wire.txt': its text changed since it was indexed"]
        assert index.ids() == ["independent.txt", "new.txt", "wire.txt"]
        expected = document_shingles(prepare_articles([spun])[0], 4, index.sample)
    with sqlite3.connect(wire_db) as con:
        assert con.execute("SELECT count(*) FROM postings WHERE doc = ?", (old_key,)).fetchone()[0] == 0
        (new_key, text) = con.execute("SELECT doc, text FROM documents WHERE id = 'wire.txt'").fetchone()
        stored = con.execute("SELECT shingle FROM postings WHERE doc = ? ORDER BY shingle", (new_key,)).fetchall()
    assert text == spun.text and new_key != old_key
    assert [s for (s,) in stored] == sorted(expected.tolist())
    assert stats.documents == 3 and stats.postings == _postings_rows(wire_db)


def test_duplicate_ids_in_one_add_are_refused(wire_db: Path) -> None:
    with Index.open(wire_db) as index, pytest.raises(InputError, match="duplicate id 'x.txt'"):
        index.add([Article(id="x.txt", text=WIRE), Article(id="x.txt", text=INDEPENDENT)])


def test_a_second_writer_gets_a_clear_busy_error(wire_db: Path) -> None:
    with Index.open(wire_db) as holder:
        holder._con.execute("BEGIN IMMEDIATE")
        with Index.open(wire_db, timeout=0.05) as other, pytest.raises(InputError, match="busy"):
            other.add([Article(id="y.txt", text=WIRE)])
        holder._con.execute("ROLLBACK")


def test_parallel_preparation_writes_the_same_index(tmp_path: Path) -> None:
    articles = _articles(1100, seed=3, words=30)
    build_index(articles, tmp_path / "one.sqlite", jobs=1)
    build_index(articles, tmp_path / "two.sqlite", jobs=2)
    queries = {}
    for name in ("one", "two"):
        with sqlite3.connect(tmp_path / f"{name}.sqlite") as con:
            queries[name] = (con.execute("SELECT id, doc, shingles FROM documents ORDER BY doc").fetchall(),
                             con.execute("SELECT shingle, doc FROM postings").fetchall())
    assert queries["one"] == queries["two"]


def test_documents_come_back_exactly_as_prepared(tmp_path: Path) -> None:
    text = (FURNITURE_HEAD + "Published: 2024-03-01T10:22:00Z\nBy Jane Smith\nPORT ELSBY (Reuters) - " + WIRE
            + FURNITURE_TAIL)
    articles = [Article(id="a.txt", text=text, title="T", outlet="Courier"), Article(id="b.txt", text=WIRE),
                Article(id="c.txt", text="Updated 1 March 2024, 09:00 GMT\n\n" + WIRE)]
    db = tmp_path / "x.sqlite"
    build_index(articles, db)
    expected = prepare_articles(articles)
    with sqlite3.connect(db) as con:
        keys = [k for (k,) in con.execute("SELECT doc FROM documents ORDER BY id")]
    for stale in (False, True):
        if stale:  # prepared by another version: prepared again from the text
            with sqlite3.connect(db) as con:
                con.execute("UPDATE meta SET value = 'other' WHERE key = 'prepared_by'")
        with Index.open(db) as index:
            got = index.documents(keys)
        for mine, theirs in zip(got, expected, strict=True):
            assert mine.article == theirs.article
            assert mine.tokens.words == theirs.tokens.words
            assert np.array_equal(mine.tokens.starts, theirs.tokens.starts)
            assert np.array_equal(mine.tokens.ends, theirs.tokens.ends)
            assert np.array_equal(mine.content, theirs.content)
            assert (mine.boilerplate, mine.credits, mine.bylines, mine.fingerprint) == (
                theirs.boilerplate, theirs.credits, theirs.bylines, theirs.fingerprint)
    assert expected[0].credits == ("Reuters",) and expected[0].bylines == ("Jane Smith",)
    assert expected[0].article.published == "2024-03-01T10:22:00" and expected[0].boilerplate
    assert expected[2].article.updated == "2024-03-01T09:00:00" and expected[2].article.published is None


# ----------------------------------------------------------------------------- lookups


def test_lookup_ranks_by_shared_shingles_and_drops_common_ones(tmp_path: Path) -> None:
    stock = "the harbour master said in a statement issued late on the evening of the storm"
    articles = [Article(id=f"n{i}.txt", text=f"{stock}. " + a.text) for i, a in enumerate(_articles(6, seed=5))]
    articles.append(Article(id="wire.txt", text=WIRE))
    memory = MemoryIndex(articles)
    db = tmp_path / "x.sqlite"
    build_index(articles, db, sample=1)
    draft = prepare_articles([Article(id="d", text=stock + ". " + WIRE)])[0]
    query = document_shingles(draft, 4, 1)
    with Index.open(db) as index:
        for source in (index, memory):
            hits = source.lookup(query, max_df=100, min_shared=1, limit=10)
            docs = [d.id for d in source.documents([k for k, _ in hits])]
            assert docs[0] == "wire.txt" and len(docs) == 7
            counts = [n for _, n in hits]
            assert counts == sorted(counts, reverse=True)
            rare = source.lookup(query, max_df=5, min_shared=1, limit=10)  # the stock phrase is in 6
            assert [d.id for d in source.documents([k for k, _ in rare])] == ["wire.txt"]
            assert [(d.id, n) for d, n in source.find(query, max_df=5, min_shared=1, limit=10)] == [
                ("wire.txt", rare[0][1])]
            assert source.lookup(query, max_df=100, min_shared=1, limit=2) == hits[:2]
            assert source.lookup(query, max_df=100, min_shared=10_000, limit=10) == []
            assert source.lookup(np.empty(0, dtype=np.int64), max_df=100, min_shared=1, limit=10) == []


def test_sampling_keeps_one_shingle_in_n() -> None:
    doc = prepare_articles([Article(id="w", text=WIRE * 3)])[0]
    every = document_shingles(doc, 4, 1)
    some = document_shingles(doc, 4, 4)
    assert set(some) <= set(every) and 0.1 < len(some) / len(every) < 0.45
    assert np.all(every.view(np.uint64) % np.uint64(1) == 0)
    assert np.all(some.view(np.uint64) % np.uint64(4) == 0)


# ----------------------------------------------------------------------------- crashes and concurrency


def _spawn_adder(db: Path, folder: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", ADDER, str(db), str(folder)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_kill_during_add_leaves_the_index_as_it_was(wire_db: Path, tmp_path: Path) -> None:
    with Index.open(wire_db) as index:
        ids_before, stats_before = index.ids(), index.stats()
    folder = _folder(tmp_path / "big", 1200)
    adder = _spawn_adder(wire_db, folder)
    try:
        line = adder.stdout.readline()
        assert line.startswith("written"), (adder.wait(timeout=60), adder.stderr.read())
        wal = Path(f"{wire_db}-wal")
        assert wal.stat().st_size > 64 * 1024  # the open transaction's pages are on disk
        adder.send_signal(signal.SIGKILL)
    finally:
        adder.wait(timeout=60)
        adder.stdout.close()
        adder.stderr.close()
    assert adder.returncode == -signal.SIGKILL
    with Index.open(wire_db) as index:
        assert index.ids() == ids_before
        stats = index.stats()
        assert (stats.documents, stats.postings) == (stats_before.documents, stats_before.postings)
        assert stats.postings == _postings_rows(wire_db)
        assert index._con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert index.add([Article(id="after.txt", text=INDEPENDENT[:300])]).added == 1


def test_kill_during_build_leaves_no_index(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "big", 1200)
    db = tmp_path / "new.sqlite"
    code = ("import sys\nfrom provenance.prepublish.index import build_index\nfrom provenance.stages.load import load_articles\n"
            "build_index(load_articles(sys.argv[2]).articles, sys.argv[1],"
            " progress=lambda s, d, t: d and print('written', d, flush=True))\n")
    builder = subprocess.Popen([sys.executable, "-c", code, str(db), str(folder)], stdout=subprocess.PIPE, text=True)
    try:
        assert builder.stdout.readline().startswith("written")
        builder.send_signal(signal.SIGKILL)
    finally:
        builder.wait(timeout=60)
        builder.stdout.close()
    assert not db.exists()


def test_readers_keep_working_while_a_writer_adds(wire_db: Path, tmp_path: Path) -> None:
    folder = _folder(tmp_path / "big", 1500)
    draft = Article(id="draft.txt", text=WIRE)
    adder = _spawn_adder(wire_db, folder)
    reads = 0
    try:
        assert adder.stdout.readline().startswith("written")
        with Index.open(wire_db) as index:
            while adder.poll() is None:
                source = index if reads % 2 else wire_db  # an open index, or a fresh open per check
                result = check(draft, source)
                assert result.verdict == "uncredited-copy" and result.sources[0].id == "wire.txt"
                reads += 1
        out, err = adder.communicate(timeout=120)
    finally:
        if adder.poll() is None:
            adder.kill()
            adder.wait()
    assert adder.returncode == 0, err
    assert "done 1500" in out and reads >= 1
    with Index.open(wire_db) as index:
        assert index.stats().documents == 1502
        assert check(draft, index).sources[0].id == "wire.txt"
