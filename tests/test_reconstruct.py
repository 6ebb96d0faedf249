"""Reconstruction of unseen sources and their probable agency (stages reconstruct and agency)."""

from __future__ import annotations

import json

import pytest
from conftest import SEEDS, WIRE, spin

import provenance
from provenance.model import Article
from provenance.pipeline import analyse, prepare_documents
from provenance.stages.agency import infer_agency
from provenance.stages.normalise import tokenize
from provenance.stages.reconstruct import GAP_MARK, reconstruct

PARAS = WIRE.strip().split("\n")


def _words(text: str) -> list[str]:
    return list(tokenize(text).words)


def _copies(texts: dict[str, str]):
    documents, pairs, _ = analyse([Article(id=k, text=v) for k, v in texts.items()])
    index = {d.id: k for k, d in enumerate(documents)}
    return documents, pairs, index


def _join(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs) + "\n"


def test_each_place_reads_as_most_copies_do():
    a = _join([PARAS[0].replace("storm", "gale"), *PARAS[1:6]])  # reworded, last paragraph cut
    b = _join([p.replace("timber", "lumber") for p in PARAS[:3] + PARAS[4:]])  # reworded, paragraph 4 cut
    c = _join([p.replace("quay", "pier") for p in PARAS])
    documents, pairs, index = _copies({"a": a, "b": b, "c": c})
    rebuilt = reconstruct(documents, pairs, [index["a"], index["b"], index["c"]])
    assert _words(rebuilt.text) == _words(WIRE)
    assert GAP_MARK not in rebuilt.text
    kinds = {(c.child, c.kind) for c in rebuilt.changes}
    assert {("a", "reworded"), ("a", "cut"), ("b", "reworded"), ("b", "cut"), ("c", "reworded")} == kinds
    # What a copy changed reads back from the offsets: the source's word and the copy's.
    by = {c.child: c for c in rebuilt.changes if c.kind == "reworded"}
    assert rebuilt.text[by["a"].source_start:by["a"].source_end] == "storm"
    assert a[by["a"].copy_start:by["a"].copy_end] == "gale"
    # Passages cover the text, each with the copies that carry it: paragraph 4 lacks b.
    assert rebuilt.passages[0].start == 0 and not _words(rebuilt.text[rebuilt.passages[-1].end:])
    fourth = rebuilt.text.index(PARAS[3][:30])
    (inside,) = [p for p in rebuilt.passages if p.start <= fourth < p.end]
    assert inside.support == ("a", "c")


def test_two_copies_that_disagree_keep_one_reading():
    a = _join([PARAS[0].replace("storm", "gale"), *PARAS[1:]])
    b = _join([PARAS[0], PARAS[1].replace("timber", "lumber"), *PARAS[2:]])
    documents, pairs, index = _copies({"a": a, "b": b})
    words = _words(reconstruct(documents, pairs, [index["a"], index["b"]]).text)
    assert len(words) == len(_words(WIRE))
    assert ("storm" in words) != ("gale" in words) and ("timber" in words) != ("lumber" in words)


def test_stretches_no_copy_spans_are_marked():
    # Two pairs of copies: paragraphs 2-3 shared by x and y, paragraphs 6-7 by z and w; nothing spans 4-5.
    x = _join(PARAS[:3])
    y = _join(PARAS[1:3])
    z = _join(PARAS[5:7])
    w = _join(PARAS[5:])
    documents, pairs, index = _copies({"x": x, "y": y, "z": z, "w": w})
    rebuilt = reconstruct(documents, pairs, [index[k] for k in "xyzw"])
    assert rebuilt.text.count(GAP_MARK) == 1
    before, after = rebuilt.text.split(GAP_MARK)
    assert _words(before) == _words(_join(PARAS[1:3])) and _words(after) == _words(z)


def test_text_one_copy_alone_carries_is_not_the_source():
    # Each copy adds its own page text: a header, a paragraph of its own, a footer. The source is
    # what they share; a word one copy changed inside the shared text is still read by the majority.
    header = "A tugboat guides a cargo ship past the breakwater in a photo taken last winter by our staff."
    footer = "Our journalism takes a lot of time, effort and hard work; please consider subscribing today."
    own = "Residents along the river said they had watched the ship drift for hours before anyone came."
    a = _join([header, *PARAS])
    b = _join([*PARAS[:3], own, *PARAS[3:]])
    c = _join([PARAS[0].replace("storm", "gale"), *PARAS[1:], footer])
    documents, pairs, index = _copies({"a": a, "b": b, "c": c})
    rebuilt = reconstruct(documents, pairs, [index["a"], index["b"], index["c"]])
    assert _words(rebuilt.text) == _words(WIRE)
    added = {(ch.child, c[ch.copy_start:ch.copy_end] if ch.child == "c" else None) for ch in rebuilt.changes
             if ch.kind == "added"}
    assert {"a", "b", "c"} <= {child for child, _ in added} and ("c", footer.rstrip(".")) in added


