"""Stage 8, unseen sources: a Lineage's latent sources -> their reconstructed text and agency.

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
   children's readings of the tied stretch are compared and the longer
   (copies cut more than they add), then the most central child's, wins;
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

from ..model import Alignment, CopyChange, Document, Edge, Family, Latent, SourcePassage
from .agency import infer_agency

__all__ = ["describe_sources", "reconstruct", "GAP_MARK"]

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


def describe_sources(documents: Sequence[Document], pairs: Pairs, edges: Sequence[Edge],
                     latent: Sequence[Latent], families: Sequence[Family]) -> tuple[list[Latent], list[Family]]:
    """Reconstruct every unseen source and name the probable agency of each family's root.

    Parameters
    ----------
    documents : sequence of Document
        The corpus, indexed as in ``pairs``.
    pairs : dict (i, j) -> (PairEvidence, Alignment)
        The aligned pairs (``i < j``) the lineage was built from.
    edges : sequence of Edge
        The lineage's edges (unused today; part of the stage's input so a
        later rule can weigh children by their own edges).
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
    del edges
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
        Aligned pairs; a missing pair of children is aligned here.
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
    """The children's words merged into ordered columns (column -> {child: content token})."""

    def __init__(self, documents: Sequence[Document], pairs: Pairs, children: list[int]) -> None:
        self.documents = documents
        self.pairs = pairs
        self._aligned: dict[tuple[int, int], Alignment] = {}
        self.order = self._merge_order(children)
        self.rank = {c: r for r, c in enumerate(self.order)}
        self.columns: list[dict[int, int]] = []  # column id -> {child: token}
        self.sequence: list[int] = []  # column ids in text order
        self.column_of: dict[int, np.ndarray] = {}
        for child in self.order:
            self._add(child)
        self.position = {col: k for k, col in enumerate(self.sequence)}
        self.span = {}
        for child in self.order:
            cols = [self.position[c] for c in self.column_of[child].tolist()]
            self.span[child] = (min(cols), max(cols)) if cols else (0, -1)

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
        while rest:
            nxt = max(rest, key=lambda c: (sum(self._shared(c, o) for o in order), -c))
            order.append(nxt)
            rest.remove(nxt)
        return order

    def _add(self, child: int) -> None:
        n = self.documents[child].words
        position = np.full(len(self.columns), -1, dtype=np.int64)
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
            keys, counts = np.unique(np.stack([t_all, c_all]), axis=1, return_counts=True)
            # Per token, the column most of its aligned words sit in (the earliest on a tie).
            order = np.lexsort((position[keys[1]], -counts, keys[0]))
            keys = keys[:, order]
            first = np.ones(keys.shape[1], dtype=bool)
            first[1:] = keys[0, 1:] != keys[0, :-1]
            wanted[keys[0, first]] = keys[1, first]
        wanted_list = wanted.tolist()
        pos_list = position.tolist()
        kept = _increasing([pos_list[c] if c >= 0 else -1 for c in wanted_list])
        # A child aligned with none merged so far goes after them (a gap mark will show the break).
        sequence: list[int] = []
        done = 0 if kept else len(self.sequence)
        if not kept:
            sequence.extend(self.sequence)
        mine = np.empty(n, dtype=np.int64)
        for t in range(n):
            if t in kept:
                col = wanted_list[t]
                q = pos_list[col]
                sequence.extend(self.sequence[done:q + 1])
                done = q + 1
            else:
                col = len(self.columns)
                self.columns.append({})
                sequence.append(col)
            self.columns[col][child] = t
            mine[t] = col
        sequence.extend(self.sequence[done:])
        self.sequence = sequence
        self.column_of[child] = mine

    # -- voting

    def _covering(self, k: int) -> list[int]:
        return [c for c in self.order if self.span[c][0] <= k <= self.span[c][1]]

    def vote(self) -> list[bool]:
        """Whether each column (in text order) is read into the source."""
        status = []
        for k, col in enumerate(self.sequence):
            present = len(self.columns[col])
            against = len(self._covering(k)) - present
            status.append((present > against) - (present < against))
        keep = [s > 0 for s in status]
        for lo, hi in _stretches([s == 0 for s in status]):
            children = set().union(*(self._covering(k) for k in range(lo, hi)))
            for k in self._plurality(lo, hi, children, with_empty=True):
                keep[k] = True
        # A place where the copies all read differently ("reversed" / "reverses" / "reversed its"):
        # no column has a majority, yet most copies carry some reading, so the source had one.
        for lo, hi in _stretches([not flag for flag in keep]):
            across = [c for c in self.order if self.span[c][0] < lo and self.span[c][1] >= hi]
            carried = {c: sum(c in self.columns[self.sequence[k]] for k in range(lo, hi)) for c in across}
            carrying = [c for c in across if carried[c]]
            # Only word changes: where a copy has a longer passage of its own, the copies diverge there.
            if carrying and 2 * len(carrying) > len(across) and max(carried.values()) <= _MAX_VARIANT_WORDS:
                for k in self._plurality(lo, hi, set(carrying), with_empty=False):
                    keep[k] = True
        return keep

    def _plurality(self, lo: int, hi: int, children: set[int], *, with_empty: bool) -> list[int]:
        """Columns of the reading most of ``children`` give in [lo, hi): then the longer, then the most central."""
        readings: dict[tuple[int, ...], list[int]] = {}
        for child in children:
            reading = tuple(k for k in range(lo, hi) if child in self.columns[self.sequence[k]])
            if reading or with_empty:
                readings.setdefault(reading, []).append(child)
        if not readings:
            return []
        best = min(readings, key=lambda r: (-len(readings[r]), -len(r), min(self.rank[c] for c in readings[r])))
        return list(best)

    # -- writing

    def write(self, keep: list[bool]) -> Reconstruction:
        kept = [k for k, flag in enumerate(keep) if flag]
        parts: list[str] = []
        spans: list[tuple[int, int]] = []
        gap_after: set[int] = set()
        length, previous = 0, None  # previous: (child, token)
        for n, k in enumerate(kept):
            col = self.columns[self.sequence[k]]
            if n and not any(s[0] <= kept[n - 1] and s[1] >= k for s in self.span.values()):
                parts.append(f"\n\n{GAP_MARK}\n\n")
                length += len(parts[-1])
                gap_after.add(n - 1)
                previous = None
            child = previous[0] if previous and previous[0] in col else min(col, key=self.rank.__getitem__)
            token = col[child]
            doc = self.documents[child]
            if n and not parts[-1].endswith("\n"):
                sep = self._separator(doc, token)
                parts.append(sep)
                length += len(sep)
            word = doc.article.text[int(doc.tokens.starts[doc.content[token]]):int(doc.tokens.ends[doc.content[token]])]
            spans.append((length, length + len(word)))
            parts.append(word)
            length += len(word)
            previous = (child, token)
        text = "".join(parts) + self._tail_punctuation(kept)
        return Reconstruction(text, self._passages(kept, spans, gap_after), self._changes(keep, kept, spans))

    def _tail_punctuation(self, kept: list[int]) -> str:
        """The closing punctuation after the last word, as the child carrying it wrote it."""
        if not kept:
            return ""
        col = self.columns[self.sequence[kept[-1]]]
        child = min(col, key=self.rank.__getitem__)
        doc, token = self.documents[child], col[child]
        end = int(doc.tokens.ends[doc.content[token]])
        after = doc.article.text[end:end + _MAX_SEPARATOR].split("\n")[0]
        return "".join(ch for ch in after.strip() if not ch.isalnum())[:3]

    @staticmethod
    def _separator(doc: Document, token: int) -> str:
        """What stands between the previous word and this one, from the text of the child giving this one."""
        if token == 0:
            return " "
        before = int(doc.tokens.ends[doc.content[token - 1]])
        here = int(doc.tokens.starts[doc.content[token]])
        between = doc.article.text[before:here]
        if len(between) > _MAX_SEPARATOR or any(ch.isalnum() for ch in between):
            # Page text between two paragraphs: keep the punctuation closing the first.
            head = between.split("\n")[0].strip()
            closing = head if len(head) <= 3 and not any(ch.isalnum() for ch in head) else ""
            return closing + ("\n\n" if "\n" in between else " ")
        # Punctuation stays as written ("-" in "well-known" joined), runs of space fold to one.
        return _SPACE.sub(lambda m: "\n\n" if "\n" in m.group() else " ", between)

    def _passages(self, kept: list[int], spans: list[tuple[int, int]],
                  gap_after: set[int]) -> tuple[SourcePassage, ...]:
        if not kept:
            return ()
        ids = {c: self.documents[c].id for c in self.order}
        carried = {c: _smooth([c in self.columns[self.sequence[k]] for k in kept]) for c in self.order}
        runs: list[list[int]] = []  # [first, end) of kept columns, one support each
        start = 0
        for n in range(1, len(kept) + 1):
            if n == len(kept) or n - 1 in gap_after or any(carried[c][n] != carried[c][n - 1] for c in self.order):
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
            support = tuple(sorted(ids[c] for c in self.order if carried[c][at]))
            out.append(SourcePassage(spans[first][0], spans[end - 1][1], support))
        return tuple(out)

    def _changes(self, keep: list[bool], kept: list[int],
                 spans: list[tuple[int, int]]) -> tuple[CopyChange, ...]:
        """Each child's runs of cut, added and reworded text against the reconstruction."""
        where = {k: n for n, k in enumerate(kept)}
        out: list[CopyChange] = []
        for child in sorted(self.order, key=lambda c: self.documents[c].id):
            doc = self.documents[child]
            run: list[int] = []
            for k in range(len(self.sequence)):
                present = child in self.columns[self.sequence[k]]
                if keep[k] and present:
                    if run:
                        out.append(self._change(doc, child, run, keep, where, spans))
                        run = []
                elif keep[k] or present:
                    run.append(k)
            if run:
                out.append(self._change(doc, child, run, keep, where, spans))
        return tuple(out)

    def _change(self, doc: Document, child: int, run: list[int], keep: list[bool], where: dict[int, int],
                spans: list[tuple[int, int]]) -> CopyChange:
        cut = [where[k] for k in run if keep[k]]
        added = [self.columns[self.sequence[k]][child] for k in run if not keep[k]]
        if cut:
            s_lo, s_hi = spans[cut[0]][0], spans[cut[-1]][1]
        else:
            before = bisect.bisect_left(sorted(where), run[0])
            point = spans[before - 1][1] if before else 0
            s_lo = s_hi = point
        if added:
            c_lo = int(doc.tokens.starts[doc.content[min(added)]])
            c_hi = int(doc.tokens.ends[doc.content[max(added)]])
        else:
            nxt = self._next_token(child, run[-1])
            c_lo = c_hi = int(doc.tokens.starts[doc.content[nxt]]) if nxt is not None else len(doc.article.text)
        kind = "reworded" if cut and added else "cut" if cut else "added"
        return CopyChange(doc.id, kind, s_lo, s_hi, c_lo, c_hi)

    def _next_token(self, child: int, k: int) -> int | None:
        for j in range(k + 1, len(self.sequence)):
            token = self.columns[self.sequence[j]].get(child)
            if token is not None:
                return token
        return None


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
    runs, start = [], 0
    for n in range(1, len(flags) + 1):
        if n == len(flags) or flags[n] != flags[start]:
            runs.append((start, n, flags[start]))
            start = n
    return runs


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
