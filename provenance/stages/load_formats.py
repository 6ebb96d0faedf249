"""Format readers for the load stage: record files, HTML pages, .docx drafts, dates.

Helpers of :mod:`provenance.stages.load` (not part of the public API): each takes
decoded text (or raw bytes for .docx) and returns plain values; the loader
turns them into :class:`~provenance.model.Article` objects and warnings.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..errors import InputError
from .boilerplate import (
    PUBLISHED_LABELS,
    UPDATED_LABELS,
    ZONE_OFFSETS,
    ZONE_REGIONS,
    find_credits,
    is_story_prose,
    numeric_day,
    page_lines,
    zone_offset,
)

__all__ = [
    "FURNITURE_MAX_ITEMS",
    "FURNITURE_MAX_CHARS",
    "TITLE_MAX_WORDS",
    "TITLE_MAX_CHARS",
    "HTML_DEPTH_MAX",
    "ID_MAX_CHARS",
    "FIELD_MAX_CHARS",
    "CSV_RECORD_LINES_MAX",
    "DOCX_PART_MAX",
    "DOCX_TOTAL_MAX",
    "DOCX_PARTS_MAX",
    "Record",
    "HtmlPage",
    "parse_date",
    "plain_title",
    "first_sentence",
    "parse_records",
    "extract_html",
    "read_docx",
]

#: At most this many furniture strings are kept per HTML page.
FURNITURE_MAX_ITEMS = 50
#: Furniture strings longer than this are cut (with a trailing ellipsis).
FURNITURE_MAX_CHARS = 200
#: A first line is a title only if it has at most this many words ...
TITLE_MAX_WORDS = 20
#: ... and at most this many characters.
TITLE_MAX_CHARS = 200
# A first line this short may be a section label ("Russia Ukraine conflict") above the headline,
# which is then a line of at least _HEADLINE_UNDER_LABEL_WORDS words.
_LABEL_MAX_WORDS = 3
_HEADLINE_UNDER_LABEL_WORDS = 5
#: Deeper nesting of block containers is flattened before parsing (the HTML
#: tree builder is quadratic in that depth; real pages stay far below it).
HTML_DEPTH_MAX = 1000
#: A record whose id is longer than this (in characters) is skipped: an id is a key, never cut.
ID_MAX_CHARS = 500
#: A record's title, outlet or url longer than this is cut (with a trailing ellipsis).
FIELD_MAX_CHARS = 1000
#: A CSV record spanning more lines than this is read as an unterminated quote.
CSV_RECORD_LINES_MAX = 5000
#: A .docx part (document.xml...) inflating past this many bytes is refused ...
DOCX_PART_MAX = 16 * 1024**2
#: ... and so is a .docx whose parts inflate past this in all (python-docx holds every part) ...
DOCX_TOTAL_MAX = 64 * 1024**2
#: ... or that has more parts than this.
DOCX_PARTS_MAX = 2000

_ID_KEYS = ("id",)
_TEXT_KEYS = ("text", "body", "content")
_TITLE_KEYS = ("title", "headline")
_DATE_KEYS = ("date", "published", "retrieved")
_OUTLET_KEYS = ("outlet", "source", "publisher")
_URL_KEYS = ("url",)
_LIST_KEYS = ("articles", "documents", "records")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


# --------------------------------------------------------------------------- dates

_MONTHS = {
    name: n for n, name in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)
}
_TIME = (
    r"(?:[\sT,]+(?:at\s+)?(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?(?:[.,]\d+)?"
    r"\s*(?P<ampm>[ap]\.?m\.?)?)?\s*(?:(?P<utc>utc|gmt|z)|(?P<oh>[+-]\d{2}):?(?P<om>\d{2})"
    rf"|(?P<zone>{'|'.join([*(z for z, offset in ZONE_OFFSETS.items() if offset != '+00:00'), *ZONE_REGIONS])}))?"
)
_WEEKDAY = r"(?:[a-z]{3,9}\.?,?\s+)?"
_DMY_RE = re.compile(
    rf"{_WEEKDAY}(?P<d>\d{{1,2}})[-\s./]+(?P<mon>[a-z]{{3,9}})\.?[-\s.,/]+(?P<y>\d{{4}}){_TIME}",
    re.IGNORECASE,
)
_MDY_RE = re.compile(
    rf"{_WEEKDAY}(?P<mon>[a-z]{{3,9}})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}}){_TIME}",
    re.IGNORECASE,
)
_YMD_SLASH_RE = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})(.*)", re.DOTALL)
_NUMERIC_DATE_RE = re.compile(r"(\d{1,2}[/.]\d{1,2}[/.]\d{4})(.*)", re.DOTALL)
_DATE_ONLY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EPOCH_MAX = 4_102_444_800  # 2100-01-01 in seconds


def parse_date(value: Any) -> str | None:
    """Return ``value`` as an ISO 8601 string, or None when it cannot be parsed.

    Accepts ISO 8601, RFC 2822, day-month-year and month-day-year forms with
    English month names (``"26-FEB-1987 15:01:01.79"`` gives
    ``"1987-02-26T15:01:01"``), and epoch seconds or milliseconds as numbers.
    Fractions of seconds are dropped; a time zone is kept when given.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 100:
        return None
    for parse in (_from_iso, _from_named_month, _from_numeric, _from_rfc2822):
        result = parse(text)
        if result is not None:
            return result
    return None


