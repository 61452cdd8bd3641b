"""A Project's walks over every resource with its address (``addressed``, ``kept``) agree
with asking each resource one by one, through additions, references and removals; ``kept``'s
copy without a walk keeps what adding each resource one by one keeps."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bakepy import (
    Dockerfile,
    DockerfileSpec,
    Group,
    GroupSpec,
    Target,
    TargetSpec,
    Variable,
    VariableSpec,
)
from bakepy.models.address import Address
from bakepy.models.dockerfile import Stage
from bakepy.models.resource import Resource
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


def _walked(project: Project, keep: Callable[[Resource], bool]) -> Project:
    """``kept`` as adding each accepted resource (and what it references) one by one does."""
    result = project.narrowed(())
    result.add_from(project, [resource for resource in project if keep(resource)])
    return result


def _tables(project: Project) -> tuple[object, ...]:
    """Everything a copy keeps, as seen through the project's lookups."""
    return (
        [
            (r.ref, project.address_of(r), project.owners_of(r), project.base_dir_of(r))
            for r in project
        ],
        [(r.ref, project.find(type(r), r.name)) for r in project],
        project.base_dir,
        project.bake_files,
        project.warnings,
        project.home_package,
        project.service_selections,
    )


def _mixed() -> tuple[Project, Target, Dockerfile]:
    """Targets, a group, a variable and a compose-free Dockerfile, the Dockerfile linked to a
    target declared before it (as ``link`` does with a manifest's ``Dockerfile/app``)."""
    project, apps = _project()
    dockerfile = Dockerfile(metadata="df", spec=DockerfileSpec(stages=[Stage(from_="scratch")]))
    late = Target(metadata="late", spec=TargetSpec())
    project.add(late)
    project.add(dockerfile, base_dir=Path("/repo/late"))
    project.warnings.append("noted")
    project.home_package = "services/a"
    project.service_selections["web"] = frozenset({"api"})
    project.rename(apps[0], "services-a-app0")
    return project, late, dockerfile


def test_kept_copies_a_choice_that_holds_what_it_references_before_it() -> None:
    project, _, _ = _mixed()
    for keep in (lambda r: True, lambda r: r.KIND != "Variable", lambda r: r.name != "all"):
        kept = project.kept(keep)
        assert _tables(kept) == _tables(_walked(project, keep))
        assert kept.targets == _walked(project, keep).targets
    assert [r.name for r in project.kept(lambda r: True)] == [r.name for r in project]


def test_kept_walks_when_a_kept_resource_holds_one_after_it_or_left_out() -> None:
    project, late, dockerfile = _mixed()
    late.spec.dockerfile = dockerfile  # linked after both were added: held, but after it
    for keep in (lambda r: True, lambda r: r.KIND != "Dockerfile"):
        kept = project.kept(keep)
        assert _tables(kept) == _tables(_walked(project, keep))
        names = [r.name for r in kept]
        assert names.index("df") == names.index("late") - 1  # moved before its referrer


def test_kept_brings_back_a_left_out_resource_a_kept_one_still_holds() -> None:
    project, apps = _project()
    project.discard(apps[0])  # still held by the group, as a merged duplicate may be
    kept = project.kept(lambda r: True)
    assert _tables(kept) == _tables(_walked(project, lambda r: True))
    assert "app0" in [r.name for r in kept]


def test_add_addressed_is_add_set_address_and_set_owners() -> None:
    base = Target(metadata="base", spec=TargetSpec())
    app = Target(metadata="app", spec=TargetSpec(inherits=[base]))
    one_call, three_calls = Project(base_dir=Path("/repo")), Project(base_dir=Path("/repo"))
    address = Address("services/a", "app")
    one_call.add_addressed(app, Path("/repo/services/a"), address, ("@team",))
    three_calls.add(app, base_dir=Path("/repo/services/a"))
    three_calls.set_address(app, address)
    three_calls.set_owners(app, ("@team",))
    assert _tables(one_call) == _tables(three_calls)
    assert [r.name for r in one_call] == ["base", "app"]  # what it references, first
    one_call.add_addressed(base, Path("/elsewhere"), Address("services/b", "base"))
    assert one_call.base_dir_of(base) == Path("/repo/services/a")  # added already: kept
    assert one_call.owners_of(base) == ()
