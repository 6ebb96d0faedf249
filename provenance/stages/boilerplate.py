"""Stage 3, boilerplate and credits: (Article, Tokens) -> Document.

Boilerplate is what an outlet wraps around a story: headers, "Read more:"
blocks, newsletter pitches, copyright lines.  It is learned from the corpus
itself (lines that recur across documents that are otherwise unrelated) and
from a small built-in list of syndication fingerprints.  Boilerplate is
excluded from similarity but kept on the document as evidence.  Credits
(agency names) and bylines are extracted here too.
"""

from __future__ import annotations

import calendar
import dataclasses
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

import numpy as np

from ..engines.parallel import map_ordered, paused_gc
from ..errors import ConfigError
from ..model import Article, Document, Span, Tokens
from .normalise import fold_lines, fold_text, tokenize, tokenize_corpus
from .shingles import (
    distinct,
    keep_content_codes,
    shingle_hashes,
    shingle_hashes_at,
    unique_inverse,
    vocabulary,
    word_codes,
    word_hashes,
)

__all__ = [
    "BoilerplateRemover",
    "find_credits",
    "find_date",
    "find_updated",
    "named_date",
    "numeric_day",
    "PUBLISHED_LABELS",
    "UPDATED_LABELS",
    "ZONE_OFFSETS",
    "ZONE_REGIONS",
    "zone_offset",
    "is_story_prose",
    "page_lines",
    "printed_line_words",
    "MIN_DOCS_DEFAULT",
    "MAX_RELATEDNESS_DEFAULT",
]

#: A line must recur in at least this many documents to be learned as boilerplate.
MIN_DOCS_DEFAULT = 2
#: ...and the documents sharing it must share at most this share of their
#: other text (word 3-gram containment); copies of one story share far more.
MAX_RELATEDNESS_DEFAULT = 0.5
# Lines this short may be learned from two documents; longer ones need more
# witnesses, since two documents sharing a long paragraph is more likely reuse.
_SHORT_LINE_WORDS = 12
_LONG_LINE_WORDS = 25
_PAIRS_SAMPLED = 6
# From this many documents of a learned line on, their relatedness to the first few is measured
# as arrays (below it, pair by pair is faster).
_BATCHED_DOCS = 16
# Documents per task of the per-document work: enough to tokenize as one array.
_PREPARE_BATCH = 256

# Agencies and how they are written in credit lines and datelines.
_AGENCIES = {
    "Reuters": r"reuters",
    "AP": r"associated press|\bap\b",
    "AFP": r"agence france[- ]presse|\bafp\b",
    "AA": r"anadolu(?: agency| ajansı)?|\baa\b",
    "Bloomberg": r"bloomberg",
    "PA": r"press association|\bpa media\b|\bpa\b",
    "dpa": r"deutsche presse-agentur|\bdpa\b",
    "UPI": r"united press international|\bupi\b",
    "Xinhua": r"xinhua",
    "TASS": r"\btass\b",
    "Kyodo": r"kyodo",
    "EFE": r"\befe\b",
    "ANSA": r"\bansa\b",
    "PTI": r"press trust of india|\bpti\b",
    "IANS": r"\bians\b",
    "CNN": r"\bcnn\b",
    "BBC": r"\bbbc\b",
}
_AGENCY_ALT = "|".join(f"(?:{p})" for p in _AGENCIES.values())
# Where a credit is stated: "Credit | AA", "(Reuters) -", "Source: AFP", "via AP",
# "© 2024 AP", "Reporting by ...; (c) Reuters", "AP contributed to this report",
# "Additional reporting by Reuters", "Originally published by ...", and an agency
# alone on a line ("Reuters", "(Reuters)", "- AFP") or in brackets closing one, as wire stories end.
_CREDIT_CONTEXTS = [
    rf"^[ \t]*(?:credit|source|via|courtesy(?: of)?)[ \t]*[|:\-–]?[ \t]*(?:the[ \t]+)?(?P<x>{_AGENCY_ALT})\b",
    rf"\((?P<x>{_AGENCY_ALT})\)\s*[-–—]",
    rf"(?:©|\(c\)|copyright)\s*(?:\d{{4}}\s*)?(?:by\s+)?(?:the\s+)?(?P<x>{_AGENCY_ALT})\b",
    rf"\b(?:the\s+)?(?P<x>{_AGENCY_ALT})\s+contributed to this (?:report|story|article)",
    rf"^[ \t]*[\[(]?[ \t]*(?:[-–—][ \t]*)?(?:the[ \t]+)?(?P<x>{_AGENCY_ALT})[ \t]*[\])]?[ \t]*\.?[ \t]*$",
    # the same sign-off closing the story's last sentence: "... Editing by Jane Doe) (Reuters)", "(PTI)"
    rf"[\[(][ \t]*(?:the[ \t]+)?(?P<x>{_AGENCY_ALT})[ \t]*[\])][ \t]*\.?[ \t]*$",
    rf"^[ \t]*by[ \t]+(?:the[ \t]+)?(?P<x>{_AGENCY_ALT})\b",
    rf"\b(?:additional\s+)?reporting\s+(?:by|from)\s+(?:the\s+)?(?P<x>{_AGENCY_ALT})\b",
    rf"[,.;:]?[ \t]+via[ \t]+(?:the[ \t]+)?(?P<x>{_AGENCY_ALT})\b[ \t]*[.)]?[ \t]*$",
    rf"\b(?:originally|first)\s+(?:published|appeared)\s+(?:by|in|on)\s+(?:the\s+)?(?P<x>{_AGENCY_ALT})\b",
    # a byline naming the agency ("Lucas Shaw, Bloomberg") and an agency's date line ("AP June 1, 2018")
    rf"^[ \t]*(?:by[ \t]+)?\w[\w.'’-]*(?:[ \t]+\w[\w.'’-]*){{1,3}}[ \t]*[,|/–—-][ \t]*"
    rf"(?:the[ \t]+)?(?P<x>{_AGENCY_ALT})[ \t]*$",
    rf"^[ \t]*(?P<x>{_AGENCY_ALT})[ \t]+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?[ \t]+\d{{1,2}}\b",
]
# A photo, image or video credit names who took the picture, not who wrote the text:
# "Photo: AP", "Image credit: Reuters", "AP Photo/Evan Vucci", "© Reuters/Jane Doe"; a sentence
# that ends between the picture word and the agency ("... posted a video. (AP)") is not a caption.
_PICTURE_BEFORE = re.compile(
    r"\b(?:photo|photograph|picture|image|video|graphic|illustration|footage)s?\b[^\n.!?]{0,25}$", re.IGNORECASE
)
_PICTURE_AFTER = re.compile(r"\s*(?:/|(?:photos?|pictures?|images?|video)\b)", re.IGNORECASE)
_CREDIT_WINDOW = 1500
_CREDIT_RES = [re.compile(p, re.IGNORECASE | re.MULTILINE) for p in _CREDIT_CONTEXTS]
# Words one of which every match of the credit pattern at the same index holds (lowercase; empty:
# no such word).  A pattern whose words are all absent cannot match, so it is not run: the one for
# "... contributed to this report" alone tried the agency names at every word of every text.
_CREDIT_CUES: list[tuple[str, ...]] = [
    ("credit", "source", "via", "courtesy"),
    ("(",),
    ("©", "(c)", "copyright"),
    ("contributed to this",),
    (),
    ("(", "["),
    ("by",),
    ("reporting",),
    ("via",),
    ("published", "appeared"),
    (),
    (),
]
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_AGENCY_RES = {name: re.compile(rf"^(?:{p})$", re.IGNORECASE) for name, p in _AGENCIES.items()}
_BYLINE = re.compile(
    r"^[ \t]*[Bb][Yy][ \t]+(?P<x>[A-Z][\w.'’-]+(?:[ \t]+[A-Z][\w.'’-]+){1,3}"
    r"(?:[ \t]+and[ \t]+[A-Z][\w.'’-]+(?:[ \t]+[A-Z][\w.'’-]+){1,3})?)[ \t]*$",
    re.MULTILINE,
)
# Where a byline can start: what _BYLINE asks of a line's opening, after a line feed.
_BYLINE_OPENING = re.compile(r"\n[ \t]*[Bb][Yy][ \t]")

