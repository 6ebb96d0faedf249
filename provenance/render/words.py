"""Plain words for reports: evidence sentences, headlines and credit phrases.

Every renderer that shows evidence to a reader (text, HTML) goes through
:func:`evidence_sentence`, so no machine name (``model:child_unique``) or raw
log-odds weight ("+0.0") reaches an editor; the JSON, CSV and pandas exports
keep the machine names and weights for tools.
"""

from __future__ import annotations

import re

from ..model import Document, Edge, Evidence, Latent
from ..stages.load_formats import first_sentence

__all__ = ["AGENCY_NAMES", "evidence_sentence", "strength", "headline", "credited_phrase", "main_evidence",
           "MODEL_SIGNALS", "WEAK_CONFIDENCE"]

#: Full names of the agencies :func:`~provenance.stages.boilerplate.find_credits` abbreviates,
#: so a reader searching "Associated Press" finds the copies credited to AP.
AGENCY_NAMES = {
    "AP": "Associated Press", "AFP": "Agence France-Presse", "AA": "Anadolu Agency",
    "PA": "Press Association", "dpa": "Deutsche Presse-Agentur", "UPI": "United Press International",
    "PTI": "Press Trust of India", "IANS": "Indo-Asian News Service", "BBC": "British Broadcasting Corporation",
}
#: Links below this confidence are drawn dashed and called weak.
WEAK_CONFIDENCE = 0.6

#: What each signal of the tree model weighs, in words (features of provenance/stages/edge_model.py).
MODEL_SIGNALS = {
    "older": "which of the two texts looks older",
    "tail": "whether one text stops early, as copies cut from the bottom do",
    "head": "whether a new opening was written over the copied text",
    "spin": "whether common words were swapped for rarer synonyms",
    "noise": "garbled words (OCR or typing errors) on one side only",
    "furniture": "how much page furniture wraps each text (wire copy arrives bare)",
    "date": "the publication dates",
    "length": "the difference in length",
    "containment": "how much of each text the other holds",
    "explains": "how much of the copy this source contains, compared with the best other candidate",
    "coverage_child": "the share of the copy found in this source",
    "coverage_parent": "the share of this source found in the copy",
    "originality": "how original this source looks against the whole family",
    "conflict_wording": "each side has wording changes the other lacks, where a third copy agrees",
    "conflict_total": "each side has changes the other lacks, where a third copy agrees",
    "witnesses": "how many other copies could be compared",
    "wrapping_shared": "the copy carries this source's dateline or credit line",
    "pair_family": "the family has only these two articles",
    "distance": "how far apart the two texts are",
    "closest": "whether this source is the closest of the copy's possible sources",
    "parent_unique": "changes in this source that no other copy has",
    "child_unique": "changes in the copy that no other copy has",
    "parent_bare": "whether this source is bare text, without page furniture",
    "child_bare": "whether the copy is bare text, without page furniture",
    "against_child": "places where the copy agrees with another, older copy against this source",
    "sites_gap": "changes between the two beyond those of the copy's closest possible source",
    "parent_runs_on": "whether this source runs on past the end of the copy",
    "direction_against": "signals that the copying went the other way",
}
_UNKNOWN_SIGNAL = "another pattern the tree model learned from simulated syndication"
_MACHINE_NAME = re.compile(r"[a-z]+(?:[_:-][a-z]+)+|[a-z_]+")


def strength(weight: float) -> str:
    """A weight in words: ``"strong support"``, ``"some doubt"``... (empty for a bare fact).

    Examples
    --------
    >>> strength(3.0), strength(-0.3), strength(0.0)
    ('strong support', 'slight doubt', '')
    """
    size = abs(weight)
    if size < 0.05:
        return ""
    word = "strong" if size >= 2.0 else "some" if size >= 0.7 else "slight"
    return f"{word} {'support' if weight > 0 else 'doubt'}"


def evidence_sentence(ev: Evidence) -> str:
    """One plain sentence for one signal, without its machine name or numeric weight.

    Examples
    --------
    >>> evidence_sentence(Evidence("model:child_unique", -1.2, "child_unique"))
    'Weighed against the link: changes in the copy that no other copy has.'
    >>> evidence_sentence(Evidence("containment", 0.0, "shares 300 words"))
    'Shares 300 words.'
    """
    name = ev.signal.removeprefix("model:")
    if ev.signal.startswith("model:") or not ev.detail or _MACHINE_NAME.fullmatch(ev.detail):
        what = MODEL_SIGNALS.get(name, _UNKNOWN_SIGNAL)
    else:
        what = ev.detail
    what = what.rstrip(". ")
    if abs(ev.weight) < 0.05:
        return what[:1].upper() + what[1:] + "."
    lead = "Weighed for the link" if ev.weight > 0 else "Weighed against the link"
    return f"{lead}: {what}."


def headline(doc: Document | Latent) -> str:
    """What a reader calls an article: its title, else its first sentence; ``"unseen source"`` for a latent one."""
    if isinstance(doc, Latent):
        return "unseen source"
    if doc.title:
        return doc.title
    # From the story's first word: a date stamp or a page line before it is no headline.
    start = int(doc.tokens.starts[doc.content[0]]) if len(doc.content) else 0
    return first_sentence(doc.article.text[start:]) or first_sentence(doc.article.text) or doc.id


def credited_phrase(credited: str) -> str:
    """``credited`` of an edge in words.

    Examples
    --------
    >>> credited_phrase("no")
    'uncredited'
    """
    return {"yes": "credited", "no": "uncredited"}.get(credited, "credit unknown")


def main_evidence(edge: Edge) -> Evidence | None:
    """The strongest signal of an edge (bare facts such as shared words left out)."""
    return max((ev for ev in edge.evidence if abs(ev.weight) >= 0.05 and ev.signal != "prior"),
               key=lambda ev: abs(ev.weight), default=None)
