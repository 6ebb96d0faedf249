"""Excerpt families: a long source in the folder and many copies of different parts of it.

Run ``python benchmarks/gen_excerpt.py --seed 1 --out DIR [--quick] [--layout txt|jsonl]``.

The world: a class's answers folder, or a press office's release and the stories that used it.

* **Reference families** (70%): a Wikipedia-like reference article, present in the folder,
  made of 2-4 real originals of one BBC category joined (or one long original), with no
  outlet furniture and no dateline. 5-15 students' answers each take a *different* part of
  it: one to four paragraphs, or a run of sentences, from anywhere (not only the top),
  sometimes two separate passages. An answer is ``excerpt`` (verbatim), ``excerpt-edited``
  (a sentence cut, a few words changed, the student's own opening or closing sentence) or
  ``excerpt-paraphrased`` (sentences reordered inside the excerpt, clauses reworded, words
  replaced at 25-50%). Every answer's parent is the reference article.
* **Release families** (30%): a press release ("FOR IMMEDIATE RELEASE", media contact,
  ``###``), present, and 3-8 outlet stories, each an unrelated real article of its own with
  one to three paragraphs of the release (different ones per outlet) set inside it
  (``release-reuse``), in the outlet's page furniture. Every story's parent is the release.
* **Hard negatives**: independent answers on the same topic (other originals of the
  reference's category, the student framing included), unrelated stories in outlet pages.

Unlike ``simulate.py`` there are no chains (every copy's parent is the family's source),
the source is always present and is much longer than its copies, and copies of one source
often share no text with each other.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.originals import Original  # noqa: E402
from benchmarks.outlets import OUTLETS, furnish  # noqa: E402
from benchmarks.simcorpus import SimCorpus, SimDoc  # noqa: E402
from benchmarks.textops import replace_words, split_sentences  # noqa: E402
from benchmarks.thesaurus import REWORDINGS, reword_clauses  # noqa: E402
from benchmarks.worldbase import WorldBuilder, body_of, run_cli, unsplit  # noqa: E402

DEFAULT_SIZES = (24, 40)
QUICK_SIZES = (6, 10)
# Families 2, 5 and 8 of every ten are releases (30%, also in a quick corpus).
RELEASE_SLOTS = frozenset({2, 5, 8})
P_DATED = 0.5
ANSWER_KINDS = ("excerpt", "excerpt-edited", "excerpt-paraphrased")
ANSWER_WEIGHTS = (0.35, 0.35, 0.3)
_STUDENT_OPENINGS = (
    "This essay looks at the question set in class.", "In this answer I summarise the main points.",
    "The following is my response to question two.", "Here is what the sources say about the topic.",
    "I have chosen to write about this subject because it is in the news.",
)
_STUDENT_CLOSINGS = (
    "In conclusion, the issue is more complicated than it first appears.",
    "Overall, these points answer the question.", "That is why the topic matters today.",
    "To sum up, there are arguments on both sides.",
)
_HEADERS = ("Student {n} - Assignment {q}", "Answer {q} (student {n})", "Coursework {q} / {n}",
            "Submitted by candidate {n}")


def _excerpt(paragraphs: list[str], rng: random.Random) -> list[str]:
    """One to four consecutive paragraphs, a run of sentences, or two separate passages."""
    roll = rng.random()
    if roll < 0.45:
        size = min(rng.randint(1, 4), len(paragraphs))
        start = rng.randrange(0, len(paragraphs) - size + 1)
        return paragraphs[start:start + size]
    if roll < 0.8:
        sentences = [s for p in paragraphs for s in split_sentences(p)]
        size = min(rng.randint(3, 8), len(sentences))
        start = rng.randrange(0, len(sentences) - size + 1)
        return unsplit(sentences[start:start + size], rng.randint(2, 4))
    first, second = sorted(rng.sample(range(len(paragraphs)), min(2, len(paragraphs))))
    return [paragraphs[first], paragraphs[second]] if first != second else [paragraphs[first]]


def _light_edit(paragraphs: list[str], rng: random.Random) -> list[str]:
    """Cut one sentence of a long passage, change a few words, add the student's own sentence."""
    sentences = [s for p in paragraphs for s in split_sentences(p)]
    if len(sentences) >= 3:
        del sentences[rng.randrange(len(sentences))]
    edited = [replace_words(s, REWORDINGS, 0.08, rng) for s in sentences]
    out = unsplit(edited, rng.randint(2, 4))
    if rng.random() < 0.6:
        out.insert(0, rng.choice(_STUDENT_OPENINGS))
    else:
        out.append(rng.choice(_STUDENT_CLOSINGS))
    return out


