"""Stage 8, render as text: Lineage -> a report for the terminal (tabulate tables and a tree).

Article text is untrusted: control characters and terminal escape sequences
are removed before anything reaches the screen.
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter

from tabulate import tabulate

from ..model import RELATIONS, Edge, Latent, Lineage
from .words import credited_phrase, evidence_sentence, headline, main_evidence

__all__ = ["render_text", "terminal_safe"]

_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_TITLE_WIDTH = 60
# The table's evidence column wraps at this width (a sentence, not a cut-off fragment), up to this length.
_EVIDENCE_WIDTH = 60
_EVIDENCE_LENGTH = 240
_SHARED_WIDTH = 50
# Ids and titles are text: tabulate must not read "2024.10" as a number and print "2024.1".


def terminal_safe(text: str | None, width: int | None = None) -> str:
    """Remove escape sequences and control characters; fold white space; shorten to ``width``.

    Examples
    --------
    >>> terminal_safe("Hi\\x1b[2J there\\n")
    'Hi there'
    """
    if not text:
        return ""
    clean = _CONTROL.sub(" ", _ESCAPES.sub("", text))
    clean = " ".join(clean.split())
    if width and len(clean) > width:
        clean = clean[: width - 1] + "…"
    return clean


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def _label(lineage: Lineage, node: str) -> str:
    if node.startswith("~"):
        return f"{terminal_safe(node)}  (unseen source, not in the folder)"
    doc = lineage.document(node)
    title = terminal_safe(headline(doc), _TITLE_WIDTH)
    outlet = f" ({terminal_safe(doc.outlet, 40)})" if doc.outlet else ""
    credits = f"  credit: {_credits(doc.credits)}" if doc.credits else ""
    return f"{terminal_safe(node)}  “{title}”{outlet}{credits}"


def _shared_opening(lineage: Lineage, edge: Edge) -> str:
    """For a ``partial`` edge, the opening words of the longest passage the two share.

    A page, digest or roundup that reuses part of another text is titled for
    itself, not for what it reused: the passage says which story it is.
    """
    if edge.relation != "partial" or not edge.shared or edge.child.startswith("~"):
        return ""
    passage = max(edge.shared, key=lambda p: p.words)
    text = lineage.document(edge.child).article.text[passage.child_start:passage.child_end]
    return f"  shares “{terminal_safe(text, _SHARED_WIDTH)}”"


def _credits(credits: tuple[str, ...]) -> str:
    return ", ".join(terminal_safe(credit, 40) for credit in credits)


def _tree_lines(lineage: Lineage, node: str, children: dict[str, list[Edge]], prefix: str = "") -> list[str]:
    lines = []
    kids = children.get(node, [])
    for n, edge in enumerate(kids):
        last = n == len(kids) - 1
        branch = "└─" if last else "├─"
        lines.append(f"{prefix}{branch} {edge.relation} {edge.confidence:.2f}, "
                     f"{credited_phrase(lineage.credited(edge))} ─ {_label(lineage, edge.child)}"
                     f"{_shared_opening(lineage, edge)}")
        inner = prefix + ("   " if last else "│  ")
        lines.extend(f"{inner}   also from {other.confidence:.2f} ─ {_label(lineage, other.parent)}"
                     for other in edge.also_from)
        lines.extend(_tree_lines(lineage, edge.child, children, inner))
    return lines


def _roots(lineage: Lineage, family, children: dict[str, list[Edge]]) -> list[str]:
    """The family's root first, then any other member (or unseen source) with no parent."""
    has_parent = {e.child for kids in children.values() for e in kids}
    nodes = list(family.members) + [p for p in children if p.startswith("~")]
    members = set(family.members)
    others = [n for n in nodes if n not in has_parent and n != family.root
              and (n in members or any(e.child in members for e in children.get(n, [])))]
    return [family.root, *dict.fromkeys(others)]


