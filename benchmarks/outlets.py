"""Invented outlets and wire agencies with fixed page furniture (headers, footers, datelines).

Each outlet renders the same templates on every page it publishes, so its furniture recurs
across a simulated corpus the way real site boilerplate does.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

AGENCIES: tuple[str, ...] = ("Global Newswire", "Continental Press")
"""Invented wire agencies: the outlet of every wire story."""

UPDATE_DELAY = timedelta(minutes=17)
"""How long after publication an outlet's page says it was updated."""

_DATELINE_RE = re.compile(r"^[A-Z][A-Z .,'-]+(?:, [A-Z][a-z]+ \d{1,2}| \([^)]+\)) - ")


@dataclass(frozen=True)
class Outlet:
    """A publisher's page template.

    Attributes
    ----------
    name : str
        Publisher name.
    city : str
        Home city used in datelines.
    header, footer : tuple of str
        Line templates; placeholders ``{name}``, ``{published}``, ``{updated}``,
        ``{year}``, ``{agency}``, and a line ``{related}`` expanding to 3 headlines.
    spelling : {"uk", "us"}
        House spelling for edits.
    swaps : tuple of str
        Keys of ``lexicon.HOUSE_STYLE`` applied in edits.
    dateline : bool
        Whether stories start "CITY (Name) - ".
    title_suffix : str
        Appended to page titles (may be empty).
    furniture_prob : float
        Probability that a page carries the header/footer furniture.
    ad_line : str
        Interstitial line after the second paragraph, or empty.
    credit : str
        Credit line template for syndicated stories, or empty.
    """

    name: str
    city: str
    header: tuple[str, ...]
    footer: tuple[str, ...]
    spelling: str = "uk"
    swaps: tuple[str, ...] = ()
    dateline: bool = False
    title_suffix: str = ""
    furniture_prob: float = 0.7
    ad_line: str = ""
    credit: str = ""
    short: str = field(default="")


OUTLETS: tuple[Outlet, ...] = (
    Outlet("The Daily Ledger", "LONDON",
           ("Published: {published} Updated: {updated}", "Enable Read mode"),
           ("Read more:", "{related}", "© {year} The Daily Ledger. All rights reserved."),
           spelling="uk", swaps=(" percent", " pct", "U.S."), dateline=True,
           short="Daily Ledger", credit="Additional reporting by {agency}."),
    Outlet("Harbor City Courier", "BOSTON",
           ("By Courier Staff and Wire Reports", "{published}"),
           ("Sign up for the Courier Morning Brief, our free daily newsletter.",
            "Share this article: Facebook Twitter Email", "{related}"),
           spelling="us", swaps=(" per cent", "Mr "), title_suffix=" - Harbor City Courier",
           furniture_prob=0.8),
    Outlet("NewsNow Aggregate", "",
           ("NewsNow | Top Stories", "Posted {published}"),
           ("This article was automatically imported from a syndicated feed.",
            "Source: {agency}", "Trending now:", "{related}"),
           spelling="us", furniture_prob=0.9, ad_line="Advertisement",
           credit="Source: {agency}"),
    Outlet("The Midland Observer", "BIRMINGHAM",
           ("Home > News > Latest", "Last updated {updated}"),
           ("Want the Observer in your inbox? Subscribe to our weekly digest.",
            "© {year} Midland Observer Media Ltd.", "Related stories", "{related}"),
           spelling="uk", swaps=(" billion", " mln"), dateline=True, short="Observer",
           title_suffix=" | The Midland Observer"),
    Outlet("Coastline Times", "SAN DIEGO",
           ("COASTLINE TIMES", "{published} | 3 min read"),
           ("Copyright {year} Coastline Times Inc. All rights reserved. This material may not "
            "be published, broadcast, rewritten or redistributed.",),
           spelling="us", swaps=(" per cent", " dlrs"), furniture_prob=0.6,
           credit="Copyright {year} {agency}."),
    Outlet("Metro Business Wire", "NEW YORK",
           ("MARKETS | COMPANIES | ECONOMY", "Published: {published}"),
           ("You may also like:", "{related}", "Metro Business Wire - independent business news "
            "since 1998.", "Terms of use | Privacy policy | Contact us"),
           spelling="us", swaps=(" mln", " pct", "U.S."), dateline=True, short="MBW"),
    Outlet("PulseFeed", "",
           ("PulseFeed", "Trending", "{updated}"),
           ("Don't miss a story! Follow PulseFeed for the latest updates.",
            "Recommended for you", "{related}", "PulseFeed © {year}"),
           spelling="us", furniture_prob=0.85, ad_line="ADVERTISEMENT - CONTINUE READING BELOW",
           title_suffix=" | PulseFeed"),
    Outlet("Evening Gazette", "MANCHESTER",
           ("Evening Gazette", "News", "{published}"),
           ("Got a story? Email newsdesk@evening-gazette.example", "Most read", "{related}",
            "© {year} Evening Gazette"),
           spelling="uk", swaps=(" percent", "Mr "), furniture_prob=0.65,
           credit="Story supplied by {agency}."),
)
"""The invented outlets copies and independent stories appear in."""


