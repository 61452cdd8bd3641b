"""A Project's walks over every resource with its address (``addressed``, ``kept``) agree
with asking each resource one by one, through additions, references and removals."""

from __future__ import annotations

from pathlib import Path

from bakepy import Group, GroupSpec, Target, TargetSpec, Variable, VariableSpec
from bakepy.models.address import Address
from bakepy.project import Project


def _project() -> tuple[Project, list[Target]]:
    base = Target(metadata="base", spec=TargetSpec())
    apps = [Target(metadata=f"app{i}", spec=TargetSpec(inherits=[base])) for i in range(3)]
    group = Group(metadata="all", spec=GroupSpec(targets=apps))
    project = Project(base_dir=Path("/repo"))
    project.add(group, Variable(metadata="TAG", spec=VariableSpec(default="1")))
    for index, app in enumerate(apps):  # base (added through a reference) keeps no address
        project.set_address(app, Address("services/a", f"app{index}"))
    project.set_owners(apps[0], ("@team",))
    return project, apps


def _one_by_one(project: Project) -> list[tuple[Target, Address]]:
    return [(resource, project.address_of(resource)) for resource in project]  # type: ignore[misc]


def test_addressed_is_address_of_each_resource_in_order() -> None:
    project, apps = _project()
    assert [r.name for r in project] == ["base", "app0", "app1", "app2", "all", "TAG"]
    assert project.addressed() == _one_by_one(project)
    project.discard(apps[1])
    project.discard(apps[1])  # a second time: nothing more to leave out
    assert [r.name for r, _ in project.addressed()] == ["base", "app0", "app2", "all", "TAG"]
    assert project.addressed() == _one_by_one(project)


def test_kept_is_narrowed_to_what_is_accepted() -> None:
    project, apps = _project()
    project.discard(apps[2])
    kept = project.kept(lambda r: r.name != "all")
    narrowed = project.narrowed([r for r in project if r.name != "all"])
    for copy in (kept, narrowed):
        assert [r.name for r in copy] == ["base", "app0", "app1", "TAG"]
        assert copy.addressed() == [(r, project.address_of(r)) for r in copy]
        assert copy.owners_of(apps[0]) == ("@team",)
        assert copy.base_dir_of(apps[0]) == project.base_dir_of(apps[0])