def _from_epoch(seconds: float) -> str | None:
    if seconds > _EPOCH_MAX:
        seconds /= 1000.0
    if not 0 < seconds < _EPOCH_MAX:
        return None
    return _iso(datetime.fromtimestamp(int(seconds), UTC))


def _from_iso(text: str) -> str | None:
    slash = _YMD_SLASH_RE.fullmatch(text)
    if slash:
        year, month, day, rest = slash.groups()
        text = f"{year}-{int(month):02d}-{int(day):02d}{rest}"
    try:
        if _DATE_ONLY_RE.fullmatch(text):
            return date.fromisoformat(text).isoformat()
        return _iso(datetime.fromisoformat(text))
    except ValueError:
        return None


def _from_numeric(text: str) -> str | None:
    """A day/month/year or month/day/year date ("13/03/2024 10:22") when one number can only be the day."""
    match = _NUMERIC_DATE_RE.fullmatch(text)
    named = match and numeric_day(match[1])
    return _from_named_month(named + match[2]) if named else None


def _from_named_month(text: str) -> str | None:
    match = _DMY_RE.fullmatch(text) or _MDY_RE.fullmatch(text)
    if not match:
        return None
    month = _MONTHS.get(match["mon"][:3].lower())
    if month is None:
        return None
    try:
        day = date(int(match["y"]), month, int(match["d"]))
        if match["h"] is None:
            return day.isoformat()
        hour = int(match["h"])
        ampm = (match["ampm"] or "").lower()
        if ampm.startswith("p") and hour < 12:
            hour += 12
        elif ampm.startswith("a") and hour == 12:
            hour = 0
        tzinfo = None
        if match["utc"]:
            tzinfo = UTC
        clock = time(hour, int(match["mi"]), int(match["s"] or 0))
        stated = match["oh"] and f"{match['oh']}:{match['om']}"
        if match["zone"]:
            stated = zone_offset(match["zone"], datetime.combine(day, clock))
        if stated and not match["utc"]:
            sign = -1 if stated.startswith("-") else 1
            tzinfo = timezone(sign * timedelta(hours=int(stated[1:3]), minutes=int(stated[4:6])))
        moment = datetime.combine(day, clock, tzinfo)
    except ValueError:
        return None
    return _iso(moment)


