"""Wait for a ``depends_on`` condition: a dependency healthy, or finished with exit code 0."""

from __future__ import annotations

import time
from collections.abc import Callable

from bakepy.engine.compose.client import EngineClient
from bakepy.engine.compose.observed import ContainerState
from bakepy.errors import WaitError


def _reached(name: str, condition: str, state: ContainerState) -> bool:
    """True when reached; raises when it never will be."""
    exited = state.status in ("exited", "dead")
    if condition == "service_completed_successfully":
        if exited and state.exit_code not in (0, None):
            raise WaitError(f"container {name} exited with code {state.exit_code}")
        return exited
    if condition == "service_healthy":
        if state.health is None and not exited:
            raise WaitError(
                f"container {name} has no healthcheck, so it can never be healthy",
                hint="declare a healthcheck, or depend on it with condition service_started",
            )
        if exited:
            raise WaitError(f"container {name} exited with code {state.exit_code}")
        if state.health == "unhealthy":
            raise WaitError(f"container {name} is unhealthy")
        return state.health == "healthy"
    return True


def wait_for(
    client: EngineClient,
    name: str,
    condition: str,
    timeout: float,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    on_poll: Callable[[float, ContainerState], None] | None = None,
) -> float:
    """Poll ``name`` until it reaches ``condition``; returns the seconds it took.
    ``on_poll`` hears how long it has waited and the container's state after each poll."""
    started = clock()
    pause = 0.1
    while True:
        state = client.container_state(name)
        if _reached(name, condition, state):
            return clock() - started
        if clock() - started > timeout:
            shown = state.health or state.status
            raise WaitError(
                f"timed out after {timeout:g}s waiting for container {name} "
                f"({condition.removeprefix('service_').replace('_', ' ')}; it is {shown})",
                hint="raise wait_timeout, or look at its logs (docker logs " + name + ")",
            )
        if on_poll is not None:
            on_poll(clock() - started, state)
        sleep(pause)
        pause = min(pause * 2, 1.0)
