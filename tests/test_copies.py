"""A story held hundreds of times is copy, not a stock phrase (issue 17, section 2).

Shingles in more than ``max_df`` documents are dropped as stock phrases; exact
duplicates collapse to one representative first, and a frequent passage that
makes up most of the documents holding it is kept.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

from click.testing import CliRunner
from conftest import SEEDS, WIRE, spin

from provenance.cli import cli
from provenance.model import Article
from provenance.pipeline import prepare_documents
from provenance.stages.candidates import find_candidates

STOCK = "the minister told reporters at a press conference in the capital on the same afternoon"
STORY = SEEDS / "001_0aaa2a31d96aaafb.txt"
EDITED, SPUN = SEEDS / "000_ff1cc9cdafb8e1cb.txt", SEEDS / "002_e3353238399ad4ec.txt"


def _random_text(rng: random.Random, words: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return " ".join("".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for _ in range(words)) + "."


def stock_phrase_articles(count: int) -> list[Article]:
    """``count`` unrelated texts of 150 random words, each with the same 15-word stock sentence."""
    rng = random.Random(17)
    return [Article(id=f"s{k}.txt", text=f"{_random_text(rng, 80)} {STOCK}. {_random_text(rng, 70)}")
            for k in range(count)]


def _edited(text: str, rng: random.Random) -> str:
    """The text with one word replaced in each of three random places (a near duplicate)."""
    words = text.split(" ")
    for at in rng.sample(range(len(words)), 3):
        words[at] = "changed"
    return " ".join(words)


def test_exact_duplicates_collapse_before_document_frequency():
    docs = prepare_documents([Article(id=f"c{k:03d}.txt", text=WIRE) for k in range(12)]
                             + [Article(id="spun.txt", text=spin(WIRE))])
    found = find_candidates(docs, max_df=5)
    spun = next(i for i, d in enumerate(docs) if d.id == "spun.txt")
    assert any(spun in (c.a, c.b) for c in found)
    assert len(found) == 13 * 12 // 2  # a small group is expanded in full, as if compared one by one


def test_a_large_group_of_duplicates_pairs_with_its_representative_only():
    docs = prepare_documents([Article(id=f"c{k:03d}.txt", text=WIRE) for k in range(30)]
                             + [Article(id="spun.txt", text=spin(WIRE))])
    found = find_candidates(docs, max_candidates=10)
    assert len(found) == 30  # 29 copies to their representative, and the representative to the spun copy
    partners = {c.a for c in found} | {c.b for c in found}
    assert len(partners) == 31


def test_near_duplicates_past_max_df_stay_candidates_and_stock_phrases_do_not():
    rng = random.Random(3)
    copies = [Article(id=f"n{k}.txt", text=_edited(WIRE, rng)) for k in range(8)]
    docs = prepare_documents(copies + stock_phrase_articles(8))
    ids = [d.id for d in docs]
    found = {frozenset((ids[c.a], ids[c.b])) for c in find_candidates(docs, max_df=4)}
    assert {frozenset((a.id, b.id)) for a in copies for b in copies if a.id < b.id} <= found
    assert not any(pair & {f"s{k}.txt" for k in range(8)} for pair in found)


def _copies_folder(tmp_path: Path, count: int) -> Path:
    folder = tmp_path / "s"
    folder.mkdir()
    for k in range(count):
        shutil.copy(STORY, folder / f"o{k}.txt")
    return folder


def test_201_copies_make_one_family_with_the_edited_and_spun_copies(tmp_path):
    folder = _copies_folder(tmp_path, 201)
    shutil.copy(EDITED, folder / EDITED.name)
    shutil.copy(SPUN, folder / SPUN.name)
    result = CliRunner().invoke(cli, [str(folder), "--format", "json", "-q", "-j", "1"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["documents"]) == 203
    assert [len(f["members"]) for f in data["families"]] == [203]


def test_check_flags_a_story_held_201_times(tmp_path):
    folder = _copies_folder(tmp_path, 201)
    result = CliRunner().invoke(cli, ["check", str(STORY), "--against", str(folder), "--format", "json"])
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["verdict"] == "uncredited-copy"


def test_check_flags_it_against_an_index_too(tmp_path):
    folder = _copies_folder(tmp_path, 201)
    db = tmp_path / "wire.sqlite"
    built = CliRunner().invoke(cli, ["index", "build", str(folder), "--db", str(db), "-q"])
    assert built.exit_code == 0, built.output
    result = CliRunner().invoke(cli, ["check", str(STORY), "--against", str(db), "--format", "json"])
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["verdict"] == "uncredited-copy"


def test_check_still_ignores_stock_phrases(tmp_path):
    folder = tmp_path / "stock"
    folder.mkdir()
    for article in stock_phrase_articles(6):
        (folder / article.id).write_text(article.text)
    draft = tmp_path / "draft.txt"
    draft.write_text(stock_phrase_articles(7)[-1].text)
    result = CliRunner().invoke(cli, ["check", str(draft), "--against", str(folder), "--max-df", "5",
                                      "--passage-words", "100", "--threshold", "0.05", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["verdict"] == "original"
