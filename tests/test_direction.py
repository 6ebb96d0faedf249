import re
import textwrap

import numpy as np
import pytest
from conftest import FURNITURE_HEAD, FURNITURE_TAIL, INDEPENDENT, WIRE, other_stories, spin, trim

from provenance.model import Article
from provenance.pipeline import prepare_documents
from provenance.stages.align import Aligner
from provenance.stages.direction import assess_pair, classify_relation, longest_verbatim_run


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


# A company's statement: one outlet quotes it, another sets it out as a block without quotation marks.
STATEMENT = ("While we believe our intentions were good, the language was too vague, we created confusion and "
             "concern, and we did not spend enough time getting input from our own team and key partners before "
             "sharing the new guidelines. Across all genres our role is not to regulate artists. Therefore we are "
             "moving away from implementing a policy around artist conduct, and we will keep listening to our users.")


def test_two_sentences_a_copy_joined_into_one_link_whichever_is_read_first():
    # A report that lifts two of the wire's sentences and joins them with "and": one sentence in it,
    # two in the wire, so the copied words span two sentences whichever text the pair lists first.
    lines = WIRE.splitlines()
    joined = lines[0].rstrip(".") + ", and " + lines[3][0].lower() + lines[3][1:]
    own = ("Council members met on Thursday evening to discuss the budget for the coming year and the state of "
           "the roads. Several residents asked why repairs to the bridge had been delayed again, and officials "
           "promised an answer next month. The mayor said the town would publish its spending plans in full "
           "before the vote in the spring.")
    report = own + "\n" + joined + "\n"
    assert _assess(report, WIRE).linked
    assert _assess(WIRE, report).linked


def test_a_statement_two_outlets_carry_is_no_link_whichever_is_read_first():
    quoting = INDEPENDENT + f'\nThe company said in a blog post on Friday: "{STATEMENT}"\n'
    block = WIRE.splitlines()[0] + "\nIn a statement released on Friday, the company said:\n" + STATEMENT + "\n"
    assert not _assess(quoting, block).linked
    assert not _assess(block, quoting).linked


# An agency's follow-up story: it re-phrases the first report (WIRE) in fragments of up to 12 words,
# a third of each text, but lifts no whole sentence.
FOLLOW_UP = """Port Elsby harbour reopened its northern shipping lane on Friday, four days after a cargo vessel lost power and ran aground, the port authority said.
Salvage crews refloated the ship at high tide on Thursday night and towed it to a repair berth, where engineers began work on its damaged rudder.
The vessel had been carrying timber and steel from the southern coast when it sent a distress call shortly after midnight on Tuesday, and the harbour authority said two tugboats had stayed beside it through the week.
Harbour master Irene Coltrane said on Tuesday the lane would stay closed until engineers had checked the hull, and divers then checked the channel floor for debris.
Local fishermen, who lost several days at sea during the closure, said they would ask the council for compensation at its next meeting.
Shipping traffic to the southern terminals was not affected all week, agents said, though a dozen freighters had waited offshore for the northern lane to reopen.
The city council said it would review safety rules for large vessels using the harbour and publish a report on the grounding once the investigation into the engine failure was complete, which could take several weeks."""


def test_follow_up_in_short_fragments_is_no_link():
    docs = prepare_documents([Article("first", WIRE), Article("follow-up", FOLLOW_UP)])
    al = Aligner().align(docs[0], docs[1], 0, 1)
    assert al.shared_words >= 50 and 0.15 < al.a_coverage < 0.4
    assert not assess_pair(docs[0], docs[1], al).linked


def test_excerpt_with_a_whole_sentence_is_linked():
    # The same follow-up, its third paragraph replaced by the wire's second, word for word.
    excerpt = FOLLOW_UP.replace(FOLLOW_UP.split("\n")[2], WIRE.split("\n")[1])
    assert _assess(WIRE, excerpt).linked


# A student's answer or a one-line brief: a heading of its own and one sentence of a story, word for word.
LIFTED = WIRE.split("\n")[3]
BRIEF = f"Answer: the Port Elsby harbour closure\n\nSubmitted by student 12 for the third assignment\n\n{LIFTED}\n"


def test_a_brief_of_one_sentence_lifted_from_a_story_on_its_subject_is_a_copy():
    ev = _assess(WIRE, BRIEF)
    # Not as a brief cut to its lead (most of its words the story's, over two sentences): one sentence.
    assert ev.linked and ev.shared_words < 0.8 * len(prepare_documents([Article("brief", BRIEF)])[0].content)