def _from_rfc2822(text: str) -> str | None:
    try:
        return _iso(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


# --------------------------------------------------------------------------- titles


_DATE_LINE = re.compile(rf"^\W*(?:{'|'.join((*PUBLISHED_LABELS, *UPDATED_LABELS))})\b.*\d", re.IGNORECASE)


_BULLETS = "•·▪‣◦●○■□➤►"


def plain_title(text: str, *, markdown: bool = False) -> str | None:
    """Return the first non-empty line of ``text`` when it looks like a headline.

    A headline has at most ``TITLE_MAX_WORDS`` words and ``TITLE_MAX_CHARS``
    characters and does not end with a full stop.  A leading publication-date
    line ("Published: 2024-03-01T10:22:00Z") is passed over, and so is a
    section label of a few words above a longer headline ("Russia Ukraine
    conflict" above "NATO urges more Russia talks ...").  With ``markdown`` a
    leading ``#`` heading marker is removed.

    Examples
    --------
    >>> plain_title("Russia Ukraine conflict\\n\\nNATO urges more Russia talks to defuse crisis\\n\\nBody.")
    'NATO urges more Russia talks to defuse crisis'
    >>> plain_title("Blair attacks Tories\\n\\nThe prime minister said on Monday ...")
    'Blair attacks Tories'
    >>> plain_title("Brexit latest\\n\\nHerald | Politics | 15 April 2024, 15:40 GMT\\n\\nBody.")
    'Brexit latest'
    """
    label = None
    for raw in text[: TITLE_MAX_CHARS * 8].splitlines()[:6]:
        line = raw.strip()
        if not line or _DATE_LINE.match(line):
            continue
        if markdown:
            line = line.lstrip("#").strip()
        # A summary's bullet ("•NATO chief says ...") is no part of the headline.
        line = line.lstrip(_BULLETS).strip()
        headline = (bool(line) and len(line) <= TITLE_MAX_CHARS and not line.endswith((".", "。"))
                    and len(line.split()) <= TITLE_MAX_WORDS)
        if label is None:
            if not headline:
                return None
            if len(line.split()) > _LABEL_MAX_WORDS:
                return line
            label = line
            continue
        # Under a label of a few words, a longer headline-like line is the headline (not a line of
        # page furniture: "World | 15 April 2024, 15:40 GMT").
        words = line.split()
        furniture = any(c in line for c in "|·•»") or sum(any(ch.isdigit() for ch in w) for w in words) > 1
        return line if headline and not furniture and len(words) >= _HEADLINE_UNDER_LABEL_WORDS else label
    return label


# A full stop after a lone capital is an initial ("U.S.", "R. Kelly"), not a sentence's end.
_SENTENCE_END = re.compile(r"(?<=[.!?。])(?<!\b[A-Z]\.)[\"'”’)]*(?=\s|$)")
#: A title made from a first sentence keeps at most this many words.
SENTENCE_TITLE_WORDS = 14


def first_sentence(text: str) -> str | None:
    """The first sentence of ``text``, shortened to ``SENTENCE_TITLE_WORDS`` words (a title of last resort).

    Examples
    --------
    >>> first_sentence("Shares fell on Monday. Traders sold.")
    'Shares fell on Monday.'
    """
    head = " ".join(text[: TITLE_MAX_CHARS * 4].split())
    end = _SENTENCE_END.search(head)
    words = (head[: end.end()] if end else head).split()
    if not words:
        return None
    return " ".join(words[:SENTENCE_TITLE_WORDS]) + (" …" if len(words) > SENTENCE_TITLE_WORDS else "")


def _record_title(text: str) -> str | None:
    """A headline for a scraped record with no title field.

    The page's own lines are read as the boilerplate stage reads them, with its furniture, labels,
    date lines and datelines cut out (:func:`~provenance.stages.boilerplate.page_lines`).  The headline
    is the first headline-like line before the story's first paragraph: four words or more, mostly
    words, no picture credit, not ending in a colon (a line introducing what follows), with a
    trailing " | Site Name" cut off.  Else the first sentence from the story's first word (the first
    line of mostly words that is no caption credit).
    """
    head = text[: TITLE_MAX_CHARS * 8]
    lines = page_lines(head)
    raw = [line.strip() for line in head.splitlines() if line.strip()]

    def page_line(line: str) -> bool:
        return bool(_PICTURE_CREDIT.search(line)) or _page_tool(line) or _captioned(raw, line)

    for line in lines[:6]:
        if is_story_prose(line):
            break  # the story has begun: a headline comes before it (a later line is a caption or a button)
        title = plain_title(max(_SITE_SEPARATOR.split(line), key=len))
        if title and _mostly_words(title, least=4) and not title.endswith(":") and not page_line(line):
            return title
    start = next((n for n, line in enumerate(lines) if _mostly_words(line, least=1) and not page_line(line)), None)
    return (first_sentence("\n".join(lines[start:])) if start is not None else None) or first_sentence(text)


def _page_tool(line: str) -> bool:
    """A line of the page's own: share buttons, a call to subscribe, a byline or a credit line."""
    words = re.findall(r"[a-z+]+", line.lower())
    return bool(
        (words and sum(w in _BUTTON_WORDS for w in words) * 2 > len(words))
        or _CALL_TO_ACTION.match(line) or _BYLINE_LINE.match(line) or find_credits(line.lstrip("/|-–— "))[0])


def _captioned(raw: list[str], line: str) -> bool:
    """Whether ``line`` is a picture's caption: no story paragraph, and a picture credit on the line after it.

    (A caption after its credit reads like a headline after a picture; only the usual order is told.)
    """
    return not is_story_prose(line) and any(n + 1 < len(raw) and _PICTURE_CREDIT.search(raw[n + 1])
                                            for n, text in enumerate(raw) if text == line)


# Share buttons and the networks they name ("Share on Facebook Share on Twitter", "FacebookEmail Twitter").
_BUTTON_WORDS = frozenset("share on facebook twitter email e mail linkedin pinterest google+ google whatsapp reddit "
                          "print comment comments tweet post to facebookemail messenger flipboard copy link".split())
_CALL_TO_ACTION = re.compile(r"^\s*(?:subscribe|sign up|follow us|download (?:the|our)|watch live|listen live)\b",
                             re.IGNORECASE)
# "By Jane Roe, professor at ..." (a byline with the writer's title).
_BYLINE_LINE = re.compile(r"^\s*by\s+[A-Z][\w.'’-]+\s+[A-Z][\w.'’-]+", re.IGNORECASE)
# "Headline | Site Name", "Opinion |Headline".
_SITE_SEPARATOR = re.compile(r"\s+\|\s*|\s*\|\s+")
# A caption's credit: "(AP Photo/Jane Roe)", "Jane Roe / Getty Images".
_PICTURE_CREDIT = re.compile(r"\b(?:photo|image|picture)s?\s*/|[/|]\s*(?:\w+\s+)?(?:images|photos?|pictures?)\b",
                             re.IGNORECASE)


def _mostly_words(line: str, least: int) -> bool:
    """At least ``least`` words, more than 60% of them starting with a letter (no date stamp, phone list)."""
    words = line.split()
    return len(words) >= least and sum(w[0].isalpha() for w in words) > 0.6 * len(words)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Record:
    """Fields of one record of a JSON, JSON Lines or CSV file.

    ``number`` is the line (JSONL, CSV) or the 1-based position (JSON) of the
    record, None for a .json file holding a single object; ``where`` names the
    file and that number for warnings.
    """

    number: int | None
    where: str
    id: str | None
    text: str
    title: str | None = None
    published: str | None = None
    outlet: str | None = None
    url: str | None = None


def parse_records(text: str, kind: str, name: str,
                  max_text: int | None = None) -> tuple[list[Record], list[str]]:
    """Parse a decoded record file.

    Parameters
    ----------
    text : str
        Decoded file content (newlines already normalised to ``\\n``).
    kind : {"json", "jsonl", "csv"}
        Format, from the file suffix.
    name : str
        File name used in warnings.
    max_text : int, optional
        A record whose text is longer than this many bytes (UTF-8) is skipped
        with a warning (the per-article ``--max-file-size``).  Ids longer than
        :data:`ID_MAX_CHARS` skip the record too; titles, outlets and urls
        longer than :data:`FIELD_MAX_CHARS` are cut, with a warning.

    Returns
    -------
    records : list of Record
        The usable records, in file order.
    warnings : list of str
        One line per skipped record (``"skipped data.jsonl:7: invalid JSON (...)"``)
        or for the whole file (``"skipped data.json: invalid JSON (...)"``).
    """
    if kind == "csv":
        items = _csv_items(text, name)
    elif kind == "jsonl":
        items = _array_or_lines(text, name)
    else:
        items = _json_items(text, name)
    records: list[Record] = []
    warnings: list[str] = []
    for number, where, obj in items:
        if isinstance(obj, str):
            warnings.append(obj)
            continue
        record = _record(obj, number, where, max_text, warnings)
        if isinstance(record, str):
            warnings.append(record)
        else:
            records.append(record)
    return records, warnings


_Item = tuple[int | None, str, Mapping[str, Any] | str]


def _json_items(text: str, name: str) -> Iterator[_Item]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        if isinstance(exc, json.JSONDecodeError) and exc.msg == "Extra data":
            yield from _jsonl_items(text, name)  # JSON Lines saved as .json
            return
        yield None, name, f"skipped {name}: invalid JSON ({_json_error(exc)})"
        return
    yield from _parsed_items(data, name)


def _parsed_items(data: Any, name: str) -> Iterator[_Item]:
    if isinstance(data, dict):
        listed = next((data[k] for k in _LIST_KEYS if isinstance(data.get(k), list)), None)
        if listed is None:
            yield None, name, data
            return
        data = listed
    if not isinstance(data, list):
        yield None, name, f"skipped {name}: expected a JSON object or a list of objects"
        return
    for index, obj in enumerate(data, start=1):
        where = f"{name} record {index}"
        if isinstance(obj, dict):
            yield index, where, obj
        else:
            yield index, where, f"skipped {where}: not a JSON object"


def _array_or_lines(text: str, name: str) -> Iterator[_Item]:
    """A .jsonl file: JSON Lines, or a JSON array saved under that name when it parses as one.

    A file that starts like an array but does not parse as one is read line
    by line, so its good records are kept and each bad line is named.
    """
    if text.lstrip().startswith("["):
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            pass
        else:
            yield from _parsed_items(data, name)
            return
    yield from _jsonl_items(text, name)


def _jsonl_items(text: str, name: str) -> Iterator[_Item]:
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{name}:{lineno}"
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError) as exc:
            yield lineno, where, f"skipped {where}: invalid JSON ({_json_error(exc, False)})"
            continue
        if isinstance(obj, dict):
            yield lineno, where, obj
        else:
            yield lineno, where, f"skipped {where}: not a JSON object"


