"""Quality floor: the tracer on a small fixed-seed simulated corpus (needs ../shared/corpora)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import corpora_missing_reason, run_tracer  # noqa: E402
from benchmarks.score import score  # noqa: E402
from benchmarks.simcorpus import write_corpus  # noqa: E402

SEED = 7
N_FAMILIES = 15
N_INDEPENDENT = 20
MIN_FAMILY_F1 = 0.9
MAX_INDEPENDENTS_LINKED = 1
# Floors a little below what this corpus scores today (docs/BENCHMARKS.md has the full
# benchmark): a change that loses more than that fails here.
MIN_PARENT_ACC = 0.55
MIN_DIRECTION_ACC = 0.9


def _traced_scores(make_corpus, folder: Path) -> dict:
    """Build a simulated corpus (skipped without the shared corpora), trace it and score the result."""
    reason = corpora_missing_reason()
    if reason is not None:
        pytest.skip(reason)
    corpus = make_corpus()
    return score(corpus.truth("txt"), run_tracer(write_corpus(corpus, folder, "txt")))


@pytest.fixture(scope="module")
def floor_scores(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Simulate a quick BBC corpus, trace it and score the result."""
    from benchmarks.simulate import simulate

    return _traced_scores(lambda: simulate("bbc", seed=SEED, n_families=N_FAMILIES, n_independent=N_INDEPENDENT),
                          tmp_path_factory.mktemp("floor"))


def _summary(scores: dict) -> str:
    keys = (
        "family_f1",
        "parent_acc",
        "absent_acc",
        "direction_acc",
        "independents_linked",
        "edge_precision",
    )
    return ", ".join(f"{k}={scores.get(k)!r:.6}" for k in keys)


@pytest.mark.corpora
@pytest.mark.timeout(60)
def test_family_f1_floor(floor_scores: dict) -> None:
    assert floor_scores["family_f1"] >= MIN_FAMILY_F1, _summary(floor_scores)


@pytest.mark.corpora
@pytest.mark.timeout(60)
def test_independents_rarely_linked(floor_scores: dict) -> None:
    assert floor_scores["independents_linked"] <= MAX_INDEPENDENTS_LINKED, _summary(floor_scores)


@pytest.mark.corpora
@pytest.mark.timeout(60)
def test_parent_accuracy_floor(floor_scores: dict) -> None:
    assert floor_scores["parent_acc"] >= MIN_PARENT_ACC, _summary(floor_scores)


def test_direction_accuracy_floor(floor_scores: dict) -> None:
    """Of true ancestor pairs put on one line, the older is almost always the ancestor."""
    assert floor_scores["direction_acc"] >= MIN_DIRECTION_ACC, _summary(floor_scores)


# The excerpt world (a long source in the folder, copies of different parts of it): the source
# must be found in the folder rather than invented (issue 12).  Floors a little below seed 7.
EXCERPT_SEED = 7
MIN_EXCERPT_PARENT_ACC = 0.8
MIN_EXCERPT_ROOT_ACC = 0.8


@pytest.fixture(scope="module")
def excerpt_scores(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Generate a quick excerpt corpus, trace it and score the result."""
    from benchmarks.generators import generate

    return _traced_scores(lambda: generate("excerpt", "bbc", EXCERPT_SEED, quick=True),
                          tmp_path_factory.mktemp("excerpt"))


@pytest.mark.corpora
@pytest.mark.timeout(120)
def test_excerpt_sources_in_the_folder_are_found(excerpt_scores: dict) -> None:
    assert excerpt_scores["root_acc"] >= MIN_EXCERPT_ROOT_ACC, _summary(excerpt_scores)
    assert excerpt_scores["parent_acc"] >= MIN_EXCERPT_PARENT_ACC, _summary(excerpt_scores)
    assert excerpt_scores["independents_linked"] == 0, _summary(excerpt_scores)


# The pages world (every text a page of several stories, the reprinted one a small part of
# each): the reprints are found whatever share of the page they fill.  Floor a little below seed 7.
PAGES_SEED = 7
MIN_PAGES_FAMILY_F1 = 0.85


@pytest.fixture(scope="module")
def pages_scores(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Generate a quick pages corpus, trace it and score the result."""
    from benchmarks.generators import generate

    return _traced_scores(lambda: generate("pages", "bbc", PAGES_SEED, quick=True), tmp_path_factory.mktemp("pages"))


@pytest.mark.corpora
@pytest.mark.timeout(120)
def test_stories_reprinted_inside_pages_are_linked(pages_scores: dict) -> None:
    assert pages_scores["family_f1"] >= MIN_PAGES_FAMILY_F1, _summary(pages_scores)
    assert pages_scores["independents_linked"] == 0, _summary(pages_scores)
