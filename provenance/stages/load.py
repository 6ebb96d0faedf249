"""Load stage: files, folders and record files -> :class:`~provenance.model.Article`.

Reads plain text (.txt, .md, .text), HTML pages (.html, .htm) and record files
(.json, .jsonl, .ndjson, .csv) from files and folders, detects encodings, and
reports every skipped input as a one-line warning instead of failing.  The
format readers live in :mod:`provenance.stages.load_formats`.  Nothing is written and
nothing is printed.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes

from ..errors import ConfigError, InputError
from ..model import Article
from .load_formats import _size, extract_html, parse_records, plain_title, read_docx

__all__ = [
    "MAX_FILE_SIZE_DEFAULT",
    "TEXT_SUFFIXES",
    "HTML_SUFFIXES",
    "RECORD_SUFFIXES",
    "LoadResult",
    "load_articles",
    "load_draft",
    "draft_from_text",
    "decode_bytes",
]

#: Files larger than this many bytes are skipped (CLI: ``--max-file-size``).
#: Records files (json, jsonl, csv) may hold a whole corpus; they are read up to this size.
RECORD_FILE_LIMIT = 8 * 1024**3
MAX_FILE_SIZE_DEFAULT = 20 * 1024 * 1024
TEXT_SUFFIXES = (".txt", ".md", ".text")
HTML_SUFFIXES = (".html", ".htm")
RECORD_SUFFIXES = (".json", ".jsonl", ".ndjson", ".csv")
DOCX_SUFFIXES = (".docx",)

#: Decoded text with more than this share of control characters is binary.
CONTROL_RATIO_MAX = 0.3
#: Invalid UTF-8 is still read as UTF-8 (bad bytes -> U+FFFD) when it has at
#: least this many times more valid non-ASCII characters than bad bytes.
UTF8_VALID_RATIO_MIN = 4
#: Non-UTF-8 bytes read as cp1252 must give at most this share of non-ASCII
#: letters (Cyrillic, Greek... read as cp1252 give nearly only such letters).
WESTERN_LETTER_RATIO_MAX = 0.3
#: Record-level warnings shown per file; the rest are counted in one line.
RECORD_WARNINGS_MAX = 20
#: Unsupported suffixes listed in the "ignored ... files" warning.
SUFFIXES_LISTED_MAX = 8

_SAMPLE = 8192
_RECORD_KINDS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)
_MAGIC = (b"%PDF-", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b", b"\x7fELF")
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_LINE_BREAK_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_META_CHARSET_RE = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HTML_START_RE = re.compile(r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)
_STDIN_NAME = "<stdin>"
_ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_CP1252_LETTERS = bytes(
    b for b in range(128, 256) if bytes([b]).decode("cp1252", errors="replace").isalpha()
)
_LETTER = r"[^\W\d_]"
#: What Central European, Baltic or Turkish text looks like when misread as
#: cp1252: symbols inside or beside words ("Za¿ó³æ", "Stolic±"), Icelandic
#: letters ("Doðu"), or vowels Western languages only end words with ("kùò").
_MISREAD_RE = re.compile(
    rf"{_LETTER}[¡¢£¤¥¦§¨©«¬®¯°±²³µ¶¸¹»¼½¾¿×÷†‡‰ˆ˜‹›•™€ƒ„‚]{_LETTER}"
    rf"|{_LETTER}[±¶¼¦¬¹¾¡¿]|[±¶¼¦¬¹¾]{_LETTER}"
    rf"|[ðþÐÞ]|[ìòùýÝÿ]{_LETTER}|[õÕ](?![eE])(?={_LETTER})"
)

_PARAMETER_CONSTRAINTS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "max_file_size": (
        "a positive int (bytes)",
        lambda v: isinstance(v, int) and not isinstance(v, bool) and v > 0,
    ),
    "follow_symlinks": ("a bool", lambda v: isinstance(v, bool)),
    "strict": ("a bool", lambda v: isinstance(v, bool)),
    "name": ("a str", lambda v: isinstance(v, str)),
    "data": ("bytes", lambda v: isinstance(v, bytes | bytearray | memoryview)),
    "source": ("a path (str) or '-'", lambda v: isinstance(v, str | os.PathLike) and v != ""),
}


@dataclass(frozen=True)
class LoadResult:
    """Articles loaded by :func:`load_articles` and the inputs it skipped.

    Parameters
    ----------
    articles : list of Article
        Loaded articles, sorted by id.
    warnings : list of str
        One line per skipped input, in the order met, e.g.
        ``"skipped bad.txt: binary file"``.
    """

    articles: list[Article]
    warnings: list[str] = field(default_factory=list)


class _Skip(Exception):
    """A file cannot be used; ``reason`` completes "skipped NAME: ..."."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def load_articles(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    max_file_size: int = MAX_FILE_SIZE_DEFAULT,
    follow_symlinks: bool = False,
    strict: bool = False,
) -> LoadResult:
    """Load every article found in files and folders.

    Parameters
    ----------
    paths : str, path-like or sequence of them
        Files and folders.  Folders are walked recursively in sorted order,
        skipping hidden entries; files with unsupported suffixes inside them are
        counted in one warning.  A file given directly is read as text whatever
        its suffix (unless it is binary).
    max_file_size : int, default=MAX_FILE_SIZE_DEFAULT
        Larger files are skipped with a warning.
    follow_symlinks : bool, default=False
        Follow symbolic links inside folders (never looping); otherwise each
        link is skipped with a warning.  Paths given directly are always followed.
    strict : bool, default=False
        Raise :class:`InputError` with the text of the first warning.

    Returns
    -------
    LoadResult
        Articles sorted by id, and the warnings.  Ids are paths relative to the
        traced folder (POSIX form) or file names for files given directly;
        records get ``file#id`` inside folders and their own id otherwise, or
        ``file#N`` (line or 1-based position) when they have none.

    Raises
    ------
    ConfigError
        When an argument has the wrong type or range.
    InputError
        When a path does not exist, no usable document is found, or (with
        ``strict``) any input is skipped.

    Examples
    --------
    >>> result = load_articles("seeds")  # doctest: +SKIP
    >>> [a.id for a in result.articles][:1]  # doctest: +SKIP
    ['000_ff1cc9cdafb8e1cb.txt']
    """
    owner = "load_articles"
    roots = _check_paths(paths, owner)
    _check_params(
        owner, max_file_size=max_file_size, follow_symlinks=follow_symlinks, strict=strict
    )
    for root in roots:
        if not os.path.exists(root):
            raise InputError(f"path does not exist: {_display(root)}")
    loader = _Loader(max_file_size, follow_symlinks, strict)
    for root in roots:
        if os.path.isdir(root):
            loader.load_folder(root)
        else:
            loader.load_file(root, os.path.basename(root), in_folder=False)
    loader.report_unsupported()
    if not loader.articles:
        plural = "file" if loader.skipped == 1 else "files"
        where = ", ".join(_display(root) for root in roots)
        why = f": {loader.warnings[0]}" if len(loader.warnings) == 1 else ""
        raise InputError(f"no usable document in {where} ({loader.skipped} {plural} skipped{why})")
    articles = sorted(loader.articles.values(), key=lambda article: article.id)
    return LoadResult(articles=articles, warnings=loader.warnings)


