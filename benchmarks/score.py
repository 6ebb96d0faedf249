"""Score a tracer's JSON output against a simulated corpus's ``truth.json``.

Only the JSON contract is read: ``documents``, ``edges`` (parent, child, confidence) and
``latent`` ids (starting with ``~``). Edges are authoritative: predicted families are the
connected components of the edge graph, and each child's predicted parent is the parent of
its most confident incoming edge.

Run ``python benchmarks/score.py truth.json predicted.json [--json]``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations
from math import comb
from pathlib import Path
from typing import Any

ABSENT = "@absent-source"
LATENT_PREFIX = "~"
ECE_BINS = 10
INDEPENDENT_PREFIX = "independent"
NEGATIVE_OPS = frozenset({"independent", "independent-furniture", "shared-quote", "same-topic"})

Edge = dict[str, Any]


def is_latent(node: str) -> bool:
    """Whether a node id names a latent (inferred, absent) source."""
    return node.startswith(LATENT_PREFIX)


def _id_mapper(truth_ids: set[str]) -> Any:
    by_name = {Path(t).name: t for t in truth_ids}
    by_stem = {Path(t).stem: t for t in truth_ids}

    def align(node: str) -> str:
        if node in truth_ids or is_latent(node):
            return node
        name = Path(node).name
        return by_name.get(name) or by_stem.get(Path(name).stem) or node

    return align


def _aligned_edges(truth_ids: set[str], predicted: dict[str, Any]) -> list[Edge]:
    align = _id_mapper(truth_ids)
    return [{**e, "parent": align(str(e["parent"])), "child": align(str(e["child"]))}
            for e in predicted.get("edges", [])]


def components(edges: list[Edge]) -> dict[str, str]:
    """Map every node of the edge graph to its component's smallest node id."""
    root: dict[str, str] = {}

    def find(node: str) -> str:
        root.setdefault(node, node)
        while root[node] != node:
            root[node] = root[root[node]]
            node = root[node]
        return node

    for edge in edges:
        a, b = find(edge["parent"]), find(edge["child"])
        if a != b:
            root[max(a, b)] = min(a, b)
    return {node: find(node) for node in list(root)}


def _best_parents(edges: list[Edge]) -> dict[str, str]:
    best: dict[str, Edge] = {}
    for edge in edges:
        current = best.get(edge["child"])
        if current is None or float(edge.get("confidence", 0)) > float(current.get("confidence",
                                                                                   0)):
            best[edge["child"]] = edge
    return {child: edge["parent"] for child, edge in best.items()}


@dataclass
class _Prediction:
    parent: dict[str, str]
    component: dict[str, str]
    linked: set[str]
    edges: list[Edge]
    families_only: bool


def _partial_pairs(docs: dict[str, Any]) -> set[tuple[str, str]]:
    """(family, earlier family) pairs where one story quotes another (truth ``quotes_story``).

    Transitive: a story quoting a story that quoted a third carries the third's paragraphs too.
    """
    pairs = {(str(i["family"]), str(i["quotes_story"])) for i in docs.values()
             if i.get("quotes_story") and i.get("family")}
    while True:
        more = {(a, d) for a, b in pairs for c, d in pairs if b == c and a != d} - pairs
        if not more:
            return pairs
        pairs |= more


def split_partials(docs: dict[str, Any], edges: list[Edge]) -> tuple[list[Edge], list[Edge]]:
    """Set aside ``partial`` edges that link a story to the earlier story it truly quotes.

    Such an edge is right (one story reuses part of another) but joins two families, so it
    is left out of families, parents and calibration. A latent node counts as the family
    most of its children belong to.

    Returns
    -------
    kept, partial : list of dict
        The edges scored as usual, and the right partial links set aside.
    """
    pairs = _partial_pairs(docs)
    if not pairs:
        return edges, []
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for edge in edges:
        family = docs.get(edge["child"], {}).get("family")
        if is_latent(edge["parent"]) and family:
            votes[edge["parent"]][family] += 1

    def family_of(node: str) -> str | None:
        if is_latent(node):
            return votes[node].most_common(1)[0][0] if votes.get(node) else None
        return docs.get(node, {}).get("family")

    kept, partial = [], []
    for edge in edges:
        link = (family_of(edge["child"]), family_of(edge["parent"]))
        (partial if edge.get("relation") == "partial" and link in pairs else kept).append(edge)
    return kept, partial


