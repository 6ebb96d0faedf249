"""Stage 4, candidates: Documents -> Candidate pairs worth aligning.

Pairs come from shared word 4-gram shingles (content words only), found with
a sparse document x shingle matrix: shingles seen in one document cannot pair
anything and are dropped first, and shingles in more than ``max_df``
documents (stock phrases) are dropped too, following passim's maxDF idea.
A story run by hundreds of outlets is not a stock phrase, so before that
pruning exact duplicates (the same content words) collapse to one
representative, and a frequent shingle is still kept when most of the
documents holding it are mostly made of frequent shingles: stock phrases are
a small part of unrelated documents, a widely copied text is most of each
copy.  Duplicates are paired back with their representative (and with each
other and with the representative's partners when the group is small).
The product of that matrix with its transpose counts shared shingles for
every pair at once, in time that grows with the number of real pairs, not
with the square of the corpus.  Each pair also gets its TF-IDF cosine
(scikit-learn's sublinear TF-IDF, computed here with numpy), used to rank a
document's candidates; topic similarity alone never makes a candidate.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from ..engines.parallel import paused_gc
from ..errors import ConfigError
from ..model import Candidate, Document
from .align import content_hashes
from .shingles import SHINGLE_SIZE_DEFAULT, content_codes, distinct, shingle_hashes, unique_inverse, vocabulary_codes

__all__ = [
    "find_candidates",
    "shingle_matrix",
    "tfidf_weights",
    "MIN_SHARED_DEFAULT",
    "MAX_DF_DEFAULT",
    "MAX_CANDIDATES_DEFAULT",
]

#: Shared shingles a pair needs to be aligned at all.  Pairs sharing fewer than 8 four-word
#: shingles (about an 11-word run) were never true links on the benchmark corpora, and a link
#: needs 25 shared words anyway; aligning them was ~40% of the alignment work.
MIN_SHARED_DEFAULT = 8
#: Shingles found in more documents than this are stock phrases, not copying.
MAX_DF_DEFAULT = 200
#: Most candidates kept per document (the best by shared shingles, then cosine).
MAX_CANDIDATES_DEFAULT = 50
#: A frequent shingle (in more than ``max_df`` distinct documents) is kept when more than half
#: of the documents holding it have at least this share of their shingles frequent too.
COPIED_SHARE_MIN = 0.5


def shingle_matrix(documents: Sequence[Document], size: int = SHINGLE_SIZE_DEFAULT, max_df: int | None = None):
    """Binary document x shingle matrix over the shingles in 2..n documents (2..``max_df`` when given).

    Columns are renumbered (in shingle order) so the matrix stays small.
    """
    import scipy.sparse as sp

    rows, cols = [], []
    for i, doc in enumerate(documents):
        sh = distinct(shingle_hashes(content_hashes(doc), size))
        rows.append(np.full(len(sh), i, dtype=np.int64))
        cols.append(sh)
    if not rows:
        return sp.csr_matrix((0, 0), dtype=np.int32)
    row = np.concatenate(rows)
    col = np.concatenate(cols)
    _, inverse, counts = unique_inverse(col)
    wanted = counts >= 2
    if max_df is not None:
        wanted &= counts <= max_df
    keep = wanted[inverse]
    row = row[keep]
    # A kept shingle's column is the number of kept shingles before it.
    compact = (np.cumsum(wanted, dtype=np.intp) - 1)[inverse[keep]]
    n_cols = int(np.count_nonzero(wanted))
    data = np.ones(len(row), dtype=np.int32)
    return sp.csr_matrix((data, (row, compact)), shape=(len(documents), n_cols))


def _tfidf(documents: Sequence[Document]):
    """Row-normalised TF-IDF of the documents' content words (sparse CSR, float64).

    The weighting of scikit-learn's ``TfidfTransformer(sublinear_tf=True)``,
    in the same floating-point operations so the values are identical:
    ``tf = 1 + ln(count)``, ``idf = ln((1 + n) / (1 + df)) + 1``, rows scaled
    to unit L2 norm (summed in index order, as scikit-learn does).
    """
    import scipy.sparse as sp

    hashes = [content_hashes(doc) for doc in documents]
    rows = np.repeat(np.arange(len(documents)), [len(h) for h in hashes])
    flat = np.concatenate(hashes) if hashes else np.empty(0, dtype=np.uint64)
    # The word codes name the same words as the hashes, and looking millions of hashes up costs more.
    codes = [content_codes(doc) for doc in documents]
    vocab, cols = vocabulary_codes(flat, None if not codes or any(c is None for c in codes) else np.concatenate(codes))
    counts = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(len(documents), max(1, len(vocab)))
    )
    counts.sum_duplicates()
    return tfidf_weights(counts)


def tfidf_weights(counts):
    """Sublinear TF, smooth IDF and L2 row norm of a count matrix, as a new CSR matrix.

    Parameters
    ----------
    counts : scipy.sparse matrix of shape (n_documents, n_terms)
        Term counts (canonical CSR: no duplicate entries).

    Returns
    -------
    scipy.sparse.csr_matrix of float64
        Equal, value for value, to
        ``TfidfTransformer(sublinear_tf=True).fit_transform(counts)``.
    """
    import scipy.sparse as sp

    matrix = sp.csr_matrix(counts, dtype=np.float64, copy=True)
    n_samples, n_terms = matrix.shape
    df = np.bincount(matrix.indices, minlength=n_terms).astype(np.float64)
    df += 1.0
    idf = np.full_like(df, fill_value=n_samples + 1, dtype=np.float64)
    idf /= df
    np.log(idf, out=idf)
    idf += 1.0
    data = matrix.data
    np.log(data, data)
    data += 1.0
    data *= idf[matrix.indices]
    _normalise_rows_l2(data, matrix.indptr)
    return matrix


def _normalise_rows_l2(data: np.ndarray, indptr: np.ndarray) -> None:
    """Divide each CSR row by its L2 norm in place; rows of zeros stay as they are.

    The squares are summed left to right within each row (one vectorised step
    per position, over all rows that long), the order of scikit-learn's loop,
    so the norms agree bit for bit (numpy's own sums are pairwise).
    """
    lengths = np.diff(indptr)
    order = np.argsort(-lengths, kind="stable")
    starts = indptr[:-1][order]
    by_length = lengths[order]
    squares = data * data
    sums = np.zeros(len(order), dtype=np.float64)
    active = len(order)
    for k in range(int(by_length[0]) if len(by_length) else 0):
        while active and by_length[active - 1] <= k:
            active -= 1
        sums[:active] += squares[starts[:active] + k]
    norms = np.empty_like(sums)
    norms[order] = np.sqrt(sums)
    norms[norms == 0.0] = 1.0
    data /= np.repeat(norms, lengths)


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
    min_shared : int, default=8
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
    with paused_gc():
        return _find_candidates(documents, min_shared, max_df, max_candidates, shingle_size)


def _find_candidates(documents: Sequence[Document], min_shared: int, max_df: int, max_candidates: int,
                     shingle_size: int) -> list[Candidate]:
    groups = _duplicate_groups(documents)
    reps = [group[0] for group in groups]
    matrix = _representative_matrix([documents[r] for r in reps], [len(g) for g in groups], shingle_size, max_df)
    # Both factors in CSR form: the second is the matrix's own transposed form, the first one conversion.
    product = (matrix.tocsr() @ matrix.T).tocoo()
    within = np.zeros(len(groups), dtype=np.int64)
    diagonal = product.row == product.col
    within[product.row[diagonal]] = product.data[diagonal]
    upper = (product.row < product.col) & (product.data >= min_shared)
    a, b, counts = _expand(groups, product.row[upper], product.col[upper], product.data[upper], within,
                           min_shared, max_candidates)
    if len(a) == 0:
        return []
    tfidf = _tfidf(documents)
    cosine = np.asarray(tfidf[a].multiply(tfidf[b]).sum(axis=1)).ravel()
    chosen = _top_per_document(a, b, counts, cosine, max_candidates)
    pairs = sorted(zip(a[chosen].tolist(), b[chosen].tolist(), counts[chosen].tolist(),
                       cosine[chosen].tolist(), strict=True))
    return [Candidate(a=i, b=j, shared_shingles=int(n), cosine=float(c)) for i, j, n, c in pairs]


def content_key(doc: Document) -> bytes:
    """What exact duplicates share: a digest of the document's content words (boilerplate left out)."""
    return hashlib.blake2b(content_hashes(doc).tobytes(), digest_size=16).digest()


def mostly_copied(frequent: np.ndarray | int, shingles: np.ndarray | int) -> np.ndarray | bool:
    """Whether a document whose ``shingles`` shingles include ``frequent`` frequent ones is mostly a widely
    copied text (a stock phrase is a small part of a document)."""
    return frequent / np.maximum(1, shingles) >= COPIED_SHARE_MIN


def frequent_kept(copied_holders: np.ndarray | int, holders: np.ndarray | int) -> np.ndarray | bool:
    """Whether a frequent shingle is kept: more than half of the (distinct) documents holding it are
    :func:`mostly_copied`."""
    return copied_holders * 2 > holders


def group_face(group: list[int], max_candidates: int) -> list[int]:
    """The members of a duplicate group that pair with other groups: all of a small group, the first of a
    large one (its other members pair with that first one only, see :func:`group_pairs`)."""
    return group if len(group) <= max_candidates else group[:1]


def group_pairs(group: list[int], max_candidates: int) -> list[tuple[int, int]]:
    """The pairs inside a duplicate group: every pair of a small group, first-to-each of a large one."""
    if len(group) <= max_candidates:
        return [(i, j) for k, i in enumerate(group) for j in group[k + 1:]]
    return [(group[0], j) for j in group[1:]]


def _duplicate_groups(documents: Sequence[Document]) -> list[list[int]]:
    """Indices of documents with the same content words, grouped; each group sorted, groups by first index."""
    first: dict[bytes, int] = {}
    groups: list[list[int]] = []
    for i, doc in enumerate(documents):
        key = content_key(doc)
        if key in first:
            groups[first[key]].append(i)
        else:
            first[key] = len(groups)
            groups.append([i])
    return groups


def _representative_matrix(docs: Sequence[Document], copies: Sequence[int], size: int, max_df: int):
    """Binary representative x shingle matrix of the shingles worth pairing on (CSC).

    A shingle is kept when the documents holding it (duplicates counted) are
    at least two, and the representatives holding it at most ``max_df`` or
    mostly copies of one text (see :data:`COPIED_SHARE_MIN`).  A kept shingle
    held by one representative only still counts for the pairs inside its
    duplicate group (the diagonal of the product).
    """
    import scipy.sparse as sp

    if not docs:
        return sp.csr_matrix((0, 0), dtype=np.int32)
    hashes = [content_hashes(doc) for doc in docs]
    col, row = _corpus_shingles(hashes, size)
    weight = np.asarray(copies, dtype=np.float64)
    # Most shingles are held by one document with no duplicates: they can pair nothing and are
    # dropped before the sort, found by counting copies per bucket of the hash's low bits (a
    # shingle alone in its bucket with fewer than two copies is one of them; the others stay).
    buckets = 1 << max(10, min(24, len(col).bit_length()))
    bucket = (col & np.uint64(buckets - 1)).astype(np.intp)
    maybe = np.bincount(bucket, weights=weight[row], minlength=buckets)[bucket] >= 2
    # A shingle dropped is the only one of its value: one of its document's distinct shingles.
    distinct_held = np.bincount(row[~maybe], minlength=len(docs))
    col, row = col[maybe], row[maybe]
    # The distinct (shingle, document) pairs, by shingle, then document: what the sets of each
    # document's distinct shingles, concatenated, give once sorted.
    order = np.argsort(col, kind="stable")
    col, row = col[order], row[order]
    fresh = np.ones(len(col), dtype=bool)
    fresh[1:] = (col[1:] != col[:-1]) | (row[1:] != row[:-1])
    col, row = col[fresh], row[fresh]
    first = np.ones(len(col), dtype=bool)
    first[1:] = col[1:] != col[:-1]
    inverse = np.cumsum(first, dtype=np.intp) - 1
    holders = np.diff(np.flatnonzero(first), append=len(col))
    total = np.bincount(inverse, weights=weight[row], minlength=len(holders))
    frequent = holders > max_df
    if frequent.any():
        # Share of each representative's shingles that are frequent: near 1 for a copy of a widely run story.
        frequent_held = np.bincount(row, weights=frequent[inverse], minlength=len(docs))
        copied = mostly_copied(frequent_held, distinct_held + np.bincount(row, minlength=len(docs)))
        frequent &= ~frequent_kept(np.bincount(inverse, weights=copied[row], minlength=len(holders)), holders)
    wanted = (total >= 2) & ~frequent
    keep = wanted[inverse]
    # The kept pairs, by shingle and then representative, are the transposed matrix in CSR form as
    # they stand (a row per kept shingle, its holders): the matrix is its view, no sort or conversion.
    indptr = np.concatenate(([0], np.cumsum(holders[wanted])))
    transposed = sp.csr_matrix((np.ones(int(indptr[-1]), dtype=np.int32), row[keep], indptr),
                               shape=(len(indptr) - 1, len(docs)))
    return transposed.T


def _corpus_shingles(hashes: Sequence[np.ndarray], size: int) -> tuple[np.ndarray, np.ndarray]:
    """Every ``size``-word shingle of each text's word ``hashes`` (as :func:`shingle_hashes` of each), hashed as
    one array, and the text each is of.

    Returns
    -------
    shingles : ndarray of uint64
        Text by text, in position order.
    texts : ndarray of intp
        The index of each shingle's text.
    """
    lengths = np.array([len(h) for h in hashes], dtype=np.intp)
    if not len(lengths) or not lengths.sum():
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.intp)
    whole = shingle_hashes(np.concatenate(hashes).astype(np.uint64, copy=False), size)
    # A shingle is kept when it starts at least ``size - 1`` words before its text's end.
    text = np.repeat(np.arange(len(lengths), dtype=np.intp), lengths)[: len(whole)]
    ends = np.cumsum(lengths)
    inside = np.arange(len(whole)) + size <= ends[text]
    return whole[inside], text[inside]


