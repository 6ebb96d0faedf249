"""Human rewrites, and old newspapers reprinting each other through heavy OCR.

Run ``python benchmarks/gen_rewrite.py --seed 1 --out DIR [--quick] [--ocr [--cer 0.10]]``.

``rewrite`` world (default): bloggers and small sites rewrite stories by hand. A source
article (present in 60% of families) has 2-6 copies; 40% of copies are taken from an earlier
copy and keep its changes (copies of copies). Operations:

* ``rewrite``: neighbouring sentences swapped (30% of pairs, across paragraph ends),
  adjacent sentences merged ("; ", ", and ") and long ones split, clauses moved ("X, Y
  said." -> "Y said that x."; a leading "In 2004, ..." moved to the end), 30-60% of the
  words of a rewriter's thesaurus
  replaced (``thesaurus.py``, other words than ``lexicon.py``), number formats changed
  ("5 per cent" <-> "5%", "2m" -> "2 million", "1,000" -> "1000", "3" -> "three"), and
  the paragraphs broken anew;
* ``rewrite-light``: number formats, 5-10% of the words and a clause moved;
* ``reprint``: the parent's text on another site.

Pages are blog-like ("Posted by ...", "Share this:", comment counts), not the outlets of
``simulate.py``. Hard negatives: unrelated posts and same-topic posts.

``ocr`` world (``--ocr``): 19th-century papers reprint each other and every page, the
source's included, is scanned. A printed source (present in 70% of families) has 2-6
reprints (``reprint``, ``trim``, ``abridge``: a middle paragraph dropped; 40% taken from an
earlier reprint). Each printed text is then scanned: ``--cer`` (default 10%) of letters
confused (e/c, h/b, rn/m, ...), dropped or doubled, lines 28-42 characters wide with
line-end hyphens, 3% of lines dropped, and on half the pages a column break interleaving
the story with a neighbouring column of another article in runs of 3-8 lines. A reprint's
text comes from its parent's *printed* text, so it inherits the parent's cuts, never its
scanning errors.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.originals import Original  # noqa: E402
from benchmarks.outlets import Outlet, furnish  # noqa: E402
from benchmarks.simcorpus import SimCorpus, SimDoc  # noqa: E402
from benchmarks.textops import replace_words, split_sentences, trim  # noqa: E402
from benchmarks.thesaurus import (  # noqa: E402
    REWORDINGS,
    merge_sentences,
    reformat_numbers,
    reword_clauses,
    split_sentence,
)
from benchmarks.worldbase import WorldBuilder, body_of, checked_cer, checked_families, run_cli, unsplit  # noqa: E402

DEFAULT_SIZES = (40, 40)
QUICK_SIZES = (10, 10)
CER_DEFAULT = 0.10
P_CHAIN = 0.4
P_DATED = 0.6
REWRITE_OPS = ("rewrite", "rewrite-light", "reprint")
REWRITE_WEIGHTS = (0.5, 0.3, 0.2)
PRINT_OPS = ("reprint", "trim", "abridge")
PRINT_WEIGHTS = (0.45, 0.35, 0.2)
OCR_START = datetime(1871, 3, 1, tzinfo=UTC)
_CONFUSIONS = {"e": "co", "c": "eo", "h": "bn", "n": "uh", "u": "n", "i": "l1", "l": "i1",
               "t": "f", "f": "t", "a": "o", "o": "ae", "s": "5", "m": "n", "r": "n", "b": "h",
               "d": "cl", "g": "q", "E": "F", "O": "Q", "I": "l", "S": "8"}
_LETTERS = "etaoinshrdlu"
# Old newsprint: one letter read as two and two as one, marks misread, words run together or split.
_AS_TWO = {"m": "rn", "w": "vv", "d": "cl", "h": "li", "n": "ri", "u": "ii", "k": "lc"}
_AS_ONE = {"rn": "m", "cl": "d", "vv": "w", "li": "h", "ri": "n"}
_MARKS = ".,;:'\""
_CASE_SLIPS = {"l": "I", "I": "l", "o": "O", "O": "0", "s": "S", "c": "C", "1": "l", "0": "O"}
NOISES = ("letters", "newsprint")

BLOGS: tuple[Outlet, ...] = (
    Outlet("The Curious Reader", "", ("Posted by admin", "{published}"),
           ("Share this: Twitter Facebook", "Like this: Like Loading...", "{related}"), spelling="us",
           furniture_prob=0.8),
    Outlet("World Affairs Digest", "", ("World Affairs Digest", "Filed under: News"),
           ("3 Comments", "Leave a reply", "Your email address will not be published."), spelling="uk",
           furniture_prob=0.7),
    Outlet("ThinkPiece Daily", "", ("ThinkPiece Daily > Opinion", "Last modified {updated}"),
           ("Tags: news, analysis", "Related posts", "{related}"), spelling="us", furniture_prob=0.75),
)
PAPERS: tuple[Outlet, ...] = (
    Outlet("The Weekly Argus", "", ("THE WEEKLY ARGUS.", "{published}"), ()),
    Outlet("Morning Chronicle", "", ("MORNING CHRONICLE.", "LOCAL AND GENERAL NEWS."), ()),
    Outlet("The County Standard", "", ("THE COUNTY STANDARD.",), ("Printed and published by the proprietors.",)),
    Outlet("Evening Star and Advertiser", "", ("EVENING STAR AND ADVERTISER.", "{published}"), ()),
    Outlet("The Farmer's Gazette", "", ("THE FARMER'S GAZETTE.",), ()),
)


def _swap_neighbours(sentences: list[str], rng: random.Random, rate: float) -> list[str]:
    """Swap adjacent sentences, each pair with probability ``rate`` (a local reordering)."""
    out = list(sentences)
    i = 0
    while i < len(out) - 1:
        if rng.random() < rate:
            out[i], out[i + 1] = out[i + 1], out[i]
            i += 1
        i += 1
    return out


def rewrite(paragraphs: list[str], rng: random.Random, heavy: bool) -> list[str]:
    """A human rewrite (see the module docstring); ``heavy`` for ``rewrite``, else ``rewrite-light``.

    A heavy rewrite works on the story's sentences across paragraph ends (news paragraphs
    are often one sentence long), then breaks the result into paragraphs of its own.
    """
    rate = rng.uniform(0.3, 0.6) if heavy else rng.uniform(0.05, 0.1)
    if heavy:
        sentences = _swap_neighbours([s for p in paragraphs for s in split_sentences(p)], rng, 0.3)
        sentences = [piece for s in sentences for piece in (split_sentence(s) if rng.random() < 0.5 else [s])]
        sentences = [reword_clauses(s, rng) for s in merge_sentences(sentences, rng, 0.2)]
        text = [reformat_numbers(replace_words(s, REWORDINGS, rate, rng), rng) for s in sentences]
        return unsplit(text, rng.randint(1, 3))
    out, moved = [], False
    for paragraph in paragraphs:
        sentences = split_sentences(paragraph)
        if not moved:
            changed = [reword_clauses(s, rng) for s in sentences]
            moved, sentences = changed != sentences, changed
        out.append(reformat_numbers(replace_words(" ".join(sentences), REWORDINGS, rate, rng), rng))
    return out


def scan_errors(text: str, rng: random.Random, cer: float) -> str:
    """Character errors of an OCR engine at rate ``cer``: confusions (60%), drops, doubles, strays."""
    out = []
    for char in text:
        if not char.isalnum() or rng.random() >= cer:
            out.append(char)
            continue
        roll = rng.random()
        if roll < 0.6:
            out.append(rng.choice(_CONFUSIONS.get(char, _LETTERS)))
        elif roll < 0.8:
            continue
        elif roll < 0.9:
            out.append(char + char)
        else:
            out.append(char + rng.choice(_LETTERS))
    return "".join(out)


def newsprint_errors(text: str, rng: random.Random, cer: float) -> str:
    """OCR of old newsprint: ``scan_errors`` plus the errors that change a text's words and marks.

    Each page's rate varies around ``cer`` (ink, paper and type differ from page to page). Beyond
    one letter confused, dropped or doubled: one letter read as two ("m" -> "rn") and two as one,
    case slips ("l" -> "I"), words run together (a space lost) or split (one read inside a
    word), and punctuation misread or lost.
    """
    rate = min(0.5, cer * math.exp(rng.gauss(0.0, 0.5)))
    out: list[str] = []
    index = 0
    while index < len(text):
        char, pair = text[index], text[index:index + 2]
        index += 1
        if pair in _AS_ONE and rng.random() < rate:
            out.append(_AS_ONE[pair])
            index += 1
        elif char == " ":
            if rng.random() >= rate * 0.3:
                out.append(char)
        elif char in _MARKS:
            roll = rng.random()
            if roll >= rate * 2:
                out.append(char)
            elif roll < rate:
                out.append(rng.choice(_MARKS))
        elif not char.isalnum() or rng.random() >= rate:
            out.append(char)
        else:
            roll = rng.random()
            if roll < 0.45:
                out.append(rng.choice(_CONFUSIONS.get(char, _LETTERS)))
            elif roll < 0.6:
                out.append(_AS_TWO.get(char) or _CASE_SLIPS.get(char) or rng.choice(_LETTERS))
            elif roll < 0.7:
                out.append(_CASE_SLIPS.get(char, char.swapcase()))
            elif roll < 0.8:
                out.append(char + " ")
            elif roll < 0.9:
                continue
            else:
                out.append(char + char)
    return "".join(out)


_NOISE = {"letters": scan_errors, "newsprint": newsprint_errors}


def checked_noise(noise: str) -> str:
    """A kind of scanning errors, one of :data:`NOISES`.

    Raises
    ------
    ValueError
        If ``noise`` is unknown.
    """
    if noise not in NOISES:
        raise ValueError(f"The 'noise' parameter must be one of {', '.join(NOISES)}. Got {noise!r} instead.")
    return noise


def _lines(paragraph: str, width: int) -> list[str]:
    """Break into lines of at most ``width`` characters, hyphenating long words at line ends."""
    lines, line = [], ""
    for word in paragraph.split():
        if not line or len(line) + 1 + len(word) <= width:
            line = f"{line} {word}" if line else word
            continue
        room = width - len(line) - 2
        if len(word) >= 6 and room >= 3:
            lines.append(f"{line} {word[:room]}-")
            line = word[room:]
        else:
            lines.append(line)
            line = word
    return [*lines, line] if line else lines


def scan(paragraphs: list[str], rng: random.Random, cer: float, neighbour: list[str] | None,
         noise: str = "letters") -> list[str]:
    """A scanned page: errors, narrow hyphenated lines, dropped lines, an interleaved column.

    ``noise`` is ``"letters"`` (:func:`scan_errors`) or ``"newsprint"`` (:func:`newsprint_errors`).
    """
    width = rng.randint(28, 42)
    columns = [[ln for p in paragraphs for ln in _lines(p, width) + [""]]]
    if neighbour:
        columns.append([ln for p in neighbour for ln in _lines(p, width)])
    lines: list[str] = []
    story, other = columns[0], (columns[1] if len(columns) > 1 else [])
    while story:
        run = rng.randint(3, 8)
        lines.extend(story[:run])
        story = story[run:]
        if other and rng.random() < 0.5:
            lines.extend(other[:run])
            other = other[run:]
    kept = [ln for ln in lines if not ln or rng.random() >= 0.03]
    text = _NOISE[noise]("\n".join(kept), rng, cer)
    return [block.strip() for block in text.split("\n\n") if block.strip()]


class _RewriteWorld(WorldBuilder):
    def __init__(self, originals: list[Original], seed: int, ocr: bool, cer: float, noise: str) -> None:
        super().__init__(originals, seed, P_DATED)
        self.ocr, self.cer, self.noise = ocr, cer, noise
        # The printed (clean) text of each document, which its reprints start from.
        self.printed: dict[int, list[str]] = {}

    def start(self) -> datetime:
        if self.ocr:
            return OCR_START + timedelta(days=self.rng.randrange(3 * 365))
        return self.moment()

    def page(self, doc: SimDoc, outlet: Outlet, text: list[str]) -> SimDoc:
        """Render ``text`` as ``outlet``'s page: scanned in the OCR world, a blog page otherwise."""
        self.printed[id(doc)] = text
        if self.ocr:
            doc.source_text = text
            neighbour = list(self.pool.take().paragraphs) if self.rng.random() < 0.5 else None
            header = [ln.format(published=f"{doc.when:%B %d, %Y}".upper()) for ln in outlet.header]
            doc.body = scan([*header, *text, *outlet.footer], self.rng, self.cer, neighbour, self.noise)
            doc.title = _NOISE[self.noise](doc.title.upper() if self.rng.random() < 0.5 else doc.title,
                                           self.rng, self.cer)
        else:
            doc.body = text
            doc.page = furnish(outlet, doc.when, self.related(), self.rng)
        return self.add(doc)

    def family(self, index: int) -> None:
        original = self.pool.take()
        self.anchor = original
        name = f"family-{index:03d}"
        outlets = PAPERS if self.ocr else BLOGS
        present = self.rng.random() < (0.7 if self.ocr else 0.6)
        outlet = self.rng.choice(outlets)
        source = SimDoc(self.stem() if present else "", original.title, [], self.start(),
                        outlet.name, "source", family=name, dated=self.dated(), present=present)
        members = [self.page(source, outlet, body_of(original))]
        for _ in range(self.rng.randint(2, 6)):
            earlier = members[1:]
            parent = (self.rng.choice(earlier) if earlier and self.rng.random() < P_CHAIN
                      else members[0])
            members.append(self.copy(parent, outlets))

    def copy(self, parent: SimDoc, outlets: tuple[Outlet, ...]) -> SimDoc:
        ops, weights = (PRINT_OPS, PRINT_WEIGHTS) if self.ocr else (REWRITE_OPS, REWRITE_WEIGHTS)
        op = self.rng.choices(ops, weights)[0]
        text = list(self.printed[id(parent)])
        if op == "trim":
            text = trim(text, self.rng)
        elif op == "abridge" and len(text) >= 3:
            del text[self.rng.randrange(1, len(text) - 1)]
        elif op in ("rewrite", "rewrite-light"):
            text = rewrite(text, self.rng, heavy=op == "rewrite")
        outlet = self.rng.choice([o for o in outlets if o.name != parent.outlet])
        delay = timedelta(days=self.rng.uniform(1, 40)) if self.ocr else timedelta(minutes=self.rng.uniform(30, 4000))
        title = parent.title
        if op == "rewrite" and self.rng.random() < 0.5:
            # A rewriter often retitles the post as well.
            title = replace_words(title, REWORDINGS, 0.6, self.rng)
        doc = SimDoc(self.stem(), title, [], parent.when + delay, outlet.name, op,
                     family=parent.family, parent=parent, dated=self.dated())
        return self.page(doc, outlet, text)

    def independent(self) -> None:
        kind = self.rng.choice(("independent", "same-topic"))
        original = (self.pool.take_similar(self.anchor) if kind == "same-topic" and self.anchor
                    else self.pool.take())
        outlet = self.rng.choice(PAPERS if self.ocr else BLOGS)
        doc = SimDoc(self.stem(), original.title, [], self.start(), outlet.name, kind, dated=self.dated())
        self.page(doc, outlet, body_of(original))


