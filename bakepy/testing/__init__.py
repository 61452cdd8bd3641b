"""Testing with bakepy: the ``bakepy_run`` pytest fixture (``plugin``, loaded by pytest through
bakepy's ``pytest11`` entry point) and in-memory engines that speak the same protocols as the
real ones, so code that calls ``plan_runtime``/``apply_runtime`` or the stack verbs can be tested
without a Docker engine (as httpx ships its mock transport)::

    from bakepy.testing import FakeEngine

    engine = FakeEngine()
    apply_runtime(project, client=engine)
    assert engine.containers

``FakeEngine`` (``fake_engine``) implements ``EngineClient``; ``FakeSwarm`` (``fake_swarm``)
implements ``SwarmClient``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bakepy.support.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from bakepy.testing.fake_engine import FakeEngine as FakeEngine
    from bakepy.testing.fake_swarm import FakeSwarm as FakeSwarm

_EXPORTS = {"FakeEngine": "bakepy.testing.fake_engine", "FakeSwarm": "bakepy.testing.fake_swarm"}
"""Imported on first use: pytest loads the plugin in every session of a user's suite."""

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