def load_draft(source: str, *, max_file_size: int = MAX_FILE_SIZE_DEFAULT,
               limit_option: str = "--max-file-size") -> Article:
    """Load one draft article from a file (.txt, .md, .html, .docx, ...) or stdin.

    Parameters
    ----------
    source : str
        A file path, or ``"-"`` to read bytes from standard input (HTML and
        .docx content are recognised there by their first bytes).
    max_file_size : int, default=MAX_FILE_SIZE_DEFAULT
        Larger input is refused (a .docx also when a part inflates past
        :data:`~provenance.stages.load_formats.DOCX_PART_MAX`).
    limit_option : str, default="--max-file-size"
        The option named when the draft is too large.

    Returns
    -------
    Article
        Its id is the file name (``"<stdin>"`` for standard input).

    Raises
    ------
    ConfigError
        When an argument has the wrong type or range.
    InputError
        When the source does not exist, is a folder, cannot be read, is empty,
        binary, too large, or a broken .docx.
    """
    owner = "load_draft"
    _check_params(owner, source=source, max_file_size=max_file_size)
    source = os.fspath(source)
    if source == "-":
        name, suffix, data = _STDIN_NAME, "", _read_stdin(max_file_size, limit_option)
    else:
        name, suffix = _display(source), Path(source).suffix.lower()
        if not os.path.exists(source):
            raise InputError(f"path does not exist: {name}")
        if os.path.isdir(source):
            raise InputError(f"{name} is a folder; a draft must be one file")
        try:
            data, _ = _read_file(source, max_file_size, limit_option)
        except _Skip as skip:
            raise InputError(f"cannot use {name}: {skip.reason}") from None
    article_id = name if source == "-" else _display(os.path.basename(source))
    if suffix in DOCX_SUFFIXES or (source == "-" and data.startswith(b"PK\x03\x04")):
        text, title = read_docx(data, name)
        if not text.strip():
            raise InputError(f"cannot use {name}: empty file")
        return Article(id=article_id, text=text, path=_display(source), title=title)
    try:
        text = _decode_text(data, name)
    except _Skip as skip:
        raise InputError(f"cannot use {name}: {skip.reason}") from None
    is_html = suffix in HTML_SUFFIXES or (source == "-" and _HTML_START_RE.match(text[:_SAMPLE]))
    return _article(text, article_id, _display(source), "html" if is_html else suffix)


