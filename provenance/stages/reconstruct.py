"""Stage 7b, unseen sources: a Lineage's latent sources -> their reconstructed text and agency.

Runs after lineage, on its latent sources (ids and children), the documents
and the aligned pairs.  Each unseen source is rebuilt the way a textual
critic collates witnesses:

1. the children's content words are merged into columns, one child at a
   time (the most connected first), each word joining the column its
   aligned words in earlier children sit in (kept in order by a longest
   increasing subsequence; a moved paragraph becomes the mover's own text);
2. each column is read as the majority of the children that cover it (a
   child covers the stretch from its first to its last merged word, so a cut
   head or tail does not vote against the text it lacks); at a tie the
   children's readings of the tied stretch are compared: a reading beats
   none (copies cut more than they add), then the commoner wording wins (a
   spinner's synonyms are rarer), then the longer, then the most central
   child's; where every copy reads a short place differently, so that no
   column has a majority, the plurality reading is kept; a passage of
   MIN_PASSAGE_WORDS or more that one copy alone carries is dropped (a
   page's header, caption or footer, or the copy's own paragraph: the
   source is what its copies share);
3. the kept columns are written out with the original text of one child
   (the same as long as it carries them, so punctuation and paragraphs read
   naturally), "[not carried by any copy]" where no child spans the join;
4. passages are the runs carried by the same children, and each child's
   changes (cut, added, reworded) are listed against the reconstruction.

Families whose root is a document get the agency of that root's own credits.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Mapping, Sequence

import numpy as np

from ..model import Alignment, CopyChange, Document, Family, Latent, SourcePassage
from .agency import infer_agency
from .direction import _zipf

__all__ = ["describe_sources", "reconstruct", "Reconstruction", "GAP_MARK"]

#: Written where the copies leave a stretch of the source uncovered.
GAP_MARK = "[not carried by any copy]"
#: Runs shorter than this (in words) do not start a passage of their own:
#: a copy dropping or changing a few words still carries the passage.
MIN_PASSAGE_WORDS = 8
_SPACE = re.compile(r"\s+")
# A place where the copies disagree is read back only when its reading is this short (a word change, not a paragraph).
_MAX_VARIANT_WORDS = 6
# Separators longer than this are page text between content words, not punctuation.
_MAX_SEPARATOR = 12

Pairs = Mapping[tuple[int, int], tuple[object, Alignment]]


def describe_sources(documents: Sequence[Document], pairs: Pairs, latent: Sequence[Latent],
                     families: Sequence[Family]) -> tuple[list[Latent], list[Family]]:
    """Reconstruct every unseen source and name the probable agency of each family's root.

    Parameters
    ----------
    documents : sequence of Document
        The corpus, indexed as in ``pairs``.
    pairs : dict (i, j) -> (PairEvidence, Alignment)
        The aligned pairs (``i < j``) the lineage was built from.
    latent : sequence of Latent
        The unseen sources, with their children.
    families : sequence of Family
        The families; those rooted at a document get that document's agency.

    Returns
    -------
    latent : list of Latent
        The same sources with ``text``, ``passages``, ``changes`` and ``agency``.
    families : list of Family
        The same families with ``agency`` (the unseen source's for a latent
        root; the root document's own when it credits one; else None).
    """
    index = {doc.id: k for k, doc in enumerate(documents)}
    out_latent = []
    for lat in latent:
        children = [index[c] for c in lat.children if c in index]
        rebuilt = reconstruct(documents, pairs, children)
        agency = infer_agency([documents[c] for c in children])
        out_latent.append(dataclasses.replace(lat, text=rebuilt.text, passages=rebuilt.passages,
                                              changes=rebuilt.changes, agency=agency))
    by_id = {lat.id: lat for lat in out_latent}
    out_families = []
    for fam in families:
        if fam.root in by_id:
            agency = by_id[fam.root].agency
        elif fam.root in index:
            members = [documents[index[m]] for m in fam.members if m in index]
            agency = infer_agency(members, own=documents[index[fam.root]])
        else:
            agency = None
        out_families.append(dataclasses.replace(fam, agency=agency))
    return out_latent, out_families


@dataclasses.dataclass(frozen=True)
class Reconstruction:
    """What :func:`reconstruct` returns: the text, its passages and each child's changes."""

    text: str
    passages: tuple[SourcePassage, ...]
    changes: tuple[CopyChange, ...]


def reconstruct(documents: Sequence[Document], pairs: Pairs, children: Sequence[int]) -> Reconstruction:
    """Reconstruct the common source of ``children`` from their pairwise alignments.

    Parameters
    ----------
    documents : sequence of Document
        The corpus, indexed as in ``pairs``.
    pairs : dict (i, j) -> (PairEvidence, Alignment)
        Aligned pairs; a child aligned with none of the children merged
        before it (a family too large to align every pair) is aligned here
        with the first.
    children : sequence of int
        Indices of the copies.

    Returns
    -------
    Reconstruction
    """
    if not children:
        return Reconstruction("", (), ())
    collation = _Collation(documents, pairs, list(children))
    keep = collation.vote()
    return collation.write(keep)


class _Collation:
    """The children's words merged into ordered columns (one column per word of the source or of a copy)."""

    def __init__(self, documents: Sequence[Document], pairs: Pairs, children: list[int]) -> None:
        self.documents = documents
        self.pairs = pairs
        self._aligned: dict[tuple[int, int], Alignment] = {}
        self.order = self._merge_order(children)
        self.rank = {c: r for r, c in enumerate(self.order)}
        self.n_columns = 0
        self.sequence: list[int] = []  # column ids in text order
        self.column_of: dict[int, np.ndarray] = {}
        for child in self.order:
            self._add(child)
        # From here on, rows are the children in merge order and columns the positions in text order:
        # ``token[r, k]`` is child r's content token at position k (-1: it has none there).
        position = np.empty(self.n_columns, dtype=np.int64)
        position[self.sequence] = np.arange(len(self.sequence))
        n = len(self.sequence)
        self.token = np.full((len(self.order), n), -1, dtype=np.int64)
        for r, child in enumerate(self.order):
            self.token[r, position[self.column_of[child]]] = np.arange(len(self.column_of[child]))
        self.present = self.token >= 0
        anywhere = self.present.any(axis=1)
        self.first = np.where(anywhere, self.present.argmax(axis=1), n)
        self.last = np.where(anywhere, n - 1 - self.present[:, ::-1].argmax(axis=1), -1)
        k = np.arange(n)
        self.cover = (k >= self.first[:, None]) & (k <= self.last[:, None])
        doc_of = [self.documents[c] for c in self.order]
        self.offsets = [(d.tokens.starts[d.content].tolist(), d.tokens.ends[d.content].tolist()) for d in doc_of]

    # -- merging

    def _match(self, x: int, y: int) -> np.ndarray:
        """Content token of ``y`` aligned with each content token of ``x`` (-1 where none)."""
        key = (min(x, y), max(x, y))
        al = self.pairs[key][1] if key in self.pairs else self._align(key)
        return al.a_match if x == key[0] else al.b_match

    def _align(self, key: tuple[int, int]) -> Alignment:
        if key not in self._aligned:
            from .align import Aligner

            self._aligned[key] = Aligner().align(self.documents[key[0]], self.documents[key[1]], *key)
        return self._aligned[key]

    def _shared(self, x: int, y: int) -> int:
        key = (min(x, y), max(x, y))
        return self.pairs[key][1].shared_words if key in self.pairs else 0

    def _merge_order(self, children: list[int]) -> list[int]:
        """The child sharing most with the others first, then the one sharing most with those merged."""
        children = sorted(children)
        first = max(children, key=lambda c: (sum(self._shared(c, o) for o in children if o != c), -c))
        order, rest = [first], [c for c in children if c != first]
        # Words each child shares with those merged so far, kept up to date as each joins
        # (summing afresh for every choice made the order cubic in the family's size).
        with_merged = {c: self._shared(c, first) for c in rest}
        while rest:
            nxt = max(rest, key=lambda c: (with_merged[c], -c))
            order.append(nxt)
            rest.remove(nxt)
            for c in rest:
                with_merged[c] += self._shared(c, nxt)
        return order

    def _add(self, child: int) -> None:
        n = self.documents[child].words
        position = np.full(self.n_columns, -1, dtype=np.int64)
        position[self.sequence] = np.arange(len(self.sequence))
        # Children aligned with this one in the trace; in a family too large to
        # align every pair, the first merged child is aligned here if none is.
        witnesses = [m for m in self.column_of if (min(m, child), max(m, child)) in self.pairs]
        if not witnesses and self.column_of:
            witnesses = [self.order[0]]
        ts, cols = [], []
        for merged in witnesses:
            match = self._match(child, merged)
            hit = np.flatnonzero(match >= 0)
            ts.append(hit)
            cols.append(self.column_of[merged][match[hit]])
        wanted = np.full(n, -1, dtype=np.int64)
        if ts:
            t_all, c_all = np.concatenate(ts), np.concatenate(cols)
            width = max(1, self.n_columns)
            codes, counts = np.unique(t_all * width + c_all, return_counts=True)
            keys = np.stack([codes // width, codes % width])
            # Per token, the column most of its aligned words sit in (the earliest on a tie).
            order = np.lexsort((position[keys[1]], -counts, keys[0]))
            keys = keys[:, order]
            first = np.ones(keys.shape[1], dtype=bool)
            first[1:] = keys[0, 1:] != keys[0, :-1]
            wanted[keys[0, first]] = keys[1, first]
        wanted_pos = np.full(n, -1, dtype=np.int64)
        wanted_pos[wanted >= 0] = position[wanted[wanted >= 0]]
        kept = np.zeros(n, dtype=bool)
        kept[sorted(_increasing(wanted_pos.tolist()))] = True
        # Each unmatched word gets a new column, placed right after the column of the
        # child's previous matched word (before the first one's, after every column
        # when the child matched none: a gap mark will show the break).
        mine = np.where(kept, wanted, -1)
        new = np.flatnonzero(~kept)
        mine[new] = self.n_columns + np.arange(len(new))
        self.n_columns += len(new)
        last_pos = np.maximum.accumulate(np.where(kept, wanted_pos, -1)) if n else wanted_pos
        slot = np.where(last_pos >= 0, last_pos + 0.5, -0.5) if kept.any() else np.full(n, len(self.sequence) + 0.5)
        old_keys = np.arange(len(self.sequence), dtype=float)
        keys = np.concatenate([old_keys, slot[new]])
        ties = np.concatenate([np.zeros(len(self.sequence)), new.astype(float)])
        merged = np.concatenate([np.asarray(self.sequence, dtype=np.int64), mine[new]])
        self.sequence = merged[np.lexsort((ties, keys))].tolist()
        self.column_of[child] = mine

    # -- voting

    def vote(self) -> np.ndarray:
        """Whether each position (in text order) is read into the source."""
        present = self.present.sum(axis=0)
        against = self.cover.sum(axis=0) - present
        status = np.sign(present - against)
        keep = status > 0
        for lo, hi in _stretches((status == 0).tolist()):
            rows = np.flatnonzero(self.cover[:, lo:hi].any(axis=1))
            keep[self._plurality(lo, hi, rows, with_empty=True)] = True
        # A place where the copies all read differently ("reversed" / "reverses" / "reversed its"):
        # no column has a majority, yet most copies carry some reading, so the source had one.
        for lo, hi in _stretches((~keep).tolist()):
            across = np.flatnonzero((self.first < lo) & (self.last >= hi))
            carried = self.present[across, lo:hi].sum(axis=1)
            carrying = across[carried > 0]
            # Only word changes: where a copy has a longer passage of its own, the copies diverge there.
            if len(carrying) and 2 * len(carrying) > len(across) and carried.max() <= _MAX_VARIANT_WORDS:
                keep[self._plurality(lo, hi, carrying, with_empty=False)] = True
        return keep & ~self._single_witness(keep)

    def _single_witness(self, keep: np.ndarray) -> np.ndarray:
        """Kept positions in passages that one copy alone carries.

        Text one copy alone has cannot be told from that copy's own addition
        (a page's header, a photo caption, an outlet's footer, a paragraph of
        its own reporting), so the source is the passages its copies share; a
        word one copy reads differently inside a shared passage stays a variant.
        """
        out = np.zeros_like(keep)
        if len(self.order) < 2:
            return out
        kept = np.flatnonzero(keep)
        alone = (self.present[:, kept].sum(axis=0) == 1).tolist()
        for lo, hi in _stretches(alone):
            if hi - lo >= MIN_PASSAGE_WORDS:
                out[kept[lo:hi]] = True
        return out

    def _plurality(self, lo: int, hi: int, rows: np.ndarray, *, with_empty: bool) -> list[int]:
        """Positions of the reading most of ``rows`` give in [lo, hi).

        On a tie a reading beats no reading (copies cut more than they add),
        then the commoner wording wins (a spinner's synonyms are rarer than the
        words it replaced; so are most editors'), then the longer, then the
        most central child's.
        """
        readings: dict[tuple[int, ...], list[int]] = {}
        for r in rows.tolist():
            reading = tuple((lo + np.flatnonzero(self.present[r, lo:hi])).tolist())
            if reading or with_empty:
                readings.setdefault(reading, []).append(r)
        if not readings:
            return []
        top = max(len(children) for children in readings.values())
        tied = [x for x in readings if len(readings[x]) == top]
        return list(min(tied, key=lambda x: (not x, -self._commonness(x, readings[x][0]), -len(x),
                                             min(readings[x]))))

    def _commonness(self, reading: tuple[int, ...], row: int) -> float:
        """Mean word frequency (Zipf scale) of a reading, in the words of the child ``row``."""
        if not reading:
            return 0.0
        words = self.documents[self.order[row]].content_words
        return sum(_zipf(words[self.token[row, k]]) for k in reading) / len(reading)

    # -- writing

    def write(self, keep: np.ndarray) -> Reconstruction:
        kept = np.flatnonzero(keep)
        # A join between two kept positions is carried when some child has words on both sides of it.
        reach = np.full(len(keep) + 1, -1, dtype=np.int64)
        np.maximum.at(reach, self.first, self.last)
        reach = np.maximum.accumulate(reach)[:-1]
        central = self.present.argmax(axis=0)  # the most central child at each position
        # Plain lists: this loop runs once per word, where numpy scalars cost more than they save.
        token_at, central_at, reach_at, positions = self.token.tolist(), central.tolist(), reach.tolist(), kept.tolist()
        texts = [self.documents[c].article.text for c in self.order]
        parts: list[str] = []
        spans: list[tuple[int, int]] = []
        gap_after: set[int] = set()
        length, row = 0, -1
        for n, k in enumerate(positions):
            if n and reach_at[positions[n - 1]] < k:
                parts.append(f"\n\n{GAP_MARK}\n\n")
                length += len(parts[-1])
                gap_after.add(n - 1)
                row = -1
            if row < 0 or token_at[row][k] < 0:
                row = central_at[k]  # stay with one child while it carries the text: its punctuation reads on
            token = token_at[row][k]
            text, (starts, ends) = texts[row], self.offsets[row]
            if n and not parts[-1].endswith("\n"):
                sep = self._separator(text, starts, ends, token)
                parts.append(sep)
                length += len(sep)
            word = text[starts[token]:ends[token]]
            spans.append((length, length + len(word)))
            parts.append(word)
            length += len(word)
        text = "".join(parts) + self._tail_punctuation(kept, central)
        return Reconstruction(text, self._passages(kept, spans, gap_after), self._changes(keep, kept, spans))

    def _tail_punctuation(self, kept: np.ndarray, central: np.ndarray) -> str:
        """The closing punctuation after the last word, as the child carrying it wrote it."""
        if not len(kept):
            return ""
        row = int(central[kept[-1]])
        text, end = self.documents[self.order[row]].article.text, self.offsets[row][1][self.token[row, kept[-1]]]
        after = text[end:end + _MAX_SEPARATOR].split("\n")[0]
        return "".join(ch for ch in after.strip() if not ch.isalnum())[:3]

    @staticmethod
    def _separator(text: str, starts: list[int], ends: list[int], token: int) -> str:
        """What stands between the previous word and this one, from the text of the child giving this one."""
        if token == 0:
            return " "
        between = text[ends[token - 1]:starts[token]]
        if between == " ":
            return between
        if len(between) > _MAX_SEPARATOR or any(ch.isalnum() for ch in between):
            # Page text between two paragraphs: keep the punctuation closing the first.
            head = between.split("\n")[0].strip()
            closing = head if len(head) <= 3 and not any(ch.isalnum() for ch in head) else ""
            return closing + ("\n\n" if "\n" in between else " ")
        # Punctuation stays as written ("-" in "well-known" joined), runs of space fold to one.
        return _SPACE.sub(lambda m: "\n\n" if "\n" in m.group() else " ", between)

    def _passages(self, kept: np.ndarray, spans: list[tuple[int, int]],
                  gap_after: set[int]) -> tuple[SourcePassage, ...]:
        if not len(kept):
            return ()
        ids = [self.documents[c].id for c in self.order]
        carried = np.array([_smooth(row) for row in self.present[:, kept].tolist()], dtype=bool)
        breaks = set((np.flatnonzero((carried[:, 1:] != carried[:, :-1]).any(axis=0)) + 1).tolist())
        breaks |= {n + 1 for n in gap_after}
        runs: list[list[int]] = []  # [first, end) of kept positions, one support each
        start = 0
        for n in sorted(breaks | {len(kept)}):
            runs.append([start, n])
            start = n
        # Where several copies' runs end near each other, a few words fall between: they join
        # the longer neighbour in the same stretch (no gap between), whose copies carry most of them.
        merged: list[list[int]] = []
        for run in runs:
            if merged and merged[-1][1] - 1 not in gap_after and (
                    run[1] - run[0] < MIN_PASSAGE_WORDS or merged[-1][1] - merged[-1][0] < MIN_PASSAGE_WORDS):
                keep_support = run if run[1] - run[0] > merged[-1][1] - merged[-1][0] else merged[-1]
                merged[-1] = [merged[-1][0], run[1], keep_support[0]]
            else:
                merged.append([run[0], run[1], run[0]])
        out = []
        for first, end, at in merged:
            support = tuple(sorted(ids[r] for r in np.flatnonzero(carried[:, at]).tolist()))
            out.append(SourcePassage(spans[first][0], spans[end - 1][1], support))
        return tuple(out)

    def _changes(self, keep: np.ndarray, kept: np.ndarray,
                 spans: list[tuple[int, int]]) -> tuple[CopyChange, ...]:
        """Each child's runs of cut, added and reworded text against the reconstruction."""
        out: list[CopyChange] = []
        for r in sorted(range(len(self.order)), key=lambda r: self.documents[self.order[r]].id):
            doc, (starts, ends) = self.documents[self.order[r]], self.offsets[r]
            present = self.present[r]
            changed = (keep | present) & ~(keep & present)
            mine = np.flatnonzero(present)
            for lo, hi in _stretches(changed.tolist()):
                cut = np.flatnonzero(keep[lo:hi]) + lo
                added = self.token[r, lo:hi][~keep[lo:hi]]
                if len(cut):
                    where = np.searchsorted(kept, cut)
                    s_lo, s_hi = spans[where[0]][0], spans[where[-1]][1]
                else:
                    before = int(np.searchsorted(kept, lo))
                    s_lo = s_hi = spans[before - 1][1] if before else 0
                if len(added):
                    c_lo, c_hi = starts[int(added.min())], ends[int(added.max())]
                else:
                    nxt = np.searchsorted(mine, hi)
                    c_lo = c_hi = starts[self.token[r, mine[nxt]]] if nxt < len(mine) else len(doc.article.text)
                kind = "reworded" if len(cut) and len(added) else "cut" if len(cut) else "added"
                out.append(CopyChange(doc.id, kind, int(s_lo), int(s_hi), int(c_lo), int(c_hi)))
        return tuple(out)


def _smooth(flags: list[bool]) -> list[bool]:
    """Carrying flags with short absences filled and short presences dropped (runs under MIN_PASSAGE_WORDS)."""
    out = list(flags)
    for value in (False, True):
        runs = _runs(out)
        for lo, hi, flag in runs:
            if flag == value and hi - lo < MIN_PASSAGE_WORDS and hi - lo < len(out):
                out[lo:hi] = [not value] * (hi - lo)
    return out


def _stretches(flags: list[bool]) -> list[tuple[int, int]]:
    """[lo, hi) of each run of True."""
    return [(lo, hi) for lo, hi, flag in _runs(flags) if flag]


def _runs(flags: list[bool]) -> list[tuple[int, int, bool]]:
    """(lo, hi, value) of each run of equal flags."""
    if not flags:
        return []
    values = np.asarray(flags, dtype=bool)
    cuts = np.flatnonzero(values[1:] != values[:-1]) + 1
    starts = [0, *cuts.tolist()]
    ends = [*cuts.tolist(), len(flags)]
    return [(lo, hi, bool(values[lo])) for lo, hi in zip(starts, ends, strict=True)]


def _increasing(values: list[int]) -> set[int]:
    """Indices of a longest strictly increasing subsequence of the non-negative ``values``."""
    tails: list[int] = []  # smallest tail value of an increasing run of each length
    tail_at: list[int] = []
    back = [-1] * len(values)
    for i, v in enumerate(values):
        if v < 0:
            continue
        j = bisect.bisect_left(tails, v)
        back[i] = tail_at[j - 1] if j else -1
        if j == len(tails):
            tails.append(v)
            tail_at.append(i)
        else:
            tails[j] = v
            tail_at[j] = i
    out: set[int] = set()
    i = tail_at[-1] if tail_at else -1
    while i >= 0:
        out.add(i)
        i = back[i]
    return out