def _prediction(truth: dict[str, Any], predicted: dict[str, Any]) -> _Prediction:
    edges, _ = split_partials(truth["docs"], _aligned_edges(set(truth["docs"]), predicted))
    linked = {e["parent"] for e in edges} | {e["child"] for e in edges}
    return _Prediction(_best_parents(edges), components(edges), linked, edges,
                       bool(predicted.get("families_only", False)))


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def _pair_scores(docs: dict[str, Any], pred: _Prediction) -> dict[str, float | None]:
    cells: Counter[tuple[str, str]] = Counter()
    pred_sizes: Counter[str] = Counter()
    true_sizes: Counter[str] = Counter()
    for doc, info in docs.items():
        group = pred.component.get(doc, doc)
        pred_sizes[group] += 1
        if info["family"] is not None:
            true_sizes[info["family"]] += 1
            cells[(group, info["family"])] += 1
    tp = sum(comb(n, 2) for n in cells.values())
    precision = _ratio(tp, sum(comb(n, 2) for n in pred_sizes.values()))
    recall = _ratio(tp, sum(comb(n, 2) for n in true_sizes.values()))
    f1 = (2 * precision * recall / (precision + recall)
          if precision is not None and recall is not None and precision + recall > 0 else None)
    return {"family_precision": precision, "family_recall": recall, "family_f1": f1}


def _parent_correct(doc: str, info: dict[str, Any], pred: _Prediction) -> bool:
    guess = pred.parent.get(doc)
    if info["family"] is None:
        return doc not in pred.linked
    if info["parent"] is None:
        return guess is None
    if info["parent"] == ABSENT:
        return guess is not None and is_latent(guess)
    return guess == info["parent"]


def _chain(doc: str, parents: dict[str, str | None]) -> list[str]:
    seen: list[str] = []
    node = parents.get(doc)
    while node is not None and node not in seen and node != doc:
        seen.append(node)
        node = parents.get(node)
    return [n for n in seen if not is_latent(n) and n != ABSENT]


def _direction(docs: dict[str, Any], pred: _Prediction) -> tuple[float | None, int]:
    true_parents = {d: i["parent"] for d, i in docs.items()}
    right = wrong = 0
    for doc in docs:
        predicted_ancestors = set(_chain(doc, pred.parent))
        for ancestor in _chain(doc, true_parents):
            if ancestor in predicted_ancestors:
                right += 1
            elif doc in set(_chain(ancestor, pred.parent)):
                wrong += 1
    return _ratio(right, right + wrong), right + wrong


def edge_outcomes(truth: dict[str, Any], predicted: dict[str, Any]) -> list[tuple[Edge, bool]]:
    """Judge every edge whose child is a known real document.

    An edge is right when the child's true parent is the edge's parent, or the edge's parent
    is latent and the true parent is ``"@absent-source"``. Edges into latent nodes or
    unknown ids are left out.

    Parameters
    ----------
    truth : dict
        Parsed ``truth.json``.
    predicted : dict
        Parsed tracer output.

    Returns
    -------
    list of (dict, bool)
        Each judged edge (ids aligned to the truth's) and whether it is right.
    """
    docs = truth["docs"]
    outcomes = []
    for edge in split_partials(docs, _aligned_edges(set(docs), predicted))[0]:
        info = docs.get(edge["child"])
        if info is None:
            continue
        right = edge["parent"] == info["parent"] or (
            is_latent(edge["parent"]) and info["parent"] == ABSENT)
        outcomes.append((edge, right))
    return outcomes


def expected_calibration_error(pairs: list[tuple[float, bool]], bins: int = ECE_BINS,
                               ) -> float | None:
    """Expected calibration error over equal-width confidence bins.

    Parameters
    ----------
    pairs : list of (float, bool)
        Confidence in [0, 1] and whether the prediction was right.
    bins : int, default=10
        Number of equal-width bins.

    Returns
    -------
    float or None
        Sum over bins of |accuracy - mean confidence| weighted by bin size; None if empty.
    """
    if not pairs:
        return None
    gap: dict[int, float] = defaultdict(float)
    for confidence, right in pairs:
        index = min(max(int(confidence * bins), 0), bins - 1)
        gap[index] += float(right) - confidence
    return sum(abs(v) for v in gap.values()) / len(pairs)


def _edge_scores(truth: dict[str, Any], predicted: dict[str, Any]) -> dict[str, Any]:
    outcomes = edge_outcomes(truth, predicted)
    pairs = [(float(e.get("confidence", 0.0)), right) for e, right in outcomes]
    return {"edge_precision": _ratio(sum(r for _, r in pairs), len(pairs)),
            "n_edges": len(pairs), "ece": expected_calibration_error(pairs)}


def _by_op(docs: dict[str, Any], pred: _Prediction) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for doc, info in docs.items():
        groups[info["op"]].append(doc)
    table = {}
    for op, members in sorted(groups.items()):
        linked = _ratio(sum(d in pred.linked for d in members), len(members))
        negative = op in NEGATIVE_OPS
        correct = _ratio(sum(_parent_correct(d, docs[d], pred) for d in members), len(members))
        table[op] = {"n": len(members), "linked": linked,
                     "parent_acc": None if negative or pred.families_only else correct,
                     "false_link": linked if negative else None}
    return table


