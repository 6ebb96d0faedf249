"""How much of the simulated lineage any text-reading tracer can recover: an upper bound on exact-parent accuracy.

Run ``python benchmarks/identifiability.py [--generators syndication,agency,...] [--quick]
[--seeds 1,2,3,4,5] [--predictions DIR]``; with the folder ``benchmarks/accuracy.py --dump DIR``
wrote (same seeds and ``--quick``), it also counts the tracer's right parents in each situation.
Every generator of ``generators.py`` is read the same way; what a copier could have taken a
copy from is the world's own rule (:data:`CHAINABLE`), and a scanned page's changes are read
from its printed text (``SimDoc.source_text``), not from its scanning errors, so the bound
stays generous.

A copy of a copy (C taken from A, itself a copy of W) can only be told from a copy of W by the
changes A made that C carries: A's new wording, A's typography, the paragraphs A cut, or A's
dateline.  The simulator's own record of each document (not a tracer) says which of A's changes
reached C.  The same traces arise by coincidence: a copy of the wire can share a sibling's change
(two outlets with the same house spelling, two copies straightening the quotes, two trims at the
same paragraph).  Counting both sides gives an upper bound on exact-parent accuracy (``bound``): for each kind of
trace, a tracer can only choose "the copy" or "the wire" for every child in that situation, so
the better choice is counted right; everything else (families, direction, the wire's presence,
which earlier copy) is assumed right, so the bound is generous.  The corpora are the ones
``benchmarks/accuracy.py`` scores.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.accuracy import DEFAULT_SEEDS  # noqa: E402
from benchmarks.common import exit_if_no_corpora  # noqa: E402
from benchmarks.generators import GENERATORS, check_names, generate  # noqa: E402
from benchmarks.outlets import _DATELINE_RE  # noqa: E402
from benchmarks.score import _prediction  # noqa: E402
from benchmarks.simcorpus import SimCorpus, SimDoc  # noqa: E402
from benchmarks.simulate import CHAINABLE_OPS  # noqa: E402

CHAINABLE: dict[str, frozenset[str]] = {
    "syndication": CHAINABLE_OPS,
    # Every answer and every release reuse is taken from the family's source.
    "excerpt": frozenset(),
    "agency": frozenset({"reprint", "trim", "localise", "write-thru"}),
    "rewrite": frozenset({"rewrite", "rewrite-light", "reprint"}),
    "ocr": frozenset({"reprint", "trim", "abridge"}),
    "ocr-light": frozenset({"reprint", "trim", "abridge"}),
    "ocr-newsprint": frozenset({"reprint", "trim", "abridge"}),
    "pages": frozenset({"page-reprint", "page-trim", "page-abridge"}),
    "pages-scanned": frozenset({"page-reprint", "page-trim", "page-abridge"}),
    # A paper may take another paper's derived version; nobody takes a non-derived story.
    "press": frozenset({"wholly-derived", "partially-derived"}),
}
"""Per world, the operations whose output a later copier may take (a world's rule, known to the bound)."""

#: Traces that place a copy of a copy (or mislead about a copy of the wire), strongest first.
PLACING = ("wording", "dateline", "cut")
_NGRAM = 3
_TAIL_WORDS = 6
# A cut shorter than this is a sentence edit, not a trim.
_CUT_WORDS = 10
_MARKS = {"quotes": re.compile(r"[“”‘’]"), "dashes": re.compile(r" – ")}


def _dateline(paragraphs: list[str]) -> str | None:
    match = _DATELINE_RE.match(paragraphs[0]) if paragraphs else None
    return match.group(0) if match else None


def story(paragraphs: list[str]) -> list[str]:
    """The story text without the outlet's dateline."""
    body = list(paragraphs)
    if (dateline := _dateline(body)) is not None:
        body[0] = body[0][len(dateline):]
    return body


def _words(paragraphs: list[str]) -> list[str]:
    return re.findall(r"\w+", " ".join(story(paragraphs)).lower())


def _grams(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + _NGRAM]) for i in range(len(words) - _NGRAM + 1)}


