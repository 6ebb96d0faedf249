"""Real-data checks of the tracer: BBC byte-identical duplicates and same-day news scrapes.

``python benchmarks/realdata.py [--part bbc|sameday|all] [--baselines] [--limit N]``

(a) BBC: traces the whole BBC folder and reports how many of the groups of byte-identical
articles (md5 of stripped bytes) come out in one predicted family joined by "reprint"
edges, and what other families were found. (b) Same-day scrapes: traces census.jsonl and
spotify.jsonl and prints each family (outlet and first 80 characters of each member, and
relation and confidence of each edge) for a human to read.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.baselines import run_baseline  # noqa: E402
from benchmarks.common import (  # noqa: E402
    BBC_DIR,
    SAMEDAY_DIR,
    TracerUnavailable,
    exit_if_no_corpora,
    run_tracer,
)
from benchmarks.score import components, is_latent  # noqa: E402

SAMEDAY_FILES = ("census.jsonl", "spotify.jsonl")
REPRINT = "reprint"
PREVIEW_CHARS = 80


def duplicate_groups(root: Path = BBC_DIR) -> list[list[str]]:
    """Groups (size >= 2) of byte-identical BBC files, as ids relative to ``root``."""
    by_hash: dict[str, list[str]] = defaultdict(list)
    for path in sorted(root.glob("*/*.txt")):
        by_hash[hashlib.md5(path.read_bytes().strip()).hexdigest()].append(
            path.relative_to(root).as_posix())
    return [g for g in by_hash.values() if len(g) > 1]


def _families(predicted: dict[str, Any]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for node, root in components(predicted.get("edges", [])).items():
        groups[root].append(node)
    return {root: sorted(nodes) for root, nodes in groups.items()}


def _joined_by_reprints(group: list[str], edges: list[dict[str, Any]]) -> bool:
    """Whether the group is connected by reprint edges among its members and latent nodes."""
    members = set(group)
    inner = [e for e in edges if e.get("relation") == REPRINT
             and all(n in members or is_latent(n) for n in (e["parent"], e["child"]))]
    comp = components(inner)
    return len({comp.get(m, m) for m in group}) == 1


def bbc_report(predicted: dict[str, Any], groups: list[list[str]]) -> dict[str, Any]:
    """Score the duplicate groups against one prediction and describe the other families."""
    edges = predicted.get("edges", [])
    comp = components(edges)
    same_family = [g for g in groups if len({comp.get(m, m) for m in g}) == 1]
    reprinted = [g for g in same_family if _joined_by_reprints(g, edges)]
    dup_sets = {frozenset(g) for g in groups}
    families = [[n for n in nodes if not is_latent(n)] for nodes in _families(predicted).values()]
    others = [f for f in families if len(f) > 1 and frozenset(f) not in dup_sets]
    return {"duplicate_groups": len(groups), "in_one_family": len(same_family),
            "joined_by_reprint": len(reprinted), "families": len(families),
            "other_families": len(others),
            "other_family_sizes": dict(sorted(Counter(len(f) for f in others).items())),
            "relations": dict(Counter(e.get("relation") for e in edges)),
            "examples": sorted(others, key=len, reverse=True)[:10]}


def _first_line(path: Path) -> str:
    if not path.exists():
        return ""
    lines = path.read_bytes()[:200].decode("utf-8", "replace").splitlines()
    return lines[0][:70] if lines else ""


def _titles(root: Path, ids: list[str]) -> list[str]:
    return [f"    {doc}  {_first_line(root / doc)}" for doc in ids]


def print_bbc(name: str, report: dict[str, Any]) -> None:
    """Print one system's BBC duplicate report."""
    print(f"[{name}] {report['in_one_family']}/{report['duplicate_groups']} duplicate groups in "
          f"one family, {report['joined_by_reprint']} joined by '{REPRINT}' edges; "
          f"{report['families']} families in all, {report['other_families']} others "
          f"(sizes {report['other_family_sizes']}); relations {report['relations']}")
    for family in report["examples"]:
        print("  other family:")
        print("\n".join(_titles(BBC_DIR, family)))


def _records(path: Path) -> dict[str, dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return {str(r["id"]): r for r in map(json.loads, handle) if r}


def print_sameday(path: Path, predicted: dict[str, Any]) -> None:
    """Print each predicted family of a same-day scrape for reading."""
    records = _records(path)
    edges = predicted.get("edges", [])
    families = sorted(_families(predicted).values(), key=len, reverse=True)
    linked = {n for f in families for n in f}
    print(f"== {path.name}: {len(records)} articles, {len(families)} families, "
          f"{len(set(records) - linked)} unlinked")
    for number, nodes in enumerate(families, 1):
        print(f"-- family {number} ({sum(not is_latent(n) for n in nodes)} articles)")
        for node in nodes:
            record = records.get(node, {})
            preview = " ".join(str(record.get("text", "")).split())[:PREVIEW_CHARS]
            outlet = record.get("outlet", "(latent)" if is_latent(node) else "?")
            print(f"   {node:<14} {outlet:<24} {preview}")
        for edge in (e for e in edges if e["child"] in nodes):
            print(f"   {edge['parent']} -> {edge['child']}  {edge.get('relation')}  "
                  f"confidence {float(edge.get('confidence', 0)):.2f}")


def _systems(with_baselines: bool) -> list[str]:
    return ["provenance", *(["jaccard", "minhash"] if with_baselines else [])]


def _predict(system: str, path: Path) -> dict[str, Any]:
    return run_tracer(path) if system == "provenance" else run_baseline(system, path)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("bbc", "sameday", "all"), default="all")
    parser.add_argument("--baselines", action="store_true",
                        help="also run the two baselines on the BBC folder")
    args = parser.parse_args(argv)
    exit_if_no_corpora()
    try:
        if args.part in ("bbc", "all"):
            groups = duplicate_groups()
            for system in _systems(args.baselines):
                print_bbc(system, bbc_report(_predict(system, BBC_DIR), groups))
        if args.part in ("sameday", "all"):
            for path in (SAMEDAY_DIR / name for name in SAMEDAY_FILES):
                if not path.exists():
                    print(f"skipped: {path} is absent", file=sys.stderr)
                    continue
                print_sameday(path, run_tracer(path))
    except TracerUnavailable as exc:
        print(f"realdata.py: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
