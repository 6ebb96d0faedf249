"""The lineage stage's Edmonds solver against networkx, the reference it must agree with edge for edge."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from provenance.stages.branching import maximum_spanning_arborescence

ROOT = -1


def _networkx(nodes, edges):
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    for u, v, w in edges:
        graph.add_edge(u, v, weight=w)
    try:
        tree = nx.maximum_spanning_arborescence(graph, attr="weight", preserve_attrs=True)
    except nx.NetworkXException:
        return None
    return {c: p for p, c in tree.edges()}


def _weight(tree, edges):
    weight = {(u, v): w for u, v, w in edges}
    return sum(weight[(p, c)] for c, p in tree.items())


def _family_graph(rng: random.Random, n: int, *, ties: bool, forced_root: bool, density: float):
    """A family as the lineage stage builds it: a virtual root over the members (or over one), weighed edges."""
    members = rng.sample(range(100), n)
    root = members[0] if forced_root else None
    edges = [(ROOT, m, 0.25) for m in (members if root is None else [root])]
    for p in members:
        for c in members:
            if p != c and c != root and rng.random() < density:
                w = float(rng.randint(-2, 2)) if ties else rng.uniform(-6.0, 6.0)
                edges.append((p, c, w))
    return edges


@pytest.mark.parametrize("ties", [False, True], ids=["distinct", "ties"])
@pytest.mark.parametrize("forced_root", [False, True], ids=["free", "rooted"])
def test_same_tree_as_networkx_on_random_families(ties, forced_root):
    rng = random.Random(f"{ties}-{forced_root}")
    unreachable = spanned = 0
    for trial in range(160):
        n = 2 + trial % 29 if trial % 4 == 0 else rng.randint(2, 7)
        density = rng.choice([0.15, 0.4, 0.8, 1.0])
        edges = _family_graph(rng, n, ties=ties, forced_root=forced_root, density=density)
        ours, theirs = maximum_spanning_arborescence([ROOT], edges), _networkx([ROOT], edges)
        if theirs is None:
            unreachable += 1
            assert ours is None
            continue
        spanned += 1
        assert _weight(ours, edges) == pytest.approx(_weight(theirs, edges), abs=1e-9)
        # The same tree, listed in the same order, ties included: traces stay byte-identical.
        assert list(ours.items()) == list(theirs.items())
    # Both outcomes were exercised.
    assert spanned > 20
    if forced_root:
        assert unreachable > 5


def test_dense_graphs_of_thirty_nodes_with_near_ties():
    rng = random.Random(7)
    for _ in range(6):
        nodes = list(range(30))
        edges = [(u, v, round(rng.uniform(0, 1), 2)) for u in nodes for v in nodes if u != v]
        ours, theirs = maximum_spanning_arborescence([], edges), _networkx([], edges)
        assert list(ours.items()) == list(theirs.items())


def test_cycle_is_broken_where_the_outside_edge_enters():
    # 1 and 2 prefer each other; the root reaches the cycle best through 2.
    edges = [(ROOT, 1, 1.0), (ROOT, 2, 3.0), (1, 2, 10.0), (2, 1, 10.0)]
    assert maximum_spanning_arborescence([ROOT], edges) == {2: ROOT, 1: 2}


def test_no_tree_when_a_node_cannot_be_reached():
    edges = [(ROOT, 1, 1.0), (1, 2, 1.0), (3, 2, 5.0)]
    assert maximum_spanning_arborescence([ROOT], edges) is None
    assert maximum_spanning_arborescence([ROOT, 9], [(ROOT, 1, 1.0)]) is None


def test_a_lone_node_is_a_tree_without_edges():
    assert maximum_spanning_arborescence([ROOT], []) == {}
    assert maximum_spanning_arborescence([], []) is None