def test_one_sentence_set_into_a_story_on_another_subject_or_quoted_or_between_two_briefs_is_no_link():
    story = other_stories(3, 250)
    paragraphs = story.split("\n")
    elsewhere = "\n".join([*paragraphs[:2], LIFTED, *paragraphs[2:]])
    assert not _assess(elsewhere, BRIEF).linked
    quoted = WIRE.replace(LIFTED, f"\u201c{LIFTED}\u201d")
    assert not _assess(quoted, BRIEF).linked
    notice = f"Port Elsby lane notice\n\n{LIFTED}\nThe harbour office will publish updates on its website.\n"
    assert not _assess(notice, BRIEF).linked


def _set_into(story: str, *sentences: str) -> str:
    """``story`` with each sentence set in as a paragraph of its own, the first after its second paragraph."""
    paragraphs = story.split("\n")
    for k, sentence in enumerate(sentences):
        paragraphs.insert(2 + 3 * k, sentence)
    return "\n".join(paragraphs)


def test_two_passages_lifted_whole_link_long_texts_one_or_two_quoted_do_not():
    ship, officials = WIRE.split("\n")[1], WIRE.split("\n")[3]
    source = WIRE + other_stories(1, 400)
    # Some 60 words of two texts of 450 and more: under the share a link needs, and only two sentences.
    assert _assess(source, _set_into(other_stories(2, 400), ship, officials)).linked
    assert not _assess(source, _set_into(other_stories(2, 400), ship)).linked
    quoted = f"\u201c{officials}\u201d"
    assert not _assess(source, _set_into(other_stories(2, 400), ship, quoted)).linked


def test_a_whole_sentence_and_a_phrase_of_another_link_long_texts_a_quoted_phrase_does_not():
    # A paper works one sentence of the agency's story into its own whole and keeps a phrase of another
    # (11 words as they stood): some 40 words of texts of 450 and more, two passages, one of them short.
    ship, officials = WIRE.split("\n")[1], WIRE.split("\n")[3]
    phrase = "the lane would stay closed until engineers had checked the hull"
    assert phrase in officials
    source = WIRE + other_stories(1, 400)
    own_sentence = f"Port staff expect {phrase}, a council spokesman added on the radio."
    assert _assess(source, _set_into(other_stories(2, 400), ship, own_sentence)).linked
    # The phrase quoted is the speaker's words, not the agency's: one passage is left, and no link.
    quoted = f"Port staff expect \u201c{phrase}\u201d, a council spokesman added on the radio."
    assert not _assess(source, _set_into(other_stories(2, 400), ship, quoted)).linked


def test_longest_verbatim_run():
    assert longest_verbatim_run(np.array([], dtype=int)) == 0
    assert longest_verbatim_run(np.array([-1, -1])) == 0
    assert longest_verbatim_run(np.array([4])) == 1
    # Matched but out of order is no run; a gap ends one.
    assert longest_verbatim_run(np.array([5, 6, 7, -1, 9, 10, 3, 4])) == 3


def test_relations():
    assert classify_relation(0.99, 0.99, 0.0, 0, 0, 300) == "reprint"
    assert classify_relation(0.5, 0.98, 0.5, 0, 0, 150) == "trimmed"
    assert classify_relation(0.9, 0.9, 0.0, 40, 60, 250) == "spun"
    assert classify_relation(0.4, 0.3, 0.2, 0, 2, 100) == "partial"
    assert classify_relation(0.9, 0.88, 0.0, 0, 12, 250) == "edited"


def test_surface_codes_are_equal_exactly_when_the_surfaces_are():
    from provenance.stages.direction import _surface_codes, word_surface

    texts = [WIRE, spin(WIRE), trim(WIRE, 3),
             "He said: “It’s over” — and left.\nIt's over - and 'left' , he said;  It's OVER...\n\nand left",
             "Said he: \"it's over\" -- and LEFT, over—and over-and over and.   he said (it’s over) and left, it’s over\t and left"]
    docs = prepare_documents([Article(f"d{i}", t) for i, t in enumerate(texts)])
    codes = [code for d in docs for code in zip(*(part.tolist() for part in _surface_codes(d)), strict=True)]
    surfaces = [word_surface(d, i) for d in docs for i in range(len(d.content))]
    assert len(codes) == len(surfaces) > 100
    # Same code <=> same (spelling, punctuation before): one code per surface and one surface per code.
    assert len(set(zip(codes, surfaces, strict=True))) == len(set(codes)) == len(set(surfaces))
    assert len(set(surfaces)) < len(surfaces)  # repeated surfaces, so equality is exercised


