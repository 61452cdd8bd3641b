"""Fuzzing the loaders: no input may crash them with anything but a BakepyError.

Bake files (HCL and JSON text) and YAML manifests are written to temporary files and read
with ``bakepy.load``, then checked and rendered (``bakepy.render``: every target resolved, every
file generated), as ``bakepy print`` and ``bakepy render`` would; HCL expressions and templates
go to ``bakepy.hcl.evaluate`` / ``render_template``, which may raise only ``HclError``. Inputs are
random text and near-valid structures assembled from fragments (blocks, attributes, values),
which get past the parsers and reach evaluation. Crashes found here are kept as regression
tests at the end of the file.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

import bakepy
from bakepy.errors import BakepyError, HclError
from bakepy.hcl.evaluator import evaluate, render_template
from bakepy.hcl.scope import Scope

FUZZ = settings(
    max_examples=int(os.environ.get("BAKEPY_FUZZ_EXAMPLES", "200")),  # raise it for a long hunt
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture(scope="module", autouse=True)
def _parse_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Parsed HCL goes to a throw-away cache, not the user's ~/.cache/bakepy."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BAKEPY_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(scope="module", name="folder")
def folder_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for every example of a module (hypothesis reruns a test many times)."""
    return tmp_path_factory.mktemp("fuzz")


