"""Accuracy benchmark: the tracer and two baselines on every simulated world, one table per generator.

Run ``python benchmarks/accuracy.py [--generators syndication,excerpt,agency,rewrite,ocr] [--quick]
[--json] [--seeds 1,2,3,4,5] [--dump DIR]``. Every seed gives one corpus per (originals, layout)
of each generator (``generators.py``; ``syndication``, i.e. ``simulate.py``, gives a BBC .txt
folder and a Reuters JSONL file, so both input paths of the tracer are exercised). Scores are
pooled over the seeds (a single 60-family corpus has about 90 children with a parent, so one
seed's accuracy moves by +-0.05). Scoring is strict: an edge is right only when its parent is
the child's true direct source, or a latent standing for the true absent one. ``--systems
jaccard,minhash`` scores the baselines alone (no tracer needed).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
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
from benchmarks.generators import GENERATORS, check_names, generate  # noqa: E402
from benchmarks.score import (  # noqa: E402
    ABSENT,
    NEGATIVE_OPS,
    _id_mapper,
    is_latent,
    score,
    unseen_strangers,
)
from benchmarks.simcorpus import write_corpus  # noqa: E402
from benchmarks.simulate import DEFAULT_SIZES, QUICK_SIZES  # noqa: E402

SYSTEMS: tuple[str, ...] = ("provenance", "jaccard", "minhash")
#: Seeds scored by default; the models are fitted on seeds 101-110 (benchmarks/calibrate.py).
DEFAULT_SEEDS: tuple[int, ...] = (1, 2, 3, 4, 5)
SUMMARY_COLUMNS = (("family_f1", "family F1"), ("family_recall", "family recall"),
                   ("parent_acc", "parent acc"), ("parent_bound", "parent bound"),
                   ("root_acc", "root acc"),
                   ("direction_acc", "direction acc"), ("absent_acc", "latent acc"),
                   ("edge_precision", "edge precision"), ("ece", "ECE"))
#: Columns before "independents linked" in the summary table.
_BEFORE_INDEPENDENTS = 7


#: A folder with a fit to trace with instead of the shipped one (``--models``).
MODELS: Path | None = None


def _runner(system: str) -> Callable[[Path], dict[str, Any]]:
    if system == "provenance":
        return lambda path: run_tracer(path, MODELS)
    return lambda path: run_baseline(system, path)


def build(source: str, layout: str, *, seed: int, quick: bool, out: Path,
          generator: str = "syndication") -> tuple[Path, dict[str, Any], dict[str, str], Counter]:
    """Simulate one corpus under ``out``.

    Returns
    -------
    target : Path
        What to trace.
    truth : dict
        Its ``truth.json``.
    texts : dict
        Raw text of each document by id.
    census : Counter
        Its children by situation (``identifiability.census``), for the exact-parent bound.
    """
    from benchmarks.identifiability import CHAINABLE, census, situations

    corpus = generate(generator, source, seed, quick)
    target = write_corpus(corpus, out, layout)
    return (target, corpus.truth(layout), corpus.raw_texts(layout),
            census(situations(corpus, CHAINABLE[generator])))


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
        def keep_apart(node: str | None, prefix: str = prefix) -> str | None:
            return node if node in (None, ABSENT) else prefix + node

        for doc, info in one_truth["docs"].items():
            row = {**info, "parent": keep_apart(info["parent"]), "family": keep_apart(info["family"])}
            if "quotes_story" in info:
                row["quotes_story"] = keep_apart(info["quotes_story"])
            if "partial_of" in info:
                row["partial_of"] = [keep_apart(p) for p in info["partial_of"]]
            truth["docs"][prefix + doc] = row
        align = _id_mapper(set(one_truth["docs"]))
        for edge in one_predicted.get("edges", []):
            predicted["edges"].append({**edge, "parent": _prefixed(align(str(edge["parent"])), prefix),
                                       "child": _prefixed(align(str(edge["child"])), prefix)})
        predicted["families_only"] = bool(one_predicted.get("families_only", False))
    return truth, predicted


def corpus_names(generator: str) -> list[tuple[str, str, str]]:
    """(result key, originals, layout) of each corpus a generator builds per seed."""
    corpora = GENERATORS[generator].corpora
    return [(generator if len(corpora) == 1 else f"{generator}/{source}", source, layout)
            for source, layout in corpora]


def _pooled(runs: list[tuple[dict[str, Any], dict[str, Any]]], texts: list[dict[str, str]],
            seconds: list[float], seeds: tuple[int, ...]) -> dict[str, Any]:
    pooled = score(*merge_runs(runs))
    pooled["seconds"] = statistics.median(seconds)
    per_seed = [score(t, p) for t, p in runs]
    pooled["per_seed"] = [{"seed": seed, "parent_acc": one["parent_acc"], "ece": one["ece"]}
                          for seed, one in zip(seeds, per_seed, strict=True)]
    unseen = [unseen_strangers(p, raw) for (_, p), raw in zip(runs, texts, strict=True)]
    for key in ("unseen_sources", "unseen_pairs", "unseen_strangers", "unseen_mixed"):
        pooled[key] = sum(u[key] for u in unseen)
    pooled["unseen_stranger_share"] = (pooled["unseen_strangers"] / pooled["unseen_pairs"]
                                       if pooled["unseen_pairs"] else None)
    return pooled


def _parent_bound(situations: Counter) -> float | None:
    """Upper bound on exact-parent accuracy (latent sources kept right) of ``identifiability.py``."""
    from benchmarks.identifiability import bound

    right, total = bound(situations, guess_when_absent=False)
    return right / total if total else None


def evaluate(*, seeds: tuple[int, ...], quick: bool, systems: tuple[str, ...], workdir: Path,
             dump: bool, generators: tuple[str, ...] = ("syndication",),
             ) -> dict[str, dict[str, dict[str, Any]]]:
    """Build every generator's corpora for every seed in ``workdir``; score every system, pooled over the seeds.

    Returns
    -------
    dict
        ``{generator: {corpus: {system: scores}}}``: the scores of the runs pooled
        (:func:`merge_runs`), with ``n_docs`` over all runs, ``seconds`` the median run
        time, ``per_seed`` each run's own parent accuracy and ECE, and the unseen-source
        counts of :func:`benchmarks.score.unseen_strangers` summed over the runs.
    """
    results: dict[str, dict[str, dict[str, Any]]] = {}
    for generator in generators:
        results[generator] = {}
        for key, source, layout in corpus_names(generator):
            runs: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {s: [] for s in systems}
            seconds: dict[str, list[float]] = {s: [] for s in systems}
            texts = []
            situations: Counter = Counter()
            for seed in seeds:
                out = workdir / generator / source / f"seed-{seed}"
                target, truth, raw, counts = build(source, layout, seed=seed, quick=quick, out=out,
                                                   generator=generator)
                texts.append(raw)
                situations.update(counts)
                predictions = out / "predictions" if dump else None
                if predictions is not None:
                    predictions.mkdir(exist_ok=True)
                for system in systems:
                    predicted, took = run_system(system, target, predictions)
                    runs[system].append((truth, predicted))
                    seconds[system].append(took)
            results[generator][key] = {system: _pooled(runs[system], texts, seconds[system], seeds)
                                       for system in systems}
            bound = _parent_bound(situations)
            for system in systems:
                results[generator][key][system]["parent_bound"] = bound
    return results


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _spread(values: list[float | None]) -> str:
    known = [v for v in values if v is not None]
    return f"{min(known):.2f}-{max(known):.2f}" if known else "n/a"


def _unseen_cell(r: dict[str, Any]) -> str:
    if not r.get("unseen_pairs"):
        return f"0 pairs ({r.get('unseen_sources', 0)} sources)"
    return f"{r['unseen_strangers']}/{r['unseen_pairs']} ({r['unseen_mixed']}/{r['unseen_sources']} sources)"


def summary_table(results: dict[str, dict[str, Any]]) -> str:
    """One row per corpus x system with the headline metrics (``results``: one generator's)."""
    rows = []
    for corpus, by_system in results.items():
        for system, r in by_system.items():
            rows.append([corpus, system, r["n_docs"],
                         *(_fmt(r.get(key)) for key, _ in SUMMARY_COLUMNS[:_BEFORE_INDEPENDENTS]),
                         f"{r['independents_linked']}/{r['n_independent']}",
                         *(_fmt(r.get(key)) for key, _ in SUMMARY_COLUMNS[_BEFORE_INDEPENDENTS:]),
                         _unseen_cell(r),
                         _spread([run["parent_acc"] for run in r.get("per_seed", [])]),
                         f"{r['seconds']:.2f}"])
    headers = ["corpus", "system", "docs", *(h for _, h in SUMMARY_COLUMNS[:_BEFORE_INDEPENDENTS]),
               "independents linked", *(h for _, h in SUMMARY_COLUMNS[_BEFORE_INDEPENDENTS:]),
               "unseen pairs sharing nothing", "parent acc per seed", "seconds (median)"]
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
                        help=f"small corpora (syndication: {QUICK_SIZES[0]} families, {QUICK_SIZES[1]} "
                             f"independents instead of {DEFAULT_SIZES[0]} + {DEFAULT_SIZES[1]}; "
                             "each generator's quick size)")
    parser.add_argument("--generators", default=",".join(GENERATORS),
                        help="comma-separated subset of " + ",".join(GENERATORS))
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--seeds", default=",".join(map(str, DEFAULT_SEEDS)),
                        help="comma-separated simulator seeds; scores are pooled over them")
    parser.add_argument("--dump", type=Path, default=None,
                        help="keep corpora, truth and predictions in this folder")
    parser.add_argument("--models", type=Path, default=None,
                        help="trace with the edge_model.json and direction.json in this folder (a fit of "
                             "benchmarks/calibrate.py, e.g. one that left the scored generator out) "
                             "instead of the shipped fit")
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
    try:
        args.generators = check_names([g.strip() for g in args.generators.split(",") if g.strip()])
    except ValueError as exc:
        parser.error(f"--{exc}")
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
    for generator, by_corpus in results.items():
        print(f"== {generator} (seeds {','.join(map(str, args.seeds))}{', quick' if args.quick else ''})")
        print(summary_table(by_corpus))
        print()
        print("Per operation (for independent kinds, 'linked' is the false-link rate):")
        print(op_table(by_corpus))
        print()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    args = _parse_args(argv)
    exit_if_no_corpora()
    global MODELS
    MODELS = args.models
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
                           workdir=workdir, dump=args.dump is not None, generators=args.generators)
    _report(results, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
