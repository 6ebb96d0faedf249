"""Stage 8, render as Graphviz DOT: the lineage forest for ``dot -Tsvg``."""

from __future__ import annotations

from ..model import Lineage
from .text import terminal_safe

__all__ = ["render_dot"]

_COLOURS = {"reprint": "#1b7837", "trimmed": "#5aae61", "edited": "#2166ac", "spun": "#b2182b",
            "partial": "#e08214"}


def _quote(*lines: str) -> str:
    """A DOT double-quoted string of one or more lines: quotes and backslashes escaped, no control characters."""
    escaped = (terminal_safe(line).replace("\\", "\\\\").replace('"', '\\"') for line in lines)
    return '"' + "\\n".join(escaped) + '"'


def render_dot(lineage: Lineage) -> str:
    """Directed graph with one cluster per family; latent sources dashed."""
    lines = ["digraph lineage {", "  rankdir=TB;", '  node [shape=box, fontname="Helvetica"];']
    for n, family in enumerate(lineage.families):
        lines.append(f"  subgraph cluster_{n} {{")
        lines.append(f"    label={_quote(family.id)};")
        for member in family.members:
            doc = lineage.document(member)
            label = _quote(member, doc.article.title[:50]) if doc.article.title else _quote(member)
            lines.append(f"    {_quote(member)} [label={label}];")
        lines.append("  }")
    for latent in lineage.latent:
        lines.append(f"  {_quote(latent.id)} [label={_quote('unseen source')}, style=dashed];")
    for e in lineage.edges:
        colour = _COLOURS.get(e.relation, "black")
        lines.append(f"  {_quote(e.parent)} -> {_quote(e.child)} "
                     f"[label={_quote(f'{e.relation} {e.confidence:.2f}')}, color=\"{colour}\"];")
    lines.append("}")
    return "\n".join(lines) + "\n"