def _sources_lines(lat: Latent) -> list[str]:
    """One reconstructed unseen source: its agency and evidence, then each passage with its support."""
    n = len(lat.children)
    agency = lat.agency.label if lat.agency else "agency unknown"
    out = [f"{terminal_safe(lat.id)}  reconstructed from {_count(n, 'copy', 'copies')}; {terminal_safe(agency)}"]
    for line in lat.agency.evidence if lat.agency else ():
        out.append(f"  evidence: {terminal_safe(line, 100)}")
    changes = Counter(c.child for c in lat.changes)
    out.append("  copies: " + "; ".join(f"{terminal_safe(c, 40)} ({_count(changes.get(c, 0), 'change')})"
                                        for c in lat.children))
    cursor = 0
    for k, passage in enumerate(lat.passages, 1):
        if lat.text[cursor:passage.start].strip():
            out.extend(_wrapped(lat.text[cursor:passage.start], "    "))
        support = ", ".join(terminal_safe(c, 40) for c in passage.support)
        out.append(f"  passage {k}: carried by {len(passage.support)} of {n} ({support})")
        out.extend(_wrapped(lat.text[passage.start:passage.end], "    "))
        cursor = passage.end
    return out


def _wrapped(text: str, indent: str) -> list[str]:
    lines = []
    for paragraph in text.split("\n\n"):
        clean = terminal_safe(paragraph)
        if clean:
            lines.extend(textwrap.wrap(clean, 100, initial_indent=indent, subsequent_indent=indent))
    return lines


def render_text(lineage: Lineage, *, show_sources: bool = False) -> str:
    """Human-readable report: summary, one tree per family, the edges, the unlinked documents.

    Parameters
    ----------
    lineage : Lineage
        The trace.
    show_sources : bool, default=False
        Also print each unseen source's reconstructed text, passage by
        passage with the copies carrying it, and its probable agency.
    """
    children: dict[str, list[Edge]] = {}
    for edge in lineage.edges:
        children.setdefault(edge.parent, []).append(edge)
    linked = {e.child for e in lineage.edges} | {e.parent for e in lineage.edges} | {
        other.parent for e in lineage.edges for other in e.also_from}
    independents = [d for d in lineage.documents if d.id not in linked]
    counts = Counter(e.relation for e in lineage.edges)
    out = [
        f"{_count(len(lineage.documents), 'document')}, {_count(len(lineage.families), 'family', 'families')}, "
        f"{_count(len(lineage.latent), 'unseen source')}, {len(independents)} linked to nothing",
        "relations: " + ", ".join(f"{r} {counts.get(r, 0)}" for r in RELATIONS),
        "",
    ]
    for family in lineage.families:
        agency = f"; {terminal_safe(family.agency.label)}" if family.agency else ""
        out.append(f"{terminal_safe(family.id)} ({len(family.members)} documents{agency})")
        for root in _roots(lineage, family, children):
            out.append(_label(lineage, root))
            out.extend(_tree_lines(lineage, root, children))
        out.append("")
    if lineage.edges:
        rows = []
        for e in lineage.edges:
            top = main_evidence(e)
            rows.append([terminal_safe(e.parent, 40), terminal_safe(e.child, 40), terminal_safe(e.relation),
                         f"{e.confidence:.2f}", lineage.credited(e), lineage.shared_words(e) or "",
                         terminal_safe(evidence_sentence(top), _EVIDENCE_LENGTH) if top else ""])
        out.append(tabulate(rows, headers=["parent", "child", "relation", "confidence", "credited",
                                           "shared words", "main evidence"], disable_numparse=True,
                            colalign=("left", "left", "left", "right", "left", "right", "left"),
                            maxcolwidths=[None] * 6 + [_EVIDENCE_WIDTH]))
        credited = [lineage.credited(e) for e in lineage.edges]
        summary = f"uncredited copies: {credited.count('no')} of {len(credited)}"
        if unknown := credited.count("unknown"):
            # "0 of 3" alone would read as three credited copies.
            summary += f" ({unknown} not known: no outlet or agency is known for their source)"
        out.append(summary)
        out.append("")
    if independents:
        out.append("Linked to nothing (independent):")
        rows = [[terminal_safe(d.id, 40), terminal_safe(headline(d), 50), d.words, _credits(d.credits)]
                for d in independents]
        out.append(tabulate(rows, headers=["id", "title", "words", "credits"], disable_numparse=True,
                            colalign=("left", "left", "right", "left")))
        out.append("")
    if show_sources and lineage.latent:
        out.append("Unseen sources (each place read as most of the copies covering it):")
        for lat in lineage.latent:
            out.extend(_sources_lines(lat))
            out.append("")
    return "\n".join(out)
