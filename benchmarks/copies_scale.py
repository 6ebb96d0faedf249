"""Time of tracing one story held many times: 200 copies against 2,000 (goal: within 2x).

``python benchmarks/copies_scale.py [--copies 200,2000] [--json]``

A wire story run by hundreds of outlets is the normal case for an agency.  For each count,
a temporary folder gets that many byte-identical copies of ``seeds/001_0aaa2a31d96aaafb.txt``
plus the two other members of its family in ``seeds/`` (an edited and a spun copy); the
whole ``trace FOLDER --format json`` process is timed (wall clock, best of ``--repeats``),
and the number of families and the size of the largest one are checked.  Uses only the
seed files of this repository.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STORY = ROOT / "seeds" / "001_0aaa2a31d96aaafb.txt"
RELATIVES = (ROOT / "seeds" / "000_ff1cc9cdafb8e1cb.txt", ROOT / "seeds" / "002_e3353238399ad4ec.txt")


def _folder(copies: int, where: Path) -> Path:
    folder = where / f"copies{copies}"
    folder.mkdir()
    data = STORY.read_bytes()
    for i in range(copies):
        (folder / f"outlet{i:05d}.txt").write_bytes(data)
    for path in RELATIVES:
        shutil.copy(path, folder / path.name)
    return folder


def _run(folder: Path) -> tuple[float, dict]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "provenance", str(folder), "--format", "json", "-q"],
                          capture_output=True, check=True, cwd=ROOT)
    return time.perf_counter() - started, json.loads(done.stdout)


def main() -> None:
    """Time each count and print one line per count (or JSON), then the ratio of the last to the first."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", default="200,2000", help="comma-separated copy counts")
    parser.add_argument("--repeats", type=int, default=1, help="runs per count (the best is kept)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for copies in (int(c) for c in args.copies.split(",")):
            folder = _folder(copies, Path(tmp))
            best, data = min((_run(folder) for _ in range(args.repeats)), key=lambda r: r[0])
            sizes = sorted((len(f["members"]) for f in data["families"]), reverse=True)
            rows.append({"copies": copies, "documents": len(data["documents"]), "families": len(sizes),
                         "largest_family": sizes[0] if sizes else 0, "seconds": round(best, 2)})
            shutil.rmtree(folder)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    for row in rows:
        print(f"{row['copies']:>6} copies: {row['documents']} documents, {row['families']} families "
              f"(largest {row['largest_family']}), {row['seconds']:.2f} s")
    if len(rows) > 1:
        print(f"ratio {rows[-1]['copies']}/{rows[0]['copies']} copies: {rows[-1]['seconds'] / rows[0]['seconds']:.2f}x")


if __name__ == "__main__":
    main()
