"""benchmarks/locality.py's comparison of two traces of one corpus (no corpora needed)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.locality import compare  # noqa: E402


def _trace(edges: list[tuple[str, str, float]], latent: tuple[str, ...] = ()) -> dict:
    return {"edges": [{"parent": p, "child": c, "confidence": w} for p, c, w in edges],
            "latent": [{"id": node} for node in latent]}


def test_unseen_sources_compare_by_their_children_not_their_ids():
    alone = _trace([("~source-1", "a", 0.8), ("~source-1", "b", 0.7), ("a", "c", 0.9)], ("~source-1",))
    beside = _trace([("~source-2", "a", 0.8), ("~source-2", "b", 0.71), ("a", "c", 0.9),
                     ("~source-1", "extra-0001", 0.9), ("~source-1", "extra-0002", 0.9)], ("~source-1", "~source-2"))
    assert compare(alone, beside) == {"edges": 3, "moved": 0, "confidence": 0, "crossing": 0}


def test_a_moved_parent_a_moved_confidence_and_strangers_joined_are_counted():
    alone = _trace([("~source-1", "a", 0.8), ("~source-1", "b", 0.7), ("a", "c", 0.9), ("a", "d", 0.6)],
                   ("~source-1",))
    # c moves under b; d keeps a but loses confidence; a stranger joins a and b's unseen
    # source (which renames nothing: it is named by the corpus documents under it) and
    # another hangs under d.
    beside = _trace([("~source-1", "a", 0.8), ("~source-1", "b", 0.7), ("~source-1", "extra-0001", 0.6),
                     ("b", "c", 0.9), ("a", "d", 0.5), ("d", "extra-0002", 0.6)], ("~source-1",))
    assert compare(alone, beside) == {"edges": 4, "moved": 1, "confidence": 1, "crossing": 2}