def _expand(groups: Sequence[list[int]], ra: np.ndarray, rb: np.ndarray, shared: np.ndarray, within: np.ndarray,
            min_shared: int, max_candidates: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of documents from pairs of representatives, as (a, b, shared shingles) with ``a < b``.

    A group of up to ``max_candidates`` duplicates is expanded in full (every
    member pairs with every member and with every partner's members), which is
    what comparing each document on its own gives.  A larger group shows
    only its representative to other groups, and its members pair with the
    representative: hundreds of copies of one story cost linear work, not quadratic.
    """
    faces = [group_face(group, max_candidates) for group in groups]
    # Every member of one face with every member of the other, first face's members in the outer
    # order, as arrays (most faces are one document, and the pairs of representatives millions).
    sizes = np.array([len(face) for face in faces], dtype=np.intp)
    members = np.array([i for face in faces for i in face], dtype=np.int64)
    opens = np.cumsum(sizes) - sizes
    per_pair = sizes[ra] * sizes[rb]
    pair = np.repeat(np.arange(len(ra)), per_pair)
    within_pair = np.arange(len(pair)) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
    across = sizes[rb][pair]
    out_a: list[int] = []
    out_b: list[int] = []
    out_n: list[int] = []
    for g, group in enumerate(groups):
        n = int(within[g])
        if len(group) < 2 or n < min_shared:
            continue
        inner = group_pairs(group, max_candidates)
        out_a.extend(i for i, _ in inner)
        out_b.extend(j for _, j in inner)
        out_n.extend([n] * len(inner))
    a = np.concatenate((members[opens[ra][pair] + within_pair // across], np.array(out_a, dtype=np.int64)))
    b = np.concatenate((members[opens[rb][pair] + within_pair % across], np.array(out_b, dtype=np.int64)))
    counts = np.concatenate((np.asarray(shared, dtype=np.int64)[pair], np.array(out_n, dtype=np.int64)))
    a, b = np.minimum(a, b), np.maximum(a, b)
    order = np.lexsort((b, a))  # row-major, the order of the sparse product's upper triangle
    return a[order], b[order], counts[order]


def _top_per_document(a: np.ndarray, b: np.ndarray, counts: np.ndarray, cosine: np.ndarray,
                      limit: int) -> np.ndarray:
    """Indices of pairs that are among the ``limit`` best of either of their documents."""
    order = np.lexsort((-cosine, -counts))
    # Plain lists and ints: the loop runs once per pair, and numpy's scalar access costs more than the work.
    first, second = a.tolist(), b.tolist()
    seen = [0] * (max(max(first), max(second)) + 1)
    kept = []
    for idx in order.tolist():
        i, j = first[idx], second[idx]
        if seen[i] < limit or seen[j] < limit:
            kept.append(idx)
            seen[i] += 1
            seen[j] += 1
    return np.sort(np.array(kept, dtype=np.intp))
