"""What a service may use of the host's hardware: device nodes, GPUs and block I/O limits.

Each is compose's own form: ``devices`` entries are ``HOST[:CONTAINER[:PERMISSIONS]]`` or a
mapping, ``gpus`` is ``all`` or a list of requests, ``blkio_config`` throttles block devices.
"""

from typing import Literal, Self

from pydantic import Field, model_validator

from bakepy.models.base import BakepyModel, empty_list
from bakepy.models.compose.base import (
    ComposeModel,
    IntOrVariable,
    LabelMap,
    StringList,
    Variable,
)


class DeviceMapping(ComposeModel):
    """A host device in long syntax (``source``, ``target``, ``permissions``)."""

    source: str = Field(description="Device path on the host, e.g. /dev/ttyUSB0.")
    target: str | None = Field(default=None, description="Path in the container (default: same).")
    permissions: str | None = Field(
        default=None, description="cgroup permissions: r, w, m or a mix (default rwm)."
    )


class GpuRequest(ComposeModel):
    """GPUs a container asks the engine for (``gpus:`` entries, as ``docker run --gpus``)."""

    capabilities: StringList = Field(
        default_factory=empty_list, description="Driver capabilities, e.g. [gpu, utility]."
    )
    count: IntOrVariable | Literal["all"] | None = Field(
        default=None, description="How many GPUs, or all."
    )
    device_ids: StringList = Field(default_factory=empty_list, description="Specific GPU ids.")
    driver: str | None = Field(default=None, description="Device driver, e.g. nvidia.")
    options: LabelMap = Field(default_factory=dict, description="Driver options.")

    @model_validator(mode="after")
    def _count_or_ids(self) -> Self:
        if self.count is not None and self.device_ids:
            raise ValueError('"count" and "device_ids" attributes are exclusive')
        return self


Gpus = Literal["all"] | Variable | list[GpuRequest]
"""``all`` (every GPU) or a list of GPU requests."""


class BlkioLimit(BakepyModel):
    """A rate limit on one block device (bytes or operations per second)."""

    path: str = Field(description="Block device, e.g. /dev/sda.")
    rate: IntOrVariable | str = Field(description="Rate: a number, or a size such as 10mb.")


class BlkioWeight(BakepyModel):
    """A relative I/O weight for one block device."""

    path: str = Field(description="Block device, e.g. /dev/sda.")
    weight: IntOrVariable = Field(description="Weight, 10 to 1000.")


class BlkioConfig(BakepyModel):
    """Block I/O limits and weights of a container (``docker run --blkio-weight`` and kin)."""

    device_read_bps: list[BlkioLimit] = Field(
        default_factory=empty_list, description="Read bytes per second, per device."
    )
    device_read_iops: list[BlkioLimit] = Field(
        default_factory=empty_list, description="Read operations per second, per device."
    )
    device_write_bps: list[BlkioLimit] = Field(
        default_factory=empty_list, description="Write bytes per second, per device."
    )
    device_write_iops: list[BlkioLimit] = Field(
        default_factory=empty_list, description="Write operations per second, per device."
    )
    weight: IntOrVariable | None = Field(default=None, description="Default weight, 10 to 1000.")
    weight_device: list[BlkioWeight] = Field(
        default_factory=empty_list, description="Weights of single devices."
    )
