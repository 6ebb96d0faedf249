from collections import Counter
from types import SimpleNamespace

import numpy as np
import pytest

from provenance.errors import ConfigError
from provenance.pipeline import prepare_documents
from provenance.stages import candidates
from provenance.stages.candidates import COPIED_SHARE_MIN, find_candidates
from provenance.stages.shingles import shingle_hashes


def test_copies_are_candidates_and_topic_alone_is_not(family_articles):
    docs = prepare_documents(family_articles)
    ids = [d.id for d in docs]
    pairs = {frozenset((ids[c.a], ids[c.b])) for c in find_candidates(docs)}
    assert frozenset(("wire.txt", "spun.txt")) in pairs
    assert frozenset(("wire.txt", "trimmed.txt")) in pairs
    assert frozenset(("reprint.txt", "wire.txt")) in pairs
    # The independent story shares one quotation: it may be a candidate, but
    # never with a high count; a pair of unrelated texts is not one at all.
    for c in find_candidates(docs):
        if "independent.txt" in (ids[c.a], ids[c.b]):
            assert c.shared_shingles < 30


def test_candidates_are_ordered_and_scored(family_articles):
    docs = prepare_documents(family_articles)
    cands = find_candidates(docs)
    assert cands == sorted(cands, key=lambda c: (c.a, c.b))
    assert all(c.a < c.b and 0.0 <= c.cosine <= 1.0 + 1e-9 for c in cands)


def test_max_df_drops_stock_phrases():
    from test_copies import stock_phrase_articles

    docs = prepare_documents(stock_phrase_articles(6))
    assert find_candidates(docs, max_df=5) == []
    assert len(find_candidates(docs)) == 15


def test_single_document_has_no_candidates(family_articles):
    assert find_candidates(prepare_documents(family_articles[:1])) == []


@pytest.mark.parametrize("kwargs", [{"min_shared": 0}, {"max_df": 1}, {"max_candidates": 0}])
def test_parameters_validated(family_articles, kwargs):
    with pytest.raises(ConfigError, match=next(iter(kwargs))):
        find_candidates(prepare_documents(family_articles), **kwargs)


def test_tfidf_weights_equal_scikit_learn():
    import numpy as np
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfTransformer

    from provenance.stages.candidates import tfidf_weights

    rng = np.random.default_rng(7)
    dense = rng.integers(0, 4, size=(40, 300)) * (rng.random((40, 300)) < 0.3)
    dense[5] = 0  # an empty document
    dense[6, :] = 1  # a term in every document, and a long row
    counts = sp.csr_matrix(dense.astype(np.float64))
    ours = tfidf_weights(counts)
    theirs = sp.csr_matrix(TfidfTransformer(sublinear_tf=True).fit_transform(counts))
    assert ours.shape == theirs.shape
    assert np.array_equal(ours.indptr, theirs.indptr) and np.array_equal(ours.indices, theirs.indices)
    assert np.array_equal(ours.data, theirs.data)  # bit for bit, not just close
    assert np.array_equal(counts.toarray(), dense)  # the input is left alone


def _plain_representative_matrix(hashes, copies, size, max_df):
    """The representative x shingle matrix of each document's distinct shingles, set by set (the definition)."""
    sets = [set(shingle_hashes(h, size).tolist()) for h in hashes]
    holders = Counter(s for one in sets for s in one)
    total = Counter()
    for one, n in zip(sets, copies, strict=True):
        for s in one:
            total[s] += n
    frequent = {s for s, n in holders.items() if n > max_df}
    copied = [len(one & frequent) / max(1, len(one)) >= COPIED_SHARE_MIN for one in sets]
    for s in list(frequent):
        if 2 * sum(copied[r] for r, one in enumerate(sets) if s in one) > holders[s]:
            frequent.discard(s)
    columns = sorted(s for s in holders if total[s] >= 2 and s not in frequent)
    number = {s: k for k, s in enumerate(columns)}
    return {(r, number[s]) for r, one in enumerate(sets) for s in one if s in number}, len(columns)


@pytest.mark.parametrize("seed", range(6))
def test_representative_matrix_is_the_set_by_set_definition(seed):
    rng = np.random.default_rng(seed)
    # Words from a few common ones (their shingles recur, some in more than max_df documents) and
    # many rare ones, in a different mix per document; some documents are shorter than a shingle.
    hashes = []
    for _ in range(40):
        n = int(rng.integers(0, 30))
        common = rng.random(n) < rng.random()
        words = np.where(common, rng.integers(1, 5, n), rng.integers(5, 10**6, n))
        hashes.append(words.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    copies = rng.integers(1, 4, len(hashes)).tolist()
    docs = [SimpleNamespace(content_hashes=h) for h in hashes]
    for max_df in (2, 5, 200):
        matrix = candidates._representative_matrix(docs, copies, 3, max_df)
        coo = matrix.tocoo()
        cells, n_columns = _plain_representative_matrix(hashes, copies, 3, max_df)
        assert matrix.shape == (len(docs), n_columns)
        assert set(zip(coo.row.tolist(), coo.col.tolist(), strict=True)) == cells and (coo.data == 1).all()
