"""Newspapers rewriting a news agency's copy, as UK papers rewrite Press Association stories.

Run ``python benchmarks/gen_press.py --seed 1 --out DIR [--quick] [--layout txt|jsonl]``.

The world: a news agency (the Press Association) files a story and three to seven papers
(invented national and regional titles, each with its own page furniture and reporters) run
their versions of it, each in its own words; some only quote it.

* **The wire** (``source``): the first 40-80% of an original's paragraphs, bare (no furniture),
  on half the stories with the agency's dateline ("LONDON (PA) - "). In the folder for 75% of
  stories; otherwise absent, and its copies' parent is ``@absent-source`` (a story whose wire
  is absent has at least two derived versions, as an absent source has at least two copies in
  the other worlds).
* **wholly-derived** (45% of versions): rewritten sentence by sentence: 35% of the sentences
  kept verbatim, 45% lightly rewritten (a clause or an adjective dropped, one to three words
  replaced), 20% paraphrased (a clause moved, half of them merged with the next sentence,
  words replaced up to 30-50% of the sentence's); 0-20% of the sentences after the lead
  dropped (``cut`` in ``mods``); the lead first, the rest in new paragraphs of one to three
  sentences; a new headline; 0-2 paragraphs of the paper's own inserted, background from an
  unused original of the story's BBC category (``background``). Words are replaced from
  ``subediting.CHOICES``, three or four choices per word picked at random, so two papers
  rarely make the same replacement.
* **partially-derived** (30%): the paper's own story (the first 50-80% of another unused
  original of the category) with two to five sentences of its parent woven in, each verbatim
  or lightly rewritten, as paragraphs of their own or at the end of one of the paper's.
* **Copies of copies**: 20% of derived versions take an earlier paper's derived version
  as their parent instead of the wire and do the same to its text, so they inherit its
  rewording, cuts and own paragraphs.
* **non-derived** (25%, hard negatives): the paper's own story on the event (another unused
  original of the category) quoting one or two of the wire's direct quotations (sentences
  with a quotation and "said" or the like), or, when the wire has none, one of its sentences
  in quotation marks with a credit ("..., the Press Association reported."). Family and
  parent null; ``partial_of`` names the wire (``@absent-source`` when it is not in the folder).
* **Independent articles** (``independent``; one for every three stories): unrelated
  originals, 70% a paper's own story, 30% an agency story no paper used.

Papers print a byline ("By <reporter>") on 80% of their pages; 60% of documents carry their
publication time; a version follows its parent (a non-derived story the wire) by 1-20 hours.
Every truth row has ``story`` (the agency story it belongs to or quotes, null for independent
articles). The papers (furniture as in ``outlets.py``, reporters) are ``data/press_papers.json``.
"""

from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.originals import Original  # noqa: E402
from benchmarks.outlets import Outlet, furnish  # noqa: E402
from benchmarks.simcorpus import SimCorpus, SimDoc  # noqa: E402
from benchmarks.subediting import light_rewrite, merge, new_headline, paraphrase  # noqa: E402
from benchmarks.textops import insert_paragraph, split_sentences  # noqa: E402
from benchmarks.worldbase import WorldBuilder, body_of, checked_families, run_cli  # noqa: E402

DEFAULT_FAMILIES = 36
QUICK_FAMILIES = 10
AGENCY = "Press Association"
P_WIRE_PRESENT = 0.75
P_DATELINE = 0.5
P_DATED = 0.6
# Of derived versions with an earlier one to take: about 20% of all derived versions.
P_CHAIN = 0.28
P_BYLINE = 0.8
P_UNUSED_WIRE = 0.3
KINDS = ("wholly-derived", "partially-derived", "non-derived")
KIND_WEIGHTS = (0.45, 0.3, 0.25)
DERIVED = frozenset(KINDS[:2])
#: What a wholly-derived version does with each wire sentence it keeps.
TREATMENTS = ("verbatim", "light", "paraphrase")
TREATMENT_WEIGHTS = (0.35, 0.45, 0.2)
P_MERGE = 0.5
_CITIES = ("LONDON", "LONDON", "LONDON", "MANCHESTER", "BIRMINGHAM", "LEEDS", "GLASGOW", "EDINBURGH",
           "CARDIFF", "BELFAST")
