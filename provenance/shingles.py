"""Stable word hashes and word n-gram shingles, shared by the stages that compare texts.

Hashes are stable across processes and machines (no Python hash salt), so an
index written today and a Spark executor elsewhere agree on them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

__all__ = ["word_hash", "word_hashes", "shingle_hashes", "SHINGLE_SIZE_DEFAULT"]

#: Words per shingle.  Four words survive moderate synonym spinning (a 25%
#: spin rate leaves about a third of 4-grams intact) yet rarely recur by chance.
SHINGLE_SIZE_DEFAULT = 4

_MIX = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5,
     0x85EBCA77C2B2AE63, 0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x94D049BB133111EB],
    dtype=np.uint64,
)


@lru_cache(maxsize=1 << 20)
def word_hash(word: str) -> int:
    """Stable 63-bit hash of a folded word."""
    digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


def word_hashes(words: Sequence[str]) -> np.ndarray:
    """Stable hashes of a sequence of folded words, as a uint64 array."""
    return np.fromiter((word_hash(w) for w in words), dtype=np.uint64, count=len(words))


def shingle_hashes(hashes: np.ndarray, size: int = SHINGLE_SIZE_DEFAULT) -> np.ndarray:
    """Hashes of every run of ``size`` consecutive words (position order kept).

    Parameters
    ----------
    hashes : ndarray of uint64
        Word hashes from :func:`word_hashes`.
    size : int, default=4
        Words per shingle; at most 8.

    Returns
    -------
    ndarray of uint64
        ``len(hashes) - size + 1`` shingle hashes (empty when the text is shorter).
    """
    if not 1 <= size <= len(_MIX):
        raise ValueError(f"The 'size' parameter of shingle_hashes must be in [1, 8]. Got {size} instead.")
    n = len(hashes) - size + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    with np.errstate(over="ignore"):
        out = hashes[:n] * _MIX[0]
        for k in range(1, size):
            out = (out ^ (out >> np.uint64(29))) + hashes[k : k + n] * _MIX[k]
    return out
