"""Tests of the load stage (provenance.stages.load): files, folders, records, encodings, drafts."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import types
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.errors import ConfigError, InputError
from provenance.model import Article
from provenance.stages.load import (
    MAX_FILE_SIZE_DEFAULT,
    LoadResult,
    decode_bytes,
    load_articles,
    load_draft,
)
from provenance.stages.load_formats import extract_html, parse_date

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
CORPORA = REPO.parent / "shared" / "corpora"

STORY = "Harbour authorities closed the northern lane after a cargo ship lost power.\n"
MESSY_HTML = """<!doctype html><html><head><title>Storm closes lane | Daily Bugle</title>
<meta property="og:site_name" content="Daily Bugle">
<meta property="article:published_time" content="2021-03-04T05:06:07Z">
<link rel="canonical" href="https://bugle.example/storm">
<style>body { color: red } .STYLETEXT {}</style>
<script>var secret = "SCRIPTTEXT";</script></head>
<body><nav><a href="/">Home</a> | <a href="/news">News</a></nav>
<header><div>Daily Bugle</div></header>
<article><h1>Storm closes lane</h1><p>Harbour authorities said on
Tuesday they had closed the lane.<p>Second <b>para<i>graph</b> here</i>
<script>document.write("SCRIPT2")</script><noscript>NOSCRIPT</noscript>
<svg><text>SVGTEXT</text></svg><iframe>IFRAME</iframe><template><p>TEMPLATE</p></template>
<!-- a comment --><div>Line one<br>Line two</div></article>
<aside>Related: other stories</aside>
<footer>(c) 2021 Daily Bugle<div>Contact us</div></footer>
<div class="x"><span>unclosed <b>tags <p>and <<<>> broken</i></table>
"""


# --------------------------------------------------------------------------- helpers


def write(root: Path, rel: str, data: str | bytes) -> Path:
    """Write ``data`` (str as UTF-8) to ``root/rel``, creating folders."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def jsonl(*records: object) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def ids(result: LoadResult) -> list[str]:
    return [article.id for article in result.articles]


def by_id(result: LoadResult) -> dict[str, Article]:
    return {article.id: article for article in result.articles}


def tree_digest(root: Path) -> dict[str, str]:
    """Hash of every file's bytes and mode, and every link's target, under ``root``."""
    digest = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                digest[rel] = "link:" + os.readlink(path)
            elif path.is_file():
                info = path.stat()
                data = path.read_bytes()
                digest[rel] = (
                    f"{hashlib.sha256(data).hexdigest()}:{info.st_mode}:{info.st_mtime_ns}"
                )
    return digest


# --------------------------------------------------------------------------- folders and ids


def test_folder_recursion_ids_and_paths(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus, "a.txt", STORY)
    write(corpus, "sub/b.md", "# Ship aground\n\n" + STORY)
    write(corpus, "sub/deeper/c.htm", "<html><body><p>" + STORY + "</p></body></html>")
    write(corpus, ".hidden.txt", STORY)
    write(corpus, ".git/d.txt", STORY)
    write(corpus, "sub/report.pdf", b"%PDF-1.4 ...")
    write(corpus, "sub/photo.png", b"\x89PNG....")
    write(corpus, "notes", "no suffix")

    result = load_articles(corpus)

    assert ids(result) == ["a.txt", "sub/b.md", "sub/deeper/c.htm"]
    articles = by_id(result)
    assert articles["a.txt"].path == os.path.join(str(corpus), "a.txt")
    assert articles["sub/b.md"].title == "Ship aground"
    assert articles["sub/b.md"].text == "# Ship aground\n\n" + STORY
    assert result.warnings == ["ignored 3 files with unsupported types (.pdf, .png, no suffix)"]


def test_file_given_directly_uses_its_name_and_accepts_a_list(tmp_path):
    first = write(tmp_path, "x/one.txt", STORY)
    second = write(tmp_path, "y/two.text", STORY)
    result = load_articles([str(first), second])
    assert ids(result) == ["one.txt", "two.text"]
    assert result.articles[0].path == str(first)


def test_unknown_suffix_given_directly_is_read_as_text_if_it_decodes(tmp_path):
    notes = write(tmp_path, "notes.log", STORY)
    blob = write(tmp_path, "scan.pdf", b"%PDF-1.4\x00\x01\x02")
    result = load_articles([notes, blob])
    assert ids(result) == ["notes.log"]
    assert result.warnings == [f"skipped {blob}: binary file (unsupported type .pdf)"]


def test_missing_path_raises(tmp_path):
    with pytest.raises(InputError, match="path does not exist: .*nowhere"):
        load_articles([tmp_path, tmp_path / "nowhere"])