def _parent_scores(docs: dict[str, Any], pred: _Prediction) -> dict[str, Any]:
    def accuracy(members: list[str]) -> float | None:
        return _ratio(sum(_parent_correct(d, docs[d], pred) for d in members), len(members))

    real = [d for d, i in docs.items() if i["parent"] not in (None, ABSENT)]
    absent = [d for d, i in docs.items() if i["parent"] == ABSENT]
    roots = [d for d, i in docs.items() if i["parent"] is None and i["family"] is not None]
    direction, n_direction = _direction(docs, pred)
    return {"parent_acc": accuracy(real), "parent_n": len(real),
            "absent_acc": accuracy(absent), "absent_n": len(absent),
            "root_acc": accuracy(roots), "root_n": len(roots),
            "direction_acc": direction, "direction_n": n_direction}


def score(truth: dict[str, Any], predicted: dict[str, Any]) -> dict[str, Any]:
    """Compare a prediction with the truth.

    Parameters
    ----------
    truth : dict
        Parsed ``truth.json`` (``{"docs": {id: {"parent", "family", "op"}}}``).
    predicted : dict
        Parsed tracer output (the JSON contract); ``"families_only": true`` marks a system
        that predicts families without parents.

    Returns
    -------
    dict
        ``family_precision/recall/f1`` (pairwise), ``parent_acc`` (true parent in the corpus),
        ``absent_acc`` (latent parent when the source is absent), ``root_acc`` (wire stories
        left without a parent), ``direction_acc`` over true ancestor pairs the prediction
        puts on one line, ``independents_linked``, ``edge_precision``, ``ece`` and ``by_op``;
        ``partial_pairs`` (stories that quote an earlier story) and ``partial_links`` (the
        tracer's ``partial`` edges between such stories, set aside by :func:`split_partials`).
        Parent, direction and edge metrics are None for a families-only system.
    """
    docs = truth["docs"]
    pred = _prediction(truth, predicted)
    negatives = [d for d, i in docs.items() if i["family"] is None]
    result: dict[str, Any] = {
        "n_docs": len(docs), "n_families": len({i["family"] for i in docs.values()} - {None}),
        **_pair_scores(docs, pred),
        "independents_linked": sum(d in pred.linked for d in negatives),
        "n_independent": len(negatives),
        "unknown_ids": len({n for n in pred.linked if n not in docs and not is_latent(n)}),
        "families_only": pred.families_only,
        "partial_pairs": len(_partial_pairs(docs)),
        "partial_links": len(split_partials(docs, _aligned_edges(set(docs), predicted))[1]),
    }
    if pred.families_only:
        result.update(dict.fromkeys(("parent_acc", "absent_acc", "root_acc", "direction_acc",
                                     "edge_precision", "ece")))
    else:
        result.update(_parent_scores(docs, pred))
        result.update(_edge_scores(truth, predicted))
    result["by_op"] = _by_op(docs, pred)
    return result


STRANGER_GRAM = 8
"""Word n-gram length below which two copies of one source count as sharing nothing."""


def _grams(text: str, size: int = STRANGER_GRAM) -> set[tuple[str, ...]]:
    tokens = re.findall(r"\w+", text.lower())
    return {tuple(tokens[i:i + size]) for i in range(len(tokens) - size + 1)}


def unseen_strangers(predicted: dict[str, Any], texts: dict[str, str]) -> dict[str, Any]:
    """How often children of one predicted unseen source share no 8-word sequence of raw text.

    Copies of one text share its wording, so such pairs show an unseen source standing for
    several stories (the count ``/work/shared/tools/unseen_sources.py`` prints).

    Parameters
    ----------
    predicted : dict
        Tracer output; every edge from a latent parent makes its child a child of that source.
    texts : dict of str to str
        Raw text of each document, by the ids the tracer reports (or their file names).

    Returns
    -------
    dict
        ``unseen_sources``, ``unseen_pairs`` (sibling pairs under one), ``unseen_strangers``
        (pairs sharing no 8-word sequence), ``unseen_stranger_share`` (None without pairs),
        ``unseen_mixed`` (unseen sources with at least one such pair).
    """
    align = _id_mapper(set(texts))
    children: dict[str, list[str]] = defaultdict(list)
    for edge in predicted.get("edges", []):
        child = align(str(edge["child"]))
        if is_latent(str(edge["parent"])) and child in texts and child not in children[edge["parent"]]:
            children[str(edge["parent"])].append(child)
    grams = {doc: _grams(texts[doc]) for kids in children.values() for doc in kids}
    pairs = strangers = mixed = 0
    for kids in children.values():
        alone = sum(not grams[a] & grams[b] for a, b in combinations(kids, 2))
        pairs += comb(len(kids), 2)
        strangers += alone
        mixed += alone > 0
    return {"unseen_sources": len(children), "unseen_pairs": pairs, "unseen_strangers": strangers,
            "unseen_stranger_share": _ratio(strangers, pairs), "unseen_mixed": mixed}


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: print the scores of one prediction."""
    parser = argparse.ArgumentParser(description="Score tracer output against truth.json.")
    parser.add_argument("truth", type=Path)
    parser.add_argument("predicted", type=Path)
    args = parser.parse_args(argv)
    result = score(json.loads(args.truth.read_text(encoding="utf-8")),
                   json.loads(args.predicted.read_text(encoding="utf-8")))
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
