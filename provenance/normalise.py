"""Stage 2, normalise: Article text -> Tokens (folded words with original offsets).

Matching happens on folded words (Unicode NFKC, case-folded, typographic
quotes, dashes and ligatures unified, line-end hyphenation undone), while each
token keeps the character offsets of the original text, so reports can show
exactly what the article said.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np

from .model import Tokens

__all__ = ["tokenize", "fold_word", "fold_text", "gap_signature"]

# A word: letters/digits, with inner apostrophes ("don't", "Moscow’s") and
# inner hyphens kept out (hyphenated compounds match their spaced variants).
# Chinese and Japanese are written without spaces: each character is a token.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]|(?:(?![{_CJK}])\w)+(?:['’‘`´](?:(?![{_CJK}])\w)+)*", re.UNICODE)
# Line-end hyphenation as OCR and print produce it: "syndi-\n cation".
_HYPHEN_BREAK = re.compile(r"^[-\u00ad\u2010\u2011]\s*\n\s*$")
_HYPHENS = frozenset("-\u00ad\u2010\u2011")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
# Folding of typographic variants for whole-text comparison (lines, gaps).
_TYPOGRAPHY = str.maketrans(
    {
        "“": '"', "”": '"', "„": '"', "«": '"', "»": '"',
        "’": "'", "‘": "'", "`": "'", "´": "'",
        "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-",
        "\u00a0": " ", "\u00ad": "",
    }
)
_SPACE = re.compile(r"\s+")


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
    return unicodedata.normalize("NFKC", word).translate(_APOSTROPHES).casefold()


def fold_text(text: str) -> str:
    """Fold a stretch of text (a line, a sentence) for exact comparison.

    Examples
    --------
    >>> fold_text("  “Read  more:”  ")
    '"read more:"'
    """
    folded = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY).casefold()
    return _SPACE.sub(" ", folded).strip()


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
        words=tuple(words),
        starts=np.asarray(starts, dtype=np.int64),
        ends=np.asarray(ends, dtype=np.int64),
    )
