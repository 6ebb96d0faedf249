"""Collation of three witnesses: where two copies agree and a third reads otherwise.

This is the textual critic's tool behind the lineage stage.  Given aligned
pairs, :class:`Collation` answers "in how many places do ``y`` and ``z`` read
the same while ``x`` reads otherwise?", split into changes of wording and
changes of typographic habit (quotes, dashes, apostrophes, case).  A house
style is one decision however often it shows, so each habit counts once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from ..model import Alignment, Document
from .direction import _zipf, punctuation_before, reading_agreement
from .ocr import letters_found, looks_scanned, lost_line_words, misread_alike

__all__ = ["Collation", "OwnReadings", "Readings"]

# A change towards the plainer or commoner form (straight quotes, hyphens,
# commoner words) is what copies also do independently of each other, so it
# says less about descent than a change away from it.
_CONVERGENT_WEIGHT = 0.2
_PLAIN = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})
# Beyond the ends of what two texts share, only a real cut counts; a few
# words there are a headline or an edge the aligner left out.
_EDGE_CUT_WORDS = 20
# A shorter run of words missing from two copies is a misalignment or a
# garbled word, not a cut sentence.
_OMISSION_WORDS = 4
# A close spelling (ocr.MISREAD_SIMILARITY) is one word misread, not a word replaced, when m's
# spelling is no word (a house spelling, "organize" for "organise", is a change) or m is a scan.
_MISREAD_ZIPF = 1.5
# Two copies that stop within this many words of each other stop at the same place.
_SAME_CUT_WORDS = 3
# English function words (a closed class): two copies that each reword a phrase of m's otherwise
# agree on them by grammar, not by descent ("an international component" -> "a component", "a
# global component": both wrote "a").  Copies that differ there and share only these made no
# change of m's together; copies that read alike there did.
_FUNCTION_WORDS = frozenset("""
a an the this that these those some any each every no all both either neither
and or but nor so yet if then than as because while although though whether
of in on at by for with from to into onto upon about over under after before between among
through during without within against across along around up down out off
i me my mine we us our ours you your yours he him his she her hers it its they them their theirs
who whom whose which what where when why how
is am are was were be been being has have had do does did will would shall should can could
may might must not
""".split())
# Runs of words one copy has and reads otherwise than another (see Collation.changed_runs).
_CHANGED_RUNS = re.compile(b"\\x01+")
# Weighed places remembered at once (a bound on memory; forgetting changes no answer).
_SITES_KEPT = 200_000


class Readings(tuple):
    """Unique readings of one witness: ``(wording, style)`` weights."""

    __slots__ = ()

    def __new__(cls, wording: float = 0.0, style: float = 0.0) -> Readings:
        return super().__new__(cls, (wording, style))

    @property
    def wording(self) -> float:
        return self[0]

    @property
    def style(self) -> float:
        return self[1]

    @property
    def total(self) -> float:
        return self[0] + self[1]


class OwnReadings(NamedTuple):
    """What :meth:`Collation.own_readings` finds of a would-be source's own readings."""

    own: int
    checked: int
    swaps: int
    parallel: int