def _json_error(exc: Exception, with_line: bool = True) -> str:
    if isinstance(exc, json.JSONDecodeError):
        if with_line:
            return f"{exc.msg} at line {exc.lineno} column {exc.colno}"
        return f"{exc.msg} at column {exc.colno}"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc)


def _csv_items(text: str, name: str) -> Iterator[_Item]:
    header_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=header_line.count)
    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(old_limit, min(len(text) + 1, 2**31 - 1)))
    try:
        yield from _csv_rows(text.split("\n"), delimiter, name)
    finally:
        csv.field_size_limit(old_limit)


def _csv_rows(lines: list[str], delimiter: str, name: str) -> Iterator[_Item]:
    """Rows of a CSV file as items; after a record swallowed by an unterminated quote, reading starts again."""
    header: list[str] | None = None
    offset = 0  # lines before the current reader's first line
    while offset is not None:
        reader = csv.reader((line + "\n" for line in itertools.islice(lines, offset, None)), delimiter=delimiter)
        restart, previous = None, 0
        while True:
            start = offset + previous + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                where = f"{name}:{start}"
                if reader.line_num == previous:
                    yield start, where, f"skipped {where} and the rest: malformed CSV ({exc})"
                    break
                previous = reader.line_num
                yield start, where, f"skipped {where}: malformed CSV ({exc})"
                continue
            previous = reader.line_num
            if not row or not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [cell.strip().lower() for cell in row]
                if not any(key in header for key in _TEXT_KEYS):
                    expected = ", ".join(_TEXT_KEYS)
                    yield None, name, f"skipped {name}: no text column (expected one of {expected})"
                    return
                continue
            where = f"{name}:{start}"
            swallowed = _swallowed(len(header), delimiter, lines[start - 1 : offset + previous])
            if swallowed:
                yield start, where, (f"skipped {where}: {swallowed} (an unterminated quote?); "
                                     f"reading on from line {start + 1}")
                restart = start
                break
            if len(row) != len(header):
                problem = f"expected {len(header)} fields, found {len(row)}"
                yield start, where, f"skipped {where}: malformed CSV row ({problem})"
                continue
            yield start, where, dict(zip(header, row, strict=True))
        offset = restart


