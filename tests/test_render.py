"""Renderers against hostile article text: terminal escapes, control characters, markup, DOT and CSV tricks.

Article ids, titles and texts are untrusted.  The text report must not let an
article drive the user's terminal, DOT must stay valid, CSV cells must not run
as spreadsheet formulas, the HTML report must not run article markup, and the
JSON contract must keep ids exactly.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from conftest import FURNITURE_HEAD, FURNITURE_TAIL, INDEPENDENT, WIRE, other_stories, spin, trim
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.cli import cli
from provenance.model import Article, Lineage
from provenance.pipeline import trace_articles
from provenance.render import render_csv, render_dot, render_json, render_text, terminal_safe
from provenance.render.dot import _quote
from provenance.render.table import CSV_COLUMNS, _cell

#: Characters no rendered text may carry: C0 (but tab and newline), DEL, C1, bidi and zero-width controls.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")

HOSTILE = {
    "clear": "\x1b[2J\x1b]0;pwned\x07wire<script>alert(1)</script>.txt",
    "formula": "=cmd|' /C calc'!A0",
    "plus": "+SUM(A1:A9)",
    "at": "@HYPERLINK(\"http://x\")",
    "dot": 'q"uo\\te\\ \\N\\G"',
    "controls": "nul\x00ctl\x07\x9b31m\u202eevil\r\nnext",
    "twin1": "twin\x07.txt",
    "twin2": "twin .txt",
}
TITLE = "Title\x1b[31m red\x1b]8;;http://evil\x07link\x1b]8;;\x07 <script>alert('t')</script> \"q\" \\ \nsecond line"


def _articles() -> list[Article]:
    texts = {
        "clear": WIRE,
        "formula": spin(WIRE),
        "plus": trim(WIRE, 4),
        "at": FURNITURE_HEAD + WIRE + FURNITURE_TAIL,
        "dot": trim(WIRE, 5),
        "controls": WIRE.replace("Tuesday", "Monday"),
        "twin1": INDEPENDENT,
        "twin2": INDEPENDENT.replace("Wednesday", "Thursday"),
    }
    return [Article(id=HOSTILE[key], text=text, title=f"{TITLE} {key}") for key, text in texts.items()]


@pytest.fixture(scope="module")
def lineage():
    result = trace_articles(_articles())
    linked = {e.child for e in result.edges} | {e.parent for e in result.edges}
    assert set(HOSTILE.values()) <= linked  # every hostile id reaches the edge renderers
    return result


@pytest.fixture(scope="module")
def hostile_jsonl(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "feed.jsonl"
    path.write_text("".join(json.dumps({"id": a.id, "title": a.title, "text": a.text}) + "\n" for a in _articles()),
                    encoding="utf-8")
    return path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


# --------------------------------------------------------------------------- text


def test_text_report_cannot_drive_the_terminal(lineage):
    report = render_text(lineage)
    assert not UNSAFE.search(report)
    assert "\x1b" not in report
    assert "\nsecond line" not in report and "\nnext" not in report  # no line injected by a title or id
    assert "wire<script>alert(1)</script>.txt" in report  # shown as text, escapes removed
    assert "Title red" in report


@settings(max_examples=300, deadline=None)
@given(st.text(), st.one_of(st.none(), st.integers(min_value=1, max_value=80)))
def test_terminal_safe_leaves_no_control_characters(text, width):
    clean = terminal_safe(text, width)
    assert not UNSAFE.search(clean)
    assert "\n" not in clean and "\t" not in clean
    assert clean == clean.strip()
    assert width is None or len(clean) <= width
    assert terminal_safe(clean, width) == clean


@pytest.mark.parametrize("sequence", [
    "\x1b[2J", "\x1b[31;1m", "\x1b]0;title\x07", "\x1b]8;;http://x\x1b\\", "\x1bc", "\x1b[?1049h", "\x9b2J",
    "\x1bP1$r\x1b\\", "\x07", "\x00", "\x08\x08\x08",
])
def test_terminal_safe_removes_escape_sequences(sequence):
    clean = terminal_safe(f"before{sequence}after")
    assert "\x1b" not in clean and not UNSAFE.search(clean)
    assert clean.startswith("before") and clean.endswith("after")


def test_text_through_the_cli(runner, hostile_jsonl):
    result = runner.invoke(cli, [str(hostile_jsonl)])
    assert result.exit_code == 0, result.output
    assert not UNSAFE.search(result.stdout) and not UNSAFE.search(result.stderr)


def test_warnings_cannot_drive_the_terminal(runner, tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "story.txt").write_text(WIRE, encoding="utf-8")
    (folder / "\x1b[2J\x1b]0;pwned\x07.txt").write_bytes(b"")
    (folder / "feed.jsonl").write_text('{"id": "\\u001b[2J", "text": 5}\n', encoding="utf-8")
    result = runner.invoke(cli, [str(folder)])
    assert result.exit_code == 0
    assert len(result.stderr.splitlines()) == 3
    assert not UNSAFE.search(result.stderr)
    assert "\\x1b[2J" in result.stderr  # shown, not obeyed


# --------------------------------------------------------------------------- DOT

_DOT_TOKEN = re.compile(r'(\s+)|("(?:[^"\\]|\\.)*")|([A-Za-z_][A-Za-z0-9_]*|-?\d+(?:\.\d+)?)|(->|[{}\[\];,=])|(.)',
                        re.S)


def _dot_tokens(text: str) -> list[str]:
    tokens = []
    for match in _DOT_TOKEN.finditer(text):
        space, quoted, word, punct, other = match.groups()
        assert other is None, f"not DOT at {match.start()}: {text[match.start():match.start() + 40]!r}"
        if not space:
            tokens.append(quoted or word or punct)
    return tokens


class _DotParser:
    """Just enough of the DOT grammar (graphviz.org/doc/info/lang.html) for what render_dot writes."""

    def __init__(self, text: str) -> None:
        self.tokens, self.at = _dot_tokens(text), 0
        self.nodes: dict[str, dict[str, str]] = {}
        self.edges: list[tuple[str, str, dict[str, str]]] = []

    def take(self, expected: str | None = None) -> str:
        token = self.tokens[self.at]
        assert expected is None or token == expected, f"expected {expected!r}, got {token!r}"
        self.at += 1
        return token

    def peek(self) -> str:
        return self.tokens[self.at]

    def ident(self) -> str:
        token = self.take()
        assert token.startswith('"') or re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*|-?\d+(?:\.\d+)?", token), token
        return token

    def attrs(self) -> dict[str, str]:
        found = {}
        if self.peek() != "[":
            return found
        self.take("[")
        while self.peek() != "]":
            key = self.ident()
            self.take("=")
            found[key] = self.ident()
            if self.peek() in (",", ";"):
                self.take()
        self.take("]")
        return found

    def statements(self) -> None:
        while self.peek() != "}":
            if self.peek() == "subgraph":
                self.take()
                self.ident()
                self.take("{")
                self.statements()
                self.take("}")
                continue
            first = self.ident()
            if self.peek() == "=":
                self.take()
                self.ident()
            elif first in ("node", "edge", "graph"):
                self.attrs()
            elif self.peek() == "->":
                self.take()
                self.edges.append((first, self.ident(), self.attrs()))
            else:
                assert first not in self.nodes, f"node {first} declared twice"
                self.nodes[first] = self.attrs()
            self.take(";")

    def parse(self) -> _DotParser:
        self.take("digraph")
        self.ident()
        self.take("{")
        self.statements()
        self.take("}")
        assert self.at == len(self.tokens)
        return self


def _label(quoted: str) -> str:
    """What Graphviz shows for a quoted label: \\" is a quote, \\\\ a backslash, \\n a line break."""
    body = quoted[1:-1]
    return re.sub(r'\\(.)', lambda m: {"n": "\n", '"': '"', "\\": "\\"}.get(m.group(1), m.group(0)), body)


