"""Source index for ``trace check``: Articles -> an SQLite file of documents and shingle postings.

The index keeps what :func:`provenance.prepublish.check.check` needs to find and re-read
the sources of a draft quickly: each document's original text and metadata,
and postings from word 4-gram shingles of its content words (boilerplate
excluded, the stable hashes of :mod:`provenance.stages.shingles`) to the documents
holding them.  Documents are prepared by the shared stages (normalise, then
the built-in boilerplate and credit patterns), exactly as drafts are.

One SQLite file (standard library ``sqlite3``) in WAL mode:

* ``meta(key, value)``: ``schema_version``, ``created``, ``updated``, the
  shingle size and sampling rate, document and posting counts;
* ``documents``: integer key, id, title, outlet, credits, bylines, date, url,
  path, text hash, content words, the sampled shingles, text;
* ``postings(shingle, doc)`` WITHOUT ROWID, primary key (shingle, doc): one
  B-tree seek per draft shingle.  Only shingles whose hash is a multiple of
  ``sample`` are stored (1 in 4 by default), for drafts and sources alike: a
  copied 50-word passage still shares about 12 of them, and the index stays
  a quarter of the size.

Every :meth:`Index.add` is one transaction: a process killed during an add
leaves the index as it was, and readers keep reading the last committed
state meanwhile (WAL).  Re-adding a document with the same id and text is a
no-op; the same id with a different text replaces the old document, with a
warning.  :class:`provenance.prepublish.check.MemoryIndex` answers the same lookups
for a folder compared without an index file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sqlite3
import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..errors import ConfigError, InputError
from ..model import Article, Document, Span, Tokens
from ..stages.align import content_hashes
from ..stages.boilerplate import BoilerplateRemover
from ..stages.credit import agencies_named
from ..stages.normalise import tokenize_corpus
from ..stages.shingles import SHINGLE_SIZE_DEFAULT, shingle_hashes

__all__ = [
    "Index",
    "IndexStats",
    "AddResult",
    "build_index",
    "prepare_articles",
    "document_shingles",
    "SCHEMA_VERSION",
    "SAMPLE_DEFAULT",
    "BUSY_TIMEOUT_DEFAULT",
]

#: Layout version written to ``meta``; an index with another version is refused.
SCHEMA_VERSION = 1
#: Keep 1 shingle in this many (by hash value) in the postings.
SAMPLE_DEFAULT = 4
#: Seconds a writer waits for another writer before giving up.
BUSY_TIMEOUT_DEFAULT = 30.0
# Articles prepared and written per step of an add (progress is reported per step).
_BATCH = 500
# Postings buffered before one sorted insert (sorted inserts fill B-tree pages in order).
_POSTINGS_BUFFER = 4_000_000
_SQLITE_MAGIC = b"SQLite format 3\x00"
_SAMPLE_MAX = 64

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE documents (
    doc INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, title TEXT, outlet TEXT, credits TEXT NOT NULL,
    bylines TEXT NOT NULL, published TEXT, url TEXT, path TEXT, text_hash TEXT NOT NULL, words INTEGER NOT NULL,
    added TEXT NOT NULL, shingles BLOB NOT NULL, prepared BLOB, text TEXT NOT NULL);
CREATE TABLE postings (shingle INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (shingle, doc)) WITHOUT ROWID;
"""

