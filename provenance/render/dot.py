"""Stage 8, render as Graphviz DOT: the lineage forest for ``dot -Tsvg``."""

from __future__ import annotations

from ..model import Lineage
from .text import terminal_safe

__all__ = ["render_dot"]

_COLOURS = {"reprint": "#1b7837", "trimmed": "#5aae61", "edited": "#2166ac", "spun": "#b2182b",
            "partial": "#e08214"}
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
    ``u1, u2...`` (unseen sources); the article id and title go in the label,
    cleaned of control characters, so no two articles can share a node however
    alike their ids look once cleaned.
    """
    names = {doc.id: f"d{n}" for n, doc in enumerate(lineage.documents, start=1)}
    names.update((latent.id, f"u{n}") for n, latent in enumerate(lineage.latent, start=1))

    def name(node: str) -> str:
        return names.setdefault(node, f"x{len(names) + 1}")

    lines = ["digraph lineage {", "  rankdir=TB;", '  node [shape=box, fontname="Helvetica"];']
    for n, family in enumerate(lineage.families):
        lines.append(f"  subgraph cluster_{n} {{")
        lines.append(f"    label={_quote(family.id)};")
        for member in family.members:
            doc = lineage.document(member)
            title = terminal_safe(doc.article.title, _TITLE_WIDTH)
            label = _quote(member, title) if title else _quote(member)
            lines.append(f"    {name(member)} [label={label}];")
        lines.append("  }")
    for latent in lineage.latent:
        lines.append(f"  {name(latent.id)} [label={_quote('unseen source')}, style=dashed];")
    for e in lineage.edges:
        colour = _COLOURS.get(e.relation, "black")
        lines.append(f"  {name(e.parent)} -> {name(e.child)} "
                     f"[label={_quote(f'{e.relation} {e.confidence:.2f}')}, color=\"{colour}\"];")
    lines.append("}")
    return "\n".join(lines) + "\n"
