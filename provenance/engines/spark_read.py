"""Spark engine, input: folders, record files and Parquet on any file system -> an RDD of Article.

Ids, texts and metadata are those :func:`provenance.load_articles` gives for
the same local input (the same record parser and text decoder run on the
executors), so the two engines trace the same articles.  Remote paths
(``hdfs://``, ``s3a://``...) keep their URI in ``Article.path``.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import Any

from ..model import Article
from ..stages.load import HTML_SUFFIXES, RECORD_SUFFIXES, TEXT_SUFFIXES, _article, _decode_text, _newlines, _Skip
from ..stages.load_formats import parse_records

#: Engines a trace can run on (the CLI's ``--engine`` choices).  Kept here, not in spark_engine,
#: so that the CLI can offer them without importing the engine (and the lineage stage with it).
ENGINES = ("embedded", "spark")
#: Spark master used when none is given: every core of this machine.
MASTER_DEFAULT = "local[*]"

__all__ = ["read_articles", "INPUT_FORMATS", "is_local", "ENGINES", "MASTER_DEFAULT"]

#: How input paths are read: by suffix ("auto"), or forced.
INPUT_FORMATS = ("auto", "files", "jsonl", "parquet")
_SUPPORTED = TEXT_SUFFIXES + HTML_SUFFIXES + RECORD_SUFFIXES
_RECORD_KINDS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}


def read_articles(session: Any, roots: list[str], input_format: str, partitions: int) -> tuple[Any, list[str]]:
    """Articles of every root as an RDD, and the load warnings.

    Parameters
    ----------
    session : pyspark.sql.SparkSession
        The session to read with.
    roots : list of str
        Paths or URIs: folders, record files, Parquet.
    input_format : {"auto", "files", "jsonl", "parquet"}
        How to read them (see :data:`INPUT_FORMATS`).
    partitions : int
        Partitions of the result.

    Returns
    -------
    articles : RDD of Article
        One per id; the first in the embedded loader's order wins.
    warnings : list of str
        Skipped files and records, one line each.
    """
    parts = [_read(session, root, input_format).map(lambda item, r=rank: (r, item))
             for rank, root in enumerate(roots)]
    items = (session.sparkContext.union(parts) if len(parts) > 1 else parts[0]).persist()
    warnings = list(items.filter(lambda x: isinstance(x[1], str)).values().collect())
    # The first article with an id, in the embedded loader's order, wins.
    ranked = items.filter(lambda x: not isinstance(x[1], str)).map(
        lambda x: (x[1][1].id, ((x[0], *x[1][0]), x[1][1])))
    firsts = ranked.reduceByKey(lambda x, y: x if x[0] <= y[0] else y, numPartitions=partitions)
    duplicates = ranked.count() - firsts.count()
    if duplicates:
        warnings.append(f"skipped {duplicates} record(s) or file(s) with an id seen before")
    items.unpersist()
    return firsts.map(lambda kv: kv[1][1]), warnings


def _read(session: Any, root: str, input_format: str) -> Any:
    uri = os.path.abspath(root) if is_local(root) else root
    kind = _guess_format(root) if input_format == "auto" else input_format
    reader = session.read
    if kind == "parquet":
        rows = reader.parquet(uri).rdd.zipWithIndex()
        return rows.mapPartitions(lambda part: _row_articles(part, root))
    if kind == "jsonl":
        lines = reader.text(uri).rdd.map(lambda row: row.value).zipWithIndex()
        return lines.mapPartitions(lambda part: _line_articles(part, root))
    base = "file:" + uri if is_local(root) else uri
    top = _strip_scheme(base, base)
    frame = (reader.format("binaryFile").option("recursiveFileLookup", "true").load(base)
             .select("path", "content"))

    def convert(part: Iterable[Any]) -> Iterator[Any]:
        for row in part:
            path = _strip_scheme(row.path, base)
            # A file given directly is read whatever its suffix, as load_articles does.
            if PurePosixPath(path).suffix.lower() in _SUPPORTED or path.rstrip("/") == top.rstrip("/"):
                yield from _file_articles(path, bytes(row.content), top, root)

    return frame.rdd.mapPartitions(convert)


def is_local(path: str) -> bool:
    """Whether ``path`` names a local file (no URI scheme)."""
    return "://" not in path and not path.startswith("file:")


def _local(path: str) -> str:
    return path[len("file:"):] if path.startswith("file:") else path


def _records(text: str, kind: str, name: str, file_id: str, in_folder: bool,
             number: int | None = None) -> tuple[list[tuple[tuple, Article]], list[str]]:
    """Articles of one record file (or one JSONL line when ``number`` is given), as load_articles makes them."""
    records, problems = parse_records(text, kind, name)
    out = []
    for record in records:
        if number is not None:
            record = dataclasses.replace(record, number=number, where=f"{name}:{number}")
        if record.number is None and record.id is None:
            article_id = file_id
        else:
            key = record.id if record.id is not None else str(record.number)
            article_id = f"{file_id}#{key}" if in_folder or record.id is None else key
        article = Article(id=article_id, text=record.text, path=name, title=record.title,
                          published=record.published, outlet=record.outlet, url=record.url)
        out.append(((record.number or 0,), article))
    return out, problems


def _file_articles(path: str, data: bytes, root: str, given: str) -> Iterator[tuple[tuple, Article] | str]:
    """Articles (with their load order) or warnings of one file read by Spark's binaryFile source."""
    in_folder = path.rstrip("/") != root.rstrip("/")
    rel = path[len(root.rstrip("/")) + 1:] if in_folder else os.path.basename(path)
    name = os.path.join(given, rel) if in_folder else given
    if is_local(given):
        name = _local(name)
    suffix = PurePosixPath(path).suffix.lower()
    order = (tuple(PurePosixPath(rel).parts),)
    try:
        if suffix in RECORD_SUFFIXES:
            text = _newlines(_decode_text(data, name))
            articles, problems = _records(text, _RECORD_KINDS[suffix], name, rel, in_folder)
            if not articles and not problems:
                raise _Skip("no records")
            yield from problems
            for number, article in articles:
                yield order + number, article
        else:
            kind = "html" if suffix in HTML_SUFFIXES else suffix
            yield order, _article(_decode_text(data, name), rel, name, kind)
    except _Skip as skip:
        yield f"skipped {name}: {skip.reason}"