def test_surface_codes_do_not_depend_on_where_the_word_stands():
    # Spellings are hashed from their letters alone: a word far into a very long text (past the
    # powers kept between texts, which a long text must not grow) has the code it has at the head
    # of a short one.
    from provenance.stages import direction
    from provenance.stages.direction import _surface_codes

    sentence = "Harbour officials said on Tuesday the “lane” would reopen. "
    long_doc, short_doc = prepare_documents([Article("long", sentence * 2000), Article("short", sentence)])
    spellings, gaps = _surface_codes(long_doc)
    short_spellings, short_gaps = _surface_codes(short_doc)
    n = len(short_spellings)
    assert len(sentence) * 2000 > 1 << 16
    assert (spellings[-n:] == short_spellings).all() and (gaps[-n + 1:] == short_gaps[1:]).all()
    assert len(set(short_spellings.tolist())) == n  # distinct words, distinct codes
    assert all(len(powers) <= direction._POWERS_KEPT for powers in direction._SPELLING_POWERS)


_QUOTE_PIECES = ["He said ", "“a quoted phrase here”", '"plain quotes around words"', "«guillemets text»",
                 "„low high“", ". ", "! ", "? ", "\n\n", "。", "word ", "”", '"', "“x”", "and so on. "]


def _old_quoted_mask(doc):  # the loop the cached version replaced
    from provenance.stages.direction import _QUOTED
    starts = doc.tokens.starts[doc.content]
    mask = np.zeros(len(starts), dtype=bool)
    for match in _QUOTED.finditer(doc.article.text):
        mask[np.searchsorted(starts, match.start(1)):np.searchsorted(starts, match.end(1))] = True
    return mask


def test_quotations_and_sentences_scanned_once_per_document_give_the_same_marks():
    import random

    from provenance.stages.direction import _SENTENCE_END, quoted_mask, sentence_ids
    rng = random.Random(5)
    texts = ["".join(rng.choice(_QUOTE_PIECES) for _ in range(rng.randint(0, 30))) for _ in range(200)]
    docs = prepare_documents([Article(id=f"d{n}", text=t) for n, t in enumerate(texts)])
    assert sum(_old_quoted_mask(d).any() for d in docs) > 100
    for doc in docs:
        ends = np.array([m.end() for m in _SENTENCE_END.finditer(doc.article.text)], dtype=np.int64)
        expected = np.searchsorted(ends, doc.tokens.starts[doc.content], side="right")
        for _ in range(2):  # the second call answers from the cache
            assert np.array_equal(quoted_mask(doc), _old_quoted_mask(doc))
            assert np.array_equal(sentence_ids(doc), expected)


def test_readings_compare_codes_of_one_numbering(monkeypatch):
    # The numbers of punctuation before words are forgotten when they grow too many (a bound on
    # memory); a pair whose second document starts a new numbering must not compare codes across two.
    from provenance.pipeline import analyse
    from provenance.stages import direction

    text = "The harbour closed on Monday after the storm, officials said, and reopened on Friday.\n" * 3
    other = Article("c.txt", "Zebras; yawn quietly: while xylophones (vibrate) under velvet umbrellas.\n")
    documents, pairs, _ = analyse([Article("a.txt", text), Article("b.txt", text), other])
    (_, alignment), = pairs.values()
    doc_a, doc_b = documents[alignment.a], documents[alignment.b]
    # Numbered after another text, doc_a's codes are not those doc_b gets in a new numbering.
    direction._SURFACE_CODES.clear()
    direction._GAP_SIGNATURES.clear()
    direction._SIGNATURE_NUMBERS.clear()
    direction._SIGNATURE_NUMBERS[""] = 0
    direction._surface_codes(next(d for d in documents if d.id == "c.txt"))
    direction._surface_codes(doc_a)
    assert direction._surface_codes(doc_a)[1].max() > 1
    monkeypatch.setattr(direction, "_GAP_NUMBERS_MAX", len(direction._SIGNATURE_NUMBERS))
    agree_a, agree_b = direction.reading_agreement(doc_a, doc_b, alignment)
    assert agree_a.all() and agree_b.all()


