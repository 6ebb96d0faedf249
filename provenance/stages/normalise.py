"""Stage 2, normalise: Article text -> Tokens (folded words with original offsets).

Matching happens on folded words (Unicode NFKC, case-folded, typographic
quotes, dashes and ligatures unified, line-end hyphenation undone), while each
token keeps the character offsets of the original text, so reports can show
exactly what the article said.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from itertools import compress

import numpy as np

from ..model import Tokens

__all__ = ["tokenize", "tokenize_corpus", "fold_word", "fold_text", "fold_lines", "gap_signature",
           "BATCH_CHARS_DEFAULT"]

#: Characters of plain text tokenized as one array by :func:`tokenize_corpus`.
BATCH_CHARS_DEFAULT = 1 << 22

# A word: letters/digits, with inner apostrophes ("don't", "Moscow’s") and
# inner hyphens kept out (hyphenated compounds match their spaced variants).
# Chinese and Japanese are written without spaces: each character is a token.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]|(?:(?![{_CJK}])\w)+(?:['’‘`´](?:(?![{_CJK}])\w)+)*", re.UNICODE)
# Line-end hyphenation as OCR and print produce it: "syndi-\n cation".
_HYPHEN_BREAK = re.compile(r"^[-\u00ad\u2010\u2011]\s*\n\s*$")
_HYPHENS = frozenset("-\u00ad\u2010\u2011")
_APOSTROPHES = (("’", "'"), ("‘", "'"), ("`", "'"), ("´", "'"))
# Folding of typographic variants for whole-text comparison (lines, gaps).
_TYPOGRAPHY = (
    ("“", '"'), ("”", '"'), ("„", '"'), ("«", '"'), ("»", '"'),
    *_APOSTROPHES,
    ("–", "-"), ("—", "-"), ("‐", "-"), ("‑", "-"), ("−", "-"),
    ("\u00a0", " "), ("\u00ad", ""),
)
_SPACE = re.compile(r"\s+")
_WORD_CHAR = re.compile(r"\w")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ASCII_WORD = np.array([bool(_WORD_CHAR.match(chr(c))) for c in range(128)] + [False], dtype=bool)
_APOSTROPHE = ord("'")
_PLAIN_CHARS: dict[str, bool] = {}
# Between texts joined for tokenize_corpus: no word character, apostrophe, hyphen or white space.
_SEPARATOR = "\x00"
# NFKC puts each run of combining marks in canonical order by insertion, which
# is quadratic in the run's length (400 KB of alternating accents: 33 s).
# Unicode's "stream-safe" format (UAX #15) bounds runs at 30 non-starters by
# inserting a combining grapheme joiner, a starter; no real text has such runs.
_MAX_NON_STARTERS = 30
_GRAPHEME_JOINER = "\u034f"
_NON_ASCII_RUN = re.compile(rf"[^\x00-\x7f]{{{_MAX_NON_STARTERS + 1},}}")


@lru_cache(maxsize=1 << 18)
def fold_word(word: str) -> str:
    """Fold one word for matching: NFKC, case-folded, apostrophes unified.

    Examples
    --------
    >>> fold_word("Moscow’s")
    "moscow's"
    >>> fold_word("ﬁnal")
    'final'
    """
    return _replace_chars(_nfkc(word), _APOSTROPHES).casefold()


def fold_text(text: str) -> str:
    """Fold a stretch of text (a line, a sentence) for exact comparison.

    Examples
    --------
    >>> fold_text("  “Read  more:”  ")
    '"read more:"'
    """
    # str.split() and the regex \s agree on what white space is; splitting is the faster.
    return " ".join(_fold_chars(text).split())


def fold_lines(text: str) -> list[str]:
    """:func:`fold_text` of each line of ``text`` (``text.split("\\n")``), the text folded in one go.

    Folding keeps line ends where they are: no character folds to or from a
    line feed, and NFKC composes and reorders only between starters, which a
    line feed is.

    Examples
    --------
    >>> fold_lines("  “Read  more:”\\n\\nMoscow’s ﬁnal")
    ['"read more:"', '', "moscow's final"]
    """
    return [" ".join(line.split()) for line in _fold_chars(text).split("\n")]


def _fold_chars(text: str) -> str:
    """NFKC, typographic variants unified and case folded; white space untouched."""
    if text.isascii():  # NFKC leaves ASCII alone; the backtick is its only typographic variant
        return text.replace("`", "'").lower()
    return _replace_chars(_nfkc(text), _TYPOGRAPHY).casefold()


def _replace_chars(text: str, pairs: tuple[tuple[str, str], ...]) -> str:
    """``text.translate`` of the characters in ``pairs`` (no replacement holds a replaced character).

    One ``str.replace`` per character present: ``str.translate`` with a mapping looks up every
    character of a non-ASCII text in a dictionary, 40x slower on a news article.
    """
    for old, new in pairs:
        if old in text:
            text = text.replace(old, new)
    return text


def _nfkc(text: str) -> str:
    """NFKC in time linear in the text: runs of non-starters longer than 30 are cut by a grapheme joiner."""
    # Non-starters are never ASCII: most texts have no long non-ASCII run, and skip the table.
    if not text.isascii() and _NON_ASCII_RUN.search(text) is not None:
        long_run = _long_non_starter_run()
        if long_run.search(text) is not None:
            text = long_run.sub(_stream_safe, text)
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=1)
def _long_non_starter_run() -> re.Pattern[str]:
    """A run of more than 30 non-starters: characters of a non-zero combining class, or
    decomposing to one first (as U+0F73 does).  Built on first need (17 ms)."""
    points = [c for c in range(0x1F000) if _non_starter(chr(c))]
    ranges: list[list[int]] = []
    for c in points:
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1][1] = c
        else:
            ranges.append([c, c])
    members = "".join(rf"\U{lo:08x}-\U{hi:08x}" for lo, hi in ranges)
    return re.compile(f"[{members}]{{{_MAX_NON_STARTERS + 1},}}")


def _non_starter(char: str) -> bool:
    if unicodedata.combining(char):
        return True
    return bool(unicodedata.decomposition(char)) and unicodedata.combining(unicodedata.normalize("NFKD", char)[0]) > 0


def _stream_safe(run: re.Match[str]) -> str:
    marks = run.group()
    return _GRAPHEME_JOINER.join(marks[k : k + _MAX_NON_STARTERS] for k in range(0, len(marks), _MAX_NON_STARTERS))


def gap_signature(gap: str) -> str:
    """The punctuation between two words with white space folded.

    Used for typographic traces: an en dash turned into a hyphen, curly
    quotes straightened.  White space alone never counts as a variant.
    """
    return _SPACE.sub(" ", gap).strip()


def tokenize(text: str) -> Tokens:
    """Split ``text`` into folded word tokens with original character offsets.

    Parameters
    ----------
    text : str
        The original (decoded) article text.

    Returns
    -------
    Tokens
        ``words[i]`` is the folded form of ``text[starts[i]:ends[i]]``.  A word
        broken by line-end hyphenation becomes one token spanning the break.

    Examples
    --------
    >>> toks = tokenize("The syndi-\\ncation “works”.")
    >>> toks.words
    ('the', 'syndication', 'works')
    """
    fast = _tokenize_plain(text)
    if fast is not None:
        return fast
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for match in _WORD.finditer(text):
        start, end = match.span()
        word = fold_word(match.group())
        if (words and start - ends[-1] > 1 and text[ends[-1]] in _HYPHENS
                and _HYPHEN_BREAK.match(text[ends[-1] : start]) and word[:1].islower()):
            words[-1] += word
            ends[-1] = end
            continue
        words.append(word)
        starts.append(start)
        ends.append(end)
    return Tokens(
        words=tuple(map(sys.intern, words)),
        starts=np.asarray(starts, dtype=np.int64),
        ends=np.asarray(ends, dtype=np.int64),
    )


def _plain_char(char: str) -> bool:
    """Whether a non-ASCII character leaves the plain tokenizer exact: never part of a word, or a
    curly apostrophe (folded to ``'`` without changing length)."""
    if char in "’‘":
        return True
    if char == "´":  # an apostrophe for _WORD, but NFKC turns it into a space and an accent
        return False
    lower = char.lower()
    return not _WORD_CHAR.match(char) and len(lower) == 1 and not _WORD_CHAR.match(lower)


def tokenize_corpus(texts: Sequence[str], *, batch_chars: int = BATCH_CHARS_DEFAULT) -> list[Tokens]:
    """:func:`tokenize` of each text, the texts whose words are all ASCII tokenized together.

    Most news copy is such text: batches of it are joined into one string
    (with a NUL between texts, which no word, apostrophe join or line-end
    hyphenation crosses) and split into words with one regex scan and one
    set of array operations, instead of a few dozen calls per text.

    Parameters
    ----------
    texts : sequence of str
        Original texts.
    batch_chars : int, default=4 Mi
        Characters per joined batch: bounds the memory of the arrays (about
        20 bytes per character).

    Returns
    -------
    list of Tokens
        Equal to ``[tokenize(t) for t in texts]``.

    Examples
    --------
    >>> [t.words for t in tokenize_corpus(["Re-\\nuse it", "Moscow’s «view»"])]
    [('reuse', 'it'), ("moscow's", 'view')]
    """
    out: list[Tokens | None] = [None] * len(texts)
    batch: list[int] = []
    size = 0
    for k, text in enumerate(texts):
        if not _plain_chars(text):
            out[k] = tokenize(text)
            continue
        batch.append(k)
        size += len(text) + 1
        if size >= batch_chars:
            _tokenize_batch(texts, batch, out)
            batch, size = [], 0
    _tokenize_batch(texts, batch, out)
    return out  # type: ignore[return-value]


def _tokenize_batch(texts: Sequence[str], batch: list[int], out: list[Tokens | None]) -> None:
    """Tokenize ``texts[k]`` for each ``k`` in ``batch`` (all plain) as one string; results into ``out``."""
    if not batch:
        return
    whole = _tokenize_plain(_SEPARATOR.join(texts[k] for k in batch), checked=True)
    if whole is None:  # pragma: no cover - _tokenize_plain's own consistency check failed
        for k in batch:
            out[k] = tokenize(texts[k])
        return
    offsets = np.cumsum([0] + [len(texts[k]) + 1 for k in batch], dtype=np.int64)
    cuts = np.searchsorted(whole.starts, offsets).tolist()
    for n, k in enumerate(batch):
        a, b = cuts[n], cuts[n + 1]
        out[k] = Tokens(words=whole.words[a:b], starts=whole.starts[a:b] - offsets[n],
                        ends=whole.ends[a:b] - offsets[n])


def _plain_chars(text: str) -> bool:
    """Whether every non-ASCII character of ``text`` leaves the plain tokenizer exact."""
    if text.isascii():
        return True
    known = _PLAIN_CHARS
    for char in set(_NON_ASCII.findall(text)):
        ok = known.get(char)
        if ok is None:
            ok = known[char] = _plain_char(char)
        if not ok:
            return False
    return True


def _tokenize_plain(text: str, checked: bool = False) -> Tokens | None:
    """:func:`tokenize` for texts whose words are all ASCII (most news copy), vectorised; else None.

    Folding such a word is lower-casing it and straightening its apostrophes,
    which keeps every offset, so the whole text is folded at once and word
    boundaries are found with array operations.  ``checked``: the caller
    already knows the characters pass :func:`_plain_chars`.
    """
    if not checked and not _plain_chars(text):
        return None
    folded = text.lower()
    for apostrophe in "’‘`":
        if apostrophe in folded:
            folded = folded.replace(apostrophe, "'")
    if len(folded) != len(text):
        return None
    if not folded:
        return Tokens(words=(), starts=np.empty(0, dtype=np.int64), ends=np.empty(0, dtype=np.int64))
    points = np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32)
    word_char = _ASCII_WORD[np.minimum(points, 128)]
    joins = points == _APOSTROPHE
    joins[0] = joins[-1] = False
    joins[1:-1] &= word_char[:-2] & word_char[2:]
    inside = word_char | joins
    # The words are the runs of word characters and joining apostrophes (all ASCII), which is what
    # the regex \w+(?:'\w+)* finds (the same words as _WORD on such texts): with every other
    # character made a space, str.split() cuts them out, several times faster than a regex scan.
    words = np.where(inside, points, 0x20).astype(np.uint8).tobytes().decode("ascii").split()
    if not words:
        return Tokens(words=(), starts=np.empty(0, dtype=np.int64), ends=np.empty(0, dtype=np.int64))
    step = np.diff(inside.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts = np.flatnonzero(step == 1)
    ends = np.flatnonzero(step == -1)
    after = points[ends[:-1]]
    breaks = np.flatnonzero((after == 0x2D) | (after == 0xAD) | (after == 0x2010) | (after == 0x2011))
    if len(breaks):
        keep = np.ones(len(words), dtype=bool)
        for k in breaks.tolist():
            if _HYPHEN_BREAK.match(text[ends[k] : starts[k + 1]]) and words[k + 1][:1].islower():
                keep[k + 1] = False
        if not keep.all():
            # Each dropped word joins the kept word before it: back to front, so runs chain.
            for k in np.flatnonzero(~keep)[::-1].tolist():
                words[k - 1] += words[k]
            words = list(compress(words, keep.tolist()))
            last = np.flatnonzero(keep)
            ends = ends[np.append(last[1:] - 1, len(keep) - 1)]
            starts = starts[keep]
    return Tokens(words=tuple(map(sys.intern, words)), starts=starts.astype(np.int64, copy=False),
                  ends=ends.astype(np.int64, copy=False))
