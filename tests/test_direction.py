import pytest
from conftest import FURNITURE_HEAD, FURNITURE_TAIL, INDEPENDENT, WIRE, spin, trim

from provenance.align import Aligner
from provenance.direction import assess_pair, classify_relation
from provenance.model import Article
from provenance.pipeline import prepare_documents


def _assess(source, copy):
    docs = prepare_documents([Article("source", source), Article("copy", copy)])
    return assess_pair(docs[0], docs[1], Aligner().align(docs[0], docs[1], 0, 1))


def test_spun_copy_points_back_to_source():
    ev = _assess(WIRE, spin(WIRE))
    assert ev.linked and ev.forward > 1.0
    assert any(e.signal == "spin" and "said→mentioned" in e.detail for e in ev.evidence)


def test_trimmed_copy_points_back_to_source():
    ev = _assess(WIRE, trim(WIRE, 3))
    assert ev.linked and ev.forward > 1.0


def test_direction_is_antisymmetric():
    # Equal up to the rounding of a sum taken in another order.
    assert _assess(WIRE, spin(WIRE)).forward == pytest.approx(-_assess(spin(WIRE), WIRE).forward, rel=1e-12)


def test_furnished_reprint_points_back_to_bare_wire():
    ev = _assess(WIRE, FURNITURE_HEAD + WIRE + FURNITURE_TAIL)
    assert ev.linked and ev.forward > 0


def test_dates_count():
    docs = prepare_documents([
        Article("early", WIRE, published="2024-03-01T10:00:00Z"),
        Article("late", WIRE, published="2024-03-01T12:30:00Z"),
    ])
    ev = assess_pair(docs[0], docs[1], Aligner().align(docs[0], docs[1], 0, 1))
    assert ev.forward > 2 and any(e.signal == "date" for e in ev.evidence)


def test_shared_quotation_alone_is_no_link():
    assert not _assess(WIRE, INDEPENDENT).linked


def test_relations():
    assert classify_relation(0.99, 0.99, 0.0, 0, 0, 300) == "reprint"
    assert classify_relation(0.5, 0.98, 0.5, 0, 0, 150) == "trimmed"
    assert classify_relation(0.9, 0.9, 0.0, 40, 60, 250) == "spun"
    assert classify_relation(0.4, 0.3, 0.2, 0, 2, 100) == "partial"
    assert classify_relation(0.9, 0.88, 0.0, 0, 12, 250) == "edited"
