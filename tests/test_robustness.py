"""Bad input through the command line: an answer for everything readable, one clear line for the rest.

Every test runs ``trace`` end to end on files written at test time (see
``messy.py``); the loader's own unit tests are in test_load.py.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import INDEPENDENT, WIRE, spin, trim
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from messy import (
    ARABIC,
    CJK,
    CYRILLIC,
    FAMILY,
    HTML_SCRIPT_MARKER,
    HTML_STYLE_MARKER,
    LATIN1_TITLE,
    build_messy,
    deny_reading,
    tree_state,
)

from provenance.cli import cli
from provenance.stages.load_formats import parse_records
from provenance.stages.normalise import fold_word, tokenize

FORMATS = ("text", "json", "csv", "dot", "html")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    return build_messy(tmp_path_factory.mktemp("messy"))


@pytest.fixture
def locked(messy, monkeypatch):
    """The messy folder, with its locked file unreadable even when the tests run as root."""
    if os.geteuid() == 0:
        deny_reading(monkeypatch, messy.unreadable)
    return messy


def _lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line]


def _family_of(data: dict) -> dict[str, str]:
    return {member: family["id"] for family in data["families"] for member in family["members"]}


def _corpus(tmp_path: Path, files: dict[str, bytes | str]) -> Path:
    """The wire story and its spun copy, plus ``files``, in a fresh folder."""
    folder = tmp_path / "corpus"
    folder.mkdir(exist_ok=True)
    base = {"wire.txt": WIRE, "spun.txt": spin(WIRE), "other.txt": INDEPENDENT}
    for name, data in {**base, **files}.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return folder


def _trace_json(runner: CliRunner, *args: str) -> tuple[dict, list[str]]:
    result = runner.invoke(cli, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout), _lines(result.stderr)


# --------------------------------------------------------------------------- the messy folder end to end


def test_messy_folder_is_traced_end_to_end(runner, locked):
    data, lines = _trace_json(runner, str(locked.root))
    assert {d["id"] for d in data["documents"]} == set(locked.good_ids)
    warnings, summary = lines[:-1], lines[-1]
    assert summary == (f"{len(locked.warnings)} warnings; traced {len(locked.good_ids)} documents "
                       "(--strict makes warnings errors)")
    assert all(line.startswith("warning: ") for line in warnings)
    assert len(warnings) == len(locked.warnings)
    for where, reason in locked.warnings:
        named = [line for line in warnings if reason in line and (where is None or f"{locked.root}/{where}" in line)]
        assert named, f"no warning names {where!r} with {reason!r}"
    assert "\x1b" not in "\n".join(lines)
    family_of = _family_of(data)
    assert len({family_of.get(member) for member in FAMILY}) == 1 and family_of.get(FAMILY[0])
    for copies in (("cyrillic.txt", "cyrillic_copy_utf16.txt"), ("arabic.txt", "arabic_copy.md"),
                   ("cjk.txt", "cjk_copy.txt")):
        assert family_of.get(copies[0]) and family_of.get(copies[0]) == family_of.get(copies[1])
    titles = {d["id"]: d["title"] for d in data["documents"]}
    assert titles["independent_latin1.txt"] == LATIN1_TITLE


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_survives_the_messy_folder_and_changes_nothing(runner, locked, tmp_path, monkeypatch, fmt):
    before = tree_state(locked.root), tree_state(locked.outside)
    monkeypatch.chdir(tmp_path)  # html goes to ./reports/messy.html
    result = runner.invoke(cli, [str(locked.root), "--format", fmt])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.stderr
    assert (tree_state(locked.root), tree_state(locked.outside)) == before
    if fmt == "html":
        report = tmp_path / "reports" / "messy.html"
        assert result.stdout == f"{report}\n"
        html = report.read_text(encoding="utf-8")
        assert HTML_SCRIPT_MARKER not in html and HTML_STYLE_MARKER not in html
    else:
        assert result.stdout
    if fmt == "text":
        assert "\x1b" not in result.stdout and "5 families" in result.stdout.split("\n")[0]


def test_following_links_changes_nothing_and_never_loops(runner, locked):
    before = tree_state(locked.root), tree_state(locked.outside)
    data, lines = _trace_json(runner, str(locked.root), "--follow-symlinks")
    assert (tree_state(locked.root), tree_state(locked.outside)) == before
    ids = {d["id"] for d in data["documents"]}
    assert {"outside_dir/secret.txt", "outside_dir/single.txt"} <= ids
    assert (f"warning: skipped {locked.root}/outside_file.txt: same file as {locked.root}/outside_dir/single.txt"
            in lines)
    assert any(f"{locked.root}/nested/loop: folder already traced (loop)" in line for line in lines)
    assert any(f"{locked.root}/dangling.txt: target does not exist" in line for line in lines)


def test_strict_stops_at_the_first_problem(runner, locked):
    result = runner.invoke(cli, [str(locked.root), "--strict"])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = _lines(result.stderr)
    assert len(lines) == 1 and lines[0].startswith("Error: skipped ")
    assert "\x1b" not in result.stderr


# --------------------------------------------------------------------------- one kind of bad input at a time

JUNK = [
    ("empty.txt", b"", "empty file"),
    ("blank.md", b"  \n\n\t \r\n", "empty file"),
    ("photo.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "binary file"),
    ("archive.md", b"PK\x03\x04" + bytes(range(256)) * 4, "binary file"),
    ("nuls.txt", b"text\x00\x00\x01\x02\x03\xff" * 100, "binary file"),
    ("page.html", b"<html><script>x()</script><style>p{}</style><body>  </body></html>", "no text in HTML page"),
    ("bad.json", b'[{"id": 1, "text": "cut off', "invalid JSON"),
    ("list.json", b'"just a string"', "expected a JSON object or a list of objects"),
    ("table.csv", b"name,age\nann,3\n", "no text column"),
]


@pytest.mark.parametrize("name, data, reason", JUNK, ids=[j[0] for j in JUNK])
def test_unusable_file_is_skipped_with_one_warning(runner, tmp_path, name, data, reason):
    folder = _corpus(tmp_path, {name: data})
    result, lines = _trace_json(runner, str(folder))
    assert {d["id"] for d in result["documents"]} == {"wire.txt", "spun.txt", "other.txt"}
    assert len(lines) == 2
    assert lines[0].startswith(f"warning: skipped {folder / name}: {reason}")
    assert lines[1] == "1 warning; traced 3 documents (--strict makes warnings errors)"


WIRE_LATIN = WIRE.replace("“", '"').replace("”", '"')
ENCODED = [
    ("cp1252", WIRE.encode("cp1252")),
    ("latin-1", WIRE_LATIN.encode("latin-1")),
    ("utf-8-sig", WIRE.encode("utf-8-sig")),
    ("utf-16 with BOM", WIRE.encode("utf-16")),
    ("utf-16-be with BOM", b"\xfe\xff" + WIRE.encode("utf-16-be")),
    ("utf-16-le without BOM", WIRE.encode("utf-16-le")),
    ("utf-16-be without BOM", WIRE.encode("utf-16-be")),
    ("utf-32 with BOM", WIRE.encode("utf-32")),
    ("crlf", WIRE.replace("\n", "\r\n").encode("utf-8")),
]


@pytest.mark.parametrize("label, data", ENCODED, ids=[e[0] for e in ENCODED])
def test_any_encoding_reads_as_the_same_story(runner, tmp_path, label, data):
    folder = _corpus(tmp_path, {"copy.txt": trim(WIRE, 5).encode("utf-8"), "encoded.txt": data})
    result, lines = _trace_json(runner, str(folder))
    assert lines == []
    family_of = _family_of(result)
    assert family_of["encoded.txt"] == family_of["wire.txt"] == family_of["copy.txt"]
    words = {d["id"]: d["words"] for d in result["documents"]}
    assert words["encoded.txt"] == words["wire.txt"]


def test_invalid_utf8_is_read_with_replacement_characters(runner, tmp_path):
    story = trim(WIRE, 6).encode("utf-8")
    broken = story[:200] + b"\xff\xfe\xc3" + story[200:]
    folder = _corpus(tmp_path, {"broken.txt": broken})
    result, lines = _trace_json(runner, str(folder))
    assert lines == []
    family_of = _family_of(result)
    assert family_of["broken.txt"] == family_of["wire.txt"]


def test_malformed_jsonl_and_csv_lines_are_skipped_and_named(runner, tmp_path):
    good = [json.dumps({"id": f"r{n}", "text": text}) for n, text in enumerate([WIRE, trim(WIRE, 4), INDEPENDENT])]
    jsonl = "\n".join([good[0], '{"id": "bad", "text": "no end', good[1], "[1, 2", good[2], good[2][:40]])
    csv_text = "id,text\r\nc1,\"" + INDEPENDENT.replace('"', '""') + "\"\r\nc2,too,many,fields\r\n"
    folder = _corpus(tmp_path, {"feed.jsonl": jsonl, "sheet.csv": csv_text})
    result, lines = _trace_json(runner, str(folder))
    ids = {d["id"] for d in result["documents"]}
    assert {"feed.jsonl#r0", "feed.jsonl#r1", "feed.jsonl#r2", "sheet.csv#c1"} <= ids
    assert not {i for i in ids if "bad" in i or "c2" in i}
    for where, reason in (("feed.jsonl:2", "invalid JSON"), ("feed.jsonl:4", "invalid JSON"),
                          ("feed.jsonl:6", "invalid JSON"),
                          (f"sheet.csv:{3 + INDEPENDENT.count(chr(10))}", "malformed CSV")):  # c1 spans lines
        assert any(f"{folder / where}" in line and reason in line for line in lines), where


def test_duplicate_record_ids_keep_the_first(runner, tmp_path):
    records = [{"id": "a", "text": WIRE}, {"id": "a", "text": INDEPENDENT}, {"id": "b", "text": trim(WIRE, 4)}]
    folder = _corpus(tmp_path, {})
    (folder / "list.json").write_text(json.dumps(records), encoding="utf-8")
    result, lines = _trace_json(runner, str(folder / "list.json"), str(folder / "wire.txt"))
    assert sorted(d["id"] for d in result["documents"]) == ["a", "b", "wire.txt"]
    assert lines[0] == (f"warning: skipped duplicate id 'a' in {folder / 'list.json'} record 2 "
                        f"(first in {folder / 'list.json'} record 1)")


def test_html_scripts_styles_and_broken_tags(runner, tmp_path, monkeypatch):
    page = ("<html><head><title>Lane closed</title><style>.styleMarker{}</style>"
            "<script>if (a < b) { document.write('<p>scriptMarker</p>') }</script></head><body>"
            "<nav>Home | News</nav><article>" + "".join(f"<p>{line}" for line in WIRE.split("\n"))
            + "<div><b>unclosed <i>tags</b> <<>> &bogus; &amp;</table></article><footer>(c)</footer>")
    folder = _corpus(tmp_path, {"page.html": page})
    monkeypatch.chdir(tmp_path)
    result, lines = _trace_json(runner, str(folder))
    assert lines == []
    docs = {d["id"]: d for d in result["documents"]}
    assert docs["page.html"]["title"] == "Lane closed"
    assert _family_of(result)["page.html"] == _family_of(result)["wire.txt"]
    html = runner.invoke(cli, [str(folder), "-f", "html", "-o", str(tmp_path / "r.html")])
    assert html.exit_code == 0
    report = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "scriptMarker" not in report and "styleMarker" not in report


def test_links_are_not_followed_unless_asked(runner, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.txt").write_text(trim(WIRE, 5), encoding="utf-8")
    (outside / "single.txt").write_text(trim(WIRE, 3), encoding="utf-8")
    folder = _corpus(tmp_path, {})
    os.symlink(outside / "single.txt", folder / "linked.txt")
    os.symlink(outside, folder / "linked_dir")
    os.symlink(folder, folder / "loop")
    result, lines = _trace_json(runner, str(folder))
    assert {d["id"] for d in result["documents"]} == {"wire.txt", "spun.txt", "other.txt"}
    for name in ("linked.txt", "linked_dir", "loop"):
        assert f"warning: skipped link {folder / name} (use --follow-symlinks to follow)" in lines
    followed, lines = _trace_json(runner, str(folder), "--follow-symlinks")
    assert {"linked.txt", "linked_dir/secret.txt"} <= {d["id"] for d in followed["documents"]}
    assert lines[:-1] == [
        f"warning: skipped {folder / 'linked_dir/single.txt'}: same file as {folder / 'linked.txt'}",
        f"warning: skipped link {folder / 'loop'}: folder already traced (loop)",
    ]


def test_unreadable_file_is_skipped(runner, tmp_path, monkeypatch):
    folder = _corpus(tmp_path, {"locked.txt": trim(WIRE, 3)})
    (folder / "locked.txt").chmod(0)
    if os.geteuid() == 0:
        deny_reading(monkeypatch, ("locked.txt",))
    try:
        result, lines = _trace_json(runner, str(folder))
    finally:
        (folder / "locked.txt").chmod(0o644)
    assert "locked.txt" not in {d["id"] for d in result["documents"]}
    assert lines[0] == f"warning: skipped {folder / 'locked.txt'}: cannot read (permission denied)"


def test_file_over_the_size_cap(runner, tmp_path):
    folder = _corpus(tmp_path, {"big.txt": (WIRE + "\n") * 300})  # about 340 KB
    with open(folder / "huge.txt", "wb") as handle:
        handle.truncate(20 * 1024 * 1024 + 1)  # sparse: costs nothing to write
    _, lines = _trace_json(runner, str(folder))
    assert lines[0].startswith(f"warning: skipped {folder / 'huge.txt'}: ")
    assert lines[0].endswith("over the 20 MB limit (--max-file-size)")
    assert len(lines) == 2
    capped, lines = _trace_json(runner, str(folder), "--max-file-size", "100KB")
    assert "big.txt" not in {d["id"] for d in capped["documents"]}
    size = (folder / "big.txt").stat().st_size / 1024
    assert f"warning: skipped {folder / 'big.txt'}: {size:.1f} KB is over the 100 KB limit (--max-file-size)" in lines


def test_extremely_long_lines(runner, tmp_path):
    rng = random.Random(3)
    one_line = " ".join(WIRE.split()) + " " + " ".join(
        "".join(rng.choice("abcdefghij") for _ in range(6)) for _ in range(80_000))
    folder = _corpus(tmp_path, {"one_line.txt": one_line, "one_token.txt": "x" * 2_000_000})
    result, lines = _trace_json(runner, str(folder))
    assert lines == []
    words = {d["id"]: d["words"] for d in result["documents"]}
    assert words["one_token.txt"] == 1
    assert words["one_line.txt"] >= 80_000


@pytest.mark.parametrize("story", [CYRILLIC, ARABIC, CJK], ids=["cyrillic", "arabic", "cjk"])
def test_other_scripts_are_traced(runner, tmp_path, story):
    folder = _corpus(tmp_path, {"a.txt": story, "b.txt": "Title\n\n" + story, "c.md": story.encode("utf-16")})
    result, lines = _trace_json(runner, str(folder))
    assert lines == []
    family_of = _family_of(result)
    assert family_of["a.txt"] == family_of["b.txt"] == family_of["c.md"]
    assert family_of["a.txt"] != family_of.get("wire.txt")
    text = runner.invoke(cli, [str(folder)])
    assert text.exit_code == 0 and "\x1b" not in text.stdout


# --------------------------------------------------------------------------- nothing usable


@pytest.mark.parametrize("files", [
    {},
    {"empty.txt": b"", "photo.png": b"\x89PNG", "junk.txt": b"\x00\x01\x02\x03" * 10},
], ids=["empty folder", "only junk"])
def test_folder_without_usable_document_is_exit_2_and_one_line(runner, tmp_path, files):
    folder = tmp_path / "junk"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    result = runner.invoke(cli, [str(folder)])
    assert result.exit_code == 2
    assert result.stdout == ""
    skipped = len(files)
    plural = "file" if skipped == 1 else "files"
    assert _lines(result.stderr) == [f"Error: no usable document in {folder} ({skipped} {plural} skipped)"]


def test_path_that_does_not_exist(runner, tmp_path):
    result = runner.invoke(cli, [str(tmp_path / "missing"), "--format", "json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert _lines(result.stderr) == [f"Error: path does not exist: {tmp_path / 'missing'}"]


# --------------------------------------------------------------------------- properties of the parsers


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_tokenize_never_fails_and_keeps_offsets(text):
    tokens = tokenize(text)
    assert len(tokens.words) == len(tokens.starts) == len(tokens.ends)
    previous = 0
    for word, start, end in zip(tokens.words, tokens.starts.tolist(), tokens.ends.tolist(), strict=True):
        assert previous <= start < end <= len(text)
        assert word
        if "\n" not in text[start:end]:  # hyphenated line breaks are joined into one word
            assert word == fold_word(text[start:end])
        previous = end


@pytest.mark.parametrize("text, words", [
    ("Городские ВЛАСТИ закрыли мост.", ("городские", "власти", "закрыли", "мост")),
    ("«Безопасность жителей» — заявил мэр", ("безопасность", "жителей", "заявил", "мэр")),
    ("أعلنت سلطات الميناء، يوم الثلاثاء.", ("أعلنت", "سلطات", "الميناء", "يوم", "الثلاثاء")),
    ("Ελληνικά ΚΕΊΜΕΝΑ", ("ελληνικά", "κείμενα")),
])
def test_tokens_in_other_scripts(text, words):
    assert tokenize(text).words == words


@pytest.mark.parametrize("text, letters", [
    ("港務局週二表示，北部航道已經關閉。", "港務局週二表示北部航道已經關閉"),
    ("東京（共同）５月", "東京共同5月"),
    ("서울시는 화요일 다리를 폐쇄했다.", "서울시는화요일다리를폐쇄했다"),
])
def test_cjk_tokens_hold_the_letters_and_no_punctuation(text, letters):
    # Words are not space-separated here; whatever the split, tokens keep every letter and no punctuation.
    words = tokenize(text).words
    assert "".join(words) == letters
    assert all(word.isalnum() for word in words)


_RECORD = st.fixed_dictionaries({"id": st.text(min_size=1, max_size=8).filter(str.strip),
                                 "text": st.text(min_size=1).filter(str.strip)})
_GARBAGE = st.text(min_size=1).filter(lambda s: s.strip() and "\n" not in s and "\r" not in s)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_RECORD, _GARBAGE), max_size=12))
@example(lines=["[", {"id": "a", "text": "first"}])  # starts like a JSON array, is not one
def test_jsonl_keeps_every_good_record_and_names_every_bad_line(lines):
    text = "\n".join(json.dumps(item) if isinstance(item, dict) else item for item in lines)
    records, warnings = parse_records(text, "jsonl", "feed.jsonl")
    kept = iter(records)
    for number, item in enumerate(lines, start=1):
        if isinstance(item, dict):
            record = next(kept)
            assert record.number == number and record.id == item["id"].strip()
        else:
            try:
                parsed = json.loads(item)
            except ValueError:
                assert any(w.startswith(f"skipped feed.jsonl:{number}: invalid JSON") for w in warnings)
                continue
            if isinstance(parsed, dict):  # garbage that happens to be an object
                record = next((r for r in records if r.number == number), None)
                assert record is not None or any(f"feed.jsonl:{number}" in w for w in warnings)
            else:
                assert any(w == f"skipped feed.jsonl:{number}: not a JSON object" for w in warnings)


@settings(max_examples=150, deadline=None)
@given(st.text(), st.sampled_from(["json", "jsonl", "csv"]))
def test_record_parsers_never_fail(text, kind):
    records, warnings = parse_records(text, kind, "data")
    assert all(record.text.strip() for record in records)
    assert all(isinstance(warning, str) and "data" in warning for warning in warnings)
