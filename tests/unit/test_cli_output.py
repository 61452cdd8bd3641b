"""One meaning of ``-o`` in every command: the output format, text or json (kubectl's), with
failures as an error object on stdout; render's and import's old ``-o PLACE`` still works, with
a deprecation warning (``--out`` is the place now)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bakepy.cli import app

REPO = Path(__file__).resolve().parents[2]
GO_EXAMPLE = REPO / "examples" / "go-client-server" / "bakepy.py"
BAD = """\
apiVersion: bakepy.dev/v1alpha1
kind: Target
metadata: {name: app}
spec:
  context: .
  dockerfile-inline: "FROM scratch\\n"
  platforms: 5
"""


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "bakepy.yaml").write_text(BAD, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "command",
    [
        ["validate"],
        ["render", "--out", "{tmp}/out"],
        ["print"],
        ["graph"],
        ["addresses"],
        ["plan"],
        ["apply", "--dry-run"],
        ["delete"],
    ],
)
def test_failures_are_an_error_object_with_file_line_field_hint(
    command: list[str], bad: Path, tmp_path: Path
) -> None:
    args = [part.format(tmp=tmp_path) for part in command]
    code, out, err = _invoke(*args, "-f", str(bad), "-o", "json")
    assert code == 2, out + err
    errors = json.loads(out)["errors"]
    assert errors == [
        {
            "message": "must be a list, not an integer",
            "file": str(bad / "bakepy.yaml"),
            "line": 7,
            "column": None,
            "resource": "Target/app",
            "field": "spec.platforms",
            "hint": None,
        }
    ]
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_text_failures_stay_on_stderr(bad: Path) -> None:
    code, out, err = _invoke("validate", "-f", str(bad))
    assert (code, out) == (2, "")
    assert err.startswith(f"error: {bad / 'bakepy.yaml'}:7: Target/app: spec.platforms:")


def test_a_hint_is_part_of_the_object(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    code, out, _ = _invoke("plan", "-f", str(GO_EXAMPLE), "--context", "gone", "-o", "json")
    assert code == 2
    (error,) = json.loads(out)["errors"]
    assert error["message"] == "Docker context 'gone' (from --context) does not exist"
    assert "docker context ls" in error["hint"]


def test_validate_json() -> None:
    code, out, _ = _invoke("validate", "-f", str(GO_EXAMPLE), "-o", "json")
    assert code == 0
    document = json.loads(out)
    assert document["valid"] is True
    assert document["resources"] > 0


def test_render_json_lists_what_it_wrote(tmp_path: Path) -> None:
    code, out, _ = _invoke("render", "-f", str(GO_EXAMPLE), "--out", str(tmp_path), "-o", "json")
    assert code == 0
    document = json.loads(out)
    assert document["out"] == str(tmp_path)
    assert "docker-bake.hcl" in document["written"]
    assert all((tmp_path / name).is_file() for name in document["written"])
    again = json.loads(
        _invoke("render", "-f", str(GO_EXAMPLE), "--out", str(tmp_path), "-o", "json")[1]
    )
    assert again["written"] == []
    assert again["unchanged"] == len(document["written"])


def test_render_check_json(tmp_path: Path) -> None:
    code, out, _ = _invoke(
        "render", "-f", str(GO_EXAMPLE), "--out", str(tmp_path), "--check", "-o", "json"
    )
    assert code == 1
    assert "docker-bake.hcl" in json.loads(out)["differs"]


def test_render_old_dash_o_folder_still_works_with_a_warning(tmp_path: Path) -> None:
    code, out, err = _invoke("render", "-f", str(GO_EXAMPLE), "-o", str(tmp_path))
    assert code == 0
    assert (tmp_path / "docker-bake.hcl").is_file()
    assert f"warning: -o {tmp_path} for render's output folder is deprecated: use --out" in err
    assert f"wrote {tmp_path / 'docker-bake.hcl'}" in out


def test_graph_addresses_schema_print_import_json(tmp_path: Path) -> None:
    graph = json.loads(_invoke("graph", "-f", str(GO_EXAMPLE), "-o", "json")[1])
    assert graph["format"] == "text"
    assert graph["graph"]
    rows = json.loads(_invoke("addresses", "-f", str(GO_EXAMPLE), "-o", "json")[1])
    assert {"address", "kind", "name", "owners"} == set(rows[0])
    schema = json.loads(_invoke("schema", "Target", "-o", "json")[1])
    assert schema["title"]
    printed = json.loads(_invoke("print", "-f", str(GO_EXAMPLE), "-o", "json")[1])
    assert "target" in printed
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY a /a\n", encoding="utf-8")
    imported = json.loads(_invoke("import", str(tmp_path / "Dockerfile"), "-o", "json")[1])
    assert 'from_="scratch"' in imported["definition"]
    assert imported["to"] == "python"


def test_an_unknown_output_format_is_refused() -> None:
    code, _, err = _invoke("validate", "-f", str(GO_EXAMPLE), "-o", "yaml")
    assert code == 2
    assert "--output must be text or json, not 'yaml'" in err


EXAMPLE = str(GO_EXAMPLE)
USAGE_FAILURES = {
    "unknown option": (["plan", "--bogus", "-o", "json"], "--bogus", "No such option: --bogus"),
    "misspelt option": (["apply", "-f", EXAMPLE, "--dry-rn", "-ojson"], "--dry-rn", "No such"),
    "missing argument": (["import", "-o", "json"], "FILE", "Missing argument 'FILE'."),
    "missing option value": (["plan", "-o", "json", "--compose"], "--compose", "requires an"),
    "option before the command": (["-o", "json", "plan"], "-o", "No such option: -o"),
    "unknown command": (["deploy", "-o", "json"], None, "No such command 'deploy'."),
    "extra argument": (["schema", "Target", "more", "-o", "json"], None, "unexpected extra"),
    "bad choice, graph": (["graph", "--format", "svg", "-o", "json"], None, "--format must be"),
    "bad choice, affected": (["affected", "--dependents", "all", "-o", "json"], None, "none,"),
    "bad choice, progress": (
        ["apply", "-f", EXAMPLE, "--progress", "x", "--output=json"],
        None,
        "auto,",
    ),
}


@pytest.mark.parametrize("name", sorted(USAGE_FAILURES))
def test_usage_errors_are_an_error_object_under_dash_o_json(name: str) -> None:
    """click's own failures (before any command runs) follow -o json like every other."""
    args, field, message = USAGE_FAILURES[name]
    code, out, err = _invoke(*args)
    assert code == 2, out + err
    (error,) = json.loads(out)["errors"]
    assert set(error) == {"message", "file", "line", "column", "resource", "field", "hint"}
    assert message in error["message"]
    assert error["field"] == field
    assert err == ""  # nothing but the object: no usage text, no traceback