def test_folder_without_usable_document_raises(tmp_path):
    write(tmp_path, "empty.txt", "   \n")
    write(tmp_path, "image.png", b"\x89PNG")
    write(tmp_path, ".hidden.txt", STORY)
    with pytest.raises(InputError, match=r"no usable document in .* \(2 files skipped\)"):
        load_articles(tmp_path)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"max_file_size": 0}, "'max_file_size' parameter of load_articles must be a positive int"),
        ({"max_file_size": True}, "'max_file_size'"),
        ({"follow_symlinks": "yes"}, "'follow_symlinks' parameter of load_articles must be a bool"),
        ({"strict": 1}, "'strict' parameter"),
    ],
)
def test_parameters_are_validated(tmp_path, kwargs, message):
    with pytest.raises(ConfigError, match=message):
        load_articles(tmp_path, **kwargs)


@pytest.mark.parametrize("paths", [[], 42, b"bytes", [""], [None]])
def test_paths_are_validated(paths):
    with pytest.raises(ConfigError, match="'paths' parameter of load_articles"):
        load_articles(paths)


def test_determinism_whatever_the_creation_order(tmp_path):
    files = {
        "b.txt": STORY,
        "a/z.md": "Z story\n\n" + STORY,
        "a/y.txt": STORY.upper(),
        "c.jsonl": jsonl({"id": "r", "text": STORY}, {"id": "r", "text": "dup"}),
        "d.txt": b"\x00\x01binary",
        "e.pdf": b"%PDF",
    }
    results = []
    for name, order in (("one", list(files)), ("two", list(reversed(files)))):
        for rel in order:
            write(tmp_path / name, rel, files[rel])
        result = load_articles(tmp_path / name)
        results.append(
            (
                [(a.id, a.text, a.title) for a in result.articles],
                [w.replace(name, "") for w in result.warnings],
            )
        )
    assert results[0] == results[1]
    assert [article_id for article_id, _, _ in results[0][0]] == [
        "a/y.txt",
        "a/z.md",
        "b.txt",
        "c.jsonl#r",
    ]


def test_loading_never_changes_the_input_tree(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus, "a.txt", STORY)
    write(corpus, "b.html", MESSY_HTML)
    write(corpus, "c.jsonl", jsonl({"id": 1, "text": STORY}) + "{bad\n")
    write(corpus, "d.csv", "id,text\n1,hello\n")
    write(corpus, "e.txt", "café".encode("cp1252"))
    write(corpus, "f.txt", b"")
    os.symlink(corpus / "a.txt", corpus / "link.txt")
    before = tree_digest(corpus)
    load_articles(corpus)
    load_articles(corpus, follow_symlinks=True)
    assert tree_digest(corpus) == before


# --------------------------------------------------------------------------- records


def test_record_ids_inside_a_folder_and_given_directly(tmp_path):
    data = jsonl({"id": "r1", "text": "one"}, {"text": "no id"}, {"id": 7, "body": "seven"})
    path = write(tmp_path, "feeds/wire.jsonl", data)
    assert ids(load_articles(tmp_path)) == [
        "feeds/wire.jsonl#2",
        "feeds/wire.jsonl#7",
        "feeds/wire.jsonl#r1",
    ]
    assert ids(load_articles(path)) == ["7", "r1", "wire.jsonl#2"]


def test_jsonl_that_only_starts_like_an_array_is_read_line_by_line(tmp_path):
    # A stray "[" on the first line must not cost the good records after it.
    lines = ["[", json.dumps({"id": "a", "text": "first"}), json.dumps({"id": "b", "text": "second"})]
    path = write(tmp_path, "feed.jsonl", "\n".join(lines) + "\n")
    result = load_articles(path)
    assert ids(result) == ["a", "b"]
    assert len(result.warnings) == 1 and result.warnings[0].startswith(f"skipped {path}:1: invalid JSON (")


def test_jsonl_holding_a_json_array_is_read_as_one(tmp_path):
    path = write(tmp_path, "feed.jsonl", json.dumps([{"id": "a", "text": "first"}, {"id": "b", "text": "x"}]))
    result = load_articles(path)
    assert ids(result) == ["a", "b"] and not result.warnings


def test_jsonl_malformed_line_is_skipped_and_named(tmp_path):
    lines = [
        json.dumps({"id": "a", "text": "first"}),
        "{not json",
        "",
        json.dumps({"id": "b", "text": "x"}),
    ]
    lines.append(json.dumps(["not", "an", "object"]))
    lines.append(json.dumps({"id": "c", "title": "no text"}))
    path = write(tmp_path, "feed.ndjson", "\n".join(lines) + "\n")
    result = load_articles(path)
    assert ids(result) == ["a", "b"]
    assert len(result.warnings) == 3
    assert result.warnings[0].startswith(f"skipped {path}:2: invalid JSON (")
    assert result.warnings[1] == f"skipped {path}:5: not a JSON object"
    assert result.warnings[2].startswith(f"skipped {path}:6: no text field")


