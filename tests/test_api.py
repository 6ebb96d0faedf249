"""The Python API a notebook meets: names, repr, lookups, data frames, graphs, subsets.

The CSV export and ``to_pandas`` are built from the same rows, so they must agree
cell for cell; that is tested on a real trace of the seeds.
"""

from __future__ import annotations

import io
import json
import sys

import numpy as np
import pytest
from conftest_browser import sample_lineage

import provenance
from provenance.model import TABLE_COLUMNS, Article, Document, Edge, Evidence, Latent, Lineage
from provenance.render import render_csv


@pytest.fixture(scope="module")
def seeds_lineage():
    from conftest import SEEDS

    return provenance.trace(SEEDS)


def test_public_names():
    for name in ("trace", "trace_articles", "check", "render_html", "load_articles", "Lineage", "Article"):
        assert name in provenance.__all__
    for name in provenance.__all__:
        assert getattr(provenance, name) is not None


def test_repr_is_short(seeds_lineage):
    text = repr(seeds_lineage)
    assert text == "<Lineage: 5 documents, 3 edges, 1 families, 1 unseen sources>"
    assert len(repr(seeds_lineage.documents[0])) < 300  # no text, no token arrays


def test_document_lookup_covers_unseen_sources(seeds_lineage):
    latent = seeds_lineage.latent[0]
    assert seeds_lineage.document(latent.id) is latent and isinstance(latent, Latent)
    doc = seeds_lineage.document("001_0aaa2a31d96aaafb.txt")
    assert isinstance(doc, Document) and doc.title == "NATO urges more Russia talks to defuse Ukraine crisis" and doc.outlet is None
    with pytest.raises(KeyError):
        seeds_lineage.document("no-such-id")


def test_numpy_scalars_become_floats():
    edge = Edge("a", "b", np.float64(0.75), "reprint", (Evidence("tail", np.float32(1.5), "cut"),))
    assert type(edge.confidence) is float and type(edge.evidence[0].weight) is float
    json.dumps([edge.confidence, edge.evidence[0].weight])


def test_to_pandas_edges_agree_with_the_csv(seeds_lineage):
    pandas = pytest.importorskip("pandas")
    for what in TABLE_COLUMNS:
        frame = seeds_lineage.to_pandas(what)
        assert list(frame.columns) == list(TABLE_COLUMNS[what])
        from_csv = pandas.read_csv(io.StringIO(render_csv(seeds_lineage, what)), keep_default_na=False, dtype=str)
        assert from_csv.shape == frame.shape
        as_text = frame.astype(object).where(frame.notna(), "").map(
            lambda v: str(v).lower() if isinstance(v, bool) else str(v))
        assert (as_text.values == from_csv.values).all(), what
    edges = seeds_lineage.to_pandas()
    assert set(edges["credited"]) <= {"yes", "no", "unknown"}
    assert edges["confidence"].dtype == float and len(edges) == len(seeds_lineage.edges)


def test_to_pandas_without_pandas_says_how_to_install(monkeypatch, seeds_lineage):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        seeds_lineage.to_pandas()


def test_to_networkx(seeds_lineage):
    graph = seeds_lineage.to_networkx()
    assert graph.number_of_nodes() == len(seeds_lineage.documents) + len(seeds_lineage.latent)
    assert graph.number_of_edges() == len(seeds_lineage.edges)
    latent = seeds_lineage.latent[0].id
    assert graph.nodes[latent]["latent"] is True and graph.nodes[latent]["family"] == "family-1"
    for e in seeds_lineage.edges:
        assert graph.edges[e.parent, e.child]["credited"] == seeds_lineage.credited(e)


def test_subset_by_confidence_splits_families():
    lineage = sample_lineage()
    weak = lineage.subset(min_confidence=0.9)
    assert all(e.confidence >= 0.9 for e in weak.edges) and len(weak.edges) == 3
    assert len(weak.documents) == len(lineage.documents)  # documents stay, links go
    ids = {f.id: f for f in weak.families}
    assert set(ids) == {"F1", "F1.2"}  # the storm family lost every link; the wire's split in two
    assert set(ids["F1"].members) == {"wire/rail-fault.txt", "ledger/rail.txt", "gazette/trains.txt"}
    assert ids["F1.2"].root == "post/chaos.txt" and set(ids["F1.2"].members) == {
        "post/chaos.txt", "post-syndicated/chaos.txt"}
    split = lineage.subset(min_confidence=0.9, family=None)
    assert split.options["min_confidence"] == 0.9
    assert weak.latent == []


