"""OCR-robust linking: candidates from character shingles, alignment letter by letter.

Scanned reprints garble about one letter in ten, so half their words differ
from the same words in another scan: word shingles (stage 4) and word-level
alignment (stage 5) find almost nothing.  Letters survive where words do
not.  Each document's content words, joined without spaces or punctuation,
give a string of letters (a word hyphenated at a line end is already one
token); its character 7-grams (a fixed hash-chosen quarter of them, so two
texts keep the same grams) find pairs the word path missed, and an alignment
of the two letter strings (rapidfuzz's Indel over letter trigrams,
bit-parallel C++) is turned back into word matches: a word of one text
matches the word of the other that most of its letters align to.  The result
is an ordinary :class:`~provenance.model.Alignment` (no substitutions: a
scanning error is no editorial change), so the later stages work unchanged.

Only documents that read as heavily scanned (:func:`garbles_words`: many words in no
English word list) take this path, so clean corpora keep the word path's
results and speed exactly.  Even then the letter alignment replaces the word
alignment only where the word alignment is weak and the letter alignment
finds much more, with many of its matched words spelled differently in the
two texts, the mark of scanning.
"""
from __future__ import annotations

import dataclasses
import threading
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel, Levenshtein

from ..model import Alignment, Candidate, Document, Passage
from .shingles import coded_words, content_codes

if TYPE_CHECKING:
    from .align import Aligner

__all__ = [
    "looks_scanned",
    "garbles_words",
    "read_scans",
    "misread_words",
    "letters",
    "char_grams",
    "find_char_candidates",
    "add_char_candidates",
    "gram_pair_kept",
    "gram_cosine",
    "refine_alignment",
    "gram_share",
    "passage_grams",
    "shares_a_passage",
    "MIN_PASSAGE_GRAMS",
    "misread_alike",
    "lost_line_words",
    "letters_found",
    "misread_stretch",
    "MISREAD_SIMILARITY",
    "GRAM_SIZE",
    "SCANNED_SHARE",
    "MIN_GRAM_SHARE_DEFAULT",
]

#: A scan with more of its words missing from an English word list than this is a heavy scan
#: (clean news: under 8%, names included; 5% character errors: about 13%, 10%: about 22%).
SCANNED_SHARE = 0.1
#: A document with this share of its words misread (see misread_words), and at least MISREAD_MIN_WORDS
#: of them, reads as a scan.  Clean news: the BBC and same-day corpora none, Reuters
#: 0.2% of stories (typos: "accuray", "trasaction"); 1% character errors: 89% of pages, 2% and more: 98-100%.
MISREAD_SHARE = 0.01
MISREAD_MIN_WORDS = 3
#: Words this frequent (Zipf 4: "tuesday", "budget") are the ones a misreading is recognised near.
_COMMON_FREQUENCY = 1e-5
#: Fewest alphabetic words for a document to be judged scanned at all.
_SCANNED_MIN_WORDS = 20
#: Letters per character shingle.  At 10% character errors in each of two
#: scans a 7-gram survives in both about a quarter of the time, and chance
#: 7-grams shared by unrelated texts are rare (mostly whole long words).
GRAM_SIZE = 7
#: One gram in this many is kept (chosen by hash, so every text keeps the same ones).
GRAM_SAMPLE = 4
#: A scan with this share of its words in no word list (15-20% character errors; 10% leaves about
#: 22%) keeps a 7-gram in both of two scans one time in 10-20: it keeps twice as many grams (those
#: of GRAM_SAMPLE among them), so a copied passage shows enough of them at one offset.
_DENSE_GRAMS_SHARE = 0.3
#: Width of an offset band between two letter strings: a scan's dropped and doubled letters
#: shift a copied passage's offset by a few letters over its length.
_DIAGONAL_LETTERS = 64
#: A copied passage's offset drifts: between two of its shared grams it may move by this share of
#: the letters between them (a lost printed line, a neighbouring column's lines or a dropped
#: paragraph in one text), on top of :data:`_DIAGONAL_LETTERS`...
_DRIFT_SHARE = 0.5
#: ...over at most this many letters (grams farther apart are no one passage).
_CHAIN_GAP_LETTERS = 1500
#: A drifting chain of shared grams must hold this share of all the pair shares: chance grams
#: of two unrelated pages chain in short runs only.
_CHAIN_SHARE = 0.5
#: Fewest shared grams at one offset for a pair to be aligned letter by letter: a 30-word passage
#: (about 37 sampled grams) at 10% character errors in each of two scans keeps about 9.
MIN_PASSAGE_GRAMS = 8
#: ...or this share of all the grams the pair shares.
_PASSAGE_SHARE = 0.25
#: Letters around a passage's shared grams aligned with it (its first and last grams may be misread).
_WINDOW_MARGIN = 200
#: A passage's letters under this share of a text are aligned on their own as well.
_WINDOW_SHARE = 0.5
#: Shared sampled grams / grams of the smaller text for a pair to be a character candidate.
MIN_GRAM_SHARE_DEFAULT = 0.04
#: Fewest shared sampled grams for a character candidate (about a 30-word passage at 10% errors).
MIN_GRAM_SHARED = 5
#: A pair sharing this fraction of MIN_GRAM_SHARE_DEFAULT is a candidate too when MIN_PASSAGE_GRAMS of its
#: shared grams sit at one offset: at 20% errors a copy keeps a 7-gram in both scans about one time in 20,
#: so a 150-word story inside two 2,000-word pages shares 0.6-1% of a page's sampled grams.
_FEW_SHARED = 0.125
#: A word alignment covering this share of the shorter text is strong: no character pass.
_STRONG_WORD_SHARE = 0.6
#: Share of a word's letters that must align to one word of the other text (both ways).
_WORD_LETTER_SHARE = 0.5
#: Longest equal unmatched stretch between matched words that is matched word for word.
_MAX_FILLED_GAP = 3
#: Character alignment must match this many times the words the word alignment matched...
_GAIN = 1.5
#: ...and this share of the words it matches must be spelled differently (scanning errors).
_MIN_MISSPELT = 0.1