def _swallowed(fields: int, delimiter: str, raw: list[str]) -> str | None:
    """Why a CSV record (``raw``: its lines) looks like it swallowed the records after it, or None.

    An unterminated quote runs its field on into the following lines until a
    stray quote or the end of the file: read strictly, such a record is
    malformed, and the lines it took, read alone, have as many fields as the
    header.  A malformed record whose later lines mostly look like records,
    or spanning more than :data:`CSV_RECORD_LINES_MAX` lines, is one.
    """
    if len(raw) < 2:
        return None
    later = [line for line in raw[1:] if line.strip()]
    like = sum(1 for line in later if len(next(csv.reader([line], delimiter=delimiter), [])) == fields)
    long = len(raw) > CSV_RECORD_LINES_MAX
    if not long and (like < 1 or 2 * like < len(later)):
        return None
    try:
        list(csv.reader(io.StringIO("\n".join(raw) + "\n", newline=""), delimiter=delimiter, strict=True))
    except csv.Error:
        if long:
            return f"a malformed record runs over {len(raw)} lines"
        return f"a quoted field runs over {like} line{'s' if like != 1 else ''} that look like records"
    return None


def _record(obj: Mapping[str, Any], number: int | None, where: str, max_text: int | None,
            warnings: list[str]) -> Record | str:
    fields = {key.lower(): value for key, value in obj.items() if isinstance(key, str)}
    text = _first(fields, _TEXT_KEYS)
    if isinstance(text, list) and all(isinstance(part, str) for part in text):
        text = "\n\n".join(text)
    if text is None:
        return f"skipped {where}: no text field (expected one of {', '.join(_TEXT_KEYS)})"
    if not isinstance(text, str):
        return f"skipped {where}: text is not a string"
    if not text.strip():
        return f"skipped {where}: empty text"
    if max_text is not None and _utf8_length_over(text, max_text):
        return f"skipped {where}: its text is over the {_size(max_text)} limit per article (--max-file-size)"
    record_id = _scalar(_first(fields, _ID_KEYS))
    if record_id is not None and len(record_id) > ID_MAX_CHARS:
        return f"skipped {where}: its id is {len(record_id)} characters long (at most {ID_MAX_CHARS})"
    published = None
    for key in _DATE_KEYS:
        published = parse_date(fields.get(key))
        if published is not None:
            break
    values = {}
    for field_name, keys, nested in (("title", _TITLE_KEYS, None), ("outlet", _OUTLET_KEYS, "name"),
                                     ("url", _URL_KEYS, None)):
        value = _scalar(_first(fields, keys), nested=nested)
        if value is not None and len(value) > FIELD_MAX_CHARS:
            warnings.append(f"cut the {field_name} of {where} to {FIELD_MAX_CHARS} characters "
                            f"(it had {len(value)})")
            value = value[: FIELD_MAX_CHARS - 1] + "\u2026"
        values[field_name] = value
    text = _clean(text.replace("\r\n", "\n").replace("\r", "\n"))
    # Scraped records often have no title field: take the headline line, else the first sentence.
    values["title"] = values["title"] or _record_title(text)
    return Record(
        number=number,
        where=where,
        id=record_id,
        text=text,
        published=published,
        **values,
    )


