"""An agency day: stories with write-thru versions, outlets picking different versions, follow-ups.

Run ``python benchmarks/gen_agency.py --seed 1 --out DIR [--quick] [--layout txt|jsonl]``.

The world: three news agencies (named by the plain credit strings outlets print: The
Associated Press, Reuters, Anadolu Agency) each file several stories in one day.

* **Write-thrus**: a story starts as a short first take (``wire``, v1: the first 30-50% of
  an original's paragraphs). 70% get a write-thru (``write-thru``, v2) that puts a new top
  paragraph over it, changes one or two figures, and adds more paragraphs; 40% of those a
  third (v3) that does it again. A write-thru's parent is the version before it.
* **The feed**: each story's versions are in the folder with probability 0.5 per story
  (then each version with 0.85); otherwise outlets' copies are all there is. A version
  that is not in the folder is an absent parent (``@absent-source``).
* **Outlets**: 2-7 outlets per story each take one version (later ones more often):
  ``reprint``, ``trim`` (bottom paragraphs cut) or ``localise`` (a paragraph of their own
  added, house style). They print the agency's credit in their own form: the agency's
  dateline "NEW YORK (AP) —" kept, "By The Associated Press", a closing "(AP)", "Reuters",
  "Additional reporting by ...", "Credit | AA". 15% of copies are an aggregator's reprint
  of an earlier outlet copy (``aggregate``; its parent is that copy).
* **Follow-ups**: 35% of an agency's later stories are on the topic of one of its earlier
  stories (the most similar unused original) and quote one or two paragraphs of the earlier
  story's latest version as background. The follow-up is a story of its own (its v1 has no
  parent); the truth records ``partial_of`` (the version quoted) and ``quotes_story``.
* **Hard negatives**: agency stories nobody picked up (``independent``), staff stories on
  the topic of a story of the day (``same-topic``).

Every document's truth row has ``story`` and ``version`` (the version it carries; an unpicked
agency story is version 1 of its story, a staff story has neither: both null).
"""

from __future__ import annotations

import random
import re
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.originals import Original  # noqa: E402
from benchmarks.outlets import Outlet, furnish  # noqa: E402
from benchmarks.simcorpus import SimCorpus, SimDoc  # noqa: E402
from benchmarks.textops import house_style, split_sentences, trim  # noqa: E402
from benchmarks.worldbase import WorldBuilder  # noqa: E402

DEFAULT_SIZES = (6, 2)
QUICK_SIZES = (3, 1)
P_DATED = 0.75
P_FEED = 0.5
P_VERSION_PRESENT = 0.85
P_V2, P_V3 = 0.7, 0.4
P_FOLLOW_UP = 0.35
P_AGGREGATE = 0.15
P_UNPICKED = 0.15
COPY_OPS = ("reprint", "trim", "localise")
COPY_WEIGHTS = (0.5, 0.25, 0.25)
_UPDATE_RE = re.compile(r"^UPDATE \d+-")
_FIGURE_RE = re.compile(r"\b\d+(?:\.\d+)?\b")
_CITIES = ("NEW YORK", "WASHINGTON", "LONDON", "ANKARA", "TOKYO", "BRUSSELS", "CHICAGO", "PARIS")
_REPORTERS = ("Jane Holt", "Omar Kaya", "Lena Fischer", "Tom Reyes", "Aiko Mori", "David Park")


@dataclass(frozen=True)
class Agency:
    """A real agency as outlets credit it (plain text the pages print)."""

    name: str
    short: str
    dash: str
    footer: str


AGENCIES: tuple[Agency, ...] = (
    Agency("The Associated Press", "AP", "—",
           "Copyright {year} The Associated Press. All rights reserved. This material may not be "
           "published, broadcast, rewritten or redistributed without permission."),
    Agency("Reuters", "Reuters", "-", "(Reporting by {a}; Additional reporting by {b}; Editing by {c})"),
    Agency("Anadolu Agency", "AA", "-", "Credit | AA"),
)

#: How an outlet prints an agency credit: keep the dateline, a byline, a closing tag, a footer.
CREDIT_FORMS = ("dateline", "byline", "tag", "footer")