#: Two spellings this alike (rapidfuzz ratio, 0-100) can be one word as two scans read it.
MISREAD_SIMILARITY = 70.0
#: A scan loses lines of its own (a line in 30 or so in our simulator, more on real microfilm),
#: which are no cut of the page it scanned: only a run of more than this many printed lines is a cut.
SCANNED_CUT_LINES = 3

_MIX = np.uint64(0x9E3779B97F4A7C15)
_BASE = np.uint64(0x100000001B3)

# Per-document letter strings and gram sets; valid in this process only, kept beside the documents.
_LETTERS: weakref.WeakKeyDictionary[Document, tuple[str, np.ndarray]] = weakref.WeakKeyDictionary()
_GRAMS: weakref.WeakKeyDictionary[Document, tuple[np.ndarray, np.ndarray]] = weakref.WeakKeyDictionary()
_SCANNED: weakref.WeakKeyDictionary[Document, tuple[bool, bool, bool]] = weakref.WeakKeyDictionary()
_MISREAD: weakref.WeakKeyDictionary[Document, int] = weakref.WeakKeyDictionary()
_LOST_LINE_WORDS: weakref.WeakKeyDictionary[Document, int] = weakref.WeakKeyDictionary()
# The symmetric-deletion index of common words, built at first need (_near_common).
_NEAR_COMMON: list[set[str]] = []


def looks_scanned(doc: Document) -> bool:
    """Whether a document reads as OCR output, lightly or heavily scanned (its misreadings are no changes).

    What marks a scan is what misreading does: words in no English word list,
    each once in the text, a letter or two from a common word ("tbe",
    "govermnent").  A scan misreads "the" differently each time; a name or an
    abbreviation a story repeats is its own spelling, and names are rarely
    a letter from a common word.  Clean news has a handful of such typos in a
    thousand words, a scan with one letter wrong in a hundred several in a
    hundred words; a team sheet of French names has many unknown words and
    none of them.  The word list is wordfreq's, which the direction stage
    loads anyway.
    """
    return _scan_reading(doc)[0]


def garbles_words(doc: Document) -> bool:
    """Whether a document reads as a heavy scan: scanned, with many words in no English word list.

    Its copies share too few words, spelled alike, for word shingles and the
    word alignment to find them: only such documents take the letter path
    (character candidates and alignment), so clean corpora, and light scans
    whose words mostly survive, keep the word path's results and speed.
    """
    return _scan_reading(doc)[1]


def _scan_reading(doc: Document) -> tuple[bool, bool, bool]:
    """(:func:`looks_scanned`, :func:`garbles_words`, garbles :data:`_DENSE_GRAMS_SHARE` of its words) of a
    document, worked out once."""
    reading = _SCANNED.get(doc)
    if reading is None:
        words, unknown, table = _unknown_words(doc)
        reading = _SCANNED[doc] = _reading(doc, words, unknown, table)
    return reading


def _reading(doc: Document, words: int, unknown: np.ndarray, table: _WordTable) -> tuple[bool, bool, bool]:
    """:func:`_scan_reading` of a document from its :func:`_unknown_words`."""
    floor = _misread_floor(words)
    scanned = words >= _SCANNED_MIN_WORDS and len(unknown) >= floor and _misread(doc, unknown, table) >= floor
    return (scanned, scanned and len(unknown) > SCANNED_SHARE * words,
            len(unknown) >= _DENSE_GRAMS_SHARE * max(1, words))


def read_scans(documents: Sequence[Document]) -> None:
    """Work out the scan reading (:func:`looks_scanned`...) of many documents at once.

    Their word codes are read as one array: one pass over the corpus's
    words and the flags of each code, not a few array calls per document.
    """
    todo = [doc for doc in documents if doc not in _SCANNED]
    codes = [content_codes(doc) for doc in todo]
    if not todo or any(c is None for c in codes):  # the process's words ran out of codes: one at a time
        for doc in todo:
            _scan_reading(doc)
        return
    table = _PROCESS_WORDS.updated()
    flat = np.concatenate(codes)
    bits = table.bits[flat]
    cuts = np.concatenate(([0], np.cumsum([len(c) for c in codes])))
    # Where each document's flagged words start among the corpus's: a search of the flagged positions
    # (a cumulative count over every word costs several times more).
    alphabetic = np.searchsorted(np.flatnonzero(bits & _ALPHA), cuts)
    unknown_at = np.flatnonzero(bits & _UNKNOWN)
    # Each document's unknown codes are a slice of the corpus's, in its order.
    unknown_codes, unknown_cuts = flat[unknown_at], np.searchsorted(unknown_at, cuts).tolist()
    for k, (doc, words) in enumerate(zip(todo, np.diff(alphabetic).tolist(), strict=True)):
        _SCANNED[doc] = _reading(doc, words, unknown_codes[unknown_cuts[k] : unknown_cuts[k + 1]], table)


