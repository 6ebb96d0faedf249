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
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

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
    "Edge",
    "Agency",
    "SourcePassage",
    "CopyChange",
    "Latent",
    "Family",
    "Lineage",
    "JSON_VERSION",
    "RELATIONS",
]

#: Version 2 added ``latent[].text``, ``passages``, ``changes``, ``agency`` and ``families[].agency``.
JSON_VERSION = 2

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
    furniture : tuple of str
        Page furniture removed by the HTML extractor (kept as evidence).
    """

    id: str
    text: str
    path: str | None = None
    title: str | None = None
    published: str | None = None
    outlet: str | None = None
    url: str | None = None
    furniture: tuple[str, ...] = ()


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
        return self.article.id

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
        return list(map(self.tokens.words.__getitem__, self.content.tolist()))


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
    """One signal behind a link, with its weight (log-odds units, + favours the link as stated)."""

    signal: str
    weight: float
    detail: str


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
class Edge:
    parent: str
    child: str
    confidence: float
    relation: str
    evidence: tuple[Evidence, ...] = ()
    shared: tuple[SharedPassage, ...] = ()


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
    """An unseen common source of several documents (id starts with ``~``).

    ``text`` is its reconstruction (each place read as the majority of the
    copies that cover it; "[not carried by any copy]" where none does),
    ``passages`` its runs with the copies carrying each, ``changes`` what
    each copy changed against it, ``agency`` whose story it probably was.
    """

    id: str
    children: tuple[str, ...]
    text: str = ""
    passages: tuple[SourcePassage, ...] = ()
    changes: tuple[CopyChange, ...] = ()
    agency: Agency | None = None


@dataclass(frozen=True)
class Family:
    """A connected group of linked documents; ``agency`` is its root's probable agency, when known."""

    id: str
    root: str
    members: tuple[str, ...]
    agency: Agency | None = None


@dataclass
class Lineage:
    """Result of a trace: the documents, the directed forest and its families.

    ``documents`` are :class:`Document` objects (with their articles, so
    renderers can show text); :meth:`to_json` gives the versioned contract.
    """

    documents: list[Document]
    edges: list[Edge]
    latent: list[Latent]
    families: list[Family]
    options: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def document(self, doc_id: str) -> Document:
        """Return the document with id ``doc_id`` (KeyError if absent)."""
        try:
            return self._by_id[doc_id]
        except AttributeError:
            self._by_id = {d.id: d for d in self.documents}
            return self._by_id[doc_id]

    def parent_of(self, doc_id: str) -> Edge | None:
        """Edge whose child is ``doc_id``, or None for a root or an unlinked document."""
        for edge in self.edges:
            if edge.child == doc_id:
                return edge
        return None

    def children_of(self, doc_id: str) -> list[Edge]:
        return [e for e in self.edges if e.parent == doc_id]

    def to_json(self) -> dict[str, Any]:
        """Return the versioned JSON contract as plain Python data (see docs/json.md)."""
        return {
            "version": JSON_VERSION,
            "documents": [_document_json(d) for d in self.documents],
            "latent": [_latent_json(lat, self) for lat in self.latent],
            "edges": [_edge_json(e) for e in self.edges],
            "families": [
                {"id": f.id, "root": f.root, "members": list(f.members), "agency": _agency_json(f.agency)}
                for f in self.families
            ],
            "options": self.options,
        }

    def to_json_str(self) -> str:
        """Serialise :meth:`to_json` deterministically (sorted keys, 2-space indent)."""
        return json.dumps(self.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


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


def _edge_json(edge: Edge) -> dict[str, Any]:
    return {
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
    }
