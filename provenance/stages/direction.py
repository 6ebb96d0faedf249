"""Stage 6, relation and direction: Alignment -> PairEvidence (is it a copy, which way, how).

For each aligned pair this stage decides whether the shared text amounts to
copying (not just a shared quotation or a shared topic), measures the
asymmetric signals that tell the source from the copy, and names the
relation.  Every signal is recorded as :class:`~provenance.model.Evidence`
with its weight in log-odds, positive when it favours ``a`` as the source.

Signals, and why they point the way they do:

* tail truncation: copies are cut from the bottom, sources rarely grow a
  matching tail afterwards;
* spin and noise: a spinner swaps common words for rarer synonyms and OCR
  turns words into non-words; the side with the rarer words is the copy;
* page furniture: wire copy arrives bare, a reprint wears its outlet's page;
* added lead: an editor writes a new first paragraph over wire copy;
* dates: a source is published before its copies.
"""

from __future__ import annotations

import json
import math
import re
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz

from ..model import Alignment, Document, Evidence
from .boilerplate import printed_line_words
from .fitted import read_fit
from .normalise import gap_signature
from .ocr import SCANNED_CUT_LINES, looks_scanned, misread_stretch

__all__ = [
    "PairEvidence",
    "assess_pair",
    "classify_relation",
    "is_copy",
    "published_at",
    "published_before",
    "published_span",
    "reading_agreement",
    "MIN_LINK_WORDS_DEFAULT",
    "MIN_LINK_SHARE_DEFAULT",
    "DirectionModel",
    "DIRECTION_FEATURES",
]

#: Names of :attr:`PairEvidence.features`, each positive when it favours ``a`` as the source.
# Fewer unshared words before or after the shared text are no new lead and no cut.
_EDGE_NOISE_WORDS = 8
# Fewer words of page furniture more than the other text are no page around a story.
_PAGE_WORDS = 15
DIRECTION_FEATURES = ("tail", "head", "spin", "noise", "furniture", "date", "length", "containment")

#: Fewest shared words (outside quotations) for two documents to be linked.
MIN_LINK_WORDS_DEFAULT = 25
#: Fewest shared words as a share of the shorter document.
MIN_LINK_SHARE_DEFAULT = 0.15
# A word replaced by one at least this much rarer (Zipf scale) is a spin or noise trace.
_RARER_BY = 0.8
# Character similarity above which a replacement is a misspelling or OCR error, not a synonym.
_NOISE_SIMILARITY = 70.0
# A sentence ends at . ! ? (and a closing quote) before a space, at 。！？, or at a blank line.  Written as one
# set of first characters and then the branch of each, the regex engine skips straight to those
# characters (it tries an alternation of branches at every position): the same matches, twice as fast.
_SENTENCE_END = re.compile(r"[.!?。！？\n](?:(?<=[.!?])[\"”’']?(?=\s)|(?<=[。！？])|(?<=\n)\s*\n)")
# A sentence counts towards a link when this many of its words are shared.
_SENTENCE_MATCH_WORDS = 6
# A short text consisting almost wholly of another's words is a copy however short.
_BRIEF_MIN_WORDS = 12
_BRIEF_COVERAGE = 0.8
_BRIEF_SENTENCE_WORDS = 3
# A partial overlap (under this share of either text) is a copy only if one
# passage runs verbatim for at least _PARTIAL_MIN_RUN words: an agency's
# follow-up story re-phrases its earlier one in short fragments, a copier
# lifts whole sentences.
_PARTIAL_COVERAGE = 0.4
_PARTIAL_MIN_RUN = 15
# A brief of one sentence (an answer quoting a reference, a trim to the lead, a digest's item) is a
# copy when that sentence, lifted whole (a run of _PARTIAL_MIN_RUN words outside quotations), is
# most of it, and the longer text is a story of its own (twice as long and 100 words or more) about
# the same thing: a few of the brief's uncommon words (rarer than Zipf 5: names, subjects) are in
# its other sentences too.  Between two short texts a shared sentence is as likely one frame both
# filled (a notice, a price change), and a sentence set into a story on another subject is no excerpt.
_LIFTED_BRIEF_WORDS = 60
_LIFTED_SHARE = 0.6
_LIFTED_SOURCE_WORDS = 100
_LIFTED_SOURCE_RATIO = 2
_SUBJECT_ZIPF = 5.0
_SUBJECT_ECHO_WORDS = 2
# A passage this long (shared words outside quotations, or one run copied word for word with
# what it quotes, over at least this many sentences, a whole sentence of it lifted as it stood)
# is copying however long the texts around it: a story reprinted inside a page, a digest or a
# roundup is a small share of each, and no stock sentence runs that long (on the design seeds of
# every simulated world, pairs of different stories shared at most 49 such words over three
# sentences).  A rewrite that lifts phrases from a story it re-reports has no whole sentence.
_LONG_PASSAGE_WORDS = 60
_LONG_PASSAGE_SENTENCES = 3
_LONG_PASSAGE_RUN = 25
# So are two passages each lifted whole (runs of _PARTIAL_MIN_RUN words as they stood, outside quotations
# in both texts): no independent report repeats two passages of another, a shared quotation is excluded
# and a stock phrase is shorter.  Runs, not sentences: a scan loses the full stops that end sentences.
# (On the simulated worlds' corpora the only pairs of different stories that share two such passages
# are two of the BBC's own articles on one subject, its background reused.)  One of the two may be
# shorter when the other is a whole sentence (_LONG_PASSAGE_RUN words) as it stood: a paper that works
# an agency's sentence into its story whole and keeps a phrase of the next (8 words, the run by which
# two texts share text at all); a story quoting one sentence of another shares that sentence alone.
_LIFTED_PASSAGES = 2
_SECOND_PASSAGE_RUN = 8
# Between two scans (or a scan and a clean text) a copied passage is garbled every few words: no run of
# 15 or 25 survives heavy scanning, and the full stops that count sentences are lost, but the alignment
# still groups the words it pairs into a passage.  One with as many of them as the two passages above
# hold (_LONG_PASSAGE_RUN + _SECOND_PASSAGE_RUN), outside quotations, filling most of its span (the
# rest the scans' misreadings), is a copy's passage.  (On seeds 1-5 and the design seeds of every
# world it links no pair of different stories; with a sentence's 25 words it linked two BBC articles
# sharing a background sentence.)
_SCANNED_PASSAGE_DENSITY = 0.6
# Reports written from one template (a market's prices, a bond issue's terms, a chain's monthly sales)
# share their frame word for word and differ in a figure or a name every few words: each states facts
# of its own, so neither is a copy of the other.  A copy keeps its source's facts and whole sentences
# of it; an editor or an update changes a figure here and there (on the design seeds of every
# simulated world, the agency world's write-thrus come closest: up to one such place per 20 matched
# words, but each keeps a sentence of 25 words or more as it stood, or is nearly all the other's words).
_TEMPLATE_SLOTS = 3
_TEMPLATE_SLOT_RATE = 1 / 25
_SLOT_WORDS = 3
#: Most unmatched words on either side between two matched words that can be the other side's misread
#: (a scan splits a word in two or three, or joins two, or garbles a couple in a row).
_MISREAD_GAP_WORDS = 3
_QUOTED = re.compile(r"[“\"«„]([^“”\"«»„\n]{3,}?)[”\"»]")
# In a scan a quotation also runs over printed lines: to its closing mark within a paragraph, across a
# line's break, not across a line that ends a sentence (a paragraph of its own, whose quotation a news
# story reopens on the next paragraph without closing it) or a blank line.
_QUOTED_OVER_LINES = re.compile(r"[“\"«„]((?:[^“”\"«»„\n]|(?<![.!?])\n(?![ \t]*\n)){3,}?)[”\"»]")


