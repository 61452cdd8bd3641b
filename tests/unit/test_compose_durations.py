"""Compose durations follow Go's ``time.ParseDuration`` (as compose does): every form Go takes
is accepted and re-spelled as ``docker compose config`` prints it; a number in a file is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from bakepy import LoadError
from bakepy.loaders.compose.pipeline import load_compose
from bakepy.models.compose.service import ServiceHealthcheck
from bakepy.models.compose.values import go_duration


@pytest.mark.parametrize(
    ("written", "printed"),
    [
        (".5s", "500ms"),
        ("+3s", "3s"),
        ("-5s", "-5s"),
        ("1μs", "1µs"),
        ("2.5m", "2m30s"),
        ("0", "0s"),
    ],
)
def test_go_forms_are_accepted_and_printed_as_compose_prints_them(
    written: str, printed: str
) -> None:
    assert ServiceHealthcheck(interval=written).interval == written
    assert go_duration(written) == printed


@pytest.mark.parametrize("written", ["1d", "5", "1h 30m", "1e3s", "s"])
def test_forms_go_refuses_are_refused(written: str) -> None:
    with pytest.raises(ValueError, match="must look like 30s"):
        ServiceHealthcheck(interval=written)


def test_a_number_of_seconds_in_a_compose_file_is_refused_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(
        "services:\n  db:\n    image: x\n    healthcheck:\n      interval: 10\n"
    )
    with pytest.raises(LoadError, match=r"healthcheck\.interval: must be a string") as caught:
        load_compose([tmp_path / "compose.yaml"], environ={})
    assert caught.value.location.line == 5
