"""Wire-copy check: one draft Article against a source index -> CheckResult.

Answers a newsroom's question for one draft: is it wire copy (or another
outlet's story), and if so does it credit the source?  It runs the tracer's
own stages on the draft and on the few sources worth a look:

1. load the draft (:func:`~provenance.stages.load.load_draft`) and prepare it like
   every source (normalise, built-in boilerplate patterns, credits);
2. look its sampled content shingles up in the index and rank sources by
   shared shingles (shingles held by more than ``max_df`` sources ignored);
3. align the best ``max_sources`` with :class:`~provenance.stages.align.Aligner`
   (source = a, draft = b);
4. keep a source when :func:`~provenance.stages.direction.assess_pair` links the two,
   or when, outside quotation marks, the shared words reach ``threshold`` of
   the draft or one shared passage has ``passage_words`` words; name the
   relation with :func:`~provenance.stages.direction.classify_relation` (source =
   parent, draft = child, spin traces = words the draft made rarer);
5. decide whether the draft credits the source: an agency the source is
   credited to (its own credit line or its outlet metadata) among the draft's
   credits, the source's outlet named in the draft's byline, dateline or
   credit lines, or the source's byline author in the draft's byline;
6. verdict: ``uncredited-copy`` when the draft words found in uncredited
   sources reach ``threshold`` (or one of them shares a long passage),
   ``credited-copy`` when all reuse at that level is credited, else ``original``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from ..errors import ConfigError, InputError
from ..model import Article, Document, json_text
from ..stages.align import Aligner, SkippedAlignment
from ..stages.boilerplate import BoilerplateRemover
from ..stages.candidates import COPIED_SHARE_MIN
from ..stages.credit import agencies_named, credit_of, credit_places
from ..stages.direction import DirectionModel, assess_pair, classify_relation, quoted_mask
from ..stages.load import load_articles, load_draft
from ..stages.shingles import SHINGLE_SIZE_DEFAULT
from .index import Index, document_shingles, prepare_articles
from .unseen import UnseenMatch, credit_reprints, match_unseen

__all__ = [
    "check",
    "UNKNOWN_OUTLET",
    "MemoryIndex",
    "SourceIndex",
    "CheckResult",
    "SourceMatch",
    "CheckPassage",
    "VERDICTS",
    "THRESHOLD_DEFAULT",
    "PASSAGE_WORDS_DEFAULT",
    "MAX_SOURCES_DEFAULT",
    "MIN_SHARED_DEFAULT",
    "MAX_DF_DEFAULT",
    "MAX_DRAFT_SIZE_DEFAULT",
]

#: Reuse at or above this share of the draft's words is copy.
THRESHOLD_DEFAULT = 0.2
#: ...and so is any shared passage with this many words outside quotation marks.
PASSAGE_WORDS_DEFAULT = 50
#: Sources aligned with the draft, best by shared shingles first.
MAX_SOURCES_DEFAULT = 20
#: Fewest shared (sampled) shingles for a source to be aligned.
MIN_SHARED_DEFAULT = 2
#: Shingles held by more sources than this are stock phrases and ignored.
MAX_DF_DEFAULT = 200
#: Larger drafts are refused (bytes).
MAX_DRAFT_SIZE_DEFAULT = 1024 * 1024
#: Verdicts, from clean to flagged.
VERDICTS = ("original", "credited-copy", "uncredited-copy")
#: How a credit ends when the draft credits an agency but the source's outlet and agency are unknown.
UNKNOWN_OUTLET = "source outlet unknown"
CHECK_JSON_VERSION = 1

_SQLITE_MAGIC = b"SQLite format 3\x00"
_PARAMETER_CONSTRAINTS: dict[str, tuple[str, Any]] = {
    "threshold": ("a float in [0, 1]", lambda v: isinstance(v, int | float) and not isinstance(v, bool)
                  and 0.0 <= v <= 1.0),
    "passage_words": ("an int >= 1", lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1),
    "max_sources": ("an int >= 1", lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1),
    "min_shared": ("an int >= 1", lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1),
    "max_df": ("an int >= 1", lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1),
    "max_draft_size": ("a positive int (bytes)", lambda v: isinstance(v, int) and not isinstance(v, bool)
                       and v > 0),
}


@dataclass(frozen=True)
class CheckPassage:
    """A passage of the draft found in a source, in character offsets of both original texts."""

    draft_start: int
    draft_end: int
    source_start: int
    source_end: int
    words: int
    draft_text: str
    source_text: str


@dataclass(frozen=True)
class SourceMatch:
    """One source the draft reuses.

    ``share`` is the share of the draft's content words found in the source;
    ``source_share`` the share of the source's words found in the draft.
    ``credit`` says how the draft credits the source (None when it does not).
    ``flagged`` is this source alone at or above the threshold.
    """

    id: str
    title: str | None
    outlet: str | None
    published: str | None
    url: str | None
    share: float
    source_share: float
    shared_words: int
    shared_shingles: int
    relation: str
    linked: bool
    credited: bool
    credit: str | None
    flagged: bool
    longest_passage: int
    passages: tuple[CheckPassage, ...]

    def to_json(self) -> dict[str, Any]:
        """Plain data (shares rounded to 4 places)."""
        out = dict(self.__dict__)
        out["share"] = round(self.share, 4)
        out["source_share"] = round(self.source_share, 4)
        out["passages"] = [dict(p.__dict__) for p in self.passages]
        return out


@dataclass
class CheckResult:
    """The answer for one draft: verdict, reused shares and the sources behind them."""

    draft: Document
    verdict: str
    reused_share: float
    uncredited_share: float
    sources: list[SourceMatch]
    threshold: float
    passage_words: int
    warnings: list[str] = field(default_factory=list)
    #: The unseen source the matched reprints share, when the draft copies one.
    unseen: UnseenMatch | None = None

    @property
    def flagged(self) -> bool:
        """True for ``uncredited-copy`` (the CLI exits 1)."""
        return self.verdict == "uncredited-copy"

    def to_json(self) -> dict[str, Any]:
        """The JSON answer for a CMS, as plain Python data (see docs/check.md)."""
        art = self.draft.article
        return {
            "version": CHECK_JSON_VERSION,
            "verdict": self.verdict,
            "draft": {"id": art.id, "path": art.path, "title": art.title, "words": self.draft.words,
                      "credits": list(self.draft.credits), "bylines": list(self.draft.bylines)},
            "reused_share": round(self.reused_share, 4),
            "uncredited_share": round(self.uncredited_share, 4),
            "threshold": self.threshold,
            "passage_words": self.passage_words,
            "sources": [s.to_json() for s in self.sources],
            "warnings": list(self.warnings),
            "unseen_source": self.unseen.to_json() if self.unseen else None,
        }

    def to_json_str(self) -> str:
        """Serialise :meth:`to_json` deterministically (sorted keys, 2-space indent)."""
        return json_text(self.to_json())


class SourceIndex(Protocol):
    """What :func:`check` needs from an index: :class:`~provenance.prepublish.index.Index` or :class:`MemoryIndex`."""

    sample: int
    shingle_size: int

    def find(self, shingles: np.ndarray, *, max_df: int, min_shared: int,
             limit: int) -> list[tuple[Document, int]]:
        """(prepared source, shared shingles) of the best sources, most shared first."""


class MemoryIndex:
    """The lookups of :class:`~provenance.prepublish.index.Index` over articles in memory (``check --against FOLDER``).

    Parameters
    ----------
    articles : sequence of Article
        The sources; prepared once here.
    sample : int, default=1
        Shingle sampling rate (1 keeps every shingle).
    shingle_size : int, default=4
        Words per shingle.
    boilerplate : BoilerplateRemover, optional
        A fitted remover to use instead of the built-in patterns.
    """

    def __init__(self, articles: Sequence[Article], *, sample: int = 1, shingle_size: int = SHINGLE_SIZE_DEFAULT,
                 boilerplate: BoilerplateRemover | None = None) -> None:
        for name, value, high in (("sample", sample, 64), ("shingle_size", shingle_size, 8)):
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= high:
                raise ConfigError(f"The '{name}' parameter of MemoryIndex must be an int in [1, {high}]. "
                                  f"Got {value!r} instead.")
        self.sample = sample
        self.shingle_size = shingle_size
        self.documents_ = prepare_articles(list(articles), boilerplate)
        parts = [document_shingles(d, shingle_size, sample) for d in self.documents_]
        shingles = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
        docs = np.repeat(np.arange(len(parts), dtype=np.int64), [len(p) for p in parts])
        order = np.argsort(shingles, kind="stable")
        self._shingles = shingles[order]
        self._docs = docs[order]

    def lookup(self, shingles: np.ndarray, *, max_df: int, min_shared: int, limit: int) -> list[tuple[int, int]]:
        """Same contract as :meth:`Index.lookup`."""
        query = np.unique(np.asarray(shingles, dtype=np.int64))
        lo = np.searchsorted(self._shingles, query, side="left")
        hi = np.searchsorted(self._shingles, query, side="right")
        df = hi - lo
        keep = (df > 0) & (df <= max_df)
        lo, lengths = lo[keep], df[keep]
        if not len(lo):
            return []
        offsets = np.repeat(lo - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))
        counts = np.bincount(self._docs[offsets], minlength=len(self.documents_))
        found = np.flatnonzero(counts >= max(1, min_shared))
        order = np.lexsort((found, -counts[found]))[:limit]
        return [(int(found[i]), int(counts[found[i]])) for i in order]

    def documents(self, keys: Sequence[int]) -> list[Document]:
        """Prepared documents for ``keys``, in that order."""
        return [self.documents_[k] for k in keys]

    def frequent_share(self, shingles: np.ndarray, *, max_df: int) -> float:
        """Same contract as :meth:`Index.frequent_share <provenance.prepublish.index.Index.frequent_share>`."""
        query = np.unique(np.asarray(shingles, dtype=np.int64))
        if not len(query):
            return 0.0
        df = np.searchsorted(self._shingles, query, side="right") - np.searchsorted(self._shingles, query)
        return float(np.count_nonzero(df > max_df)) / len(query)

    def find(self, shingles: np.ndarray, *, max_df: int, min_shared: int,
             limit: int) -> list[tuple[Document, int]]:
        """Same contract as :meth:`Index.find <provenance.prepublish.index.Index.find>`."""
        return [(self.documents_[k], n) for k, n in self.lookup(shingles, max_df=max_df, min_shared=min_shared,
                                                                 limit=limit)]


def check(
    draft: Article | str | os.PathLike[str],
    against: SourceIndex | str | os.PathLike[str] | Sequence[Article],
    *,
    threshold: float = THRESHOLD_DEFAULT,
    passage_words: int = PASSAGE_WORDS_DEFAULT,
    max_sources: int = MAX_SOURCES_DEFAULT,
    min_shared: int = MIN_SHARED_DEFAULT,
    max_df: int = MAX_DF_DEFAULT,
    max_draft_size: int = MAX_DRAFT_SIZE_DEFAULT,
    aligner: Aligner | None = None,
    boilerplate: BoilerplateRemover | None = None,
    direction_model: DirectionModel | None = None,
) -> CheckResult:
    """Check whether a draft reuses indexed sources, and whether it credits them.

    Parameters
    ----------
    draft : Article, path or "-"
        The draft, or a file to load it from (txt, md, html, docx; "-" reads
        standard input).
    against : Index, MemoryIndex, path or sequence of Article
        The sources: an open index, an index file, a folder or record file
        (indexed in memory), or articles.
    threshold : float, default=0.2
        Share of the draft's words (0 to 1) from which reuse is copy; 0 makes
        any shared words copy (no shared words is never copy).
    passage_words : int, default=50
        A shared passage this long (words outside quotation marks) is copy
        whatever its share.
    max_sources : int, default=20
        Most sources aligned.
    min_shared : int, default=2
        Fewest shared sampled shingles for a source to be aligned.
    max_df : int, default=200
        Shingles held by more sources than this are ignored.
    max_draft_size : int, default=1 MiB
        Larger draft files are refused.
    aligner, boilerplate, direction_model : optional
        Replacement stage objects (``boilerplate`` is used through ``transform``).

    Returns
    -------
    CheckResult
        ``verdict`` is one of :data:`VERDICTS`; ``sources`` are sorted by
        share of the draft, largest first.

    Raises
    ------
    InputError
        The draft is missing, empty, binary, too large or has no words; the
        index cannot be read or has an unknown schema version.
    ConfigError
        A parameter is out of range.

    Examples
    --------
    >>> result = check("draft.txt", "wire.sqlite")  # doctest: +SKIP
    >>> result.verdict, [s.id for s in result.sources]  # doctest: +SKIP
    ('uncredited-copy', ['wire/0412.txt'])
    """
    _check_params(threshold=threshold, passage_words=passage_words, max_sources=max_sources,
                  min_shared=min_shared, max_df=max_df, max_draft_size=max_draft_size)
    article = draft if isinstance(draft, Article) else load_draft(draft, max_file_size=max_draft_size,
                                                                  limit_option="--max-draft-size")
    (doc,) = prepare_articles([article], boilerplate)
    if doc.words == 0:
        raise InputError(f"cannot use {article.id}: the draft has no words to check")
    warnings: list[str] = []
    index, opened = _open_against(against, warnings)
    try:
        query = document_shingles(doc, index.shingle_size, index.sample)
        if _widely_copied(index, query, max_df):
            max_df = _ALL_SOURCES  # the draft is a story held by hundreds of sources, not stock phrases
        found = index.find(query, max_df=max_df, min_shared=min_shared, limit=max_sources)
        found = _without_the_draft(found, draft, warnings)
    finally:
        if opened:
            index.close()
    aligner = aligner or Aligner()
    quoted = quoted_mask(doc)
    credit_text = credit_places(doc)
    # Agencies the draft credits that no source with a known outlet or agency accounts for: only
    # those can be meant for a source whose outlet is unknown.
    explained = {a for source, _ in found for n in _names(source) for a in (agencies_named(n) or (n,))}
    open_credits = tuple(c for c in doc.credits if c not in explained)
    matches, masks = [], []
    for source, shared_shingles in found:
        compared = _compare(source, doc, shared_shingles, aligner, direction_model, quoted,
                            (credit_text, open_credits), threshold, passage_words, warnings)
        if compared is not None:
            matches.append(compared[0])
            masks.append(compared[1])
    order = sorted(range(len(matches)), key=lambda i: (-matches[i].share, matches[i].id))
    matches, masks = [matches[i] for i in order], [masks[i] for i in order]
    # Several reprints of one story the index lacks: the draft copies their unseen source.
    linked = {m.id for m in matches if m.linked}
    unseen = match_unseen(doc, [s for s, _ in found if s.id in linked], credit_text, aligner)
    matches = credit_reprints(matches, unseen)
    reused = _union_share(masks, doc.words)
    uncredited = _union_share([m for s, m in zip(matches, masks, strict=True) if not s.credited], doc.words)
    long_all = any(s.longest_passage >= passage_words for s in matches)
    long_uncredited = any(s.longest_passage >= passage_words for s in matches if not s.credited)
    if _reaches(uncredited, threshold) or long_uncredited:
        verdict = "uncredited-copy"
    elif _reaches(reused, threshold) or long_all:
        verdict = "credited-copy"
    else:
        verdict = "original"
    return CheckResult(draft=doc, verdict=verdict, reused_share=reused, uncredited_share=uncredited,
                       sources=matches, threshold=float(threshold), passage_words=passage_words,
                       warnings=warnings, unseen=unseen)


# Files with these suffixes are index files: never read as a corpus of one article.
_INDEX_SUFFIXES = (".sqlite", ".sqlite3", ".db")
# A document frequency no index reaches.
_ALL_SOURCES = 2**62


def _widely_copied(index: Any, query: np.ndarray, max_df: int) -> bool:
    """Whether most of the draft's shingles are held by more than ``max_df`` sources (the pruning rule of
    :mod:`provenance.stages.candidates`: a passage making up most of a document is never a stock phrase)."""
    share = getattr(index, "frequent_share", None)
    return share is not None and share(query, max_df=max_df) >= COPIED_SHARE_MIN


def _without_the_draft(found: list[tuple[Document, int]], draft: Any,
                       warnings: list[str]) -> list[tuple[Document, int]]:
    """Leave out the draft's own file when the corpus holds it (a draft saved inside the wire folder)."""
    if not isinstance(draft, str | os.PathLike) or os.fspath(draft) == "-":
        return found
    kept = []
    for source, shared in found:
        try:
            same = bool(source.article.path) and os.path.samefile(source.article.path, draft)
        except OSError:
            same = False
        if same:
            warnings.append(f"left out {source.id}: it is the draft itself (the same file)")
        else:
            kept.append((source, shared))
    return kept


