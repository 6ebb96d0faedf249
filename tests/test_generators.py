"""The simulated worlds: deterministic by seed, and their truth consistent (needs ../shared/corpora)."""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import corpora_missing_reason  # noqa: E402
from benchmarks.generators import GENERATORS, generate  # noqa: E402
from benchmarks.lexicon import SYNONYMS  # noqa: E402
from benchmarks.score import ABSENT, score, unseen_strangers  # noqa: E402
from benchmarks.simcorpus import SimCorpus  # noqa: E402
from benchmarks.thesaurus import REWORDINGS, reformat_numbers  # noqa: E402

pytestmark = pytest.mark.corpora
NAMES = sorted(GENERATORS)


@pytest.fixture(scope="module", autouse=True)
def _need_corpora() -> None:
    reason = corpora_missing_reason()
    if reason is not None:
        pytest.skip(reason)


def _quick(name: str, seed: int = 1) -> SimCorpus:
    # BBC originals for every world: loading them is fast, and the worlds' rules do not
    # depend on the originals.
    return generate(name, "bbc", seed, quick=True)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _grams(text: str, size: int) -> set[tuple[str, ...]]:
    tokens = _words(text)
    return {tuple(tokens[i:i + size]) for i in range(len(tokens) - size + 1)}


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_corpus(name: str) -> None:
    first, again, other = _quick(name), _quick(name), _quick(name, seed=2)
    assert first.raw_texts() == again.raw_texts()
    assert first.truth() == again.truth()
    assert first.raw_texts() != other.raw_texts()


@pytest.mark.parametrize("name", NAMES)
def test_truth_is_consistent(name: str) -> None:
    truth = _quick(name).truth()["docs"]
    families = {info["family"] for info in truth.values()} - {None}
    assert families, "a world without families tests nothing"
    for doc, info in truth.items():
        parent = info["parent"]
        if info["family"] is None:
            assert parent is None, doc
            continue
        assert parent is None or parent == ABSENT or parent in truth, (doc, parent)
        if parent not in (None, ABSENT):
            assert truth[parent]["family"] == info["family"], (doc, parent)
        # Following parents never comes back to the document (no cycles).
        seen, node = {doc}, parent
        while node not in (None, ABSENT):
            assert node not in seen, (doc, node)
            seen.add(node)
            node = truth[node]["parent"]


@pytest.mark.parametrize("name", NAMES)
def test_a_tracer_that_knows_the_truth_scores_perfectly(name: str) -> None:
    """The truth, written as a prediction, scores 1.0: ids, families and latents line up."""
    truth = _quick(name).truth()
    edges = []
    for doc, info in truth["docs"].items():
        if info["parent"] is not None:
            parent = f"~{info['family']}" if info["parent"] == ABSENT else info["parent"]
            edges.append({"parent": parent, "child": doc, "confidence": 1.0, "relation": "reprint"})
    result = score(truth, {"edges": edges})
    assert result["parent_acc"] == 1.0
    assert result["independents_linked"] == 0
    assert result["edge_precision"] == 1.0


def test_write_thrus_follow_their_versions() -> None:
    docs = [d for seed in (1, 2, 3) for d in _quick("agency", seed).docs if d.family is not None]
    thrus = [d for d in docs if d.op == "write-thru"]
    assert thrus
    for doc in thrus:
        assert doc.parent is not None and doc.parent.op in ("wire", "write-thru")
        assert doc.extra["version"] == doc.parent.extra["version"] + 1
        assert doc.extra["story"] == doc.parent.extra["story"] == doc.family
        assert doc.when > doc.parent.when
    for doc in docs:
        if doc.op not in ("wire", "write-thru"):
            # An outlet's copy carries the version it (or the copy it took) was made from.
            assert doc.extra["version"] == doc.parent.extra["version"]
            assert doc.when > doc.parent.when


def test_follow_ups_quote_another_story() -> None:
    quoting = [d for seed in (1, 2, 3, 4) for d in _quick("agency", seed).docs if d.partial_of]
    assert quoting, "no follow-up story in four quick agency days"
    for doc in quoting:
        quoted = doc.partial_of[0]
        assert doc.parent is None and doc.op == "wire"
        assert quoted.family != doc.family == doc.extra["story"]
        assert doc.extra["quotes_story"] == quoted.family
        assert quoted.when < doc.when
        assert any(p in doc.body for p in quoted.body[1:-1])