def test_record_fields_and_aliases(tmp_path):
    path = write(
        tmp_path,
        "records.jsonl",
        jsonl(
            {
                "id": "reuters-1",
                "date": "26-FEB-1987 15:01:01.79",
                "title": "BAHIA COCOA REVIEW",
                "content": "Showers continued\r\nthroughout the week.",
                "publisher": "Reuters",
                "url": "https://example.com/1",
            },
            {
                "id": "s",
                "text": "t",
                "retrieved": "2019-05-31T17:45:53-04:00",
                "source": {"name": "AP"},
            },
            {"id": "u", "text": "t", "published": "sometime soon", "Outlet": "Bugle"},
        ),
    )
    articles = by_id(load_articles(path))
    first = articles["reuters-1"]
    assert first.published == "1987-02-26T15:01:01"
    assert first.title == "BAHIA COCOA REVIEW"
    assert first.text == "Showers continued\nthroughout the week."
    assert (first.outlet, first.url, first.path) == ("Reuters", "https://example.com/1", str(path))
    assert (articles["s"].published, articles["s"].outlet) == ("2019-05-31T17:45:53-04:00", "AP")
    assert (articles["u"].published, articles["u"].outlet) == (None, "Bugle")


@pytest.mark.parametrize(
    "content, expected",
    [
        ([{"id": "a", "text": "x"}, {"id": "b", "text": "y"}], ["a", "b"]),
        ({"articles": [{"id": "a", "text": "x"}]}, ["a"]),
        ({"documents": [{"id": "a", "text": "x"}]}, ["a"]),
        ({"records": [{"text": "x"}, {"text": "y"}]}, ["one.json#1", "one.json#2"]),
        ({"id": "solo", "text": "x"}, ["solo"]),
        ({"text": "x", "title": "T"}, ["one.json"]),
    ],
)
def test_json_list_or_object(tmp_path, content, expected):
    path = write(tmp_path, "one.json", json.dumps(content))
    assert ids(load_articles(path)) == expected


def test_json_object_without_id_inside_a_folder_uses_the_file_id(tmp_path):
    write(tmp_path, "d/one.json", json.dumps({"text": "x"}))
    assert ids(load_articles(tmp_path)) == ["d/one.json"]


def test_invalid_json_file_is_skipped(tmp_path):
    bad = write(tmp_path, "bad.json", '{"id": "a", "text": ')
    write(tmp_path, "good.txt", STORY)
    result = load_articles(tmp_path)
    assert ids(result) == ["good.txt"]
    assert result.warnings[0].startswith(f"skipped {bad}: invalid JSON (Expecting value at line 1")


def test_csv_with_quoted_newlines_and_a_malformed_row(tmp_path):
    text = (
        "id,title,text,published,source\n"
        'a,First,"Line one\nline two",2020-01-05,AP\n'
        "b,Broken,too,many,fields,here\n"
        'c,Third,"He said ""yes"".",5 March 2019,Reuters\n'
    )
    path = write(tmp_path, "wire.csv", text)
    result = load_articles(path)
    assert ids(result) == ["a", "c"]
    articles = by_id(result)
    assert articles["a"].text == "Line one\nline two"
    assert (articles["a"].published, articles["a"].outlet) == ("2020-01-05", "AP")
    assert articles["c"].text == 'He said "yes".'
    assert result.warnings == [f"skipped {path}:4: malformed CSV row (expected 5 fields, found 6)"]


def test_csv_with_a_huge_field_and_semicolons(tmp_path):
    big = "word " * 100_000
    path = write(tmp_path, "big.csv", f"id;text\nx;{big}\n")
    assert by_id(load_articles(path))["x"].text == big


def test_csv_without_text_column_is_skipped(tmp_path):
    path = write(tmp_path, "meta.csv", "id,name\n1,a\n")
    write(tmp_path, "ok.txt", STORY)
    result = load_articles(tmp_path)
    assert result.warnings == [
        f"skipped {path}: no text column (expected one of text, body, content)"
    ]


def test_duplicate_ids_keep_the_first_and_warn(tmp_path):
    path = write(
        tmp_path,
        "dup.jsonl",
        jsonl(
            {"id": "x", "text": "first"}, {"id": "y", "text": "y"}, {"id": "x", "text": "second"}
        ),
    )
    result = load_articles(path)
    assert by_id(result)["x"].text == "first"
    assert result.warnings == [f"skipped duplicate id 'x' in {path}:3 (first in {path}:1)"]


def test_duplicate_file_ids_across_folders(tmp_path):
    one = write(tmp_path, "one/a.txt", "first " + STORY)
    two = write(tmp_path, "two/a.txt", "second " + STORY)
    result = load_articles([one, two])
    assert result.articles[0].text.startswith("first")
    assert result.warnings == [f"skipped duplicate id 'a.txt' in {two} (first in {one})"]


