"""What the generators other than ``simulate.py`` share: a seeded builder and a common CLI.

Each generator module (``gen_excerpt.py``, ``gen_agency.py``, ``gen_rewrite.py``) subclasses
:class:`WorldBuilder` for its own world and calls :func:`run_cli` from its ``main``; the
registry in ``generators.py`` calls their ``build`` functions.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from benchmarks.common import exit_if_no_corpora
from benchmarks.originals import SOURCES, Original, load_originals
from benchmarks.simcorpus import LAYOUTS, SimCorpus, SimDoc, write_corpus
from benchmarks.simulate import START, SimParams, _body_of, _Builder
from benchmarks.textops import split_sentences

__all__ = ["START", "WorldBuilder", "body_of", "checked_cer", "checked_families", "run_cli", "sentences_of",
           "unsplit"]

body_of = _body_of


def sentences_of(paragraphs: list[str]) -> list[list[str]]:
    """Sentences of each paragraph."""
    return [split_sentences(p) for p in paragraphs]


def unsplit(sentences: list[str], per_paragraph: int) -> list[str]:
    """Join sentences into paragraphs of ``per_paragraph`` sentences."""
    size = max(1, per_paragraph)
    return [" ".join(sentences[i:i + size]) for i in range(0, len(sentences), size)]


class WorldBuilder(_Builder):
    """Seeded builder with the simulator's pool, names, dates and hard negatives.

    Parameters
    ----------
    originals : list of Original
        De-duplicated real articles; each is used at most once.
    seed : int
        Seed of the only random generator.
    p_dated : float
        Probability that a document's publication time is given.
    """

    def __init__(self, originals: list[Original], seed: int, p_dated: float) -> None:
        super().__init__(originals, seed, SimParams(p_dated=p_dated))

    def moment(self, days: int = 60) -> datetime:
        """A random time in the ``days`` after the simulation's start."""
        return START + timedelta(seconds=self.rng.randrange(days * 86400))

    def later(self, when: datetime, low_minutes: float, high_minutes: float) -> datetime:
        """A time between ``low_minutes`` and ``high_minutes`` after ``when``."""
        return when + timedelta(seconds=round(60 * self.rng.uniform(low_minutes, high_minutes)))

    def add(self, doc: SimDoc) -> SimDoc:
        """Record ``doc`` in the corpus and return it."""
        self.docs.append(doc)
        return doc

    def plain(self, original: Original, op: str, outlet: str, when: datetime) -> SimDoc:
        """An unrelated document (family None) with the original's text as it is."""
        return self.add(SimDoc(self.stem(), original.title, body_of(original), when, outlet, op,
                               dated=self.dated()))


def checked_families(families: int | None, default: int) -> int:
    """The number of families to simulate: ``families``, or ``default`` when None.

    Raises
    ------
    ValueError
        If ``families`` is negative.
    """
    n = default if families is None else families
    if n < 0:
        raise ValueError(f"The 'families' parameter must be an int >= 0. Got {n!r} instead.")
    return n


def checked_cer(cer: float) -> float:
    """A character error rate for scanned pages, in [0, 0.5].

    Raises
    ------
    ValueError
        If ``cer`` is out of range.
    """
    if not 0.0 <= cer <= 0.5:
        raise ValueError(f"The 'cer' parameter must be a float in [0, 0.5]. Got {cer!r} instead.")
    return cer


def _parse_args(doc: str, argv: list[str] | None, sizes: tuple[int, int], default_source: str,
                extra: Callable[[argparse.ArgumentParser], None] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=doc.splitlines()[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--source", choices=(*SOURCES, "both"), default=default_source)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true",
                        help=f"a small corpus (scale {sizes[1]} instead of {sizes[0]})")
    parser.add_argument("--layout", choices=LAYOUTS, default="txt")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    if extra is not None:
        extra(parser)
    return parser.parse_args(argv)


def run_cli(doc: str, argv: list[str] | None, build: Callable[..., SimCorpus], *,
            sizes: tuple[int, int], default_source: str = "bbc",
            extra: Callable[[argparse.ArgumentParser], None] | None = None,
            options: Callable[[argparse.Namespace], dict] | None = None) -> int:
    """Command-line entry point shared by the generators: build, write, print the path to trace.

    Parameters
    ----------
    doc : str
        The generator's module docstring (its first line is the help text).
    argv : list of str or None
        Arguments (None: ``sys.argv``).
    build : callable
        ``build(originals, seed=..., quick=..., **options)`` returning a SimCorpus.
    sizes : (int, int)
        Default and quick sizes, for the help text.
    default_source : str, default="bbc"
        Originals used without ``--source``.
    extra, options : callable, optional
        Add generator options to the parser; turn the parsed arguments into ``build`` keywords.

    Returns
    -------
    int
        Exit status (2 on a bad argument value).
    """
    args = _parse_args(doc, argv, sizes, default_source, extra)
    exit_if_no_corpora()
    try:
        corpus = build(list(load_originals(args.source)), seed=args.seed, quick=args.quick,
                       **(options(args) if options else {}))
    except ValueError as exc:
        print(f"{Path(sys.argv[0]).name}: error: {exc}", file=sys.stderr)
        return 2
    corpus.meta["source"] = args.source
    target = write_corpus(corpus, args.out, args.layout)
    print(f"{len(corpus.present)} documents written; truth in {args.out / 'truth.json'}",
          file=sys.stderr)
    print(target)
    return 0
