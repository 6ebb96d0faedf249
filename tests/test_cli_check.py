"""Tests of ``trace check`` and ``trace index build|add|stats`` through click's CliRunner."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import INDEPENDENT, SEEDS, WIRE, spin

from provenance.cli import cli
from provenance.prepublish.check import check

NATO = "000_ff1cc9cdafb8e1cb.txt"
INDEPENDENT_SEED = "003_41bf71071ac7e7a3.txt"
AA_STORY = "004_7fdd438a3d7ae7ec.txt"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("cli") / "seeds.sqlite"
    result = CliRunner().invoke(cli, ["index", "build", str(SEEDS), "--db", str(db), "-q"])
    assert result.exit_code == 0, result.output
    return db


def _paragraphs(name: str) -> list[str]:
    return [p for p in (SEEDS / name).read_text(encoding="utf-8").split("\n") if p.strip()]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


# ----------------------------------------------------------------------------- check: verdicts and exit codes


def test_uncredited_seed_paragraphs_exit_1_naming_the_seed(runner: CliRunner, seed_db: Path, tmp_path: Path) -> None:
    draft = _write(tmp_path, "draft.txt", "\n".join(_paragraphs(NATO)[:5]))
    result = runner.invoke(cli, ["check", str(draft), "--against", str(seed_db)])
    assert result.exit_code == 1
    assert "Verdict: uncredited-copy" in result.stdout
    assert NATO in result.stdout and "Passages" in result.stdout
    assert result.stderr == ""


def test_credited_seed_paragraphs_exit_0(runner: CliRunner, seed_db: Path, tmp_path: Path) -> None:
    body = [p for p in _paragraphs(AA_STORY) if not p.startswith(("Credit", "By ", "•"))]
    draft = _write(tmp_path, "draft.txt", "\n".join(body[:6]) + "\nCredit | AA\n")
    result = runner.invoke(cli, ["check", str(draft), "--against", str(seed_db), "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["verdict"] == "credited-copy"
    assert payload["sources"][0]["id"] == AA_STORY and payload["sources"][0]["credit"] == "credits AA"
    assert result.stderr == ""


def test_independent_article_exits_0_as_original(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "wire"
    folder.mkdir()
    for name in ("000_ff1cc9cdafb8e1cb.txt", "001_0aaa2a31d96aaafb.txt", "002_e3353238399ad4ec.txt"):
        (folder / name).write_bytes((SEEDS / name).read_bytes())
    result = runner.invoke(cli, ["check", str(SEEDS / INDEPENDENT_SEED), "--against", str(folder)])
    assert result.exit_code == 0, result.output
    assert "Verdict: original" in result.stdout and "Passages" not in result.stdout
    assert result.stderr == ""


def test_spun_copy_from_stdin_against_a_folder(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "wire"
    folder.mkdir()
    _write(folder, "wire.txt", WIRE)
    _write(folder, "other.txt", INDEPENDENT)
    result = runner.invoke(cli, ["check", "-", "--against", str(folder), "--format", "json"], input=spin(WIRE))
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["draft"]["id"] == "<stdin>"
    assert payload["verdict"] == "uncredited-copy"
    assert [(s["id"], s["relation"]) for s in payload["sources"]] == [("wire.txt", "spun")]


def test_json_output_equals_the_library_result(runner: CliRunner, seed_db: Path, tmp_path: Path) -> None:
    draft = _write(tmp_path, "draft.txt", "\n".join(_paragraphs(NATO)[2:9]))
    result = runner.invoke(cli, ["check", str(draft), "-a", str(seed_db), "-f", "json"])
    assert result.exit_code == 1
    assert result.stdout == check(str(draft), str(seed_db)).to_json_str()


def test_threshold_option_changes_the_exit_code(runner: CliRunner, seed_db: Path, tmp_path: Path) -> None:
    draft = _write(tmp_path, "draft.txt", "\n".join(_paragraphs(NATO)[:2]) + "\n" + INDEPENDENT)
    loose = runner.invoke(cli, ["check", str(draft), "-a", str(seed_db)])
    strict = runner.invoke(cli, ["check", str(draft), "-a", str(seed_db), "--threshold", "0.9",
                                 "--passage-words", "1000"])
    assert (loose.exit_code, strict.exit_code) == (1, 0)
    assert "Verdict: original" in strict.stdout


def test_output_file_is_written(runner: CliRunner, seed_db: Path, tmp_path: Path) -> None:
    draft = _write(tmp_path, "draft.txt", "\n".join(_paragraphs(NATO)[:5]))
    out = tmp_path / "out" / "verdict.json"
    result = runner.invoke(cli, ["check", str(draft), "-a", str(seed_db), "-f", "json", "-o", str(out)])
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["verdict"] == "uncredited-copy"


def test_docx_draft_is_read(runner: CliRunner, seed_db: Path, tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for paragraph in _paragraphs(NATO)[:5]:
        document.add_paragraph(paragraph)
    path = tmp_path / "draft.docx"
    document.save(path)
    result = runner.invoke(cli, ["check", str(path), "-a", str(seed_db)])
    assert result.exit_code == 1 and NATO in result.stdout


# ----------------------------------------------------------------------------- check: bad input


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"\x7fELF\x02\x01\x01" + bytes(300), "binary file"),
        (b"word " * 300_000, "limit"),
    ],
    ids=["empty", "binary", "huge"],
)
def test_unusable_drafts_exit_2_with_one_line(runner: CliRunner, seed_db: Path, tmp_path: Path, content: bytes,
                                              message: str) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_bytes(content)
    result = runner.invoke(cli, ["check", str(draft), "--against", str(seed_db)])
    assert result.exit_code == 2
    assert message in _one_error_line(result.stderr)
    assert result.stdout == ""


def test_empty_stdin_exits_2(runner: CliRunner, seed_db: Path) -> None:
    result = runner.invoke(cli, ["check", "-", "--against", str(seed_db)], input="")
    assert result.exit_code == 2
    assert "<stdin>" in _one_error_line(result.stderr)


def test_missing_draft_exits_2(runner: CliRunner, seed_db: Path, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["check", str(tmp_path / "nope.txt"), "--against", str(seed_db)])
    assert result.exit_code == 2
    assert "does not exist" in _one_error_line(result.stderr)


def test_newer_index_schema_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite"
    assert runner.invoke(cli, ["index", "build", str(SEEDS), "--db", str(db), "-q"]).exit_code == 0
    with sqlite3.connect(db) as con:
        con.execute("UPDATE meta SET value = '7' WHERE key = 'schema_version'")
    draft = _write(tmp_path, "draft.txt", WIRE)
    for args in (["check", str(draft), "--against", str(db)], ["index", "stats", "--db", str(db)]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 2
        assert "schema version 7, newer" in _one_error_line(result.stderr)


@pytest.mark.parametrize(
    "args",
    [
        ["--threshold", "1.5"],
        ["--passage-words", "0"],
        ["--format", "xml"],
        ["--against", "/nonexistent/wire.sqlite"],
    ],
)
def test_bad_options_exit_2(runner: CliRunner, seed_db: Path, tmp_path: Path, args: list[str]) -> None:
    draft = _write(tmp_path, "draft.txt", WIRE)
    if "--against" not in args:
        args = [*args, "--against", str(seed_db)]
    result = runner.invoke(cli, ["check", str(draft), *args])
    assert result.exit_code == 2
    assert result.stdout == "" and "Error" in result.stderr


def test_missing_against_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["check", str(_write(tmp_path, "d.txt", WIRE))])
    assert result.exit_code == 2 and "--against" in result.stderr


def test_help_documents_exit_codes(runner: CliRunner) -> None:
    for args in (["check", "--help"], ["index", "--help"], ["index", "build", "--help"]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0
        assert "Exit codes:" in result.stdout
        assert re.search(r"^ +2 +bad input or usage", result.stdout, re.MULTILINE)
    check_help = runner.invoke(cli, ["check", "--help"]).stdout
    assert re.search(r"^ +0 +original, or credited copy$", check_help, re.MULTILINE)
    assert re.search(r"^ +1 +uncredited copy", check_help, re.MULTILINE)
    assert "--threshold" in check_help and "[default: 0.2" in check_help


# ----------------------------------------------------------------------------- index commands


def test_index_build_add_stats(runner: CliRunner, tmp_path: Path) -> None:
    wire = tmp_path / "wire"
    wire.mkdir()
    _write(wire, "wire.txt", WIRE)
    today = tmp_path / "today"
    today.mkdir()
    _write(today, "other.txt", INDEPENDENT)
    db = tmp_path / "wire.sqlite"
    built = runner.invoke(cli, ["index", "build", str(wire), "--db", str(db)])
    assert built.exit_code == 0 and built.stdout == ""
    assert "1 added, 0 replaced, 0 unchanged" in built.stderr
    added = runner.invoke(cli, ["index", "add", str(today), str(wire), "--db", str(db)])
    assert added.exit_code == 0 and "1 added, 0 replaced, 1 unchanged" in added.stderr
    again = runner.invoke(cli, ["index", "add", str(today), "--db", str(db), "-q"])
    assert again.exit_code == 0 and again.stderr == ""
    stats = runner.invoke(cli, ["index", "stats", "--db", str(db)])
    assert stats.exit_code == 0
    for label in ("documents", "postings", "size on disk", "schema version", "created", "updated"):
        assert label in stats.stdout
    payload = json.loads(runner.invoke(cli, ["index", "stats", "--db", str(db), "-f", "json"]).stdout)
    assert payload["documents"] == 2 and payload["schema_version"] == 1 and payload["postings"] > 0
    draft = _write(tmp_path, "draft.txt", INDEPENDENT)
    assert runner.invoke(cli, ["check", str(draft), "--against", str(db)]).exit_code == 1


def test_index_add_of_a_changed_document_warns(runner: CliRunner, tmp_path: Path) -> None:
    wire = tmp_path / "wire"
    wire.mkdir()
    story = _write(wire, "wire.txt", WIRE)
    db = tmp_path / "wire.sqlite"
    assert runner.invoke(cli, ["index", "build", str(wire), "--db", str(db), "-q"]).exit_code == 0
    story.write_text(spin(WIRE), encoding="utf-8")
    result = runner.invoke(cli, ["index", "add", str(wire), "--db", str(db), "-q"])
    assert result.exit_code == 0
    assert result.stderr == "warning: replaced 'wire.txt': its text changed since it was indexed\n"


def test_index_build_over_an_existing_index_needs_force(runner: CliRunner, seed_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite"
    assert runner.invoke(cli, ["index", "build", str(SEEDS), "--db", str(db), "-q"]).exit_code == 0
    again = runner.invoke(cli, ["index", "build", str(SEEDS), "--db", str(db)])
    assert again.exit_code == 2 and "already exists" in _one_error_line(again.stderr)
    forced = runner.invoke(cli, ["index", "build", str(SEEDS), "--db", str(db), "--force", "-q"])
    assert forced.exit_code == 0


def test_index_add_to_a_missing_index_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["index", "add", str(SEEDS), "--db", str(tmp_path / "none.sqlite")])
    assert result.exit_code == 2
    assert "index not found" in _one_error_line(result.stderr)


def test_index_of_a_folder_without_documents_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(cli, ["index", "build", str(empty), "--db", str(tmp_path / "x.sqlite")])
    assert result.exit_code == 2 and "no usable document" in _one_error_line(result.stderr)
    assert not (tmp_path / "x.sqlite").exists()


def test_index_max_file_size_takes_units_as_trace_does(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "units.sqlite"
    result = runner.invoke(cli, ["index", "build", str(SEEDS), "--db", str(db), "--max-file-size", "5MB", "-q"])
    assert result.exit_code == 0, result.output
    small = runner.invoke(cli, ["index", "add", str(SEEDS), "--db", str(db), "--max-file-size", "1KB", "-q"])
    assert small.exit_code == 2 and "skipped" in small.output
    bad = runner.invoke(cli, ["index", "build", str(SEEDS), "--db", str(tmp_path / "x.sqlite"),
                              "--max-file-size", "12 parsecs"])
    assert bad.exit_code == 2 and "--max-file-size" in bad.output
