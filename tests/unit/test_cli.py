"""The command line: exit codes, atomic writes, --check, selection, errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bakepy.cli import app
from bakepy.models.kinds import KINDS

REPO = Path(__file__).resolve().parents[2]
GO_EXAMPLE = REPO / "examples" / "go-client-server" / "bakepy.py"  # bakepy.yaml is beside it
runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_render_writes_every_file_and_is_idempotent(tmp_path: Path) -> None:
    code, out, _ = invoke("render", "-f", str(GO_EXAMPLE), "--out", str(tmp_path))
    assert code == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == [
        ".bakepy-rendered.json",  # what this render wrote, for the next one (stale files)
        "docker-bake.hcl",
        "docker-bake.json",
        "go-app.Dockerfile",
        "go-app.Dockerfile.dockerignore",
    ]
    assert out.count("wrote ") == 5
    code, out, _ = invoke("render", "-f", str(GO_EXAMPLE), "--out", str(tmp_path))
    assert code == 0
    assert "unchanged: 5 file(s)" in out


def test_render_format_chooses_bake_files(tmp_path: Path) -> None:
    code, _, _ = invoke("render", "-f", str(GO_EXAMPLE), "--out", str(tmp_path), "--format", "json")
    assert code == 0
    assert not (tmp_path / "docker-bake.hcl").exists()
    assert (tmp_path / "docker-bake.json").exists()


def test_render_without_syntax_directive(tmp_path: Path) -> None:
    invoke("render", "-f", str(GO_EXAMPLE), "--out", str(tmp_path), "--no-syntax-directive")
    assert "# syntax=" not in (tmp_path / "go-app.Dockerfile").read_text()


def test_check_reports_files_that_differ(tmp_path: Path) -> None:
    code, out, _ = invoke("render", "-f", str(GO_EXAMPLE), "--out", str(tmp_path), "--check")
    assert code == 1
    assert "differs:" in out
    assert not any(tmp_path.iterdir())
    invoke("render", "-f", str(GO_EXAMPLE), "--out", str(tmp_path))
    assert invoke("render", "-f", str(GO_EXAMPLE), "--out", str(tmp_path), "--check")[0] == 0
    (tmp_path / "go-app.Dockerfile").write_text("FROM scratch\n")
    code, out, _ = invoke("render", "-f", str(GO_EXAMPLE), "--out", str(tmp_path), "--check")
    assert code == 1
    assert out.strip().endswith("go-app.Dockerfile")


def test_render_selects_targets_and_what_they_need(tmp_path: Path) -> None:
    code, _, _ = invoke("render", "-f", str(GO_EXAMPLE), "--out", str(tmp_path), "client")
    assert code == 0
    hcl = (tmp_path / "docker-bake.hcl").read_text()
    assert 'target "client"' in hcl
    assert 'target "_common"' in hcl
    assert 'target "server"' not in hcl


BAKE_FILE_TARGETS = """\
target "binary" {
  output = ["./bin"]
}
target "lint" {
  name = "lint-${tool}"
  matrix = { tool = ["vet", "shellcheck"] }
  target = tool
}
group "validate" {
  targets = ["lint"]
}
"""


@pytest.mark.parametrize("names", [["binary"], ["validate"], ["lint-vet"], ["binary", "lint"]])
def test_render_names_targets_a_bake_file_declares(tmp_path: Path, names: list[str]) -> None:
    """A bake file's blocks are not resources of their own: naming one (a target, a group, a
    matrix variant) renders the file, as `bakepy print NAME` and `buildx bake NAME` take it."""
    (tmp_path / "docker-bake.hcl").write_text(BAKE_FILE_TARGETS)
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    out = tmp_path / "out"
    bake = str(tmp_path / "docker-bake.hcl")
    code, _, err = invoke("render", "-f", bake, "--out", str(out), *names)
    assert code == 0, err
    assert 'target "binary"' in (out / "docker-bake.hcl").read_text()


def test_render_of_a_name_no_bake_file_declares_is_refused(tmp_path: Path) -> None:
    (tmp_path / "docker-bake.hcl").write_text(BAKE_FILE_TARGETS)
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    out = tmp_path / "out"
    bake = str(tmp_path / "docker-bake.hcl")
    code, _, err = invoke("render", "-f", bake, "--out", str(out), "nope")
    assert code == 2
    assert "nope" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_label_selector_picks_targets() -> None:
    code, out, _ = invoke("print", "-f", str(GO_EXAMPLE), "-l", "kind=image")
    assert code == 0
    assert sorted(json.loads(out)["target"]) == ["client", "server"]


def test_unknown_target_is_a_user_error(tmp_path: Path) -> None:
    code, _, err = invoke("render", "-f", str(GO_EXAMPLE), "--out", str(tmp_path), "nope")
    assert code == 2
    assert "nope" in err
    assert "Traceback" not in err


BAD_MANIFEST = """\
apiVersion: bakepy.dev/v1alpha1
kind: Target
metadata: {name: app}
spec:
  context: .
  platforms: [linux/amd64, linux/sparc]
