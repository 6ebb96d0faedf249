"""Tests for provenance.engines.spark_engine: the Spark engine traces what the embedded engine traces.

Tests that start Spark carry the ``spark`` marker (local[2], one session for
the module) and are skipped, with the reason, when pyspark or Java is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from conftest import CORPORA, SEEDS
from syndicated import synthetic_corpus

from provenance import trace
from provenance.engines.spark_engine import spark_available, trace_spark
from provenance.errors import ConfigError, InputError

SPARK_MISSING = spark_available()


def _parents(lineage: dict) -> dict[str, object]:
    """Each child's parent; a latent parent is named by the documents it stands above."""
    latent = {lat["id"]: frozenset(lat["children"]) for lat in lineage["latent"]}
    return {e["child"]: latent.get(e["parent"], e["parent"]) for e in lineage["edges"]}


def _families(lineage: dict) -> set[frozenset[str]]:
    return {frozenset(f["members"]) for f in lineage["families"]}


def _agreement(one: dict, two: dict) -> float:
    first, second = _parents(one), _parents(two)
    children = set(first) | set(second)
    return sum(first.get(c) == second.get(c) for c in children) / max(1, len(children))


def _write_jsonl(articles, path: Path) -> Path:
    rows = [{"id": a.id.removesuffix(".txt"), "text": a.text, "published": a.published} for a in articles]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def spark():
    if SPARK_MISSING:
        pytest.skip(SPARK_MISSING)
    from pyspark.sql import SparkSession

    from provenance.engines.spark_engine import _SESSION_CONF

    builder = SparkSession.builder.master("local[2]").appName("provenance-tests")
    # Executors run this interpreter, as the engine's own session does for a local master
    # (the first python3 on PATH may be another one, without the package's dependencies).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    for key, value in {**_SESSION_CONF, "spark.sql.shuffle.partitions": "4"}.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def corpus_jsonl(tmp_path_factory) -> Path:
    articles = synthetic_corpus(n_families=12, n_independent=12, seed=5)
    return _write_jsonl(articles, tmp_path_factory.mktemp("spark") / "corpus.jsonl")


@pytest.mark.spark
@pytest.mark.skipif(SPARK_MISSING is not None, reason=SPARK_MISSING or "")
def test_jsonl_gives_the_embedded_lineage(spark, corpus_jsonl):
    embedded = trace(corpus_jsonl).to_json()
    distributed = trace_spark(corpus_jsonl, spark=spark, partitions=3).to_json()
    assert _families(distributed) == _families(embedded)
    assert len(embedded["families"]) >= 10
    assert _agreement(embedded, distributed) >= 0.98
    # In fact the whole report is the same, numbering of families and latent sources included.
    assert distributed["documents"] == embedded["documents"]
    assert distributed["edges"] == embedded["edges"]
    assert distributed["latent"] == embedded["latent"]
    assert distributed["families"] == embedded["families"]
    assert distributed["options"] == embedded["options"]


@pytest.mark.spark
@pytest.mark.skipif(SPARK_MISSING is not None, reason=SPARK_MISSING or "")
def test_text_folder_and_parquet_give_the_embedded_lineage(spark, tmp_path):
    articles = synthetic_corpus(n_families=5, n_independent=4, seed=9)
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    for n, article in enumerate(articles):
        (folder / ("sub" if n % 3 == 0 else "") / article.id).write_text(article.text, encoding="utf-8")
    (folder / "notes.bin").write_bytes(b"\x00\x01")
    embedded = trace(folder).to_json()
    distributed = trace_spark(str(folder), spark=spark).to_json()
    assert [d["id"] for d in distributed["documents"]] == [d["id"] for d in embedded["documents"]]
    assert distributed["documents"] == embedded["documents"]
    assert _families(distributed) == _families(embedded)
    assert _parents(distributed) == _parents(embedded)

    rows = [{"id": a.id, "text": a.text} for a in articles]
    parquet = tmp_path / "corpus.parquet"
    spark.createDataFrame(rows).coalesce(2).write.parquet(str(parquet))
    jsonl = _write_jsonl(articles, tmp_path / "same.jsonl")
    from_parquet = trace_spark(str(parquet), spark=spark).to_json()
    from_jsonl = trace(jsonl).to_json()
    assert {d["id"] for d in from_parquet["documents"]} == {a.id for a in articles}
    assert _families(from_parquet) == {frozenset(m + ".txt" for m in f) for f in _families(from_jsonl)}


