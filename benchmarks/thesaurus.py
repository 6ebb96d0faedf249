"""A second thesaurus and sentence rewrites, for human rewriters (not content-farm spinners).

The words here are deliberately *not* those of ``lexicon.SYNONYMS``: a tracer fitted on the
spinner's table must not be helped by meeting it again. A rewriter swaps common words for
plain equivalents, moves clauses, merges and splits sentences, and changes number formats.
"""

from __future__ import annotations

import random
import re

REWORDINGS: dict[str, str] = {
    "because": "since", "before": "prior to", "after": "following", "during": "throughout",
    "despite": "in spite of", "around": "some", "increase": "upturn", "increased": "climbed",
    "decline": "drop", "declined": "dropped", "reduce": "lower", "reduced": "lowered",
    "spokesman": "representative", "spokeswoman": "representative", "statement": "release",
    "revealed": "disclosed", "considered": "regarded", "previous": "earlier",
    "several": "a number of", "many": "numerous", "significant": "considerable",
    "although": "though", "while": "whereas", "including": "among them", "expects": "foresees",
    "bid": "attempt", "talks": "negotiations", "row": "dispute", "claims": "allegations",
    "players": "athletes", "season": "campaign", "economy": "economic system", "leader": "head",
    "leaders": "heads", "suggested": "indicated", "insisted": "maintained",
    "described": "characterised", "received": "obtained", "provide": "supply",
    "provided": "supplied", "include": "comprise", "includes": "comprises", "giant": "heavyweight",
    "customers": "clients", "analysts": "experts", "investors": "backers", "rivals": "competitors",
    "fans": "supporters", "next": "coming", "last": "past", "across": "throughout",
    "among": "amid", "within": "inside", "without": "lacking", "could": "might",
    "would": "will", "should": "ought to", "must": "has to", "called": "termed",
    "officials": "authorities", "official": "authorised", "noted": "observed",
    "biggest": "largest", "first": "initial", "second": "next", "children": "youngsters",
    "police": "officers", "minister": "secretary", "ministers": "secretaries",
    "election": "vote", "record": "all-time", "figure": "total", "further": "additional",
    "amount": "sum", "level": "degree", "levels": "degrees",
    "value": "worth", "result": "outcome", "results": "outcomes", "support": "backing",
    "attack": "assault", "service": "provision", "services": "provisions", "public": "general",
    "power": "control", "industry": "sector", "business": "trade", "firmly": "strongly",
    "action": "steps", "therefore": "so", "indeed": "in fact", "perhaps": "maybe",
    "which": "that", "but": "yet", "over": "above", "under": "below", "like": "such as",
    "only": "just", "whether": "if", "against": "versus", "until": "till", "even": "actually",
    "then": "subsequently", "whole": "entire", "every": "each", "another": "one more",
    "again": "once more", "chairman": "chair", "director": "head", "members": "participants",
    "staff": "employees", "workers": "employees", "news": "reports", "data": "statistics",
    "research": "study", "comments": "remarks", "proposals": "plans", "measures": "steps",
    "changes": "shifts", "losses": "deficits", "led": "headed", "looking": "seeking",
    "continue": "carry on", "continued": "carried on", "remain": "stay", "remains": "stays",
    "became": "turned into", "become": "turn into", "seen": "viewed", "seems": "appears",
    "come": "arrive", "decided": "chose", "accused": "charged", "faces": "confronts",
    "face": "confront", "hoped": "wished",
}
"""Common word -> plain equivalent (lower case keys), none of them a spinner's key."""


_SAID_RE = re.compile(r"^(?P<quote>.{20,}?),\s+(?P<who>[A-Z][\w.' -]{2,40}?|he|she|they|the \w+)"
                      r"\s+(?P<verb>said|says|added)\.$")
_LEAD_CLAUSE_RE = re.compile(r"^(?P<lead>(?:In|On|At|By|For|After|Since|During) [^,]{3,40}),\s+(?P<rest>.+?)\.$")
_PERCENT_RE = re.compile(r"(\d+(?:\.\d+)?)( per cent| percent|%| pct)")
_MILLION_RE = re.compile(r"(\d+(?:\.\d+)?)(m| million| mln)\b")
_THOUSANDS_RE = re.compile(r"\b(\d{1,3}),(\d{3})\b")
_SMALL = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_SMALL_RE = re.compile(r"(?<!\d[.,])\b([2-9])\b(?![.,]\d)")


def reword_clauses(sentence: str, rng: random.Random) -> str:
    """Move one clause: "X, Y said." -> "Y said X."; "In 2004, A did B." -> "A did B in 2004."."""
    said = _SAID_RE.match(sentence)
    if said and rng.random() < 0.7:
        quote = said["quote"].strip("\"“”")
        who = said["who"][:1].upper() + said["who"][1:]
        return f"{who} {said['verb']} that {quote[:1].lower()}{quote[1:]}."
    lead = _LEAD_CLAUSE_RE.match(sentence)
    if lead and rng.random() < 0.7:
        rest = lead["rest"]
        return f"{rest[:1].upper()}{rest[1:]} {lead['lead'][:1].lower()}{lead['lead'][1:]}."
    return sentence


def reformat_numbers(text: str, rng: random.Random) -> str:
    """Change number formats the way another desk writes them: "5 per cent" <-> "5%", "2m" -> "2 million", ..."""
    text = _PERCENT_RE.sub(lambda m: m[1] + rng.choice(("%", " per cent", " percent")), text)
    text = _MILLION_RE.sub(lambda m: m[1] + rng.choice((" million", "m", "mn")), text)
    if rng.random() < 0.5:
        text = _THOUSANDS_RE.sub(r"\1\2", text)
    if rng.random() < 0.5:
        text = _SMALL_RE.sub(lambda m: _SMALL[int(m[1])], text)
    return text


def merge_sentences(sentences: list[str], rng: random.Random, rate: float) -> list[str]:
    """Join some adjacent sentences with "; " or ", and "."""
    out: list[str] = []
    for sentence in sentences:
        if out and out[-1].endswith(".") and rng.random() < rate and sentence[:1].isupper():
            joiner = rng.choice(("; ", ", and "))
            first_word = sentence.split(" ", 1)[0]
            # Keep capitals of names and "I"; lower-case an ordinary first word.
            lowered = sentence if first_word.isupper() or first_word in {"I", "Mr", "Mrs"} else (
                sentence[:1].lower() + sentence[1:])
            out[-1] = out[-1][:-1] + joiner + lowered
        else:
            out.append(sentence)
    return out


def split_sentence(sentence: str) -> list[str]:
    """Split a long sentence at its first "; " or ", and " (the inverse of a merge)."""
    for joiner in ("; ", ", and ", ", but "):
        head, sep, tail = sentence.partition(joiner)
        if sep and len(head.split()) >= 6 and len(tail.split()) >= 6:
            tail = tail.rstrip(".")
            return [head + ".", tail[:1].upper() + tail[1:] + "."]
    return [sentence]
