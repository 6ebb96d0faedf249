"""Maximum spanning arborescence of a small weighted digraph (Edmonds' algorithm), for the lineage stage.

The lineage stage solves one arborescence per family and one more per root it
tries; most families have 2-6 members, where networkx's general graph machinery
(a multigraph per step, a copy of it per contracted cycle, dispatch) costs many
times the algorithm itself.  :func:`maximum_spanning_arborescence` is the
algorithm networkx 3 runs for ``maximum_spanning_arborescence`` (Edmonds'
branching over weights shifted to be positive, cycles contracted and expanded
in the same order) over plain dicts.  It keeps every choice networkx makes:
the same weight shift and float arithmetic, nodes visited and incoming edges
scanned in the same order, the first of equal edges kept, the same edge of a
cycle dropped, and the tree's edges listed in the same order.  Ties and
rounding therefore fall the same way, and a trace's output does not depend on
which of the two solved it (``tests/test_branching.py`` holds it to networkx).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence

__all__ = ["maximum_spanning_arborescence"]

_END = object()


class _Merged:
    """The node a contracted cycle becomes (unequal to every node of the input)."""

    __slots__ = ("level",)

    def __init__(self, level: int):
        self.level = level


def maximum_spanning_arborescence(
    nodes: Iterable[Hashable],
    edges: Iterable[tuple[Hashable, Hashable, float]],
) -> dict[Hashable, Hashable] | None:
    """Spanning arborescence of greatest total weight, as ``networkx.maximum_spanning_arborescence`` finds it.

    Parameters
    ----------
    nodes : iterable of hashable
        Nodes added first, in order (a node only named by an edge is added
        when it first appears there), as in building an ``nx.DiGraph``.
    edges : iterable of (u, v, weight)
        Directed edges u -> v in the order they would be added to the
        ``nx.DiGraph``; a repeated (u, v) replaces the earlier weight.

    Returns
    -------
    dict or None
        ``{child: parent}`` for every node but the root, in the order of the
        networkx tree's ``edges()``; None when no arborescence spans every node.
    """
    succ: dict[Hashable, dict[Hashable, float]] = {n: {} for n in nodes}
    for u, v, w in edges:
        if u not in succ:
            succ[u] = {}
        if v not in succ:
            succ[v] = {}
        succ[u][v] = w
    # A DiGraph lists its edges by source in node order, then by insertion.
    ends = [(u, v) for u, out in succ.items() for v in out]
    weights = [w for out in succ.values() for w in out.values()]
    if not ends:
        return None if len(succ) != 1 else {}
    low, high = math.inf, -math.inf
    for w in weights:
        if w < low:
            low = w
        if w > high:
            high = w
    # networkx's shift: every weight positive, and no contraction can make one negative.
    shifted = [w - low + 1 - (low - high) for w in weights]
    chosen = _branching(ends, shifted)
    children: dict[Hashable, list[Hashable]] = {}
    for key in chosen:
        u, v = ends[key]
        children.setdefault(u, []).append(v)
    parent = {v: u for u in succ for v in children.get(u, ())}
    return parent if _spans(list(succ), parent, len(chosen)) else None


def _spans(nodes: Sequence[Hashable], parent: dict[Hashable, Hashable], n_edges: int) -> bool:
    """Whether the branching (``parent``, with ``n_edges`` edges) is one tree over all ``nodes``."""
    if n_edges != len(nodes) - 1 or len(parent) != n_edges:
        return False
    state: dict[Hashable, int] = {}  # 1 on the current walk up, 2 known to reach the root
    for start in nodes:
        walk, node = [], start
        while node in parent and state.get(node) is None:
            state[node] = 1
            walk.append(node)
            node = parent[node]
        if state.get(node) == 1:
            return False
        for n in walk:
            state[n] = 2
    return True


def _branching(ends: list[tuple[Hashable, Hashable]], weights: list[float]) -> set[int]:
    """Keys (edge indices) of the maximum branching, as a set built in networkx's order of operations.

    Mirrors ``networkx.algorithms.tree.branchings.maximum_branching`` without
    partitions: G is the working multigraph (edges keep their key through
    contractions), B the branching chosen so far.
    """
    # G: node order, adjacency in insertion order (succ[u][v] and pred[v][u] share one key dict).
    g_nodes: dict[Hashable, None] = {}
    succ: dict[Hashable, dict[Hashable, dict[int, None]]] = {}
    pred: dict[Hashable, dict[Hashable, dict[int, None]]] = {}
    src: dict[int, Hashable] = {}
    weight: dict[int, float] = {}

    def add_edge(u: Hashable, v: Hashable, key: int, w: float) -> None:
        for node in (u, v):
            if node not in succ:
                g_nodes[node] = None
                succ[node], pred[node] = {}, {}
        keys = succ[u].get(v)
        if keys is None:
            keys = succ[u][v] = pred[v][u] = {}
        keys[key] = None
        src[key], weight[key] = u, w

    for key, ((u, v), w) in enumerate(zip(ends, weights, strict=True)):
        add_edge(u, v, key, w)
    candidate: set[int] = set()  # edges ever chosen into B (networkx's "candidate" attribute)
    b_index: dict[int, tuple[Hashable, Hashable, float]] = {}  # B's edges, in insertion order
    b_parent: dict[Hashable, int] = {}  # B's edge into each node
    selected: set[Hashable] = set()
    # Per contracted cycle: its edge keys, its lightest edge, each cycle edge's head, and the
    # head (a cycle node) of each edge now entering the merged node, in its in-edge order.
    levels: list[tuple[list[int], int | None, dict[int, Hashable], dict[int, Hashable]]] = []
    order = iter(list(g_nodes))
    while True:
        v = next(order, _END)
        if v is _END:
            break
        if v in selected:
            continue
        selected.add(v)
        best, best_weight = None, -math.inf
        for keys in pred[v].values():
            for key in keys:
                if weight[key] > best_weight:
                    best, best_weight = key, weight[key]
        if best is None or not best_weight > 0:
            continue
        u = src[best]
        # A cycle when u already hangs below v in B (v has no parent in B yet).
        node = u
        while node != v and node in b_parent:
            node = b_index[b_parent[node]][0]
        cycle = node == v
        b_index[best] = (u, v, best_weight)
        b_parent[v] = best
        candidate.add(best)
        if not cycle:
            continue
        # The cycle as B's path v -> ... -> u, closed by the new edge.
        path = [u]
        while path[-1] != v:
            path.append(b_index[b_parent[path[-1]]][0])
        path.reverse()
        circuit = [b_parent[n] for n in path[1:]] + [best]
        min_weight, min_edge = math.inf, None
        incoming: dict[Hashable, float] = {}
        for key in circuit:
            _, head, w = b_index[key]
            incoming[head] = w
            if w < min_weight:
                min_weight, min_edge = w, key
        merged = _Merged(len(levels))
        g_nodes[merged] = None
        succ[merged], pred[merged] = {}, {}
        new_edges = []
        entering: dict[int, Hashable] = {}
        for a in g_nodes:
            for b, keys in succ[a].items():
                if a in incoming:
                    if b not in incoming:  # leaves the cycle: now leaves the merged node
                        new_edges.extend((merged, b, key, weight[key]) for key in keys)
                elif b in incoming:  # enters the cycle: weighed against the cycle edge it replaces
                    new_edges.extend((a, merged, key, weight[key] + (min_weight - incoming[b])) for key in keys)
                    entering.update(dict.fromkeys(keys, b))
        heads = {key: b_index[key][1] for key in circuit}
        levels.append((circuit, min_edge, heads, entering))
        for n in path:
            for b in succ.pop(n):
                del pred[b][n]
            for a in pred.pop(n):
                del succ[a][n]
            del g_nodes[n]
            b_parent.pop(n, None)
        for key in [key for key, (a, b, _) in b_index.items() if a in incoming or b in incoming]:
            del b_index[key]
        selected.difference_update(path)
        for a, b, key, w in new_edges:
            add_edge(a, b, key, w)
            if key in candidate:
                b_index[key] = (a, b, w)
                b_parent[b] = key
        order = iter(list(g_nodes))
    # Expand the cycles, last first: each keeps all its edges but the one into the node
    # entered from outside (or its lightest edge when nothing enters it).
    chosen = set(b_index)
    for circuit, min_edge, heads, entering in reversed(levels):
        entry = next((key for key in entering if key in chosen), None)
        chosen.update(circuit)
        if entry is None:
            if min_edge is None:
                raise RuntimeError("cycle without a lightest edge")
            chosen.remove(min_edge)
        else:
            chosen.remove(next(key for key in circuit if heads[key] == entering[entry]))
    return chosen
