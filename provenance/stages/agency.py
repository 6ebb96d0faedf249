"""Stage 7b, agency: the documents of a story -> its probable agency (:class:`~provenance.model.Agency`).

Copies of a wire story say whose it was in their credit lines, bylines and
datelines ("NEW YORK (AP) —", "Credit | AA", "By The Associated Press",
"Source: ..."). The story's agency is the name most of its copies credit.
Known agencies are read by :func:`~provenance.stages.boilerplate.find_credits`
wherever they stand; other names only from explicit credit lines: supplier
lines ("Source: X", "Story supplied by X") and contributor lines ("Additional
reporting by X", "X contributed to this report"), and copyright lines
("Copyright 2024 X."). A copyright line names the page's owner as often as
an agency: it counts only when no distinctive word of the name shows
elsewhere on the page (an outlet brands its own pages). Contributor and
copyright lines name people and owners as often as agencies, so on a tie a
supplier's name wins; a name given as a document's own outlet or as a byline
is never an agency.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from ..model import Agency, Document
from .boilerplate import find_credits

__all__ = ["infer_agency", "credited_names"]

# Credits stand in the head and tail of a story (dateline, byline, credit lines).
_WINDOW = 1500
_EVIDENCE_CHARS = 90
_NAME = r"(?P<x>[A-Z][\w&.'’-]*(?:[ \t]+(?:of[ \t]+|the[ \t]+)?[A-Z][\w&.'’-]*){0,4})"
_END = r"[ \t]*\.?[ \t]*$"
_SUPPLIER = re.compile(
    r"^[ \t]*(?i:(?:credit|source|via|courtesy(?:[ \t]+of)?|distributed[ \t]+by)[ \t]*[|:–—-][ \t]*"
    r"|(?:story[ \t]+)?(?:supplied|provided)[ \t]+by[ \t]+(?:the[ \t]+)?)" + _NAME + _END)
# Words of company names that say nothing about whose page it is.
_GENERIC_WORDS = frozenset({"the", "and", "media", "group", "ltd", "limited", "inc", "llc", "plc", "co", "corp",
                            "company", "news", "network", "press", "publishing", "holdings", "times", "daily"})
_COPYRIGHT = re.compile(r"^[ \t]*(?:©|\(c\)|(?i:copyright))[ \t]*(?:\d{4}[ \t]*)?(?i:the[ \t]+)?" + _NAME + _END)
_CONTRIBUTOR = [
    re.compile(r"^[ \t]*(?i:additional[ \t]+reporting[ \t]+by[ \t]+(?:the[ \t]+)?)" + _NAME + _END),
    re.compile(r"^[ \t]*" + _NAME + r"[ \t]+(?i:contributed[ \t]+to[ \t]+this[ \t]+report)" + _END),
]


def credited_names(doc: Document) -> dict[str, tuple[str, int]]:
    """Names a document credits for its text, each with the line that says so.

    Parameters
    ----------
    doc : Document
        A prepared document.

    Returns
    -------
    dict
        Name -> (the shortened line crediting it, its strength: 0 an agency
        or supplier credit, 1 a contributor line, 2 a copyright line); known agencies under their canonical name ("AP",
        "Reuters"), other names as written.
    """
    text = doc.article.text
    if len(text) > 2 * _WINDOW:
        text = text[:_WINDOW] + "\n" + text[-_WINDOW:]
    found: dict[str, tuple[str, int]] = {}
    known = set(doc.credits)
    for line in text.splitlines():
        if not line.strip():
            continue
        for name in find_credits(line)[0] if known else ():
            found.setdefault(name, (_quote(line), 0))
        for regex, strength in ((_SUPPLIER, 0), *((r, 1) for r in _CONTRIBUTOR), (_COPYRIGHT, 2)):
            match = regex.match(line)
            if not match:
                continue
            name = match.group("x").strip(" .")
            if strength == 1 and ("'s " in name or "’s " in name):
                continue  # "CNET's Joan Smith": a person at an outlet
            canonical = find_credits(f"Credit | {name}")[0]
            if strength == 2 and not canonical and _branded(doc.article.text, name):
                continue  # the page's owner
            found.setdefault(canonical[0] if canonical else name, (_quote(line), 0 if canonical else strength))
    # A dateline credit spread over lines, or one find_credits saw in the whole text only.
    for name in known - set(found):
        found[name] = (f"credits {name}", 0)
    own = {(doc.article.outlet or "").casefold(), *(b.casefold() for b in doc.bylines)}
    return {name: value for name, value in found.items() if name.casefold() not in own}


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
    # A document root's agency is one its own dateline or credit line names (not a contributor):
    # read the root first, most roots name none and their members need no reading.
    allowed = None
    names: dict[str, dict[str, tuple[str, int]]] = {}
    if own is not None:
        names[own.id] = credited_names(own)
        allowed = {n for n, (_, level) in names[own.id].items() if level == 0}
        if not allowed:
            return None
    names.update((doc.id, names.get(doc.id) or credited_names(doc)) for doc in documents)
    counts = Counter(name for found in names.values() for name in found)
    strength = {}
    for found in names.values():
        for name, (_, level) in found.items():
            strength[name] = min(level, strength.get(name, level))
    eligible = [name for name in counts if allowed is None or name in allowed]
    total = len(names)
    if not eligible:
        return Agency(None, 0, total) if own is None else None
    known = {name for doc in documents for name in doc.credits}
    best = min(eligible, key=lambda name: (-counts[name], strength[name], name not in known, name))
    evidence = tuple(f"{doc_id}: {found[best][0]}" for doc_id, found in sorted(names.items()) if best in found)
    return Agency(best, counts[best], total, evidence, "copies" if own is None else "documents")


def _branded(text: str, name: str) -> bool:
    """Whether the page shows a distinctive word of the name elsewhere than the copyright line: its owner's brand."""
    words = [w.strip(".,") for w in name.split()]
    return any(text.count(w) > 1 for w in words if len(w) >= 3 and w.casefold() not in _GENERIC_WORDS)


def _quote(line: str) -> str:
    line = " ".join(line.split())
    return line if len(line) <= _EVIDENCE_CHARS else line[: _EVIDENCE_CHARS - 1] + "…"
