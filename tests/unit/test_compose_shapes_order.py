"""Of several values compose's schema refuses, the one reported is found in the same order
whatever walks the model (``check_shapes`` finds every pattern's mappings in one walk): the
durations first, field by field, service by service, then the option maps, rule by rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from bakepy import LoadError
from bakepy.loaders.compose.pipeline import load_compose

SERVICES = """\
services:
  a:
    image: x
    logging:
      options: {compress: true}
    stop_grace_period: 5
  b:
    image: x
    healthcheck:
      timeout: 3
      interval: 10
networks:
  n:
    driver_opts: {mtu: true}
"""


def _refused(tmp_path: Path, text: str) -> LoadError:
    (tmp_path / "compose.yaml").write_text(text)
    with pytest.raises(LoadError) as caught:
        load_compose([tmp_path / "compose.yaml"], environ={})
    return caught.value


def test_the_first_duration_pattern_then_the_first_service(tmp_path: Path) -> None:
    refused = _refused(tmp_path, SERVICES)
    assert "services.b.healthcheck.interval: must be a string" in str(refused)
    assert refused.location.line == 11


def test_durations_before_option_maps(tmp_path: Path) -> None:
    refused = _refused(tmp_path, SERVICES.replace("      interval: 10\n", ""))
    assert "services.b.healthcheck.timeout: must be a string" in str(refused)


def test_option_maps_rule_by_rule(tmp_path: Path) -> None:
    text = SERVICES.replace("      timeout: 3\n      interval: 10\n", "      timeout: 3s\n")
    refused = _refused(tmp_path, text.replace("    stop_grace_period: 5\n", ""))
    assert "services.a.logging.options.compress: must be a string, number or null" in str(refused)
    without_logging = text.replace("    logging:\n      options: {compress: true}\n", "")
    refused = _refused(tmp_path, without_logging)
    assert "services.a.stop_grace_period: must be a string" in str(refused)


def test_a_network_option_map(tmp_path: Path) -> None:
    text = "services:\n  a:\n    image: x\nnetworks:\n  n:\n    driver_opts: {mtu: true}\n"
    refused = _refused(tmp_path, text)
    assert "networks.n.driver_opts.mtu: must be a string or number" in str(refused)
    assert refused.location.line == 6
