"""Collation of three witnesses: readings where two copies agree against a third, and shared cuts."""

from conftest import WIRE, spin, trim

from provenance.model import Article
from provenance.pipeline import prepare_documents
from provenance.stages.align import Aligner
from provenance.stages.collation import Collation


def _collation(*texts):
    docs = prepare_documents([Article(f"d{i}", text) for i, text in enumerate(texts)])
    aligner = Aligner()
    alignments = {(i, j): aligner.align(docs[i], docs[j], i, j)
                  for i in range(len(docs)) for j in range(i + 1, len(docs))}
    return Collation(docs, alignments)


def test_two_copies_cut_at_the_same_paragraph_share_one_cut():
    collation = _collation(WIRE, trim(WIRE, 4), trim(WIRE, 4))
    assert collation.shared_cuts(0, 1, 2) == 1.0
    # A shared cut is not a reading of the uncut text: it stays out of unique().
    assert collation.unique(0, 1, 2).total == 0.0


def test_copies_cut_at_different_places_share_no_cut():
    collation = _collation(WIRE, trim(WIRE, 3), trim(WIRE, 5))
    assert collation.shared_cuts(0, 1, 2) == 0.0


def test_spun_words_are_the_spinners_own_readings():
    collation = _collation(WIRE, WIRE, spin(WIRE))
    assert collation.unique(2, 0, 1).wording >= 5
    assert collation.unique(0, 1, 2).total == 0.0


def test_copies_agreeing_on_function_words_alone_made_no_change_of_the_source():
    # "an urgent inspection" became "a full inspection" in one copy and "a inspection" in the
    # other: the agreement on "a" is the grammar of each change, no change of the source's own.
    source = WIRE.replace("engineers had checked", "engineers had made an urgent inspection of")
    one = source.replace("an urgent inspection", "a full inspection")
    other = source.replace("an urgent inspection", "a inspection")
    assert _collation(source, one, other).own_readings(0, [1, 2])[0] == 0
    # Two copies that put one word in its place did change it alike.
    alike = source.replace("an urgent inspection", "a rapid inspection")
    assert _collation(source, alike, alike).own_readings(0, [1, 2])[0] == 1


def test_marks_where_copies_join_other_words_are_no_house_style():
    # Both copies cut "and the regional government" down to a new sentence ("... for the
    # industry. The regional government ..."): the full stop and capital at the junction are
    # the cut's, not a habit the source lacks.
    source = WIRE.replace("for the industry.\nThe regional", "for the industry, and the regional")
    assert "industry, and the regional" in source
    collation = _collation(source, WIRE, WIRE)
    assert collation.unique(0, 1, 2).style == 0.0


def test_marks_before_a_story_printed_after_another_are_no_house_style():
    # A page that opens with the story, and two pages that print it after another story: the
    # copies' full stop before its first word ends the story before it, not a habit the
    # source lacks (the source's first word has no word before it to be joined to).
    before = "A ferry was delayed by fog on the river crossing on Monday morning, the operator said.\n\n"
    collation = _collation(WIRE, "Markets fell sharply in early trading.\n\n" + WIRE, before + WIRE)
    assert collation.unique(0, 1, 2).style == 0.0