_DEFAULT_DIRECTION_WEIGHTS = {"tail": 4.0, "head": 1.0, "spin": 1.2, "noise": 0.8, "furniture": 0.8, "date": 3.0,
                              "length": 0.3, "containment": 0.0}


@dataclass(frozen=True)
class DirectionModel:
    """Weights of the direction signals (log-odds per unit of each feature).

    The shipped weights are a logistic regression fitted on simulated
    syndication with known lineage (``benchmarks/calibrate.py``), stored in
    ``provenance/data/direction.json``; hand-set defaults apply without it.

    Parameters
    ----------
    weights : dict of str to float
        One weight per name in :data:`DIRECTION_FEATURES`.
    """

    weights: Mapping[str, float] = field(default_factory=lambda: dict(_DEFAULT_DIRECTION_WEIGHTS))

    @classmethod
    def load(cls, path: str | None = None) -> DirectionModel:
        """The fit in ``path`` (a JSON file ``benchmarks/calibrate.py`` wrote), by default the shipped one.

        Without a shipped fit, the hand-set defaults.
        """
        text = read_fit("direction.json", path)
        return cls() if text is None else cls(weights=json.loads(text)["weights"])

    def vector(self) -> tuple[float, ...]:
        return tuple(self.weights.get(name, 0.0) for name in DIRECTION_FEATURES)


@dataclass(frozen=True)
class PairEvidence:
    """Everything the lineage stage needs to know about one aligned pair.

    ``forward`` is the log-odds that ``a`` is the source of ``b`` rather than
    the other way round; ``evidence`` explains it.
    """

    a: int
    b: int
    linked: bool
    shared_words: int
    a_coverage: float
    b_coverage: float
    forward: float
    evidence: tuple[Evidence, ...]
    rarer_in_a: int
    rarer_in_b: int
    features: tuple[float, ...]


@lru_cache(maxsize=1 << 18)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency  # its word list takes a while to load: only when needed

    return zipf_frequency(word, "en")


# Which content words of each document sit inside quotations, and in which sentence each is:
# one regex scan per document, not one per pair it is in (process-local, kept beside the documents).
_QUOTED_MASKS: dict[re.Pattern[str], weakref.WeakKeyDictionary[Document, np.ndarray]] = {
    _QUOTED: weakref.WeakKeyDictionary(), _QUOTED_OVER_LINES: weakref.WeakKeyDictionary()}
_SENTENCE_IDS: weakref.WeakKeyDictionary[Document, np.ndarray] = weakref.WeakKeyDictionary()
_LOST_LINE_WORDS: weakref.WeakKeyDictionary[Document, int] = weakref.WeakKeyDictionary()


def quoted_mask(doc: Document, over_lines: bool = False) -> np.ndarray:
    """True for content words that sit inside quotation marks (read-only: one array per document).

    ``over_lines``: quotations that run over printed lines count too (a scan's).
    """
    pattern = _QUOTED_OVER_LINES if over_lines else _QUOTED
    mask = _QUOTED_MASKS[pattern].get(doc)
    if mask is None:
        found = [match.span(1) for match in pattern.finditer(doc.article.text)]
        quotes = np.array(found, dtype=np.int64).reshape(-1, 2)
        starts = doc.tokens.starts[doc.content]
        # The content words from the first at or after a quotation's start to the first at or after its end.
        inside = np.zeros(len(starts) + 1, dtype=np.int64)
        np.add.at(inside, np.searchsorted(starts, quotes[:, 0], side="left"), 1)
        np.add.at(inside, np.searchsorted(starts, quotes[:, 1], side="left"), -1)
        mask = _QUOTED_MASKS[pattern][doc] = _read_only(np.cumsum(inside[:-1]) > 0)
    return mask


