"""Stable word hashes and word n-gram shingles, shared by the stages that compare texts.

Hashes are stable across processes and machines (no Python hash salt), so an
index written today and a Spark executor elsewhere agree on them.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections.abc import Callable, Sequence
from itertools import chain
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ..model import Document

__all__ = ["word_hash", "word_hashes", "word_codes", "content_codes", "keep_content_codes", "coded_words",
           "vocabulary", "per_document", "shingle_hashes", "shingle_hashes_at", "distinct", "unique_inverse",
           "vocabulary_codes", "SHINGLE_SIZE_DEFAULT"]

#: Words per shingle.  Four words survive moderate synonym spinning (a 25%
#: spin rate leaves about a third of 4-grams intact) yet rarely recur by chance.
SHINGLE_SIZE_DEFAULT = 4

_MIX = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5,
     0x85EBCA77C2B2AE63, 0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x94D049BB133111EB],
    dtype=np.uint64,
)


# Hashes of the words seen so far (a plain dict: much faster per word than lru_cache).
_KNOWN: dict[str, int] = {}
_KNOWN_MAX = 1 << 21
_CODES_MAX = 0x110000 - 0x800


class _CodesFull(Exception):
    """Every code point is taken: the words of this process have no more codes (see word_codes)."""


class _WordCodes(dict[str, int]):
    """Codes of the words seen so far (see word_codes): a word seen for the first time gets the next one.

    Numbering a new word where a lookup misses, inside the lookup, reads each
    text in one pass of C calls, though most texts bring a few new words.
    """

    def __init__(self) -> None:
        super().__init__()
        # The words in the order they were numbered: tables by code learn each new word once.
        self.words: list[str] = []

    def __missing__(self, word: str) -> int:
        # Threads of one process (a server's checks) number words at once: one at a time, or two words get
        # one code and ``words`` another order.
        with _NUMBERING:
            code = self.get(word)
            if code is not None:
                return code
            number = len(self)
            if number >= _CODES_MAX:
                raise _CodesFull
            # Skip the surrogate block, which is not a valid code point.
            code = self[word] = number if number < 0xD800 else number + 0x800
            self.words.append(word)
            return code


_NUMBERING = threading.Lock()


_CODES = _WordCodes()


def _blake(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little") >> 1


def word_hash(word: str) -> int:
    """Stable 63-bit hash of a folded word."""
    value = _KNOWN.get(word)
    return _blake(word) if value is None else value


def word_hashes(words: Sequence[str]) -> np.ndarray:
    """Stable hashes of a sequence of folded words, as a uint64 array."""
    known = _KNOWN
    try:
        return np.fromiter(map(known.__getitem__, words), dtype=np.uint64, count=len(words))
    except KeyError:
        if len(known) > _KNOWN_MAX:
            known.clear()
        for word in set(words).difference(known):
            known[word] = _blake(word)
        return np.fromiter(map(known.__getitem__, words), dtype=np.uint64, count=len(words))


def word_codes(words: Sequence[str]) -> np.ndarray | None:
    """Small integer codes of folded words, valid as Unicode code points (uint32).

    Codes number the words in the order this process first saw them, so they
    are equal for equal words within one process (and its forked children) but
    not across processes; use them to compare texts, never to store.  A text
    written with them (``codes.tobytes().decode("utf-32-le")``) lets
    rapidfuzz compare word sequences as strings, its fastest path.

    Returns
    -------
    ndarray of uint32 or None
        None once this process has seen more distinct words than there are
        code points; callers then compare hashes instead.
    """
    try:
        return np.fromiter(map(_CODES.__getitem__, words), dtype=np.uint32, count=len(words))
    except _CodesFull:
        return None


def vocabulary(texts: Sequence[Sequence[str]]) -> tuple[list[str], list[np.ndarray]]:
    """The distinct words of several texts, in the order first seen, and each text's words as indices into them.

    What is then worked out per word (its hash, its code) is worked out once per distinct word and
    read for every use with one array index, not looked up use by use.

    Examples
    --------
    >>> words, texts = vocabulary([["a", "b", "a"], ["b", "c"]])
    >>> words, [t.tolist() for t in texts]
    (['a', 'b', 'c'], [[0, 1, 0], [1, 2]])
    """
    # dict.fromkeys finds the distinct words in one C call; each use is then one look-up of its number.
    number = {word: k for k, word in enumerate(dict.fromkeys(chain.from_iterable(texts)))}
    return list(number), [np.fromiter(map(number.__getitem__, words), dtype=np.uint32, count=len(words))
                          for words in texts]


def coded_words(start: int = 0) -> tuple[np.ndarray, list[str]]:
    """The codes this process has given (see :func:`word_codes`), from the ``start``-th word it numbered on, and
    their words.

    Examples
    --------
    >>> codes = word_codes(["coded", "words", "coded"])
    >>> given, words = coded_words()
    >>> [words[k] for k in np.searchsorted(given, codes)]
    ['coded', 'words', 'coded']
    """
    words = _CODES.words[start:]
    numbers = np.arange(start, start + len(words), dtype=np.uint32)
    return np.where(numbers < 0xD800, numbers, numbers + np.uint32(0x800)), words


# Word codes of each document's content words.  They are valid in this process only, so they live
# beside the documents, never in them: a document pickled to another process must not carry them.
_CONTENT_CODES: weakref.WeakKeyDictionary[Document, np.ndarray | None] = weakref.WeakKeyDictionary()
_UNSEEN = object()  # not yet looked at (a value worked out may be None)


def per_document(cache: weakref.WeakKeyDictionary, doc: Document, compute: Callable[[Document], Any]) -> Any:
    """``cache[doc]``, computed the first time (one lookup: a weak dictionary's is slow, and every pair does two)."""
    value = cache.get(doc, _UNSEEN)
    if value is _UNSEEN:
        value = cache[doc] = compute(doc)
    return value


def content_codes(doc: Document) -> np.ndarray | None:
    """:func:`word_codes` of a document's content words, worked out once per document in this process (None
    once the process's words have run out of codes)."""
    return per_document(_CONTENT_CODES, doc, lambda d: word_codes(d.content_words))


def keep_content_codes(doc: Document, codes: np.ndarray) -> None:
    """Record ``codes`` as :func:`content_codes` of ``doc``, when they were worked out with its other words'."""
    _CONTENT_CODES[doc] = codes


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
    _check_size(size, "shingle_hashes")
    n = len(hashes) - size + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    return _mix([hashes[k : k + n] for k in range(size)])


def shingle_hashes_at(hashes: np.ndarray, starts: np.ndarray, size: int) -> np.ndarray:
    """``shingle_hashes(hashes, size)[starts]``, computed at those positions only.

    For a few shingles of a long array (the one shingle of each short line of a corpus).

    Examples
    --------
    >>> h = word_hashes(["a", "b", "c"])
    >>> bool((shingle_hashes_at(h, np.array([1]), 2) == shingle_hashes(h, 2)[1:]).all())
    True
    """
    _check_size(size, "shingle_hashes_at")
    return _mix([hashes[starts + k] for k in range(size)])


def _check_size(size: int, owner: str) -> None:
    if not 1 <= size <= len(_MIX):
        raise ValueError(f"The 'size' parameter of {owner} must be in [1, 8]. Got {size} instead.")


def _mix(words: list[np.ndarray]) -> np.ndarray:
    """The shingle hash of word hashes ``words[0][i], words[1][i], ...`` for each ``i``."""
    with np.errstate(over="ignore"):
        out = words[0] * _MIX[0]
        # The same operations into two buffers: a corpus's millions of shingles in fresh temporaries
        # cost more in page faults than in arithmetic.
        step = np.empty_like(out)
        for k in range(1, len(words)):
            np.right_shift(out, np.uint64(29), out=step)
            out ^= step
            np.multiply(words[k], _MIX[k], out=step)
            out += step
    return out


def distinct(hashes: np.ndarray) -> np.ndarray:
    """``np.unique(hashes)``: sorted distinct values, five times faster on short arrays.

    numpy 2 finds distinct values with a hash table and then sorts them; a
    sort and one comparison is cheaper for the few hundred hashes of a text.

    Examples
    --------
    >>> distinct(np.array([3, 1, 3, 2], dtype=np.uint64))
    array([1, 2, 3], dtype=uint64)
    """
    out = np.sort(hashes)
    if len(out) > 1:
        keep = np.empty(len(out), dtype=bool)
        keep[0] = True
        np.not_equal(out[1:], out[:-1], out=keep[1:])
        out = out[keep]
    return out


def unique_inverse(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True, return_counts=True)`` for a 1-D array, by a stable sort.

    numpy's quicksort gains nothing from order already in the data; the stable sort (timsort for
    64-bit values) merges the sorted runs a concatenation of per-document sets is made of, and
    handles a corpus's many repeated word hashes 2.5x faster than ``np.unique``.

    Parameters
    ----------
    values : ndarray of shape (n,)

    Returns
    -------
    uniques : ndarray
        The sorted distinct values.
    inverse : ndarray of intp, shape (n,)
        ``uniques[inverse] == values``.
    counts : ndarray of intp
        How often each distinct value occurs.

    Examples
    --------
    >>> unique_inverse(np.array([3, 1, 3, 2], dtype=np.uint64))
    (array([1, 2, 3], dtype=uint64), array([2, 0, 2, 1]), array([1, 1, 2]))
    """
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    first = np.ones(len(ordered), dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    inverse = np.empty(len(ordered), dtype=np.intp)
    # A bool array's cumsum with an explicit dtype: ten times faster than numpy's default cast.
    inverse[order] = np.cumsum(first, dtype=np.intp) - 1
    starts = np.flatnonzero(first)
    return ordered[first], inverse, np.diff(starts, append=len(ordered))


def vocabulary_codes(values: np.ndarray, codes: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` of many unsigned values with few distinct ones (a
    corpus's word hashes: millions of words, tens of thousands of them distinct).

    Sorting every value costs more than finding the distinct ones with numpy's hash table, sorting
    those, and looking each value up by its top bits: a table of where each run of top bits
    starts among the sorted distinct values answers at once wherever a run holds one value (most
    do: there are some sixteen runs per value); only the values of shared runs are searched.

    ``codes``, when given, are small integers of which each value is a function (the word codes
    of the words hashed): the distinct values are then read from a table by code, and every value
    is looked up there by its code.

    Examples
    --------
    >>> vocabulary_codes(np.array([3, 1, 3, 2], dtype=np.uint64))
    (array([1, 2, 3], dtype=uint64), array([2, 0, 2, 1]))
    >>> vocabulary_codes(np.array([3, 1, 3, 2], dtype=np.uint64), np.array([7, 0, 7, 5]))
    (array([1, 2, 3], dtype=uint64), array([2, 0, 2, 1]))
    """
    if codes is not None and len(codes):
        value_of = np.zeros(int(codes.max()) + 1, dtype=values.dtype)
        value_of[codes] = values
        given = np.zeros(len(value_of), dtype=bool)
        given[codes] = True
        seen = np.flatnonzero(given)
        uniques, inverse = np.unique(value_of[seen], return_inverse=True)
        rank = np.zeros(len(value_of), dtype=np.intp)
        rank[seen] = inverse
        return uniques, rank[codes]
    try:
        uniques = np.unique(values, sorted=False)
    except TypeError:  # numpy before 2.3 has no hash table for it
        return unique_inverse(values)[:2]
    if not len(uniques):
        return uniques, np.empty(0, dtype=np.intp)
    uniques.sort()
    top = int(uniques[-1]).bit_length()
    shift = np.uint64(max(0, top - len(uniques).bit_length() - 4))
    runs = (uniques >> shift).astype(np.intp)
    starts = np.searchsorted(runs, np.arange(int(runs[-1]) + 2), side="left")
    run = (values >> shift).astype(np.intp)
    inverse = starts[run]
    shared = np.flatnonzero(starts[run + 1] - inverse > 1)
    inverse[shared] = np.searchsorted(uniques, values[shared])
    return uniques, inverse