def test_subset_splits_a_family_whose_middle_link_goes():
    docs = [Document(Article(x, x), None, np.arange(0)) for x in "abcd"]  # type: ignore[arg-type]
    edges = [Edge("a", "b", 0.9, "reprint"), Edge("b", "c", 0.3, "edited"), Edge("c", "d", 0.8, "reprint")]
    lineage = Lineage(docs, edges, [], [provenance.Family("family-1", "a", ("a", "b", "c", "d"))])
    cut = lineage.subset(min_confidence=0.5)
    assert [(f.id, f.root, f.members) for f in cut.families] == [
        ("family-1", "a", ("a", "b")), ("family-1.2", "c", ("c", "d"))]


def test_a_subset_keeps_only_the_other_sources_it_keeps_and_renders():
    # A digest's other stories stand outside its family: a subset to the family drops them from the
    # digest's edge (no edge may name a text the subset left out), one by confidence the weak ones.
    from syndicated import digest_day

    from provenance.render import render_html, render_text

    lineage = provenance.trace_articles(digest_day(32))
    digest = lineage.parent_of("digest.txt")
    assert len(digest.also_from) == 2
    family = lineage.family_of("digest.txt")
    one = lineage.subset(family=family)
    kept = {d.id for d in one.documents}
    assert all(o.parent in kept for e in one.edges for o in e.also_from)
    assert one.parent_of("digest.txt").also_from == tuple(o for o in digest.also_from if o.parent in kept)
    assert "digest.txt" in render_text(one) and "digest.txt" in render_html(one)
    least = min(o.confidence for o in digest.also_from)
    strict = lineage.subset(min_confidence=least + 1e-6)
    kept = [o for e in strict.edges for o in e.also_from]
    assert kept == [o for e in lineage.edges if e.confidence > least for o in e.also_from if o.confidence > least]
    assert len(kept) < len(digest.also_from)


def test_subset_by_family():
    lineage = sample_lineage()
    one = lineage.subset(family="F2")
    assert {d.id for d in one.documents} == {"coast/storm.txt", "valley/storm.txt"}
    assert [lat.id for lat in one.latent] == ["~1"] and len(one.edges) == 2
    with pytest.raises(ValueError, match="no family 'F9'"):
        lineage.subset(family="F9")
    with pytest.raises(ValueError, match="min_confidence"):
        lineage.subset(min_confidence=1.5)


def test_trace_a_data_frame_of_records(seeds_dir):
    """The README's notebook recipe: rows of a DataFrame (or dicts) become Articles."""
    pandas = pytest.importorskip("pandas")
    rows = [{"id": p.name, "text": p.read_text(encoding="utf-8"), "outlet": "Seeds"}
            for p in sorted(seeds_dir.glob("*.txt"))]
    frame = pandas.DataFrame(rows)
    articles = [provenance.Article(**row) for row in frame.to_dict("records")]
    lineage = provenance.trace_articles(articles)
    assert len(lineage.documents) == len(rows) and lineage.edges
    assert set(lineage.to_pandas()["child_outlet"]) == {"Seeds"}


def test_records_without_a_title_get_a_headline(tmp_path):
    records = [
        {"id": "a", "text": "Spotify ends divisive policy | SFGate\n\nSFGate\n\nThe company said on Friday it would stop."},
        {"id": "b", "text": "comments\n\nAmericas+1 212 318 2000\n\nSpotify backs down on its conduct policy\n\nText."},
        {"id": "c", "text": "The streaming company said on Friday that it would drop the rule. Critics welcomed it."},
        {"id": "d", "title": "Given title", "text": "Some text here."},
    ]
    path = tmp_path / "scraped.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    titles = {a.id: a.title for a in provenance.load_articles(path).articles}
    assert titles == {"a": "Spotify ends divisive policy", "b": "Spotify backs down on its conduct policy",
                      "c": "The streaming company said on Friday that it would drop the rule.",
                      "d": "Given title"}