def _utf8_length_over(text: str, limit: int) -> bool:
    """Whether ``text`` takes more than ``limit`` bytes in UTF-8 (encoded only when it might)."""
    if len(text) > limit:
        return True
    return len(text) * 4 > limit and len(text.encode("utf-8", "surrogatepass")) > limit


def _size(count: int) -> str:
    """``count`` bytes for people: ``20 MB``, ``1.5 KB``, ``300 bytes`` (shared with the loader's messages)."""
    for unit, scale in (("MB", 1024**2), ("KB", 1024)):
        if count >= scale:
            return f"{count / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{count} bytes"


def _first(fields: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = fields.get(key)
        if value is not None and value != "":
            return value
    return None


def _scalar(value: Any, nested: str | None = None) -> str | None:
    if nested and isinstance(value, dict):
        value = value.get(nested)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = _clean(str(value)).strip()
    return text or None


def _clean(text: str) -> str:
    """Replace lone surrogates (from ``\\ud800``-style JSON escapes) by U+FFFD."""
    return _SURROGATE_RE.sub("\ufffd", text) if _SURROGATE_RE.search(text) else text


# --------------------------------------------------------------------------- HTML

_DROP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "head"})
_FURNITURE_TAGS = ("nav", "header", "footer", "aside")
_BLOCK_TAGS = frozenset(
    "address article aside blockquote body caption center dd details dialog div dl dt "
    "fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html li "
    "main menu nav ol p pre section summary table tbody tfoot thead tr ul".split()
)
_CELL_TAGS = frozenset({"td", "th"})
_CONTAINER_TAGS = (
    "address|article|aside|blockquote|center|details|dialog|dir|div|dl|fieldset|figcaption"
    "|figure|footer|header|hgroup|main|menu|nav|ol|section|summary|ul"
)
_CONTAINER_RE = re.compile(rf"<(/?)({_CONTAINER_TAGS})(?=[\s/>])", re.IGNORECASE)
_CONTAINER_TAG_RE = re.compile(rf"</?(?:{_CONTAINER_TAGS})(?=[\s/>])[^>]*>", re.IGNORECASE)
_HTML_SPACE_RE = re.compile(r"[ \t\n\r\f]+")
_BREAK = object()


class _Pre(str):
    """Text from inside ``<pre>``: its spacing is kept."""


@dataclass(frozen=True)
class HtmlPage:
    """Text and metadata extracted from one HTML page."""

    text: str
    title: str | None
    published: str | None
    outlet: str | None
    url: str | None
    furniture: tuple[str, ...]
    updated: str | None = None


