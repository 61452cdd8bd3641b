"""kept_contents: which configs and secrets an apply keeps (what declared services use, and what
the previous spec of each service, the one a rollback returns to, uses)."""

from __future__ import annotations

from bakepy.engine.swarm.observed import ObservedSwarmObject
from bakepy.engine.swarm.retention import kept_contents


def _service(
    name: str, uses: set[str], previous: frozenset[str] = frozenset()
) -> ObservedSwarmObject:
    return ObservedSwarmObject(
        "service", f"id-{name}", name, uses=frozenset(uses), previous_uses=frozenset(previous)
    )


def test_an_updated_service_keeps_what_it_runs_now_for_a_rollback() -> None:
    listed = [_service("web", {"token-1"}, {"token-0"})]
    kept = kept_contents({"web": frozenset({"token-2"})}, listed, ["web"], [])
    assert kept == {"token-2", "token-1"}  # token-0 was two specs ago: no rollback reaches it


def test_an_unchanged_service_keeps_its_previous_spec_contents() -> None:
    listed = [_service("web", {"token-2"}, {"token-1"})]
    kept = kept_contents({"web": frozenset({"token-2"})}, listed, [], [])
    assert kept == {"token-2", "token-1"}


def test_a_service_no_longer_declared_but_not_pruned_keeps_both_specs() -> None:
    listed = [_service("old", {"a"}, {"b"})]
    assert kept_contents({}, listed, [], []) == {"a", "b"}


def test_a_pruned_service_needs_nothing() -> None:
    listed = [_service("old", {"a"}, {"b"})]
    assert kept_contents({}, listed, [], ["old"]) == frozenset()


def test_a_new_service_needs_only_what_it_declares() -> None:
    assert kept_contents({"web": frozenset({"motd-1"})}, [], [], []) == {"motd-1"}
