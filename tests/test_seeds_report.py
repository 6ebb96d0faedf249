"""reports/seeds.html is the tool's own report of seeds/, and must not go stale."""

from conftest import REPO

import provenance


def test_committed_seeds_report_is_current(monkeypatch):
    monkeypatch.chdir(REPO)  # the report shows paths as given: "seeds/..."
    expected = provenance.render_html(provenance.trace("seeds/"))
    committed = (REPO / "reports" / "seeds.html").read_text(encoding="utf-8")
    assert committed == expected, (
        "reports/seeds.html is stale: regenerate it with `trace seeds/ --format html` from the repository root"
    )


def test_seeds_report_shows_the_story():
    html = (REPO / "reports" / "seeds.html").read_text(encoding="utf-8")
    assert "unseen source" in html
    for name in ("000_ff1cc9cdafb8e1cb.txt", "002_e3353238399ad4ec.txt", "004_7fdd438a3d7ae7ec.txt"):
        assert name in html
    assert "AA" in html  # 004's credit line