def carried(child: SimDoc, source: SimDoc, grand: SimDoc, wording_share: float = 0.0) -> set[str]:
    """Kinds of the changes ``source`` made to ``grand``'s story that ``child`` also shows.

    ``wording`` counts when ``child`` shares any of ``source``'s new word 3-grams, or, with
    ``wording_share`` > 0, at least that share of them: two rewriters using one thesaurus
    make some of the same new 3-grams by coincidence, a copy carries most of its source's.
    """
    found = set()
    c, s, g = (_words(_text(d)) for d in (child, source, grand))
    new = _grams(s) - _grams(g)
    shared = new & _grams(c)
    if shared and len(shared) >= wording_share * len(new):
        found.add("wording")
    own = _dateline(_text(source))
    if own is not None and own != _dateline(_text(grand)) and _dateline(_text(child)) == own:
        found.add("dateline")
    if len(s) < len(g) - _CUT_WORDS and c[-_TAIL_WORDS:] == s[-_TAIL_WORDS:] != g[-_TAIL_WORDS:]:
        found.add("cut")
    texts = [" ".join(_text(d)) for d in (child, source, grand)]
    if any(bool(p.search(texts[1])) != bool(p.search(texts[2])) and bool(p.search(texts[0])) == bool(p.search(texts[1]))
           for p in _MARKS.values()):
        found.add("typography")
    return found


def _text(doc: SimDoc) -> list[str]:
    """The story as printed (before a scan's errors, when there was one)."""
    return doc.source_text if doc.source_text is not None else doc.body


def kind(traces: set[str]) -> str:
    """The strongest trace, or ``typography``/``none``."""
    return next((t for t in PLACING if t in traces), "typography" if traces else "none")


def _earlier_copies(members: list[SimDoc], doc: SimDoc, family_source: SimDoc,
                    chainable: frozenset[str] = CHAINABLE_OPS) -> list[SimDoc]:
    """Present copies among ``doc``'s family ``members`` published before it that a copier could have
    taken it from."""
    return [s for s in members if s is not doc and s.present and s is not family_source
            and s.op in chainable and s.when < doc.when]


@dataclass(frozen=True)
class Situation:
    """What the text offers for placing one child whose parent is in the corpus."""

    stem: str
    parent_stem: str
    #: "copy of a copy", "copy of a copy, wire absent" or "copy of the wire".
    role: str
    #: The strongest trace (see :data:`PLACING`), "typography", "none", or for a copy of the
    #: wire "no earlier copy" when no copy could have been its source.
    trace: str
    #: Copies published before it that a copier could have taken it from.
    n_earlier: int


def situations(corpus: SimCorpus, chainable: frozenset[str] = CHAINABLE_OPS,
               wording_share: float = 0.0) -> list[Situation]:
    """Every child with its parent in ``corpus`` (one ``accuracy.py`` scores), with what its text offers.

    Parameters
    ----------
    corpus : SimCorpus
        A simulated corpus of any generator.
    chainable : frozenset of str, default=simulate.CHAINABLE_OPS
        Operations whose output a later copier may take (:data:`CHAINABLE` of the world).
    wording_share : float, default=0.0
        See :func:`carried` (0: any shared new 3-gram is a trace).

    Returns
    -------
    list of Situation
        One per present child whose parent is present.
    """
    families: dict[str | None, list[SimDoc]] = {}
    for doc in corpus.docs:
        families.setdefault(doc.family, []).append(doc)
    out = []
    for doc in corpus.docs:
        parent = doc.parent
        if not doc.present or parent is None or not parent.present:
            continue
        if parent.parent is not None:
            role = "copy of a copy" if parent.parent.present else "copy of a copy, wire absent"
            earlier = _earlier_copies(families[doc.family], doc, parent.parent, chainable)
            trace = kind(carried(doc, parent, parent.parent, wording_share))
        else:
            role = "copy of the wire"
            earlier = _earlier_copies(families[doc.family], doc, parent, chainable)
            kinds = {kind(carried(doc, s, parent, wording_share)) for s in earlier}
            trace = next((k for k in (*PLACING, "typography") if k in kinds), "none") if earlier else "no earlier copy"
        out.append(Situation(doc.stem, parent.stem, role, trace, len(earlier)))
    return out


def census(found: list[Situation]) -> Counter[tuple[str, str]]:
    """Children by (role, trace); ``("chance", "wire absent")`` sums the chance of guessing the
    parent among the earlier copies for copies of copies without a placing trace, wire absent."""
    counts: Counter[tuple[str, str]] = Counter((s.role, s.trace) for s in found)
    counts[("chance", "wire absent")] = sum(  # type: ignore[assignment]
        1.0 / max(1, s.n_earlier) for s in found
        if s.role == "copy of a copy, wire absent" and s.trace not in PLACING)
    return counts


def scored(found: list[Situation], truth: dict, predicted: dict) -> Counter[tuple[str, str, str]]:
    """Right parents of a tracer's output (``accuracy.py --dump``) per role and trace group."""
    prediction = _prediction(truth, predicted)
    by_stem = {_stem(t): t for t in truth["docs"]}
    counts: Counter[tuple[str, str, str]] = Counter()
    for s in found:
        group = ("placing trace" if s.trace in PLACING else
                 s.trace if s.trace == "no earlier copy" else "no placing trace")
        counts[(s.role, group, "n")] += 1
        counts[(s.role, group, "right")] += prediction.parent.get(by_stem[s.stem]) == by_stem[s.parent_stem]
    return counts


