"""Locality benchmark: does tracing unrelated articles beside a corpus move anything in it?

Run ``python benchmarks/locality.py [--generators syndication,excerpt,...] [--seeds 1,2]
[--extra 100] [--quick] [--json]``.

A family's tree and confidences should depend on its own members (and on corpus-wide
boilerplate statistics), never on articles that share no text with it. For every
registered world and seed this traces the simulated corpus alone, then again with
``--extra`` real stories of the *other* source corpus added (Reuters stories beside a BBC
world, BBC stories beside a Reuters one; each kept only when it shares no 8-word sequence
with any text of the corpus), written in the corpus's own layout. It counts, over the
corpus's own documents:

* ``moved``: edges whose parent changed (an unseen source is named by the corpus documents
  under it, so a stranger joining it counts as a move), or that appeared or vanished;
* ``confidence``: edges with the same parent whose confidence moved by more than 0.02;
* ``crossing``: edges joining an added story to the corpus, directly or under one unseen source.

The same-day scrapes (``samedaynews-2018``) give the real case: ``spotify.jsonl`` alone
against spotify and census in one file.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from tabulate import tabulate

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.accuracy import build, corpus_names  # noqa: E402
from benchmarks.common import SAMEDAY_DIR, exit_if_no_corpora, run_tracer, shingles, words  # noqa: E402
from benchmarks.generators import GENERATORS, check_names  # noqa: E402
from benchmarks.originals import Original, load_originals  # noqa: E402

#: Two texts share no text when they share no sequence of this many words.
SHARED_RUN_WORDS = 8
#: An edge's confidence may move by this much without counting as moved (rounding, ties).
CONFIDENCE_TOLERANCE = 0.02
EXTRA_PREFIX = "extra-"


def unrelated_stories(texts: list[str], source: str, count: int, seed: int) -> list[Original]:
    """Up to ``count`` originals of the other source corpus than ``source``, sharing no 8-word run with ``texts``."""
    have: set[int] = set()
    for text in texts:
        have |= shingles(words(text), SHARED_RUN_WORDS)
    pool = list(load_originals("reuters" if source == "bbc" else "bbc"))
    random.Random(seed).shuffle(pool)
    chosen: list[Original] = []
    for original in pool:
        if len(chosen) == count:
            break
        if not shingles(words(original.title + "\n" + "\n".join(original.paragraphs)), SHARED_RUN_WORDS) & have:
            chosen.append(original)
    return chosen


def with_stories(target: Path, stories: list[Original], out: Path) -> Path:
    """A copy of the corpus at ``target`` (a .txt folder or a JSONL file) with ``stories`` added in its layout."""
    out.mkdir(parents=True, exist_ok=True)
    names = [f"{EXTRA_PREFIX}{number:04d}" for number in range(len(stories))]
    if target.is_dir():
        copy = out / target.name
        shutil.copytree(target, copy)
        for name, story in zip(names, stories, strict=True):
            (copy / f"{name}.txt").write_text(story.title + "\n\n" + "\n\n".join(story.paragraphs) + "\n",
                                              encoding="utf-8")
        return copy
    copy = out / target.name
    shutil.copyfile(target, copy)
    with copy.open("a", encoding="utf-8") as handle:
        for name, story in zip(names, stories, strict=True):
            handle.write(json.dumps({"id": name, "title": story.title, "text": "\n\n".join(story.paragraphs)}) + "\n")
    return copy


def _added(node: str) -> bool:
    return Path(node).name.startswith(EXTRA_PREFIX)


def named_edges(predicted: dict[str, Any]) -> tuple[dict[str, tuple[str, float]], int]:
    """Each corpus document's (parent, confidence), and the number of added stories joined to the corpus.

    An unseen source is named by the corpus documents under it ("~a,b"), so that two
    runs' unseen sources compare whatever their ids; an added story under an unseen
    source with corpus documents is joined to them.
    """
    latent = {str(node["id"]) for node in predicted.get("latent", [])}
    children: dict[str, list[str]] = {}
    for edge in predicted["edges"]:
        children.setdefault(str(edge["parent"]), []).append(str(edge["child"]))

    def name(node: str) -> str:
        return "~" + ",".join(sorted(c for c in children[node] if not _added(c))) if node in latent else node

    def side(node: str) -> set[bool]:
        return {_added(kid) for kid in children[node]} if node in latent else {_added(node)}

    edges: dict[str, tuple[str, float]] = {}
    crossing = 0
    for edge in predicted["edges"]:
        parent, child = str(edge["parent"]), str(edge["child"])
        if _added(child):
            crossing += False in side(parent)
        else:
            crossing += True in side(parent) and parent not in latent
            edges[name(child)] = (name(parent), float(edge["confidence"]))
    return edges, crossing


def compare(alone: dict[str, Any], beside: dict[str, Any]) -> dict[str, int]:
    """Counts of :mod:`benchmarks.locality` (module docstring) between two traces of one corpus."""
    before, _ = named_edges(alone)
    after, crossing = named_edges(beside)
    moved = sum(1 for child in before.keys() | after.keys()
                if child not in before or child not in after or before[child][0] != after[child][0])
    confidence = sum(1 for child in before.keys() & after.keys()
                     if before[child][0] == after[child][0]
                     and abs(before[child][1] - after[child][1]) > CONFIDENCE_TOLERANCE)
    return {"edges": len(before), "moved": moved, "confidence": confidence, "crossing": crossing}


def simulated(generators: tuple[str, ...], seeds: tuple[int, ...], extra: int, quick: bool,
              workdir: Path) -> list[dict[str, Any]]:
    """One row per (world, seed): :func:`compare` of the corpus alone and beside unrelated stories."""
    rows = []
    for generator in generators:
        for key, source, layout in corpus_names(generator):
            for seed in seeds:
                out = workdir / generator / source / f"seed-{seed}"
                target, _, texts, _ = build(source, layout, seed=seed, quick=quick, out=out, generator=generator)
                stories = unrelated_stories(list(texts.values()), source, extra, seed)
                beside = with_stories(target, stories, out / "beside")
                counts = compare(run_tracer(target), run_tracer(beside))
                rows.append({"world": key, "seed": seed, "added": len(stories), **counts})
    return rows


def sameday(workdir: Path) -> dict[str, Any] | None:
    """:func:`compare` of ``spotify.jsonl`` alone and beside ``census.jsonl``, or None without the scrapes."""
    spotify, census = SAMEDAY_DIR / "spotify.jsonl", SAMEDAY_DIR / "census.jsonl"
    if not (spotify.exists() and census.exists()):
        return None
    both = workdir / "spotify-census.jsonl"
    both.write_text(spotify.read_text(encoding="utf-8") + census.read_text(encoding="utf-8"), encoding="utf-8")
    alone, beside = run_tracer(spotify), run_tracer(both)
    spotify_ids = {str(doc["id"]) for doc in alone["documents"]}
    # Census documents play the added stories: rename them so that named_edges can tell them apart.
    for edge in beside["edges"]:
        for end in ("parent", "child"):
            if str(edge[end]) not in spotify_ids and not str(edge[end]).startswith("~"):
                edge[end] = EXTRA_PREFIX + str(edge[end])
    return {"world": "spotify + census", "seed": "-", "added": len(beside["documents"]) - len(spotify_ids),
            **compare(alone, beside)}


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generators", default=",".join(GENERATORS),
                        help="comma-separated subset of " + ",".join(GENERATORS))
    parser.add_argument("--seeds", default="1,2", help="comma-separated seeds (default 1,2)")
    parser.add_argument("--extra", type=int, default=100, help="unrelated stories added to each corpus")
    parser.add_argument("--quick", action="store_true", help="the generators' small corpora")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    exit_if_no_corpora()
    generators = tuple(check_names(args.generators.split(",")))
    seeds = tuple(int(s) for s in args.seeds.split(","))
    with tempfile.TemporaryDirectory(prefix="locality-") as tmp:
        rows = simulated(generators, seeds, args.extra, args.quick, Path(tmp))
        real = sameday(Path(tmp))
    if real is not None:
        rows.append(real)
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        print(tabulate(rows, headers="keys"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
