"""Stage 5, align: two Documents -> Alignment (shared passages, containment each way).

Content words (boilerplate excluded) are aligned by longest common
subsequence (rapidfuzz's Indel opcodes, bit-parallel C++), in two rounds so a
moved paragraph is found too.  Matched runs are grouped into passages; a
passage must be long and dense enough to count as copied text, so stray
common words ("the", "of") shared by unrelated texts never make a passage.
One-for-one word replacements inside passages are kept as substitutions:
they are how spinning, house-style edits and OCR errors show.

The work of one pair is bounded: the exact LCS needs memory that grows with
the product of the two lengths, so longer pairs (over ``ALIGN_CELLS_MAX``
word pairs, e.g. two 10,000-word texts) are aligned between anchors instead:
word 4-grams found once in each text, kept in the order both texts agree on,
with the exact LCS between consecutive anchors and, where no anchor helps
(one sentence repeated thousands of times), along the diagonal in pieces of
``ALIGN_PIECE_WORDS`` words.  An alignment that still runs out of memory
falls back to anchors only, so one pair never stops a trace.
"""

from __future__ import annotations

import bisect
import weakref
from collections.abc import Iterable

import numpy as np
from rapidfuzz.distance import Indel

from ..errors import ConfigError
from ..model import Alignment, Document, Passage, Substitution
from .ocr import refine_alignment
from .shingles import content_codes, per_document

__all__ = ["Aligner", "SkippedAlignment", "edit_sites", "exact_alignment", "warm_documents",
           "MIN_PASSAGE_WORDS_DEFAULT", "MAX_GAP_DEFAULT", "ALIGN_CELLS_MAX", "ALIGN_PIECE_WORDS"]

#: A passage must hold at least this many matched words.
MIN_PASSAGE_WORDS_DEFAULT = 8
#: Matched runs separated by at most this many unmatched words (on either
#: side) join one passage: spun or edited text breaks runs every few words.
MAX_GAP_DEFAULT = 6
#: Matched words / passage length; unrelated text aligned by chance is sparser.
MIN_DENSITY_DEFAULT = 0.5
# Replacement regions up to this size are read as word substitutions.
_MAX_SUBSTITUTION_RUN = 3
#: Pairs of texts longer than this product of lengths (in content words) are aligned between
#: anchors: the exact LCS's bit matrix takes about cells / 8 bytes (12.5 MB here).
ALIGN_CELLS_MAX = 100_000_000
#: Stretches with no anchor are aligned along the diagonal in pieces of this many words.
ALIGN_PIECE_WORDS = 2_000
_ANCHOR_WORDS = 4
# Keys of the word 4-grams found once in a text (see _gram_keys), ascending, and where each starts.
_OnceGrams = tuple[np.ndarray, np.ndarray]
# When both texts keep this many words unmatched, the alignment is checked against the one
# their shared rare 4-grams anchor (a passage reused inside a long page, digest or roundup).
_REUSE_WORDS = 300


class SkippedAlignment(Alignment):
    """The empty alignment of a pair that ran out of memory while being aligned: no passage, no link.

    :meth:`Aligner.align` returns it instead of failing the trace; callers count these to warn.
    """