@pytest.mark.spark
@pytest.mark.skipif(SPARK_MISSING is not None, reason=SPARK_MISSING or "")
def test_options_reach_the_executors(spark, corpus_jsonl):
    options = {"min_shared": 150, "max_candidates": 1}  # 1: the driver ranks crowded documents
    embedded = trace(corpus_jsonl, **options).to_json()
    distributed = trace_spark(corpus_jsonl, spark=spark, **options).to_json()
    assert distributed["options"] == embedded["options"]
    assert distributed["options"]["min_shared"] == 150
    assert _families(distributed) == _families(embedded)
    assert _parents(distributed) == _parents(embedded)
    assert _families(embedded) != _families(trace(corpus_jsonl).to_json())


def _assert_same_report(path: Path, spark) -> dict:
    embedded = trace(path).to_json()
    distributed = trace_spark(str(path), spark=spark).to_json()
    for key in ("documents", "edges", "latent", "families"):
        assert distributed[key] == embedded[key], key
    return embedded


@pytest.mark.spark
@pytest.mark.skipif(SPARK_MISSING is not None, reason=SPARK_MISSING or "")
def test_a_story_held_201_times_is_one_family_as_in_the_embedded_engine(spark, tmp_path):
    # Its shingles are in more than max_df (200) documents: a story copied that often is no stock phrase.
    folder = tmp_path / "copies"
    folder.mkdir()
    for k in range(201):
        shutil.copy(SEEDS / "001_0aaa2a31d96aaafb.txt", folder / f"o{k:03d}.txt")
    for name in ("000_ff1cc9cdafb8e1cb.txt", "002_e3353238399ad4ec.txt", "003_41bf71071ac7e7a3.txt"):
        shutil.copy(SEEDS / name, folder / name)
    embedded = _assert_same_report(folder, spark)
    assert [len(f["members"]) for f in embedded["families"]] == [203]


@pytest.mark.spark
@pytest.mark.skipif(SPARK_MISSING is not None, reason=SPARK_MISSING or "")
def test_scans_link_through_character_grams_as_in_the_embedded_engine(spark, tmp_path):
    from test_ocr import SCAN_A, SCAN_B, SCAN_OTHER

    folder = tmp_path / "scans"
    folder.mkdir()
    for name, text in (("scan-a.txt", SCAN_A), ("scan-b.txt", SCAN_B), ("other.txt", SCAN_OTHER)):
        (folder / name).write_text(text, encoding="utf-8")
    embedded = _assert_same_report(folder, spark)
    # The word shingles alone do not pair the two scans (no clean copy links both): the character grams do.
    assert [f["members"] for f in embedded["families"]] == [["scan-a.txt", "scan-b.txt"]]


@pytest.mark.spark
@pytest.mark.corpora
@pytest.mark.skipif(SPARK_MISSING is not None, reason=SPARK_MISSING or "")
@pytest.mark.skipif(not (CORPORA / "reuters21578").is_dir(), reason="../shared/corpora absent")
def test_a_wire_day_gives_the_embedded_lineage(spark, tmp_path):
    # A wire's day has stories whose unseen source hangs from a copy of an older story, and groups
    # of linked reports whose lineage holds several trees: each tree one family, in both engines.
    with (CORPORA / "reuters21578" / "reuters21578.jsonl").open(encoding="utf-8") as stories:
        day = [line for line in stories if json.loads(line)["date"].startswith("7-APR-1987")]
    path = tmp_path / "day.jsonl"
    path.write_text("".join(day), encoding="utf-8")
    embedded = _assert_same_report(path, spark)
    assert any(e["child"].startswith("~") and not e["parent"].startswith("~") for e in embedded["edges"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"partitions": 0}, r"The 'partitions' parameter of trace_spark must be an int >= 1\. Got 0"),
        ({"input_format": "xml"}, r"The 'input_format' parameter of trace_spark must be one of"),
        ({"min_sharde": 3}, r"Unknown option\(s\) for trace_spark: min_sharde"),
        ({"min_link_share": 2.0}, r"The 'min_link_share' option of trace must be a float in \[0, 1\]"),
    ],
)
def test_bad_options_fail_before_spark_starts(tmp_path, kwargs, message):
    with pytest.raises(ConfigError, match=message):
        trace_spark(tmp_path, master="local[1]", **kwargs)


