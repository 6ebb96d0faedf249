"""Tests of the wire-copy check (provenance.prepublish.check): verdicts, relations, credits, passages, validation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FURNITURE_HEAD, FURNITURE_TAIL, INDEPENDENT, SEEDS, WIRE, spin, trim

from provenance.errors import ConfigError, InputError
from provenance.model import Article
from provenance.prepublish.check import (
    MAX_DRAFT_SIZE_DEFAULT,
    THRESHOLD_DEFAULT,
    VERDICTS,
    CheckResult,
    MemoryIndex,
    check,
)
from provenance.prepublish.index import SAMPLE_DEFAULT, Index, build_index
from provenance.stages.load import load_articles

NATO = "000_ff1cc9cdafb8e1cb.txt"
REPRINT = "001_0aaa2a31d96aaafb.txt"
SPUN = "002_e3353238399ad4ec.txt"
INDEPENDENT_SEED = "003_41bf71071ac7e7a3.txt"
AA_STORY = "004_7fdd438a3d7ae7ec.txt"

# Another story on the harbour, long enough to host a copied passage.
HOST = "\n".join([
    'The regional council met on Thursday to discuss the budget for the coming year, with most of the '
    'debate taken up by road repairs and school buildings.',
    'Council members argued for several hours over how much to spend on the ring road, which has been '
    'closed twice this winter because of flooding near the river bridge.',
    'The finance director told the meeting that tax income had fallen for the second year running and '
    'that the reserves would not last beyond next spring.',
    'Opposition members said the council had wasted money on consultants and called for an independent '
    'review of every contract signed in the past three years.',
    'The leader of the council rejected the criticism and said the spending had been approved by all '
    'parties at the time, adding that the review would only delay repairs.',
    'Parents from two villages attended the meeting to ask for a new school bus route, saying their '
    'children now walk along a busy road without a pavement.',
    'The council agreed to study the request and to report back before the summer holidays, when the '
    'current bus contract ends.',
    'A final vote on the budget is expected next month after a public consultation that will run for four'
    ' weeks online and in the town libraries.',
    'Local businesses have asked the council to cut parking charges in the town centre, which they blame '
    'for falling numbers of shoppers on weekdays.',
    'The council said it would publish the full budget documents on its website by the end of the week.',
]) + "\n"


def _seed(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


def _paragraphs(name: str) -> list[str]:
    return [p for p in _seed(name).split("\n") if p.strip()]


def _seed_articles(names: list[str] | None = None) -> list[Article]:
    articles = load_articles(SEEDS).articles
    return [a for a in articles if names is None or a.id in names]


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("index") / "seeds.sqlite"
    build_index(_seed_articles(), db)
    return db


@pytest.fixture(scope="module")
def wire_sources() -> MemoryIndex:
    return MemoryIndex([Article(id="wire.txt", text=WIRE, outlet="Reuters"),
                        Article(id="independent.txt", text=INDEPENDENT, outlet="The Coastal Courier")])


# ----------------------------------------------------------------------------- verdicts on the seeds


def test_seed_paragraphs_without_credit_are_uncredited_copy(seed_index: Path) -> None:
    draft = Article(id="draft.txt", text="\n".join(_paragraphs(NATO)[:5]))
    result = check(draft, seed_index)
    assert result.verdict == "uncredited-copy" and result.flagged
    assert result.sources[0].id == NATO
    assert {s.id for s in result.sources} == {NATO, REPRINT, SPUN}
    top = result.sources[0]
    assert top.share == pytest.approx(1.0) and not top.credited and top.flagged
    assert top.relation == "trimmed"
    assert result.reused_share == pytest.approx(1.0) and result.uncredited_share == pytest.approx(1.0)


def test_seed_paragraphs_with_agency_credit_are_credited_copy(seed_index: Path) -> None:
    body = [p for p in _paragraphs(AA_STORY) if not p.startswith(("Credit", "By ", "•"))]
    draft = Article(id="draft.txt", text="\n".join(body[:6]) + "\nCredit | AA\n")
    result = check(draft, seed_index)
    assert result.verdict == "credited-copy" and not result.flagged
    (source,) = result.sources
    assert source.id == AA_STORY and source.credited and source.credit == "credits AA"


def test_same_paragraphs_without_the_credit_line_are_flagged(seed_index: Path) -> None:
    body = [p for p in _paragraphs(AA_STORY) if not p.startswith(("Credit", "By ", "•"))]
    result = check(Article(id="draft.txt", text="\n".join(body[:6])), seed_index)
    assert result.verdict == "uncredited-copy"
    assert result.sources[0].id == AA_STORY and not result.sources[0].credited


def test_independent_article_on_the_same_topic_is_original() -> None:
    result = check(Article(id="draft.txt", text=_seed(INDEPENDENT_SEED)), _seed_articles([NATO, REPRINT, SPUN]))
    assert result.verdict == "original" and not result.flagged
    assert result.sources == [] and result.reused_share == 0.0


def test_index_file_and_memory_index_agree(seed_index: Path) -> None:
    draft = Article(id="draft.txt", text="\n".join(_paragraphs(REPRINT)[4:12]))
    from_file = check(draft, seed_index)
    from_memory = check(draft, MemoryIndex(_seed_articles(), sample=SAMPLE_DEFAULT))
    assert from_file.to_json() == from_memory.to_json()
    from_folder = check(draft, SEEDS)  # every shingle kept: only the shingle counts differ
    assert [s.id for s in from_folder.sources] == [s.id for s in from_file.sources]
    assert from_folder.verdict == from_file.verdict


def test_open_index_is_reused_and_left_open(seed_index: Path) -> None:
    draft = Article(id="draft.txt", text="\n".join(_paragraphs(NATO)[:5]))
    with Index.open(seed_index) as index:
        first = check(draft, index)
        second = check(draft, index)
    assert first.to_json() == second.to_json()


# ----------------------------------------------------------------------------- relations


@pytest.mark.parametrize(
    ("text", "relation"),
    [
        (WIRE, "reprint"),
        (FURNITURE_HEAD + WIRE + FURNITURE_TAIL, "reprint"),
        (trim(WIRE, 3), "trimmed"),
        (spin(WIRE), "spun"),
    ],
    ids=["reprint", "furnished-reprint", "trimmed", "spun"],
)
def test_copies_are_caught_with_their_relation(wire_sources: MemoryIndex, text: str, relation: str) -> None:
    result = check(Article(id="draft.txt", text=text), wire_sources)
    assert result.verdict == "uncredited-copy"
    assert result.sources[0].id == "wire.txt" and result.sources[0].relation == relation


def test_light_rewrite_is_still_caught(wire_sources: MemoryIndex) -> None:
    rewrite = (WIRE.replace("said on Tuesday", "said Tuesday").replace("two tugboats", "a pair of tugs")
               .replace("told reporters at the quay", "told journalists").replace("several days", "days")
               .replace("Local fishing crews", "Fishermen"))
    result = check(Article(id="draft.txt", text=rewrite), wire_sources)
    assert result.verdict == "uncredited-copy"
    assert result.sources[0].id == "wire.txt" and result.sources[0].relation == "edited"
    assert result.sources[0].share > 0.8


def test_spun_copy_is_caught_through_the_sqlite_index(tmp_path: Path) -> None:
    db = tmp_path / "wire.sqlite"
    build_index([Article(id="wire.txt", text=WIRE), Article(id="other.txt", text=HOST)], db)
    result = check(Article(id="draft.txt", text=spin(WIRE)), db)
    assert result.verdict == "uncredited-copy"
    assert [s.id for s in result.sources] == ["wire.txt"] and result.sources[0].relation == "spun"


# ----------------------------------------------------------------------------- credits


@pytest.mark.parametrize(
    ("text", "how"),
    [
        ("PORT ELSBY (Reuters) - " + WIRE, "credits Reuters"),
        (WIRE + "Source: Reuters\n", "credits Reuters"),
        (WIRE + "(c) Reuters 2024\n", "credits Reuters"),
    ],
)
def test_agency_named_in_outlet_metadata_is_credited(wire_sources: MemoryIndex, text: str, how: str) -> None:
    result = check(Article(id="draft.txt", text=text), wire_sources)
    assert result.verdict == "credited-copy"
    assert result.sources[0].credit == how


@pytest.mark.parametrize(
    "text",
    [WIRE + "Source: Coastal Courier\n", "PORT ELSBY (The Coastal Courier) - " + WIRE,
     "By Ann Lee for the Coastal Courier\n" + WIRE, WIRE + "© 2024 The Coastal Courier\n"],
    ids=["credit-line", "dateline", "byline", "copyright"],
)
def test_outlet_named_in_a_credit_line_is_credited(text: str) -> None:
    sources = [Article(id="courier.txt", text=WIRE, outlet="The Coastal Courier")]
    result = check(Article(id="draft.txt", text=text), sources)
    assert result.verdict == "credited-copy"
    assert result.sources[0].credit == "names The Coastal Courier in a byline, dateline or credit line"


@pytest.mark.parametrize(
    "text",
    [WIRE + "The harbour was featured in The Coastal Courier last year, residents recalled.\n",
     "Photo: Coastal Courier\n" + WIRE],
    ids=["story-text", "photo-credit"],
)
def test_outlet_named_outside_credit_places_is_not_a_credit(text: str) -> None:
    sources = [Article(id="courier.txt", text=WIRE, outlet="The Coastal Courier")]
    result = check(Article(id="draft.txt", text=text), sources)
    assert result.verdict == "uncredited-copy" and result.sources[0].credit is None


def test_source_byline_carried_in_the_draft_is_a_credit() -> None:
    sources = [Article(id="wire.txt", text="By Irene Mallory\n" + WIRE)]
    result = check(Article(id="draft.txt", text="By Irene Mallory\n" + trim(WIRE, 5)), sources)
    assert result.verdict == "credited-copy" and result.sources[0].credit == "byline Irene Mallory"


def test_credit_of_another_agency_does_not_count(wire_sources: MemoryIndex) -> None:
    result = check(Article(id="draft.txt", text="PORT ELSBY (AP) - " + WIRE), wire_sources)
    assert result.verdict == "uncredited-copy"


# ----------------------------------------------------------------------------- thresholds and passages


def _host_with_passage(words: int) -> str:
    passage = " ".join(WIRE.split()[:words])
    lines = HOST.strip().split("\n")
    return "\n".join([*lines[:5], passage + ".", *lines[5:]]) + "\n"


def test_long_passage_in_a_long_draft_is_copy_below_the_share_threshold() -> None:
    draft = Article(id="draft.txt", text=_host_with_passage(70) + HOST.replace("council", "board"))
    result = check(draft, [Article(id="wire.txt", text=WIRE)])
    (source,) = result.sources
    assert source.share < THRESHOLD_DEFAULT and source.longest_passage >= 50
    assert result.verdict == "uncredited-copy"


def test_short_passage_below_both_thresholds_is_original() -> None:
    draft = Article(id="draft.txt", text=_host_with_passage(30) + HOST.replace("council", "board"))
    result = check(draft, [Article(id="wire.txt", text=WIRE)])
    assert result.verdict == "original"


def test_threshold_parameter_moves_the_verdict() -> None:
    draft = Article(id="draft.txt", text=_host_with_passage(30))
    sources = [Article(id="wire.txt", text=WIRE)]
    share = check(draft, sources, threshold=0.0).sources[0].share
    assert 0.0 < share < THRESHOLD_DEFAULT
    assert check(draft, sources, threshold=share + 0.01, passage_words=500).verdict == "original"
    assert check(draft, sources, threshold=share - 0.01, passage_words=500).verdict == "uncredited-copy"


@pytest.mark.parametrize("sources", [[], [Article(id="council.txt", text=HOST)]], ids=["no sources", "unrelated"])
def test_no_shared_words_is_original_even_at_threshold_zero(sources: list[Article]) -> None:
    # 0 >= 0: a share of nothing once reached a threshold of 0 and made the draft a copy.
    result = check(Article(id="draft.txt", text=WIRE), sources, threshold=0.0)
    assert result.reused_share == 0.0 and result.sources == []
    assert result.verdict == "original" and not result.flagged


def test_a_source_sharing_only_quoted_words_is_not_flagged_at_threshold_zero(wire_sources: MemoryIndex) -> None:
    quote = "“Nobody was hurt and there is no sign of any fuel leak,”"
    draft = Article(id="draft.txt", text=HOST.replace("The council agreed", quote + "\nThe council agreed"))
    result = check(draft, wire_sources, threshold=0.0)
    assert result.verdict == "original" and not any(s.flagged for s in result.sources)


def test_uncredited_passage_beside_a_credited_source_is_flagged() -> None:
    sources = [Article(id="wire.txt", text=WIRE, outlet="Reuters"), Article(id="council.txt", text=HOST)]
    draft = "PORT ELSBY (Reuters) - " + WIRE + "\n".join(HOST.split("\n")[:3]) + "\n"
    result = check(Article(id="draft.txt", text=draft), sources)
    by_id = {s.id: s for s in result.sources}
    assert by_id["wire.txt"].credited and not by_id["council.txt"].credited
    assert by_id["council.txt"].longest_passage >= 50
    assert result.verdict == "uncredited-copy"


def test_shared_quotation_alone_is_not_copy(wire_sources: MemoryIndex) -> None:
    quote = ("“Nobody was hurt and there is no sign of any fuel leak,” harbour master Irene Coltrane told "
             "reporters at the quay. “Our first priority is to keep the crew safe and the water clean.”")
    draft = Article(id="draft.txt", text=HOST.replace("The council agreed", quote + "\nThe council agreed"))
    assert check(draft, wire_sources).verdict == "original"


def test_passages_point_into_both_original_texts() -> None:
    source_text = FURNITURE_HEAD + WIRE
    draft_text = "Intro line written by our desk about the storm.\n" + trim(WIRE, 4)
    result = check(Article(id="draft.txt", text=draft_text), [Article(id="src.txt", text=source_text)])
    (source,) = result.sources
    assert source.passages
    for p in source.passages:
        assert draft_text[p.draft_start : p.draft_end] == p.draft_text
        assert source_text[p.source_start : p.source_end] == p.source_text
        assert p.words >= 8
    assert source.passages[0].draft_text.startswith("Harbour authorities")


# ----------------------------------------------------------------------------- output


def test_json_is_plain_data_and_deterministic(seed_index: Path) -> None:
    draft = Article(id="draft.txt", text="\n".join(_paragraphs(NATO)[:5]))
    result = check(draft, seed_index)
    payload = json.loads(result.to_json_str())
    assert payload["verdict"] in VERDICTS and payload["version"] == 1
    assert payload["draft"]["id"] == "draft.txt" and payload["draft"]["words"] == result.draft.words
    first = payload["sources"][0]
    assert set(first) >= {"id", "title", "outlet", "share", "relation", "credited", "credit", "passages"}
    assert set(first["passages"][0]) == {"draft_start", "draft_end", "source_start", "source_end", "words",
                                         "draft_text", "source_text"}
    assert result.to_json_str() == check(draft, seed_index).to_json_str()


def test_result_type() -> None:
    result = check(Article(id="d.txt", text=WIRE), [Article(id="w.txt", text=WIRE)])
    assert isinstance(result, CheckResult)


# ----------------------------------------------------------------------------- inputs and validation


def test_draft_file_and_warnings_from_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "wire"
    folder.mkdir()
    (folder / "wire.txt").write_text(WIRE, encoding="utf-8")
    (folder / "image.png").write_bytes(b"\x89PNG\r\n")
    draft = tmp_path / "draft.md"
    draft.write_text("# Lane closed\n\n" + WIRE, encoding="utf-8")
    result = check(draft, folder)
    assert result.verdict == "uncredited-copy" and result.draft.article.id == "draft.md"
    assert any("unsupported" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"   \n\t\n", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file"),
        (b"x" * (MAX_DRAFT_SIZE_DEFAULT + 1), "limit"),
        (b"Share this article\nAdvertisement\n", "no words to check"),
    ],
    ids=["empty", "blank", "binary", "huge", "furniture-only"],
)
def test_unusable_drafts_raise_input_error(tmp_path: Path, content: bytes, message: str) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_bytes(content)
    with pytest.raises(InputError, match=message):
        check(draft, [Article(id="w.txt", text=WIRE)])


def test_missing_draft_and_missing_corpus(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        check(tmp_path / "nope.txt", [Article(id="w.txt", text=WIRE)])
    with pytest.raises(InputError, match="does not exist"):
        check(Article(id="d.txt", text=WIRE), tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("threshold", 1.5, r"'threshold' parameter of check must be a float in \[0, 1\]. Got 1.5"),
        ("threshold", "0.2", r"'threshold' parameter of check must be a float in \[0, 1\]"),
        ("passage_words", 0, r"'passage_words' parameter of check must be an int >= 1. Got 0"),
        ("max_sources", 2.5, r"'max_sources' parameter of check must be an int >= 1"),
        ("min_shared", 0, r"'min_shared' parameter of check must be an int >= 1"),
        ("max_df", True, r"'max_df' parameter of check must be an int >= 1"),
        ("max_draft_size", 0, r"'max_draft_size' parameter of check must be a positive int"),
    ],
)
def test_parameters_are_validated(name: str, value: object, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        check(Article(id="d.txt", text=WIRE), [Article(id="w.txt", text=WIRE)], **{name: value})


def test_against_of_the_wrong_type_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="'against' parameter of check must be"):
        check(Article(id="d.txt", text=WIRE), 42)


def test_a_source_left_out_for_want_of_memory_is_said(monkeypatch: pytest.MonkeyPatch) -> None:
    # A source too large to align in the memory left is no source the draft is clear of: the
    # result says it was left out instead of calling the draft original in silence.
    from provenance.stages.align import Aligner

    def out_of_memory(self, *args):
        raise MemoryError

    monkeypatch.setattr(Aligner, "_align", out_of_memory)
    result = check(Article("draft.txt", WIRE), [Article("wire.txt", WIRE)])
    assert result.verdict == "original"
    assert result.warnings == ["left out wire.txt: not enough memory to compare it with the draft"]