def test_dot_is_valid_and_keeps_every_article_apart(lineage):
    dot = render_dot(lineage)
    assert not UNSAFE.search(dot)
    graph = _DotParser(dot).parse()
    labels = {name: _label(attrs["label"]) for name, attrs in graph.nodes.items()}
    shown = {label.split("\n")[-1] for label in labels.values()}  # headline, then outlet or id
    for doc_id in HOSTILE.values():
        assert terminal_safe(doc_id) in shown
    # "twin\x07.txt" and "twin .txt" look alike once cleaned, yet stay two nodes
    assert sum(label.split("\n")[-1] == "twin .txt" for label in labels.values()) == 2
    assert len(graph.edges) == len(lineage.edges)
    assert all(parent in graph.nodes and child in graph.nodes for parent, child, _ in graph.edges)


def test_a_digest_shows_its_other_stories_in_every_format():
    # A digest of three earlier stories hangs from one; the other two are its other sources in the
    # JSON, a dotted edge in DOT and an "also from" line under it in the text, and no report
    # lists them as linked to nothing.
    from syndicated import digest_day

    lineage = trace_articles(digest_day(31))
    digest = lineage.parent_of("digest.txt")
    others = {o.parent for o in digest.also_from}
    assert len(others) == 2 and digest.parent not in others
    edges = json.loads(render_json(lineage))["edges"]
    listed = [o for e in edges if e["child"] == "digest.txt" for o in e["also_from"]]
    assert {o["parent"] for o in listed} == others and all(o["words"] > 0 for o in listed)
    assert all(e["also_from"] == [] for e in edges if e["child"] != "digest.txt")
    graph = _DotParser(render_dot(lineage)).parse()
    dotted = [(p, c) for p, c, attrs in graph.edges if attrs.get("style") == "dotted"]
    assert len(dotted) == 2 and len(graph.edges) == len(lineage.edges) + 2
    assert all(parent in graph.nodes and child in graph.nodes for parent, child, _ in graph.edges)
    text = render_text(lineage)
    assert "Linked to nothing" not in text
    lines = [line for line in text.splitlines() if "also from" in line]
    assert len(lines) == 2 and all(any(o in line for o in others) for line in lines)
    assert {(e.parent, e.child) for e in lineage.other_source_edges()} == {(o, "digest.txt") for o in others}
    for what, key in (("edges", "child"), ("documents", "id")):
        rows = list(csv.DictReader(io.StringIO(render_csv(lineage, what=what))))
        cells = {row[key]: row["also_from"] for row in rows}
        assert set(cells["digest.txt"].split("; ")) == others
        assert all(cell == "" for doc, cell in cells.items() if doc != "digest.txt")


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz is optional")
def test_graphviz_reads_the_dot_output(lineage):
    done = subprocess.run(["dot", "-Tsvg"], input=render_dot(lineage).encode("utf-8"), capture_output=True,
                          timeout=30, check=False)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert b"<script" not in done.stdout


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=3))
def test_dot_quote_is_one_string_token(lines):
    quoted = _quote(*lines)
    assert _dot_tokens(quoted) == [quoted] and quoted.startswith('"')
    assert _label(quoted) == "\n".join(terminal_safe(line) for line in lines)


