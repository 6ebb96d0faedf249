"""Edge model of the lineage stage: features of "P is C's direct source" and their weights.

For every ordered pair inside a family the lineage stage asks how likely it
is that P is C's direct source rather than C's source lying elsewhere (another
member, or outside the folder).  The answer is a logistic model over plain
features (direction signals, how much of C that P explains, unique readings
that conflict with the edge); its weights are fitted offline on simulated
syndication with known lineage (``benchmarks/calibrate.py``) and shipped in
``provenance/data/edge_model.json``.  Nothing is trained at run time.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..model import Alignment, Document, Span
from .align import edit_sites
from .boilerplate import find_credits
from .collation import Collation
from .direction import DIRECTION_FEATURES, PairEvidence
from .fitted import read_fit
from .normalise import fold_text

__all__ = ["EdgeModel", "edge_features", "family_own_changes", "origin_features", "page_lines", "wrapped", "FEATURES",
           "ORIGIN_FEATURES"]

FEATURES = (
    "older",
    *DIRECTION_FEATURES,
    "explains",
    "coverage_child",
    "originality",
    "conflict_wording",
    "conflict_total",
    "witnesses",
    "wrapping_shared",
    "pair_family",
    "distance",
    "closest",
    "parent_unique",
    "child_unique",
    "parent_bare",
    "child_bare",
    "against_child",
    "sites_gap",
    "direction_against",
)
#: Features of "this member is the family's original, not a copy" (see :func:`origin_features`).
ORIGIN_FEATURES = ("bare", "own_changes", "originality", "contains")
_CONFLICT_CAP = 4.0
_AGAINST_CAP = 50.0
_SITES_GAP_CAP = 10
_STYLE_SITES_CAP = 3
# Boilerplate kinds that a copier may carry over from the page it copied (a learned line is left
# out: whether a line is learned depends on what else is traced beside it).
_TRAVELLING = ("dateline", "credit")
# Boilerplate that an outlet's page puts around a story it publishes.  A dateline or credit
# line is not a wrapping: it travels with the story from the agency that wrote it.
_WRAPPING = ("learned", "furniture")
# Fewer words of furniture make no page around a story.
_PAGE_WORDS = 15
_LARGE_FAMILY = 25
_WITNESSES_IN_LARGE_FAMILY = 8

# Hand-set starting weights, used when no fit is shipped.
_DEFAULT_WEIGHTS = {
    "older": 1.0, "explains": 2.0, "originality": 1.0, "conflict_wording": -5.0, "conflict_total": -2.0,
}


@dataclass(frozen=True)
class EdgeModel:
    """Logistic model of P(parent is the child's direct source).

    Parameters
    ----------
    weights : dict of str to float
        Weight per feature name (missing features weigh 0).
    intercept : float
        Log-odds with every feature at 0.
    confidence_slope, confidence_intercept : float
        Platt scaling from an edge's softmax share to its reported confidence,
        fitted on the final edges of the training corpora.
    confidence_scanned : float, default=0.0
        Log-odds the confidence loses when the edge joins a scanned text: a
        scan's misreadings hide the few changes that tell a copy of a copy
        from a copy of the source, so such an edge is right less often at
        the same share; fitted with the two above.
    tree_conflict_weight, tree_conflict_min : float
        Once a tree is chosen, an edge contradicted by at least
        ``tree_conflict_min`` unique readings (given where the other members
        sit) loses ``tree_conflict_weight`` log-odds per reading and the tree
        is searched again; both chosen on the training corpora.
    root_logit : float, default=0.0
        Log-odds the tree search gives "source outside the folder" when it
        picks each child's parent.  The fitted model's own value is 0 (and
        confidences are computed with 0); the shipped decision threshold is
        chosen on the training corpora for the most right parents overall.
    origin_weights, origin_intercept : dict of str to float, float
        Logistic model of "this member is the family's original" over
        :data:`ORIGIN_FEATURES`; without weights every member scores 0.
    latent_logit : float, default=0.0
        Log-odds added to a family tree that puts an unseen source on top,
        against one whose root is a member (whose origin log-odds count
        instead); chosen on the training corpora.
    root_conflict_weight : float, default=0.0
        When trees with different roots are compared, log-odds each tree
        loses per unique reading that contradicts where its members sit
        (a root whose copies agree against it cannot be their source).
    """

    weights: Mapping[str, float] = field(default_factory=lambda: dict(_DEFAULT_WEIGHTS))
    intercept: float = 2.0
    root_logit: float = 0.0
    confidence_slope: float = 1.0
    confidence_intercept: float = 0.0
    confidence_scanned: float = 0.0
    tree_conflict_weight: float = 1.0
    tree_conflict_min: float = 2.0
    origin_weights: Mapping[str, float] = field(default_factory=dict)
    origin_intercept: float = 0.0
    latent_logit: float = 0.0
    root_conflict_weight: float = 0.0

    @classmethod
    def load(cls, path: str | None = None) -> EdgeModel:
        """The fit in ``path`` (a JSON file ``benchmarks/calibrate.py`` wrote), by default the shipped one.

        Without a shipped fit, the hand-set defaults.
        """
        text = read_fit("edge_model.json", path)
        if text is None:
            return cls()
        data = json.loads(text)
        confidence = data.get("confidence", {})
        return cls(weights=data["weights"], intercept=data["intercept"], root_logit=data.get("root_logit", 0.0),
                   confidence_slope=confidence.get("slope", 1.0),
                   confidence_intercept=confidence.get("intercept", 0.0),
                   confidence_scanned=confidence.get("scanned", 0.0),
                   tree_conflict_weight=data.get("tree_conflict", {}).get("weight", 1.0),
                   tree_conflict_min=data.get("tree_conflict", {}).get("min", 2.0),
                   origin_weights=data.get("origin", {}).get("weights", {}),
                   origin_intercept=data.get("origin", {}).get("intercept", 0.0),
                   latent_logit=data.get("latent_logit", 0.0),
                   root_conflict_weight=data.get("root_conflict_weight", 0.0))

    def logit(self, features: Mapping[str, float]) -> float:
        """Log-odds that the edge is right."""
        return self.intercept + sum(self.weights.get(k, 0.0) * v for k, v in features.items())

    def origin_logit(self, features: Mapping[str, float]) -> float:
        """Log-odds that a member is its family's original rather than a copy of a source elsewhere."""
        return self.origin_intercept + sum(self.origin_weights.get(k, 0.0) * v for k, v in features.items())

    def calibrate(self, share: float, scanned: bool = False) -> float:
        """Calibrated confidence of an edge from its softmax share among the child's options.

        ``scanned``: the edge joins a scanned text (see ``confidence_scanned``).
        """
        share = min(max(share, 1e-6), 1 - 1e-6)
        z = self.confidence_slope * math.log(share / (1 - share)) + self.confidence_intercept
        if scanned:
            z += self.confidence_scanned
        return round(1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z)))), 4)

    def contributions(self, features: Mapping[str, float]) -> dict[str, float]:
        """Each feature's share of the log-odds (for the evidence shown to users)."""
        return {k: self.weights.get(k, 0.0) * v for k, v in features.items() if self.weights.get(k, 0.0) * v}


