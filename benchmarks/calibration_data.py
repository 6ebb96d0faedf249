"""Training rows for confidence calibration: one row per tracer edge, labelled right or wrong.

``python benchmarks/calibration_data.py DIR [--predicted P.json] [--out rows.jsonl]`` reads a
``simulate.py --out DIR`` folder (``truth.json`` plus ``corpus/`` or ``corpus.jsonl``) and a
tracer output (traced now when ``--predicted`` is not given).
``python benchmarks/calibration_data.py --simulate --seeds 1,2,3 --out rows.jsonl`` builds
fresh BBC and Reuters corpora per seed and traces them. The fitting itself is not done here.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import exit_if_no_corpora, run_tracer  # noqa: E402
from benchmarks.score import edge_outcomes, is_latent  # noqa: E402
from benchmarks.simcorpus import write_corpus  # noqa: E402
from benchmarks.simulate import DEFAULT_SIZES, simulate  # noqa: E402

_NAME_KEYS = ("kind", "name", "type", "feature", "signal")
_VALUE_KEYS = ("weight", "value", "score", "log_odds", "logit")


def evidence_weights(evidence: list[Any]) -> dict[str, float]:
    """Flatten an edge's evidence list to ``{name: weight}``.

    Dict items give their first name-like key (kind, name, type, ...) and first numeric
    value-like key (weight, value, score, ...); other items count 1.0 under their text.
    Repeated names are summed.

    Parameters
    ----------
    evidence : list
        The edge's ``evidence`` field.

    Returns
    -------
    dict of str to float
        Evidence weights, keys prefixed with ``ev_``.
    """
    weights: dict[str, float] = {}
    for position, item in enumerate(evidence or []):
        if isinstance(item, dict):
            name = next((str(item[k]) for k in _NAME_KEYS if k in item), f"item{position}")
            value = next((float(item[k]) for k in _VALUE_KEYS
                          if isinstance(item.get(k), int | float)), 1.0)
        else:
            name, value = str(item)[:40], 1.0
        key = f"ev_{name}"
        weights[key] = weights.get(key, 0.0) + value
    return weights


def calibration_rows(truth: dict[str, Any], predicted: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per judged edge: confidences, evidence weights, context and the label.

    Parameters
    ----------
    truth : dict
        Parsed ``truth.json``.
    predicted : dict
        Parsed tracer output.

    Returns
    -------
    list of dict
        Keys ``parent``, ``child``, ``relation``, ``confidence``, ``raw_confidence`` (the
        edge's ``raw_confidence`` if present, else ``confidence``), ``latent_parent``,
        ``child_op``, ``parent_words``, ``child_words``, ``ev_*`` weights and ``right``.
    """
    words = {d["id"]: d.get("words") for d in predicted.get("documents", [])}
    rows = []
    for edge, right in edge_outcomes(truth, predicted):
        confidence = float(edge.get("confidence", 0.0))
        rows.append({
            "parent": edge["parent"], "child": edge["child"],
            "relation": edge.get("relation"), "confidence": confidence,
            "raw_confidence": float(edge.get("raw_confidence", confidence)),
            "latent_parent": is_latent(edge["parent"]),
            "child_op": truth["docs"][edge["child"]]["op"],
            "parent_words": words.get(edge["parent"]), "child_words": words.get(edge["child"]),
            **evidence_weights(edge.get("evidence", [])), "right": right,
        })
    return rows


def rows_for_folder(folder: Path, predicted_path: Path | None) -> list[dict[str, Any]]:
    """Rows for a simulated folder, tracing it unless a prediction file is given."""
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    if predicted_path is not None:
        predicted = json.loads(predicted_path.read_text(encoding="utf-8"))
    else:
        target = folder / "corpus.jsonl"
        predicted = run_tracer(target if target.exists() else folder / "corpus")
    return calibration_rows(truth, predicted)


def rows_for_seeds(seeds: list[int], sources: list[str]) -> list[dict[str, Any]]:
    """Simulate default-size corpora for each seed and source, trace, and collect rows."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="provenance-calibration-") as tmp:
        for seed in seeds:
            for source in sources:
                corpus = simulate(source, seed=seed, n_families=DEFAULT_SIZES[0],
                                  n_independent=DEFAULT_SIZES[1])
                out = Path(tmp) / f"{source}-{seed}"
                write_corpus(corpus, out, "txt")
                for row in rows_for_folder(out, None):
                    rows.append({**row, "source": source, "seed": seed})
    return rows


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: write the rows as JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, nargs="?", help="a simulate.py --out folder")
    parser.add_argument("--predicted", type=Path, help="tracer JSON for FOLDER")
    parser.add_argument("--simulate", action="store_true", help="build corpora from --seeds")
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated seeds")
    parser.add_argument("--sources", default="bbc,reuters", help="comma-separated sources")
    parser.add_argument("--out", type=Path, help="output JSONL (default stdout)")
    args = parser.parse_args(argv)
    if args.simulate:
        exit_if_no_corpora()
        rows = rows_for_seeds([int(s) for s in args.seeds.split(",")], args.sources.split(","))
    elif args.folder is not None:
        rows = rows_for_folder(args.folder, args.predicted)
    else:
        parser.error("give a FOLDER or --simulate")
    text = "".join(json.dumps(row, sort_keys=True) + "\n" for row in rows)
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"{len(rows)} rows written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