def test_excerpts_come_from_their_reference() -> None:
    corpus = _quick("excerpt")
    copies = [d for d in corpus.docs if d.op.startswith("excerpt")]
    assert {d.op for d in copies} == {"excerpt", "excerpt-edited", "excerpt-paraphrased"}
    for doc in copies:
        source = " ".join(" ".join(doc.parent.body).split())
        assert doc.parent.op == "reference" and doc.parent.present
        taken = doc.body[1:]  # the first line is the student's header
        if doc.op == "excerpt":
            assert all(" ".join(p.split()) in source for p in taken), doc.stem
        else:
            assert _grams(" ".join(taken), 5) & _grams(source, 5), doc.stem
        # An excerpt is a part: shorter than the reference it was cut from.
        assert len(_words(" ".join(taken))) < len(_words(source))


def test_release_reuses_appear_inside_other_stories() -> None:
    corpus = _quick("excerpt", seed=2)
    reuses = [d for d in corpus.docs if d.op == "release-reuse"]
    assert reuses
    for doc in reuses:
        assert doc.parent.op == "release"
        assert _grams(" ".join(doc.body), 8) & _grams(" ".join(doc.parent.body), 8)


def test_ocr_error_rate_follows_cer() -> None:
    from benchmarks.gen_rewrite import scan_errors

    text = "the quick brown fox jumps over the lazy dog and runs into the forest " * 200
    letters = sum(c.isalnum() for c in text)
    for cer in (0.05, 0.15):
        scanned = scan_errors(text, random.Random(0), cer)
        changed = sum(a != b for a, b in zip(_words(text), _words(scanned), strict=False))
        # Words of four letters on average: roughly 1 - (1 - cer) ** 4 of them change, but
        # drops and doubles shift the alignment, so only the order of magnitude is checked.
        assert scanned != text
        assert 0.5 * cer * letters / 4 < changed


def test_newsprint_scans_run_words_together_split_them_and_misread_marks() -> None:
    from benchmarks.gen_rewrite import newsprint_errors

    text = "The mayor said, on Monday, that the bridge would reopen in March. " * 200
    scanned = [newsprint_errors(text, random.Random(seed), 0.08) for seed in range(5)]
    words = text.split()
    for page in scanned:
        # Every page has words run together or split (the word count moves) and marks misread.
        assert len(page.split()) != len(words)
        assert page.count(",") != text.count(",") or page.count(".") != text.count(".")
    # The rate varies from page to page (ink and paper): the pages do not all change alike.
    assert len({sum(a != b for a, b in zip(text, page, strict=False)) for page in scanned}) == 5
    # One letter read as two: "m" as "rn" (the text has no "rn" of its own).
    assert "rn" not in text and any("rn" in page for page in scanned)


def test_ocr_reprints_inherit_cuts_not_scanning_errors() -> None:
    corpus = _quick("ocr")
    reprints = [d for d in corpus.docs if d.op == "reprint" and d.parent is not None and d.parent.present]
    assert reprints
    for doc in reprints:
        # Scanned independently: the two pages' texts differ although the printed text is the same.
        assert doc.body != doc.parent.body


def test_rewriter_thesaurus_is_not_the_spinners() -> None:
    assert not set(REWORDINGS) & set(SYNONYMS)


def test_number_formats_leave_decimals_whole() -> None:
    # A desk writes "three" for 3, never "12.seven" for 12.7.
    for seed in range(20):
        text = reformat_numbers("Sales fell 12.7 percent to 3 cars, or 4,5 and 2.5 units.", random.Random(seed))
        assert "12.7" in text and "4,5" in text and "2.5" in text
        assert text.count("3 cars") + text.count("three cars") == 1


def test_unseen_strangers_counts_pairs_sharing_nothing() -> None:
    shared = "one two three four five six seven eight nine ten"
    texts = {"a": shared + " alpha", "b": "beta " + shared, "c": "nothing in common with them at all here ok"}
    predicted = {"edges": [{"parent": "~1", "child": k, "confidence": 0.5} for k in texts]}
    found = unseen_strangers(predicted, texts)
    assert (found["unseen_pairs"], found["unseen_strangers"], found["unseen_mixed"]) == (3, 2, 1)


