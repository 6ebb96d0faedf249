"""How a newspaper's sub-editors rewrite agency copy: a multi-synonym table and sentence rewrites.

Unlike ``lexicon.SYNONYMS`` (a spinner's) and ``thesaurus.REWORDINGS`` (a blogger's), which give
one replacement per word, :data:`CHOICES` gives each word three or four and a rewriter picks one
at random, so two papers rewriting the same wire sentence rarely make the same change. It knows
about 600 words, the commonest of news copy among them (some of which those tables list too,
with their one choice). Proper nouns (a capital letter inside a sentence) and parts of
hyphenated words or of "AOL's" are never replaced.

* :func:`reword`: replace a number of words, or each replaceable word with a probability;
* :func:`light_rewrite`: drop a clause or an adjective, then replace one to three words;
* :func:`merge`: join a sentence and the next one;
* :func:`paraphrase`: move a clause, replace words up to 30-50% of the sentence's words (as
  many as the table knows, when it knows fewer), change number formats ("5%" -> "5 per cent");
* :func:`new_headline`: a paper's own headline over the story.

The table is ``data/subediting_choices.txt`` (:data:`CHOICES`).
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from benchmarks.textops import _match_case
from benchmarks.thesaurus import reformat_numbers, reword_clauses

CHOICES_FILE = Path(__file__).with_name("data") / "subediting_choices.txt"
"""The table, one word a line: ``word: replacement, replacement, ...`` (``#`` starts a comment)."""


def read_choices(path: Path = CHOICES_FILE) -> dict[str, tuple[str, ...]]:
    """Read a multi-synonym table.

    Parameters
    ----------
    path : Path, default=CHOICES_FILE
        Lines ``word: replacement, replacement, ...``; blank lines and ``#`` comments skipped.

    Returns
    -------
    dict of str to tuple of str
        Lower-case word -> its replacements, in file order.
    """
    table: dict[str, tuple[str, ...]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        word, sep, rest = line.partition(":")
        if sep and not line.startswith("#"):
            table[word.strip().lower()] = tuple(choice.strip() for choice in rest.split(","))
    return table


CHOICES: dict[str, tuple[str, ...]] = read_choices()
"""Word -> several replacements (lower-case keys), for sub-editors rewriting agency copy."""

ADJECTIVES: frozenset[str] = frozenset({
    "new", "major", "big", "former", "senior", "top", "leading", "key", "latest", "recent", "huge",
    "large", "small", "young", "local", "national", "international", "global", "annual", "current",
    "extra", "important", "significant", "serious", "strong", "popular", "successful", "controversial",
    "full", "early", "special", "main", "largest", "biggest", "massive", "substantial", "dramatic",
    "sharp", "rapid", "sudden", "fresh", "ongoing", "entire", "famous", "talented", "experienced",
})
"""Adjectives a sub-editor may drop before a noun."""

_TOKEN_RE = re.compile(r"([A-Za-z]+)")
# A word touching one of these is part of a longer one ("high-speed", "AOL's").
_JOINERS = ("-", "'", "’")
_RELATIVE_RE = re.compile(r", (?:which|who|whose|where) [^,.;\"]{3,90},(?= )")
_LEADING_RE = re.compile(r"^(?:However|Meanwhile|But|And|Indeed|Instead|Separately|Earlier|Now|Last \w+|This \w+|"
                         r"(?:In|On|At|After|Since|During|By) [\w'-]+(?: [\w'-]+){0,3}), (?=\S)")
_TRAILING_RE = re.compile(r", (?:adding|saying|according to|although|though|while|as|after|before|despite|but|"
                          r"including|with) [^,\"]{3,120}\.$")
_FRONTING_RE = re.compile(r"^(?P<main>[^,\"]{15,}?),? (?P<conj>because|as|after|before|when|while|although|since|"
                          r"until|despite|following) (?P<sub>[^,\"]{10,})\.$")
_QUOTES_RE = re.compile(r"[\"“”]")
_PLAIN_STARTS = frozenset({"the", "a", "an", "it", "he", "she", "they", "we", "this", "that", "these", "those",
                           "there", "its", "his", "her", "their", "our", "some", "many", "most", "all", "shares",
                           "sales", "prices", "profits"})
_HEADLINE_STOP = frozenset({"the", "a", "an", "of", "to", "and", "in", "for", "on", "with", "at", "by", "as",
                            "that", "has", "have", "is", "are", "was", "were", "its", "his", "her", "their"})


def _tokens(text: str) -> list[str]:
    """Text split so that odd items are words and even items what lies between them."""
    return _TOKEN_RE.split(text)


def _fix_article(pieces: list[str], word_index: int) -> None:
    """Make the "a"/"an" before the word at ``word_index`` agree with the word's first letter."""
    before = word_index - 2
    if before < 1 or pieces[before].lower() not in ("a", "an") or pieces[before + 1] != " ":
        return
    article = "an" if pieces[word_index][:1].lower() in "aeiou" else "a"
    pieces[before] = _match_case(pieces[before], article)


def _replaceable(pieces: list[str]) -> list[int]:
    """Indexes of the words :data:`CHOICES` knows, proper nouns left out (a capital after the first word)."""
    return [i for i in range(1, len(pieces), 2) if pieces[i].lower() in CHOICES
            and (i == 1 or not pieces[i][:1].isupper())
            and not pieces[i - 1].endswith(_JOINERS) and not pieces[i + 1].startswith(_JOINERS)]


def reword(text: str, rng: random.Random, *, count: int | None = None, rate: float | None = None) -> str:
    """Replace ``count`` words, or each replaceable word with probability ``rate``, by a random synonym.

    Parameters
    ----------
    text : str
        A sentence or a headline.
    rng : random.Random
        Chooses the words and, for each, one of its replacements.
    count : int, optional
        How many replaceable words to replace (fewer when the text has fewer).
    rate : float, optional
        Probability that one replaceable word is replaced (used when ``count`` is None).

    Returns
    -------
    str
        The text with the replacements, case kept, "a"/"an" agreeing.
    """
    pieces = _tokens(text)
    spots = _replaceable(pieces)
    if count is not None:
        chosen = sorted(rng.sample(spots, min(count, len(spots))))
    else:
        chosen = [i for i in spots if rng.random() < (rate or 0.0)]
    for i in chosen:
        pieces[i] = _match_case(pieces[i], rng.choice(CHOICES[pieces[i].lower()]))
        _fix_article(pieces, i)
    return "".join(pieces)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lowered(text: str) -> str:
    """Lower-case the first letter only when the first word is an ordinary one (not a name)."""
    first = text.split(" ", 1)[0]
    return text[:1].lower() + text[1:] if first.lower() in _PLAIN_STARTS else text


def _drop_adjective(sentence: str, rng: random.Random) -> str | None:
    pieces = _tokens(sentence)
    spots = [i for i in range(3, len(pieces) - 2, 2) if pieces[i] in ADJECTIVES and pieces[i + 1] == " "
             and pieces[i + 2][:1].islower()]
    if not spots:
        return None
    i = rng.choice(spots)
    del pieces[i:i + 2]
    _fix_article(pieces, i)
    return "".join(pieces)


def drop_clause(sentence: str, rng: random.Random) -> str:
    """Drop one clause (a relative clause, an opening or a closing phrase) or one adjective, if any can go."""
    options = []
    if (match := _RELATIVE_RE.search(sentence)) is not None:
        options.append(sentence[:match.start()] + sentence[match.end():])
    if (match := _LEADING_RE.match(sentence)) is not None:
        options.append(_capitalised(sentence[match.end():]))
    if (match := _TRAILING_RE.search(sentence)) is not None and match.start() > 20:
        options.append(sentence[:match.start()] + ".")
    if (adjective := _drop_adjective(sentence, rng)) is not None:
        options.append(adjective)
    return rng.choice(options) if options else sentence


def light_rewrite(sentence: str, rng: random.Random) -> str:
    """A sub-editor's light touch: a clause or an adjective dropped, one to three words replaced."""
    return reword(drop_clause(sentence, rng), rng, count=rng.randint(1, 3))


def front_clause(sentence: str) -> str:
    """Move a closing subordinate clause to the front: "A rose as B fell." -> "As B fell, a rose."."""
    match = _FRONTING_RE.match(sentence)
    if match is None:
        return sentence
    return f"{_capitalised(match['conj'])} {match['sub']}, {_lowered(match['main'])}."


def merge(first: str, second: str, rng: random.Random) -> str | None:
    """Join two sentences with "; " or ", and " (None when the first does not end in a full stop)."""
    if not first.endswith("."):
        return None
    return f"{first[:-1]}{rng.choice(('; ', ', and '))}{_lowered(second)}"


def paraphrase(sentence: str, rng: random.Random) -> str:
    """A paraphrase: a clause moved ("X, Y said." -> "Y said that x.", a closing clause fronted),
    words replaced (up to 30-50% of the sentence's words), number formats changed."""
    moved = reword_clauses(sentence, rng)
    if moved == sentence:
        moved = front_clause(sentence)
    reworded = reword(moved, rng, count=round(rng.uniform(0.3, 0.5) * len(moved.split())))
    return reformat_numbers(reworded, rng)


def new_headline(title: str, lead: str, rng: random.Random) -> str:
    """A paper's own headline: the old one reworded, or the start of the story's lead sentence."""
    if rng.random() < 0.5:
        reworded = reword(title, rng, rate=0.7)
        if reworded != title:
            return reworded
    plain = _QUOTES_RE.sub("", lead)
    clause = plain.split(",", 1)[0]
    words = (clause if len(clause.split()) >= 5 else plain).split()[: rng.randint(6, 10)]
    while len(words) > 3 and words[-1].lower().strip(".,;:") in _HEADLINE_STOP:
        words.pop()
    return " ".join(words).rstrip(".,;:")
