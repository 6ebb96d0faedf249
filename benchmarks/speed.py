"""Speed and peak memory of ``provenance.trace`` beside a TF-IDF pass and the two baselines.

``python benchmarks/speed.py [--sizes 1000,10000,20000] [--large] [--json] [--plot FILE.png]``

``python benchmarks/speed.py --cold-start`` times ``trace seeds/`` from a cold interpreter (median of
7, interleaved with a no-op ``python -c pass`` start, whose time is the floor).

Corpora of N documents are simulated from BBC + Reuters originals. Beyond the ~6,700 real
originals, variants are made by shuffling paragraphs and replacing about a third of the
words with random common English words, so repeats stay distinct and do not form large
unlabelled near-duplicate clusters. Each measurement runs in its own subprocess; peak memory
is that process's high-water mark (``VmHWM``, or its children's ``ru_maxrss`` if higher).
Runs under 30 s are repeated three times and the median is reported.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
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

from benchmarks.common import TracerUnavailable, exit_if_no_corpora, load_tracer  # noqa: E402
from benchmarks.originals import Original, load_originals  # noqa: E402
from benchmarks.simcorpus import write_corpus  # noqa: E402
from benchmarks.simulate import build_corpus  # noqa: E402

SIZES_DEFAULT = (1000, 10000, 20000)
SIZE_LARGE = 100000
SYSTEMS = ("provenance", "tfidf", "jaccard", "minhash")
REPEAT_BELOW_SECONDS = 30.0
REPEATS = 3
REMIX_RATE = 0.35
DOCS_PER_FAMILY = 3.3
INDEPENDENT_SHARE = 0.25


def _vocabulary() -> list[str]:
    from wordfreq import top_n_list

    return [w for w in top_n_list("en", 20000) if w.isalpha()]


def _remix(original: Original, round_no: int, rng: random.Random, vocab: list[str]) -> Original:
    def scramble(text: str) -> str:
        return " ".join(rng.choice(vocab) if rng.random() < REMIX_RATE else w
                        for w in text.split())

    paragraphs = [scramble(p) for p in original.paragraphs]
    rng.shuffle(paragraphs)
    return Original(f"{original.key}#{round_no}", scramble(original.title), tuple(paragraphs),
                    original.topic)


def expand_originals(originals: list[Original], needed: int, seed: int) -> list[Original]:
    """Pad ``originals`` to ``needed`` items with distinct remixed variants.

    Parameters
    ----------
    originals : list of Original
        Real, de-duplicated originals.
    needed : int
        Target count.
    seed : int
        Seed of the remixing.

    Returns
    -------
    list of Original
        The originals followed by variants (paragraphs shuffled, ~35% of words replaced).
    """
    rng = random.Random(seed)
    out = list(originals)
    vocab = _vocabulary() if needed > len(out) else []
    round_no = 1
    while len(out) < needed:
        out.extend(_remix(o, round_no, rng, vocab) for o in originals[: needed - len(out)])
        round_no += 1
    return out


def speed_corpus(n_docs: int, seed: int, out: Path, layout: str) -> Path:
    """Simulate about ``n_docs`` documents (cut to exactly ``n_docs``) and write them."""
    families = max(1, round(n_docs * (1 - INDEPENDENT_SHARE) * 1.1 / DOCS_PER_FAMILY))
    independent = round(n_docs * INDEPENDENT_SHARE * 1.1)
    originals = expand_originals(list(load_originals("both")),
                                 round(families * 1.8 + independent) + 100, seed)
    corpus = build_corpus(originals, seed=seed, n_families=families, n_independent=independent)
    keep = {d.stem for d in corpus.present[:n_docs]}
    corpus.docs = [d for d in corpus.docs if d.stem in keep]
    return write_corpus(corpus, out, layout)


def _work(system: str, path: Path) -> float:
    """Run one system once in this process; return its wall time in seconds."""
    if system == "tfidf":
        from sklearn.feature_extraction.text import TfidfVectorizer

        from benchmarks.corpus_io import read_documents

        texts = [d.text for d in read_documents(path)]
        start = time.perf_counter()
        TfidfVectorizer().fit_transform(texts)
        return time.perf_counter() - start
    start = time.perf_counter()
    if system == "provenance":
        load_tracer()(str(path)).to_json()
    else:
        from benchmarks.baselines import run_baseline

        run_baseline(system, path)
    return time.perf_counter() - start


def peak_rss_mb() -> float:
    """Peak resident memory of this process and its waited-for children, in MB.

    ``VmHWM`` is used for the process itself because ``ru_maxrss`` keeps the parent's
    high-water mark across fork + exec; children (e.g. worker pools) add ``ru_maxrss``
    of ``RUSAGE_CHILDREN``, which can only over-estimate.
    """
    own = 0.0
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                own = int(line.split()[1]) / 1024
    else:  # pragma: no cover - non-Linux fallback
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return max(own, children)


def measure_once(system: str, path: Path) -> tuple[float, float]:
    """Run one measurement in a fresh subprocess; return (seconds, peak RSS in MB)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", system,
               "--path", str(path)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{system} failed on {path} (exit {done.returncode}):\n"
                           f"{done.stderr[-2000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return report["seconds"], report["peak_mb"]


