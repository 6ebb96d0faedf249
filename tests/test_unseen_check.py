"""`trace check` against a story the index holds only as reprints: the draft copies their unseen source."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from wordfreq import top_n_list

from provenance.cli import cli


def _story(seed: int) -> list[str]:
    rng = random.Random(seed)
    vocab = [w for w in top_n_list("en", 3000) if w.isalpha() and len(w) > 2]
    return [" ".join(" ".join(rng.choice(vocab) for _ in range(rng.randint(10, 16))).capitalize() + "."
                     for _ in range(3)) for _ in range(6)]


def _change(paragraph: str, old_index: int, new: str) -> str:
    words = paragraph.split()
    words[old_index] = new
    return " ".join(words)


@pytest.fixture(scope="module")
def reprint_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """An index holding three reprints of one AP story (each with changes of its own) and unrelated stories."""
    story = _story(7)
    folder = tmp_path_factory.mktemp("reprints")
    a = [f"NEW YORK (AP) — {story[0]}", _change(story[1], 3, "harbour"), *story[2:5]]
    b = [story[0], story[1], story[2], _change(story[3], 5, "lantern"), story[4], story[5],
         "Copyright 2024 The Associated Press. All rights reserved."]
    c = ["By The Associated Press", story[0], story[1], _change(story[2], 2, "meadow"), story[3], story[4],
         story[5]]
    for name, paragraphs in (("herald.txt", a), ("courier.txt", b), ("ledger.txt", c)):
        (folder / name).write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    for seed in (11, 12):
        (folder / f"other-{seed}.txt").write_text("\n\n".join(_story(seed)) + "\n", encoding="utf-8")
    db = tmp_path_factory.mktemp("db") / "index.sqlite"
    result = CliRunner().invoke(cli, ["index", "build", str(folder), "--db", str(db), "-q"])
    assert result.exit_code == 0, result.output
    return db, story


def _check(db: Path, draft: Path, *extra: str):
    return CliRunner().invoke(cli, ["check", str(draft), "--against", str(db), *extra])


def test_uncredited_lift_of_an_agency_story_held_only_as_reprints(reprint_index, tmp_path: Path) -> None:
    db, story = reprint_index
    draft = tmp_path / "draft.txt"
    draft.write_text("Our own opening line about the matter.\n\n" + "\n\n".join(story[:5]) + "\n", encoding="utf-8")
    result = _check(db, draft)
    assert result.exit_code == 1, result.output
    assert "copy of an unseen source reconstructed from 3 reprints, probably AP" in result.stdout
    assert "does not credit AP" in result.stdout
    payload = json.loads(_check(db, draft, "-f", "json").stdout)
    unseen = payload["unseen_source"]
    assert unseen["agency"] == "AP" and not unseen["credited"]
    assert sorted(unseen["copies"]) == ["courier.txt", "herald.txt", "ledger.txt"]
    # The reconstruction reads the story's words, not any one reprint's changes.
    assert "harbour" not in unseen["text"] and "lantern" not in unseen["text"] and "meadow" not in unseen["text"]
    assert story[1].split()[3] in unseen["text"]


def test_a_draft_crediting_the_agency_is_credited_copy(reprint_index, tmp_path: Path) -> None:
    db, story = reprint_index
    draft = tmp_path / "credited.txt"
    draft.write_text("WASHINGTON (AP) — " + "\n\n".join(story[:5]) + "\n", encoding="utf-8")
    result = _check(db, draft, "-f", "json")
    payload = json.loads(result.stdout)
    assert payload["unseen_source"]["credited"] and payload["verdict"] == "credited-copy"
    assert result.exit_code == 0
