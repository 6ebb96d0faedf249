"""Stage 8, render as Graphviz DOT: the lineage forest for ``dot -Tsvg``."""

from __future__ import annotations

from ..model import Lineage
from .text import terminal_safe
from .words import WEAK_CONFIDENCE, credited_phrase, headline

__all__ = ["render_dot", "COLOURS"]

#: Relation colours, the same as the HTML report's legend (templates/report.css).
COLOURS = {"reprint": "#0b5cad", "trimmed": "#00795a", "edited": "#9a5b00", "spun": "#c0392b",
           "partial": "#8e44ad"}
_OTHER = "#555555"
_TITLE_WIDTH = 50


def _quote(*lines: str) -> str:
    r"""A DOT double-quoted string of one or more lines: quotes and backslashes escaped, no control characters.

    Examples
    --------
    >>> print(_quote('say "hi"', "C:\\temp\x1b[2J"))
    "say \"hi\"\nC:\\temp"
    """
    escaped = (terminal_safe(line).replace("\\", "\\\\").replace('"', '\\"') for line in lines)
    return '"' + "\\n".join(escaped) + '"'


def render_dot(lineage: Lineage) -> str:
    """Directed graph with one cluster per family; latent sources dashed.

    Nodes are named ``d1, d2...`` (documents, in the lineage's order) and
    ``u1, u2...`` (unseen sources, drawn inside their family's cluster); the
    headline and outlet (or id) go in the label, weak links are dashed, colours
    are the HTML report's,
    cleaned of control characters, so no two articles can share a node however
    alike their ids look once cleaned.
    """
    names = {doc.id: f"d{n}" for n, doc in enumerate(lineage.documents, start=1)}
    names.update((latent.id, f"u{n}") for n, latent in enumerate(lineage.latent, start=1))

    def name(node: str) -> str:
        return names.setdefault(node, f"x{len(names) + 1}")

    lines = ["digraph lineage {", "  rankdir=TB;", '  node [shape=box, fontname="Helvetica"];']
    placed = set()
    for n, family in enumerate(lineage.families):
        lines.append(f"  subgraph cluster_{n} {{")
        lines.append(f"    label={_quote(family.id)};")
        for member in dict.fromkeys((family.root, *family.members)):
            lines.append(f"    {_node(lineage, member, name(member))}")
            placed.add(member)
        lines.append("  }")
    for latent in lineage.latent:  # an unseen source no family lists still gets drawn
        if latent.id not in placed:
            lines.append(f"  {_node(lineage, latent.id, name(latent.id))}")
    others = lineage.other_source_edges()
    for source in dict.fromkeys(e.parent for e in others):  # a digest's other stories, in no family
        if source not in placed:
            lines.append(f"  {_node(lineage, source, name(source))}")
            placed.add(source)
    # A weak edge is dashed; an edge outside the tree (a digest's other story) dotted.
    styled = [(e, ", style=dashed" if e.confidence < WEAK_CONFIDENCE else "") for e in lineage.edges]
    styled.extend((e, ", style=dotted") for e in others)
    for e, style in styled:
        colour = COLOURS.get(e.relation, _OTHER)
        label = _quote(f"{e.relation} {e.confidence:.2f}", credited_phrase(lineage.credited(e)))
        lines.append(f"  {name(e.parent)} -> {name(e.child)} [label={label}, color=\"{colour}\", "
                     f"fontcolor=\"{colour}\"{style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _node(lineage: Lineage, node: str, name: str) -> str:
    """One node statement: headline and outlet (or "unseen source", dashed)."""
    if node.startswith("~"):
        return f"{name} [label={_quote('unseen source', node)}, style=dashed];"
    doc = lineage.document(node)
    title = terminal_safe(headline(doc), _TITLE_WIDTH)
    return f"{name} [label={_quote(title, doc.outlet or node)}];"
