"""Plain data passed between the pipeline stages.

Every stage takes and returns these frozen dataclasses, so any stage can be
replaced without touching the others::

    load -> Article
    normalise -> Tokens
    boilerplate -> Document (Article + Tokens + boilerplate spans + credits)
    candidates -> Candidate
    align -> Alignment
    direction -> Link
    lineage -> Lineage (the JSON contract, see docs/json.md)
    reconstruct -> Latent with its text, passages, changes and Agency

Offsets are always character offsets into ``Article.text`` (the decoded
original), so reports can show the original text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import orjson

__all__ = [
    "Article",
    "Tokens",
    "Span",
    "Document",
    "Candidate",
    "Passage",
    "Substitution",
    "Alignment",
    "Evidence",
    "Link",
    "SharedPassage",
    "OtherSource",
    "Edge",
    "Agency",
    "SourcePassage",
    "CopyChange",
    "Latent",
    "Family",
    "Lineage",
    "JSON_VERSION",
    "JSON_MINOR_VERSION",
    "RELATIONS",
    "CREDITED",
    "TABLE_COLUMNS",
    "json_text",
]

#: Raised when a field of the JSON contract is removed or renamed (2: reconstructed unseen sources).
JSON_VERSION = 2
#: Raised when fields are added within a version (1: ``edges[].credited``; 2: ``documents[].updated``;
#: 3: ``edges[].also_from``).
JSON_MINOR_VERSION = 3
# A word of a reconstructed source, counted for its copies' shared words.
_WORD = re.compile(r"\w+")
#: Values of :meth:`Lineage.credited`: the child names its parent's outlet or agency, or not, or
#: the parent's outlet and agency are unknown.
CREDITED = ("yes", "no", "unknown")


#: Relations an edge can carry, from closest copy to loosest reuse.
RELATIONS = ("reprint", "trimmed", "edited", "spun", "partial")


@dataclass(frozen=True)
class Article:
    """One loaded article, before any analysis.

    Parameters
    ----------
    id : str
        Stable identifier (path relative to the traced folder, or a record id).
    text : str
        Decoded original text; all offsets elsewhere point into it.
    path : str or None
        File the article came from, as given by the user.
    title, published, outlet, url : str or None
        Optional metadata; ``published`` is an ISO 8601 string when known.
    updated : str or None
        When the page last changed, stated without its publication date ("Updated
        12 March 2024"), as ISO 8601: the publication came before it.
    furniture : tuple of str
        Page furniture removed by the HTML extractor (kept as evidence).
    agency : str or None
        The agency the article is credited to when the feed says so
        (``trace index build --agency Reuters``), not read from the text.
    """

    id: str
    text: str
    path: str | None = None
    title: str | None = None
    published: str | None = None
    outlet: str | None = None
    url: str | None = None
    furniture: tuple[str, ...] = ()
    agency: str | None = None
    updated: str | None = None


@dataclass(frozen=True, eq=False)
class Tokens:
    """Word tokens of one text, folded for matching, with original offsets.

    ``words[i]`` is the folded form of ``text[starts[i]:ends[i]]``.
    """

    words: tuple[str, ...]
    starts: np.ndarray
    ends: np.ndarray

    def __len__(self) -> int:
        return len(self.words)


@dataclass(frozen=True)
class Span:
    """A character range of an article, with its text (boilerplate, credit line...)."""

    start: int
    end: int
    text: str
    kind: str = "boilerplate"


@dataclass(frozen=True, eq=False)
class Document:
    """An article ready for comparison.

    ``content`` holds the indices (into ``tokens``) of the words that are not
    boilerplate; similarity is computed on those only.
    """

    article: Article
    tokens: Tokens
    content: np.ndarray
    boilerplate: tuple[Span, ...] = ()
    credits: tuple[str, ...] = ()
    bylines: tuple[str, ...] = ()
    fingerprint: str = ""

    @property
    def id(self) -> str:
        """The article's id."""
        return self.article.id

    @property
    def title(self) -> str | None:
        """The article's headline (from its metadata, or its first line or sentence)."""
        return self.article.title

    @property
    def outlet(self) -> str | None:
        """The publisher named in the article's metadata, if any."""
        return self.article.outlet

    @property
    def published(self) -> str | None:
        """Publication date (ISO 8601) when known."""
        return self.article.published

    def __repr__(self) -> str:
        return f"Document(id={self.id!r}, title={self.title!r}, outlet={self.outlet!r}, words={self.words})"

    @property
    def words(self) -> int:
        """Number of content (non-boilerplate) words."""
        return int(len(self.content))

    @cached_property
    def content_hashes(self) -> np.ndarray:
        """Stable hashes of the content words (computed once per document)."""
        from .stages.shingles import word_hashes

        return word_hashes(self.content_words)

    @cached_property
    def content_words(self) -> list[str]:
        """Folded content words, boilerplate excluded."""
        words, content = self.tokens.words, self.content
        if not len(content):
            return []
        # The content is a few runs of consecutive tokens (the text between boilerplate lines): one slice
        # of the words each, not one index per word.
        breaks = np.flatnonzero(np.diff(content) != 1) + 1
        firsts = content[np.concatenate(([0], breaks))].tolist()
        lasts = content[np.append(breaks - 1, len(content) - 1)].tolist()
        out: list[str] = []
        for first, last in zip(firsts, lasts, strict=True):
            out += words[first : last + 1]
        return out


@dataclass(frozen=True)
class Candidate:
    """A pair of documents worth aligning (``a`` < ``b`` by index)."""

    a: int
    b: int
    shared_shingles: int
    cosine: float


@dataclass(frozen=True)
class Passage:
    """A run of text shared by two documents, in content-token indices."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    matched: int


@dataclass(frozen=True)
class Substitution:
    """One word of ``a`` replaced by one word of ``b`` inside a shared passage."""

    a_word: str
    b_word: str


@dataclass(frozen=True, eq=False)
class Alignment:
    """Word alignment of two documents' content tokens.

    ``a_match[i]`` is the index of the content token of ``b`` aligned with
    content token ``i`` of ``a`` (or -1); ``b_match`` the reverse.  Passages
    are the runs long enough to count as copied text.
    """

    a: int
    b: int
    a_match: np.ndarray
    b_match: np.ndarray
    passages: tuple[Passage, ...]
    substitutions: tuple[Substitution, ...]
    shared_words: int

    @property
    def a_coverage(self) -> float:
        return self.shared_words / max(1, len(self.a_match))

    @property
    def b_coverage(self) -> float:
        return self.shared_words / max(1, len(self.b_match))


@dataclass(frozen=True)
class Evidence:
    """One signal behind a link.

    Parameters
    ----------
    signal : str
        Machine name of the signal (``tail``, ``model:explains``...); reports show
        a sentence instead (:func:`provenance.render.words.evidence_sentence`).
    weight : float
        Strength in log-odds units; positive favours the link as stated.
    detail : str
        What was measured, in words.
    """

    signal: str
    weight: float
    detail: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "weight", float(self.weight))  # numpy scalars become floats


@dataclass(frozen=True)
class Link:
    """A copy relation between two documents, oriented parent -> child."""

    parent: int
    child: int
    relation: str
    score: float
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class SharedPassage:
    """Shared passage in character offsets of both articles' original text."""

    parent_start: int
    parent_end: int
    child_start: int
    child_end: int
    words: int


@dataclass(frozen=True)
class OtherSource:
    """A text that an edge's child took passages from besides its parent (a digest's other stories).

    Parameters
    ----------
    parent : str
        Id of the document the passages came from.
    confidence : float
        Calibrated probability that the child took them from it (from the two texts' signs of
        which came first, their dates among them).
    words : int
        Words the two share.
    """

    parent: str
    confidence: float
    words: int


@dataclass(frozen=True)
class Edge:
    """One link of the lineage tree: ``child`` copied ``parent``.

    Parameters
    ----------
    parent : str
        Id of the source document, or of an unseen source (``~source-1``).
    child : str
        Id of the copy.
    confidence : float
        Calibrated probability in [0, 1] that ``parent`` is the right source.
    relation : str
        One of :data:`RELATIONS`.
    evidence : tuple of Evidence
        The signals behind the link.
    shared : tuple of SharedPassage
        Shared passages, in character offsets of both original texts (empty
        for an unseen parent).
    also_from : tuple of OtherSource
        Texts published before the child that it took passages from besides
        its parent: a digest or round-up quoting several earlier stories has
        one parent in the tree, and the others here.
    """

    parent: str
    child: str
    confidence: float
    relation: str
    evidence: tuple[Evidence, ...] = ()
    shared: tuple[SharedPassage, ...] = ()
    also_from: tuple[OtherSource, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "confidence", float(self.confidence))  # numpy scalars become floats

    def other_sources_in(self, ids: set[str] | None, min_confidence: float = 0.0) -> Edge:
        """This edge with only the other sources among ``ids`` (None: all) and at ``min_confidence`` or more."""
        kept = tuple(o for o in self.also_from if o.confidence >= min_confidence and (ids is None or o.parent in ids))
        return self if kept == self.also_from else replace(self, also_from=kept)


@dataclass(frozen=True)
class Agency:
    """The probable agency of a story, from its copies' credit lines, bylines and datelines.

    ``name`` is None when nothing names one ("agency unknown"); ``credited``
    of ``documents`` documents credit it; ``evidence`` quotes them ("id: line").
    """

    name: str | None
    credited: int = 0
    documents: int = 0
    evidence: tuple[str, ...] = ()
    #: What the documents are: "copies" of an unseen source, or a family's "documents".
    noun: str = "copies"

    @property
    def label(self) -> str:
        """"probably AP (credited by 5 of 7 copies)", or "agency unknown"."""
        if self.name is None:
            return "agency unknown"
        return f"probably {self.name} (credited by {self.credited} of {self.documents} {self.noun})"


@dataclass(frozen=True)
class SourcePassage:
    """A passage of a reconstructed source: ``text[start:end]`` and the copies that carry it."""

    start: int
    end: int
    support: tuple[str, ...]


@dataclass(frozen=True)
class CopyChange:
    """One change a copy made to its (reconstructed) source.

    ``kind`` is ``cut`` (source text the copy lacks), ``added`` (copy text
    the source lacks) or ``reworded`` (both at one place).  ``source_*`` are
    offsets into the reconstructed text (equal for ``added``), ``copy_*``
    into the copy's original text (equal for ``cut``).
    """

    child: str
    kind: str
    source_start: int
    source_end: int
    copy_start: int
    copy_end: int


@dataclass(frozen=True)
class Latent:
    """An unseen common source of several documents.

    Parameters
    ----------
    id : str
        Starts with ``~`` (``~source-1``).
    children : tuple of str
        Ids of the documents copied from it.
    text : str
        Its reconstruction: each place read as the majority of the copies
        that cover it, "[not carried by any copy]" where none does.
    passages : tuple of SourcePassage
        Its runs, with the copies carrying each.
    changes : tuple of CopyChange
        What each copy changed against it.
    agency : Agency or None
        Whose story it probably was.
    """

    id: str
    children: tuple[str, ...]
    text: str = ""
    passages: tuple[SourcePassage, ...] = ()
    changes: tuple[CopyChange, ...] = ()
    agency: Agency | None = None

    @property
    def title(self) -> None:
        """An unseen source has no known headline."""
        return None


@dataclass(frozen=True)
class Family:
    """Documents joined by one tree of the lineage (linked documents whose links the tree keeps).

    Parameters
    ----------
    id : str
        ``family-1``, ``family-2``... by the group of linked documents it comes from, largest first.
    root : str
        The top document or unseen source.
    members : tuple of str
        Document ids (unseen sources excluded).
    agency : Agency or None
        The root's probable agency, when known.
    """

    id: str
    root: str
    members: tuple[str, ...]
    agency: Agency | None = None


@dataclass
class Lineage:
    """Result of a trace: the documents, the directed forest and its families.

    Parameters
    ----------
    documents : list of Document
        Every traced article, with its text (renderers show it), sorted by id.
    edges : list of Edge
        Parent -> child links; each document has at most one parent.
    latent : list of Latent
        Unseen common sources (parents of edges, never documents).
    families : list of Family
        Connected groups of linked documents, largest first.
    options : dict
        The analysis settings used.
    warnings : list of str
        What the loader skipped, one line each.

    Notes
    -----
    :meth:`to_json` gives the versioned contract (docs/json.md); :meth:`to_pandas`
    and :meth:`to_networkx` give tables and a graph for notebooks.
    """

    documents: list[Document]
    edges: list[Edge]
    latent: list[Latent]
    families: list[Family]
    options: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        # The documents carry whole texts and token arrays: a notebook shows counts only.
        return (f"<Lineage: {len(self.documents)} documents, {len(self.edges)} edges, "
                f"{len(self.families)} families, {len(self.latent)} unseen sources>")

    def document(self, doc_id: str) -> Document | Latent:
        """Return the document, or the unseen source, with id ``doc_id``.

        Raises
        ------
        KeyError
            When no document or unseen source has that id.
        """
        if self.__dict__.get("_by_id") is None or len(self._by_id) != len(self.documents) + len(self.latent):
            self._by_id: dict[str, Document | Latent] = {lat.id: lat for lat in self.latent}
            self._by_id.update((d.id, d) for d in self.documents)
        return self._by_id[doc_id]

    def parent_of(self, doc_id: str) -> Edge | None:
        """Edge whose child is ``doc_id``, or None for a root or an unlinked document."""
        for edge in self.edges:
            if edge.child == doc_id:
                return edge
        return None

    def children_of(self, doc_id: str) -> list[Edge]:
        """Edges whose parent is ``doc_id``."""
        return [e for e in self.edges if e.parent == doc_id]

    def other_source_edges(self) -> list[Edge]:
        """Each text's other sources (:attr:`Edge.also_from`) as ``partial`` edges outside the forest.

        A digest quoting several earlier stories hangs from one of them in the tree; these
        edges run from the others to it.
        """
        return [Edge(parent=other.parent, child=edge.child, confidence=other.confidence, relation="partial")
                for edge in self.edges for other in edge.also_from]

    def names_of(self, node: str) -> tuple[str, ...]:
        """Names a document goes by for crediting: its outlet and the agencies it is credited to.

        An unseen source goes by its probable agency, when its copies name one;
        otherwise links from it are credited ``"unknown"``.
        """
        found = self.document(node)
        if isinstance(found, Latent):
            return (found.agency.name,) if found.agency is not None and found.agency.name else ()
        return tuple(dict.fromkeys(x for x in (found.outlet, found.article.agency, *found.credits) if x))

    def credited(self, edge: Edge) -> str:
        """Does the copy credit its source: ``"yes"``, ``"no"`` or ``"unknown"`` (see :data:`CREDITED`).

        ``"unknown"`` when the parent's outlet and agency are unknown.
        """
        from .stages.credit import credit_status

        child = self.document(edge.child)
        if not isinstance(child, Document):  # one story reusing part of another: no page to credit on
            return "unknown"
        names = self.names_of(edge.parent)
        cache: dict[tuple[Document, tuple[str, ...]], str] = self.__dict__.setdefault("_credited", {})
        key = (child, names)  # every renderer asks for every edge, some more than once
        if key not in cache:
            cache[key] = credit_status(child, names)
        return cache[key]

    def shared_words(self, edge: Edge) -> int:
        """Words the child of ``edge`` shares with its parent.

        For a parent in the folder, the words of their shared passages; for an
        unseen source, the words of its reconstruction's passages the child
        carries, less those it cut or reworded.
        """
        if edge.shared:
            return sum(s.words for s in edge.shared)
        parent = self.document(edge.parent)
        if not isinstance(parent, Latent):
            return 0
        carried = np.zeros(len(parent.text) + 1, dtype=np.int8)
        for p in parent.passages:
            if edge.child in p.support:
                carried[p.start] += 1
                carried[p.end] -= 1
        for change in parent.changes:
            if change.child == edge.child and change.kind != "added":  # the source's words it cut or reworded
                carried[change.source_start] -= 1
                carried[change.source_end] += 1
        inside = np.cumsum(carried[:-1]) > 0
        # Where the reconstruction's words start, found once per unseen source (a table asks for every edge).
        starts: dict[str, np.ndarray] = self.__dict__.setdefault("_word_starts", {})
        if parent.id not in starts:
            starts[parent.id] = np.fromiter((m.start() for m in _WORD.finditer(parent.text)), dtype=np.int64)
        return int(inside[starts[parent.id]].sum())

    def family_of(self, node: str) -> str | None:
        """Id of the family ``node`` (a document or an unseen source) belongs to, or None."""
        for fam in self.families:
            if node == fam.root or node in fam.members:
                return fam.id
        return None

    def subset(self, *, min_confidence: float = 0.0, family: str | None = None) -> Lineage:
        """The lineage with weak links dropped and/or one family only.

        Parameters
        ----------
        min_confidence : float, default=0.0
            Edges below this confidence are dropped; a family they held together
            splits (the part without the old root gets the id ``<id>.2``...).
        family : str, optional
            Keep only this family's documents, unseen sources and edges.

        Returns
        -------
        Lineage

        Raises
        ------
        ValueError
            When ``min_confidence`` is outside [0, 1] or ``family`` is unknown.
        """
        if not 0.0 <= min_confidence <= 1.0:
            raise ValueError("The 'min_confidence' parameter of Lineage.subset must be a float in [0, 1]. "
                             f"Got {min_confidence!r} instead.")
        families = self.families
        if family is not None:
            families = [f for f in self.families if f.id == family]
            if not families:
                known = ", ".join(f.id for f in self.families[:5]) or "none"
                raise ValueError(f"no family {family!r} in this lineage (families: {known}"
                                 f"{'...' if len(self.families) > 5 else ''})")
        kept_nodes = {n for f in families for n in (f.root, *f.members)} if family is not None else None
        edges = [e.other_sources_in(kept_nodes, min_confidence) for e in self.edges
                 if e.confidence >= min_confidence and (kept_nodes is None or e.child in kept_nodes)]
        new_families = _split_families(families, edges)
        linked = {e.parent for e in edges}
        latent = [Latent(lat.id, tuple(e.child for e in edges if e.parent == lat.id))
                  for lat in self.latent if lat.id in linked]
        documents = self.documents if kept_nodes is None else [d for d in self.documents if d.id in kept_nodes]
        options = dict(self.options)
        if min_confidence:
            options["min_confidence"] = min_confidence
        return Lineage(documents=list(documents), edges=edges, latent=latent, families=new_families,
                       options=options, warnings=list(self.warnings))

    def rows(self, what: str = "edges") -> list[dict[str, Any]]:
        """Plain rows for tables (CSV, pandas): ``edges``, ``documents`` or ``evidence``.

        Parameters
        ----------
        what : {"edges", "documents", "evidence"}, default="edges"
            One row per edge (parent and child title, outlet, date, relation,
            confidence, credited...), per document, or per signal of an edge.

        Returns
        -------
        list of dict
            Same keys in the same order in every row (:data:`TABLE_COLUMNS`).
        """
        if what not in TABLE_COLUMNS:
            raise ValueError(f"The 'what' parameter of Lineage.rows must be one of "
                             f"{', '.join(TABLE_COLUMNS)}. Got {what!r} instead.")
        return _rows(self, what)

    def to_pandas(self, what: str = "edges") -> Any:
        """The lineage as a pandas DataFrame (see :meth:`rows` for ``what``).

        Raises
        ------
        ImportError
            When pandas is not installed (``pip install pandas``).
        """
        pandas = _optional("pandas", "Lineage.to_pandas")
        rows = self.rows(what)
        return pandas.DataFrame(rows, columns=list(TABLE_COLUMNS[what]))

    def to_networkx(self) -> Any:
        """The lineage as a networkx DiGraph: nodes with title, outlet, published, family, latent; edges
        with relation, confidence, credited and other_source (True for a digest's other stories, see
        :meth:`other_source_edges`).

        Raises
        ------
        ImportError
            When networkx is not installed.
        """
        nx = _optional("networkx", "Lineage.to_networkx")
        graph = nx.DiGraph()
        for doc in self.documents:
            graph.add_node(doc.id, title=doc.title, outlet=doc.outlet, published=doc.published,
                           family=self.family_of(doc.id), latent=False, words=doc.words)
        for lat in self.latent:
            graph.add_node(lat.id, title=None, outlet=None, published=None, family=self.family_of(lat.id),
                           latent=True, words=0)
        for e in self.edges:
            graph.add_edge(e.parent, e.child, relation=e.relation, confidence=e.confidence,
                           credited=self.credited(e), other_source=False)
        for e in self.other_source_edges():
            graph.add_edge(e.parent, e.child, relation=e.relation, confidence=e.confidence,
                           credited=self.credited(e), other_source=True)
        return graph

    def to_json(self) -> dict[str, Any]:
        """Return the versioned JSON contract as plain Python data (see docs/json.md)."""
        return {
            "version": JSON_VERSION,
            "minor_version": JSON_MINOR_VERSION,
            "documents": [_document_json(d) for d in self.documents],
            "latent": [_latent_json(lat, self) for lat in self.latent],
            "edges": [_edge_json(e, self.credited(e)) for e in self.edges],
            "families": [
                {"id": f.id, "root": f.root, "members": list(f.members), "agency": _agency_json(f.agency)}
                for f in self.families
            ],
            "options": self.options,
        }

    def to_json_str(self) -> str:
        """Serialise :meth:`to_json` deterministically (sorted keys, 2-space indent)."""
        return json_text(self.to_json())


def json_text(data: Any) -> str:
    """``data`` as JSON with sorted keys and a 2-space indent, ending in a newline.

    orjson writes it (Python's own encoder runs in Python once it indents: a
    20,000-article trace took seconds); the same text as
    ``json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)``, but
    for floats under 1e-4 (``0.00001``, not ``1e-05``) and NaN (``null``).
    What orjson cannot write (integers beyond 64 bits, lone surrogates)
    goes to Python's encoder.
    """
    try:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode() + "\n"
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


#: Columns of :meth:`Lineage.rows` (and of ``trace --format csv --what ...``).
TABLE_COLUMNS = {
    "edges": ("family", "parent", "parent_title", "parent_outlet", "parent_published", "parent_unseen",
              "child", "child_title", "child_outlet", "child_published", "relation", "confidence",
              "credited", "child_credits", "shared_words", "passages", "also_from"),
    "documents": ("id", "title", "outlet", "published", "updated", "url", "path", "words", "credits", "bylines",
                  "family", "parent", "relation", "confidence", "credited", "also_from"),
    "evidence": ("parent", "child", "signal", "weight", "detail"),
}


def _rows(lineage: Lineage, what: str) -> list[dict[str, Any]]:
    family = {m: f.id for f in lineage.families for m in (f.root, *f.members)}

    def about(node: str) -> tuple[Any, ...]:
        found = lineage.document(node)
        return found.title, getattr(found, "outlet", None), getattr(found, "published", None)

    if what == "evidence":
        return [{"parent": e.parent, "child": e.child, "signal": ev.signal, "weight": round(ev.weight, 3),
                 "detail": ev.detail} for e in lineage.edges for ev in e.evidence]
    if what == "documents":
        parent = {e.child: e for e in lineage.edges}
        out = []
        for d in lineage.documents:
            e = parent.get(d.id)
            out.append({"id": d.id, "title": d.title, "outlet": d.outlet, "published": d.published,
                        "updated": d.article.updated, "url": d.article.url, "path": d.article.path, "words": d.words,
                        "credits": "; ".join(d.credits), "bylines": "; ".join(d.bylines),
                        "family": family.get(d.id), "parent": e.parent if e else None,
                        "relation": e.relation if e else None,
                        "confidence": round(e.confidence, 4) if e else None,
                        "credited": lineage.credited(e) if e else None,
                        "also_from": _other_ids(e) if e else None})
        return out
    out = []
    for e in lineage.edges:
        (p_title, p_outlet, p_date), (c_title, c_outlet, c_date) = about(e.parent), about(e.child)
        child = lineage.document(e.child)
        out.append({"family": family.get(e.child), "parent": e.parent, "parent_title": p_title,
                    "parent_outlet": p_outlet, "parent_published": p_date, "parent_unseen": e.parent.startswith("~"),
                    "child": e.child, "child_title": c_title, "child_outlet": c_outlet, "child_published": c_date,
                    "relation": e.relation, "confidence": round(e.confidence, 4), "credited": lineage.credited(e),
                    "child_credits": "; ".join(getattr(child, "credits", ())),
                    "shared_words": lineage.shared_words(e), "passages": _passage_count(lineage, e),
                    "also_from": _other_ids(e)})
    return out


def _other_ids(edge: Edge) -> str:
    """The child's other sources (a digest's other stories), as one cell: ids joined by "; "."""
    return "; ".join(other.parent for other in edge.also_from)


def _passage_count(lineage: Lineage, edge: Edge) -> int:
    """Shared passages of an edge; for an unseen parent, the reconstruction's passages the child carries."""
    parent = lineage.document(edge.parent)
    if isinstance(parent, Latent):
        return sum(edge.child in p.support for p in parent.passages)
    return len(edge.shared)


def _split_families(families: list[Family], edges: list[Edge]) -> list[Family]:
    """Families re-cut along the kept edges: a family whose links were dropped splits or vanishes."""
    parent = {e.child: e.parent for e in edges}

    def top(node: str) -> str:
        seen = set()
        while node in parent and node not in seen:
            seen.add(node)
            node = parent[node]
        return node

    linked = set(parent) | set(parent.values())
    out = []
    for fam in families:
        groups: dict[str, list[str]] = {}
        for m in fam.members:
            if m in linked:
                groups.setdefault(top(m), []).append(m)
        roots = sorted(groups, key=lambda r: (r != fam.root, -len(groups[r]), r))
        for n, root in enumerate(roots, start=1):
            out.append(Family(fam.id if n == 1 else f"{fam.id}.{n}", root, tuple(groups[root])))
    return out


def _optional(module: str, owner: str) -> Any:
    """Import an optional dependency, or say how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(f"{owner} needs {module}, which is not installed: pip install {module}") from exc


def _document_json(doc: Document) -> dict[str, Any]:
    art = doc.article
    return {
        "id": art.id,
        "path": art.path,
        "title": art.title,
        "outlet": art.outlet,
        "url": art.url,
        "words": doc.words,
        "credits": list(doc.credits),
        "bylines": list(doc.bylines),
        "published": art.published,
        "updated": art.updated,
        "boilerplate": [
            {"start": s.start, "end": s.end, "text": s.text, "kind": s.kind} for s in doc.boilerplate
        ],
    }


def _agency_json(agency: Agency | None) -> dict[str, Any] | None:
    if agency is None:
        return None
    return {"name": agency.name, "credited": agency.credited, "documents": agency.documents,
            "share": round(agency.credited / agency.documents, 4) if agency.documents else 0.0,
            "label": agency.label, "evidence": list(agency.evidence)}


def _latent_json(lat: Latent, lineage: Lineage) -> dict[str, Any]:
    text = lat.text

    def copy_text(change: CopyChange) -> str:
        return lineage.document(change.child).article.text[change.copy_start:change.copy_end]

    return {
        "id": lat.id,
        "children": list(lat.children),
        "text": text,
        "passages": [
            {"start": p.start, "end": p.end, "text": text[p.start:p.end], "support": list(p.support),
             "variants": [{"child": c.child, "kind": c.kind, "source": text[c.source_start:c.source_end],
                           "copy": copy_text(c)}
                          for c in lat.changes if c.child in p.support and _inside(c, p)]}
            for p in lat.passages
        ],
        "changes": [
            {"child": c.child, "kind": c.kind, "source_start": c.source_start, "source_end": c.source_end,
             "copy_start": c.copy_start, "copy_end": c.copy_end}
            for c in lat.changes
        ],
        "agency": _agency_json(lat.agency),
    }


def _inside(change: CopyChange, passage: SourcePassage) -> bool:
    """Whether a change falls in a passage (an insertion at its end counts)."""
    return passage.start <= change.source_start and change.source_end <= passage.end and (
        change.source_start < passage.end or change.kind == "added")


def _edge_json(edge: Edge, credited: str) -> dict[str, Any]:
    return {
        "credited": credited,
        "parent": edge.parent,
        "child": edge.child,
        "confidence": round(float(edge.confidence), 4),
        "relation": edge.relation,
        "evidence": [
            {"signal": ev.signal, "weight": round(float(ev.weight), 3), "detail": ev.detail}
            for ev in edge.evidence
        ],
        "shared": [
            {
                "parent_start": s.parent_start,
                "parent_end": s.parent_end,
                "child_start": s.child_start,
                "child_end": s.child_end,
                "words": s.words,
            }
            for s in edge.shared
        ],
        "also_from": [
            {"parent": o.parent, "confidence": round(float(o.confidence), 4), "words": o.words}
            for o in edge.also_from
        ],
    }