def extract_html(html: str) -> HtmlPage:
    """Extract the main text, metadata and page furniture of an HTML page.

    The main element is the longest ``<article>``, else ``<main>``, else
    ``<body>``; its blocks are joined by blank lines.  Scripts, styles and
    similar are dropped.  Blocks outside the main element (and ``nav``,
    ``header``, ``footer``, ``aside`` when the main element is ``<body>``)
    become furniture.  Never raises on malformed markup.
    """
    tree = LexborHTMLParser(_flatten_deep_nesting(html))
    body = tree.body or tree.root
    articles = tree.css("article")
    if articles:
        main = max(articles, key=lambda node: len(node.text(deep=True)))
    else:
        main = tree.css_first("main") or body
    if main is None:
        return HtmlPage("", _title(tree), None, None, None, ())
    if body is not None and main.mem_id == body.mem_id:
        text_blocks = _blocks(main, skip=frozenset(_FURNITURE_TAGS))
        furniture = [b for node in body.css(", ".join(_FURNITURE_TAGS)) for b in _blocks(node)]
    else:
        text_blocks = _blocks(main)
        furniture = _blocks(body, skip_id=main.mem_id) if body is not None else []
    return HtmlPage(
        text="\n\n".join(text_blocks),
        title=_title(tree),
        published=_published(tree, main),
        outlet=_attr(tree, 'meta[property="og:site_name"]', "content"),
        url=_attr(tree, 'link[rel~="canonical"]', "href")
        or _attr(tree, 'meta[property="og:url"]', "content"),
        furniture=_furniture(furniture),
        updated=_first_date(tree, _UPDATED_META, "dateModified"),
    )


def _flatten_deep_nesting(html: str) -> str:
    """Replace block-container tags by ``<br>`` when they nest deeper than HTML_DEPTH_MAX."""
    lowered = html.lower()
    opened = sum(lowered.count("<" + tag) for tag in _CONTAINER_TAGS.split("|"))
    if opened <= HTML_DEPTH_MAX:
        return html
    depth = deepest = 0
    for match in _CONTAINER_RE.finditer(html):
        depth = max(0, depth - 1) if match.group(1) else depth + 1
        deepest = max(deepest, depth)
    if deepest <= HTML_DEPTH_MAX:
        return html
    return _CONTAINER_TAG_RE.sub("<br>", html)


