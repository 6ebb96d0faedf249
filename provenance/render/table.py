"""Stage 8, render as CSV: one row per edge, for spreadsheets and pandas."""

from __future__ import annotations

import csv
import io

from ..model import Lineage

__all__ = ["render_csv", "CSV_COLUMNS"]

CSV_COLUMNS = ("parent", "child", "relation", "confidence", "shared_words", "passages", "family",
               "parent_latent", "evidence")


def render_csv(lineage: Lineage) -> str:
    """One row per edge with the family it belongs to; evidence as ``signal=weight`` pairs."""
    family_of = {m: f.id for f in lineage.families for m in f.members}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in lineage.edges:
        writer.writerow([
            _cell(e.parent), _cell(e.child), e.relation, f"{e.confidence:.4f}",
            sum(s.words for s in e.shared), len(e.shared), family_of.get(e.child, ""),
            str(e.parent.startswith("~")).lower(),
            "; ".join(f"{ev.signal}={ev.weight:+.2f}" for ev in e.evidence),
        ])
    return buffer.getvalue()


def _cell(value: str) -> str:
    # Spreadsheets run cells starting with these as formulas.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