def _unknown_words(doc: Document) -> tuple[int, np.ndarray, _WordTable]:
    """How many of the document's content words are alphabetic; the codes of those in no English word list,
    one per use; and the :class:`_WordTable` the codes are of."""
    codes = content_codes(doc)
    if codes is None:  # this process has numbered more words than there are codes: the document's own numbers
        numbering: dict[str, int] = {}
        codes = np.fromiter((numbering.setdefault(w, len(numbering)) for w in doc.content_words), dtype=np.uint32,
                            count=len(doc.content_words))
        table = _WordTable()
        table.learn(np.arange(len(numbering), dtype=np.uint32), list(numbering))
    else:
        table = _PROCESS_WORDS.updated()
    bits = table.bits[codes]
    return int(np.count_nonzero(bits & _ALPHA)), codes[(bits & _UNKNOWN).astype(bool)], table


# What the scan reading asks of a word (see _WordTable).
_ALPHA, _UNKNOWN, _NEAR_ASKED, _NEAR = 1, 2, 4, 8


class _WordTable:
    """What the scan reading asks of words, by code: alphabetic; in no English word list; a letter or two
    from a common word (asked only of unknown words a misread count needs, at first need).

    A corpus uses tens of thousands of distinct words millions of times: each
    is looked up in the word list once, not at each use (which, for strings
    scattered over the heap, cost more than the rest of the scan reading).
    """

    def __init__(self) -> None:
        self.bits = np.zeros(0, dtype=np.uint8)
        self.unknown: dict[int, str] = {}  # the unknown words, by code
        self.learnt = 0  # words of shingles.coded_words learnt (the process-wide table's)
        self.lock = threading.Lock()

    def learn(self, codes: np.ndarray, words: list[str]) -> None:
        """Learn the words with these codes."""
        from wordfreq import get_frequency_dict  # slow to load: only when a corpus is traced

        if not words:
            return
        if int(codes.max()) >= len(self.bits):
            # Grown by doubling: the documents of a corpus bring their new words a few at a time.
            grown = np.zeros(max(2 * len(self.bits), int(codes.max()) + 1), dtype=np.uint8)
            grown[: len(self.bits)] = self.bits
            self.bits = grown
        known = get_frequency_dict("en")
        alpha = np.fromiter(map(str.isalpha, words), dtype=bool, count=len(words))
        unknown = alpha & ~np.fromiter(map(known.__contains__, words), dtype=bool, count=len(words))
        self.bits[codes] = alpha * _ALPHA | unknown * _UNKNOWN
        self.unknown.update((int(codes[k]), words[k]) for k in np.flatnonzero(unknown).tolist())
        self.learnt += len(words)

    def updated(self) -> _WordTable:
        """This process's table, with every word code given so far (see shingles.word_codes)."""
        # Threads of one process (a server's checks) read it at once: each word is learnt once.
        with self.lock:
            self.learn(*coded_words(self.learnt))
        return self

    def near_common(self, codes: np.ndarray) -> np.ndarray:
        """Whether each of these unknown words' codes is a letter or two from a common word (see
        :func:`misread_words`)."""
        asked = self.bits[codes]
        fresh = codes[(asked & _NEAR_ASKED) == 0]
        if len(fresh):
            with self.lock:
                self._ask_near(fresh)
            asked = self.bits[codes]
        return (asked & _NEAR).astype(bool)

    def _ask_near(self, fresh: np.ndarray) -> None:
        """Work out, for these codes of unknown words, whether each is a letter or two from a common word."""
        near = _near_common()
        for code in fresh.tolist():
            w = self.unknown[code]
            close = w in near or any(w[:i] + w[i + 1:] in near for i in range(len(w)))
            self.bits[code] |= _NEAR_ASKED | (_NEAR if close else 0)


_PROCESS_WORDS = _WordTable()


def _misread_floor(words: int) -> float:
    """Fewest misread words (see :func:`misread_words`) that make a text of ``words`` words a scan."""
    return max(MISREAD_MIN_WORDS, MISREAD_SHARE * words)


def misread_words(doc: Document) -> int:
    """How many of a document's words read as misreadings: in no word list, once in the text, a letter or
    two from a common word.

    An abbreviation or a name the text repeats is its own spelling; a scan
    misreads "the" differently each time.  Closeness is a symmetric-deletion
    test: the word, or the word less one letter, is a common word or a common
    word less one letter (one letter dropped, doubled or changed; two at most).
    """
    count = _MISREAD.get(doc)
    return _misread(doc, *_unknown_words(doc)[1:]) if count is None else count


def _misread(doc: Document, unknown: np.ndarray, table: _WordTable) -> int:
    """:func:`misread_words` of a document from its :func:`_unknown_words` codes and their table."""
    count = _MISREAD.get(doc)
    if count is None:
        # Every use of an unknown word is in the list, so a code once there is a word once in the text.
        codes, uses = np.unique(unknown, return_counts=True)
        count = _MISREAD[doc] = int(np.count_nonzero(table.near_common(codes[uses == 1])))
    return count


def _near_common() -> set[str]:
    """Common words (:data:`_COMMON_FREQUENCY` or more), and each of them with one letter left out."""
    if not _NEAR_COMMON:
        from wordfreq import get_frequency_dict

        common = [w for w, f in get_frequency_dict("en").items() if f >= _COMMON_FREQUENCY and w.isalpha()]
        near = set(common)
        for w in common:
            near.update(w[:k] + w[k + 1:] for k in range(len(w)))
        _NEAR_COMMON.append(near)
    return _NEAR_COMMON[0]


def misread_alike(words_a: Sequence[str], words_b: Sequence[str]) -> np.ndarray:
    """Per pair of aligned words: the same word, or a spelling close enough to be a scan's misreading of it.

    A scan's garbled letters are no change of the text it printed, and scans
    do not inherit each other's misreadings: read as changes, they would
    give every scanned copy changes of its own and no copy could be the
    source of another.
    """
    if not len(words_a):
        return np.zeros(0, dtype=bool)
    words_a, words_b = list(words_a), list(words_b)
    # One wrong letter in a short word ("of" read "af") is as plain a misreading as two in a long one.
    return ((process.cpdist(words_a, words_b, scorer=fuzz.ratio) >= MISREAD_SIMILARITY)
            | (process.cpdist(words_a, words_b, scorer=Levenshtein.distance) <= 1))