_QUOTATION_RE = re.compile(r"[\"“][^\"“”]{10,}[\"”]")
_SAID_RE = re.compile(r"\b(?:said|says|added|told|explained|insisted|warned|admitted|claimed|argued)\b")
PAPERS_FILE = Path(__file__).with_name("data") / "press_papers.json"
_CREDITS = ('"{s}," the Press Association reported.', 'The Press Association reported: "{s}."',
            '"{s}," PA said.')


@dataclass(frozen=True)
class Paper:
    """A newspaper: its page template and the reporters its bylines name."""

    outlet: Outlet
    staff: tuple[str, ...]


def read_papers(path: Path = PAPERS_FILE) -> tuple[Paper, ...]:
    """Read the papers: a JSON list of :class:`outlets.Outlet` fields plus ``staff`` (reporters' names)."""
    papers = []
    for row in json.loads(path.read_text(encoding="utf-8")):
        fields = {key: tuple(value) if isinstance(value, list) else value for key, value in row.items()}
        staff = fields.pop("staff")
        papers.append(Paper(Outlet(**fields), staff))
    return tuple(papers)


PAPERS: tuple[Paper, ...] = read_papers()
"""The papers; every version of one story is in a different one."""


def rewrite_sentences(sentences: list[str], rng: random.Random) -> tuple[list[str], int]:
    """Rewrite a story sentence by sentence (see the module docstring); the lead is never dropped.

    Parameters
    ----------
    sentences : list of str
        The parent's sentences, in order.
    rng : random.Random
        Decides what happens to each sentence.

    Returns
    -------
    sentences : list of str
        The rewritten sentences, in their order.
    dropped : int
        How many sentences were left out.
    """
    p_drop = rng.uniform(0.0, 0.2)
    out: list[str] = []
    dropped, i = 0, 0
    while i < len(sentences):
        sentence = sentences[i]
        i += 1
        if out and rng.random() < p_drop:
            dropped += 1
            continue
        treatment = rng.choices(TREATMENTS, TREATMENT_WEIGHTS)[0]
        if treatment == "light":
            sentence = light_rewrite(sentence, rng)
        elif treatment == "paraphrase":
            if i < len(sentences) and rng.random() < P_MERGE and (merged := merge(sentence, sentences[i], rng)):
                sentence, i = merged, i + 1
            sentence = paraphrase(sentence, rng)
        out.append(sentence)
    return out, dropped


def regroup(sentences: list[str], rng: random.Random) -> list[str]:
    """The lead sentence as the first paragraph, the rest in paragraphs of one to three sentences."""
    out, rest = sentences[:1], sentences[1:]
    while rest:
        size = rng.randint(1, 3)
        out.append(" ".join(rest[:size]))
        rest = rest[size:]
    return out


def weave(own: list[str], taken: list[str], rng: random.Random) -> list[str]:
    """Set ``taken`` sentences, in their order, after the lead of ``own``: each a paragraph of its
    own, or (30%) at the end of the paragraph before it."""
    slots = sorted(rng.randint(1, len(own)) for _ in taken)
    out: list[str] = []
    queue = list(zip(slots, taken, strict=True))
    for position, paragraph in enumerate(own, start=1):
        out.append(paragraph)
        while queue and queue[0][0] == position:
            sentence = queue.pop(0)[1]
            if rng.random() < 0.3:
                out[-1] = f"{out[-1]} {sentence}"
            else:
                out.append(sentence)
    return out


def _share(paragraphs: list[str], rng: random.Random) -> list[str]:
    """The first paragraphs, until they hold 50-80% of the words."""
    target = rng.uniform(0.5, 0.8) * sum(len(p.split()) for p in paragraphs)
    out: list[str] = []
    count = 0
    for paragraph in paragraphs:
        if out and count >= target:
            break
        out.append(paragraph)
        count += len(paragraph.split())
    return out


