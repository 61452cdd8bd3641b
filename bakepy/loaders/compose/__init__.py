"""Read compose files as compose does: interpolation, .env, include, extends, profiles.

:func:`load_compose` gives the ComposeProject (the deploy side); :func:`compose_bake` the bake
targets ``docker buildx bake`` makes of its build sections (the build side).
"""

from __future__ import annotations

from bakepy.loaders.compose.bake_targets import compose_bake
from bakepy.loaders.compose.detect import COMPOSE_FILE_NAMES, is_compose_file
from bakepy.loaders.compose.pipeline import PHASES, LoadedCompose, load_compose

__all__ = [
    "COMPOSE_FILE_NAMES",
    "PHASES",
    "LoadedCompose",
    "compose_bake",
    "is_compose_file",
    "load_compose",
]
