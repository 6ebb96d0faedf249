"""Fit the lineage stage's edge model on simulated corpora and ship it.

    python benchmarks/calibrate.py [--seeds 101,102,103] [--out provenance/data/edge_model.json]

Builds BBC- and Reuters-based corpora with the simulator (training seeds,
never the seeds the accuracy benchmark scores), runs the tracer's stages 2-6,
takes the features of every possible edge inside every family
(``provenance.lineage.training_rows``) with the truth "is this parent the
child's real parent", and fits a conditional logit (scipy).  The
weights go to ``provenance/data/edge_model.json``; nothing is trained when
the tool runs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from sklearn.linear_model import LogisticRegression

from provenance.direction import DIRECTION_FEATURES, DirectionModel
from provenance.edge_model import FEATURES, EdgeModel
from provenance.lineage import build_lineage, training_rows
from provenance.load import load_articles
from provenance.model import Lineage

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.score import edge_outcomes  # noqa: E402
from provenance.pipeline import analyse, trace_articles

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "provenance" / "data" / "edge_model.json"
DEFAULT_DIRECTION_OUT = REPO / "provenance" / "data" / "direction.json"
TRAINING_SEEDS = (101, 102, 103, 104, 105)
SOURCES = ("bbc", "reuters")


def _ancestors(truth: dict, doc: str) -> set[str]:
    seen: set[str] = set()
    parent = truth["docs"].get(doc, {}).get("parent")
    while parent and parent in truth["docs"] and parent not in seen:
        seen.add(parent)
        parent = truth["docs"][parent].get("parent")
    return seen


def direction_rows(documents, pairs, truth: dict) -> tuple[list[tuple[float, ...]], list[int]]:
    """Direction features of linked pairs where one text descends from the other; label 1 if ``a`` is older."""
    x, y = [], []
    for (i, j), (ev, _) in pairs.items():
        a, b = documents[i].id, documents[j].id
        if not ev.linked:
            continue
        if a in _ancestors(truth, b):
            label = 1
        elif b in _ancestors(truth, a):
            label = 0
        else:
            continue
        # Both orientations: the model must stay antisymmetric.
        x.extend([ev.features, tuple(-f for f in ev.features)])
        y.extend([label, 1 - label])
    return x, y


def corpus_groups(documents, pairs, truth: dict) -> list[tuple[np.ndarray, int]]:
    """Per child in a family: its candidate parents' features and the index of the true one (-1: none)."""
    by_child: dict[str, tuple[list[list[float]], list[str]]] = {}
    for parent, child, feats in training_rows(documents, pairs):
        rows, parents = by_child.setdefault(child, ([], []))
        rows.append([feats[name] for name in FEATURES])
        parents.append(parent)
    groups = []
    for child, (rows, parents) in sorted(by_child.items()):
        true_parent = truth["docs"].get(child, {}).get("parent")
        label = parents.index(true_parent) if true_parent in parents else -1
        groups.append((np.asarray(rows, dtype=float), label))
    return groups


def fit_direction(x: list, y: list) -> dict[str, float]:
    """Logistic regression without intercept over the antisymmetric direction features."""
    model = LogisticRegression(fit_intercept=False, C=1.0, max_iter=5000)
    model.fit(np.asarray(x), np.asarray(y))
    return {name: round(float(w), 4) for name, w in zip(DIRECTION_FEATURES, model.coef_[0], strict=True)}


def simulate(source: str, seed: int, out: Path) -> tuple[Path, dict]:
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "simulate.py"), "--source", source,
                    "--seed", str(seed), "--out", str(out)], check=True, capture_output=True)
    return out / "corpus", json.loads((out / "truth.json").read_text())


def fit(groups: list[tuple[np.ndarray, int]], l2: float = 0.01) -> tuple[np.ndarray, float]:
    """Conditional logit over each child's options: its candidate parents and "source elsewhere".

    The "elsewhere" option has log-odds 0; a candidate has ``x @ w + b``.  This
    is exactly the choice the lineage stage makes for each child, so the
    fitted softmax shares are the confidences it reports.
    """
    n_features = groups[0][0].shape[1]

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[:-1], params[-1]
        total, grad = 0.0, np.zeros_like(params)
        for x, label in groups:
            logits = np.concatenate(([0.0], x @ w + b))
            top = logits.max()
            probs = np.exp(logits - top)
            probs /= probs.sum()
            chosen = label + 1
            total -= logits[chosen] - top - np.log(np.exp(logits - top).sum())
            # d(-log p_chosen)/d logit_k = p_k - [k == chosen]
            delta = probs.copy()
            delta[chosen] -= 1.0
            grad[:-1] += delta[1:] @ x
            grad[-1] += delta[1:].sum()
        total += l2 * float(w @ w)
        grad[:-1] += 2 * l2 * w
        return total / len(groups), grad / len(groups)

    result = minimize(loss, np.zeros(n_features + 1), jac=True, method="L-BFGS-B")
    return result.x[:-1], float(result.x[-1])


def _as_json(documents, edges, latent, families) -> dict:
    return Lineage(documents=list(documents), edges=edges, latent=latent, families=families).to_json()


