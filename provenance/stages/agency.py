"""Stage 8b, agency: the documents of a story -> its probable agency (:class:`~provenance.model.Agency`).

Copies of a wire story say whose it was in their credit lines, bylines and
datelines ("NEW YORK (AP) —", "Credit | AA", "By The Associated Press",
"Source: ..."). Each copy names one or more credited parties, its own outlet
among them sometimes; the story's agency is the name most of its copies
share. Known agencies are read by :func:`~provenance.stages.boilerplate.find_credits`;
other names only from explicit credit lines ("Source: X", "Story supplied by
X") and only when at least two copies give them, since one outlet naming
itself is common and an agency named by several outlets is not.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from ..model import Agency, Document
from .boilerplate import find_credits

__all__ = ["infer_agency", "credited_names"]

#: A name known only from credit lines must be given by this many documents.
MIN_GENERIC_CREDITS = 2
# Credits stand in the head and tail of a story (dateline, byline, credit lines).
_WINDOW = 1500
_EVIDENCE_CHARS = 90
_NAME = r"(?P<x>[A-Z][\w&.'’-]*(?:[ \t]+(?:of[ \t]+|the[ \t]+)?[A-Z][\w&.'’-]*){0,4})"
# Explicit credit lines naming a supplier (not "Reporting by", which names people).
_GENERIC = [re.compile(pattern, re.MULTILINE) for pattern in (
    r"^[ \t]*(?i:(?:credit|source|via|courtesy(?:[ \t]+of)?|distributed[ \t]+by)[ \t]*[|:–—-][ \t]*"
    r"|(?:additional[ \t]+reporting|story[ \t]+supplied|supplied|provided)[ \t]+by[ \t]+(?:the[ \t]+)?)"
    + _NAME + r"[ \t]*\.?[ \t]*$",
    r"^[ \t]*" + _NAME + r"[ \t]+(?i:contributed[ \t]+to[ \t]+this[ \t]+report)\.?[ \t]*$",
)]


def credited_names(doc: Document) -> dict[str, str]:
    """Names a document credits for its text, each with the line that says so.

    Parameters
    ----------
    doc : Document
        A prepared document.

    Returns
    -------
    dict
        Name -> the (shortened) line crediting it; known agencies under
        their canonical name ("AP", "Reuters"), other names as written.
    """
    text = doc.article.text
    if len(text) > 2 * _WINDOW:
        text = text[:_WINDOW] + "\n" + text[-_WINDOW:]
    found: dict[str, str] = {}
    known = set(doc.credits)
    for line in text.splitlines():
        if not line.strip():
            continue
        for name in find_credits(line)[0] if known else ():
            found.setdefault(name, _quote(line))
        for match in (m for regex in _GENERIC if (m := regex.match(line))):
            name = match.group("x").strip(" .")
            if name not in found:
                canonical = find_credits(f"Credit | {name}")[0]
                found.setdefault(canonical[0] if canonical else name, _quote(line))
    # A dateline credit spread over lines, or one find_credits saw in the whole text only.
    for name in known - set(found):
        found[name] = f"credits {name}"
    outlet = (doc.article.outlet or "").casefold()
    return {name: line for name, line in found.items() if not outlet or name.casefold() != outlet}


def infer_agency(documents: Sequence[Document], *, own: Document | None = None) -> Agency | None:
    """The probable agency of a story from the documents that carry it.

    Parameters
    ----------
    documents : sequence of Document
        The story's copies (an unseen source's children, or a family's members).
    own : Document, optional
        A family's root: only names it credits itself are candidates (a
        document root's agency is its own dateline's); None for an unseen source.

    Returns
    -------
    Agency or None
        The name credited by the most documents (known agencies first on a
        tie), with the lines that credit it; ``Agency(None)`` when no document
        credits anyone; None when ``own`` is given and credits no one.
    """
    names = {doc.id: credited_names(doc) for doc in documents}
    if own is not None and own.id not in names:
        names[own.id] = credited_names(own)
    allowed = set(names[own.id]) if own is not None else None
    if allowed is not None and not allowed:
        return None
    counts = Counter(name for found in names.values() for name in found)
    known = {name for doc in documents for name in doc.credits}
    eligible = [name for name, n in counts.items()
                if (allowed is None or name in allowed) and (name in known or n >= MIN_GENERIC_CREDITS)]
    total = len(names)
    if not eligible:
        return Agency(None, 0, total) if own is None else None
    best = min(eligible, key=lambda name: (-counts[name], name not in known, name))
    evidence = tuple(f"{doc_id}: {found[best]}" for doc_id, found in sorted(names.items()) if best in found)
    return Agency(best, counts[best], total, evidence)


def _quote(line: str) -> str:
    line = " ".join(line.split())
    return line if len(line) <= _EVIDENCE_CHARS else line[: _EVIDENCE_CHARS - 1] + "…"
