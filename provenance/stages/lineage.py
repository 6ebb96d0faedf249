"""Stage 7, lineage: linked pairs -> directed forest with latent sources.

Families are the connected groups of linked documents.  Inside a family each
document gets at most one parent, chosen as a maximum-weight branching
(Edmonds' algorithm, :mod:`.branching`) over the edge model's log-odds, with a virtual
root standing for "no parent in this folder".

The textual critic's rule turns pairwise evidence into a tree: a copy that
carries changes its sibling lacks cannot be that sibling's source.  For a
candidate edge P -> C and any third member W, either W lies outside C's
subtree (then P sits between C and W and has no readings of its own against
C and W together) or W descends from C (then C has none against P and W).
When both P and C carry such unique readings (see :mod:`.collation`), the
edge conflicts with the evidence.  When several members end up under the
virtual root because each has changes of its own, their common source is
missing from the folder and a latent node (id ``~source-N``) stands for it.

Whether a family has an unseen source on top or one of its members is the
original is decided for the family as a whole: the free tree (with its
latent sources) is compared with trees rooted at the members that look most
like an original (bare wire copy, no readings of its own, older than the
rest), each scored by its edges' log-odds plus the root's origin log-odds or
the unseen source's prior (:class:`~provenance.stages.edge_model.EdgeModel`).

Two rules that follow from how copying works then hold whatever the fit says:

* Parsimony: an unseen source is the text its copies share.  A member that
  holds that text and has no change of its own where the copies differ is
  that text, however much more it has (sources are longer than excerpts), so
  it becomes the source instead (unless its page says it is a reprint).
* One unseen source is one text: copies put under one must share text with
  each other, or through a copy that holds most of both.  Linked copies of
  two stories (a follow-up quoting its predecessor) get one unseen source
  each, joined by a ``partial`` edge from the older story to the later.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from datetime import datetime

import networkx as nx
import numpy as np

from ..engines.parallel import paused_gc
from ..model import Alignment, Document, Edge, Evidence, Family, Latent, OtherSource, SharedPassage, Span
from .boilerplate import find_credits, names_agency
from .branching import maximum_spanning_arborescence
from .collation import Collation, OwnReadings
from .direction import PairEvidence, classify_relation, has_verbatim_run, published_before, published_span
from .edge_model import EdgeModel, edge_features, family_own_changes, origin_features, page_lines, wrapped
from .normalise import fold_text
from .ocr import looks_scanned, lost_line_words, misread_words

__all__ = ["build_lineage", "family_members", "training_rows"]

_ROOT = -1
_CONSISTENCY_ROUNDS = 4
# Members tried as the family's original, besides the free tree's own roots.
_ROOT_CANDIDATES = 3
_TREE_CONFLICT_CAP = 8.0
# Larger families skip the critic's rule on whole trees: it weighs every member
# against every edge, and beyond this size not every pair is aligned anyway.
_CRITIC_FAMILY_SIZE = 40
# Two copies of one text: the majority of the smaller is found in the larger.
_SAME_TEXT = 0.5
# Copies of one text share a run of this many words as they stood (the test of ../shared/tools/unseen_sources.py).
_ONE_TEXT_RUN = 8
# Share of a passage's words a longer copy must read alike to hold it as it stood (a trim, lightly edited).
_HELD_AS_IT_STOOD = 0.8
# A member holds what its group's copies share when it has this much of the
# words each copy shares with the others (alignment misses a word here and there).
_HOLDS = 0.9
# A source's own readings (every copy carrying the place replaced its words, two the
# same way) are coincidences: two rewriters picking the same synonym where no other copy
# kept the word: one in 250 words that two copies carry, at most.
_OWN_CHANGES = 0.004
# One word of a source that every copy reading it replaced by one other word, two of them the same,
# is also what two sub-editors picking one synonym do by chance (a word has a few common synonyms,
# and a copy that cut the passage has no say there).  How often they do is read from the copies
# themselves: for every this many places where two of them replaced a word of the source each its
# own way, one such place is chance, no change of the source's.  A phrase read alike is a change.
_REWORDINGS_PER_COINCIDENCE = 3
# Fewer words missing from a text in the middle of a copied passage are a garbled or
# re-worded phrase; this many make a cut sentence.
_CUT_WORDS = 5
# Past the ends of what a copy takes, only a passage this long is a cut (as in the collation).
_EDGE_CUT_WORDS = 20
# A scan loses lines of its own (about 3 in 100, and words past reading), which are no cuts
# of the page it scanned: a scanned member need hold less, and only a run longer than
# ocr.lost_line_words is a cut.
_SCANNED_HOLDS = 0.8
# Misreadings a scan of a text would show, at its family's lightest scan's rate, for a text with none to
# read as clean (a scan that long shows none about once in twenty: e**-3).
_CLEAN_EXPECTED = 3.0
# Larger than any tree's log-odds: a scanned copy's edge from the source when it carries
# another copy's change comes after every other choice (see _branching).
_THROUGH_FIRST = 1e4
# Groups larger than this test only their longest members as the source, against this many witnesses.
_SOURCE_WITNESSES = 12
_SOURCE_CANDIDATES = 3
# Log-odds by which the pair's evidence must put another member before a would-be source to overrule it.
_DIRECTION_VETO = 4.0
# The pair signals that read a change copying makes (stages.direction), not the texts' lengths.
_COPYING_SIGNS = frozenset({"spin", "noise", "furniture", "date"})
# A would-be parent's own changes that its copy reads as the source does: one place may be an alignment's
# quirk or a word the copy changed again; more say the copy did not take the text from it.
_PARENT_OWN_CHANGES = 1.0
# Log-odds a tree loses for making a page that credits another the original of its copies: a veto
# (finite, so trees that all break it still compare), since no weight of text evidence outweighs
# the page's own word that it took the story from someone else.
_CREDITED_ROOT_PENALTY = 1000.0
# What a partial edge's evidence says of which story came first, by the sign of its log-odds: the
# tree places a story under the one it reuses, but the texts' own signs may not say which is older.
_REUSE_ORDER = {True: "one story reuses part of the other; the other is older",
                False: "one story reuses part of the other; the texts do not say which is older"}
# Lines of page furniture (not the credited agency's own) that make another's page around a story
# whose outlet is unknown: one may be a line this corpus learns by chance, two are a masthead and a
# footer.
_OTHERS_PAGE_LINES = 2
# Boilerplate that names who published a story: it travels from a source to its copies.
_BYLINES = ("dateline", "credit")
_EVIDENCE_NAMES = {
    "older": "which text is the older of the two (direction signals above)",
    "explains": "how much of the child this parent contains, against the best other candidate",
    "originality": "how original this parent looks against the whole family",
    "conflict_wording": "each side has changed wording the other lacks, where a third copy agrees",
    "conflict_total": "each side has changes (wording or typography) the other lacks, where a third copy agrees",
    "coverage_child": "share of the child found in the parent",
    "witnesses": "number of other copies compared",
}
Pairs = Mapping[tuple[int, int], tuple[PairEvidence, Alignment]]


def _families(documents: Sequence[Document], pairs: Pairs) -> tuple[nx.Graph, list[list[int]]]:
    key = [d.fingerprint + d.id for d in documents]
    links = nx.Graph()
    for (i, j), (ev, _) in sorted(pairs.items()):
        if ev.linked:
            links.add_edge(i, j)
    components = sorted((sorted(c, key=key.__getitem__) for c in nx.connected_components(links)),
                        key=lambda c: (-len(c), key[c[0]]))
    return links, components


def family_members(documents: Sequence[Document], pairs: Pairs) -> list[list[int]]:
    """Document indices of each family (connected group of linked documents), largest first."""
    return _families(documents, pairs)[1]


def training_rows(documents: Sequence[Document], pairs: Pairs) -> list[tuple[str, str, dict[str, float]]]:
    """(parent id, child id, features) of every possible edge in every family, for fitting the edge model."""
    collation = Collation(documents, {k: al for k, (_, al) in pairs.items()})
    _, components = _families(documents, pairs)
    rows = []
    for members in components:
        for (p, c), feats in edge_features(members, pairs, collation, documents).items():
            rows.append((documents[p].id, documents[c].id, feats))
    return rows


def build_lineage(
    documents: Sequence[Document],
    pairs: Pairs,
    *,
    model: EdgeModel | None = None,
) -> tuple[list[Edge], list[Latent], list[Family]]:
    """Turn pair evidence into a directed forest.

    Parameters
    ----------
    documents : sequence of Document
        The corpus, indexed as in ``pairs``.
    pairs : mapping (i, j) -> (PairEvidence, Alignment), i < j
        Every aligned pair; only linked ones form families, but all aligned
        pairs inside a family serve as witnesses.
    model : EdgeModel, optional
        Weights of the edge features; the shipped fit by default.

    Returns
    -------
    edges : list of Edge
    latent : list of Latent
    families : list of Family
    """
    model = model or EdgeModel.load()
    collation = Collation(documents, {k: al for k, (_, al) in pairs.items()})
    links, components = _families(documents, pairs)
    edges: list[Edge] = []
    latent: list[Latent] = []
    families: list[Family] = []
    # Each family's own pairs, in the corpus's order: what a family weighs grows with it, not the corpus.
    family_of = {m: n for n, members in enumerate(components) for m in members}
    inside: list[dict[tuple[int, int], tuple[PairEvidence, Alignment]]] = [{} for _ in components]
    for key, pair in pairs.items():
        n = family_of.get(key[0])
        if n is not None and n == family_of.get(key[1]):
            inside[n][key] = pair
    # The collation's readings and weighed places live to the end, and make no reference cycles:
    # the collector would only traverse them again and again (about a tenth of the stage's time).
    with paused_gc():
        for members, family_pairs in zip(components, inside, strict=True):
            fam_edges, fam_latent, trees = _FamilyTree(members, documents, family_pairs, collation, links,
                                                       model).build(latent_number=len(latent) + 1)
            edges.extend(fam_edges)
            latent.extend(fam_latent)
            families.extend(Family(id="", root=root, members=tuple(sorted(documents[m].id for m in tree)))
                            for root, tree in trees)
        # Freed while the collector is still paused: once it runs again, its first pass would
        # traverse every kept reading and weighed place once more (about 5% of the stage).
        del collation
    edges.sort(key=lambda e: (e.parent, e.child))
    return edges, latent, numbered_families(families)


def numbered_families(families: Sequence[Family]) -> list[Family]:
    """``families`` numbered ``family-1``, ``family-2``... in their order.

    They come in the order of the groups of linked documents they are built from (largest
    first); a group's lineage may hold several trees (texts linked only through a frame of
    words each fills with its own), each a family, in the group's place.
    """
    return [dataclasses.replace(f, id=f"family-{n}") for n, f in enumerate(families, start=1)]


class _FamilyTree:
    """Maximum branching of one family, then latent sources and edge descriptions."""

    def __init__(self, members, documents, pairs, collation, links, model):
        self.members = members
        self.documents = documents
        self.pairs = pairs
        self.collation = collation
        self.links = links
        self.model = model
        # Each member's own changes are an edge feature and an origin feature: worked out once for both.
        own_changes = family_own_changes(members, collation)
        self.features = edge_features(members, pairs, collation, documents, own_changes)
        self.logit = {k: model.logit(f) for k, f in self.features.items()}
        self._below: dict[int, set[int]] = {}
        # The chosen tree (member -> parent), once build has chosen it.
        self._parent: dict[int, int] = {}
        self._groups: dict[tuple[int, ...], list[list[int]]] = {}
        # Every tree scored asks again whether its top members are one text, and of which pairs.
        self._one_texts: dict[frozenset[int], bool] = {}
        self._verbatim: dict[tuple[int, int], bool] = {}
        # Children whose unseen source would be a member's text: for them "a source outside the folder" is no option.
        self._held_by_member: set[int] = set()
        # Each member's source test against each group of witnesses: it depends on the texts alone.
        self._source_tests: dict[tuple[int, tuple[int, ...]], bool] = {}
        # Edges whose child has passages its would-be parent lacks and other members carry; and
        # from a scan to a clean text: a scan's misreadings are its own, no change of the text it
        # printed, but a text without one misreading was not taken from the scan (it would have
        # restored every letter).  A light scan may have too few to read as one: it is no clean text,
        # nor is a text so short that a scan of it would as likely show no misreading (at the
        # lightest scan's rate of them, fewer than _CLEAN_EXPECTED expected).
        scanned = {m for m in members if looks_scanned(documents[m])}
        rate = min((misread_words(documents[m]) / max(1, len(documents[m].content)) for m in scanned), default=0.0)
        self._clean = {m for m in members if scanned and not misread_words(documents[m])
                       and rate * len(documents[m].content) >= _CLEAN_EXPECTED}
        # Per member, read once: when it was published (UTC).
        self._published = {m: published_span(documents[m]) for m in members}
        # Nor was a text taken from one published after it.
        self._impossible: set[tuple[int, int]] = {
            (p, c) for p, c in self.logit
            if (c in self._clean and p in scanned) or published_before(self._published[c], self._published[p])}
        self._triples: dict[int, set[tuple[str, ...]]] = {}
        # Per scanned member: how many others carry each of its words (its story, not its page's other columns).
        self._carriers: dict[int, np.ndarray] = {}
        self._credits_another = {m: _credits_another(documents[m]) for m in members}
        # Per member, read once: whether it is an agency's own story (credits only its own outlet).
        self._credits_itself = {m: _agency_own_story(documents[m]) for m in members}
        # Log-odds of each edge once the tree is chosen (every rival of every child needs them).
        self._effective_logit: dict[tuple[int, int], float] = {}
        self._critic = model.root_conflict_weight if len(members) <= _CRITIC_FAMILY_SIZE else 0.0
        self.origin = {m: model.origin_logit(f)
                       for m, f in origin_features(members, pairs, collation, documents, own_changes).items()}

    def _branching(self, root: int | None = None, among: Sequence[int] | None = None,
                   holding: int | None = None) -> dict[int, int] | None:
        """Maximum branching; with ``root``, only that member may lack a parent in the folder.

        With ``among``, only those members and the edges between them are
        placed; with ``holding`` (the group's source), only parents through
        which their child can descend from it (:meth:`_descends_through`).
        """
        members = self.members if among is None else among
        inside = set(members)
        # Our own Edmonds (networkx's choices, without its graph machinery); None when
        # no tree reaches every member from ``root``.
        edges = [(_ROOT, m, self.model.root_logit) for m in (members if root is None else [root])]
        edges.extend((p, c, w) for (p, c), w in self.logit.items()
                     if c != root and p in inside and c in inside and (p, c) not in self._impossible and (
                         holding is None or p == holding or self._descends_through(p, c, holding)))
        if holding is not None and looks_scanned(self.documents[holding]):
            # The edge model cannot read scans, so the rule decides: a copy that carries another
            # copy's change descends through a copy, not from the source, which has none of them.
            # Copies sharing one change cannot all descend through each other: as few as can
            # take from the source (a lexicographic order: the edges' log-odds only break ties).
            through = {c for p, c, _ in edges if p not in (_ROOT, holding)}
            edges = [(p, c, w - _THROUGH_FIRST if p == holding and c in through else w) for p, c, w in edges]
        tree = maximum_spanning_arborescence([_ROOT], edges)
        # A member no allowed edge reaches is no node of the graph: then no tree spans the members.
        return tree if tree is not None and all(m in tree for m in members) else None

    def _score(self, parent: dict[int, int]) -> float:
        """Log-odds of a tree: its edges, plus each top group's origin (one member) or unseen source (several)."""
        edges = sum(self.logit[(p, c)] for c, p in parent.items() if p != _ROOT)
        if self._critic:
            # The critic's rule on the whole tree: readings that contradict where the members sit.
            edges -= self._critic * sum(
                min(total, _TREE_CONFLICT_CAP) for _, total in self._tree_conflicts(parent).values())
        top = [m for m in self.members if parent[m] == _ROOT]
        tops = sum(self._origin(g[0], parent) if len(g) == 1 else self.model.latent_logit
                   for g in self._linked_groups(top))
        return edges + tops

    def _origin(self, m: int, parent: dict[int, int]) -> float:
        """Log-odds that ``m`` is the original of the members below it.

        A page that credits another for its story says it is a copy: it is no
        original of its copies, whatever its text looks like.
        """
        if self._credits_another[m] and any(p == m for p in parent.values()):
            return self.origin[m] - _CREDITED_ROOT_PENALTY
        return self.origin[m]

    def _choose_root(self, free: dict[int, int]) -> dict[int, int]:
        """The likelier of the free tree and trees rooted at the members that look most like the original.

        The free tree leaves at the top every member whose best option is
        "source outside the folder", and linked ones then share an unseen
        source.  When one member is much likelier the original (bare wire
        copy with no changes of its own), rooting the family there is the
        better explanation even though some of its edges are weak.
        """
        best, best_score = free, self._score(free)
        # Every member a copy of one unseen source: right when each carries changes of its own.
        star = dict.fromkeys(self.members, _ROOT)
        trees = [star] + [self._branching(root) for root in
                          sorted(self.members, key=lambda m: -self.origin[m])[:_ROOT_CANDIDATES]]
        for tree in trees:
            if tree is not None and (score := self._score(tree)) > best_score + 1e-9:
                best, best_score = tree, score
        return self._parsimonious(best)

    def _parsimonious(self, parent: dict[int, int]) -> dict[int, int]:
        """Posit an unseen source only where no member can be it.

        An unseen source over a group is the text its copies share, read as
        their majority.  A member of the group that holds that text and has no
        change of its own where the copies differ *is* that text: the unseen
        source would be a second name for it.  Text only that member has
        (sources are longer than excerpts; a cut in the copies is not a change
        in the source) is no evidence against it.
        """
        parent = dict(parent)
        # A member made the source of one group joins the top, where it may be linked with another
        # top member it can be the source of too (a paper that wove a few of its sentences into a
        # story of its own): again until no group changes.
        for _ in self.members:
            before = dict(parent)
            self._parsimony_pass(parent)
            if parent == before:
                break
        return parent

    def _parsimony_pass(self, parent: dict[int, int]) -> None:
        """One pass of :meth:`_parsimonious` over the groups at the top of ``parent`` (changed in place)."""
        below = _subtrees(parent)
        top = [m for m in self.members if parent[m] == _ROOT]
        for group in self._linked_groups(top):
            if len(group) == 1:
                # A member at the top is the original of the members below it only if it can be
                # their source; if it cannot and one of them can, that one is the original.
                pool = sorted(below[group[0]], key=self.members.index)
                if (len(pool) < 3 and not any(self._update_of(x, group[0]) for x in pool)) or self._can_be_source(
                        group[0], self._witnesses(group[0], pool)):
                    if len(pool) >= 3:
                        # The source's copies descend from it, or from a copy of it whose change
                        # they share: one with none of its would-be parent's changes is as well
                        # explained by the source itself (two reprints of a page, days apart).
                        self._place_copies(parent, group[0], pool)
                    continue
            else:
                # The unseen source would be the source of the copies below the group too: they
                # witness its readings (a change two top copies made alike is none of a member's
                # when a copy below reads as that member).
                pool = sorted(set().union(*(below[m] for m in group)), key=self.members.index)
            source = self._pool_source(pool)
            if source is None and len(pool) > len(group):
                # Copies below a member may descend from it rather than from the group's source
                # (an agency's first version and its copies, under the update the others took).
                pool = group
                source = self._pool_source(pool)
            if source is None:
                continue
            self._place_copies(parent, source, pool)
            self._held_by_member.update(m for m in group if m != source)

    def _pool_source(self, pool: list[int]) -> int | None:
        """The member of ``pool`` that is the others' source, if any."""
        # Own changes show only where two copies agree against a text: two members cannot tell,
        # unless one is the other's later version.
        return self._source_among(pool) if len(pool) >= 3 else self._updated_source(pool)

    def _place_copies(self, parent: dict[int, int], source: int, pool: list[int]) -> None:
        """Make ``source`` the top of ``pool`` in ``parent``; its copies descend from it as their edges say.

        Some descend from a copy of it, but only through a copy whose change
        they share (:meth:`_descends_through`).
        """
        within = self._branching(source, among=pool, holding=source) or {
            m: source for m in pool if m != source}
        parent.update((m, p if p != _ROOT else source) for m, p in within.items() if m != source)
        parent[source] = _ROOT

    def _source_among(self, pool: list[int]) -> int | None:
        """The member of ``pool`` that can be the others' source (the one explaining most of them), if any."""
        # In a large pool the source is among its longest texts, and its test needs no more
        # witnesses than a handful (each test weighs every pair of them).
        candidates = sorted(pool, key=lambda m: -len(self.documents[m].content))[:_SOURCE_CANDIDATES]
        if len(pool) <= _SOURCE_WITNESSES:
            candidates = pool
        witnesses = self._witnesses(candidates[0], pool)
        sources = [m for m in candidates if self._can_be_source(m, witnesses if m in witnesses else [m, *witnesses])]
        if not sources:
            return self._updated_source(pool)
        return self._earliest(max(sources, key=lambda m: (self._explained(m, pool), self.origin[m])), pool)

    def _earliest(self, m: int, pool: list[int]) -> int:
        """``m``, or the member the pair's signs of copying clearly put before it (and so on up).

        Copies that change a source the same way (two rewriters picking one
        synonym) hide their changes from the readings test and give the
        source "changes" of its own; the evidence of each pair (dates, rarer
        words, garbling, furniture) still tells which of two came first.
        """
        seen = {m}
        while not looks_scanned(self.documents[m]):
            margin, earlier = max(((self._copying_signs(y, m), y) for y in pool if y != m), default=(-math.inf, m))
            if margin < _DIRECTION_VETO or earlier in seen or looks_scanned(self.documents[earlier]):
                break
            m = earlier
            seen.add(m)
        return m

    def _copying_signs(self, y: int, m: int) -> float:
        """Log-odds that ``y`` came before ``m`` from the changes copying makes, not from the texts' shapes.

        Rarer synonyms, garbled words, added page furniture and a later date
        mark the copy; length and containment do not (a page is longer than
        the story it reprints).
        """
        pair = self.pairs.get((min(y, m), max(y, m)))
        if pair is None:
            return -math.inf
        ev = pair[0]
        forward = sum(e.weight for e in ev.evidence if e.signal in _COPYING_SIGNS)
        return forward if ev.a == y else -forward

    def _updated_source(self, pool: list[int]) -> int | None:
        """A member whose later version (:meth:`_update_of`) can be the source of the rest.

        An agency that updates its story (a write-thru) adds and changes text;
        outlets copy the update.  Against the first version those copies share
        the update's changes, so it is nobody's source by its text; but the
        update descends from it, and the copies from the update.
        """
        # Oldest first by the earliest each can be; undated (or only bounded from above) last.
        earliest = {m: (self._published[m] or (datetime.min,))[0] for m in pool}
        for m in sorted(pool, key=lambda m: (earliest[m] == datetime.min, earliest[m])):
            rest = [x for x in pool if x != m]
            updates = [y for y in rest if self._update_of(m, y)]
            if any(self._can_be_source(y, self._witnesses(y, rest)) for y in updates):
                return m
        return None

    def _update_of(self, m: int, y: int) -> bool:
        """Whether ``y`` is a later version of ``m``'s story by the agency that wrote both (a write-thru).

        Both credit their own outlet (an agency's story under its own dateline);
        a site that carries several outlets' copies of a story is no agency
        updating its own.  The later is the one published later; undated, the
        one that holds the other and more, as a breaking story grows.
        """
        doc_m, doc_y = self.documents[m], self.documents[y]
        outlet_m, outlet_y = (fold_text(d.article.outlet or "") for d in (doc_m, doc_y))
        # Whose pages they are unknown, the agency is the one both datelines credit.
        one_agency = outlet_m == outlet_y if outlet_m else not outlet_y and doc_m.credits == doc_y.credits
        if not (one_agency and self._credits_itself[m] and self._credits_itself[y]):
            return False
        when_m, when_y = self._published[m], self._published[y]
        if published_before(when_m, when_y) or published_before(when_y, when_m):
            return published_before(when_m, when_y)
        in_y = self.collation.match(m, y)
        return in_y is not None and (
            int(np.count_nonzero(in_y >= 0)) >= _HOLDS * len(in_y)
            and len(doc_y.content) - len(doc_m.content) >= _EDGE_CUT_WORDS)

    def _witnesses(self, member: int, pool: list[int]) -> list[int]:
        """``member`` and the members of ``pool`` a source test weighs it against (the nearest, in a large pool)."""
        if len(pool) <= _SOURCE_WITNESSES:
            return pool
        longest = sorted(pool, key=lambda m: -len(self.documents[m].content))[:_SOURCE_CANDIDATES]
        ordered = [member, *longest, *self._nearest(member, pool)]
        return list(dict.fromkeys(ordered))[:_SOURCE_WITNESSES]

    def _descends_through(self, p: int, c: int, source: int) -> bool:
        """Whether ``c`` can descend from ``source`` through ``p``.

        A copy's parent lacks none of what the copy took from the source, and
        the copy carries a change of that parent's (other words, a house style,
        or a cut inside the passage, that the two share against the source): a
        copy with no such change is as well explained by the source itself,
        the one text known to be the source.
        """
        from_source, in_p = self.collation.match(c, source), self.collation.match(c, p)
        if from_source is None or in_p is None:
            return False
        taken = from_source >= 0
        scanned = looks_scanned(self.documents[p])
        holds = _SCANNED_HOLDS if scanned else _HOLDS
        if int(np.count_nonzero(taken & (in_p >= 0))) < holds * int(np.count_nonzero(taken)):
            return False
        # A scan loses a few lines, not a passage: a copy holding more of the source than p does
        # in one place did not take it from p.
        if scanned and _run_spans(taken & (in_p < 0), max(_CUT_WORDS, lost_line_words(self.documents[p]))):
            return False
        shared_change = self.collation.unique(source, p, c)
        if not scanned:
            # Nor has the parent changes of its own where the copy reads as the source does:
            # the copy would have had to change every such word back.
            own_of_p = self.collation.unique(p, source, c)
            if own_of_p is not None and own_of_p.wording > _PARENT_OWN_CHANGES:
                return False
        # Two excerpts of one passage start and stop at the same places without one taking from
        # the other; a reprinted column is cut at the end, and its reprint stops where it stopped.
        # A scanned source also prints a neighbouring column's lines: only its story's text, which
        # another copy took, can be cut.
        story = None
        if looks_scanned(self.documents[source]):
            if source not in self._carriers:
                self._carriers[source] = self.collation.carriers(source, [w for w in self.members if w != source])
            story = self._carriers[source].copy()
            for w in (p, c):
                if (in_w := self.collation.match(source, w)) is not None:
                    story -= in_w >= 0
            story = story > 0
        scans = scanned and looks_scanned(self.documents[c])
        # A house style the two share against the source (straightened quotes, a dash) is a change
        # too; a scan's marks are its own, no change of the page it printed.
        return bool((shared_change is not None and (shared_change.wording > 0 or shared_change.style > 0))
                    or self.collation.shared_cuts(source, p, c, ends=scans, story=story) > 0)

    def _nearest(self, member: int, among: Sequence[int]) -> list[int]:
        """The others of ``among``, most words shared with ``member`` first (ties in family order)."""
        def shared(w: int) -> int:
            pair = self.pairs.get((min(member, w), max(member, w)))
            return pair[0].shared_words if pair else -1

        return sorted((w for w in among if w != member), key=lambda w: -shared(w))

    def _explained(self, m: int, group: list[int]) -> int:
        """Words of the other members found in ``m``: the likelier source leaves its copies fewer additions.

        A scan misreads words of its own, which its copies then do not find in it: within what a
        copy takes from a scanned ``m``, runs shorter than one of its printed lines are its
        misreadings, found all the same; only a passage it lacks counts against it.
        """
        scan = self.collation.scanned(m)
        line = lost_line_words(self.documents[m]) if scan else 0
        found = 0
        for x in group:
            if x == m or (match := self.collation.match(x, m)) is None:
                continue
            held = match >= 0
            if scan and held.any():
                hits = np.flatnonzero(held)
                inside = np.zeros(len(held), dtype=bool)
                inside[hits[0]:hits[-1] + 1] = True
                lacking = inside & ~held
                held = held | (lacking & ~_runs_at_least(lacking, line))
            found += int(np.count_nonzero(held))
        return found

    def _can_be_source(self, m: int, group: list[int]) -> bool:
        """:meth:`_source_test` of ``m`` against ``group``, worked out once (parsimony asks again each pass)."""
        key = (m, tuple(group))
        if key not in self._source_tests:
            self._source_tests[key] = self._source_test(m, group)
        return self._source_tests[key]

    def _source_test(self, m: int, group: list[int]) -> bool:
        """Whether ``m`` holds what the group's copies share and reads with them wherever they agree.

        A verbatim reprint may read exactly as its absent source, so the
        text alone cannot tell them apart; what the reprinting outlet put
        around the story can.  An outlet's page that credits another for
        its story says it is a copy (when the outlet is not known, only a
        page around the story tells an outlet's copy from an agency's own
        story, which keeps its credited dateline), and so does a dateline
        or credit line that no other copy carries: a source's dateline
        travels with its text, a copier's own stays with it.  Nor does a
        text published after one of its would-be copies qualify.
        """
        doc = self.documents[m]
        others = [x for x in group if x != m]
        # A page that credits another, or a later version of a story in the group, is a copy.
        if self._credits_another[m] or any(self._update_of(x, m) for x in others):
            return False
        carried = {fold_text(s.text) for x in others for s in self.documents[x].boilerplate if s.kind in _BYLINES}
        if any(fold_text(s.text) not in carried and not _agency_line(doc, s)
               for s in doc.boilerplate if s.kind in _BYLINES):
            return False
        when = self._published[m]
        if any(published_before(self._published[x], when) for x in others):
            return False
        # A clean text was not taken from a scan (see the impossible edges of __init__).
        if looks_scanned(doc) and any(x in self._clean for x in others):
            return False
        holds, cut_words = (_SCANNED_HOLDS, lost_line_words(doc)) if looks_scanned(doc) \
            else (_HOLDS, _CUT_WORDS)
        held = shared_total = cuts = 0
        for x in others:
            in_m = self.collation.match(x, m)
            if in_m is None:
                return False
            shared = np.zeros(len(in_m), dtype=bool)
            for y in others:
                in_y = self.collation.match(x, y) if y != x else None
                if in_y is not None:
                    shared |= in_y >= 0
            # Before or after what x takes from m, a few words shared with another copy are
            # framing (an opening sentence, a sign-off); a passage there is a cut of m's.
            hits = np.flatnonzero(in_m >= 0)
            if len(hits):
                if self._edge_cut(m, x, shared, hits, others):
                    return False
                shared[: hits[0]] = False
                shared[hits[-1] + 1:] = False
            # Words the alignment in text order left unmatched that m has elsewhere (a clause a
            # rewriter moved) are held all the same.
            missing = shared & (in_m < 0)
            moved = np.zeros(len(in_m), dtype=bool)
            words = self.documents[x].content_words
            for start, end in _run_spans(missing, 3):
                moved[start:end] = not self._lacks(m, words[start:end])
            # A run of words two copies carry and m lacks, in the middle of what it gave them: a cut of m's;
            # unless a copy reads as m there (a branch's addition), which m need not hold.
            x_cuts, added = self._cuts(m, x, missing & ~moved, max(_CUT_WORDS, cut_words), others)
            cuts = max(cuts, x_cuts)
            held += int(np.count_nonzero(shared & ((in_m >= 0) | moved)))
            shared_total += int(np.count_nonzero(shared)) - added
        if held < holds * shared_total:
            return False
        readings = self.collation.own_readings(m, others)
        # A house style (quotes, dashes, case) that copies agree against in most pairs is m's own.
        styles = [u.style for n, y in enumerate(others) for z in others[n + 1:]
                  if (u := self.collation.unique(m, y, z)) is not None]
        style = float(np.median(styles)) if styles else 0.0
        if _counted_readings(readings) + cuts + style > _OWN_CHANGES * readings.checked and readings.own:
            # Two copies agreeing against m may be one branch: a copy that came after m (so is not
            # its source) and changed m's text, and a copy of that copy (see _descends_through).
            # After m: published later, or, undated, marked later by the changes copying makes
            # (rarer synonyms, garbling, furniture), as _earliest reads them.
            branches: dict[tuple[int, int], bool] = {}

            def branch(x: int, y: int) -> bool:
                if (x, y) not in branches:
                    after_m = published_before(when, self._published[x]) or \
                        self._copying_signs(m, x) >= _DIRECTION_VETO
                    branches[(x, y)] = after_m and self._descends_through(x, y, m)
                return branches[(x, y)]

            readings = self.collation.own_readings(m, others, branch)
        return _counted_readings(readings) + cuts + style <= _OWN_CHANGES * readings.checked

    def _edge_cut(self, m: int, x: int, shared: np.ndarray, hits: np.ndarray, others: list[int]) -> bool:
        """Whether a passage of ``x`` another copy carries, before or after what ``x`` takes from ``m``, is ``m``'s cut.

        A copy's addition that its own copies inherit is carried by two
        copies and missing from ``m`` too; it is no cut of ``m``'s when
        another copy reads as ``m`` there (it has ``m``'s word where ``x``'s
        passage joins what it takes from ``m``, and not the passage) and the
        copies carrying the passage are one branch: they share a change of
        ``m``'s text besides it.  Without that, copies that stop where ``m``
        stops are trims at one paragraph, as papers cut a story to fit.
        """
        in_m = self.collation.match(x, m)
        first, last = int(hits[0]), int(hits[-1])
        for span, boundary in ((slice(0, first), first), (slice(last + 1, len(shared)), last)):
            offset = span.start
            for start, end in _run_spans(shared[span], _EDGE_CUT_WORDS):
                run = (offset + start, offset + end)
                if not (any(self._reads_as_at_edge(z, m, x, int(in_m[boundary]), run) for z in others if z != x)
                        and self._one_branch_carries(m, x, run, others)):
                    return True
        return False

    def _one_branch_carries(self, m: int, x: int, run: tuple[int, int], others: list[int]) -> bool:
        """Whether a copy carrying ``x``'s ``run`` shares a change of ``m``'s text with ``x`` (one branch)."""
        for y in others:
            x_in_y = self.collation.match(x, y) if y != x else None
            if x_in_y is None or _mostly_unmatched(x_in_y[run[0]:run[1]]):
                continue
            # The passage itself is one reading of theirs against m; a branch shares another.
            shared_change = self.collation.unique(m, x, y)
            if shared_change is not None and shared_change.wording > 1.0:
                return True
        return False

    def _reads_as_at_edge(self, z: int, m: int, x: int, m_word: int, x_run: tuple[int, int]) -> bool:
        """Whether ``z`` has ``m``'s word ``m_word`` and lacks ``x``'s run."""
        m_in_z, x_in_z = self.collation.match(m, z), self.collation.match(x, z)
        if m_in_z is None or x_in_z is None:
            return False
        return int(m_in_z[m_word]) >= 0 and _mostly_unmatched(x_in_z[x_run[0]:x_run[1]])

    def _cuts(self, m: int, x: int, missing: np.ndarray, length: int, others: list[int]) -> tuple[int, int]:
        """Runs of ``x``'s words (``missing``: carried by another copy, not by ``m``) that ``m`` cut.

        Words a branch of copies added (a rewriter's clause, inherited by the
        copies of that copy) are missing from ``m`` too; they are no cut of
        ``m``'s when another copy reads as ``m`` there, going straight from
        ``m``'s word before the run to its word after it: as with own
        readings, a reading of ``m`` that any copy keeps can be the original.
        Returns the cuts and the words of the runs that are no cuts.
        """
        in_m = self.collation.match(x, m)
        hits = np.flatnonzero(in_m >= 0)
        cuts = added = 0
        for start, end in _run_spans(missing, length):
            before, after = hits[hits < start], hits[hits >= end]
            if not len(before) or not len(after):
                cuts += 1
                continue
            m_before, m_after = int(in_m[before[-1]]), int(in_m[after[0]])
            if any(self._reads_as(z, m, x, (m_before, m_after), (start, end)) for z in others if z != x):
                added += end - start
            else:
                cuts += 1
        return cuts, added

    def _reads_as(self, z: int, m: int, x: int, m_span: tuple[int, int], x_run: tuple[int, int]) -> bool:
        """Whether ``z`` has ``m``'s words on both sides of ``x``'s run and lacks the run itself."""
        m_in_z, x_in_z = self.collation.match(m, z), self.collation.match(x, z)
        if m_in_z is None or x_in_z is None:
            return False
        before, after = int(m_in_z[m_span[0]]), int(m_in_z[m_span[1]])
        return 0 <= before < after and _mostly_unmatched(x_in_z[x_run[0]:x_run[1]])

    def _text_from_parents(self, parent: dict[int, int]) -> dict[int, int]:
        """Re-solve without edges whose child has text its parent lacks and other members carry.

        Such an edge gives way only to another member that can be the child's
        parent; which members are outside a child's subtree depends on the
        tree, so each round looks at the tree the last one chose.
        """
        for _ in range(_CONSISTENCY_ROUNDS):
            below = _subtrees(parent)
            wrong = set()
            for c, p in parent.items():
                if p == _ROOT or not self._passages_from_elsewhere(p, c, below[c]):
                    continue
                if any((q, c) in self.logit and (q, c) not in self._impossible
                       and not self._passages_from_elsewhere(q, c, below[c])
                       for q in self.members if q not in below[c] and q != p):
                    wrong.add((p, c))
            if not wrong:
                break
            self._impossible |= wrong
            parent = self._branching()
        return parent

    def _passages_from_elsewhere(self, p: int, c: int, below_c: set[int]) -> int:
        """Passages of ``c`` that ``p`` lacks and a member outside ``c``'s subtree carries.

        A copy takes its text from its parent: a passage its would-be parent
        lacks (a trim's cut paragraph) that other members carry came to it
        from elsewhere, so ``p`` is not its parent.  Its own copies carry its
        text by descent and do not count, nor does a member that may be one
        of them; a scan's lost lines are no passage (runs of
        :func:`~.ocr.lost_line_words` or more count).
        """
        in_p = self.collation.match(c, p)
        if in_p is None:
            return 0
        carried = np.zeros(len(in_p), dtype=bool)
        for w in self.members:
            if w not in (p, c) and w not in below_c and not self._may_copy(c, w) and (
                    in_w := self.collation.match(c, w)) is not None:
                carried |= in_w >= 0
        missing = carried & (in_p < 0)
        if not missing.any():
            return 0
        inside = max(_CUT_WORDS, lost_line_words(self.documents[p])) \
            if looks_scanned(self.documents[p]) else _CUT_WORDS
        hits = np.flatnonzero(in_p >= 0)
        first, last = (int(hits[0]), int(hits[-1])) if len(hits) else (len(in_p), -1)
        # Past the ends of what p gave c, only a real passage counts (a headline is not one).
        return sum(1 for start, end in _run_spans(missing, inside)
                   if ((first <= start and end <= last + 1) or end - start >= max(inside, _EDGE_CUT_WORDS))
                   and self._lacks(p, self.documents[c].content_words[start:end]))

    def _may_copy(self, c: int, w: int) -> bool:
        """Whether ``w`` may be a copy of ``c`` (a candidate edge, and not published before it).

        Until the tree is right, a copy of ``c`` may sit outside its subtree.
        """
        if (c, w) not in self.logit:
            return False
        when_c, when_w = self._published[c], self._published[w]
        return not published_before(when_w, when_c)

    def _lacks(self, m: int, words: Sequence[str]) -> bool:
        """Whether ``m`` lacks a passage (most of its word triples), not merely has it elsewhere.

        A rewriter moves clauses and swaps sentences; an alignment in text order
        leaves moved words unmatched though ``m`` has them.
        """
        if m not in self._triples:
            own = self.documents[m].content_words
            self._triples[m] = set(zip(own, own[1:], own[2:], strict=False))
        triples = list(zip(words, words[1:], words[2:], strict=False))
        return 2 * sum(t in self._triples[m] for t in triples) < len(triples)

    def _tree_conflicts(self, parent: dict[int, int]) -> dict[tuple[int, int], tuple[float, float]]:
        """Unique readings that contradict each chosen edge, given where the others sit in the tree."""
        below = _subtrees(parent)
        return {(p, c): self._conflict(p, c, below[c]) for c, p in parent.items() if p != _ROOT}

    def _conflict(self, p: int, c: int, below_c: set[int]) -> tuple[float, float]:
        """(wording, total) readings that contradict P -> C when C's subtree is ``below_c``.

        For another member W: if W is outside C's subtree, P lies between C
        and W and must not read otherwise where they agree; if W is inside
        it, C lies between P and W and must not.
        """
        wording = total = 0.0
        for w in self.members:
            if w in (p, c):
                continue
            u = self.collation.unique(c, p, w) if w in below_c else self.collation.unique(p, c, w)
            if u is not None:
                wording += u.wording
                total += u.total
        return wording, total

    def _effective(self, p: int, c: int) -> float:
        """An edge's log-odds in the chosen tree, less what the critic's rule holds against it there."""
        if (p, c) not in self._effective_logit:
            logit = self.logit[(p, c)]
            below_c = self._below.get(c, {c})
            if self._critic and p not in below_c:
                logit -= self._critic * min(self._conflict(p, c, below_c)[1], _TREE_CONFLICT_CAP)
            self._effective_logit[(p, c)] = logit
        return self._effective_logit[(p, c)]

    def build(self, latent_number: int) -> tuple[list[Edge], list[Latent], list[tuple[str, list[int]]]]:
        parent = self._branching()
        # The pairwise features judge each edge with every other member placed
        # anywhere; once a tree is chosen, its edges must agree with where the
        # other members actually sit.  Penalise edges that do not and re-solve.
        for _ in range(_CONSISTENCY_ROUNDS if self.model.tree_conflict_weight else 0):
            penalties = {
                edge: -self.model.tree_conflict_weight * min(total, _TREE_CONFLICT_CAP)
                for edge, (_, total) in self._tree_conflicts(parent).items()
                if total >= self.model.tree_conflict_min
            }
            if not penalties:
                break
            for edge, penalty in penalties.items():
                self.logit[edge] += penalty
            parent = self._branching()
        parent = self._text_from_parents(parent)
        parent = self._choose_root(parent)
        parent = self._unseen_copies(parent)
        self._parent = parent
        self._below = _subtrees(parent)
        self._effective_logit.clear()
        edges: list[Edge] = []
        latent: list[Latent] = []
        top = [m for m in self.members if parent[m] == _ROOT]
        groups = self._linked_groups(top)
        node: list[str] = []
        for group in groups:
            if len(group) == 1:
                node.append(self.documents[group[0]].id)
                continue
            lat_id = f"~source-{latent_number + len(latent)}"
            latent.append(Latent(id=lat_id, children=tuple(sorted(self.documents[m].id for m in group))))
            node.append(lat_id)
            edges.extend(self._latent_edge(lat_id, child, group) for child in group)
        for child in self.members:
            if parent[child] != _ROOT:
                edges.append(self._document_edge(parent[child], child))
        reuse = self._reuse_between(groups)
        also_from = self._attach_strays(groups, reuse)
        edges.extend(Edge(parent=node[g] if copy is None else self.documents[copy].id, child=node[h],
                          confidence=confidence, relation="partial",
                          evidence=(Evidence("reuse", round(log_odds, 3), _REUSE_ORDER[log_odds > 0]),))
                     for h, (g, copy, log_odds, confidence) in reuse.items())
        edges = [dataclasses.replace(e, also_from=tuple(also_from[e.child])) if e.child in also_from else e
                 for e in edges]
        return edges, latent, self._trees(groups, reuse, node)

    def _attach_strays(self, groups: list[list[int]], reuse: dict[int, tuple[int, int | None, float, float]],
                       ) -> dict[str, list[OtherSource]]:
        """Join a text at the top that shares a passage only with a copy below another text, from that copy.

        A page linked to another story's reprint, not to the story's first printing (each of two
        heavy scans aligned with one copy only), would otherwise stand apart in its family with no
        edge: it reuses the passage from that copy (``reuse`` gains it, as :meth:`_reuse_between`'s
        edges from a copy).  A text linked to the rest only through a frame around words of its own
        (no run as it stood) reuses nothing, and stays a tree of its own (see :meth:`_trees`).

        A copy published after the text took the passage from it: the copy's group hangs from the
        text if the copy is its one text at the top; else the passage came to both from a text above
        the copy that the text shares a passage with and that is no later than it.  Failing both (a
        digest quoting several earlier stories has one parent in the tree), the text is one of the
        copy's other sources: returned as ``{copy id: [OtherSource, ...]}``.
        """
        roots = [g for g in range(len(groups)) if g not in reuse]
        strays = roots[1:]
        if not strays:
            return {}
        home = {x: g for g, group in enumerate(groups) for m in group for x in self._below.get(m, {m})}
        # Each root's links that share a run: (shared words, the group and text it would hang from (None:
        # the group's unseen source), log-odds that text came first, the root's member); and, apart,
        # its links to texts published after it: (shared words, that text, log-odds, the member).
        links: dict[int, list[tuple[int, int, int | None, float, int]]] = {h: [] for h in roots}
        later: dict[int, list[tuple[int, int, float, int]]] = {h: [] for h in roots}
        for (i, j), (ev, al) in self.pairs.items():
            for x, y in ((i, j), (j, i)):
                h = home.get(x)
                if not (ev.linked and h in links and x in groups[h] and y in home and self._runs_on((ev, al))):
                    continue
                forward = ev.forward if ev.a == y else -ev.forward
                if not self._older_than(groups[h], y):
                    links[h].append((ev.shared_words, home[y], y, forward, x))
                    continue
                # A copy published after the root's text: either it took the passage from the root (its
                # group hangs from the root, if the copy is that group's one text at the top and the
                # group hangs from nothing), or both took it from a text above the copy: the unseen
                # source the copy was taken from, or the nearest text above it that the root shares a
                # passage with and that came out no later than it.
                taken = (ev.shared_words, y, forward, x)
                if groups[home[y]] == [y]:
                    links[h].append((ev.shared_words, home[y], y, forward, x))
                    later[h].append(taken)
                elif y in groups[home[y]]:
                    # The unseen source holds the passage if another of its copies shares a run with
                    # x too; it came before each of its copies, so before x if one of them did by
                    # their signs of copying.  If none did, which of x and the unseen source came
                    # first is not known: x is left as it is.  If no other copy shares the passage,
                    # it is y's own, and y took it from x.
                    firsts = [f for m in groups[home[y]] if m != y and self._shares_run(m, x)
                              and (f := self._came_first(m, x)) is not None]
                    if firsts and max(firsts) > 0:
                        links[h].append((ev.shared_words, home[y], None, max(firsts), x))
                    elif not firsts:
                        later[h].append(taken)
                else:
                    later[h].append(taken)
                    if (found := self._older_holder(x, y, groups[h])) is not None:
                        above, (ev_above, _) = found
                        links[h].append((ev_above.shared_words, home[y], above, self._came_first(above, x), x))

        joined = True
        while joined:
            joined = False
            for h in [g for g in strays if g not in reuse]:
                best: tuple[int, int, int | None, float, int] | None = None
                for link in links[h]:
                    words, g, y, _, x = link
                    # Turned round, the edge runs from x (the stray's text) to y: y's group must hang
                    # from nothing yet, and x must be no later than y.
                    turned = y is not None and self._older_than(groups[h], y)
                    if _tree_top(g, reuse) != h and (best is None or words > best[0]) and (
                            not turned or (g not in reuse and not self._older_than([y], x))):
                        best = link
                if best is None:
                    continue
                _, g, y, forward, x = best
                scanned = any(looks_scanned(self.documents[m]) for m in (*groups[g], *groups[h]))
                if y is not None and self._older_than(groups[h], y):
                    reuse[g] = (h, x if len(groups[h]) > 1 else None, -forward,
                                self.model.calibrate(1.0 / (1.0 + math.exp(forward)), scanned))
                else:
                    reuse[h] = (g, y, forward, self.model.calibrate(1.0 / (1.0 + math.exp(-forward)), scanned))
                joined = True
        also_from: dict[str, list[OtherSource]] = {}
        for h in roots:
            if h in reuse or len(groups[h]) > 1:
                continue
            for words, y, forward, x in sorted(later[h], key=lambda link: (-link[0], link[1])):
                # y took the passage from the text it hangs from, if that text holds most of it.
                if _tree_top(home[y], reuse) == h or self._holds_shared(self._text_above(y, groups, home, reuse), y, x):
                    continue
                scanned = looks_scanned(self.documents[y]) or looks_scanned(self.documents[x])
                also_from.setdefault(self.documents[y].id, []).append(OtherSource(
                    self.documents[x].id, self.model.calibrate(1.0 / (1.0 + math.exp(forward)), scanned), words))
        return also_from

    def _text_above(self, y: int, groups: list[list[int]], home: dict[int, int],
                    reuse: Mapping[int, tuple[int, int | None, float, float]]) -> int | None:
        """The text ``y`` hangs from: its parent in the tree, or for a text at the top alone, its partial edge's."""
        if self._parent[y] != _ROOT:
            return self._parent[y]
        g = home[y]
        if groups[g] != [y] or g not in reuse:
            return None
        older, copy = reuse[g][:2]
        return copy if copy is not None else (groups[older][0] if len(groups[older]) == 1 else None)

    def _holds_shared(self, parent: int | None, y: int, x: int) -> bool:
        """Whether ``parent`` holds most of what ``y`` shares with ``x`` (y took it from there)."""
        if parent is None:
            return False
        with_x, with_parent = self.collation.match(y, x), self.collation.match(y, parent)
        if with_x is None or with_parent is None:
            return False
        shared = with_x >= 0
        return 2 * int(np.count_nonzero(shared & (with_parent >= 0))) > int(np.count_nonzero(shared))

    def _shares_run(self, x: int, y: int) -> bool:
        """Whether ``x`` and ``y`` are a linked pair sharing a passage as it stood."""
        pair = self.pairs.get((min(x, y), max(x, y)))
        return pair is not None and pair[0].linked and self._runs_on(pair)

    def _came_first(self, y: int, x: int) -> float | None:
        """Log-odds that ``y`` came before ``x`` by their pair's signs (dates among them), None if not paired."""
        pair = self.pairs.get((min(x, y), max(x, y)))
        if pair is None:
            return None
        return pair[0].forward if pair[0].a == y else -pair[0].forward

    def _older_holder(self, x: int, y: int, group: list[int]) -> tuple[int, tuple[PairEvidence, Alignment]] | None:
        """The nearest text above ``y`` in the tree, no later than ``group``'s texts, sharing a passage with ``x``."""
        above = self._parent.get(y, _ROOT)
        while above != _ROOT:
            pair = self.pairs.get((min(x, above), max(x, above)))
            if pair is not None and not self._older_than(group, above) and self._runs_on(pair):
                return above, pair
            above = self._parent.get(above, _ROOT)
        return None

    def _trees(self, groups: list[list[int]], reuse: dict[int, tuple[int, int | None, float, float]],
               node: list[str]) -> list[tuple[str, list[int]]]:
        """Each tree of the family's lineage: its root (a member or unseen source) and its members.

        The texts at the top joined by ``reuse`` are one tree; a text it does not join (linked to
        the rest through a frame it fills with words of its own, not a passage as it stood) is a
        tree of its own, and a lone text with no copy is in none.
        """
        trees: dict[int, set[int]] = {}
        for g, group in enumerate(groups):
            trees.setdefault(_tree_top(g, reuse), set()).update(x for m in group for x in self._below.get(m, {m}))
        return [(node[g], sorted(trees[g], key=self.members.index)) for g in sorted(trees) if len(trees[g]) > 1]

    def _unseen_copies(self, parent: dict[int, int]) -> dict[int, int]:
        """Copies under an unseen source descend through another copy only if they share its change.

        The unseen source reads as its direct copies (the group at the top)
        read.  A copy placed under one of them, or under a copy of one, takes
        its text from that parent only if the two share a change against every
        other direct copy (other words, a house style, a cut): a change against
        some of them only may be theirs (a copy of the story's other version, a
        localised copy).  Without one the copy is as well explained by the
        unseen source itself, as :meth:`_descends_through` says of a source in
        the folder.  Scans are left as they are (their misreadings are no change).
        """
        parent = dict(parent)
        for _ in self.members:
            below = _subtrees(parent)
            top = [m for m in self.members if parent[m] == _ROOT]
            moved = False
            for group in self._linked_groups(top):
                if len(group) < 2:
                    continue
                inside = set().union(*(below[g] for g in group))
                for c in sorted(inside - set(group), key=self.members.index):
                    p = parent[c]
                    if looks_scanned(self.documents[p]) or looks_scanned(self.documents[c]):
                        continue
                    witnesses = [w for w in group if w != p and w not in below[c]]
                    if witnesses and not self._carries_change(p, c, witnesses):
                        parent[c] = _ROOT
                        moved = True
            if not moved:
                break
        return parent

    def _carries_change(self, p: int, c: int, witnesses: list[int]) -> bool:
        """Whether ``c`` carries a change of ``p``'s: a place both read alike and every witness otherwise.

        A witness that does not reach the place (it cut that part) has no say;
        a cut counts when the two lack a passage that every witness has.
        """
        alike, in_c = self.collation.agree(p, c), self.collation.match(p, c)
        if alike is None or in_c is None:
            return False
        joint = alike & (in_c >= 0)
        for w in witnesses:
            read, span = self.collation.agree(p, w), self.collation.held_span(p, w)
            if read is None or span is None:
                return False
            first, last = span
            joint[first:last + 1] &= ~read[first:last + 1]
        if joint.any():
            return True
        return all(self.collation.shared_cuts(w, p, c) > 0 for w in witnesses)

    def _reuse_between(self, groups: list[list[int]]) -> dict[int, tuple[int, int | None, float, float]]:
        """Partial edges between the texts at the top that share a passage: older text -> later text.

        Returns ``{later group: (older group, its copy, direction log-odds, confidence)}``;
        each group takes the older linked group it shares most words with, so
        the result is a forest.  The copy is None when the passage is the older
        group's text (most of its copies hold it), else the one copy of it that
        shares most with the later text: the passage is that copy's own.
        """
        if len(groups) < 2:
            return {}
        where = {m: g for g, group in enumerate(groups) for m in group}
        # first[(g, h)][i]: log-odds that member i of g came before the member of h least likely after it.
        first: dict[tuple[int, int], dict[int, float]] = {}
        shared: dict[tuple[int, int], int] = {}
        by_copy: dict[tuple[int, int], dict[int, int]] = {}
        for (i, j), (ev, al) in self.pairs.items():
            g, h = where.get(i), where.get(j)
            # A story reuses another's passage as it stood: texts that share a frame around words of
            # their own (reports from one template) reuse nothing.
            if g is None or h is None or g == h or not ev.linked or not self._runs_on((ev, al)):
                continue
            forward = ev.forward if ev.a == i else -ev.forward
            for x, y, x_first in ((i, j, forward), (j, i, -forward)):
                by_member = first.setdefault((where[x], where[y]), {})
                by_member[x] = min(by_member.get(x, math.inf), x_first)
                words = by_copy.setdefault((where[x], where[y]), {})
                words[x] = words.get(x, 0) + ev.shared_words
            shared[(g, h)] = shared[(h, g)] = shared.get((g, h), 0) + ev.shared_words
        # The older story's text is what most of its copies hold: a passage one of its copies shares
        # with the later story is that copy's (two reports from one template share a phrase of the
        # frame here and there), while the later story may reuse it in one version only.
        own_copy = {(g, h): None if 2 * len(first[(g, h)]) >= len(groups[g])
                    else max(sorted(words), key=words.__getitem__) for (g, h), words in by_copy.items()}
        # A story is older than another when one of its texts came before all the other's texts it is
        # linked to: the later copies of an old story say nothing of when the story began.
        older = {pair: max(by_member.values()) for pair, by_member in first.items()}
        # The text a partial edge would come from (None: an unseen source, older than its copies).
        text = {(g, h): copy if copy is not None else (groups[g][0] if len(groups[g]) == 1 else None)
                for (g, h), copy in own_copy.items()}
        age = {g: sum(older[(g, h)] - older[(h, g)] for (a, h) in older if a == g) for g in range(len(groups))}
        rank = sorted(range(len(groups)), key=lambda g: (-age[g], g))
        out = {}
        for n, h in enumerate(rank):
            before = [g for g in rank[:n] if (g, h) in shared and not self._older_than(groups[h], text[(g, h)])]
            if before:
                most = max(shared[(g, h)] for g in before)
                # A passage that two older stories share with a later one came to it from the
                # older of them (the other reused it too): the oldest that shares about as much.
                g = next(g for g in before if shared[(g, h)] >= _HOLDS * most)
                out[h] = self._reuse_edge(g, h, groups, own_copy, older)
            # A text ranked older that came out after this story's took the passage from it: it hangs
            # from this one if it is its story's one text and hangs from nothing yet (a copy of a
            # story that took a passage its other copies lack has it as one of its other sources).
            for g in rank[:n]:
                if (g, h) in shared and g not in out and len(groups[g]) == 1 \
                        and self._older_than(groups[h], text[(g, h)]) \
                        and not self._older_than(groups[g], text[(h, g)]) and g not in _ancestors(h, out):
                    out[g] = self._reuse_edge(h, g, groups, own_copy, older)
        return out

    def _reuse_edge(self, g: int, h: int, groups: list[list[int]], own_copy: dict[tuple[int, int], int | None],
                    older: dict[tuple[int, int], float]) -> tuple[int, int | None, float, float]:
        """Group ``h``'s partial edge from group ``g``: (``g``, its copy, direction log-odds, confidence)."""
        scanned = any(looks_scanned(self.documents[m]) for m in (*groups[g], *groups[h]))
        return g, own_copy[(g, h)], older[(g, h)], self.model.calibrate(1.0 / (1.0 + math.exp(-older[(g, h)])), scanned)

    def _older_than(self, group: list[int], text: int | None) -> bool:
        """Whether a text at the top of ``group`` (or their unseen source) was surely published before ``text``.

        A story reuses nothing of a text published after it: a partial edge
        from ``text`` to the group would run backwards in time (a digest that
        quotes several earlier stories is no source of them).
        """
        return text is not None and any(published_before(self._published[m], self._published[text]) for m in group)

    def _linked_groups(self, top: list[int]) -> list[list[int]]:
        """Members at the top grouped by the one text they copy: each group of several is one unseen source.

        Linked members at the top share an unseen source when they can be
        copies of one text: of every two, one holds most of the other, or a
        third holds most of both (two trims of one story cut at different
        places).  Two stories that merely share a quoted paragraph (an agency's follow-up
        quoting its earlier story) fail that test: their copies are split
        into one group per story, the cores in which one copy holds most of
        another, and the rest join the core they can belong to (joined later
        by a partial edge when they share a passage).
        """
        key = tuple(top)
        if key not in self._groups:
            groups = []
            for linked in _components(self.links, top):
                component = sorted(linked, key=top.index)
                one_text = self._one_text(component) and not self._has_strangers(component)
                groups.extend([component] if one_text else self._split_stories(component))
            self._groups[key] = sorted((sorted(g, key=top.index) for g in groups), key=lambda g: top.index(g[0]))
        return self._groups[key]

    def _one_text(self, group: list[int]) -> bool:
        """Every two members: one holds most of the other, or a third member holds most of both."""
        if len(group) < 3:
            return True
        key = frozenset(group)
        if key not in self._one_texts:
            self._one_texts[key] = self._holds_one_text(group)
        return self._one_texts[key]

    def _holds_one_text(self, group: list[int]) -> bool:
        """:meth:`_one_text` of three or more members, worked out (the same in any order of them)."""
        n = len(group)
        shares = np.eye(n, dtype=bool)
        holds = np.eye(n, dtype=bool)  # holds[z, x]: most of x is found in z
        for a in range(n):
            for b in range(a + 1, n):
                shares[a, b], holds[a, b], holds[b, a] = self._text_relation(group[a], group[b])
                shares[b, a] = shares[a, b]
        # float32 so the product runs in BLAS; counts up to 2**24 are exact.
        covered = (holds.T.astype(np.float32) @ holds.astype(np.float32)) > 0
        return bool(np.all(shares | covered))

    def _has_strangers(self, group: list[int]) -> bool:
        """Whether two members of ``group`` are strangers (see :meth:`_strangers`)."""
        return any(self._strangers(x, y, group) for n, x in enumerate(group) for y in group[n + 1:])

    def _joins(self, member: int, group: list[int]) -> bool:
        """Whether ``member`` is a stranger to no member of ``group`` (the group has none already)."""
        with_member = [*group, member]
        return not any(self._strangers(member, x, with_member) for x in group)

    def _strangers(self, x: int, y: int, group: list[int]) -> bool:
        """Whether ``x`` and ``y`` share no passage as it stood, nor are two parts of a third member's text.

        Copies of one text share runs of its words; two trims cut at different
        places share none but are both held by a longer copy, each at its own
        passage.  Two reports from one template are held by a third at the
        same places, its frame, and read otherwise between its words.
        """
        pair = self.pairs.get((min(x, y), max(x, y)))
        if pair is not None and self._runs_on(pair):
            return False
        return not any(self._text_relation(z, x)[1] and self._text_relation(z, y)[1] and self._apart(z, x, y)
                       and self._held_as_it_stood(x, z) and self._held_as_it_stood(y, z)
                       for z in group if z not in (x, y))

    def _apart(self, z: int, x: int, y: int) -> bool:
        """Whether what ``z`` shares with ``x`` and with ``y`` lies mostly at different places of ``z``.

        Two trims of one story cut at different places are both held by a
        longer copy, each at its own passage.  Two reports from one template
        (or two versions of a story) are held by a third at the same places,
        its frame, and read otherwise between its words: not one text.
        """
        in_z = [self._held_in(z, other) for other in (x, y)]
        both = int(np.count_nonzero(in_z[0] & in_z[1]))
        return both < _SAME_TEXT * min(int(np.count_nonzero(m)) for m in in_z)

    def _held_as_it_stood(self, x: int, z: int) -> bool:
        """Whether ``z`` holds the passage it shares with ``x`` nearly word for word (a cut, not a frame).

        Over the span of ``x`` that ``z`` matches, a trim or a lightly edited
        copy reads as ``z`` at nearly every word; a report from ``z``'s
        template has words of its own at every slot of the frame.
        """
        matched = self._held_in(x, z)
        hits = np.flatnonzero(matched)
        return len(hits) > 0 and len(hits) >= _HELD_AS_IT_STOOD * (hits[-1] - hits[0] + 1)

    def _held_in(self, z: int, other: int) -> np.ndarray:
        """Which content words of ``z`` the pair's alignment matches in ``other`` (an aligned pair)."""
        return self.collation.match(z, other) >= 0

    def _text_relation(self, x: int, y: int) -> tuple[bool, bool, bool]:
        """Whether x and y are linked copies of one text, whether most of y is in x, whether most of x is in y.

        Copies of one text share the most of one of them; a passage one story quotes
        from another is a small part of both (and excerpts cut at different places are
        tied through a third copy that holds them).  Without a shared run, none of the three.
        """
        pair = self.pairs.get((min(x, y), max(x, y)))
        if pair is None or not self._runs_on(pair):
            return False, False, False
        ev, al = pair
        x_in_y, y_in_x = (al.a_coverage, al.b_coverage) if al.a == x else (al.b_coverage, al.a_coverage)
        return (ev.linked and max(x_in_y, y_in_x) >= _SAME_TEXT, y_in_x >= _SAME_TEXT, x_in_y >= _SAME_TEXT)

    def _split_stories(self, component: list[int]) -> list[list[int]]:
        """Split linked members that are not one text into stories (see :meth:`_linked_groups`)."""
        same = nx.Graph()
        same.add_nodes_from(component)
        same.add_edges_from((x, y) for n, x in enumerate(component) for y in component[n + 1:]
                            if self._same_text(x, y))
        groups = []
        for linked in nx.connected_components(same):
            story = sorted(linked, key=component.index)
            groups.extend(self._texts_in(story, same) if self._has_strangers(story) else [story])
        cores = [g for g in groups if len(g) > 1]
        for group in [g for g in groups if len(g) == 1]:
            home = self._home(group[0], cores)
            if home is not None:
                home.append(group[0])
                groups.remove(group)
        return groups

    def _texts_in(self, story: list[int], same: nx.Graph) -> list[list[int]]:
        """Members tied by a chain of copies that are not one text, grouped into texts.

        Reports written from one template, or two versions of a story, chain
        through pairs that each share a run; a chain is not one text.  Members
        join a group (the one they are copies with most) only while it stays one
        text; the best connected first, so each group grows around a core.
        """
        groups: list[list[int]] = []
        for member in sorted(story, key=lambda m: (-same.degree(m), story.index(m))):
            open_groups = [g for g in groups if self._joins(member, g)]
            if open_groups:
                max(open_groups, key=lambda g: sum(same.has_edge(member, x) for x in g)).append(member)
            else:
                groups.append([member])
        return [sorted(g, key=story.index) for g in groups]

    def _same_text(self, x: int, y: int) -> bool:
        """Linked, and the majority of one of the two is found in the other."""
        pair = self.pairs.get((min(x, y), max(x, y)))
        return pair is not None and pair[0].linked and max(pair[0].a_coverage, pair[0].b_coverage) >= _SAME_TEXT \
            and self._runs_on(pair)

    def _runs_on(self, pair: tuple[PairEvidence, Alignment]) -> bool:
        """Whether two texts share a passage as it stood: a run of words, not a frame around other figures.

        Reports written from one template (a market's prices, a bond issue's
        terms) share most of their words, each with figures of its own every
        few words; copies of one text share its sentences word for word.  A
        scan's misreadings end every run, so two scans pass as they are.
        """
        al = pair[1]
        key = (al.a, al.b)
        if key not in self._verbatim:
            self._verbatim[key] = looks_scanned(self.documents[al.a]) or looks_scanned(self.documents[al.b]) \
                or has_verbatim_run(al.a_match, _ONE_TEXT_RUN)
        return self._verbatim[key]

    def _home(self, member: int, groups: list[list[int]]) -> list[int] | None:
        """The group whose text ``member`` shares with most of its copies (most shared words first), if any."""
        best, best_key = None, (0, 0)
        for group in groups:
            linked = [self.pairs.get((min(member, g), max(member, g))) for g in group]
            linked = [pair[0] for pair in linked if pair is not None and pair[0].linked]
            key = (len(linked), sum(ev.shared_words for ev in linked))
            if (2 * len(linked) > len(group) and key > best_key and self._one_text([*group, member])
                    and self._joins(member, group)):
                best, best_key = group, key
        return best

    def _rivals(self, child: int, exclude: int | None) -> list[float]:
        """Log-odds of the child's other possible parents, given the rest of the tree.

        A member that descends from the child in the chosen tree is no rival:
        it would have to become the child's parent and its child at once.
        """
        below = self._below.get(child, {child})
        return [self._effective(p, c) for (p, c) in self.logit if c == child and p != exclude and p not in below]

    def _document_edge(self, p: int, c: int) -> Edge:
        ev, al = self.pairs[(min(p, c), max(p, c))]
        logit = self._effective(p, c)
        # Probability this parent is right, among the rivals, "source outside the folder" and, for
        # two texts that hold each other (a reprint reads either way), the child being the source.
        outside = [] if c in self._held_by_member else [0.0]
        reverse = [self._effective(c, p)] if (c, p) in self.logit and min(al.a_coverage, al.b_coverage) >= _HOLDS \
            else []
        scanned = looks_scanned(self.documents[p]) or looks_scanned(self.documents[c])
        confidence = self.model.calibrate(_share(logit, [*outside, *reverse, *self._rivals(c, p)]), scanned)
        p_is_a = al.a == p
        p_match = al.a_match if p_is_a else al.b_match
        hits = np.flatnonzero(p_match >= 0)
        tail_p = (len(p_match) - 1 - hits[-1]) / max(1, len(p_match)) if len(hits) else 1.0
        coverage_parent, coverage_child = (al.a_coverage, al.b_coverage) if p_is_a else (al.b_coverage, al.a_coverage)
        relation = classify_relation(coverage_parent, coverage_child, tail_p,
                                     ev.rarer_in_b if p_is_a else ev.rarer_in_a, len(al.substitutions),
                                     al.shared_words)
        evidence = [Evidence(e.signal, e.weight if p_is_a else -e.weight, e.detail) for e in ev.evidence]
        evidence.extend(self._model_evidence(p, c))
        return Edge(parent=self.documents[p].id, child=self.documents[c].id, confidence=confidence,
                    relation=relation, evidence=tuple(evidence),
                    shared=_shared(self.documents[p], self.documents[c], al, p_is_a))

    def _model_evidence(self, p: int, c: int) -> list[Evidence]:
        contributions = self.model.contributions(self.features[(p, c)])
        return [Evidence(f"model:{name}", round(value, 3), _EVIDENCE_NAMES.get(name, name))
                for name, value in sorted(contributions.items(), key=lambda kv: -abs(kv[1]))
                if abs(value) >= 0.1 and name not in ("older",)]

    def _latent_edge(self, lat_id: str, child: int, group: list[int]) -> Edge:
        rivals = self._rivals(child, None)
        # The unseen source's share carries its prior, as it did when the tree was chosen.  A child
        # that could itself be the source of its siblings (no change of its own where they agree) may
        # be the original they copied: one more option, as a document edge's reverse is.
        if self._can_be_source(child, group):
            rivals.append(self.origin[child] - (_CREDITED_ROOT_PENALTY if self._credits_another[child] else 0.0))
        confidence = self.model.calibrate(_share(self.model.latent_logit, rivals), looks_scanned(self.documents[child]))
        siblings = [s for s in group if s != child]
        others = [w for w in self._nearest(child, self.members) if w != child][:_SOURCE_WITNESSES]
        uniques = [self.collation.unique(child, y, z) for i, y in enumerate(others) for z in others[i + 1:]]
        uniques = [u for u in uniques if u is not None]
        own_total = min((u.total for u in uniques), default=0.0)
        own_wording = min((u.wording for u in uniques), default=0.0)
        relation = self._latent_relation(child, siblings, own_wording)
        names = ", ".join(self.documents[s].id for s in siblings)
        best = max(rivals, default=-math.inf)
        # Against a likely parent in the folder the unseen source won on the whole family, not on this pair.
        why_unseen = ("a document in the folder looks like its source by their pair alone; the family as a "
                      "whole is better explained by a source outside the folder") if best > 0 else \
            "no document in the folder can be its source: each candidate carries changes it lacks"
        evidence = (
            Evidence("unique-readings", round(float(own_total), 3),
                     f"has {_about(own_total)} of its own that its sibling copies ({names}) lack"),
            Evidence("latent-source", round(-best, 3) if math.isfinite(best) else 10.0, why_unseen),
        )
        return Edge(parent=lat_id, child=self.documents[child].id, confidence=confidence,
                    relation=relation, evidence=evidence, shared=())

    def _latent_relation(self, child: int, siblings: list[int], own_wording: float) -> str:
        closest = max(siblings, key=lambda s: self.pairs[(min(s, child), max(s, child))][0].shared_words
                      if (min(s, child), max(s, child)) in self.pairs else -1)
        pair = self.pairs.get((min(closest, child), max(closest, child)))
        if pair is None:
            return "edited"
        ev, al = pair
        s_is_a = al.a == closest
        relation = classify_relation(
            al.a_coverage if s_is_a else al.b_coverage,
            al.b_coverage if s_is_a else al.a_coverage,
            0.0,
            (ev.rarer_in_b - ev.rarer_in_a) if s_is_a else (ev.rarer_in_a - ev.rarer_in_b),
            len(al.substitutions), al.shared_words)
        # Against a sibling, the sibling's own changes count too; only the
        # child's unique readings say whether it changed the source's wording.
        if relation in ("edited", "reprint"):
            relation = "reprint" if own_wording <= 1.5 else "edited"
        return relation


def _credits_another(doc: Document) -> bool:
    """A page that credits another for its story: its known outlet is not the agency it credits.

    When the outlet is not known, only a page around the story tells an
    outlet's copy from an agency's own story (which keeps its credited dateline
    and may carry the agency's own notices: no page of another's).
    """
    credits = any(not names_agency(doc.article.outlet, credit) for credit in doc.credits)
    return credits and bool(doc.article.outlet or ((wrapped(doc) or _on_others_page(doc))
                                                   and not _agency_own_story(doc)))


def _on_others_page(doc: Document) -> bool:
    """Whether _OTHERS_PAGE_LINES lines of page furniture, however short, surround ``doc``'s story, not
    counting lines that name only the agencies it credits: an outlet's masthead and its "most read"
    are no agency's."""
    return len(page_lines(doc, doc.credits)) >= _OTHERS_PAGE_LINES


def _agency_own_story(doc: Document) -> bool:
    """Whether ``doc`` is an agency's own story: on a known outlet's page, crediting only that outlet.

    Whose page it is unknown, a story opening with a dateline that credits news
    agencies alone, with no other page around it (the agency's own notices
    aside), is the agency's.
    """
    if doc.article.outlet:
        return _names_only_its_outlet(doc, doc.credits)
    return (bool(doc.credits) and not _on_others_page(doc) and not wrapped(doc, doc.credits)
            and any(s.kind == "dateline" and _agency_line(doc, s) for s in doc.boilerplate))


def _agency_line(doc: Document, line: Span) -> bool:
    """Whether a dateline or credit line of ``doc`` can be an agency's own on its own story.

    On a page of a known outlet, when it names that outlet alone.  Whose page it is
    unknown, a dateline naming news agencies alone ("BELFAST (PA) -") is how that agency's
    own story opens: the papers that rewrite the story drop it, so no copy carrying it
    does not make it a copier's own.
    """
    credits = find_credits(line.text)[0]
    if doc.article.outlet:
        return _names_only_its_outlet(doc, credits)
    return line.kind == "dateline" and bool(credits)


def _names_only_its_outlet(doc: Document, credits: Sequence[str]) -> bool:
    """Whether ``credits`` name the page's own outlet and no one else (an agency's own story or dateline).

    An agency's own story keeps its dateline ("NEW YORK (AP) —" on AP's page), and the outlets
    that copy it put their own credit forms in its place: dropped by every copy, it is still no
    copier's own line.
    """
    return bool(credits) and all(names_agency(doc.article.outlet, credit) for credit in credits)


def _components(links: nx.Graph, nodes: Sequence[int]) -> list[set[int]]:
    """Groups of ``nodes`` connected by links among themselves (without building networkx's subgraph)."""
    inside, seen, out = set(nodes), set(), []
    for start in nodes:
        if start in seen:
            continue
        seen.add(start)
        group, stack = {start}, [start]
        while stack:
            for other in links.adj[stack.pop()]:
                if other in inside and other not in seen:
                    seen.add(other)
                    group.add(other)
                    stack.append(other)
        out.append(group)
    return out


def _run_lengths(mask: np.ndarray) -> np.ndarray:
    """Lengths of the runs of True in a boolean array."""
    if not mask.any():
        return np.zeros(0, dtype=np.int64)
    edges = np.diff(np.concatenate(([0], mask.view(np.int8), [0])))
    return np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)