def test_record_warnings_are_capped_per_file(tmp_path):
    path = write(tmp_path, "noisy.jsonl", "{bad\n" * 30 + jsonl({"id": "ok", "text": "fine"}))
    result = load_articles(path)
    assert ids(result) == ["ok"]
    assert len(result.warnings) == 21
    assert result.warnings[-1] == f"omitted 10 more warnings about {path}"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("26-FEB-1987 15:01:01.79", "1987-02-26T15:01:01"),
        ("2019-05-31T17:45:53-04:00", "2019-05-31T17:45:53-04:00"),
        ("2020-01-05T10:00:00Z", "2020-01-05T10:00:00+00:00"),
        ("2020-01-05", "2020-01-05"),
        ("2020/1/5", "2020-01-05"),
        ("Mon, 26 Feb 1987 15:01:01 +0000", "1987-02-26T15:01:01+00:00"),
        ("February 26, 1987", "1987-02-26"),
        ("Feb. 26, 1987 3:05 PM", "1987-02-26T15:05:00"),
        ("June 3, 2018 4:15 PM EDT", "2018-06-03T16:15:00-04:00"),
        ("3 Mar 2024 10:22 CEST", "2024-03-03T10:22:00+02:00"),
        ("13/03/2024 10:22", "2024-03-13T10:22:00"),
        ("May 31, 2019 8:00 a.m. ET", "2019-05-31T08:00:00-04:00"),
        ("03/13/2024", "2024-03-13"),
        ("03/04/2024", None),
        (1551200000, "2019-02-26T16:53:20+00:00"),
        ("31 Sept 2020", None),
        ("yesterday", None),
        ("", None),
        (None, None),
        (True, None),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


# --------------------------------------------------------------------------- encodings

CAFE = "café – “quotes”"
GERMAN = "Grüße aus München"
ASCII = "Plain ASCII in UTF-16, no BOM."
FRENCH = "Ça va très bien, merci. L’été est là — déjà!"
RUSSIAN = "Съешь же ещё этих мягких французских булок, да выпей чаю."
#: label -> (text, codec); "+bom" adds a byte-order mark the codec does not write itself
ENCODED = {
    "utf-8 bom": (CAFE, "utf-8-sig"),
    "utf-16 le bom": (GERMAN, "utf-16-le+bom"),
    "utf-16 be bom": (GERMAN, "utf-16-be+bom"),
    "utf-16 le": (ASCII, "utf-16-le"),
    "utf-16 be": (ASCII, "utf-16-be"),
    "utf-32 bom": (GERMAN, "utf-32"),
    "cp1252": (CAFE, "cp1252"),
    "cp1252 long": (FRENCH, "cp1252"),
    "latin-1": ("naïve façade résumé", "latin-1"),
    "cyrillic cp1251": (RUSSIAN, "cp1251"),
}


def encode(text: str, codec: str) -> bytes:
    if codec.endswith("+bom"):
        codec = codec.removesuffix("+bom")
        return ("\ufeff" + text).encode(codec)
    return text.encode(codec)


@pytest.mark.parametrize("label", ENCODED)
def test_decode_bytes_detects_encodings(label):
    text, codec = ENCODED[label]
    assert decode_bytes(encode(text, codec), name="x.txt") == text


@pytest.mark.parametrize("label", list(ENCODED)[:8])
def test_encoded_files_load(tmp_path, label):
    text, codec = ENCODED[label]
    path = write(tmp_path, "doc.txt", encode(text, codec))
    assert load_articles(path).articles[0].text == text


@pytest.mark.parametrize(
    "data, expected",
    [
        (
            "Grüße aus München, café, naïve ".encode() + b"\xff end",
            "Grüße aus München, café, naïve \ufffd end",
        ),
        (b"ASCII report with one stray byte: \xfc.", "ASCII report with one stray byte: ü."),
        (
            "Stolicą jest Warszawa, zażółć gęślą jaźń.".encode("cp1250"),
            "Stolicą jest Warszawa, zażółć gęślą jaźń.",
        ),
    ],
)
def test_invalid_utf8(tmp_path, data, expected):
    path = write(tmp_path, "mixed.txt", data)
    assert load_articles(path).articles[0].text == expected


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x17F), max_size=300))
def test_cp1252_bytes_always_decode(text):
    try:
        data = ("The report said on Tuesday that " + text).encode("cp1252")
    except UnicodeEncodeError:
        return
    assert decode_bytes(data, name="x.txt").startswith("The report")


def test_html_meta_charset_is_used(tmp_path):
    page = '<html><head><meta charset="windows-1251"></head><body><p>Привет, мир</p></body></html>'
    path = write(tmp_path, "ru.html", page.encode("cp1251"))
    assert load_articles(path).articles[0].text == "Привет, мир"


@pytest.mark.parametrize(
    "text",
    [
        "Москва — столица России. Здесь живут миллионы людей.",
        "القاهرة هي عاصمة مصر وأكبر مدنها.",
        "東京は日本の首都です。人口は約千四百万人です。",
        "北京是中华人民共和国的首都。",
        "서울은 대한민국의 수도이다.",
    ],
)
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_non_latin_text_loads_unchanged(tmp_path, text, encoding):
    path = write(tmp_path, "story.txt", text.encode(encoding))
    assert load_articles(path).articles[0].text == text


