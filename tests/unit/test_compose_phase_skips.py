"""Phases of the compose load that skip a file with nothing for them (issue 12): interpolation
and ``$$`` escaping when no key or value may hold a ``$``, the tags phase when no value is
tagged ``!reset``/``!override``. Every compose fixture loads to the same project, lines,
warnings and errors as when every phase runs; what a quick test on the text could miss (an
escape writing ``$``, a ``$`` or a tag from an included or extended file) still goes through."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bakepy.errors import BakepyError
from bakepy.loaders.compose import reading
from bakepy.loaders.compose.pipeline import load_compose
from bakepy.loaders.compose.raw import RawModel

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "compose"
MAIN_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")


def _outcome(files: list[Path]) -> Any:
    """What loading ``files`` gives: the project as data, its lines and the warnings, or
    the error."""
    try:
        loaded = load_compose(files, environ={"X": "ex"})
    except BakepyError as exc:
        return ("error", type(exc).__name__, str(exc))
    project = loaded.project
    lines = project._field_lines
    return (
        project.model_dump(mode="json"),
        project._source,
        dict(lines) if lines is not None else None,
        loaded.warnings,
        loaded.environment,
    )


def _every_phase(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the read tell the phases nothing: every one of them walks every file."""

    def unknowing(
        data: Any, origins: Any, directory: Path, files: list[Path], *_flags: bool
    ) -> RawModel:
        return RawModel(data, origins, directory, files)

    monkeypatch.setattr(reading, "RawModel", unknowing)


def _main_files() -> list[Path]:
    found = []
    for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for name in MAIN_NAMES:
            if (folder / name).is_file():
                found.append(folder / name)
                break
    return found


def test_every_fixture_loads_the_same_as_with_every_phase(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files = _main_files()
    assert len(files) > 60
    skipped = [_outcome([file]) for file in files]
    _every_phase(monkeypatch)
    walked = [_outcome([file]) for file in files]
    for file, one, other in zip(files, skipped, walked, strict=True):
        assert one == other, file


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_an_escape_writing_a_dollar_is_interpolated(tmp_path: Path) -> None:
    file = _write(
        tmp_path / "p" / "compose.yaml",
        'services:\n  web:\n    image: "\\u0024{X}"\n    labels: {a: "\\u0024\\u0024"}\n',
    )
    service = load_compose([file], environ={"X": "nginx"}).project.spec.services["web"]
    assert service.image == "nginx"
    assert service.labels == {"a": "$$"}


def test_a_dollar_from_an_included_or_extended_file_is_escaped(tmp_path: Path) -> None:
    _write(tmp_path / "lib" / "compose.yaml", "services:\n  lib:\n    image: ${X}$$x\n")
    including = _write(
        tmp_path / "p" / "compose.yaml",
        "include: [../lib/compose.yaml]\nservices:\n  web:\n    image: nginx\n",
    )
    extending = _write(
        tmp_path / "q" / "compose.yaml",
        "services:\n  web:\n    extends: {file: ../lib/compose.yaml, service: lib}\n",
    )
    for main, name in ((including, "lib"), (extending, "web")):
        service = load_compose([main], environ={"X": "ex"}).project.spec.services[name]
        assert service.image == "ex$$x"


def test_a_tag_from_an_extended_file_is_resolved(tmp_path: Path) -> None:
    _write(
        tmp_path / "base" / "compose.yaml",
        "services:\n  lib:\n    image: x\n    labels: !override {a: b}\n",
    )
    file = _write(
        tmp_path / "p" / "compose.yaml",
        "services:\n  web:\n    extends: {file: ../base/compose.yaml, service: lib}\n",
    )
    service = load_compose([file], environ={}).project.spec.services["web"]
    assert service.labels == {"a": "b"}


@pytest.mark.parametrize(
    "value", ["yes", "Off", "'on'", '"N"', "!!str yes", "[a, no]", "${B}", "${B:-off}"]
)
def test_a_word_anywhere_is_still_read_as_a_boolean(tmp_path: Path, value: str) -> None:
    file = _write(
        tmp_path / "p" / "compose.yaml",
        f"services:\n  web:\n    image: nginx\n    init: {value}\n    command: [a]\n",
    )
    try:
        loaded = load_compose([file], environ={"B": "y"})
    except BakepyError:
        assert value == "[a, no]"  # a list is no boolean: refused, as before
        return
    assert isinstance(loaded.project.spec.services["web"].init, bool)
    assert any("YAML 1.2" in warning for warning in loaded.warnings)
