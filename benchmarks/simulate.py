"""Simulate news corpora with known lineage: wire stories, their copies, and hard negatives.

Run ``python benchmarks/simulate.py --source bbc --seed 1 --families 60 --out DIR``.
``DIR/truth.json`` holds the lineage; the documents go to ``DIR/corpus/`` (``--layout txt``)
or ``DIR/corpus.jsonl`` (``--layout jsonl``). The same seed gives a byte-identical corpus.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from math import exp, log
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import textops  # noqa: E402
from benchmarks.common import exit_if_no_corpora  # noqa: E402
from benchmarks.lexicon import SYNONYMS  # noqa: E402
from benchmarks.originals import SOURCES, Original, load_originals  # noqa: E402
from benchmarks.outlets import AGENCIES, OUTLETS, Outlet, add_dateline, furnish  # noqa: E402
from benchmarks.simcorpus import LAYOUTS, SimCorpus, SimDoc, write_corpus  # noqa: E402

COPY_OPS = ("reprint", "trim", "edit", "spin", "partial", "ocr")
COPY_OP_WEIGHTS = (0.24, 0.16, 0.2, 0.14, 0.12, 0.14)
CHAINABLE_OPS = frozenset({"reprint", "trim", "edit", "spin"})
INDEPENDENT_KINDS = ("independent", "independent-furniture", "shared-quote", "same-topic")
INDEPENDENT_WEIGHTS = (0.3, 0.3, 0.15, 0.25)
N_COPIES_WEIGHTS = {1: 0.25, 2: 0.25, 3: 0.2, 4: 0.13, 5: 0.1, 6: 0.07}
P_ABSENT_DEFAULT = 0.5
P_CHAIN_DEFAULT = 0.3
P_TYPO_DEFAULT = 0.5
# Share of wire stories sent with typographic quotes and dashes, as today's
# agency feeds are (the seed articles' common source evidently was: two of its
# three copies keep its curly quotes and en dashes); the rest are plain ASCII
# like the 1987 Reuters and 2004 BBC originals.
P_TYPESET = 0.7
P_DATED_DEFAULT = 0.6
SIMILAR_CANDIDATES = 300
START = datetime(2024, 3, 1, tzinfo=UTC)
QUICK_SIZES = (15, 20)
DEFAULT_SIZES = (60, 80)


@dataclass(frozen=True)
class SimParams:
    """Probabilities of the simulation (see ``build_corpus``)."""

    p_absent: float = P_ABSENT_DEFAULT
    p_chain: float = P_CHAIN_DEFAULT
    p_typo: float = P_TYPO_DEFAULT
    p_dated: float = P_DATED_DEFAULT


@lru_cache(maxsize=4)
def _tfidf(originals: tuple[Original, ...]) -> Any:
    """TF-IDF rows of the originals, fitted once per set of originals (every corpus reuses them)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [" ".join(o.paragraphs) for o in originals]
    return TfidfVectorizer(sublinear_tf=True, stop_words="english",
                           max_features=50000).fit_transform(texts)


class _Pool:
    """Originals drawn without replacement; same-topic draws by TF-IDF similarity."""

    def __init__(self, originals: list[Original], rng: random.Random) -> None:
        self.originals = originals
        self.order = list(range(len(originals)))
        rng.shuffle(self.order)
        self.used: set[int] = set()
        self.rng = rng
        self._matrix = None
        self.index_of = {o.key: i for i, o in enumerate(originals)}

    def _mark(self, index: int) -> Original:
        self.used.add(index)
        return self.originals[index]

    def take(self) -> Original:
        while self.order:
            index = self.order.pop()
            if index not in self.used:
                return self._mark(index)
        raise ValueError(f"The simulation needs more originals than the {len(self.originals)} "
                         "available; ask for fewer families or independents.")

    def _similarity(self, target: int, candidates: list[int]) -> list[float]:
        if self._matrix is None:
            self._matrix = _tfidf(tuple(self.originals))
        scores = self._matrix[candidates] @ self._matrix[target].T
        return scores.toarray().ravel().tolist()

    def _sample_free(self, topic: str) -> list[int]:
        """Up to SIMILAR_CANDIDATES unused originals of ``topic``, by random probing."""
        found: dict[int, None] = {}
        for _ in range(SIMILAR_CANDIDATES * 4):
            index = self.order[self.rng.randrange(len(self.order))] if self.order else None
            if index is None or len(found) >= SIMILAR_CANDIDATES:
                break
            if index not in self.used and self.originals[index].topic == topic:
                found[index] = None
        return list(found)

    def take_similar(self, target: Original) -> Original:
        """Draw the unused original closest in topic to ``target`` among a random sample."""
        sample = self._sample_free(target.topic)
        if not sample:
            return self.take()
        scores = self._similarity(self.index_of[target.key], sample)
        return self._mark(sample[max(range(len(sample)), key=scores.__getitem__)])


