"""``bakepy import``: a bake file becomes Python and YAML that render back to an equivalent
file: ``docker buildx bake --print`` of the re-rendered file equals that of the original."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bakepy import load, render
from bakepy.api import import_definitions
from bakepy.cli import app
from bakepy.importer.from_bake import ImportError_
from bakepy.output import write_files

BAKE_FILE = """\
variable "TAG" { default = "1.0" }
variable "REGISTRY" { default = "r.example" }
function "image" {
  params = [name]
  result = "${REGISTRY}/${name}:${TAG}"
}
group "default" { targets = ["app", "worker"] }
group "all" { targets = ["default", "tools"] }
target "_common" {
  context = "."
  args = { GO_VERSION = "1.22", EMPTY = null }
  labels = { "org.opencontainers.image.source" = "https://example.com/repo" }
  platforms = ["linux/amd64", "linux/arm64"]
  cache-from = ["type=registry,ref=r.example/cache"]
}
target "base" {
  inherits = ["_common"]
  dockerfile-inline = <<EOT
FROM alpine
RUN echo $${HOME} > /home.txt
EOT
}
target "app" {
  inherits = ["_common"]
  contexts = { base = "target:base", src = "./src" }
  tags = [image("app"), "app:latest"]
  secret = ["id=token,env=TOKEN"]
  annotations = ["index:org.opencontainers.image.title=app"]
  output = ["type=registry"]
}
target "worker" {
  inherits = ["app"]
  tags = [image("worker")]
  target = "worker"
}
target "tools" {
  matrix = { tool = ["lint", "test"] }
  name = "tools-${tool}"
  target = tool
  no-cache = true
}
"""


def buildx_print(docker: str, folder: Path, *names: str) -> dict[str, Any]:
    result = subprocess.run(
        [docker, "buildx", "bake", "--print", *names],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/root", "TOKEN": "t"},
    )
    printed: dict[str, Any] = json.loads(result.stdout)
    for target in printed["target"].values():  # contexts are relative to each file's folder
        target["context"] = str((folder / target["context"]).resolve())
        for key, value in target.get("contexts", {}).items():
            if value.startswith("."):
                target["contexts"][key] = str((folder / value).resolve())
    return printed


@pytest.mark.conformance
@pytest.mark.parametrize("to", ["python", "yaml"])
def test_imported_definition_renders_an_equivalent_bake_file(
    to: str, buildx: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = tmp_path / "original"
    (original / "src").mkdir(parents=True)
    (original / "docker-bake.hcl").write_text(BAKE_FILE)
    definition = original / ("bakepy.py" if to == "python" else "bakepy.yaml")
    monkeypatch.chdir(original)
    definition.write_text(import_definitions([original / "docker-bake.hcl"], to))  # type: ignore[arg-type]
    out = tmp_path / "rendered"
    write_files(render(load([definition]), out), out)
    assert buildx_print(buildx, out, "all") == buildx_print(buildx, original, "all")


def test_python_import_uses_objects_for_references(tmp_path: Path) -> None:
    (tmp_path / "docker-bake.hcl").write_text(BAKE_FILE)
    code = import_definitions([tmp_path / "docker-bake.hcl"], "python")
    assert "inherits=[common]" in code
    assert '"base": base' in code  # target: context as the Target object
    assert "targets=[app, worker]" in code
    assert "targets=[default, tools]" in code
    compile(code, "bakepy.py", "exec")


def test_import_refuses_what_it_cannot_type(tmp_path: Path) -> None:
    (tmp_path / "docker-bake.hcl").write_text(
        'variable "P" { default = ["linux/amd64"] }\ntarget "t" { platforms = P }\n'
    )
    with pytest.raises(ImportError_, match="platforms is one expression"):
        import_definitions([tmp_path / "docker-bake.hcl"], "python")


def test_cli_import_writes_a_file_and_reports_errors(tmp_path: Path) -> None:
    (tmp_path / "docker-bake.hcl").write_text(BAKE_FILE)
    out = tmp_path / "defs" / "bakepy.py"
    result = CliRunner().invoke(
        app, ["import", str(tmp_path / "docker-bake.hcl"), "--to", "python", "-o", str(out)]
    )
    assert result.exit_code == 0, result.stderr
    assert out.read_text().startswith('"""Imported by bakepy from docker-bake.hcl')
    (tmp_path / "bad.hcl").write_text('target "t" {\n  tagz = ["x"]\n}\n')
    result = CliRunner().invoke(app, ["import", str(tmp_path / "bad.hcl")])
    assert result.exit_code == 2
    assert "bad.hcl:1" in result.stderr
    assert "did you mean 'tags'" in result.stderr
