"""The HTML report in a real browser: Debian's chromium driven by Playwright, from file://.

Playwright never downloads a browser here: it launches /usr/bin/chromium, and the
tests skip when that binary or the playwright package is missing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest_browser import HOSTILE, hostile_lineage, sample_lineage

from provenance.model import Edge, Evidence, Family, Lineage
from provenance.render.html import render_html
from provenance.render.words import headline

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SEEDS = Path(__file__).resolve().parent.parent / "seeds"  # traced for the main report
TITLE = "Provenance report: who copied whom"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is missing at /usr/bin/chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    """Where screenshots go: ``$PROVENANCE_ARTIFACTS`` when set, else pytest's tmp_path."""
    out = Path(os.environ.get("PROVENANCE_ARTIFACTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    return out


def open_report(page, html: str, path: Path) -> dict[str, list]:
    """Write ``html`` to ``path``, open it from file:// and record what the page tries to do."""
    path.write_text(html, encoding="utf-8")
    seen: dict[str, list] = {"requests": [], "dialogs": [], "errors": [], "popups": []}
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("popup", lambda p: seen["popups"].append(p.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return seen


def card(page, title: str):
    """The document card whose heading is exactly ``title``."""
    return page.locator(f'article.doc:has(> h3:text-is("{title}"))')


def in_view(page, selector: str) -> bool:
    return page.evaluate(
        """sel => { const r = document.querySelector(sel).getBoundingClientRect();
                   return r.top >= 0 && r.top < window.innerHeight; }""",
        selector,
    )


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_report_runs_nothing_and_fetches_nothing(page, tmp_path, payload):
    seen = open_report(page, render_html(hostile_lineage(payload)), tmp_path / "hostile.html")
    # Exercise the page: filter with the payload, follow every link, open everything.
    page.fill("#filter", payload)
    page.fill("#filter", "")
    page.click("#expand-all")
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
        page.evaluate("h => { location.hash = h; }", href)
    page.wait_for_timeout(200)
    assert seen["dialogs"] == []
    assert seen["popups"] == []
    assert seen["errors"] == []
    assert seen["requests"] == [(tmp_path / "hostile.html").as_uri()]
    assert page.title() == TITLE
    assert page.evaluate("document.scripts.length") == 1
    handlers = page.evaluate(
        """() => [...document.querySelectorAll('*')].flatMap(
               el => [...el.attributes].filter(a => a.name.startsWith('on')).map(a => a.name))"""
    )
    assert handlers == []
    assert (
        page.evaluate("document.querySelectorAll('img, iframe, link, object, embed').length") == 0
    )
    assert payload in page.inner_text("body")


@pytest.fixture
def report(page, tmp_path):
    """The hand-built sample lineage (copies with shared passages), opened in the browser."""
    seen = open_report(page, render_html(sample_lineage()), tmp_path / "report.html")
    yield page
    assert seen["errors"] == [] and seen["dialogs"] == []
    assert seen["requests"] == [(tmp_path / "report.html").as_uri()]


def test_tree_has_document_and_latent_nodes(report):
    labels = report.eval_on_selector_all(
        "svg a.node", "els => els.map(a => [...a.querySelectorAll('.t1')].map(t => t.textContent))"
    )
    labels = [" ".join(parts) for parts in labels]
    assert "Rail chaos as signals fail" in labels and "Trains cancelled after fault" in labels
    assert labels.count("unseen source") == 1
    dash = report.eval_on_selector(
        "svg a.node.latent rect", "r => getComputedStyle(r).strokeDasharray"
    )
    assert dash not in ("", "none")
    assert report.locator("svg text.elabel", has_text="spun 0.83").is_visible()


def test_clicking_a_node_opens_its_card(report):
    node = report.locator("svg a.node", has_text="Trains cancelled after fault")
    href = node.get_attribute("href")
    node.click()
    report.wait_for_function("h => location.hash === h", arg=href)
    assert report.evaluate("document.querySelector(':target').id") == href[1:]
    report.wait_for_function(
        """sel => { const r = document.querySelector(sel).getBoundingClientRect();
                   return Math.abs(r.top) < 120; }""",
        arg=href,
    )
    assert in_view(report, href)
    assert report.locator(f"{href} h3").inner_text() == "Trains cancelled after fault"


def test_side_by_side_marks_are_visible(report):
    chaos = card(report, "Rail chaos as signals fail")
    assert chaos.locator(".sbs mark").count() > 0
    assert chaos.locator(".sbs mark").first.is_visible()
    assert chaos.locator(".sbs del", has_text="cancelled").is_visible()
    assert chaos.locator(".sbs ins", has_text="scrapped").is_visible()
    background = chaos.locator(".sbs mark").first.evaluate(
        "m => getComputedStyle(m).backgroundColor"
    )
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")


def test_folded_runs_open_on_click(report):
    fold = card(report, "Signal fault cancels 200 trains").locator("details.fold")
    assert fold.evaluate("d => d.open") is False
    assert not fold.locator("mark").is_visible()
    fold.locator("summary").click()
    assert fold.evaluate("d => d.open") is True
    assert fold.locator("mark").is_visible()


def test_filter_box_hides_cards_and_rows(report):
    report.fill("#filter", "storm")
    visible = report.eval_on_selector_all(
        "article.doc", "els => els.filter(e => !e.closest('[hidden]')).map(e => e.id)"
    )
    assert len(visible) == 2
    assert report.locator("#independents tr.item:visible").count() == 0
    assert report.locator("section.family:visible").count() == 1
    assert report.inner_text("#filter-status") == "2 of 10 articles match"
    lit = report.eval_on_selector_all("svg a.node:not(.dim)", "els => els.length")
    assert lit == 2  # the rail family and the unseen source itself are dimmed
    report.fill("#filter", "parking")
    assert report.locator("#independents tr.item:visible").count() == 1
    assert report.locator("section.family:visible").count() == 0
    report.press("#filter", "Escape")
    assert report.locator("article.doc:visible").count() == 8
    assert report.inner_text("#filter-status") == ""


def test_keyboard_only_reader(report):
    report.keyboard.press("Tab")
    assert report.evaluate("document.activeElement.className") == "skip"
    report.keyboard.press("Tab")
    assert report.evaluate("document.activeElement.id") == "filter"
    report.keyboard.type("chaos")
    assert report.locator("article.doc:visible").count() == 2
    report.keyboard.press("Escape")
    report.keyboard.press("Tab")
    assert report.evaluate("document.activeElement.id") == "only-uncredited"
    report.keyboard.press("Tab")
    assert report.evaluate("document.activeElement.id") == "expand-all"
    report.keyboard.press("Enter")
    assert report.evaluate("[...document.querySelectorAll('details')].every(d => d.open)")
    outline = report.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    for _ in range(60):  # tab on until a tree node has focus, then follow it
        report.keyboard.press("Tab")
        if report.evaluate("document.activeElement.matches('svg a.node')"):
            break
    else:
        pytest.fail("no tree node is reachable with the keyboard")
    href = report.evaluate("document.activeElement.getAttribute('href')")
    report.keyboard.press("Enter")
    report.wait_for_function("h => location.hash === h", arg=href)


def test_print_view(report):
    report.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert report.evaluate("[...document.querySelectorAll('details')].every(d => d.open)")
    report.emulate_media(media="print")
    assert report.locator(".toolbar").is_hidden()
    assert report.eval_on_selector(".sbs .text", "t => getComputedStyle(t).maxHeight") == "none"
    report.emulate_media(media="screen")
    report.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert report.locator("details.fold").first.evaluate("d => d.open") is False


def test_sample_full_page_screenshot(report, artifacts):
    shot = artifacts / "sample.png"
    report.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert report.locator("h1").inner_text() == TITLE
    assert report.locator("#how h2").is_visible()


@pytest.fixture(scope="module")
def seeds_lineage():
    """The real trace of the repository's seeds folder."""
    provenance = pytest.importorskip("provenance")
    if not hasattr(provenance, "trace"):
        pytest.skip("provenance.trace is not available yet")
    return provenance.trace(SEEDS)


@pytest.fixture
def seeds(page, tmp_path, seeds_lineage):
    """The seeds report, opened from file://; checks afterwards that nothing ran or was fetched."""
    path = tmp_path / "seeds.html"
    seen = open_report(page, render_html(seeds_lineage), path)
    yield page
    assert seen["errors"] == [] and seen["dialogs"] == [] and seen["popups"] == []
    assert seen["requests"] == [path.as_uri()]


def test_seeds_tree_has_document_and_latent_nodes(seeds, seeds_lineage):
    linked = {e.parent for e in seeds_lineage.edges} | {e.child for e in seeds_lineage.edges}
    docs = {d.id: d for d in seeds_lineage.documents}
    assert seeds.locator("svg").count() == len({tuple(f.members) for f in seeds_lineage.families})
    assert seeds.locator("svg a.node").count() == len(linked)
    assert seeds.locator("svg a.node.latent").count() == len(seeds_lineage.latent) >= 1
    names = seeds.eval_on_selector_all(
        "svg a.node", "els => els.map(a => a.getAttribute('aria-label'))"
    )
    for doc_id in linked & set(docs):
        assert headline(docs[doc_id]) in names
    assert names.count("unseen source") == len(seeds_lineage.latent)
    for edge in seeds_lineage.edges:
        label = f"{edge.relation} {edge.confidence:.2f}"
        assert seeds.locator("svg text.elabel", has_text=label).count() >= 1


def test_seeds_clicking_a_node_scrolls_to_its_card(seeds, seeds_lineage):
    child = seeds_lineage.edges[0].child
    title = headline(seeds_lineage.document(child))
    node = seeds.locator(f'svg a.node[aria-label="{title}"]')
    href = node.get_attribute("href")
    node.click()
    seeds.wait_for_function("h => location.hash === h", arg=href)
    assert seeds.evaluate("document.querySelector(':target').id") == href[1:]
    seeds.wait_for_function(
        "sel => Math.abs(document.querySelector(sel).getBoundingClientRect().top) < 120", arg=href
    )
    assert in_view(seeds, href)
    assert seeds.locator(f"{href} h3").inner_text() == title


def test_seeds_cards_show_texts(seeds, seeds_lineage):
    for edge in seeds_lineage.edges:
        anchor = seeds.locator(f'svg a.node[aria-label="{_label(seeds_lineage, edge.child)}"]')
        panel = seeds.locator(anchor.get_attribute("href"))
        # Cards off screen are skipped by the browser (content-visibility): look at it as a reader would.
        panel.scroll_into_view_if_needed()
        if edge.shared:
            assert panel.locator(".sbs mark").count() > 0
        elif edge.parent.startswith("~"):
            expect = pytest.importorskip("playwright.sync_api").expect
            expect(panel.locator(".latent-note")).to_contain_text("not in the folder")
            panel.locator(".latent-note summary").click()
            assert panel.locator(".latent-note .text").is_visible()


def test_seeds_filter_hides_rows(seeds, seeds_lineage):
    linked = {e.parent for e in seeds_lineage.edges} | {e.child for e in seeds_lineage.edges}
    loners = [d for d in seeds_lineage.documents if d.id not in linked]
    total = len(seeds_lineage.documents)
    assert loners, "the seeds are expected to hold an independent article"
    seeds.fill("#filter", loners[0].id)
    assert seeds.locator("#independents tr.item:visible").count() == 1
    assert seeds.locator("article.doc:visible").count() == 0
    assert seeds.locator("section.family:visible").count() == 0
    assert seeds.inner_text("#filter-status") == f"1 of {total} articles match"
    seeds.fill("#filter", "no article has this in its title")
    assert seeds.locator("tr.item:visible, article.doc:visible").count() == 0
    seeds.fill("#filter", "")
    assert seeds.locator("tr.item:visible, article.doc:visible").count() == total


def test_seeds_full_page_screenshot(seeds, artifacts):
    shot = artifacts / "seeds.png"
    seeds.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert seeds.locator("#how h2").inner_text() == "How to read this report"


def _label(lineage, doc_id: str) -> str:
    return headline(lineage.document(doc_id))


# --------------------------------------------------------------------------- what an editor meets
# A small syndication family built by hand (no shared corpus): an AP story, copies that credit it
# or not, a weak link, a copy of a copy, and evidence carrying the tree model's raw signal names.

RAW_SIGNALS = ("child_unique", "sites_gap", "against_child")


def editor_lineage() -> Lineage:
    from conftest_browser import WIRE, make_doc, passage

    specs = [  # id, title, outlet, credits, parent, confidence
        ("ap.txt", "Spotify reverses its hateful conduct policy", "apnews.com", ("AP",), None, 0),
        ("sfgate.txt", "Spotify ends divisive artist policy", "sfgate.com", ("AP",), "ap.txt", 0.93),
        ("tribune.txt", "Spotify backs down on R. Kelly", "chicagotribune.com", (), "ap.txt", 0.88),
        ("weak.txt", "Streaming giant changes course", "example.com", (), "ap.txt", 0.41),
        ("nypost.txt", "Spotify: we rolled this out wrong", "nypost.com", ("AP",), "ap.txt", 0.9),
        ("nypost-copy.txt", "Spotify rolled it out wrong", "aggregator.net", (), "nypost.txt", 0.8),
        ("other.txt", "Council postpones parking meeting", "Town Crier", (), None, 0),
    ]
    docs, edges = [], []
    for doc_id, title, outlet, credits, parent, confidence in specs:
        docs.append(make_doc(doc_id, WIRE, title=title, outlet=outlet, credits=credits,
                             published=f"2018-06-01T{10 + len(docs):02d}:00:00+00:00"))
        if parent:
            evidence = (Evidence("containment", 0.0, "shares 140 words: 100% of the first text"),
                        Evidence("model:child_unique", -1.3, "child_unique"),
                        Evidence("model:sites_gap", 0.0, "sites_gap"),
                        Evidence("model:against_child", 0.6, "against_child"),
                        Evidence("model:explains", 2.4, "how much of the child this parent contains"))
            edges.append(Edge(parent, doc_id, confidence, "reprint", evidence, (passage(WIRE, WIRE, WIRE.strip()),)))
    members = tuple(d.id for d in docs[:-1])
    return Lineage(docs, edges, [], [Family("family-1", "ap.txt", members)])


def deep_lineage() -> Lineage:
    """A root with seven copies, two of which were copied in turn (the layout a reader misread)."""
    from conftest_browser import WIRE, make_doc

    docs, edges = [make_doc("root", WIRE, title="Root story", outlet="Wire")], []
    for i in range(7):
        docs.append(make_doc(f"c{i}", WIRE, title=f"Copy {i}", outlet=f"Outlet {i}"))
        edges.append(Edge("root", f"c{i}", 0.9, "reprint"))
        if i in (1, 4):
            for j in range(2):
                docs.append(make_doc(f"c{i}-{j}", WIRE, title=f"Copy {i}.{j}", outlet=f"Outlet {i}.{j}"))
                edges.append(Edge(f"c{i}", f"c{i}-{j}", 0.8, "reprint"))
    return Lineage(docs, edges, [], [Family("family-1", "root", tuple(d.id for d in docs))])


@pytest.fixture
def editor(page, tmp_path):
    seen = open_report(page, render_html(editor_lineage()), tmp_path / "editor.html")
    yield page
    assert seen["errors"] == [] and seen["dialogs"] == []


def test_tree_boxes_show_headline_outlet_and_credit(editor):
    boxes = editor.eval_on_selector_all(
        "svg a.node", "els => els.map(a => [[...a.querySelectorAll('.t1')].map(t => t.textContent).join(' '),"
                      " a.querySelector('.t2').textContent])")
    shown = {title: sub for title, sub in boxes}
    assert shown["Spotify reverses its hateful conduct policy"] == "apnews.com"
    assert shown["Spotify ends divisive artist policy"] == "sfgate.com · credited"
    assert shown["Spotify backs down on R. Kelly"] == "chicagotribune.… · uncredited"  # cut to fit
    assert shown["Spotify rolled it out wrong"] == "aggregator.net · uncredited"
    overflow = editor.eval_on_selector_all(
        "svg a.node", "els => els.filter(a => { const r = a.querySelector('rect').getBBox();"
                      " return [...a.querySelectorAll('text')].some(t => t.getBBox().x + t.getBBox().width > r.x + r.width); })"
                      ".map(a => a.getAttribute('aria-label'))")
    assert overflow == []


def test_weak_links_look_weak(editor):
    styles = editor.eval_on_selector_all(
        "svg g.edge path", "els => els.map(p => [getComputedStyle(p).strokeDasharray, parseFloat(getComputedStyle(p).strokeWidth)])")
    dashed = [w for dash, w in styles if dash not in ("", "none")]
    solid = [w for dash, w in styles if dash in ("", "none")]
    assert len(dashed) == 1 and len(solid) == 4  # only the 0.41 link
    assert max(dashed) < min(solid)


def test_uncredited_copies_filter_and_count(editor):
    assert editor.inner_text(".stat-uncredited dd") == "3"
    editor.check("#only-uncredited")
    visible = editor.eval_on_selector_all("article.doc:not([hidden]) h3", "els => els.map(e => e.textContent)")
    assert sorted(visible) == sorted(["Spotify backs down on R. Kelly", "Streaming giant changes course",
                                      "Spotify rolled it out wrong"])
    assert editor.inner_text("#filter-status") == "3 of 7 articles match"
    editor.uncheck("#only-uncredited")
    assert editor.locator("article.doc:not([hidden])").count() == 6


@pytest.mark.parametrize("query", ["Associated Press", "associated press", "AP"])
def test_search_finds_the_ap_copies(editor, query):
    editor.fill("#filter", query)
    visible = editor.eval_on_selector_all("article.doc:not([hidden]) h3", "els => els.map(e => e.textContent)")
    assert sorted(visible) == sorted(["Spotify reverses its hateful conduct policy",
                                      "Spotify ends divisive artist policy", "Spotify: we rolled this out wrong"])


def test_evidence_is_in_words_only(editor):
    editor.click("#expand-all")
    text = editor.evaluate("document.querySelector('main').textContent")  # cards off screen included
    for raw in RAW_SIGNALS:
        assert raw not in text
    assert "+0.0" not in text and "-0.0" not in text and "model:" not in text
    assert "Weighed against the link: changes in the copy that no other copy has." in text
    from provenance.render import render_text

    report = render_text(editor_lineage())
    assert not any(raw in report for raw in RAW_SIGNALS) and "+0.0" not in report


def test_wide_family_scrolls_without_clipping(page, tmp_path):
    from conftest_browser import star_lineage

    open_report(page, render_html(star_lineage(30)), tmp_path / "wide.html")
    wrap = page.locator(".tree-wrap").first
    sizes = wrap.evaluate("w => [w.scrollWidth, w.clientWidth]")
    assert sizes[0] > sizes[1]  # wider than the page: it scrolls
    wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; w.scrollIntoView({block: 'center', behavior: 'instant'}); }")
    last = page.locator("svg a.node", has_text="Copy 29")
    box, frame = last.bounding_box(), wrap.bounding_box()
    assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"]
    hit = page.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('a.node').textContent",
                        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
    assert "Copy 29" in hit


def test_a_child_is_never_drawn_under_a_sibling(page, tmp_path):
    lineage = deep_lineage()
    open_report(page, render_html(lineage), tmp_path / "deep.html")
    boxes = page.eval_on_selector_all(
        "svg a.node", "els => els.map(a => { const r = a.querySelector('rect');"
                      " return [a.getAttribute('aria-label'), r.x.baseVal.value, r.y.baseVal.value, r.width.baseVal.value]; })")
    title = {headline(d): d.id for d in lineage.documents}
    parent = {e.child: e.parent for e in lineage.edges}

    def ancestors(node):
        while node in parent:
            node = parent[node]
            yield node

    for name_a, xa, ya, wa in boxes:
        for name_b, xb, yb, wb in boxes:
            a, b = title[name_a], title[name_b]
            if yb > ya and xb < xa + wa and xa < xb + wb:  # b stands below a, overlapping it
                assert a in set(ancestors(b)), f"{b} is drawn under {a}, which is not its ancestor"
    for e in lineage.edges:  # and every child is lower than its parent
        y = {title[n]: yy for n, _, yy, _ in boxes}
        assert y[e.child] > y[e.parent]


def test_first_click_on_a_tree_box_lands_on_its_card_with_smooth_scrolling(page, tmp_path):
    from conftest_browser import star_lineage

    open_report(page, render_html(star_lineage(40)), tmp_path / "many.html")
    assert page.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == "smooth"
    for label in ("Copy 31", "Copy 17"):  # far down the page: cards above it are not laid out yet
        node = page.locator("svg a.node", has_text=label).first
        href = node.get_attribute("href")
        node.click()
        page.wait_for_function(
            """sel => { const r = document.querySelector(sel).getBoundingClientRect();
                       window.__tops = (window.__tops || []).concat([r.top]).slice(-4);
                       return window.__tops.length === 4 && window.__tops.every(t => Math.abs(t - r.top) < 1); }""",
            arg=href, polling=100)
        top = page.evaluate("sel => document.querySelector(sel).getBoundingClientRect().top", href)
        assert 0 <= top < 120, (label, top)
        assert page.locator(f"{href} h3").inner_text() == label
        assert page.evaluate("document.querySelector(':target').id") == href[1:]
        page.evaluate("window.__tops = []; window.scrollTo({top: 0, behavior: 'instant'})")


def test_a_digest_links_to_the_other_stories_it_quotes(page, tmp_path):
    # A digest of three earlier stories hangs from one of them; the two others have cards of their
    # own in its family, a dotted arrow into it, and links both ways between the cards.
    from syndicated import digest_day

    from provenance.pipeline import trace_articles

    lineage = trace_articles(digest_day(31))
    others = [o.parent for o in lineage.parent_of("digest.txt").also_from]
    seen = open_report(page, render_html(lineage), tmp_path / "digest.html")
    assert not seen["errors"]
    digest = page.locator("article.doc", has=page.locator("code", has_text="digest.txt"))
    links = digest.locator(".others a")
    assert links.count() == len(others) == 2
    assert page.locator("svg.tree .edge.other").count() == 2
    assert page.locator("#independents-h").inner_text().endswith("(0)")
    for n in range(links.count()):
        href = links.nth(n).get_attribute("href")
        story = page.locator(href)
        assert story.locator("dl code").first.text_content() in others
        back = story.locator("h4:text-is('Passages also taken by') + ul a")
        assert back.count() == 1 and back.get_attribute("href") == f"#{digest.get_attribute('id')}"
