"""Compose projects and swarm stacks as typed objects: ``ComposeProject`` and ``Stack``
(``project``), the nodes of a swarm (``SwarmNode``, ``swarm_node``), ``Service``
(``service``), its ``build``, ``deploy`` and ``mounts`` sections, the shared value forms
(``base``) and compose's value conversions (``values``).

Every value type of the domain is importable from here
(``from bakepy.models.compose import ...``);
each is imported on first use, so importing one module of the domain does not load the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bakepy.support.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from bakepy.models.compose.base import (
        UlimitRange as UlimitRange,
    )
    from bakepy.models.compose.build import (
        ComposeBuild as ComposeBuild,
    )
    from bakepy.models.compose.deploy import (
        Deploy as Deploy,
        DeployResources as DeployResources,
        DeviceRequest as DeviceRequest,
        DiscreteResource as DiscreteResource,
        GenericResource as GenericResource,
        Placement as Placement,
        PlacementPreference as PlacementPreference,
        ResourceLimits as ResourceLimits,
        ResourceReservations as ResourceReservations,
        RestartPolicy as RestartPolicy,
        UpdateConfig as UpdateConfig,
    )
    from bakepy.models.compose.devices import (
        BlkioConfig as BlkioConfig,
        BlkioLimit as BlkioLimit,
        BlkioWeight as BlkioWeight,
        DeviceMapping as DeviceMapping,
        GpuRequest as GpuRequest,
    )
    from bakepy.models.compose.hooks import (
        ServiceHook as ServiceHook,
    )
    from bakepy.models.compose.mounts import (
        BindOptions as BindOptions,
        Port as Port,
        ServiceConfig as ServiceConfig,
        ServiceSecret as ServiceSecret,
        ServiceVolume as ServiceVolume,
        TmpfsOptions as TmpfsOptions,
        VolumeOptions as VolumeOptions,
    )
    from bakepy.models.compose.project import (
        ComposeConfig as ComposeConfig,
        ComposeInclude as ComposeInclude,
        ComposeNetwork as ComposeNetwork,
        ComposeProject as ComposeProject,
        ComposeProjectSpec as ComposeProjectSpec,
        ComposeSecret as ComposeSecret,
        ComposeVolume as ComposeVolume,
        Ipam as Ipam,
        IpamConfig as IpamConfig,
        Stack as Stack,
        StackSpec as StackSpec,
    )
    from bakepy.models.compose.service import (
        CredentialSpec as CredentialSpec,
        DependsOn as DependsOn,
        Develop as Develop,
        EnvFile as EnvFile,
        Extends as Extends,
        Logging as Logging,
        Service as Service,
        ServiceHealthcheck as ServiceHealthcheck,
        ServiceNetwork as ServiceNetwork,
        Watch as Watch,
    )
    from bakepy.models.compose.swarm_node import (
        SwarmNode as SwarmNode,
        SwarmNodeSpec as SwarmNodeSpec,
    )

_EXPORTS = {
    "BindOptions": "bakepy.models.compose.mounts",
    "BlkioConfig": "bakepy.models.compose.devices",
    "BlkioLimit": "bakepy.models.compose.devices",
    "BlkioWeight": "bakepy.models.compose.devices",
    "ComposeBuild": "bakepy.models.compose.build",
    "ComposeConfig": "bakepy.models.compose.project",
    "ComposeInclude": "bakepy.models.compose.project",
    "ComposeNetwork": "bakepy.models.compose.project",
    "ComposeProject": "bakepy.models.compose.project",
    "ComposeProjectSpec": "bakepy.models.compose.project",
    "ComposeSecret": "bakepy.models.compose.project",
    "ComposeVolume": "bakepy.models.compose.project",
    "CredentialSpec": "bakepy.models.compose.service",
    "DependsOn": "bakepy.models.compose.service",
    "Deploy": "bakepy.models.compose.deploy",
    "DeployResources": "bakepy.models.compose.deploy",
    "Develop": "bakepy.models.compose.service",
    "DeviceMapping": "bakepy.models.compose.devices",
    "DeviceRequest": "bakepy.models.compose.deploy",
    "DiscreteResource": "bakepy.models.compose.deploy",
    "EnvFile": "bakepy.models.compose.service",
    "Extends": "bakepy.models.compose.service",
    "GenericResource": "bakepy.models.compose.deploy",
    "GpuRequest": "bakepy.models.compose.devices",
    "Ipam": "bakepy.models.compose.project",
    "IpamConfig": "bakepy.models.compose.project",
    "Logging": "bakepy.models.compose.service",
    "Placement": "bakepy.models.compose.deploy",
    "PlacementPreference": "bakepy.models.compose.deploy",
    "Port": "bakepy.models.compose.mounts",
    "ResourceLimits": "bakepy.models.compose.deploy",
    "ResourceReservations": "bakepy.models.compose.deploy",
    "RestartPolicy": "bakepy.models.compose.deploy",
    "Service": "bakepy.models.compose.service",
    "ServiceConfig": "bakepy.models.compose.mounts",
    "ServiceHealthcheck": "bakepy.models.compose.service",
    "ServiceHook": "bakepy.models.compose.hooks",
    "ServiceNetwork": "bakepy.models.compose.service",
    "ServiceSecret": "bakepy.models.compose.mounts",
    "ServiceVolume": "bakepy.models.compose.mounts",
    "Stack": "bakepy.models.compose.project",
    "StackSpec": "bakepy.models.compose.project",
    "SwarmNode": "bakepy.models.compose.swarm_node",
    "SwarmNodeSpec": "bakepy.models.compose.swarm_node",
    "TmpfsOptions": "bakepy.models.compose.mounts",
    "UlimitRange": "bakepy.models.compose.base",
    "UpdateConfig": "bakepy.models.compose.deploy",
    "VolumeOptions": "bakepy.models.compose.mounts",
    "Watch": "bakepy.models.compose.service",
}
"""Each public name and the module that defines it."""

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
