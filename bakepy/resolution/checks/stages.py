"""Finding a Dockerfile's stage by name (as BuildKit does) or by the very object: shared by the
whole-Dockerfile rules and the target checks, which a render of targets naming their Dockerfile
by path runs without importing those rules."""

from __future__ import annotations

from collections.abc import Sequence

from bakepy.models.dockerfile.instructions import Stage


def find_stage_index(stages: Sequence[Stage], name: str) -> int | None:
    """Index of the stage called ``name`` (case-insensitive, as BuildKit), or None."""
    wanted = name.lower()
    for index, stage in enumerate(stages):
        if stage.name is not None and stage.name.lower() == wanted:
            return index
    return None


def stage_index(stages: Sequence[Stage], stage: Stage) -> int | None:
    """Index of the very object ``stage`` in ``stages``, or None."""
    return next((i for i, candidate in enumerate(stages) if candidate is stage), None)
