"""Load BBC and Reuters articles as de-duplicated originals for the simulator.

Two originals that share text would be an unlabelled derivation in a simulated corpus, so
exact and near duplicates are dropped first: any pair whose 5-word shingle containment
(shared shingles over the smaller set) reaches ``MAX_CONTAINMENT_DEFAULT`` keeps only the
first in key order. This is stricter than a Jaccard >= 0.5 rule and covers it.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from benchmarks.common import BBC_DIR, REUTERS_FILE, shingles, words

MIN_WORDS_DEFAULT = 150
MAX_WORDS_DEFAULT = 1200
MAX_CONTAINMENT_DEFAULT = 0.1
MAX_SHINGLE_DF = 50
SOURCES = ("bbc", "reuters")


@dataclass(frozen=True)
class Original:
    """One real article used as raw material.

    Attributes
    ----------
    key : str
        Stable source key, e.g. ``bbc/business/001`` or ``reuters-17``.
    title : str
        Headline.
    paragraphs : tuple of str
        Body paragraphs, each on one line.
    topic : str
        BBC category, or ``""`` for Reuters (no topic labels in the JSONL).
    dateline : str
        Wire dateline such as ``"SALVADOR, Feb 26 -"``, or ``""``.
    """

    key: str
    title: str
    paragraphs: tuple[str, ...]
    topic: str = ""
    dateline: str = ""

    @property
    def n_words(self) -> int:
        """Number of words in the body."""
        return sum(len(p.split()) for p in self.paragraphs)


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _bbc_original(path: Path, root: Path) -> Original | None:
    lines = _read_text(path).strip().splitlines()
    if not lines:
        return None
    paragraphs = tuple(line.strip() for line in lines[1:] if line.strip())
    key = "bbc/" + path.relative_to(root).with_suffix("").as_posix()
    return Original(key, lines[0].strip(), paragraphs, topic=path.parent.name)


def load_bbc(root: Path = BBC_DIR) -> list[Original]:
    """Read every BBC article under ``root`` (``category/NNN.txt``).

    Parameters
    ----------
    root : Path, default=BBC_DIR
        The ``bbc`` folder.

    Returns
    -------
    list of Original
        In sorted path order; the latin-1 file is decoded as latin-1.
    """
    found = (_bbc_original(p, root) for p in sorted(root.glob("*/*.txt")))
    return [o for o in found if o is not None]


def _reuters_paragraphs(text: str) -> tuple[str, ...]:
    parts = re.split(r"\n\s{2,}", text.strip())
    joined = (re.sub(r"\s+", " ", part).strip() for part in parts)
    return tuple(p for p in joined if p)


def load_reuters(path: Path = REUTERS_FILE) -> list[Original]:
    """Read the Reuters-21578 JSONL records as originals.

    Parameters
    ----------
    path : Path, default=REUTERS_FILE
        ``reuters21578.jsonl``.

    Returns
    -------
    list of Original
        Paragraphs are the indented blocks of the body with hard line breaks joined.
    """
    originals = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            paragraphs = _reuters_paragraphs(record["text"])
            if paragraphs:
                originals.append(Original(record["id"], record["title"].strip(), paragraphs,
                                          dateline=record.get("dateline", "").strip()))
    return originals


def _overlapping_pairs(sets: list[set[int]]) -> Counter[tuple[int, int]]:
    index: dict[int, list[int]] = defaultdict(list)
    for i, shingle_set in enumerate(sets):
        for shingle in shingle_set:
            index[shingle].append(i)
    shared: Counter[tuple[int, int]] = Counter()
    for members in index.values():
        if 1 < len(members) <= MAX_SHINGLE_DF:
            for a_pos, a in enumerate(members):
                for b in members[a_pos + 1 :]:
                    shared[(a, b)] += 1
    return shared


def dedupe(originals: list[Original], max_containment: float = MAX_CONTAINMENT_DEFAULT,
           ) -> list[Original]:
    """Drop exact and near duplicates, keeping the first of each overlapping pair.

    Parameters
    ----------
    originals : list of Original
        Candidates, in the order of preference.
    max_containment : float, default=0.1
        A pair sharing at least this fraction of the smaller one's shingles overlaps.

    Returns
    -------
    list of Original
        The kept originals, in input order.
    """
    sets = [shingles(words(" ".join(o.paragraphs))) for o in originals]
    conflicts: dict[int, list[int]] = defaultdict(list)
    for (a, b), count in _overlapping_pairs(sets).items():
        if count >= max_containment * min(len(sets[a]), len(sets[b])):
            conflicts[b].append(a)
    kept: set[int] = set()
    for i in range(len(originals)):
        if not any(a in kept for a in conflicts[i]):
            kept.add(i)
    return [originals[i] for i in sorted(kept)]


@lru_cache(maxsize=4)
def load_originals(source: str, min_words: int = MIN_WORDS_DEFAULT,
                   max_words: int = MAX_WORDS_DEFAULT) -> tuple[Original, ...]:
    """Load, length-filter and de-duplicate the originals of one source.

    Parameters
    ----------
    source : {"bbc", "reuters", "both"}
        Which corpus to read.
    min_words, max_words : int, default=150, 1200
        Inclusive body length bounds.

    Returns
    -------
    tuple of Original
        De-duplicated originals in key order (cached per arguments).

    Raises
    ------
    ValueError
        If ``source`` is unknown.
    """
    if source == "both":
        pool = [*load_bbc(), *load_reuters()]
    elif source == "bbc":
        pool = load_bbc()
    elif source == "reuters":
        pool = load_reuters()
    else:
        raise ValueError(f"The 'source' parameter must be one of {SOURCES + ('both',)}. "
                         f"Got {source!r} instead.")
    sized = [o for o in pool if min_words <= o.n_words <= max_words]
    return tuple(dedupe(sized))
