"""Dockerfiles as typed objects: the ``Dockerfile`` resource, its stages and every
instruction (``instructions``), and ``.dockerignore`` patterns (``dockerignore``).

Every value type of the domain is importable from here
(``from bakepy.models.dockerfile import ...``);
each is imported on first use, so importing one module of the domain does not load the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bakepy.support.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from bakepy.models.dockerfile.dockerignore import (
        DockerIgnore as DockerIgnore,
    )
    from bakepy.models.dockerfile.instructions import (
        Add as Add,
        Arg as Arg,
        BindMount as BindMount,
        CacheMount as CacheMount,
        Cmd as Cmd,
        Comment as Comment,
        Copy as Copy,
        Dockerfile as Dockerfile,
        DockerfileSpec as DockerfileSpec,
        Entrypoint as Entrypoint,
        Env as Env,
        Expose as Expose,
        Healthcheck as Healthcheck,
        Heredoc as Heredoc,
        Label as Label,
        Onbuild as Onbuild,
        Raw as Raw,
        Run as Run,
        SecretMount as SecretMount,
        Shell as Shell,
        SshMount as SshMount,
        Stage as Stage,
        StageRef as StageRef,
        Stopsignal as Stopsignal,
        TmpfsMount as TmpfsMount,
        User as User,
        Volume as Volume,
        Workdir as Workdir,
    )

_EXPORTS = {
    "Add": "bakepy.models.dockerfile.instructions",
    "Arg": "bakepy.models.dockerfile.instructions",
    "BindMount": "bakepy.models.dockerfile.instructions",
    "CacheMount": "bakepy.models.dockerfile.instructions",
    "Cmd": "bakepy.models.dockerfile.instructions",
    "Comment": "bakepy.models.dockerfile.instructions",
    "Copy": "bakepy.models.dockerfile.instructions",
    "DockerIgnore": "bakepy.models.dockerfile.dockerignore",
    "Dockerfile": "bakepy.models.dockerfile.instructions",
    "DockerfileSpec": "bakepy.models.dockerfile.instructions",
    "Entrypoint": "bakepy.models.dockerfile.instructions",
    "Env": "bakepy.models.dockerfile.instructions",
    "Expose": "bakepy.models.dockerfile.instructions",
    "Healthcheck": "bakepy.models.dockerfile.instructions",
    "Heredoc": "bakepy.models.dockerfile.instructions",
    "Label": "bakepy.models.dockerfile.instructions",
    "Onbuild": "bakepy.models.dockerfile.instructions",
    "Raw": "bakepy.models.dockerfile.instructions",
    "Run": "bakepy.models.dockerfile.instructions",
    "SecretMount": "bakepy.models.dockerfile.instructions",
    "Shell": "bakepy.models.dockerfile.instructions",
    "SshMount": "bakepy.models.dockerfile.instructions",
    "Stage": "bakepy.models.dockerfile.instructions",
    "StageRef": "bakepy.models.dockerfile.instructions",
    "Stopsignal": "bakepy.models.dockerfile.instructions",
    "TmpfsMount": "bakepy.models.dockerfile.instructions",
    "User": "bakepy.models.dockerfile.instructions",
    "Volume": "bakepy.models.dockerfile.instructions",
    "Workdir": "bakepy.models.dockerfile.instructions",
}
"""Each public name and the module that defines it."""

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
