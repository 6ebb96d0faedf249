"""Stage 8, render as CSV: one row per edge, per document or per signal, for spreadsheets.

The rows are :meth:`provenance.model.Lineage.rows`, the same that
:meth:`~provenance.model.Lineage.to_pandas` turns into data frames, so the CSV
and the notebook always agree.
"""

from __future__ import annotations

import csv
import io
import re

from ..model import TABLE_COLUMNS, Lineage

__all__ = ["render_csv", "CSV_COLUMNS", "TABLES"]

#: Spreadsheets run a cell starting with one of these as a formula (full-width forms included).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Control characters but tab and newline (ESC starts terminal escape sequences; bidi controls
# reorder what is shown), written as visible \xNN or \uNNNN escapes.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069]")

#: Columns of the default (edges) table.
CSV_COLUMNS = TABLE_COLUMNS["edges"]
#: What ``--what`` can ask for.
TABLES = tuple(TABLE_COLUMNS)


def render_csv(lineage: Lineage, what: str = "edges") -> str:
    """One CSV table of the lineage.

    Parameters
    ----------
    lineage : Lineage
        The trace result.
    what : {"edges", "documents", "evidence"}, default="edges"
        One row per edge (parent and child title, outlet, date, relation,
        confidence, ``credited``), per document, or per signal of an edge.

    Returns
    -------
    str
        CSV text with a header row; cells never start a spreadsheet formula.
    """
    rows = lineage.rows(what)  # checks ``what``
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(TABLE_COLUMNS[what])
    for row in rows:
        writer.writerow([_value(v) for v in row.values()])
    return buffer.getvalue()


def _value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return _cell(value) if isinstance(value, str) else value


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
