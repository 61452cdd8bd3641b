"""Read compose files as compose does: interpolation, .env, include, extends, profiles.

:func:`load_compose` gives the ComposeProject (the deploy side); :func:`compose_bake` the bake
targets ``docker buildx bake`` makes of its build sections (the build side). Names are
imported on first use, so that telling a compose file apart (``detect``) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bakepy.loaders.compose.bake_targets import compose_bake as compose_bake
    from bakepy.loaders.compose.detect import (
        COMPOSE_FILE_NAMES as COMPOSE_FILE_NAMES,
        is_compose_file as is_compose_file,
    )
    from bakepy.loaders.compose.pipeline import (
        PHASES as PHASES,
        LoadedCompose as LoadedCompose,
        load_compose as load_compose,
    )

_EXPORTS = {
    "COMPOSE_FILE_NAMES": "bakepy.loaders.compose.detect",
    "PHASES": "bakepy.loaders.compose.pipeline",
    "LoadedCompose": "bakepy.loaders.compose.pipeline",
    "compose_bake": "bakepy.loaders.compose.bake_targets",
    "is_compose_file": "bakepy.loaders.compose.detect",
    "load_compose": "bakepy.loaders.compose.pipeline",
}


def __getattr__(name: str) -> Any:
    """Import a name's module the first time the name is used."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'bakepy.loaders.compose' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "COMPOSE_FILE_NAMES",
    "PHASES",
    "LoadedCompose",
    "compose_bake",
    "is_compose_file",
    "load_compose",
]
