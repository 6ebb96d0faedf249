"""Registry of the simulated worlds, so scripts can build any of them by name.

``generate("excerpt", "bbc", seed=1, quick=True)`` returns a :class:`SimCorpus`; each
generator also names the corpora (originals, layout) the benchmarks build with it, one per
seed. Models are fitted on some generators and scored on the others (leave one out).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from benchmarks.originals import load_originals
from benchmarks.simcorpus import SimCorpus


@dataclass(frozen=True)
class Generator:
    """One simulated world.

    Attributes
    ----------
    name : str
        Registry name.
    module : str
        Module with ``build(originals, *, seed, quick, **options)``.
    corpora : tuple of (str, str)
        (originals, layout) of the corpora a benchmark builds per seed.
    options : dict
        Keywords passed to ``build``.
    """

    name: str
    module: str
    corpora: tuple[tuple[str, str], ...]
    options: dict[str, Any] = field(default_factory=dict)


GENERATORS: dict[str, Generator] = {g.name: g for g in (
    Generator("syndication", "benchmarks.simulate", (("bbc", "txt"), ("reuters", "jsonl"))),
    Generator("excerpt", "benchmarks.gen_excerpt", (("bbc", "txt"),)),
    # BBC stories as the agency's too, in a folder of files: no outlet is known for any text.
    Generator("agency", "benchmarks.gen_agency", (("reuters", "jsonl"), ("bbc", "txt"))),
    Generator("rewrite", "benchmarks.gen_rewrite", (("bbc", "jsonl"),)),
    Generator("ocr", "benchmarks.gen_rewrite", (("reuters", "txt"),), {"ocr": True}),
    # The same papers scanned lightly (2% character errors): few words fall out of the word list.
    Generator("ocr-light", "benchmarks.gen_rewrite", (("bbc", "txt"),), {"ocr": True, "cer": 0.02}),
    # Old newsprint read by OCR: words run together or split, "m" read as "rn", marks misread.
    Generator("ocr-newsprint", "benchmarks.gen_rewrite", (("reuters", "jsonl"),),
              {"ocr": True, "cer": 0.06, "noise": "newsprint"}),
    Generator("pages", "benchmarks.gen_pages", (("bbc", "jsonl"),)),
    Generator("pages-scanned", "benchmarks.gen_pages", (("reuters", "txt"),), {"cer": 0.03}),
    Generator("press", "benchmarks.gen_press", (("bbc", "txt"),)),
)}
"""Every generator by name; ``syndication`` is ``simulate.py``."""


def check_names(names: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Validate generator names.

    Raises
    ------
    ValueError
        If a name is unknown or none is given.
    """
    unknown = [n for n in names if n not in GENERATORS]
    if unknown or not names:
        raise ValueError(f"generators must be a non-empty subset of {','.join(GENERATORS)}; "
                         f"got {','.join(names) or 'nothing'}")
    return tuple(names)


def generate(name: str, source: str, seed: int, quick: bool = False) -> SimCorpus:
    """Build one corpus of generator ``name`` from the originals of ``source``.

    Parameters
    ----------
    name : str
        A key of :data:`GENERATORS`.
    source : {"bbc", "reuters", "both"}
        Originals.
    seed : int
        Seed; the same arguments give the same corpus.
    quick : bool, default=False
        The generator's small size.

    Returns
    -------
    SimCorpus
        Documents and truth (``meta`` names the generator and source).

    Raises
    ------
    ValueError
        If ``name`` is unknown.
    """
    generator = GENERATORS[check_names([name])[0]]
    module = importlib.import_module(generator.module)
    if name == "syndication":
        families, independent = module.QUICK_SIZES if quick else module.DEFAULT_SIZES
        corpus = module.simulate(source, seed=seed, n_families=families, n_independent=independent)
    else:
        corpus = module.build(list(load_originals(source)), seed=seed, quick=quick, **generator.options)
    corpus.meta.update(generator=name, source=source)
    return corpus