def _log_older(forward: float) -> float:
    """log P(first is older than second) from the pair's direction log-odds."""
    return -math.log1p(math.exp(-forward)) if forward > -30 else forward


def edge_features(
    members: Sequence[int],
    pairs: Mapping[tuple[int, int], tuple[PairEvidence, Alignment]],
    collation: Collation,
    documents: Sequence[Document],
    own_changes: Mapping[int, float] | None = None,
) -> dict[tuple[int, int], dict[str, float]]:
    """Features of every possible edge parent -> child inside one family.

    Parameters
    ----------
    members : sequence of int
        Document indices of the family.
    pairs : mapping (i, j) -> (PairEvidence, Alignment), i < j
        Aligned pairs; edges exist only between aligned members.
    collation : Collation
        Reading agreement of the same pairs.
    documents : sequence of Document
        The corpus (for the boilerplate each member carries).
    own_changes : mapping member -> float, optional
        :func:`family_own_changes` of the family, if already worked out.

    Returns
    -------
    dict (parent, child) -> dict of feature name to value
    """
    forward: dict[tuple[int, int], float] = {}
    distance: dict[tuple[int, int], float] = {}
    sites: dict[tuple[int, int], int] = {}
    against: dict[tuple[int, int], float] = {}
    oriented: dict[tuple[int, int], tuple[float, ...]] = {}
    covered: dict[tuple[int, int], tuple[float, float]] = {}
    structural: dict[tuple[int, int], int] = {}
    for p in members:
        for c in members:
            key = (min(p, c), max(p, c))
            pair = pairs.get(key)
            if p == c or pair is None:
                continue
            ev, al = pair
            sign = 1.0 if ev.a == p else -1.0
            forward[(p, c)] = sign * ev.forward
            oriented[(p, c)] = tuple(sign * f for f in ev.features)
            covered[(p, c)] = (al.b_coverage, al.a_coverage) if al.a == p else (al.a_coverage, al.b_coverage)
            # Changes between the two: structural sites plus typographic ones (a few at most).
            style_runs = collation.changed_runs(p, c)
            if key not in structural:  # one alignment serves both directions
                structural[key] = edit_sites(al)
            sites[(p, c)] = structural[key] + min(style_runs, _STYLE_SITES_CAP)
            distance[(p, c)] = math.log1p(sites[(p, c)])
            # Siblings differ by changes of both: some signals say P is older, others C.
            against[(p, c)] = sum(max(0.0, -sign * e.weight) for e in ev.evidence)
    wrappings = {m: {fold_text(s.text) for s in documents[m].boilerplate if s.kind in _TRAVELLING}
                 for m in members}
    nearest = {c: min((v for (_, cc), v in distance.items() if cc == c), default=0.0) for c in members}
    fewest = {c: min((v for (_, cc), v in sites.items() if cc == c), default=0) for c in members}
    best_cover = {c: max((v[0] for (_, cc), v in covered.items() if cc == c), default=1.0) for c in members}
    originality = {
        p: sum(_log_older(f) for (pp, _), f in forward.items() if pp == p) / max(1, len(members) - 1)
        for p in members
    }
    unique = own_changes if own_changes is not None else family_own_changes(members, collation)
    # Wire copy arrives bare; an outlet's page wraps the story in its furniture.
    bare = {m: _bare(documents[m]) for m in members}
    out = {}
    for (p, c), fwd in forward.items():
        wording = total = inherited = 0.0
        n_witnesses = 0
        for w in _witnesses(members, p, c, pairs):
            u_p, u_c = collation.unique(p, c, w), collation.unique(c, p, w)
            if u_p is None or u_c is None:
                continue
            n_witnesses += 1
            wording += min(u_p.wording, u_c.wording)
            total += min(u_p.total, u_c.total)
            # Where the child agrees with an older third copy against P (a reading, or a cut
            # both made), it is closer to that copy than to P.
            if forward.get((w, c), 0.0) > 0.0:
                inherited += u_p.total + collation.shared_cuts(p, c, w)
        cover_child = covered[(p, c)][0]
        parent_wrapping = wrappings[p]
        features = {
            "older": _log_older(fwd),
            **dict(zip(DIRECTION_FEATURES, oriented[(p, c)], strict=True)),
            "explains": math.log(max(cover_child, 1e-3) / max(best_cover[c], 1e-3)),
            "coverage_child": cover_child,
            "originality": originality[p],
            "conflict_wording": min(wording, _CONFLICT_CAP),
            "conflict_total": min(total, _CONFLICT_CAP),
            "witnesses": math.log1p(n_witnesses),
            # An outlet's dateline or credit line travels with its text to the next copier.
            "wrapping_shared": len(parent_wrapping & wrappings[c]) / len(parent_wrapping) if parent_wrapping else 0.0,
            "pair_family": 1.0 if len(members) == 2 else 0.0,
            # A direct source is the closest of the child's possible ancestors.
            "distance": distance[(p, c)],
            "closest": distance[(p, c)] - nearest[c],
            # A source present in the folder has no changes of its own: every
            # other pair of copies that agree with each other agree with it.
            "parent_unique": unique[p],
            "child_unique": unique[c],
            "against_child": math.log1p(min(inherited, _AGAINST_CAP)),
            "direction_against": math.log1p(against[(p, c)]),
            # Changes between P and the child beyond those of its closest candidate source.
            "sites_gap": float(min(sites[(p, c)] - fewest[c], _SITES_GAP_CAP)),
            "parent_bare": bare[p],
            "child_bare": bare[c],
        }
        out[(p, c)] = features
    return out


