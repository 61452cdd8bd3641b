"""The seam through which a lowered DesiredState is handed to whoever asked to see it: the
cache of a no-change ``bakepy apply`` (``bakepy.cli.noop_apply``) keeps what the whole
command lowered. Nothing observes outside that command, and observers never change the state.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

Observer = Callable[[Any, Any], None]
"""Called with the Project and the DesiredState (typed loosely: ``desired`` imports this)."""
_observers: list[Observer] = []


@contextlib.contextmanager
def observing(observer: Observer) -> Iterator[None]:
    """Call ``observer`` with the project and each DesiredState lowered meanwhile."""
    _observers.append(observer)
    try:
        yield
    finally:
        _observers.remove(observer)


def notify(project: Any, desired: Any) -> None:
    """Hand a freshly lowered DesiredState to the observers, if any."""
    for observer in list(_observers):
        observer(project, desired)