def test_seed_source_reads_as_the_story_the_copies_share():
    lineage = provenance.trace(SEEDS)
    (lat,) = lineage.latent
    words = _words(lat.text)
    reprint = lineage.document("001_0aaa2a31d96aaafb.txt").content_words
    spun = lineage.document("002_e3353238399ad4ec.txt").content_words
    import difflib

    # The reprint changed two places; the spinner dozens: the source reads as the reprint does.
    assert difflib.SequenceMatcher(None, words, reprint, autojunk=False).ratio() >= 0.95
    assert difflib.SequenceMatcher(None, words, spun, autojunk=False).ratio() < 0.9
    assert lat.agency is not None and lat.agency.label == "agency unknown"
    assert lineage.to_json()["latent"][0]["text"] == lat.text


def _docs(*texts: str):
    return prepare_documents([Article(id=f"d{k}", text=t) for k, t in enumerate(texts)])


@pytest.mark.parametrize(("texts", "name", "credited"), [
    ((f"NEW YORK (AP) — {WIRE}", f"{WIRE}\nBy The Associated Press", spin(WIRE)), "AP", 2),
    ((f"{WIRE}\nSource: Global Newswire", WIRE, f"{WIRE}\nStory supplied by Global Newswire."), "Global Newswire", 2),
    ((f"{WIRE}\nCopyright 2024 Northwind Press.", WIRE), "Northwind Press", 1),
])
def test_agency_is_the_name_most_copies_credit(texts, name, credited):
    agency = infer_agency(_docs(*texts))
    assert (agency.name, agency.credited, agency.documents) == (name, credited, len(texts))
    assert len(agency.evidence) == credited and agency.label.startswith(f"probably {name} (credited by")


@pytest.mark.parametrize("texts", [
    (WIRE, spin(WIRE)),
    # An outlet's own copyright: its name is on the page elsewhere.
    (f"Harbour Gazette\n{WIRE}\n© 2024 Harbour Gazette Media Ltd.", WIRE),
    # A person who contributed, not an agency.
    (f"{WIRE}\nCNET's Joan Smith contributed to this report.", WIRE),
])
def test_agency_unknown_when_nothing_credits_one(texts):
    assert infer_agency(_docs(*texts)).label == "agency unknown"


def test_a_document_root_takes_only_its_own_credit():
    root, copy = _docs(WIRE, f"LONDON (Reuters) - {WIRE}")
    assert infer_agency([root, copy], own=root) is None
    agency = infer_agency([copy, root], own=copy)
    assert agency.name == "Reuters" and agency.label.endswith("of 2 documents)")


def test_show_sources_prints_each_reconstruction_with_its_support(tmp_path):
    from click.testing import CliRunner

    from provenance.cli import cli

    # Each copy has a change of its own, so none of them can be the others' source.
    own = {"a": (("storm", "gale"), ("Local fishing crews", "Fishermen"), ("quay", "dock"),
                 ("campaigners", "activists")),
           "b": (("two tugboats", "two tugs"), ("which could take several days", "which might take days"),
                 ("timber and steel", "logs and metal"), ("ferries to the islands", "island ferries")),
           "c": ()}
    for name in ("a", "b", "c"):
        text = WIRE
        for old, new in own[name]:
            text = text.replace(old, new)
        (tmp_path / f"{name}.txt").write_text(f"LONDON (Reuters) - {text}\x1b[2J" if name != "c" else spin(text),
                                              encoding="utf-8")
    plain = CliRunner().invoke(cli, [str(tmp_path), "-q", "-j", "1"])
    shown = CliRunner().invoke(cli, [str(tmp_path), "--show-sources", "-q", "-j", "1"])
    data = json.loads(CliRunner().invoke(cli, [str(tmp_path), "-f", "json", "-q", "-j", "1"]).stdout)
    assert plain.exit_code == shown.exit_code == 0
    assert "Unseen sources" not in plain.stdout and "Unseen sources" in shown.stdout
    assert shown.stdout.startswith(plain.stdout.rstrip("\n"))
    (lat,) = data["latent"]
    n, children = len(lat["children"]), ", ".join(lat["children"])
    assert f"reconstructed from {n} copies; probably Reuters (credited by" in shown.stdout
    assert f"passage 1: carried by {n} of {n} ({children})" in shown.stdout
    assert "(3 documents; probably Reuters (credited by" in plain.stdout
    assert "\x1b" not in shown.stdout
    # The spinner's rarer synonyms lose to the words the other copies agree on.
    assert "they had closed the northern shipping lane" in " ".join(shown.stdout.split())
