"""View data of an unseen source's card in the HTML report.

The card shows the reconstructed text (its passages shaded by how many copies
carry them), the probable agency with its evidence, and each copy side by
side against the reconstruction: what the copy cut (struck out in the
source column), what it added or reworded (underlined in the copy's column).
All text stays plain data; the templates escape it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model import CopyChange, Document, Latent
from ..stages.reconstruct import GAP_MARK
from .html import Ref, Seg, _merge, _plain

__all__ = ["SourceCard", "source_card"]

# Shading steps of a passage by the share of copies carrying it.
_LEVELS = 3


@dataclass
class SourceCard:
    """View data of one unseen-source card."""

    ref: Ref
    children: list[Ref]
    agency: str
    evidence: tuple[str, ...]
    passages: list[dict[str, Any]] = field(default_factory=list)
    copies: list[dict[str, Any]] = field(default_factory=list)


def source_card(ref: Ref, lat: Latent | None, children: list[Ref], docs: dict[str, Document],
                with_copies: bool) -> SourceCard:
    """Build the card of the unseen source ``lat`` (None: a source without reconstruction).

    Parameters
    ----------
    ref : Ref
        The source's link target.
    lat : Latent or None
        The reconstructed source.
    children : list of Ref
        Links to its copies.
    docs : dict
        Documents by id.
    with_copies : bool
        Include each copy's side-by-side view (left out when the report must stay small).
    """
    agency = lat.agency.label if lat is not None and lat.agency else "agency unknown"
    card = SourceCard(ref, children, agency, lat.agency.evidence if lat is not None and lat.agency else ())
    if lat is None or not lat.text:
        return card
    card.passages = _shaded(lat)
    if with_copies:
        by_child: dict[str, list[CopyChange]] = {}
        for change in lat.changes:
            by_child.setdefault(change.child, []).append(change)
        for child in children:
            doc = docs.get(child.id)
            if doc is None:
                continue
            changes = by_child.get(child.id, [])
            card.copies.append({
                "ref": child,
                "counts": {kind: sum(c.kind == kind for c in changes) for kind in ("cut", "added", "reworded")},
                "source_col": _source_column(lat.text, changes),
                "copy_col": _copy_column(doc, changes),
            })
    return card


def _shaded(lat: Latent) -> list[dict[str, Any]]:
    """The reconstructed text as runs: passages with their support level, and the text between them."""
    n = max(1, len(lat.children))
    out: list[dict[str, Any]] = []
    cursor = 0
    for number, p in enumerate(lat.passages, 1):
        if p.start > cursor:
            out.extend(_between(lat.text[cursor:p.start]))
        level = max(1, min(_LEVELS, round(_LEVELS * len(p.support) / n)))
        out.append({"kind": "passage", "text": lat.text[p.start:p.end], "level": level, "number": number,
                    "title": f"passage {number}: carried by {len(p.support)} of {n} copies ({', '.join(p.support)})"})
        cursor = p.end
    if cursor < len(lat.text):
        out.extend(_between(lat.text[cursor:]))
    return out


def _between(text: str) -> list[dict[str, Any]]:
    """Text between passages: the gap mark stands out, the rest is plain."""
    out = []
    for k, part in enumerate(text.split(GAP_MARK)):
        if k:
            out.append({"kind": "gap", "text": GAP_MARK})
        if part:
            out.append({"kind": "plain", "text": part})
    return out


def _source_column(text: str, changes: list[CopyChange]) -> list[Seg]:
    """The reconstruction with what this copy cut or reworded struck out."""
    segs: list[Seg] = []
    cursor = 0
    for c in sorted((c for c in changes if c.source_end > c.source_start), key=lambda c: c.source_start):
        if c.source_start < cursor:
            continue
        segs.append(Seg("same", text[cursor:c.source_start]))
        segs.append(Seg("del", text[c.source_start:c.source_end]))
        cursor = c.source_end
    segs.append(Seg("same", text[cursor:]))
    return _merge(segs)


def _copy_column(doc: Document, changes: list[CopyChange]) -> list[Seg]:
    """The copy's own text: what it added or reworded underlined, page furniture greyed, the rest shared."""
    text = doc.article.text
    segs: list[Seg] = []
    cursor = 0
    for c in sorted((c for c in changes if c.copy_end > c.copy_start), key=lambda c: c.copy_start):
        if c.copy_start < cursor:
            continue
        segs.extend(_shared(text, cursor, c.copy_start, doc))
        segs.append(Seg("ins", text[c.copy_start:c.copy_end]))
        cursor = c.copy_end
    segs.extend(_shared(text, cursor, len(text), doc))
    return _merge(segs)


def _shared(text: str, start: int, end: int, doc: Document) -> list[Seg]:
    """Text the copy shares with the reconstruction (its boilerplate greyed)."""
    return [Seg("same", s.text) if s.kind == "plain" else s for s in _plain(text, start, end, doc)]