def _stem(doc_id: str) -> str:
    return Path(doc_id.split("#")[-1]).stem


def bound(counts: Counter[tuple[str, str]], *, guess_when_absent: bool) -> tuple[float, int]:
    """(most children any tracer can place, children with their parent in the corpus).

    With the wire present, a copy of a copy and a copy of the wire whose earlier sibling leaves
    the same kind of trace are told apart by nothing else in the text: the better of "the copy"
    and "the wire" is counted right for each kind of trace (the copy for a placing trace).
    With the wire absent, a copy of a copy with a placing trace counts right; one without counts
    by the chance of picking its parent among the earlier copies if ``guess_when_absent``, else
    as wrong: a tracer that guesses there also moves the copies of the absent wire in the same
    situation, far more numerous, from their unseen source to a sibling, so a tracer that is to
    be right about those too leaves traceless copies under the unseen source.
    """
    total = sum(v for k, v in counts.items() if k[0] != "chance")
    right = counts[("copy of the wire", "no earlier copy")]
    if guess_when_absent:
        right += counts[("chance", "wire absent")]
    for trace in (*PLACING, "typography", "none"):
        of_copy, of_wire = counts[("copy of a copy", trace)], counts[("copy of the wire", trace)]
        if trace in PLACING:
            # The copy is chosen: copies of the wire misled by such a trace are lost.
            right += of_copy + counts[("copy of a copy, wire absent", trace)]
        else:
            right += max(of_copy, of_wire)
    return right, total


def _report(name: str, counts: Counter, right: Counter, seeds: str, predictions: bool) -> None:
    strict, total = bound(counts, guess_when_absent=False)
    greedy, _ = bound(counts, guess_when_absent=True)
    print(f"{name} (seeds {seeds}): {total} children with their parent in the corpus")
    if not total:
        return
    print(f"  {'trace':12s} {'copy of a copy':>15s} {'(wire absent)':>14s} {'copy of the wire':>17s}")
    for trace in (*PLACING, "typography", "none"):
        print(f"  {trace:12s} {counts[('copy of a copy', trace)]:15d} "
              f"{counts[('copy of a copy, wire absent', trace)]:14d} {counts[('copy of the wire', trace)]:17d}")
    alone = counts[("copy of the wire", "no earlier copy")]
    print(f"  copies of the wire with no earlier copy to confuse: {alone}")
    print(f"  upper bound on exact-parent accuracy, latent sources kept right: {strict:.0f} / {total} = "
          f"{strict / total:.3f}")
    print(f"  upper bound when copies in absent-wire families are guessed: {greedy:.0f} / {total} = "
          f"{greedy / total:.3f}")
    if predictions:
        print("  the tracer's right parents:")
        for role, group in sorted({k[:2] for k in right}):
            print(f"    {role:28s} {group:17s} {right[(role, group, 'right')]:4d} / {right[(role, group, 'n')]:4d}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default=",".join(map(str, DEFAULT_SEEDS)))
    parser.add_argument("--generators", default=",".join(GENERATORS),
                        help="comma-separated subset of " + ",".join(GENERATORS))
    parser.add_argument("--quick", action="store_true", help="the generators' small corpora")
    parser.add_argument("--wording-share", type=float, default=0.0,
                        help="a copy carries its source's wording when it shares at least this share of "
                             "the source's new 3-grams (0: any one, the historical rule)")
    parser.add_argument("--predictions", type=Path,
                        help="folder written by `accuracy.py --dump` (same seeds and --quick): "
                             "also score the tracer per situation")
    args = parser.parse_args(argv)
    try:
        generators = check_names([g.strip() for g in args.generators.split(",") if g.strip()])
        seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    except ValueError as exc:
        parser.error(str(exc))
    exit_if_no_corpora()
    for generator in generators:
        for source, layout in GENERATORS[generator].corpora:
            counts: Counter[tuple[str, str]] = Counter()
            right: Counter[tuple[str, str, str]] = Counter()
            for seed in seeds:
                found = situations(generate(generator, source, seed, args.quick), CHAINABLE[generator],
                                   args.wording_share)
                counts.update(census(found))
                if args.predictions:
                    run = args.predictions / generator / source / f"seed-{seed}"
                    right.update(scored(found, json.loads((run / "truth.json").read_text()),
                                        json.loads((run / "predictions" / "provenance.json").read_text())))
            _report(f"{generator}/{source} ({layout})", counts, right, args.seeds, bool(args.predictions))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
