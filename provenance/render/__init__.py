"""Stage 8, render: Lineage -> text, JSON, CSV, DOT or HTML."""

from __future__ import annotations

from ..model import Lineage
from .dot import render_dot
from .table import TABLES, render_csv
from .text import render_text, terminal_safe

__all__ = ["render", "render_text", "render_json", "render_csv", "render_dot", "render_html",
           "terminal_safe", "FORMATS", "TABLES"]

FORMATS = ("text", "json", "csv", "dot", "html")


def render_json(lineage: Lineage) -> str:
    """The versioned JSON contract (docs/json.md), deterministic byte for byte."""
    return lineage.to_json_str()


def render_html(lineage: Lineage) -> str:
    """Self-contained HTML report for editors (see provenance.render.html)."""
    from .html import render_html as _render_html  # jinja2 loads only when asked for

    return _render_html(lineage)


def render(lineage: Lineage, fmt: str = "text", *, what: str = "edges") -> str:
    """Render ``lineage`` in one of :data:`FORMATS`.

    Parameters
    ----------
    lineage : Lineage
        The trace result.
    fmt : {"text", "json", "csv", "dot", "html"}, default="text"
        Output format.
    what : {"edges", "documents", "evidence"}, default="edges"
        For ``csv`` only: which table.

    Raises
    ------
    ValueError
        When ``fmt`` or ``what`` is not one of the choices.
    """
    renderers = {"text": render_text, "json": render_json, "csv": lambda lin: render_csv(lin, what),
                 "dot": render_dot, "html": render_html}
    if fmt not in renderers:
        raise ValueError(f"The 'fmt' parameter of render must be one of {', '.join(FORMATS)}. Got {fmt!r} instead.")
    return renderers[fmt](lineage)