def sentence_ids(doc: Document) -> np.ndarray:
    """Index of the sentence each content word belongs to (read-only: one array per document)."""
    ids = _SENTENCE_IDS.get(doc)
    if ids is None:
        ends = np.asarray([m.end() for m in _SENTENCE_END.finditer(doc.article.text)], dtype=np.int64)
        # int32: a document's sentences are far fewer, and the ids of every document stay to the end.
        ids = np.searchsorted(ends, doc.tokens.starts[doc.content], side="right").astype(np.int32)
        ids = _SENTENCE_IDS[doc] = _read_only(ids)
    return ids


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def _lost_line_words(doc: Document) -> int:
    """Most words a scan of ``doc`` loses in one place if it is printed in lines (see ocr.SCANNED_CUT_LINES)."""
    words = _LOST_LINE_WORDS.get(doc)
    if words is None:
        words = _LOST_LINE_WORDS[doc] = printed_line_words(doc.article.text) * SCANNED_CUT_LINES
    return words


def is_copy(doc_a: Document, alignment: Alignment, *, min_link_words: int = MIN_LINK_WORDS_DEFAULT,
            min_link_share: float = MIN_LINK_SHARE_DEFAULT, doc_b: Document | None = None) -> bool:
    """Whether the shared text amounts to copying, not a shared quotation or sentence.

    Copying means either enough shared words outside quotation marks (in
    either text, given ``doc_b``: a statement one outlet quotes and another
    sets out as a block is still the speaker's, not copied), spread
    over at least two sentences of either text (a copy joins or splits its
    source's sentences; with one passage of at least 15 words
    verbatim when the shared words are under 40% of each text), or one text
    consisting almost wholly of the other's words (a brief cut down to the
    lead).  Enough is ``min_link_words`` and ``min_link_share`` of the
    shorter text, or, whatever the share, a passage of three sentences with
    60 words outside quotations (or a 60-word run) of which one sentence,
    25 words, was copied word for word (a lone misread or swapped word does
    not end the run, nor, given ``doc_b``, a few words that are the other
    text's own misread): a story reprinted inside a long page or digest,
    or two passages each lifted whole (15 words as they stood, or a 25-word
    sentence and an 8-word phrase, outside quotations; given ``doc_b`` and a
    scan among the two, one passage of 33 words the alignment pairs, dense
    in both texts).  Given ``doc_b``, a text of at most 60 words that is
    mostly one sentence lifted whole from a story at least twice as long,
    on the same subject, is a copy too (an answer quoting a reference, a
    trim to the lead).

    Parameters
    ----------
    doc_a : Document
        The first document of the alignment (quotations and sentences are read from it).
    alignment : Alignment
        The pair's alignment.
    min_link_words : int, default=25
        Fewest shared words outside quotations.
    min_link_share : float, default=0.15
        Fewest shared words as a share of the shorter document.
    doc_b : Document, optional
        The second document: with it, words that two scans (or a scan and a
        clean text) read differently do not end a copied run.
    """
    matched = alignment.a_match >= 0
    shared = int(np.count_nonzero(matched))
    if shared == 0:
        return False
    shorter = max(1, min(len(alignment.a_match), len(alignment.b_match)))
    per_sentence_a = np.bincount(sentence_ids(doc_a)[matched])

    def spanned(words: int, enough: int) -> int:
        # A copy joins two of its source's sentences into one, or splits one: the shared words span
        # as many sentences as either text gives them, whichever of the two is read first (the
        # second text is read only when the first gives fewer than ``enough``).
        count = int(np.count_nonzero(per_sentence_a >= words))
        if count >= enough or doc_b is None:
            return count
        return max(count, int(np.count_nonzero(np.bincount(sentence_ids(doc_b)[alignment.b_match >= 0]) >= words)))

    # A brief (headline and lead) consists almost wholly of its source's words.
    if (shared >= _BRIEF_MIN_WORDS and shared / shorter >= _BRIEF_COVERAGE
            and spanned(_BRIEF_SENTENCE_WORDS, 2) >= 2):
        return True
    if doc_b is not None and shorter <= _LIFTED_BRIEF_WORDS and _lifted_brief(doc_a, doc_b, alignment):
        return True
    quoted = quoted_mask(doc_a)
    if int(np.count_nonzero(matched & ~quoted)) < min_link_words:
        return False
    if doc_b is not None:
        # A quotation in either text is a quotation, so which of the two is read first cannot decide a link.
        quoted = quoted.copy()
        quoted[matched] |= quoted_mask(doc_b)[alignment.a_match[matched]]
    outside_quotes = int(np.count_nonzero(matched & ~quoted))
    if outside_quotes < min_link_words:
        return False
    # A long passage can only save a pair that fails the share or the partial-overlap rule: for any
    # other pair it decides nothing, and its copied run (the costliest part of the test) is not read.
    partial = (max(alignment.a_coverage, alignment.b_coverage) < _PARTIAL_COVERAGE
               and longest_verbatim_run(alignment.a_match) < _PARTIAL_MIN_RUN)
    needs_long = partial or shared / shorter < min_link_share
    sentences = spanned(_SENTENCE_MATCH_WORDS, _LONG_PASSAGE_SENTENCES if needs_long else 2)
    # In a long passage a misread or swapped word does not end the copied run.
    copied_run = 0
    if needs_long and sentences >= _LONG_PASSAGE_SENTENCES:
        # Even light scanning (a letter in thirty misread) garbles a word in five of each scan: no
        # clean run of 25 words survives in two scans, but the words between the matches are misreadings.
        if doc_b is None:
            copied_run = longest_verbatim_run(bridge_single_words(alignment.a_match))
        else:
            words_a, words_b = doc_a.content_words, doc_b.content_words
            copied_run = longest_misread_run(alignment.a_match, words_a, words_b)
            if copied_run < _LONG_PASSAGE_RUN or max(outside_quotes, copied_run) < _LONG_PASSAGE_WORDS:
                # Printed lines a scan lost only lengthen the run: read where they could decide.
                copied_run = longest_misread_run(alignment.a_match, words_a, words_b,
                                                 lost_a=_lost_line_words(doc_a), lost_b=_lost_line_words(doc_b))
    long_passage = (sentences >= _LONG_PASSAGE_SENTENCES and copied_run >= _LONG_PASSAGE_RUN
                    and max(outside_quotes, copied_run) >= _LONG_PASSAGE_WORDS)
    if needs_long and not long_passage and not _passages_lifted(alignment.a_match, quoted) and not (
            doc_b is not None and (looks_scanned(doc_a) or looks_scanned(doc_b)) and _scanned_passage(doc_a, doc_b,
                                                                                                  alignment)):
        return False
    # Fewer than two sentences is no link whatever the template test says.
    return sentences >= 2 and not (doc_b is not None and from_one_template(doc_a, doc_b, alignment))


