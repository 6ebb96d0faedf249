"""Two baselines that emit the tracer's JSON contract: a shingle-Jaccard linker and MinHashLSH.

Run ``python benchmarks/baselines.py jaccard|minhash PATH`` to print one baseline's JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import shingles, words  # noqa: E402
from benchmarks.corpus_io import Document, read_documents  # noqa: E402

JACCARD_MIN_DEFAULT = 0.2
LSH_THRESHOLD_DEFAULT = 0.3
NUM_PERM_DEFAULT = 128
CANDIDATE_MAX_DF = 100
PAIR_CHUNK = 200000


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self.parent[max(ra, rb)] = min(ra, rb)
        return True

    def groups(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for i in range(len(self.parent)):
            out.setdefault(self.find(i), []).append(i)
        return out


def _contract(docs: list[Document], edges: list[dict[str, Any]], groups: list[list[int]],
              **flags: Any) -> dict[str, Any]:
    documents = [{"id": d.id, "path": d.id, "title": d.title, "words": len(d.text.split()),
                  "credits": [], "published": d.published, "boilerplate": []} for d in docs]
    families = [{"id": f"family-{k + 1}", "root": docs[g[0]].id, "members": [docs[i].id for i in g]}
                for k, g in enumerate(groups)]
    return {"version": 1, "documents": documents, "latent": [], "edges": edges,
            "families": families, **flags}


def _shingle_matrix(docs: list[Document]) -> tuple[sparse.csr_matrix, np.ndarray]:
    sets = [shingles(words(d.text)) for d in docs]
    sizes = np.array([len(s) for s in sets], dtype=np.float64)
    rows = np.repeat(np.arange(len(sets)), [len(s) for s in sets])
    cols = np.fromiter((h for s in sets for h in s), dtype=np.int64, count=int(sizes.sum()))
    _, cols = np.unique(cols, return_inverse=True)
    matrix = sparse.csr_matrix((np.ones(len(cols), dtype=np.float32), (rows, cols)),
                               shape=(len(sets), int(cols.max(initial=-1)) + 1))
    shared_cols = np.flatnonzero(np.asarray(matrix.sum(axis=0)).ravel() > 1)
    return matrix[:, shared_cols].tocsr(), sizes


def _intersections(matrix: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact shared-shingle counts of every ordered pair sharing a rare shingle."""
    df = np.asarray(matrix.sum(axis=0)).ravel()
    rare = matrix[:, np.flatnonzero(df <= CANDIDATE_MAX_DF)]
    candidates = sparse.triu(rare @ rare.T, k=1).tocoo()
    upper, lower = candidates.row, candidates.col
    shared = np.empty(len(upper), dtype=np.float64)
    for start in range(0, len(upper), PAIR_CHUNK):
        part = slice(start, start + PAIR_CHUNK)
        product = matrix[upper[part]].multiply(matrix[lower[part]])
        shared[part] = np.asarray(product.sum(axis=1)).ravel()
    return (np.concatenate([upper, lower]), np.concatenate([lower, upper]),
            np.concatenate([shared, shared]))


def best_matches(docs: list[Document], min_jaccard: float = JACCARD_MIN_DEFAULT,
                 ) -> list[tuple[float, int, int]]:
    """Each document's most similar other document by word 5-gram shingle Jaccard.

    Candidate pairs share at least one shingle found in at most 100 documents (so page
    furniture alone does not make every pair of an outlet's pages a candidate); their
    Jaccard is then computed exactly over all shingles.

    Parameters
    ----------
    docs : list of Document
        The corpus.
    min_jaccard : float, default=0.2
        Matches below this similarity are dropped.

    Returns
    -------
    list of (float, int, int)
        ``(jaccard, i, j)`` for document ``i`` and its best match ``j``.
    """
    matrix, sizes = _shingle_matrix(docs)
    rows, cols, shared = _intersections(matrix)
    jaccard = shared / (sizes[rows] + sizes[cols] - shared)
    best: dict[int, tuple[float, int]] = {}
    for i, j, value in zip(rows.tolist(), cols.tolist(), jaccard.tolist(), strict=True):
        if value >= min_jaccard and (i not in best or (value, -j) > (best[i][0], -best[i][1])):
            best[i] = (value, j)
    return [(value, i, j) for i, (value, j) in best.items()]


