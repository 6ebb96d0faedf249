"""The boilerplate stage's array and batch helpers against their plain definitions."""

import re

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from provenance.model import Article
from provenance.stages import boilerplate
from provenance.stages.normalise import fold_text
from provenance.stages.shingles import vocabulary, word_codes, word_hashes


@given(st.lists(st.sampled_from(["Word", " ", "\n", "\t", "  ", "é", "_", "—", "Σ", "12", "\u00a0", "“", "`", "ﬁ", "\r"]),
                max_size=30).map("".join))
def test_lines_are_each_folded_line_with_a_letter_or_digit(text):
    expected, pos = [], 0
    for raw in text.split("\n"):
        folded = fold_text(raw)
        if folded and any(ch.isalnum() for ch in folded):
            lead = len(raw) - len(raw.lstrip())
            expected.append((pos + lead, pos + len(raw.rstrip()), folded, len(folded.split())))
        pos += len(raw) + 1
    assert [tuple(line) for line in boilerplate._lines(text)] == expected


def test_prepared_documents_cross_processes_as_columns_unchanged(family_articles):
    import pickle

    articles = [*family_articles, Article(id="empty", text=""), Article(id="blank", text="\n \n")]
    items = [boilerplate._prepare(a.text) for a in articles]
    words, uses = vocabulary([item.tokens.words for item in items])
    packed = boilerplate._pack(items, words, word_hashes(words), uses)
    back = boilerplate._unpack(pickle.loads(pickle.dumps(packed)))
    assert len(back) == len(items)
    for got, item in zip(back, items, strict=True):
        assert got.tokens.words == item.tokens.words and got.key == item.key
        assert got.lines == item.lines and all(type(line) is boilerplate._Line for line in got.lines)
        for name in ("starts", "ends"):
            assert getattr(got.tokens, name).dtype == np.int64
            assert np.array_equal(getattr(got.tokens, name), getattr(item.tokens, name))
        for name in ("hashes", "whole"):
            assert getattr(got, name).dtype == np.uint64 and np.array_equal(getattr(got, name), getattr(item, name))
        # The word codes of the tokens, numbered in the unpacking process.
        assert np.array_equal(got.codes, word_codes(item.tokens.words))
    assert boilerplate._unpack(boilerplate._pack([], [], word_hashes([]), [])) == []


@given(st.lists(st.sampled_from(["ap", "AP", "afp", "pa media", "pa", "bbc", "cnn", "tass", "reuters", "x", "_", "3", " ",
                                 "\n", "(", ")", "-", "’", "«", "é", "Ж", "\ud800", ".", "ians", "dpa"]),
                max_size=12).map("".join))
def test_agency_prefilter_finds_what_the_name_patterns_find(text):
    low = boilerplate._folded_ascii(text)
    if low is None:  # a text with non-ASCII letters or digits: every credit pattern runs
        return
    # The plain definition: an agency name's literal opening, or a short name between word boundaries.
    bounded = re.compile("|".join(a for p in boilerplate._AGENCIES.values() for a in p.split("|") if a.startswith(r"\b")))
    expected = any(name in low for name in boilerplate._AGENCY_LITERALS) or bounded.search(low) is not None
    assert boilerplate._may_credit(low) == expected