def load_and_render(folder: Path, name: str, text: str) -> None:
    """Write ``text`` to ``folder/name``, load, check and render it; only BakepyError may
    escape (``check`` runs every variable, function, matrix and target)."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    with contextlib.chdir(folder), contextlib.suppress(BakepyError):
        project = bakepy.load([path])
        bakepy.render(project, folder / "out")


# -- fragments ------------------------------------------------------------------------------------

NAMES = st.sampled_from(["app", "base", "_common", "lib", "a-b", "x.y", "", "default", "app"])
VARIABLES = st.sampled_from(["TAG", "PUSH", "N", "LIST", "OBJ", "NOPE"])
ATTRIBUTES = st.sampled_from(
    [
        "tags",
        "args",
        "labels",
        "context",
        "contexts",
        "dockerfile",
        "dockerfile-inline",
        "platforms",
        "inherits",
        "target",
        "output",
        "cache-from",
        "cache-to",
        "secret",
        "ssh",
        "attest",
        "annotations",
        "pull",
        "no-cache",
        "no-cache-filter",
        "shm-size",
        "ulimits",
        "matrix",
        "name",
        "network",
        "description",
        "call",
        "entitlements",
        "extra-hosts",
    ]
)
STRINGS = st.sampled_from(
    [
        "x",
        "",
        "${TAG}",
        "$${TAG}",
        "%{ if PUSH }a%{ else }b%{ endif }",
        "%{ for x in LIST }${x}%{ endfor }",
        "${",
        "${}",
        "%{ if }",
        "${upper(TAG)}",
        "${N + 1}",
        "${nope()}",
        "${target.app.tags[0]}",
        "${target.app}",
        "${LIST[5]}",
        "${OBJ.missing}",
        "target:app",
        "target:base",
        "target:",
        "docker-image://alpine",
        "type=local,dest=out",
        "id=s,src=missing.txt",
        "id=e,env=HOME",
        "type=registry,ref=r/x",
        "nofile=1:2",
        "linux/amd64",
        "default",
        "\\q",
        '\\"',
        "\\u00e9",
        "\\uZZZZ",
        "a\\",
        "line\\nbreak",
        "../up",
        "/abs",
        "${item}",
        "${item.name}",
        "${x}",
    ]
)
EXPRESSIONS = st.sampled_from(
    [
        "TAG",
        "PUSH",
        "N",
        "LIST",
        "OBJ",
        "NOPE",
        "null",
        "true",
        "1",
        "-2.5",
        "1e400",
        "N / 0",
        "LIST[0]",
        "OBJ.a",
        "OBJ[*]",
        "LIST[*]",
        "[for x in LIST : x]",
        "{for k, v in OBJ : k => v}",
        "PUSH ? 1 : [2]",
        "f(1)",
        "f()",
        "g(1, 2, 3)",
        "upper(TAG)",
        "target.app.tags",
        "target.nope.tags",
        "concat(LIST, [1])",
        "jsondecode(TAG)",
        "range(N)",
        "item",
        "item.name",
        "(TAG)",
    ]
)


@st.composite
def hcl_values(draw: st.DrawFn, depth: int = 0) -> str:
    """An HCL value: a quoted string, a bare expression, a heredoc, a list or an object."""
    choice = draw(st.integers(0, 4 if depth < 2 else 2))
    if choice == 0:
        return '"' + draw(STRINGS) + '"'
    if choice == 1:
        return draw(EXPRESSIONS)
    if choice == 2:
        marker = draw(st.sampled_from(["<<EOT", "<<-EOT"]))
        return f"{marker}\n  {draw(STRINGS)}\n  EOT\n"  # the closing line ends the heredoc
    if choice == 3:
        items = draw(st.lists(hcl_values(depth + 1), max_size=3))
        return "[" + ", ".join(items) + "]"
    pairs = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["a", '"b c"', "item", '"${TAG}"', "(N)"]), hcl_values(depth + 1)
            ),
            max_size=3,
        )
    )
    return "{\n" + "".join(f"    {key} = {value}\n" for key, value in pairs) + "  }"


@st.composite
def hcl_blocks(draw: st.DrawFn) -> str:
    """One top-level block or attribute, mostly well formed."""
    kind = draw(st.sampled_from(["target", "target", "group", "variable", "function", "attr"]))
    if kind == "attr":
        return f"{draw(VARIABLES)} = {draw(hcl_values())}\n"
    label = draw(NAMES if kind in ("target", "group") else VARIABLES)
    lines: list[str] = []
    if kind == "target":
        for attribute in draw(st.lists(ATTRIBUTES, max_size=4)):
            lines.append(f"{attribute} = {draw(hcl_values())}")
    elif kind == "group":
        lines.append(f"targets = {draw(hcl_values())}")
    elif kind == "variable":
        if draw(st.booleans()):
            lines.append(f"default = {draw(hcl_values())}")
        if draw(st.booleans()):
            lines.append(
                f'validation {{\n condition = {draw(EXPRESSIONS)}\n error_message = "e"\n}}'
            )
    else:
        label = draw(st.sampled_from(["f", "g"]))
        params = draw(st.sampled_from(["[]", "[a]", "[a, b]", "a", '["a"]']))
        lines.append(f"params = {params}")
        if draw(st.booleans()):
            lines.append("variadic_params = rest")
        lines.append(f"result = {draw(hcl_values())}")
    body = "".join(f"  {line}\n" for line in lines)
    return f'{kind} "{label}" {{\n{body}}}\n'


HCL_CHARS = st.sampled_from(
    [*'target"{}[]=$%\\\n #abc0123.,:()<>-_!?*/+~', "${", "%{", "<<EOT\n", "\nEOT\n", "variable"]
)


# -- HCL ------------------------------------------------------------------------------------------


@FUZZ
@given(text=st.text(max_size=200))
def test_random_text_as_hcl(folder: Path, text: str) -> None:
    load_and_render(folder, "docker-bake.hcl", text)


@FUZZ
@given(text=st.lists(HCL_CHARS, max_size=40).map("".join))
def test_random_hcl_tokens(folder: Path, text: str) -> None:
    load_and_render(folder, "docker-bake.hcl", text)


PRELUDE = """
variable "TAG" {
  default = "v1"
}
variable "PUSH" {
  default = false
}
variable "N" {
  default = 2
}
variable "LIST" {
  default = ["a", "b"]
}
variable "OBJ" {
  default = { a = 1, name = "n" }
}
function "f" {
  params = [a]
  result = "${a}-x"
}
function "g" {
  params          = []
  variadic_params = rest
  result          = rest
}
"""
"""Declarations the fragments use, so more examples get past "unknown variable"."""


@FUZZ
@given(blocks=st.lists(hcl_blocks(), min_size=1, max_size=6), prelude=st.booleans())
def test_near_valid_hcl_files(folder: Path, blocks: list[str], prelude: bool) -> None:
    load_and_render(folder, "docker-bake.hcl", (PRELUDE if prelude else "") + "\n".join(blocks))


# -- JSON -----------------------------------------------------------------------------------------

JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10), st.floats(allow_nan=False), STRINGS
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(STRINGS, inner, max_size=3),
    max_leaves=8,
)


@st.composite
def json_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A bake JSON document: block types mapping names to bodies (or lists of bodies)."""
    document: dict[str, Any] = {}
    for kind in draw(st.lists(st.sampled_from(["target", "group", "variable", "function", "X"]))):
        if kind == "X":
            document[draw(VARIABLES)] = draw(JSON_VALUES)
            continue
        keys = {
            "target": ATTRIBUTES,
            "group": st.sampled_from(["targets", "targets", "description"]),
            "variable": st.sampled_from(["default", "default", "validation", "type"]),
            "function": st.sampled_from(["params", "variadic_params", "result"]),
        }[kind]
        body = draw(st.dictionaries(keys, JSON_VALUES, max_size=4))
        blocks = document.setdefault(kind, {})
        name = draw(NAMES if kind in ("target", "group") else VARIABLES)
        blocks[name] = draw(st.sampled_from([body, [body, body], body]))
    return document