def test_crlf_is_normalised_and_nothing_else_changes(tmp_path):
    text = "Title line\r\n\r\n  Indented\u00a0nbsp\ttab \u200bzero-width\r\nend"
    path = write(tmp_path, "crlf.txt", text)
    assert load_articles(path).articles[0].text == text.replace("\r\n", "\n")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_decode_bytes_never_raises(data):
    assert isinstance(decode_bytes(data, name="any.txt"), str)
    assert isinstance(decode_bytes(data, name="any.html"), str)


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=500).filter(lambda t: not t.startswith("\x00")),
    st.sampled_from(
        ["utf-8-sig", "utf-16-le+bom", "utf-16-be+bom", "utf-32-le+bom", "utf-32-be+bom"]
    ),
)
def test_decode_bytes_round_trips_text_with_a_bom(text, codec):
    # a UTF-16 LE text starting with U+0000 would begin like a UTF-32 LE BOM; excluded
    assert decode_bytes(encode(text, codec), name="x.txt") == text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=500).filter(lambda t: "\x00" not in t and not t.startswith("\ufeff")))
def test_decode_bytes_round_trips_plain_utf8(text):
    assert decode_bytes(text.encode("utf-8"), name="x.txt") == text


def test_decode_bytes_validates_arguments():
    with pytest.raises(ConfigError, match="'data' parameter of decode_bytes"):
        decode_bytes("text", name="x")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- skipped files


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty file"),
        (b"  \n\t\r\n ", "empty file"),
        (b"\xef\xbb\xbf", "empty file"),
        (b"GIF89a\x00\x00\x10\x00binary", "binary file"),
        (b"abc\x00\x01\x02\x03def\x00", "binary file"),
        (bytes(range(1, 32)) * 20, "binary file"),
    ],
)
def test_unusable_files_are_skipped_with_a_warning(tmp_path, data, reason):
    bad = write(tmp_path, "bad.txt", data)
    write(tmp_path, "good.txt", STORY)
    result = load_articles(tmp_path)
    assert ids(result) == ["good.txt"]
    assert result.warnings == [f"skipped {bad}: {reason}"]


def test_file_over_the_size_limit_is_skipped(tmp_path):
    big = write(tmp_path, "big.txt", "x" * 2048)
    write(tmp_path, "small.txt", STORY)
    result = load_articles(tmp_path, max_file_size=1024)
    assert ids(result) == ["small.txt"]
    assert result.warnings == [f"skipped {big}: 2 KB is over the 1 KB limit (--max-file-size)"]


def test_size_limit_message_in_megabytes(tmp_path):
    big = write(tmp_path, "big.txt", b"x" * (3 * 1024 * 1024 + 300_000))
    with pytest.raises(InputError, match=r"3\.3 MB is over the 2 MB limit \(--max-file-size\)"):
        load_articles(big, max_file_size=2 * 1024 * 1024, strict=True)
    assert MAX_FILE_SIZE_DEFAULT == 20 * 1024 * 1024


def test_unreadable_file_is_skipped(tmp_path):
    locked = write(tmp_path, "locked.txt", STORY)
    write(tmp_path, "open.txt", STORY)
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("running with privileges that read any file (root)")
        result = load_articles(tmp_path)
    finally:
        locked.chmod(0o644)
    assert ids(result) == ["open.txt"]
    assert result.warnings == [f"skipped {locked}: cannot read (permission denied)"]


def test_very_long_single_line_loads(tmp_path):
    line = ("word " * 420_000)[:2_000_000]
    path = write(tmp_path, "long.txt", line)
    article = load_articles(path).articles[0]
    assert article.text == line
    assert article.title is None


def test_warnings_are_single_lines(tmp_path):
    weird = write(tmp_path, "bad\nname\r.txt", b"")
    write(
        tmp_path,
        "undecodable-\udcff.txt".encode("utf-8", "surrogateescape").decode("utf-8", "replace"),
        STORY,
    )
    result = load_articles(tmp_path)
    assert len(result.warnings) == 1
    assert "\n" not in result.warnings[0] and "\r" not in result.warnings[0]
    assert result.warnings[0] == f"skipped {weird}: empty file".replace("\n", "\\n").replace(
        "\r", "\\r"
    )


def test_strict_mode_raises_the_first_warning(tmp_path):
    write(tmp_path, "a.txt", STORY)
    bad = write(tmp_path, "b.txt", b"")
    write(tmp_path, "c.txt", b"\x00\x01")
    with pytest.raises(InputError, match=f"^skipped {bad}: empty file$"):
        load_articles(tmp_path, strict=True)


def test_strict_mode_raises_for_unsupported_files(tmp_path):
    write(tmp_path, "a.txt", STORY)
    write(tmp_path, "b.pdf", b"%PDF")
    with pytest.raises(InputError, match=r"ignored 1 file with an unsupported type \(\.pdf\)"):
        load_articles(tmp_path, strict=True)


# --------------------------------------------------------------------------- symlinks