def _sentences(paragraphs: list[str]) -> list[str]:
    return [s for p in paragraphs for s in split_sentences(p)]


def _taken(paragraphs: list[str], rng: random.Random) -> list[str]:
    """Two to five sentences of a story (of 8 words or more when it has two), in their order,
    each verbatim or lightly rewritten."""
    sentences = _sentences(paragraphs)
    long = [s for s in sentences if len(s.split()) >= 8]
    pool = long if len(long) >= 2 else sentences
    picked = sorted(rng.sample(range(len(pool)), min(rng.randint(2, 5), len(pool))))
    return [pool[i] if rng.random() < 0.5 else light_rewrite(pool[i], rng) for i in picked]


def quotations(paragraphs: list[str], rng: random.Random) -> list[str]:
    """One or two direct quotations of a story, or one of its sentences quoted with a credit."""
    sentences = _sentences(paragraphs)
    direct = [s for s in sentences if _QUOTATION_RE.search(s) and _SAID_RE.search(s)]
    if direct:
        picked = sorted(rng.sample(range(len(direct)), min(rng.randint(1, 2), len(direct))))
        return [direct[i] for i in picked]
    long = [s for s in sentences if len(s.split()) >= 8] or sentences
    return [rng.choice(_CREDITS).format(s=rng.choice(long).rstrip("."))]