def _body_of(original: Original) -> list[str]:
    body = list(original.paragraphs)
    if original.dateline:
        body[0] = f"{original.dateline} {body[0]}"
    return body


class _Builder:
    """Stateful corpus builder: one seeded RNG drives every choice, in a fixed order."""

    def __init__(self, originals: list[Original], seed: int, params: SimParams) -> None:
        self.rng = random.Random(seed)
        self.params = params
        self.pool = _Pool(originals, self.rng)
        self.titles = [o.title for o in originals]
        self.stems: set[str] = set()
        self.docs: list[SimDoc] = []
        self.wires: list[tuple[Original, SimDoc]] = []
        self.quotable: list[SimDoc] = []
        self.anchor: Original | None = None

    def stem(self) -> str:
        while True:
            stem = f"{self.rng.getrandbits(32):08x}"
            if stem not in self.stems:
                self.stems.add(stem)
                return stem

    def related(self) -> list[str]:
        return self.rng.sample(self.titles, 3)

    def dated(self) -> bool:
        return self.rng.random() < self.params.p_dated

    def family(self, index: int) -> None:
        original = self.pool.take()
        self.anchor = original
        name = f"family-{index:03d}"
        present = self.rng.random() >= self.params.p_absent
        when = START + timedelta(seconds=self.rng.randrange(60 * 86400))
        body = _body_of(original)
        if self.rng.random() < P_TYPESET:
            body = textops.typeset(body)
        wire = SimDoc(self.stem() if present else "", original.title, body, when,
                      self.rng.choice(AGENCIES), "wire", family=name, dated=self.dated(),
                      present=present)
        n_copies = self.rng.choices(list(N_COPIES_WEIGHTS), list(N_COPIES_WEIGHTS.values()))[0]
        members = [wire]
        for _ in range(n_copies if present else max(2, n_copies)):
            members.append(self.copy(self.choose_parent(members), wire.outlet))
        self.docs.extend(members)
        self.wires.append((original, wire))
        self.quotable.extend(m for m in members if m.present and m.op != "ocr")

    def choose_parent(self, members: list[SimDoc]) -> SimDoc:
        chainable = [m for m in members[1:] if m.op in CHAINABLE_OPS]
        if chainable and self.rng.random() < self.params.p_chain:
            return self.rng.choice(chainable)
        return members[0]

    def delay(self) -> timedelta:
        minutes = min(1080.0, max(3.0, exp(self.rng.gauss(log(45), 1.1))))
        return timedelta(seconds=round(minutes * 60))

    def copy(self, parent: SimDoc, agency: str) -> SimDoc:
        op = self.rng.choices(COPY_OPS, COPY_OP_WEIGHTS)[0]
        outlet = self.rng.choice([o for o in OUTLETS if o.name != parent.outlet])
        title, body = self.apply(op, parent, outlet)
        mods = []
        if self.rng.random() < self.params.p_typo:
            retyped, kind = textops.retype(body, self.rng)
            if retyped != body:
                body = retyped
                mods.append(kind)
        if op != "ocr" and self.rng.random() < 0.7:
            body = add_dateline(body, outlet)
        when = parent.when + self.delay()
        page = furnish(outlet, when, self.related(), self.rng, agency)
        return SimDoc(self.stem(), title, body, when, outlet.name, op, family=parent.family,
                      parent=parent, page=page, dated=self.dated(), mods=mods)

    def apply(self, op: str, parent: SimDoc, outlet: Outlet) -> tuple[str, list[str]]:
        """Run one copy operation on the parent's story; return (title, body)."""
        rng, body = self.rng, list(parent.body)
        if op == "trim":
            return parent.title, textops.trim(body, rng)
        if op == "edit":
            return self.edit(parent, outlet)
        if op == "spin":
            spun, rate = textops.spin(body, rng)
            return textops.replace_words(parent.title, SYNONYMS, rate, rng), spun
        if op == "partial":
            host = self.pool.take()
            return host.title, textops.embed(_body_of(host), body, rng)
        if op == "ocr":
            return textops.ocr_line(parent.title, rng), textops.ocr(body, rng)
        return parent.title, body

    def edit(self, parent: SimDoc, outlet: Outlet) -> tuple[str, list[str]]:
        steps = textops.edit_steps(self.rng)
        lede = ""
        if "lede" in steps:
            other = self.pool.take_similar(self.anchor) if self.anchor else self.pool.take()
            lede = " ".join(textops.split_sentences(other.paragraphs[0])[:2])

        def style(paragraphs: list[str]) -> list[str]:
            return textops.house_style(paragraphs, outlet.spelling, outlet.swaps)

        body = textops.apply_edit(parent.body, self.rng, steps, style=style, lede=lede)
        title = style([parent.title])[0] if "style" in steps else parent.title
        return title, body

    def independent(self) -> None:
        kind = self.rng.choices(INDEPENDENT_KINDS, INDEPENDENT_WEIGHTS)[0]
        if kind == "same-topic" and self.wires:
            original = self.pool.take_similar(self.rng.choice(self.wires)[0])
        else:
            original = self.pool.take()
        body = _body_of(original)
        if kind == "shared-quote":
            body = self.insert_quote(body)
        outlet = self.rng.choice(OUTLETS)
        name = outlet.name
        if kind == "independent" and self.rng.random() < 0.3:
            name = self.rng.choice(AGENCIES)
        when = START + timedelta(seconds=self.rng.randrange(60 * 86400))
        doc = SimDoc(self.stem(), original.title, body, when, name, kind, dated=self.dated())
        if kind in ("independent-furniture", "shared-quote"):
            doc.page = furnish(outlet, when, self.related(), self.rng,
                               force=kind == "independent-furniture")
        self.docs.append(doc)

    def insert_quote(self, body: list[str]) -> list[str]:
        if not self.quotable:
            return body
        source = self.rng.choice(self.quotable)
        sentence = textops.quoted_sentence(source.body, self.rng)
        return textops.insert_paragraph(body, sentence, self.rng) if sentence else body