@pytest.fixture
def linked_tree(tmp_path):
    """corpus/ with a loop link, a link to an outside file and folder, and a dangling link."""
    outside = tmp_path / "outside"
    write(outside, "far.txt", "far " + STORY)
    write(outside, "only.txt", "only " + STORY)
    corpus = tmp_path / "corpus"
    write(corpus, "a.txt", STORY)
    write(corpus, "sub/b.txt", "b " + STORY)
    os.symlink(corpus, corpus / "sub" / "loop")
    os.symlink(outside / "far.txt", corpus / "far-link.txt")
    os.symlink(outside, corpus / "out")
    os.symlink(corpus / "a.txt", corpus / "same.txt")
    os.symlink(tmp_path / "missing.txt", corpus / "dangling.txt")
    return corpus


def test_symlinks_are_not_followed_by_default(linked_tree):
    result = load_articles(linked_tree)
    assert ids(result) == ["a.txt", "sub/b.txt"]
    note = "(use --follow-symlinks to follow)"
    assert result.warnings == [
        f"skipped link {linked_tree / name} {note}"
        for name in ("dangling.txt", "far-link.txt", "out", "same.txt", "sub/loop")
    ]


def test_symlinks_are_followed_without_looping(linked_tree):
    result = load_articles(linked_tree, follow_symlinks=True)
    assert ids(result) == ["a.txt", "far-link.txt", "out/only.txt", "sub/b.txt"]
    assert result.warnings == [
        f"skipped link {linked_tree / 'dangling.txt'}: target does not exist",
        f"skipped {linked_tree / 'out' / 'far.txt'}: same file as {linked_tree / 'far-link.txt'}",
        f"skipped {linked_tree / 'same.txt'}: same file as {linked_tree / 'a.txt'}",
        f"skipped link {linked_tree / 'sub' / 'loop'}: folder already traced (loop)",
    ]


def test_a_link_given_directly_is_followed(linked_tree):
    assert ids(load_articles(linked_tree / "far-link.txt")) == ["far-link.txt"]


# --------------------------------------------------------------------------- HTML


def test_html_text_metadata_and_furniture(tmp_path):
    path = write(tmp_path, "page.html", MESSY_HTML)
    article = load_articles(path).articles[0]
    for hidden in (
        "SCRIPTTEXT",
        "SCRIPT2",
        "STYLETEXT",
        "NOSCRIPT",
        "SVGTEXT",
        "IFRAME",
        "TEMPLATE",
    ):
        assert hidden not in article.text
    assert article.text == (
        "Storm closes lane\n\nHarbour authorities said on Tuesday they had closed the lane."
        "\n\nSecond paragraph here\n\nLine one\nLine two"
    )
    assert article.title == "Storm closes lane | Daily Bugle"
    assert article.published == "2021-03-04T05:06:07+00:00"
    assert (article.outlet, article.url) == ("Daily Bugle", "https://bugle.example/storm")
    assert article.furniture[:5] == (
        "Home | News",
        "Daily Bugle",
        "Related: other stories",
        "(c) 2021 Daily Bugle",
        "Contact us",
    )
    assert all(text and "\n" not in text for text in article.furniture)


def test_html_dates_from_schema_org_and_other_tags(tmp_path):
    # News pages state their dates in schema.org JSON-LD (often inside a @graph), microdata or
    # analytics tags; a <time> in the story may be an event's, so the stated ones come first.
    linked = ('<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [{"@type": '
              '"WebPage"}, {"@type": "NewsArticle", "datePublished": "2024-03-03T10:22:00-05:00", '
              '"dateModified": "2024-03-04T08:00:00Z"}]}</script>')
    page = extract_html(f'<html><head>{linked}</head><body><article><p>Story.</p>'
                        '<time datetime="2020-01-01">at the event</time></article></body></html>')
    assert (page.published, page.updated) == ("2024-03-03T10:22:00-05:00", "2024-03-04T08:00:00+00:00")
    page = extract_html('<head><meta name="parsely-pub-date" content="2024-03-02T08:00:00Z"></head>'
                        '<body><article><p>Story.</p></article></body>')
    assert page.published == "2024-03-02T08:00:00+00:00"
    # A page that shows only when it last changed: the publication came before that.
    (tmp_path / "a.html").write_text('<head><meta itemprop="dateModified" content="2024-03-04T08:00:00Z"></head>'
                                     "<body><article><p>Story text.</p></article></body>", encoding="utf-8")
    (article,) = load_articles(tmp_path).articles
    assert article.published is None and article.updated == "2024-03-04T08:00:00+00:00"
    # Broken JSON-LD is skipped.
    page = extract_html('<script type="application/ld+json">{"datePublished": </script><p>Story.</p>')
    assert page.published is None


def test_html_without_article_uses_body_minus_page_furniture():
    page = extract_html(
        "<body><nav>Menu</nav><h1>Head</h1><p>One<p>Two<footer>Foot</footer>"
        '<time datetime="2020-02-03">3 Feb</time><meta name="date" content="2000-01-01">'
    )
    assert page.text == "Head\n\nOne\n\nTwo\n\n3 Feb"
    assert page.furniture == ("Menu", "Foot")
    assert (page.title, page.published) == ("Head", "2020-02-03")