def fit_confidence(shares: np.ndarray, rights: np.ndarray) -> dict[str, float]:
    """Platt scaling: right ~ sigmoid(slope * logit(share) + intercept)."""
    clipped = np.clip(shares, 1e-4, 1 - 1e-4)
    logits = np.log(clipped / (1 - clipped)).reshape(-1, 1)
    model = LogisticRegression(C=100.0).fit(logits, rights.astype(int))
    return {"slope": round(float(model.coef_[0][0]), 4), "intercept": round(float(model.intercept_[0]), 4),
            "edges": int(len(rights))}


def choose_root_logit(groups: list[tuple[np.ndarray, int]], w: np.ndarray, b: float) -> float:
    """Decision threshold for "source outside the folder" that gets the most children right.

    Ties go to the lower threshold, which names a parent more often.
    """
    best, best_right = 0.0, -1
    for theta in np.arange(-2.0, 1.01, 0.25):
        right = 0
        for x, label in groups:
            scores = x @ w + b
            top = int(np.argmax(scores))
            right += (top if scores[top] > theta else -1) == label
        if right > best_right:
            best, best_right = float(theta), right
    return round(best, 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default=",".join(map(str, TRAINING_SEEDS)))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--direction-out", type=Path, default=DEFAULT_DIRECTION_OUT)
    parser.add_argument("--l2", type=float, default=0.01, help="L2 penalty on the weights")
    args = parser.parse_args(argv)
    corpora = []
    with tempfile.TemporaryDirectory() as tmp:
        for source in SOURCES:
            for seed in (int(s) for s in args.seeds.split(",")):
                corpus, truth = simulate(source, seed, Path(tmp) / f"{source}-{seed}")
                corpora.append((f"{source} seed {seed}", load_articles(corpus).articles, truth))
    # 1. Direction: which of two linked texts is the older.
    dx, dy = [], []
    for _, articles, truth in corpora:
        documents, pairs, _ = analyse(articles)
        x, y = direction_rows(documents, pairs, truth)
        dx.extend(x)
        dy.extend(y)
    direction = {"about": "Direction model of provenance.direction, fitted by benchmarks/calibrate.py",
                 "training": {"pairs": len(dy) // 2}, "weights": fit_direction(dx, dy)}
    args.direction_out.write_text(json.dumps(direction, indent=2, sort_keys=True) + "\n")
    print(json.dumps(direction, indent=2), file=sys.stderr)
    # 2. Edges: which candidate, if any, is each child's direct source.
    model = DirectionModel(weights=direction["weights"])
    groups: list[tuple[np.ndarray, int]] = []
    for name, articles, truth in corpora:
        documents, pairs, _ = analyse(articles, direction_model=model)
        found = corpus_groups(documents, pairs, truth)
        groups.extend(found)
        print(f"{name}: {len(found)} children, {sum(label >= 0 for _, label in found)} with their parent "
              "among the candidates", file=sys.stderr)
    weights, intercept = fit(groups, args.l2)
    root_logit = choose_root_logit(groups, weights, intercept)
    # 2b. Tree consistency: how strongly a chosen edge that the other members'
    #     places contradict is pushed out, chosen for the most right edges.
    analysed = [(analyse(articles, direction_model=model)[:2], truth) for _, articles, truth in corpora]
    best_score, tree_conflict = -1.0, {"weight": 1.0, "min": 2.0}
    for weight in (0.5, 1.0, 2.0, 4.0):
        for least in (1.0, 2.0, 3.0):
            trial = EdgeModel(weights=dict(zip(FEATURES, map(float, weights), strict=True)), intercept=intercept,
                              root_logit=root_logit, tree_conflict_weight=weight, tree_conflict_min=least)
            right = total = 0
            for (documents, pairs), truth in analysed:
                edges, latent, families = build_lineage(documents, pairs, model=trial)
                judged = edge_outcomes(truth, _as_json(documents, edges, latent, families))
                right += sum(ok for _, ok in judged)
                total += sum(1 for doc in truth["docs"].values() if doc.get("parent"))
            if right / max(1, total) > best_score:
                best_score, tree_conflict = right / max(1, total), {"weight": weight, "min": least}
    print(f"tree consistency: {tree_conflict} ({best_score:.3f} of children with a parent get it right)",
          file=sys.stderr)
    # 3. Confidence: Platt scaling of the final edges' shares, which the tree
    #    search and its consistency rounds move away from the fitted softmax.
    edge_model = EdgeModel(weights=dict(zip(FEATURES, map(float, weights), strict=True)),
                           intercept=intercept, root_logit=root_logit,
                           tree_conflict_weight=tree_conflict["weight"], tree_conflict_min=tree_conflict["min"])
    shares, rights = [], []
    for _, articles, truth in corpora:
        lineage = trace_articles(articles, direction_model=model, edge_model=edge_model)
        for edge, right in edge_outcomes(truth, lineage.to_json()):
            shares.append(edge["confidence"])
            rights.append(right)
    confidence = fit_confidence(np.asarray(shares), np.asarray(rights))
    payload = {
        "about": "Edge model of provenance.lineage, fitted by benchmarks/calibrate.py (conditional logit)",
        "command": "python benchmarks/calibrate.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "training": {"sources": list(SOURCES), "seeds": args.seeds, "children": len(groups),
                     "with_parent": sum(label >= 0 for _, label in groups)},
        "intercept": round(intercept, 4),
        "root_logit": root_logit,
        "confidence": confidence,
        "tree_conflict": tree_conflict,
        "weights": {name: round(float(w), 4) for name, w in zip(FEATURES, weights, strict=True)},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
    print(json.dumps(payload, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
