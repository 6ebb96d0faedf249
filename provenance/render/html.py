"""HTML renderer: :class:`~provenance.model.Lineage` -> one self-contained HTML page.

The page is built only from the ``Lineage`` object (no second analysis): this
module turns it into plain view data (tree coordinates, text segments,
timeline rows) and hands that to the Jinja2 templates in
``provenance/render/templates`` with autoescaping on.  Every string taken from
an article is escaped by Jinja2; element ids are derived by hashing, never
from the article ids themselves.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

import jinja2
import markupsafe

from provenance.model import RELATIONS, Document, Edge, Evidence, Latent, Lineage
from provenance.render.words import (
    AGENCY_NAMES,
    WEAK_CONFIDENCE,
    credited_phrase,
    evidence_sentence,
    headline,
    strength,
)

__all__ = ["render_html", "MAX_BYTES_DEFAULT", "FOLD_WORDS_DEFAULT", "FOLD_KEEP_DEFAULT"]

#: Size the report aims to stay under; side-by-side views are shortened past it.
MAX_BYTES_DEFAULT = 9_500_000
#: Identical runs inside a shared passage longer than this many words are collapsed.
FOLD_WORDS_DEFAULT = 60
#: Words left visible at each end of a collapsed run.
FOLD_KEEP_DEFAULT = 15

# Side-by-side detail levels, most detailed first: (fold limit, words kept) for the
# parent column's identical runs, or None when the texts are left out.
_DETAIL = {"full": (FOLD_WORDS_DEFAULT, FOLD_KEEP_DEFAULT), "compact": (16, 4), "none": None}
# Tree geometry, in SVG pixels.
_NODE_W, _NODE_H, _H_GAP, _V_GAP, _MARGIN = 200, 62, 20, 76, 12
_SUB_CHARS = 29  # characters of the outlet line that fit in a box
_WORD = re.compile(r"\S+")
_PUNCT = "\"'“”‘’.,;:!?()[]{}«»—–-"


class Seg(NamedTuple):
    """One piece of a text column: ``kind`` is plain, bp, same, del, ins, num, fold or gap."""

    kind: str
    text: str = ""
    n: int = 0


@dataclass
class Ref:
    """A link target: a document card or an unseen-source card."""

    anchor: str
    label: str
    id: str
    latent: bool = False
    filter: str = ""


class Link(NamedTuple):
    """An edge seen from one end: the other end, the edge, its CSS-safe relation, its credit."""

    ref: Ref
    edge: Edge
    rel: str
    credited: str = "unknown"

    @property
    def credit_words(self) -> str:
        return credited_phrase(self.credited)

    @property
    def reasons(self) -> list[dict[str, Any]]:
        """The evidence as sentences, strongest first, each with its strength in words and a bar width."""
        return _reasons(self.edge.evidence)


@dataclass
class Panel:
    """View data of one document card."""

    ref: Ref
    doc: Document
    parent: Link | None
    children: list[Link]
    parent_col: list[Seg] | None = None
    child_col: list[Seg] | None = None
    siblings: list[Ref] = field(default_factory=list)
    # Edges outside the tree: the other stories a digest took passages from, and the digests
    # that took passages from this one besides their parent.
    other_sources: list[Link] = field(default_factory=list)
    taken_by: list[Link] = field(default_factory=list)


def render_html(lineage: Lineage, *, max_bytes: int = MAX_BYTES_DEFAULT) -> str:
    """Render a lineage as one self-contained HTML report.

    Parameters
    ----------
    lineage : Lineage
        Result of a trace; its documents carry the original texts.
    max_bytes : int, default=MAX_BYTES_DEFAULT
        Size the page aims to stay under.  Families are laid out largest first;
        when the texts would not fit, the parent column of later side-by-side
        views is shortened to the changed words, then the texts are left out.

    Returns
    -------
    str
        A complete HTML document (inline CSS and JS, no network access).

    Raises
    ------
    TypeError
        If ``lineage`` is not a :class:`~provenance.model.Lineage`.
    """
    if not isinstance(lineage, Lineage):
        raise TypeError(f"render_html expects a Lineage, got {type(lineage).__name__} instead.")
    ctx = _Ctx({d.id: d for d in lineage.documents}, lineage)
    ctx.latent = {lat.id: lat for lat in lineage.latent}
    ctx.agency = {f.root: f.agency.label for f in lineage.families if f.agency}
    for edge in lineage.edges:
        ctx.parent_edge.setdefault(edge.child, edge)
        ctx.kids.setdefault(edge.parent, []).append(edge)
    for edge in lineage.other_source_edges():
        ctx.others.setdefault(edge.child, []).append(edge)
        ctx.taken_by.setdefault(edge.parent, []).append(edge)
    linked = set(ctx.parent_edge) | set(ctx.kids) | set(ctx.taken_by)
    groups = _groups(lineage, ctx, linked)
    counts = Counter(e.relation for e in lineage.edges)
    relations = [(r, counts.pop(r, 0)) for r in RELATIONS] + sorted(counts.items())
    independents = [d for d in lineage.documents if d.id not in linked]
    page = {
        "lineage": lineage,
        "uncredited": sum(lineage.credited(e) == "no" for e in lineage.edges),
        "weak": WEAK_CONFIDENCE,
        "relations": relations,
        "independents": [(d, ctx.ref(d.id)) for d in independents],
    }
    # Lay every family out without texts, then give texts to families, largest first,
    # while they fit: full side by side, else the parent column shortened to the changes.
    template, macros = _env().get_template("report.html"), _env().get_template("macros.html").module
    bare = [ctx.family(i + 1, g, "none") for i, g in enumerate(groups)]
    sections = [macros.family(f) for f in bare]  # type: ignore[attr-defined]
    spare = max_bytes - len(
        template.render(page, families=bare, sections=sections, shortened=True).encode()
    )
    shortened = False
    for i, g in enumerate(groups):
        need = sum(
            len(ctx.docs[m].article.text) for m in g if m in ctx.parent_edge and m in ctx.docs
        )
        for level in ("full", "compact") if need <= spare else ():  # child texts never shrink
            html = macros.family(ctx.family(i + 1, g, level))  # type: ignore[attr-defined]
            extra = len(html.encode()) - len(sections[i].encode())
            if extra <= spare:
                sections[i], spare = html, spare - extra
                shortened = shortened or level != "full"
                break
        else:
            shortened = True
    return template.render(page, families=bare, sections=sections, shortened=shortened)


_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _no_controls(value: object) -> object:
    """Replace control characters (terminal escapes, NUL) in anything the templates print."""
    if isinstance(value, markupsafe.Markup):
        return markupsafe.Markup(_CONTROLS.sub("\ufffd", str(value)))
    return _CONTROLS.sub("\ufffd", value) if isinstance(value, str) else value


@functools.cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("provenance", "render/templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_no_controls,
    )
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False, "default": str}
    return env


def _groups(lineage: Lineage, ctx: _Ctx, linked: set[str]) -> list[list[str]]:
    """Member ids of each family with an edge, largest first.

    Linked ids that no family lists join the group of a neighbour (or start their own),
    so every edge is drawn.
    """
    groups: list[list[str]] = []
    where: dict[str, list[str]] = {}
    for fam in lineage.families:
        members = [m for m in dict.fromkeys(fam.members) if m not in where]
        if linked.intersection(members):
            groups.append(members)
            where.update((m, members) for m in members)
    stray = sorted(linked.difference(where))
    while stray:
        for i in stray:
            near = [e.parent for e in [ctx.parent_edge.get(i)] if e] + [e.child for e in ctx.taken_by.get(i, [])]
            group = next((where[n] for n in near + ctx.children(i) if n in where), None)
            if group is not None:
                break
        else:
            i, group = stray[0], []
            groups.append(group)
        group.append(i)
        where[i] = group
        stray.remove(i)
    return sorted(groups, key=lambda g: -len(g))


def _anchor(prefix: str, key: str) -> str:
    return f"{prefix}-{hashlib.sha1(key.encode('utf-8', 'surrogatepass')).hexdigest()[:16]}"


@dataclass
class _Ctx:
    """Lookups shared while building the view data of one report."""

    docs: dict[str, Document]
    lineage: Lineage
    parent_edge: dict[str, Edge] = field(default_factory=dict)
    kids: dict[str, list[Edge]] = field(default_factory=dict)
    others: dict[str, list[Edge]] = field(default_factory=dict)  # child -> edges from its other sources
    taken_by: dict[str, list[Edge]] = field(default_factory=dict)  # source -> the same edges
    diffs: dict[tuple[str, str], list] = field(default_factory=dict)  # word diffs, reused
    latent: dict[str, Latent] = field(default_factory=dict)  # reconstructed unseen sources
    agency: dict[str, str] = field(default_factory=dict)  # family root -> probable agency

    def published(self, doc_id: str) -> str:
        doc = self.docs.get(doc_id)
        return (doc.article.published or "") if doc else ""

    def children(self, doc_id: str) -> list[str]:
        return [e.child for e in self.kids.get(doc_id, [])]

    def refs(self, doc_id: str, but: str = "") -> list[Ref]:
        """Links to the children of ``doc_id`` (except ``but``)."""
        return [self.ref(c) for c in self.children(doc_id) if c != but]

    def ref(self, doc_id: str) -> Ref:
        if doc_id in self.docs:
            doc = self.docs[doc_id]
            return Ref(_anchor("doc", doc_id), headline(doc), doc_id, False, _search_key(doc))
        return Ref(_anchor("src", doc_id), "unseen source", doc_id, True, doc_id.lower())

    def link(self, edge: Edge, other: str) -> Link:
        return Link(self.ref(other), edge, _rel(edge), self.lineage.credited(edge))

    def family(self, number: int, members: list[str], level: str) -> dict[str, Any]:
        above = [self.parent_edge[m].parent for m in members if m in self.parent_edge]
        nodes = list(dict.fromkeys(members + above))  # parents outside the family too
        parent = {n: self.parent_edge[n].parent for n in nodes if n in self.parent_edge}
        tree = self.tree(nodes, parent)
        roots = [n["ref"] for n in tree["nodes"] if n["root"]]
        return {
            "anchor": _anchor("fam", "\0".join(nodes)),
            "number": number,
            "root": roots[0] if roots else self.ref(nodes[0]),
            "size": sum(n in self.docs for n in nodes),
            "tree": tree,
            "panels": [self.panel(n, level) for n in tree["order"] if n in self.docs],
            "latent": [self.source_card(n, level) for n in nodes if n not in self.docs],
            "agency": self.agency.get(roots[0].id if roots else nodes[0], ""),
            "timeline": _timeline([self.docs[n] for n in nodes if n in self.docs], self.ref),
        }

    def source_card(self, lat_id: str, level: str) -> Any:
        from .html_sources import source_card

        return source_card(self.ref(lat_id), self.latent.get(lat_id), self.refs(lat_id), self.docs,
                           with_copies=level != "none")

    def tree(self, nodes: list[str], parent: dict[str, str]) -> dict[str, Any]:
        children: dict[str, list[str]] = {n: [] for n in nodes}
        for n in sorted(nodes, key=lambda n: (self.published(n), n)):  # siblings oldest first
            if parent.get(n) in children and parent[n] != n:
                children[parent[n]].append(n)
        pos = _layout(nodes, children, [n for n in nodes if parent.get(n) not in children])
        unit_x, unit_y = _NODE_W + _H_GAP, _NODE_H + _V_GAP
        xy = {n: (_MARGIN + x * unit_x, _MARGIN + d * unit_y) for n, (x, d) in pos.items()}
        out = []
        for n, (x, y) in xy.items():
            doc, ref, root = self.docs.get(n), self.ref(n), parent.get(n) not in xy
            sub, credit = "not in the folder", ""
            if n in self.latent:
                agency = self.latent[n].agency
                sub = f"probably {agency.name}" if agency and agency.name else "agency unknown"
            if doc is not None:
                sub = doc.article.outlet or next(iter(doc.credits), f"{doc.words} words")
            if n in self.parent_edge and parent.get(n) in xy:
                credit = self.lineage.credited(self.parent_edge[n])
            lines = textwrap.wrap(ref.label, 24, max_lines=2, placeholder=" …") or [ref.id]
            badge = {"yes": "credited", "no": "uncredited"}.get(credit, "credit ?") if credit else ""
            room = _SUB_CHARS - (len(badge) + 3 if badge else 0)  # the box is ~30 characters wide
            sub = sub if len(sub) <= room else sub[: room - 1] + "…"
            out.append({"ref": ref, "x": x, "y": y, "lines": lines, "sub": sub, "root": root,
                        "credited": credit, "badge": badge})
        arrows = [self.arrow(self.parent_edge[n], xy[p], xy[n]) for n, p in parent.items()]
        # A digest's other stories meet its tree arrow at the digest: their labels sit near them instead.
        arrows.extend(dict(self.arrow(e, xy[e.parent], xy[n], at=0.25), other=True)
                      for n in xy for e in self.others.get(n, []) if e.parent in xy)
        return {
            "width": round(max(x for x, _ in xy.values()) + _NODE_W + _MARGIN),
            "height": round(max(y for _, y in xy.values()) + _NODE_H + _MARGIN),
            "node_w": _NODE_W,
            "node_h": _NODE_H,
            "nodes": out,
            "arrows": arrows,
            "order": sorted(xy, key=lambda n: (xy[n][1], xy[n][0])),
        }

    def arrow(self, edge: Edge, top: tuple, bottom: tuple, at: float = 0.78) -> dict:
        """Arrow from box ``top`` to box ``bottom``: wider for surer links, dashed for weak ones.

        Its label sits ``at`` of the way down the curve (three quarters by default).
        """
        x0, y0 = top[0] + _NODE_W / 2, top[1] + _NODE_H
        x1, y1 = bottom[0] + _NODE_W / 2, bottom[1] - 7
        mid = (y0 + y1) / 2
        path = f"M{x0:.1f},{y0:.1f} C{x0:.1f},{mid:.1f} {x1:.1f},{mid:.1f} {x1:.1f},{y1:.1f}"
        t = at
        lx = x0 * ((1 - t) ** 3 + 3 * (1 - t) ** 2 * t) + x1 * (3 * (1 - t) * t * t + t**3)
        ly = y0 * (1 - t) ** 3 + mid * 3 * (1 - t) * t + y1 * t**3 + 4
        return {
            "path": path,
            "head": f"{x1 - 5:.1f},{y1:.1f} {x1 + 5:.1f},{y1:.1f} {x1:.1f},{y1 + 7:.1f}",
            "rel": _rel(edge),
            "weak": edge.confidence < WEAK_CONFIDENCE,
            "other": False,
            "width": round(1.0 + 2.5 * max(0.0, min(1.0, edge.confidence)), 2),
            "label": f"{edge.relation} {edge.confidence:.2f}",
            "lx": round(lx, 1),
            "ly": round(ly, 1),
        }

    def panel(self, doc_id: str, level: str) -> Panel:
        doc = self.docs[doc_id]
        edge = self.parent_edge.get(doc_id)
        panel = Panel(
            self.ref(doc_id),
            doc,
            self.link(edge, edge.parent) if edge else None,
            [self.link(e, e.child) for e in self.kids.get(doc_id, [])],
            other_sources=[self.link(e, e.parent) for e in self.others.get(doc_id, [])],
            taken_by=[self.link(e, e.child) for e in self.taken_by.get(doc_id, [])],
        )
        if edge is None:
            return panel
        source, fold = self.docs.get(edge.parent), _DETAIL[level]
        if source is None:
            panel.siblings = self.refs(edge.parent, but=doc_id)
            if fold is not None:
                panel.child_col = _plain(doc.article.text, 0, len(doc.article.text), doc)
        elif fold is not None:
            panel.parent_col, panel.child_col = _side_by_side(source, doc, edge, fold, self.diffs)
        return panel


def _rel(edge: Edge) -> str:
    """CSS-safe relation name (unknown relations get the neutral style)."""
    return edge.relation if edge.relation in RELATIONS else "other"


def _layout(
    nodes: list[str], children: dict[str, list[str]], roots: list[str]
) -> dict[str, tuple[float, int]]:
    """Layered tidy layout: leaves take consecutive slots, parents sit over their children.

    Every subtree owns its own run of slots, so a box never stands under a box
    that is not its ancestor; a wide family scrolls sideways instead of
    wrapping its children into rows (which made a child seem to hang from a
    sibling).  Returns node -> (slot, depth).
    """
    pos: dict[str, tuple[float, int]] = {}
    seen: set[str] = set()
    slot = 0
    for root in roots + nodes:  # trailing ``nodes`` places anything left by a cycle
        if root in seen:
            continue
        stack: list[tuple[str, int, bool]] = [(root, 0, False)]
        while stack:
            node, depth, done = stack.pop()
            if done:
                placed = [pos[k][0] for k in children[node] if k in pos and pos[k][1] == depth + 1]
                pos[node] = ((min(placed) + max(placed)) / 2 if placed else float(slot), depth)
                slot += 0 if placed else 1
            elif node not in seen:
                seen.add(node)
                stack.append((node, depth, True))
                stack.extend((k, depth + 1, False) for k in reversed(children[node]) if k not in seen)
    return pos


def _search_key(doc: Document) -> str:
    """What the search box matches: title, id, outlet, credits (with agencies' full names), bylines."""
    art = doc.article
    agencies = [AGENCY_NAMES.get(c, "") for c in doc.credits]
    parts = (headline(doc), art.title, art.id, art.outlet, *doc.credits, *agencies, *doc.bylines)
    return " ".join(dict.fromkeys(x for x in parts if x)).lower()


def _reasons(evidence: tuple[Evidence, ...]) -> list[dict[str, Any]]:
    """Evidence as plain sentences, strongest first; facts (no weight) first of all."""
    # A model signal that weighed nothing says nothing; a weightless direction signal is a fact.
    evidence = tuple(ev for ev in evidence if abs(ev.weight) >= 0.05 or not ev.signal.startswith("model:"))
    ordered = sorted(evidence, key=lambda ev: -abs(ev.weight) if abs(ev.weight) >= 0.05 else -1e9)
    top = max([1.0] + [abs(ev.weight) for ev in evidence])
    return [{"sentence": evidence_sentence(ev), "strength": strength(ev.weight),
             "pos": ev.weight >= 0, "pct": round(abs(ev.weight) / top * 100)} for ev in ordered]


def _timeline(docs: list[Document], ref) -> list[dict[str, Any]]:
    """Rows of a family's timeline (only when at least two dates are known)."""
    dated = [(w, d) for d in docs if (w := _parse_date(d.article.published)) is not None]
    dated.sort(key=lambda p: (p[0], p[1].id))
    if len(dated) < 2:
        return []
    first, span = dated[0][0], (dated[-1][0] - dated[0][0]).total_seconds() or 1.0
    rows = []
    for when, doc in dated:
        delta = (when - first).total_seconds()
        rows.append(
            {
                "ref": ref(doc.id),
                "outlet": doc.article.outlet or "",
                "iso": when.isoformat(),
                "shown": when.strftime("%a %d %b %Y, %H:%M %Z").replace(", 00:00 UTC", ""),
                "after": _duration(delta),
                "pct": round(delta / span * 100, 1),
            }
        )
    return rows


def _parse_date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def _duration(seconds: float) -> str:
    hours, minutes = divmod(round(seconds / 60), 60)
    if hours >= 48:
        return f"{hours // 24} days {hours % 24} h later"
    if hours or minutes:
        return f"{hours} h {minutes:02d} min later" if hours else f"{minutes} min later"
    return "first" if seconds == 0 else "under a minute later"


def _side_by_side(
    parent: Document, child: Document, edge: Edge, fold: tuple[int, int], cache: dict
) -> tuple[list[Seg], list[Seg]]:
    """Both texts cut into segments: shared passages marked, word differences inside them."""
    ptext, ctext = parent.article.text, child.article.text
    p_items, c_items = [], []
    for number, sp in enumerate(edge.shared, start=1):
        ps, pe = max(0, sp.parent_start), min(len(ptext), sp.parent_end)
        cs, ce = max(0, sp.child_start), min(len(ctext), sp.child_end)
        if pe <= ps or ce <= cs:
            continue
        psegs, csegs = _diff(ptext[ps:pe], ctext[cs:ce], fold, cache)
        p_items.append((ps, pe, number, psegs))
        c_items.append((cs, ce, number, csegs))
    return _column(ptext, p_items, parent), _column(ctext, c_items, child)


def _column(text: str, items: list, doc: Document) -> list[Seg]:
    out: list[Seg] = []
    cursor = 0
    for start, end, number, segs in sorted(items, key=lambda i: i[0]):
        if start < cursor:  # overlapping passage: the earlier one already shows this text
            continue
        out += _plain(text, cursor, start, doc)
        out.append(Seg("num", str(number)))
        out += segs
        cursor = end
    return _merge(out + _plain(text, cursor, len(text), doc))


def _merge(segs: list[Seg]) -> list[Seg]:
    """Join neighbouring segments of the same text kind (smaller pages)."""
    out: list[Seg] = []
    for seg in segs:
        if out and seg.kind == out[-1].kind and seg.kind in ("plain", "bp", "same", "del", "ins"):
            out[-1] = Seg(seg.kind, out[-1].text + seg.text)
        elif seg.text or seg.n:
            out.append(seg)
    return out


def _plain(text: str, start: int, end: int, doc: Document) -> list[Seg]:
    """Unshared text from ``start`` to ``end``, with boilerplate spans greyed."""
    out: list[Seg] = []
    for span in sorted(doc.boilerplate, key=lambda s: s.start):
        s, e = max(span.start, start), min(span.end, end)
        if e <= s:
            continue
        if s > start:
            out.append(Seg("plain", text[start:s]))
        out.append(Seg("bp", text[s:e]))
        start = e
    if end > start:
        out.append(Seg("plain", text[start:end]))
    return out


def _key(word: str) -> str:
    return word.strip(_PUNCT).casefold() or word


def _cuts(text: str) -> list[int]:
    """Word-start offsets, first at 0 and a final cut at ``len(text)``."""
    starts = [m.start() for m in _WORD.finditer(text)]
    return [0] + starts[1:] + [len(text)] if starts else [0, len(text)]


def _diff(ptext: str, ctext: str, fold: tuple[int, int], cache: dict) -> tuple[list, list]:
    """Word-level differences between two passage strings (rendering only, no scoring)."""
    pc, cc = _cuts(ptext), _cuts(ctext)
    if (ptext, ctext) not in cache:
        pw, cw = [_key(w) for w in _WORD.findall(ptext)], [_key(w) for w in _WORD.findall(ctext)]
        cache[ptext, ctext] = difflib.SequenceMatcher(None, pw, cw).get_opcodes()
    psegs: list[Seg] = []
    csegs: list[Seg] = []
    for tag, i1, i2, j1, j2 in cache[ptext, ctext]:
        if tag == "equal":
            psegs += _equal(ptext, pc, i1, i2, fold, folded=False)
            csegs += _equal(ctext, cc, j1, j2, (FOLD_WORDS_DEFAULT, FOLD_KEEP_DEFAULT), folded=True)
        else:
            psegs += _changed("del", ptext[pc[i1] : pc[i2]])
            csegs += _changed("ins", ctext[cc[j1] : cc[j2]])
    return psegs, csegs


def _changed(kind: str, text: str) -> list[Seg]:
    """A changed run; its trailing whitespace stays part of the shared passage."""
    core = text.rstrip()
    return [Seg(kind, core), Seg("same", text[len(core) :])]


def _equal(
    text: str, cuts: list[int], i1: int, i2: int, fold: tuple[int, int], *, folded: bool
) -> list[Seg]:
    """An unchanged run; long ones fold (child column) or shrink to a note (parent column)."""
    limit, keep = fold
    if i2 - i1 <= limit:
        return [Seg("same", text[cuts[i1] : cuts[i2]])]
    a, b = i1 + keep, i2 - keep
    middle = Seg("fold", text[cuts[a] : cuts[b]], b - a) if folded else Seg("gap", "", b - a)
    return [Seg("same", text[cuts[i1] : cuts[a]]), middle, Seg("same", text[cuts[b] : cuts[i2]])]
