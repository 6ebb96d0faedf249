"""Stage 4, candidates: Documents -> Candidate pairs worth aligning.

Pairs come from shared word 4-gram shingles (content words only), found with
a sparse document x shingle matrix: shingles seen in one document cannot pair
anything and are dropped first, and shingles in more than ``max_df``
documents (stock phrases) are dropped too, following passim's maxDF idea.
The product of that matrix with its transpose counts shared shingles for
every pair at once, in time that grows with the number of real pairs, not
with the square of the corpus.  Each pair also gets its TF-IDF cosine
(scikit-learn), used to rank a document's candidates; topic similarity alone
never makes a candidate.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .align import content_hashes
from .errors import ConfigError
from .model import Candidate, Document
from .shingles import SHINGLE_SIZE_DEFAULT, shingle_hashes

__all__ = [
    "find_candidates",
    "shingle_matrix",
    "MIN_SHARED_DEFAULT",
    "MAX_DF_DEFAULT",
    "MAX_CANDIDATES_DEFAULT",
]

#: Shared shingles a pair needs to be aligned at all.
MIN_SHARED_DEFAULT = 3
#: Shingles found in more documents than this are stock phrases, not copying.
MAX_DF_DEFAULT = 200
#: Most candidates kept per document (the best by shared shingles, then cosine).
MAX_CANDIDATES_DEFAULT = 50


def shingle_matrix(documents: Sequence[Document], size: int = SHINGLE_SIZE_DEFAULT):
    """Binary document x shingle matrix over the shingles in 2..n documents.

    Columns are renumbered so the matrix stays small.
    """
    import scipy.sparse as sp

    rows, cols = [], []
    for i, doc in enumerate(documents):
        sh = np.unique(shingle_hashes(content_hashes(doc), size))
        rows.append(np.full(len(sh), i, dtype=np.int64))
        cols.append(sh)
    if not rows:
        return sp.csr_matrix((0, 0), dtype=np.int32)
    row = np.concatenate(rows)
    col = np.concatenate(cols)
    uniq, inverse, counts = np.unique(col, return_inverse=True, return_counts=True)
    keep = counts[inverse] >= 2
    row, inverse = row[keep], inverse[keep]
    _, compact = np.unique(inverse, return_inverse=True)
    n_cols = int(compact.max()) + 1 if len(compact) else 0
    data = np.ones(len(row), dtype=np.int32)
    return sp.csr_matrix((data, (row, compact)), shape=(len(documents), n_cols))


def _tfidf(documents: Sequence[Document]):
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfTransformer

    hashes = [content_hashes(doc) for doc in documents]
    rows = np.repeat(np.arange(len(documents)), [len(h) for h in hashes])
    flat = np.concatenate(hashes) if hashes else np.empty(0, dtype=np.uint64)
    vocab, cols = np.unique(flat, return_inverse=True)
    counts = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(len(documents), max(1, len(vocab)))
    )
    counts.sum_duplicates()
    return TfidfTransformer(sublinear_tf=True).fit_transform(counts).tocsr()


def find_candidates(
    documents: Sequence[Document],
    *,
    min_shared: int = MIN_SHARED_DEFAULT,
    max_df: int = MAX_DF_DEFAULT,
    max_candidates: int = MAX_CANDIDATES_DEFAULT,
    shingle_size: int = SHINGLE_SIZE_DEFAULT,
) -> list[Candidate]:
    """Find pairs of documents that share enough word shingles to be aligned.

    Parameters
    ----------
    documents : sequence of Document
        The corpus.
    min_shared : int, default=3
        Fewest shared shingles for a pair.
    max_df : int, default=200
        Shingles in more documents than this are ignored.
    max_candidates : int, default=50
        Most candidates kept per document.
    shingle_size : int, default=4
        Words per shingle.

    Returns
    -------
    list of Candidate
        Sorted by (a, b), with ``a < b``.
    """
    for name, value, low in (("min_shared", min_shared, 1), ("max_df", max_df, 2),
                             ("max_candidates", max_candidates, 1), ("shingle_size", shingle_size, 1)):
        if not isinstance(value, int) or value < low:
            raise ConfigError(
                f"The '{name}' parameter of find_candidates must be an int >= {low}. Got {value!r} instead."
            )
    if len(documents) < 2:
        return []
    import scipy.sparse as sp  # heavy: imported only when a corpus is traced

    matrix = shingle_matrix(documents, shingle_size)
    df = np.asarray(matrix.sum(axis=0)).ravel()
    matrix = matrix[:, np.flatnonzero(df <= max_df)]
    shared = sp.triu(matrix @ matrix.T, k=1).tocoo()
    keep = shared.data >= min_shared
    a, b, counts = shared.row[keep], shared.col[keep], shared.data[keep]
    if len(a) == 0:
        return []
    tfidf = _tfidf(documents)
    cosine = np.asarray(tfidf[a].multiply(tfidf[b]).sum(axis=1)).ravel()
    chosen = _top_per_document(a, b, counts, cosine, max_candidates)
    pairs = sorted(zip(a[chosen].tolist(), b[chosen].tolist(), counts[chosen].tolist(),
                       cosine[chosen].tolist(), strict=True))
    return [Candidate(a=i, b=j, shared_shingles=int(n), cosine=float(c)) for i, j, n, c in pairs]


def _top_per_document(a: np.ndarray, b: np.ndarray, counts: np.ndarray, cosine: np.ndarray,
                      limit: int) -> np.ndarray:
    """Indices of pairs that are among the ``limit`` best of either of their documents."""
    order = np.lexsort((-cosine, -counts))
    keep = np.zeros(len(a), dtype=bool)
    seen: dict[int, int] = {}
    for idx in order.tolist():
        for doc in (int(a[idx]), int(b[idx])):
            if seen.get(doc, 0) < limit:
                keep[idx] = True
        if keep[idx]:
            seen[int(a[idx])] = seen.get(int(a[idx]), 0) + 1
            seen[int(b[idx])] = seen.get(int(b[idx]), 0) + 1
    return np.flatnonzero(keep)