def measure(system: str, path: Path) -> dict[str, Any]:
    """Median of three runs when one run is under 30 s, else a single run."""
    try:
        runs = [measure_once(system, path)]
    except RuntimeError as exc:
        print(f"speed.py: {exc}", file=sys.stderr)
        return {"error": str(exc).splitlines()[0]}
    if runs[0][0] < REPEAT_BELOW_SECONDS:
        runs += [measure_once(system, path) for _ in range(REPEATS - 1)]
    return {"seconds": statistics.median(r[0] for r in runs),
            "max_rss_mb": max(r[1] for r in runs), "runs": len(runs)}


def run(sizes: list[int], systems: tuple[str, ...], seed: int, layout: str,
        ) -> dict[int, dict[str, Any]]:
    """Build one corpus per size and measure every system on it."""
    results: dict[int, dict[str, Any]] = {}
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="provenance-speed-") as tmp:
            path = speed_corpus(size, seed, Path(tmp), layout)
            print(f"measuring {size} documents ...", file=sys.stderr)
            results[size] = {system: measure(system, path) for system in systems}
        tfidf = results[size].get("tfidf", {}).get("seconds")
        trace = results[size].get("provenance", {}).get("seconds")
        results[size]["trace_over_tfidf"] = trace / tfidf if trace and tfidf else None
    return results


COLD_REPEATS = 7


def cold_start(repeats: int = COLD_REPEATS) -> dict[str, tuple[float, float]]:
    """Median wall and CPU seconds of ``trace seeds/`` and of a no-op Python start, run alternately.

    ``trace`` is the installed console script when it is on PATH (what a user
    runs), else ``python -m provenance``; the text report goes to a pipe.
    CPU time (user + system of the child) is what a busy machine distorts least.
    """
    seeds = str(Path(__file__).resolve().parents[1] / "seeds")
    script = shutil.which("trace")
    commands = {
        "trace seeds/": [script, seeds] if script else [sys.executable, "-m", "provenance", seeds],
        "python -c pass": [sys.executable, "-c", "pass"],
    }
    wall: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeats):
        for name, command in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, check=True)
            wall[name].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return {name: (round(statistics.median(wall[name]), 3), round(statistics.median(cpu[name]), 3))
            for name in commands}


def _cell(stats: dict[str, Any]) -> str:
    if "error" in stats:
        return "failed"
    return f"{stats['seconds']:.2f} s / {stats['max_rss_mb']:.0f} MB"


def table(results: dict[int, dict[str, Any]], systems: tuple[str, ...]) -> str:
    """Seconds and peak MB per system and size, plus the trace/TF-IDF ratio."""
    rows = []
    for size, by_system in results.items():
        ratio = by_system["trace_over_tfidf"]
        cells = [_cell(by_system[s]) for s in systems]
        rows.append([size, *cells, f"{ratio:.1f}x" if ratio else "n/a"])
    return tabulate(rows, headers=["docs", *systems, "trace/tfidf"], disable_numparse=True)


def plot(results: dict[int, dict[str, Any]], systems: tuple[str, ...], path: Path) -> None:
    """Write a log-log plot of seconds against documents."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(results)
    fig, ax = plt.subplots(figsize=(6, 4))
    for system in systems:
        points = [(n, results[n][system]["seconds"]) for n in sizes
                  if "seconds" in results[n][system]]
        if points:
            ax.plot(*zip(*points, strict=True), marker="o", label=system)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("documents")
    ax.set_ylabel("seconds")
    ax.set_title("provenance scaling")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES_DEFAULT)))
    parser.add_argument("--large", action="store_true", help=f"add {SIZE_LARGE} documents")
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--layout", choices=("txt", "jsonl"), default="txt")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--plot", type=Path, help="write a log-log plot (PNG)")
    parser.add_argument("--cold-start", action="store_true",
                        help="time `trace seeds/` from a cold start beside a no-op Python start, and exit")
    parser.add_argument("--worker", choices=SYSTEMS, help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()}
                        | ({SIZE_LARGE} if args.large else set()))
    args.systems = tuple(s for s in args.systems.split(",") if s)
    if set(args.systems) - set(SYSTEMS) or not args.sizes or min(args.sizes) < 10:
        parser.error(f"--systems must be a subset of {','.join(SYSTEMS)} and sizes >= 10")
    return args


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (also the subprocess worker)."""
    args = _parse_args(argv)
    if args.worker:
        seconds = _work(args.worker, args.path)
        print(json.dumps({"seconds": seconds, "peak_mb": peak_rss_mb()}))
        return 0
    if args.cold_start:
        medians = cold_start()
        print(tabulate([(name, *times) for name, times in sorted(medians.items())],
                       headers=["command", f"wall s (median of {COLD_REPEATS})", "CPU s (median)"]))
        return 0
    exit_if_no_corpora()
    if "provenance" in args.systems:
        try:
            load_tracer()
        except TracerUnavailable as exc:
            print(f"speed.py: error: {exc}. Use --systems tfidf,jaccard,minhash to time the "
                  "others alone.", file=sys.stderr)
            return 1
    results = run(args.sizes, args.systems, args.seed, args.layout)
    if args.json:
        print(json.dumps({"seed": args.seed, "layout": args.layout, "results": results},
                         indent=1, sort_keys=True))
    else:
        print(table(results, args.systems))
    if args.plot:
        plot(results, args.systems, args.plot)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
