import pytest

from provenance.errors import ConfigError
from provenance.pipeline import prepare_documents
from provenance.stages.candidates import find_candidates


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
