"""The unseen-source card of the HTML report in real Chromium: reconstructed text, copies side by side, inert text."""

from __future__ import annotations

import pytest
import test_html_browser as base
from conftest_browser import HOSTILE, WIRE, make_doc

import provenance
from provenance.model import Agency, CopyChange, Edge, Family, Latent, Lineage, SourcePassage
from provenance.render.html import render_html
from provenance.render.words import headline

pytestmark = pytest.mark.browser
# The report tests' Chromium (Debian's, no download) and a fresh page per test.
browser, page, open_report = base.browser, base.page, base.open_report


@pytest.fixture
def tab(request):
    return request.getfixturevalue("page")


@pytest.fixture(scope="module")
def seeds_lineage():
    from conftest import SEEDS

    return provenance.trace(SEEDS)


def _source_card(tab, lineage):
    (lat,) = lineage.latent
    href = tab.locator('svg a.node.latent').get_attribute("href")
    tab.locator('svg a.node.latent').click()
    tab.wait_for_function("h => location.hash === h", arg=href)
    card = tab.locator(href)
    card.scroll_into_view_if_needed()
    return lat, card


def test_unseen_source_card_shows_the_reconstruction_and_a_copy_side_by_side(tab, tmp_path, seeds_lineage):
    seen = open_report(tab, render_html(seeds_lineage), tmp_path / "seeds.html")
    lat, card = _source_card(tab, seeds_lineage)
    assert "agency unknown" in card.locator("h3").inner_text()
    text = card.locator(".reconstruction .text")
    assert text.is_visible()
    # The reconstruction reads as the story the copies share, passage by passage.
    first_sentence = lat.text.split(".")[0]
    assert first_sentence in " ".join(text.inner_text().split())
    assert card.locator(".reconstruction .support").count() == len(lat.passages)
    # The spun copy has many changes of its own: they are marked on both sides once opened.
    spun = next(e.child for e in seeds_lineage.edges if e.parent == lat.id and e.relation == "spun")
    # Copies are named by their headline (the title, else the first sentence), as everywhere in the report.
    label = headline(seeds_lineage.document(spun))[:50]
    sbs = card.locator("details.source-copy", has_text=label)
    sbs.locator("summary").click()
    assert sbs.locator(".cols").is_visible()
    assert sbs.locator("del").count() > 0 and sbs.locator("ins").count() > 0
    assert sbs.locator("del").first.is_visible() and sbs.locator("ins").first.is_visible()
    # The tree box names the agency verdict.
    assert "agency unknown" in tab.locator("svg a.node.latent text.t2").text_content()
    assert seen["errors"] == [] and seen["dialogs"] == []
    assert seen["requests"] == [(tmp_path / "seeds.html").as_uri()]


def _hostile(payload: str) -> Lineage:
    a = make_doc(f"a{payload}", f"{payload} {WIRE}", title=payload)
    b = make_doc(f"b{payload}", f"{WIRE} {payload}", title=f"B{payload}")
    text = f"{WIRE}\n\n{payload}"
    lat = Latent(
        f"~{payload}", (a.id, b.id), text=text,
        passages=(SourcePassage(0, len(text), (a.id, b.id)),),
        changes=(CopyChange(a.id, "added", 0, 0, 0, len(payload)),
                 CopyChange(b.id, "cut", len(WIRE) + 2, len(text), len(b.article.text), len(b.article.text))),
        agency=Agency(payload, 1, 2, (f"{a.id}: {payload}",)),
    )
    edges = [Edge(lat.id, a.id, 0.9, "reprint"), Edge(lat.id, b.id, 0.9, "reprint")]
    return Lineage(documents=[a, b], edges=edges, latent=[lat],
                   families=[Family(payload, lat.id, (a.id, b.id), lat.agency)])


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_text_in_a_source_card_stays_text(tab, tmp_path, payload):
    seen = open_report(tab, render_html(_hostile(payload)), tmp_path / "hostile.html")
    tab.click("#expand-all")
    card = tab.locator("aside.source-card")
    card.scroll_into_view_if_needed()
    for summary in card.locator("summary").all():
        summary.click()
    assert payload in card.inner_text()
    assert card.locator("ins").count() >= 1 and card.locator("del").count() >= 1
    assert seen["dialogs"] == [] and seen["errors"] == [] and seen["popups"] == []
    assert seen["requests"] == [(tmp_path / "hostile.html").as_uri()]
    assert tab.evaluate("document.scripts.length") == 1
    assert tab.evaluate("document.querySelectorAll('img, iframe, link, object, embed').length") == 0
