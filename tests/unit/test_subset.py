"""subset: the resources names need; naming every target and group (``::``) keeps what the
walk from each name keeps, without walking."""

from __future__ import annotations

import pytest

from bakepy import (
    Builder,
    BuilderSpec,
    Dockerfile,
    DockerfileSpec,
    Group,
    GroupSpec,
    Target,
    TargetSpec,
    Variable,
    VariableSpec,
)
from bakepy.models.dockerfile import Stage
from bakepy.project import Project
from bakepy.resolution import selection
from bakepy.resolution.selection import subset


def _project(*, group_named_like_a_target: bool) -> Project:
    used = Dockerfile(metadata="used", spec=DockerfileSpec(stages=[Stage(from_="scratch")]))
    unused = Dockerfile(metadata="unused", spec=DockerfileSpec(stages=[Stage(from_="scratch")]))
    ci = Builder(metadata="ci", spec=BuilderSpec(driver="docker-container"))
    base = Target(metadata="base", spec=TargetSpec(dockerfile=used))
    app = Target(metadata="app", spec=TargetSpec(inherits=[base], builder=ci))
    worker = Target(metadata="worker", spec=TargetSpec(inherits=["base"]))
    group = Group(
        metadata="app" if group_named_like_a_target else "all",
        spec=GroupSpec(targets=["worker"]),
    )
    version = Variable(metadata="VERSION", spec=VariableSpec(default="1"))
    return Project([unused, app, worker, group, version])


def _kept(project: Project, names: list[str]) -> list[str]:
    return [resource.ref for resource in subset(project, names)]


@pytest.mark.parametrize("clash", [False, True])
def test_naming_every_target_and_group_keeps_what_the_walk_keeps(
    clash: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a group named like a target, bake's name means the group, and the target it
    hides is kept only if something needs it: here nothing does."""
    project = _project(group_named_like_a_target=clash)
    names = sorted({r.name for r in project if isinstance(r, Target | Group)})
    quick = _kept(project, names)
    monkeypatch.setattr(selection, "_names_every_one", lambda project, names: False)
    assert quick == _kept(project, names)
    hidden = ["Builder/ci", "Target/app"]  # the target the group hides, and its builder
    assert quick == [
        "Dockerfile/unused",
        "Dockerfile/used",
        "Target/base",
        *([] if clash else hidden),
        "Target/worker",
        "Group/app" if clash else "Group/all",
        "Variable/VERSION",
    ]