@FUZZ
@given(text=st.text(max_size=100))
def test_random_text_as_json(folder: Path, text: str) -> None:
    load_and_render(folder, "docker-bake.json", text)


@FUZZ
@given(value=JSON_VALUES)
def test_random_json_values(folder: Path, value: Any) -> None:
    load_and_render(folder, "docker-bake.json", json.dumps(value))


@FUZZ
@given(document=json_documents())
def test_near_valid_json_files(folder: Path, document: dict[str, Any]) -> None:
    load_and_render(folder, "docker-bake.json", json.dumps(document))


# -- YAML manifests -------------------------------------------------------------------------------

KINDS = st.sampled_from(
    ["Target"] * 4 + ["Group", "Variable", "Function", "Dockerfile", "Builder", "Nope", ""]
)
SPEC_KEYS = st.sampled_from(
    [
        "tags",
        "args",
        "inherits",
        "context",
        "contexts",
        "dockerfile",
        "targets",
        "default",
        "params",
        "result",
        "stages",
        "platforms",
        "matrix",
        "name",
        "output",
        "secret",
        "bogus",
    ]
)


@st.composite
def manifests(draw: st.DrawFn) -> dict[str, Any]:
    """A manifest: apiVersion, kind, metadata and a spec of random known-ish fields."""
    manifest: dict[str, Any] = {
        "apiVersion": draw(st.sampled_from(["bakepy.dev/v1alpha1"] * 8 + ["v1", ""])),
        "kind": draw(KINDS),  # mostly a known kind
        "metadata": draw(
            st.sampled_from(
                [{"name": "app"}] * 3
                + [{"name": "base"}, {"name": ""}, {}, "app", None, {"name": 1}]
            )
        ),
        "spec": draw(st.dictionaries(SPEC_KEYS, JSON_VALUES, max_size=4)),
    }
    if draw(st.integers(0, 9)) == 0:
        del manifest[draw(st.sampled_from(list(manifest)))]
    return manifest


@FUZZ
@given(text=st.text(max_size=200))
def test_random_text_as_yaml(folder: Path, text: str) -> None:
    load_and_render(folder, "bakepy.yaml", text)


@FUZZ
@given(documents=st.lists(manifests(), min_size=1, max_size=3))
def test_near_valid_manifests(folder: Path, documents: list[dict[str, Any]]) -> None:
    load_and_render(folder, "bakepy.yaml", yaml.safe_dump_all(documents))


# -- compose files --------------------------------------------------------------------------------

COMPOSE_SCALARS = st.sampled_from(
    [
        "busybox",
        "${TAG}",
        "${TAG:-x}",
        "${NOPE:?needed}",
        "${",
        "$$HOME",
        "80:80",
        "8000-8001:80-81",
        "[::1]:53:53/udp",
        "./data:/data:ro",
        "cache:/c:nocopy",
        "a=b",
        "yes",
        "0440",
        "22:22",
        "1e6",
        ".",
        "../up",
        "service:web",
        "compose.yaml",
        "other.yaml",
        "web",
        "1g",
        "90s",
    ]
)
COMPOSE_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 70000) | COMPOSE_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            COMPOSE_SCALARS | st.sampled_from(["service", "file", "path"]), inner, max_size=3
        )
    ),
    max_leaves=6,
)
SERVICE_KEYS = st.sampled_from(
    [
        "image",
        "build",
        "ports",
        "volumes",
        "environment",
        "labels",
        "extends",
        "depends_on",
        "networks",
        "secrets",
        "configs",
        "healthcheck",
        "deploy",
        "command",
        "profiles",
        "env_file",
        "ulimits",
        "x-bake",
        "bogus",
    ]
)


