import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance.stages import normalise
from provenance.stages.normalise import fold_text, fold_word, gap_signature, tokenize, tokenize_corpus

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


def test_tokens_keep_original_offsets():
    text = "NATO’s chief “warned” Moscow – again."
    toks = tokenize(text)
    assert toks.words == ("nato's", "chief", "warned", "moscow", "again")
    assert [text[s:e] for s, e in zip(toks.starts, toks.ends, strict=True)] == ["NATO’s", "chief", "warned", "Moscow", "again"]


def test_line_end_hyphenation_is_undone():
    toks = tokenize("the syndi-\ncation of news")
    assert toks.words == ("the", "syndication", "of", "news")
    assert toks.starts[1] == 4 and toks.ends[1] == len("the syndi-\ncation")


def test_hyphenated_compound_is_not_joined_across_spaces():
    assert tokenize("build-up continues").words == ("build", "up", "continues")


def test_nfkc_and_case_folding():
    assert fold_word("ﬁnal") == "final"
    assert fold_word("STRASSE") == fold_word("straße")


def test_fold_text_unifies_typography():
    assert fold_text("“Read  more” – now") == fold_text('"read more" - NOW')


def test_gap_signature_ignores_whitespace_only():
    assert gap_signature(" \n ") == ""
    assert gap_signature(" – ") != gap_signature(" - ")


def test_other_scripts_tokenize():
    assert tokenize("Москва заявила").words == ("москва", "заявила")
    assert tokenize("قال الرئيس").words == ("قال", "الرئيس")
    assert len(tokenize("東京で会議").words) >= 1


@given(st.text())
def test_tokenize_never_fails_and_offsets_are_in_range(text):
    toks = tokenize(text)
    assert len(toks.words) == len(toks.starts) == len(toks.ends)
    for s, e in zip(toks.starts, toks.ends, strict=True):
        assert 0 <= s < e <= len(text)


# Alternating marks of two combining classes: NFKC reorders each run by
# insertion, quadratic in its length unless runs are bounded (issue 17).
_MARKS = "\u0301\u0316"


@pytest.mark.parametrize("run", [1, 15])
def test_ordinary_combining_marks_fold_as_plain_nfkc(run):
    text = "The a" + _MARKS * run + " end."
    expected = unicodedata.normalize("NFKC", text).casefold()
    assert fold_text(text) == expected
    assert fold_word("a" + _MARKS * run) == unicodedata.normalize("NFKC", "a" + _MARKS * run).casefold()


def test_long_runs_of_marks_are_cut_every_30_marks():
    folded = fold_text("a" + _MARKS * 40 + " b")
    runs = folded.split("\u034f")
    assert len(runs) == 3
    assert all(sum(unicodedata.combining(c) > 0 for c in run) <= 30 for run in runs)
    # Each cut piece is in canonical order, as NFKC would put it.
    assert runs[1] == unicodedata.normalize("NFKC", runs[1])


# 10 s of CPU time (SIGXCPU ends the process past it) and 3 GiB of address space:
# CPU time, not wall time, so that a busy shared machine cannot fail the test.
_BOUNDED_RUN = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
resource.setrlimit(resource.RLIMIT_CPU, (10, 10))
from provenance.cli import cli
cli(sys.argv[1:], prog_name="trace")
"""


def test_a_400kb_run_of_combining_marks_is_traced_in_bounded_time_and_memory(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "marks.txt").write_text("H\n\nThe a" + _MARKS * 100_000 + " end.\n", encoding="utf-8")
    for seed in sorted(SEEDS.glob("*.txt"))[:2]:
        (folder / seed.name).write_bytes(seed.read_bytes())
    out = tmp_path / "out.json"
    # 33 s before the runs were bounded; about 1 s after.  One process (-j 1): the CPU limit is per process.
    done = subprocess.run([sys.executable, "-c", _BOUNDED_RUN, str(folder), "-j", "1", "--format", "json",
                           "-o", str(out)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["documents"]


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_fold_text_single_spaces_as_the_regex_did(text):
    folded = unicodedata.normalize("NFKC", text).translate(str.maketrans({"`": "'"})) if text.isascii() else None
    if folded is not None:
        assert fold_text(text) == re.sub(r"\s+", " ", folded.lower()).strip()
    assert fold_text(text) == re.sub(r"\s+", " ", fold_text(text)).strip()


_PIECES = st.sampled_from(["Word", "syndi-", "-", "\n", " ", "cation", "don't", "'", "’", "`", "x\u00ad", "\x00",
                           "é", "«", "—", "Москва", "日本", "´", "\u0301", "12", "_", "ﬁ"])


@given(st.lists(st.lists(_PIECES, max_size=12).map("".join), max_size=8), st.integers(1, 40))
def test_tokenize_corpus_equals_tokenize_of_each_text(texts, batch_chars):
    expected = [tokenize(t) for t in texts]
    got = tokenize_corpus(texts, batch_chars=batch_chars)
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g.words == e.words
        assert g.starts.tolist() == e.starts.tolist() and g.ends.tolist() == e.ends.tolist()
        assert g.starts.dtype == e.starts.dtype == np.int64


def test_tokenize_corpus_keeps_words_and_hyphen_breaks_inside_each_text():
    texts = ["the syndi-", "\ncation", "it's", "'quoted'", "chained-\nhy-\nphen"]
    assert [t.words for t in tokenize_corpus(texts)] == [("the", "syndi"), ("cation",), ("it's",), ("quoted",),
                                                        ("chainedhyphen",)]


@given(st.lists(st.sampled_from(["Word", "syndi-", "-", "\n", " ", "cation", "don't", "'", "’", "`", "x\u00ad",
                                 "\u2010", "A", "«", "—"]), max_size=16).map("".join))
def test_the_array_tokenizer_agrees_with_the_regex_one(text):
    # A trailing acute accent sends the same words through the regex tokenizer.
    fast, slow = tokenize(text), tokenize(text + " ´")
    assert fast.words == slow.words
    assert fast.starts.tolist() == slow.starts.tolist() and fast.ends.tolist() == slow.ends.tolist()


@given(st.lists(st.sampled_from(["“", "”", "„", "«", "»", "’", "‘", "`", "´", "–", "—", "‐", "‑", "−", "\u00a0",
                                 "\u00ad", "a", " ", "'", '"', "-", "é", "\n"]), max_size=40).map("".join))
def test_typography_replaced_as_str_translate_would(text):
    # _replace_chars stands for str.translate (40x slower on long non-ASCII texts): same result.
    for pairs in (normalise._TYPOGRAPHY, normalise._APOSTROPHES):
        assert normalise._replace_chars(text, pairs) == text.translate(str.maketrans(dict(pairs)))


@given(st.lists(st.one_of(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
                          st.sampled_from(["\n", "Σ", "ς", "ß", "İ", "\u0301" * 35, "ﬁ", "´", "`", "\u2028", "\r\n"])),
                max_size=10).map("".join))
def test_fold_lines_folds_each_line_as_fold_text(text):
    assert normalise.fold_lines(text) == [fold_text(line) for line in text.split("\n")]