class _PressWorld(WorldBuilder):
    def __init__(self, originals: list[Original], seed: int) -> None:
        super().__init__(originals, seed, P_DATED)
        # The story text of each document (no dateline, no byline): what its copies start from.
        self.printed: dict[int, list[str]] = {}

    def publish(self, doc: SimDoc, paper: Paper, text: list[str]) -> SimDoc:
        """Print ``text`` on ``paper``'s page, with a byline on most."""
        self.printed[id(doc)] = doc.body = text
        page = furnish(paper.outlet, doc.when, self.related(), self.rng)
        if self.rng.random() < P_BYLINE:
            page = replace(page, header=(*page.header, f"By {self.rng.choice(paper.staff)}"))
        doc.page = page
        return self.add(doc)

    def wire(self, original: Original, family: str | None, present: bool = True) -> SimDoc:
        """The agency's story: the top of ``original``, bare, with its dateline on half."""
        paragraphs = list(original.paragraphs)
        text = paragraphs[: max(2, round(len(paragraphs) * self.rng.uniform(0.4, 0.8)))]
        body = list(text)
        if self.rng.random() < P_DATELINE:
            city = original.dateline.split(",")[0].upper() if original.dateline else self.rng.choice(_CITIES)
            body[0] = f"{city} (PA) - {body[0]}"
        doc = SimDoc(self.stem() if present else "", original.title, body, self.moment(), AGENCY,
                     "source" if family else "independent", family=family, dated=self.dated(),
                     present=present, extra={"story": family})
        self.printed[id(doc)] = text
        return self.add(doc)

    def story(self, index: int) -> None:
        original = self.pool.take()
        self.anchor = original
        name = f"story-{index:03d}"
        present = self.rng.random() < P_WIRE_PRESENT
        wire = self.wire(original, name, present)
        kinds = self.kinds(present)
        derived: list[SimDoc] = []
        for kind, paper in zip(kinds, self.rng.sample(PAPERS, len(kinds)), strict=True):
            if kind == "non-derived":
                self.quoting(wire, paper)
                continue
            parent = self.rng.choice(derived) if derived and self.rng.random() < P_CHAIN else wire
            derived.append(self.version(kind, parent, paper))

    def kinds(self, present: bool) -> list[str]:
        """The kinds of 3-7 versions; drawn again until two are derived when the wire is absent."""
        n = self.rng.randint(3, 7)
        while True:
            kinds = self.rng.choices(KINDS, KIND_WEIGHTS, k=n)
            if present or sum(k in DERIVED for k in kinds) >= 2:
                return kinds

    def version(self, kind: str, parent: SimDoc, paper: Paper) -> SimDoc:
        """A derived version of ``parent``'s text in ``paper``."""
        source = self.printed[id(parent)]
        mods: list[str] = []
        if kind == "wholly-derived":
            sentences, dropped = rewrite_sentences(_sentences(source), self.rng)
            mods += ["cut"] if dropped else []
            text = self.background(regroup(sentences, self.rng), mods)
            title = new_headline(parent.title, sentences[0], self.rng)
        else:
            own = self.pool.take_similar(self.anchor)
            text = weave(_share(list(own.paragraphs), self.rng), _taken(source, self.rng), self.rng)
            title = own.title
        doc = SimDoc(self.stem(), title, [], self.later(parent.when, 60, 1200), paper.outlet.name, kind,
                     family=parent.family, parent=parent, dated=self.dated(), mods=mods,
                     extra={"story": parent.family})
        return self.publish(doc, paper, text)

    def background(self, text: list[str], mods: list[str]) -> list[str]:
        """Insert 0-2 paragraphs of the paper's own, from an unused original of the story's category."""
        count = self.rng.randint(0, 2)
        if not count:
            return text
        paragraphs = list(self.pool.take_similar(self.anchor).paragraphs)
        start = self.rng.randrange(1, max(2, len(paragraphs) - count + 1))
        for paragraph in paragraphs[start:start + count] or paragraphs[:count]:
            text = insert_paragraph(text, paragraph, self.rng)
        mods.append("background")
        return text

    def quoting(self, wire: SimDoc, paper: Paper) -> SimDoc:
        """The paper's own story on the event, quoting the wire: no family, no parent."""
        own = self.pool.take_similar(self.anchor)
        text = body_of(own)
        for quotation in quotations(self.printed[id(wire)], self.rng):
            text = insert_paragraph(text, quotation, self.rng)
        doc = SimDoc(self.stem(), own.title, [], self.later(wire.when, 60, 1200), paper.outlet.name,
                     "non-derived", dated=self.dated(), partial_of=[wire], extra={"story": wire.family})
        return self.publish(doc, paper, text)

    def independent(self) -> None:
        original = self.pool.take()
        if self.rng.random() < P_UNUSED_WIRE:
            self.wire(original, None)
            return
        paper = self.rng.choice(PAPERS)
        doc = SimDoc(self.stem(), original.title, [], self.moment(), paper.outlet.name, "independent",
                     dated=self.dated(), extra={"story": None})
        self.publish(doc, paper, body_of(original))


def build(originals: list[Original], *, seed: int, quick: bool = False, families: int | None = None,
          ) -> SimCorpus:
    """Simulate papers rewriting an agency's stories (see the module docstring).

    Parameters
    ----------
    originals : list of Original
        De-duplicated real articles (BBC: its categories give each story's background and
        the papers' own stories).
    seed : int
        Seed of the only random generator.
    quick : bool, default=False
        A small corpus.
    families : int, optional
        Number of agency stories (default 36, quick 10); a third as many independent
        articles are added.

    Returns
    -------
    SimCorpus
        The papers' pages, the agency's stories (absent ones too, for the truth) and the
        independent articles, with their truth.

    Raises
    ------
    ValueError
        If ``families`` is negative, or the originals run out.
    """
    n = checked_families(families, QUICK_FAMILIES if quick else DEFAULT_FAMILIES)
    world = _PressWorld(originals, seed)
    for index in range(n):
        world.story(index)
    for _ in range(n // 3):
        world.independent()
    return SimCorpus(world.docs, {"generator": "press", "seed": seed, "families": n})


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; prints the path to trace."""
    return run_cli(__doc__, argv, build, sizes=(DEFAULT_FAMILIES, QUICK_FAMILIES))


if __name__ == "__main__":
    raise SystemExit(main())
