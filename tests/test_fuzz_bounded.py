"""Fuzzing the loaders and the alignment (issue 17): random Unicode, repeated text, mixed scripts.

The alignment is checked in both of its modes: the exact LCS, and the
bounded one for long pairs (anchors on 4-grams found once in each text,
diagonal pieces elsewhere), forced here by shrinking its budget.
"""

from __future__ import annotations

import contextlib
import io
import json
import zipfile

import numpy as np
import pytest
from conftest import WIRE, spin, trim
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import provenance.stages.align as align_module
from provenance.errors import InputError
from provenance.model import Article
from provenance.pipeline import prepare_documents
from provenance.stages.align import Aligner
from provenance.stages.load import decode_bytes
from provenance.stages.load_formats import parse_records, read_docx
from provenance.stages.ocr import looks_scanned

SCRIPTS = st.sampled_from(["abcdefghij", "абвгдежзик", "αβγδεζηθικ", "的一是不了人我在有他", "ابتثجحخدذر", "éèçàùâêîôû"])
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextlib.contextmanager
def bounded(cells: int, piece: int):
    """The alignment's per-pair budget set to ``cells`` word pairs and pieces of ``piece`` words."""
    saved = align_module.ALIGN_CELLS_MAX, align_module.ALIGN_PIECE_WORDS
    align_module.ALIGN_CELLS_MAX, align_module.ALIGN_PIECE_WORDS = cells, piece
    try:
        yield
    finally:
        align_module.ALIGN_CELLS_MAX, align_module.ALIGN_PIECE_WORDS = saved


def _pair(text_a: str, text_b: str):
    return prepare_documents([Article(id="a", text=text_a), Article(id="b", text=text_b)])


def _check_alignment(al, doc_a, doc_b) -> None:
    """The invariants of an Alignment: a one-to-one, in-range matching that passages and counts agree with."""
    assert len(al.a_match) == doc_a.words and len(al.b_match) == doc_b.words
    matched_a = np.flatnonzero(al.a_match >= 0)
    assert np.all(al.b_match[al.a_match[matched_a]] == matched_a)
    assert int((al.b_match >= 0).sum()) == len(matched_a) == al.shared_words
    for p in al.passages:
        assert 0 <= p.a_start < p.a_end <= doc_a.words and 0 <= p.b_start < p.b_end <= doc_b.words
        assert p.matched <= min(p.a_end - p.a_start, p.b_end - p.b_start)
    if not (looks_scanned(doc_a) or looks_scanned(doc_b)):
        # Clean texts' matched words are equal; a scan's pairs are read off its letters, and a
        # word between two paired ones is its misreading (stages/ocr.py), so they may differ.
        words_a, words_b = doc_a.content_words, doc_b.content_words
        assert all(words_a[i] == words_b[al.a_match[i]] for i in matched_a.tolist())


@st.composite
def texts(draw) -> str:
    """Random words in mixed scripts, sometimes one sentence repeated many times."""
    alphabet = draw(SCRIPTS)
    words = draw(st.lists(st.text(alphabet=alphabet, min_size=1, max_size=6), min_size=0, max_size=60))
    if draw(st.booleans()):
        words = words[: draw(st.integers(1, 8))] * draw(st.integers(1, 80))
    noise = draw(st.text(max_size=30))  # any Unicode at all, controls and combining marks included
    return " ".join(words) + " " + noise + "."


@FUZZ
@given(texts(), texts(), st.sampled_from([(10**9, 2000), (50, 7)]))
# Found by this test on a fresh machine: text with many words in no word list reads as scanned.
@example("a a a a a a a a .", "a a aa abbb aa a a aa abbb aa a a aa abbb aa a a aa abbb aa .", (10**9, 2000))
def test_alignment_never_fails_and_keeps_its_invariants(text_a, text_b, budget):
    doc_a, doc_b = _pair(text_a, text_b)
    with bounded(*budget):
        al = Aligner().align(doc_a, doc_b)
    _check_alignment(al, doc_a, doc_b)