def draft_from_text(text: str, article_id: str, *, html: bool | None = None) -> Article:
    """Make a draft Article from text already in memory (``trace serve``), as :func:`load_draft` would.

    Parameters
    ----------
    text : str
        Plain text, or an HTML page.
    article_id : str
        The draft's id.
    html : bool, optional
        Read ``text`` as HTML; by default when it starts like an HTML page
        (the rule :func:`load_draft` applies to standard input).

    Returns
    -------
    Article
        With ``path`` None; the title, date, outlet and address of an HTML page.

    Raises
    ------
    InputError
        When an HTML page has no text.
    """
    if html is None:
        html = bool(_HTML_START_RE.match(text[:_SAMPLE]))
    try:
        article = _article(text, article_id, "", "html" if html else ".txt")
    except _Skip as skip:
        raise InputError(f"cannot use {article_id}: {skip.reason}") from None
    return replace(article, path=None)


def decode_bytes(data: bytes, *, name: str) -> str:
    """Decode file content to text, detecting its encoding.

    Tries, in order: a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE);
    UTF-16 without BOM when the NUL bytes fall on every other byte; strict
    UTF-8; the ``<meta charset>`` of an HTML file; UTF-8 with U+FFFD for a few
    broken bytes when most multi-byte sequences are valid; cp1252 when the
    text reads as Western European; charset-normalizer's best guess; cp1252;
    and finally latin-1, which accepts any bytes.  Newlines are left as they are.

    Parameters
    ----------
    data : bytes
        Raw content.
    name : str
        File name; its suffix enables the HTML charset declaration.

    Returns
    -------
    str
        The decoded text (never raises on any bytes).
    """
    _check_params("decode_bytes", data=data, name=name)
    data = bytes(data)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError:
                if encoding.startswith("utf-32"):
                    continue  # e.g. UTF-16 LE text whose first character is U+0000
                return data[len(bom) :].decode(encoding, errors="replace")
    if b"\x00" in data:
        encoding = _utf16_without_bom(data)
        if encoding is not None:
            return data.decode(encoding)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if Path(name).suffix.lower() in HTML_SUFFIXES:
        declared = _declared_charset(data)
        if declared is not None:
            return declared
    mostly_utf8 = data.decode("utf-8", errors="replace")
    broken = mostly_utf8.count("\ufffd")
    valid = len(mostly_utf8) - len(mostly_utf8.encode("ascii", "ignore")) - broken
    if valid >= UTF8_VALID_RATIO_MIN * broken:
        return mostly_utf8
    if _looks_western(data):
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            pass
    guessed = _guess_charset(data)
    if guessed is not None:
        return guessed
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


# --------------------------------------------------------------------------- loader


