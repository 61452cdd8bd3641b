"""``bakepy graph`` of the examples in every format, locked down as snapshots.

The YAML declarations must render the same graph as the Python ones.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from bakepy import graph, load, render_graph
from bakepy.generators.graph import GRAPH_FORMATS, GraphFormat

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = ["go-client-server", "webapp-stack"]
SUFFIXES: dict[GraphFormat, str] = {"text": "txt", "dot": "dot", "mermaid": "mmd"}


def _extension(suffix: str) -> type[SingleFileSnapshotExtension]:
    return type(
        f"GraphSnapshot_{suffix}",
        (SingleFileSnapshotExtension,),
        {"_write_mode": WriteMode.TEXT, "file_extension": suffix},
    )


def graph_text(example: str, definition: str, graph_format: GraphFormat) -> str:
    """``bakepy graph --format <graph_format>`` of ``examples/<example>/<definition>``."""
    project = load([REPO / "examples" / example / definition])
    return render_graph(graph(project), graph_format)


@pytest.mark.parametrize("graph_format", GRAPH_FORMATS)
@pytest.mark.parametrize("example", EXAMPLES)
def test_graph_matches_snapshot(
    example: str, graph_format: GraphFormat, snapshot: SnapshotAssertion
) -> None:
    text = graph_text(example, "bakepy.py", graph_format)
    suffix = SUFFIXES[graph_format]
    assert text == snapshot(name=f"graph.{suffix}", extension_class=_extension(suffix))


@pytest.mark.parametrize("graph_format", GRAPH_FORMATS)
@pytest.mark.parametrize("example", EXAMPLES)
def test_python_and_yaml_give_the_same_graph(example: str, graph_format: GraphFormat) -> None:
    assert graph_text(example, "bakepy.py", graph_format) == graph_text(
        example, "bakepy.yaml", graph_format
    )
