"""Text operations of the syndication simulator: how copies differ from their sources.

Every function takes paragraphs (a list of one-line strings) and a seeded
``random.Random`` and returns new paragraphs; none mutates its input.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from benchmarks.lexicon import HOUSE_STYLE, SYNONYMS, UK_TO_US

Paragraphs = list[str]

_SENTENCE_RE = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[\"“‘']?[A-Z0-9])")
_TOKEN_RE = re.compile(r"[A-Za-z]+")
_OCR_CONFUSIONS = (("rn", "m"), ("m", "rn"), ("l", "1"), ("1", "l"), ("e", "c"),
                   ("c", "e"), ("O", "0"), ("0", "O"))
US_TO_UK = {us: uk for uk, us in UK_TO_US.items()}


def split_sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences at ``.!?`` followed by a capital or digit."""
    pieces, start = [], 0
    for match in _SENTENCE_RE.finditer(paragraph):
        end = match.start() + len(match.group(0).rstrip())
        pieces.append(paragraph[start:end].strip())
        start = match.end()
    pieces.append(paragraph[start:].strip())
    return [p for p in pieces if p]


def _match_case(word: str, replacement: str) -> str:
    if word.isupper() and len(word) > 1:
        return replacement.upper()
    if word[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def replace_words(text: str, table: dict[str, str], rate: float, rng: random.Random) -> str:
    """Replace each word found in ``table`` with probability ``rate``, keeping its case.

    Parameters
    ----------
    text : str
        Input text.
    table : dict of str to str
        Lower-case word -> replacement.
    rate : float
        Probability that one replaceable occurrence is replaced.
    rng : random.Random
        Source of randomness.

    Returns
    -------
    str
        The text with replacements.
    """
    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        target = table.get(word.lower())
        if target is None or rng.random() >= rate:
            return word
        return _match_case(word, target)

    return _TOKEN_RE.sub(swap, text)


def trim(paragraphs: Paragraphs, rng: random.Random) -> Paragraphs:
    """Drop 20-60% of the paragraphs from the bottom (at least one dropped, one kept)."""
    n_drop = round(len(paragraphs) * rng.uniform(0.2, 0.6))
    n_keep = min(max(1, len(paragraphs) - max(1, n_drop)), len(paragraphs))
    return paragraphs[:n_keep]


def house_style(paragraphs: Paragraphs, spelling: str, swaps: tuple[str, ...]) -> Paragraphs:
    """Apply an outlet's house style: spelling ("uk" or "us") and phrase swaps."""
    table = UK_TO_US if spelling == "us" else US_TO_UK
    out = []
    for paragraph in paragraphs:
        text = replace_words(paragraph, table, 1.0, random.Random(0))
        for phrase in swaps:
            text = text.replace(phrase, HOUSE_STYLE[phrase])
        out.append(text)
    return out


def cut_sentence(paragraphs: Paragraphs, rng: random.Random) -> Paragraphs:
    """Delete one sentence (never the lead sentence); a paragraph if none has two."""
    split = [split_sentences(p) for p in paragraphs]
    choices = [i for i, sents in enumerate(split) if len(sents) >= 2]
    out = list(paragraphs)
    if choices:
        i = rng.choice(choices)
        sents = split[i]
        del sents[rng.randrange(1 if i == 0 else 0, len(sents))]
        out[i] = " ".join(sents)
    elif len(out) >= 3:
        del out[rng.randrange(1, len(out))]
    return out


def swap_paragraphs(paragraphs: Paragraphs, rng: random.Random) -> Paragraphs:
    """Swap two adjacent paragraphs after the first one."""
    out = list(paragraphs)
    if len(out) >= 3:
        i = rng.randrange(1, len(out) - 1)
        out[i], out[i + 1] = out[i + 1], out[i]
    return out


def spin(paragraphs: Paragraphs, rng: random.Random) -> tuple[Paragraphs, float]:
    """Content-farm spinning: swap 10-40% of replaceable words for rarer synonyms.

    Returns
    -------
    paragraphs : list of str
        The spun paragraphs.
    rate : float
        The replacement rate drawn, to spin the headline alike.
    """
    rate = rng.uniform(0.1, 0.4)
    return [replace_words(p, SYNONYMS, rate, rng) for p in paragraphs], rate


def embed(host: Paragraphs, source: Paragraphs, rng: random.Random) -> Paragraphs:
    """Partial reuse: 2-4 consecutive ``source`` paragraphs inside ``host`` paragraphs."""
    size = min(rng.randint(2, 4), len(source))
    start = rng.randrange(0, len(source) - size + 1)
    at = rng.randint(1, max(1, len(host) - 1))
    return host[:at] + source[start : start + size] + host[at:]


def insert_paragraph(paragraphs: Paragraphs, paragraph: str, rng: random.Random) -> Paragraphs:
    """Insert one paragraph at a random position after the lead."""
    at = rng.randint(1, max(1, len(paragraphs)))
    return paragraphs[:at] + [paragraph] + paragraphs[at:]


def quoted_sentence(paragraphs: Paragraphs, rng: random.Random) -> str | None:
    """Pick a sentence of 8-60 words, preferring one with a quotation or "said"."""
    sentences = [s for p in paragraphs for s in split_sentences(p) if 8 <= len(s.split()) <= 60]
    quoted = [s for s in sentences if re.search(r"[\"“]|\bsaid\b", s)]
    pool = quoted or sentences
    return rng.choice(pool) if pool else None


def typeset(paragraphs: Paragraphs) -> Paragraphs:
    """Typographic quotes, apostrophes and en dashes, as an agency's editing system sets them."""
    out = []
    for paragraph in paragraphs:
        text = re.sub(r'(^|[\s(\[])"', r"\1“", paragraph).replace('"', "”")
        text = re.sub(r"(\w)'(\w)", r"\1’\2", text)
        out.append(text.replace(" - ", " – "))
    return out


def retype(paragraphs: Paragraphs, rng: random.Random) -> tuple[Paragraphs, str]:
    """Typographic changes: curly <-> straight quotes or en-dash <-> hyphen.

    Returns
    -------
    paragraphs : list of str
        The changed paragraphs.
    kind : str
        ``"typo-quotes"`` or ``"typo-dashes"``.
    """
    text = "\x00".join(paragraphs)
    if rng.random() < 0.6:
        kind = "typo-quotes"
        if re.search(r"[“”‘’]", text):
            text = text.translate(str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"}))
        else:
            text = re.sub(r'(^|[\s(\[\x00])"', r"\1“", text)
            text = text.replace('"', "”").replace("'", "’")
    else:
        kind = "typo-dashes"
        text = text.replace(" – ", " - ") if " – " in text else text.replace(" - ", " – ")
    return text.split("\x00"), kind


def _confuse(word: str, rng: random.Random) -> str:
    options = [(a, b) for a, b in _OCR_CONFUSIONS if a in word]
    if not options:
        return word
    old, new = rng.choice(options)
    spots = [m.start() for m in re.finditer(re.escape(old), word)]
    at = rng.choice(spots)
    return word[:at] + new + word[at + len(old) :]


def _ocr_words(tokens: list[str], rng: random.Random, rate: float) -> list[str]:
    out: list[str] = []
    for token in tokens:
        roll = rng.random()
        if roll < rate:
            token = _confuse(token, rng)
        elif roll < rate + 0.006 and len(token) >= 6 and token.isalpha():
            cut = rng.randrange(2, len(token) - 2)
            token = token[:cut] + " " + token[cut:]
        elif roll < rate + 0.012 and out:
            token = out.pop() + token
        out.append(token)
    return out


def _wrap(tokens: list[str], width: int) -> str:
    lines, line = [], ""
    for token in tokens:
        if not line or len(line) + 1 + len(token) <= width:
            line = f"{line} {token}" if line else token
            continue
        room = width - len(line) - 2
        if len(token) >= 7 and token.isalpha() and room >= 3:
            cut = min(room, len(token) - 3)
            lines.append(f"{line} {token[:cut]}-")
            line = token[cut:]
        else:
            lines.append(line)
            line = token
    return "\n".join([*lines, line])


def _cut_ends(paragraphs: list[list[str]], head: int, tail: int) -> list[list[str]]:
    flat = [(i, tok) for i, para in enumerate(paragraphs) for tok in para]
    flat = flat[head : max(head + 1, len(flat) - tail)]
    out: list[list[str]] = [[] for _ in paragraphs]
    for i, tok in flat:
        out[i].append(tok)
    return [p for p in out if p]


def ocr(paragraphs: Paragraphs, rng: random.Random) -> Paragraphs:
    """Scanned-print copy: letter confusions, split/joined words, hyphenated line breaks.

    2-4% of words get an rn/m, l/1, e/c or O/0 confusion; the start and end are cut
    at random points; lines are broken every ~60 characters with end-of-line hyphens.
    """
    rate = rng.uniform(0.02, 0.04)
    tokens = [_ocr_words(p.split(), rng, rate) for p in paragraphs]
    tokens = _cut_ends(tokens, rng.randint(3, 30), rng.randint(3, 30))
    width = rng.randint(55, 65)
    return [_wrap(t, width) for t in tokens]


def ocr_line(text: str, rng: random.Random) -> str:
    """Apply OCR letter confusions (no wrapping) to a one-line text such as a headline."""
    return " ".join(_ocr_words(text.split(), rng, 0.03))


EDIT_STEPS: tuple[str, ...] = ("style", "cut", "swap", "lede")


def edit_steps(rng: random.Random) -> list[str]:
    """Choose the editing steps: one or two structural ones, house style in 60% of edits.

    A structural step (cut, swap or new lead) is always included, so an edit never leaves
    the text unchanged when the house style finds nothing to swap.
    """
    chosen = set(rng.sample(EDIT_STEPS[1:], rng.choice((1, 2))))
    if rng.random() < 0.6:
        chosen.add("style")
    return [step for step in EDIT_STEPS if step in chosen]


def apply_edit(paragraphs: Paragraphs, rng: random.Random, steps: list[str], *,
               style: Callable[[Paragraphs], Paragraphs], lede: str) -> Paragraphs:
    """Run the chosen editing steps: house style, cut a sentence, swap, new first paragraph."""
    out = list(paragraphs)
    for step in steps:
        if step == "style":
            out = style(out)
        elif step == "cut":
            out = cut_sentence(out, rng)
        elif step == "swap":
            out = swap_paragraphs(out, rng)
        elif step == "lede":
            out = [lede, *out]
    return out