def letters_found(words_a: Sequence[str], words_b: Sequence[str]) -> bool:
    """Whether the letters of the run ``words_a`` are found, a few misread, among those of ``words_b``.

    Two scans of one line split, join and garble its words differently, and a
    column break may put a neighbouring column's lines beside them; what stays
    is the letters (rapidfuzz's partial ratio, or its ratio when ``words_a``
    has more letters, of at least :data:`MISREAD_SIMILARITY`, or one letter
    wrong).
    """
    a, b = "".join(words_a), "".join(words_b)
    if not a or not b:
        return False
    if len(a) <= len(b):
        found = fuzz.partial_ratio_alignment(a, b)
        return _read_alike(a, b[found.dest_start : found.dest_end], found.score)
    return _read_alike(a, b, fuzz.ratio(a, b))


def _read_alike(a: str, b: str, score: float) -> bool:
    """Whether letters ``a`` and ``b``, ``score`` alike (rapidfuzz, 0-100), are one text as two scans read it."""
    # One wrong letter in a short word ("the" read "tbe") is as plain a misreading as two in a long one.
    return score >= MISREAD_SIMILARITY or Levenshtein.distance(a, b) <= 1


def misread_stretch(words_a: Sequence[str], words_b: Sequence[str]) -> bool:
    """Whether two short stretches of words are one text as two readings (scans) spell it.

    Their letters, joined (a scan splits and joins words), differ by at most
    one letter in four (rapidfuzz's ratio of at least :data:`MISREAD_SIMILARITY`),
    or by one letter; a stretch without letters on one side matches none.

    Examples
    --------
    >>> misread_stretch(["gov", "ernment"], ["govemment"])
    True
    >>> misread_stretch(["cabinet"], ["government"])
    False
    """
    a, b = "".join(words_a), "".join(words_b)
    return bool(a and b) and _read_alike(a, b, fuzz.ratio(a, b))


def lost_line_words(doc: Document) -> int:
    """Most words a scan of ``doc`` may lose in one place: :data:`SCANNED_CUT_LINES` of its printed lines.

    A line's words are the median over the document's lines (a scanned
    column's printed line), so the allowance follows the column's width, not
    a number fitted to one source of scans.
    """
    words = _LOST_LINE_WORDS.get(doc)
    if words is None:
        counts = [len(line.split()) for line in doc.article.text.splitlines() if line.strip()]
        words = _LOST_LINE_WORDS[doc] = int(np.median(counts)) * SCANNED_CUT_LINES if counts else 0
    return words


def letters(doc: Document) -> tuple[str, np.ndarray]:
    """The letters and digits of a document's content words, and the content word each comes from.

    Returns
    -------
    text : str
        The content words joined, without spaces or punctuation.
    owner : ndarray of int32
        ``owner[k]`` is the content-word position of ``text[k]``.
    """
    cached = _LETTERS.get(doc)
    if cached is None:
        words = doc.content_words
        joined = "".join(words)
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        owner = np.repeat(np.arange(len(words), dtype=np.int32), [len(w) for w in words])
        keep = ((codes >= 0x61) & (codes <= 0x7A)) | ((codes >= 0x30) & (codes <= 0x39)) | (codes >= 0xC0)
        text = codes[keep].tobytes().decode("utf-32-le")
        cached = _LETTERS[doc] = (text, owner[keep])
    return cached


def char_grams(doc: Document) -> np.ndarray:
    """Sorted unique hashes of the document's sampled character 7-grams (uint64)."""
    return _sampled_grams(doc)[0]


def _sampled_grams(doc: Document) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique hashes of the sampled character 7-grams, and where each first starts in :func:`letters`.

    One gram in :data:`GRAM_SAMPLE`, or twice as many in a scan garbling :data:`_DENSE_GRAMS_SHARE`
    of its words; the denser sample holds the sparser, so two texts share at the sparser rate
    unless both are that garbled.
    """
    grams = _GRAMS.get(doc)
    if grams is None:
        text, _ = letters(doc)
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        n = len(codes) - GRAM_SIZE + 1
        if n <= 0:
            grams = (np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64))
        else:
            with np.errstate(over="ignore"):
                h = codes[:n].copy()
                for k in range(1, GRAM_SIZE):
                    h = h * _BASE + codes[k : k + n]
                h = (h ^ (h >> np.uint64(31))) * _MIX
            sample = GRAM_SAMPLE // 2 if _scan_reading(doc)[2] else GRAM_SAMPLE
            at = np.flatnonzero((h >> np.uint64(60)) % np.uint64(sample) == 0)
            hashes, first = np.unique(h[at], return_index=True)
            grams = (hashes, at[first])
        _GRAMS[doc] = grams
    return grams


def passage_grams(doc_a: Document, doc_b: Document) -> tuple[int, int]:
    """Most sampled grams two documents share at one offset (give or take :data:`_DIAGONAL_LETTERS`), and all shared.

    A passage one text copied keeps its letters in order, so its shared grams
    sit at one offset between the two letter strings, the scan's dropped and
    doubled letters shifting it a little; the common spellings two unrelated
    pages share ("ernment", "ationof") are scattered over every offset.
    """
    _, _, inside = _best_band(doc_a, doc_b)
    return int(inside.sum()), len(inside)


def shares_a_passage(doc_a: Document, doc_b: Document) -> bool:
    """Whether many of the sampled grams two documents share sit at one offset (see :func:`passage_grams`),
    or in one drifting chain (see :func:`_passage_anchors`).

    Many is :data:`MIN_PASSAGE_GRAMS`, or a quarter of all they share: two
    short texts share few grams, and a copy of one interleaved with a
    neighbouring column's lines is at several offsets.
    """
    return _passage_anchors(doc_a, doc_b) is not None


def _passage_anchors(doc_a: Document, doc_b: Document) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Where the pair's shared sampled grams start in each text and which of them make its copied passage,
    or None when none do.

    The grams at one offset (:func:`_best_band`) make it when there are enough of
    them.  Else a chain of shared grams in the same order in both texts, each
    within a drift of the one before (:func:`_drifting_chain`), makes it when it
    holds :data:`MIN_PASSAGE_GRAMS` and :data:`_CHAIN_SHARE` of all shared: a
    heavy scan's dropped letters and lines, and a neighbouring column printed
    into one text, move a long reprint's offset by more than one band.
    """
    at_a, at_b, inside = _best_band(doc_a, doc_b)
    smaller = min(len(char_grams(doc_a)), len(char_grams(doc_b)))
    if _holds_passage(inside, smaller):
        return at_a, at_b, inside
    if len(inside) < MIN_PASSAGE_GRAMS:
        return None
    chain = _drifting_chain(at_a, at_b)
    held = int(chain.sum())
    if held >= MIN_PASSAGE_GRAMS and held >= _CHAIN_SHARE * len(chain):
        return at_a, at_b, chain
    return None