# Draft shingles arrive as one JSON array; shingles in more than ?2 documents
# are dropped (the inner LIMIT stops counting there), the rest are joined to
# their postings and counted per document in SQLite, not in Python.
_LOOKUP_SQL = """
WITH draft(shingle) AS (SELECT value FROM json_each(?1)),
kept(shingle) AS (
    SELECT shingle FROM draft
    WHERE (SELECT count(*) FROM (SELECT 1 FROM postings AS p WHERE p.shingle = draft.shingle LIMIT ?2 + 1)) <= ?2
)
SELECT p.doc, count(*) AS shared
FROM kept JOIN postings AS p ON p.shingle = kept.shingle
GROUP BY p.doc HAVING shared >= ?3
ORDER BY shared DESC, p.doc
LIMIT ?4
"""
_FREQUENT_SQL = """
SELECT count(*) FROM json_each(?1) AS draft
WHERE (SELECT count(*) FROM (SELECT 1 FROM postings AS p WHERE p.shingle = draft.value LIMIT ?2 + 1)) > ?2
"""
_DOCUMENTS_SQL = (
    "SELECT doc, id, title, outlet, published, url, path, text, prepared FROM documents "
    "WHERE doc IN (SELECT value FROM json_each(?))"
)
_HEADER = struct.Struct("<III")

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class IndexStats:
    """Size and provenance of an index file (``trace index stats``)."""

    path: str
    documents: int
    postings: int
    size_bytes: int
    schema_version: int
    created: str
    updated: str
    sample: int
    shingle_size: int
    prepared_by: str

    def to_json(self) -> dict[str, Any]:
        """Plain data for ``--format json``."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class AddResult:
    """What one add did: counts of documents and one line per notable event."""

    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)


def prepare_articles(articles: Sequence[Article], boilerplate: BoilerplateRemover | None = None) -> list[Document]:
    """Normalise articles and mark boilerplate and credits, one at a time.

    This is :func:`provenance.pipeline.prepare_documents` without learning
    boilerplate across the batch: a draft and its sources are prepared alike
    whatever else is in the index, with the built-in furniture, dateline and
    credit patterns (or ``boilerplate``, an already fitted remover).

    Parameters
    ----------
    articles : sequence of Article
    boilerplate : BoilerplateRemover, optional
        Used through ``transform`` only; default ``BoilerplateRemover()``.

    Returns
    -------
    list of Document
    """
    remover = boilerplate or BoilerplateRemover()
    return [_with_agency(d) for d in remover.transform(articles, tokenize_corpus([a.text for a in articles]))]


def _with_agency(doc: Document) -> Document:
    """The document, with the agency its feed was stamped with (``--agency``) among its credits."""
    agency = doc.article.agency
    if not agency:
        return doc
    credits = set(doc.credits) | set(agencies_named(agency) or (agency.strip(),))
    return dataclasses.replace(doc, credits=tuple(sorted(credits)))


def document_shingles(doc: Document, size: int = SHINGLE_SIZE_DEFAULT, sample: int = 1) -> np.ndarray:
    """Distinct sampled shingles of a document's content words, as int64 (SQLite integers).

    Parameters
    ----------
    doc : Document
    size : int, default=4
        Words per shingle.
    sample : int, default=1
        Keep the shingles whose unsigned hash is a multiple of ``sample``.

    Returns
    -------
    ndarray of int64
        Sorted, unique.
    """
    hashes = shingle_hashes(content_hashes(doc), size)
    if sample > 1:
        hashes = hashes[hashes % np.uint64(sample) == 0]
    return np.unique(hashes.view(np.int64))


def _check_int(owner: str, name: str, value: Any, low: int, high: int | None = None) -> None:
    bad = not isinstance(value, int) or isinstance(value, bool) or value < low or (high is not None and value > high)
    if bad:
        legal = f"in [{low}, {high}]" if high is not None else f">= {low}"
        raise ConfigError(f"The '{name}' parameter of {owner} must be an int {legal}. Got {value!r} instead.")


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _prepare_rows(articles: Sequence[Article], size: int, sample: int) -> list[tuple]:
    """(shingles, credits, bylines, date, content words, prepared document) per article; runs in workers too."""
    rows = []
    for doc in prepare_articles(articles):
        shingles = document_shingles(doc, size, sample)
        rows.append((shingles.tobytes(), json.dumps(list(doc.credits)), json.dumps(list(doc.bylines)),
                     doc.article.published, doc.words, _encode(doc)))
    return rows


def _encode(doc: Document) -> bytes:
    """What preparing ``doc`` found (tokens, content, spans, credits), so a check need not prepare it again."""
    head = json.dumps({"published": doc.article.published, "updated": doc.article.updated,
                       "credits": doc.credits, "bylines": doc.bylines,
                       "fingerprint": doc.fingerprint,
                       "spans": [[s.start, s.end, s.kind] for s in doc.boilerplate]}).encode("utf-8")
    words = "\x1f".join(doc.tokens.words).encode("utf-8")
    numbers = np.concatenate([doc.tokens.starts, doc.tokens.ends, doc.content]).astype(np.int32).tobytes()
    return zlib.compress(_HEADER.pack(len(head), len(words), len(doc.content)) + head + words + numbers, 1)


def _decode(blob: bytes, article: Article) -> Document:
    data = zlib.decompress(blob)
    n_head, n_words, n_content = _HEADER.unpack_from(data)
    at = _HEADER.size
    head = json.loads(data[at : at + n_head])
    words = tuple(data[at + n_head : at + n_head + n_words].decode("utf-8").split("\x1f")) if n_words else ()
    numbers = np.frombuffer(data, dtype=np.int32, offset=at + n_head + n_words).astype(np.int64)
    n = len(words)
    spans = tuple(Span(start, end, article.text[start:end], kind) for start, end, kind in head["spans"])
    return Document(article=dataclasses.replace(article, published=head["published"], updated=head.get("updated")),
                    tokens=Tokens(words=words, starts=numbers[:n], ends=numbers[n : 2 * n]),
                    content=numbers[2 * n : 2 * n + n_content], boilerplate=spans, credits=tuple(head["credits"]),
                    bylines=tuple(head["bylines"]), fingerprint=head["fingerprint"])


class Index:
    """A persistent source index in one SQLite file.

    Use :meth:`create` or :meth:`open`, not the constructor; close it (or use
    ``with``) when done.  Safe to read from many processes while one adds.

    Attributes
    ----------
    path : str
        The index file.
    sample : int
        Shingle sampling rate fixed when the index was created.
    shingle_size : int
        Words per shingle.

    Examples
    --------
    >>> with Index.create("wire.sqlite") as index:  # doctest: +SKIP
    ...     index.add(load_articles("wire/").articles)
    """

    def __init__(self, connection: sqlite3.Connection, path: str) -> None:
        self._con = connection
        self.path = path
        meta = dict(connection.execute("SELECT key, value FROM meta"))
        self.sample = int(meta["sample"])
        self.shingle_size = int(meta["shingle_size"])
        # Documents prepared by another version of the stages are prepared again when read.
        self._reuse_prepared = meta.get("prepared_by") == __version__
        #: What the last :meth:`add` left: "committed", "rolled back", or None before any.
        self.last_add: str | None = None

    # ------------------------------------------------------------------ opening

    @classmethod
    def create(cls, path: str | os.PathLike[str], *, sample: int = SAMPLE_DEFAULT,
               shingle_size: int = SHINGLE_SIZE_DEFAULT, timeout: float = BUSY_TIMEOUT_DEFAULT) -> Index:
        """Create a new, empty index file.

        Parameters
        ----------
        path : path-like
            Must not exist yet.
        sample : int, default=4
            Keep 1 shingle in ``sample`` (1 to 64); 1 keeps every shingle.
        shingle_size : int, default=4
            Words per shingle (1 to 8).
        timeout : float, default=30.0
            Seconds to wait for another writer.

        Raises
        ------
        ConfigError
            An argument is out of range.
        InputError
            ``path`` exists or cannot be written.
        """
        _check_int("Index.create", "sample", sample, 1, _SAMPLE_MAX)
        _check_int("Index.create", "shingle_size", shingle_size, 1, 8)
        path = os.fspath(path)
        if os.path.exists(path):
            raise InputError(f"index {path} already exists; add to it with 'trace index add' or remove it first")
        try:
            con = _connect(path, timeout)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    con.execute(statement)
            now = _now()
            meta = {"schema_version": SCHEMA_VERSION, "created": now, "updated": now, "sample": sample,
                    "shingle_size": shingle_size, "documents": 0, "postings": 0, "next_doc": 1,
                    "prepared_by": __version__}
            con.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", [(k, str(v)) for k, v in meta.items()])
            con.execute("COMMIT")
        except sqlite3.Error as exc:
            raise InputError(f"cannot create index {path}: {exc}") from None
        return cls(con, path)

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, timeout: float = BUSY_TIMEOUT_DEFAULT,
             verify: bool = False) -> Index:
        """Open an existing index.

        Parameters
        ----------
        path : path-like
            The index file.
        timeout : float, default=30.0
            Seconds to wait for another writer.
        verify : bool, default=False
            Run SQLite's ``PRAGMA quick_check`` (reads every page; seconds on a
            large index): done before writing (``trace index add``) and by
            ``trace index stats``, so a damaged file is never written to.

        Raises
        ------
        InputError
            The file does not exist, is not an SQLite index, has a schema
            version this provenance does not know (newer or unknown), or (with
            ``verify``) is damaged.
        """
        path = os.fspath(path)
        if not os.path.exists(path):
            raise InputError(f"index not found: {path} (create it with 'trace index build')")
        if os.path.isdir(path):
            raise InputError(f"{path} is a folder, not an index file")
        try:
            with open(path, "rb") as handle:
                magic = handle.read(len(_SQLITE_MAGIC))
        except OSError as exc:
            raise InputError(f"cannot read index {path}: {exc.strerror or exc}") from None
        if magic != _SQLITE_MAGIC:
            raise InputError(f"{path} is not a provenance index (not an SQLite file)")
        try:
            con = _connect(path, timeout)
            rows = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
        except sqlite3.Error as exc:
            if "no such table" in str(exc):
                raise InputError(f"{path} is an SQLite file but not a provenance index (no meta table)") from None
            raise InputError(f"cannot read index {path}: {exc}") from None
        version = rows[0][0] if rows else None
        if version != str(SCHEMA_VERSION):
            con.close()
            raise InputError(_version_message(path, version))
        try:
            if verify:
                _quick_check(con, path)
            return cls(con, path)
        except (KeyError, ValueError, sqlite3.Error, InputError) as exc:
            con.close()
            if isinstance(exc, InputError):
                raise
            raise InputError(f"index {path} is damaged: its settings are unreadable ({exc})") from None

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self._con.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ adding

    def add(self, articles: Sequence[Article], *, progress: Progress | None = None, jobs: int = 1) -> AddResult:
        """Add articles in one transaction.

        Parameters
        ----------
        articles : sequence of Article
            Ids must be unique within the call (``load_articles`` ensures it).
        progress : callable, optional
            Called as ``progress("index", done, total)`` after each written step.
        jobs : int, default=1
            Processes preparing articles (tokenize, boilerplate, shingles);
            the writing stays in this process.

        Returns
        -------
        AddResult
            Counts of added, replaced and unchanged documents; a warning per
            replaced one.

        Raises
        ------
        InputError
            Another process holds the write lock for longer than the timeout,
            or the file cannot be written.  The index is left as it was.
        """
        _check_int("Index.add", "jobs", jobs, 1)
        seen: set[str] = set()
        for article in articles:
            if article.id in seen:
                raise InputError(f"duplicate id {article.id!r} in the articles to add")
            seen.add(article.id)
        report = progress or (lambda stage, done, total: None)
        try:
            self._con.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise InputError(f"index {self.path} is busy (another process is adding to it): {exc}") from None
        self.last_add = "rolled back"
        try:
            result = self._add(articles, report, jobs)
            self._commit()
        except BaseException as exc:
            # Ctrl-C can land after COMMIT returned (the signal is handled when SQLite gives control
            # back): then the documents are in and ``last_add`` says so.
            committed = not self._con.in_transaction and self.last_add == "committing"
            if self._con.in_transaction:
                self._con.execute("ROLLBACK")
            self.last_add = "committed" if committed and not isinstance(exc, sqlite3.Error) else "rolled back"
            if isinstance(exc, sqlite3.Error):
                raise InputError(f"cannot add to index {self.path}: {exc}") from None
            raise
        self.last_add = "committed"
        return result

    def _commit(self) -> None:
        self.last_add = "committing"
        self._con.execute("COMMIT")

    def _add(self, articles: Sequence[Article], report: Progress, jobs: int) -> AddResult:
        con = self._con
        meta = dict(con.execute("SELECT key, value FROM meta"))
        next_doc, n_docs, n_postings = int(meta["next_doc"]), int(meta["documents"]), int(meta["postings"])
        added = replaced = unchanged = 0
        warnings: list[str] = []
        buffer: list[tuple[np.ndarray, np.ndarray]] = []
        buffered = 0
        pool = _pool(jobs, len(articles))
        try:
            report("index", 0, len(articles))
            for start in range(0, len(articles), _BATCH):
                batch = articles[start : start + _BATCH]
                ids = json.dumps([a.id for a in batch])
                old = {row[0]: row[1:] for row in con.execute(
                    "SELECT id, doc, text_hash, shingles FROM documents WHERE id IN (SELECT value FROM json_each(?))",
                    (ids,))}
                todo, hashes = [], []
                for article in batch:
                    text_hash = _text_hash(article.text)
                    previous = old.get(article.id)
                    if previous is not None and previous[1] == text_hash:
                        unchanged += 1
                        continue
                    if previous is not None:
                        n_postings -= self._delete(previous[0], previous[2])
                        n_docs -= 1
                        replaced += 1
                        warnings.append(f"replaced {article.id!r}: its text changed since it was indexed")
                    todo.append(article)
                    hashes.append(text_hash)
                rows = _prepare(todo, self.shingle_size, self.sample, pool, jobs)
                now = _now()
                records = []
                for article, text_hash, row in zip(todo, hashes, rows, strict=True):
                    shingles, credits, bylines, published, words, prepared = row
                    records.append((next_doc, article.id, article.title, article.outlet, credits, bylines,
                                    published, article.url, article.path, text_hash, words, now,
                                    shingles, prepared if self._reuse_prepared else None, article.text))
                    postings = np.frombuffer(shingles, dtype=np.int64)
                    buffer.append((postings, np.full(len(postings), next_doc, dtype=np.int64)))
                    buffered += len(postings)
                    next_doc += 1
                con.executemany(f"INSERT INTO documents VALUES ({', '.join('?' * 15)})", records)
                added += len(records)
                n_docs += len(records)
                if buffered >= _POSTINGS_BUFFER:
                    n_postings += self._insert_postings(buffer)
                    buffer, buffered = [], 0
                report("index", min(start + _BATCH, len(articles)), len(articles))
            n_postings += self._insert_postings(buffer)
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
        added -= replaced
        con.executemany("UPDATE meta SET value = ? WHERE key = ?", [
            (str(next_doc), "next_doc"), (str(n_docs), "documents"), (str(n_postings), "postings"),
            (_now(), "updated")])
        return AddResult(added=added, replaced=replaced, unchanged=unchanged, warnings=warnings)

    def _delete(self, doc: int, shingles: bytes) -> int:
        values = np.frombuffer(shingles, dtype=np.int64).tolist()
        self._con.executemany("DELETE FROM postings WHERE shingle = ? AND doc = ?", ((s, doc) for s in values))
        self._con.execute("DELETE FROM documents WHERE doc = ?", (doc,))
        return len(values)

    def _insert_postings(self, buffer: list[tuple[np.ndarray, np.ndarray]]) -> int:
        if not buffer:
            return 0
        shingles = np.concatenate([s for s, _ in buffer])
        docs = np.concatenate([d for _, d in buffer])
        order = np.lexsort((docs, shingles))
        self._con.executemany("INSERT INTO postings(shingle, doc) VALUES (?, ?)",
                              zip(shingles[order].tolist(), docs[order].tolist(), strict=True))
        return len(shingles)

    # ------------------------------------------------------------------ reading

    def lookup(self, shingles: np.ndarray, *, max_df: int, min_shared: int, limit: int) -> list[tuple[int, int]]:
        """Documents sharing the most of ``shingles`` (already sampled, see :func:`document_shingles`).

        Parameters
        ----------
        shingles : ndarray of int64
            The draft's sampled shingles.
        max_df : int
            Shingles held by more documents than this are ignored.
        min_shared : int
            Fewest shared shingles for a document to be returned.
        limit : int
            Most documents returned.

        Returns
        -------
        list of (int, int)
            (document key, shared shingles), most shared first.
        """
        if len(shingles) == 0:
            return []
        query = json.dumps(np.asarray(shingles, dtype=np.int64).tolist())
        try:
            return self._con.execute(_LOOKUP_SQL, (query, max_df, min_shared, limit)).fetchall()
        except sqlite3.Error as exc:
            raise InputError(f"cannot read index {self.path}: {exc}") from None

    def frequent_share(self, shingles: np.ndarray, *, max_df: int) -> float:
        """Share of ``shingles`` (already sampled) held by more than ``max_df`` documents.

        Parameters
        ----------
        shingles : ndarray of int64
            The draft's sampled shingles.
        max_df : int
            The stock-phrase bound of :meth:`lookup`.

        Returns
        -------
        float
            0 to 1; 0 for no shingles.
        """
        query = np.unique(np.asarray(shingles, dtype=np.int64))
        if not len(query):
            return 0.0
        try:
            (frequent,) = self._con.execute(_FREQUENT_SQL, (json.dumps(query.tolist()), max_df)).fetchone()
        except sqlite3.Error as exc:
            raise InputError(f"cannot read index {self.path}: {exc}") from None
        return frequent / len(query)

    def documents(self, keys: Sequence[int]) -> list[Document]:
        """Prepared documents for ``keys`` (from :meth:`lookup`), in that order; unknown keys are left out."""
        return self._prepare(self._rows(keys))

    def find(self, shingles: np.ndarray, *, max_df: int, min_shared: int,
             limit: int) -> list[tuple[Document, int]]:
        """:meth:`lookup` and :meth:`documents` on one snapshot: (document, shared shingles) pairs.

        A writer committing between the two reads cannot remove a document found by the lookup.
        """
        outer = self._con.in_transaction
        try:
            if not outer:
                self._con.execute("BEGIN")
            hits = self.lookup(shingles, max_df=max_df, min_shared=min_shared, limit=limit)
            rows = self._rows([key for key, _ in hits])
        except sqlite3.Error as exc:
            raise InputError(f"cannot read index {self.path}: {exc}") from None
        finally:
            if not outer and self._con.in_transaction:
                self._con.execute("COMMIT")
        shared = dict(hits)
        return [(doc, shared[key]) for key, doc in zip([row[0] for row in rows], self._prepare(rows), strict=True)]

    def _rows(self, keys: Sequence[int]) -> list[tuple]:
        if not keys:
            return []
        try:
            found = {row[0]: row for row in self._con.execute(_DOCUMENTS_SQL, (json.dumps(list(keys)),))}
        except sqlite3.Error as exc:
            raise InputError(f"cannot read index {self.path}: {exc}") from None
        return [found[key] for key in keys if key in found]

    def _prepare(self, rows: list[tuple]) -> list[Document]:
        out: list[Any] = []
        missing = []
        for _, doc_id, title, outlet, published, url, path, text, prepared in rows:
            article = Article(id=doc_id, text=text, path=path, title=title, published=published, outlet=outlet,
                              url=url)
            if prepared is not None and self._reuse_prepared:
                out.append(_decode(prepared, article))
            else:
                missing.append(len(out))
                out.append(article)
        for position, doc in zip(missing, prepare_articles([out[i] for i in missing]), strict=True):
            out[position] = doc
        return out

    def documents_by_id(self, ids: Sequence[str]) -> list[Document]:
        """Prepared documents with these ids, in that order; unknown ids are left out (``trace serve``)."""
        try:
            keys = dict(self._con.execute("SELECT id, doc FROM documents WHERE id IN (SELECT value FROM json_each(?))",
                                          (json.dumps(list(ids)),)))
        except sqlite3.Error as exc:
            raise InputError(f"cannot read index {self.path}: {exc}") from None
        return self.documents([keys[i] for i in ids if i in keys])

    def sync_commits(self) -> None:
        """Make every later commit of this connection wait for the disk (``PRAGMA synchronous=FULL``).

        WAL commits already survive a killed process; this makes an answered add survive power loss too.
        """
        self._con.execute("PRAGMA synchronous=FULL")

    def ids(self) -> list[str]:
        """Ids of every indexed document, sorted."""
        return [row[0] for row in self._con.execute("SELECT id FROM documents ORDER BY id")]

    def stats(self) -> IndexStats:
        """Counts, size on disk (with the WAL), schema version and dates."""
        meta = dict(self._con.execute("SELECT key, value FROM meta"))
        size = sum(os.path.getsize(p) for p in (self.path, self.path + "-wal") if os.path.exists(p))
        return IndexStats(path=self.path, documents=int(meta["documents"]), postings=int(meta["postings"]),
                          size_bytes=size, schema_version=int(meta["schema_version"]), created=meta["created"],
                          updated=meta["updated"], sample=int(meta["sample"]),
                          shingle_size=int(meta["shingle_size"]), prepared_by=meta.get("prepared_by", "?"))


def _quick_check(con: sqlite3.Connection, path: str) -> None:
    """Raise InputError naming the first problem SQLite's ``quick_check`` finds."""
    try:
        rows = con.execute("PRAGMA quick_check(1)").fetchall()
    except sqlite3.Error as exc:
        rows = [(str(exc),)]
    if rows != [("ok",)]:
        problem = " ".join(str(rows[0][0] if rows else "no answer").split())[:200]
        raise InputError(f"index {path} is damaged ({problem}); rebuild it with 'trace index build --force'")


def _connect(path: str, timeout: float) -> sqlite3.Connection:
    con = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("PRAGMA temp_store=MEMORY")
    con.execute("PRAGMA cache_size=-65536")
    con.execute("PRAGMA mmap_size=1073741824")
    return con


def _version_message(path: str, version: str | None) -> str:
    if version is not None and version.isdigit() and int(version) > SCHEMA_VERSION:
        return (f"index {path} has schema version {version}, newer than this provenance supports "
                f"({SCHEMA_VERSION}); upgrade provenance")
    return (f"index {path} has an unknown schema version {version!r} (this provenance reads version "
            f"{SCHEMA_VERSION}); rebuild it with 'trace index build'")


def _pool(jobs: int, count: int) -> Any:
    if jobs <= 1 or count < 2 * _BATCH:
        return None
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=jobs)


def _prepare(articles: list[Article], size: int, sample: int, pool: Any, jobs: int) -> list[tuple]:
    if pool is None or len(articles) < jobs:
        return _prepare_rows(articles, size, sample)
    step = -(-len(articles) // jobs)
    parts = [articles[i : i + step] for i in range(0, len(articles), step)]
    return [row for rows in pool.map(_prepare_rows, parts, [size] * len(parts), [sample] * len(parts))
            for row in rows]


def build_index(
    articles: Sequence[Article],
    path: str | os.PathLike[str],
    *,
    force: bool = False,
    sample: int = SAMPLE_DEFAULT,
    progress: Progress | None = None,
    jobs: int = 1,
) -> AddResult:
    """Write a new index of ``articles`` to ``path``, all or nothing.

    The index is written to a temporary file beside ``path`` and renamed into
    place when complete, so ``path`` never holds a half-built index.

    Parameters
    ----------
    articles : sequence of Article
    path : path-like
        The index file to create.
    force : bool, default=False
        Replace an existing file (do not do this while other processes use it).
    sample : int, default=4
        Shingle sampling rate (see :meth:`Index.create`).
    progress : callable, optional
        Called as ``progress("index", done, total)``.
    jobs : int, default=1
        Processes preparing articles.

    Returns
    -------
    AddResult

    Raises
    ------
    InputError
        ``path`` exists (without ``force``), is a folder, or cannot be written.
    ConfigError
        An argument is out of range.
    """
    path = os.fspath(path)
    target = Path(path)
    if target.is_dir():
        raise InputError(f"{path} is a folder; give the index file to create")
    if target.exists() and not force:
        raise InputError(f"index {path} already exists; add to it with 'trace index add', or rebuild with --force")
    if not target.parent.is_dir():
        raise InputError(f"cannot create index {path}: folder {target.parent} does not exist")
    tmp = target.with_name(f".{target.name}.{os.getpid()}.building")
    removed = _remove_stale_builds(target)
    for stale in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        stale.unlink(missing_ok=True)
    try:
        with Index.create(tmp, sample=sample) as index:
            result = index.add(articles, progress=progress, jobs=jobs)
            result.warnings[:0] = [f"removed {name}, left by an interrupted build (process {pid})"
                                   for name, pid in removed]
            index._con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if force:
            for old in (target, Path(f"{path}-wal"), Path(f"{path}-shm")):
                old.unlink(missing_ok=True)
        os.replace(tmp, target)
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)
    return result


def _remove_stale_builds(target: Path) -> list[tuple[str, int]]:
    """Delete ``.NAME.PID.building`` files (and their -wal/-shm) whose process is gone: (name, pid) of each.

    A build killed with ``kill -9`` cannot clean up after itself; the next
    build of the same index does, leaving alone the files of a build still running.
    """
    removed = []
    prefix = f".{target.name}."
    try:
        names = os.listdir(target.parent)
    except OSError:
        return []
    for name in sorted(names):
        pid_text = name[len(prefix):-len(".building")]
        if not (name.startswith(prefix) and name.endswith(".building") and pid_text.isdigit()):
            continue
        pid = int(pid_text)
        if pid == os.getpid() or _alive(pid):
            continue
        for leftover in (name, f"{name}-wal", f"{name}-shm"):
            (target.parent / leftover).unlink(missing_ok=True)
        removed.append((name, pid))
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process (or a number no process has): leave its files alone
    return True