def _paraphrase(paragraphs: list[str], rng: random.Random) -> list[str]:
    """Sentence-level rewording: sentences reordered within the excerpt, clauses moved, words replaced."""
    sentences = [s for p in paragraphs for s in split_sentences(p)]
    if len(sentences) >= 3:
        # Keep the first sentence (the student's topic sentence) and shuffle the rest a little.
        rest = sentences[1:]
        for _ in range(max(1, len(rest) // 2)):
            i = rng.randrange(len(rest) - 1) if len(rest) > 1 else 0
            if i + 1 < len(rest):
                rest[i], rest[i + 1] = rest[i + 1], rest[i]
        sentences = [sentences[0], *rest]
    rate = rng.uniform(0.25, 0.5)
    reworded = [replace_words(reword_clauses(s, rng), REWORDINGS, rate, rng) for s in sentences]
    return unsplit(reworded, rng.randint(1, 3))


class _ExcerptWorld(WorldBuilder):
    def __init__(self, originals: list[Original], seed: int) -> None:
        super().__init__(originals, seed, P_DATED)
        self.student = 0

    def header(self) -> str:
        self.student += 1
        return self.rng.choice(_HEADERS).format(n=100 + self.student, q=self.rng.randint(1, 6))

    def answer_doc(self, title: str, body: list[str], when, op: str, family: str | None,
                   parent: SimDoc | None) -> SimDoc:
        body = [self.header(), *body]
        return self.add(SimDoc(self.stem(), title, body, when, "student", op, family=family,
                               parent=parent, dated=self.dated()))

    def reference(self, index: int) -> None:
        first = self.pool.take()
        self.anchor = first
        parts = [first] + [self.pool.take_similar(first) for _ in range(self.rng.randint(1, 3))]
        body = [p for original in parts for p in original.paragraphs]
        family = f"reference-{index:03d}"
        when = self.moment()
        source = self.add(SimDoc(self.stem(), first.title, body, when, "reference", "reference",
                                 family=family, dated=self.dated()))
        for _ in range(self.rng.randint(5, 15)):
            op = self.rng.choices(ANSWER_KINDS, ANSWER_WEIGHTS)[0]
            taken = _excerpt(body, self.rng)
            text = (taken if op == "excerpt" else
                    _light_edit(taken, self.rng) if op == "excerpt-edited" else
                    _paraphrase(taken, self.rng))
            title = f"Answer: {first.title}" if self.rng.random() < 0.5 else first.title
            self.answer_doc(title, text, self.later(when, 600, 30 * 1440), op, family, source)
        for _ in range(self.rng.randint(1, 4)):
            other = self.pool.take_similar(first)
            size = self.rng.randint(2, 5)
            start = self.rng.randrange(0, max(1, len(other.paragraphs) - size + 1))
            self.answer_doc(other.title, list(other.paragraphs[start:start + size]),
                            self.later(when, 600, 30 * 1440), "independent-answer", None, None)

    def release(self, index: int) -> None:
        original = self.pool.take()
        self.anchor = original
        family = f"release-{index:03d}"
        when = self.moment()
        body = ["FOR IMMEDIATE RELEASE", *body_of(original),
                f"Media contact: press office, {self.rng.choice(('+44', '+1'))} "
                f"{self.rng.randrange(10**9, 10**10)}", "###"]
        source = self.add(SimDoc(self.stem(), original.title, body, when, "press office", "release",
                                 family=family, dated=self.dated()))
        story = body[1:-2]
        for _ in range(self.rng.randint(3, 8)):
            host = self.pool.take()
            outlet = self.rng.choice(OUTLETS)
            size = min(self.rng.randint(1, 3), len(story))
            start = self.rng.randrange(0, len(story) - size + 1)
            taken = story[start:start + size]
            if self.rng.random() < 0.4:
                taken = [replace_words(p, REWORDINGS, 0.1, self.rng) for p in taken]
            paragraphs = list(host.paragraphs)
            at = self.rng.randint(1, max(1, len(paragraphs) - 1))
            text = paragraphs[:at] + taken + paragraphs[at:]
            published = self.later(when, 30, 3 * 1440)
            page = furnish(outlet, published, self.related(), self.rng)
            self.add(SimDoc(self.stem(), host.title, text, published, outlet.name, "release-reuse",
                            family=family, parent=source, page=page, dated=self.dated()))

    def unrelated(self) -> None:
        original = self.pool.take()
        outlet = self.rng.choice(OUTLETS)
        when = self.moment()
        doc = self.plain(original, "independent-furniture", outlet.name, when)
        doc.page = furnish(outlet, when, self.related(), self.rng)


def build(originals: list[Original], *, seed: int, quick: bool = False, families: int | None = None,
          ) -> SimCorpus:
    """Simulate a folder of excerpt families (see the module docstring).

    Parameters
    ----------
    originals : list of Original
        De-duplicated real articles (BBC gives topics for the same-topic answers).
    seed : int
        Seed of the only random generator.
    quick : bool, default=False
        A small corpus.
    families : int, optional
        Number of families (default 24, quick 6); about as many unrelated stories are added.

    Returns
    -------
    SimCorpus
        Documents and truth.
    """
    n = families if families is not None else (QUICK_SIZES if quick else DEFAULT_SIZES)[0]
    if n < 0:
        raise ValueError(f"The 'families' parameter must be an int >= 0. Got {n!r} instead.")
    world = _ExcerptWorld(originals, seed)
    for index in range(n):
        if index % 10 in RELEASE_SLOTS:
            world.release(index)
        else:
            world.reference(index)
    for _ in range(n):
        world.unrelated()
    return SimCorpus(world.docs, {"generator": "excerpt", "seed": seed, "families": n})


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; prints the path to trace."""
    return run_cli(__doc__, argv, build, sizes=(DEFAULT_SIZES[0], QUICK_SIZES[0]))


if __name__ == "__main__":
    raise SystemExit(main())