def _blocks(
    root: LexborNode, *, skip: frozenset[str] = frozenset(), skip_id: int | None = None
) -> list[str]:
    """Text of the block elements under ``root``, one string per block, in document order."""
    blocks: list[str] = []
    parts: list[Any] = []
    pre_depth = 0
    stack: list[tuple[LexborNode, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        tag = node.tag
        if leaving:
            if tag == "pre":
                pre_depth -= 1
            if tag in _CELL_TAGS:
                parts.append(" ")
            elif tag in _BLOCK_TAGS:
                _flush(parts, blocks)
            continue
        if tag == "-text":
            content = node.text_content or ""
            parts.append(_Pre(content) if pre_depth else _HTML_SPACE_RE.sub(" ", content))
            continue
        if tag in _DROP_TAGS or tag in skip or not tag or tag.startswith("-"):
            continue
        if skip_id is not None and node.mem_id == skip_id:
            continue
        if tag == "br":
            parts.append(_BREAK)
            continue
        if tag in _BLOCK_TAGS:
            _flush(parts, blocks)
        if tag == "pre":
            pre_depth += 1
        stack.append((node, True))
        children = list(node.iter(include_text=True))
        stack.extend((child, False) for child in reversed(children))
    _flush(parts, blocks)
    return blocks


def _flush(parts: list[Any], blocks: list[str]) -> None:
    if not parts:
        return
    keep_indent = any(isinstance(part, _Pre) for part in parts)
    text = "".join("\n" if part is _BREAK else part for part in parts)
    parts.clear()
    lines = [line.rstrip() if keep_indent else line.strip(" ") for line in text.split("\n")]
    block = "\n".join(line for line in lines if line.strip())
    block = block.rstrip() if keep_indent else block.strip()
    if block:
        blocks.append(block)


def _furniture(blocks: list[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for block in blocks:
        line = _HTML_SPACE_RE.sub(" ", block).strip()
        if len(line) > FURNITURE_MAX_CHARS:
            line = line[: FURNITURE_MAX_CHARS - 1].rstrip() + "\u2026"
        if line:
            seen.setdefault(line, None)
        if len(seen) >= FURNITURE_MAX_ITEMS:
            break
    return tuple(seen)


def _title(tree: LexborHTMLParser) -> str | None:
    for selector in ("head title", "title", "h1"):
        node = tree.css_first(selector)
        if node is not None:
            text = _HTML_SPACE_RE.sub(" ", node.text(deep=True)).strip()
            if text:
                return text
    return None


# Where news pages state when they were published, and when they last changed (Open Graph,
# schema.org microdata, Dublin Core, analytics tags); schema.org's JSON-LD is read too.
_PUBLISHED_META = ('meta[property="article:published_time"]', 'meta[property="og:article:published_time"]',
                   'meta[itemprop="datePublished"]', 'meta[name="pubdate"]', 'meta[name="publishdate"]',
                   'meta[name="parsely-pub-date"]', 'meta[name="sailthru.date"]', 'meta[name="dc.date.issued"]',
                   'meta[name="DC.date.issued"]')
_UPDATED_META = ('meta[property="article:modified_time"]', 'meta[itemprop="dateModified"]',
                 'meta[property="og:updated_time"]')
# JSON-LD blocks are searched this deep (an Article inside a @graph inside a list).
_LINKED_DATA_DEPTH = 6


def _published(tree: LexborHTMLParser, main: LexborNode) -> str | None:
    return (_first_date(tree, _PUBLISHED_META, "datePublished")
            or _first_date(main, ("time[datetime]",), None)
            or _first_date(tree, ("time[datetime]", 'meta[name="date"]'), None))


def _first_date(root: LexborHTMLParser | LexborNode, selectors: Sequence[str], linked_key: str | None) -> str | None:
    """The first readable date of ``selectors`` (a meta's content, a ``<time>``'s datetime), else of
    JSON-LD's ``linked_key``."""
    for selector in selectors:
        value = _attr(root, selector, "datetime" if selector.startswith("time") else "content")
        parsed = parse_date(value)
        if parsed is not None:
            return parsed
    if linked_key is None:
        return None
    for node in root.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(node.text(deep=True))
        except (ValueError, RecursionError):
            continue
        for value in _linked_values(data, linked_key, _LINKED_DATA_DEPTH):
            parsed = parse_date(value)
            if parsed is not None:
                return parsed
    return None


def _linked_values(data: Any, key: str, depth: int) -> Iterator[Any]:
    """Values of ``key`` anywhere in a JSON-LD document, outer objects first."""
    if depth <= 0:
        return
    if isinstance(data, dict):
        if key in data:
            yield data[key]
        for value in data.values():
            if isinstance(value, dict | list):
                yield from _linked_values(value, key, depth - 1)
    elif isinstance(data, list):
        for value in data:
            yield from _linked_values(value, key, depth - 1)


def _attr(root: LexborHTMLParser | LexborNode, selector: str, name: str) -> str | None:
    node = root.css_first(selector)
    if node is None:
        return None
    value = (node.attributes.get(name) or "").strip()
    return value or None


# --------------------------------------------------------------------------- docx


def read_docx(data: bytes, name: str) -> tuple[str, str | None]:
    """Return the text (paragraphs and table rows joined by blank lines) and title of a .docx.

    Raises
    ------
    InputError
        When ``data`` is not a readable .docx file.
    """
    from docx import Document  # imported here: only drafts need python-docx
    from docx.table import Table

    _check_docx_sizes(data, name)
    try:
        document = Document(io.BytesIO(data))
        blocks: list[str] = []
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                blocks.extend(_table_rows(item))
            elif item.text.strip():
                blocks.append(item.text)
        title = (document.core_properties.title or "").strip() or None
    except Exception as exc:  # python-docx raises many types for broken packages
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise InputError(f"cannot read {name} as .docx: {detail}") from exc
    text = "\n\n".join(blocks)
    return text, title or plain_title(text)


def _check_docx_sizes(data: bytes, name: str) -> None:
    """Refuse a .docx whose parts would inflate past :data:`DOCX_PART_MAX` (a zip bomb) before unpacking any.

    The sizes are the ones the zip directory declares; :mod:`zipfile` never
    inflates a part past its declared size, so they bound what python-docx reads.
    """
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            parts = package.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise InputError(f"cannot read {name} as .docx: {' '.join(str(exc).split()) or type(exc).__name__}") from None
    if len(parts) > DOCX_PARTS_MAX:
        raise InputError(f"cannot use {name}: a .docx of {len(parts)} parts (at most {DOCX_PARTS_MAX})")
    for part in parts:
        if part.file_size > DOCX_PART_MAX:
            raise InputError(f"cannot use {name}: its part {part.filename} inflates to {_size(part.file_size)}, "
                             f"over the {_size(DOCX_PART_MAX)} limit per .docx part")
    total = sum(part.file_size for part in parts)
    if total > DOCX_TOTAL_MAX:
        raise InputError(f"cannot use {name}: its parts inflate to {_size(total)}, over the "
                         f"{_size(DOCX_TOTAL_MAX)} limit per .docx")


def _table_rows(table: Any) -> list[str]:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            value = cell.text.strip()
            if value and (not cells or cells[-1] != value):
                cells.append(value)
        if cells:
            rows.append(" | ".join(cells))
    return rows