def _lifted_brief(doc_a: Document, doc_b: Document, alignment: Alignment) -> bool:
    """Whether the shorter text is mostly one sentence lifted whole from a longer story on its subject."""
    if len(alignment.a_match) <= len(alignment.b_match):
        brief, story, match = doc_a, doc_b, alignment.a_match
    else:
        brief, story, match = doc_b, doc_a, alignment.b_match
    if len(story.content_words) < max(_LIFTED_SOURCE_WORDS, _LIFTED_SOURCE_RATIO * len(match)):
        return False
    start, run = longest_run_span(match)
    if run < _PARTIAL_MIN_RUN or run < _LIFTED_SHARE * len(match):
        return False
    lifted = match[start:start + run]
    if quoted_mask(brief)[start:start + run].any() or quoted_mask(story)[lifted].any():
        return False
    story_words = story.content_words
    elsewhere = set(story_words[:lifted[0]]) | set(story_words[lifted[-1] + 1:])
    subject = {word for word in brief.content_words
               if word in elsewhere and len(word) >= 3 and word.isalpha() and _zipf(word) < _SUBJECT_ZIPF}
    return len(subject) >= _SUBJECT_ECHO_WORDS


def from_one_template(doc_a: Document, doc_b: Document, alignment: Alignment) -> bool:
    """Whether two texts are reports from one template rather than a copy: other facts in one frame.

    Counts the places where, between two matched words, each text has one to
    three words of its own and both are figures or both are names (capitalised):
    a slot of the frame filled twice.  Three such places, one or more per 25
    matched words, make the pair two reports, unless a whole sentence (a run of
    :data:`_LONG_PASSAGE_RUN` words) is shared as it stood, as an update keeps
    its first version's.  Scans misread figures and capitals, so two texts of
    which one looks scanned are never called so.
    """
    if looks_scanned(doc_a) or looks_scanned(doc_b):
        return False
    match = alignment.a_match
    if longest_verbatim_run(match) >= _LONG_PASSAGE_RUN:
        return False
    hits = np.flatnonzero(match >= 0)
    if len(hits) < 2:
        return False
    gaps = np.flatnonzero((np.diff(hits) > 1) & (np.diff(match[hits]) > 1))
    slots = 0
    for g in gaps.tolist():
        left, right = int(hits[g]), int(hits[g + 1])
        other_left, other_right = int(match[left]), int(match[right])
        if (right - left - 1 <= _SLOT_WORDS and other_right - other_left - 1 <= _SLOT_WORDS
                and _slot_filler(doc_a, left + 1, right) and _slot_filler(doc_b, other_left + 1, other_right)):
            slots += 1
    return slots >= _TEMPLATE_SLOTS and slots >= _TEMPLATE_SLOT_RATE * len(hits)


def _slot_filler(doc: Document, start: int, end: int) -> bool:
    """Whether content words [start, end) of ``doc`` are all figures or all names (capitalised as printed)."""
    words = doc.content_words[start:end]
    if all(word.isdigit() for word in words):
        return True
    text, tokens = doc.article.text, doc.tokens
    return all(text[tokens.starts[k]:tokens.ends[k]][:1].isupper() for k in doc.content[start:end].tolist())


def longest_verbatim_run(match: np.ndarray) -> int:
    """Most consecutive words matched to consecutive words of the other text."""
    return longest_run_span(match)[1]


def longest_run_span(match: np.ndarray) -> tuple[int, int]:
    """Where the :func:`longest_verbatim_run` of ``match`` starts, and its length (the first if several).

    Examples
    --------
    >>> longest_run_span(np.array([-1, 3, 4, 5, -1, 9, 10])), longest_run_span(np.array([-1, 2, -1]))
    ((1, 3), (1, 1))
    """
    matched = np.flatnonzero(match >= 0)
    if not len(matched):
        return 0, 0
    starts, lengths = _verbatim_runs(match)
    if not len(lengths):
        return int(matched[0]), 1
    longest = int(lengths.argmax())
    return int(starts[longest]), int(lengths[longest])