def _check_args(n_families: int, n_independent: int, params: SimParams) -> None:
    for name, value in (("n_families", n_families), ("n_independent", n_independent)):
        if not isinstance(value, int) or value < 0:
            raise ValueError(f"The '{name}' parameter of build_corpus must be an int >= 0. "
                             f"Got {value!r} instead.")
    for name, value in vars(params).items():
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"The '{name}' parameter of build_corpus must be a float in "
                             f"[0, 1]. Got {value!r} instead.")


def build_corpus(originals: list[Original], *, seed: int, n_families: int, n_independent: int,
                 p_absent: float = P_ABSENT_DEFAULT, p_chain: float = P_CHAIN_DEFAULT,
                 p_typo: float = P_TYPO_DEFAULT, p_dated: float = P_DATED_DEFAULT,
                 ) -> SimCorpus:
    """Simulate a corpus of syndicated families and independent hard negatives.

    Parameters
    ----------
    originals : list of Original
        De-duplicated real articles (``originals.load_originals``); each is used at most once.
    seed : int
        Seed of the only random generator; same seed and originals give the same corpus.
    n_families : int
        Number of wire stories, each with 1-6 copies.
    n_independent : int
        Number of hard negatives (independent, independent-furniture, shared-quote,
        same-topic).
    p_absent : float, default=0.5
        Probability that a family's wire story is left out (its copies then have at least
        two members and the parent ``"@absent-source"``).
    p_chain : float, default=0.3
        Probability that a copy is taken from an earlier copy rather than from the wire.
    p_typo : float, default=0.5
        Probability of quote/dash changes on top of a copy's operation.
    p_dated : float, default=0.6
        Probability that a document's publication time is given.

    Returns
    -------
    SimCorpus
        Documents with their true parents, families and operations.

    Raises
    ------
    ValueError
        If a size is negative, a probability outside [0, 1], or the originals run out.
    """
    params = SimParams(p_absent, p_chain, p_typo, p_dated)
    _check_args(n_families, n_independent, params)
    builder = _Builder(list(originals), seed, params)
    for index in range(n_families):
        builder.family(index)
    for _ in range(n_independent):
        builder.independent()
    meta = {"seed": seed, "n_families": n_families, "n_independent": n_independent,
            **vars(params)}
    return SimCorpus(builder.docs, meta)


def simulate(source: str, *, seed: int, n_families: int, n_independent: int) -> SimCorpus:
    """Build a corpus from the originals of ``source`` ("bbc", "reuters" or "both")."""
    corpus = build_corpus(list(load_originals(source)), seed=seed, n_families=n_families,
                          n_independent=n_independent)
    corpus.meta["source"] = source
    return corpus


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--source", choices=(*SOURCES, "both"), default="bbc")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--families", type=int, default=None,
                        help=f"number of families (default {DEFAULT_SIZES[0]}, quick "
                             f"{QUICK_SIZES[0]})")
    parser.add_argument("--independent", type=int, default=None,
                        help=f"number of hard negatives (default {DEFAULT_SIZES[1]}, quick "
                             f"{QUICK_SIZES[1]})")
    parser.add_argument("--quick", action="store_true", help="a small corpus")
    parser.add_argument("--layout", choices=LAYOUTS, default="txt")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; prints the path to trace."""
    args = _parse_args(argv)
    exit_if_no_corpora()
    sizes = QUICK_SIZES if args.quick else DEFAULT_SIZES
    corpus = simulate(args.source, seed=args.seed,
                      n_families=sizes[0] if args.families is None else args.families,
                      n_independent=sizes[1] if args.independent is None else args.independent)
    target = write_corpus(corpus, args.out, args.layout)
    print(f"{len(corpus.present)} documents written; truth in {args.out / 'truth.json'}",
          file=sys.stderr)
    print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