def test_partial_edges_between_quoting_stories_are_set_aside() -> None:
    truth = {"docs": {
        "a1": {"parent": None, "family": "ap-00", "op": "wire"},
        "a2": {"parent": "a1", "family": "ap-00", "op": "reprint"},
        "b1": {"parent": None, "family": "ap-01", "op": "wire", "quotes_story": "ap-00"},
        "b2": {"parent": "b1", "family": "ap-01", "op": "reprint", "quotes_story": "ap-00"},
    }}
    edges = [{"parent": "a1", "child": "a2", "confidence": 0.9, "relation": "reprint"},
             {"parent": "b1", "child": "b2", "confidence": 0.9, "relation": "reprint"}]
    quoting = {"parent": "a1", "child": "b1", "confidence": 0.8, "relation": "partial"}
    right = score(truth, {"edges": [*edges, quoting]})
    assert (right["family_f1"], right["partial_links"], right["edge_precision"]) == (1.0, 1, 1.0)
    # The same link called a copy joins the two stories: wrong.
    wrong = score(truth, {"edges": [*edges, {**quoting, "relation": "reprint"}]})
    assert wrong["family_f1"] < 1.0 and wrong["partial_links"] == 0


def test_every_agency_document_names_its_story_and_version() -> None:
    truth = _quick("agency").truth()["docs"]
    for doc, info in truth.items():
        assert "story" in info and "version" in info, doc
        if info["family"] is not None:
            assert info["story"] == info["family"] and info["version"] >= 1, doc


def test_quoting_is_transitive_for_partial_links() -> None:
    truth = {"docs": {
        "a": {"parent": None, "family": "s0", "op": "wire"},
        "b": {"parent": None, "family": "s1", "op": "wire", "quotes_story": "s0"},
        "c": {"parent": None, "family": "s2", "op": "wire", "quotes_story": "s1"},
    }}
    edges = [{"parent": "a", "child": "c", "confidence": 0.8, "relation": "partial"}]
    assert score(truth, {"edges": edges})["partial_links"] == 1


def test_pages_reprint_a_story_that_is_a_small_part_of_each_page() -> None:
    corpus = _quick("pages")
    reprints = [d for d in corpus.docs if d.op.startswith("page-") and d.op != "page-source"]
    assert {d.op for d in reprints} >= {"page-reprint", "page-trim"}
    for doc in reprints:
        story = " ".join(doc.source_text)
        page = " ".join(doc.body)
        assert " ".join(story.split()) in " ".join(page.split())
        assert len(_words(story)) < 0.5 * len(_words(page)), doc.stem
        # A reprint prints what its parent printed, less its own cuts.
        assert set(doc.source_text) <= set(doc.parent.source_text), doc.stem
        if doc.op == "page-reprint":
            assert doc.source_text == doc.parent.source_text


def test_scanned_pages_garble_the_page_not_the_printed_story() -> None:
    corpus = _quick("pages-scanned")
    reprints = [d for d in corpus.docs if d.op == "page-reprint" and d.parent is not None]
    assert reprints
    for doc in reprints:
        assert doc.source_text == doc.parent.source_text
        assert " ".join(" ".join(doc.source_text).split()) not in " ".join(" ".join(doc.body).split())


def test_press_versions_come_from_their_parent_and_negatives_only_quote_it() -> None:
    docs = [d for seed in (11, 12) for d in _quick("press", seed).docs]
    ops = {d.op for d in docs}
    assert ops == {"source", "wholly-derived", "partially-derived", "non-derived", "independent"}
    for doc in docs:
        if doc.op in ("wholly-derived", "partially-derived"):
            assert doc.parent.op in ("source", "wholly-derived", "partially-derived"), doc.stem
            assert doc.family == doc.parent.family == doc.extra["story"]
            assert doc.when > doc.parent.when
            # The parent's text (the wire's without its dateline) shows through, in whatever words.
            assert _grams(" ".join(doc.body), 5) & _grams(" ".join(doc.parent.body), 5), doc.stem
        elif doc.op == "non-derived":
            wire = doc.partial_of[0]
            assert doc.family is None and doc.parent is None and wire.op == "source"
            assert doc.extra["story"] == wire.family
            assert _grams(" ".join(doc.body), 8) & _grams(" ".join(wire.body), 8), doc.stem


def test_press_rewriters_pick_among_several_synonyms() -> None:
    from benchmarks.subediting import CHOICES, reword

    assert all(len(set(choices)) >= 3 and word not in choices for word, choices in CHOICES.items())
    sentence = "The firm said profits rose sharply as customers backed its latest phones."
    rewrites = {reword(sentence, random.Random(seed), count=3) for seed in range(20)}
    # Independent sub-editors rarely land on the same three replacements.
    assert len(rewrites) >= 15
    # A capital inside the sentence is a name ("the Star"), left alone; parts of hyphenated words too.
    reworded = reword("Fans of the Star said high-speed links were a success.", random.Random(0), rate=1.0)
    assert " Star " in reworded and "high-speed" in reworded and " said " not in reworded
