"""Accuracy benchmark: the tracer and two baselines on simulated BBC and Reuters corpora.

Run ``python benchmarks/accuracy.py [--quick] [--json] [--seed N] [--dump DIR]``.
The BBC corpus is written as a folder of .txt files, the Reuters one as a JSONL file, so both
input paths of the tracer are exercised. ``--systems jaccard,minhash`` scores the baselines
alone (no tracer needed).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tabulate import tabulate

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.baselines import run_baseline  # noqa: E402
from benchmarks.common import (  # noqa: E402
    TracerUnavailable,
    exit_if_no_corpora,
    load_tracer,
    run_tracer,
    write_json,
)
from benchmarks.score import NEGATIVE_OPS, score  # noqa: E402
from benchmarks.simcorpus import write_corpus  # noqa: E402
from benchmarks.simulate import DEFAULT_SIZES, QUICK_SIZES, simulate  # noqa: E402

CORPORA: tuple[tuple[str, str], ...] = (("bbc", "txt"), ("reuters", "jsonl"))
SYSTEMS: tuple[str, ...] = ("provenance", "jaccard", "minhash")
SUMMARY_COLUMNS = (("family_f1", "family F1"), ("parent_acc", "parent acc"),
                   ("direction_acc", "direction acc"), ("absent_acc", "latent acc"),
                   ("edge_precision", "edge precision"), ("ece", "ECE"))


def _runner(system: str) -> Callable[[Path], dict[str, Any]]:
    if system == "provenance":
        return run_tracer
    return lambda path: run_baseline(system, path)


def build(source: str, layout: str, *, seed: int, quick: bool, out: Path,
          ) -> tuple[Path, dict[str, Any]]:
    """Simulate one corpus under ``out``; return the path to trace and the truth."""
    families, independent = QUICK_SIZES if quick else DEFAULT_SIZES
    corpus = simulate(source, seed=seed, n_families=families, n_independent=independent)
    target = write_corpus(corpus, out, layout)
    return target, corpus.truth(layout)


def run_system(system: str, target: Path, truth: dict[str, Any], dump: Path | None,
               ) -> dict[str, Any]:
    """Run one system on ``target`` and score it; ``seconds`` is the wall time of the run."""
    start = time.perf_counter()
    predicted = _runner(system)(target)
    seconds = time.perf_counter() - start
    if dump is not None:
        write_json(dump / f"{system}.json", predicted)
    return {**score(truth, predicted), "seconds": seconds}


def evaluate(*, seed: int, quick: bool, systems: tuple[str, ...], workdir: Path,
             dump: bool) -> dict[str, dict[str, Any]]:
    """Build both corpora in ``workdir`` and score every system on each.

    Returns
    -------
    dict
        ``{corpus: {system: scores}}`` with ``n_docs`` per corpus in the scores.
    """
    results: dict[str, dict[str, Any]] = {}
    for source, layout in CORPORA:
        out = workdir / source
        target, truth = build(source, layout, seed=seed, quick=quick, out=out)
        predictions = out / "predictions" if dump else None
        if predictions is not None:
            predictions.mkdir(exist_ok=True)
        results[source] = {s: run_system(s, target, truth, predictions) for s in systems}
    return results


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def summary_table(results: dict[str, dict[str, Any]]) -> str:
    """One row per corpus x system with the headline metrics."""
    rows = []
    for corpus, by_system in results.items():
        for system, r in by_system.items():
            rows.append([corpus, system, r["n_docs"],
                         *(_fmt(r.get(key)) for key, _ in SUMMARY_COLUMNS[:4]),
                         f"{r['independents_linked']}/{r['n_independent']}",
                         *(_fmt(r.get(key)) for key, _ in SUMMARY_COLUMNS[4:]),
                         f"{r['seconds']:.2f}"])
    headers = ["corpus", "system", "docs", *(h for _, h in SUMMARY_COLUMNS[:4]),
               "independents linked", *(h for _, h in SUMMARY_COLUMNS[4:]), "seconds"]
    return tabulate(rows, headers=headers, disable_numparse=True)


def op_table(results: dict[str, dict[str, Any]]) -> str:
    """Per-operation rows: linked rate and parent accuracy per system.

    For the independent kinds, "linked" is the false-link rate.
    """
    rows = []
    for corpus, by_system in results.items():
        systems = list(by_system)
        for op, first in by_system[systems[0]]["by_op"].items():
            cells = []
            for system in systems:
                stats = by_system[system]["by_op"][op]
                cells += [_fmt(stats["linked"]),
                          "" if op in NEGATIVE_OPS else _fmt(stats["parent_acc"])]
            rows.append([corpus, op, first["n"], *cells])
    headers = ["corpus", "op", "n"]
    for system in next(iter(results.values())):
        headers += [f"{system} linked", f"{system} parent"]
    return tabulate(rows, headers=headers, disable_numparse=True)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help=f"small corpora ({QUICK_SIZES[0]} families, {QUICK_SIZES[1]} "
                             "independents) instead of "
                             f"{DEFAULT_SIZES[0]} + {DEFAULT_SIZES[1]}")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dump", type=Path, default=None,
                        help="keep corpora, truth and predictions in this folder")
    parser.add_argument("--systems", default=",".join(SYSTEMS),
                        help="comma-separated subset of " + ",".join(SYSTEMS))
    args = parser.parse_args(argv)
    args.systems = tuple(s.strip() for s in args.systems.split(",") if s.strip())
    unknown = set(args.systems) - set(SYSTEMS)
    if unknown or not args.systems:
        parser.error(f"--systems must be a subset of {','.join(SYSTEMS)}; got {args.systems}")
    return args


def _report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> None:
    if args.json:
        payload = {"seed": args.seed, "quick": args.quick, "results": results}
        json.dump(payload, sys.stdout, indent=1, sort_keys=True)
        print()
        return
    print(summary_table(results))
    print()
    print("Per operation (for independent kinds, 'linked' is the false-link rate):")
    print(op_table(results))


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    args = _parse_args(argv)
    exit_if_no_corpora()
    if "provenance" in args.systems:
        try:
            load_tracer()
        except TracerUnavailable as exc:
            print(f"accuracy.py: error: {exc}. Use --systems jaccard,minhash to score the "
                  "baselines alone.", file=sys.stderr)
            return 1
    with tempfile.TemporaryDirectory(prefix="provenance-accuracy-") as tmp:
        workdir = args.dump if args.dump is not None else Path(tmp)
        results = evaluate(seed=args.seed, quick=args.quick, systems=args.systems,
                           workdir=workdir, dump=args.dump is not None)
    _report(results, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