class Collation:
    """Reading agreement of aligned pairs, computed once and shared by all triples.

    Parameters
    ----------
    documents : sequence of Document
        The corpus.
    alignments : mapping (i, j) -> Alignment, i < j
        The aligned pairs; triples with an unaligned pair have no answer.
    """

    def __init__(self, documents: Sequence[Document], alignments: Mapping[tuple[int, int], Alignment]):
        self.documents = documents
        self.alignments = alignments
        self._agree: dict[tuple[int, int], np.ndarray] = {}
        self._unique: dict[tuple[int, int, int], Readings | None] = {}
        # A place where x reads otherwise than y recurs for every third witness z: weigh it once.
        self._sites: dict[tuple[int, int, int, int], tuple[str | None, float]] = {}
        self._differs: dict[tuple[int, int], _Places | None] = {}
        # Per pair, as bytes (1: the two read the same): a run's agreeing words are counted without numpy.
        self._agree_bytes: dict[tuple[int, int], bytes | None] = {}
        self._scans: dict[int, bool] = {}
        self._held_words: dict[tuple[int, int], tuple[bytes, int, int] | None] = {}
        self._matches: dict[tuple[int, int], np.ndarray | None] = {}

    def scanned(self, x: int) -> bool:
        """:func:`~.ocr.looks_scanned` of document ``x`` (asked at every place weighed: kept by index)."""
        scan = self._scans.get(x)
        if scan is None:
            scan = self._scans[x] = looks_scanned(self.documents[x])
        return scan

    def match(self, x: int, y: int) -> np.ndarray | None:
        """Content positions of ``x`` mapped into ``y`` (-1 unmatched), or None if not aligned."""
        # Asked for every triple and every test of the tree: one look-up by the ordered pair.
        try:
            return self._matches[(x, y)]
        except KeyError:
            al = self.alignments.get((min(x, y), max(x, y)))
            found = self._matches[(x, y)] = None if al is None else al.a_match if al.a == x else al.b_match
            return found

    def changed_runs(self, x: int, y: int) -> int:
        """Runs of words of ``x`` that ``y`` has but reads otherwise (typography), past ``x``'s first word.

        0 when the two are not aligned.
        """
        held, agreed = self._held(x, y), self._agreed(x, y)
        if held is None or agreed is None:
            return 0
        # A word y reads alike is one it has: the XOR of the two is the words read otherwise.
        changed = (int.from_bytes(held[0], "little") ^ int.from_bytes(agreed, "little")).to_bytes(len(agreed), "little")
        return len(_CHANGED_RUNS.findall(changed)) - (changed[:1] == b"\x01")

    def agree(self, x: int, y: int) -> np.ndarray | None:
        """Per content word of ``x``: does ``y`` read the same there (typography included)?"""
        if (x, y) not in self._agree:
            al = self.alignments.get((min(x, y), max(x, y)))
            if al is None:
                return None
            agree_a, agree_b = reading_agreement(self.documents[al.a], self.documents[al.b], al)
            self._agree[(al.a, al.b)] = agree_a
            self._agree[(al.b, al.a)] = agree_b
        return self._agree[(x, y)]

    def unique(self, x: int, y: int, z: int) -> Readings | None:
        """Places where ``y`` and ``z`` agree and ``x`` reads otherwise.

        Counted once over the words of ``y`` and once over those of ``z``;
        the smaller count is kept, so one alignment's quirk cannot invent a
        reading.  None when a pair of the three is not aligned.
        """
        key = (x, min(y, z), max(y, z))
        if key not in self._unique:
            one = self._unique_over(x, y, z)
            if one is not None and one.total > 0.0:
                other = self._unique_over(x, z, y)
                one = None if other is None else Readings(min(one.wording, other.wording),
                                                          min(one.style, other.style))
            self._unique[key] = one
        return self._unique[key]

    def carriers(self, x: int, others: Sequence[int]) -> np.ndarray:
        """Per content word of ``x``: how many of ``others`` have it (0: ``x``'s alone, not its story's)."""
        out = np.zeros(len(self.documents[x].content), dtype=np.int32)
        for w in others:
            in_w = self.match(x, w)
            if in_w is not None:
                out += in_w >= 0
        return out

    def shared_cuts(self, x: int, y: int, z: int, *, ends: bool = True, story: np.ndarray | None = None) -> float:
        """Passages of ``x`` that ``y`` and ``z`` both lack: cuts they share (or additions of ``x``'s).

        Inside what all three share, each run of at least ``_OMISSION_WORDS``
        words counts once.  Past the end of what ``y`` and ``z`` share with
        ``x``, a missing tail (or head) counts once when both stop (or start)
        at the same place: two copies cut at the same paragraph made one cut
        between them, whereas cuts at different places are two decisions.
        Copies cut far more often than sources grow text, so a shared cut
        ties ``y`` and ``z`` together without saying that ``x`` changed
        anything; it is kept apart from :meth:`unique`.  0.0 when a pair of
        the three is not aligned.  With ``ends=False`` only cuts inside what
        the three share count (two excerpts of one passage start and stop at
        the same places without one taking from the other).  With ``story``
        (per word of ``x``, see :meth:`carriers`), only those words can be cut:
        a scanned page also prints a neighbouring column's lines, which no copy
        of its story takes.
        """
        held_y, held_z = self._held(x, y), self._held(x, z)
        if held_y is None or held_z is None or self.match(y, z) is None:
            return 0.0
        (_, first_y, last_y), (_, first_z, last_z) = held_y, held_z
        if last_y < 0 or last_z < 0:
            return 0.0
        count = 0.0
        first, last = max(first_y, first_z), min(last_y, last_z)
        if last > first:
            # Per word, 0 where both lack it (and it is the story's): the held bytes OR-ed as integers,
            # a few microseconds where numpy's run lengths took several calls of its own.
            held = int.from_bytes(held_y[0][first:last], "little") | int.from_bytes(held_z[0][first:last], "little")
            if story is not None:
                held |= int.from_bytes((~story[first:last]).tobytes(), "little")
            # A scan's page also has a masthead and loses lines: a cut is longer than those.
            shortest = max(_OMISSION_WORDS, lost_line_words(self.documents[x])) \
                if self.scanned(x) else _OMISSION_WORDS
            count += float(len(_lacking_runs(shortest).findall(held.to_bytes(last - first, "little"))))
        if not ends:
            return count
        # Without a story every word of x can be cut.
        after, before = max(last_y, last_z) + 1, min(first_y, first_z)
        tail = len(held_y[0]) - after if story is None else np.count_nonzero(story[after:])
        if tail >= _EDGE_CUT_WORDS and abs(last_y - last_z) <= _SAME_CUT_WORDS:
            count += 1.0
        head = before if story is None else np.count_nonzero(story[:before])
        if head >= _EDGE_CUT_WORDS and abs(first_y - first_z) <= _SAME_CUT_WORDS:
            count += 1.0
        return count

    def held_span(self, x: int, y: int) -> tuple[int, int] | None:
        """The first and last word of ``x`` that ``y`` has (``len(x)``, -1 when none); None if not aligned."""
        held = self._held(x, y)
        return None if held is None else held[1:]

    def _held(self, x: int, y: int) -> tuple[bytes, int, int] | None:
        """Per word of ``x``, 1 where ``y`` has it (as bytes); the first and last such word (len, -1: none).

        None when the two are not aligned.
        """
        if (x, y) not in self._held_words:
            in_y = self.match(x, y)
            if in_y is None:
                self._held_words[(x, y)] = None
            else:
                held = (in_y >= 0).tobytes()
                first = held.find(1)
                self._held_words[(x, y)] = (held, len(held) if first < 0 else first, held.rfind(1))
        return self._held_words[(x, y)]

    def own_readings(self, m: int, others: Sequence[int],
                     branch: Callable[[int, int], bool] | None = None) -> OwnReadings:
        """Places where ``m`` reads otherwise than every copy that carries them, and those copies all alike.

        The test of a would-be source: copies of a source may each change it,
        and a branch of copies may share a change inherited from the copy
        between them, so a reading of ``m`` that any other copy keeps can be
        the original one.  Only a word of ``m`` that every copy carrying the
        place has replaced, two or more of them and all by the same words, is
        a change of ``m``'s own (see :meth:`_unanimous`).  Words only ``m``
        has (text the copies cut, or ``m`` added) are no evidence either way:
        they are not counted.  Two copies for which ``branch(x, y)`` holds
        (either way round) are one branch, one having taken its text from the
        other: what they agree on is one copy's change, not ``m``'s.

        Returns
        -------
        own : int
            Runs of such words.
        checked : int
            Words of ``m`` that two or more copies carry (with its reading or another).
        swaps : int
            Those of the ``own`` runs that are one word read as one other word (a synonym).
        parallel : int
            Places where two copies both replaced ``m``'s words and read them differently: how
            often copies reword one place, against which their agreeing by chance is weighed.
        """
        n = len(self.documents[m].content)
        kept = np.zeros(n, dtype=bool)
        replaced: dict[int, list[tuple[int, int, int, int]]] = {}
        carried = np.zeros(n, dtype=np.int32)
        for x in others:
            in_x = self.match(m, x)
            if in_x is None:
                continue
            hits = np.flatnonzero(in_x >= 0)
            if len(hits) == 0:
                continue
            kept |= in_x >= 0
            inside = np.zeros(n, dtype=bool)
            inside[hits[0] : hits[-1] + 1] = True
            carried += inside
            # Between two matched words, x has other words where m has its own: x replaced them
            # (found by array, not by a loop over every matched word).
            at = in_x[hits]
            gaps = np.flatnonzero((np.diff(hits) > 1) & (np.diff(at) > 1))
            replaced[x] = [(left + 1, right, at_left + 1, at_right) for left, right, at_left, at_right in zip(
                hits[gaps].tolist(), hits[gaps + 1].tolist(), at[gaps].tolist(), at[gaps + 1].tolist(), strict=True)]
        own = swaps = parallel = 0
        marked = np.zeros(n, dtype=bool)
        # Places two copies both replaced, each its own way.
        apart = np.zeros(n, dtype=bool)
        witnesses = [x for x in replaced if replaced[x]]
        for a, x in enumerate(witnesses):
            for y in witnesses[a + 1:]:
                x_in_y = self.match(x, y)
                if x_in_y is None:
                    continue
                for s, e, xs, xe in replaced[x]:
                    # A place some copy keeps can still show two copies rewording it each their own way.
                    held = kept[s:e].any()
                    if marked[s:e].any() or (held and apart[s:e].any()) or (
                            not held and self._misread(m, s, e, x, xs, xe)):
                        continue
                    for s2, e2, ys, ye in replaced[y]:
                        if s2 < e and s < e2:
                            if not self._agree_at(x, xs, xe, y, ys, ye, x_in_y):
                                if not apart[s:e].any():
                                    apart[s:e] = True
                                    parallel += 1
                            elif not held and not (branch is not None and (branch(x, y) or branch(y, x))) \
                                    and self._unanimous(x, (s, e, xs, xe), (x, y), replaced):
                                own += 1
                                swaps += e - s == 1 and xe - xs == 1
                                marked[s:e] = True
                            break
        return OwnReadings(own, int(np.count_nonzero(carried >= 2)), swaps, parallel)

    def _agree_at(self, x: int, x_start: int, x_end: int, y: int, y_start: int, y_end: int,
                  x_in_y: np.ndarray) -> bool:
        """Whether ``x``'s words [x_start, x_end) and ``y``'s [y_start, y_end) are one reading of one place."""
        alt = x_in_y[x_start:x_end]
        agreed = (alt >= y_start) & (alt < y_end)
        return bool(len(alt)) and np.count_nonzero(agreed) * 2 >= len(alt) \
            and self._read_alike(x, x_start, x_end, y, y_start, y_end) \
            and self._one_change(x, x_start, x_end, y, y_start, y_end, agreed)

    def _unanimous(self, x: int, place: tuple[int, int, int, int], pair: tuple[int, int],
                   replaced: Mapping[int, list[tuple[int, int, int, int]]]) -> bool:
        """Whether every copy reading a would-be source's place (with words of its own there) reads it as ``x``.

        ``place`` is the source's words [s, e) and ``x``'s [xs, xe) there; ``pair`` the two copies
        found to agree.  A word that copies replaced in several ways is a word editors replace:
        each copy may have changed it, and two of three picking the same replacement is a
        coincidence as likely as not.  Only where the copies that reword the place all read it
        one way is the would-be source's reading its own change (they kept the original).  A
        copy that cut the place reads nothing there and has no say.
        """
        s, e, xs, xe = place
        for z, runs in replaced.items():
            if z in pair or (x_in_z := self.match(x, z)) is None:
                continue
            there = [(zs, ze) for s3, e3, zs, ze in runs if s3 < e and s < e3]
            if there and not any(self._agree_at(x, xs, xe, z, zs, ze, x_in_z) for zs, ze in there):
                return False
        return True

    def _one_change(self, x: int, x_start: int, x_end: int, y: int, y_start: int, y_end: int,
                    agreed: np.ndarray) -> bool:
        """Whether two copies' rewordings of one place are one change: the same words, or sharing more than grammar.

        ``agreed`` marks ``x``'s words there that ``y``'s rewording has too.
        """
        words_x, words_y = self.documents[x].content_words, self.documents[y].content_words
        if [w.casefold() for w in words_x[x_start:x_end]] == [w.casefold() for w in words_y[y_start:y_end]]:
            return True
        return any(words_x[x_start + int(p)].casefold() not in _FUNCTION_WORDS for p in np.flatnonzero(agreed))

    def _read_alike(self, x: int, x_start: int, x_end: int, y: int, y_start: int, y_end: int) -> bool:
        """Whether two copies' words at one place are one reading: aligned, and in scans the same letters.

        Scans align a word or two of any two texts at the head of a page (each
        paper's own masthead) or beside a neighbouring column; two scans agree
        on a reading only when its letters are found in both.
        """
        if not (self.scanned(x) or self.scanned(y)):
            return True
        doc_x, doc_y = self.documents[x], self.documents[y]
        words_x, words_y = doc_x.content_words[x_start:x_end], doc_y.content_words[y_start:y_end]
        return letters_found(words_x, words_y) and letters_found(words_y, words_x)

    def _misread(self, m: int, start: int, end: int, x: int, x_start: int, x_end: int) -> bool:
        """Whether ``m``'s words there are a misreading of ``x``'s (a scan's letters), not other words.

        Every scanned copy garbles its own letters; a printed source's scan does
        too, and that is no change of the text it printed.  A close spelling is
        misread when ``m`` is a scan, or when it is no word (in a clean text a
        close spelling that is a word is a house spelling: a change).
        """
        words_m = self.documents[m].content_words[start:end]
        words_x = self.documents[x].content_words[x_start:x_end]
        if self.scanned(m) and (letters_found(words_x, words_m) or (
                letters_found(words_m, words_x) and len(words_x) - len(words_m) <= lost_line_words(self.documents[m]))):
            # A scan splits, joins and garbles words, its misreading keeps the letters; what
            # only m has there besides is no change of m's, nor are a few words its scan lost.
            return True
        if self.scanned(m) and words_m and all(_zipf(w) == 0.0 for w in words_m):
            # Where the copies read words, a scan's words in no word list are its misreadings: an
            # editor replaces words by words ("lxiug" for "lying" keeps too few letters to be found).
            return True
        if len(words_m) != len(words_x) or not misread_alike(words_m, words_x).all():
            return False
        # A scan misreads letters into other words too ("bank" as "hank").
        return self.scanned(m) or all(
            _zipf(a) < _MISREAD_ZIPF <= _zipf(b) for a, b in zip(words_m, words_x, strict=True))

    def _places(self, y: int, x: int) -> _Places | None:
        """Where ``x`` reads otherwise than ``y``, over ``y``'s words (None if not aligned); kept per pair."""
        key = (y, x)
        if key not in self._differs:
            yx, y_in_x = self.agree(y, x), self.match(y, x)
            self._differs[key] = None if yx is None or y_in_x is None else _Places(~yx, y_in_x, self._held(y, x))
        return self._differs[key]

    def _agreed(self, y: int, z: int) -> bytes | None:
        """:meth:`agree` of ``y`` and ``z`` as bytes, 1 where they read the same."""
        if (y, z) not in self._agree_bytes:
            yz = self.agree(y, z)
            self._agree_bytes[(y, z)] = None if yz is None else yz.tobytes()
        return self._agree_bytes[(y, z)]

    def _unique_over(self, x: int, y: int, z: int) -> Readings | None:
        """Weighed places where ``z`` reads as ``y`` (:meth:`_agreed`) and ``x`` otherwise, over ``y``'s words.

        Such places lie inside the runs where ``x`` reads otherwise than ``y``
        (the pair's places, weighed once for every ``z``), most often they are
        a whole run.  A place beyond the ends of what ``x`` has counts only
        when it is a real cut (see :meth:`_Places.counts`).  One loop over the
        runs, no generator: this is asked for every triple of a family.
        """
        places, yz = self._places(y, x), self._agreed(y, z)
        if places is None or yz is None:
            return None
        found = False
        wording = 0.0
        styles: dict[str, float] = {}
        count, sites = yz.count, places.sites
        for i, (start, end, counted) in enumerate(places.runs):
            agreed = count(1, start, end)
            if not agreed:
                continue
            found = True
            if agreed < end - start:
                weighed = self._parts(x, y, places, yz, start, end)
            elif counted:
                weighed = [sites[i] or places.weigh(self, x, y, i)]
            else:
                continue
            for style, weight in weighed:
                if style is None:
                    wording += weight
                else:
                    styles[style] = max(styles.get(style, 0.0), weight)
        return Readings(wording, sum(styles.values())) if found else Readings()

    def _parts(self, x: int, y: int, places: _Places, yz: bytes, start: int, end: int,
               ) -> list[tuple[str | None, float]]:
        """Sites of the parts of run [start, end) that ``z`` reads as ``y`` (each a place of its own) and count."""
        out = []
        at = yz.find(1, start, end)
        while at >= 0:
            stop = yz.find(0, at, end)
            stop = end if stop < 0 else stop
            if places.counts(at, stop):
                out.append(self._part(x, y, places, at, stop))
            at = yz.find(1, stop, end)
        return out

    def _part(self, x: int, y: int, places: _Places, start: int, end: int) -> tuple[str | None, float]:
        """:meth:`_site` of part of one of the pair's places, kept (up to a bound) by where it is."""
        site = self._sites.get((x, y, start, end))
        if site is None:
            if len(self._sites) >= _SITES_KEPT:
                self._sites.clear()
            site = self._sites[(x, y, start, end)] = self._site(x, y, places, start, end)
        return site

    def _site(self, x: int, y: int, places: _Places, start: int, end: int) -> tuple[str | None, float]:
        """(typographic habit or None for wording, weight) of one place where ``x`` reads otherwise."""
        doc_x, doc_y = self.documents[x], self.documents[y]
        scans = self.scanned(x) or self.scanned(y)
        y_in_x = places.y_in_x
        before = int(y_in_x[start - 1]) if start > 0 else -1
        # A scan's punctuation and letters are its own: what still reads otherwise there is other words.
        if not scans and places.held_all(start, end):
            x_start = int(y_in_x[start])
            surf_y, surf_x = _words_text(doc_y, start, end), _words_text(doc_x, x_start, int(y_in_x[end - 1]) + 1)
            if before < 0 or before != x_start - 1:
                # The texts join other words there (a headline, a merged sentence): the marks
                # before the place and its first letter's case are the junction's, no habit.
                surf_y, surf_x = surf_y[:1].lower() + surf_y[1:], surf_x[:1].lower() + surf_x[1:]
                if surf_y == surf_x:
                    return None, 0.0
            else:
                # With the punctuation just before the place (a quote opened, a dash).
                surf_y, surf_x = punctuation_before(doc_y, start) + surf_y, punctuation_before(doc_x, x_start) + surf_x
            y_plainer = surf_y.translate(_PLAIN) == surf_y and surf_x.translate(_PLAIN) != surf_x
            return _habit(surf_x, surf_y), _CONVERGENT_WEIGHT if y_plainer else 1.0
        after = int(y_in_x[end]) if end < len(y_in_x) else -1
        if scans and self._scan_noise(x, y, start, end, before, after):
            return None, 0.0
        if before >= 0 and after > before and after - before - 1 == end - start:
            words_x = doc_x.content_words[before + 1 : after]
            words_y = doc_y.content_words[start:end]
            if all(_zipf(wx) - _zipf(wy) >= 0.8 for wx, wy in zip(words_x, words_y, strict=True)):
                return None, _CONVERGENT_WEIGHT
        return None, 1.0

    def _scan_noise(self, x: int, y: int, start: int, end: int, before: int, after: int) -> bool:
        """Whether ``x`` reading otherwise than ``y``'s words [start, end) is what scanning does, not a change.

        ``before`` and ``after`` are the words of ``x`` aligned just around the
        place (-1 when none).  A scan's misreadings are its own: words the
        letter alignment paired, or letters of ``y``'s words found among ``x``'s
        there (a misreading, or one beside a neighbouring column's lines
        interleaved by a column break), are one text read twice.  And a scan
        loses lines: a scanned ``x`` lacking no more than a few of its
        printed lines' words has lost them, not cut them.
        """
        words_y = self.documents[y].content_words[start:end]
        words_x = self.documents[x].content_words[before + 1 : after] if 0 <= before < after else []
        if letters_found(words_y, words_x):
            return True
        doc_x = self.documents[x]
        return self.scanned(x) and end - start <= lost_line_words(doc_x)


