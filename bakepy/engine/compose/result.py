"""What an apply (or delete) did: each action (``Done``) and the closing lines a person reads
(``ApplyResult``). Apart from the executor (``bakepy.engine.compose.apply``), so that a
no-change apply answered from its cache prints the same lines without importing it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from bakepy.engine.compose.plan import RuntimePlan

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Done:
    """One thing apply did (``waited`` changes nothing; every other action does)."""

    action: str
    """pulled, created, replaced, started, unpaused, connected, restarted, deleted or waited."""
    resource: str
    name: str
    seconds: float = 0.0

    def describe(self) -> str:
        """``created service/db webapp-db-1 (0.12s)``."""
        return f"{self.action} {self.resource} {self.name} ({self.seconds:.2f}s)"


@dataclass
class ApplyResult:
    """What an apply (or delete) did, with the plan it carried out."""

    plan: RuntimePlan
    done: list[Done] = field(default_factory=list)
    dry_run: bool = False
    verb: str = "Apply"
    """``Apply`` or ``Delete``, for the closing line."""

    @property
    def changed(self) -> bool:
        """True when something on the engine was changed."""
        return any(d.action != "waited" for d in self.done)

    def counts(self) -> dict[str, int]:
        """How many of each action."""
        return dict(Counter(d.action for d in self.done if d.action != "waited"))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "project": self.plan.project,
            "dry_run": self.dry_run,
            "changed": self.changed,
            "done": [asdict(d) for d in self.done],
            "plan": self.plan.to_dict(),
        }

    def to_json(self) -> str:
        """``apply --output json``."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"

    def summary(self) -> str:
        """The closing line: what was done, or that nothing was (no mutating call)."""
        unchanged = self.plan.counts()["unchanged"]
        if self.dry_run:
            return "Dry run: nothing was changed. " + self.plan.summary()
        if not self.changed:
            return f"No changes. {unchanged} resources unchanged; no mutating call was made."
        done = ", ".join(f"{n} {a}" for a, n in sorted(self.counts().items()))
        return f"{self.verb} complete: {done}; {unchanged} unchanged."

    def render(self, *, actions: bool = True) -> str:
        """What a person reads after ``bakepy apply`` (``actions=False`` when they were shown
        live through ``progress``)."""
        if self.dry_run:
            return self.plan.render() + self.summary() + "\n"
        lines = [d.describe() for d in self.done if d.action != "waited"] if actions else []
        lines += [f"warning: {w}" for w in self.plan.warnings]
        lines.append(self.summary())
        return "\n".join(lines) + "\n"
