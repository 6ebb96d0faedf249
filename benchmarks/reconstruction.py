"""How well unseen sources are reconstructed: text against the true wire, and the probable agency.

Run ``python benchmarks/reconstruction.py [--seeds 1,2,3] [--families 40] [--sources bbc,reuters]``.

Each corpus is simulated with every wire story left out (``p_absent=1``), traced, and each
unseen source the tracer posits is matched to the true wire most of its children were copied
from.  Text is scored word by word against that wire, on the passages at least two of the
children carry: the reference is the wire's words that two or more children carry (each child
aligned with the wire), the candidate the reconstruction's words in passages carried by two or
more children.  A candidate word aligned with a reference word is right, one aligned with no
wire word is wrong, one aligned with a wire word fewer than two children carry is neither.
Agency is scored on the unseen sources whose children name the true agency in their text.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz.distance import Indel

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import exit_if_no_corpora  # noqa: E402
from benchmarks.originals import load_originals  # noqa: E402
from benchmarks.simcorpus import SimDoc, doc_id, write_corpus  # noqa: E402
from benchmarks.simulate import build_corpus  # noqa: E402
from provenance import trace  # noqa: E402
from provenance.stages.normalise import tokenize  # noqa: E402

# Aligned runs shorter than this are chance matches of common words, not carried text.
MIN_RUN = 3


def _words(text: str) -> list[str]:
    return list(tokenize(text).words)


def _aligned(a: list[str], b: list[str]) -> np.ndarray:
    """For each word of ``a``, the word of ``b`` aligned with it in runs of MIN_RUN or more (-1: none)."""
    codes: dict[str, int] = {}
    seq_a = "".join(chr(codes.setdefault(w, len(codes) + 1)) for w in a)
    seq_b = "".join(chr(codes.setdefault(w, len(codes) + 1)) for w in b)
    out = np.full(len(a), -1, dtype=np.int64)
    for block in Indel.editops(seq_a, seq_b).as_matching_blocks():
        if block.size >= MIN_RUN:
            out[block.a:block.a + block.size] = np.arange(block.b, block.b + block.size)
    return out


def score_text(wire: list[str], copies: list[list[str]], candidate: list[str]) -> tuple[int, int, int]:
    """(right, wrong, reference size) of a candidate against the wire words two or more copies carry."""
    carried = np.zeros(len(wire), dtype=np.int64)
    for copy in copies:
        carried += _aligned(wire, copy) >= 0
    reference = carried >= 2
    to_wire = _aligned(candidate, wire)
    right = int(sum(1 for j in to_wire.tolist() if j >= 0 and reference[j]))
    wrong = int((to_wire < 0).sum())
    return right, wrong, int(reference.sum())


def _wire_text(wire: SimDoc) -> str:
    return "\n\n".join([wire.title, *wire.body])


def run_corpus(source: str, seed: int, n_families: int, workdir: Path) -> list[dict[str, Any]]:
    """Trace one all-absent corpus; one row per unseen source."""
    corpus = build_corpus(list(load_originals(source)), seed=seed, n_families=n_families,
                          n_independent=n_families // 2, p_absent=1.0)
    folder = write_corpus(corpus, workdir / f"{source}-{seed}", "txt")
    lineage = trace(folder)
    family_of = {doc_id(d.stem, "txt"): d.family for d in corpus.present}
    wires = {d.family: d for d in corpus.docs if d.op == "wire"}
    rows = []
    for lat in lineage.latent:
        families = Counter(family_of.get(c) for c in lat.children)
        family, _ = families.most_common(1)[0]
        wire = wires.get(family)
        if wire is None:
            continue
        children = [lineage.document(c) for c in lat.children if family_of.get(c) == family]
        copies = [_words(" ".join(d.content_words)) for d in children]
        words = []
        for p in lat.passages:
            if len(p.support) >= 2:
                words.extend(_words(lat.text[p.start:p.end]))
        right, wrong, ref = score_text(_words(_wire_text(wire)), copies, words)
        credits_truth = any(wire.outlet in d.article.text for d in children)
        rows.append({"corpus": f"{source}-{seed}", "source": lat.id, "children": len(lat.children),
                     "right": right, "wrong": wrong, "reference": ref,
                     "agency_true": wire.outlet, "agency": lat.agency.name if lat.agency else None,
                     "credited_in_copies": credits_truth,
                     "mixed_families": len(families) > 1})
    return rows


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Pooled word-level precision, recall, F1 and agency accuracy."""
    right = sum(r["right"] for r in rows)
    wrong = sum(r["wrong"] for r in rows)
    ref = sum(r["reference"] for r in rows)
    precision = right / max(1, right + wrong)
    recall = right / max(1, ref)
    f1 = 2 * precision * recall / max(1e-9, precision + recall)
    credited = [r for r in rows if r["credited_in_copies"]]
    agency_right = sum(r["agency"] == r["agency_true"] for r in credited)
    uncredited = [r for r in rows if not r["credited_in_copies"]]
    return {"sources": len(rows), "precision": precision, "recall": recall, "f1": f1,
            "credited": len(credited), "agency_right": agency_right,
            "agency_accuracy": agency_right / max(1, len(credited)),
            "uncredited_said_unknown": sum(r["agency"] is None for r in uncredited),
            "uncredited": len(uncredited)}


def _table(by: dict[str, dict[str, Any]]) -> str:
    lines = ["| corpus | unseen sources | word precision | word recall | word F1 | agency right (copies credit it) "
             "| agency unknown (no copy credits one) |",
             "|---|---|---|---|---|---|---|"]
    for name, s in by.items():
        lines.append(f"| {name} | {s['sources']} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | "
                     f"{s['agency_right']}/{s['credited']} ({s['agency_accuracy']:.3f}) | "
                     f"{s['uncredited_said_unknown']}/{s['uncredited']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: prints a markdown table (``--json``: the rows too)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--sources", default="bbc,reuters")
    parser.add_argument("--families", type=int, default=40)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    exit_if_no_corpora()
    rows: list[dict[str, Any]] = []
    by: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for source in args.sources.split(","):
            mine = []
            for seed in (int(s) for s in args.seeds.split(",")):
                mine.extend(run_corpus(source, seed, args.families, Path(tmp)))
            by[source] = summarise(mine)
            rows.extend(mine)
    by["all"] = summarise(rows)
    if args.json:
        print(json.dumps({"summary": by, "rows": rows}, indent=2))
    else:
        print(_table(by))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