def jaccard_linker(docs: list[Document], min_jaccard: float = JACCARD_MIN_DEFAULT,
                   ) -> dict[str, Any]:
    """Naive linker: each document to its most similar one, the longer being the parent.

    Best matches are taken in decreasing Jaccard order; an edge is skipped when the two are
    already connected (union-find), so the links never form a cycle. A document may get two
    parents when it is the longer side of no match and the best match of two others.
    Confidence is the Jaccard similarity.

    Parameters
    ----------
    docs : list of Document
        The corpus.
    min_jaccard : float, default=0.2
        Minimum similarity for a link.

    Returns
    -------
    dict
        The JSON contract.
    """
    lengths = [len(d.text.split()) for d in docs]
    forest = _UnionFind(len(docs))
    edges = []
    for value, i, j in sorted(best_matches(docs, min_jaccard), key=lambda m: (-m[0], m[1])):
        i_longer = (lengths[i], docs[j].id) > (lengths[j], docs[i].id)
        parent, child = (i, j) if i_longer else (j, i)
        if not forest.union(i, j):
            continue
        edges.append({"parent": docs[parent].id, "child": docs[child].id,
                      "confidence": round(value, 4), "relation": "similar",
                      "evidence": [{"kind": "jaccard", "weight": round(value, 4)}],
                      "shared": []})
    groups = [g for g in forest.groups().values() if len(g) > 1]
    return _contract(docs, edges, groups)


def _identity(value: int) -> int:
    return value


def minhash_clusters(docs: list[Document], threshold: float = LSH_THRESHOLD_DEFAULT,
                     num_perm: int = NUM_PERM_DEFAULT) -> dict[str, Any]:
    """MinHashLSH clustering: families are connected components of LSH matches.

    There are no parents; edges run from each family's smallest id to the other members
    so families can be scored, and the output is marked ``"families_only": true``.

    Parameters
    ----------
    docs : list of Document
        The corpus.
    threshold : float, default=0.3
        LSH Jaccard threshold.
    num_perm : int, default=128
        MinHash permutations.

    Returns
    -------
    dict
        The JSON contract with ``families_only`` set.
    """
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    hashes = []
    for index, doc in enumerate(docs):
        minhash = MinHash(num_perm=num_perm, seed=1, hashfunc=_identity)
        minhash.update_batch(list(shingles(words(doc.text))))
        lsh.insert(index, minhash)
        hashes.append(minhash)
    forest = _UnionFind(len(docs))
    for index, minhash in enumerate(hashes):
        for other in lsh.query(minhash):
            forest.union(index, other)
    groups = [sorted(g, key=lambda i: docs[i].id) for g in forest.groups().values()
              if len(g) > 1]
    edges = [{"parent": docs[g[0]].id, "child": docs[i].id, "confidence": 1.0,
              "relation": "cluster", "evidence": [], "shared": []} for g in groups for i in g[1:]]
    return _contract(docs, edges, groups, families_only=True)


BASELINES = {"jaccard": jaccard_linker, "minhash": minhash_clusters}


def run_baseline(name: str, path: Path) -> dict[str, Any]:
    """Read ``path`` and run the named baseline (``"jaccard"`` or ``"minhash"``)."""
    return BASELINES[name](read_documents(path))


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: print one baseline's JSON for PATH."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("baseline", choices=sorted(BASELINES))
    parser.add_argument("path", type=Path)
    args = parser.parse_args(argv)
    json.dump(run_baseline(args.baseline, args.path), sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