class _Loader:
    """Collects articles and warnings for one :func:`load_articles` call."""

    def __init__(self, max_file_size: int, follow_symlinks: bool, strict: bool) -> None:
        self.max_file_size = max_file_size
        self.follow_symlinks = follow_symlinks
        self.strict = strict
        self.articles: dict[str, Article] = {}
        self.origins: dict[str, str] = {}
        self.files_seen: dict[tuple[int, int], str] = {}
        self.warnings: list[str] = []
        self.unsupported: Counter[str] = Counter()
        self.skipped = 0

    def warn(self, message: str) -> None:
        message = _one_line(message)
        if self.strict:
            raise InputError(message)
        self.warnings.append(message)

    def skip(self, message: str) -> None:
        self.skipped += 1
        self.warn(message)

    def add(self, article: Article, where: str) -> bool:
        if article.id in self.articles:
            first = self.origins[article.id]
            self.warn(f"skipped duplicate id {article.id!r} in {where} (first in {first})")
            return False
        self.articles[article.id] = article
        self.origins[article.id] = where
        return True

    def report_unsupported(self) -> None:
        count = sum(self.unsupported.values())
        if not count:
            return
        self.skipped += count
        suffixes = sorted(self.unsupported)
        listed = ", ".join(suffixes[:SUFFIXES_LISTED_MAX])
        if len(suffixes) > SUFFIXES_LISTED_MAX:
            listed += ", ..."
        if count == 1:
            self.warn(f"ignored 1 file with an unsupported type ({listed})")
        else:
            self.warn(f"ignored {count} files with unsupported types ({listed})")

    def load_folder(self, root: str) -> None:
        for path, rel in self._walk(root):
            suffix = Path(rel).suffix.lower()
            if suffix in TEXT_SUFFIXES + HTML_SUFFIXES + RECORD_SUFFIXES:
                self.load_file(path, rel, in_folder=True)
            else:
                self.unsupported[suffix or "no suffix"] += 1

    def load_file(self, path: str, article_id: str, *, in_folder: bool) -> None:
        name = _display(path)
        article_id = _display(article_id)
        suffix = Path(path).suffix.lower()
        try:
            # A records file holds many articles: the size cap is for one article.
            limit = RECORD_FILE_LIMIT if suffix in RECORD_SUFFIXES else self.max_file_size
            data, key = _read_file(path, limit)
            if key in self.files_seen:
                raise _Skip(f"same file as {self.files_seen[key]}")
            if suffix in RECORD_SUFFIXES:
                added = self._load_records(data, name, article_id, suffix, in_folder)
            else:
                text = _decode_text(data, name)
                kind = "html" if suffix in HTML_SUFFIXES else suffix
                added = self.add(_article(text, article_id, name, kind), name)
        except _Skip as skip:
            if not in_folder and skip.reason == "binary file" and _unsupported(suffix):
                skip.reason += f" (unsupported type {suffix})"
            self.skip(f"skipped {name}: {skip.reason}")
            return
        self.files_seen[key] = name
        if not added:
            self.skipped += 1

    def _load_records(
        self, data: bytes, name: str, file_id: str, suffix: str, in_folder: bool
    ) -> bool:
        text = _newlines(_decode_text(data, name))
        records, problems = parse_records(text, _RECORD_KINDS[suffix], name, max_text=self.max_file_size)
        if not records and not problems:
            raise _Skip("no records")
        shown = 0
        added = False
        for record in records:
            if record.number is None and record.id is None:
                article_id = file_id
            else:
                key = record.id if record.id is not None else str(record.number)
                article_id = f"{file_id}#{key}" if in_folder or record.id is None else key
            article = Article(
                id=article_id,
                text=record.text,
                path=name,
                title=record.title,
                published=record.published,
                outlet=record.outlet,
                url=record.url,
            )
            if article.id in self.articles:
                problems.append(
                    f"skipped duplicate id {article_id!r} in {record.where}"
                    f" (first in {self.origins[article_id]})"
                )
                continue
            self.add(article, record.where)
            added = True
        for problem in problems:
            if shown < RECORD_WARNINGS_MAX:
                self.warn(problem)
            shown += 1
        if shown > RECORD_WARNINGS_MAX:
            self.warn(f"omitted {shown - RECORD_WARNINGS_MAX} more warnings about {name}")
        return added

    def _walk(self, root: str) -> Iterator[tuple[str, str]]:
        """Yield (path, relative POSIX path) of the files under ``root``, sorted, depth first."""
        visited = {_dir_key(root)}
        stack: list[Iterator[tuple[str, str, bool]]] = [self._entries(root, "")]
        while stack:
            item = next(stack[-1], None)
            if item is None:
                stack.pop()
                continue
            path, rel, is_dir = item
            if not is_dir:
                yield path, rel
                continue
            try:
                key = _dir_key(path)
            except OSError as exc:
                self.skip(f"skipped {_display(path)}: cannot read folder ({_os_reason(exc)})")
                continue
            if key in visited:
                self.skip(f"skipped link {_display(path)}: folder already traced (loop)")
                continue
            visited.add(key)
            stack.append(self._entries(path, rel + "/"))

    def _entries(self, folder: str, prefix: str) -> Iterator[tuple[str, str, bool]]:
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as exc:
            self.skip(f"skipped {_display(folder)}: cannot read folder ({_os_reason(exc)})")
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path, rel = os.path.join(folder, entry.name), prefix + entry.name
            try:
                if entry.is_symlink():
                    if not self.follow_symlinks:
                        note = "(use --follow-symlinks to follow)"
                        self.skip(f"skipped link {_display(path)} {note}")
                        continue
                    if not os.path.exists(path):
                        self.skip(f"skipped link {_display(path)}: target does not exist")
                        continue
                is_dir = entry.is_dir()
                if not is_dir and not entry.is_file():
                    self.skip(f"skipped {_display(path)}: not a regular file")
                    continue
            except OSError as exc:
                self.skip(f"skipped {_display(path)}: cannot read ({_os_reason(exc)})")
                continue
            yield path, rel, is_dir


