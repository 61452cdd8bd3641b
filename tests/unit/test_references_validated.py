"""A project whose references ``validate_references`` found right is not checked again by
``check_project`` (a render repeats the load's check), unless something it looks at may have
changed since: another resource or Target, a rename, bake files."""

from __future__ import annotations

from pathlib import Path

import pytest

from bakepy import Group, GroupSpec, Target, TargetSpec, Variable, VariableSpec
from bakepy.errors import CycleError, ValidationError
from bakepy.models.bake.contexts import TargetContext
from bakepy.models.bake.definition import NativeBake
from bakepy.project import BakeFile, Project
from bakepy.resolution.checks import check_project
from bakepy.resolution.checks.references import references_validated, validate_references


def _validated() -> tuple[Project, Target]:
    base = Target(metadata="base", spec=TargetSpec())
    app = Target(metadata="app", spec=TargetSpec(inherits=[base]))
    worker = Target(metadata="worker", spec=TargetSpec(inherits=["base"]))
    project = Project(
        [app, worker, Group(metadata="all", spec=GroupSpec(targets=["app", "worker"]))]
    )
    project.add(Variable(metadata="TAG", spec=VariableSpec(default="1")))
    validate_references(project)
    return project, worker


def test_a_validated_project_and_copies_of_all_its_targets_are_not_checked_again() -> None:
    project, _ = _validated()
    assert references_validated(project)
    assert references_validated(project.kept(lambda r: r.KIND != "Variable"))
    copy = project.kept(lambda r: r.KIND == "Target")
    copy.add_from(project, [r for r in project if r.KIND == "Group"])  # as with_specified does
    assert references_validated(copy)
    assert not references_validated(Project(list(project)))  # built anew: never checked


def test_what_the_check_looks_at_changing_makes_it_run_again() -> None:
    project, worker = _validated()
    fewer = project.kept(lambda r: r is not worker and r.KIND == "Target")
    assert not references_validated(fewer)  # another set of Targets
    added = project.narrowed(list(project))
    added.add(Target(metadata="other", spec=TargetSpec()))
    assert not references_validated(added)
    renamed = project.narrowed(list(project))
    renamed.rename(worker, "base")
    assert not references_validated(renamed)
    with pytest.raises(ValidationError, match="has the same name"):
        check_project(renamed)
    with_files = project.narrowed(list(project))
    with_files.bake_files.append(BakeFile(Path("docker-bake.hcl"), Path(), NativeBake()))
    assert not references_validated(with_files)
    discarded = project.narrowed(list(project))
    discarded.discard(worker)
    assert not references_validated(discarded)


def test_check_project_still_finds_a_cycle_in_a_project_never_checked() -> None:
    a = Target(metadata="a", spec=TargetSpec(contexts={"b": TargetContext(target="b")}))
    b = Target(metadata="b", spec=TargetSpec(contexts={"a": TargetContext(target="a")}))
    with pytest.raises(CycleError, match="Target/a -> Target/b -> Target/a"):
        check_project(Project([a, b]))