def _drifting_chain(at_a: np.ndarray, at_b: np.ndarray) -> np.ndarray:
    """Mask of the longest chain of points ``(at_a, at_b)`` rising in both, each step within
    :data:`_CHAIN_GAP_LETTERS` and its offset moving by at most :data:`_DIAGONAL_LETTERS` plus
    :data:`_DRIFT_SHARE` of the step."""
    order = np.lexsort((at_b, at_a))
    a, b = at_a[order], at_b[order]
    n = len(a)
    longest = np.ones(n, dtype=np.int64)
    before = np.full(n, -1, dtype=np.int64)
    starts = np.searchsorted(a, a - _CHAIN_GAP_LETTERS)
    for k in range(n):
        lo = int(starts[k])
        if lo == k:
            continue
        step_a, step_b = a[k] - a[lo:k], b[k] - b[lo:k]
        step = np.maximum(step_a, step_b)
        fits = ((step_a > 0) & (step_b > 0) & (step <= _CHAIN_GAP_LETTERS)
                & (np.abs(step_b - step_a) <= _DIAGONAL_LETTERS + _DRIFT_SHARE * step))
        if fits.any():
            best = lo + int(np.argmax(np.where(fits, longest[lo:k], 0)))
            longest[k], before[k] = longest[best] + 1, best
    chain = np.zeros(n, dtype=bool)
    k = int(np.argmax(longest)) if n else -1
    while k >= 0:
        chain[k] = True
        k = int(before[k])
    mask = np.zeros(n, dtype=bool)
    mask[order] = chain
    return mask


def _holds_passage(inside: np.ndarray, smaller: int | None = None) -> bool:
    """:func:`shares_a_passage` from the mask of shared grams in the best offset band.

    With ``smaller`` (the sampled grams of the pair's smaller text), a pair sharing under
    :data:`MIN_GRAM_SHARE_DEFAULT` of them (a heavy scan keeps few of its copy's grams) needs
    :data:`MIN_PASSAGE_GRAMS` at one offset, more than chance puts in any band.
    """
    if smaller is not None and len(inside) < MIN_GRAM_SHARE_DEFAULT * smaller:
        return int(inside.sum()) >= MIN_PASSAGE_GRAMS
    return int(inside.sum()) >= min(MIN_PASSAGE_GRAMS, _PASSAGE_SHARE * len(inside))