class Aligner:
    """Align the content words of two documents.

    Parameters
    ----------
    min_passage_words : int, default=8
        Fewest matched words that make a shared passage.
    max_gap : int, default=6
        Longest run of unmatched words allowed inside one passage.
    min_density : float, default=0.5
        Fewest matched words per word of passage (0 to 1].
    rounds : int, default=2
        Alignment rounds; each later round aligns what earlier ones left
        unmatched, which finds swapped paragraphs.
    """

    def __init__(
        self,
        *,
        min_passage_words: int = MIN_PASSAGE_WORDS_DEFAULT,
        max_gap: int = MAX_GAP_DEFAULT,
        min_density: float = MIN_DENSITY_DEFAULT,
        rounds: int = 2,
    ) -> None:
        _check_int("min_passage_words", min_passage_words, 1)
        _check_int("max_gap", max_gap, 0)
        _check_int("rounds", rounds, 1)
        if not 0.0 < min_density <= 1.0:
            raise ConfigError(
                f"The 'min_density' parameter of Aligner must be a float in (0, 1]. Got {min_density!r} instead."
            )
        self.min_passage_words = min_passage_words
        self.max_gap = max_gap
        self.min_density = min_density
        self.rounds = rounds

    def align(self, doc_a: Document, doc_b: Document, a: int = 0, b: int = 1) -> Alignment:
        """Align ``doc_a`` with ``doc_b``.

        Parameters
        ----------
        doc_a, doc_b : Document
            The two documents.
        a, b : int
            Their indices in the corpus, recorded on the result.

        Returns
        -------
        Alignment
            ``a_match``/``b_match`` map content-token positions to each other
            (-1 where unmatched); passages and substitutions use content-token
            positions too.
        """
        try:
            return self._align(doc_a, doc_b, a, b)
        except MemoryError:
            # One pair must never stop a trace: it is left unaligned (no shared passage, no link),
            # marked so that the run can say how many pairs it skipped.
            return SkippedAlignment(a=a, b=b, a_match=np.full(doc_a.words, -1, dtype=np.int32),
                                    b_match=np.full(doc_b.words, -1, dtype=np.int32), passages=(),
                                    substitutions=(), shared_words=0)

    def _align(self, doc_a: Document, doc_b: Document, a: int, b: int) -> Alignment:
        seq_a, seq_b = codes_a, codes_b = content_codes(doc_a), content_codes(doc_b)
        if seq_a is None or seq_b is None:
            seq_a, seq_b = _local_codes(content_hashes(doc_a), content_hashes(doc_b))
        # int32: positions of content words (alignments of linked pairs stay in memory to the end).
        a_match = np.full(len(seq_a), -1, dtype=np.int32)
        b_match = np.full(len(seq_b), -1, dtype=np.int32)
        passages: list[Passage] = []
        substitutions: list[Substitution] = []
        for _ in range(self.rounds):
            free_a = np.flatnonzero(a_match < 0)
            free_b = np.flatnonzero(b_match < 0)
            if len(free_a) < self.min_passage_words or len(free_b) < self.min_passage_words:
                break
            whole = len(free_a) == len(seq_a) and len(free_b) == len(seq_b) and seq_a is codes_a and seq_b is codes_b
            if whole:
                text_a, text_b = _text(doc_a), _text(doc_b)  # the first round: whole texts, cached
            else:
                text_a, text_b = _as_text(seq_a[free_a]), _as_text(seq_b[free_b])
            blocks, subs = _lcs_blocks(text_a, text_b)
            found = self._passages(blocks)
            matched = _matched(blocks, found)
            if min(len(free_a), len(free_b)) - matched >= _REUSE_WORDS:
                # Two long texts sharing a passage at different places: the LCS of the whole
                # texts can prefer common words scattered over both to the passage itself.
                # The passage's rare 4-grams anchor it wherever it sits.
                grams = (_document_grams(doc_a), _document_grams(doc_b)) if whole else None
                anchored, anchored_subs = _lcs_blocks(text_a, text_b, anchored=True, grams=grams)
                better = self._passages(anchored)
                if _matched(anchored, better) > matched:
                    blocks, subs, found = anchored, anchored_subs, better
            if not found:
                break
            found_passages, found_subs = _mark_passages(blocks, found, subs, free_a, free_b, a_match, b_match)
            passages.extend(found_passages)
            words_a, words_b = doc_a.content_words, doc_b.content_words
            substitutions.extend(Substitution(words_a[sa], words_b[sb]) for sa, sb in found_subs)
        passages.sort(key=lambda p: p.a_start)
        alignment = Alignment(
            a=a,
            b=b,
            a_match=a_match,
            b_match=b_match,
            passages=tuple(passages),
            substitutions=tuple(substitutions),
            shared_words=int(np.count_nonzero(a_match >= 0)),
        )
        return refine_alignment(self, doc_a, doc_b, alignment)  # scanned text: align letters (stages/ocr.py)

    def _passages(self, blocks: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
        """Group LCS blocks (a, b, size) into passages: (first block, last block) index pairs.

        Blocks join a group while both gaps are at most ``max_gap``; a group
        whose blocks match fewer than ``min_passage_words`` words in all is
        dropped before the (slower) edge trimming, which can only lower it.
        (Plain Python: a pair has a few dozen blocks, too few for arrays to pay.)
        """
        found = []
        max_gap, need = self.max_gap, self.min_passage_words
        start, total = 0, 0
        end_a = end_b = None
        for k, (a, b, size) in enumerate(blocks):
            if end_a is not None and (a - end_a > max_gap or b - end_b > max_gap):
                if total >= need and (group := self._trim(blocks, start, k - 1)) is not None:
                    found.append(group)
                start, total = k, 0
            total += size
            end_a, end_b = a + size, b + size
        if blocks and total >= need and (group := self._trim(blocks, start, len(blocks) - 1)) is not None:
            found.append(group)
        return found

    def _trim(self, blocks: list[tuple[int, int, int]], first: int, last: int) -> tuple[int, int] | None:
        # Lone matched words at a passage's edges are usually chance matches.
        while first < last and blocks[first][2] == 1:
            first += 1
        while last > first and blocks[last][2] == 1:
            last -= 1
        matched = sum(size for _, _, size in blocks[first : last + 1])
        if matched < self.min_passage_words:
            return None
        a_last, b_last, size_last = blocks[last]
        span = max(a_last + size_last - blocks[first][0], b_last + size_last - blocks[first][1])
        if matched / span < self.min_density:
            return None
        return first, last


def _mark_passages(blocks: list[tuple[int, int, int]], found: list[tuple[int, int]], subs: list[tuple[int, int]],
                   free_a: np.ndarray, free_b: np.ndarray, a_match: np.ndarray, b_match: np.ndarray,
                   ) -> tuple[list[Passage], list[tuple[int, int]]]:
    """Match the words of the passages ``found`` (first and last block indices) in ``a_match`` and ``b_match``.

    ``blocks`` (a, b, size) and ``subs`` (a, b, ascending) count positions
    among the free words ``free_a`` and ``free_b`` of this round.  (Plain
    Python but for one assignment of all matches: a pair has one or two
    passages of a dozen blocks, too few for array calls per passage to pay.)

    Returns
    -------
    passages : list of Passage
        One per passage found, in the order of ``found``.
    substitutions : list of (int, int)
        Content-word positions of the substitutions inside a passage, in text order.
    """
    passages: list[Passage] = []
    inside: list[tuple[int, int]] = []
    positions_a: list[int] = []  # of the matched words, among the free ones
    positions_b: list[int] = []
    for first, last in found:
        group = blocks[first : last + 1]
        for a, b, size in group:
            positions_a.extend(range(a, a + size))
            positions_b.extend(range(b, b + size))
        lo_a, lo_b, _ = group[0]
        last_a, last_b, last_size = group[-1]
        hi_a, hi_b = last_a + last_size, last_b + last_size
        passages.append(Passage(a_start=int(free_a[lo_a]), a_end=int(free_a[hi_a - 1]) + 1, b_start=int(free_b[lo_b]),
                                b_end=int(free_b[hi_b - 1]) + 1, matched=sum(size for _, _, size in group)))
        k = bisect.bisect_left(subs, (lo_a,))
        while k < len(subs) and subs[k][0] < hi_a:
            sa, sb = subs[k]
            if lo_b <= sb < hi_b:
                inside.append((int(free_a[sa]), int(free_b[sb])))
            k += 1
    matched_a, matched_b = free_a[positions_a], free_b[positions_b]
    a_match[matched_a] = matched_b
    b_match[matched_b] = matched_a
    return passages, inside


def content_hashes(doc: Document) -> np.ndarray:
    """Stable hashes of a document's content words (boilerplate excluded), computed once per document."""
    return doc.content_hashes


# Each document's codes as a string (see _as_text), for the first round of every pair it is in.
_TEXTS: weakref.WeakKeyDictionary[Document, str] = weakref.WeakKeyDictionary()


def _text(doc: Document) -> str:
    return per_document(_TEXTS, doc, lambda d: _as_text(content_codes(d)))


def warm_documents(documents: Iterable[Document]) -> None:
    """Work out in this process what the aligner keeps of each document (word codes, their text, its content words).

    Called before worker processes fork, so that they inherit the values:
    otherwise each worker, and each fresh one that replaces it, works them out
    again for the documents its chunks meet, and at about twice the cost of
    doing it here.  On the 20k corpus at two jobs: 1.7 times per document,
    2.7 s of CPU in the workers against 0.9 s here, for 44 MB kept beside the
    documents (which the workers then no longer hold each on their own).
    """
    for doc in documents:
        _text(doc)
        # Read by every pair with a passage (its substitutions' words) and by the direction tests.
        doc.content_words  # noqa: B018


def _local_codes(hashes_a: np.ndarray, hashes_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Code points numbering the words of two texts (when the process-wide codes ran out)."""
    _, inverse = np.unique(np.concatenate((hashes_a, hashes_b)), return_inverse=True)
    codes = inverse.astype(np.uint32)
    return codes[: len(hashes_a)], codes[len(hashes_a) :]


def _as_text(codes: np.ndarray) -> str:
    """A word sequence as a string of code points: rapidfuzz compares strings fastest."""
    return codes.astype(np.uint32, copy=False).tobytes().decode("utf-32-le")


def _lcs_blocks(seq_a: str, seq_b: str, *, anchored: bool = False, grams: tuple[_OnceGrams, _OnceGrams] | None = None,
                ) -> tuple[list[tuple[int, int, int]], list[tuple[int, int]]]:
    """Matching blocks of the LCS alignment (a, b, size), and one-for-one substitutions between them.

    Between two consecutive blocks (and before the first, after the last)
    lies one unmatched stretch of each text; when both stretches have the
    same length, at most ``_MAX_SUBSTITUTION_RUN`` words, their words are
    read as substituted one for one ((a, b) positions, in text order).
    With ``anchored``, the LCS runs between the 4-grams found once in each
    text (as for a pair too long for the exact LCS); ``grams`` are those of
    each text (:func:`_once_grams`) when they are known.
    """
    if not anchored and exact_alignment(len(seq_a), len(seq_b)):
        blocks = _exact_blocks(seq_a, seq_b)
    else:
        blocks = _anchored_blocks(seq_a, seq_b, grams)
    subs: list[tuple[int, int]] = []
    lo_a = lo_b = 0
    for a, b, size in (*blocks, (len(seq_a), len(seq_b), 0)):
        run = a - lo_a
        if run == b - lo_b and 1 <= run <= _MAX_SUBSTITUTION_RUN:
            subs.extend((lo_a + k, lo_b + k) for k in range(run))
        lo_a, lo_b = a + size, b + size
    return blocks, subs


def _matched(blocks: list[tuple[int, int, int]], passages: list[tuple[int, int]]) -> int:
    """Words matched in ``passages`` (first and last block indices into ``blocks``)."""
    return sum(size for first, last in passages for _, _, size in blocks[first : last + 1])


def exact_alignment(len_a: int, len_b: int) -> bool:
    """Whether two texts of these lengths (content words) get the exact LCS, within ``ALIGN_CELLS_MAX``."""
    return len_a * len_b <= ALIGN_CELLS_MAX


def _exact_blocks(seq_a: str, seq_b: str) -> list[tuple[int, int, int]]:
    try:
        return [(m.a, m.b, m.size) for m in Indel.editops(seq_a, seq_b).as_matching_blocks() if m.size]
    except MemoryError:
        # Not enough memory even within the budget: the anchors alone still find the long copied runs.
        return _merge(_anchor_words(_anchors(_codes_of(seq_a), _codes_of(seq_b))), [])


def _anchor_words(anchors: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Every word of each anchoring 4-gram, up to where the next anchor starts in either text."""
    words = []
    for k, (a, b) in enumerate(anchors):
        next_a, next_b = anchors[k + 1] if k + 1 < len(anchors) else (a + _ANCHOR_WORDS, b + _ANCHOR_WORDS)
        words.extend((a + i, b + i) for i in range(min(_ANCHOR_WORDS, next_a - a, next_b - b)))
    return words


def _codes_of(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _anchored_blocks(seq_a: str, seq_b: str, grams: tuple[_OnceGrams, _OnceGrams] | None = None,
                     ) -> list[tuple[int, int, int]]:
    """Matching blocks of a long pair, with bounded memory: exact LCS between anchors, pieces elsewhere."""
    anchors = _anchors(_codes_of(seq_a), _codes_of(seq_b), grams)
    found: list[tuple[int, int, int]] = []
    lo_a = lo_b = 0
    for a, b in (*anchors, (len(seq_a), len(seq_b))):
        found.extend(_between(seq_a, seq_b, lo_a, a, lo_b, b))
        lo_a, lo_b = a + 1, b + 1
    return _merge(anchors, found)


def _between(seq_a: str, seq_b: str, lo_a: int, hi_a: int, lo_b: int, hi_b: int) -> list[tuple[int, int, int]]:
    """Blocks of ``seq_a[lo_a:hi_a]`` against ``seq_b[lo_b:hi_b]``: exact when small, else in diagonal pieces."""
    len_a, len_b = hi_a - lo_a, hi_b - lo_b
    if len_a <= 0 or len_b <= 0:
        return []
    pieces = -(-max(len_a, len_b) // ALIGN_PIECE_WORDS)
    if pieces == 1 or exact_alignment(len_a, len_b):
        return [(a + lo_a, b + lo_b, n) for a, b, n in _exact_blocks(seq_a[lo_a:hi_a], seq_b[lo_b:hi_b])]
    cut_a = [lo_a + len_a * k // pieces for k in range(pieces + 1)]
    cut_b = [lo_b + len_b * k // pieces for k in range(pieces + 1)]
    out: list[tuple[int, int, int]] = []
    for k in range(pieces):
        out.extend(_between(seq_a, seq_b, cut_a[k], cut_a[k + 1], cut_b[k], cut_b[k + 1]))
    return out


def _anchors(codes_a: np.ndarray, codes_b: np.ndarray, grams: tuple[_OnceGrams, _OnceGrams] | None = None,
             ) -> list[tuple[int, int]]:
    """(a, b) starts of word 4-grams found once in each text, the longest chain increasing in both.

    ``grams`` are each text's once-found 4-grams (:func:`_once_grams`), when they are known.
    """
    (keys_a, starts_a), (keys_b, starts_b) = grams or (_once_grams(codes_a), _once_grams(codes_b))
    if not len(keys_a) or not len(keys_b):
        return []
    # Both key arrays are sorted and hold each key once: where each of a's would sit in b's is its match.
    at = np.minimum(np.searchsorted(keys_b, keys_a), len(keys_b) - 1)
    common = keys_b[at] == keys_a
    pos_a, pos_b = starts_a[common], starts_b[at[common]]
    if not len(pos_a):
        return []
    same = np.ones(len(pos_a), dtype=bool)
    for k in range(_ANCHOR_WORDS):  # keys mix the 4th word in: make sure all four are the same
        same &= codes_a[pos_a + k] == codes_b[pos_b + k]
    pos_a, pos_b = pos_a[same], pos_b[same]
    order = np.argsort(pos_a)
    return _increasing_chain(pos_a[order].tolist(), pos_b[order].tolist())


def _once_grams(codes: np.ndarray) -> _OnceGrams:
    """The word 4-grams found once in a text of word ``codes``: (keys ascending, start of each)."""
    keys = _gram_keys(codes)
    order = np.argsort(keys)
    ordered = keys[order]
    # A key is found once when neither of its neighbours in sorted order is the same key.
    repeated = ordered[1:] == ordered[:-1]
    once = np.ones(len(keys), dtype=bool)
    once[1:] &= ~repeated
    once[:-1] &= ~repeated
    return ordered[once], order[once]


# Each document's once-found 4-grams, for the anchored alignment of the whole texts in every long pair it is in
# (process-local like the codes they are read from).
_GRAMS: weakref.WeakKeyDictionary[Document, _OnceGrams] = weakref.WeakKeyDictionary()


def _document_grams(doc: Document) -> _OnceGrams:
    return per_document(_GRAMS, doc, lambda d: _once_grams(content_codes(d)))


def _gram_keys(codes: np.ndarray) -> np.ndarray:
    """One uint64 key per word 4-gram (codes are below 2**21, so 3 fit exactly; the 4th is mixed in)."""
    n = len(codes) - _ANCHOR_WORDS + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    c = codes.astype(np.uint64)
    key = (c[:n] << np.uint64(42)) | (c[1 : n + 1] << np.uint64(21)) | c[2 : n + 2]
    return key * np.uint64(0x9E3779B97F4A7C15) ^ c[3 : n + 3]


def _increasing_chain(pos_a: list[int], pos_b: list[int]) -> list[tuple[int, int]]:
    """Longest chain of anchors increasing in both texts (patience sorting, ``pos_a`` ascending)."""
    tails: list[int] = []  # b of the last anchor of the best chain of each length
    tail_index: list[int] = []
    previous = [-1] * len(pos_b)
    for k, b in enumerate(pos_b):
        at = bisect.bisect_left(tails, b)
        if at == len(tails):
            tails.append(b)
            tail_index.append(k)
        else:
            tails[at], tail_index[at] = b, k
        previous[k] = tail_index[at - 1] if at else -1
    chain = []
    k = tail_index[-1] if tail_index else -1
    while k >= 0:
        chain.append((pos_a[k], pos_b[k]))
        k = previous[k]
    return chain[::-1]


def _merge(anchors: list[tuple[int, int]], blocks: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Anchor words and blocks, sorted, with touching blocks joined (the shape of LCS matching blocks)."""
    items = sorted([(a, b, 1) for a, b in anchors] + blocks)
    merged: list[tuple[int, int, int]] = []
    for a, b, n in items:
        if merged and merged[-1][0] + merged[-1][2] == a and merged[-1][1] + merged[-1][2] == b:
            merged[-1] = (merged[-1][0], merged[-1][1], merged[-1][2] + n)
        else:
            merged.append((a, b, n))
    return merged


_EDGE_SITE_WORDS = 8


def edit_sites(alignment: Alignment) -> int:
    """Places where the two texts differ: each gap between aligned words, and each end, counts once.

    A cut tail is one change, thirty spun words are thirty: the count of
    changes, not of changed words, is what tells a direct copy from a copy of
    a copy (each generation adds its own changes).
    """
    a_idx = np.flatnonzero(alignment.a_match >= 0)
    if len(a_idx) == 0:
        return 1
    b_idx = alignment.a_match[a_idx]
    order = np.argsort(b_idx, kind="stable")
    a_sorted, b_sorted = a_idx[order], b_idx[order]
    jumps = (np.diff(a_sorted) != 1) | (np.diff(b_sorted) != 1)
    # A few words before or after the shared text are a page line (an outlet's name that one
    # corpus learns as furniture and another does not) or a sign-off, not an edit.
    head = int(max(a_sorted[0], b_sorted[0]) >= _EDGE_SITE_WORDS)
    tail = int(max(len(alignment.a_match) - 1 - a_sorted[-1], len(alignment.b_match) - 1 - b_sorted[-1])
               >= _EDGE_SITE_WORDS)
    return int(jumps.sum()) + head + tail



def _check_int(name: str, value: int, low: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise ConfigError(f"The '{name}' parameter of Aligner must be an int >= {low}. Got {value!r} instead.")