def test_a_misspelt_option_hints_the_ones_meant() -> None:
    (error,) = json.loads(_invoke("plan", "--outpt", "json", "-o", "json")[1])["errors"]
    assert error["hint"] == "did you mean --context, --output or --root?"


def test_usage_errors_in_text_stay_as_click_prints_them() -> None:
    code, out, err = _invoke("plan", "--bogus")
    assert (code, out) == (2, "")
    assert "Usage: bakepy plan [OPTIONS] [TARGET]..." in err
    assert err.rstrip().endswith("Error: No such option: --bogus")


def test_context_before_the_command_fails_as_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--context is read by the group, before the command's own -o: the failure is JSON anyway."""
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    code, out, err = _invoke("--context", "gone", "plan", "-f", str(GO_EXAMPLE), "-o", "json")
    assert (code, err) == (2, "")
    (error,) = json.loads(out)["errors"]
    assert error["message"] == "Docker context 'gone' (from --context) does not exist"
    assert "docker context ls" in error["hint"]


def test_lock_failures_are_an_error_object(bad: Path) -> None:
    code, out, err = _invoke("lock", "-f", str(bad), "-o", "json")
    assert (code, err) == (2, "")
    (error,) = json.loads(out)["errors"]
    assert (error["line"], error["field"]) == (7, "spec.platforms")
    code, out, err = _invoke("lock", "-f", str(bad), "-o", "yaml")
    assert (code, out) == (2, "")
    assert "--output must be text or json, not 'yaml'" in err


def test_the_console_script_prints_usage_errors_as_json(tmp_path: Path) -> None:
    """The installed ``bakepy`` script, as a CI job runs it: one object on stdout, exit 2."""
    script = Path(sys.executable).with_name("bakepy")
    environment = {**os.environ, "DOCKER_CONFIG": str(tmp_path)}
    for args in (
        ["apply", "--bogus", "-o", "json"],
        ["--context", "gone", "apply", "-o", "json"],
        ["lock", "-f", str(tmp_path / "missing.py"), "-o", "json"],
    ):
        run = subprocess.run(
            [str(script), *args], capture_output=True, text=True, check=False, env=environment
        )
        assert (run.returncode, run.stderr) == (2, ""), args
        (error,) = json.loads(run.stdout)["errors"]
        assert error["message"], args


def test_validate_counts_the_blocks_of_bake_files(tmp_path: Path) -> None:
    """A bake file's blocks are no resources; validate says it checked them all the same."""
    (tmp_path / "docker-bake.hcl").write_text(
        'target "a" {}\ngroup "default" {\n  targets = ["a"]\n}\nvariable "V" {}\n'
    )
    result = CliRunner().invoke(app, ["validate", "-f", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "ok: 0 resource(s) and 3 bake file block(s) valid\n"
    document = json.loads(
        CliRunner().invoke(app, ["validate", "-f", str(tmp_path), "-o", "json"]).stdout
    )
    assert (document["resources"], document["bake_blocks"]) == (0, 3)
