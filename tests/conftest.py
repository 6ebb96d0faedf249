"""Shared fixtures: tiny named article families written for these tests (no corpus text)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from provenance.model import Article

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SHARED = REPO.parent / "shared"
CORPORA = SHARED / "corpora"

WIRE = """Harbour authorities in Port Elsby said on Tuesday they had closed the northern shipping lane after a cargo vessel lost power and drifted onto a sandbank during a storm.
The ship, carrying timber and steel from the southern coast, sent a distress call shortly after midnight, and two tugboats reached it within an hour, the authority said in a statement.
“Nobody was hurt and there is no sign of any fuel leak,” harbour master Irene Coltrane told reporters at the quay. “Our first priority is to keep the crew safe and the water clean.”
Officials said the lane would stay closed until engineers had checked the hull and the tide was high enough to move the vessel, which could take several days.
Local fishing crews said the closure would force them to take a longer route to the open sea, adding fuel costs at a difficult time for the industry.
The regional government said it would review safety rules for large vessels using the harbour in bad weather, a step that campaigners have demanded for years.
Shipping traffic to the southern terminals was not affected, and ferries to the islands ran on their normal timetable, the authority added.
"""

INDEPENDENT = """A freighter that ran aground near Port Elsby remained stuck on Wednesday as salvage teams waited for calmer seas, according to people working at the scene.
Divers inspected the underside of the ship in the afternoon and found dents but no breach, a salvage company spokesman said by telephone.
“Nobody was hurt and there is no sign of any fuel leak,” harbour master Irene Coltrane told reporters at the quay.
Fishermen gathered at the harbour wall to watch the operation, and several complained that the closure of the northern channel had cost them a day at sea.
Environmental groups have long warned that the harbour is too shallow for the largest timber carriers, and they renewed calls for a limit on vessel size.
The owner of the ship, a company registered abroad, did not answer requests for comment.
"""

SYNONYMS = {"said": "mentioned", "sent": "despatched", "shortly": "momentarily", "reached": "attained",
            "safe": "secure", "longer": "lengthier", "review": "evaluate", "large": "sizeable",
            "normal": "commonplace", "closed": "shuttered", "several": "a number of", "after": "following",
            "first": "foremost", "difficult": "troublesome", "move": "relocate"}

FURNITURE_HEAD = "The Coastal Courier\nPublished: Updated:\nShare this article\n"
FURNITURE_TAIL = "\nRead more:\nFerry strike called off after pay deal\nNew bridge opens to traffic\n© 2024 The Coastal Courier. All rights reserved.\n"


def spin(text: str) -> str:
    """Swap common words for rarer synonyms, as a content farm does."""
    out = []
    for word in text.split(" "):
        bare = word.strip(".,")
        out.append(word.replace(bare, SYNONYMS[bare]) if bare in SYNONYMS else word)
    return " ".join(out)


def trim(text: str, keep: int) -> str:
    return "\n".join(text.strip().split("\n")[:keep]) + "\n"


_COMMON_WORDS = "the of and to in a said on for was that with as at by from it his were is".split()


def other_stories(seed: int, words: int, common: float = 0.85) -> str:
    """Paragraphs of unrelated text, about ``words`` long, mostly the commonest words of English.

    Two such texts share no passage but many scattered common words, as the other
    stories of two newspaper pages do.
    """
    rng = random.Random(seed)
    own = ["".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3)) for _ in range(400)]
    sentences: list[str] = []
    while sum(len(s.split()) for s in sentences) < words:
        picked = [rng.choice(_COMMON_WORDS) if rng.random() < common else rng.choice(own)
                  for _ in range(rng.randint(10, 18))]
        sentences.append(" ".join(picked).capitalize() + ".")
    return "\n\n".join(" ".join(sentences[i:i + 4]) for i in range(0, len(sentences), 4))


@pytest.fixture
def family_articles() -> list[Article]:
    """Wire story, a furnished reprint, a spun copy, a trimmed copy and an unrelated story on the same event."""
    return [
        Article(id="wire.txt", text=WIRE),
        Article(id="reprint.txt", text=FURNITURE_HEAD + WIRE + FURNITURE_TAIL),
        Article(id="spun.txt", text=spin(WIRE)),
        Article(id="trimmed.txt", text=trim(WIRE, 4)),
        Article(id="independent.txt", text=INDEPENDENT),
    ]


@pytest.fixture
def family_dir(tmp_path: Path, family_articles: list[Article]) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for article in family_articles:
        (folder / article.id).write_text(article.text, encoding="utf-8")
    return folder


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS
