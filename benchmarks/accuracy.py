"""Accuracy benchmark: the tracer and two baselines on simulated BBC and Reuters corpora.

Run ``python benchmarks/accuracy.py [--quick] [--json] [--seeds 1,2,3,4,5] [--dump DIR]``.
Every seed gives one BBC and one Reuters corpus; the scores are pooled over the seeds (a single
60-family corpus has about 90 children with a parent, so one seed's accuracy moves by +-0.05).
The BBC corpus is written as a folder of .txt files, the Reuters one as a JSONL file, so both
input paths of the tracer are exercised. ``--systems jaccard,minhash`` scores the baselines
alone (no tracer needed).
"""

from __future__ import annotations

import argparse
import json
import statistics
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
from benchmarks.score import ABSENT, NEGATIVE_OPS, _id_mapper, is_latent, score  # noqa: E402
from benchmarks.simcorpus import write_corpus  # noqa: E402
from benchmarks.simulate import DEFAULT_SIZES, QUICK_SIZES, simulate  # noqa: E402

CORPORA: tuple[tuple[str, str], ...] = (("bbc", "txt"), ("reuters", "jsonl"))
SYSTEMS: tuple[str, ...] = ("provenance", "jaccard", "minhash")
#: Seeds scored by default; the models are fitted on seeds 101-110 (benchmarks/calibrate.py).
DEFAULT_SEEDS: tuple[int, ...] = (1, 2, 3, 4, 5)
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


def run_system(system: str, target: Path, dump: Path | None) -> tuple[dict[str, Any], float]:
    """Run one system on ``target``; return its output and the wall time of the run."""
    start = time.perf_counter()
    predicted = _runner(system)(target)
    seconds = time.perf_counter() - start
    if dump is not None:
        write_json(dump / f"{system}.json", predicted)
    return predicted, seconds


def _prefixed(node: str, prefix: str) -> str:
    return f"~{prefix}{node[1:]}" if is_latent(node) else f"{prefix}{node}"


def merge_runs(runs: list[tuple[dict[str, Any], dict[str, Any]]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """One truth and one prediction from several (truth, prediction) runs, ids kept apart by a run prefix.

    Scoring the merged pair pools every count (parents, edges, calibration
    bins) over the runs, instead of averaging per-run ratios.
    """
    truth: dict[str, Any] = {"docs": {}}
    predicted: dict[str, Any] = {"edges": [], "families_only": False}
    for number, (one_truth, one_predicted) in enumerate(runs):
        prefix = f"run{number}/"
        for doc, info in one_truth["docs"].items():
            parent = info["parent"]
            truth["docs"][prefix + doc] = {
                **info, "parent": parent if parent in (None, ABSENT) else prefix + parent,
                "family": None if info["family"] is None else prefix + info["family"]}
        align = _id_mapper(set(one_truth["docs"]))
        for edge in one_predicted.get("edges", []):
            predicted["edges"].append({**edge, "parent": _prefixed(align(str(edge["parent"])), prefix),
                                       "child": _prefixed(align(str(edge["child"])), prefix)})
        predicted["families_only"] = bool(one_predicted.get("families_only", False))
    return truth, predicted


def evaluate(*, seeds: tuple[int, ...], quick: bool, systems: tuple[str, ...], workdir: Path,
             dump: bool) -> dict[str, dict[str, Any]]:
    """Build both corpora for every seed in ``workdir`` and score every system, pooled over the seeds.

    Returns
    -------
    dict
        ``{corpus: {system: scores}}``: the scores of the runs pooled
        (:func:`merge_runs`), with ``n_docs`` over all runs, ``seconds`` the
        median run time and ``per_seed`` each run's own parent accuracy and ECE.
    """
    results: dict[str, dict[str, Any]] = {}
    for source, layout in CORPORA:
        runs: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {s: [] for s in systems}
        seconds: dict[str, list[float]] = {s: [] for s in systems}
        for seed in seeds:
            out = workdir / source / f"seed-{seed}"
            target, truth = build(source, layout, seed=seed, quick=quick, out=out)
            predictions = out / "predictions" if dump else None
            if predictions is not None:
                predictions.mkdir(exist_ok=True)
            for system in systems:
                predicted, took = run_system(system, target, predictions)
                runs[system].append((truth, predicted))
                seconds[system].append(took)
        results[source] = {}
        for system in systems:
            pooled = score(*merge_runs(runs[system]))
            pooled["seconds"] = statistics.median(seconds[system])
            per_seed = [score(t, p) for t, p in runs[system]]
            pooled["per_seed"] = [{"seed": seed, "parent_acc": one["parent_acc"], "ece": one["ece"]}
                                  for seed, one in zip(seeds, per_seed, strict=True)]
            results[source][system] = pooled
    return results


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _spread(values: list[float | None]) -> str:
    known = [v for v in values if v is not None]
    return f"{min(known):.2f}-{max(known):.2f}" if known else "n/a"


def summary_table(results: dict[str, dict[str, Any]]) -> str:
    """One row per corpus x system with the headline metrics."""
    rows = []
    for corpus, by_system in results.items():
        for system, r in by_system.items():
            rows.append([corpus, system, r["n_docs"],
                         *(_fmt(r.get(key)) for key, _ in SUMMARY_COLUMNS[:4]),
                         f"{r['independents_linked']}/{r['n_independent']}",
                         *(_fmt(r.get(key)) for key, _ in SUMMARY_COLUMNS[4:]),
                         _spread([run["parent_acc"] for run in r.get("per_seed", [])]),
                         f"{r['seconds']:.2f}"])
    headers = ["corpus", "system", "docs", *(h for _, h in SUMMARY_COLUMNS[:4]),
               "independents linked", *(h for _, h in SUMMARY_COLUMNS[4:]), "parent acc per seed",
               "seconds (median)"]
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
    parser.add_argument("--seeds", default=",".join(map(str, DEFAULT_SEEDS)),
                        help="comma-separated simulator seeds; scores are pooled over them")
    parser.add_argument("--dump", type=Path, default=None,
                        help="keep corpora, truth and predictions in this folder")
    parser.add_argument("--systems", default=",".join(SYSTEMS),
                        help="comma-separated subset of " + ",".join(SYSTEMS))
    args = parser.parse_args(argv)
    args.systems = tuple(s.strip() for s in args.systems.split(",") if s.strip())
    try:
        args.seeds = tuple(int(x) for x in args.seeds.split(",") if x.strip())
    except ValueError:
        parser.error(f"--seeds must be comma-separated integers; got {args.seeds!r}")
    if not args.seeds:
        parser.error("--seeds needs at least one seed")
    unknown = set(args.systems) - set(SYSTEMS)
    if unknown or not args.systems:
        parser.error(f"--systems must be a subset of {','.join(SYSTEMS)}; got {args.systems}")
    return args


def _report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> None:
    if args.json:
        payload = {"seeds": list(args.seeds), "quick": args.quick, "results": results}
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
        results = evaluate(seeds=args.seeds, quick=args.quick, systems=args.systems,
                           workdir=workdir, dump=args.dump is not None)
    _report(results, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
