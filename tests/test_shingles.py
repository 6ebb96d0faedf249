"""The sort-based stand-ins for ``np.unique`` give numpy's answers, dtypes included."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from provenance.stages.shingles import distinct, unique_inverse

# Few distinct values (many repeats) and the full 64-bit range, as word and shingle hashes have.
_HASHES = st.lists(st.one_of(st.integers(0, 5), st.integers(0, 2**64 - 1)), max_size=60).map(
    lambda values: np.array(values, dtype=np.uint64))


@given(_HASHES)
def test_distinct_is_np_unique(values):
    out = distinct(values)
    assert out.dtype == values.dtype
    assert np.array_equal(out, np.unique(values))


@given(st.lists(_HASHES, max_size=5))
def test_unique_inverse_is_np_unique(parts):
    # Concatenated sorted runs (the candidates' per-document sets) and unsorted values alike.
    for values in (np.concatenate([distinct(p) for p in parts] or [np.empty(0, dtype=np.uint64)]),
                   np.concatenate(parts or [np.empty(0, dtype=np.uint64)])):
        ours, theirs = unique_inverse(values), np.unique(values, return_inverse=True, return_counts=True)
        for a, b in zip(ours, theirs, strict=True):
            assert a.dtype == b.dtype
            assert np.array_equal(a, b)