def _line_articles(rows: Iterable[tuple[str, int]], given: str) -> Iterator[tuple[tuple, Article] | str]:
    """Articles of JSON Lines read one line per row, numbered like the embedded loader numbers them."""
    name = _local(given) if is_local(given) else given
    file_id = os.path.basename(name)
    for line, index in rows:
        if not line.strip():
            continue
        articles, problems = _records(line, "jsonl", name, file_id, False, number=index + 1)
        yield from problems
        yield from articles


def _row_articles(rows: Iterable[tuple[Any, int]], given: str) -> Iterator[tuple[tuple, Article] | str]:
    """Articles of Parquet rows (fields named as in JSON records)."""
    name = _local(given) if is_local(given) else given
    file_id = os.path.basename(name.rstrip("/"))
    for row, index in rows:
        line = json.dumps(row.asDict(recursive=True), default=str, ensure_ascii=False)
        articles, problems = _records(line, "jsonl", name, file_id, False, number=index + 1)
        yield from problems
        yield from articles


def _guess_format(root: str) -> str:
    lower = root.lower().rstrip("/")
    if lower.endswith(".parquet"):
        return "parquet"
    if lower.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if is_local(root) and os.path.isdir(root):
        names = os.listdir(root)
        if names and any(name.endswith(".parquet") for name in names) and all(
                name.endswith(".parquet") or name.startswith(("_", ".")) for name in names):
            return "parquet"
    return "files"


def _strip_scheme(path: str, base: str) -> str:
    """Spark's ``file:/x`` or ``file:///x`` back to ``/x`` when the input was local."""
    if base.startswith("file:"):
        return "/" + path[len("file:"):].lstrip("/")
    return path