DAY_OUTLETS: tuple[Outlet, ...] = (
    Outlet("The River Valley Sentinel", "", ("Sentinel | Nation & World", "{published}"),
           ("Support local journalism. Subscribe today.", "{related}"), spelling="us",
           swaps=(" per cent",), furniture_prob=0.8, credit="dateline"),
    Outlet("KQTV News 7", "", ("KQTV 7 | Watch live", "Posted: {published}"),
           ("Copyright {year} KQTV. All rights reserved.", "Download the KQTV 7 app"),
           spelling="us", furniture_prob=0.9, credit="byline"),
    Outlet("The Northern Echo-Post", "", ("Echo-Post", "World news", "{published}"),
           ("More from the Echo-Post", "{related}", "© Echo-Post Media {year}"), spelling="uk",
           swaps=(" percent", "U.S."), furniture_prob=0.7, credit="tag"),
    Outlet("Daily Markets Brief", "", ("DMB | Markets", "Updated {updated}"),
           ("Daily Markets Brief does not give investment advice.", "{related}"), spelling="us",
           swaps=(" pct", " mln"), furniture_prob=0.85, credit="footer"),
    Outlet("Istanbul Morning", "", ("ISTANBUL MORNING", "{published}"),
           ("Follow us on social media", "{related}"), spelling="uk", furniture_prob=0.6,
           credit="footer"),
    Outlet("Lakeside Herald", "", ("Lakeside Herald - Breaking", "{published} | {updated}"),
           ("Herald readers also viewed", "{related}", "Lakeside Herald {year}"), spelling="us",
           furniture_prob=0.75, credit="dateline"),
)
"""Outlets of the agency day; ``credit`` names their credit form (one of CREDIT_FORMS)."""
AGGREGATOR = Outlet("NewsWire Digest", "", ("NewsWire Digest", "Imported {published}"),
                    ("This story was automatically aggregated.", "{related}"), spelling="us",
                    furniture_prob=0.95, credit="keep")


def change_figures(paragraphs: list[str], rng: random.Random, count: int) -> list[str]:
    """Change ``count`` figures (a casualty toll, a price) as a write-thru does."""
    out = list(paragraphs)
    spots = [(i, m) for i, p in enumerate(out) for m in _FIGURE_RE.finditer(p)]
    for i, match in sorted(rng.sample(spots, min(count, len(spots))), key=lambda s: -s[1].start()):
        old = match.group(0)
        new = str(int(float(old)) + rng.randint(1, 9)) if "." not in old else f"{float(old) + 0.1:.1f}"
        out[i] = out[i][:match.start()] + new + out[i][match.end():]
    return out


