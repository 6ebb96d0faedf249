"""Build a messy corpus folder at test time: odd encodings, junk, broken records, links.

Nothing here is committed as binary: :func:`build_messy` writes every file into a
temporary folder from the small texts in ``conftest.py``.  The returned
:class:`Messy` says which documents must be traced and which warnings must name
which file, so the tests can check both halves of the promise: an answer for
everything readable, a clear word about everything else.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path

from conftest import FURNITURE_HEAD, FURNITURE_TAIL, INDEPENDENT, WIRE, spin, trim

#: Files the tracer must read, by id (path relative to the messy folder).
GOOD_IDS = (
    "wire.txt",
    "reprint.html",
    "nested/deeper/spun_cp1252.txt",
    "trimmed_utf16le_nobom.txt",
    "independent_latin1.txt",
    "cyrillic.txt",
    "cyrillic_copy_utf16.txt",
    "arabic.txt",
    "arabic_copy.md",
    "cjk.txt",
    "cjk_copy.txt",
    "invalid_utf8.txt",
    "long_line.txt",
)
#: The copy family every messy trace must still find (ids above).
FAMILY = ("wire.txt", "reprint.html", "nested/deeper/spun_cp1252.txt", "trimmed_utf16le_nobom.txt")

CYRILLIC = (
    "Городские власти Новосибирска во вторник закрыли центральный мост после того, как инженеры "
    "обнаружили трещины в опорах. Движение транспорта перенаправлено на объездные дороги, а "
    "общественный транспорт будет ходить по изменённому расписанию до конца месяца. "
    "«Безопасность жителей для нас важнее всего», — заявил заместитель мэра на пресс-конференции. "
    "Ремонт может занять несколько недель, сообщили в городской администрации, добавив, что "
    "подрядчик уже приступил к обследованию конструкции и подготовке временных опор.\n"
)
ARABIC = (
    "أعلنت سلطات الميناء يوم الثلاثاء إغلاق الممر الملاحي الشمالي بعد أن فقدت سفينة شحن قدرتها "
    "على الحركة وجنحت على رمال قريبة من الشاطئ خلال عاصفة قوية. وقالت السلطات في بيان إن "
    "قاطرتين وصلتا إلى السفينة خلال ساعة واحدة وإن أفراد الطاقم بخير. وأضاف البيان أن الممر "
    "سيبقى مغلقا حتى ينتهي المهندسون من فحص هيكل السفينة، وهو ما قد يستغرق عدة أيام، بينما "
    "تستمر حركة العبارات إلى الجزر وفق جدولها المعتاد.\n"
)
CJK = (
    "港務局週二表示，一艘貨船在暴風雨中失去動力並擱淺在沙洲上，北部航道已經關閉。"
    "當局在聲明中說，兩艘拖船在一小時內抵達現場，船上人員全部安全，目前沒有燃油洩漏的跡象。"
    "官員表示，在工程師檢查船體並等到潮水足夠高之前，航道將保持關閉，這可能需要數天時間。"
    "當地漁民說，航道關閉迫使他們繞遠路出海，增加了燃料成本。\n"
)
LATIN1_TITLE = "Café owner Zoë Müller fears for Port Elsby trade"
HTML_SCRIPT_MARKER = "trackingPixelMarker"
HTML_STYLE_MARKER = "styleSheetMarker"
#: A document whose name and title try to take over the terminal.
HOSTILE_NAME = "\x1b]0;pwned\x07evil\x1b[2J.txt"
HOSTILE_EMPTY = "\x1b[31mred\x1b[0m.txt"
HOSTILE_TITLE = "Breaking\x1b[2J\x1b]0;owned\x07 <script>alert(1)</script> =cmd|' /C calc'!A0"


@dataclass
class Messy:
    """A messy corpus folder and what a trace of it must report."""

    root: Path
    outside: Path
    #: Ids that must appear in the report.
    good_ids: tuple[str, ...]
    #: One (relative path or None, reason) per expected warning line: the line names
    #: ``root/path`` (when given) and contains the reason.  No other warning may appear.
    warnings: list[tuple[str | None, str]] = field(default_factory=list)
    #: Files (relative names) the loader cannot read; tests deny them when running as root.
    unreadable: tuple[str, ...] = ()


def _html_page(body: str) -> str:
    return (
        "<!doctype html><html><head><title>Lane closed | Coastal Courier</title>\n"
        f"<style>.{HTML_STYLE_MARKER} {{ color: red }}</style>\n"
        f"<script>var {HTML_SCRIPT_MARKER} = '<p>not text</p>';</script></head>\n"
        "<body><nav><a href=/>Home</a> | <a href=/news>News</a></nav>\n"
        "<article><h1>Lane closed</h1>\n"
        + "".join(f"<p>{line}\n" for line in body.strip().split("\n"))
        + "<div><span>unclosed <b>tags <i>and <<<>> broken</b></table>\n"
        "</article><footer>© 2024 The Coastal Courier</footer>\n"
    )


def _words(seed: int, count: int) -> str:
    """Pseudo-random lowercase words: text that shares nothing with the rest."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    return " ".join("".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for _ in range(count))