def origin_features(
    members: Sequence[int],
    pairs: Mapping[tuple[int, int], tuple[PairEvidence, Alignment]],
    collation: Collation,
    documents: Sequence[Document],
    own_changes: Mapping[int, float] | None = None,
) -> dict[int, dict[str, float]]:
    """Features of "member m is the family's original", for choosing between a root and an unseen source.

    An original arrives bare (no outlet page around it), has no readings of
    its own that two other members agree against, looks older than the
    others, and contains what they share with it.  ``own_changes`` as for
    :func:`edge_features`.

    Returns
    -------
    dict member -> dict of feature name (:data:`ORIGIN_FEATURES`) to value
    """
    if own_changes is None:
        own_changes = family_own_changes(members, collation)
    out = {}
    for m in members:
        older, contains = [], []
        for o in members:
            pair = pairs.get((min(m, o), max(m, o)))
            if o == m or pair is None:
                continue
            ev, al = pair
            older.append(_log_older(ev.forward if ev.a == m else -ev.forward))
            contains.append(al.b_coverage if al.a == m else al.a_coverage)
        out[m] = {
            "bare": _bare(documents[m]),
            "own_changes": own_changes[m],
            "originality": sum(older) / len(older) if older else 0.0,
            "contains": sum(contains) / len(contains) if contains else 0.0,
        }
    return out