@st.composite
def compose_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A compose file: services of known-ish keys, and top-level include, networks, ..."""
    services = draw(
        st.dictionaries(
            st.sampled_from(["web", "db", "a.b", "x"]),
            st.dictionaries(SERVICE_KEYS, COMPOSE_VALUES, max_size=4) | COMPOSE_VALUES,
            max_size=3,
        )
    )
    document: dict[str, Any] = {"services": services}
    for key in draw(
        st.lists(st.sampled_from(["include", "networks", "volumes", "secrets", "name", "version"]))
    ):
        document[key] = draw(COMPOSE_VALUES)
    return document


@FUZZ
@given(text=st.text(max_size=200))
def test_random_text_as_compose(folder: Path, text: str) -> None:
    load_and_render(folder, "compose.yaml", text)


@FUZZ
@given(document=compose_documents())
def test_near_valid_compose_files(folder: Path, document: dict[str, Any]) -> None:
    load_and_render(folder, "compose.yaml", yaml.safe_dump(document))


# -- expressions and templates --------------------------------------------------------------------

SCOPE = Scope(
    {
        "TAG": "v1",
        "PUSH": True,
        "N": 3,
        "LIST": ["a", "b", None],
        "OBJ": {"a": 1, "b": [1, 2]},
        "EMPTY": [],
        "NULL": None,
    }
)
OPERATORS = st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", ">=", "&&", "||"])


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> str:
    """An expression assembled from grammar fragments, nested a few levels deep."""
    if depth > 2:
        return draw(EXPRESSIONS | st.sampled_from(['"s"', "EMPTY", "NULL", "0", "-0"]))
    inner = expressions(depth + 1)
    form = draw(st.integers(0, 9))
    if form == 0:
        return f"{draw(inner)} {draw(OPERATORS)} {draw(inner)}"
    if form == 1:
        return f"{draw(inner)} ? {draw(inner)} : {draw(inner)}"
    if form == 2:
        return f"[for i, v in {draw(inner)} : {draw(inner)} if {draw(inner)}]"
    if form == 3:
        return f"{{for k, v in {draw(inner)} : {draw(inner)} => {draw(inner)}...}}"
    if form == 4:
        return f"{draw(inner)}[{draw(inner)}]"
    if form == 5:
        return f"{draw(inner)}.{draw(st.sampled_from(['a', 'b', '0', '*']))}"
    if form == 6:
        name = draw(st.sampled_from(["upper", "join", "length", "element", "try", "can", "merge"]))
        args = draw(st.lists(inner, max_size=3))
        return f"{name}({', '.join(args)})"
    if form == 7:
        return f"!{draw(inner)}" if draw(st.booleans()) else f"-{draw(inner)}"
    if form == 8:
        return f'"${{{draw(inner)}}}-%{{ if {draw(inner)} }}x%{{ endif }}"'
    return f"({draw(inner)})"


@FUZZ
@given(text=expressions())
def test_structured_expressions_only_raise_hcl_error(text: str) -> None:
    with contextlib.suppress(HclError):
        evaluate(text, SCOPE)


@FUZZ
@given(
    parts=st.lists(
        STRINGS | expressions().map(lambda e: "${" + e + "}") | st.sampled_from(["%{", "}", "~"]),
        max_size=5,
    ),
    quoted=st.booleans(),
)
def test_structured_templates_only_raise_hcl_error(parts: list[str], quoted: bool) -> None:
    with contextlib.suppress(HclError):
        render_template("".join(parts), SCOPE, quoted=quoted)


# -- crashes found by fuzzing, kept as regression tests -------------------------------------------

REGRESSIONS = {
    # KeyError: a function without result
    "json-function-without-result": (
        "docker-bake.json",
        '{"target": {"app": {}}, "function": {"TAG": {}}}',
    ),
    # yaml ConstructorError escaped: a scalar no tag constructs
    "yaml-unconstructable-scalar": ("bakepy.yaml", "="),
    # TypeError: a validation that is not a block
    "json-validation-null": ("docker-bake.json", '{"variable": {"TAG": {"validation": null}}}'),
    # TypeError while rendering: a null condition
    "hcl-validation-condition-null": (
        "docker-bake.hcl",
        'variable "TAG" {\n  validation {\n condition = null\n error_message = "e"\n}\n}\n',
    ),
    # TypeError / AttributeError: an attribute named like a block type
    "hcl-target-attribute": ("docker-bake.hcl", "target = 5\n"),
    "hcl-group-attribute": ("docker-bake.hcl", "group = [1]\n"),
    "hcl-variable-attribute": ("docker-bake.hcl", "variable = {a = 1}\n"),
    # AttributeError in finalize: a map attribute that is not a map
    "hcl-args-number": ("docker-bake.hcl", 'target "app" {\n  args = 5\n}\n'),
}


@pytest.mark.parametrize("case", list(REGRESSIONS))
def test_fuzzing_regressions_are_bakepy_errors(case: str, tmp_path: Path) -> None:
    name, text = REGRESSIONS[case]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")

    def load_and_render_strictly() -> None:
        with contextlib.chdir(tmp_path):
            bakepy.render(bakepy.load([path]), tmp_path / "out")

    with pytest.raises(BakepyError):
        load_and_render_strictly()