def test_html_furniture_is_deduplicated_and_capped():
    links = "".join(f"<nav><a>Link {i % 70}</a></nav>" for i in range(200))
    long = "<aside>" + "word " * 100 + "</aside>"
    page = extract_html(f"<body>{long}{links}<main><p>Body</p></main></body>")
    assert page.text == "Body"
    assert len(page.furniture) == 50
    assert len(set(page.furniture)) == 50
    assert len(page.furniture[0]) == 200 and page.furniture[0].endswith("\u2026")


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<",
        "<html><body><p>unclosed <b><i>mess</p></b>",
        "</div></div></p><p>closing first",
        "<div>" * 5000 + "deep",
        "<div>" * 3000 + "deep" + "</div>" * 3000,
        "<table><tr><td>cell<td>cell2</table></td></tr>",
        "\x00<p>nul</p>",
    ],
)
def test_broken_html_never_crashes(html):
    page = extract_html(html)
    assert isinstance(page.text, str)


def test_html_page_without_text_is_skipped(tmp_path):
    empty = write(
        tmp_path, "empty.html", "<html><head><script>x()</script></head><body></body></html>"
    )
    write(tmp_path, "ok.txt", STORY)
    assert load_articles(tmp_path).warnings == [f"skipped {empty}: no text in HTML page"]


# --------------------------------------------------------------------------- titles


@pytest.mark.parametrize(
    "text, title",
    [
        ("Ship aground\n\nBody.", "Ship aground"),
        ("\n\n  Ship aground  \nBody.", "Ship aground"),
        ("This first line is a full sentence.\nBody.", None),
        (" ".join(["word"] * 21) + "\nBody", None),
        (" ".join(["word"] * 20) + "\nBody", " ".join(["word"] * 20)),
        ("•Ship aground in the northern lane\nBody.", "Ship aground in the northern lane"),
    ],
)
def test_plain_text_title(tmp_path, text, title):
    article = load_articles(write(tmp_path, "t.txt", text)).articles[0]
    assert article.title == title
    assert article.published is None


BODY = ("Harbour authorities said on Tuesday they had closed the northern shipping lane after a cargo "
        "vessel lost power and drifted onto a sandbank during a storm.")


@pytest.mark.parametrize(
    "text, title",
    [
        # Page tools, a byline and a dateline come before the story's first word.
        ("Email\n\nBy Jane Roe\n\nPORT ELSBY (Reuters) - The lane was closed on Tuesday. " + BODY,
         "The lane was closed on Tuesday."),
        ("Purchase: Order Reprint\n\nPORT ELSBY, March 5 — The lane was closed on Tuesday. " + BODY,
         "PORT ELSBY, March 5 — The lane was closed on Tuesday."),
        ("Go to permalink\n\nImage: Getty\n\nShip aground in the northern lane\n\n" + BODY,
         "Ship aground in the northern lane"),
        ("March 5, 2024 10:00AM\n\nThe lane reopened on Wednesday.\n\n" + BODY, "The lane reopened on Wednesday."),
        ("May 31 at 3:41 PM\n\nThe lane reopened on Wednesday.\n\n" + BODY, "The lane reopened on Wednesday."),
        # A caption, or a line introducing a quotation, after the story has begun is no headline.
        (BODY + "\n\nA tug nears the stranded freighter\n\nMore text.", " ".join(BODY.split()[:14]) + " …"),
        ("The lane reopened on Wednesday.\n\nThe harbour master explained the closure:\n\nMore text.",
         "The lane reopened on Wednesday."),
        ("A tug nears the freighter (Photo/Jane Roe)\n\nThe lane reopened on Wednesday.\n\n" + BODY,
         "The lane reopened on Wednesday."),
        ("Jane Roe / Getty Images\n\nThe lane reopened on Wednesday.\n\n" + BODY, "The lane reopened on Wednesday."),
        # An initial is no sentence's end; a site name after "|" is cut off.
        ("Officials in the U.S. state said the lane would reopen. " + BODY,
         "Officials in the U.S. state said the lane would reopen."),
        ("Opinion |Who pays for the harbour?\n\n" + BODY, "Who pays for the harbour?"),
        # Share buttons, a call to subscribe, a byline with the writer's title, a credit line, and a
        # caption above its picture credit are the page's, not the headline.
        ("Share on Facebook Share on Twitter\n\n" + BODY, " ".join(BODY.split()[:14]) + " …"),
        ("FacebookEmail Twitter Google+ LinkedIn Pinterest\n\nShip aground in the northern lane\n\n" + BODY,
         "Ship aground in the northern lane"),
        ("Subscribe to Breaking News emails\n\nShip aground in the northern lane\n\n" + BODY,
         "Ship aground in the northern lane"),
        ("By Jane Roe, professor at Elsby College\n\n" + BODY, " ".join(BODY.split()[:14]) + " …"),
        ("/ Source: Associated Press\n\nThe lane reopened on Wednesday.\n\n" + BODY,
         "The lane reopened on Wednesday."),
        ("The harbour at night, seen from the pier.\n\nJane Roe / Getty Images\n\n" + BODY,
         " ".join(BODY.split()[:14]) + " …"),
    ],
    ids=["tools-byline-dateline", "reprint-tool", "link-labels", "date-stamp", "date-stamp-no-year",
         "caption-after-story", "colon-line", "photo-credit", "getty-credit", "initials", "section-bar",
         "share-buttons", "network-names", "subscribe", "byline-with-title", "source-line", "caption-above-credit"],
)
def test_records_without_a_title_field_take_the_headline_after_the_page_furniture(tmp_path, text, title):
    path = write(tmp_path, "scraped.jsonl", json.dumps({"id": "r", "text": text}) + "\n")
    assert load_articles(path).articles[0].title == title