@dataclass(frozen=True)
class Page:
    """Furniture of one rendered page."""

    header: tuple[str, ...] = ()
    footer: tuple[str, ...] = ()
    ad_line: str = ""
    title_suffix: str = ""


def _human_time(when: datetime) -> str:
    return f"{when.day} {when:%B %Y}, {when:%H:%M} GMT"


def _fill(template: str, outlet: Outlet, when: datetime, agency: str) -> str:
    # Updated 17 minutes after publication (a timedelta, so the hour rolls over).
    updated = when + UPDATE_DELAY
    return template.format(name=outlet.name, published=_human_time(when),
                           updated=_human_time(updated), year=when.year, agency=agency)


def _render(templates: tuple[str, ...], outlet: Outlet, when: datetime, agency: str,
            related: list[str]) -> tuple[str, ...]:
    lines: list[str] = []
    for template in templates:
        if template == "{related}":
            lines.extend(related)
        else:
            lines.append(_fill(template, outlet, when, agency))
    return tuple(lines)


def furnish(outlet: Outlet, when: datetime, related: list[str], rng: random.Random,
            agency: str = "", force: bool = False) -> Page:
    """Draw the furniture of one page of ``outlet``.

    Parameters
    ----------
    outlet : Outlet
        The publisher.
    when : datetime
        Publication time shown on the page.
    related : list of str
        Three headlines for "read more" blocks.
    rng : random.Random
        Decides whether the page carries furniture and credits.
    agency : str, default=""
        Wire agency for credit lines; empty for a staff story.
    force : bool, default=False
        Always add furniture (else with the outlet's ``furniture_prob``).

    Returns
    -------
    Page
        Empty when the page was scraped without furniture.
    """
    if not force and rng.random() >= outlet.furniture_prob:
        return Page()
    footer = _render(outlet.footer, outlet, when, agency or outlet.name, related)
    if outlet.credit and agency and rng.random() < 0.5:
        footer = (_fill(outlet.credit, outlet, when, agency), *footer)
    suffix = outlet.title_suffix if rng.random() < 0.7 else ""
    return Page(_render(outlet.header, outlet, when, agency, related), footer,
                outlet.ad_line, suffix)


def add_dateline(paragraphs: list[str], outlet: Outlet) -> list[str]:
    """Start the story with the outlet's dateline, replacing an earlier dateline if present."""
    if not paragraphs or not outlet.dateline:
        return list(paragraphs)
    match = _DATELINE_RE.match(paragraphs[0])
    city = re.split(r",| \(", match.group(0))[0] if match else outlet.city
    first = paragraphs[0][match.end() :] if match else paragraphs[0]
    return [f"{city} ({outlet.short or outlet.name}) - {first}", *paragraphs[1:]]
