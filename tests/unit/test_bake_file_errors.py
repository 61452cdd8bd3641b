"""Mistakes in HCL and JSON bake files: a BakepyError from the library, and from the CLI one
or two lines on stderr naming the file, the line and the cause, exit code 2, no traceback."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

import bakepy
from bakepy import BakepyError, CycleError, EvaluationError, LoadError
from bakepy.cli import app


@dataclass(frozen=True)
class Mistake:
    """A bake file with one mistake, what bakepy must raise and say, and where."""

    text: str
    error: type[BakepyError]
    cause: str
    line: int | None
    file: str = "docker-bake.hcl"
    names: tuple[str, ...] = ("app",)
    env: dict[str, str] = field(default_factory=dict)
    hint: str | None = None


MISTAKES = {
    "hcl-syntax-error": Mistake(
        'target "app" {\n  tags = ["a"\n}\n', LoadError, "HCL syntax error", 3
    ),
    # lark's token names (Token('$END', ''), Token('RBRACE', '}')) are not shown
    "hcl-unclosed-bracket": Mistake(
        'target "app" {\n  tags = [\n', LoadError, "HCL syntax error: Unexpected end of file", 3
    ),
    # python-hcl2 reads these without a position: the line is found in the text
    "hcl-target-without-a-name": Mistake(
        'variable "TAG" {\n  default = "1"\n}\n  target {\n  context = "."\n}\n',
        LoadError,
        "a target block needs a name",
        4,
    ),
    "hcl-block-type-as-attribute": Mistake(
        'variable "V" {}\ngroup = 1\n', LoadError, "group is a block type, not an attribute", 2
    ),
    "hcl-stray-token": Mistake(
        'target "app" }\n', LoadError, "HCL syntax error: Unexpected token '}' (column 14)", 1
    ),
    "json-syntax-error": Mistake(
        '{\n  "target": {\n    "app": {"tags": [}\n  }\n}\n',
        LoadError,
        "JSON syntax error",
        3,
        file="docker-bake.json",
    ),
    "json-not-an-object": Mistake("[]\n", LoadError, "must hold an object", 1, "x.json"),
    # a top-level attribute is evaluated as a variable's default is: its line is named
    "attribute-unknown-variable": Mistake(
        '\nrepo = "${registry}/app"\ntarget "app" {\n  tags = [repo]\n}\n',
        EvaluationError,
        "attribute 'repo': unknown variable \"registry\"",
        2,
    ),
    # a broken template in a JSON default, in a file that declares functions (cfb150e's check
    # of which functions a default calls must leave the error to evaluation, located)
    "json-default-broken-template-beside-function": Mistake(
        '{\n  "variable": {"A": {"default": "${upper(}"}},\n'
        '  "function": {"f": {"params": ["x"], "result": "${x}"}},\n'
        '  "target": {"app": {"tags": ["${A}"]}}\n}\n',
        EvaluationError,
        "variable 'A'",
        2,
        file="docker-bake.json",
    ),
    "attribute-unknown-variable-json": Mistake(
        '{\n  "repo": "${registry}/app",\n  "target": {"app": {"tags": ["${repo}"]}}\n}\n',
        EvaluationError,
        "attribute 'repo': unknown variable \"registry\"",
        2,
        file="docker-bake.json",
    ),
    "unknown-attribute": Mistake(
        '\ntarget "app" {\n  tgas = ["a"]\n}\n',
        LoadError,
        "unknown attribute 'tgas'",
        3,
        hint="did you mean 'tags'? Or pass --ignore-unknown to drop it, as buildx does.",
    ),
    "unknown-attribute-json": Mistake(
        '{"target": {"app": {"platfroms": ["linux/amd64"]}}}',
        LoadError,
        "unknown attribute 'platfroms'",
        1,
        file="docker-bake.json",
        hint="did you mean 'platforms'? Or pass --ignore-unknown to drop it, as buildx does.",
    ),
    # python-hcl2 reads both; hclsyntax (buildx) refuses them
    "attribute-redefined": Mistake(
        'target "app" {\n  tags = ["a"]\n  tags = ["b"]\n}\n',
        LoadError,
        "Attribute redefined: the argument 'tags' was already set at line 2",
        3,
    ),
    "single-line-block-not-closed": Mistake(
        'target "app" { tags = ["a"]\n  context = "."\n}\n',
        LoadError,
        "Invalid single-argument block definition",
        1,
    ),
    "wrong-attribute-type-json": Mistake(
        '{\n  "target": {\n    "app": {\n      "no-cache": "maybe"\n    }\n  }\n}\n',
        EvaluationError,
        "no-cache: bool required, got string",
        4,
        file="docker-bake.json",
    ),
    "target-context-cycle": Mistake(
        'target "app" {\n  contexts = { lib = "target:lib" }\n}\n\n'
        'target "lib" {\n  contexts = { app = "target:app" }\n}\n',
        CycleError,
        "infinite loop from lib to app",
        5,
    ),
    "unknown-function-in-target": Mistake(
        'variable "TAG" {\n  default = "1"\n}\n\ntarget "app" {\n  tags = ["a"]\n'
        "  args = {\n    A = nope(TAG)\n  }\n}\n",
        EvaluationError,
        'args: call to unknown function "nope"',
        7,
    ),
    "unknown-function-in-json": Mistake(
        '{"target": {"app": {"tags": ["${nope()}"]}}}',
        EvaluationError,
        'tags: call to unknown function "nope"',
        1,
        file="docker-bake.json",
    ),
    # buildx 0.13 rejects validation blocks (bake.md §3, §13): this one is bakepy's alone
    "failed-validation": Mistake(
        'variable "TAG" {\n  default = ""\n  validation {\n    condition     = TAG != ""\n'
        '    error_message = "TAG must not be empty"\n  }\n}\n\ntarget "app" {}\n',
        EvaluationError,
        "TAG must not be empty",
        4,  # the validation's condition, not the variable's first line (issue 15)
    ),
    "bad-escape": Mistake(
        'target "base" {}\n\ntarget "app" {\n  args = {\n    A = "C:\\q"\n  }\n}\n',
        LoadError,
        "invalid escape sequence \\q",
        3,
    ),
    "bad-escape-top-level-attribute": Mistake(
        'ORG = "a"\nREG = "\\uZZZZ"\n', LoadError, "REG: invalid unicode escape", 2
    ),
    "bad-bool-from-environment": Mistake(
        'variable "PUSH" {\n  default = false\n}\n\ntarget "app" {}\n',
        EvaluationError,
        "'maybe' is not a bool",
        1,
        env={"PUSH": "maybe"},
    ),
    "function-cycle": Mistake(
        'function "f" {\n  params = [n]\n  result = f(n)\n}\n\n'
        'target "app" {\n  args = { A = f(1) }\n}\n',
        EvaluationError,
        "function cycle not allowed for f",
        7,
    ),
    "function-without-result": Mistake(
        'function "f" {\n  params = [n]\n}\n', LoadError, "function 'f' has no result", 1
    ),
    "wrong-attribute-type": Mistake(
        'target "app" {\n  tags = "app:latest"\n}\n',
        EvaluationError,
        "tags: list of string required, got string",
        2,
    ),
    "name-without-matrix": Mistake(
        'target "app" {\n  name = "x"\n}\n', EvaluationError, "name requires matrix", 1
    ),
    "group-targets-not-a-list": Mistake(
        'target "app" {}\n\ngroup "default" {\n  targets = "app"\n}\n',
        EvaluationError,
        "targets: list of string required, got string",
        4,
        names=(),
    ),
    "invalid-target-name": Mistake(
        'target "app" {}\n\ntarget "app.v2" {}\n',
        LoadError,
        "invalid target name 'app.v2'",
        3,
    ),
    "block-without-name": Mistake(
        "target {\n}\n", LoadError, "a target block needs a name", 1, names=()
    ),
    "nested-block": Mistake(
        'target "app" {\n  args {\n    A = "1"\n  }\n}\n',
        LoadError,
        "args is written as a block (buildx drops the block and what it holds)",
        2,  # the nested block's line, not its target's
    ),
}


@pytest.fixture(name="mistake")
def mistake_fixture(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Mistake:
    """The mistake of the test id written to its file in the working directory."""
    mistake: Mistake = MISTAKES[request.param]
    monkeypatch.chdir(tmp_path)
    for name, value in mistake.env.items():
        monkeypatch.setenv(name, value)
    Path(mistake.file).write_text(mistake.text, encoding="utf-8")
    return mistake


@pytest.mark.parametrize("mistake", list(MISTAKES), indirect=True)
def test_library_raises_a_bakepy_error(mistake: Mistake) -> None:
    def load_and_resolve() -> None:
        bakepy.resolve(bakepy.load([mistake.file]), list(mistake.names), mistake.env)

    with pytest.raises(mistake.error) as info:
        load_and_resolve()
    assert mistake.cause in str(info.value)
    assert info.value.location.file == Path(mistake.file)
    assert info.value.location.line == mistake.line
    assert info.value.diagnostic.hint == mistake.hint or mistake.hint is None


@pytest.mark.parametrize("mistake", list(MISTAKES), indirect=True)
def test_cli_prints_file_line_and_cause_and_exits_2(mistake: Mistake) -> None:
    result = CliRunner().invoke(app, ["print", "-f", mistake.file, *mistake.names])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert 1 <= len(lines) <= 2, result.stderr
    where = f"{mistake.file}:{mistake.line}:" if mistake.line else f"{mistake.file}"
    assert lines[0].startswith("error: ")
    assert where in lines[0]
    assert mistake.cause in lines[0]
    if mistake.hint:
        assert lines[1] == f"  hint: {mistake.hint}"
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('\n\nvariable "A" {\n  default = 1\n}\n\n\ntarget "app" {\n  tags = [x()]\n}\n', 9, 10),
        ('target "a" {}\n  target "app" {\n  tags = [x()]\n}\n', 3, 10),
        # a matrix's name template and its values: the attribute, not the block's header
        ('target "app" {\n  matrix = { v = ["a"] }\n  name = "x-${x(v)}"\n}\n', 3, 10),
        ('target "app" {\n  name = "x-${v}"\n  matrix = { v = [NOPE] }\n}\n', 3, 12),
    ],
)
def test_errors_name_the_line_and_column_of_the_value(
    text: str, line: int, column: int, tmp_path: Path
) -> None:
    """An error in a value names the line and column where the value starts, as buildx
    names the expression's (not the block's header)."""
    file = tmp_path / "docker-bake.hcl"
    file.write_text(text)
    with pytest.raises(EvaluationError) as info:
        bakepy.resolve(bakepy.load([file]), ["app"], {})
    assert (info.value.location.line, info.value.location.column) == (line, column)


def test_plan_apply_and_delete_take_ignore_unknown_as_render_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bake file with an attribute bake does not know: refused by every command, read as
    buildx reads it by each with --ignore-unknown (plan and apply too, not only render)."""
    from typer.testing import CliRunner

    from bakepy.cli import app

    (tmp_path / "docker-bake.hcl").write_text('target "app" {\n  tagz = ["x"]\n}\n')
    monkeypatch.chdir(tmp_path)
    for verb in (["plan", "--no-build"], ["apply", "--dry-run", "--no-build"], ["delete"]):
        refused = CliRunner().invoke(app, verb)
        assert refused.exit_code == 2, refused.output
        assert "unknown attribute 'tagz'" in refused.stderr
        taken = CliRunner().invoke(app, [*verb, "--ignore-unknown"])
        assert taken.exit_code == 0, taken.output
        assert "tagz" in taken.stderr  # the warning buildx would not give
