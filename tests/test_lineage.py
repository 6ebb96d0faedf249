"""The tree stage: direction from evidence, and latent sources from the textual critic's rule."""

from conftest import FURNITURE_HEAD, FURNITURE_TAIL, INDEPENDENT, WIRE, spin, trim

from provenance.model import Article
from provenance.pipeline import trace_articles


def _parents(lineage):
    return {e.child: e.parent for e in lineage.edges}


def test_wire_present_is_parent_of_its_copies(family_articles):
    lineage = trace_articles(family_articles)
    parents = _parents(lineage)
    assert parents["spun.txt"] == "wire.txt"
    assert parents["trimmed.txt"] == "wire.txt"
    assert "wire.txt" not in parents
    assert "independent.txt" not in parents and "independent.txt" not in parents.values()
    relations = {e.child: e.relation for e in lineage.edges}
    assert relations["spun.txt"] == "spun"
    assert relations["trimmed.txt"] == "trimmed"


def _sibling_copies():
    # Each copy carries changes of wording of its own that the others lack.  (A change of
    # typography alone is weak evidence: outlets convert quotes and dashes independently.)
    # All three are outlet pages: a bare text is itself evidence of wire copy.
    a = WIRE.replace("“", '"').replace("”", '"').replace(
        "two tugboats reached it within an hour", "two tugs got there inside an hour").replace(
        "Local fishing crews", "Fishermen")
    b = spin(WIRE)
    c = WIRE.replace("closed the northern shipping lane", "shut the northern lane").replace(
        "which could take several days", "which might take days")
    return [Article(name, FURNITURE_HEAD + text + FURNITURE_TAIL) for name, text in
            (("a.txt", a), ("b.txt", b), ("c.txt", c))]


def test_siblings_with_own_changes_get_a_latent_source():
    lineage = trace_articles(_sibling_copies())
    assert len(lineage.latent) == 1
    assert set(lineage.latent[0].children) == {"a.txt", "b.txt", "c.txt"}
    assert all(e.parent == lineage.latent[0].id for e in lineage.edges)
    assert lineage.families[0].root == lineage.latent[0].id


def test_bare_wire_is_the_root_even_of_a_weakly_linked_copy():
    # Each copy alone is only weakly linked to the wire (two paragraphs inside other reporting;
    # a trimmed and spun copy); the bare wire with no changes of its own is still the
    # original, not one more copy of an unseen source beside it.
    partial = INDEPENDENT + "\n".join(WIRE.strip().split("\n")[2:4]) + "\n"
    for copy in (partial, spin(trim(WIRE, 4))):
        lineage = trace_articles([Article("wire.txt", WIRE),
                                  Article("copy.txt", FURNITURE_HEAD + copy + FURNITURE_TAIL)])
        assert lineage.latent == []
        assert lineage.families[0].root == "wire.txt"
        assert _parents(lineage) == {"copy.txt": "wire.txt"}


def test_chain_is_not_collapsed_into_a_star():
    # wire -> aggregator (trims, straight quotes) -> spinner (spins the aggregator's text).
    aggregator = trim(WIRE, 5).replace("“", '"').replace("”", '"')
    spinner = spin(aggregator)
    lineage = trace_articles([Article("wire", WIRE), Article("agg", aggregator), Article("spinner", spinner)])
    parents = _parents(lineage)
    # The spinner carries the aggregator's cut and straight quotes: it copied the aggregator.
    assert parents["spinner"] == "agg"
    # Nothing here can make the full wire text a copy of its own trimmed copies.
    assert parents.get("wire") not in ("agg", "spinner")
    assert parents.get("agg") != "spinner"


def test_confidence_in_range_and_json_contract(family_articles):
    data = trace_articles(family_articles).to_json()
    assert data["version"] == 2
    assert {d["id"] for d in data["documents"]} == {a.id for a in family_articles}
    for edge in data["edges"]:
        assert 0.0 <= edge["confidence"] <= 1.0
        assert edge["relation"] in ("reprint", "trimmed", "edited", "spun", "partial")
        assert {"signal", "weight", "detail"} <= set(edge["evidence"][0])
    for family in data["families"]:
        assert family["root"] and family["members"]


def test_result_does_not_depend_on_names_or_order(family_articles):
    first = trace_articles(family_articles)
    renamed = [Article(id=f"x{9 - i}-{a.id}", text=a.text) for i, a in enumerate(reversed(family_articles))]
    second = trace_articles(renamed)
    strip = {f"x{9 - i}-{a.id}": a.id for i, a in enumerate(reversed(family_articles))}
    assert _parents(first) == {strip[c]: strip[p] for c, p in _parents(second).items()}


def test_unrelated_documents_make_no_family():
    lineage = trace_articles([Article("w", WIRE), Article("i", INDEPENDENT)])
    assert lineage.edges == [] and lineage.families == []


def test_a_link_between_two_identical_texts_is_no_likelier_than_its_reverse():
    # Two identical reprints with nothing to date them: either could be the other's source, so the
    # link the tree draws between them is a coin toss, whatever else the family holds.
    from provenance.stages.edge_model import EdgeModel

    edited = WIRE.replace("bad weather", "poor conditions").replace("campaigners", "activists")
    other = WIRE.replace("Local fishing crews", "Fishermen").replace("the open sea", "open water")
    lineage = trace_articles([Article("x.txt", WIRE), Article("y.txt", WIRE), Article("b.txt", edited),
                              Article("c.txt", other)])
    (twin,) = [e for e in lineage.edges if {e.parent, e.child} == {"x.txt", "y.txt"}]
    assert twin.confidence <= EdgeModel.load().calibrate(0.5)
