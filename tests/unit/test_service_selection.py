"""A label selector picks compose services by their own labels, not only whole resources."""

from __future__ import annotations

from pathlib import Path

import pytest

from bakepy import load
from bakepy.errors import SelectionError
from bakepy.resolution.selection import parse_selector, select_resources

DEFINITION = """\
apiVersion: bakepy.dev/v1alpha1
kind: ComposeProject
metadata: {name: shop, labels: {team: shop}}
spec:
  services:
    web: {image: busybox, labels: {tier: front}}
    api: {image: busybox, labels: [tier=back]}
    worker: {image: busybox}
"""


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "bakepy.yaml"
    path.write_text(DEFINITION, encoding="utf-8")
    return path


def test_services_picked_by_their_labels(manifest: Path) -> None:
    project = select_resources(load([manifest]), [], parse_selector("tier=front"))
    assert [r.name for r in project] == ["shop"]
    assert project.service_selections == {"shop": frozenset({"web"})}
    both = select_resources(load([manifest]), [], parse_selector("tier in (front,back)"))
    assert both.service_selections == {"shop": frozenset({"web", "api"})}


def test_a_project_whose_own_labels_match_is_taken_whole(manifest: Path) -> None:
    project = select_resources(load([manifest]), [], parse_selector("team=shop"))
    assert [r.name for r in project] == ["shop"]
    assert project.service_selections == {}


def test_nothing_matching_is_an_error(manifest: Path) -> None:
    with pytest.raises(SelectionError, match="nothing matches the selector tier=db"):
        select_resources(load([manifest]), [], parse_selector("tier=db"))
