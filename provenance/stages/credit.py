"""Does a copy credit its source?  Document + the names the source goes by -> yes / no / unknown.

The credits themselves (agencies named in datelines, credit and end lines) are
found by :func:`provenance.stages.boilerplate.find_credits` when documents are
built; this module compares them, and the copy's byline, dateline and credit
lines, with the names of a source: its outlet and the agencies it is credited
to.  ``trace`` uses it for every edge, ``trace check`` for every source.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable
from functools import lru_cache

from ..model import Document
from .boilerplate import find_credits
from .shingles import per_document

__all__ = ["credit_status", "credit_of", "credit_places", "keep_credit_places", "agencies_named", "outlet_names"]

# Lines where a text credits someone: "By ...", "Credit | ...", "Source: ...", "Reporting by ...",
# "© ...", "... contributed to this report", "via ...", "Originally published ..." (a photo credit
# is not a credit for the text, but these lines only feed outlet-name matching).  Three patterns,
# found as their alternation would find them (see _credit_lines): the alternation, tried at every
# character, cost twice what the three searched apart do, and the second, whose ``.*`` backtracks over
# every line, is searched only in a text with its phrase.
_CREDIT_LINES = tuple(re.compile(pattern, re.IGNORECASE | re.MULTILINE) for pattern in (
    r"^[ \t]*(?:(?:by|credits?|sources?|via|courtesy|(?:additional\s+)?reporting|writing|editing|copyright"
    r"|originally|first\s+published)\b|©|\(c\)).*$",
    r"^.*\bcontributed to this (?:report|story|article)\b.*$",
    r"\bvia\s+[^\n]{1,40}$",
))
_CONTRIBUTED = re.compile(r"contributed to this ", re.IGNORECASE)
# Domain endings dropped to get the name an outlet signs with ("sfgate.com" -> "sfgate").
_DOMAIN_TAIL = re.compile(r"(?:\.(?:com|net|org|co|uk|us|ca|au|de|fr|info|news|tv))+(?:/.*)?$", re.IGNORECASE)


def credit_places(doc: Document) -> str:
    """Folded text of the document's bylines, datelines and credit lines, where a source is named.

    Examples
    --------
    >>> from provenance.stages.boilerplate import BoilerplateRemover
    >>> from provenance.model import Article
    >>> doc = BoilerplateRemover().fit_transform([Article("a", "Text here.\\nVia SFGate")])[0]
    >>> credit_places(doc)
    'via sfgate'
    """
    return per_document(_PLACES, doc, _credit_places)


# Each document's credit_places, when worked out (by the lineage workers, for the report to read).
_PLACES: weakref.WeakKeyDictionary[Document, str] = weakref.WeakKeyDictionary()


def keep_credit_places(doc: Document, places: str) -> None:
    """Record ``places`` as :func:`credit_places` of ``doc``, worked out in another process."""
    _PLACES[doc] = places


def _credit_places(doc: Document) -> str:
    places = [s.text for s in doc.boilerplate if s.kind in ("dateline", "credit")]
    places.extend(doc.bylines)
    places.extend(_credit_lines(doc.article.text))
    return "\n".join(places).casefold()


def _credit_lines(text: str) -> list[str]:
    """What ``finditer`` of the alternation of :data:`_CREDIT_LINES` finds in ``text``.

    The alternation's next match is at the first place one of the patterns matches, the first of
    them that matches there: the earliest of the patterns' next matches, the first pattern's on a
    tie (none matches an empty string).  A pattern's next match stays its next until the text
    before it is consumed.
    """
    patterns = _CREDIT_LINES if _CONTRIBUTED.search(text) else _CREDIT_LINES[::2]
    found: list[str] = []
    pending = [pattern.search(text) for pattern in patterns]
    while any(pending):
        first = min((m for m in pending if m is not None), key=lambda m: m.start())  # min keeps the first of ties
        found.append(first.group())
        pending = [m if m is None or m.start() >= first.end() else pattern.search(text, first.end())
                   for pattern, m in zip(patterns, pending, strict=True)]
    return found


@lru_cache(maxsize=4096)
def agencies_named(name: str) -> tuple[str, ...]:
    """Agencies a name stands for, as :func:`find_credits` spells them ("Anadolu Agency" -> ("AA",)).

    Examples
    --------
    >>> agencies_named("The Associated Press")
    ('AP',)
    >>> agencies_named("sfgate.com")
    ()
    """
    return find_credits(f"Credit | {name}")[0] if name and name.strip() else ()


def outlet_names(outlet: str) -> tuple[str, ...]:
    """Spellings of an outlet a copy may credit: the name, without "The", without its domain ending.

    Examples
    --------
    >>> outlet_names("sfgate.com")
    ('sfgate.com', 'sfgate')
    >>> outlet_names("The Guardian")
    ('the guardian', 'guardian')
    """
    name = " ".join(outlet.casefold().split())
    bare = re.sub(r"^the\s+", "", name)
    stem = _DOMAIN_TAIL.sub("", bare).removeprefix("www.")
    return tuple(x for x in dict.fromkeys((name, bare, stem)) if len(x) >= 2)


def credit_of(child: Document, names: Iterable[str], places: str | None = None) -> str | None:
    """How ``child`` credits a source that goes by ``names``, in words, or None when it does not.

    Parameters
    ----------
    child : Document
        The copy.
    names : iterable of str
        Outlet and agency names of the source ("sfgate.com", "AP", "Reuters").
    places : str, optional
        :func:`credit_places` of ``child``, when the caller already has it.

    Returns
    -------
    str or None
        ``"same outlet (cnet.com)"``, ``"credits AP"`` (an agency among the child's credits) or
        ``"names sfgate in a byline, dateline or credit line"``; None when no name is credited.
    """
    names = [n for n in names if n and n.strip()]
    own = set(outlet_names(child.article.outlet or ""))
    same = [n for n in names if own & set(outlet_names(n))]
    if same:  # an outlet reusing its own story owes nobody a credit
        return f"same outlet ({same[0]})"
    agencies = {a for n in names for a in agencies_named(n)}
    common = sorted(agencies & set(child.credits))
    if common:
        return f"credits {common[0]}"
    credited = {c.casefold() for c in child.credits}
    same = [n for n in names if n.casefold() in credited]
    if same:
        return f"credits {same[0]}"
    places = credit_places(child) if places is None else places
    for name in names:
        for spelling in outlet_names(name):
            if re.search(rf"(?<!\w){re.escape(spelling)}(?!\w)", places):
                return f"names {name} in a byline, dateline or credit line"
    return None


def credit_status(child: Document, names: Iterable[str]) -> str:
    """``"yes"`` when ``child`` credits one of ``names``, ``"no"`` when not, ``"unknown"`` without names.

    Parameters
    ----------
    child : Document
        The copy.
    names : iterable of str
        The names its parent goes by: the parent's outlet and agencies (for an
        unseen source, its probable agency).  Empty when unknown.

    Returns
    -------
    str
        One of :data:`provenance.model.CREDITED`.

    Examples
    --------
    >>> from provenance.stages.boilerplate import BoilerplateRemover
    >>> from provenance.model import Article
    >>> doc = BoilerplateRemover().fit_transform([Article("a", "LONDON (Reuters) - Shares fell.")])[0]
    >>> credit_status(doc, ["Reuters"]), credit_status(doc, ["AP"]), credit_status(doc, [])
    ('yes', 'no', 'unknown')
    """
    names = [n for n in names if n and n.strip()]
    if not names:
        return "unknown"
    return "yes" if credit_of(child, names) is not None else "no"
