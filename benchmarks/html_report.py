"""Size and browser render time of the HTML report for a large folder.

    python benchmarks/html_report.py [--families 450 --independent 400] [--runs 3]

Simulates a corpus of about 2,000 articles (``benchmarks/simulate.py``, both sources), traces
it, renders the HTML report, and measures the file size and how long headless Chromium (Debian's
``/usr/bin/chromium`` driven by Playwright) takes to load and lay out the page from ``file://``
(median of ``--runs``).  Goal (issue 4): under 10 MB and under 3 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def browser_load_seconds(page_path: Path, runs: int) -> list[float]:
    """Seconds from navigation to the load event plus a forced layout, per run."""
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(runs):
            page = browser.new_page()
            start = time.perf_counter()
            page.goto(page_path.as_uri(), wait_until="load")
            page.evaluate("document.body.getBoundingClientRect().height")
            times.append(time.perf_counter() - start)
            page.close()
        browser.close()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=450)
    parser.add_argument("--independent", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not (REPO.parent / "shared" / "corpora").is_dir():
        print("skipped: ../shared/corpora is absent")
        return 0
    if not Path(CHROMIUM).exists():
        print(f"skipped: {CHROMIUM} is absent (apt-get install chromium)")
        return 0
    import provenance

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sim"
        subprocess.run([sys.executable, str(REPO / "benchmarks" / "simulate.py"), "--source", "both",
                        "--seed", str(args.seed), "--families", str(args.families),
                        "--independent", str(args.independent), "--out", str(out)],
                       check=True, capture_output=True)
        started = time.perf_counter()
        lineage = provenance.trace(out / "corpus")
        traced = time.perf_counter() - started
        started = time.perf_counter()
        html = provenance.render_html(lineage)
        rendered = time.perf_counter() - started
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        loads = browser_load_seconds(page, args.runs)
    result = {
        "documents": len(lineage.documents), "families": len(lineage.families), "edges": len(lineage.edges),
        "trace_seconds": round(traced, 2), "render_seconds": round(rendered, 2),
        "size_mb": round(len(html.encode("utf-8")) / 1e6, 2),
        "browser_load_seconds_median": round(statistics.median(loads), 2),
        "browser_load_seconds": [round(x, 2) for x in loads],
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:32} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