def _verbatim_runs(match: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and length of every run of two or more words matched to consecutive words of the other text."""
    # A word continues a run when it and the word before are matched to neighbours.
    continues = (match[1:] >= 0) & (match[:-1] >= 0) & (match[1:] == match[:-1] + 1)
    edges = np.diff(np.concatenate(([0], continues.view(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    return starts, np.flatnonzero(edges == -1) - starts + 1


def _passages_lifted(match: np.ndarray, quoted: np.ndarray) -> bool:
    """Whether ``match`` copies two passages as they stood, outside quotations.

    Two runs of _PARTIAL_MIN_RUN words, or a whole sentence's run of
    _LONG_PASSAGE_RUN words and another of _SECOND_PASSAGE_RUN.

    Examples
    --------
    >>> run = lambda start, length: list(range(start, start + length))
    >>> quoted = np.zeros(60, dtype=bool)
    >>> _passages_lifted(np.array(run(0, 15) + [-1] * 5 + run(40, 15) + [-1] * 25), quoted)
    True
    >>> _passages_lifted(np.array(run(0, 25) + [-1] * 5 + run(40, 8) + [-1] * 22), quoted)
    True
    >>> _passages_lifted(np.array(run(0, 24) + [-1] * 5 + run(40, 14) + [-1] * 17), quoted)
    False
    """
    starts, lengths = _verbatim_runs(match)
    runs = sorted((length for start, length in zip(starts.tolist(), lengths.tolist(), strict=True)
                   if length >= _SECOND_PASSAGE_RUN and not quoted[start:start + length].any()), reverse=True)
    return len(runs) >= _LIFTED_PASSAGES and (
        runs[1] >= _PARTIAL_MIN_RUN or runs[0] >= _LONG_PASSAGE_RUN)


def _scanned_passage(doc_a: Document, doc_b: Document, alignment: Alignment) -> bool:
    """Whether a passage of the alignment pairs _LONG_PASSAGE_RUN + _SECOND_PASSAGE_RUN words or more outside
    quotations (which in a scan run over printed lines), filling most of its span in both texts."""
    match = alignment.a_match
    paired = (match >= 0) & ~quoted_mask(doc_a, over_lines=True)
    paired[paired] = ~quoted_mask(doc_b, over_lines=True)[match[paired]]
    return any(p.matched >= _SCANNED_PASSAGE_DENSITY * max(p.a_end - p.a_start, p.b_end - p.b_start)
               and int(np.count_nonzero(paired[p.a_start:p.a_end])) >= _LONG_PASSAGE_RUN + _SECOND_PASSAGE_RUN
               for p in alignment.passages)


def has_verbatim_run(match: np.ndarray, length: int) -> bool:
    """Whether :func:`longest_verbatim_run` of ``match`` is at least ``length``, without measuring every run.

    Examples
    --------
    >>> has_verbatim_run(np.array([3, 4, 5, -1, 9]), 3), has_verbatim_run(np.array([3, 4, 5, -1, 9]), 4)
    (True, False)
    """
    if length <= 1:
        return bool(length <= 0 or (match >= 0).any())
    # A word continues a run when the word before is matched and it is matched to the next word.
    continues = (match[:-1] >= 0) & (np.diff(match) == 1)
    return b"\x01" * (length - 1) in continues.tobytes()


def bridge_single_words(match: np.ndarray) -> np.ndarray:
    """``match`` with each lone unmatched word between two neighbours' matches read as matched.

    A word replaced one for one (a misreading, a synonym) sits between words
    matched two apart: the text around it runs on as copied.

    Examples
    --------
    >>> bridge_single_words(np.array([4, 5, -1, 7, -1, -1, 12])).tolist()
    [4, 5, 6, 7, -1, -1, 12]
    """
    bridged = match.copy()
    if len(match) >= 3:
        before, lone, after = match[:-2], match[1:-1], match[2:]
        fill = (lone < 0) & (before >= 0) & (after == before + 2)
        bridged[1:-1][fill] = before[fill] + 1
    return bridged


def longest_misread_run(match: np.ndarray, words_a: Sequence[str], words_b: Sequence[str], *,
                        lost_a: int = 0, lost_b: int = 0) -> int:
    """Most consecutive words of ``a`` copied from ``b`` up to misreadings.

    Between two matched words, a lone word replaced one for one continues the
    run (as in :func:`bridge_single_words`), and so do up to
    :data:`_MISREAD_GAP_WORDS` unmatched words on each side whose letters are
    the other side's, a few misread (:func:`~provenance.stages.ocr.misread_stretch`):
    a scan garbles, splits and joins words, a copy does not change them.
    So do words only one side has, up to ``lost_b`` words where ``b`` lacks
    them and ``lost_a`` where ``a`` does (the printed lines a scan of that
    text may lose in one place; 0 for a text not printed in lines).
    Words replaced by different words (a new phrase) end the run.

    Examples
    --------
    >>> longest_misread_run(np.array([0, -1, -1, 2]), ["the", "gov", "emment", "said"],
    ...                     ["the", "government", "said"])
    4
    >>> longest_misread_run(np.array([0, -1, -1, 2]), ["the", "new", "cabinet", "said"],
    ...                     ["the", "government", "said"])
    1
    >>> lost_a_line = (np.array([0, 1, 5, 6]), ["the", "lane", "stays", "closed"],
    ...                ["the", "lane", "officials", "said", "today", "stays", "closed"])
    >>> longest_misread_run(*lost_a_line), longest_misread_run(*lost_a_line, lost_a=6)
    (2, 4)
    """
    hits = np.flatnonzero(match >= 0)
    if len(hits) < 2:
        return len(hits)
    to = match[hits]
    gap_a, gap_b = np.diff(hits) - 1, np.diff(to) - 1
    joined = (gap_a == gap_b) & (gap_a <= 1)
    joined |= ((gap_a == 0) & (gap_b >= 1) & (gap_b <= lost_a)) | ((gap_b == 0) & (gap_a >= 1) & (gap_a <= lost_b))
    maybe = ~joined & (gap_b >= 0) & (gap_a <= _MISREAD_GAP_WORDS) & (gap_b <= _MISREAD_GAP_WORDS)
    for k in np.flatnonzero(maybe).tolist():
        joined[k] = misread_stretch(words_a[hits[k] + 1 : hits[k + 1]], words_b[to[k] + 1 : to[k + 1]])
    # Runs of joined gaps: a run of hits from hits[s] to hits[e] spans hits[e] - hits[s] + 1 words.
    edges = np.diff(np.concatenate(([0], joined.view(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if not len(starts):
        return 1
    return int((hits[ends] - hits[starts]).max()) + 1


def _edges_unmatched(match: np.ndarray) -> tuple[float, float]:
    """Share of words before the first and after the last matched word.

    A few words there are a byline, a sign-off or a line of page furniture
    that one corpus learns and another does not, not a new lead or a cut
    tail: under ``_EDGE_NOISE_WORDS`` they count as none.
    """
    hits = np.flatnonzero(match >= 0)
    n = max(1, len(match))
    if len(hits) == 0:
        return 1.0, 1.0
    head, tail = int(hits[0]), len(match) - 1 - int(hits[-1])
    return (head if head >= _EDGE_NOISE_WORDS else 0) / n, (tail if tail >= _EDGE_NOISE_WORDS else 0) / n


def _count_traces(alignment: Alignment) -> tuple[int, int, int, int, list[tuple[str, str]]]:
    """Spin and noise traces: (rarer synonyms in a, in b, noisy words in a, in b, examples)."""
    rarer_a = rarer_b = noisy_a = noisy_b = 0
    examples: list[tuple[str, str]] = []
    for sub in alignment.substitutions:
        wa, wb = sub.a_word, sub.b_word
        if wa.isdigit() or wb.isdigit():
            continue
        za, zb = _zipf(wa), _zipf(wb)
        if fuzz.ratio(wa, wb) >= _NOISE_SIMILARITY:
            if za - zb >= _RARER_BY and zb < 2.0:
                noisy_b += 1
            elif zb - za >= _RARER_BY and za < 2.0:
                noisy_a += 1
            continue
        if za - zb >= _RARER_BY and zb >= 1.0:
            rarer_b += 1
            examples.append((wa, wb))
        elif zb - za >= _RARER_BY and za >= 1.0:
            rarer_a += 1
            examples.append((wb, wa))
    return rarer_a, rarer_b, noisy_a, noisy_b, examples


def _furniture_share(doc: Document) -> float:
    return 1.0 - len(doc.content) / max(1, len(doc.tokens))


def _furniture_words(doc: Document) -> int:
    return len(doc.tokens) - len(doc.content)


def published_at(doc: Document) -> datetime | None:
    """When ``doc`` was published, in UTC (naive), or None when unknown or unreadable.

    Pages of one day carry their own offsets ("19:03-04:00" is later than "22:00+00:00"):
    times compare only once in one zone.  A time without an offset is taken as UTC.
    """
    return _moment(doc.article.published)


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC)
    return parsed.replace(tzinfo=None)


# A date written without a time ("2024-03-01", as a masthead or a feed gives it).
_DAY_ONLY = re.compile(r"\s*\d{4}-\d{2}-\d{2}\s*")
PublishedSpan = tuple[datetime, datetime]


def published_span(doc: Document) -> PublishedSpan | None:
    """The earliest and latest moment ``doc`` can have been published (UTC, naive), or None.

    A date without a time is its whole day: a page dated "18 April 2024" is neither
    before nor after one stamped at 09:00 that day.  A page that shows only when it
    was last changed ("Updated ...") was published at any time up to then.
    """
    return _span(doc.article.published, doc.article.updated)


@lru_cache(maxsize=1 << 16)
def _span(published: str | None, updated: str | None) -> PublishedSpan | None:
    """:func:`published_span` of these dates: read once for each (a document is in many pairs, a date in many
    documents)."""
    value = published
    start = _moment(value)
    if start is None:
        value = updated
        end = _moment(value)
        return None if end is None else (datetime.min, _day_end(end) if _DAY_ONLY.fullmatch(value or "") else end)
    if _DAY_ONLY.fullmatch(value or ""):
        return start, _day_end(start)
    return start, start


def _day_end(day: datetime) -> datetime:
    return day + timedelta(days=1) - timedelta(microseconds=1)


def published_before(first: PublishedSpan | None, second: PublishedSpan | None) -> bool:
    """Whether ``first`` was surely published before ``second`` (both known, no overlap)."""
    return first is not None and second is not None and first[1] < second[0]


def assess_pair(
    doc_a: Document,
    doc_b: Document,
    alignment: Alignment,
    *,
    model: DirectionModel | None = None,
    min_link_words: int = MIN_LINK_WORDS_DEFAULT,
    min_link_share: float = MIN_LINK_SHARE_DEFAULT,
    linked: bool | None = None,
) -> PairEvidence:
    """Decide whether an aligned pair is a copy relation and which side is the source.

    Parameters
    ----------
    doc_a, doc_b : Document
        The pair, as aligned.
    alignment : Alignment
        Their alignment (from :class:`~provenance.stages.align.Aligner`).
    model : DirectionModel, optional
        Signal weights; the shipped fit by default.
    min_link_words : int, default=25
        Fewest shared words outside quotations for a link.
    min_link_share : float, default=0.15
        Fewest shared words as a share of the shorter document.
    linked : bool, optional
        What :func:`is_copy` said of this pair with ``doc_b`` and these
        thresholds, when the caller already asked it (the pipeline's link test
        does): it is not asked twice.  None asks it.

    Returns
    -------
    PairEvidence
    """
    model = model or _default_model()
    shared = alignment.shared_words
    if linked is None:
        linked = is_copy(doc_a, alignment, min_link_words=min_link_words, min_link_share=min_link_share,
                         doc_b=doc_b)

    head_a, tail_a = _edges_unmatched(alignment.a_match)
    head_b, tail_b = _edges_unmatched(alignment.b_match)
    rarer_a, rarer_b, noisy_a, noisy_b, examples = _count_traces(alignment)
    date_a, date_b = published_span(doc_a), published_span(doc_b)
    date_sign = 1.0 if published_before(date_a, date_b) else -1.0 if published_before(date_b, date_a) else 0.0
    furniture = _furniture_share(doc_b) - _furniture_share(doc_a)
    # A line or two (a byline, "Order reprint") that one corpus learns as furniture and
    # another does not is no page around the story.
    if abs(_furniture_words(doc_b) - _furniture_words(doc_a)) < _PAGE_WORDS:
        furniture = 0.0
    # A passage that is a small part of both texts (a story reprinted among others on a page)
    # says nothing by where it sits or how long the texts around it are: only its own changes
    # and the dates tell which came first.
    embedded = max(alignment.a_coverage, alignment.b_coverage) < _PARTIAL_COVERAGE
    features = (
        0.0 if embedded else tail_a - tail_b,
        0.0 if embedded else head_b - head_a,
        _signed_log(rarer_b - rarer_a),
        _signed_log(noisy_b - noisy_a),
        float(np.sign(furniture)) if abs(furniture) > 0.02 else 0.0,
        date_sign,
        0.0 if embedded else math.log(max(1, len(alignment.a_match)) / max(1, len(alignment.b_match))),
        0.0 if embedded else alignment.a_coverage - alignment.b_coverage,
    )
    weights = model.vector()
    evidence = _describe(features, weights, alignment, rarer_a, rarer_b, noisy_a, noisy_b,
                         examples, tail_a, tail_b, head_a, head_b)
    forward = float(sum(w * f for w, f in zip(weights, features, strict=True)))
    return PairEvidence(
        a=alignment.a,
        b=alignment.b,
        linked=linked,
        shared_words=shared,
        a_coverage=alignment.a_coverage,
        b_coverage=alignment.b_coverage,
        forward=forward,
        evidence=evidence,
        rarer_in_a=rarer_a + noisy_a,
        rarer_in_b=rarer_b + noisy_b,
        features=features,
    )


@lru_cache(maxsize=1)
def _default_model() -> DirectionModel:
    return DirectionModel.load()


def _signed_log(x: int) -> float:
    return math.copysign(math.log1p(abs(x)), x)


def _describe(features, weights, alignment, rarer_a, rarer_b, noisy_a, noisy_b, examples,
              tail_a, tail_b, head_a, head_b) -> tuple[Evidence, ...]:
    """Evidence in plain words, each with its weight for 'a is the source'."""
    out = [
        Evidence(
            "containment",
            0.0,
            f"shares {alignment.shared_words} words: {alignment.a_coverage:.0%} of the first text "
            f"and {alignment.b_coverage:.0%} of the second, page furniture excluded",
        )
    ]
    # Each detail is written only for a signal that counts (most weigh too little in most pairs).
    details = {
        "tail": lambda: f"one text stops early: {max(tail_a, tail_b):.0%} of the longer one's end is missing "
        "from the other (copies are cut from the bottom)",
        "head": lambda: f"one text has {max(head_a, head_b):.0%} unshared words before the shared text "
        "(a new lead written over copied text)",
        "spin": lambda: f"replaces {max(rarer_a, rarer_b)} common words with rarer synonyms: "
        + ", ".join(f"{x}→{y}" for x, y in examples[:5]),
        "noise": lambda: f"{max(noisy_a, noisy_b)} words garbled (OCR or typing errors) on one side only",
        "furniture": lambda: "one text is wrapped in more page furniture (wire copy arrives bare)",
        "date": lambda: "published earlier (metadata)",
    }
    for name, feat, weight in zip(DIRECTION_FEATURES, features, weights, strict=True):
        contribution = weight * feat
        if abs(contribution) >= 0.05 and name in details:
            out.append(Evidence(name, round(contribution, 3), details[name]()))
    return tuple(out)


def reading_agreement(doc_a: Document, doc_b: Document, alignment: Alignment) -> tuple[np.ndarray, np.ndarray]:
    """Where the two texts read the same, word by word, typography included.

    Two aligned words agree when their original spelling (case, apostrophes)
    and the punctuation before them (quotes, dashes) are identical.  These
    small traces are what tell sibling copies from parent and child.

    Returns
    -------
    agree_a, agree_b : ndarray of bool
        Per content word of ``doc_a`` (resp. ``doc_b``).
    """
    agree_a = np.zeros(len(alignment.a_match), dtype=bool)
    agree_b = np.zeros(len(alignment.b_match), dtype=bool)
    ia = np.flatnonzero(alignment.a_match >= 0)
    ib = alignment.a_match[ia]
    if len(ia) and (looks_scanned(doc_a) or looks_scanned(doc_b)):
        # A scan's letters and punctuation are its own: only other words are another reading, and
        # the alignment pairs no other words (equal words, or words sharing most of their letters).
        same = np.ones(len(ia), dtype=bool)
    else:
        (spellings_a, gaps_a), (spellings_b, gaps_b) = _surface_pair(doc_a, doc_b)
        same = (spellings_a[ia] == spellings_b[ib]) & (gaps_a[ia] == gaps_b[ib])
    agree_a[ia] = same
    agree_b[ib] = same
    return agree_a, agree_b


# Surfaces of each document's content words, as codes that are equal when the surfaces are
# (process-local: kept beside the documents, never pickled with them): per word, a 64-bit
# polynomial hash of its spelling's code points and the number of the punctuation before it.
_Surfaces = tuple[np.ndarray, np.ndarray]
_SURFACE_CODES: weakref.WeakKeyDictionary[Document, _Surfaces] = weakref.WeakKeyDictionary()
_GAP_NUMBERS_MAX = 1 << 20
# Gap text -> number of its signature; signature -> its number ("" is 0: no punctuation counted).
_GAP_SIGNATURES: dict[str, int] = {}
_SIGNATURE_NUMBERS: dict[str, int] = {"": 0}
# How many times the numbers were forgotten and begun anew.
_SURFACE_NUMBERING = [0]
# Odd, so invertible modulo 2**64: a span's hash is its prefix sums' difference, shifted back.
_SPELLING_BASE = 0x100000001B3
_SPELLING_POWERS: list[np.ndarray] = []
_POWERS_KEPT = 1 << 16


def _surface_pair(doc_a: Document, doc_b: Document) -> tuple[_Surfaces, _Surfaces]:
    """Both documents' codes in one numbering (numbering ``doc_b`` may start a new one)."""
    numbering = _SURFACE_NUMBERING[0]
    codes_a, codes_b = _surface_codes(doc_a), _surface_codes(doc_b)
    if _SURFACE_NUMBERING[0] != numbering:
        codes_a = _surface_codes(doc_a, forget=False)
    return codes_a, codes_b


def _surface_codes(doc: Document, *, forget: bool = True) -> _Surfaces:
    """Per content word of ``doc``: (spelling hashes, punctuation numbers); equal both, equal :func:`word_surface`.

    With ``forget`` (the default) the numbers are begun anew first when they have grown too many.
    """
    codes = _SURFACE_CODES.get(doc)
    if codes is None:
        if forget and len(_SIGNATURE_NUMBERS) >= _GAP_NUMBERS_MAX:
            # Forgetting bounds memory; the codes of different numberings never meet (_surface_pair).
            _SURFACE_NUMBERING[0] += 1
            _SURFACE_CODES.clear()
            _GAP_SIGNATURES.clear()
            _SIGNATURE_NUMBERS.clear()
            _SIGNATURE_NUMBERS[""] = 0
        codes = _all_surfaces(doc)
        _SURFACE_CODES[doc] = codes
    return codes


def _powers(length: int) -> tuple[np.ndarray, np.ndarray]:
    """The spelling base's powers and its inverse's (modulo 2**64), at least ``length`` of each.

    Those of ordinary texts are kept; a longer text's are worked out for it alone (a 20 MB
    text would otherwise keep 0.5 GB of them).
    """
    if length > _POWERS_KEPT or not _SPELLING_POWERS:
        powers = []
        for base in (_SPELLING_BASE, pow(_SPELLING_BASE, -1, 1 << 64)):
            factors = np.full(max(length, _POWERS_KEPT), base, dtype=np.uint64)
            factors[0] = 1
            powers.append(np.cumprod(factors, dtype=np.uint64))
        if length > _POWERS_KEPT:
            return powers[0], powers[1]
        _SPELLING_POWERS[:] = powers
    return _SPELLING_POWERS[0], _SPELLING_POWERS[1]


def _all_surfaces(doc: Document) -> _Surfaces:
    """Codes of :func:`word_surface` of every content word, in one pass (spellings hashed, gaps numbered)."""
    text = doc.article.text
    content = doc.content
    n = len(content)
    if n == 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    starts = doc.tokens.starts[content]
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    powers, inverses = _powers(len(points) + 1)
    # Arithmetic modulo 2**64 (numpy's unsigned overflow): sum of point * base**position.
    prefix = np.zeros(len(points) + 1, dtype=np.uint64)
    np.cumsum(points * powers[: len(points)], dtype=np.uint64, out=prefix[1:])
    ends = doc.tokens.ends[content]
    spellings = (prefix[ends] - prefix[starts]) * inverses[starts]
    gaps = np.zeros(n, dtype=np.int64)
    # Punctuation counts only after a content word that is the token just before.
    after = np.flatnonzero(np.diff(content) == 1) + 1
    gap_starts = np.maximum(doc.tokens.ends[content[after] - 1], starts[after] - 12)
    # Most gaps are one space or line break, which is no punctuation (number 0 already).
    single = gap_starts == starts[after] - 1
    if single.any():
        before = points[gap_starts]
        blank = single & ((before == ord(" ")) | (before == ord("\n")))
        after, gap_starts = after[~blank], gap_starts[~blank]
    if len(after):
        signatures, numbers = _GAP_SIGNATURES, _SIGNATURE_NUMBERS
        found = []
        for a, b in zip(gap_starts.tolist(), starts[after].tolist(), strict=True):
            gap = text[a:b]
            code = signatures.get(gap)
            if code is None:
                code = signatures[gap] = numbers.setdefault(gap_signature(gap), len(numbers))
            found.append(code)
        gaps[after] = found
    return spellings, gaps


def word_surface(doc: Document, position: int) -> tuple[str, str]:
    """(original spelling, punctuation just before) of content word ``position``.

    The punctuation counts only when the word before is content too: what
    follows a removed dateline or credit says nothing about the story.
    """
    t = int(doc.content[position])
    return doc.article.text[int(doc.tokens.starts[t]) : int(doc.tokens.ends[t])], punctuation_before(doc, position)


def punctuation_before(doc: Document, position: int) -> str:
    """The punctuation part of :func:`word_surface` alone."""
    t = int(doc.content[position])
    if position > 0 and int(doc.content[position - 1]) == t - 1:
        start = int(doc.tokens.starts[t])
        return _signature(doc.article.text[max(int(doc.tokens.ends[t - 1]), start - 12) : start])
    return ""


@lru_cache(maxsize=1 << 12)
def _signature(gap: str) -> str:
    """:func:`~.normalise.gap_signature`, kept: a corpus has few kinds of gap, each met at many places."""
    return gap_signature(gap)


def classify_relation(coverage_parent: float, coverage_child: float, tail_parent: float,
                      spin_traces: int, substitutions: int, shared: int) -> str:
    """Name the relation of a child to its parent.

    Parameters
    ----------
    coverage_parent : float
        Share of the parent's content words found in the child.
    coverage_child : float
        Share of the child's content words found in the parent.
    tail_parent : float
        Share of the parent's words after the last shared word.
    spin_traces : int
        Words the child replaced with rarer synonyms.
    substitutions : int
        All one-for-one word replacements between them.
    shared : int
        Shared words.

    Returns
    -------
    str
        One of reprint, trimmed, edited, spun, partial.

    Examples
    --------
    >>> classify_relation(0.99, 0.98, 0.0, 0, 1, 400)
    'reprint'
    >>> classify_relation(0.55, 0.97, 0.44, 0, 0, 220)
    'trimmed'
    """
    if coverage_child < 0.6 and coverage_parent < 0.9:
        return "partial"
    if spin_traces >= 4 and spin_traces >= 0.03 * shared:
        return "spun"
    if coverage_parent >= 0.95 and coverage_child >= 0.95 and substitutions <= 0.02 * max(1, shared):
        return "reprint"
    if coverage_parent < 0.9 and coverage_child >= 0.85 and tail_parent >= 0.5 * (1 - coverage_parent):
        return "trimmed"
    return "edited"