def test_publication_times_compare_in_one_zone():
    # Pages of one day carry their own offsets: 19:03 at -04:00 is after 22:00 UTC.
    from types import SimpleNamespace

    from provenance.stages.direction import published_at

    def page(when):
        return SimpleNamespace(article=SimpleNamespace(published=when))

    assert published_at(page("2018-06-01T19:03:02-04:00")) > published_at(page("2018-06-01T22:00:00+00:00"))
    assert published_at(page("2018-06-01T22:00:00")) == published_at(page("2018-06-01T22:00:00Z"))
    assert published_at(page("June the first")) is None and published_at(page(None)) is None


def _pages(story_a: str, story_b: str, published: tuple[str | None, str | None] = (None, None), common: float = 0.5):
    """Two long pages of other stories, each printing a story at a different place."""
    page_a = other_stories(1, 1500, common) + "\n\n" + story_a + "\n\n" + other_stories(2, 300, common)
    page_b = other_stories(3, 200, common) + "\n\n" + story_b + "\n\n" + other_stories(4, 1600, common)
    docs = prepare_documents([Article("a", page_a, published=published[0]),
                              Article("b", page_b, published=published[1])])
    return assess_pair(docs[0], docs[1], Aligner().align(docs[0], docs[1], 0, 1))


def test_a_story_reprinted_inside_two_long_pages_is_a_copy():
    # The story is under a tenth of each page: no share of the page makes it a copy, its length does.
    assert _pages(WIRE, WIRE).linked


def test_a_misread_word_does_not_end_a_reprinted_passage():
    # Every sixth word misread, so that no run of ten words is left verbatim.
    count = iter(range(10**6))
    misread = re.sub(r"\w+", lambda m: m.group(0)[::-1] if next(count) % 6 == 3 else m.group(0), WIRE)
    assert misread != WIRE
    assert _pages(WIRE, misread).linked


def _printed(text: str, width: int) -> str:
    """``text`` as a newspaper column prints it: each paragraph broken into lines of ``width`` characters."""
    return "\n\n".join(textwrap.fill(p, width) for p in text.split("\n") if p.strip())


def test_lines_a_scan_lost_do_not_end_a_reprinted_passage():
    # Two columns of different widths print the story; the second's scan lost every third line,
    # so no run of 25 words is left in it, but each stretch only one side has is one printed line.
    column = _printed(WIRE, 34).split("\n")
    scanned = "\n".join(line for k, line in enumerate(column) if k % 3 != 1)
    page_a = _printed(other_stories(1, 1500, 0.5), 40) + "\n\n" + _printed(WIRE, 40) + "\n\n" \
        + _printed(other_stories(2, 300, 0.5), 40)
    page_b = _printed(other_stories(3, 200, 0.5), 34) + "\n\n" + scanned + "\n\n" \
        + _printed(other_stories(4, 1600, 0.5), 34)
    docs = prepare_documents([Article("a", page_a), Article("b", page_b)])
    alignment = Aligner().align(docs[0], docs[1], 0, 1)
    assert longest_verbatim_run(alignment.a_match) < 25
    assert assess_pair(docs[0], docs[1], alignment).linked


def _reword(text: str, change) -> str:
    """``text`` with each word ``w``, the ``k``-th, replaced by ``change(k, w)``."""
    count = iter(range(10**6))
    return re.sub(r"\w+", lambda m: change(next(count), m.group(0)), text)


_LOOK_ALIKE = str.maketrans("eoaintrhucl", "cenlmfnbnel")


def _misread(word: str) -> str:
    """A scan's misreading: the second letter read as one that looks like it."""
    return word[0] + word[1:2].translate(_LOOK_ALIKE) + word[2:]


def test_two_scans_misreading_nearby_words_share_a_reprinted_passage():
    # Lightly scanned pages (English words around the story: no page reads as scanned, and the
    # word path aligns them): three words in a row misread in one scan, the first of them in the
    # other too, so no run of 25 words is left even with lone substitutions bridged.
    scan_a = _reword(WIRE, lambda k, w: _misread(w) if k % 5 in (1, 2, 3) else w)
    scan_b = _reword(WIRE, lambda k, w: _misread(w) if k % 5 == 1 or k % 7 == 4 else w)
    assert _pages(scan_a, scan_b, common=1.0).linked


