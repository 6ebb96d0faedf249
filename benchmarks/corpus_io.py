"""Read a traced input (a folder of .txt files or a JSONL file) for the baselines and speed runs."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

_DATE_LINE_RE = re.compile(r"^Published: (\d{4}-\d\d-\d\dT[\d:]+Z?)\s*$")


@dataclass(frozen=True)
class Document:
    """A document as the baselines see it.

    Attributes
    ----------
    id : str
        Path relative to the folder, or the JSONL record id.
    title : str
        First line (after an optional ``Published:`` line) or the record title.
    text : str
        Title and body.
    published : str or None
        ISO 8601 time when given.
    """

    id: str
    title: str
    text: str
    published: str | None = None


def _read_txt(path: Path, root: Path) -> Document:
    data = path.read_bytes()
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError:
        raw = data.decode("latin-1")
    lines = raw.splitlines()
    published = None
    if lines and (match := _DATE_LINE_RE.match(lines[0])):
        published = match.group(1)
        lines = lines[1:]
    title = lines[0].strip() if lines else ""
    return Document(path.relative_to(root).as_posix(), title, "\n".join(lines), published)


def _read_jsonl(path: Path) -> list[Document]:
    docs = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                title = record.get("title") or ""
                text = f"{title}\n\n{record.get('text', '')}" if title else record.get("text", "")
                docs.append(Document(str(record["id"]), title, text, record.get("published")))
    return docs


def read_documents(path: Path) -> list[Document]:
    """Read every document of a folder (``**/*.txt``, sorted) or a JSONL file.

    Parameters
    ----------
    path : Path
        Folder or ``.jsonl`` file.

    Returns
    -------
    list of Document
        In file order.
    """
    path = Path(path)
    if path.is_file():
        return _read_jsonl(path)
    return [_read_txt(p, path) for p in sorted(path.rglob("*.txt"))]
