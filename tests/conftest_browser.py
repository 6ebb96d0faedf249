"""Hand-built lineages for the HTML report tests (no analysis runs here).

``make_doc`` builds a :class:`~provenance.model.Document` around a text;
``passage`` finds a sentence in two texts and returns the
:class:`~provenance.model.SharedPassage` the aligner would report for it.
``sample_lineage`` is a small newsroom: a wire story copied four ways, a copy
of a copy, two articles from an unseen source and two independents.
``hostile_lineage`` puts markup and script in every field that reaches the page.
"""

from __future__ import annotations

import numpy as np

from provenance.model import (
    Article,
    Document,
    Edge,
    Evidence,
    Family,
    Latent,
    Lineage,
    SharedPassage,
    Span,
    Tokens,
)

WIRE = (
    "Rail operators across the northern region cancelled more than two hundred trains on Monday "
    "after a fault in a signalling centre near Carrowby left drivers without clearance to move, "
    "stranding thousands of commuters at the start of the working week.\n\n"
    "The operator said engineers had traced the problem to a failed power supply in the control "
    "room and that a backup system had not switched on as designed. Services were expected to "
    "return to normal by the evening rush hour, a spokeswoman said.\n\n"
    "\u201cWe are very sorry for the disruption and we understand how frustrating this has been "
    "for passengers,\u201d operations director Malik Osei said in a statement. \u201cEvery ticket "
    "bought for today will be refunded in full.\u201d\n\n"
    "Passenger groups said the failure showed the network had too little resilience, and called "
    "on the transport ministry to publish its long delayed review of signalling upgrades.\n\n"
    "The ministry said the review would be published before the summer and that funding for new "
    "equipment had already been set aside in this year's budget.\n"
)
HEAD = "The Evening Ledger\nShare this article\n\n"
TAIL = "\n\nRead more: Bus fares to rise in spring\n\u00a9 The Evening Ledger"
EDITS = {
    "cancelled": "scrapped",
    "thousands": "tens of thousands",
    "rush hour": "peak",
    "frustrating": "infuriating",
}
SPUN = (
    "Commuters in the north faced chaos on Monday when a signalling breakdown near Carrowby halted "
    "more than two hundred services.\n\n"
    "Engineers blamed a power supply failure in the control room, saying a backup had not "
    "kicked in. "
    "\u201cEvery ticket bought for today will be refunded in full,\u201d operations director Malik "
    "Osei promised.\n\n"
    "Campaigners want the ministry to finally release its review of the signalling system.\n"
)
STORM = (
    "Storm Edda brought down power lines across the coast overnight, leaving eleven thousand homes "
    "without electricity, the grid company said on Sunday. Crews worked through the night and most "
    "customers were reconnected by noon, but some rural villages could wait until Tuesday.\n"
)
STORM_B = (
    "Power was restored to most of the eleven thousand homes cut off by Storm Edda by noon on "
    "Sunday, the grid company said. Crews worked through the night and most customers were "
    "reconnected by noon, but some rural villages could wait until Tuesday. Schools will open "
    "as usual.\n"
)
SHORT = "A council meeting on parking fees was postponed to next month."
HOSTILE = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '"><svg onload=alert(1)>',
    "</textarea></title></style><b>broken <i tag",
    "'; alert(1); //",
    "{{ 7*7 }} {% raw %}",
    "<iframe src=https://example.invalid/></iframe>",
    "<link rel=stylesheet href=https://example.invalid/x.css>",
)


def make_doc(
    doc_id: str,
    text: str,
    *,
    title: str | None = None,
    outlet: str | None = None,
    published: str | None = None,
    boilerplate: tuple[str, ...] = (),
    credits: tuple[str, ...] = (),
    bylines: tuple[str, ...] = (),
    url: str | None = None,
) -> Document:
    """A document whose boilerplate spans are the given substrings of ``text``."""
    spans = []
    for piece in boilerplate:
        start = text.index(piece)
        spans.append(Span(start, start + len(piece), piece, "furniture"))
    article = Article(
        id=doc_id,
        text=text,
        path=f"folder/{doc_id}",
        title=title,
        published=published,
        outlet=outlet,
        url=url,
    )
    empty = np.array([], dtype=int)
    tokens = Tokens(words=(), starts=empty, ends=empty)
    return Document(
        article, tokens, np.arange(len(text.split())), tuple(spans), tuple(credits), tuple(bylines)
    )


