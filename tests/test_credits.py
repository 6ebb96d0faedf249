"""Credits as agencies and outlets really write them, and whether a copy credits its source.

The table covers datelines, credit and end lines ("(Reuters)" alone on the last
line), "via AP", "Additional reporting by", and the picture credits that are not
credits for the text.  Then ``credit_status`` per edge, and ``trace index
--outlet/--agency`` with the check's verdict when the source's outlet is unknown.
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from provenance.cli import cli
from provenance.model import Article, Edge, Latent, Lineage
from provenance.stages import boilerplate, credit
from provenance.stages.boilerplate import BoilerplateRemover, find_credits
from provenance.stages.credit import agencies_named, credit_of, credit_status, outlet_names

STORY = ("Shares in the harbour operator fell sharply on Monday after the company warned that "
         "freight volumes would drop for a second year.\n")


CREDIT_FORMS = [
        # datelines and credit lines
        ("HARARE (Reuters) - " + STORY, ("Reuters",)),
        ("LONDON, March 3 (AFP) — " + STORY, ("AFP",)),
        (STORY + "Source: Reuters", ("Reuters",)),
        (STORY + "Source: The Associated Press", ("AP",)),
        (STORY + "Credit | AA", ("AA",)),
        (STORY + "Courtesy of Bloomberg", ("Bloomberg",)),
        (STORY + "© 2024 AFP", ("AFP",)),
        (STORY + "Copyright 2018 The Associated Press. All rights reserved.", ("AP",)),
        # end lines: an agency alone on the last line, bare, in brackets or after a dash
        (STORY + "(Reuters)", ("Reuters",)),
        (STORY + "Reuters", ("Reuters",)),
        (STORY + "- AFP", ("AFP",)),
        (STORY + "[AP]", ("AP",)),
        (STORY + "(The Associated Press)", ("AP",)),
        # the sign-off closing the last sentence, after the reporting line
        (STORY + "(Reporting by Jane Doe; Editing by Tom Roe) (Reuters)", ("Reuters",)),
        (STORY.rstrip() + " (PTI)", ("PTI",)),
        # an agency in brackets inside a sentence is no sign-off
        ("Shares of the agency (Reuters) rose. " + STORY, ()),
        # contributions and attributions
        (STORY + "The Associated Press contributed to this report.", ("AP",)),
        (STORY + "Additional reporting by Reuters; editing by Jane Doe", ("Reuters",)),
        (STORY + "Reporting by AFP", ("AFP",)),
        (STORY + "via AP", ("AP",)),
        (STORY.rstrip() + " Via Reuters.", ("Reuters",)),
        (STORY + "Originally published by Bloomberg", ("Bloomberg",)),
        (STORY + "By the Associated Press", ("AP",)),
        ("Spotify ends its policy\n\nLucas Shaw, Bloomberg\n\n" + STORY, ("Bloomberg",)),
        ("CBS News\n\nAP June 1, 2018, 10:35 PM\n\n" + STORY, ("AP",)),
        # picture credits name who took the picture, not who wrote the text
        ("Photo: AP\n" + STORY, ()),
        ("Photo credit: Reuters\n" + STORY, ()),
        ("AP Photo/Evan Vucci\n" + STORY, ()),
        (STORY + "Image: AFP via Getty Images", ()),
        (STORY + "© Reuters/Jane Doe", ()),
        ("LONDON (Reuters) - A video posted online showed the harbour.\n" + STORY, ("Reuters",)),
        (STORY.rstrip() + " The police posted videos of it. (AP)", ("AP",)),
        # an agency named in the story is not a credit
        ("He told the Associated Press on Monday that " + STORY, ()),
        ("The plan, first reported by Reuters, was dropped. " + STORY, ()),
        ("A story about reuters of nothing? No credit here.", ()),
]


@pytest.mark.parametrize("text, credits", CREDIT_FORMS)
def test_credit_forms(text, credits):
    assert find_credits(text)[0] == credits


def _variants(text: str) -> list[str]:
    # Upper case, and a Kelvin sign (which IGNORECASE matches to "k") in a name.
    return [text, text.upper(), text.replace("Kyodo", "\u212aYODO"),
            STORY + "Kyodo contributed to this report.", STORY + "\u212ayodo contributed to this report."]


def test_every_match_of_a_credit_pattern_holds_one_of_its_cue_words():
    """The cue words let find_credits skip a pattern; a match without one would be lost."""
    matched = set()
    for text, _ in CREDIT_FORMS:
        for variant in _variants(text):
            for index, (regex, cues) in enumerate(zip(boilerplate._CREDIT_RES, boilerplate._CREDIT_CUES,
                                                      strict=True)):
                for match in regex.finditer(variant):
                    matched.add(index)
                    assert not cues or any(cue in match.group().lower() for cue in cues), (index, variant)
    assert matched == set(range(len(boilerplate._CREDIT_RES)))  # the table exercises every pattern


def test_credits_are_the_same_without_the_cue_words(monkeypatch):
    texts = [v for text, _ in CREDIT_FORMS for v in _variants(text)]
    with_cues = [find_credits(t) for t in texts]
    monkeypatch.setattr(boilerplate, "_CREDIT_CUES", [()] * len(boilerplate._CREDIT_RES))
    assert [find_credits(t) for t in texts] == with_cues
    assert sum(bool(c[0]) for c in with_cues) > len(texts) // 2


def _doc(text: str, **meta: str):
    return BoilerplateRemover().fit_transform([Article(id="x", text=text, **meta)])[0]


@pytest.mark.parametrize(
    "child, names, expected",
    [
        (STORY + "(Reuters)", ["Reuters"], "yes"),
        (STORY + "(Reuters)", ["AP"], "no"),
        (STORY, ["Reuters"], "no"),
        (STORY, [], "unknown"),
        (STORY + "(Reuters)", [], "unknown"),
        (STORY + "Copyright 2018 The Associated Press.", ["apnews.com", "Associated Press"], "yes"),
        (STORY + "Originally published on SFGate", ["sfgate.com"], "yes"),
        (STORY + "The story mentions sfgate in passing.", ["sfgate.com"], "no"),
        ("By Jane Roe, The Guardian\n" + STORY, ["The Guardian"], "yes"),
        ("Photo by Jane Doe/AP\n" + STORY, ["AP"], "no"),
    ],
)
def test_credit_status(child, names, expected):
    assert credit_status(_doc(child), names) == expected


def test_an_outlet_reusing_its_own_story_is_credited():
    child = _doc(STORY, outlet="www.cnet.com")
    assert credit_of(child, ["cnet.com"]) == "same outlet (cnet.com)"
    assert credit_status(child, ["cnet.com"]) == "yes" and credit_status(child, ["bbc.co.uk"]) == "no"


def test_credit_of_says_how():
    assert credit_of(_doc(STORY + "via AP"), ["Associated Press"]) == "credits AP"
    assert credit_of(_doc("Via SFGate\n" + STORY), ["sfgate.com"]) == \
        "names sfgate.com in a byline, dateline or credit line"
    assert outlet_names("www.dailymail.co.uk") == ("www.dailymail.co.uk", "dailymail")
    assert agencies_named("Anadolu Agency") == ("AA",) and agencies_named("") == ()


def _lineage(parent_outlet: str | None, child_text: str, parent_id: str = "wire") -> Lineage:
    docs = BoilerplateRemover().fit_transform([
        Article(id="wire", text="LONDON - " + STORY, outlet=parent_outlet),
        Article(id="copy", text=child_text),
    ])
    edge = Edge(parent_id, "copy", 0.9, "reprint")
    return Lineage(documents=docs, edges=[edge], latent=[], families=[])


def test_every_edge_says_whether_it_is_credited():
    assert _lineage("Reuters", STORY + "(Reuters)").credited(_lineage("Reuters", "").edges[0]) == "yes"
    assert _lineage("Reuters", STORY).to_json()["edges"][0]["credited"] == "no"
    assert _lineage(None, STORY + "(Reuters)").to_json()["edges"][0]["credited"] == "unknown"


def test_unseen_source_is_unknown_until_its_agency_is_estimated():
    lineage = _lineage(None, STORY + "(Reuters)", parent_id="~source-1")
    lineage.latent = [Latent("~source-1", ("copy",))]
    assert lineage.names_of("~source-1") == ()
    assert lineage.credited(lineage.edges[0]) == "unknown"


# ----------------------------------------------------------------------------- index stamping and check


WIRE = (
    "The central bank raised its main interest rate by half a point on Thursday, the third increase "
    "this year, saying inflation had proved more stubborn than expected. Governor Amara Nkosi told "
    "reporters the bank would act again if prices kept rising at the current pace, and that the "
    "labour market remained tight despite slower growth in the second quarter. Economists had "
    "expected a smaller move. The currency rose one percent against the dollar after the decision, "
    "and government bond yields climbed to their highest level since the spring. Retailers said the "
    "increase would weigh on spending in the months before the holiday season, while banks said "
    "mortgage rates would follow within days.\n"
)


@pytest.fixture
def feed(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps({"id": "r1", "text": WIRE}) + "\n", encoding="utf-8")
    draft = tmp_path / "draft.txt"
    draft.write_text(WIRE + "\n(Reuters)\n", encoding="utf-8")
    bare = tmp_path / "bare.txt"
    bare.write_text(WIRE, encoding="utf-8")
    return tmp_path


def _check(db, draft) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, ["check", str(draft), "--against", str(db), "-f", "json"])
    return result.exit_code, json.loads(result.stdout)


def test_unknown_outlet_is_said_not_guessed(feed):
    db = feed / "plain.sqlite"
    assert CliRunner().invoke(cli, ["index", "build", str(feed / "feed.jsonl"), "--db", str(db), "-q"]).exit_code == 0
    code, payload = _check(db, feed / "draft.txt")
    assert code == 0 and payload["verdict"] == "credited-copy"
    assert payload["sources"][0]["credit"] == "draft credits Reuters; source outlet unknown"
    text = CliRunner().invoke(cli, ["check", str(feed / "draft.txt"), "--against", str(db)]).stdout
    assert "Verdict: credited-copy (draft credits Reuters; source outlet unknown)" in text
    code, payload = _check(db, feed / "bare.txt")  # credits nobody: uncredited whatever the outlet
    assert code == 1 and payload["verdict"] == "uncredited-copy"


@pytest.mark.parametrize("command", ["build", "add"])
def test_index_stamps_a_feed_with_its_agency_and_outlet(feed, command):
    db = feed / "stamped.sqlite"
    if command == "add":
        CliRunner().invoke(cli, ["index", "build", str(feed / "draft.txt"), "--db", str(db), "-q"])
    args = ["index", command, str(feed / "feed.jsonl"), "--db", str(db), "-q", "--agency", "Reuters",
            "--outlet", "Reuters wire"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    code, payload = _check(db, feed / "draft.txt")
    source = next(s for s in payload["sources"] if s["id"] == "r1")
    assert source["credit"] == "credits Reuters" and source["outlet"] == "Reuters wire"
    code, payload = _check(db, feed / "bare.txt")
    assert next(s for s in payload["sources"] if s["id"] == "r1")["credited"] is False


def test_stamped_outlet_never_overrides_a_record_outlet(feed):
    path = feed / "own.jsonl"
    path.write_text(json.dumps({"id": "r2", "text": WIRE, "outlet": "Daily Post"}) + "\n", encoding="utf-8")
    db = feed / "own.sqlite"
    CliRunner().invoke(cli, ["index", "build", str(path), "--db", str(db), "-q", "--outlet", "Feed"])
    assert _check(db, feed / "bare.txt")[1]["sources"][0]["outlet"] == "Daily Post"


@given(st.lists(st.sampled_from(["via", "Via ", "VIA", " ", "\n", "\t", "by ", "By", "Credit", "source", "(c)", "©",
                                 "contributed to this report", "contributed to this ", "story", "x", "AP", ".", "-",
                                 "reporting", "additional ", "first published", "ſ", "\n\n"]),
                max_size=16).map("".join))
def test_credit_lines_are_what_the_patterns_alternation_finds(text):
    alternation = re.compile("|".join(p.pattern for p in credit._CREDIT_LINES), re.IGNORECASE | re.MULTILINE)
    assert credit._credit_lines(text) == [m.group() for m in alternation.finditer(text)]
