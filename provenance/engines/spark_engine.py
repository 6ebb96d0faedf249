"""Spark engine: the same trace as :func:`provenance.trace`, run as PySpark jobs.

One machine is enough for a wire agency's month; an archive of millions of
stories is not.  :func:`trace_spark` reads text folders, JSON Lines, CSV or
Parquet from any path Spark can read (local, ``hdfs://``, ``s3a://``...) and
runs the corpus-sized stages on the executors, with the embedded engine's own
stage functions, so the results are the same:

1. load, normalise and boilerplate-transform each document (executors); the
   boilerplate *fit* runs on the driver over the documents that share a line
   with another document, which are the only ones it ever looks at (or pass a
   fitted ``boilerplate=`` to keep the driver out of it);
2. documents get the embedded engine's order (content fingerprint, then id);
3. candidates, by the rules of :func:`~provenance.stages.candidates.find_candidates`:
   exact duplicates collapse to their first document, shingle postings
   (``groupByKey`` by shingle hash) of those documents, ``max_df`` pruning
   that keeps a widely copied story, pair counts (``reduceByKey``) expanded
   back to the duplicates, then the per-document limit, which needs the
   driver only for the few documents with more candidates than it; documents
   that read as scanned add their character-gram candidates
   (:func:`~provenance.stages.ocr.add_char_candidates`) the same way;
4. every candidate pair is aligned and tested for copying (a ``cogroup`` puts
   each pair beside both its documents);
5. the linked pairs (about one per document) come to the driver, which finds
   the families (connected components);
6. each family is finished in one task: its pairs aligned again with their
   witnesses, small families completed, and :func:`~provenance.stages.lineage.build_lineage`
   run on it alone;
7. the driver numbers families and latent sources in the embedded engine's
   order and builds the :class:`~provenance.model.Lineage`.

Only the linked pair list, the finished families and each document's
metadata (for the report) reach the driver.  See ``docs/spark.md``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import add
from typing import Any

import numpy as np

from ..errors import ConfigError, InputError, ProvenanceError
from ..model import Article, Document, Edge, Family, Latent, Lineage, Tokens
from ..pipeline import TraceOptions, _complete_families, assess_pairs, rename_latent, skipped_pairs_warning
from ..stages.align import Aligner, content_hashes
from ..stages.boilerplate import BoilerplateRemover
from ..stages.candidates import _top_per_document, content_key, frequent_kept, group_face, group_pairs, mostly_copied
from ..stages.lineage import build_lineage
from ..stages.normalise import fold_text, tokenize
from ..stages.ocr import char_grams, garbles_words, gram_cosine, gram_pair_kept
from ..stages.reconstruct import describe_sources
from ..stages.shingles import SHINGLE_SIZE_DEFAULT, shingle_hashes
from .spark_read import ENGINES, INPUT_FORMATS, MASTER_DEFAULT, is_local, read_articles

# Not ours: pyspark 4 imports pyspark.testing.utils the first time py4j converts an argument, and that
# module warns under pandas >= 3. This engine uses no pandas (RDDs of Documents); without the filter
# every Spark run prints the warning to the user.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)

__all__ = ["trace_spark", "spark_available", "ENGINES", "MASTER_DEFAULT", "INPUT_FORMATS"]


Progress = Callable[[str, int, int], None]
_SESSION_CONF = {
    "spark.ui.showConsoleProgress": "false",
    "spark.python.worker.reuse": "true",
    "spark.sql.files.ignoreCorruptFiles": "false",
}


def spark_available() -> str | None:
    """Say why the Spark engine cannot run here, or return None when it can.

    Returns
    -------
    str or None
        A reason naming what is missing (pyspark, Java), or None.

    Examples
    --------
    >>> spark_available() is None or "pyspark" in spark_available() or "Java" in spark_available()
    True
    """
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "the spark engine needs pyspark: pip install 'provenance[spark]'"
    java_home = os.environ.get("JAVA_HOME")
    java = os.path.join(java_home, "bin", "java") if java_home else None
    if not (java and os.path.exists(java)) and not _which("java"):
        return "the spark engine needs Java (17 or later) on PATH or in JAVA_HOME"
    return None


def _which(name: str) -> str | None:
    from shutil import which

    return which(name)


def trace_spark(
    paths: str | os.PathLike | Sequence[str | os.PathLike],
    *,
    master: str | None = MASTER_DEFAULT,
    spark: Any = None,
    partitions: int | None = None,
    input_format: str = "auto",
    boilerplate: BoilerplateRemover | None = None,
    conf: dict[str, str] | None = None,
    progress: Progress | None = None,
    **options: Any,
) -> Lineage:
    """Trace lineage with the stages run as Spark jobs; same result as :func:`provenance.trace`.

    Parameters
    ----------
    paths : path or URI, or a sequence of them
        Folders (read recursively: txt, md, html, json, jsonl, csv), record
        files (JSON Lines, JSON, CSV) or Parquet files and folders, on any
        file system Spark can read.
    master : str, default="local[*]"
        Spark master (``local[2]``, ``spark://host:7077``, ``yarn``...); ignored
        when ``spark`` is given.
    spark : pyspark.sql.SparkSession, optional
        A running session to use (and leave running).
    partitions : int, optional
        Partitions of the document and pair data sets; Spark's default
        parallelism (at least 2) when omitted.
    input_format : {"auto", "files", "jsonl", "parquet"}, default="auto"
        "auto" reads ``*.parquet`` (and folders holding them) as Parquet,
        ``*.jsonl``/``*.ndjson`` files line by line, anything else as files.
    boilerplate : BoilerplateRemover, optional
        A remover to use; when it is already fitted (``boilerplate_lines_``
        set), the driver never sees document text before the report.
    conf : dict of str to str, optional
        Extra Spark settings for a session started here.
    progress : callable, optional
        Called as ``progress(stage, done, total)``.
    **options
        Fields of :class:`~provenance.pipeline.TraceOptions` (``min_shared``,
        ``max_df``...); ``jobs`` is ignored (Spark decides).

    Returns
    -------
    Lineage
        As :func:`provenance.trace` returns it.

    Raises
    ------
    ConfigError
        An option is unknown or out of range.
    InputError
        A path yields no usable document.
    ProvenanceError
        pyspark or Java is missing, or the Spark session cannot start.

    Examples
    --------
    >>> lineage = trace_spark("corpus.jsonl", master="local[2]")  # doctest: +SKIP
    """
    opts = _check_options(options, partitions, input_format)
    roots = _check_paths(paths)
    report = progress or (lambda stage, done, total: None)
    session, owned = _session(spark, master, conf)
    try:
        return _Run(session, opts, partitions, report).trace(roots, input_format, boilerplate)
    finally:
        if owned:
            session.stop()


# --------------------------------------------------------------------------- checks and session


def _check_options(options: dict[str, Any], partitions: int | None, input_format: str) -> TraceOptions:
    unknown = set(options) - set(TraceOptions.__dataclass_fields__)
    if unknown:
        raise ConfigError(f"Unknown option(s) for trace_spark: {', '.join(sorted(unknown))}.")
    opts = TraceOptions(**options)
    opts.check()
    if partitions is not None and (not isinstance(partitions, int) or isinstance(partitions, bool) or partitions < 1):
        raise ConfigError(f"The 'partitions' parameter of trace_spark must be an int >= 1. Got {partitions!r} instead.")
    if input_format not in INPUT_FORMATS:
        raise ConfigError(
            f"The 'input_format' parameter of trace_spark must be one of {INPUT_FORMATS}. Got {input_format!r} instead."
        )
    return opts


def _check_paths(paths: Any) -> list[str]:
    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths) if isinstance(paths, list | tuple) else []
    if not items or not all(isinstance(p, str | os.PathLike) for p in items):
        raise ConfigError(f"The 'paths' parameter of trace_spark must be a path or a list of paths. Got {paths!r}.")
    roots = [os.fspath(p) for p in items]
    for root in roots:
        if is_local(root) and not os.path.exists(root):
            raise InputError(f"path does not exist: {root}")
    return roots


_LOG4J = """rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n
"""


def _quiet_log4j() -> str:
    """A log4j2 configuration that lets only errors through (written once to the temp folder)."""
    import tempfile

    path = os.path.join(tempfile.gettempdir(), "provenance-spark-log4j2.properties")
    if not os.path.exists(path):
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(_LOG4J)
    return path


def _session(spark: Any, master: str | None, conf: dict[str, str] | None) -> tuple[Any, bool]:
    if spark is not None:
        return spark, False
    reason = spark_available()
    if reason:
        raise ProvenanceError(reason)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("provenance").master(master or MASTER_DEFAULT)
    settings = dict(_SESSION_CONF)
    # Spark's own INFO/WARN lines would bury the trace's one-line messages on stderr.
    settings["spark.driver.extraJavaOptions"] = f"-Dlog4j2.configurationFile=file:{_quiet_log4j()}"
    if (master or MASTER_DEFAULT).startswith("local"):
        # Executors of a local master are this machine: use this interpreter.  PySpark reads
        # PYSPARK_PYTHON (not the conf) for its workers and falls back to the first python3 on
        # PATH, which outside an activated virtualenv lacks this package's dependencies.
        settings["spark.pyspark.python"] = sys.executable
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 - py4j and Java errors have no common base
        raise ProvenanceError(f"cannot start Spark ({' '.join(str(exc).split())[:300]})") from exc
    session.sparkContext.setLogLevel("ERROR")
    return session, True


# --------------------------------------------------------------------------- documents


def _line_hashes(text: str) -> list[bytes]:
    """Hashes of the distinct folded lines of a text (a superset of what the boilerplate fit compares)."""
    folded = {fold_text(raw) for raw in text.split("\n")}
    folded.discard("")
    return [hashlib.blake2b(line.encode("utf-8"), digest_size=8).digest() for line in folded]


def _make_documents(articles: Iterable[Article], remover: BoilerplateRemover) -> list[Document]:
    articles = list(articles)
    return remover.transform(articles, [tokenize(a.text) for a in articles])


def _light(doc: Document) -> Document:
    """What the report needs of a document that is not in any family: metadata, spans, word count.

    Its tokens are dropped (they are most of a document's memory); ``content``
    keeps only its length, as a zero-strided view that takes no memory.
    """
    return dataclasses.replace(
        doc,
        tokens=Tokens(words=(), starts=np.empty(0, dtype=np.int64), ends=np.empty(0, dtype=np.int64)),
        content=np.broadcast_to(np.int64(0), (len(doc.content),)),
    )


# --------------------------------------------------------------------------- candidates


def _shingles(item: tuple[int, Document], size: int) -> list[tuple[int, tuple[int, int]]]:
    """Postings of one document: (shingle, (document, number of its distinct shingles))."""
    index, doc = item
    hashes = np.unique(shingle_hashes(content_hashes(doc), size)).tolist()
    return [(int(h), (index, len(hashes))) for h in hashes]


def _grams(item: tuple[int, Document]) -> list[tuple[int, tuple[int, int]]]:
    """Postings of one scanned document: (character gram, (document, number of its sampled grams))."""
    index, doc = item
    grams = char_grams(doc).tolist()
    return [(int(g), (index, len(grams))) for g in grams]


def _posting_pairs(holders: Sequence[int]) -> Iterator[tuple[tuple[int, int], int]]:
    docs = sorted(holders)
    for k, a in enumerate(docs):
        for b in docs[k + 1:]:
            yield (a, b), 1


def _gram_pairs(holders: Sequence[tuple[int, int]]) -> Iterator[tuple[tuple[int, int, int, int], int]]:
    """Pairs of a gram's holders, keyed with both gram-set sizes (the pair test needs them)."""
    docs = sorted(holders)
    for k, (a, size_a) in enumerate(docs):
        for b, size_b in docs[k + 1:]:
            yield (a, b, size_a, size_b), 1


def _expand(pair: tuple[tuple[int, int], int], faces: dict[int, list[int]]) -> list[tuple[tuple[int, int], int]]:
    """A pair of duplicate groups' first documents as the pairs of their members that
    :func:`~provenance.stages.candidates.find_candidates` pairs."""
    (a, b), n = pair
    return [((min(i, j), max(i, j)), n) for i in faces.get(a, (a,)) for j in faces.get(b, (b,))]


def _shared(value: int | tuple[int, float]) -> int:
    """The shared count of a scored pair: word pairs carry it alone, character pairs with their cosine."""
    return value if isinstance(value, int) else value[0]


def _cosines(vectors: dict[int, dict[int, float]], a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = np.zeros(len(a))
    for k, (i, j) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        va, vb = vectors[i], vectors[j]
        if len(vb) < len(va):
            va, vb = vb, va
        out[k] = sum(w * vb[h] for h, w in va.items() if h in vb)
    return out


def _tfidf_vector(hashes: np.ndarray, idf: dict[int, float]) -> dict[int, float]:
    """Sublinear TF-IDF with l2 norm, as TfidfTransformer(sublinear_tf=True) weighs it."""
    values, counts = np.unique(hashes, return_counts=True)
    weights = (1.0 + np.log(counts)) * np.array([idf[int(h)] for h in values.tolist()])
    norm = float(np.sqrt(np.sum(weights ** 2))) or 1.0
    return dict(zip(values.tolist(), (weights / norm).tolist(), strict=True))


# --------------------------------------------------------------------------- pairs and families


def _assess_linked(item: tuple[int, tuple[Iterable[Document], Iterable[tuple[int, Document]]]],
                   opts: TraceOptions) -> list[tuple[int, int, bool, bool]]:
    """Executor side of step 4: is each pair (a, b) of this document ``a`` linked, and was it skipped
    for want of memory?"""
    a, (left, right) = item
    left = list(left)
    right = sorted(right, key=lambda pair: pair[0])
    if not left or not right:
        return []
    docs = [left[0], *(doc for _, doc in right)]
    index_pairs = [(0, k + 1) for k in range(len(right))]
    skipped: set[tuple[int, int]] = set()
    assessed = assess_pairs(docs, index_pairs, aligner=Aligner(), direction_model=None,
                            min_link_words=opts.min_link_words, min_link_share=opts.min_link_share,
                            skipped=skipped)
    return [(a, b, assessed[(0, k + 1)][0].linked, (0, k + 1) in skipped) for k, (b, _) in enumerate(right)]


def _finish_family(item: tuple[int, tuple[Iterable[tuple[int, Document]], Iterable[tuple[int, int]]]],
                   opts: TraceOptions) -> list[dict[str, Any]]:
    """Executor side of step 6: align a family's pairs, complete it and build its lineage alone."""
    _, (members, pairs) = item
    members = sorted(members, key=lambda m: m[0])
    local = {g: k for k, (g, _) in enumerate(members)}
    docs = [doc for _, doc in members]
    index_pairs = sorted({(local[a], local[b]) for a, b in pairs})
    aligner = Aligner()
    assessed = assess_pairs(docs, index_pairs, aligner=aligner, direction_model=None,
                            min_link_words=opts.min_link_words, min_link_share=opts.min_link_share)
    quiet = dataclasses.replace(opts, jobs=1)
    _complete_families(docs, assessed, aligner, None, quiet, lambda stage, done, total: None)
    edges, latent, families = build_lineage(docs, assessed)
    latent, families = describe_sources(docs, assessed, latent, families)
    key = {doc.id: doc.fingerprint + doc.id for doc in docs}
    # Numbered as the embedded engine numbers them: by the linked group (its size, then its first
    # document), and a group's trees in the order its lineage gives them.
    size, first = len(docs), min(key.values())
    out = []
    for tree, family in enumerate(families):
        members_set = set(family.members)
        own_latent = [lat for lat in latent if set(lat.children) <= members_set]
        latent_ids = {lat.id for lat in own_latent}
        out.append({
            "size": size,
            "first": first,
            "tree": tree,
            "root": family.root,
            "members": family.members,
            "agency": family.agency,
            "latent": own_latent,
            # A tree's edges: into its documents, and into and out of its unseen sources (a copy
            # of an older story may be the parent of a later story's unseen source).
            "edges": [e for e in edges if e.child in members_set or e.child in latent_ids or e.parent in latent_ids],
        })
    return out


def _number_families(finished: list[dict[str, Any]]) -> tuple[list[Edge], list[Latent], list[Family]]:
    """Families and latent sources numbered in the embedded engine's order (largest first, then by content)."""
    edges: list[Edge] = []
    latent: list[Latent] = []
    families: list[Family] = []
    for fam in sorted(finished, key=lambda f: (-f["size"], f["first"], f["tree"])):
        renamed: dict[str, str] = {}
        for lat in fam["latent"]:
            renamed[lat.id] = f"~source-{len(latent) + 1}"
            latent.append(dataclasses.replace(lat, id=renamed[lat.id]))
        edges.extend(rename_latent(fam["edges"], renamed))
        families.append(Family(id=f"family-{len(families) + 1}", root=renamed.get(fam["root"], fam["root"]),
                               members=tuple(fam["members"]), agency=fam.get("agency")))
    edges.sort(key=lambda e: (e.parent, e.child))
    return edges, latent, families


def _components(n: int, linked: list[tuple[int, int]]) -> np.ndarray:
    """Family label of each document (-1 outside every family)."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    if not linked:
        return np.full(n, -1, dtype=np.int64)
    a, b = np.array(linked, dtype=np.int64).T
    graph = sp.coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    in_family = np.zeros(n, dtype=bool)
    in_family[a] = in_family[b] = True
    return np.where(in_family, labels, -1).astype(np.int64)


# --------------------------------------------------------------------------- the run


class _Run:
    """One trace on one Spark session."""

    def __init__(self, session: Any, opts: TraceOptions, partitions: int | None, report: Progress) -> None:
        self.session = session
        self.sc = session.sparkContext
        self.opts = opts
        self.partitions = partitions or max(2, self.sc.defaultParallelism)
        self.report = report
        self.warnings: list[str] = []
        # Data sets kept while the candidates are found, released once the pairs are counted.
        self.cached: list[Any] = []

    def trace(self, roots: list[str], input_format: str, boilerplate: BoilerplateRemover | None) -> Lineage:
        from pyspark import StorageLevel

        self.report("load", 0, 1)
        articles, self.warnings = read_articles(self.session, roots, input_format, self.partitions)
        articles = articles.persist(StorageLevel.MEMORY_AND_DISK)
        n = articles.count()
        if n == 0:
            raise InputError(f"no usable document in {', '.join(roots)}")
        self.report("normalise", 0, n)
        remover = self._fit(articles, boilerplate)
        rm = self.sc.broadcast(remover)
        docs = (articles.mapPartitions(lambda part: _make_documents(part, rm.value))
                .sortBy(lambda d: (d.fingerprint, d.id), numPartitions=self.partitions)
                .zipWithIndex().map(lambda di: (di[1], di[0]))
                .persist(StorageLevel.MEMORY_AND_DISK))
        docs.count()
        articles.unpersist()
        self.report("candidates", 0, n)
        pairs = self._candidates(docs, n).persist(StorageLevel.MEMORY_AND_DISK)
        total = pairs.count()
        for rdd in self.cached:
            rdd.unpersist()
        self.report("align", 0, total)
        linked = self._linked(docs, pairs)
        self.report("align", total, total)
        self.report("lineage", 0, 1)
        labels = _components(n, linked)
        finished = self._families(docs, pairs, labels)
        edges, latent, families = _number_families(finished)
        documents = docs.map(lambda item: _light(item[1])).collect()
        for rdd in (docs, pairs):
            rdd.unpersist()
        self.report("lineage", 1, 1)
        # As the embedded engine reports them: jobs do not change results.
        options = {k: getattr(self.opts, k) for k in TraceOptions.__dataclass_fields__ if k != "jobs"}
        lineage = Lineage(documents=sorted(documents, key=lambda d: d.id), edges=edges, latent=latent,
                          families=families, options=options)
        lineage.warnings = list(self.warnings)
        return lineage

    # -- step 1b: the boilerplate fit

    def _fit(self, articles: Any, boilerplate: BoilerplateRemover | None) -> BoilerplateRemover:
        remover = boilerplate or BoilerplateRemover()
        if hasattr(remover, "boilerplate_lines_"):
            return remover
        by_line = articles.flatMap(lambda a: [(h, a.id) for h in _line_hashes(a.text)])
        shared = by_line.mapValues(lambda _: 1).reduceByKey(add, numPartitions=self.partitions).filter(
            lambda kv: kv[1] >= 2)
        ids = by_line.join(shared).map(lambda kv: (kv[1][0], None)).distinct()
        subset = articles.keyBy(lambda a: a.id).join(ids).map(lambda kv: kv[1][0]).collect()
        subset.sort(key=lambda a: a.id)
        remover.fit(subset, [tokenize(a.text) for a in subset])
        return remover

    # -- step 3

    def _candidates(self, docs: Any, n: int) -> Any:
        words = self._word_pairs(docs)
        by_words = self._limit_per_document(words, lambda a, b, scored: self._tfidf_cosines(docs, a, b, n))
        chars = self._char_pairs(docs, by_words)
        if chars is None:
            return by_words
        by_letters = self._limit_per_document(chars, lambda a, b, scored: np.array([v[1] for _, v in scored]))
        return by_words.union(by_letters)

    def _word_pairs(self, docs: Any) -> Any:
        """((a, b), shared shingles) of the word candidates before the per-document limit."""
        opts, size, limit = self.opts, SHINGLE_SIZE_DEFAULT, self.opts.max_candidates
        # Exact duplicates collapse to their first document: a story run 500 times is not a stock phrase.
        groups = sorted(docs.map(lambda item: (content_key(item[1]), item[0]))
                        .groupByKey(numPartitions=self.partitions).values().map(sorted)
                        .filter(lambda g: len(g) > 1).collect())
        copies = self.sc.broadcast({g[0]: len(g) for g in groups})
        hidden = self.sc.broadcast({i for g in groups for i in g[1:]})
        postings = (docs.filter(lambda item: item[0] not in hidden.value)
                    .flatMap(lambda item: _shingles(item, size))
                    .groupByKey(numPartitions=self.partitions).mapValues(list)
                    # Held by two documents, duplicates counted: one group's shingles pair its members.
                    .filter(lambda kv: len(kv[1]) >= 2 or copies.value.get(kv[1][0][0], 1) >= 2))
        postings = self._without_stock_phrases(self._cache(postings)).mapValues(lambda held: [d for d, _ in held])
        faces = self.sc.broadcast({g[0]: group_face(g, limit) for g in groups})
        pairs = (postings.flatMap(lambda kv: _posting_pairs(kv[1]))
                 .reduceByKey(add, numPartitions=self.partitions)
                 .filter(lambda kv: kv[1] >= opts.min_shared)
                 .flatMap(lambda kv: _expand(kv, faces.value)))
        within = dict(postings.flatMap(lambda kv: [(d, 1) for d in kv[1] if d in copies.value])
                      .reduceByKey(add).filter(lambda kv: kv[1] >= opts.min_shared).collect())
        inner = [((a, b), within[g[0]]) for g in groups if g[0] in within for a, b in group_pairs(g, limit)]
        if inner:
            pairs = pairs.union(self.sc.parallelize(inner, self.partitions))
        return self._cache(pairs)

    def _cache(self, rdd: Any) -> Any:
        self.cached.append(rdd.persist())
        return rdd

    def _without_stock_phrases(self, postings: Any) -> Any:
        """Postings without the shingles in more than ``max_df`` documents, unless most of those documents
        are mostly made of such shingles (a widely copied text, not a stock phrase)."""
        max_df = self.opts.max_df
        frequent = postings.filter(lambda kv: len(kv[1]) > max_df)
        if frequent.isEmpty():
            return postings
        copied = self.sc.broadcast(set(
            frequent.flatMap(lambda kv: [(held, 1) for held in kv[1]]).reduceByKey(add)
            .filter(lambda kv: mostly_copied(kv[1], kv[0][1])).map(lambda kv: kv[0][0]).collect()))
        return postings.filter(lambda kv: len(kv[1]) <= max_df
                               or frequent_kept(sum(d in copied.value for d, _ in kv[1]), len(kv[1])))

    def _char_pairs(self, docs: Any, known: Any) -> Any | None:
        """((a, b), (shared grams, cosine)) of the character candidates of scanned documents that the word
        candidates miss; None when fewer than two documents read as scanned."""
        max_df = self.opts.max_df
        scanned = self._cache(docs.filter(lambda item: garbles_words(item[1])))
        if len(scanned.take(2)) < 2:
            return None
        pairs = (scanned.flatMap(_grams).groupByKey(numPartitions=self.partitions).mapValues(list)
                 .filter(lambda kv: 2 <= len(kv[1]) <= max_df)
                 .flatMap(lambda kv: _gram_pairs(kv[1]))
                 .reduceByKey(add, numPartitions=self.partitions)
                 .filter(lambda kv: gram_pair_kept(kv[1], kv[0][2], kv[0][3]))
                 .map(lambda kv: ((kv[0][0], kv[0][1]), (kv[1], float(gram_cosine(kv[1], kv[0][2], kv[0][3])))))
                 .subtractByKey(known.map(lambda ab: (ab, None)), numPartitions=self.partitions))
        return self._cache(pairs)

    def _limit_per_document(self, scored: Any, cosines: Callable[[np.ndarray, np.ndarray, list], np.ndarray]) -> Any:
        """The pairs among the ``max_candidates`` best of either of their documents (by shared count, then
        cosine), as (a, b).

        A pair with a document holding no more pairs than the limit is always kept, so only the pairs of
        the few crowded documents come to the driver, where ``cosines(a, b, scored)`` scores them.
        """
        limit = self.opts.max_candidates
        degree = scored.flatMap(lambda kv: [(kv[0][0], 1), (kv[0][1], 1)]).reduceByKey(add)
        crowded = self.sc.broadcast(set(degree.filter(lambda kv: kv[1] > limit).keys().collect()))
        if not crowded.value:
            return scored.keys()
        ranked = sorted(scored.filter(lambda kv: kv[0][0] in crowded.value or kv[0][1] in crowded.value).collect())
        a = np.array([p[0][0] for p in ranked], dtype=np.int64)
        b = np.array([p[0][1] for p in ranked], dtype=np.int64)
        shared = np.array([_shared(p[1]) for p in ranked], dtype=np.int64)
        chosen = _top_per_document(a, b, shared, cosines(a, b, ranked), limit)
        keep = self.sc.broadcast({(int(a[k]), int(b[k])) for k in chosen.tolist()})
        return scored.keys().filter(
            lambda ab: (ab[0] not in crowded.value and ab[1] not in crowded.value) or ab in keep.value)

    def _tfidf_cosines(self, docs: Any, a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
        """TF-IDF cosines of the pairs (a, b), as find_candidates ranks a document's candidates."""
        involved = self.sc.broadcast(set(a.tolist()) | set(b.tolist()))
        hashes = dict(docs.filter(lambda item: item[0] in involved.value)
                      .map(lambda item: (item[0], content_hashes(item[1]))).collect())
        needed = self.sc.broadcast({int(h) for arr in hashes.values() for h in arr.tolist()})
        df = dict(docs.flatMap(lambda item: [(int(h), 1) for h in np.unique(content_hashes(item[1])).tolist()
                                             if int(h) in needed.value])
                  .reduceByKey(add).collect())
        idf = {h: float(np.log((1 + n) / (1 + d)) + 1.0) for h, d in df.items()}
        vectors = {i: _tfidf_vector(h, idf) for i, h in hashes.items()}
        return _cosines(vectors, a, b)

    # -- step 4

    def _linked(self, docs: Any, pairs: Any) -> list[tuple[int, int]]:
        opts = self.opts
        right = (pairs.map(lambda ab: (ab[1], ab[0])).join(docs, numPartitions=self.partitions)
                 .map(lambda kv: (kv[1][0], (kv[0], kv[1][1]))))
        grouped = docs.cogroup(right, numPartitions=self.partitions)
        flags = grouped.flatMap(lambda item: _assess_linked(item, opts))
        found = flags.filter(lambda t: t[2] or t[3]).collect()  # one pass: linked or skipped
        skipped = sum(t[3] for t in found)
        if skipped:
            self.warnings.append(skipped_pairs_warning(skipped))
        return sorted((t[0], t[1]) for t in found if t[2])

    # -- steps 5 and 6

    def _families(self, docs: Any, pairs: Any, labels: np.ndarray) -> list[dict[str, Any]]:
        if not (labels >= 0).any():
            return []
        opts = self.opts
        lab = self.sc.broadcast(labels)
        inside = pairs.filter(lambda ab: lab.value[ab[0]] >= 0 and lab.value[ab[0]] == lab.value[ab[1]]).map(
            lambda ab: (int(lab.value[ab[0]]), ab))
        members = docs.filter(lambda item: lab.value[item[0]] >= 0).map(
            lambda item: (int(lab.value[item[0]]), item))
        grouped = members.cogroup(inside, numPartitions=self.partitions)
        return grouped.flatMap(lambda item: _finish_family(item, opts)).collect()


