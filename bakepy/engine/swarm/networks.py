"""The lag between removing an overlay network and the node no longer listing it.

A manager removes a swarm network from its store at once, but the node keeps its local copy
(and lists it) until its tasks have left: an apply right after a delete would plan that network
as existing, and the service create naming it fails with "network ... not found". So a delete
waits until the networks it removed are no longer listed, and a service create that fails on a
network the stack declares waits for the listing to catch up, creates it and tries once more.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence

from bakepy.engine.swarm.client import SwarmClient

SETTLE_SECONDS = 30.0
"""How long a removed network may stay listed before apply stops waiting for it."""


def wait_unlisted(
    client: SwarmClient,
    names: Sequence[str],
    sleep: Callable[[float], None],
    timeout: float = SETTLE_SECONDS,
) -> bool:
    """Until none of ``names`` is listed as a network (one call per poll); False on timeout."""
    deadline = time.monotonic() + timeout
    while names and client.find("network", sorted(names)):
        if time.monotonic() > deadline:
            return False
        sleep(0.25)
    return True


def missing_networks(message: str, names: Sequence[str]) -> list[str]:
    """The networks of ``names`` an engine error says were not found."""
    return [n for n in names if re.search(rf"network {re.escape(n)} not found", message)]
