"""A service's ``deploy`` section: replicas, resources, restart, update and placement policies.

``docker stack deploy`` honours all of it; ``docker compose up`` honours replicas and resources.
"""

from typing import Any, Literal, Self

from pydantic import Field, field_validator, model_validator

from bakepy.models.base import ShortSyntax, empty_list
from bakepy.models.compose.base import (
    ByteSize,
    ComposeModel,
    Cpus,
    Duration,
    FloatOrVariable,
    IntOrVariable,
    LabelMap,
    Variable,
    known_int,
)


class ResourceLimits(ComposeModel):
    """Upper bounds for each container of the service."""

    cpus: Cpus | None = Field(default=None, description="CPUs, e.g. 0.5.")
    memory: ByteSize | None = Field(default=None, description="Memory, e.g. 64m or 1g.")
    pids: IntOrVariable | None = Field(default=None, description="Maximum number of processes.")


class DiscreteResource(ComposeModel):
    """A counted generic resource (``kind``, ``value``), e.g. GPUs advertised by a node."""

    kind: str = Field(description="Resource kind, as the node advertises it.")
    value: int = Field(description="How many.")


class GenericResource(ComposeModel):
    """A generic resource a task reserves on a node."""

    discrete_resource_spec: DiscreteResource | None = Field(
        default=None, description="A counted resource."
    )


class DeviceRequest(ComposeModel):
    """Devices (e.g. GPUs) a container needs; compose only, swarm refuses it."""

    capabilities: list[str] = Field(description="Required capabilities, e.g. [gpu].")
    count: IntOrVariable | Literal["all"] | None = Field(
        default=None, description="How many, or all."
    )
    device_ids: list[str] = Field(default_factory=empty_list, description="Specific device ids.")
    driver: str | None = Field(default=None, description="Device driver, e.g. nvidia.")
    options: dict[str, str] = Field(default_factory=dict, description="Driver options.")


class ResourceReservations(ComposeModel):
    """What the scheduler must find free on a node before it places a container."""

    cpus: Cpus | None = Field(default=None, description="CPUs, e.g. 0.25.")
    memory: ByteSize | None = Field(default=None, description="Memory, e.g. 32m.")
    generic_resources: list[GenericResource] = Field(
        default_factory=empty_list, description="Generic resources (swarm)."
    )
    devices: list[DeviceRequest] = Field(
        default_factory=empty_list, description="Devices such as GPUs (compose only)."
    )


class DeployResources(ComposeModel):
    """Resource limits and reservations."""

    limits: ResourceLimits | None = Field(default=None, description="Upper bounds.")
    reservations: ResourceReservations | None = Field(
        default=None, description="Guaranteed minimums, used for scheduling."
    )


class RestartPolicy(ComposeModel):
    """When swarm restarts a container that exited."""

    condition: Literal["none", "on-failure", "any"] | str | None = Field(
        default=None, description="none, on-failure or any (the default)."
    )
    delay: Duration | None = Field(default=None, description="Wait between restarts.")
    max_attempts: IntOrVariable | None = Field(default=None, description="Give up after this many.")
    window: Duration | None = Field(
        default=None, description="How long a restart must stay up to count as a success."
    )


class UpdateConfig(ComposeModel):
    """How a service is updated (``update_config``) or rolled back (``rollback_config``)."""

    parallelism: IntOrVariable | None = Field(
        default=None, description="Containers changed at once."
    )
    delay: Duration | None = Field(default=None, description="Wait between batches.")
    failure_action: Literal["continue", "rollback", "pause"] | str | None = Field(
        default=None, description="What to do when an update fails."
    )
    monitor: Duration | None = Field(
        default=None, description="How long to watch each container for failure."
    )
    max_failure_ratio: FloatOrVariable | None = Field(
        default=None, description="Failure rate tolerated during the update (0 to 1)."
    )
    order: Literal["start-first", "stop-first"] | Variable | None = Field(
        default=None, description="Start the new container before stopping the old, or after."
    )


class PlacementPreference(ComposeModel, ShortSyntax):
    """Spread containers evenly over the values of a node label."""

    spread: str = Field(description="Node attribute to spread over, e.g. node.labels.zone.")

    @model_validator(mode="before")
    @classmethod
    def _short(cls, value: Any) -> Any:
        return {"spread": value} if isinstance(value, str) else value


class Placement(ComposeModel):
    """Where swarm may place containers."""

    constraints: list[str] = Field(
        default_factory=empty_list, description="Node constraints, e.g. node.role == manager."
    )
    preferences: list[PlacementPreference] = Field(
        default_factory=empty_list, description="Spread preferences."
    )
    max_replicas_per_node: IntOrVariable | None = Field(
        default=None, description="At most this many containers on one node."
    )


MAX_COUNT = 2**63 - 1
"""The largest replica count compose reads: it keeps counts in a signed 64-bit integer, so
``docker compose config`` turns larger ones negative."""


def check_count(value: Any, name: str) -> Any:
    """``value`` unless it is an integer count compose cannot hold."""
    if isinstance(value, int) and not isinstance(value, bool) and value > MAX_COUNT:
        raise ValueError(f"{name} must be at most {MAX_COUNT} (compose reads {value} as negative)")
    return value


class Deploy(ComposeModel):
    """Deployment settings: how many containers, with what resources, updated how."""

    mode: Literal["replicated", "global", "replicated-job", "global-job"] | str | None = Field(
        default=None, description="replicated (the default), global, or a job mode (swarm)."
    )
    endpoint_mode: Literal["vip", "dnsrr"] | str | None = Field(
        default=None, description="Service discovery: a virtual IP (vip) or DNS round-robin."
    )
    replicas: IntOrVariable | None = Field(default=None, description="Number of containers.")
    labels: LabelMap = Field(
        default_factory=dict, description="Labels on the service (not on its containers)."
    )
    placement: Placement | None = Field(default=None, description="Placement rules (swarm).")
    resources: DeployResources | None = Field(default=None, description="Limits and reservations.")
    restart_policy: RestartPolicy | None = Field(
        default=None, description="Restart policy (swarm)."
    )
    update_config: UpdateConfig | None = Field(default=None, description="Rolling updates.")
    rollback_config: UpdateConfig | None = Field(default=None, description="Rollbacks.")

    @field_validator("replicas", mode="before")
    @classmethod
    def _replicas(cls, value: Any) -> Any:
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        return check_count(value, "replicas")

    @model_validator(mode="after")
    def _replicas_need_replicated(self) -> Self:
        if self.replicas is not None and self.mode in ("global", "global-job"):
            raise ValueError("replicas can only be used with replicated or replicated-job mode")
        replicas = known_int(self.replicas)
        if replicas is not None and replicas < 0:
            raise ValueError("replicas must not be negative")
        return self
