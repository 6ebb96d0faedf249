"""How the tracer scales on one machine: time, peak memory and accuracy from 1k to 100k documents.

``python benchmarks/scale.py corpus --docs 20000 --seed 1 --out DIR`` simulates a corpus of about
that many documents with known lineage (``DIR/corpus.jsonl`` + ``DIR/truth.json``).

``python benchmarks/scale.py run DIR [--jobs 2] [--engine embedded|spark] [--master local[2]]
[--results FILE.jsonl]`` traces it in a fresh subprocess and reports wall time, the time of one
``TfidfVectorizer().fit_transform`` pass over the same texts in the same process ("passes" =
trace time / that pass; "CPU passes" the same with CPU time, trace workers included), stage start
times (wall, and this process's CPU time: all of it with ``--jobs 1``), peak memory and accuracy
(``benchmarks/score.py``).

``python benchmarks/scale.py report FILE.jsonl [--plot FILE.png]`` prints the table (markdown)
and draws a log-log plot of time against corpus size.

Corpora beyond the ~6,700 real originals (BBC + Reuters, de-duplicated) need more originals
that are still unrelated to each other: round ``r`` of an original replaces every word by another
of about the same corpus frequency (a fixed random permutation inside bands of 16 words of
neighbouring frequency rank, one permutation per round; case, digits and punctuation kept).
Two rounds of one original share no more text than two unrelated stories, while word
frequencies, sentence shapes and the spinner's synonym table still apply.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import exit_if_no_corpora  # noqa: E402
from benchmarks.originals import Original, load_originals  # noqa: E402

DOCS_PER_FAMILY = 3.35
INDEPENDENT_SHARE = 0.25
ORIGINALS_PER_FAMILY = 1.9
BAND = 16
SAMPLE_SECONDS = 0.25
_WORD = re.compile(r"[A-Za-z]+")


# --------------------------------------------------------------------------- corpora


class _Cipher:
    """Word-for-word substitutions that keep frequency ranks, one per round."""

    def __init__(self, originals: list[Original], seed: int) -> None:
        counts: Counter[str] = Counter()
        for o in originals:
            counts.update(w.lower() for w in _WORD.findall(o.title + " " + " ".join(o.paragraphs)))
        self.ranked = [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
        self.seed = seed
        self.tables: dict[int, dict[str, str]] = {}

    def table(self, round_no: int) -> dict[str, str]:
        if round_no not in self.tables:
            rng = random.Random(f"{self.seed}/{round_no}")
            out = {}
            for start in range(0, len(self.ranked), BAND):
                band = self.ranked[start : start + BAND]
                shuffled = band[:]
                rng.shuffle(shuffled)
                out.update(zip(band, shuffled, strict=True))
            self.tables[round_no] = out
        return self.tables[round_no]

    def apply(self, text: str, round_no: int) -> str:
        table = self.table(round_no)

        def swap(match: re.Match[str]) -> str:
            word = match.group()
            new = table.get(word.lower(), word)
            if word.isupper() and len(word) > 1:
                return new.upper()
            return new[:1].upper() + new[1:] if word[:1].isupper() else new

        return _WORD.sub(swap, text)

    def original(self, o: Original, round_no: int) -> Original:
        return Original(f"{o.key}~{round_no}", self.apply(o.title, round_no),
                        tuple(self.apply(p, round_no) for p in o.paragraphs), o.topic,
                        self.apply(o.dateline, round_no) if o.dateline else "")


def expand_originals(originals: list[Original], needed: int, seed: int) -> list[Original]:
    """Pad ``originals`` to at least ``needed`` with ciphered rounds (see the module docstring)."""
    out = list(originals)
    cipher = _Cipher(originals, seed)
    round_no = 1
    while len(out) < needed:
        out.extend(cipher.original(o, round_no) for o in originals[: needed - len(out)])
        round_no += 1
    return out


def scale_corpus(n_docs: int, seed: int, out: Path) -> Path:
    """Simulate about ``n_docs`` documents with known lineage under ``out``; returns the JSONL path."""
    from benchmarks.simcorpus import write_corpus
    from benchmarks.simulate import build_corpus

    families = max(1, round(n_docs * (1 - INDEPENDENT_SHARE) / DOCS_PER_FAMILY))
    independent = round(n_docs * INDEPENDENT_SHARE)
    base = list(load_originals("both"))
    originals = expand_originals(base, round(families * ORIGINALS_PER_FAMILY + independent) + 200, seed)
    random.Random(seed).shuffle(originals)
    corpus = build_corpus(originals, seed=seed, n_families=families, n_independent=independent)
    corpus.meta.update({"source": "both+cipher", "target_docs": n_docs})
    return write_corpus(corpus, out, "jsonl")


# --------------------------------------------------------------------------- measurement


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    out, stack = [], [pid]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(children.get(node, []))
    return out


class _MemoryWatch(threading.Thread):
    """Peak of the summed PSS (shared pages split fairly) of a process tree, sampled."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.samples: list[tuple[float, int]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        start = time.monotonic()
        while not self.stop.is_set():
            pss = sum(_pss_kb(p) for p in _tree(self.pid))
            self.samples.append((time.monotonic() - start, pss))
            self.peak_kb = max(self.peak_kb, pss)
            self.stop.wait(SAMPLE_SECONDS)

    def peak_at(self) -> float:
        """Seconds after start at which the peak was sampled."""
        return max(self.samples, key=lambda s: s[1])[0] if self.samples else 0.0


