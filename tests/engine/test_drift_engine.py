"""On the real engine: what changed behind bakepy's back is seen by plan and repaired by apply
(issue 15): a project network removed (the stopped container still names it; a running one was
disconnected by force), a paused container, a container recreated by hand with bakepy's labels
copied (identity, not only labels)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from bakepy import ComposeProject, ComposeProjectSpec
from bakepy.engine.compose.verbs import apply_runtime, delete_runtime, plan_runtime
from bakepy.models.compose import Service

from .buildkit import docker, unique

pytestmark = pytest.mark.engine


@pytest.fixture
def project(base_image: str) -> Iterator[ComposeProject]:
    """A project of one service on one network; removed (with its record) pass or fail."""
    name = unique("bkdrift")
    service = Service(image=base_image, init=True, command=["sleep", "86400"], networks=["back"])
    spec = ComposeProjectSpec(services={"app": service}, networks={"back": {}})
    declared = ComposeProject(metadata=name, spec=spec)
    try:
        yield declared
    finally:
        delete_runtime(name, volumes=True)
        docker("rm", "-f", f"{name}-app-1", check=False)


def inspect(container: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(docker("inspect", container))[0]
    return found


def change_of(project: ComposeProject, resource: str) -> tuple[str, list[str], list[str]]:
    plan = plan_runtime(project)
    change = next(c for c in plan.changes if c.resource == resource)
    return change.action, change.reasons, change.operations


def converged(project: ComposeProject) -> dict[str, Any]:
    """Applied; the container runs on the project network as it is now; nothing left to do."""
    name = project.project_name
    apply_runtime(project, wait_timeout=60)
    assert not plan_runtime(project).has_changes
    seen = inspect(f"{name}-app-1")
    assert seen["State"]["Status"] == "running"
    network = json.loads(docker("network", "inspect", f"{name}_back"))[0]
    assert seen["NetworkSettings"]["Networks"][f"{name}_back"]["NetworkID"] == network["Id"]
    return seen


def test_a_removed_network_of_a_stopped_container_is_recreated_and_the_container_too(
    project: ComposeProject,
) -> None:
    name = project.project_name
    first = converged(project)
    docker("stop", "-t", "0", f"{name}-app-1")
    docker("network", "rm", f"{name}_back")
    assert change_of(project, "network/back")[0] == "create"
    action, reasons, _ = change_of(project, "service/app")
    assert action == "replace"
    assert reasons == [f"network/back ({name}_back) was removed outside bakepy"]
    assert converged(project)["Id"] != first["Id"]


def test_a_running_container_cut_from_its_removed_network_is_reconnected(
    project: ComposeProject,
) -> None:
    name = project.project_name
    first = converged(project)
    docker("network", "disconnect", "-f", f"{name}_back", f"{name}-app-1")
    docker("network", "rm", f"{name}_back")
    assert change_of(project, "service/app") == ("update", [], [f"connect {name}_back"])
    assert converged(project)["Id"] == first["Id"]


def test_a_paused_container_is_seen_and_unpaused(project: ComposeProject) -> None:
    name = project.project_name
    first = converged(project)
    docker("pause", f"{name}-app-1")
    assert change_of(project, "service/app") == ("update", [], ["unpause"])
    assert converged(project)["Id"] == first["Id"]


def test_a_container_recreated_by_hand_with_the_labels_copied_is_replaced(
    project: ComposeProject, base_image: str
) -> None:
    name = project.project_name
    first = converged(project)
    labels = first["Config"]["Labels"]
    docker("rm", "-f", f"{name}-app-1")
    flags = [f"--label={key}={value}" for key, value in labels.items()]
    docker(
        "run", "-d", "--name", f"{name}-app-1", "--network", f"{name}_back", *flags,
        base_image, "sleep", "1234",
    )  # fmt: skip
    impostor = inspect(f"{name}-app-1")
    action, reasons, _ = change_of(project, "service/app")
    assert action == "replace"
    assert reasons == [
        f"container {impostor['Id'][:12]} was not made by bakepy (its labels were copied; "
        f"bakepy made {first['Id'][:12]})"
    ]
    repaired = converged(project)
    assert repaired["Id"] != impostor["Id"]
    assert repaired["Config"]["Cmd"] == ["sleep", "86400"]