# --------------------------------------------------------------------------- drafts


def test_draft_text_and_html(tmp_path):
    draft = load_draft(str(write(tmp_path, "draft.md", "# My draft\n\n" + STORY)))
    assert (draft.id, draft.title, draft.text) == ("draft.md", "My draft", "# My draft\n\n" + STORY)
    page = load_draft(str(write(tmp_path, "page.htm", MESSY_HTML)))
    assert "SCRIPTTEXT" not in page.text and page.furniture


def test_draft_docx(tmp_path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("Ship aground")
    document.add_paragraph("")
    document.add_paragraph("First paragraph.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "cell a"
    table.rows[0].cells[1].text = "cell b"
    document.add_paragraph("Last paragraph.")
    path = tmp_path / "draft.docx"
    document.save(path)
    draft = load_draft(str(path))
    assert draft.text == "Ship aground\n\nFirst paragraph.\n\ncell a | cell b\n\nLast paragraph."
    assert (draft.id, draft.title) == ("draft.docx", "Ship aground")


def test_broken_docx_raises(tmp_path):
    path = write(tmp_path, "broken.docx", b"PK\x03\x04 this is not a zip")
    with pytest.raises(InputError, match=r"^cannot read .*broken\.docx as \.docx: "):
        load_draft(str(path))


@pytest.mark.parametrize(
    "data, expected_text, title",
    [
        (STORY.encode("utf-16"), STORY, None),
        (b"<!DOCTYPE html><title>T</title><p>Hello</p><script>x</script>", "Hello", "T"),
    ],
)
def test_draft_from_stdin(monkeypatch, data, expected_text, title):
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=io.BytesIO(data)))
    draft = load_draft("-")
    assert (draft.id, draft.path, draft.text, draft.title) == ("<stdin>", "-", expected_text, title)


def test_draft_stdin_over_the_limit(monkeypatch):
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=io.BytesIO(b"x" * 2000)))
    with pytest.raises(InputError, match="cannot use <stdin>: more than the 1 KB limit"):
        load_draft("-", max_file_size=1024)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p / "missing.txt", "path does not exist: "),
        (lambda p: p, "is a folder; a draft must be one file"),
        (lambda p: write(p, "e.txt", b" \n"), "cannot use .*e.txt: empty file"),
        (lambda p: write(p, "b.txt", b"\x00\x01\x02\x03"), "cannot use .*b.txt: binary file"),
    ],
)
def test_draft_errors(tmp_path, make, message):
    with pytest.raises(InputError, match=message):
        load_draft(str(make(tmp_path)))


def test_draft_parameters_are_validated():
    with pytest.raises(ConfigError, match="'source' parameter of load_draft"):
        load_draft(3)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="'max_file_size' parameter of load_draft"):
        load_draft("-", max_file_size=-1)


# --------------------------------------------------------------------------- real data


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seeds folder absent")
def test_seeds_load():
    result = load_articles(SEEDS)
    assert len(result.articles) == 5
    assert result.articles[0].id == "000_ff1cc9cdafb8e1cb.txt"
    assert result.warnings == []


@pytest.mark.corpora
@pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora absent")
def test_corpora_load():
    census = load_articles(CORPORA / "samedaynews-2018" / "census.jsonl")
    assert len(census.articles) == 32 and census.warnings == []
    assert all(a.outlet and a.published for a in census.articles)
    reuters = load_articles(CORPORA / "reuters21578" / "reuters21578.jsonl")
    assert len(reuters.articles) == 19_043 and reuters.warnings == []
    assert by_id(reuters)["reuters-1"].published == "1987-02-26T15:01:01"


def test_a_section_label_above_the_headline_is_no_title(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text("Russia Ukraine conflict\n\nNATO urges more Russia talks to defuse Ukraine crisis\n\n"
                    "NATO's chief said on Saturday he had sent a letter to Moscow.\n", encoding="utf-8")
    (article,) = load_articles(page).articles
    assert article.title == "NATO urges more Russia talks to defuse Ukraine crisis"
