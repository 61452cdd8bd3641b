"""``find_cycle`` reports the same loop whether the nodes with no edge are listed or left out:
``check_cycles`` leaves out the targets that link no other (most of a repository's), so that
they are not walked from (issue 12)."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from bakepy.resolution.checks.references import find_cycle

_NODES = st.sampled_from([f"Target/{name}" for name in "abcdefgh"])


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_NODES, st.lists(_NODES, max_size=3), max_size=8))
def test_nodes_without_edges_change_nothing(edges: dict[str, list[str]]) -> None:
    linked = {node: targets for node, targets in edges.items() if targets}
    assert find_cycle(linked) == find_cycle(edges)


def test_a_loop_among_edgeless_nodes() -> None:
    edges = {"Target/a": [], "Target/b": ["Target/c"], "Target/c": ["Target/b"], "Target/d": []}
    assert find_cycle(edges) == ["Target/b", "Target/c", "Target/b"]
    assert find_cycle({k: v for k, v in edges.items() if v}) == find_cycle(edges)
