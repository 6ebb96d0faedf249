"""Stage 5-6 driver: align and assess many candidate pairs, optionally on several cores.

Alignment dominates the run time of a trace once candidates are found; pairs
are independent, so they are spread over worker processes in chunks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .align import Aligner
from .direction import DirectionModel, PairEvidence, assess_pair
from .model import Alignment, Document

__all__ = ["assess_pairs"]

Progress = Callable[[str, int, int], None]


def assess_pairs(
    documents: Sequence[Document],
    index_pairs: Sequence[tuple[int, int]],
    *,
    aligner: Aligner,
    direction_model: DirectionModel | None,
    min_link_words: int,
    min_link_share: float,
    jobs: int = 1,
    progress: Progress | None = None,
) -> dict[tuple[int, int], tuple[PairEvidence, Alignment]]:
    """Align and assess each pair ``(i, j)`` of document indices.

    Parameters
    ----------
    documents : sequence of Document
    index_pairs : sequence of (int, int)
    aligner : Aligner
    direction_model : DirectionModel or None
    min_link_words, min_link_share
        Link thresholds passed to :func:`~provenance.direction.assess_pair`.
    jobs : int, default=1
        Worker processes (1 = in this process).
    progress : callable, optional
        Called as ``progress("align", done, total)``.

    Returns
    -------
    dict (i, j) -> (PairEvidence, Alignment)
    """
    report = progress or (lambda stage, done, total: None)
    out = {}
    total = len(index_pairs)
    for n, (i, j) in enumerate(index_pairs):
        if n % 500 == 0:
            report("align", n, total)
        al = aligner.align(documents[i], documents[j], i, j)
        ev = assess_pair(documents[i], documents[j], al, model=direction_model,
                         min_link_words=min_link_words, min_link_share=min_link_share)
        out[(i, j)] = (ev, al)
    report("align", total, total)
    return out