"""


def test_bad_input_names_file_line_and_field_and_writes_nothing(tmp_path: Path) -> None:
    manifest = tmp_path / "bad.yaml"
    manifest.write_text(BAD_MANIFEST)
    out_dir = tmp_path / "out"
    code, _, err = invoke("render", "-f", str(manifest), "--out", str(out_dir))
    assert code == 2
    assert f"{manifest}:6: Target/app: spec.platforms[1]: unknown architecture 'sparc'" in err
    assert len(err.strip().splitlines()) <= 2
    assert not out_dir.exists()


def test_print_matches_the_bake_print_shape() -> None:
    code, out, _ = invoke("print", "-f", str(GO_EXAMPLE), "client")
    assert code == 0
    printed = json.loads(out)
    assert printed["group"]["default"]["targets"] == ["client"]
    client = printed["target"]["client"]
    assert list(client)[:3] == ["context", "dockerfile", "args"]
    assert client["tags"] == ["localhost:5000/go-client:0.0.0-dev"]
    assert client["platforms"] == ["linux/amd64", "linux/arm64"]


def test_print_applies_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_VERSION", "2.1.0")
    code, out, _ = invoke("print", "-f", str(GO_EXAMPLE), "server")
    assert code == 0
    assert json.loads(out)["target"]["server"]["tags"] == ["localhost:5000/go-server:2.1.0"]


def test_validate_reports_ok() -> None:
    code, out, _ = invoke("validate", "-f", str(GO_EXAMPLE))
    assert code == 0
    assert out.startswith("ok: ")


def test_schema_of_one_kind_and_of_all() -> None:
    code, out, _ = invoke("schema", "Target")
    assert code == 0
    schema = json.loads(out)
    root = schema["$defs"][schema["$ref"].rsplit("/", 1)[1]] if "$ref" in schema else schema
    assert {"apiVersion", "kind", "metadata", "spec"} <= set(root["properties"])
    code, out, _ = invoke("schema")
    kinds = {rule["then"]["$ref"].rsplit("/", 1)[1] for rule in json.loads(out)["allOf"]}
    assert kinds == set(KINDS)
    code, _, err = invoke("schema", "Taget")
    assert code == 2
    assert "did you mean 'Target'?" in err


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bakepy", "validate", "-f", str(GO_EXAMPLE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: ")


def test_the_process_exit_keeps_every_byte_and_the_exit_code(tmp_path: Path) -> None:
    """main() leaves with os._exit after flushing: piped output is whole, codes are kept."""
    command = [sys.executable, "-m", "bakepy"]
    printed = subprocess.run(
        [*command, "print", "-f", str(GO_EXAMPLE)], capture_output=True, text=True, check=False
    )
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.endswith("}\n")
    assert json.loads(printed.stdout)["target"]
    failed = subprocess.run(
        [*command, "validate", "-f", str(tmp_path / "missing.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert failed.returncode == 2
    assert failed.stderr.startswith("error: ")
    assert "Traceback" not in failed.stderr
    usage = subprocess.run([*command, "delete", "--nope"], capture_output=True, text=True)
    assert usage.returncode == 2
    assert "No such option: --nope" in usage.stderr


def test_default_file_is_found_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bakepy.yaml").write_text(
        "apiVersion: bakepy.dev/v1alpha1\nkind: Target\nmetadata: {name: app}\n"
    )
    monkeypatch.chdir(tmp_path)
    assert invoke("validate")[0] == 0


def test_a_folder_of_manifests_is_read_as_kubectl_reads_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``-f DIR`` outside a repository: every YAML of bakepy's apiVersion in DIR, not the
    others (a Kubernetes manifest beside them), and not the folders below."""
    folder = tmp_path / "defs"
    (folder / "below").mkdir(parents=True)
    target = "apiVersion: bakepy.dev/v1alpha1\nkind: Target\nmetadata: {{name: {}}}\n"
    (folder / "web.yaml").write_text(target.format("web"))
    (folder / "worker.yml").write_text(target.format("worker"))
    (folder / "deploy.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\n")
    (folder / "below" / "other.yaml").write_text(target.format("other"))
    monkeypatch.chdir(tmp_path)
    code, out, err = invoke("print", "-f", "defs", "web", "worker")
    assert code == 0, err
    assert sorted(json.loads(out)["target"]) == ["web", "worker"]


def test_missing_definition_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke("validate")
    assert code == 2
    assert "no definition file" in err
    assert "bakepy.py" in err


def test_render_says_what_resolving_says_but_not_what_print_leaves_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A group naming a missing target (buildx fails only when it is built) is warned about
    by render as by validate; that buildx 0.13 ignores a group's description is not: the
    rendered file keeps it for the buildx that reads it."""
    (tmp_path / "docker-bake.hcl").write_text(
        'target "a" {}\ngroup "broken" {\n  targets = ["nope"]\n}\n'
        'group "default" {\n  description = "all"\n  targets = ["a"]\n}\n'
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["render", "--out", "out", "--buildx-version", "0.13.1"])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, warnings
    assert "group 'broken'" in warnings[0]
    assert "failed to find target nope" in warnings[0]
    assert 'description = "all"' in (tmp_path / "out" / "docker-bake.hcl").read_text()
