"""Stage 8, render as CSV: one row per edge, for spreadsheets and pandas."""

from __future__ import annotations

import csv
import io
import re

from ..model import Lineage

__all__ = ["render_csv", "CSV_COLUMNS"]

#: Spreadsheets run a cell starting with one of these as a formula (full-width forms included).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Control characters but tab and newline (ESC starts terminal escape sequences; bidi controls
# reorder what is shown), written as visible \xNN or \uNNNN escapes.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069]")

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
            _cell(e.parent), _cell(e.child), _cell(e.relation), f"{e.confidence:.4f}",
            sum(s.words for s in e.shared), len(e.shared), _cell(family_of.get(e.child, "")),
            str(e.parent.startswith("~")).lower(),
            _cell("; ".join(f"{ev.signal}={ev.weight:+.2f}" for ev in e.evidence)),
        ])
    return buffer.getvalue()


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _cell(value: str) -> str:
    """A text cell safe to open in a spreadsheet and to print on a terminal.

    Control characters become visible ``\\xNN`` escapes and a cell that would
    start a formula gets a leading apostrophe (OWASP's CSV injection advice).
    """
    value = _CONTROL.sub(_escape, value)
    return "'" + value if value.startswith(_FORMULA_START) else value