class _AgencyDay(WorldBuilder):
    def __init__(self, originals: list[Original], seed: int) -> None:
        super().__init__(originals, seed, P_DATED)
        self.stories: list[tuple[Original, list[SimDoc]]] = []
        # story -> the earlier story it quotes, recorded on every document of the story (its
        # first take may be absent while its copies carry the quoted paragraphs).
        self.quotes: dict[str, str] = {}

    def _doc(self, title: str, body: list[str], when: datetime, outlet: str, op: str, story: str,
             version: int, parent: SimDoc | None, present: bool = True) -> SimDoc:
        doc = SimDoc(self.stem() if present else "", title, body, when, outlet, op, family=story,
                     parent=parent, dated=self.dated(), present=present,
                     extra={"story": story, "version": version})
        if story in self.quotes:
            doc.extra["quotes_story"] = self.quotes[story]
        return self.add(doc)

    def new_top(self, original: Original) -> str:
        """A new top paragraph from a same-topic original (news the first take did not have)."""
        other = self.pool.take_similar(original)
        return " ".join(split_sentences(other.paragraphs[0])[:2])

    def story(self, agency: Agency, name: str, when: datetime) -> None:
        if self.rng.random() < P_UNPICKED:
            # Nobody picked it up: an agency story alone in the feed, a hard negative.
            original = self.pool.take()
            self.plain(original, "independent", agency.name, when).extra.update(story=name, version=1)
            return
        earlier = [s for s in self.stories if s[1][0].outlet == agency.name]
        quoted: SimDoc | None = None
        if earlier and self.rng.random() < P_FOLLOW_UP:
            base, versions = self.rng.choice(earlier)
            before = [v for v in versions if v.when < when]
            quoted = before[-1] if before else None
            original = self.pool.take_similar(base)
        else:
            original = self.pool.take()
        self.anchor = original
        versions = self.versions(original, agency, name, when, quoted)
        self.stories.append((original, versions))
        copies: list[SimDoc] = []
        weights = [1.0 + 0.5 * i for i in range(len(versions))]
        for _ in range(self.rng.randint(2, 7)):
            if copies and self.rng.random() < P_AGGREGATE:
                copies.append(self.outlet_copy(self.rng.choice(copies), AGGREGATOR, "aggregate", agency))
                continue
            version = self.rng.choices(versions, weights)[0]
            op = self.rng.choices(COPY_OPS, COPY_WEIGHTS)[0]
            copies.append(self.outlet_copy(version, self.rng.choice(DAY_OUTLETS), op, agency))

    def versions(self, original: Original, agency: Agency, name: str, when: datetime,
                 quoted: SimDoc | None) -> list[SimDoc]:
        """The first take and its write-thrus; each version present in the folder or not."""
        paragraphs = list(original.paragraphs)
        city = original.dateline.split(",")[0].upper() if original.dateline else self.rng.choice(_CITIES)
        lead = f"{city} ({agency.short}) {agency.dash} "
        used = max(2, round(len(paragraphs) * self.rng.uniform(0.3, 0.5)))
        body = paragraphs[:used]
        if quoted is not None:
            background = quoted.body[1:-1][: self.rng.randint(1, 2)] or quoted.body[:1]
            body = [*body[:2], *background, *body[2:]]
            self.quotes[name] = str(quoted.family)
        sign = self.rng.sample(_REPORTERS, 3)
        footer = agency.footer.format(year=when.year, a=sign[0], b=sign[1], c=sign[2])
        feed = self.rng.random() < P_FEED

        def version(title: str, number: int, parent: SimDoc | None, at: datetime) -> SimDoc:
            present = feed and self.rng.random() < P_VERSION_PRESENT
            return self._doc(title, [lead + body[0], *body[1:], footer], at, agency.name,
                             "wire" if parent is None else "write-thru", name, number, parent, present)

        out = [version(original.title, 1, None, when)]
        if quoted is not None:
            out[0].partial_of = [quoted]
        for number, chance in ((2, P_V2), (3, P_V3)):
            if self.rng.random() >= chance:
                break
            more = paragraphs[used:used + self.rng.randint(1, 3)]
            used += len(more)
            body = [self.new_top(original), *change_figures(body, self.rng, self.rng.randint(1, 2)), *more]
            out.append(version(f"UPDATE {number - 1}-{original.title}", number, out[-1],
                               self.later(out[-1].when, 30, 240)))
        return out

    def outlet_copy(self, parent: SimDoc, outlet: Outlet, op: str, agency: Agency) -> SimDoc:
        body = list(parent.body)
        if op == "trim":
            body = trim(body, self.rng)
        elif op == "localise":
            body = house_style(body, outlet.spelling, outlet.swaps)
            own = self.pool.take()
            body.insert(self.rng.randint(1, max(1, len(body) - 1)), split_sentences(own.paragraphs[0])[0])
        body = self.credit(body, outlet.credit, agency)
        when = self.later(parent.when, 5, 600)
        doc = self._doc(_UPDATE_RE.sub("", parent.title), body, when, outlet.name, op, str(parent.family),
                        parent.extra["version"], parent)
        doc.page = furnish(outlet, when, self.related(), self.rng, agency.name)
        return doc

    def credit(self, body: list[str], form: str, agency: Agency) -> list[str]:
        """Print the agency credit in the outlet's form (``keep``: as the copied page has it)."""
        if form in ("keep", "dateline"):
            return body
        prefix = re.compile(rf"^[A-Z][A-Z .,'-]+ \({re.escape(agency.short)}\) [—-] ")
        first = prefix.sub("", body[0])
        rest = [first, *body[1:]]
        if form == "byline":
            return [f"By {agency.name}", *rest]
        if form == "tag":
            return [*rest[:-1], f"{rest[-1]} ({agency.short})"]
        return [*rest, agency.name if agency.short != "AA" else "Credit | AA"]

    def staff_story(self) -> None:
        base = self.rng.choice(self.stories)[0] if self.stories else self.pool.take()
        original = self.pool.take_similar(base)
        outlet = self.rng.choice(DAY_OUTLETS)
        doc = self.plain(original, "same-topic", outlet.name, self.moment(1))
        doc.extra.update(story=None, version=None)
        doc.page = furnish(outlet, doc.when, self.related(), self.rng)


def build(originals: list[Original], *, seed: int, quick: bool = False,
          stories_per_agency: int | None = None) -> SimCorpus:
    """Simulate one agency day (see the module docstring).

    Parameters
    ----------
    originals : list of Original
        De-duplicated real articles (Reuters by default: wire copy with datelines).
    seed : int
        Seed of the only random generator.
    quick : bool, default=False
        A small day (2 stories per agency instead of 6).
    stories_per_agency : int, optional
        Stories each agency files.

    Returns
    -------
    SimCorpus
        Documents and truth.
    """
    sizes = QUICK_SIZES if quick else DEFAULT_SIZES
    n = stories_per_agency if stories_per_agency is not None else sizes[0]
    if n < 0:
        raise ValueError(f"The 'stories_per_agency' parameter must be an int >= 0. Got {n!r} instead.")
    day = _AgencyDay(originals, seed)
    start = day.moment()
    for slot in range(n):
        for agency in AGENCIES:
            name = f"{agency.short.lower()}-{slot:02d}"
            day.story(agency, name, day.later(start, slot * 90, slot * 90 + 80))
    for _ in range(n * sizes[1] * len(AGENCIES) // 2):
        day.staff_story()
    return SimCorpus(day.docs, {"generator": "agency", "seed": seed, "stories_per_agency": n})


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; prints the path to trace."""
    from benchmarks.worldbase import run_cli

    return run_cli(__doc__, argv, build, sizes=(DEFAULT_SIZES[0], QUICK_SIZES[0]), default_source="reuters")


if __name__ == "__main__":
    raise SystemExit(main())