# --------------------------------------------------------------------------- helpers


def _article(text: str, article_id: str, path: str, kind: str) -> Article:
    """Build an Article from decoded text; ``kind`` is "html" or the file suffix."""
    text = _newlines(text)
    if kind == "html":
        page = extract_html(text)
        if not page.text.strip():
            raise _Skip("no text in HTML page")
        return Article(
            id=article_id,
            text=page.text,
            path=path,
            title=page.title,
            published=page.published,
            outlet=page.outlet,
            url=page.url,
            furniture=page.furniture,
            updated=None if page.published else page.updated,
        )
    return Article(
        id=article_id, text=text, path=path, title=plain_title(text, markdown=kind == ".md")
    )


def _read_file(path: str, limit: int, option: str = "--max-file-size") -> tuple[bytes, tuple[int, int]]:
    """Read a regular file of at most ``limit`` bytes; return the data and the file's (device, inode).

    FIFOs, devices and sockets are refused before opening (opening a FIFO
    waits for a writer forever), and the read never asks for more than the
    file's size, so a huge ``limit`` allocates nothing.
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise _Skip("not a regular file (a FIFO, device or socket)")
        with open(path, "rb", buffering=0) as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):  # replaced between the two looks
                raise _Skip("not a regular file (a FIFO, device or socket)")
            if info.st_size > limit:
                raise _Skip(_over_limit(info.st_size, limit, option))
            data = _read_at_most(handle, min(info.st_size, limit) + 1)
    except OSError as exc:
        raise _Skip(f"cannot read ({_os_reason(exc)})") from None
    if len(data) > limit:
        raise _Skip(_over_limit(None, limit, option))
    return data, (info.st_dev, info.st_ino)


def _read_at_most(handle: Any, count: int) -> bytes:
    """Up to ``count`` bytes (a file may grow while it is read), in pieces of at most 16 MiB."""
    parts, left = [], count
    while left > 0:
        part = handle.read(min(left, 16 * 1024**2))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _read_stdin(limit: int, option: str) -> bytes:
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise InputError(f"cannot read {_STDIN_NAME}: standard input is not available")
    try:
        data = _read_at_most(stream, limit + 1)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {_STDIN_NAME}: {exc}") from None
    if len(data) > limit:
        raise InputError(f"cannot use {_STDIN_NAME}: {_over_limit(None, limit, option)}")
    return data


def _decode_text(data: bytes, name: str) -> str:
    """Decode ``data``, raising _Skip for empty and binary content."""
    if not data.strip():
        raise _Skip("empty file")
    if _looks_binary(data):
        raise _Skip("binary file")
    text = decode_bytes(data, name=name)
    if not text.strip():
        raise _Skip("empty file")
    sample = text[:_SAMPLE]
    if len(_CONTROL_RE.findall(sample)) > CONTROL_RATIO_MAX * len(sample):
        raise _Skip("binary file")
    return text


def _looks_binary(data: bytes) -> bool:
    if any(data.startswith(bom) for bom, _ in _BOMS):
        return False
    if data.startswith(_MAGIC):
        return True
    return b"\x00" in data and _utf16_without_bom(data) is None


def _utf16_without_bom(data: bytes) -> str | None:
    """Return "utf-16-le"/"-be" when NULs fill one byte of each pair and the data decodes."""
    sample = data[: _SAMPLE - _SAMPLE % 2]
    pairs = len(sample) // 2
    if pairs == 0 or len(data) % 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    encoding = None
    if odd >= 0.1 * pairs and even <= 0.01 * pairs:
        encoding = "utf-16-le"
    elif even >= 0.1 * pairs and odd <= 0.01 * pairs:
        encoding = "utf-16-be"
    if encoding is None:
        return None
    # the characters below U+0100 (one byte NUL) must be text, not control codes
    low, high = (
        (sample[0::2], sample[1::2]) if encoding == "utf-16-le" else (sample[1::2], sample[0::2])
    )
    latin = [byte for byte, zero in zip(low, high, strict=True) if zero == 0]
    if sum(byte >= 32 or byte in (9, 10, 13) for byte in latin) < 0.9 * len(latin):
        return None
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return encoding


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET_RE.search(data[:_SAMPLE])
    if not match:
        return None
    label = match.group(1).decode("ascii").lower()
    if label in {"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"}:
        label = "cp1252"  # what browsers do (WHATWG encoding labels)
    if label.startswith(("utf-16", "utf-32", "utf16", "utf32")):
        return None  # an ASCII-readable declaration of UTF-16 is always wrong
    try:
        return data.decode(label)
    except (LookupError, UnicodeDecodeError):
        return None


def _looks_western(data: bytes) -> bool:
    """Whether ``data`` (not UTF-8) reads as Western European text in cp1252."""
    sample = data[:65536]
    ascii_letters = len(sample) - len(sample.translate(None, _ASCII_LETTERS))
    high_letters = len(sample) - len(sample.translate(None, _CP1252_LETTERS))
    if high_letters > WESTERN_LETTER_RATIO_MAX * (ascii_letters + high_letters):
        return False
    return not _MISREAD_RE.search(sample.decode("cp1252", errors="replace"))


def _guess_charset(data: bytes) -> str | None:
    try:
        matches = from_bytes(data)
        best = matches.best()
        return None if best is None else str(best)
    except Exception:  # a heuristic must never stop loading; fall back to cp1252/latin-1
        return None


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _over_limit(size: int | None, limit: int, option: str = "--max-file-size") -> str:
    limit_text = f"{_size(limit)} limit ({option})"
    if size is None:
        return f"more than the {limit_text}"
    return f"{_size(size)} is over the {limit_text}"


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    return (exc.strerror or type(exc).__name__).lower()


def _dir_key(path: str) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_dev, info.st_ino


def _unsupported(suffix: str) -> bool:
    return suffix not in TEXT_SUFFIXES + HTML_SUFFIXES + RECORD_SUFFIXES


def _display(text: str | os.PathLike[str]) -> str:
    """Make a file name printable: undecodable bytes become U+FFFD."""
    text = os.fspath(text)
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


def _one_line(message: str) -> str:
    return _LINE_BREAK_RE.sub(lambda m: repr(m.group())[1:-1], _display(message))


def _check_paths(paths: Any, owner: str) -> list[str]:
    items = [paths] if isinstance(paths, str | os.PathLike) else paths
    valid = isinstance(items, Sequence) and not isinstance(items, bytes | bytearray)
    if valid:
        items = list(items)
        valid = bool(items) and all(
            isinstance(p, str | os.PathLike) and os.fspath(p) != "" for p in items
        )
    if not valid:
        raise ConfigError(
            f"The 'paths' parameter of {owner} must be a path or a non-empty sequence of "
            f"paths (str or os.PathLike). Got {paths!r} instead."
        )
    return [os.fspath(p) for p in items]


def _check_params(owner: str, **values: Any) -> None:
    for name, value in values.items():
        expected, valid = _PARAMETER_CONSTRAINTS[name]
        if not valid(value):
            raise ConfigError(
                f"The {name!r} parameter of {owner} must be {expected}. Got {value!r} instead."
            )