@FUZZ
@given(texts())
def test_a_text_aligned_with_itself_matches_every_word_in_both_modes(text):
    doc_a, doc_b = _pair(text, text)
    with bounded(50, 7):
        bounded_al = Aligner().align(doc_a, doc_b)
    exact = Aligner().align(doc_a, doc_b)
    _check_alignment(bounded_al, doc_a, doc_b)
    if doc_a.words >= Aligner().min_passage_words:  # shorter texts make no passage
        assert exact.shared_words == doc_a.words
        assert bounded_al.shared_words == doc_a.words


@pytest.mark.parametrize("copy", [WIRE, trim(WIRE, 4), spin(WIRE)], ids=["reprint", "trimmed", "spun"])
def test_the_bounded_alignment_finds_what_the_exact_one_finds(copy):
    doc_a, doc_b = _pair(WIRE, copy)
    exact = Aligner().align(doc_a, doc_b)
    with bounded(400, 25):  # forces anchors and pieces on these ~200-word texts
        approx = Aligner().align(doc_a, doc_b)
    _check_alignment(approx, doc_a, doc_b)
    assert approx.shared_words >= 0.9 * exact.shared_words
    assert approx.passages


def test_an_alignment_out_of_memory_falls_back_to_anchors(monkeypatch):
    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(align_module.Indel, "editops", no_memory)
    doc_a, doc_b = _pair(WIRE, WIRE)
    al = Aligner().align(doc_a, doc_b)
    _check_alignment(al, doc_a, doc_b)
    assert al.shared_words == doc_a.words  # every 4-gram of a copy is an anchor


@FUZZ
@given(st.text(max_size=400), st.sampled_from(["csv", "jsonl", "json"]), st.integers(1, 300))
def test_record_parsers_with_limits_never_fail(text, kind, limit):
    records, warnings = parse_records(text, kind, "f", max_text=limit)
    assert all(len(r.text.encode("utf-8", "surrogatepass")) <= limit for r in records)
    assert all(isinstance(w, str) and "\n" not in w for w in warnings)


@FUZZ
@given(st.lists(st.tuples(st.text(alphabet='ab,"\n x', max_size=12), st.text(alphabet='ab,"\n y', max_size=40)),
                max_size=12))
def test_csv_with_stray_quotes_never_fails_and_loses_no_clean_line(rows):
    lines = ["id,text"] + [f"{i},{t}" for i, t in rows] + ["last,a clean final record"]
    records, _ = parse_records("\n".join(lines) + "\n", "csv", "f.csv")
    if not any('"' in i + t or "\n" in i + t or "," in i + t for i, t in rows):
        assert len(records) == len([1 for i, t in rows if t.strip()]) + 1
    assert all(r.where.startswith("f.csv:") for r in records)


@FUZZ
@given(st.binary(max_size=600))
def test_any_bytes_decode_and_no_docx_crashes(data):
    assert isinstance(decode_bytes(data, name="x.txt"), str)
    with contextlib.suppress(InputError):
        read_docx(data, "x.docx")


def test_a_docx_with_too_many_parts_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for k in range(2001):
            package.writestr(f"p{k}.xml", b"")
    with pytest.raises(InputError, match="parts"):
        read_docx(out.getvalue(), "many.docx")


def test_record_id_and_field_limits():
    line = json.dumps({"id": "i" * 501, "text": "some text"}) + "\n" + json.dumps(
        {"id": "ok", "text": "some text", "outlet": "o" * 5000, "url": "u" * 999})
    records, warnings = parse_records(line, "jsonl", "f.jsonl")
    assert [r.id for r in records] == ["ok"]
    assert len(records[0].outlet) == 1000 and records[0].outlet.endswith("\u2026") and len(records[0].url) == 999
    assert any("f.jsonl:1: its id is 501 characters long" in w for w in warnings)
    assert any("cut the outlet of f.jsonl:2" in w for w in warnings)


def test_a_pair_that_runs_out_of_memory_is_left_unaligned(monkeypatch):
    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(align_module, "_lcs_blocks", no_memory)
    doc_a, doc_b = _pair(WIRE, WIRE)
    al = Aligner().align(doc_a, doc_b)
    _check_alignment(al, doc_a, doc_b)
    assert al.shared_words == 0 and not al.passages
