import textwrap

import numpy as np
import pytest
from conftest import FURNITURE_HEAD, FURNITURE_TAIL, INDEPENDENT, WIRE, other_stories
from hypothesis import given
from hypothesis import strategies as st

from provenance.errors import ConfigError
from provenance.model import Article
from provenance.stages import boilerplate
from provenance.stages.boilerplate import BoilerplateRemover, find_credits
from provenance.stages.normalise import tokenize
from provenance.stages.shingles import word_hashes

OTHER_STORY = """Council workers began repairing the old library roof on Monday after years of leaks damaged rare maps and books stored in the archive.
The work, paid for by a regional grant, is due to finish before winter, a council spokeswoman said, and readers will be able to use a temporary reading room.
"""


def _docs(texts):
    arts = [Article(id=f"d{i}.txt", text=t) for i, t in enumerate(texts)]
    return BoilerplateRemover().fit_transform(arts, [tokenize(a.text) for a in arts])


def test_builtin_furniture_and_read_more_block_found():
    (doc,) = _docs([FURNITURE_HEAD + WIRE + FURNITURE_TAIL])
    texts = [s.text for s in doc.boilerplate]
    assert "Published: Updated:" in texts
    assert "Read more:" in texts
    assert "Ferry strike called off after pay deal" in texts  # a related headline under Read more
    assert not any("Harbour authorities" in t for t in texts)


def test_template_shared_by_unrelated_documents_is_learned():
    template = "The Valley Gazette morning briefing\nSupport local journalism today\n"
    docs = _docs([template + WIRE, template + OTHER_STORY, template + INDEPENDENT])
    for doc in docs:
        kinds = {s.text: s.kind for s in doc.boilerplate}
        assert kinds.get("Support local journalism today") in ("learned", "furniture")
        assert "The Valley Gazette morning briefing" in kinds


def test_story_lines_shared_by_copies_are_not_boilerplate():
    docs = _docs([WIRE, WIRE, "Intro line for this site.\n" + WIRE])
    for doc in docs:
        assert not [s for s in doc.boilerplate if s.kind == "learned"]
        assert doc.words >= 195


def test_an_outlets_masthead_over_two_copies_of_a_story_is_still_its_own_but_a_headline_is_the_storys():
    # One outlet prints two copies of the day's harbour story (an early version and the update)
    # and two other stories under its masthead; another page lists the harbour story's headline
    # under "Most read".  The two copies are related, but the masthead over them is the outlet's;
    # the headline, their title, is the story's.
    headline = "Storm closes northern shipping lane"
    masthead = "Sentinel | Nation & World\n"
    pages = [
        Article("early.txt", headline + "\n\n" + masthead + WIRE, title=headline),
        Article("update.txt", headline + "\n\n" + masthead + WIRE + "Engineers reached the ship at dawn.\n",
                title=headline),
        Article("library.txt", "Library roof repairs begin\n\n" + masthead + OTHER_STORY, title="Library roof repairs begin"),
        Article("freighter.txt", "Freighter still stuck\n\n" + masthead + INDEPENDENT, title="Freighter still stuck"),
        Article("list.txt", other_stories(3, 120) + "\n\nMost read\n" + headline + "\nLibrary roof repairs begin\n"),
        Article("list2.txt", other_stories(4, 120) + "\n\nMost read\n" + headline + "\nFreighter still stuck\n"),
    ]
    docs = BoilerplateRemover().fit_transform(pages, [tokenize(a.text) for a in pages])
    kinds = {doc.id: {s.text: s.kind for s in doc.boilerplate} for doc in docs}
    for name in ("early.txt", "update.txt", "library.txt", "freighter.txt"):
        assert kinds[name].get("Sentinel | Nation & World") == "learned", name
    for name in ("early.txt", "update.txt"):
        assert headline not in kinds[name], name
    assert kinds["list.txt"].get(headline) == "learned"


def test_boilerplate_words_are_excluded_from_content():
    (plain,) = _docs([WIRE])
    (wrapped,) = _docs([FURNITURE_HEAD + WIRE + FURNITURE_TAIL])
    # Only the masthead ("The Coastal Courier") cannot be told from text in a single document.
    assert 0 <= wrapped.words - plain.words <= 3


@pytest.mark.parametrize(
    "text, credits",
    [
        ("Story.\nCredit | AA", ("AA",)),
        ("LONDON (Reuters) - Markets fell.", ("Reuters",)),
        ("Story text. The Associated Press contributed to this report.", ("AP",)),
        ("Story.\n© 2022 AFP", ("AFP",)),
        ("A story about reuters of nothing? No credit here.", ()),
    ],
)
def test_credits(text, credits):
    assert find_credits(text)[0] == credits