def build(originals: list[Original], *, seed: int, quick: bool = False, ocr: bool = False,
          cer: float = CER_DEFAULT, noise: str = "letters", families: int | None = None) -> SimCorpus:
    """Simulate human rewrites, or (``ocr``) scanned reprints (see the module docstring).

    Parameters
    ----------
    originals : list of Original
        De-duplicated real articles.
    seed : int
        Seed of the only random generator.
    quick : bool, default=False
        A small corpus.
    ocr : bool, default=False
        The scanned-newspaper world instead of the rewrite world.
    cer : float, default=0.10
        Character error rate of the scans, in [0, 0.5].
    noise : {"letters", "newsprint"}, default="letters"
        The scans' errors: letters confused, dropped or doubled; or ``"newsprint"``, which also
        runs words together, splits them, reads one letter as two and misreads punctuation,
        at a rate varying from page to page.
    families : int, optional
        Number of families (default 40, quick 10); as many hard negatives are added.

    Returns
    -------
    SimCorpus
        Documents and truth.

    Raises
    ------
    ValueError
        If ``cer``, ``noise`` or ``families`` is out of range.
    """
    sizes = QUICK_SIZES if quick else DEFAULT_SIZES
    n = checked_families(families, sizes[0])
    world = _RewriteWorld(originals, seed, ocr, checked_cer(cer), checked_noise(noise))
    for index in range(n):
        world.family(index)
    for _ in range(sizes[1] if families is None else n):
        world.independent()
    meta = {"generator": "ocr" if ocr else "rewrite", "seed": seed, "families": n}
    if ocr:
        meta.update(cer=cer, noise=noise)
    return SimCorpus(world.docs, meta)


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ocr", action="store_true", help="scanned reprints instead of human rewrites")
    parser.add_argument("--cer", type=float, default=CER_DEFAULT, help="character error rate of --ocr scans")
    parser.add_argument("--noise", choices=NOISES, default="letters", help="kind of scanning errors")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; prints the path to trace."""
    return run_cli(__doc__, argv, build, sizes=(DEFAULT_SIZES[0], QUICK_SIZES[0]), extra=_options,
                   options=lambda args: {"ocr": args.ocr, "cer": args.cer, "noise": args.noise})


if __name__ == "__main__":
    raise SystemExit(main())
