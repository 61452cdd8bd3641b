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
from bakepy.api.definitions import import_definitions
from bakepy.api.output import write_files
from bakepy.cli import app
from bakepy.errors import ImportDefinitionError

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


def test_import_keeps_an_expression_it_cannot_type(tmp_path: Path) -> None:
    (tmp_path / "docker-bake.hcl").write_text(
        'variable "P" { default = ["linux/amd64"] }\ntarget "t" { platforms = P }\n'
    )
    code = import_definitions([tmp_path / "docker-bake.hcl"], "python")
    assert 'TargetSpec(platforms="${P}")' in code


def test_import_refuses_a_value_of_the_wrong_type(tmp_path: Path) -> None:
    (tmp_path / "docker-bake.hcl").write_text('target "t" {\n  args = ["a"]\n}\n')
    with pytest.raises(ImportDefinitionError, match=r"docker-bake.hcl:\d+: target 't': args: "):
        import_definitions([tmp_path / "docker-bake.hcl"], "python")


def test_cli_import_writes_a_file_and_reports_errors(tmp_path: Path) -> None:
    (tmp_path / "docker-bake.hcl").write_text(BAKE_FILE)
    out = tmp_path / "defs" / "bakepy.py"
    result = CliRunner().invoke(
        app, ["import", str(tmp_path / "docker-bake.hcl"), "--to", "python", "--out", str(out)]
    )
    assert result.exit_code == 0, result.stderr
    assert out.read_text().startswith('"""Imported by bakepy from docker-bake.hcl')
    (tmp_path / "bad.hcl").write_text('target "t" {\n  tagz = ["x"]\n}\n')
    result = CliRunner().invoke(app, ["import", str(tmp_path / "bad.hcl")])
    assert result.exit_code == 2
    assert "bad.hcl:2:10: target 't': tagz: " in result.stderr
    assert "did you mean 'tags'" in result.stderr


DOCKERFILES = sorted(
    (REPO_FIXTURES := Path(__file__).resolve().parents[1] / "fixtures").glob(
        "dockerfiles/*.Dockerfile"
    )
)


@pytest.mark.parametrize("to", ["python", "yaml"])
@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=[p.stem for p in DOCKERFILES])
def test_imported_dockerfile_renders_the_same_instructions(
    dockerfile: Path, to: str, tmp_path: Path
) -> None:
    from bakepy.loaders.dockerfile.parser import parse_dockerfile

    definition = tmp_path / ("bakepy.py" if to == "python" else "bakepy.yaml")
    definition.write_text(import_definitions([dockerfile], to))  # type: ignore[arg-type]
    files = {f.path: f.text for f in render(load([definition]), tmp_path / "out")}
    (rendered,) = (text for path, text in files.items() if path.endswith(".Dockerfile"))
    original = parse_dockerfile(dockerfile.read_text())
    assert parse_dockerfile(rendered).spec.model_dump() == original.spec.model_dump()
    if to == "python":  # later stages name earlier ones by object, never by a string
        code = definition.read_text()
        for stage in original.spec.stages:
            assert f'from_="{stage.name}"' not in code


@pytest.mark.conformance
def test_imported_compose_file_renders_an_equivalent_compose_file(
    docker_compose: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docker = docker_compose
    compose = tmp_path / "compose.yaml"
    compose.write_text(
        "name: shop\n"
        "services:\n"
        "  web:\n"
        "    image: busybox\n"
        '    ports: ["8080:80", "127.0.0.1:9000-9001:9000-9001/udp"]\n'
        "    environment: [MODE=prod, EMPTY=]\n"
        "    depends_on: [db]\n"
        "    networks: [front, back]\n"
        "    healthcheck: {test: wget -q -O- localhost, interval: 30s}\n"
        "  db:\n"
        "    image: busybox\n"
        "    volumes: [data:/var/lib/db, ./conf:/etc/db:ro]\n"
        "    networks: [back]\n"
        "networks: {front: {}, back: {internal: true}}\n"
        "volumes: {data: {}}\n"
    )
    (tmp_path / "conf").mkdir()
    monkeypatch.chdir(tmp_path)
    definition = tmp_path / "bakepy.py"  # beside the compose file: its relative paths hold
    definition.write_text(import_definitions([compose], "python"))
    out = tmp_path / "out"
    write_files(render(load([definition]), out), out)

    def config(path: Path) -> dict[str, Any]:
        done = subprocess.run(
            [docker, "compose", "-f", str(path), "config", "--format", "json"],
            capture_output=True,
            text=True,
            check=True,
        )
        loaded: dict[str, Any] = json.loads(done.stdout)
        return loaded

    assert config(out / "compose.yaml") == config(compose)


@pytest.mark.conformance
@pytest.mark.parametrize("to", ["python", "yaml"])
def test_an_imported_compose_file_keeps_its_variables(
    docker_compose: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, to: str
) -> None:
    """``${MODE:-dev}`` stays a variable: compose gives the rendered file the value of the
    environment it runs in, as it gives the original."""
    compose = tmp_path / "compose.yaml"
    compose.write_text(
        "services:\n"
        "  web:\n"
        "    image: busybox:${TAG:-1.36}\n"
        '    ports: ["${PORT:-8080}:80"]\n'
        "    environment:\n"
        "      MODE: ${MODE:-dev}\n"
        "      PRICE: cost $$5\n"
        "    labels: ['${LABEL_KEY:-team}=web']\n"
        "    read_only: ${READ_ONLY:-false}\n"
        "    restart: ${RESTART}\n"
    )
    monkeypatch.chdir(tmp_path)
    definition = tmp_path / ("bakepy.py" if to == "python" else "bakepy.yaml")
    definition.write_text(import_definitions([compose], to))  # type: ignore[arg-type]
    assert "${MODE:-dev}" in definition.read_text()
    out = tmp_path / "out"
    write_files(render(load([definition]), out), out)

    def config(path: Path, env: dict[str, str]) -> dict[str, Any]:
        done = subprocess.run(
            [docker_compose, "compose", "-f", str(path), "config", "--format", "json"],
            capture_output=True,
            text=True,
            check=True,
            env={"PATH": "/usr/bin:/bin:/usr/local/bin", **env},
        )
        loaded: dict[str, Any] = json.loads(done.stdout)
        loaded.pop("name")
        return loaded

    for env in ({}, {"MODE": "prod", "TAG": "1.37", "PORT": "9", "LABEL_KEY": "owner"}):
        assert config(out / "compose.yaml", env) == config(compose, env)