class _Places:
    """Where one witness ``x`` reads otherwise than another ``y``: runs of ``y``'s words, and their weights.

    A third witness that reads as ``y`` over a whole run makes it one place of
    ``x``'s own reading; the run's weight (:meth:`Collation._site`) is the
    same whichever witness it is, so it is worked out once, when first asked.
    """

    __slots__ = ("y_in_x", "held", "first", "last", "runs", "sites")

    def __init__(self, differs: np.ndarray, y_in_x: np.ndarray, held: tuple[bytes, int, int]):
        """``differs``: per word of ``y``, ``x`` reads otherwise; ``y_in_x``: ``y``'s words in ``x``.

        ``held``: :meth:`Collation._held` of ``y`` in ``x`` (whether ``x`` has all of a run is one
        search of its bytes).
        """
        self.y_in_x = y_in_x
        self.held, self.first, self.last = held
        # The runs of differs: it changes at a run's start and just past its end.
        padded = np.concatenate(([False], differs, [False]))
        edges = np.flatnonzero(padded[1:] != padded[:-1]).tolist()
        # (start, end, whether the whole run counts): asked for every third witness.
        self.runs = [(start, end, self.counts(start, end)) for start, end in zip(edges[::2], edges[1::2], strict=True)]
        self.sites: list[tuple[str | None, float] | None] = [None] * len(self.runs)

    def counts(self, start: int, end: int) -> bool:
        """Whether a place [start, end) counts: beyond the ends of what ``x`` has, only a real cut does."""
        return not ((end <= self.first or start > self.last) and end - start < _EDGE_CUT_WORDS)

    def held_all(self, start: int, end: int) -> bool:
        """Whether ``x`` has every word of [start, end)."""
        return self.held.find(0, start, end) < 0

    def weigh(self, collation: Collation, x: int, y: int, i: int) -> tuple[str | None, float]:
        """:meth:`Collation._site` of run ``i`` (``x`` and ``y`` the pair's), kept."""
        site = self.sites[i] = collation._site(x, y, self, *self.runs[i][:2])
        return site


_QUOTES = frozenset("“”\"«»„")
_APOSTROPHES = frozenset("’‘'`")
_DASHES = frozenset("–—-")


@lru_cache(maxsize=64)
def _lacking_runs(length: int) -> re.Pattern[bytes]:
    """Runs of at least ``length`` zero bytes (words neither copy has), each matched whole."""
    return re.compile(b"\\x00{%d,}" % length)


def _habit(a: str, b: str) -> str:
    """Which typographic habit two readings of the same words differ in."""
    changed = set(a) ^ set(b)
    if changed & _QUOTES:
        return "quotes"
    if changed & _APOSTROPHES:
        return "apostrophes"
    if changed & _DASHES:
        return "dashes"
    if a.casefold() == b.casefold():
        return "case"
    return "punctuation"


def _words_text(doc: Document, start: int, end: int) -> str:
    """Original text of content words [start, end), from the first's first letter to the last's last."""
    tokens, content = doc.tokens, doc.content
    return doc.article.text[int(tokens.starts[int(content[start])]) : int(tokens.ends[int(content[end - 1])])]
