"""The cluster tier: bakepy applying stacks on a real 3-node swarm (scripts/cluster-up.sh 3).
Skipped with the reason when no cluster is up, unless BAKEPY_REQUIRE_CLUSTER=1 (as .ci/run
sets), where a missing cluster is a failure."""

from __future__ import annotations

import os

import pytest

from .swarm import Cluster

REQUIRE_CLUSTER = os.environ.get("BAKEPY_REQUIRE_CLUSTER") == "1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is of the cluster tier."""
    for item in items:
        if "tests/cluster/" in item.nodeid.replace(os.sep, "/"):
            item.add_marker(pytest.mark.cluster)


@pytest.fixture(scope="session")
def cluster() -> Cluster:
    """The running multi-node swarm (at least 3 nodes, all ready)."""
    found = Cluster.from_environment()
    reason = ""
    if found is None:
        reason = "no multi-node swarm (run scripts/cluster-up.sh 3, then source its env file)"
    elif len(found.sockets) < 3:
        reason = f"the cluster has {len(found.sockets)} nodes; these tests need 3"
    else:
        try:
            ready = found.docker("node", "ls", "--format", "{{.Status}}").split()
        except (AssertionError, OSError) as error:
            ready, reason = [], f"the cluster's manager does not answer: {error}"
        if not reason and ready.count("Ready") < 3:
            reason = f"the cluster has {ready.count('Ready')} ready nodes, not 3"
    if reason:
        if REQUIRE_CLUSTER:
            pytest.fail(f"BAKEPY_REQUIRE_CLUSTER=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    assert found is not None
    return found