# --------------------------------------------------------------------------- CSV


def test_csv_cells_are_not_formulas(lineage):
    rows = list(csv.reader(io.StringIO(render_csv(lineage))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == len(lineage.edges) + 1
    for row in rows[1:]:
        assert len(row) == len(CSV_COLUMNS)
        for cell in row:
            assert not cell.startswith(FORMULA_START), cell
            assert not UNSAFE.search(cell)
    cells = {cell for row in rows[1:] for cell in (row[1], row[6])}  # parent, child
    assert "'=cmd|' /C calc'!A0" in cells and "'+SUM(A1:A9)" in cells and "'@HYPERLINK(\"http://x\")" in cells
    assert 'q"uo\\te\\ \\N\\G"' in cells  # quotes survive csv quoting
    assert "nul\\x00ctl\\x07\\x9b31m\\u202eevil\\x0d\nnext" in cells  # visible escapes


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_csv_cell_is_never_a_formula_and_survives_a_round_trip(value):
    cell = _cell(value)
    assert not cell.startswith(FORMULA_START)
    assert not UNSAFE.search(cell)
    buffer = io.StringIO()
    csv.writer(buffer).writerow([cell, "x"])
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == [cell, "x"]


# --------------------------------------------------------------------------- JSON and HTML, end to end


def test_json_keeps_ids_exactly(runner, hostile_jsonl):
    result = runner.invoke(cli, [str(hostile_jsonl), "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {d["id"] for d in data["documents"]} == set(HOSTILE.values())
    assert "\x1b" not in result.stdout  # JSON escapes C0 controls


def test_json_renderer_matches_the_contract(lineage):
    assert json.loads(render_json(lineage)) == json.loads(json.dumps(lineage.to_json()))


@pytest.fixture(scope="module")
def html_report(hostile_jsonl, tmp_path_factory):
    out = tmp_path_factory.mktemp("html") / "report.html"
    result = CliRunner().invoke(cli, [str(hostile_jsonl), "-f", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def test_html_report_escapes_article_markup(html_report, tmp_path):
    assert "<script>alert" not in html_report
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_report
    # the report's own scripts only: as many <script> tags as for a harmless corpus
    harmless = tmp_path / "harmless.jsonl"
    harmless.write_text("".join(json.dumps({"id": f"doc{n}", "title": "Title", "text": a.text}) + "\n"
                                for n, a in enumerate(_articles())), encoding="utf-8")
    out = tmp_path / "harmless.html"
    assert CliRunner().invoke(cli, [str(harmless), "-f", "html", "-o", str(out)]).exit_code == 0
    assert html_report.count("<script") == out.read_text(encoding="utf-8").count("<script")


def test_html_report_has_no_control_characters(html_report):
    # Control characters other than white space are parse errors in HTML, and inline SVG (XML) rejects them.
    found = sorted({repr(m.group()) for m in re.finditer("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]", html_report)})
    assert not found, f"control characters in the HTML report: {', '.join(found)}"


# --------------------------------------------------------------------------- DOT agrees with the HTML report


def test_dot_colours_are_the_html_legend_colours():
    from pathlib import Path

    from provenance.render.dot import COLOURS

    css = (Path(__file__).resolve().parent.parent / "provenance/render/templates/report.css").read_text()
    legend = dict(re.findall(r"--(reprint|trimmed|edited|spun|partial):\s*(#[0-9a-f]{6})", css))
    assert legend == COLOURS


def test_dot_draws_unseen_sources_in_their_cluster_with_headlines_and_weak_links_dashed():
    from conftest_browser import sample_lineage

    lineage = sample_lineage()
    dot = render_dot(lineage)
    storm = dot[dot.index("subgraph cluster_0"):dot.index("}", dot.index("subgraph cluster_0"))]
    assert "unseen source" in storm and "Storm Edda cuts power to 11,000 homes" in storm
    assert '"Signal fault cancels 200 northern trains\\nNorthern Press Agency"' in dot
    def dashed_links(text: str) -> int:
        return sum("->" in line and "style=dashed" in line for line in text.splitlines())

    assert dashed_links(dot) == 0  # no link of the sample is below 0.6
    lowered = Lineage(lineage.documents, [dataclasses.replace(e, confidence=0.3) for e in lineage.edges],
                      lineage.latent, lineage.families)
    assert dashed_links(render_dot(lowered)) == len(lineage.edges)
    assert "credited" in dot and "uncredited" in dot


def test_a_partial_edge_names_the_passage_its_pages_share():
    # Two pages titled by their masthead reprint one story among others: the tree says which.
    hostile_wire = WIRE.replace("Harbour authorities", "Harbour\x1b[2J authorities", 1)
    pages = [Article(f"page-{n}.txt", "THE WEEKLY GAZETTE\n\n" + other_stories(n, 900, common=0.5)
                     + "\n\n" + hostile_wire + "\n\n" + other_stories(n + 10, 400, common=0.5),
                     published=f"2024-03-0{n}T10:00:00Z") for n in (1, 2)]
    report = render_text(trace_articles(pages))
    line = next(line for line in report.splitlines() if "partial" in line and "page-2.txt" in line)
    assert "shares “Harbour authorities in Port Elsby" in line
    assert not UNSAFE.search(report)


def test_text_report_counts_words_shared_with_an_unseen_source_and_keeps_evidence_whole():
    from conftest import SEEDS

    import provenance
    from provenance.render.words import evidence_sentence, main_evidence

    traced = provenance.trace(SEEDS)
    (lat,) = traced.latent
    shared = {e.child: traced.shared_words(e) for e in traced.edges if e.parent == lat.id}
    spun, reprint = shared["002_e3353238399ad4ec.txt"], shared["001_0aaa2a31d96aaafb.txt"]
    # A copy shares the reconstruction's words less its own changes: the spinner's dozens cost it more.
    assert 0 < spun < reprint <= len(re.findall(r"\w+", lat.text))
    rows = {row["child"]: row for row in traced.rows("edges")}
    assert rows["001_0aaa2a31d96aaafb.txt"]["shared_words"] == reprint
    report = " ".join(render_text(traced).split())
    for edge in traced.edges:
        assert " ".join(evidence_sentence(main_evidence(edge)).split()) in report


def test_json_text_is_what_pythons_encoder_writes(lineage):
    from provenance.model import json_text

    data = lineage.to_json()
    assert json_text(data) == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    # What orjson cannot write goes to Python's encoder rather than failing.
    odd = {"big": 10**20, "text": "lone \ud800 surrogate", "nested": {"b": [], "a": {}}}
    assert json_text(odd) == json.dumps(odd, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_text_report_says_how_many_copies_credit_their_source_is_not_known():
    from conftest import SEEDS

    import provenance

    traced = provenance.trace(SEEDS)
    unknown = sum(traced.credited(e) == "unknown" for e in traced.edges)
    assert unknown == len(traced.edges) > 0  # an unseen source has no known outlet
    assert (f"uncredited copies: 0 of {unknown} ({unknown} not known: no outlet or agency is known for their source)"
            in render_text(traced))