# Syndication fingerprints and generic page furniture, matched on folded lines.
_FURNITURE_LINES = [
    r"credit\s*\|.*",
    r"this material may not be published, broadcast, rewritten,? or redistributed.*",
    r"for the latest headlines.*",
    r"(?:read|see) (?:more|also)\s*:?.*",
    r"related (?:stories|articles|coverage|content)\s*:?",
    r"(?:©|\(c\)|copyright)\s.*",
    r".*all rights reserved\.?",
    r"(?:published|updated|last updated|posted)\s*:?(?:\s*(?:published|updated)\s*:?)*",
    r"(?:enable|disable) read(?:ing)? mode",
    r"\d+% font size",
    r"(?:top content|trending|most read|most popular|recommended)(?: \w+)?",
    r"(?:share|share this|share this article|tweet|email|print|comments?)(?: on \w+)?",
    r"(?:advertisement|sponsored|sponsored content|ad)",
    r"(?:sign up|subscribe)(?: (?:to|for) (?:our|the) .*newsletter.*)?",
    r"(?:follow us|follow our) .*",
    r"click here .*",
    r"image (?:caption|copyright|source).*",
    r"(?:source|via)\s*:\s*\S+(?:\s\S+){0,3}",
    r"(?:reporting by|editing by|writing by|additional reporting by) .*",
    r"\(?(?:reuters|ap|afp)\)?",
    # An agency's byline on an outlet's page, and the page's reprint and comment tools.
    r"by (?:the )?(?:associated press|reuters|agence france[- ]presse|afp|ap|anadolu agency|press association)",
    r"(?:the )?associated press",
    r"(?:purchase|buy)\s*:?\s*order reprints?|order reprints?|reprints? (?:and|&) permissions",
    r"(?:view|show|hide|post a|leave a) comments?|\d+ comments?",
]
_FURNITURE_RE = re.compile(r"^(?:" + "|".join(_FURNITURE_LINES) + r")$")
_LABEL_WORDS = 3
# ... and this many characters (a line of unspaced script is one "word" but no label).
_LABEL_CHARS = 40
# A sentence ends a line with one of these, then perhaps closing quotes and brackets.
_SENTENCE_STOPS = ".!?。！？"
_CLOSERS = "\"'”’)」』"
# Words of the notices that outlets print on every page (copyright, cookies, sign-up...).
_NOTICE = re.compile(
    r"\b(?:copyright|rights reserved|all rights|newsletter|cookies?|sign up|log ?in|click|tap here|"
    r"follow us|terms of (?:use|service)|our app|email alerts?|redistribut\w*|disclaimer|inbox)\b"
)
# Words that news prose uses too ("a revival in online advertising", "70 million subscribers"):
# a notice only where the page speaks to its reader.
_READER_NOTICE = re.compile(r"\b(?:subscri\w*|advert\w*|privacy|reprints?|download)\b")
_TO_THE_READER = re.compile(r"\b(?:you|your|our|please)\b")
# After "Read more:" a list of short headline-like lines follows.
_READ_MORE_RE = re.compile(r"^(?:read|see) (?:more|also)\s*:?$|^related (?:stories|articles)\s*:?$")
_DATELINE_CREDIT = re.compile(r"\((?:reuters|ap|afp|aa|upi|bloomberg|dpa)\)\s*[-–—]", re.IGNORECASE)
# "BIRMINGHAM (Observer) - " or "LONDON, March 3 (Reuters) - " opening a paragraph.
_DATELINE = re.compile(
    r"^[ \t]*[A-Z][A-Z .'’-]{1,40}(?:,[ \t]*[A-Za-z0-9 .]{1,30})?[ \t]*\([^()\n]{1,40}\)[ \t]*[-–—]+[ \t]*",
    re.MULTILINE,
)
# What every dateline has: a bracket closed before the dash.  Searched first (the engine skips to
# each ")"), it spares most texts the dateline pattern, which is tried at every character.
_DATELINE_CLOSE = re.compile(r"\)[ \t]*[-–—]")
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# How pages write a day and a time: "Tue 3 Mar 2024 10.22 GMT", "March 3, 2024 at 10:22 a.m. EST",
# "Jun 3, 2018, 4:15 PM EDT", "June 3, 2018 / 4:15 PM", "3:45 PM EST, Tue March 3, 2024".
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?[ \t]++)"
_CLOCK = r"\d{1,2}[:.]\d{2}(?:[ \t]*+[ap]\.?m\.?)?(?:[ \t]++[a-z]{2,4})?"
_DAY = rf"{_WEEKDAY}?(?:\d{{1,2}} {_MONTHS},? \d{{4}}|{_MONTHS} \d{{1,2}},? \d{{4}})"
_DATE_EXPR = (
    rf"(?:(?:\d{{4}}-\d{{2}}-\d{{2}}(?:[t ][\d:.]+(?:z|[+-]\d{{2}}:?\d{{2}})?)?|\d{{4}}/\d{{2}}/\d{{2}}"
    rf"|\d{{1,2}}/\d{{1,2}}/\d{{4}}|{_DAY})"
    rf"(?:[ \t]*+[,/|]?[ \t]*+(?:at[ \t]++)?{_CLOCK})?"
    rf"|{_CLOCK}[ \t]*+[,/|]?[ \t]*+{_DAY})"
)
#: Labels that put a page's publication date before it ("Posted 3 May 2024"; an aggregator's
#: "Imported ..." is when its page went up).  "Updated" is only an upper bound (see find_date).
PUBLISHED_LABELS = ("published", "first published", "posted", "date", "imported", "issued", "filed",
                    "released", "created", "added")
_LABELS = "|".join(PUBLISHED_LABELS)
#: Labels of a page's last change ("Updated ...", "Last modified ..."): it was published before,
#: how long before is unknown, so the date only bounds its publication from above.
UPDATED_LABELS = ("updated", "last updated", "modified", "last modified", "revised", "last revised")
_UPDATED = "|".join(UPDATED_LABELS)
# Two spellings of a month this alike (rapidfuzz ratio) are one month as a scan misread it.
_MONTH_SIMILARITY = 80
# A line (or a line's opening) that is only a publication date.
_DATE_LINE = re.compile(
    rf"^[ \t]*+(?:(?:{_LABELS}|{_UPDATED})[ \t]*+:?[ \t]*+(?:on[ \t]++)?)*(?P<date>{_DATE_EXPR})"
    rf"(?:[ \t]*+[|,;-]?[ \t]*+(?:(?:{_UPDATED})[ \t]*+:?[ \t]*+)?{_DATE_EXPR})*[ \t]*+$",
    re.IGNORECASE | re.MULTILINE,
)
# A page's name and its date, as a masthead, a digest or an archive prints them: "The Daily
# Digest, 18 April 2024", "Evening Star - Tuesday, March 3, 1872, Page 2".  The separator is
# what tells it from a headline about a day ("Floods of 12 March 2004 remembered").
_NAMED_DATE = re.compile(
    rf"^[ \t]*+[^\n,|–—]{{1,60}}?[ \t]*+[,|–—-][ \t]*+(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?[ \t]++)?"
    rf"(?P<date>{_DATE_EXPR})(?:[ \t]*+[,|–—-][ \t]*+(?:page|p\.|no\.|image)[ \t]*+\d+)?[ \t]*+$",
    re.IGNORECASE,
)
# A page's head lines are parts of one line set apart by a bar or a dot ("By Jane Roe | 3 March 2024");
# the first lines of a text are where a page states its date.
_LINE_PARTS = re.compile(r"[ \t]++[|·•][ \t]++")
_DATED_LINES = 12
_UPDATED_ONLY = re.compile(rf"^[ \t]*+(?:{_UPDATED})\b", re.IGNORECASE)
_DATE_PREFIX = re.compile(rf"^\s*(?:{_LABELS})[ \t]*+:?[ \t]*+(?:on[ \t]++)?(?P<date>{_DATE_EXPR})[ \t]++",
                          re.IGNORECASE)


# Characters of a text's head, where its dates are read (find_date, find_updated).
_HEAD_CHARS = 2000
# A line's first digit and the rest of its line (see _date_line_matches).
_DIGIT_TO_LINE_END = re.compile(r"\d[^\n]*")
# A letter or digit: what str.isalnum() accepts (\w is that and the underscore).
_ALNUM = re.compile(r"[^\W_]")


class _Line(NamedTuple):
    start: int
    end: int
    folded: str
    words: int


def _lines(text: str) -> list[_Line]:
    lines = []
    pos = 0
    has_alnum, new = _ALNUM.search, tuple.__new__  # (tuple.__new__: _Line(...) without a Python call)
    for raw, folded in zip(text.split("\n"), fold_lines(text), strict=True):
        # Most lines open with a letter or digit; the others are searched.
        if folded and (folded[0].isalnum() or has_alnum(folded)):
            lead = len(raw) - len(raw.lstrip())
            # A folded line is single-spaced: its words are its spaces and one.
            lines.append(new(_Line, (pos + lead, pos + len(raw.rstrip()), folded, folded.count(" ") + 1)))
        pos += len(raw) + 1
    return lines


