"""Simulated documents, their ground truth, and writing them as a folder or a JSONL file."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.common import write_json
from benchmarks.outlets import Page

ABSENT = "@absent-source"
"""Truth parent of a copy whose source is not in the corpus."""
LAYOUTS = ("txt", "jsonl")


@dataclass
class SimDoc:
    """One simulated page with its true lineage.

    Attributes
    ----------
    stem : str
        Random hex name (empty for an absent wire, which is never written).
    title : str
        Headline of the story (before any outlet title suffix).
    body : list of str
        Story paragraphs; copies of this page start from these.
    when : datetime
        True publication time (UTC).
    outlet : str
        Publisher or wire agency.
    op : str
        ``wire``, a copy operation, or an independent kind.
    family : str or None
        Family id for syndicated stories, None for independents.
    parent : SimDoc or None
        The document this one was copied from.
    page : Page
        Furniture around the story.
    dated : bool
        Whether the publication time is given in the output.
    mods : list of str
        Extra changes applied on top of ``op`` (e.g. ``typo-quotes``).
    present : bool
        False for a wire story left out of the corpus.
    partial_of : list of SimDoc
        Documents whose text this one reuses in part without being their copy (an agency
        story quoting its earlier story on the topic); recorded in the truth, not a parent.
    extra : dict
        Further truth fields of a generator (e.g. ``story`` and ``version``).
    source_text : list of str or None
        The story as printed before page-level noise (a scan) made ``body``; None when
        ``body`` is it. ``identifiability.py`` reads which changes a copy carries from it.
    """

    stem: str
    title: str
    body: list[str]
    when: datetime
    outlet: str
    op: str
    family: str | None = None
    parent: SimDoc | None = None
    page: Page = field(default_factory=Page)
    dated: bool = False
    mods: list[str] = field(default_factory=list)
    present: bool = True
    partial_of: list[SimDoc] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    source_text: list[str] | None = None

    @property
    def published(self) -> str:
        """Publication time as ISO 8601 with a ``Z`` suffix."""
        return self.when.strftime("%Y-%m-%dT%H:%M:%SZ")

    def page_title(self) -> str:
        """Title as shown on the page (with the outlet's suffix, if any)."""
        return self.title + self.page.title_suffix

    def page_text(self) -> str:
        """Page text: header block, paragraphs (with an interstitial ad), footer block."""
        body = list(self.body)
        if self.page.ad_line and len(body) > 3:
            body.insert(2, self.page.ad_line)
        blocks = ["\n".join(self.page.header), *body, "\n".join(self.page.footer)]
        return "\n\n".join(b for b in blocks if b)


def _ref(doc: SimDoc, layout: str) -> str:
    return doc_id(doc.stem, layout) if doc.present else ABSENT


def _parent_ref(doc: SimDoc, layout: str) -> str | None:
    return None if doc.parent is None else _ref(doc.parent, layout)


def _truth_row(doc: SimDoc, layout: str) -> dict[str, Any]:
    row = {"parent": _parent_ref(doc, layout), "family": doc.family, "op": doc.op,
           "outlet": doc.outlet, "mods": list(doc.mods), **doc.extra}
    if doc.partial_of:
        row["partial_of"] = [_ref(d, layout) for d in doc.partial_of]
    return row


def doc_id(stem: str, layout: str) -> str:
    """Document id the tracer reports: file name for ``txt``, record id for ``jsonl``."""
    return f"{stem}.txt" if layout == "txt" else stem


@dataclass
class SimCorpus:
    """A simulated corpus: the documents in it plus absent wires (for the truth).

    Attributes
    ----------
    docs : list of SimDoc
        Every simulated document, including absent wires.
    meta : dict
        Build parameters (source, seed, sizes).
    """

    docs: list[SimDoc]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def present(self) -> list[SimDoc]:
        """Documents written to the corpus, sorted by name."""
        return sorted((d for d in self.docs if d.present), key=lambda d: d.stem)

    def truth(self, layout: str = "txt") -> dict[str, Any]:
        """Ground truth in the ``truth.json`` shape.

        Parameters
        ----------
        layout : {"txt", "jsonl"}, default="txt"
            Decides the document ids.

        Returns
        -------
        dict
            ``{"docs": {id: {"parent", "family", "op", "outlet", "mods", ...}}, "meta": {...}}``;
            a generator's ``extra`` fields and ``partial_of`` (ids, or ``"@absent-source"``)
            are added to a document's row when it has them.
        """
        docs = {doc_id(d.stem, layout): _truth_row(d, layout) for d in self.present}
        return {"docs": docs, "meta": {**self.meta, "layout": layout}}

    def raw_texts(self, layout: str = "txt") -> dict[str, str]:
        """Raw text of every present document by id, as written: the whole file (``txt``) or
        the record's ``text`` field (``jsonl``)."""
        return {doc_id(d.stem, layout): _txt_file(d) if layout == "txt" else d.page_text()
                for d in self.present}

    def texts(self) -> list[str]:
        """Title plus page text of every present document, in name order."""
        return [f"{d.page_title()}\n\n{d.page_text()}" for d in self.present]


def _txt_file(doc: SimDoc) -> str:
    date_line = f"Published: {doc.published}\n" if doc.dated else ""
    return f"{date_line}{doc.page_title()}\n\n{doc.page_text()}\n"


def _jsonl_record(doc: SimDoc) -> str:
    record: dict[str, Any] = {"id": doc.stem, "title": doc.page_title(),
                              "text": doc.page_text(), "outlet": doc.outlet}
    if doc.dated:
        record["published"] = doc.published
    return json.dumps(record, ensure_ascii=False, sort_keys=True)


def write_corpus(corpus: SimCorpus, out: Path, layout: str = "txt") -> Path:
    """Write the documents and ``truth.json`` under ``out``.

    The documents go to ``out/corpus/<hex>.txt`` (``txt``) or ``out/corpus.jsonl``
    (``jsonl``), so the folder to trace never contains the truth.

    Parameters
    ----------
    corpus : SimCorpus
        The corpus.
    out : Path
        Output folder (created).
    layout : {"txt", "jsonl"}, default="txt"
        One file per document or one JSONL file.

    Returns
    -------
    Path
        What to trace: the ``corpus`` folder or the JSONL file.

    Raises
    ------
    ValueError
        If ``layout`` is unknown.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"The 'layout' parameter must be one of {LAYOUTS}. Got {layout!r}.")
    out.mkdir(parents=True, exist_ok=True)
    if layout == "txt":
        target = out / "corpus"
        target.mkdir(exist_ok=True)
        for doc in corpus.present:
            (target / doc_id(doc.stem, layout)).write_text(_txt_file(doc), encoding="utf-8")
    else:
        target = out / "corpus.jsonl"
        lines = [_jsonl_record(doc) for doc in corpus.present]
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_json(out / "truth.json", corpus.truth(layout))
    return target
