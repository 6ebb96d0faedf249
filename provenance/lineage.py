"""Stage 7, lineage: linked pairs -> directed forest with latent sources.

Families are the connected groups of linked documents.  Inside a family each
document gets at most one parent, chosen as a maximum-weight branching
(Edmonds' algorithm, networkx) over the pair evidence, with a virtual root
standing for "no parent in this folder".

The textual critic's rule turns the pairwise evidence into a tree: a copy
that carries changes its sibling lacks cannot be that sibling's source.  For
a candidate edge P -> C and any third member W, either W lies outside C's
subtree (then P sits between C and W and cannot have readings of its own
against C and W together) or W descends from C (then C cannot have readings
of its own against P and W).  When both P and C carry such unique readings,
the edge is implausible.  When several members end up under the virtual root
because every one of them has changes of its own, their common source is
missing from the folder and a latent node (id ``~source-N``) stands for it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np

from .calibration import Calibration
from .direction import PairEvidence, _zipf, classify_relation, reading_agreement
from .model import Alignment, Document, Edge, Evidence, Family, Latent, SharedPassage

__all__ = ["build_lineage", "LINK_BIAS_DEFAULT", "CONFLICT_WEIGHT_DEFAULT"]

#: Prior log-odds that a linked pair is a direct copy rather than two copies of one source.
LINK_BIAS_DEFAULT = 2.0
#: Log-odds against an edge per unit of conflicting unique readings.
CONFLICT_WEIGHT_DEFAULT = 5.0
_CONFLICT_CAP = 3.0
# A unique reading that moves towards the plainer form (straight quotes,
# hyphens, commoner words) is what copies do independently of each other, so
# it says little about descent; one that moves away from it is a real trace.
_CONVERGENT_WEIGHT = 0.2
_PLAIN = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})
_ROOT = -1
_LARGE_FAMILY = 25
_WITNESSES_IN_LARGE_FAMILY = 8


@dataclass
class _Pair:
    evidence: PairEvidence
    alignment: Alignment


class _Readings:
    """Per-pair reading agreement, computed once and shared by all triples."""

    def __init__(self, documents: Sequence[Document], pairs: Mapping[tuple[int, int], _Pair]):
        self.documents = documents
        self.pairs = pairs
        self._agree: dict[tuple[int, int], np.ndarray] = {}

    def match(self, x: int, y: int) -> np.ndarray | None:
        """Content positions of ``x`` mapped into ``y`` (-1 unmatched), or None if not aligned."""
        pair = self.pairs.get((min(x, y), max(x, y)))
        if pair is None:
            return None
        al = pair.alignment
        return al.a_match if al.a == x else al.b_match

    def agree(self, x: int, y: int) -> np.ndarray | None:
        """Per content word of ``x``: does ``y`` read the same there?"""
        if (x, y) not in self._agree:
            key = (min(x, y), max(x, y))
            pair = self.pairs.get(key)
            if pair is None:
                return None
            al = pair.alignment
            agree_a, agree_b = reading_agreement(self.documents[al.a], self.documents[al.b], al)
            self._agree[(al.a, al.b)] = agree_a
            self._agree[(al.b, al.a)] = agree_b
        return self._agree[(x, y)]

    def unique(self, x: int, y: int, z: int, *, typography: bool = True) -> float | None:
        """Weighted count of places where ``y`` and ``z`` agree and ``x`` reads otherwise.

        Counted once over the words of ``y`` and once over those of ``z``;
        the smaller count is kept, so one alignment's quirk cannot invent a reading.
        """
        one = self._unique_over(x, y, z, typography)
        if one is None or one == 0.0:
            return one
        other = self._unique_over(x, z, y, typography)
        return None if other is None else min(one, other)

    def _unique_over(self, x: int, y: int, z: int, typography: bool) -> float | None:
        yz, yx, y_in_x = self.agree(y, z), self.agree(y, x), self.match(y, x)
        if yz is None or yx is None or y_in_x is None:
            return None
        mask = yz & ~yx
        if not mask.any():
            return 0.0
        starts = np.flatnonzero(mask & ~np.concatenate(([False], mask[:-1])))
        ends = np.flatnonzero(mask & ~np.concatenate((mask[1:], [False]))) + 1
        wording = 0.0
        styles: dict[str, float] = {}
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            style, weight = self._site(x, y, y_in_x, s, e)
            if style is None:
                wording += weight
            elif typography:
                styles[style] = max(styles.get(style, 0.0), weight)
        # A house style (quotes, dashes) is one decision however often it shows.
        return wording + sum(styles.values())

    def _site(self, x: int, y: int, y_in_x: np.ndarray, start: int, end: int) -> tuple[str | None, float]:
        """(typographic style or None for wording, weight) of one place where ``x`` reads otherwise."""
        doc_x, doc_y = self.documents[x], self.documents[y]
        if (y_in_x[start:end] >= 0).all():
            surf_y = _surface(doc_y, start, end)
            surf_x = _surface(doc_x, int(y_in_x[start]), int(y_in_x[end - 1]) + 1)
            y_plainer = surf_y.translate(_PLAIN) == surf_y and surf_x.translate(_PLAIN) != surf_x
            return _style(surf_x, surf_y), _CONVERGENT_WEIGHT if y_plainer else 1.0
        before = int(y_in_x[start - 1]) if start > 0 else -1
        after = int(y_in_x[end]) if end < len(y_in_x) else -1
        if before >= 0 and after > before and after - before - 1 == end - start:
            words_x = doc_x.content_words[before + 1 : after]
            words_y = doc_y.content_words[start:end]
            if all(_zipf(wx) - _zipf(wy) >= 0.8 for wx, wy in zip(words_x, words_y, strict=True)):
                return None, _CONVERGENT_WEIGHT
        return None, 1.0


def _style(a: str, b: str) -> str:
    """Which typographic habit two readings of the same words differ in."""
    changed = set(a) ^ set(b)
    if changed & set("“”\"«»„"):
        return "quotes"
    if changed & set("’‘'`"):
        return "apostrophes"
    if changed & set("–—-"):
        return "dashes"
    if a.casefold() == b.casefold():
        return "case"
    return "punctuation"


def _surface(doc: Document, start: int, end: int) -> str:
    """Original text of content words [start, end) with the punctuation just before them."""
    tok = doc.content
    first, last = int(tok[start]), int(tok[end - 1])
    lo = int(doc.tokens.ends[first - 1]) if first > 0 else int(doc.tokens.starts[first])
    lo = max(lo, int(doc.tokens.starts[first]) - 12)
    return doc.article.text[lo : int(doc.tokens.ends[last])]


def build_lineage(
    documents: Sequence[Document],
    pairs: Mapping[tuple[int, int], tuple[PairEvidence, Alignment]],
    *,
    link_bias: float = LINK_BIAS_DEFAULT,
    conflict_weight: float = CONFLICT_WEIGHT_DEFAULT,
    calibration: Calibration | None = None,
) -> tuple[list[Edge], list[Latent], list[Family]]:
    """Turn pair evidence into a directed forest.

    Parameters
    ----------
    documents : sequence of Document
        The corpus, indexed as in ``pairs``.
    pairs : mapping (i, j) -> (PairEvidence, Alignment), i < j
        Every aligned pair; only linked ones form families, but all aligned
        pairs inside a family are used as witnesses.
    link_bias : float, default=2.0
        Prior log-odds that a linked pair is a direct copy.
    conflict_weight : float, default=5.0
        Log-odds against an edge per unit of conflicting unique readings.
    calibration : Calibration, optional
        Maps edge margins to calibrated confidences; the shipped fit by default.

    Returns
    -------
    edges : list of Edge
    latent : list of Latent
    families : list of Family
    """
    calibration = calibration or Calibration.load()
    wrapped = {k: _Pair(ev, al) for k, (ev, al) in pairs.items()}
    readings = _Readings(documents, wrapped)
    key = [d.fingerprint + d.id for d in documents]
    links = nx.Graph()
    for (i, j), pair in sorted(wrapped.items()):
        if pair.evidence.linked:
            links.add_edge(i, j)
    components = sorted((sorted(c, key=key.__getitem__) for c in nx.connected_components(links)),
                        key=lambda c: (-len(c), key[c[0]]))
    edges: list[Edge] = []
    latent: list[Latent] = []
    families: list[Family] = []
    for members in components:
        fam_edges, fam_latent, root = _family_tree(
            members, documents, wrapped, readings, links, link_bias, conflict_weight, calibration,
            latent_number=len(latent) + 1,
        )
        edges.extend(fam_edges)
        latent.extend(fam_latent)
        families.append(Family(id=f"family-{len(families) + 1}", root=root,
                               members=tuple(sorted(documents[m].id for m in members))))
    edges.sort(key=lambda e: (e.parent, e.child))
    return edges, latent, families


def _weights(members, wrapped, readings, link_bias, conflict_weight) -> dict[tuple[int, int], tuple[float, float]]:
    """(weight, conflict units) of each possible edge parent -> child inside a family."""
    out = {}
    for p in members:
        for c in members:
            if p == c or (min(p, c), max(p, c)) not in wrapped:
                continue
            ev = wrapped[(min(p, c), max(p, c))].evidence
            forward = ev.forward if ev.a == p else -ev.forward
            conflict = 0.0
            for w in _witnesses(members, p, c, wrapped):
                u_p = readings.unique(p, c, w)
                u_c = readings.unique(c, p, w)
                if u_p is not None and u_c is not None:
                    conflict += min(u_p, u_c)
            conflict = min(conflict, _CONFLICT_CAP)
            # log P(p is the older of the two): strong direction evidence can
            # choose between parents but never makes a parent out of a sibling.
            older = -math.log1p(math.exp(-forward)) if forward > -30 else forward
            out[(p, c)] = (older + link_bias - conflict_weight * conflict, conflict)
    return out


def _witnesses(members, p, c, wrapped):
    others = [w for w in members if w not in (p, c)]
    if len(members) <= _LARGE_FAMILY:
        return others

    def shared(w):
        pair = wrapped.get((min(c, w), max(c, w)))
        return pair.evidence.shared_words if pair else 0

    return sorted(others, key=shared, reverse=True)[:_WITNESSES_IN_LARGE_FAMILY]


def _family_tree(members, documents, wrapped, readings, links, link_bias, conflict_weight,
                 calibration, latent_number):
    weights = _weights(members, wrapped, readings, link_bias, conflict_weight)
    graph = nx.DiGraph()
    graph.add_node(_ROOT)
    for m in members:
        graph.add_edge(_ROOT, m, weight=0.0)
    for (p, c), (w, _) in weights.items():
        graph.add_edge(p, c, weight=w)
    tree = nx.maximum_spanning_arborescence(graph, attr="weight", preserve_attrs=True)
    parent = {c: p for p, c in tree.edges()}
    edges: list[Edge] = []
    latent: list[Latent] = []
    top = [m for m in members if parent[m] == _ROOT]
    groups = _linked_groups(top, links)
    roots = []
    for group in groups:
        if len(group) == 1:
            roots.append(documents[group[0]].id)
            continue
        lat_id = f"~source-{latent_number + len(latent)}"
        latent.append(Latent(id=lat_id, children=tuple(sorted(documents[m].id for m in group))))
        roots.append(lat_id)
        for child in group:
            edges.append(_latent_edge(lat_id, child, group, members, documents, wrapped, readings,
                                      weights, calibration))
    for child in members:
        p = parent[child]
        if p != _ROOT:
            edges.append(_document_edge(p, child, documents, wrapped, weights, calibration))
    return edges, latent, roots[0]


def _linked_groups(top: list[int], links: nx.Graph) -> list[list[int]]:
    sub = links.subgraph(top)
    return [sorted(g, key=top.index) for g in sorted(nx.connected_components(sub), key=lambda g: min(top.index(x) for x in g))]


def _best_alternative(child: int, exclude: int | None, weights) -> float:
    alternatives = [w for (p, c), (w, _) in weights.items() if c == child and p != exclude]
    return max(alternatives, default=-math.inf)


def _document_edge(p, c, documents, wrapped, weights, calibration) -> Edge:
    pair = wrapped[(min(p, c), max(p, c))]
    ev, al = pair.evidence, pair.alignment
    weight, conflict = weights[(p, c)]
    rival = max(0.0, _best_alternative(c, p, weights))  # the root (0.0) is always an alternative
    margin = weight - rival
    p_is_a = al.a == p
    cov_p = al.a_coverage if p_is_a else al.b_coverage
    cov_c = al.b_coverage if p_is_a else al.a_coverage
    p_match = al.a_match if p_is_a else al.b_match
    hits = np.flatnonzero(p_match >= 0)
    tail_p = (len(p_match) - 1 - hits[-1]) / max(1, len(p_match)) if len(hits) else 1.0
    spin = ev.rarer_in_b if p_is_a else ev.rarer_in_a
    relation = classify_relation(cov_p, cov_c, tail_p, spin, len(al.substitutions), al.shared_words)
    evidence = [Evidence(e.signal, e.weight if p_is_a else -e.weight, e.detail) for e in ev.evidence]
    evidence.append(Evidence("prior", LINK_BIAS_DEFAULT, "linked texts are usually a direct copy"))
    if conflict:
        evidence.append(Evidence("unique-readings", -CONFLICT_WEIGHT_DEFAULT * conflict,
                                 "each side has changes the other lacks, where a third copy agrees"))
    return Edge(parent=documents[p].id, child=documents[c].id,
                confidence=calibration.confidence(margin, latent=False), relation=relation,
                evidence=tuple(evidence), shared=_shared(documents[p], documents[c], al, p_is_a))


def _latent_edge(lat_id, child, group, members, documents, wrapped, readings, weights, calibration) -> Edge:
    best = _best_alternative(child, None, weights)
    margin = min(10.0, -best) if math.isfinite(best) else 10.0
    siblings = [s for s in group if s != child]
    closest = max(siblings, key=lambda s: wrapped[(min(s, child), max(s, child))].evidence.shared_words
                  if (min(s, child), max(s, child)) in wrapped else -1)
    pair = wrapped.get((min(closest, child), max(closest, child)))
    others = [w for w in members if w != child]
    unique = [readings.unique(child, y, z) for i, y in enumerate(others) for z in others[i + 1:]]
    unique_units = min((u for u in unique if u is not None), default=0.0)
    wording = [readings.unique(child, y, z, typography=False) for i, y in enumerate(others) for z in others[i + 1:]]
    wording_units = min((u for u in wording if u is not None), default=0.0)
    relation = "edited"
    if pair is not None:
        ev, al = pair.evidence, pair.alignment
        s_is_a = al.a == closest
        relation = classify_relation(
            al.a_coverage if s_is_a else al.b_coverage,
            al.b_coverage if s_is_a else al.a_coverage,
            0.0,
            (ev.rarer_in_b - ev.rarer_in_a) if s_is_a else (ev.rarer_in_a - ev.rarer_in_b),
            len(al.substitutions), al.shared_words)
        # Against a sibling, the sibling's own changes count too; only the
        # child's unique readings say whether it changed the source text.
        if relation in ("edited", "reprint"):
            relation = "reprint" if wording_units <= 1.5 else "edited"
    names = ", ".join(documents[s].id for s in siblings)
    evidence = (
        Evidence("unique-readings", round(float(unique_units), 3),
                 f"has {unique_units:.1f} changes of its own that its sibling copies ({names}) lack"),
        Evidence("latent-source", round(margin, 3),
                 "no document in the folder can be its source: each candidate carries changes it lacks"),
    )
    return Edge(parent=lat_id, child=documents[child].id,
                confidence=calibration.confidence(margin, latent=True), relation=relation,
                evidence=evidence, shared=())


def _shared(parent: Document, child: Document, al: Alignment, p_is_a: bool) -> tuple[SharedPassage, ...]:
    out = []
    for ps in al.passages:
        pa, pb = (ps.a_start, ps.a_end), (ps.b_start, ps.b_end)
        (ps_lo, ps_hi), (cs_lo, cs_hi) = (pa, pb) if p_is_a else (pb, pa)
        out.append(SharedPassage(
            parent_start=int(parent.tokens.starts[parent.content[ps_lo]]),
            parent_end=int(parent.tokens.ends[parent.content[ps_hi - 1]]),
            child_start=int(child.tokens.starts[child.content[cs_lo]]),
            child_end=int(child.tokens.ends[child.content[cs_hi - 1]]),
            words=ps.matched,
        ))
    return tuple(sorted(out, key=lambda s: s.child_start))