def _bare(doc: Document) -> float:
    """1.0 when no outlet wrapping was found around the story (wire copy arrives bare)."""
    return 0.0 if wrapped(doc) else 1.0


def wrapped(doc: Document, credited: Sequence[str] = ()) -> bool:
    """Whether an outlet's page surrounds the story: a few lines of it, not one learned line.

    One short line that this corpus learns as furniture and another would not
    (a byline, "Order reprint") does not make a page; the decision must not
    move when unrelated articles are traced beside it.  Lines that name only
    agencies in ``credited`` (an agency's own copyright notice or byline) are
    the agency's, not a page of another's around its story.
    """
    return sum(len(s.text.split()) for s in page_lines(doc, credited)) >= _PAGE_WORDS


def page_lines(doc: Document, credited: Sequence[str] = ()) -> list[Span]:
    """The lines of an outlet's page around ``doc``'s story: learned and built-in furniture, less lines
    that name only agencies in ``credited`` (see :func:`wrapped`)."""
    return [s for s in doc.boilerplate if s.kind in _WRAPPING and not _names_only(s.text, credited)]


def _names_only(text: str, agencies: Sequence[str]) -> bool:
    """Whether ``text`` credits someone, and only agencies among ``agencies``."""
    found = find_credits(text)[0] if agencies else ()
    return bool(found) and set(found) <= set(agencies)


def family_own_changes(members: Sequence[int], collation: Collation) -> dict[int, float]:
    """Per member, the ``parent_unique`` edge feature and ``own_changes`` origin feature (one value, asked by both)."""
    return {m: _own_changes(m, members, collation) for m in members}


def _own_changes(m: int, members: Sequence[int], collation: Collation) -> float:
    """log1p of the mean count of places where two other members agree and ``m`` reads otherwise."""
    others = [w for w in members if w != m][:_WITNESSES_IN_LARGE_FAMILY]
    counts = [u.total for i, y in enumerate(others) for z in others[i + 1:]
              if (u := collation.unique(m, y, z)) is not None]
    return math.log1p(sum(counts) / len(counts)) if counts else 0.0


def _witnesses(members: Sequence[int], p: int, c: int, pairs: Mapping) -> Iterable[int]:
    others = [w for w in members if w not in (p, c)]
    if len(members) <= _LARGE_FAMILY:
        return others

    def shared(w: int) -> int:
        pair = pairs.get((min(c, w), max(c, w)))
        return pair[0].shared_words if pair else 0

    return sorted(others, key=shared, reverse=True)[:_WITNESSES_IN_LARGE_FAMILY]