def _check_params(**values: Any) -> None:
    for name, value in values.items():
        expected, valid = _PARAMETER_CONSTRAINTS[name]
        if not valid(value):
            raise ConfigError(f"The {name!r} parameter of check must be {expected}. Got {value!r} instead.")


def _open_against(against: Any, warnings: list[str]) -> tuple[SourceIndex, bool]:
    """The index to search and whether this call opened it (and must close it)."""
    if hasattr(against, "find") and hasattr(against, "shingle_size"):
        return against, False
    if isinstance(against, str | os.PathLike):
        path = os.fspath(against)
        if os.path.isfile(path) and (_is_sqlite(path) or path.lower().endswith(_INDEX_SUFFIXES)):
            return Index.open(path), True  # a .sqlite/.db that is not an index is an error, never a corpus
        loaded = load_articles(path)
        warnings.extend(loaded.warnings)
        return MemoryIndex(loaded.articles), False
    if isinstance(against, Sequence) and all(isinstance(a, Article) for a in against):
        return MemoryIndex(against), False
    raise ConfigError(
        "The 'against' parameter of check must be an Index, a MemoryIndex, a path or a sequence of Article. "
        f"Got {type(against).__name__} instead."
    )


def _is_sqlite(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC
    except OSError:
        return False


def _compare(source: Document, draft: Document, shared_shingles: int, aligner: Aligner,
             model: DirectionModel | None, quoted: np.ndarray, credit_text: tuple[str, tuple[str, ...]],
             threshold: float, passage_words: int,
             warnings: list[str]) -> tuple[SourceMatch, np.ndarray] | None:
    """Align one source with the draft; None when they share no reuse worth reporting (or it could not be compared)."""
    al = aligner.align(source, draft, 0, 1)
    if isinstance(al, SkippedAlignment):
        warnings.append(f"left out {source.id}: not enough memory to compare it with the draft")
        return None
    if not al.passages:
        return None
    evidence = assess_pair(source, draft, al, model=model)
    own = al.b_match >= 0
    unquoted = [int((own[p.b_start : p.b_end] & ~quoted[p.b_start : p.b_end]).sum()) for p in al.passages]
    longest = max(unquoted)
    if not evidence.linked:
        # Without a copy link, words both texts quote from a third party are no reuse.
        own = own & ~quoted
    share = float(own.sum()) / max(1, draft.words)
    flagged = _reaches(share, threshold) or longest >= passage_words
    if not (evidence.linked or flagged):
        return None
    hits = np.flatnonzero(al.a_match >= 0)
    tail = (len(al.a_match) - 1 - hits[-1]) / max(1, len(al.a_match))
    relation = classify_relation(al.a_coverage, al.b_coverage, tail, evidence.rarer_in_b,
                                 len(al.substitutions), al.shared_words)
    credit = _credit(source, draft, *credit_text)
    art = source.article
    match = SourceMatch(
        id=art.id, title=art.title, outlet=art.outlet, published=art.published, url=art.url,
        share=al.b_coverage, source_share=al.a_coverage, shared_words=al.shared_words,
        shared_shingles=int(shared_shingles), relation=relation, linked=evidence.linked,
        credited=credit is not None, credit=credit,
        flagged=flagged,
        longest_passage=longest, passages=_passages(source, draft, al.passages),
    )
    return match, own


def _passages(source: Document, draft: Document, passages: Sequence[Any]) -> tuple[CheckPassage, ...]:
    out = []
    for p in passages:
        s_lo = int(source.tokens.starts[source.content[p.a_start]])
        s_hi = int(source.tokens.ends[source.content[p.a_end - 1]])
        d_lo = int(draft.tokens.starts[draft.content[p.b_start]])
        d_hi = int(draft.tokens.ends[draft.content[p.b_end - 1]])
        out.append(CheckPassage(draft_start=d_lo, draft_end=d_hi, source_start=s_lo, source_end=s_hi,
                                words=int(p.matched), draft_text=draft.article.text[d_lo:d_hi],
                                source_text=source.article.text[s_lo:s_hi]))
    return tuple(sorted(out, key=lambda p: p.draft_start))


def _names(source: Document) -> list[str]:
    """What a source goes by: its outlet and the agencies it is credited to."""
    return [n for n in ((source.article.outlet or "").strip(), *source.credits) if n]


def _credit(source: Document, draft: Document, credit_text: str, open_credits: tuple[str, ...]) -> str | None:
    """How the draft credits the source, or None.

    The source goes by its outlet and the agencies it is credited to (its own
    credit lines, or ``trace index build --agency``).  When both are unknown, a
    draft credit that no other source accounts for (``open_credits``) may be
    meant for it: the answer says so instead of calling the copy uncredited.
    """
    names = _names(source)
    how = credit_of(draft, names, credit_text)
    if how is not None:
        return how
    authors = sorted(set(source.bylines) & set(draft.bylines))
    if authors:
        return f"byline {authors[0]}"
    if not names and open_credits:
        return f"draft credits {', '.join(open_credits)}; {UNKNOWN_OUTLET}"
    return None


def _reaches(share: float, threshold: float) -> bool:
    """Whether reuse of this share is copy: at least ``threshold``, and some reuse at all (a draft that
    shares no words with a source is never its copy, even at threshold 0)."""
    return share > 0.0 and share >= threshold


def _union_share(masks: Sequence[np.ndarray], words: int) -> float:
    if not masks or words == 0:
        return 0.0
    return float(np.logical_or.reduce(masks).sum()) / words
