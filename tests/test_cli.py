"""The command line (provenance.cli): routing, options, exit codes, messages, output files, progress."""

from __future__ import annotations

import importlib
import json
import os
import stat
import sys
import types

import click
import pytest
from click.testing import CliRunner
from conftest import WIRE

import provenance.cli
from provenance import __version__
from provenance.cli import ByteSize, Progress, cli
from provenance.errors import ConfigError
from provenance.pipeline import trace
from provenance.render import render_json


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def no_trace(monkeypatch):
    """Replace the tracer by a spy: the tests check that bad input stops before any work."""
    calls = []
    monkeypatch.setattr(provenance.cli, "trace", lambda *a, **k: calls.append((a, k)))
    return calls


def _all_commands(command: click.Command, path: tuple[str, ...] = ()):
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _all_commands(sub, (*path, name))


def _lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line]


# --------------------------------------------------------------------------- help, version, routing


@pytest.mark.parametrize("path", [p for p, _ in _all_commands(cli)], ids=lambda p: " ".join(p) or "trace")
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_every_command_has_help(runner, path, flag):
    result = runner.invoke(cli, [*path, flag])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Usage: trace")
    assert result.stderr == ""


@pytest.mark.parametrize("path", [p for p, _ in _all_commands(cli)], ids=lambda p: " ".join(p) or "trace")
def test_every_command_has_version(runner, path):
    result = runner.invoke(cli, [*path, "--version"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"trace, version {__version__}\n"


def test_version_after_a_path(runner, family_dir, no_trace):
    result = runner.invoke(cli, [str(family_dir), "--version"])
    assert result.exit_code == 0 and __version__ in result.stdout
    assert no_trace == []


@pytest.mark.parametrize("args", [["--help"], ["lineage", "--help"]])
def test_help_documents_the_exit_codes(runner, args):
    text = runner.invoke(cli, args).stdout
    assert "Exit codes:" in text
    for code, words in (("0", "success"), ("1", "check only"), ("2", "usage or input error"),
                        ("3", "internal error"), ("130", "interrupted")):
        assert any(line.split()[:1] == [code] and words in line for line in text.splitlines()), code
    assert "--debug" in text


def test_lineage_help_shows_defaults_and_new_options(runner):
    text = runner.invoke(cli, ["lineage", "--help"]).stdout
    for expected in ("--jobs", "all cores", "--max-file-size", "20MB", "--strict", "--follow-symlinks",
                     "--quiet", "reports/NAME.html"):
        assert expected in text


def test_a_path_routes_to_lineage(runner, family_dir):
    direct = runner.invoke(cli, [str(family_dir), "-f", "json", "-j", "1"])
    named = runner.invoke(cli, ["lineage", str(family_dir), "-f", "json", "-j", "1"])
    options_first = runner.invoke(cli, ["-f", "json", "-j", "1", str(family_dir)])
    assert direct.exit_code == named.exit_code == options_first.exit_code == 0
    assert direct.stdout == named.stdout == options_first.stdout
    assert json.loads(direct.stdout)["version"] == 2


def test_no_arguments_shows_usage(runner):
    result = runner.invoke(cli, [])
    assert result.exit_code == 2
    assert "Usage: trace" in result.output


# --------------------------------------------------------------------------- option validation


@pytest.mark.parametrize("args, message", [
    (["--format", "pdf"], "'pdf' is not one of"),
    (["-f", ""], "is not one of"),
    (["--max-file-size", "-5"], "not a positive size"),
    (["--max-file-size", "0"], "not a positive size"),
    (["--max-file-size", "lots"], "is not a size"),
    (["--max-file-size", "10XB"], "is not a size"),
    (["--jobs", "0"], "0 is not in the range x>=1"),
    (["--jobs", "-2"], "is not in the range x>=1"),
    (["--jobs", "many"], "is not a valid integer"),
    (["--min-shared", "0"], "x>=1"),
    (["--max-df", "1"], "x>=2"),
    (["--min-link-words", "-1"], "x>=1"),
    (["--min-link-share", "1.5"], "0<=x<=1"),
    (["--no-such-option"], "No such option"),
])
def test_bad_options_exit_2_before_any_work(runner, family_dir, no_trace, args, message):
    result = runner.invoke(cli, [str(family_dir), *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert no_trace == []


@pytest.mark.parametrize("text, expected", [
    ("1", 1), ("1048576", 1048576), ("512KB", 512 * 1024), ("512k", 512 * 1024), ("20MB", 20 * 1024**2),
    ("20 MiB", 20 * 1024**2), ("1.5GB", int(1.5 * 1024**3)), (" 7b ", 7), (4096, 4096),
])
def test_byte_size_accepts_units(text, expected):
    assert ByteSize().convert(text, None, None) == expected


@pytest.mark.parametrize("size, text", [(20 * 1024**2, "20MB"), (512 * 1024, "512KB"), (1000, "1000"),
                                        (3 * 1024**3, "3GB")])
def test_byte_size_format_round_trips(size, text):
    assert ByteSize.format(size) == text
    assert ByteSize().convert(text, None, None) == size


def test_max_file_size_reaches_the_loader(runner, tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "small.txt").write_text(WIRE[:500], encoding="utf-8")
    (folder / "big.txt").write_text(WIRE * 3, encoding="utf-8")
    result = runner.invoke(cli, [str(folder), "--max-file-size", "1KB", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert [d["id"] for d in json.loads(result.stdout)["documents"]] == ["small.txt"]
    assert "big.txt" in result.stderr and "over the 1 KB limit (--max-file-size)" in result.stderr


def test_jobs_reaches_trace_and_defaults_to_all_cores(runner, family_dir, monkeypatch):
    seen = []

    def spy(paths, **kwargs):
        seen.append(kwargs["jobs"])
        return trace(paths, **kwargs)

    monkeypatch.setattr(provenance.cli, "trace", spy)
    monkeypatch.setattr(provenance.cli, "available_cores", lambda: 4)
    assert runner.invoke(cli, [str(family_dir), "--jobs", "3", "-q"]).exit_code == 0
    assert runner.invoke(cli, [str(family_dir), "-q"]).exit_code == 0
    capped = runner.invoke(cli, [str(family_dir), "--jobs", "9", "-q"])  # more than the cores: capped, with a note
    assert capped.exit_code == 0 and "note: --jobs 9 is more than the 4 available cores; using 4" in capped.stderr
    assert seen[0] == 3 and seen[1] == min(4, os.cpu_count() or 1) and seen[2] == 4


# --------------------------------------------------------------------------- input errors and exit codes


def test_missing_path_is_one_line_and_exit_2(runner, tmp_path, no_trace):
    result = runner.invoke(cli, [str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert _lines(result.stderr) == [f"Error: path does not exist: {tmp_path / 'nope'}"]
    assert no_trace == []


def test_one_missing_path_among_several(runner, family_dir, tmp_path, no_trace):
    result = runner.invoke(cli, [str(family_dir), str(tmp_path / "gone.txt")])
    assert result.exit_code == 2
    assert _lines(result.stderr) == [f"Error: path does not exist: {tmp_path / 'gone.txt'}"]


def test_library_error_is_one_line_and_exit_2(runner, family_dir, monkeypatch):
    def fail(*args, **kwargs):
        raise ConfigError("The 'min_shared' option of trace must be an int >= 1.\nGot 0 instead.")

    monkeypatch.setattr(provenance.cli, "trace", fail)
    result = runner.invoke(cli, [str(family_dir)])
    assert result.exit_code == 2
    assert _lines(result.stderr) == ["Error: The 'min_shared' option of trace must be an int >= 1. Got 0 instead."]


def test_internal_error_is_one_line_exit_3_and_no_traceback(runner, family_dir, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("something broke\n\x1b[2Jbadly")

    monkeypatch.setattr(provenance.cli, "trace", boom)
    result = runner.invoke(cli, [str(family_dir)])
    assert result.exit_code == 3
    assert result.stdout == ""
    lines = _lines(result.stderr)
    assert len(lines) == 1
    assert lines[0].startswith("Error: internal error: RuntimeError: something broke badly")
    assert "rerun with --debug" in lines[0]
    assert "Traceback" not in result.stderr and "\x1b" not in result.stderr


@pytest.mark.parametrize("where", ["first", "last"])
def test_debug_shows_the_traceback(runner, family_dir, monkeypatch, where):
    def boom(*args, **kwargs):
        raise RuntimeError("something broke")

    monkeypatch.setattr(provenance.cli, "trace", boom)
    args = ["--debug", str(family_dir)] if where == "first" else [str(family_dir), "-f", "json", "--debug"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 3
    assert "Traceback (most recent call last)" in result.stderr
    assert 'raise RuntimeError("something broke")' in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("Error: internal error: RuntimeError")


def test_interrupt_exits_130_without_traceback(runner, family_dir, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(provenance.cli, "trace", interrupted)
    result = runner.invoke(cli, [str(family_dir)])
    assert result.exit_code == 130
    assert _lines(result.stderr) == ["Aborted."]


def test_closed_stdout_ends_quietly(runner, family_dir, monkeypatch):
    def closed(*args, **kwargs):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(provenance.cli, "_write_stdout", closed)
    result = runner.invoke(cli, [str(family_dir), "-q"])
    assert result.exit_code == 0
    assert result.stderr == ""


def test_strict_turns_a_warning_into_exit_2(runner, family_dir):
    (family_dir / "empty.txt").write_bytes(b"")
    relaxed = runner.invoke(cli, [str(family_dir), "-f", "json"])
    assert relaxed.exit_code == 0
    strict = runner.invoke(cli, [str(family_dir), "-f", "json", "--strict"])
    assert strict.exit_code == 2
    assert strict.stdout == ""
    assert _lines(strict.stderr) == [f"Error: skipped {family_dir / 'empty.txt'}: empty file"]


# --------------------------------------------------------------------------- warnings and progress


def test_warnings_are_single_lines_on_stderr_with_a_summary(runner, family_dir):
    (family_dir / "empty.txt").write_bytes(b"")
    (family_dir / "junk.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (family_dir / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    result = runner.invoke(cli, [str(family_dir), "-f", "json"])
    assert result.exit_code == 0
    json.loads(result.stdout)  # stdout holds the report only
    lines = _lines(result.stderr)
    assert lines[:-1] == [
        f"warning: skipped {family_dir / 'empty.txt'}: empty file",
        f"warning: skipped {family_dir / 'junk.md'}: binary file",
        "warning: ignored 1 file with an unsupported type (.jpg)",
    ]
    assert lines[-1] == "3 warnings; traced 5 documents (--strict makes warnings errors)"


def test_quiet_keeps_the_warnings_but_not_the_summary(runner, family_dir):
    (family_dir / "empty.txt").write_bytes(b"")
    result = runner.invoke(cli, [str(family_dir), "-q"])
    assert result.exit_code == 0
    assert _lines(result.stderr) == [f"warning: skipped {family_dir / 'empty.txt'}: empty file"]


def test_no_warnings_no_stderr(runner, family_dir):
    result = runner.invoke(cli, [str(family_dir)])
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout.startswith("5 documents")


class _FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        self.now += 3.0
        return self.now


def test_progress_only_on_a_terminal(monkeypatch):
    class Terminal:
        def __init__(self, tty: bool) -> None:
            self.tty, self.text = tty, ""

        def isatty(self) -> bool:
            return self.tty

        def write(self, text: str) -> None:
            self.text += text

        def flush(self) -> None:
            pass

    monkeypatch.setattr(provenance.cli, "time", types.SimpleNamespace(monotonic=_FakeClock().monotonic))
    for tty, enabled, shown in ((True, True, True), (False, True, False), (True, False, False)):
        terminal = Terminal(tty)
        monkeypatch.setattr(sys, "stderr", terminal)
        progress = Progress(enabled)
        progress("align", 5, 10)
        progress.close()
        assert ("align: 5/10" in terminal.text) is shown
        assert terminal.text.endswith("\r\x1b[K") is shown


@pytest.mark.parametrize("quiet", [False, True])
def test_progress_through_the_cli(runner, family_dir, monkeypatch, quiet):
    # Pretend the runner's streams are a terminal and every stage takes seconds.
    monkeypatch.setattr(click.testing._NamedTextIOWrapper, "isatty", lambda self: True, raising=False)
    monkeypatch.setattr(provenance.cli, "time", types.SimpleNamespace(monotonic=_FakeClock().monotonic))
    result = runner.invoke(cli, [str(family_dir), "-f", "json", *(["--quiet"] if quiet else [])])
    assert result.exit_code == 0
    assert ("\r" in result.stderr) is not quiet
    json.loads(result.stdout)


def test_no_progress_when_not_a_terminal(runner, family_dir, monkeypatch):
    monkeypatch.setattr(provenance.cli, "time", types.SimpleNamespace(monotonic=_FakeClock().monotonic))
    result = runner.invoke(cli, [str(family_dir)])
    assert result.exit_code == 0 and result.stderr == ""


# --------------------------------------------------------------------------- output


def test_json_matches_the_library(runner, family_dir):
    result = runner.invoke(cli, [str(family_dir), "--format", "json", "--jobs", "1"])
    assert result.exit_code == 0
    assert result.stdout == render_json(trace([str(family_dir)], jobs=1))


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "dot", "html"])
def test_dash_writes_to_stdout_and_o_writes_the_same_to_a_file(runner, family_dir, tmp_path, fmt, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out" / f"report.{fmt}"
    to_stdout = runner.invoke(cli, [str(family_dir), "-f", fmt, "-o", "-"])
    to_file = runner.invoke(cli, [str(family_dir), "-f", fmt, "-o", str(out)])
    assert to_stdout.exit_code == to_file.exit_code == 0
    assert to_file.stdout == ""
    assert out.read_bytes() == to_stdout.stdout_bytes
    assert not (tmp_path / "reports").exists()
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left


def test_report_file_gets_the_usual_permissions(runner, family_dir, tmp_path):
    out = tmp_path / "report.json"
    assert runner.invoke(cli, [str(family_dir), "-f", "json", "-o", str(out)]).exit_code == 0
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~mask
    out.chmod(0o640)  # an existing report keeps its mode
    assert runner.invoke(cli, [str(family_dir), "-f", "json", "-o", str(out)]).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_html_default_path_is_reports_name_in_the_working_folder(runner, family_dir, tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = runner.invoke(cli, [str(family_dir), "--format", "html"])
    assert result.exit_code == 0, result.output
    report = work / "reports" / f"{family_dir.name}.html"
    assert result.stdout == f"{report}\n"
    assert report.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")


@pytest.mark.parametrize("cwd", [".", "sub"])
def test_html_default_path_inside_the_input_folder_is_refused(runner, family_dir, monkeypatch, no_trace, cwd):
    (family_dir / "sub").mkdir()
    monkeypatch.chdir(family_dir / cwd)
    result = runner.invoke(cli, [str(family_dir), "--format", "html"])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = _lines(result.stderr)
    assert len(lines) == 1 and "inside the input folder" in lines[0] and "-o" in lines[0]
    assert no_trace == []
    assert not (family_dir / cwd / "reports").exists()


def test_explicit_output_inside_the_input_folder_is_allowed(runner, family_dir, monkeypatch):
    monkeypatch.chdir(family_dir)
    result = runner.invoke(cli, [".", "--format", "html", "-o", "mine.html"])
    assert result.exit_code == 0, result.output
    assert (family_dir / "mine.html").is_file()


def test_output_over_an_input_file_is_refused(runner, family_dir, no_trace):
    wire = family_dir / "wire.txt"
    before = wire.read_bytes()
    result = runner.invoke(cli, [str(wire), str(family_dir / "spun.txt"), "-o", str(wire)])
    assert result.exit_code == 2
    assert "refusing to overwrite the input file" in result.stderr
    assert wire.read_bytes() == before
    assert no_trace == []


def test_output_to_a_folder_is_refused(runner, family_dir, tmp_path, no_trace):
    result = runner.invoke(cli, [str(family_dir), "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "it is a folder" in result.stderr and len(_lines(result.stderr)) == 1
    assert no_trace == []


def test_unwritable_output_is_an_input_error(runner, family_dir, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(cli, [str(family_dir), "-o", str(blocker / "report.txt")])
    assert result.exit_code == 2
    assert _lines(result.stderr)[0].startswith("Error: cannot write")


def test_failed_rendering_leaves_no_file(runner, family_dir, tmp_path, monkeypatch):
    text_renderer = importlib.import_module("provenance.render.text")  # provenance.render is also a function

    def explode(*args, **kwargs):
        raise RuntimeError("renderer died half way")

    monkeypatch.setattr(text_renderer, "tabulate", explode)  # after the summary lines, before the tables
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    result = runner.invoke(cli, [str(family_dir), "-o", str(out_dir / "report.txt")])
    assert result.exit_code == 3
    assert "renderer died half way" in result.stderr
    assert list(out_dir.iterdir()) == []


@pytest.mark.parametrize("error, code", [(OSError(28, "No space left on device"), 2), (KeyboardInterrupt(), 130)])
def test_interrupted_write_keeps_the_old_report_and_no_temporary_file(runner, family_dir, tmp_path, monkeypatch,
                                                                       error, code):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    report = out_dir / "report.json"
    report.write_text("old report\n")
    real_fdopen = os.fdopen

    class Dying:
        """A file that writes part of the report, then fails."""

        def __init__(self, handle) -> None:
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            self.handle.close()

        def write(self, text: str) -> None:
            self.handle.write(text[: len(text) // 2])
            self.handle.flush()
            raise error

    monkeypatch.setattr(provenance.cli.os, "fdopen", lambda *a, **k: Dying(real_fdopen(*a, **k)))
    result = runner.invoke(cli, [str(family_dir), "-f", "json", "-o", str(report)])
    assert result.exit_code == code
    assert report.read_text() == "old report\n"
    assert [p.name for p in out_dir.iterdir()] == ["report.json"]
    if code == 2:
        assert _lines(result.stderr) == [f"Error: cannot write {report}: no space left on device"]


def test_text_on_a_terminal_that_cannot_show_every_character(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    story = "Городские власти закрыли мост после того, как инженеры обнаружили трещины в опорах моста.\n"
    (folder / "мост.txt").write_text("Мост закрыт\n" + story * 5, encoding="utf-8")
    (folder / "копия.txt").write_text("Копия\n" + story * 5, encoding="utf-8")
    latin1 = CliRunner(charset="latin-1")
    text = latin1.invoke(cli, [str(folder)])
    assert text.exit_code == 0, text.output
    assert "?" in text.stdout  # replaced, not a crash
    data = latin1.invoke(cli, [str(folder), "-f", "json"])
    assert data.exit_code == 0
    ids = {d["id"] for d in json.loads(data.stdout_bytes.decode("utf-8"))["documents"]}
    assert ids == {"мост.txt", "копия.txt"}  # machine formats are always UTF-8