def test_pysparks_pandas_3_warning_is_filtered_in_the_test_config():
    # pyspark warns on every first py4j call under pandas >= 3 (see pyproject.toml); its own check, called
    # here under the suite's warning filters, must add nothing to the test output.
    pytest.importorskip("pyspark")
    pandas = pytest.importorskip("pandas")
    if int(pandas.__version__.split(".")[0]) < 3:
        pytest.skip("pyspark warns only under pandas >= 3")
    from pyspark.sql.pandas.utils import require_minimum_pandas_version

    with warnings.catch_warnings(record=True) as caught:
        require_minimum_pandas_version()
    assert [str(w.message) for w in caught] == []


def test_missing_local_path_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="path does not exist"):
        trace_spark(tmp_path / "nowhere", master="local[1]")


@pytest.mark.parametrize("paths", [[], [3], None])
def test_paths_must_be_paths(paths):
    with pytest.raises(ConfigError, match="The 'paths' parameter of trace_spark"):
        trace_spark(paths)


def test_engine_options_reach_the_command():
    import click
    from click.testing import CliRunner

    from provenance.cli_engine import add_engine_options

    @click.command()
    @add_engine_options
    def command(engine, master, partitions):
        click.echo(f"{engine} {master} {partitions}")

    runner = CliRunner()
    assert runner.invoke(command, []).stdout == "embedded local[*] None\n"
    assert runner.invoke(command, ["--engine", "spark", "--master", "local[2]", "--partitions", "8"]).stdout == (
        "spark local[2] 8\n")
    bad = runner.invoke(command, ["--engine", "flink"])
    assert bad.exit_code == 2 and "'flink' is not one of" in bad.stderr


def test_run_trace_embedded_passes_everything_to_trace():
    from provenance.cli_engine import run_trace

    seen = {}

    def fake_trace(paths, **options):
        seen.update(paths=paths, **options)
        return "lineage"

    assert run_trace(("a", "b"), engine="embedded", master="local[2]", partitions=None, trace=fake_trace,
                     jobs=2, strict=True, min_shared=5) == "lineage"
    assert seen == {"paths": ["a", "b"], "jobs": 2, "strict": True, "min_shared": 5}


@pytest.mark.spark
@pytest.mark.skipif(SPARK_MISSING is not None, reason=SPARK_MISSING or "")
def test_local_engine_works_outside_an_activated_virtualenv(tmp_path):
    # Only the system's directories on PATH: its python3 (if any) lacks the package's dependencies,
    # so the executors must be told to run this interpreter.
    env = {k: v for k, v in os.environ.items() if k != "PYSPARK_PYTHON"}
    env["PATH"] = "/usr/bin:/bin"
    out = tmp_path / "lineage.json"
    run = subprocess.run([sys.executable, "-m", "provenance", str(SEEDS), "--engine", "spark", "--master",
                          "local[1]", "--format", "json", "-o", str(out), "-q"],
                         env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stderr == ""  # -q: not a line of the JVM's log
    assert json.loads(out.read_text())["latent"][0]["children"] == [
        "000_ff1cc9cdafb8e1cb.txt", "001_0aaa2a31d96aaafb.txt", "002_e3353238399ad4ec.txt"]


@pytest.mark.spark
@pytest.mark.skipif(SPARK_MISSING is not None, reason=SPARK_MISSING or "")
def test_a_spark_run_prints_no_python_warning(tmp_path):
    # Without -q the JVM's start-up lines are Spark's to print; a Python warning from pyspark's
    # pandas check is noise to the user (this engine uses no pandas).
    out = tmp_path / "lineage.json"
    run = subprocess.run([sys.executable, "-W", "default", "-m", "provenance", str(SEEDS), "--engine", "spark",
                          "--master", "local[1]", "--format", "json", "-o", str(out)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Warning:" not in run.stderr, run.stderr[-2000:]
    assert json.loads(out.read_text())["families"]
