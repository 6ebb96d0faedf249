"""How much of the simulated lineage no text-based tracer can recover: copies of verbatim copies.

Run ``python benchmarks/identifiability.py [--seeds 1,2,3,4,5]``.

A copy taken from a verbatim reprint (same story text as the reprint's own source, the outlet's
dateline aside) carries no trace of the reprint: its text says "copied from this story", not
"from this page rather than that one".  Only page furniture carried over, publication times and
chance separate the two, so these children bound the exact-parent accuracy of any tracer that
reads the texts.  The counts come from the simulator's own record of each document (the same
corpora ``benchmarks/accuracy.py`` scores), not from a tracer.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.accuracy import DEFAULT_SEEDS  # noqa: E402
from benchmarks.common import exit_if_no_corpora  # noqa: E402
from benchmarks.outlets import _DATELINE_RE  # noqa: E402
from benchmarks.simulate import DEFAULT_SIZES, simulate  # noqa: E402


def story(paragraphs: list[str]) -> list[str]:
    """The story text without the outlet's dateline."""
    body = list(paragraphs)
    if body and (match := _DATELINE_RE.match(body[0])):
        body[0] = body[0][match.end():]
    return body


def census(source: str, seed: int) -> Counter[str]:
    """Children by the kind of parent they have, in one simulated corpus."""
    counts: Counter[str] = Counter()
    corpus = simulate(source, seed=seed, n_families=DEFAULT_SIZES[0], n_independent=DEFAULT_SIZES[1])
    for doc in corpus.docs:
        parent = doc.parent
        if not doc.present or parent is None:
            continue
        if not parent.present:
            counts["copy of an absent wire"] += 1
        elif parent.parent is None:
            counts["copy of the wire"] += 1
        else:
            counts["copy of a copy"] += 1
            if story(parent.body) == story(parent.parent.body):
                counts["copy of a copy whose story text is its source's"] += 1
                if parent.body == parent.parent.body:
                    counts["... and that adds no dateline either"] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default=",".join(map(str, DEFAULT_SEEDS)))
    args = parser.parse_args(argv)
    exit_if_no_corpora()
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    for source in ("bbc", "reuters"):
        total: Counter[str] = Counter()
        for seed in seeds:
            total.update(census(source, seed))
        with_parent = total["copy of the wire"] + total["copy of a copy"]
        hidden = total["copy of a copy whose story text is its source's"]
        print(f"{source} (seeds {args.seeds}): {with_parent} children with their parent in the corpus")
        for key, value in total.items():
            print(f"  {value:5d}  {key}")
        print(f"  exact-parent accuracy of a tracer that guesses those {hidden} children by a coin flip "
              f"and gets every other parent right: {1 - hidden / 2 / with_parent:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
