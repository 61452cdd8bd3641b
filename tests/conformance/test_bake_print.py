"""buildx judges the rendered bake files: ``docker buildx bake --print`` of the HCL and of the
JSON give the same targets, and they equal what ``bakepy print`` resolves."""

from __future__ import annotations

from pathlib import Path

import pytest
from bakeprint import (  # noqa: F401
    buildx_env,
    buildx_print,
    levels_apart,
    normalize,
    ssh_agent_fixture,
)

from bakepy import Group, load, render, resolve
from bakepy.api.output import write_files
from bakepy.generators.files import RenderOptions

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(
    p.name
    for p in (REPO / "examples").iterdir()
    if (p / "bakepy.py").exists() and load([p / "bakepy.py"]).targets  # host-only: no bake file
)


@pytest.mark.conformance
@pytest.mark.parametrize("example", EXAMPLES)
def test_buildx_print_of_hcl_and_json_equals_bakepy_print(
    example: str, buildx: str, ssh_agent: str, tmp_path: Path
) -> None:
    project = load([REPO / "examples" / example / "bakepy.py"])
    write_files(render(project, tmp_path, RenderOptions()), tmp_path)
    env = buildx_env(ssh_agent, {"NPM_TOKEN": "unused-by-print"})
    names = (
        ["all"]
        if project.find(Group, "all")
        else [t.name for t in project.targets if not t.name.startswith("_")]
    )
    from_hcl = buildx_print(buildx, tmp_path, "docker-bake.hcl", names, env)
    from_json = buildx_print(buildx, tmp_path, "docker-bake.json", names, env)
    ours = resolve(project, names, env, base_dir=tmp_path).to_dict()
    assert normalize(from_hcl) == normalize(from_json)
    assert normalize(levels_apart(ours)) == normalize(from_hcl)  # rendered: one per level
