"""``Project.of_kind`` answers from what it found last until the resources change."""

from __future__ import annotations

from bakepy import Group, GroupSpec, Target, TargetSpec
from bakepy.project import Project


def test_of_kind_follows_additions_and_removals() -> None:
    first = Target(metadata="a", spec=TargetSpec())
    project = Project([first])
    assert project.of_kind(Target) == [first]
    project.of_kind(Target).clear()  # a caller's copy
    second = Target(metadata="b", spec=TargetSpec())
    group = Group(metadata="g", spec=GroupSpec(targets=[second]))
    project.add(group)
    assert project.of_kind(Target) == [first, second]
    assert project.of_kind(Group) == [group]
    assert project.of_kind(Target | Group) == [first, second, group]  # type: ignore[arg-type]
    project.discard(first)
    assert project.targets == [second]
