"""bakepy graph: the project's dependency graph from Python, YAML, HCL, Dockerfiles, compose."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bakepy import (
    ComposeProject,
    ComposeProjectSpec,
    Dockerfile,
    DockerfileSpec,
    Project,
    SelectionError,
    Stack,
    StackSpec,
    Target,
    TargetSpec,
    graph,
    load,
    render_graph,
)
from bakepy.cli import app
from bakepy.generators.graph import dot_quote, mermaid_text
from bakepy.models.compose import (
    ComposeConfig,
    ComposeNetwork,
    ComposeSecret,
    ComposeVolume,
    DependsOn,
    Service,
)
from bakepy.models.dockerfile import BindMount, CacheMount, Copy, Run, Stage, StageRef
from bakepy.resolution.graph.model import GraphEdge, GraphNode, ProjectGraph

REPO = Path(__file__).resolve().parents[2]
GO_EXAMPLE = REPO / "examples" / "go-client-server"
WEBAPP = REPO / "examples" / "webapp-stack"
FIXTURE = REPO / "tests" / "fixtures" / "graph"
runner = CliRunner()

Triple = tuple[str, str, str]


def triples(found: ProjectGraph) -> set[Triple]:
    """Edges as (from, to, relation), for set comparisons."""
    return {(e.source, e.target, e.relation) for e in found.edges}


# -- go-client-server: Python and YAML ---------------------------------------------------------


def test_python_and_yaml_declarations_give_the_same_graph() -> None:
    from_python = graph(load([GO_EXAMPLE / "bakepy.py"]))
    from_yaml = graph(load([GO_EXAMPLE / "bakepy.yaml"]))
    assert from_python.without_locations() == from_yaml.without_locations()
    assert len(from_python.nodes) == 15  # 2 groups, 5 targets, 1 Dockerfile, 7 stages


def test_go_example_edges() -> None:
    found = graph(load([GO_EXAMPLE / "bakepy.py"]))
    assert {
        ("group:all", "group:default", "contains"),
        ("group:all", "target:lint", "contains"),
        ("group:default", "target:server", "contains"),
        ("target:server", "target:_common", "inherits"),
        ("target:_common", "dockerfile:go-app", "dockerfile"),
        ("target:server", "stage:go-app/server", "stage"),
        ("stage:go-app/server", "stage:go-app/build-server", "copy"),
        ("stage:go-app/binaries", "stage:go-app/build-client", "copy"),
        ("stage:go-app/build-server", "stage:go-app/base", "from"),
    } <= triples(found)
    # the Dockerfile is declared once, by _common; its children only inherit it
    assert ("target:server", "dockerfile:go-app", "dockerfile") not in triples(found)
    assert found.node("stage:go-app/base").parent == "dockerfile:go-app"


def test_nodes_carry_where_they_were_declared() -> None:
    python = graph(load([GO_EXAMPLE / "bakepy.py"])).node("target:server")
    yaml = graph(load([GO_EXAMPLE / "bakepy.yaml"])).node("target:server")
    assert python.location is not None
    assert python.location.startswith("bakepy.py:")
    assert yaml.location is not None
    assert yaml.location.startswith("bakepy.yaml:")


def test_nodes_and_edges_are_sorted_and_rendering_is_deterministic() -> None:
    found = graph(load([GO_EXAMPLE / "bakepy.py"]))
    assert list(found.nodes) == sorted(found.nodes)
    assert list(found.edges) == sorted(found.edges)
    again = graph(load([GO_EXAMPLE / "bakepy.py"]))
    for fmt in ("text", "dot", "mermaid"):
        assert render_graph(found, fmt) == render_graph(again, fmt)  # type: ignore[arg-type]


# -- bake files ---------------------------------------------------------------------------------


@pytest.fixture
def hcl_graph(monkeypatch: pytest.MonkeyPatch) -> ProjectGraph:
    """The HCL fixture with its Dockerfile, loaded where bake would run (paths from there)."""
    monkeypatch.chdir(FIXTURE)
    return graph(load([Path("docker-bake.hcl"), Path("Dockerfile")]))


def test_hcl_inherits_target_contexts_and_groups(hcl_graph: ProjectGraph) -> None:
    assert {
        ("group:all", "group:default", "contains"),
        ("group:default", "target:app", "contains"),
        ("group:default", "target:tests", "contains"),
        ("target:app", "target:_base", "inherits"),
        ("target:app", "target:deps", "context"),
        ("target:tests", "target:app", "context"),
    } <= triples(hcl_graph)
    context = next(
        e for e in hcl_graph.edges if e.relation == "context" and e.source == "target:app"
    )
    assert context.detail == "deps"
    assert context.label == "context (deps)"


def test_hcl_matrix_target_is_one_node_marked_matrix(hcl_graph: ProjectGraph) -> None:
    tests = [n for n in hcl_graph.nodes if n.name.startswith("tests")]
    assert tests == [hcl_graph.node("target:tests")]
    assert tests[0].matrix
    assert not hcl_graph.node("target:app").matrix
    assert "target tests [matrix]" in render_graph(hcl_graph)


def test_hcl_target_links_to_the_loaded_dockerfile_and_its_stages(hcl_graph: ProjectGraph) -> None:
    assert {
        ("target:_base", "dockerfile:dockerfile", "dockerfile"),
        ("target:lint", "dockerfile:dockerfile", "dockerfile"),
        ("target:app", "stage:dockerfile/app", "stage"),  # Dockerfile inherited from _base
        ("target:deps", "stage:dockerfile/deps", "stage"),
        ("target:lint", "stage:dockerfile/build", "stage"),
    } <= triples(hcl_graph)


def test_hcl_blocks_carry_file_and_line(hcl_graph: ProjectGraph) -> None:
    assert hcl_graph.node("target:deps").location == "docker-bake.hcl:16"
    assert hcl_graph.node("group:default").location == "docker-bake.hcl:1"


def test_bake_dockerfile_path_is_relative_to_where_bake_runs() -> None:
    # run from the repository, bake would read ./Dockerfile there, not the fixture's
    found = graph(load([FIXTURE / "docker-bake.hcl", FIXTURE / "Dockerfile"]))
    assert not any(e.relation in ("dockerfile", "stage") for e in found.edges)


# -- Dockerfiles --------------------------------------------------------------------------------


def test_dockerfile_stage_edges_from_a_parsed_file() -> None:
    found = graph(load([FIXTURE / "Dockerfile"]))
    assert triples(found) == {
        ("stage:dockerfile/build", "stage:dockerfile/deps", "from"),
        ("stage:dockerfile/build", "stage:dockerfile/deps", "mount"),  # cache mount from=deps
        ("stage:dockerfile/app", "stage:dockerfile/build", "copy"),
        ("stage:dockerfile/app", "stage:dockerfile/deps", "mount"),  # bind mount from=deps
    }


def test_dockerfile_stages_by_object_or_name_and_images_are_not_stages() -> None:
    base = Stage(name="base", from_="alpine:3.20")
    tools = Stage(name="tools.v2", from_=base)
    final = Stage(
        from_=StageRef(stage="base"),
        instructions=[
            Copy(from_=tools, src=["/bin/x"], dest="/"),
            Copy(from_="busybox:latest", src=["/bin/sh"], dest="/"),
            Run(command="true", mounts=[BindMount(target="/t", from_="tools.v2")]),
            Run(command="true", mounts=[CacheMount(target="/c", from_=base)]),
        ],
    )
    dockerfile = Dockerfile(metadata="odd", spec=DockerfileSpec(stages=[base, tools, final]))
    found = graph(Project([dockerfile]))
    assert triples(found) == {
        ("stage:odd/tools.v2", "stage:odd/base", "from"),
        ("stage:odd/#2", "stage:odd/base", "from"),
        ("stage:odd/#2", "stage:odd/tools.v2", "copy"),
        ("stage:odd/#2", "stage:odd/tools.v2", "mount"),
        ("stage:odd/#2", "stage:odd/base", "mount"),
    }


# -- compose projects and stacks ----------------------------------------------------------------


def compose_project() -> Project:
    """A compose project whose services build from Targets (by object and by name)."""
    web_stage = Stage(name="web", from_="nginx:1.27")
    dockerfile = Dockerfile(metadata="web", spec=DockerfileSpec(stages=[web_stage]))
    web = Target(metadata="web-image", spec=TargetSpec(dockerfile=dockerfile, target=web_stage))
    worker = Target(metadata="worker_image", spec=TargetSpec(context="."))
    compose = ComposeProject(
        metadata="shop",
        spec=ComposeProjectSpec(
            services={
                "web": Service(
                    build=web,
                    depends_on={"db": DependsOn(condition="service_healthy")},
                    networks=["front"],
                    configs=["site"],
                ),
                "worker": Service(build="Target/worker_image", depends_on=["db"]),
                "db": Service(
                    image="postgres:16", volumes=["pg:/var/lib/postgresql"], secrets=["pw"]
                ),
            },
            networks={"front": ComposeNetwork()},
            volumes={"pg": ComposeVolume()},
            secrets={"pw": ComposeSecret(file="pw.txt")},
            configs={"site": ComposeConfig(content="x")},
        ),
    )
    return Project([worker, compose, Stack(metadata="shop", spec=StackSpec(project=compose))])


def test_compose_depends_on_build_and_stack_edges() -> None:
    found = graph(compose_project())
    assert {
        ("stack:shop", "compose:shop", "deploys"),
        ("compose:shop", "service:shop/web", "contains"),
        ("service:shop/web", "service:shop/db", "depends_on"),
        ("service:shop/worker", "service:shop/db", "depends_on"),
        ("service:shop/web", "target:web-image", "build"),
        ("service:shop/worker", "target:worker_image", "build"),
        ("target:web-image", "dockerfile:web", "dockerfile"),
        ("target:web-image", "stage:web/web", "stage"),
    } <= triples(found)
    conditions = {e.source: e.detail for e in found.edges if e.relation == "depends_on"}
    assert conditions == {
        "service:shop/web": "service_healthy",
        "service:shop/worker": "service_started",
    }
    assert found.node("service:shop/db").parent == "compose:shop"
    assert not any(n.kind in ("network", "volume", "secret", "config") for n in found.nodes)


def test_compose_resources_only_when_asked() -> None:
    found = graph(compose_project(), include_resources=True)
    assert {
        ("service:shop/web", "network:shop/front", "network"),
        ("service:shop/web", "config:shop/site", "config"),
        ("service:shop/db", "volume:shop/pg", "volume"),
        ("service:shop/db", "secret:shop/pw", "secret"),
    } <= triples(found)
    assert found.node("volume:shop/pg").parent == "compose:shop"


# -- selection ----------------------------------------------------------------------------------


def test_selection_keeps_the_targets_and_what_they_need() -> None:
    project = load([GO_EXAMPLE / "bakepy.py"])
    found = graph(project, ["server"])
    assert {n.id for n in found.nodes} == {
        "target:server",
        "target:_common",
        "dockerfile:go-app",
        "stage:go-app/server",
        "stage:go-app/build-server",
        "stage:go-app/base",
    }
    assert all(e.source in found and e.target in found for e in found.edges)


def test_selection_by_group_and_by_label() -> None:
    project = load([GO_EXAMPLE / "bakepy.py"])
    by_group = graph(project, ["default"])
    assert {"group:default", "target:client", "target:server"} <= {n.id for n in by_group.nodes}
    assert "group:all" not in by_group
    assert "target:lint" not in by_group
    by_label = graph(project, [], "kind=artifact")  # binaries, with the _common it inherits
    found = {n.id for n in by_label.nodes if n.kind == "target"}
    assert found == {"target:binaries", "target:_common"}


def test_selection_of_a_stage_keeps_its_cluster_head() -> None:
    found = graph(compose_project(), ["web-image"])
    assert {"target:web-image", "dockerfile:web", "stage:web/web"} == {n.id for n in found.nodes}


def test_selection_errors() -> None:
    project = load([GO_EXAMPLE / "bakepy.py"])
    with pytest.raises(SelectionError, match="no target or group named 'nope'"):
        graph(project, ["nope"])
    with pytest.raises(SelectionError, match="no target or group matches"):
        graph(project, [], "kind=nothing")
    with pytest.raises(SelectionError, match="is not a label requirement"):
        graph(project, [], "=server")


# -- renderers: escaping ------------------------------------------------------------------------


def odd_graph() -> ProjectGraph:
    """Names with the characters each format treats as syntax."""
    nodes = [
        GraphNode("target:a.b/c-d", "target", "a.b/c-d"),
        GraphNode('target:say "hi"\\', "target", 'say "hi"\\', matrix=True),
        GraphNode("target:x|y<z>#&", "target", "x|y<z>#&"),
        GraphNode("dockerfile:end", "dockerfile", "end"),
        GraphNode("stage:end/graph", "stage", "graph", parent="dockerfile:end"),
    ]
    edges = [
        GraphEdge("target:a.b/c-d", 'target:say "hi"\\', "inherits"),
        GraphEdge('target:say "hi"\\', "target:x|y<z>#&", "context", detail='k"|v'),
        GraphEdge("target:x|y<z>#&", "stage:end/graph", "stage"),
    ]
    return ProjectGraph.of(nodes, edges)


def test_dot_quotes_and_escapes_ids_and_labels() -> None:
    assert dot_quote('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'
    text = render_graph(odd_graph(), "dot")
    assert '"target:a.b/c-d" -> "target:say \\"hi\\"\\\\" [label="inherits"];' in text
    assert '[label="context (k\\"|v)"]' in text
    assert 'subgraph "cluster_dockerfile:end" {' in text


def test_mermaid_uses_generated_ids_and_entity_escaped_labels() -> None:
    assert mermaid_text('a"b|c<d>#e&') == '"a#quot;b#124;c#lt;d#gt;#35;e#amp;"'
    text = render_graph(odd_graph(), "mermaid")
    lines = text.splitlines()
    assert lines[:2] == ["%% generated by bakepy graph", "flowchart LR"]
    assert '  n2["target a.b/c-d"]' in lines
    assert '  n3["target say #quot;hi#quot;\\ [matrix]"]' in lines
    assert '  n3 -->|"context (k#quot;#124;v)"| n4' in lines
    assert '  subgraph c0["Dockerfile end"]' in lines
    edge_lines = [line for line in lines if "-->" in line]
    assert all(line.split()[0].startswith("n") for line in edge_lines)


def test_text_tree_marks_shared_nodes_and_escapes_control_characters() -> None:
    nodes = [
        GraphNode("group:g", "group", "g"),
        GraphNode("target:a", "target", "a"),
        GraphNode("target:b", "target", "b"),
        GraphNode("target:line\nbreak", "target", "line\nbreak"),
    ]
    edges = [
        GraphEdge("group:g", "target:a", "contains"),
        GraphEdge("group:g", "target:b", "contains"),
        GraphEdge("target:a", "target:line\nbreak", "inherits"),
        GraphEdge("target:b", "target:a", "context", detail="a"),
    ]
    assert render_graph(ProjectGraph.of(nodes, edges)) == (
        "group g\n"
        "|-- contains: target a\n"
        "|   `-- inherits: target line\\nbreak\n"
        "`-- contains: target b\n"
        "    `-- context (a): target a (see above)\n"
    )


def test_edges_to_unknown_nodes_are_dropped() -> None:
    found = ProjectGraph.of(
        [GraphNode("target:a", "target", "a")],
        [GraphEdge("target:a", "target:missing", "inherits")],
    )
    assert found.edges == ()


# -- command line -------------------------------------------------------------------------------


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_prints_a_text_tree_by_default() -> None:
    code, out, _ = invoke("graph", "-f", str(GO_EXAMPLE / "bakepy.py"), "server")
    assert code == 0
    assert out.splitlines()[0] == "target server"
    assert "|-- stage: stage go-app/server" in out


def test_cli_formats_and_resources() -> None:
    code, out, _ = invoke("graph", "-f", str(WEBAPP / "bakepy.py"), "--format", "mermaid")
    assert code == 0
    assert out.startswith("%% generated by bakepy graph\nflowchart LR\n")
    webapp = str(WEBAPP / "bakepy.py")
    code, out, _ = invoke("graph", "-f", webapp, "--format", "dot", "--resources")
    assert code == 0
    assert out.startswith("// generated by bakepy graph\ndigraph")
    assert '"service:webapp/app" -> "network:webapp/backend" [label="network"];' in out
    code, out, _ = invoke("graph", "-f", str(WEBAPP / "bakepy.py"), "-l", "nope=1")
    assert code == 2


def test_cli_errors_are_one_line_and_exit_2() -> None:
    code, out, err = invoke("graph", "-f", str(GO_EXAMPLE / "bakepy.py"), "--format", "png")
    assert (code, out) == (2, "")
    assert err == "error: --format must be text, dot or mermaid, not 'png'\n"
    code, out, err = invoke("graph", "-f", str(GO_EXAMPLE / "bakepy.py"), "nope")
    assert (code, out) == (2, "")
    assert err == "error: no target or group named 'nope'\n"


def test_readme_example_is_what_the_command_prints() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    command = "$ bakepy graph -f examples/go-client-server/bakepy.py server\n"
    shown = readme.split(command, 1)[1].split("```", 1)[0]
    code, out, _ = invoke("graph", "-f", str(GO_EXAMPLE / "bakepy.py"), "server")
    assert code == 0
    assert out == shown