def _agency_prefilter() -> tuple[tuple[str, ...], re.Pattern[bytes]]:
    """Literal openings of the agency names, and the short \\b-bounded ones as one bytes regex.

    The regex runs on the UTF-8 of a text whose non-ASCII characters are no letters or digits
    (see :func:`_folded_ascii`): there ASCII word characters and \\b mean what they mean in the
    text.  Each name opens with a word character, so a non-word character before it (the text
    is searched with a space put in front) stands for the opening \\b, and a character set
    opening the pattern lets the engine skip to candidates instead of trying every position
    (a third faster).
    """
    literals, bounded = [], []
    for pattern in _AGENCIES.values():
        for alternative in pattern.split("|"):
            if alternative.startswith(r"\b"):
                assert re.match(r"\w", alternative[2:]), alternative
                bounded.append(alternative[2:])
            else:
                literals.append(re.split(r"[\\\[\](){}?*+.^$]", alternative)[0])
    return (tuple(dict.fromkeys(x for x in literals if x.strip())),
            re.compile(r"[^\w](?:{})".format("|".join(bounded)).encode("ascii")))


_AGENCY_LITERALS, _AGENCY_BOUNDED = _agency_prefilter()


def _folded_ascii(text: str) -> str | None:
    """``text.lower()``, or None when that may not agree with the patterns' IGNORECASE.

    It agrees unless the text has non-ASCII letters or digits (IGNORECASE matches "K", the
    Kelvin sign, to "k"); for those texts every pattern runs.
    """
    if not text.isascii() and any(ch.isalnum() for ch in set(_NON_ASCII.findall(text))):
        return None
    return text.lower()


def _may_credit(low: str) -> bool:
    """False only when no agency name can occur in ``low`` (then no credit pattern matches)."""
    return (any(name in low for name in _AGENCY_LITERALS)
            or _AGENCY_BOUNDED.search(b" " + low.encode("utf-8", "surrogatepass")) is not None)


