"""Whole pages that reprint a story among other stories: digests, briefings, old newspaper pages.

Run ``python benchmarks/gen_pages.py --seed 1 --out DIR [--quick] [--cer 0.03]``.

Every document is a page of several stories, each under its own headline, not one article:
a daily briefing, an aggregator's front page, a newspaper page. A family is one story (a
real article) that several pages reprint. Its first printing (present in 60% of families) is a
page of its own outlet, the story with 0-3 other stories; 2-6 other pages reprint it among
3-8 unrelated stories (each used once in the corpus), placed anywhere on the page, from the
first printing (60%) or from an earlier reprint (40%, keeping that reprint's cuts).
Operations: ``page-reprint`` (the story as its parent printed it), ``page-trim`` (the last
paragraphs cut), ``page-abridge`` (a middle paragraph dropped). The reprinted story is 5-15%
of each page, so nothing here is a copy by the share of the page it fills.

Hard negatives: pages of unrelated stories only, and pages carrying another story on the same
topic as a family's (``same-topic``). With ``--cer`` above 0 every page is scanned
(``gen_rewrite.scan``: character errors, narrow hyphenated lines, dropped lines).

Unlike ``simulate.py`` (one story per page in outlet furniture) and ``gen_excerpt.py`` (a few
paragraphs inside one article), here every text is mostly other text.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.gen_rewrite import NOISES, checked_noise, scan  # noqa: E402
from benchmarks.originals import Original  # noqa: E402
from benchmarks.simcorpus import SimCorpus, SimDoc  # noqa: E402
from benchmarks.textops import trim  # noqa: E402
from benchmarks.worldbase import WorldBuilder, body_of, checked_cer, checked_families, run_cli  # noqa: E402

DEFAULT_SIZES = (24, 24)
QUICK_SIZES = (6, 6)
P_PRESENT = 0.6
P_CHAIN = 0.4
P_DATED = 0.7
REPRINT_OPS = ("page-reprint", "page-trim", "page-abridge")
REPRINT_WEIGHTS = (0.5, 0.3, 0.2)
_PAGES = ("Morning Briefing", "The Daily Digest", "World in Brief", "Evening Roundup", "The Week's News",
          "Business Brief", "Front Page", "Regional Report", "News Summary", "The Gazette")


def _story(original: Original) -> list[str]:
    """A story as a page prints it: its headline, then its paragraphs."""
    return [original.title, *body_of(original)]


class _PagesWorld(WorldBuilder):
    def __init__(self, originals: list[Original], seed: int, cer: float, noise: str, crowd: int) -> None:
        super().__init__(originals, seed, P_DATED)
        self.cer, self.noise, self.crowd = cer, noise, crowd
        # The reprinted story as each page printed it (its reprints start from it).
        self.printed: dict[int, list[str]] = {}

    def fillers(self, low: int, high: int) -> list[list[str]]:
        return [_story(self.pool.take()) for _ in range(self.rng.randint(low, high))]

    def page(self, doc: SimDoc, story: list[str] | None, others: list[list[str]]) -> SimDoc:
        """Lay out ``others`` with ``story`` among them at a random place; scan it when asked."""
        at = self.rng.randint(0, len(others))
        stories = [*others[:at], *([story] if story else []), *others[at:]]
        text = [p for s in stories for p in s]
        if story is not None:
            self.printed[id(doc)] = story
            doc.source_text = story
        doc.body = scan(text, self.rng, self.cer, None, self.noise) if self.cer else text
        return self.add(doc)

    def new_doc(self, op: str, when: datetime, family: str | None = None, parent: SimDoc | None = None,
                present: bool = True) -> SimDoc:
        title = f"{self.rng.choice(_PAGES)}, {when:%d %B %Y}"
        return SimDoc(self.stem() if present else "", title, [], when, self.rng.choice(_PAGES), op,
                      family=family, parent=parent, dated=self.dated(), present=present)

    def family(self, index: int) -> None:
        original = self.pool.take()
        self.anchor = original
        name = f"story-{index:03d}"
        present = self.rng.random() < P_PRESENT
        source = self.new_doc("page-source", self.moment(), name, present=present)
        members = [self.page(source, _story(original), self.fillers(0, 3))]
        for _ in range(self.rng.randint(2, 6)):
            earlier = members[1:]
            parent = self.rng.choice(earlier) if earlier and self.rng.random() < P_CHAIN else members[0]
            members.append(self.reprint(parent))

    def reprint(self, parent: SimDoc) -> SimDoc:
        op = self.rng.choices(REPRINT_OPS, REPRINT_WEIGHTS)[0]
        headline, *story = self.printed[id(parent)]
        if op == "page-trim":
            story = trim(story, self.rng)
        elif op == "page-abridge" and len(story) >= 3:
            del story[self.rng.randrange(1, len(story) - 1)]
        doc = self.new_doc(op, parent.when + timedelta(hours=self.rng.uniform(2, 96)), parent.family, parent)
        return self.page(doc, [headline, *story], self.fillers(min(3, self.crowd), self.crowd))

    def negative(self) -> None:
        kind = self.rng.choice(("independent", "same-topic"))
        others = self.fillers(min(3, self.crowd), self.crowd)
        if kind == "same-topic" and self.anchor is not None:
            others.insert(self.rng.randint(0, len(others)), _story(self.pool.take_similar(self.anchor)))
        self.page(self.new_doc(kind, self.moment()), None, others)


def build(originals: list[Original], *, seed: int, quick: bool = False, cer: float = 0.0,
          noise: str = "letters", crowd: int = 8, families: int | None = None) -> SimCorpus:
    """Simulate pages that reprint stories among others (see the module docstring).

    Parameters
    ----------
    originals : list of Original
        De-duplicated real articles.
    seed : int
        Seed of the only random generator.
    quick : bool, default=False
        A small corpus.
    cer : float, default=0.0
        Character error rate of scanned pages, in [0, 0.5]; 0 leaves pages unscanned.
    noise : {"letters", "newsprint"}, default="letters"
        The scans' errors (``gen_rewrite.build``).
    families : int, optional
        Number of families (default 24, quick 6); as many hard-negative pages are added.

    Returns
    -------
    SimCorpus
        Documents and truth.

    Raises
    ------
    ValueError
        If ``cer``, ``noise`` or ``families`` is out of range.
    """
    n = checked_families(families, (QUICK_SIZES if quick else DEFAULT_SIZES)[0])
    world = _PagesWorld(originals, seed, checked_cer(cer), checked_noise(noise), crowd)
    for index in range(n):
        world.family(index)
    for _ in range(n):
        world.negative()
    return SimCorpus(world.docs, {"generator": "pages", "seed": seed, "families": n, "cer": cer,
                                      "noise": noise})


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cer", type=float, default=0.0, help="character error rate of scanned pages (0: not scanned)")
    parser.add_argument("--noise", choices=NOISES, default="letters", help="kind of scanning errors")
    parser.add_argument("--crowd", type=int, default=8, help="most other stories on a page")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; prints the path to trace."""
    return run_cli(__doc__, argv, build, sizes=(DEFAULT_SIZES[0], QUICK_SIZES[0]), extra=_options,
                   options=lambda args: {"cer": args.cer, "noise": args.noise, "crowd": args.crowd})


if __name__ == "__main__":
    raise SystemExit(main())
