"""Report options of ``trace``: --min-confidence, --family, --format csv --what, --exclude, -o, progress, -q.

Every option applies to every format, so the tests run the real tracer on a tiny
family and compare what each format shows.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance.cli import Progress, cli
from provenance.cli_engine import _stderr_silenced
from provenance.model import TABLE_COLUMNS
from provenance.render import FORMATS

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _json(runner, *args):
    result = runner.invoke(cli, [*map(str, args), "-f", "json", "-q"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_min_confidence_drops_weak_links_in_every_format(runner, family_dir):
    full = _json(runner, family_dir)
    cut = sorted(e["confidence"] for e in full["edges"])[1]  # keep all but the weakest
    weak = min(full["edges"], key=lambda e: e["confidence"])["child"]
    kept = _json(runner, family_dir, "--min-confidence", cut)
    assert len(kept["edges"]) == len(full["edges"]) - 1
    assert weak not in {e["child"] for e in kept["edges"]}
    assert kept["options"]["min_confidence"] == cut
    for fmt in FORMATS:
        shown = runner.invoke(cli, [str(family_dir), "-f", fmt, "-o", "-", "-q", "--min-confidence", str(cut)])
        everything = runner.invoke(cli, [str(family_dir), "-f", fmt, "-o", "-", "-q"])
        assert shown.exit_code == everything.exit_code == 0
        assert shown.stdout != everything.stdout, fmt


def test_min_confidence_is_checked(runner, family_dir):
    result = runner.invoke(cli, [str(family_dir), "--min-confidence", "1.5"])
    assert result.exit_code == 2 and "min-confidence" in result.stderr


@pytest.mark.parametrize("what", list(TABLE_COLUMNS))
def test_csv_tables(runner, family_dir, what):
    result = runner.invoke(cli, [str(family_dir), "-f", "csv", "--what", what, "-q"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == TABLE_COLUMNS[what]
    assert all(len(row) == len(rows[0]) for row in rows)
    body = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    if what == "edges":
        assert len(body) == 3 and {r["credited"] for r in body} == {"unknown"}  # no outlet, no agency
        assert all(";" not in r["child_credits"] + r["relation"] for r in body)
    elif what == "documents":
        assert {r["id"] for r in body} >= {"wire.txt", "independent.txt"}
    else:
        assert {r["signal"] for r in body} and all(r["weight"] for r in body)


def test_family_option(runner, family_dir):
    one = _json(runner, family_dir, "--family", "family-1")
    assert [f["id"] for f in one["families"]] == ["family-1"]
    assert "independent.txt" not in {d["id"] for d in one["documents"]}
    dot = runner.invoke(cli, [str(family_dir), "-f", "dot", "--family", "family-1", "-q"]).stdout
    assert dot.count("subgraph cluster_") == 1
    bad = runner.invoke(cli, [str(family_dir), "--family", "family-9"])
    assert bad.exit_code == 2 and "no family 'family-9'" in bad.stderr and bad.stderr.count("\n") == 1


def test_exclude_skips_files_and_says_so(runner, family_dir):
    (family_dir / "README.txt").write_text("How these files were collected, in a few words.\n", encoding="utf-8")
    (family_dir / "notes").mkdir()
    (family_dir / "notes" / "todo.md").write_text("Check the harbour story with the desk.\n", encoding="utf-8")
    result = runner.invoke(cli, [str(family_dir), "-f", "json", "--exclude", "README*", "--exclude", "notes/*"])
    assert result.exit_code == 0, result.output
    ids = {d["id"] for d in json.loads(result.stdout)["documents"]}
    assert "README.txt" not in ids and "notes/todo.md" not in ids and "wire.txt" in ids
    assert "excluded 2 documents matching README*, notes/*" in result.stderr
    everything = runner.invoke(cli, [str(family_dir), "-f", "json", "--exclude", "*"])
    assert everything.exit_code == 2 and "leaves no document" in everything.stderr


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_file_is_announced(runner, family_dir, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    result = runner.invoke(cli, [str(family_dir), "-f", fmt, "-o", str(out)])
    assert result.exit_code == 0 and result.stdout == ""
    assert f"wrote the {fmt} report to {out}" in result.stderr and out.stat().st_size > 0
    quiet = runner.invoke(cli, [str(family_dir), "-f", fmt, "-o", str(out), "-q"])
    assert quiet.stderr == ""


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_eta_is_per_stage_and_never_resets(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr("provenance.cli.time.monotonic", lambda: clock[0])
    stream = _Terminal()
    progress = Progress(True, stream)
    clock[0] = 100.0
    progress("normalise", 1000, 1000)  # a slow first stage must not slow the next one's ETA
    clock[0] = 101.0
    progress("align", 0, 100)
    clock[0] = 103.0
    progress("align", 50, 100)
    assert stream.getvalue().endswith("align: 50/100 (25/s, ETA 2s)\x1b[K")
    clock[0] = 104.0
    progress("align", 0, 40)  # a second pass of the same stage carries on counting
    clock[0] = 105.0
    progress("align", 20, 40)
    assert stream.getvalue().endswith("align: 120/140 (30/s, ETA 1s)\x1b[K")


def test_quiet_silences_what_child_processes_write_on_stderr(tmp_path):
    """``--engine spark -q``: the JVM writes its log on file descriptor 2, which is silenced."""
    script = (
        "import subprocess, sys\n"
        "from provenance.cli_engine import _stderr_silenced\n"
        "with _stderr_silenced():\n"
        "    subprocess.run(['sh', '-c', 'echo jvm-log >&2'])\n"
        "print('after', file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, check=False)
    assert done.returncode == 0 and done.stderr == "after\n"
    with _stderr_silenced():  # and in this process, the descriptor comes back afterwards
        pass
    assert os.fstat(2) is not None
