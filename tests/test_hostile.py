"""Hostile and unlucky input, issue 17: inputs never overwritten, bounded time and memory.

Inputs that could take long or fill memory run ``trace`` in a child process
whose CPU time (10 s) and address space are capped with :mod:`resource`: past
either, the child is killed and the test fails.  CPU time, not wall time, is
what is capped, so a busy machine cannot fail the tests; a wall-clock timeout
catches hangs (a FIFO opened for reading waits forever without using CPU).
"""

from __future__ import annotations

import io
import json
import os
import resource
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import INDEPENDENT, REPO, SEEDS, WIRE, spin

from provenance.cli import cli

CPU_SECONDS = 10
MEMORY_BYTES = 1536 * 1024**2
WALL_SECONDS = 120
STORY = SEEDS / "001_0aaa2a31d96aaafb.txt"


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def run_limited(*args: str, cwd: Path | None = None, stdout: object = subprocess.PIPE) -> subprocess.CompletedProcess:
    """``trace ARGS`` in a child process with capped CPU time and memory."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-m", "provenance", *args], preexec_fn=_limits, stdout=stdout,
                          stderr=subprocess.PIPE, text=True, env=env, cwd=cwd or REPO, timeout=WALL_SECONDS)
    assert done.returncode >= 0, f"killed by signal {-done.returncode} (CPU or memory limit): {done.stderr[-500:]}"
    assert "Traceback" not in done.stderr
    return done


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "c"
    shutil.copytree(SEEDS, folder)
    return folder


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ----------------------------------------------------------------------------- 1. your files


def test_check_never_writes_over_the_draft(runner, tmp_path):
    draft = tmp_path / "d.txt"
    shutil.copy(STORY, draft)
    result = runner.invoke(cli, ["check", str(draft), "--against", str(SEEDS), "-o", str(draft)])
    assert result.exit_code == 2 and "refusing to overwrite" in result.stderr
    assert draft.read_bytes() == STORY.read_bytes()


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_the_report_never_replaces_an_article_of_the_corpus(runner, corpus, fmt):
    before = _snapshot(corpus)
    member = corpus / "001_0aaa2a31d96aaafb.txt"
    result = runner.invoke(cli, [str(corpus), "--format", fmt, "-o", str(member)])
    assert result.exit_code == 2 and "refusing to overwrite" in result.stderr
    checked = runner.invoke(cli, ["check", str(SEEDS / "000_ff1cc9cdafb8e1cb.txt"), "--against", str(corpus),
                                  "-o", str(member)])
    assert checked.exit_code == 2 and "refusing to overwrite" in checked.stderr
    assert _snapshot(corpus) == before


def test_the_index_never_replaces_a_source(runner, corpus):
    before = _snapshot(corpus)
    result = runner.invoke(cli, ["index", "build", str(corpus), "--db", str(corpus / "000_ff1cc9cdafb8e1cb.txt"),
                                 "--force"])
    assert result.exit_code == 2 and "one of the sources" in result.stderr
    assert _snapshot(corpus) == before


def test_a_new_report_inside_the_folder_is_still_allowed(runner, corpus):
    result = runner.invoke(cli, [str(corpus), "-o", str(corpus / "report.txt")])
    assert result.exit_code == 0, result.output
    assert (corpus / "report.txt").read_text().startswith("5 documents")


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_device_stays_a_device(tmp_path):
    node = tmp_path / "null"
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    done = run_limited(str(SEEDS), "-o", str(node))
    assert done.returncode == 0, done.stderr
    assert stat.S_ISCHR(node.stat().st_mode)


def test_a_fifo_is_written_by_opening_it(tmp_path):
    fifo = tmp_path / "out"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    done = run_limited(str(SEEDS), "--format", "json", "-o", str(fifo))
    reader.join(30)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert len(json.loads(received[0])["documents"]) == 5


def test_dev_stdout_writes_into_the_redirection(tmp_path):
    out = tmp_path / "report.json"
    with out.open("w") as handle:
        done = run_limited(str(SEEDS), "--format", "json", "-o", "/dev/stdout", stdout=handle)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(out.read_text())["documents"]) == 5
    assert not list(tmp_path.glob(".*tmp"))


def test_an_unwritable_output_is_refused_before_the_work(runner, tmp_path, monkeypatch):
    import provenance.cli as cli_module

    def no_work(*args, **kwargs):
        raise AssertionError("the trace ran before the output was checked")

    monkeypatch.setattr(cli_module, "run_trace", no_work)
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    result = runner.invoke(cli, [str(SEEDS), "-o", str(blocker / "report.txt")])
    assert result.exit_code == 2 and "is not a folder" in result.stderr
    result = runner.invoke(cli, [str(SEEDS), "-o", "/dev/no-such-device"])
    assert result.exit_code == 2 and "no such device" in result.stderr
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.geteuid() != 0:  # root may write anywhere
            result = runner.invoke(cli, [str(SEEDS), "-o", str(locked / "report.txt")])
            assert result.exit_code == 2 and "permission denied" in result.stderr
        result = runner.invoke(cli, ["check", str(STORY), "--against", str(SEEDS), "-o", str(blocker / "x")])
        assert result.exit_code == 2 and "is not a folder" in result.stderr
    finally:
        locked.chmod(0o700)


# ----------------------------------------------------------------------------- 2. copy passed as original


@pytest.mark.parametrize("content", [b"version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 12\n",
                                     os.urandom(4096)])
@pytest.mark.parametrize("name", ["wire.sqlite", "wire.db"])
def test_against_an_index_file_that_is_not_one_is_an_error(runner, tmp_path, content, name):
    fake = tmp_path / name
    fake.write_bytes(content)
    result = runner.invoke(cli, ["check", str(STORY), "--against", str(fake)])
    assert result.exit_code == 2
    assert "not a provenance index" in result.stderr and len(result.stderr.strip().splitlines()) == 1


# ----------------------------------------------------------------------------- 3. time and memory


def _sentences(count: int, insert_at: int | None = None) -> str:
    sentence = "The committee met on Tuesday to discuss the budget for next year. "
    parts = [sentence] * count
    if insert_at is not None:
        parts.insert(insert_at, "An entirely new sentence was inserted right here by the editor today. ")
    return "".join(parts)


def test_repeated_text_is_aligned_in_bounded_time_and_memory(tmp_path):
    folder = tmp_path / "rep"
    folder.mkdir()
    # 1,400 sentences: about 16,800 words each, past the exact alignment's budget (ALIGN_CELLS_MAX).
    (folder / "a.txt").write_text(_sentences(1400))
    (folder / "b.txt").write_text(_sentences(1400, insert_at=700))
    done = run_limited(str(folder), "--format", "json", "-q", "-j", "1")
    assert done.returncode == 0, done.stderr
    assert [len(f["members"]) for f in json.loads(done.stdout)["families"]] == [2]


def test_long_runs_of_spaces_beside_dates_are_read_in_bounded_time(tmp_path):
    # Date lines are read by patterns with spaces between their parts; a page with long runs of
    # spaces and tabs around a date (or a title) must not make them try every split of the run.
    folder = tmp_path / "spaces"
    folder.mkdir()
    lines = ["3 March 2024" + " " * 30000 + "x", "Published: " + " \t" * 15000 + "x", "10:22" + " " * 30000 + "|x",
             "Tue " * 8000 + "3 March 2024 x", "a | " * 8000 + "x"]
    (folder / "a.txt").write_text("Digest, " + " " * 30000 + "3 March 2024\n\n" + "\n".join(lines) + "\n\n" + WIRE)
    (folder / "b.txt").write_text(WIRE)
    done = run_limited(str(folder), "--format", "json", "-q", "-j", "1")
    assert done.returncode == 0, done.stderr
    assert [len(f["members"]) for f in json.loads(done.stdout)["families"]] == [2]


def _docx(document_xml: bytes) -> bytes:
    from docx import Document

    buffer = io.BytesIO()
    Document().save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for item in source.infolist():
            data = document_xml if item.filename == "word/document.xml" else source.read(item)
            package.writestr(item.filename, data)
    return out.getvalue()


def test_a_docx_that_inflates_past_its_limit_is_refused(tmp_path):
    head = b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    bomb = _docx(head + b"<w:body>" + b" " * (40 * 1024**2) + b"</w:body></w:document>")
    draft = tmp_path / "draft.docx"
    draft.write_bytes(bomb)
    assert len(bomb) < 1024**2  # passes the 1 MiB draft limit
    done = run_limited("check", str(draft), "--against", str(SEEDS))
    assert done.returncode == 2
    assert "limit per .docx part" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_record_over_the_per_article_limit_is_skipped(tmp_path):
    feed = tmp_path / "feed.jsonl"
    lines = [json.dumps({"id": "big", "text": "word " * 600_000}), json.dumps({"id": "wire", "text": WIRE}),
             json.dumps({"id": "spun", "text": spin(WIRE)})]
    feed.write_text("\n".join(lines) + "\n")
    done = run_limited(str(feed), "--max-file-size", "1MB", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert {d["id"] for d in json.loads(done.stdout)["documents"]} == {"wire", "spun"}
    assert "feed.jsonl:1: its text is over the 1 MB limit per article (--max-file-size)" in done.stderr


def test_huge_ids_and_titles_are_refused_or_cut(tmp_path):
    feed = tmp_path / "feed.jsonl"
    records = [{"id": "x" * 2_000_000, "text": WIRE}, {"id": "spun", "text": spin(WIRE), "title": "T" * 2_000_000},
               {"id": "wire", "text": WIRE}]
    feed.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    report = tmp_path / "r.html"
    done = run_limited(str(feed), "--format", "html", "-o", str(report))
    assert done.returncode == 0, done.stderr
    assert "feed.jsonl:1: its id is 2000000 characters long" in done.stderr
    assert "cut the title of" in done.stderr and "feed.jsonl:2" in done.stderr
    assert report.stat().st_size < 2_000_000


# ----------------------------------------------------------------------------- 4. the rest


@pytest.mark.parametrize("role", ["path", "draft", "against"])
def test_a_fifo_given_by_name_is_refused_not_waited_on(tmp_path, role):
    fifo = tmp_path / "p.txt"
    os.mkfifo(fifo)
    args = {"path": [str(fifo), str(SEEDS)], "draft": ["check", str(fifo), "--against", str(SEEDS)],
            "against": ["check", str(STORY), "--against", str(fifo)]}[role]
    done = run_limited(*args)
    assert "not a regular file" in done.stderr
    assert done.returncode == (0 if role == "path" else 2)


def test_a_csv_with_an_unterminated_quote_keeps_the_later_records(tmp_path):
    sheet = tmp_path / "sheet.csv"
    wire, spun = WIRE.replace("\n", " "), spin(WIRE).replace("\n", " ")
    sheet.write_text(f'id,title,text\nbad,Broken,"{INDEPENDENT.splitlines()[0]}\n'
                     f'wire,Wire,"{wire}"\nspun,Spun,"{spun}"\nother,Other,"{INDEPENDENT.splitlines()[1]}"\n')
    done = run_limited(str(sheet), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert {"wire", "spun", "other"} <= {d["id"] for d in json.loads(done.stdout)["documents"]}
    assert "sheet.csv:2:" in done.stderr and "unterminated quote" in done.stderr


def _build(runner: CliRunner, folder: Path, db: Path) -> None:
    result = runner.invoke(cli, ["index", "build", str(folder), "--db", str(db), "-q"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("where", ["_add", "_commit"])
def test_ctrl_c_during_index_add_says_what_the_index_holds(runner, tmp_path, monkeypatch, where):
    from provenance.prepublish.index import Index

    db = tmp_path / "wire.sqlite"
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    shutil.copy(STORY, first)
    (second / "other.txt").write_text(INDEPENDENT)
    _build(runner, first, db)
    original = getattr(Index, where)

    def interrupted(self, *args, **kwargs):
        original(self, *args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(Index, where, interrupted)
    result = runner.invoke(cli, ["index", "add", str(second), "--db", str(db), "-q"])
    assert result.exit_code == 130
    with Index.open(db) as index:
        held = len(index.ids())
    if where == "_commit":
        assert "the documents were added" in result.stderr and held == 2
    else:
        assert "nothing was added" in result.stderr and held == 1


def test_a_damaged_index_is_refused_by_stats_and_add(runner, tmp_path):
    db = tmp_path / "wire.sqlite"
    _build(runner, SEEDS, db)
    with sqlite3.connect(db) as con:
        page_size = con.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(db.read_bytes())
    assert len(data) >= 3 * page_size
    data[page_size + 8 : 3 * page_size] = os.urandom(2 * page_size - 8)  # pages 2 and 3, not the header
    db.write_bytes(bytes(data))
    for args in (["index", "stats", "--db", str(db)], ["index", "add", str(SEEDS), "--db", str(db)]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        assert "damaged" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_killed_build_is_cleaned_up_by_the_next(runner, tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    db = tmp_path / "wire.sqlite"
    stale = [tmp_path / f".wire.sqlite.{gone.pid}.building{end}" for end in ("", "-wal", "-shm")]
    for path in stale:
        path.write_bytes(b"left by kill -9")
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    alive = tmp_path / f".wire.sqlite.{running.pid}.building"  # a build still running: not touched
    alive.write_bytes(b"")
    try:
        result = runner.invoke(cli, ["index", "build", str(SEEDS), "--db", str(db)])
    finally:
        running.kill()
        running.wait()
    assert result.exit_code == 0, result.output
    assert not any(path.exists() for path in stale)
    assert f"removed .wire.sqlite.{gone.pid}.building, left by an interrupted build" in result.stderr
    assert alive.exists()


def test_option_overflow_empty_output_and_jobs(runner):
    result = runner.invoke(cli, [str(SEEDS), "--max-file-size", "99999999999GB"])
    assert result.exit_code == 2 and "too large" in result.stderr
    result = runner.invoke(cli, [str(SEEDS), "-o", ""])
    assert result.exit_code == 2 and "-o needs a file name" in result.stderr
    result = runner.invoke(cli, [str(SEEDS), "-j", "200", "-q"])
    assert result.exit_code == 0
    assert "note: --jobs 200 is more than the" in result.stderr


def test_index_max_file_size_overflow_is_not_an_internal_error(runner, tmp_path):
    result = runner.invoke(cli, ["index", "build", str(SEEDS), "--db", str(tmp_path / "i.sqlite"),
                                 "--max-file-size", str(2**70), "-q"])
    assert result.exit_code == 2, result.output
    assert "--max-file-size" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("delay", [0.2, 0.3, 0.4, 0.5])
def test_ctrl_c_during_start_up_prints_no_traceback(delay):
    # Raised inside an import, KeyboardInterrupt can land in a callback whose exceptions Python
    # ignores (the import lock's): the run then went on to the end with a traceback.
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen([sys.executable, "-m", "provenance", str(SEEDS)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
    time.sleep(delay)  # inside the imports
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=WALL_SECONDS)
    assert "Traceback" not in stderr
    assert child.returncode in (130, -signal.SIGINT)  # -2: before Python handles the signal at all


def test_check_names_its_own_size_option(runner, tmp_path):
    draft = tmp_path / "big.txt"
    draft.write_text(WIRE * 40)
    result = runner.invoke(cli, ["check", str(draft), "--against", str(SEEDS), "--max-draft-size", "1000"])
    assert result.exit_code == 2 and "--max-draft-size" in result.stderr and "--max-file-size" not in result.stderr


def test_a_draft_inside_the_corpus_is_not_its_own_source(runner, corpus):
    draft = corpus / "001_0aaa2a31d96aaafb.txt"
    result = runner.invoke(cli, ["check", str(draft), "--against", str(corpus), "--format", "json"])
    data = json.loads(result.stdout)
    assert "it is the draft itself" in result.stderr
    assert draft.name not in {s["id"] for s in data["sources"]}
    assert {s["id"] for s in data["sources"]} == {"000_ff1cc9cdafb8e1cb.txt", "002_e3353238399ad4ec.txt"}


class _Delivery:
    """A SIGINT handler for the test's duration that notes each delivery to the main thread.

    What is tested is that the signal reaches the main thread again; what Python's own handler
    then does is Python's business.  (Raising there, as Python's handler does, would lose the
    test under load: the 10 ms can pass before the test waits, and the interrupt then surfaces
    inside a finaliser of an object freed as the test goes on, where Python prints it as ignored.)
    """

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, signum: int, frame: object) -> None:
        self.count += 1

    def wait(self, count: int, seconds: float = 5.0) -> bool:
        """Whether ``count`` deliveries were noted within ``seconds``."""
        deadline = time.monotonic() + seconds
        while self.count < count and time.monotonic() < deadline:
            time.sleep(0.005)
        return self.count >= count


@pytest.fixture
def delivery():
    noted = _Delivery()
    previous = signal.signal(signal.SIGINT, noted)
    try:
        yield noted
    finally:
        signal.signal(signal.SIGINT, previous)


def test_ctrl_c_where_python_would_ignore_it_is_delivered_a_moment_later(delivery):
    # Raised inside the import machinery (a module lock's callback) or while Ctrl-C is held
    # back (a pool forking), KeyboardInterrupt was printed as "ignored" and the run went on.
    from types import SimpleNamespace

    from provenance.cli import interrupt_when_safe

    in_import = SimpleNamespace(f_code=SimpleNamespace(co_filename="<frozen importlib._bootstrap>", co_name="cb"),
                                f_back=None)
    elsewhere = SimpleNamespace(f_code=SimpleNamespace(co_filename=__file__, co_name="run"), f_back=None)
    with pytest.raises(KeyboardInterrupt):
        interrupt_when_safe(signal.SIGINT, elsewhere)
    assert not delivery.wait(1, seconds=0.1)  # raised at once, nothing sent again
    interrupt_when_safe(signal.SIGINT, in_import)  # returns: sent again 10 ms later, to the main thread
    assert delivery.wait(1)
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        interrupt_when_safe(signal.SIGINT, elsewhere)  # held back: returns
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
    assert delivery.wait(2)


def test_ctrl_c_inside_a_finaliser_the_collector_calls_is_delivered_a_moment_later(delivery):
    # multiprocessing's Finalize objects run as the collector's callbacks (a pool's pipes closed
    # while the imports go on): a KeyboardInterrupt raised there was printed as "ignored", with
    # its traceback, and the run went on to the end.
    import multiprocessing.util
    import weakref
    from types import SimpleNamespace

    from provenance.cli import interrupt_when_safe

    for sent, finaliser in enumerate((multiprocessing.util.__file__, weakref.__file__), start=1):
        called_back = SimpleNamespace(f_code=SimpleNamespace(co_filename=finaliser, co_name="__call__"), f_back=None)
        closing = SimpleNamespace(f_code=SimpleNamespace(co_filename=finaliser, co_name="close_fds"),
                                  f_back=called_back)
        interrupt_when_safe(signal.SIGINT, closing)  # returns: sent again 10 ms later, to the main thread
        assert delivery.wait(sent)
