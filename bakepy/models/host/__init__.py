"""The engine host's files as typed objects: ``DaemonConfig`` (daemon.json, ``daemon`` with its
keys, rules and nested values) and ``SystemdDropIn`` (drop-ins for docker.service, ``systemd``).

Every value type of the domain is importable from here
(``from bakepy.models.host import ...``);
each is imported on first use, so importing one module of the domain does not load the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bakepy.support.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from bakepy.models.host.daemon import (
        DaemonConfig as DaemonConfig,
        DaemonConfigSpec as DaemonConfigSpec,
    )
    from bakepy.models.host.daemon_values import (
        DaemonAddressPool as DaemonAddressPool,
        DaemonBuilder as DaemonBuilder,
        DaemonBuilderEntitlements as DaemonBuilderEntitlements,
        DaemonBuilderGC as DaemonBuilderGC,
        DaemonBuilderGCPolicy as DaemonBuilderGCPolicy,
        DaemonBuilderHistory as DaemonBuilderHistory,
        DaemonProxies as DaemonProxies,
        DaemonRuntime as DaemonRuntime,
        DaemonUlimit as DaemonUlimit,
    )
    from bakepy.models.host.systemd import (
        SystemdDropIn as SystemdDropIn,
        SystemdDropInSpec as SystemdDropInSpec,
        SystemdServiceSection as SystemdServiceSection,
        SystemdUnitSection as SystemdUnitSection,
        drop_in_for as drop_in_for,
    )

_EXPORTS = {
    "DaemonAddressPool": "bakepy.models.host.daemon_values",
    "DaemonBuilder": "bakepy.models.host.daemon_values",
    "DaemonBuilderEntitlements": "bakepy.models.host.daemon_values",
    "DaemonBuilderGC": "bakepy.models.host.daemon_values",
    "DaemonBuilderGCPolicy": "bakepy.models.host.daemon_values",
    "DaemonBuilderHistory": "bakepy.models.host.daemon_values",
    "DaemonConfig": "bakepy.models.host.daemon",
    "DaemonConfigSpec": "bakepy.models.host.daemon",
    "DaemonProxies": "bakepy.models.host.daemon_values",
    "DaemonRuntime": "bakepy.models.host.daemon_values",
    "DaemonUlimit": "bakepy.models.host.daemon_values",
    "SystemdDropIn": "bakepy.models.host.systemd",
    "SystemdDropInSpec": "bakepy.models.host.systemd",
    "SystemdServiceSection": "bakepy.models.host.systemd",
    "SystemdUnitSection": "bakepy.models.host.systemd",
    "drop_in_for": "bakepy.models.host.systemd",
}
"""Each public name and the module that defines it."""

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