def passage(parent: str, child: str, piece: str, child_piece: str | None = None) -> SharedPassage:
    """``piece`` of ``parent`` shared with ``child_piece`` (default ``piece``) of ``child``."""
    child_piece = piece if child_piece is None else child_piece
    ps, cs = parent.index(piece), child.index(child_piece)
    return SharedPassage(ps, ps + len(piece), cs, cs + len(child_piece), len(piece.split()))


def _edited(text: str) -> str:
    for old, new in EDITS.items():
        text = text.replace(old, new)
    return text


def _evidence(share: int) -> tuple[Evidence, ...]:
    return (
        Evidence(
            "containment",
            3.1,
            f"contains {share}% of the parent's text once page furniture is removed",
        ),
        Evidence("time", 1.2, "published 45 minutes after the parent"),
        Evidence("credit", -0.4, "does not credit the parent's outlet"),
    )


def sample_lineage() -> Lineage:
    """Wire story with reprint, trimmed, edited (and its copy), spun; latent; independents."""
    trimmed = WIRE.split("\n\n")
    trimmed_text = "\n\n".join(trimmed[:3]) + "\n"
    edited = _edited(WIRE)
    docs = [
        make_doc(
            "wire/rail-fault.txt",
            WIRE,
            title="Signal fault cancels 200 northern trains",
            outlet="Northern Press Agency",
            published="2024-03-04T07:10:00+00:00",
            credits=("Northern Press Agency",),
            bylines=("By Jo Tamsin",),
        ),
        make_doc(
            "ledger/rail.txt",
            HEAD + WIRE + TAIL,
            title="Signal fault cancels 200 trains",
            outlet="The Evening Ledger",
            published="2024-03-04T07:55:00+00:00",
            boilerplate=(HEAD.strip(), TAIL.strip()),
            credits=("Northern Press Agency",),
        ),
        make_doc(
            "gazette/trains.txt",
            trimmed_text,
            title="Trains cancelled after fault",
            outlet="Carrowby Gazette",
            published="2024-03-04T09:40:00+00:00",
        ),
        make_doc(
            "post/chaos.txt",
            edited,
            title="Rail chaos as signals fail",
            outlet="Daily Post",
            published="2024-03-04T08:30:00+00:00",
        ),
        make_doc(
            "post-syndicated/chaos.txt",
            edited,
            title="Rail chaos (syndicated)",
            outlet="Post Network",
        ),
        make_doc(
            "blog/commuter-misery.txt",
            SPUN,
            title="Commuter misery on the northern lines",
            outlet="Clickstream",
            published="2024-03-04T12:05:00+00:00",
        ),
        make_doc(
            "coast/storm.txt",
            STORM,
            title="Storm Edda cuts power to 11,000 homes",
            outlet="Coast FM",
        ),
        make_doc(
            "valley/storm.txt",
            STORM_B,
            title="Power back for most after Storm Edda",
            outlet="Valley News",
        ),
        make_doc(
            "council/parking.txt",
            SHORT,
            title="Parking fee meeting postponed",
            outlet="Town Crier",
            published="2024-03-01",
        ),
        make_doc("misc/weather.txt", "Sunny spells all week.", title="Weather brief"),
    ]
    edges = [
        Edge(
            "wire/rail-fault.txt",
            "ledger/rail.txt",
            0.97,
            "reprint",
            _evidence(99),
            (passage(WIRE, HEAD + WIRE + TAIL, WIRE.strip()),),
        ),
        Edge(
            "wire/rail-fault.txt",
            "gazette/trains.txt",
            0.91,
            "trimmed",
            _evidence(58),
            (passage(WIRE, trimmed_text, trimmed_text.strip()),),
        ),
        Edge(
            "wire/rail-fault.txt",
            "post/chaos.txt",
            0.88,
            "edited",
            _evidence(94),
            (passage(WIRE, edited, WIRE.strip(), edited.strip()),),
        ),
        Edge(
            "post/chaos.txt",
            "post-syndicated/chaos.txt",
            0.95,
            "reprint",
            _evidence(100),
            (passage(edited, edited, edited.strip()),),
        ),
        Edge(
            "wire/rail-fault.txt",
            "blog/commuter-misery.txt",
            0.83,
            "spun",
            _evidence(21),
            (
                passage(WIRE, SPUN, "Every ticket bought for today will be refunded in full"),
                passage(WIRE, SPUN, "operations director Malik Osei"),
            ),
        ),
        Edge(
            "~1",
            "coast/storm.txt",
            0.74,
            "partial",
            (
                Evidence(
                    "common-source",
                    2.0,
                    "shares a passage with valley/storm.txt that neither took from the other",
                ),
            ),
        ),
        Edge("~1", "valley/storm.txt", 0.71, "partial", ()),
    ]
    families = [
        Family("F2", "~1", ("~1", "coast/storm.txt", "valley/storm.txt")),
        Family(
            "F1",
            "wire/rail-fault.txt",
            (
                "wire/rail-fault.txt",
                "ledger/rail.txt",
                "gazette/trains.txt",
                "post/chaos.txt",
                "post-syndicated/chaos.txt",
                "blog/commuter-misery.txt",
            ),
        ),
    ]
    return Lineage(
        documents=docs,
        edges=edges,
        latent=[Latent("~1", ("coast/storm.txt", "valley/storm.txt"))],
        families=families,
        options={"min_overlap": 0.3, "shingle": 5, "boilerplate": True},
        warnings=["2 files were empty and were skipped"],
    )