def find_credits(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Agencies credited in ``text`` and its bylines.

    Parameters
    ----------
    text : str
        Original article text.

    Returns
    -------
    credits : tuple of str
        Canonical agency names ("Reuters", "AP", "AA"...), sorted, unique.
    bylines : tuple of str
        Author names from "By ..." lines.

    Examples
    --------
    >>> find_credits("Story text.\\nCredit | AA")
    (('AA',), ())
    >>> find_credits("LONDON (Reuters) - Shares fell.\\nBy Jane Smith")
    (('Reuters',), ('Jane Smith',))
    """
    found = set()
    # Credits stand in the dateline, byline and credit lines: the head and the tail.
    if len(text) > 2 * _CREDIT_WINDOW:
        text = text[:_CREDIT_WINDOW] + "\n" + text[-_CREDIT_WINDOW:]
    # Most texts name no agency at all: one scan decides whether the credit patterns need to run,
    # and of those that do, most lack the words of most patterns.
    low = _folded_ascii(text)
    for regex, cues in zip(_CREDIT_RES, _CREDIT_CUES, strict=True) if low is None or _may_credit(low) else ():
        if low is not None and cues and not any(cue in low for cue in cues):
            continue
        for match in regex.finditer(text):
            if not _picture_credit(text, match):
                found.add(_canonical_agency(match.group("x")))
    found.discard(None)
    # Most texts have no line opening with "By": the engine finds that skipping from line feed to line feed.
    has_byline = _BYLINE_OPENING.search("\n" + text) is not None
    bylines = tuple(dict.fromkeys(m.group("x").strip() for m in _BYLINE.finditer(text))) if has_byline else ()
    return tuple(sorted(found)), bylines


def _picture_credit(text: str, match: re.Match[str]) -> bool:
    """True when the agency is credited for a picture ("Photo: AP", "AP Photo/Evan Vucci", "Reuters/Jane Doe")."""
    line_start = text.rfind("\n", 0, match.start("x")) + 1
    before = text[max(line_start, match.start("x") - 40) : match.start("x")]
    return bool(_PICTURE_BEFORE.search(before) or _PICTURE_AFTER.match(text, match.end("x")))


def _canonical_agency(name: str) -> str | None:
    for canonical, regex in _AGENCY_RES.items():
        if regex.match(name.strip()):
            return canonical
    return None


def _ends_sentence(folded: str) -> bool:
    """Whether a folded line ends a sentence ("... said.", "... ended?\u201d").

    What a regex search for a stop and closers at the end does, without scanning the line.
    """
    last = folded.rstrip(_CLOSERS)[-1:]
    return last != "" and last in _SENTENCE_STOPS


def _adjacent(text: str, upper: _Line | None, lower: _Line | None) -> bool:
    """Whether two lines follow each other with no blank line between."""
    return upper is not None and lower is not None and text.count("\n", upper.end, lower.start) == 1


def _in_paragraph(text: str, before: _Line | None, line: _Line, after: _Line | None) -> bool:
    """Whether a short line sits inside a paragraph broken into printed lines.

    It goes on with the sentence of the line of prose above it, or it starts
    a sentence after one ended on that line and the next line of prose goes
    on with it.
    """
    if not (_adjacent(text, before, line) and before.words > _LABEL_WORDS):
        return False
    if not _ends_sentence(before.folded):
        return True
    return _adjacent(text, line, after) and after.words > _LABEL_WORDS


def printed_line_words(text: str) -> int:
    """Words of one printed line when the text's prose is broken into printed lines, else 0.

    The median over its lines of prose: a scanned column's width, or an
    e-mail's.  A page that gives each paragraph a line has no printed lines.
    """
    lines = _lines(text)
    if not _hard_wrapped(text, lines):
        return 0
    return int(np.median([ln.words for ln in lines if ln.words > _LABEL_WORDS]))


def _hard_wrapped(text: str, lines: list[_Line]) -> bool:
    """Whether the text's prose is broken into printed lines (a scanned column, an e-mail).

    Its lines of prose mostly run on into the next line without a sentence
    ending; a page that gives each paragraph a line ends nearly every one.
    """
    prose = [ln for ln in lines if ln.words > _LABEL_WORDS]
    runs_on = sum(_adjacent(text, upper, lower) and not _ends_sentence(upper.folded)
                  for upper, lower in zip(prose, prose[1:], strict=False))
    return runs_on >= 2 and 2 * runs_on >= len(prose)


def _outside_prose(text: str, lines: list[_Line], learned: list[bool], covered: set[tuple[int, int]]) -> list[bool]:
    """Of the learned lines of a text broken into printed lines, those that are no part of its prose.

    Two columns that print one story at different widths break a paragraph's
    first line (and its last words) alike, and the rest of it differently: a
    learned line whose sentence runs on, in lower case, from or into a line of
    the text that is neither learned nor built-in boilerplate is that
    paragraph's text.  A standing notice recurs whole, so its lines are
    learned together and stay boilerplate; a label or a list of headlines
    does not run on in lower case.  Copies printed at one width break several
    lines of a paragraph alike: a learned line running on into one found to be
    prose is prose too, and so on along the paragraph.  Where a paragraph's
    lines are printed alike whole, they run on into each other in lower case,
    a sentence across lines as no headline list or label does: unless they
    read as a notice to the reader, they are copied prose, as a paragraph
    printed on one line is (:func:`_is_story_prose`).
    """
    marked = list(learned)

    def story(k: int) -> bool:
        return (0 <= k < len(lines) and not marked[k] and (lines[k].start, lines[k].end) not in covered
                and lines[k].words > _LABEL_WORDS)

    def runs_on(upper: _Line, lower: _Line) -> bool:
        return (_adjacent(text, upper, lower) and not _ends_sentence(upper.folded)
                and text[lower.start].islower())

    k = 0
    while k < len(lines):
        end = k + 1
        while marked[k] and end < len(lines) and marked[end] and runs_on(lines[end - 1], lines[end]):
            end += 1
        if end - k >= 2 and sum(ln.words for ln in lines[k:end]) > _SHORT_LINE_WORDS \
                and not _is_notice(" ".join(ln.folded for ln in lines[k:end])):
            marked[k:end] = [False] * (end - k)
        k = end
    # Down the text and back up: a line freed frees the next one along the paragraph.
    for order in (range(len(lines)), range(len(lines) - 1, -1, -1)):
        for k in order:
            if marked[k] and ((story(k - 1) and runs_on(lines[k - 1], lines[k]))
                              or (story(k + 1) and runs_on(lines[k], lines[k + 1]))):
                marked[k] = False
    return marked


def _with_neighbours(lines: list[_Line]) -> Iterator[tuple[_Line | None, _Line, _Line | None]]:
    """Each line with the line before and the line after it (None at the ends)."""
    return zip([None, *lines][: len(lines)], lines, [*lines[1:], None][: len(lines)], strict=True)


def _builtin_spans(text: str, lines: list[_Line], hard_wrapped: bool,
                   date_lines: list[re.Match[str]] | None = None) -> list[Span]:
    """Spans the built-in rules mark on ``text`` (its ``lines``; ``hard_wrapped``: :func:`_hard_wrapped`;
    ``date_lines``: its lines that are dates, :func:`_date_line_matches`, when known)."""
    spans = []
    in_read_more = False
    # A text broken into printed lines (a scanned column, an e-mail) runs its sentences on
    # from line to line: there a short line inside a paragraph is story text, not a label.
    for before, line, after in _with_neighbours(lines):
        if _FURNITURE_RE.match(line.folded):
            spans.append(Span(line.start, line.end, text[line.start : line.end], "furniture"))
            in_read_more = bool(_READ_MORE_RE.match(line.folded))
            continue
        # A line of a word or three that is no sentence is a label (an outlet's name, a
        # section, a button), never story text, whether or not this corpus learns it.
        if (0 < line.words <= _LABEL_WORDS and len(line.folded) <= _LABEL_CHARS
                and not _ends_sentence(line.folded)
                and not (hard_wrapped and _in_paragraph(text, before, line, after))):
            spans.append(Span(line.start, line.end, text[line.start : line.end], "label"))
            continue
        # Headlines listed under "Read more:" are short and end without a full stop.
        if in_read_more and line.words <= 20 and not line.folded.endswith((".", '."', "?\"")):
            spans.append(Span(line.start, line.end, text[line.start : line.end], "furniture"))
            continue
        in_read_more = False
    for match in _DATELINE_CREDIT.finditer(text):
        spans.append(Span(match.start(), match.end(), match.group(), "credit"))
    datelines = _DATELINE.finditer(text) if _DATELINE_CLOSE.search(text) is not None else ()
    if date_lines is None:
        date_lines = list(_date_line_matches(text))
    for matches, kind in ((datelines, "dateline"), (date_lines, "date"), (_DATE_PREFIX.finditer(text), "date")):
        for match in matches:
            start = match.start() + len(match.group()) - len(match.group().lstrip())
            end = match.start() + len(match.group().rstrip())
            if end > start:
                spans.append(Span(start, end, text[start:end], kind))
    return _merge(spans)


def _date_line_matches(text: str, start: int = 0) -> Iterator[re.Match[str]]:
    """``_DATE_LINE.finditer(text, start)`` (``start``: a line's), the pattern tried only at the start of each
    line with a digit.

    No part of the pattern crosses a line feed, so a match is a line from its start, and a date
    has a digit; most lines have none.  One scan finds each line's first digit and skips the rest
    of its line, so neither the pattern nor Python visits the other lines.
    """
    for digit in _DIGIT_TO_LINE_END.finditer(text, start):
        match = _DATE_LINE.match(text, text.rfind("\n", 0, digit.start()) + 1)
        if match is not None:
            yield match


def _merge(spans: list[Span]) -> list[Span]:
    """Drop spans inside others, keeping the first kind found for a range."""
    out: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if out and span.end <= out[-1].end:
            continue
        out.append(span)
    return out


def page_lines(text: str) -> list[str]:
    """The lines of ``text`` with what the built-in rules mark cut out: furniture and label lines, date
    lines, datelines and credits, as this stage marks them before it learns a corpus's templates.

    Lines left with no letter or digit are dropped; the rest are stripped.  A record with no title
    field takes its headline from these lines (a page's "Email" button or "By ..." line is no headline).

    Examples
    --------
    >>> page_lines("Share\\nBy Jane Roe\\nLONDON (Reuters) - Rates rose on Monday.")
    ['Rates rose on Monday.']
    """
    kept, pos = [], 0
    lines = _lines(text)
    for span in _builtin_spans(text, lines, _hard_wrapped(text, lines)):  # each span lies inside one line
        if span.end > pos:
            kept.append(text[pos : max(pos, span.start)])
            pos = span.end
    kept.append(text[pos:])
    return [line.strip() for line in "".join(kept).split("\n") if any(ch.isalnum() for ch in line)]


def is_story_prose(line: str) -> bool:
    """Whether one line is a paragraph of story sentences (more than a dozen words, ending a sentence, no
    stock notice): what a page's headline comes before."""
    folded = fold_text(line)
    return _is_story_prose(folded, len(folded.split()))


def find_date(text: str) -> str | None:
    """Publication date stated in the text ("Published: 2024-03-01T10:22:00Z"), as ISO 8601.

    Examples
    --------
    >>> find_date("Published: 2024-03-01T10:22:00Z\\nStory")
    '2024-03-01T10:22:00'
    >>> find_date(" date 2022-02-19 NATO said")
    '2022-02-19'
    >>> find_date("24 April 2024, 11:50 GMT\\nStory")
    '2024-04-24T11:50:00'
    >>> find_date("Last updated 12 March 2024, 10:22\\nStory") is None
    True
    >>> find_date("Published: Tue 3 Mar 2024 10.22 GMT\\nStory")
    '2024-03-03T10:22:00'
    >>> find_date("3:45 PM EST, Tue March 3, 2024\\nStory")
    '2024-03-03T15:45:00-05:00'
    >>> find_date("Published on Mar. 3, 2024\\nStory"), find_date("Sunday, June 3, 2018\\nStory")
    ('2024-03-03', '2018-06-03')
    >>> find_date("NewsWire Digest\\nImported 14 April 2024, 11:56 GMT\\nStory")
    '2024-04-14T11:56:00'
    >>> find_date("THE WEEKLY ARGUS.\\nNOVEMBERR 14, 1872\\nStory")
    '1872-11-14'
    >>> find_date("Politics\\nBy Jane Roe | Tue 3 Mar 2024 10.22 GMT\\nStory")
    '2024-03-03T10:22:00'
    """
    head = text[:_HEAD_CHARS]
    return _find_date(head, list(_date_line_matches(head)))


def _find_date(head: str, head_lines: list[re.Match[str]]) -> str | None:
    """:func:`find_date` of a text whose head is ``head`` (``head_lines``: its lines that are dates)."""
    # A first line that is only a date is read whole (its time too); else a date opening the text.
    match = None if head_lines and head_lines[0].start() == 0 else _DATE_PREFIX.match(head)
    if match:
        return _parse_date(match.group("date"))
    # "Updated" alone only bounds the publication from above: a copy's page updated
    # after its source's is no younger for it.  "Published" wins wherever it stands.
    for match in _date_lines(head, head_lines):
        if not _UPDATED_ONLY.match(match.group(0)):
            return _parse_date(match.group("date"))
    return None


def _head_date_lines(text: str, matches: list[re.Match[str]]) -> list[re.Match[str]]:
    """``list(_date_line_matches(text[:_HEAD_CHARS]))`` from ``matches``, those of the whole text.

    A date line ending inside the head is the same line there; only the line the head cuts
    short reads otherwise, and is tried again.
    """
    if len(text) <= _HEAD_CHARS:
        return matches
    kept = [match for match in matches if match.end() <= _HEAD_CHARS]
    if text[_HEAD_CHARS] != "\n":
        head = text[:_HEAD_CHARS]
        kept.extend(_date_line_matches(head, head.rfind("\n") + 1))
    return kept


def _date_lines(head: str, head_lines: list[re.Match[str]]) -> Iterator[re.Match[str]]:
    """Lines of ``head`` that state a date (``head_lines``), then parts of its first lines that do ("By Jane Roe
    | 3 March 2024")."""
    yield from head_lines
    for line in head.splitlines()[:_DATED_LINES]:
        parts = _LINE_PARTS.split(line)
        for part in parts if len(parts) > 1 else ():
            match = _DATE_LINE.fullmatch(part.strip())
            if match:
                yield match


def find_updated(text: str) -> str | None:
    """The earliest last-change date stated at the head of ``text`` ("Updated 12 March 2024"), as ISO 8601.

    A page shows it when it does not show when it was published: the publication came
    before it (see ``direction.published_span``).

    Examples
    --------
    >>> find_updated("Last modified 28 March 2024, 17:42 GMT\\nStory")
    '2024-03-28T17:42:00'
    >>> find_updated("World | Updated 5 March 2024\\nStory")
    '2024-03-05'
    >>> find_updated("Published 1 March 2024\\nStory") is None
    True
    """
    head = text[:_HEAD_CHARS]
    return _find_updated(head, list(_date_line_matches(head)))


def _find_updated(head: str, head_lines: list[re.Match[str]]) -> str | None:
    """:func:`find_updated` of a text whose head is ``head`` (``head_lines``: its lines that are dates)."""
    stated = [_parse_date(match.group("date")) for match in _date_lines(head, head_lines)
              if _UPDATED_ONLY.match(match.group(0))]
    return min((d for d in stated if d), default=None)


def named_date(title: str | None) -> str | None:
    """The date of a page whose title names it and its day ("The Daily Digest, 18 April 2024").

    Examples
    --------
    >>> named_date("The Daily Digest, 18 April 2024")
    '2024-04-18'
    >>> named_date("Evening Star - Tuesday, March 3, 1872, Page 2")
    '1872-03-03'
    >>> named_date("Floods of 12 March 2004 remembered") is None
    True
    >>> named_date("Election set for 30 January 2005") is None
    True
    """
    if not title:
        return None
    match = _NAMED_DATE.match(title)
    return _parse_date(match.group("date")) if match else None


def numeric_day(date: str) -> str | None:
    """A numeric day/month/year or month/day/year date as "13 March 2024", when one number can only be the day.

    Examples
    --------
    >>> numeric_day("13/03/2024"), numeric_day("03.13.2024"), numeric_day("03/04/2024")
    ('13 March 2024', '13 March 2024', None)
    """
    parts = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", date)
    if parts is None:
        return None
    first, second, year = (int(g) for g in parts.groups())
    if (first > 12) == (second > 12):
        return None  # "03/04/2024" does not say which is the month
    day, month = (first, second) if first > 12 else (second, first)
    return f"{day} {calendar.month_name[month]} {year}" if 1 <= month <= 12 else None


def _parse_date(value: str) -> str | None:
    value = value.strip().rstrip(".")
    iso = re.match(r"(\d{4})[-/](\d{2})[-/](\d{2})(?:[tT ](\d{2}:\d{2}(?::\d{2})?))?", value)
    if iso:
        day, clock = "-".join(iso.group(1, 2, 3)), iso.group(4)
        if clock is None:
            return day  # a day, not its midnight (see direction.published_span)
        return f"{day}T{clock if clock.count(':') == 2 else clock + ':00'}"
    numeric = re.match(r"(\d{1,2})/(\d{1,2})/(\d{4})\b", value)
    if numeric:
        named = numeric_day(numeric.group(0))
        if named is None:
            return None
        value = named + value[numeric.end():]
    cleaned = re.sub(r"\b([ap])\.m\b\.?", r"\1m", value, flags=re.IGNORECASE)
    cleaned = re.sub(rf"\b{_WEEKDAY}", " ", cleaned, flags=re.IGNORECASE)
    cleaned = re.sub(r"\b(at|gmt|utc|bst|et|est|edt|cet|cest|pt|pst|pdt|ct|cst|cdt)\b", "", cleaned,
                     flags=re.IGNORECASE)
    cleaned = re.sub(r"\b([a-z]{3,4})\.", r"\1", cleaned, flags=re.IGNORECASE)  # "Mar." is "Mar"
    cleaned = " ".join(cleaned.replace(",", " ").replace("/", " ").replace("|", " ").replace(".", ":").split())
    clock_first = re.match(r"(\d{1,2}:\d{2}(?: ?[ap]m)?) (.+)$", cleaned, re.IGNORECASE)
    if clock_first:
        cleaned = f"{clock_first.group(2)} {clock_first.group(1)}"
    parsed = _strptime(cleaned)
    if parsed is None:
        # A scanned masthead misreads its month ("NOVEMBERR 14, 1872", "OCTOBFR"): the month it reads as.
        month = re.search(r"[^\W\d_]{3,}", cleaned)
        name = month and _misread_month(month.group(0))
        parsed = name and _strptime(cleaned[: month.start()] + name + cleaned[month.end() :])
    zone = _ZONE.search(value)
    if parsed and "T" in parsed and zone:
        # Outlets in other zones stamp one day's pages: compared only once in one zone (a time
        # without an offset is read as UTC, see direction.published_at).
        offset = zone_offset(zone.group(1), datetime.fromisoformat(parsed))
        if offset and offset != "+00:00":
            parsed += offset
    return parsed


#: Zones a page names beside its time that say one offset.
ZONE_OFFSETS = {"gmt": "+00:00", "utc": "+00:00", "bst": "+01:00", "cet": "+01:00", "cest": "+02:00",
                 "est": "-05:00", "edt": "-04:00", "cst": "-06:00", "cdt": "-05:00", "pst": "-08:00",
                 "pdt": "-07:00"}
#: Zones that say a region, whose offset follows its summer time ("8:00 a.m. ET" in May is -04:00).
ZONE_REGIONS = {"et": "America/New_York", "ct": "America/Chicago", "mt": "America/Denver",
                "pt": "America/Los_Angeles"}
_ZONE = re.compile(rf"\b({'|'.join([*ZONE_OFFSETS, *ZONE_REGIONS])})\b", re.IGNORECASE)


def zone_offset(name: str, local: datetime) -> str | None:
    """The UTC offset ("-04:00") of zone ``name`` (a key of ZONE_OFFSETS or ZONE_REGIONS) at local time ``local``.

    Examples
    --------
    >>> zone_offset("EDT", datetime(2019, 1, 31, 8)), zone_offset("ET", datetime(2019, 5, 31, 8))
    ('-04:00', '-04:00')
    >>> zone_offset("ET", datetime(2019, 1, 31, 8))
    '-05:00'
    """
    key = name.lower()
    if key in ZONE_OFFSETS:
        return ZONE_OFFSETS[key]
    if key not in ZONE_REGIONS:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        offset = local.replace(tzinfo=ZoneInfo(ZONE_REGIONS[key])).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return None  # no time zone database on this machine: the time is read as it stands
    if offset is None:
        return None
    minutes = int(offset.total_seconds() // 60)
    return f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _strptime(cleaned: str) -> str | None:
    for fmt in ("%d %B %Y %H:%M", "%d %b %Y %H:%M", "%B %d %Y %H:%M", "%b %d %Y %H:%M",
                "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%d %B %Y %I:%M %p", "%B %d %Y %I:%M %p",
                "%d %b %Y %I:%M %p", "%b %d %Y %I:%M %p", "%d %B %Y %I:%M%p", "%B %d %Y %I:%M%p",
                "%d %b %Y %I:%M%p", "%b %d %Y %I:%M%p"):
        try:
            moment = datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
        return moment.isoformat() if "%H" in fmt or "%I" in fmt else moment.date().isoformat()
    return None


def _misread_month(word: str) -> str | None:
    """The month whose name ``word`` is, a letter or two misread (rapidfuzz ratio 80), if just one.

    Examples
    --------
    >>> _misread_month("NOVEMBERR"), _misread_month("Octobfr"), _misread_month("Monday")
    ('November', 'October', None)
    """
    from rapidfuzz import fuzz

    alike = [m for m in calendar.month_name[1:] if fuzz.ratio(word.casefold(), m.casefold()) >= _MONTH_SIMILARITY]
    return alike[0] if len(alike) == 1 else None


class BoilerplateRemover:
    """Learn an outlet's page furniture from the corpus and mark it on each document.

    A line is boilerplate when it recurs in several documents that share
    little else: copies of one story share most of their text, outlet
    templates share only the template.

    Parameters
    ----------
    min_docs : int, default=2
        Documents a line must recur in before it can be learned.
    max_relatedness : float, default=0.5
        Highest median word 3-gram containment between documents sharing
        the line for it to count as boilerplate (0 to 1).
    builtin : bool, default=True
        Also apply the built-in syndication fingerprints and furniture patterns.

    Attributes
    ----------
    boilerplate_lines_ : set of str
        Folded lines learned as boilerplate by :meth:`fit`.
    """

    def __init__(
        self,
        *,
        min_docs: int = MIN_DOCS_DEFAULT,
        max_relatedness: float = MAX_RELATEDNESS_DEFAULT,
        builtin: bool = True,
    ) -> None:
        if not isinstance(min_docs, int) or min_docs < 2:
            raise ConfigError(
                f"The 'min_docs' parameter of BoilerplateRemover must be an int >= 2. Got {min_docs!r} instead."
            )
        if not 0.0 <= max_relatedness <= 1.0:
            raise ConfigError(
                "The 'max_relatedness' parameter of BoilerplateRemover must be a float in [0, 1]. "
                f"Got {max_relatedness!r} instead."
            )
        self.min_docs = min_docs
        self.max_relatedness = max_relatedness
        self.builtin = builtin

    def fit(self, articles: Sequence[Article], tokens: Sequence[Tokens],
            _doc_lines: list[list[_Line]] | None = None) -> BoilerplateRemover:
        """Learn boilerplate lines from a corpus.

        Two rounds: the first compares whole documents (fast, line-independent)
        to find lines shared by documents that share little else; the second
        re-checks only those lines with the first round's boilerplate taken out
        of both documents, so a story's lead that a copier wrapped in heavy
        furniture is not mistaken for furniture itself.
        """
        prepared = [_prepare(a.text, t, None if _doc_lines is None else _doc_lines[n])
                    for n, (a, t) in enumerate(zip(articles, tokens, strict=True))]
        return self._fit(prepared)

    def _fit(self, prepared: Sequence[_Prepared], jobs: int = 1) -> BoilerplateRemover:
        line_docs: dict[str, list[int]] = defaultdict(list)
        line_words: dict[str, int] = {}
        for i, item in enumerate(prepared):
            for ln in item.lines:
                line_words[ln.folded] = ln.words
            for folded in dict.fromkeys(ln.folded for ln in item.lines):
                line_docs[folded].append(i)
        # Order documents by content, not name, so sampling does not depend on file names.
        order_key = [item.key for item in prepared]
        candidates = {
            folded: sorted(docs, key=order_key.__getitem__)
            for folded, docs in line_docs.items()
            if len(docs) >= max(self.min_docs, _witnesses_needed(line_words[folded]))
            and not _is_story_prose(folded, line_words[folded])
        }
        del line_docs
        cache: dict[tuple[int, int], float] = {}

        def whole_relatedness(a: int, b: int) -> float:
            key = (a, b) if a < b else (b, a)
            if key not in cache:
                cache[key] = _containment(prepared[a].whole, prepared[b].whole)
            return cache[key]

        first = {f for f, docs in candidates.items() if self._is_boilerplate(docs, whole_relatedness)}
        involved = sorted({d for f in first for d in candidates[f]})
        # Taken out of the documents' text: the first round's lines and the built-in furniture.
        dropped = first | {folded for folded in {ln.folded for d in involved for ln in prepared[d].lines}
                           if _FURNITURE_RE.match(folded)}
        # The shingles of each involved document's lines to measure, and the union of those it keeps.
        sets, unions = _line_shingles([(prepared[d].lines, prepared[d].tokens, prepared[d].hashes)
                                       for d in involved], first, dropped)
        by_line, base = dict(zip(involved, sets, strict=True)), dict(zip(involved, unions, strict=True))
        learned = set()
        story: dict[bytes, set[str]] = defaultdict(set)
        # Each line is measured on its own (on worker processes when jobs > 1): None when it is no
        # boilerplate, else the documents in which it is story text.
        lines = sorted(first)
        state = {"remover": self, "candidates": candidates, "base": base, "by_line": by_line}
        for folded, related in zip(lines, map_ordered(_measure_line, lines, state=state, jobs=jobs), strict=True):
            if related is None:
                continue
            learned.add(folded)
            for d in related:
                story[order_key[d]].add(folded)
        self.boilerplate_lines_ = learned
        self.story_lines_ = dict(story)
        return self

    def _measure(self, folded: str, docs: list[int], base: dict[int, np.ndarray],
                 by_line: dict[int, dict[str, np.ndarray]],
                 cache: dict[tuple[int, ...], _BaseCounts] | None = None) -> list[int] | None:
        """Second round for one line of the first: None when the documents sharing it (``docs``) are
        related once the first round's boilerplate is taken out of them, else the documents in which
        it is still story text.

        ``cache`` keeps, per list of documents, what their base sets share with the first few of
        them (:func:`_base_counts`): the lines of one outlet's template share their documents.
        """
        if len(docs) >= _BATCHED_DOCS:
            measured = _joined_containments(folded, docs, base, by_line, {} if cache is None else cache)
            at = {d: k for k, d in enumerate(docs[: _PAIRS_SAMPLED + 1])}
            if not self._is_boilerplate(docs, lambda a, b: measured[at[b], at[a]].item()):
                return None
            return self._related_to_head(docs, measured)
        with_line: dict[int, np.ndarray] = {}
        # Containment is symmetric: each pair is measured once per line.
        measured_pairs: dict[tuple[int, int], float] = {}

        def joined(d: int) -> np.ndarray:
            value = with_line.get(d)
            if value is None:
                value = with_line[d] = distinct(np.concatenate((base[d], by_line[d].get(folded, _EMPTY))))
            return value

        def relatedness(a: int, b: int) -> float:
            key = (a, b) if a < b else (b, a)
            value = measured_pairs.get(key)
            if value is None:
                value = measured_pairs[key] = _containment(joined(a), joined(b))
            return value

        if not self._is_boilerplate(docs, relatedness):
            return None
        # A headline learned from "related stories" lists is still story
        # text in its own article and in that article's copies.
        head = docs[: _PAIRS_SAMPLED + 1]
        return [d for d in docs if any(relatedness(d, o) > self.max_relatedness
                                       for o in [o for o in head if o != d][:_PAIRS_SAMPLED])]

    def _related_to_head(self, docs: list[int], measured: np.ndarray) -> list[int]:
        """The documents of ``docs`` related to one of their others among the first few of ``docs``
        (``measured``: :func:`_joined_containments`).

        A document's others are the first ``_PAIRS_SAMPLED`` of ``docs`` but itself, as pair by
        pair for fewer documents.
        """
        head = docs[: _PAIRS_SAMPLED + 1]
        related = np.zeros(len(docs), dtype=bool)
        for k in range(len(head)):
            # The last of the head is an other only for the head's own documents.
            compared = np.ones(len(docs), dtype=bool) if k < _PAIRS_SAMPLED else np.arange(len(docs)) < len(head)
            compared[k] = False
            related |= compared & (measured[:, k] > self.max_relatedness)
        return [d for d, r in zip(docs, related.tolist(), strict=True) if r]

    def _is_boilerplate(self, docs: list[int], relatedness) -> bool:
        pairs = list(zip(docs, docs[1:], strict=False))[:_PAIRS_SAMPLED]
        return _median([relatedness(a, b) for a, b in pairs]) <= self.max_relatedness

    def transform(self, articles: Sequence[Article], tokens: Sequence[Tokens],
                  _doc_lines: list[list[_Line]] | None = None) -> list[Document]:
        """Mark boilerplate and credits on each article; returns one Document each."""
        prepared = [_Prepared(t, _lines(a.text) if _doc_lines is None else _doc_lines[n], _text_key(a.text))
                    for n, (a, t) in enumerate(zip(articles, tokens, strict=True))]
        return self._transform(articles, prepared)

    def _transform(self, articles: Sequence[Article], prepared: Sequence[_Prepared], jobs: int = 1,
                   progress: Callable[[int, int], None] | None = None) -> list[Document]:
        state = {"remover": self, "articles": articles, "prepared": prepared}
        marked = map_ordered(_mark_task, range(len(articles)), state=state, jobs=jobs, progress=progress)
        documents = []
        for article, item, (spans, content, credits, bylines, (stated, updated), fingerprint) in zip(
                articles, prepared, marked, strict=True):
            if stated or updated:
                article = dataclasses.replace(article, published=stated or None, updated=updated or article.updated)
            doc = Document(article=article, tokens=item.tokens, content=content, boilerplate=spans,
                           credits=credits, bylines=bylines, fingerprint=fingerprint)
            if item.hashes is not None:
                # The content words' hashes are these words' hashes: fill the cached property now.
                doc.__dict__["content_hashes"] = item.hashes[content]
            if item.codes is not None:
                keep_content_codes(doc, item.codes[content])
            documents.append(doc)
        return documents

    def _mark(self, article: Article, item: _Prepared) -> tuple[tuple[Span, ...], np.ndarray, tuple[str, ...],
                                                                 tuple[str, ...], tuple[str | None, str | None], str]:
        """Spans, content indices, credits, bylines, stated publication and last-change dates (None
        when the article has a date) and fingerprint of one document."""
        learned = getattr(self, "boilerplate_lines_", set())
        text, toks, lines = article.text, item.tokens, item.lines
        # Whether the text is broken into printed lines: both the built-in rules and the learned lines ask.
        hard_wrapped = _hard_wrapped(text, lines)
        # The lines that are dates: the built-in rules mark them, and the dates are read from those in the head.
        date_lines = list(_date_line_matches(text)) if self.builtin or article.published is None else []
        spans = _builtin_spans(text, lines, hard_wrapped, date_lines) if self.builtin else []
        covered = {(s.start, s.end) for s in spans}
        # A line learnt from unrelated pages is still story text in a page related to one of them: a
        # line of a story two pages reprint.  On a page of whole paragraphs (not broken into printed
        # lines) a short line that ends no sentence and goes on with no paragraph is the title there
        # (a headline a page lists under "most read", in its own article and that article's copies),
        # or else a masthead or a menu that one outlet prints over two copies of a story: the outlet's.
        own = getattr(self, "story_lines_", {}).get(item.key, ())
        if own and not hard_wrapped:
            title = fold_text(article.title or "")
            own = {line.folded for before, line, after in _with_neighbours(lines)
                   if line.folded in own and (line.words > _SHORT_LINE_WORDS or _ends_sentence(line.folded)
                                              or line.folded == title or _in_paragraph(text, before, line, after))}
        marked = [line.folded in learned and line.folded not in own and (line.start, line.end) not in covered
                  for line in lines]
        if any(marked) and hard_wrapped:
            marked = _outside_prose(text, lines, marked, covered)
        spans.extend(Span(line.start, line.end, text[line.start : line.end], "learned")
                     for line, mark in zip(lines, marked, strict=True) if mark)
        spans.sort(key=lambda s: (s.start, s.end))
        credits, bylines = find_credits(text)
        stated = updated = None
        if article.published is None:
            head, head_lines = text[:_HEAD_CHARS], _head_date_lines(text, date_lines)
            stated = _find_date(head, head_lines) or named_date(article.title)
            updated = _find_updated(head, head_lines) if stated is None else None
        fingerprint = hashlib.blake2b(" ".join(toks.words).encode("utf-8"), digest_size=8).hexdigest()
        return tuple(spans), _content_indices(toks, spans), credits, bylines, (stated, updated), fingerprint

    def fit_transform(self, articles: Sequence[Article], tokens: Sequence[Tokens] | None = None, *,
                      jobs: int = 1, progress: Callable[[str, int, int], None] | None = None) -> list[Document]:
        """Equivalent to ``fit(articles, tokens).transform(articles, tokens)``.

        Parameters
        ----------
        articles : sequence of Article
            The corpus.
        tokens : sequence of Tokens, optional
            ``tokenize(a.text)`` of each article; tokenized here when not given.
        jobs : int, default=1
            Worker processes for the per-document work (tokens, lines, marking);
            0 for every core.  Results do not depend on it.
        progress : callable, optional
            Called as ``progress(stage, done, total)`` with stages
            ``"normalise"`` and ``"boilerplate"``.

        Returns
        -------
        list of Document
        """
        with paused_gc():
            return self._fit_transform(articles, tokens, jobs, progress or (lambda stage, done, total: None))

    def _fit_transform(self, articles: Sequence[Article], tokens: Sequence[Tokens] | None, jobs: int,
                       report: Callable[[str, int, int], None]) -> list[Document]:
        n = len(articles)
        # Each text is tokenized, split into lines and hashed once, for both steps.
        # Texts are tokenized a batch at a time, as one array (tokenize_corpus).
        batches = [(start, min(n, start + _PREPARE_BATCH)) for start in range(0, n, _PREPARE_BATCH)]
        prepared = [item for batch in map_ordered(
            _prepare_task, batches, state={"articles": articles, "tokens": tokens}, jobs=jobs,
            progress=lambda done, total: report("normalise", min(n, done * _PREPARE_BATCH), n))
            for item in _unpack(batch)]
        report("boilerplate", 0, n)
        self._fit(prepared, jobs)
        # The fit alone needs the whole-text shingles.
        prepared = [item._replace(whole=None) for item in prepared]
        return self._transform(articles, prepared, jobs,
                               progress=lambda done, total: report("boilerplate", done, total))


class _Prepared(NamedTuple):
    """What the fit and the marking need of one document, computed once."""

    tokens: Tokens
    lines: list[_Line]
    key: bytes
    hashes: np.ndarray | None = None  # word hashes of every token
    whole: np.ndarray | None = None  # distinct word 3-gram shingles of the whole text
    codes: np.ndarray | None = None  # word codes of every token (shingles.word_codes), when this process has them


def _prepare(text: str, tokens: Tokens | None = None, lines: list[_Line] | None = None,
             hashes: np.ndarray | None = None) -> _Prepared:
    """What the fit and the marking need of one text (``hashes``: its tokens' word hashes, when known)."""
    toks = tokenize(text) if tokens is None else tokens
    hashes = word_hashes(toks.words) if hashes is None else hashes
    return _Prepared(toks, _lines(text) if lines is None else lines, _text_key(text), hashes,
                     distinct(shingle_hashes(hashes, 3)))


def _prepare_task(state: dict[str, Any], batch: tuple[int, int]) -> tuple[Any, ...]:
    """:func:`_prepare` of the articles ``batch`` (start, stop), packed by :func:`_pack`."""
    start, stop = batch
    texts = [article.text for article in state["articles"][start:stop]]
    tokens = state["tokens"]
    toks = tokenize_corpus(texts) if tokens is None else tokens[start:stop]
    # The batch's words, each hashed (here) and coded (by the parent, see _unpack) once, not at each use.
    words, uses = vocabulary([t.words for t in toks])
    hashes = word_hashes(words)
    return _pack([_prepare(text, t, hashes=hashes[u]) for text, t, u in zip(texts, toks, uses, strict=True)],
                 words, hashes, uses)


def _pack(items: Sequence[_Prepared], words: list[str], hashes: np.ndarray, uses: list[np.ndarray]) -> tuple[Any, ...]:
    """A batch of prepared documents in a few columns, to cross from a worker process cheaply.

    Pickled one by one, the documents' hundreds of thousands of small arrays and line
    records cost more to send and rebuild than preparing them did; as columns (each array kind
    concatenated, lines as plain tuples) they cost little.  ``words`` are the batch's distinct
    words, ``hashes`` their hashes and ``uses`` each text's tokens as indices into them
    (:func:`~.shingles.vocabulary`): the tokens' hashes are sent as indices, and the parent numbers
    the words (:func:`~.shingles.word_codes`) once each.  :func:`_unpack` rebuilds them.
    """
    def joined(arrays: list[np.ndarray], dtype: type) -> np.ndarray:
        return np.concatenate(arrays) if arrays else np.empty(0, dtype=dtype)

    tokens = [item.tokens for item in items]
    wholes = [item.whole for item in items]
    return (
        [t.words for t in tokens],
        joined([t.starts for t in tokens], np.int64),
        joined([t.ends for t in tokens], np.int64),
        words,
        hashes,
        joined(uses, np.uint32),
        [len(w) for w in wholes],
        joined(wholes, np.uint64),
        [[tuple(line) for line in item.lines] for item in items],
        [item.key for item in items],
    )


def _unpack(packed: tuple[Any, ...]) -> list[_Prepared]:
    """The prepared documents :func:`_pack` packed (their arrays are views of the columns), with this process's
    word codes of their tokens."""
    words, starts, ends, distinct_words, distinct_hashes, uses, whole_counts, wholes, lines, keys = packed
    hashes = distinct_hashes[uses]
    # Each distinct word of the batch looked up (or numbered) once; every use is an array index.
    codes = word_codes(distinct_words)
    token_codes = None if codes is None else codes[uses]
    cuts = np.cumsum([0] + [len(w) for w in words]).tolist()
    whole_cuts = np.cumsum([0] + whole_counts).tolist()
    new = tuple.__new__
    return [
        _Prepared(Tokens(words=w, starts=starts[a:b], ends=ends[a:b]), [new(_Line, line) for line in doc_lines],
                  key, hashes[a:b], wholes[c:d], None if token_codes is None else token_codes[a:b])
        for w, doc_lines, key, a, b, c, d in zip(words, lines, keys, cuts, cuts[1:], whole_cuts, whole_cuts[1:],
                                                 strict=False)
    ]


def _measure_line(state: dict[str, Any], folded: str) -> list[int] | None:
    """The fit's second round for one line (see ``BoilerplateRemover._measure``)."""
    return state["remover"]._measure(folded, state["candidates"][folded], state["base"], state["by_line"],
                                     state.setdefault("base_counts", {}))


def _mark_task(state: dict[str, Any], n: int) -> tuple[tuple[Span, ...], np.ndarray, tuple[str, ...],
                                                       tuple[str, ...], tuple[str | None, str | None], str]:
    """Boilerplate spans, content indices, credits, bylines, stated dates (when the article has none), fingerprint."""
    return state["remover"]._mark(state["articles"][n], state["prepared"][n])


def _text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=16).digest()


def _is_story_prose(folded: str, words: int) -> bool:
    """A paragraph of sentences that is no stock notice: copied text wherever it recurs, never furniture.

    A page template repeats navigation, short notices and headline lists; a
    paragraph of news prose found in otherwise different documents was copied
    into them (a press release quoted by several outlets, an excerpt inside
    other reporting), which is what the tracer must see.
    """
    return words > _SHORT_LINE_WORDS and _ends_sentence(folded) and not _is_notice(folded)


def _is_notice(folded: str) -> bool:
    """Whether a line reads as a notice to the page's reader (copyright, subscriptions...), not news."""
    return _NOTICE.search(folded) is not None or (
        _READER_NOTICE.search(folded) is not None and _TO_THE_READER.search(folded) is not None)


def _median(values: list[float]) -> float:
    """``np.median`` of a few floats (the same arithmetic), without numpy's per-call cost."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _witnesses_needed(words: int) -> int:
    if words <= _SHORT_LINE_WORDS:
        return 2
    return 3 if words <= _LONG_LINE_WORDS else 4


_EMPTY = np.empty(0, dtype=np.uint64)


def _containment(sa: np.ndarray, sb: np.ndarray) -> float:
    """Share of the smaller of two sorted sets of distinct hashes found in the other."""
    smaller = min(len(sa), len(sb))
    if not smaller:
        return 1.0
    if len(sa) > len(sb):
        sa, sb = sb, sa
    at = sb.searchsorted(sa)
    np.minimum(at, len(sb) - 1, out=at)
    return int(np.count_nonzero(sb[at] == sa)) / smaller


def _containments(heads: list[np.ndarray], flat: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """:func:`_containment` of each of a few sets (``heads``, at most 8) with each of many, as a
    (many, heads) array; the many are concatenated in ``flat`` (``sizes``: each set's length)."""
    return _ratios(_common_counts(heads, flat, sizes), sizes, np.array([len(head) for head in heads]))


def _ratios(common: np.ndarray, sizes: np.ndarray, head_sizes: np.ndarray) -> np.ndarray:
    """Containments from the (many, heads) counts of shared values, divided as :func:`_containment` does
    (|A & B| counted from either side is the same number)."""
    smaller = np.minimum(sizes[:, None], head_sizes[None, :])
    return np.where(smaller > 0, common / np.maximum(smaller, 1), 1.0)


def _common_counts(heads: list[np.ndarray], flat: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """How many values each of many sets (concatenated in ``flat``, ``sizes`` long) shares with each of
    a few sorted ones (``heads``, at most 8), as a (many, heads) array.

    The heads' values are merged into one sorted array with a bit per head holding each, so
    the many are looked up once, not once per head.
    """
    values = np.concatenate(heads)
    which = np.repeat(np.arange(len(heads)), [len(h) for h in heads])
    merged, inverse, _ = unique_inverse(values)
    holders = np.zeros(len(merged), dtype=np.uint8)
    np.bitwise_or.at(holders, inverse, np.left_shift(1, which).astype(np.uint8))
    found = np.zeros(len(flat), dtype=np.uint8)
    if len(merged):
        at = merged.searchsorted(flat)
        np.minimum(at, len(merged) - 1, out=at)
        found = np.where(merged[at] == flat, holders[at], found)
    # Most values of a set are its own story's, held by no head: only the others are counted, a
    # (set, head) pair per bit, in one pass.
    at = np.flatnonzero(found)
    bits = np.unpackbits(found[at, None], axis=1, count=len(heads), bitorder="little").view(bool)
    pair = np.searchsorted(np.cumsum(sizes), at, side="right")[:, None] * len(heads) + np.arange(len(heads))
    return np.bincount(pair[bits], minlength=len(sizes) * len(heads)).reshape(len(sizes), len(heads))


class _BaseCounts(NamedTuple):
    """What the base sets of a line's documents share with those of its first few (see :func:`_joined_containments`)."""

    flat: np.ndarray  # the base sets, concatenated
    owner: np.ndarray  # each value's document (its place in the list)
    sizes: np.ndarray
    common: np.ndarray  # (documents, head) shared values


def _base_counts(docs: list[int], base: dict[int, np.ndarray]) -> _BaseCounts:
    sets = [base[d] for d in docs]
    sizes = np.array([len(x) for x in sets], dtype=np.int64)
    flat = np.concatenate(sets)
    common = _common_counts(sets[: _PAIRS_SAMPLED + 1], flat, sizes)
    return _BaseCounts(flat, np.repeat(np.arange(len(docs)), sizes), sizes, common)


def _joined_containments(folded: str, docs: list[int], base: dict[int, np.ndarray],
                         by_line: dict[int, dict[str, np.ndarray]],
                         cache: dict[tuple[int, ...], _BaseCounts]) -> np.ndarray:
    """:func:`_containment` of each document's set with the line (its base set and the line's shingles)
    and each of the first few's, as a (documents, head) array: the line's documents at once.

    Only the line's few shingles tell one document's set with the line from its base set, so the
    counts are those of the base sets (kept in ``cache`` per list of documents) with the line's
    shingles' part counted again: a value shared counts once whichever of the two holds it.
    """
    key = tuple(docs)
    counts = cache.get(key)
    if counts is None:
        counts = cache[key] = _base_counts(docs, base)
    pieces = [by_line[d].get(folded, _EMPTY) for d in docs]
    values = np.concatenate(pieces)
    shingles = distinct(values)
    head = min(len(docs), _PAIRS_SAMPLED + 1)
    if not len(shingles):
        return _ratios(counts.common, counts.sizes, counts.sizes[:head])
    # Which of the line's shingles each document's base set holds, and which its line gives it.
    at = shingles.searchsorted(counts.flat)
    np.minimum(at, len(shingles) - 1, out=at)
    hit = shingles[at] == counts.flat
    in_base = np.zeros((len(docs), len(shingles)), dtype=np.int64)
    in_base[counts.owner[hit], at[hit]] = 1
    joined = in_base.copy()
    joined[np.repeat(np.arange(len(docs)), [len(p) for p in pieces]), shingles.searchsorted(values)] = 1
    common = counts.common - in_base @ in_base[:head].T + joined @ joined[:head].T
    sizes = counts.sizes + (joined - in_base).sum(axis=1)
    return _ratios(common, sizes, sizes[:head])


def _line_shingles(texts: Sequence[tuple[list[_Line], Tokens, np.ndarray]], measured: set[str] | frozenset[str],
                   dropped: set[str] | frozenset[str]) -> tuple[list[dict[str, np.ndarray]], list[np.ndarray]]:
    """Word 3-gram shingles of lines (a line of fewer words: one shingle of all its words) of many texts
    (lines, tokens, word hashes), hashed as one array.

    A line's shingles are a slice of its text's (a shingle's hash depends on its words only).

    Returns
    -------
    by_line : list of dict
        Per text, the shingles of its lines whose folded text is in ``measured``, keyed by it: every
        occurrence's, unsorted and possibly repeated (callers take the distinct values of a union).
    unions : list of ndarray of uint64
        Per text, the sorted distinct shingles of its lines whose folded text is not in ``dropped``.
    """
    n = len(texts)
    lines = [ln for text in texts for ln in text[0]]
    if not lines:
        return [{} for _ in range(n)], [np.empty(0, dtype=np.uint64) for _ in range(n)]
    # Token and line positions keyed by (text, offset), so one search finds every line's token range.
    line_text = np.repeat(np.arange(n, dtype=np.int64), [len(text[0]) for text in texts])
    token_keys = np.concatenate([text[1].starts for text in texts]).astype(np.int64, copy=False)
    token_keys += np.repeat(np.arange(n, dtype=np.int64), [len(text[2]) for text in texts]) << 40
    bounds = np.array([(ln.start, ln.end) for ln in lines], dtype=np.int64) + (line_text << 40)[:, None]
    lo = np.searchsorted(token_keys, bounds[:, 0], side="left")
    hi = np.searchsorted(token_keys, bounds[:, 1], side="left")
    # Padded with two words, so that every word opens a 3-gram (those running past a text's end are
    # never read: a line's shingles lie inside its own words).
    hashes = np.concatenate([text[2] for text in texts] + [np.zeros(2, dtype=np.uint64)])
    size = np.minimum(3, hi - lo)
    counts = np.where(hi > lo, hi - lo - size + 1, 0)  # 0 for a line without words of its own
    ends = np.cumsum(counts)
    firsts = ends - counts
    # A line of three words or more has its text's 3-gram shingles; a shorter one has one shingle of
    # all its words, hashed on its own (written over the 3-gram read at its first word).
    values = shingle_hashes(hashes, 3)[np.repeat(lo - firsts, counts) + np.arange(int(ends[-1]))]
    for words in (1, 2):
        short = np.flatnonzero(size == words)
        values[firsts[short]] = shingle_hashes_at(hashes, lo[short], words)
    keep_line = np.fromiter((ln.folded not in dropped for ln in lines), dtype=bool, count=len(lines)) & (counts > 0)
    chosen = np.repeat(keep_line, counts)
    chosen_values = values[chosen]
    cuts = np.concatenate(([0], np.cumsum(np.bincount(line_text, weights=counts * keep_line, minlength=n))))
    cuts = cuts.astype(np.int64).tolist()
    unions = [distinct(chosen_values[cuts[t] : cuts[t + 1]]) for t in range(n)]
    by_line: list[dict[str, np.ndarray]] = [{} for _ in range(n)]
    measured_line = np.fromiter((ln.folded in measured for ln in lines), dtype=bool, count=len(lines)) & (counts > 0)
    texts_of = line_text.tolist()
    for k in np.flatnonzero(measured_line).tolist():
        own, folded, piece = by_line[texts_of[k]], lines[k].folded, values[firsts[k] : ends[k]]
        own[folded] = piece if folded not in own else np.concatenate((own[folded], piece))
    return by_line, unions


def _content_indices(tokens: Tokens, spans: Sequence[Span]) -> np.ndarray:
    # A token is cut when it starts inside a span: the spans' [lo, hi) token ranges, as counts of
    # the ranges covering each token (spans may overlap).
    if not spans:
        return np.arange(len(tokens))
    edges = np.searchsorted(tokens.starts, [edge for span in spans for edge in (span.start, span.end)], side="left")
    # Counted with bincount: np.add.at costs several times more on a few dozen spans.
    covering = np.bincount(edges[0::2], minlength=len(tokens) + 1) - np.bincount(edges[1::2], minlength=len(tokens) + 1)
    return np.flatnonzero(np.cumsum(covering[:-1]) == 0)


def names_agency(name: str | None, agency: str) -> bool:
    """Whether ``name`` (an outlet's name, say) names ``agency`` (a canonical credit such as "AP").

    Examples
    --------
    >>> names_agency("The Associated Press", "AP")
    True
    >>> names_agency("Daily Ledger", "AP")
    False
    """
    pattern = _AGENCIES.get(agency)
    return bool(name) and pattern is not None and re.search(pattern, name, re.IGNORECASE) is not None