def _worker(path: Path, engine: str, jobs: int, master: str, options: dict[str, Any]) -> dict[str, Any]:
    """Run inside the measured subprocess: one TF-IDF pass, then the trace, then the score."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from benchmarks.corpus_io import read_documents
    from benchmarks.score import score

    born = time.perf_counter()
    texts = [d.text for d in read_documents(path)]
    start, start_cpu = time.perf_counter(), time.process_time()
    TfidfVectorizer().fit_transform(texts)
    tfidf = time.perf_counter() - start
    tfidf_cpu = time.process_time() - start_cpu
    del texts
    stages: dict[str, float] = {}
    stages_cpu: dict[str, float] = {}
    start, start_cpu = time.perf_counter(), time.process_time()

    def progress(stage: str, done: int, total: int) -> None:
        stages.setdefault(stage, round(time.perf_counter() - start, 2))
        # This process's CPU time when each stage starts: all of it with --jobs 1.
        stages_cpu.setdefault(stage, round(time.process_time() - start_cpu, 2))

    cpu0 = os.times()
    if engine == "spark":
        from provenance.engines.spark_engine import trace_spark

        lineage = trace_spark(str(path), master=master, progress=progress, **options)
    else:
        from provenance import trace

        lineage = trace(str(path), jobs=jobs, progress=progress, **options)
    predicted = lineage.to_json()
    seconds = time.perf_counter() - start
    cpu1 = os.times()
    cpu = (cpu1.user + cpu1.system + cpu1.children_user + cpu1.children_system
           - cpu0.user - cpu0.system - cpu0.children_user - cpu0.children_system)
    truth_file = path.parent / "truth.json"
    metrics = score(json.loads(truth_file.read_text()), predicted) if truth_file.exists() else {}
    own_hwm = 0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            own_hwm = int(line.split()[1]) // 1024
    return {
        "docs": len(predicted["documents"]), "engine": engine, "jobs": jobs, "options": options,
        "master": master if engine == "spark" else None,
        "seconds": round(seconds, 2), "tfidf_seconds": round(tfidf, 3), "passes": round(seconds / tfidf, 2),
        "cpu_seconds": round(cpu, 1), "tfidf_cpu_seconds": round(tfidf_cpu, 3),
        # CPU time against CPU time: what a shared, busy machine distorts least.
        "cpu_passes": round(cpu / tfidf_cpu, 2) if tfidf_cpu else None,
        "stages": stages, "stages_cpu": stages_cpu, "trace_started_s": round(start - born, 1), "main_hwm_mb": own_hwm,
        "accuracy": {k: metrics.get(k) for k in ("family_f1", "parent_acc", "absent_acc", "direction_acc",
                                                 "edge_precision", "independents_linked")},
    }


def measure(path: Path, engine: str, jobs: int, master: str, options: dict[str, Any]) -> dict[str, Any]:
    """Run one measurement in a fresh subprocess; adds the peak PSS of its process tree."""
    command = [sys.executable, str(Path(__file__).resolve()), "_worker", str(path), "--engine", engine,
               "--jobs", str(jobs), "--master", master]
    for key, value in options.items():
        command += ["--set", f"{key}={value}"]
    load_before = os.getloadavg()[0]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watch = _MemoryWatch(proc.pid)
    watch.start()
    out, err = proc.communicate()
    watch.stop.set()
    watch.join()
    if proc.returncode != 0:
        raise RuntimeError(f"measurement failed (exit {proc.returncode}):\n{err[-3000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result.update({"peak_pss_mb": watch.peak_kb // 1024, "peak_after_s": round(watch.peak_at(), 1),
                   "corpus": str(path),
                   "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2)})
    return result


# --------------------------------------------------------------------------- report


def report(rows: list[dict[str, Any]], plot: Path | None) -> str:
    """Markdown table of the measurements (grouped by their ``label``); draws the log-log plot when asked."""
    head = ("| code | docs | jobs | seconds | TF-IDF pass (s) | passes | CPU s | CPU passes | peak PSS (MB) "
            "| main RSS (MB) | family F1 | parent acc | independents linked | load |")
    lines = [head, "|---" * 14 + "|"]
    for r in sorted(rows, key=lambda r: (_label(r), r["jobs"], r["docs"])):
        acc = r.get("accuracy") or {}
        lines.append(
            f"| {_label(r)} | {r['docs']:,} | {r['jobs']} | {r['seconds']:.1f} | {r['tfidf_seconds']:.2f} "
            f"| {r['passes']:.1f} | {r['cpu_seconds']:.0f} | {_num(r.get('cpu_passes'))} "
            f"| {r['peak_pss_mb']:,} | {r['main_hwm_mb']:,} "
            f"| {_pct(acc.get('family_f1'))} | {_pct(acc.get('parent_acc'))} | {acc.get('independents_linked')} "
            f"| {r['load_before']:.1f} |"
        )
    if plot is not None:
        _plot(rows, plot)
    return "\n".join(lines)


def _label(row: dict[str, Any]) -> str:
    return row.get("label") or f"{row['engine']}"


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _plot(rows: list[dict[str, Any]], target: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    series: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        series.setdefault(f"{_label(r)}, jobs={r['jobs']}", []).append(r)
    for name, items in sorted(series.items()):
        items.sort(key=lambda r: r["docs"])
        ax.loglog([r["docs"] for r in items], [r["seconds"] for r in items], "o-", label=f"trace ({name})")
    tf = sorted({r["docs"]: r["tfidf_seconds"] for r in rows}.items())
    ax.loglog([d for d, _ in tf], [s for _, s in tf], "s--", color="grey", label="one TF-IDF pass")
    if tf:
        d0, s0 = tf[0]
        xs = [d0, tf[-1][0]]
        ax.loglog(xs, [s0 * 3 * (x / d0) for x in xs], ":", color="black", linewidth=0.8, label="3 passes (linear)")
    ax.set_xlabel("documents")
    ax.set_ylabel("seconds (wall)")
    ax.grid(True, which="both", linewidth=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(target, dpi=120)


# --------------------------------------------------------------------------- command line


def _options(pairs: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        out[key] = float(value) if "." in value else int(value)
    return out


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("corpus", help="simulate a scale corpus")
    make.add_argument("--docs", type=int, required=True)
    make.add_argument("--seed", type=int, default=1)
    make.add_argument("--out", type=Path, required=True)
    for name in ("run", "_worker"):
        run = sub.add_parser(name)
        run.add_argument("path", type=Path)
        run.add_argument("--engine", choices=("embedded", "spark"), default="embedded")
        run.add_argument("--jobs", type=int, default=1)
        run.add_argument("--master", default="local[2]")
        run.add_argument("--results", type=Path, default=None, help="append the JSON row to this file")
        run.add_argument("--set", action="append", default=[], metavar="OPTION=INT",
                         help="a trace option, e.g. --set min_shared=8")
        run.add_argument("--label", default=None, help="name of the code measured, for the report")
    rep = sub.add_parser("report")
    rep.add_argument("results", type=Path)
    rep.add_argument("--plot", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.command == "corpus":
        exit_if_no_corpora()
        target = scale_corpus(args.docs, args.seed, args.out)
        print(target)
    elif args.command == "_worker":
        print(json.dumps(_worker(args.path, args.engine, args.jobs, args.master, _options(args.set))))
    elif args.command == "run":
        path = args.path / "corpus.jsonl" if args.path.is_dir() else args.path
        row = measure(path, args.engine, args.jobs, args.master, _options(args.set))
        row["label"] = args.label
        print(json.dumps(row))
        if args.results:
            with args.results.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(row) + "\n")
    else:
        rows = [json.loads(line) for line in args.results.read_text().splitlines() if line.strip()]
        print(report(rows, args.plot))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
