"""Stage 5, align: two Documents -> Alignment (shared passages, containment each way).

Content words (boilerplate excluded) are aligned by longest common
subsequence (rapidfuzz's Indel opcodes, bit-parallel C++), in two rounds so a
moved paragraph is found too.  Matched runs are grouped into passages; a
passage must be long and dense enough to count as copied text, so stray
common words ("the", "of") shared by unrelated texts never make a passage.
One-for-one word replacements inside passages are kept as substitutions:
they are how spinning, house-style edits and OCR errors show.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import Indel

from .errors import ConfigError
from .model import Alignment, Document, Passage, Substitution
from .shingles import word_hashes

__all__ = ["Aligner", "edit_sites", "MIN_PASSAGE_WORDS_DEFAULT", "MAX_GAP_DEFAULT"]

#: A passage must hold at least this many matched words.
MIN_PASSAGE_WORDS_DEFAULT = 8
#: Matched runs separated by at most this many unmatched words (on either
#: side) join one passage: spun or edited text breaks runs every few words.
MAX_GAP_DEFAULT = 6
#: Matched words / passage length; unrelated text aligned by chance is sparser.
MIN_DENSITY_DEFAULT = 0.5
# Replacement regions up to this size are read as word substitutions.
_MAX_SUBSTITUTION_RUN = 3


@dataclass
class _Block:
    a: int
    b: int
    size: int


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
        seq_a = content_hashes(doc_a)
        seq_b = content_hashes(doc_b)
        words_a = [doc_a.tokens.words[i] for i in doc_a.content]
        words_b = [doc_b.tokens.words[i] for i in doc_b.content]
        a_match = np.full(len(seq_a), -1, dtype=np.int64)
        b_match = np.full(len(seq_b), -1, dtype=np.int64)
        passages: list[Passage] = []
        substitutions: list[Substitution] = []
        for _ in range(self.rounds):
            free_a = np.flatnonzero(a_match < 0)
            free_b = np.flatnonzero(b_match < 0)
            if len(free_a) < self.min_passage_words or len(free_b) < self.min_passage_words:
                break
            blocks, subs = _lcs_blocks(seq_a[free_a].tolist(), seq_b[free_b].tolist())
            found = self._passages(blocks)
            if not found:
                break
            for first, last in found:
                for blk in blocks[first : last + 1]:
                    ia = free_a[blk.a : blk.a + blk.size]
                    ib = free_b[blk.b : blk.b + blk.size]
                    a_match[ia] = ib
                    b_match[ib] = ia
                lo_a, lo_b = blocks[first].a, blocks[first].b
                hi_a = blocks[last].a + blocks[last].size
                hi_b = blocks[last].b + blocks[last].size
                passages.append(
                    Passage(
                        a_start=int(free_a[lo_a]),
                        a_end=int(free_a[hi_a - 1]) + 1,
                        b_start=int(free_b[lo_b]),
                        b_end=int(free_b[hi_b - 1]) + 1,
                        matched=sum(blk.size for blk in blocks[first : last + 1]),
                    )
                )
                for sa, sb in subs:
                    if lo_a <= sa < hi_a and lo_b <= sb < hi_b:
                        substitutions.append(Substitution(words_a[free_a[sa]], words_b[free_b[sb]]))
        passages.sort(key=lambda p: p.a_start)
        return Alignment(
            a=a,
            b=b,
            a_match=a_match,
            b_match=b_match,
            passages=tuple(passages),
            substitutions=tuple(substitutions),
            shared_words=int((a_match >= 0).sum()),
        )

    def _passages(self, blocks: list[_Block]) -> list[tuple[int, int]]:
        """Group LCS blocks into passages: (first block, last block) index pairs."""
        found = []
        start = 0
        for i in range(1, len(blocks) + 1):
            if i < len(blocks):
                prev, cur = blocks[i - 1], blocks[i]
                gap_a = cur.a - (prev.a + prev.size)
                gap_b = cur.b - (prev.b + prev.size)
                if gap_a <= self.max_gap and gap_b <= self.max_gap:
                    continue
            group = self._trim(blocks, start, i - 1)
            if group is not None:
                found.append(group)
            start = i
        return found

    def _trim(self, blocks: list[_Block], first: int, last: int) -> tuple[int, int] | None:
        # Lone matched words at a passage's edges are usually chance matches.
        while first < last and blocks[first].size == 1:
            first += 1
        while last > first and blocks[last].size == 1:
            last -= 1
        matched = sum(blk.size for blk in blocks[first : last + 1])
        if matched < self.min_passage_words:
            return None
        span = max(
            blocks[last].a + blocks[last].size - blocks[first].a,
            blocks[last].b + blocks[last].size - blocks[first].b,
        )
        if matched / span < self.min_density:
            return None
        return first, last


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
    head = int(a_sorted[0] > 0 or b_sorted[0] > 0)
    tail = int(a_sorted[-1] < len(alignment.a_match) - 1 or b_sorted[-1] < len(alignment.b_match) - 1)
    return int(jumps.sum()) + head + tail


def content_hashes(doc: Document) -> np.ndarray:
    """Stable hashes of a document's content words (boilerplate excluded)."""
    return doc.content_hashes


def _lcs_blocks(seq_a: list[int], seq_b: list[int]) -> tuple[list[_Block], list[tuple[int, int]]]:
    """Matching blocks of the LCS alignment, and one-for-one substitutions between them."""
    blocks: list[_Block] = []
    subs: list[tuple[int, int]] = []
    pending_a: list[int] = []
    pending_b: list[int] = []

    def flush() -> None:
        if pending_a and len(pending_a) == len(pending_b) <= _MAX_SUBSTITUTION_RUN:
            subs.extend(zip(pending_a, pending_b, strict=True))
        pending_a.clear()
        pending_b.clear()

    for op in Indel.opcodes(seq_a, seq_b):
        if op.tag == "equal":
            flush()
            blocks.append(_Block(op.src_start, op.dest_start, op.src_end - op.src_start))
        elif op.tag == "delete":
            pending_a.extend(range(op.src_start, op.src_end))
        elif op.tag == "insert":
            pending_b.extend(range(op.dest_start, op.dest_end))
        else:  # replace
            pending_a.extend(range(op.src_start, op.src_end))
            pending_b.extend(range(op.dest_start, op.dest_end))
    flush()
    return blocks, subs


def _check_int(name: str, value: int, low: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise ConfigError(f"The '{name}' parameter of Aligner must be an int >= {low}. Got {value!r} instead.")
