"""Loaders: find definition files and read them into one Project.

The names are imported on first use, so that a module of this package that needs little
(``repository``, which caches consult before anything heavy is loaded) stays cheap to import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bakepy.support.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from bakepy.loaders.reading import (
        BAKE_DEFAULT_FILES as BAKE_DEFAULT_FILES,
        DEFAULT_FILES as DEFAULT_FILES,
        discover as discover,
        load as load,
        load_files as load_files,
    )

_EXPORTS = {
    "BAKE_DEFAULT_FILES": "bakepy.loaders.reading",
    "DEFAULT_FILES": "bakepy.loaders.reading",
    "discover": "bakepy.loaders.reading",
    "load": "bakepy.loaders.reading",
    "load_files": "bakepy.loaders.reading",
}
"""Each name and the module that defines it."""

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
