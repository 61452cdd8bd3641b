"""What a render's start imports and builds (issue 12: a cold render of a monorepo spent about
0.4 s importing modules): the ``bakepy`` command skips pydantic's plugin lookup, which
imports ``importlib.metadata`` and reads every installed package's metadata (a program that
imports bakepy keeps its plugins), and a render of targets that name their Dockerfile by path
builds no Dockerfile or Builder model."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

TARGET = (
    "apiVersion: bakepy.dev/v1alpha1\nkind: Target\nmetadata: {name: app}\nspec: {context: .}\n"
)


def _render_in_process(folder: Path, report: Path) -> dict[str, object]:
    """Run ``bakepy render`` through the console script's ``main`` in a fresh process and
    return what it had imported at exit."""
    script = textwrap.dedent(
        f"""
        import atexit, json, sys
        def report():
            from bakepy.models.bake import builder, targets
            from bakepy.models.dockerfile import instructions
            loader = sys.modules.get("pydantic.plugin._loader")
            models = [instructions.Dockerfile, instructions.Stage, instructions.Run,
                      builder.Builder, targets.Target]
            with open({str(report)!r}, "w") as out:
                json.dump({{
                    "modules": sorted(sys.modules),
                    "loader_file": getattr(loader, "__file__", None),
                    "built": [m.__name__ for m in models if m.__pydantic_complete__],
                }}, out)
        atexit.register(report)
        sys.argv = ["bakepy", "render", "-f", {str(folder)!r}, "--out", {str(folder / "out")!r}]
        from bakepy.cli import main
        main()
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, cwd=folder)
    result: dict[str, object] = json.loads(report.read_text())
    return result


def test_the_command_looks_up_no_pydantic_plugins(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "bakepy.yaml").write_text(TARGET)
    imported = _render_in_process(folder, tmp_path / "report.json")
    assert (folder / "out" / "docker-bake.hcl").is_file()
    modules = imported["modules"]
    assert isinstance(modules, list)
    assert "pydantic" in modules
    assert "importlib.metadata" not in modules
    assert "email" not in modules
    assert imported["loader_file"] is None  # bakepy's stand-in, not pydantic's module


def test_a_render_of_targets_builds_no_dockerfile_or_builder_model(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "bakepy.yaml").write_text(TARGET.replace("{context: .}", "{dockerfile: app.df}"))
    imported = _render_in_process(folder, tmp_path / "report.json")
    assert "app.df" in (folder / "out" / "docker-bake.hcl").read_text()
    assert imported["built"] == ["Target"]


def test_a_program_importing_bakepy_keeps_pydantic_plugins() -> None:
    script = textwrap.dedent(
        """
        import sys
        from bakepy.models.bake.targets import Target
        Target(metadata="app")
        from pydantic.plugin import _loader
        assert _loader.__file__ and _loader.__file__.endswith("_loader.py"), _loader
        print(type(_loader.get_plugins()).__name__)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "dict_values"  # pydantic's loader looked them up


def test_the_stand_in_loader_gives_what_else_pydantic_may_ask_for(tmp_path: Path) -> None:
    """A later pydantic may import another name from its plugin loader: the stand-in then
    gives the real module's (here its entry-point group name), instead of failing."""
    script = textwrap.dedent(
        """
        import sys
        from bakepy.cli import _without_pydantic_plugins
        _without_pydantic_plugins()
        from pydantic.plugin._loader import PYDANTIC_ENTRY_POINT_GROUP, get_plugins
        print(PYDANTIC_ENTRY_POINT_GROUP, list(get_plugins()))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True, cwd=tmp_path
    )
    assert done.stdout.split() == ["pydantic", "[]"]


def test_a_render_does_not_import_the_no_change_apply_paths(tmp_path: Path) -> None:
    """Only ``apply`` and ``plan`` can be answered by the no-change paths, which another
    command does not import (with ``tempfile``, about 5 ms of every render's start)."""
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "bakepy.yaml").write_text(TARGET)
    modules = _render_in_process(folder, tmp_path / "report.json")["modules"]
    assert isinstance(modules, list)
    assert "bakepy.cli.noop_apply" not in modules
    assert "bakepy.cli.noop_build" not in modules
