"""Speed of ``trace check`` against a large index, and of building that index.

``python benchmarks/check_speed.py [--docs 100000] [--drafts 40] [--cli-runs 7] [--jobs 1] [--json]``

A corpus of ``--docs`` distinct documents is made from the Reuters-21578 and BBC originals
in ``../shared/corpora`` (read only): every original, then rounds of lightly edited
variants (about 3% of words replaced by common English words, sometimes a paragraph
dropped) until the count is reached; a few originals are held out as independent drafts.
It is written to a temporary JSONL file and measured in this process:

* index build: ``load_articles`` + ``build_index`` of the JSONL file, beside one
  scikit-learn ``TfidfVectorizer().fit_transform`` pass over the same texts (JSONL read
  included in both), and their ratio in wall time and in CPU time (the one to trust on a
  busy machine);
* library call: ``check(draft_file, index)`` on an open index, per draft kind (copied
  paragraphs, credited copy, spun copy, held-out original), median and 95th percentile
  of the per-draft medians of three calls, and how many verdicts came out as expected;
* CLI: the whole ``trace check DRAFT --against INDEX`` process, median wall time.

Without the corpora it prints ``skipped: ...`` and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tabulate import tabulate

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import exit_if_no_corpora  # noqa: E402

DOCS_DEFAULT = 100_000
DRAFTS_DEFAULT = 40
CLI_RUNS_DEFAULT = 7
REPEATS = 3
EDIT_RATE = 0.03
DROP_PARAGRAPH = 0.3
MIN_WORDS = 80
KINDS = ("copy", "credited", "spun", "original")
EXPECTED = {"copy": "uncredited-copy", "credited": "credited-copy", "spun": "uncredited-copy",
            "original": "original"}


def _vocabulary() -> list[str]:
    from wordfreq import top_n_list

    return [w for w in top_n_list("en", 5000) if w.isalpha()]


def _originals() -> list[tuple[str, str, str, list[str]]]:
    """(key, title, outlet, paragraphs) of every usable original."""
    from benchmarks.originals import load_bbc, load_reuters

    out = []
    for source, outlet in ((load_reuters(), "Reuters"), (load_bbc(), "BBC")):
        for o in source:
            if o.n_words >= MIN_WORDS:
                out.append((o.key, o.title, outlet, list(o.paragraphs)))
    return out


def _edit(paragraphs: list[str], rng: random.Random, vocab: list[str]) -> list[str]:
    out = [" ".join(rng.choice(vocab) if rng.random() < EDIT_RATE else w for w in p.split())
           for p in paragraphs]
    if len(out) >= 3 and rng.random() < DROP_PARAGRAPH:
        del out[rng.randrange(1, len(out))]
    return out


def make_corpus(n_docs: int, n_held: int, seed: int, folder: Path) -> tuple[Path, list[dict], list[dict]]:
    """Write ``corpus.jsonl``; return its path, its records and the held-out originals."""
    rng = random.Random(seed)
    vocab = _vocabulary()
    originals = _originals()
    rng.shuffle(originals)
    held, pool = originals[:n_held], originals[n_held:]
    records: list[dict] = []
    round_no = 0
    while len(records) < n_docs:
        for key, title, outlet, paragraphs in pool:
            if len(records) >= n_docs:
                break
            body = paragraphs if round_no == 0 else _edit(paragraphs, rng, vocab)
            records.append({"id": f"{key}~{round_no}", "title": title, "outlet": outlet,
                            "text": "\n".join(body)})
        round_no += 1
    path = folder / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    held_records = [{"id": key, "title": title, "outlet": outlet, "text": "\n".join(p)}
                    for key, title, outlet, p in held]
    return path, records, held_records


def make_drafts(records: list[dict], held: list[dict], n_drafts: int, seed: int,
                folder: Path) -> list[tuple[str, Path]]:
    """Write drafts of each kind; return (kind, path) pairs."""
    from benchmarks.lexicon import SYNONYMS
    from benchmarks.textops import replace_words

    rng = random.Random(seed + 1)
    vocab = _vocabulary()
    drafts = []
    per_kind = max(1, n_drafts // len(KINDS))
    for kind in KINDS:
        for i in range(per_kind):
            if kind == "original":
                text = held[i % len(held)]["text"]
            else:
                source = rng.choice(records)
                paragraphs = source["text"].split("\n")
                if kind == "spun":
                    text = "\n".join(replace_words(p, SYNONYMS, 0.3, rng) for p in paragraphs)
                else:
                    keep = paragraphs[: max(2, rng.randint(2, 6))]
                    text = "\n".join(_edit(keep, rng, vocab))
                if kind == "credited":
                    text = f"LONDON ({source['outlet']}) - {text}"
            path = folder / f"draft-{kind}-{i:03d}.txt"
            path.write_text(text, encoding="utf-8")
            drafts.append((kind, path))
    return drafts


def _cpu() -> float:
    """CPU seconds of this process and its finished children (worker pools)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def time_build(corpus: Path, db: Path, jobs: int) -> dict[str, Any]:
    """Wall and CPU seconds of the index build and of one TF-IDF pass over the same texts.

    The CPU ratio is the one to read on a busy machine: wall times there depend on what else runs.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    from provenance.prepublish.index import build_index
    from provenance.stages.load import load_articles

    start, cpu = time.perf_counter(), _cpu()
    with corpus.open(encoding="utf-8") as handle:
        texts = [json.loads(line)["text"] for line in handle]
    TfidfVectorizer().fit_transform(texts)
    tfidf, tfidf_cpu = time.perf_counter() - start, _cpu() - cpu
    start, cpu = time.perf_counter(), _cpu()
    articles = load_articles(corpus, max_file_size=corpus.stat().st_size + 1).articles
    loaded = time.perf_counter() - start
    build_index(articles, db, jobs=jobs)
    build, build_cpu = time.perf_counter() - start, _cpu() - cpu
    print(f"build {build:.1f} s (load {loaded:.1f} s), TF-IDF {tfidf:.1f} s: {build / tfidf:.2f}x wall, "
          f"{build_cpu / tfidf_cpu:.2f}x CPU", file=sys.stderr)
    return {"docs": len(texts), "tfidf_s": tfidf, "build_s": build, "load_s": loaded,
            "tfidf_cpu_s": tfidf_cpu, "build_cpu_s": build_cpu,
            "build_over_tfidf": build / tfidf, "build_over_tfidf_cpu": build_cpu / tfidf_cpu}


def time_checks(db: Path, drafts: list[tuple[str, Path]]) -> dict[str, Any]:
    """Per kind: median and p95 of the library call (ms), and verdicts as expected."""
    from provenance.prepublish.check import check
    from provenance.prepublish.index import Index

    by_kind: dict[str, list[float]] = {k: [] for k in KINDS}
    right: dict[str, int] = {k: 0 for k in KINDS}
    with Index.open(db) as index:
        for _, path in drafts[:3]:
            check(path, index)  # warm caches (word hashes, frequencies, pages)
        for kind, path in drafts:
            times = []
            for _ in range(REPEATS):
                start = time.perf_counter()
                result = check(path, index)
                times.append((time.perf_counter() - start) * 1000)
            by_kind[kind].append(statistics.median(times))
            right[kind] += result.verdict == EXPECTED[kind]
    every = [t for times in by_kind.values() for t in times]
    out = {kind: {"median_ms": statistics.median(t), "p95_ms": _p95(t), "expected": f"{right[kind]}/{len(t)}"}
           for kind, t in by_kind.items() if t}
    out["all"] = {"median_ms": statistics.median(every), "p95_ms": _p95(every),
                  "expected": f"{sum(right.values())}/{len(every)}"}
    return out


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def time_cli(db: Path, drafts: list[tuple[str, Path]], runs: int) -> dict[str, Any]:
    """Median wall time of whole ``trace check`` processes."""
    exe = shutil.which("trace")
    command = [exe] if exe else [sys.executable, "-m", "provenance"]
    times = []
    codes = []
    for i in range(runs):
        _, path = drafts[i % len(drafts)]
        start = time.perf_counter()
        done = subprocess.run([*command, "check", str(path), "--against", str(db)], capture_output=True,
                              check=False)
        times.append(time.perf_counter() - start)
        codes.append(done.returncode)
    return {"median_s": statistics.median(times), "max_s": max(times), "exit_codes": sorted(set(codes))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=DOCS_DEFAULT, help="documents in the index")
    parser.add_argument("--drafts", type=int, default=DRAFTS_DEFAULT, help="drafts checked (split over kinds)")
    parser.add_argument("--cli-runs", type=int, default=CLI_RUNS_DEFAULT, help="whole-process runs timed")
    parser.add_argument("--jobs", type=int, default=1, help="processes preparing documents in the build")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, default=None, help="write corpus, drafts and index here")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    exit_if_no_corpora()
    with tempfile.TemporaryDirectory(prefix="provenance-check-speed-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"making {args.docs} documents ...", file=sys.stderr)
        corpus, records, held = make_corpus(args.docs, max(1, args.drafts // len(KINDS)), args.seed, folder)
        drafts = make_drafts(records, held, args.drafts, args.seed, folder)
        db = folder / "index.sqlite"
        for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            stale.unlink(missing_ok=True)
        print("building the index and a TF-IDF pass ...", file=sys.stderr)
        build = time_build(corpus, db, args.jobs)
        from provenance.prepublish.index import Index

        with Index.open(db) as index:
            stats = index.stats()
        print("timing checks ...", file=sys.stderr)
        checks = time_checks(db, drafts)
        cli = time_cli(db, drafts, args.cli_runs)
    result = {"docs": build["docs"], "build": build, "index": stats.to_json(), "check": checks, "cli": cli,
              "jobs": args.jobs}
    if args.json:
        print(json.dumps(result, indent=2, sort_keys=True))
        return 0
    rows = [
        ["index build (load + index)", f"{build['build_s']:.1f} s", f"{build['docs'] / build['build_s']:.0f} docs/s"],
        ["TfidfVectorizer pass", f"{build['tfidf_s']:.1f} s", f"{build['docs'] / build['tfidf_s']:.0f} docs/s"],
        ["build / TF-IDF", f"{build['build_over_tfidf']:.2f}x wall",
         f"{build['build_over_tfidf_cpu']:.2f}x CPU ({build['build_cpu_s']:.1f} s / {build['tfidf_cpu_s']:.1f} s)"],
        ["index size", f"{stats.size_bytes / 1024**2:.0f} MB", f"{stats.postings} postings"],
    ]
    for kind, c in checks.items():
        rows.append([f"check() {kind}", f"{c['median_ms']:.1f} ms median", f"p95 {c['p95_ms']:.1f} ms, "
                     f"verdicts as expected {c['expected']}"])
    rows.append(["trace check (process)", f"{cli['median_s']:.2f} s median", f"max {cli['max_s']:.2f} s, "
                 f"exit codes {cli['exit_codes']}"])
    print(f"{build['docs']} documents, build jobs={args.jobs}")
    print(tabulate(rows, headers=["measure", "value", "detail"], disable_numparse=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