def test_phrases_replaced_by_other_words_end_a_reprinted_passage():
    # Three words in nine replaced by other words on each side: a rewrite's changes, not a scan's
    # (the two pages still share some 140 words of the story).
    words_a, words_b = ("brisk", "calm", "dark", "eager", "firm", "grim", "huge"), ("sudden", "quiet", "bleak", "keen")
    phrased_a = _reword(WIRE, lambda k, w: words_a[k % 7] if k % 9 in (1, 2, 3) else w)
    phrased_b = _reword(WIRE, lambda k, w: words_b[k % 4] if k % 9 in (1, 2, 3) else w)
    assert not _pages(phrased_a, phrased_b, common=1.0).linked


def test_quotations_alone_do_not_link_long_pages():
    # Two reports quoting one long statement in full share it word for word, and copy nothing.
    statement = " ".join(WIRE.replace("“", "").replace("”", "").split())
    assert len(statement.split()) > 150
    quoted = f'The authority said in a statement: "{statement}"'
    assert not _pages("Reported by our staff.\n\n" + quoted, "From a correspondent.\n\n" + quoted).linked


def test_where_a_reprinted_passage_sits_says_nothing_of_direction_only_dates_do():
    undated = _pages(WIRE, WIRE)
    assert undated.forward == 0.0
    dated = _pages(WIRE, WIRE, ("2024-03-01T10:00:00Z", "2024-03-01T12:30:00Z"))
    assert dated.forward > 0


def test_a_date_without_a_time_is_its_whole_day():
    # A page dated "1 March" is neither before nor after one stamped 12:30 that day, but before the next day's.
    same_day = _pages(WIRE, WIRE, ("2024-03-01", "2024-03-01T12:30:00Z"))
    assert same_day.forward == 0.0 and not any(e.signal == "date" for e in same_day.evidence)
    next_day = _pages(WIRE, WIRE, ("2024-03-01", "2024-03-02T00:10:00Z"))
    assert next_day.forward > 0
    assert _pages(WIRE, WIRE, ("2024-03-02", "2024-03-01T23:50:00Z")).forward < 0


def test_a_page_titled_with_its_day_is_dated_by_it():
    # Digest and newspaper pages name their day in the title ("The Daily Digest, 2 March 2024"):
    # the earlier page is the source of a verbatim reprint, whichever is read first.
    def pages(first: str, second: str):
        body_a = other_stories(1, 600, 0.5) + "\n\n" + WIRE + "\n\n" + other_stories(2, 300, 0.5)
        body_b = other_stories(3, 200, 0.5) + "\n\n" + WIRE + "\n\n" + other_stories(4, 700, 0.5)
        docs = prepare_documents([Article("a", body_a, title=first), Article("b", body_b, title=second)])
        return docs, assess_pair(docs[0], docs[1], Aligner().align(docs[0], docs[1], 0, 1))

    docs, ev = pages("The Daily Digest, 2 March 2024", "Evening Roundup - Monday, 4 March 2024, Page 2")
    assert [d.published for d in docs] == ["2024-03-02", "2024-03-04"] and ev.forward > 0
    _, ev = pages("Evening Roundup, 4 March 2024", "The Daily Digest, 2 March 2024")
    assert ev.forward < 0
    # A headline about a day is no page's date.
    docs, _ = pages("Floods of 2 March 2024 remembered", "The Daily Digest, 4 March 2024")
    assert docs[0].published is None


def test_an_updated_stamp_only_bounds_the_publication_from_above():
    # "Updated 09:00" was published by 09:00, so before a page published at 12:30; "Updated 15:00"
    # may have been published before or after it.
    def pages(updated: str):
        body_a = "Updated " + updated + "\n\n" + other_stories(1, 600, 0.5) + "\n\n" + WIRE
        body_b = other_stories(3, 200, 0.5) + "\n\n" + WIRE + "\n\n" + other_stories(4, 700, 0.5)
        docs = prepare_documents([Article("a", body_a), Article("b", body_b, published="2024-03-01T12:30:00Z")])
        return docs, assess_pair(docs[0], docs[1], Aligner().align(docs[0], docs[1], 0, 1))

    docs, ev = pages("1 March 2024, 09:00 GMT")
    assert docs[0].published is None and docs[0].article.updated == "2024-03-01T09:00:00"
    assert ev.forward > 0 and any(e.signal == "date" for e in ev.evidence)
    _, ev = pages("1 March 2024, 15:00 GMT")
    assert ev.forward == 0.0
    _, ev = pages("1 March 2024")
    assert ev.forward == 0.0
