"""Time of tracing one story held many times: 200 copies against 2,000 (goal: within 2x).

``python benchmarks/copies_scale.py [--copies 200,2000] [--full 200] [--json]``

A wire story run by hundreds of outlets is the normal case for an agency.  For each count,
a temporary folder gets that many byte-identical copies of ``seeds/001_0aaa2a31d96aaafb.txt``
plus the two other members of its family in ``seeds/`` (an edited and a spun copy).  Each
run is a fresh process (``python -c``, so peak memory is its own) that loads the folder and
times the stages up to the pair alignment (:func:`provenance.pipeline.analyse`: normalise,
boilerplate, candidates, align), and, for the counts listed in ``--full``, the whole
:func:`provenance.trace` with its lineage (the family's tree), reporting its families.
Wall-clock seconds are timed; the process's CPU seconds (imports included) are printed too,
for busy machines.  Uses only the seed files of this repository; writes only to a temporary
folder.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STORY = ROOT / "seeds" / "001_0aaa2a31d96aaafb.txt"
RELATIVES = (ROOT / "seeds" / "000_ff1cc9cdafb8e1cb.txt", ROOT / "seeds" / "002_e3353238399ad4ec.txt")

# Runs in a fresh process: argv = folder, "full" or "stages".
_CHILD = """
import json, resource, sys, time
from provenance.pipeline import analyse, trace
from provenance.stages.load import load_articles
folder, mode = sys.argv[1], sys.argv[2]
articles = load_articles(folder).articles
started = time.perf_counter()
out = {"documents": len(articles)}
if mode == "full":
    lineage = trace(folder, jobs=1)
    out["families"] = sorted((len(f.members) for f in lineage.families), reverse=True)
else:
    documents, pairs, _ = analyse(articles, jobs=1)
    out["aligned_pairs"] = len(pairs)
out["seconds"] = round(time.perf_counter() - started, 2)
usage = resource.getrusage(resource.RUSAGE_SELF)
out["cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 2)  # the process, imports included
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(json.dumps(out))
"""


def _folder(copies: int, where: Path) -> Path:
    folder = where / f"copies{copies}"
    folder.mkdir()
    data = STORY.read_bytes()
    for i in range(copies):
        (folder / f"outlet{i:05d}.txt").write_bytes(data)
    for path in RELATIVES:
        shutil.copy(path, folder / path.name)
    return folder


def _run(folder: Path, mode: str) -> dict:
    done = subprocess.run([sys.executable, "-c", _CHILD, str(folder), mode], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    return json.loads(done.stdout)


def main() -> None:
    """Time each count and print one line per run (or JSON), then the ratio of the last count to the first."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", default="200,2000", help="comma-separated copy counts (stages to align)")
    parser.add_argument("--full", default="200", help="comma-separated counts also traced in full ('' for none)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    counts = [int(c) for c in args.copies.split(",") if c]
    full = {int(c) for c in args.full.split(",") if c}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for copies in sorted(set(counts) | full):
            folder = _folder(copies, Path(tmp))
            if copies in counts:
                rows.append({"copies": copies, "mode": "stages", **_run(folder, "stages")})
            if copies in full:
                rows.append({"copies": copies, "mode": "full", **_run(folder, "full")})
            shutil.rmtree(folder)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    for row in rows:
        what = (f"families {row['families'][:3]}" if row["mode"] == "full"
                else f"{row['aligned_pairs']} aligned pairs")
        print(f"{row['copies']:>6} copies, {row['mode']:>6}: {row['documents']} documents, {what}, "
              f"{row['seconds']:.2f} s wall, {row['cpu_seconds']:.2f} s CPU in all, peak {row['peak_mb']} MB")
    staged = [r for r in rows if r["mode"] == "stages"]
    if len(staged) > 1:
        first, last = staged[0], staged[-1]
        print(f"stages to align, {last['copies']} vs {first['copies']} copies: "
              f"{last['seconds'] / first['seconds']:.2f}x the time for {last['copies'] / first['copies']:.0f}x "
              "the copies")


if __name__ == "__main__":
    main()