def _runs_longest(mask: np.ndarray) -> int:
    """Length of the longest run of True."""
    return int(_run_lengths(mask).max(initial=0))


def _mostly_unmatched(match: np.ndarray) -> bool:
    """Whether fewer than half the words of a run are matched (the other text lacks the run)."""
    return 2 * int(np.count_nonzero(match >= 0)) < len(match)


def _runs_at_least(mask: np.ndarray, length: int) -> np.ndarray:
    """The True values of ``mask`` that lie in runs at least ``length`` long."""
    out = np.zeros(len(mask), dtype=bool)
    for start, end in _run_spans(mask, length):
        out[start:end] = True
    return out


def _run_spans(mask: np.ndarray, length: int) -> list[tuple[int, int]]:
    """(start, end) of each run of True at least ``length`` long."""
    if not mask.any():
        return []
    edges = np.diff(np.concatenate(([0], mask.view(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [(int(s), int(e)) for s, e in zip(starts, ends, strict=True) if e - s >= length]


def _about(changes: float) -> str:
    """A weighted count of changes in words: conventional changes (straight quotes...) count a fifth."""
    whole = round(changes)
    if whole == 0:
        return "no change" if changes == 0 else "hardly a change"
    noun = "change" if whole == 1 else "changes"
    return f"{whole} {noun}" if abs(changes - whole) < 1e-9 else f"about {whole} {noun}"


def _counted_readings(readings: OwnReadings) -> int:
    """The places where copies agree against a would-be source that count as its changes: less the
    one-word ones chance explains (see _REWORDINGS_PER_COINCIDENCE)."""
    return readings.own - min(readings.swaps, readings.parallel // _REWORDINGS_PER_COINCIDENCE)


def _tree_top(group: int, reuse: Mapping[int, tuple[int, int | None, float, float]]) -> int:
    """The text at the top of ``group``'s tree, following the ``partial`` edges of ``reuse`` up."""
    while group in reuse:
        group = reuse[group][0]
    return group


def _ancestors(group: int, reuse: Mapping[int, tuple[int, int | None, float, float]]) -> set[int]:
    """The groups ``group`` hangs from through partial edges, itself included."""
    seen = {group}
    while group in reuse and reuse[group][0] not in seen:
        group = reuse[group][0]
        seen.add(group)
    return seen


def _subtrees(parent: dict[int, int]) -> dict[int, set[int]]:
    """Each member's subtree (itself and its descendants) in a tree given as child -> parent."""
    children: dict[int, list[int]] = {}
    for c, p in parent.items():
        children.setdefault(p, []).append(c)
    out = {}
    for node in parent:
        below, stack = set(), [node]
        while stack:
            here = stack.pop()
            below.add(here)
            stack.extend(children.get(here, []))
        out[node] = below
    return out


def _share(logit: float, rivals: Sequence[float]) -> float:
    """Softmax share of one option's log-odds among its rivals'."""
    top = max([logit, *rivals])
    denominator = math.exp(logit - top) + sum(math.exp(r - top) for r in rivals)
    return round(math.exp(logit - top) / denominator, 4)


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
