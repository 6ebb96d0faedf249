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
