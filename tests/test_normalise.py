from hypothesis import given
from hypothesis import strategies as st

from provenance.stages.normalise import fold_text, fold_word, gap_signature, tokenize


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