def test_bylines():
    assert find_credits("Headline\nBy Agnes Szucs\nText.")[1] == ("Agnes Szucs",)


@pytest.mark.parametrize("kwargs, message", [({"min_docs": 1}, "min_docs"), ({"max_relatedness": 1.5}, "max_relatedness")])
def test_parameters_validated(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        BoilerplateRemover(**kwargs)


def test_line_made_only_of_a_hyphenated_word_end_is_handled():
    # "syndi-\ncation" joins into one token that starts on the line before, so the
    # second line has no token of its own; such lines must not break learning.
    furniture = "Subscribe to the Harbour Herald for daily news\n"
    texts = [furniture + "Boats and syndi-\nand\ncation " + WIRE, furniture + OTHER_STORY, furniture + INDEPENDENT + "\nand\n"]
    docs = _docs(texts)
    assert all(d.words > 50 for d in docs)


def test_fit_transform_on_two_jobs_equals_one_job(family_articles, monkeypatch):
    from provenance.engines import parallel

    monkeypatch.setattr(parallel, "_CHUNKS_PER_JOB", 3)
    # An outlet's template lines around unrelated stories, to be learned (and measured on two workers).
    template = "Subscribe to the Harbour Herald for daily news\nHarbour Herald weekend puzzles and letters\n"
    articles = [*family_articles, *(Article(id=f"t{i}.txt", text=template + text)
                                    for i, text in enumerate([WIRE, OTHER_STORY, INDEPENDENT]))]
    serial, parallel_remover = BoilerplateRemover(), BoilerplateRemover()
    one = serial.fit_transform(articles)
    two = parallel_remover.fit_transform(articles, jobs=2)
    assert len(serial.boilerplate_lines_) >= 2 and serial.boilerplate_lines_ == parallel_remover.boilerplate_lines_
    assert serial.story_lines_ == parallel_remover.story_lines_
    assert [(d.id, d.boilerplate, d.credits, d.bylines, d.fingerprint, d.article) for d in one] == [
        (d.id, d.boilerplate, d.credits, d.bylines, d.fingerprint, d.article) for d in two]
    for a, b in zip(one, two, strict=True):
        assert np.array_equal(a.content, b.content) and np.array_equal(a.content_hashes, b.content_hashes)
        assert np.array_equal(a.content_hashes, word_hashes(a.content_words))


def test_line_shingles_and_containment_match_the_plain_set_operations(family_articles):
    from provenance.stages.boilerplate import _containment, _line_shingles, _lines
    from provenance.stages.shingles import shingle_hashes

    texts, expected, expected_unions = [], [], []
    # A line whose only word began on the line before ("syndi-\ncation") has no words of its own.
    hyphenated = Article(id="hyphen", text="Boats and syndi-\ncations\nand more syndi-\ncation here")
    for article in [*family_articles, Article(id="empty", text=""), hyphenated]:
        toks = tokenize(article.text)
        lines = _lines(article.text)
        by_line: dict[str, list[np.ndarray]] = {}
        hashes = word_hashes(toks.words)
        for line in lines:
            lo = np.searchsorted(toks.starts, line.start)
            hi = np.searchsorted(toks.starts, line.end)
            if hi > lo:
                by_line.setdefault(line.folded, []).append(shingle_hashes(hashes[lo:hi], min(3, int(hi - lo))))
        texts.append((lines, toks, hashes))
        expected.append(by_line)
        kept = [np.concatenate(parts) for folded, parts in by_line.items() if len(folded) % 3]
        expected_unions.append(np.unique(np.concatenate(kept)) if kept else np.empty(0, dtype=np.uint64))
    # Lines measured: every other distinct line of each text; dropped: an arbitrary third.
    measured = {folded for by_line in expected for folded in list(by_line)[::2]}
    dropped = {line.folded for lines, _, _ in texts for line in lines if len(line.folded) % 3 == 0}
    got, unions = _line_shingles(texts, measured, dropped)
    assert len(got) == len(unions) == len(texts)
    for got_lines, by_line, union, expected_union in zip(got, expected, unions, expected_unions, strict=True):
        assert set(got_lines) == {folded for folded in by_line if folded in measured}
        for folded, shingles in got_lines.items():
            assert np.array_equal(np.unique(shingles), np.unique(np.concatenate(by_line[folded])))
        assert union.dtype == np.uint64 and np.array_equal(union, expected_union)
    rng = np.random.default_rng(1)
    for _ in range(50):
        a = np.unique(rng.integers(0, 60, rng.integers(0, 30)).astype(np.uint64))
        b = np.unique(rng.integers(0, 60, rng.integers(0, 30)).astype(np.uint64))
        smaller = min(len(a), len(b))
        plain = len(np.intersect1d(a, b)) / smaller if smaller else 1.0
        assert _containment(a, b) == plain == _containment(b, a)


@given(st.lists(st.floats(0, 1), min_size=1, max_size=6))
def test_median_is_numpys(values):
    assert boilerplate._median(values) == float(np.median(values))


def test_short_lines_of_a_hard_wrapped_column_are_story_text_but_a_page_label_is_not():
    # A scanned column or an e-mail breaks its sentences into printed lines, some of three words;
    # such a line goes on with the sentence above it and is story, however short.
    words = WIRE.split()
    widths = [6, 5, 7, 2, 6, 4, 3, 5]
    lines, k = [], 0
    while k < len(words):
        width = widths[len(lines) % len(widths)]
        lines.append(" ".join(words[k:k + width]))
        k += width
    (column,) = _docs(["\n".join(lines)])
    assert not [s.text for s in column.boilerplate if s.kind == "label"]
    # A page that gives each paragraph a line keeps calling a short line between them a label.
    paragraphs = WIRE.splitlines()
    (page,) = _docs(["\n".join([*paragraphs[:3], "Top stories", *paragraphs[3:]])])
    assert [s.text for s in page.boilerplate if s.kind == "label"] == ["Top stories"]


def test_many_sets_measured_at_once_give_each_pairs_containment():
    from provenance.stages.boilerplate import _containment, _containments

    rng = np.random.default_rng(2)
    for _ in range(30):
        heads = [np.unique(rng.integers(0, 40, rng.integers(0, 25)).astype(np.uint64))
                 for _ in range(rng.integers(1, 8))]
        many = [np.unique(rng.integers(0, 40, rng.integers(0, 25)).astype(np.uint64)) for _ in range(20)]
        sizes = np.array([len(m) for m in many])
        got = _containments(heads, np.concatenate(many), sizes)
        assert got.tolist() == [[_containment(m, h) for h in heads] for m in many]


def test_a_template_line_in_many_documents_is_measured_as_arrays_with_the_same_result(monkeypatch):
    # A page line in 40 documents: 20 distinct stories, each run twice (a copy shares its story, so
    # the line is story text there too when the copy is among the first documents).
    rng = np.random.default_rng(3)
    vocabulary = [f"w{n}" for n in range(3000)]
    stories = [" ".join(rng.choice(vocabulary, 80)) + "." for _ in range(20)]
    texts = [f"Sign up for the Daily Ledger morning briefing today\n\n{stories[n // 2]}\n\nNote {n}.\n"
             for n in range(40)]
    articles = [Article(id=f"a{n:02}", text=t) for n, t in enumerate(texts)]
    tokens = [tokenize(t) for t in texts]

    def fitted(batched_from):
        monkeypatch.setattr(boilerplate, "_BATCHED_DOCS", batched_from)
        remover = BoilerplateRemover().fit(articles, tokens)
        return remover.boilerplate_lines_, remover.story_lines_

    pairwise, batched = fitted(10**9), fitted(2)
    assert pairwise == batched
    assert pairwise[0] and pairwise[1]  # the line is learned, and kept as story text in some documents


def test_news_prose_about_advertising_reprinted_in_unrelated_pages_is_story_text():
    # The paragraph is a small part of four otherwise different pages, so the documents
    # sharing it look unrelated; news about advertising is no notice to the reader.
    story = ("The firm's revenue nearly tripled in the fourth quarter, helped by a revival in online "
             "advertising. Its profit was dwarfed by the sums announced by its larger rival earlier in the week.")
    docs = _docs([other_stories(seed, 200) + "\n\n" + story for seed in range(4)])
    for doc in docs:
        assert not [s for s in doc.boilerplate if "revenue nearly tripled" in s.text]


def test_a_notice_to_the_reader_in_unrelated_pages_is_still_learned():
    notice = ("Our journalism takes a lot of time and hard work to produce. If you enjoy it, "
              "please consider subscribing today.")
    docs = _docs([other_stories(seed, 200) + "\n\n" + notice for seed in range(4)])
    for doc in docs:
        assert [s for s in doc.boilerplate if "consider subscribing" in s.text]


def _printed(text: str, width: int) -> str:
    return "\n\n".join(textwrap.fill(p, width) for p in text.split("\n") if p.strip())


def test_lines_two_columns_break_alike_are_story_text_but_a_standing_notice_is_not():
    # Two long pages print the story in columns of different widths: a paragraph's first line (or
    # last words) comes out alike in both, the rest differently. The pages are otherwise unrelated,
    # so such a line looked like boilerplate; it runs on into lines of the story that are not.
    notice = ("Our journalism takes a lot of time and hard work to produce. If you enjoy it, please "
              "consider subscribing today.")
    pages = [_printed(other_stories(seed, 300), 40) + "\n\n" + _printed(WIRE, width) + "\n\n"
             + _printed(notice, 40) for seed, width in ((1, 40), (2, 34))]
    docs = _docs(pages)
    story_lines = {line.strip() for width in (40, 34) for line in _printed(WIRE, width).split("\n")}
    for doc in docs:
        learned = [s.text for s in doc.boilerplate if s.kind == "learned"]
        assert not story_lines & set(learned)
        assert any("consider subscribing" in text for text in learned)


def test_several_lines_two_columns_break_alike_are_all_story_text():
    # Two pages print the story at widths that break the first lines of each paragraph alike and
    # the rest differently: the first line runs on into the second, itself learned, and only the
    # second into a line of the story that is not.  Both are the paragraph's text.
    pages = []
    for seed, width in ((1, 40), (2, 34)):
        printed = []
        for paragraph in WIRE.split("\n"):
            head = textwrap.wrap(paragraph, 40)
            printed.append("\n".join(head[:2] + textwrap.wrap(" ".join(head[2:]), width)))
        pages.append(_printed(other_stories(seed, 300), 40) + "\n\n" + "\n\n".join(printed))
    heads = {line for paragraph in WIRE.split("\n") for line in textwrap.wrap(paragraph, 40)[:2]}
    for doc in _docs(pages):
        assert not heads & {s.text for s in doc.boilerplate if s.kind == "learned"}


@pytest.mark.parametrize("line, expected", [
    ("Published: Tue 3 Mar 2024 10.22 GMT", "2024-03-03T10:22:00"),
    ("First published on Tuesday 3 March 2024 10.22 GMT", "2024-03-03T10:22:00"),
    ("March 3, 2024 at 10:22 a.m. EST", "2024-03-03T10:22:00-05:00"),
    ("Jun 3, 2018, 4:15 PM EDT", "2018-06-03T16:15:00-04:00"),
    ("June 3, 2018 / 4:15 PM", "2018-06-03T16:15:00"),
    ("3:45 PM EST, Tue March 3, 2024", "2024-03-03T15:45:00-05:00"),
    ("Published on Mar. 3, 2024", "2024-03-03"),
    ("Sunday, June 3, 2018", "2018-06-03"),
    ("Published 2024/03/03", "2024-03-03"),
    ("Posted: 03/04/2024", None),  # day or month first: not said
    ("Posted: 13/03/2024 10:22", "2024-03-13T10:22:00"),
    ("Posted: 03/13/2024", "2024-03-13"),
    ("Posted: 3 March 2024 10:22", "2024-03-03T10:22:00"),  # a first line that is a date keeps its time
    ("Monday was a holiday", None),
    ("By Jane Roe | Tue 3 Mar 2024 10.22 GMT", "2024-03-03T10:22:00"),
    ("Sport · 3 March 2024 · 3 min read", "2024-03-03"),
    ("29 April 2024, 02:46 GMT | 3 min read", "2024-04-29T02:46:00"),
    ("The talks | 3 March 2024 deadline", None),
])
def test_pages_state_their_date_in_many_forms(line, expected):
    assert boilerplate.find_date(line + "\nThe story begins here.") == expected


def test_a_regional_zone_follows_its_summer_time():
    # "ET" is -05:00 in January and -04:00 in May (the page says the region, not the offset).
    assert boilerplate.find_date("May 31, 2019 8:00 a.m. ET\nStory") == "2019-05-31T08:00:00-04:00"
    assert boilerplate.find_date("Jan 31, 2019 8:00 a.m. ET\nStory") == "2019-01-31T08:00:00-05:00"
    assert boilerplate.find_date("Mar 3, 2024 10:22 PT\nStory") == "2024-03-03T10:22:00-08:00"