def _write(root: Path, rel: str, data: bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def build_messy(tmp_path: Path, *, long_line_words: int = 40_000) -> Messy:
    """Write the messy corpus under ``tmp_path / "messy"`` and return what to expect of it.

    Parameters
    ----------
    tmp_path : Path
        A fresh temporary folder (pytest's ``tmp_path``).
    long_line_words : int, default=40_000
        Words on the single line of ``long_line.txt``.

    Returns
    -------
    Messy
    """
    root = tmp_path / "messy"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(INDEPENDENT, encoding="utf-8")
    (outside / "single.txt").write_text(trim(WIRE, 2), encoding="utf-8")
    w: list[tuple[str | None, str]] = []

    # readable documents, one copy family among them, in several encodings
    _write(root, "wire.txt", WIRE.encode("utf-8"))
    _write(root, "reprint.html", _html_page(FURNITURE_HEAD + WIRE + FURNITURE_TAIL).encode("utf-8"))
    _write(root, "nested/deeper/spun_cp1252.txt", spin(WIRE).encode("cp1252"))
    _write(root, "trimmed_utf16le_nobom.txt", trim(WIRE, 4).encode("utf-16-le"))
    latin1 = LATIN1_TITLE + "\n" + INDEPENDENT.replace("“", '"').replace("”", '"')
    _write(root, "independent_latin1.txt", latin1.encode("latin-1"))
    _write(root, "cyrillic.txt", CYRILLIC.encode("utf-8"))
    _write(root, "cyrillic_copy_utf16.txt", ("Новости\n" + CYRILLIC).encode("utf-16"))  # with BOM
    _write(root, "arabic.txt", ARABIC.encode("utf-8"))
    _write(root, "arabic_copy.md", ("# أخبار\n\n" + ARABIC).encode("utf-8"))
    _write(root, "cjk.txt", CJK.encode("utf-8"))
    _write(root, "cjk_copy.txt", ("新聞\n" + CJK).encode("utf-8"))
    bad_utf8 = "Zürich – Genève: café prices rose again this week, officials said.\n".encode() * 20
    _write(root, "invalid_utf8.txt", bad_utf8[:100] + b"\xff\xfe\xc3" + bad_utf8[100:])
    _write(root, "long_line.txt", _words(7, long_line_words).encode("ascii"))

    # junk, each with the warning that must name it
    _write(root, "empty.txt", b"")
    w.append(("empty.txt", "empty file"))
    _write(root, "blank.md", b" \n\t\r\n  \n")
    w.append(("blank.md", "empty file"))
    _write(root, "picture.txt", b"\x89PNG\r\n\x1a\n" + bytes(random.Random(1).randrange(256) for _ in range(2048)))
    w.append(("picture.txt", "binary file"))
    _write(root, "nul_bytes.md", b"abc\x00\x01\x02\x00\xff\x00" * 300 + b"x")
    w.append(("nul_bytes.md", "binary file"))
    _write(root, "scripts_only.html", b"<html><head><script>var a=1;</script><style>p{}</style></head></html>")
    w.append(("scripts_only.html", "no text in HTML page"))
    with open(root / "huge.txt", "wb") as handle:  # sparse: over the 20 MB cap without writing it
        handle.truncate(20 * 1024 * 1024 + 1)
    w.append(("huge.txt", "over the 20 MB limit (--max-file-size)"))
    _write(root, "broken.json", b'{"id": "x", "text": "unterminated')
    w.append(("broken.json", "invalid JSON"))

    # records: good ones, a truncated line, a malformed line, a duplicate id
    lines = [
        json.dumps({"id": "r1", "title": "Record one", "text": INDEPENDENT}),
        json.dumps({"id": "r2", "text": trim(WIRE, 3)}),
        '{"id": "r3", "text": "truncated in the mid',
        "this is not json at all",
        json.dumps({"id": "r1", "text": "a second record with the id r1"}),
        json.dumps({"id": "r4", "text": _words(11, 80)}),
    ]
    _write(root, "feed.jsonl", ("\n".join(lines) + "\n").encode("utf-8"))
    w.append(("feed.jsonl:3", "invalid JSON"))
    w.append(("feed.jsonl:4", "invalid JSON"))
    w.append(("feed.jsonl:5", "skipped duplicate id 'feed.jsonl#r1'"))
    rows = [
        "id,title,text",
        f'c1,Row one,"{_words(12, 60)}"',
        "c2,Too many,fields,here,x",
        f'c3,Row three,"{_words(13, 60)}"',
    ]
    _write(root, "export.csv", ("\r\n".join(rows) + "\r\n").encode("cp1252"))
    w.append(("export.csv:3", "malformed CSV row"))

    # a document whose file name carries terminal escape sequences
    _write(root, HOSTILE_NAME, (HOSTILE_TITLE + "\n\n" + _words(21, 120) + "\n").encode("utf-8"))

    # an unusable file whose name carries escape sequences: the warning must not replay them
    _write(root, HOSTILE_EMPTY, b"")
    w.append((None, "red\\x1b[0m.txt: empty file"))

    # unsupported files and hidden files
    _write(root, "scan.pdf", b"%PDF-1.4 junk")
    w.append((None, "ignored 1 file with an unsupported type (.pdf)"))
    _write(root, ".DS_Store", b"\x00\x00\x00\x01Bud1")

    # links: a loop, a file outside the folder, a folder outside, a dangling one
    os.symlink("..", root / "nested" / "loop")
    os.symlink(outside / "single.txt", root / "outside_file.txt")
    os.symlink(outside, root / "outside_dir")
    os.symlink(root / "missing.txt", root / "dangling.txt")
    for link in ("nested/loop", "outside_file.txt", "outside_dir", "dangling.txt"):
        w.append((link, "(use --follow-symlinks to follow)"))

    # a file nobody may read
    locked = _write(root, "locked.txt", WIRE.encode("utf-8"))
    locked.chmod(0)
    w.append(("locked.txt", "cannot read (permission denied)"))

    good = (*GOOD_IDS, "feed.jsonl#r1", "feed.jsonl#r2", "feed.jsonl#r4", "export.csv#c1", "export.csv#c3",
            HOSTILE_NAME)
    return Messy(root=root, outside=outside, good_ids=good, warnings=w, unreadable=("locked.txt",))


def deny_reading(monkeypatch, names: tuple[str, ...]) -> None:
    """Make the loader's ``open`` fail with EACCES for ``names`` (needed when tests run as root)."""
    import builtins

    import provenance.stages.load

    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if isinstance(file, str | os.PathLike) and os.path.basename(os.fspath(file)) in names:
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(provenance.stages.load, "open", guarded_open, raising=False)


def tree_state(root: Path) -> dict[str, str]:
    """Bytes hash, mode and mtime of every file, and the target of every link, under ``root``."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(dirnames + filenames):
            path = Path(dirpath, name)
            rel = path.relative_to(root).as_posix()
            info = path.lstat()
            if path.is_symlink():
                state[rel] = f"link:{os.readlink(path)}:{info.st_mtime_ns}"
            elif path.is_file():
                try:
                    digest = hashlib.sha256(path.read_bytes()).hexdigest()
                except PermissionError:  # the locked file, unless running as root
                    digest = "unreadable"
                state[rel] = f"{digest}:{info.st_mode:o}:{info.st_mtime_ns}"
            else:
                state[rel] = f"dir:{info.st_mode:o}"
    return state