def _best_band(doc_a: Document, doc_b: Document) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where shared sampled grams start in each text, and which lie in the offset band holding most (with the next)."""
    (ha, pa), (hb, pb) = _sampled_grams(doc_a), _sampled_grams(doc_b)
    _, ia, ib = np.intersect1d(ha, hb, assume_unique=True, return_indices=True)
    at_a, at_b = pa[ia], pb[ib]
    band = (at_a - at_b) // _DIAGONAL_LETTERS
    if not len(band):
        return at_a, at_b, np.zeros(0, dtype=bool)
    offsets, counts = np.unique(band, return_counts=True)
    # An offset and the next: a passage near a band's edge is split between the two.
    beside = np.minimum(np.searchsorted(offsets, offsets + 1), len(offsets) - 1)
    following = np.where(offsets[beside] == offsets + 1, counts[beside], 0)
    best = offsets[int(np.argmax(counts + following))]
    return at_a, at_b, (band == best) | (band == best + 1)


def _passage_window(at_a: np.ndarray, at_b: np.ndarray, inside: np.ndarray) -> tuple[int, int, int, int]:
    """Letter ranges ``(lo_a, hi_a, lo_b, hi_b)`` around the shared grams ``inside`` the passage, with a margin."""
    if not inside.any():
        return 0, 0, 0, 0
    lo_a, hi_a = int(at_a[inside].min()), int(at_a[inside].max()) + GRAM_SIZE
    lo_b, hi_b = int(at_b[inside].min()), int(at_b[inside].max()) + GRAM_SIZE
    return (max(0, lo_a - _WINDOW_MARGIN), hi_a + _WINDOW_MARGIN, max(0, lo_b - _WINDOW_MARGIN), hi_b + _WINDOW_MARGIN)


def gram_share(doc_a: Document, doc_b: Document) -> float:
    """Shared sampled grams over the grams of the document with fewer."""
    ga, gb = char_grams(doc_a), char_grams(doc_b)
    fewer = min(len(ga), len(gb))
    if fewer == 0:
        return 0.0
    return len(np.intersect1d(ga, gb, assume_unique=True)) / fewer


def find_char_candidates(
    documents: Sequence[Document],
    known: set[tuple[int, int]],
    *,
    max_df: int,
    max_candidates: int,
    min_share: float = MIN_GRAM_SHARE_DEFAULT,
) -> list[Candidate]:
    """Heavy scans (see garbles_words) sharing a passage's character grams, not yet word candidates.

    Parameters
    ----------
    documents : sequence of Document
        The corpus.
    known : set of (int, int)
        Pairs the word shingles already found.
    max_df : int
        Grams in more documents than this are ignored (stock spellings).
    max_candidates : int
        Most character candidates kept per document.
    min_share : float, default=0.04
        Fewest shared grams as a share of the smaller gram set.

    Returns
    -------
    list of Candidate
        Sorted by (a, b); ``shared_shingles`` counts shared grams and
        ``cosine`` is the cosine of the two gram sets.
    """
    import scipy.sparse as sp

    from .candidates import _top_per_document

    # Every text read at once: their words' kinds are then learnt in one pass over the new words.
    read_scans(documents)
    rows_doc = np.array([k for k, doc in enumerate(documents) if garbles_words(doc)], dtype=np.int64)
    if len(rows_doc) < 2:
        return []
    sets = [char_grams(documents[k]) for k in rows_doc.tolist()]
    sizes = np.array([len(s) for s in sets], dtype=np.int64)
    grams = np.concatenate(sets)
    rows = np.repeat(np.arange(len(sets)), sizes)
    # Grams in one document pair nothing; grams in many are common spellings, not copying.
    _, column, df = np.unique(grams, return_inverse=True, return_counts=True)
    useful = (df >= 2) & (df <= max_df)
    keep = useful[column]
    column = np.cumsum(useful)[column[keep]] - 1
    matrix = sp.csr_matrix((np.ones(len(column), dtype=np.int32), (rows[keep], column)),
                           shape=(len(sets), max(1, int(useful.sum()))))
    shared = sp.triu(matrix @ matrix.T, k=1).tocoo()
    wanted = gram_pair_kept(shared.data, sizes[shared.row], sizes[shared.col], min_share)
    a, b, counts = rows_doc[shared.row[wanted]], rows_doc[shared.col[wanted]], shared.data[wanted]
    n = np.int64(len(documents))
    if known:
        pairs = np.array(sorted(i * int(n) + j for i, j in known), dtype=np.int64)
        new = ~np.isin(a * n + b, pairs)
        a, b, counts = a[new], b[new], counts[new]
    if len(a) == 0:
        return []
    size_of = np.zeros(len(documents), dtype=np.float64)
    size_of[rows_doc] = sizes
    cosine = gram_cosine(counts, size_of[a], size_of[b])
    chosen = _top_per_document(a, b, counts, cosine, max_candidates).tolist()
    # Grams shared at no one offset are common spellings, not a passage: nothing to align.
    chosen = [k for k in chosen if shares_a_passage(documents[int(a[k])], documents[int(b[k])])]
    return [Candidate(a=int(a[k]), b=int(b[k]), shared_shingles=int(counts[k]), cosine=float(cosine[k]))
            for k in sorted(chosen, key=lambda k: (int(a[k]), int(b[k])))]


def gram_pair_kept(shared: np.ndarray | int, size_a: np.ndarray | int, size_b: np.ndarray | int,
                   min_share: float = MIN_GRAM_SHARE_DEFAULT) -> np.ndarray | bool:
    """Whether two scanned documents with ``size_a`` and ``size_b`` sampled grams, ``shared`` of them in
    common, are a character candidate: enough grams and enough of the smaller set, or, where heavy
    scanning left fewer, :data:`MIN_PASSAGE_GRAMS` of them (which :func:`shares_a_passage` then asks
    to sit at one offset)."""
    smaller = np.minimum(size_a, size_b)
    return (((shared >= MIN_GRAM_SHARED) & (shared >= min_share * smaller))
            | ((shared >= MIN_PASSAGE_GRAMS) & (shared >= _FEW_SHARED * min_share * smaller)))


def gram_cosine(shared: np.ndarray | int, size_a: np.ndarray | int, size_b: np.ndarray | int) -> np.ndarray | float:
    """Cosine of two gram sets from their sizes and shared grams (ranks a document's character candidates)."""
    return shared / np.sqrt(np.multiply(size_a, size_b, dtype=np.float64))


def add_char_candidates(documents: Sequence[Document], candidates: list[Candidate], *, max_df: int,
                        max_candidates: int) -> list[Candidate]:
    """The word candidates plus the character candidates they miss, sorted by (a, b).

    The word list is returned as it is when there are no character candidates,
    so clean corpora keep their candidates exactly.
    """
    known = {(c.a, c.b) for c in candidates}
    extra = find_char_candidates(documents, known, max_df=max_df, max_candidates=max_candidates)
    if not extra:
        return candidates
    return sorted([*candidates, *extra], key=lambda c: (c.a, c.b))


def refine_alignment(aligner: Aligner, doc_a: Document, doc_b: Document, alignment: Alignment) -> Alignment:
    """The alignment of a pair with a scan: its misread words paired, and letter by letter where words miss.

    Between two equal words, words two scans spelled differently are paired
    (:func:`_pair_misreadings`); a heavy scan is aligned letter by letter
    where the word alignment misses it.

    Parameters
    ----------
    aligner : Aligner
        Its passage rules (minimum words, gaps, density) group the word matches.
    doc_a, doc_b : Document
        The pair.
    alignment : Alignment
        Their word alignment.

    Returns
    -------
    Alignment
        ``alignment`` as it is when neither text reads as a scan.  Else the
        word alignment with its misreadings paired when it is strong, when
        neither is a heavy scan, when the texts share few
        character grams or none at one offset or in one drifting chain (no
        passage of one is in the other), or when the character alignment does not find much
        more text with many words spelled differently; otherwise the word
        matches read off the character alignment.
    """
    if not (looks_scanned(doc_a) or looks_scanned(doc_b)):
        return alignment
    alignment = _pair_misreadings(alignment, doc_a.content_words, doc_b.content_words)
    shorter = min(len(alignment.a_match), len(alignment.b_match))
    if shorter < aligner.min_passage_words or alignment.shared_words >= _STRONG_WORD_SHARE * shorter:
        return alignment
    if not (garbles_words(doc_a) or garbles_words(doc_b)):
        return alignment
    if gram_share(doc_a, doc_b) < _FEW_SHARED * MIN_GRAM_SHARE_DEFAULT:
        return alignment
    anchors = _passage_anchors(doc_a, doc_b)
    if anchors is None:
        return alignment
    a_match, b_match, passages = _char_alignment(aligner, doc_a, doc_b, _passage_window(*anchors))
    shared = int((a_match >= 0).sum())
    if shared < _GAIN * alignment.shared_words or shared < aligner.min_passage_words:
        return alignment
    words_a, words_b = doc_a.content_words, doc_b.content_words
    hits = np.flatnonzero(a_match >= 0).tolist()
    misspelt = sum(words_a[i] != words_b[int(a_match[i])] for i in hits)
    if misspelt < _MIN_MISSPELT * shared:
        return alignment
    return Alignment(a=alignment.a, b=alignment.b, a_match=a_match, b_match=b_match, passages=passages,
                     substitutions=(), shared_words=shared)


def _char_alignment(aligner: Aligner, doc_a: Document, doc_b: Document,
                    window: tuple[int, int, int, int]) -> tuple[np.ndarray, np.ndarray, tuple[Passage, ...]]:
    """Word matches read off the letter alignment of two documents, grouped into passages by ``aligner``.

    Between two long texts (pages) the alignment of the whole letter strings
    can prefer trigrams scattered over both to a short story printed in each;
    the letters around the offset where most shared grams sit (``window``:
    ``lo_a, hi_a, lo_b, hi_b``) are aligned too, and the alignment matching
    more words kept.
    """
    text_a, _ = letters(doc_a)
    text_b, _ = letters(doc_b)
    best = _words_from_letters(aligner, doc_a, doc_b, *_aligned_letters(text_a, text_b))
    lo_a, hi_a, lo_b, hi_b = window
    if hi_a - lo_a < _WINDOW_SHARE * len(text_a) or hi_b - lo_b < _WINDOW_SHARE * len(text_b):
        chars_a, chars_b = _aligned_letters(text_a[lo_a:hi_a], text_b[lo_b:hi_b])
        local = _words_from_letters(aligner, doc_a, doc_b, chars_a + lo_a, chars_b + lo_b)
        if (local[0] >= 0).sum() > (best[0] >= 0).sum():
            best = local
    return best


def _words_from_letters(aligner: Aligner, doc_a: Document, doc_b: Document, chars_a: np.ndarray,
                        chars_b: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple[Passage, ...]]:
    """Word matches and passages from the positions of letters aligned to each other."""
    _, owner_a = letters(doc_a)
    _, owner_b = letters(doc_b)
    n_a, n_b = len(doc_a.content_words), len(doc_b.content_words)
    a_match = np.full(n_a, -1, dtype=np.int32)
    b_match = np.full(n_b, -1, dtype=np.int32)
    if len(chars_a) == 0:
        return a_match, b_match, ()
    # Letters of each word pair aligned to each other; a pair counts when it holds
    # most letters of both words.
    key = owner_a[chars_a].astype(np.int64) * n_b + owner_b[chars_b]
    pair, together = np.unique(key, return_counts=True)
    wa, wb = pair // n_b, pair % n_b
    len_a = np.bincount(owner_a, minlength=n_a)
    len_b = np.bincount(owner_b, minlength=n_b)
    good = (together >= _WORD_LETTER_SHARE * len_a[wa]) & (together >= _WORD_LETTER_SHARE * len_b[wb])
    wa, wb, together = wa[good], wb[good], together[good]
    # One partner per word, the one sharing most letters (a word broken in two keeps its larger half).
    for k in np.lexsort((wa, -together)).tolist():
        i, j = int(wa[k]), int(wb[k])
        if a_match[i] < 0 and b_match[j] < 0:
            a_match[i], b_match[j] = j, i
    _fill_gaps(a_match, b_match)
    word_blocks = _runs(a_match)
    found = aligner._passages(word_blocks)
    keep_a = np.zeros(n_a, dtype=bool)
    passages = []
    for first, last in found:
        group = word_blocks[first : last + 1]
        lo_a, lo_b = group[0][0], group[0][1]
        hi_a, hi_b = group[-1][0] + group[-1][2], group[-1][1] + group[-1][2]
        for s, _, size in group:
            keep_a[s : s + size] = True
        passages.append(Passage(a_start=lo_a, a_end=hi_a, b_start=lo_b, b_end=hi_b,
                                matched=sum(size for _, _, size in group)))
    drop = ~keep_a & (a_match >= 0)
    b_match[a_match[drop]] = -1
    a_match[drop] = -1
    return a_match, b_match, tuple(passages)


def _pair_misreadings(alignment: Alignment, words_a: Sequence[str], words_b: Sequence[str]) -> Alignment:
    """``alignment`` with equal unmatched stretches (up to 3 words) between matched words paired, where each
    pair of words reads alike (:func:`misread_alike`): one word as two scans spelled it.

    The word alignment pairs equal words only, so every misread word of a
    light scan would read as a change of wording and lower the words two
    copies share; the letter path pairs them (:func:`_fill_gaps`).
    """
    a_match, b_match = alignment.a_match.copy(), alignment.b_match.copy()
    hits = np.flatnonzero(a_match >= 0)
    if len(hits) < 2:
        return alignment
    left, right = hits[:-1], hits[1:]
    run = right - left - 1
    gap = (run >= 1) & (run <= _MAX_FILLED_GAP) & (a_match[right] - a_match[left] - 1 == run)
    # A stretch of b whose words are all unmatched lies between two matched words of b: two such
    # stretches never overlap, so pairing one never changes another's test, and every stretch's
    # words are read alike or not in one call.
    stretches = [(lo, hi, at) for lo, hi, at in zip(left[gap].tolist(), right[gap].tolist(),
                                                     a_match[left[gap]].tolist(), strict=True)
                 if (b_match[at + 1 : at + hi - lo] < 0).all()]
    if not stretches:
        return alignment
    alike = misread_alike([w for lo, hi, _ in stretches for w in words_a[lo + 1 : hi]],
                          [w for lo, hi, at in stretches for w in words_b[at + 1 : at + hi - lo]]).tolist()
    paired = read = 0
    for lo, hi, at in stretches:
        size = hi - lo - 1
        if all(alike[read : read + size]):
            a_match[lo + 1 : hi] = np.arange(at + 1, at + 1 + size)
            b_match[at + 1 : at + 1 + size] = np.arange(lo + 1, hi)
            paired += size
        read += size
    if not paired:
        return alignment
    passages = tuple(dataclasses.replace(p, matched=int(np.count_nonzero(a_match[p.a_start : p.a_end] >= 0)))
                     for p in alignment.passages)
    return dataclasses.replace(alignment, a_match=a_match, b_match=b_match, passages=passages,
                               shared_words=int(np.count_nonzero(a_match >= 0)))


def _trigram_text(text: str) -> str:
    """Each position's letter trigram as one code point (a 38-letter alphabet: 38**3 codes, below the surrogates)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    small = np.where(codes >= 0x61, codes - 0x60, codes - 0x30 + 27)  # a-z: 1-26, 0-9: 27-36
    small = np.where(codes >= 0xC0, 37, small).astype(np.uint32)
    if len(small) < 3:
        return ""
    return ((small[:-2] * 38 + small[1:-1]) * 38 + small[2:]).tobytes().decode("utf-32-le")


def _aligned_letters(text_a: str, text_b: str) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the letters of ``text_a`` and ``text_b`` aligned to each other.

    The texts are aligned as sequences of letter trigrams, not letters: over
    26 letters the longest common subsequence of a short text and a long one
    scatters the short one's letters all over the long one, whereas trigrams
    are too many to match by chance and still survive one scanning error in
    three letters.  A matched trigram aligns its three letters.
    """
    tri_a, tri_b = _trigram_text(text_a), _trigram_text(text_b)
    blocks = [(m.a, m.b, m.size + 2) for m in Indel.editops(tri_a, tri_b).as_matching_blocks() if m.size]
    if not blocks:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    starts_a, starts_b, sizes = (np.array(column, dtype=np.int64) for column in zip(*blocks, strict=True))
    offsets = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    chars_a, chars_b = np.repeat(starts_a, sizes) + offsets, np.repeat(starts_b, sizes) + offsets
    # Blocks one trigram apart overlap by a letter or two: each letter is aligned once.
    first = (np.diff(chars_a, prepend=-1) > 0) & (np.diff(chars_b, prepend=-1) > 0)
    return chars_a[first], chars_b[first]


def _fill_gaps(a_match: np.ndarray, b_match: np.ndarray) -> None:
    """Match one for one the words of equal unmatched stretches (up to 3 words) between matched words.

    Such a stretch is the same words garbled past recognition in one scan or
    both (a short word with one wrong letter); leaving them unmatched would
    read every scanning error as a change of wording.
    """
    hits = np.flatnonzero(a_match >= 0)
    for left, right in zip(hits[:-1].tolist(), hits[1:].tolist(), strict=True):
        run = right - left - 1
        if 1 <= run <= _MAX_FILLED_GAP and int(a_match[right]) - int(a_match[left]) - 1 == run:
            partners = np.arange(int(a_match[left]) + 1, int(a_match[right]))
            if (b_match[partners] < 0).all():
                a_match[left + 1 : right] = partners
                b_match[partners] = np.arange(left + 1, right)


def _runs(a_match: np.ndarray) -> list[tuple[int, int, int]]:
    """Matched words as blocks (a, b, size) of consecutive words in both texts, in the order of ``a``."""
    blocks: list[tuple[int, int, int]] = []
    for i in np.flatnonzero(a_match >= 0).tolist():
        j = int(a_match[i])
        if blocks and blocks[-1][0] + blocks[-1][2] == i and blocks[-1][1] + blocks[-1][2] == j:
            blocks[-1] = (blocks[-1][0], blocks[-1][1], blocks[-1][2] + 1)
        else:
            blocks.append((i, j, 1))
    return blocks
