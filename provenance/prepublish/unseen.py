"""Check against unseen sources: a draft matching several reprints of one story the index lacks.

When the sources a draft reuses are copies of each other and none of them is
their common source (the lineage stage puts an unseen source above them), the
draft copies that unseen source: it is reconstructed from the reprints
(:mod:`provenance.stages.reconstruct`), its probable agency named
(:mod:`provenance.stages.agency`), and the draft's credits are read for that
agency.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..model import Agency, Document
from ..stages.align import Aligner
from ..stages.direction import MIN_LINK_SHARE_DEFAULT, MIN_LINK_WORDS_DEFAULT

__all__ = ["UnseenMatch", "match_unseen", "credit_reprints"]


@dataclass(frozen=True)
class UnseenMatch:
    """The unseen source a draft copies, reconstructed from the index's reprints of it."""

    copies: tuple[str, ...]
    text: str
    agency: Agency
    credited: bool
    credit: str | None

    @property
    def summary(self) -> str:
        """"copy of an unseen source reconstructed from 4 reprints, probably AP"."""
        who = f"probably {self.agency.name}" if self.agency.name else "agency unknown"
        return f"copy of an unseen source reconstructed from {len(self.copies)} reprints, {who}"

    def to_json(self) -> dict[str, Any]:
        """Plain data for the check's JSON answer."""
        return {"summary": self.summary, "copies": list(self.copies), "text": self.text,
                "agency": self.agency.name, "agency_label": self.agency.label,
                "agency_evidence": list(self.agency.evidence),
                "credited": self.credited, "credit": self.credit}


def match_unseen(draft: Document, sources: Sequence[Document], credit_text: str,
                 aligner: Aligner | None = None) -> UnseenMatch | None:
    """The unseen source behind the reprints a draft matches, or None.

    Parameters
    ----------
    draft : Document
        The prepared draft.
    sources : sequence of Document
        The index documents the draft reuses (linked to it).
    credit_text : str
        Folded text of the draft's bylines, datelines and credit lines.
    aligner : Aligner, optional
        The aligner to compare the sources with each other.

    Returns
    -------
    UnseenMatch or None
        None unless two or more sources are copies of one story whose source
        is none of them.
    """
    if len(sources) < 2:
        return None
    # Imported here: a check that matches one source never needs the lineage stage.
    from ..pipeline import assess_pairs
    from ..stages.lineage import build_lineage
    from ..stages.reconstruct import describe_sources

    docs = list(sources)
    index_pairs = [(i, j) for i in range(len(docs)) for j in range(i + 1, len(docs))]
    pairs = assess_pairs(docs, index_pairs, aligner=aligner or Aligner(), direction_model=None,
                         min_link_words=MIN_LINK_WORDS_DEFAULT, min_link_share=MIN_LINK_SHARE_DEFAULT)
    _, latent, families = build_lineage(docs, pairs)
    latent, _ = describe_sources(docs, pairs, latent, families)
    if not latent:
        return None
    best = max(latent, key=lambda lat: (len(lat.children), lat.id))
    agency = best.agency or Agency(None, 0, len(best.children))
    credit = _credits_agency(draft, agency.name, credit_text)
    return UnseenMatch(copies=best.children, text=best.text, agency=agency, credited=credit is not None,
                       credit=credit)


def credit_reprints(matches: Sequence[Any], unseen: UnseenMatch | None) -> list[Any]:
    """Source matches with the reprints counted as credited when the draft credits their agency."""
    if unseen is None or not unseen.credited:
        return list(matches)
    copies = set(unseen.copies)
    return [dataclasses.replace(m, credited=True, credit=unseen.credit) if m.id in copies and not m.credited
            else m for m in matches]


def _credits_agency(draft: Document, name: str | None, credit_text: str) -> str | None:
    """How the draft credits the agency ``name``, or None."""
    if not name:
        return None
    if name in draft.credits:
        return f"credits {name}, the reprints' agency"
    folded = name.casefold()
    if re.search(rf"(?<!\w){re.escape(folded)}(?!\w)", credit_text):
        return f"names {name}, the reprints' agency, in a byline, dateline or credit line"
    return None