def star_lineage(n: int) -> Lineage:
    """One source copied by ``n`` articles (a wide family)."""
    docs = [make_doc("source.txt", WIRE, title="Source")]
    edges = []
    for i in range(n):
        docs.append(make_doc(f"copy{i:02d}.txt", WIRE, title=f"Copy {i}", outlet=f"Outlet {i}"))
        edges.append(
            Edge(
                "source.txt",
                f"copy{i:02d}.txt",
                0.9,
                "reprint",
                (),
                (passage(WIRE, WIRE, WIRE.strip()),),
            )
        )
    return Lineage(docs, edges, [], [Family("F", "source.txt", tuple(d.id for d in docs))])


def hostile_lineage(payload: str) -> Lineage:
    """``payload`` in every string field that reaches the page (ids included)."""
    parent_text = f"{payload} shared words of the original story. {payload}\n{WIRE}"
    child_text = f"Intro {payload}.\n{WIRE}\n{payload}"
    parent = make_doc(
        f"p{payload}.txt",
        parent_text,
        title=f"T{payload}",
        outlet=f"O{payload}",
        published=payload,
        credits=(payload,),
        bylines=(payload,),
        url=f"javascript:{payload}",
        boilerplate=(payload,),
    )
    child = make_doc(
        f"c{payload}.txt",
        child_text,
        title=payload,
        outlet=payload,
        published="2024-01-01",
        credits=(payload,),
        url=payload,
    )
    lonely = make_doc(f"i{payload}", payload, title=payload, outlet=payload, published=payload)
    latent_child = make_doc(f"l{payload}", f"{payload} {payload}", title=payload)
    edge = Edge(
        parent.id,
        child.id,
        0.9,
        "edited",
        (Evidence(payload, 1.0, payload),),
        (passage(parent_text, child_text, WIRE.strip()),),
    )
    latent_id = f"~{payload}"
    return Lineage(
        documents=[parent, child, lonely, latent_child],
        edges=[edge, Edge(latent_id, latent_child.id, 0.5, payload, (Evidence("x", -1, payload),))],
        latent=[Latent(latent_id, (latent_child.id,))],
        families=[
            Family(payload, parent.id, (parent.id, child.id)),
            Family(f"f{payload}", latent_id, (latent_id, latent_child.id)),
        ],
        options={payload: payload, "nested": {"k": payload}},
        warnings=[payload],
    )
