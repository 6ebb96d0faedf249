import pytest
from conftest import INDEPENDENT, WIRE, other_stories, spin, trim

from provenance.errors import ConfigError
from provenance.model import Article
from provenance.pipeline import prepare_documents
from provenance.stages.align import Aligner


def _pair(text_a, text_b):
    docs = prepare_documents([Article("a", text_a), Article("b", text_b)])
    return docs, Aligner().align(docs[0], docs[1], 0, 1)


def test_identical_texts_align_fully():
    docs, al = _pair(WIRE, WIRE)
    assert al.shared_words == docs[0].words
    assert al.a_coverage == pytest.approx(1.0) and al.b_coverage == pytest.approx(1.0)


def test_trimmed_copy_is_contained():
    _, al = _pair(WIRE, trim(WIRE, 3))
    assert al.b_coverage > 0.97
    assert al.a_coverage < 0.6


def test_spin_shows_as_substitutions():
    _, al = _pair(WIRE, spin(WIRE))
    pairs = {(s.a_word, s.b_word) for s in al.substitutions}
    assert ("said", "mentioned") in pairs
    assert al.a_coverage > 0.8


def test_swapped_paragraphs_found_in_second_round():
    paras = WIRE.strip().split("\n")
    swapped = "\n".join(paras[4:] + paras[:4])
    _, al = _pair(WIRE, swapped)
    assert al.a_coverage > 0.95


def test_unrelated_texts_share_no_passage():
    _, al = _pair(WIRE, INDEPENDENT)
    # The one quotation they share is a single short passage at most.
    assert al.shared_words <= 25
    assert len(al.passages) <= 1


def test_passage_offsets_point_into_content():
    docs, al = _pair(WIRE, "Some other opening words here.\n" + WIRE)
    (p,) = al.passages
    assert p.a_start == 0 and p.b_start == 5
    assert p.matched == docs[0].words


@pytest.mark.parametrize("kwargs", [{"min_passage_words": 0}, {"max_gap": -1}, {"min_density": 0}, {"rounds": 0}])
def test_parameters_validated(kwargs):
    with pytest.raises(ConfigError, match=next(iter(kwargs))):
        Aligner(**kwargs)


def test_passage_inside_two_long_texts_is_found_wherever_it_sits():
    # The story sits near the end of one page and near the top of the other; the LCS of the
    # whole pages prefers the common words scattered over them to the story itself.
    page_a = other_stories(1, 1500) + "\n\n" + WIRE + "\n\n" + other_stories(2, 300)
    page_b = other_stories(3, 200) + "\n\n" + WIRE + "\n\n" + other_stories(4, 1600)
    _, al = _pair(page_a, page_b)
    story = max(al.passages, key=lambda p: p.matched)
    assert story.matched >= 0.9 * len(WIRE.split())
    assert story.a_start > 1400 and story.b_start < 300
